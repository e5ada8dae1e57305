//! Titles that state a chart's message, computed from the data, and the
//! choices behind them: the headline year, the policy that leaves the
//! fewest villages below the floor, the policies a crowded panel shows.
//!
//! Every figure in a title is rounded to what it supports: counts of
//! villages by [`about_count`] (to the Monte Carlo error), money by
//! [`money_sig`] (3 significant figures).

use super::*;
use crate::format::{about_count, money_sig, pct_cell};
use crate::summary::target_group::{target_group, TargetGroup};

/// At most this many shaded intervals (bands, overlaid histograms) in one
/// panel; more policies go to small multiples or are left out of the bands.
pub(crate) const MAX_BANDS: usize = 3;

/// The year the titles speak of: the target year when it lies within the
/// simulated years, else the final year.
pub(crate) fn headline_year(r: &Results) -> i32 {
    r.target_year
        .filter(|y| (r.start_year..=r.final_year).contains(y))
        .unwrap_or(r.final_year)
}

/// Policy `p`'s portfolio figures in `year`.
pub(crate) fn year_of(p: &PolicyResults, year: i32) -> Option<&PortfolioYear> {
    p.years.iter().find(|y| y.year == year)
}

/// Mean villages below the floor under policy `i` in `year`, with its error.
fn below(r: &Results, i: usize, year: i32) -> Option<(f64, f64)> {
    let y = year_of(r.policies.get(i)?, year)?;
    y.below_floor
        .mean
        .is_finite()
        .then_some((y.below_floor.mean, y.below_floor.se))
}

/// The policy (not the counterfactual) that leaves the fewest villages below
/// the floor in `year`; ties go to the first.
pub(crate) fn fewest_below(r: &Results, year: i32) -> Option<usize> {
    (1..r.policies.len())
        .filter_map(|i| below(r, i, year).map(|(m, _)| (i, m)))
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
        .map(|(i, _)| i)
}

/// The policies whose shaded intervals one panel shows: all of them up to
/// [`MAX_BANDS`]; past that, no intervention and the two policies that leave
/// the fewest villages below the floor in the headline year (in their order).
pub(crate) fn shown_policies(r: &Results) -> Vec<usize> {
    let n = r.policies.len();
    if n <= MAX_BANDS {
        return (0..n).collect();
    }
    let year = headline_year(r);
    let mut ranked: Vec<(usize, f64)> = (1..n)
        .map(|i| (i, below(r, i, year).map_or(f64::INFINITY, |b| b.0)))
        .collect();
    ranked.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let mut out: Vec<usize> = std::iter::once(0)
        .chain(ranked.iter().take(MAX_BANDS - 1).map(|x| x.0))
        .collect();
    out.sort_unstable();
    out
}

impl Labels {
    /// "about 15 villages" / "约 15 个村", "no village", "under 1 village on
    /// average".
    pub(crate) fn villages_count(&self, mean: f64, se: f64) -> String {
        let n = about_count(mean, se);
        match (self.lang, mean) {
            (Lang::En, m) if m < 0.005 => "no village".to_string(),
            (Lang::Zh, m) if m < 0.005 => "没有村".to_string(),
            (Lang::En, _) if n == "0" => "under 1 village on average".to_string(),
            (Lang::Zh, _) if n == "0" => "平均不到 1 个村".to_string(),
            (Lang::En, _) if n == "1" => "about 1 village".to_string(),
            (Lang::En, _) => format!("about {n} villages"),
            (Lang::Zh, _) => format!("约 {n} 个村"),
        }
    }

    /// The message of the villages-below-the-floor chart: how many stay
    /// below the floor in the headline year under the best policy, and
    /// without intervention.
    pub fn below_floor_title(&self, r: &Results) -> String {
        let year = headline_year(r);
        let floor = money_sig(self.lang, r.floor_yuan);
        let Some((m, mse)) = below(r, 0, year) else {
            return self.pick_title("Villages below the floor", "低于底线的村庄数");
        };
        let without = self.villages_count(m, mse);
        let Some(best) = fewest_below(r, year) else {
            return match self.lang {
                Lang::En => format!("Without intervention, {without} stay below {floor} in {year}"),
                Lang::Zh => format!("无干预时，{year} 年{without}低于{floor}"),
            };
        };
        let (b, bse) = below(r, best, year).unwrap_or((f64::NAN, 0.0));
        let name = self.policy_name(r.policies[best].label(self.lang));
        let with = self.villages_count(b, bse);
        match self.lang {
            Lang::En if m < 0.005 && b < 0.005 => {
                format!("No village stays below {floor} in {year}, with or without intervention")
            }
            Lang::Zh if m < 0.005 && b < 0.005 => format!("{year} 年无论是否干预，都没有村低于{floor}"),
            Lang::En => {
                let stay = if with == "about 1 village" || with == "no village" {
                    "stays"
                } else {
                    "stay"
                };
                format!("Under {name}, {with} {stay} below {floor} in {year} (without intervention: {without})")
            }
            Lang::Zh if b < 0.005 => format!("{name}下，{year} 年没有村低于{floor}（无干预：{without}）"),
            Lang::Zh => format!("{name}下，{year} 年仍有{with}低于{floor}（无干预：{without}）"),
        }
    }

    /// The message of the mean-income fan: mean village income in the
    /// headline year without intervention and under the policy that gives
    /// the most.
    pub fn fan_title(&self, r: &Results) -> String {
        let year = headline_year(r);
        let mean = |i: usize| year_of(&r.policies[i], year).map(|y| y.mean_income_yuan.mean);
        let Some(base) = r.policies.first().and_then(|_| mean(0)).filter(|v| v.is_finite()) else {
            return self.pick_title("Mean village operating income", "村均经营性收入");
        };
        let top = (1..r.policies.len())
            .filter_map(|i| mean(i).filter(|v| v.is_finite()).map(|v| (i, v)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let base_s = money_sig(self.lang, base);
        match (self.lang, top) {
            (Lang::En, Some((i, v))) => format!(
                "Mean village income in {year}: {} under {}, {base_s} without intervention",
                money_sig(self.lang, v),
                self.policy_name(r.policies[i].label(self.lang))
            ),
            (Lang::Zh, Some((i, v))) => format!(
                "{year} 年村均经营性收入：{} {}，无干预 {base_s}",
                self.policy_name(r.policies[i].label(self.lang)),
                money_sig(self.lang, v)
            ),
            (Lang::En, None) => format!("Mean village income in {year}: {base_s} without intervention"),
            (Lang::Zh, None) => format!("{year} 年村均经营性收入：无干预 {base_s}"),
        }
    }

    /// The message of the final-year distribution: the share of villages
    /// below the floor without intervention and under the best policy.
    pub fn distribution_title(&self, r: &Results) -> String {
        let year = r.final_year;
        let n = r.villages.len().max(1) as f64;
        let floor = money_sig(self.lang, r.floor_yuan);
        let share = |i: usize| below(r, i, year).map(|(m, _)| pct_cell(m / n));
        let Some(base) = share(0) else {
            return self.pick_title("Village operating income in the final year", "末年各村经营性收入");
        };
        match (self.lang, fewest_below(r, year)) {
            (Lang::En, Some(b)) => format!(
                "Villages below {floor} in {year}: {} under {}, {base} without intervention",
                share(b).unwrap_or_default(),
                self.policy_name(r.policies[b].label(self.lang))
            ),
            (Lang::Zh, Some(b)) => format!(
                "{year} 年低于{floor}的村庄占比：{} {}，无干预 {base}",
                self.policy_name(r.policies[b].label(self.lang)),
                share(b).unwrap_or_default()
            ),
            (Lang::En, None) => format!("Villages below {floor} in {year}: {base} without intervention"),
            (Lang::Zh, None) => format!("{year} 年低于{floor}的村庄占比：无干预 {base}"),
        }
    }

    /// The message of the target-group chart: the weakest villages' mean
    /// income in the headline year, without intervention and under the
    /// policy that gives them the most.
    pub(crate) fn target_group_title(&self, r: &Results, g: &TargetGroup) -> String {
        let year = headline_year(r);
        let weak = money_sig(self.lang, g.line_yuan);
        let k = g.villages.len();
        let at = |i: usize| {
            g.policies
                .get(i)
                .and_then(|p| p.iter().find(|y| y.year == year))
                .map(|y| y.mean_yuan)
        };
        let base = at(0).map(|v| money_sig(self.lang, v)).unwrap_or_default();
        let top = (1..g.policies.len())
            .filter_map(|i| at(i).map(|v| (i, v)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let baseline = r.baseline_year;
        match (self.lang, top) {
            (Lang::En, Some((i, v))) => format!(
                "The {k} villages below {weak} in {baseline}: mean income {} in {year} under {}, {base} without intervention",
                money_sig(self.lang, v),
                self.policy_name(r.policies[i].label(self.lang))
            ),
            (Lang::Zh, Some((i, v))) => format!(
                "{baseline} 年低于{weak}的 {k} 个村：{year} 年村均收入 {} {}，无干预 {base}",
                self.policy_name(r.policies[i].label(self.lang)),
                money_sig(self.lang, v)
            ),
            (Lang::En, None) => {
                format!("The {k} villages below {weak} in {baseline}: mean income {base} in {year} without intervention")
            }
            (Lang::Zh, None) => format!("{baseline} 年低于{weak}的 {k} 个村：{year} 年无干预时村均收入 {base}"),
        }
    }

    pub(crate) fn pick_title(&self, en: &str, zh: &str) -> String {
        match self.lang {
            Lang::En => en.to_string(),
            Lang::Zh => zh.to_string(),
        }
    }
}

/// The target group of `r` and its chart's title, when it has villages.
pub(crate) fn target_group_of(r: &Results) -> Option<TargetGroup> {
    let g = target_group(r);
    (!g.villages.is_empty()).then_some(g)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::decision::decision_chart_stems;
    use crate::charts::tests::{sample_results, stat};

    /// The sample: no intervention leaves 1.6 villages below the floor in
    /// 2025, the other policy none; in 2023, 1.8 and 0.8.
    #[test]
    fn below_floor_titles_state_the_figures() {
        let mut r = sample_results();
        assert_eq!(
            Labels::EN.below_floor_title(&r),
            "Under Photovoltaic + cooperative, no village stays below 500,000 yuan in 2025 \
             (without intervention: about 2 villages)"
        );
        assert_eq!(
            Labels::ZH.below_floor_title(&r),
            "Photovoltaic + cooperative下，2025 年没有村低于50万元（无干预：约 2 个村）"
        );
        r.target_year = Some(2023);
        assert_eq!(
            Labels::EN.below_floor_title(&r),
            "Under Photovoltaic + cooperative, about 1 village stays below 500,000 yuan in 2023 \
             (without intervention: about 2 villages)"
        );
        // 14.6 villages with a standard error of 0.1: about 15; with 1.5,
        // the 95% interval spans ±3: to the nearest 5.
        let last = r.policies[1].years.len() - 1;
        r.target_year = None;
        r.policies[1].years[last].below_floor = stat(14.6, 3.0);
        r.policies[0].years[last].below_floor = stat(23.4, 45.0);
        assert_eq!(
            Labels::ZH.below_floor_title(&r),
            "Photovoltaic + cooperative下，2025 年仍有约 15 个村低于50万元（无干预：约 25 个村）"
        );
        // Only the counterfactual.
        r.policies.truncate(1);
        assert_eq!(
            Labels::EN.below_floor_title(&r),
            "Without intervention, about 25 villages stay below 500,000 yuan in 2025"
        );
    }

    #[test]
    fn other_titles_state_the_figures() {
        let r = sample_results();
        // Mean income in 2025: 420,000 × 1.01⁴ and × 1.06⁴.
        assert_eq!(
            Labels::EN.fan_title(&r),
            "Mean village income in 2025: 530,000 yuan under Photovoltaic + cooperative, \
             437,000 yuan without intervention"
        );
        assert_eq!(
            Labels::ZH.fan_title(&r),
            "2025 年村均经营性收入：Photovoltaic + cooperative 53万元，无干预 43.7万元"
        );
        // 1.6 of 3 villages below the floor: 53%.
        assert_eq!(
            Labels::EN.distribution_title(&r),
            "Villages below 500,000 yuan in 2025: 0% under Photovoltaic + cooperative, 53% without intervention"
        );
        let g = target_group_of(&r).unwrap();
        assert_eq!(
            Labels::EN.target_group_title(&r, &g),
            "The 2 villages below 500,000 yuan in 2021: mean income 350,000 yuan in 2025 under \
             Photovoltaic + cooperative, 350,000 yuan without intervention"
        );
    }

    fn coverage(r: &mut Results, p: f64) {
        for pol in &mut r.policies {
            pol.coverage = (2022..=2025)
                .map(|year| CoverageYear {
                    year,
                    p_first_reached: 0.0,
                    p_reached_by: p,
                })
                .collect();
        }
    }

    /// Coverage flat at 0 is left out, unless an observation is there to
    /// be marked; a chance of full coverage is drawn and titled.
    #[test]
    fn charts_with_nothing_to_show_are_left_out() {
        let mut r = sample_results();
        coverage(&mut r, 0.0);
        assert!(!decision_chart_stems(&r).contains(&"coverage_by_year".to_string()));
        r.policies[1].backtest = Some(PolicyBacktest {
            year: 2023,
            observed_mean_village_income_yuan: None,
            percentile_of_observed_mean: None,
            observed_full_coverage: Some(true),
            p_full_coverage: 0.0,
            p_full_coverage_se: 0.0,
            source: None,
            source_zh: None,
        });
        assert!(decision_chart_stems(&r).contains(&"coverage_by_year".to_string()));
        let w = Words { l: Labels::EN };
        assert_eq!(
            w.coverage_title(&r),
            "In no run does every village reach 500,000 yuan by 2025, under any policy"
        );
        r.policies[1].backtest = None;
        coverage(&mut r, 0.25);
        assert!(decision_chart_stems(&r).contains(&"coverage_by_year".to_string()));
        assert_eq!(
            w.coverage_title(&r),
            "Every village at 500,000 yuan by 2025 in 25% of runs under no intervention"
        );
        // No money moved: no cost chart.
        assert!(!decision_chart_stems(&r).contains(&"cost_vs_income".to_string()));
    }
}
