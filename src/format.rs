//! Numbers, money and percentages as planners read them, in English and
//! Chinese: the one place the terminal, the charts and the reports take their
//! number formatting from.
//!
//! | function | 1371000 yuan, English | Chinese |
//! |---|---|---|
//! | [`money`] (in a sentence) | `1,371,000 yuan` | `137.1万元` |
//! | [`money_cell`] (table whose header names the unit) | `1,371,000` | `137.1` |
//! | [`money_exact`] (legend, note: as many decimals as the value has, up to 2) | `1,371,000 yuan` | `137.1万元` |
//!
//! Probabilities: [`pct`] (`91.3%`, `<0.1%` near 0) and [`pct_cell`]
//! (`91%`, `<1%`); a chance that is not 0 is never written as 0%.
//!
//! Parsing numbers written with units (`"150万"`, `"6%"`) is the scenario
//! reader's job: see [`crate::model::units`].
//!
//! # Examples
//!
//! ```
//! use villagesim::format::{grouped, money, pct, Lang};
//! assert_eq!(grouped(1_234_567.5, 1), "1,234,567.5");
//! assert_eq!(money(Lang::Zh, 1_371_000.0), "137.1万元");
//! assert_eq!(pct(0.0004), "<0.1%");
//! ```

use std::fmt::Write;

mod chance;
pub use chance::{
    count, fraction, interval, mc_step, money_mc, odds, round_money, round_sig, with_interval, Ends, Fraction,
};

/// Language of the words on the charts, the reports and the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English
    #[default]
    En,
    /// Chinese (简体中文)
    Zh,
}

/// The name to show in `lang`: the Chinese one where there is one (and
/// `lang` is Chinese), else the English one. Every name a scenario gives in
/// both languages (`name` and `name_zh`) is shown through it.
pub fn in_lang<'a>(lang: Lang, en: &'a str, zh: Option<&'a str>) -> &'a str {
    match (lang, zh) {
        (Lang::Zh, Some(zh)) if !zh.trim().is_empty() => zh,
        _ => en,
    }
}

/// `v` with `decimals` decimals, grouped by thousands: `1234567.5` with 1
/// decimal -> `"1,234,567.5"`; `-0.2` with 0 -> `"0"` (no "-0"); a value that
/// is not finite -> `"–"`.
pub fn grouped(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s.as_str(), None),
    };
    let mut out = String::new();
    if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.push('-');
    }
    let n = int.len();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (n - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        let _ = write!(out, ".{f}");
    }
    out
}

/// A whole number grouped by thousands: 1234567.8 -> `"1,234,568"`.
pub fn thousands(v: f64) -> String {
    grouped(v, 0)
}

/// The fewest decimals (0 to 2) that show `v` without rounding it, up to 2.
pub fn decimals_for(v: f64) -> usize {
    (0..=2)
        .find(|&d| {
            let scaled = v * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.abs().max(1.0)
        })
        .unwrap_or(2)
}

/// `v` grouped, with as many decimals as [`decimals_for`] finds.
pub fn grouped_exact(v: f64) -> String {
    grouped(v, decimals_for(v))
}

/// Yuan in 万 with one decimal, a trailing ".0" dropped: 1371000 -> `"137.1"`.
pub fn wan(yuan: f64) -> String {
    let s = grouped(yuan / 10_000.0, 1);
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// A sum of money in a sentence: `"1,371,000 yuan"` / `"137.1万元"` (元
/// below 1万).
pub fn money(lang: Lang, yuan: f64) -> String {
    match lang {
        Lang::En => format!("{} yuan", grouped(yuan, 0)),
        Lang::Zh if yuan.abs() >= 10_000.0 => format!("{}万元", wan(yuan)),
        Lang::Zh => format!("{}元", grouped(yuan, 0)),
    }
}

/// A sum of money with a sign when it is a gain: `"+1,000 yuan"`.
pub fn signed_money(lang: Lang, yuan: f64) -> String {
    let m = money(lang, yuan);
    if yuan > 0.0 {
        format!("+{m}")
    } else {
        m
    }
}

/// A sum of money in a table whose header names the unit (yuan / 万元).
pub fn money_cell(lang: Lang, yuan: f64) -> String {
    match lang {
        Lang::En => grouped(yuan, 0),
        Lang::Zh => grouped(yuan / 10_000.0, 1),
    }
}

/// A sum of money in a chart's legend or note, with the decimals it has (up
/// to 2): `"500,000 yuan"`, `"12.5万元"`.
pub fn money_exact(lang: Lang, yuan: f64) -> String {
    match lang {
        Lang::En => format!("{} yuan", grouped_exact(yuan)),
        Lang::Zh if yuan.abs() >= 10_000.0 => format!("{}万元", grouped_exact(yuan / 10_000.0)),
        Lang::Zh => format!("{}元", grouped_exact(yuan)),
    }
}

/// A sum of money rounded to 3 significant figures, for chart labels and
/// titles, where more digits would claim a precision the Monte Carlo error
/// does not support: `"1,200,000 yuan"` / `"120万元"` for 1,200,128 yuan.
/// In Chinese, 1亿元 and more are written in 亿元: `"1.59亿元"`.
pub fn money_sig(lang: Lang, yuan: f64) -> String {
    match lang {
        Lang::Zh if yuan.abs() >= 1e8 => format!("{}亿元", grouped_exact(round_sig(yuan / 1e8, 3))),
        _ => money_exact(lang, round_sig(yuan, 3)),
    }
}

/// [`money_sig`] without the unit, for a chart whose axis names it (yuan in
/// English, 万元 in Chinese): `"1,200,000"` / `"120"`.
pub fn money_sig_cell(lang: Lang, yuan: f64) -> String {
    match lang {
        Lang::En => grouped_exact(round_sig(yuan, 3)),
        Lang::Zh => grouped_exact(round_sig(yuan / 10_000.0, 3)),
    }
}

/// A mean count of villages as a title states it, rounded to what its
/// Monte Carlo standard error `se` supports: to the unit when the 95%
/// half-width is under 1, else to the nearest 5 (10 and more) or unit.
/// `(14.8, 0.1)` -> `"15"`; `(23.4, 1.2)` -> `"25"`.
pub fn about_count(mean: f64, se: f64) -> String {
    if !mean.is_finite() {
        return "–".to_string();
    }
    let half = 1.96 * if se.is_finite() { se } else { 0.0 };
    let step = if half < 1.0 || mean < 10.0 { 1.0 } else { 5.0 };
    grouped((mean / step).round() * step, 0)
}

/// 94 -> `"94th"`, 1 -> `"1st"`, 22 -> `"22nd"`, 13 -> `"13th"`.
pub fn ordinal(x: f64) -> String {
    let n = x.round() as i64;
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A probability: `"91.3%"`, with `"<0.1%"` / `">99.9%"` near the ends.
pub fn pct(p: f64) -> String {
    percent(p, 1, 0.001)
}

/// A probability in a table: whole percent, `"<1%"` / `">99%"` near the ends.
pub fn pct_cell(p: f64) -> String {
    percent(p, 0, 0.005)
}

/// `p` as a percentage with `decimals` decimals; within `edge` of 0 or 1
/// (but not at them) it reads `"<smallest%"` or `">100 - smallest%"`, so a
/// tiny chance is never shown as 0% or a near-certainty as 100%.
pub fn percent(p: f64, decimals: usize, edge: f64) -> String {
    let smallest = 10f64.powi(-(decimals as i32));
    if p <= 0.0 {
        "0%".into()
    } else if p >= 1.0 {
        "100%".into()
    } else if p < edge {
        format!("<{smallest:.decimals$}%")
    } else if p > 1.0 - edge {
        format!(">{:.decimals$}%", 100.0 - smallest)
    } else {
        format!("{:.decimals$}%", 100.0 * p)
    }
}

/// A title or sentence that starts with a capital letter: a policy named
/// "all three" opens "All three commits…". Chinese is unchanged.
pub fn sentence_start(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_lowercase() => c.to_ascii_uppercase().to_string() + chars.as_str(),
        _ => s.to_string(),
    }
}

/// `s` cut to at most `max_chars` characters, an ellipsis marking the cut.
pub fn shorten(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max_chars.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// `s` padded with spaces at its end to `width` columns of a terminal:
/// CJK characters take two columns, so padding by `char` count would break
/// the columns.
pub fn pad_end(s: &str, width: usize) -> String {
    let w = unicode_width::UnicodeWidthStr::width(s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// `s` right-aligned in `width` terminal columns (see [`pad_end`]).
pub fn pad_start(s: &str, width: usize) -> String {
    let w = unicode_width::UnicodeWidthStr::width(s);
    format!("{}{s}", " ".repeat(width.saturating_sub(w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping() {
        assert_eq!(grouped(1_234_567.5, 1), "1,234,567.5");
        assert_eq!(thousands(1_234_567.8), "1,234,568");
        assert_eq!(thousands(-20.0), "-20");
        assert_eq!(thousands(-0.2), "0");
        assert_eq!(thousands(100_000.0), "100,000");
        assert_eq!(thousands(f64::INFINITY), "–");
        assert_eq!(grouped(-1234.5, 2), "-1,234.50");
        assert_eq!(grouped_exact(12.5), "12.5");
        assert_eq!(grouped_exact(1.0 / 3.0), "0.33");
    }

    #[test]
    fn money_in_both_languages() {
        assert_eq!(money(Lang::En, 1_371_000.0), "1,371,000 yuan");
        assert_eq!(money(Lang::Zh, 1_371_000.0), "137.1万元");
        assert_eq!(money(Lang::Zh, 1_370_000.0), "137万元");
        assert_eq!(money(Lang::Zh, 9_999.0), "9,999元");
        assert_eq!(signed_money(Lang::En, 5.0), "+5 yuan");
        assert_eq!(money_cell(Lang::Zh, 1_371_000.0), "137.1");
        assert_eq!(money_exact(Lang::Zh, 125_000.0), "12.5万元");
        assert_eq!(money_exact(Lang::En, 0.5), "0.5 yuan");
    }

    #[test]
    fn percentages_never_round_a_chance_away() {
        assert_eq!(pct(0.0), "0%");
        assert_eq!(pct(0.0004), "<0.1%");
        assert_eq!(pct(0.9996), ">99.9%");
        assert_eq!(pct(0.913), "91.3%");
        assert_eq!(pct_cell(0.004), "<1%");
        assert_eq!(pct_cell(1.0), "100%");
        assert_eq!(ordinal(22.0), "22nd");
        assert_eq!(ordinal(13.0), "13th");
        assert_eq!(shorten("abcdef", 4), "abc…");
    }

    #[test]
    fn rounded_to_what_the_figures_support() {
        assert_eq!(round_sig(1_200_128.0, 3), 1_200_000.0);
        assert_eq!(round_sig(-277_504.0, 3), -278_000.0);
        assert_eq!(money_sig(Lang::En, 1_200_128.0), "1,200,000 yuan");
        assert_eq!(money_sig(Lang::Zh, 1_200_128.0), "120万元");
        assert_eq!(money_sig(Lang::Zh, 2_157_459.0), "216万元");
        assert_eq!(money_sig(Lang::Zh, 159_012_345.0), "1.59亿元");
        assert_eq!(money_sig_cell(Lang::Zh, 277_504.0), "27.8");
        assert_eq!(money_sig_cell(Lang::En, 277_504.0), "278,000");
        assert_eq!(about_count(14.8, 0.1), "15");
        assert_eq!(about_count(23.4, 1.2), "25");
        assert_eq!(about_count(3.4, 1.2), "3");
    }
}
