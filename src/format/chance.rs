//! Sentences true of their figures: a probability estimated from R runs in
//! words, an interval that never leaves its own mean outside, and figures
//! rounded to what the Monte Carlo error supports.
//!
//! | p (of 4,000 runs) | English | Chinese |
//! |---|---|---|
//! | 0 | `in none of the 4,000 runs` | `4,000 次模拟中没有一次` |
//! | 1 | `in every one of the 4,000 runs` | `4,000 次模拟中每次都` |
//! | 0.0005 | `in fewer than 1 run in 1,000 (<0.1%)` | `不到千分之一的模拟（<0.1%）` |
//! | 0.25 | `in about 1 run in 4 (25.0%)` | `约每 4 次模拟中有 1 次（25.0%）` |
//! | 0.62 | `in about 6 runs in 10 (62.0%)` | `约每 10 次模拟中有 6 次（62.0%）` |
//!
//! "Fewer than 1 in 1,000" is written only when the share is below 0.1%;
//! any other share is written as the nearest simple fraction, which is
//! within the rounding of the percentage beside it.

use super::{grouped, money, pct, Lang};

/// The simple fractions a share is read as, `(a, b)`: "a runs in b".
const FRACTIONS: [(u64, u64); 9] = [(1, 2), (1, 3), (2, 3), (1, 4), (3, 4), (1, 5), (2, 5), (3, 5), (4, 5)];

/// How often something happens in `runs` runs, as a phrase that ends a
/// clause ("full coverage is reached" + phrase): see the module table.
/// In Chinese the phrase comes before the verb ("…实现全覆盖").
pub fn odds(lang: Lang, p: f64, runs: u64) -> String {
    let runs_s = grouped(runs as f64, 0);
    let (a, b) = match fraction(p) {
        Fraction::None => {
            return match lang {
                Lang::En => format!("in none of the {runs_s} runs"),
                Lang::Zh => format!("{runs_s} 次模拟中没有一次"),
            }
        }
        Fraction::All => {
            return match lang {
                Lang::En => format!("in every one of the {runs_s} runs"),
                Lang::Zh => format!("{runs_s} 次模拟中每次都"),
            }
        }
        Fraction::FewerThanOneIn(n) => {
            let n_s = grouped(n as f64, 0);
            return match lang {
                Lang::En => format!("in fewer than 1 run in {n_s} ({})", pct(p)),
                Lang::Zh => format!("不到{}的模拟（{}）", zh_fraction(n), pct(p)),
            };
        }
        Fraction::AllButFewerThanOneIn(n) => {
            let n_s = grouped(n as f64, 0);
            return match lang {
                Lang::En => format!("in all but fewer than 1 run in {n_s} ({})", pct(p)),
                Lang::Zh => format!("除不到{}外的所有模拟（{}）", zh_fraction(n), pct(p)),
            };
        }
        Fraction::About(a, b) => (a, b),
    };
    let (a_s, b_s) = (grouped(a as f64, 0), grouped(b as f64, 0));
    match lang {
        Lang::En if a == 1 => format!("in about 1 run in {b_s} ({})", pct(p)),
        Lang::En => format!("in about {a_s} runs in {b_s} ({})", pct(p)),
        Lang::Zh => format!("约每 {b_s} 次模拟中有 {a_s} 次（{}）", pct(p)),
    }
}

/// A share of runs read as words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fraction {
    None,
    All,
    /// Below 1/n (n = 1,000): only for shares under 0.1%.
    FewerThanOneIn(u64),
    AllButFewerThanOneIn(u64),
    /// About a in b.
    About(u64, u64),
}

/// The words for share `p`: none and all only at 0 and 1; below 0.1% (and
/// above 99.9%) "fewer than 1 in 1,000"; below 10% "about 1 in b" with b
/// = 1/p to two significant figures (above 95%, "about b - 1 in b"); else
/// the nearest of halves, thirds, quarters and fifths when within half a
/// percentage point, or tenths.
pub fn fraction(p: f64) -> Fraction {
    if p.is_nan() || p <= 0.0 {
        return Fraction::None;
    }
    if p >= 1.0 {
        return Fraction::All;
    }
    if p < 0.001 {
        return Fraction::FewerThanOneIn(1000);
    }
    if p > 0.999 {
        return Fraction::AllButFewerThanOneIn(1000);
    }
    if p < 0.1 {
        return Fraction::About(1, round_sig(1.0 / p, 2) as u64);
    }
    if p > 0.95 {
        let b = round_sig(1.0 / (1.0 - p), 2) as u64;
        return Fraction::About(b - 1, b);
    }
    let simple = FRACTIONS
        .iter()
        .copied()
        .filter(|&(a, b)| (p - a as f64 / b as f64).abs() < 0.005)
        .min_by(|x, y| {
            let dx = (p - x.0 as f64 / x.1 as f64).abs();
            let dy = (p - y.0 as f64 / y.1 as f64).abs();
            dx.total_cmp(&dy)
        });
    match simple {
        Some((a, b)) => Fraction::About(a, b),
        None => Fraction::About(((10.0 * p).round() as u64).clamp(1, 9), 10),
    }
}

fn zh_fraction(n: u64) -> &'static str {
    match n {
        10 => "十分之一",
        100 => "百分之一",
        _ => "千分之一",
    }
}

/// `x` rounded to `sig` significant figures (0 stays 0).
pub fn round_sig(x: f64, sig: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let step = 10f64.powi(x.abs().log10().floor() as i32 + 1 - sig);
    (x / step).round() * step
}

/// The rounding step the Monte Carlo error supports for a mean with
/// standard error `se`: the power of ten of the standard error's first
/// significant figure, 10^floor(log10 se) (a mean is then given to about
/// two significant figures of its error). `None` when the mean is exact
/// (`se` is 0 or not finite).
pub fn mc_step(se: f64) -> Option<f64> {
    (se.is_finite() && se > 0.0).then(|| 10f64.powi(se.log10().floor() as i32))
}

/// A count of villages (a mean over runs) with the decimals its standard
/// error supports, at most one: `14.2`, `3`.
pub fn count(mean: f64, se: f64) -> String {
    let decimals = match mc_step(se) {
        Some(step) if step < 1.0 => 1,
        Some(_) => 0,
        None if (mean - mean.round()).abs() < 1e-9 => 0,
        None => 1,
    };
    grouped(mean, decimals)
}

/// A sum of money rounded to what its standard error supports and to at
/// most three significant figures, in a sentence: `"1,230,000 yuan"`,
/// `"123万元"`.
pub fn money_mc(lang: Lang, yuan: f64, se: f64) -> String {
    money(lang, round_money(yuan, se))
}

/// `yuan` rounded to its Monte Carlo step and to three significant figures,
/// whichever is coarser.
pub fn round_money(yuan: f64, se: f64) -> f64 {
    let sig = round_sig(yuan, 3);
    match mc_step(se) {
        Some(step) if step > (yuan - sig).abs().max(1.0) => (yuan / step).round() * step,
        _ => sig,
    }
}

/// How the ends of an interval are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ends {
    /// As the mean.
    Same,
    /// Whole numbers (counts of villages): the lower end rounded down, the
    /// upper up.
    Whole,
}

/// A mean with its 90% interval of runs, the mean formatted by `f`: the
/// interval is widened to contain the mean (quantiles are sketched, the
/// mean exact; widening only weakens what the interval claims), and when
/// both ends read the same the value is said once. Returns the mean's text
/// and the interval's ends, if they differ.
pub fn interval(
    mean: f64,
    p5: f64,
    p95: f64,
    ends: Ends,
    f: impl Fn(f64) -> String,
) -> (String, Option<(String, String)>) {
    let (lo, hi) = (p5.min(mean), p95.max(mean));
    let (lo_s, hi_s) = match ends {
        Ends::Same => (f(lo), f(hi)),
        Ends::Whole => (grouped(lo.floor(), 0), grouped(hi.ceil(), 0)),
    };
    if lo_s == hi_s {
        (lo_s, None)
    } else {
        (f(mean), Some((lo_s, hi_s)))
    }
}

/// [`interval`] in a sentence: `"14.2 (90% of runs: 11 to 17)"`,
/// `"14.2（90% 的模拟在 11 至 17 之间）"`, or the value alone.
pub fn with_interval(lang: Lang, mean: f64, p5: f64, p95: f64, ends: Ends, f: impl Fn(f64) -> String) -> String {
    match interval(mean, p5, p95, ends, f) {
        (m, None) => m,
        (m, Some((lo, hi))) => match lang {
            Lang::En => format!("{m} (90% of runs: {lo} to {hi})"),
            Lang::Zh => format!("{m}（90% 的模拟在 {lo} 至 {hi} 之间）"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_all_fewer_than_one_in_a_thousand_about_one_in_k() {
        assert_eq!(odds(Lang::En, 0.0, 4000), "in none of the 4,000 runs");
        assert_eq!(odds(Lang::Zh, 0.0, 4000), "4,000 次模拟中没有一次");
        assert_eq!(odds(Lang::En, 1.0, 4000), "in every one of the 4,000 runs");
        assert_eq!(odds(Lang::Zh, 1.0, 4000), "4,000 次模拟中每次都");
        assert_eq!(
            odds(Lang::En, 2.0 / 4000.0, 4000),
            "in fewer than 1 run in 1,000 (<0.1%)"
        );
        assert_eq!(odds(Lang::Zh, 2.0 / 4000.0, 4000), "不到千分之一的模拟（<0.1%）");
        assert_eq!(odds(Lang::En, 0.25, 4000), "in about 1 run in 4 (25.0%)");
        assert_eq!(odds(Lang::Zh, 0.25, 4000), "约每 4 次模拟中有 1 次（25.0%）");
        assert_eq!(odds(Lang::En, 0.75, 4000), "in about 3 runs in 4 (75.0%)");
        assert_eq!(odds(Lang::En, 0.62, 100), "in about 6 runs in 10 (62.0%)");
        assert_eq!(odds(Lang::En, 0.006, 10_000), "in about 1 run in 170 (0.6%)");
        assert_eq!(odds(Lang::En, 0.96, 100), "in about 24 runs in 25 (96.0%)");
        assert_eq!(odds(Lang::En, 0.913, 1000), "in about 9 runs in 10 (91.3%)");
        assert_eq!(
            odds(Lang::En, 0.9995, 10_000),
            "in all but fewer than 1 run in 1,000 (>99.9%)"
        );
        assert_eq!(odds(Lang::Zh, 0.9995, 10_000), "除不到千分之一外的所有模拟（>99.9%）");
    }

    #[test]
    fn fewer_than_one_in_a_thousand_only_when_true() {
        // 0.1% exactly is 1 in 1,000, not fewer.
        assert_eq!(fraction(0.001), Fraction::About(1, 1000));
        assert_eq!(fraction(0.0009), Fraction::FewerThanOneIn(1000));
        // 5% is about 1 in 20, never "fewer than 1 in 10".
        assert_eq!(fraction(0.05), Fraction::About(1, 20));
        for k in 1..1000 {
            let p = k as f64 / 1000.0;
            match fraction(p) {
                Fraction::FewerThanOneIn(n) => assert!(p < 1.0 / n as f64, "{p}"),
                Fraction::About(a, b) => {
                    let q = a as f64 / b as f64;
                    let close = if p < 0.1 {
                        (q - p).abs() / p < 0.05
                    } else {
                        (q - p).abs() <= 0.05 + 1e-9
                    };
                    assert!(close, "{p} read as {a} in {b}");
                }
                other => panic!("{p} read as {other:?}"),
            }
        }
    }

    #[test]
    fn intervals_keep_their_mean_inside_and_say_a_point_once() {
        let yuan = |x: f64| grouped(x, 0);
        let same = Ends::Same;
        // A mean outside its sketched interval: the interval is widened to it.
        assert_eq!(
            with_interval(Lang::En, 15_552.0, 15_829.0, 15_829.0, same, yuan),
            "15,552 (90% of runs: 15,552 to 15,829)"
        );
        assert_eq!(with_interval(Lang::En, 12.0, 12.0, 12.0, same, yuan), "12");
        let villages = |x| count(x, 0.1);
        assert_eq!(
            with_interval(Lang::Zh, 14.2, 11.0, 17.0, Ends::Whole, villages),
            "14.2（90% 的模拟在 11 至 17 之间）"
        );
        // A mean of 0.3 with P5 = P95 = 0: the interval reaches 1, never
        // "0.3 (0 to 0)".
        assert_eq!(
            with_interval(Lang::En, 0.3, 0.0, 0.0, Ends::Whole, villages),
            "0.3 (90% of runs: 0 to 1)"
        );
        assert_eq!(
            with_interval(Lang::En, 0.0, 0.0, 0.0, Ends::Whole, |x| count(x, 0.0)),
            "0"
        );
    }

    #[test]
    fn rounding_to_the_monte_carlo_error() {
        assert_eq!(round_sig(1_234_567.0, 3), 1_230_000.0);
        assert_eq!(mc_step(0.034), Some(0.01));
        assert_eq!(mc_step(0.0), None);
        assert_eq!(count(14.237, 0.05), "14.2");
        assert_eq!(count(14.237, 2.0), "14");
        assert_eq!(count(3.0, 0.0), "3");
        // A standard error of 37,000 yuan: 10,000-yuan steps.
        assert_eq!(money_mc(Lang::En, 1_234_567.0, 37_000.0), "1,230,000 yuan");
        assert_eq!(money_mc(Lang::Zh, 1_234_567.0, 37_000.0), "123万元");
        assert_eq!(money_mc(Lang::En, 59_712_345.0, 900_000.0), "59,700,000 yuan");
        assert_eq!(money_mc(Lang::Zh, 59_712_345.0, 2_000_000.0), "6,000万元");
    }
}
