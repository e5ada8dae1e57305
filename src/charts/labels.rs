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
    pub bands_of_best: &'static str,
    /// Legend entry of an observed (backtest) value.
    pub observed: &'static str,
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
        bands_of_best: " (no intervention and the two with fewest below the floor)",
        observed: "observed",
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
        bands_of_best: "（仅无干预与低于底线村最少的两项政策）",
        observed: "实际观测值",
        no_data: "无数据",
    };

    pub fn new(lang: Lang) -> Labels {
        match lang {
            Lang::En => Labels::EN,
            Lang::Zh => Labels::ZH,
        }
    }

    /// Display name of a policy of the results, in the charts' language.
    pub fn policy(&self, p: &PolicyResults) -> String {
        self.policy_name(p.label(self.lang))
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

    /// A policy's name in a legend: [`Labels::policy_name`] without
    /// shortening (legend rows wrap; an entry is never cut), up to the
    /// width of a chart.
    pub(crate) fn policy_label(&self, name: &str) -> String {
        let norm = name.trim().to_lowercase().replace(['_', '-'], " ");
        if norm == "no intervention" {
            return self.no_intervention.to_string();
        }
        fit(name.trim(), LEGEND_PX, HEADER_W - SWATCH_W - 6)
    }

    pub(crate) fn subtitle(&self, r: &Results, pooled: bool) -> String {
        let villages = grouped(r.villages.len() as f64, 0);
        let runs = grouped(r.runs as f64, 0);
        let name = shorten(r.scenario_label(self.lang), 60);
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

    /// "observed: 1,200,000 yuan" / "实际观测：120万元".
    pub(crate) fn observed_value(&self, amount: String) -> String {
        match self.lang {
            Lang::En => format!("observed: {amount}"),
            Lang::Zh => format!("实际观测：{amount}"),
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

// ---------------------------------------------------------------------------
// Words

/// The words of these charts, in one language (the shared ones come from
/// [`Labels`]).
pub(crate) struct Words {
    pub(crate) l: Labels,
}

impl Words {
    pub(crate) fn lang(&self) -> Lang {
        self.l.lang
    }

    pub(crate) fn en(&self) -> bool {
        self.l.lang == Lang::En
    }

    pub(crate) fn pick(&self, en: &'static str, zh: &'static str) -> &'static str {
        if self.en() {
            en
        } else {
            zh
        }
    }

    pub(crate) fn runs(&self, r: &Results) -> String {
        grouped(r.runs as f64, 0)
    }

    pub(crate) fn sim_span(&self, r: &Results) -> String {
        format!("{}–{}", r.start_year, r.final_year)
    }

    /// The message of the contributions chart: the operating income the
    /// policy's interventions add in the final year, and the net cash it
    /// leaves the villages after costs, taxes and debt service.
    pub(crate) fn contributions_title(&self, r: &Results, p: &PolicyResults) -> String {
        let lang = self.lang();
        let year = r.final_year;
        let gross: f64 = p
            .appraisals
            .iter()
            .filter_map(|a| a.years.iter().find(|y| y.year == year))
            .map(|y| y.operating_income_yuan.mean)
            .filter(|v| v.is_finite())
            .sum();
        let g = crate::format::money_sig(lang, gross);
        let net = net_income_by_year(p).into_iter().find(|(y, _)| *y == year).map(|x| x.1);
        match (lang, net) {
            (Lang::En, Some(n)) => format!(
                "In {year} the interventions add {g} to the target line; the villages keep {} net of costs, taxes, depreciation and interest",
                crate::format::money_sig(lang, n)
            ),
            (Lang::Zh, Some(n)) => format!(
                "{year} 年各项措施新增经营性收入 {g}；扣除成本、税费、折旧和利息后村集体净收入 {}",
                crate::format::money_sig(lang, n)
            ),
            (Lang::En, None) => format!("In {year} the interventions add {g} to the target line"),
            (Lang::Zh, None) => format!("{year} 年各项措施新增经营性收入 {g}"),
        }
    }

    pub(crate) fn net_income_line(&self) -> &'static str {
        self.pick(
            "net income after costs, taxes, depreciation and interest (all its villages)",
            "扣除成本、税费、折旧和利息后的净收入（参与村合计）",
        )
    }

    pub(crate) fn contributions_subtitle(&self, r: &Results, policy: &str) -> String {
        let p = self.l.policy_name(policy);
        match self.lang() {
            Lang::En => format!(
                "Policy: {p} (the one with the most interventions); all its villages together; mean of {} runs",
                self.runs(r)
            ),
            Lang::Zh => format!("政策：{p}（措施最多的政策）；参与村合计；{} 次模拟的均值", self.runs(r)),
        }
    }

    pub(crate) fn income_added_axis(&self, unit: &MoneyUnit) -> String {
        let u = unit.name(self.lang());
        match self.lang() {
            Lang::En => format!("Operating income added per year ({u})"),
            Lang::Zh => format!("每年新增经营性收入（{u}）"),
        }
    }

    /// The message of a DSCR chart: the range of the median DSCR over the
    /// simulated years with debt service, against the banks' usual 1.2.
    pub(crate) fn dscr_title(&self, a: &InterventionResults) -> String {
        let name = self.l.policy_label(a.label(self.l.lang));
        let pts = dscr_years(a);
        let projected_from = pts.iter().find(|p| p.2).map(|p| p.0);
        let (Some(first), Some(last)) = (pts.first(), pts.last()) else {
            return match self.lang() {
                Lang::En => format!("Debt service coverage (DSCR) of {name}"),
                Lang::Zh => format!("{name}的偿债覆盖率（DSCR）"),
            };
        };
        let span = if first.0 == last.0 {
            first.0.to_string()
        } else {
            format!("{}–{}", first.0, last.0)
        };
        let beyond = projected_from.map(|p| {
            if p == last.0 {
                p.to_string()
            } else {
                format!("{p}–{}", last.0)
            }
        });
        let span_zh = match &beyond {
            Some(b) => format!("{span} 年（{b} 年为预测）"),
            None => format!("{span} 年"),
        };
        let span = match &beyond {
            Some(b) => format!("{span} ({b} projected)"),
            None => span,
        };
        let (lo, hi) = pts
            .iter()
            .map(|(_, d, _)| d.p50)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
        let f = |v: f64| {
            grouped(
                crate::format::round_sig(v, 2),
                decimals_for(crate::format::round_sig(v, 2)).max(1),
            )
        };
        let range = if f(lo) == f(hi) {
            f(lo)
        } else {
            format!("{} to {}", f(lo), f(hi))
        };
        let range_zh = if f(lo) == f(hi) {
            f(lo)
        } else {
            format!("{}–{}", f(lo), f(hi))
        };
        let below = lo < BANK_MIN_DSCR;
        match (self.lang(), below) {
            (Lang::En, true) => {
                format!("Median DSCR of {name}: {range} in {span}, below the banks' usual 1.2 in some years")
            }
            (Lang::En, false) => format!("Median DSCR of {name}: {range} in {span}, above the banks' usual 1.2"),
            (Lang::Zh, true) => {
                format!("{name}的偿债覆盖率中位数 {span_zh}为 {range_zh}，部分年份低于银行通常要求的 1.2")
            }
            (Lang::Zh, false) => format!("{name}的偿债覆盖率中位数 {span_zh}为 {range_zh}，高于银行通常要求的 1.2"),
        }
    }

    /// The mark where the simulation ends while the loan still runs.
    pub(crate) fn horizon_ends(&self, year: i32) -> String {
        match self.lang() {
            Lang::En => format!("simulation ends {year}"),
            Lang::Zh => format!("模拟止于 {year} 年"),
        }
    }

    /// The legend entry of the shaded loan years past the horizon.
    pub(crate) fn dscr_beyond_legend(&self, projected: bool) -> &'static str {
        if projected {
            self.pick("loan years after the simulation: projected", "模拟期后的贷款年份：预测")
        } else {
            self.pick(
                "loan years after the simulation: not simulated",
                "模拟期后的贷款年份：未模拟",
            )
        }
    }

    /// In the plot, over the projected loan years.
    pub(crate) fn dscr_projected(&self) -> String {
        self.pick(
            "projected: the station's cash and the loan alone",
            "预测：仅电站现金与贷款",
        )
        .to_string()
    }

    /// In the plot, over loan years the results do not hold.
    pub(crate) fn dscr_not_simulated(&self, from: i32, to: i32) -> String {
        let span = if from == to {
            from.to_string()
        } else {
            format!("{from}–{to}")
        };
        match self.lang() {
            Lang::En => format!("{span}: loan still repaid, not simulated"),
            Lang::Zh => format!("{span} 年：仍在还款，未模拟"),
        }
    }

    pub(crate) fn dscr_subtitle(&self, r: &Results, policy: &str, villages: usize) -> String {
        let p = self.l.policy_name(policy);
        match self.lang() {
            Lang::En => format!(
                "Policy: {p}; its {villages} villages together; {} runs (those with debt service that year)",
                self.runs(r)
            ),
            Lang::Zh => format!(
                "政策：{p}；{villages} 个参与村合计；{} 次模拟中当年有还本付息的部分",
                self.runs(r)
            ),
        }
    }

    pub(crate) fn dscr_axis(&self) -> &'static str {
        self.pick(
            "DSCR (cash available ÷ debt service due)",
            "偿债覆盖率（可用现金 ÷ 应还本息）",
        )
    }

    pub(crate) fn dscr_one(&self) -> &'static str {
        self.pick("DSCR = 1: debt service just covered", "DSCR = 1：收入刚好够还本付息")
    }

    pub(crate) fn dscr_bank(&self) -> &'static str {
        self.pick("DSCR = 1.2: banks' usual minimum", "DSCR = 1.2：银行通常要求的最低值")
    }

    /// The message of the paired chart: the policy that adds the most gross
    /// income per village in the final year, and what of it is left net.
    pub(crate) fn paired_title(&self, r: &Results) -> String {
        let lang = self.lang();
        let year = r.final_year;
        let best = paired_rows(r).into_iter().max_by(|a, b| {
            let (x, y) = (
                a.1.diff_mean_village_income_yuan.mean,
                b.1.diff_mean_village_income_yuan.mean,
            );
            x.total_cmp(&y).then(b.0.cmp(&a.0))
        });
        let Some((i, c)) = best else {
            return self
                .pick("Income added against no intervention", "相对无干预的新增收入")
                .to_string();
        };
        let name = self.l.policy_name(r.policies[i].label(self.l.lang));
        let gross = crate::format::money_sig(lang, c.diff_mean_village_income_yuan.mean);
        match (lang, net_per_village(r, i)) {
            (Lang::En, Some(net)) => format!(
                "{name} adds the most in {year}: {gross} a village on the target line, {} in cash after costs, taxes and debt service",
                crate::format::money_sig(lang, net)
            ),
            (Lang::Zh, Some(net)) => format!(
                "{name}在 {year} 年增收最多：村均经营性收入多 {gross}，扣除成本、税费和还本付息后净现金 {}",
                crate::format::money_sig(lang, net)
            ),
            (Lang::En, None) => format!("{name} adds the most in {year}: {gross} a village on the target line"),
            (Lang::Zh, None) => format!("{name}在 {year} 年增收最多：村均经营性收入多 {gross}"),
        }
    }

    pub(crate) fn net_marker(&self) -> &'static str {
        self.pick(
            "net cash after costs, taxes and debt service (mean)",
            "扣除成本、税费和还本付息后的净现金（均值）",
        )
    }

    pub(crate) fn paired_subtitle(&self, r: &Results) -> String {
        match self.lang() {
            Lang::En => format!(
                "Difference within each of {} runs (same random draws for both policies)",
                self.runs(r)
            ),
            Lang::Zh => format!("{} 次模拟逐次配对比较（两种政策使用相同的随机数）", self.runs(r)),
        }
    }

    pub(crate) fn paired_axis(&self, r: &Results, unit: &MoneyUnit) -> String {
        let u = unit.name(self.lang());
        match self.lang() {
            Lang::En => format!("Difference in mean village income in {} ({u})", r.final_year),
            Lang::Zh => format!("{}年村均经营性收入之差（{u}）", r.final_year),
        }
    }

    pub(crate) fn higher_in(&self, p: f64) -> String {
        let pct = p * 100.0;
        let s = if pct > 0.0 && pct < 1.0 {
            "<1%".to_string()
        } else if pct > 99.0 && pct < 100.0 {
            ">99%".to_string()
        } else {
            format!("{:.0}%", pct)
        };
        match self.lang() {
            Lang::En => format!("higher in {s} of runs"),
            Lang::Zh => format!("{s} 的模拟中更高"),
        }
    }

    pub(crate) fn assumption(&self) -> &'static str {
        self.pick("(assumption)", "（假设）")
    }

    pub(crate) fn zero_line(&self) -> &'static str {
        self.pick("0 = same as no intervention", "0 = 与无干预相同")
    }

    /// The message of the coverage chart: the chance that every village is
    /// at the floor by the headline year under the policy that gives the
    /// highest, and without intervention.
    pub(crate) fn coverage_title(&self, r: &Results) -> String {
        let year = headline_year(r);
        let floor = crate::format::money_sig(self.lang(), r.floor_yuan);
        let by = |i: usize| {
            r.policies[i]
                .coverage
                .iter()
                .filter(|c| c.year <= year)
                .map(|c| c.p_reached_by)
                .filter(|p| p.is_finite())
                .fold(0.0_f64, f64::max)
        };
        let best = (0..r.policies.len()).max_by(|&a, &b| by(a).total_cmp(&by(b)).then(b.cmp(&a)));
        let Some(best) = best.filter(|&b| by(b) > 0.0) else {
            return match self.lang() {
                Lang::En => format!("In no run does every village reach {floor} by {year}, under any policy"),
                Lang::Zh => format!("任何政策下，没有一次模拟在 {year} 年前使所有村达到{floor}"),
            };
        };
        let p = crate::format::pct_cell(by(best));
        let name = self.l.policy_name(r.policies[best].label(self.l.lang));
        match self.lang() {
            Lang::En => format!("Every village at {floor} by {year} in {p} of runs under {name}"),
            Lang::Zh => format!("{name}下，{p} 的模拟在 {year} 年前使所有村达到{floor}"),
        }
    }

    pub(crate) fn coverage_axis(&self) -> &'static str {
        self.pick("Reached by this year (% of runs)", "截至当年已达到（模拟占比，%）")
    }

    pub(crate) fn coverage_never(&self) -> &'static str {
        self.pick(
            "No policy brings every village to the floor in any run.",
            "任何政策在任何一次模拟中都未使所有村庄达到底线。",
        )
    }

    pub(crate) fn target(&self, year: i32) -> String {
        match self.lang() {
            Lang::En => format!("target {year}"),
            Lang::Zh => format!("目标 {year}年"),
        }
    }

    pub(crate) fn whiskers(&self) -> &'static str {
        self.pick("mean, P5–P95 whiskers", "均值，须线为 P5–P95")
    }

    pub(crate) fn cdf_title(&self, r: &Results) -> String {
        match self.lang() {
            Lang::En => format!(
                "Mean village income in {}: share of runs at or below each level",
                r.final_year
            ),
            Lang::Zh => format!("{}年村均经营性收入的累积分布（按政策）", r.final_year),
        }
    }

    pub(crate) fn cdf_subtitle(&self, r: &Results) -> String {
        match self.lang() {
            Lang::En => format!(
                "{} runs; curves join each policy's min, P5, P10, P25, P50, P75, P90, P95, max; further right is higher",
                self.runs(r)
            ),
            Lang::Zh => format!(
                "{} 次模拟；曲线连接各政策的最小值、P5、P10、P25、P50、P75、P90、P95、最大值；越靠右收入越高",
                self.runs(r)
            ),
        }
    }

    pub(crate) fn cdf_x_axis(&self, r: &Results, unit: &MoneyUnit) -> String {
        let u = unit.name(self.lang());
        match self.lang() {
            Lang::En => format!("Mean operating income per village in {} ({u})", r.final_year),
            Lang::Zh => format!("{}年村均经营性收入（{u}）", r.final_year),
        }
    }

    pub(crate) fn cdf_y_axis(&self) -> &'static str {
        self.pick("Runs at or below this income (%)", "不高于该收入的模拟占比（%）")
    }

    pub(crate) fn who_gains_title(&self, r: &Results) -> String {
        let (start, end) = (r.start_year, r.final_year);
        match self.lang() {
            Lang::En => format!("Who gains the value the measures add, {start}–{end}"),
            Lang::Zh => format!("各项措施新增价值的归属（{start}—{end}年）"),
        }
    }

    pub(crate) fn who_gains_subtitle(&self, r: &Results) -> String {
        match self.lang() {
            Lang::En => format!(
                "All villages and years together; mean of {} runs; right of 0 a party gains, left of 0 it pays",
                self.runs(r)
            ),
            Lang::Zh => format!(
                "所有村庄、各年合计；{} 次模拟的均值；0 右侧为所得，左侧为付出",
                self.runs(r)
            ),
        }
    }

    pub(crate) fn who_gains_axis(&self, r: &Results, unit: &MoneyUnit) -> String {
        let u = unit.name(self.lang());
        match self.lang() {
            Lang::En => format!("Share of the value added, {} total ({u})", self.sim_span(r)),
            Lang::Zh => format!("新增价值的分配，{}年合计（{u}）", self.sim_span(r)),
        }
    }

    /// A party to the value added, as the legend names it.
    pub(crate) fn party(&self, p: Party) -> &'static str {
        match p {
            Party::Collective => self.pick("collectives", "村集体"),
            Party::Farmers => self.pick("farmers", "农民"),
            Party::Bank => self.pick("bank", "银行"),
            Party::Partners => self.pick("partners outside", "村外合作方"),
            Party::PublicPurse => self.pick("public purse", "财政"),
            Party::HostDistrict => self.pick("host district", "协作地区"),
        }
    }

    pub(crate) fn added_value(&self) -> &'static str {
        self.pick("added value (sum)", "新增价值（合计）")
    }

    /// Before the amount beside a bar.
    pub(crate) fn added_value_short(&self) -> &'static str {
        self.pick("added value", "新增价值")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_and_decimals() {
        assert_eq!(grouped(500_000.0, 0), "500,000");
        assert_eq!(grouped(-1_234_567.25, 2), "-1,234,567.25");
        assert_eq!(grouped(-0.0, 0), "0");
        assert_eq!(grouped(999.0, 0), "999");
        assert_eq!(decimals_for(12.5), 1);
        assert_eq!(decimals_for(50.0), 0);
        assert_eq!(Labels::ZH.threshold("底线", 500_000.0), "底线 50万元");
        assert_eq!(Labels::EN.threshold("floor", 500_000.0), "floor 500,000 yuan");
        assert_eq!(Labels::ZH.policy_name("no intervention"), "无干预");
    }
}
