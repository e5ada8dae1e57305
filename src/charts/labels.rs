//! The words on the charts, in English or Chinese.

use super::*;

// ---------------------------------------------------------------------------
// Words

/// Every word on the charts, in one language.
#[derive(Debug, Clone, Copy)]
pub struct Labels {
    pub lang: Lang,
    pub year: &'static str,
    pub no_intervention: &'static str,
    pub median: &'static str,
    pub mean: &'static str,
    pub iqr_band: &'static str,
    pub p90_band: &'static str,
    pub floor: &'static str,
    pub weak: &'static str,
    pub villages_below_floor: &'static str,
    pub share_of_villages: &'static str,
    pub tails_note: &'static str,
    /// Legend suffix when only some policies' bands are drawn.
    pub bands_of_first_and_last: &'static str,
    pub no_data: &'static str,
}

impl Labels {
    pub const EN: Labels = Labels {
        lang: Lang::En,
        year: "Year",
        no_intervention: "no intervention",
        median: "median",
        mean: "mean",
        iqr_band: "P25–P75 of runs",
        p90_band: "P5–P95 of runs",
        floor: "floor",
        weak: "weak",
        villages_below_floor: "Villages below the floor (number)",
        share_of_villages: "Share of villages (%)",
        tails_note: "Outermost bars include the rare values beyond the axis range.",
        bands_of_first_and_last: " (first and last policy)",
        no_data: "no data",
    };

    pub const ZH: Labels = Labels {
        lang: Lang::Zh,
        year: "年份",
        no_intervention: "无干预",
        median: "中位数",
        mean: "均值",
        iqr_band: "P25–P75 区间",
        p90_band: "P5–P95 区间",
        floor: "底线",
        weak: "薄弱线",
        villages_below_floor: "低于底线的村庄数（个）",
        share_of_villages: "村庄占比（%）",
        tails_note: "两端的柱包含超出坐标范围的少量数值。",
        bands_of_first_and_last: "（仅首末两项政策）",
        no_data: "无数据",
    };

    pub fn new(lang: Lang) -> Labels {
        match lang {
            Lang::En => Labels::EN,
            Lang::Zh => Labels::ZH,
        }
    }

    /// Display name of a policy: "no intervention" is translated, other
    /// names (chosen by the scenario's author) are shown as given, shortened
    /// when very long.
    pub fn policy_name(&self, name: &str) -> String {
        let norm = name.trim().to_lowercase().replace(['_', '-'], " ");
        if norm == "no intervention" {
            return self.no_intervention.to_string();
        }
        shorten(name.trim(), 40)
    }

    pub(crate) fn span(&self, r: &Results) -> String {
        format!("{}–{}", r.baseline_year, r.final_year)
    }

    pub fn fan_title(&self, r: &Results) -> String {
        match self.lang {
            Lang::En => format!("Mean village operating income by policy, {}", self.span(r)),
            Lang::Zh => format!("各政策下村均经营性收入，{}年", self.span(r)),
        }
    }

    pub fn below_floor_title(&self, r: &Results) -> String {
        match self.lang {
            Lang::En => format!("Villages below the income floor by policy, {}", self.span(r)),
            Lang::Zh => format!("各政策下低于收入底线的村庄数，{}年", self.span(r)),
        }
    }

    pub fn distribution_title(&self, r: &Results) -> String {
        match self.lang {
            Lang::En => format!("Distribution of village operating income in {} by policy", r.final_year),
            Lang::Zh => format!("{}年各村经营性收入分布（按政策）", r.final_year),
        }
    }

    pub(crate) fn subtitle(&self, r: &Results, pooled: bool) -> String {
        let villages = grouped(r.villages.len() as f64, 0);
        let runs = grouped(r.runs as f64, 0);
        let name = shorten(&r.scenario_name, 60);
        match (self.lang, pooled) {
            (Lang::En, false) => {
                format!("Scenario: {name}; {villages} villages; {runs} Monte Carlo runs")
            }
            (Lang::En, true) => {
                format!("Scenario: {name}; {villages} villages × {runs} Monte Carlo runs, pooled")
            }
            (Lang::Zh, false) => {
                format!("情景：{name}；{villages} 个村；蒙特卡洛模拟 {runs} 次")
            }
            (Lang::Zh, true) => {
                format!("情景：{name}；{villages} 个村 × 蒙特卡洛模拟 {runs} 次，合并统计")
            }
        }
    }

    /// Title of a money axis in the unit `unit`.
    pub(crate) fn money_axis(&self, what: MoneyWhat, unit: &MoneyUnit, r: &Results) -> String {
        let u = unit.name(self.lang);
        match (self.lang, what) {
            (Lang::En, MoneyWhat::MeanIncome) => {
                format!("Mean operating income per village ({u})")
            }
            (Lang::En, MoneyWhat::FinalIncome) => {
                format!("Operating income per village in {} ({u})", r.final_year)
            }
            (Lang::Zh, MoneyWhat::MeanIncome) => format!("村均经营性收入（{u}）"),
            (Lang::Zh, MoneyWhat::FinalIncome) => {
                format!("{}年村经营性收入（{u}）", r.final_year)
            }
            (Lang::En, MoneyWhat::FinalIncomeLog) => {
                format!("Operating income per village in {} ({u}, log scale)", r.final_year)
            }
            (Lang::Zh, MoneyWhat::FinalIncomeLog) => {
                format!("{}年村经营性收入（{u}，对数坐标）", r.final_year)
            }
        }
    }

    /// Note under a log-scale distribution: the share of villages at or
    /// below 0 yuan (not on the axis), from `lo` to `hi` percent by policy.
    pub(crate) fn nonpositive_note(&self, lo: f64, hi: f64) -> String {
        let pct = |v: f64| grouped(v, if v < 0.1 { 2 } else { 1 });
        let same = pct(lo) == pct(hi);
        match (self.lang, same) {
            (Lang::En, true) => format!("Not on the log axis: {}% of villages at or below 0 yuan.", pct(hi)),
            (Lang::En, false) => format!(
                "Not on the log axis: {}–{}% of villages (by policy) at or below 0 yuan.",
                pct(lo),
                pct(hi)
            ),
            (Lang::Zh, true) => format!("对数坐标未显示：收入不高于0元的村庄占{}%。", pct(hi)),
            (Lang::Zh, false) => format!(
                "对数坐标未显示：收入不高于0元的村庄占{}%–{}%（因政策而异）。",
                pct(lo),
                pct(hi)
            ),
        }
    }

    /// [`Labels::threshold`] in two lines: the word, then the amount.
    pub(crate) fn threshold_lines(&self, word: &str, yuan: f64) -> (String, String) {
        let full = self.threshold(word, yuan);
        let amount = full[word.len()..].trim().to_string();
        (word.to_string(), amount)
    }

    /// "floor 500,000 yuan" / "底线 50万元".
    pub(crate) fn threshold(&self, word: &str, yuan: f64) -> String {
        match self.lang {
            Lang::En => format!("{word} {} yuan", grouped(yuan, decimals_for(yuan))),
            Lang::Zh if yuan.abs() >= 10_000.0 => {
                let v = yuan / 10_000.0;
                format!("{word} {}万元", grouped(v, decimals_for(v)))
            }
            Lang::Zh => format!("{word} {}元", grouped(yuan, decimals_for(yuan))),
        }
    }
}
