//! Charts for deciding between policies, as SVG and PNG.
//!
//! They are written by [`crate::charts::write_run_charts`] next to its own
//! charts and look the same: they reuse its font, text sizes, palette,
//! header and legend layout, money formatting and atomic file writes. Each
//! chart is drawn once by a generic function over a plotters
//! [`DrawingArea`] and written for both backends.
//!
//! A chart whose data the run does not have is skipped (no file is
//! written): [`planned`] lists the charts a run gets.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use crate::charts::{
    band, boxed_text, chart_axis, dashed, draw_header, draw_swatch, ensure_fonts, policy_color, text_width, write_png,
    write_svg, y_label_area, Axis, ChartError, Ctx, DrawChart, DrawResult, Labels, LegendItem, MoneyUnit, Swatch, Typo,
    AXIS, AXIS_TITLE_PX, BAND_INNER_ALPHA, BAND_OUTER_ALPHA, GRID, HEIGHT, LEGEND_PX, LEGEND_ROW_H, MARGIN_X, MUTED,
    NOTE_PX, POLICY_COLORS, SWATCH_H, SWATCH_W, TEXT, TICK_PX, WIDTH,
};
use crate::format::{decimals_for, grouped, grouped_exact, money_exact, shorten, Lang};
use crate::summary::results::*;

type Chart2d<'a, DB> = ChartContext<'a, DB, Cartesian2d<Axis, Axis>>;

/// Okabe–Ito yellow: used for interventions only (too light for lines).
const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);

/// DSCR below which banks usually will not lend.
const BANK_MIN_DSCR: f64 = 1.2;

/// Colour of intervention `i` in a stack: the Okabe–Ito hues of the policy
/// palette without grey and black, plus yellow; from the eighth on, the same
/// hues again as light tints with an outline (`true`).
fn intervention_fill(i: usize) -> (RGBColor, bool) {
    let hues: [RGBColor; 7] = [
        POLICY_COLORS[1],
        POLICY_COLORS[2],
        POLICY_COLORS[3],
        POLICY_COLORS[4],
        POLICY_COLORS[5],
        POLICY_COLORS[6],
        YELLOW,
    ];
    (hues[i % hues.len()], (i / hues.len()) % 2 == 1)
}

/// A box in pixels filled with `c`, or hatched in `c` on a light tint of it
/// with an outline.
fn fill_box<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x0, y0, x1, y1): (i32, i32, i32, i32),
    c: RGBColor,
    hatched: bool,
) -> DrawResult<(), DB> {
    // Kept near the picture, so the hatching below stays a few hundred lines.
    let near = |v: i32, size: u32| v.clamp(-(size as i32), 2 * size as i32);
    let (x0, x1) = (near(x0, WIDTH), near(x1, WIDTH));
    let (y0, y1) = (near(y0, HEIGHT), near(y1, HEIGHT));
    let (x0, x1) = (x0.min(x1), x0.max(x1));
    let (y0, y1) = (y0.min(y1), y0.max(y1));
    if !hatched {
        return root.draw(&Rectangle::new([(x0, y0), (x1, y1)], c.filled()));
    }
    root.draw(&Rectangle::new([(x0, y0), (x1, y1)], tint(c, 0.2).filled()))?;
    // Lines x - y = k, clipped to the box.
    let mut k = x0 - y1;
    while k < x1 - y0 {
        let ya = y0.max(x0 - k);
        let yb = y1.min(x1 - k);
        if yb > ya {
            root.draw(&PathElement::new(vec![(ya + k, ya), (yb + k, yb)], c.stroke_width(2)))?;
        }
        k += 7;
    }
    root.draw(&Rectangle::new([(x0, y0), (x1, y1)], c.stroke_width(1)))
}

/// A filled marker with a white rim: 0 circle, 1 square, 2 triangle up,
/// 3 diamond, 4 triangle down, then the same hollow. Shapes tell policies
/// apart without colour and show points that coincide.
fn draw_marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    shape: usize,
    (x, y): (i32, i32),
    r: i32,
    c: RGBColor,
) -> DrawResult<(), DB> {
    let pts: Vec<(i32, i32)> = match shape % 5 {
        0 => Vec::new(),
        1 => vec![
            (x - r + 1, y - r + 1),
            (x + r - 1, y - r + 1),
            (x + r - 1, y + r - 1),
            (x - r + 1, y + r - 1),
        ],
        2 => vec![(x, y - r - 1), (x + r + 1, y + r - 1), (x - r - 1, y + r - 1)],
        3 => vec![(x, y - r - 1), (x + r + 1, y), (x, y + r + 1), (x - r - 1, y)],
        _ => vec![(x - r - 1, y - r + 1), (x + r + 1, y - r + 1), (x, y + r + 1)],
    };
    let hollow = shape % 10 >= 5;
    let fill = if hollow { WHITE } else { c };
    if pts.is_empty() {
        root.draw(&Circle::new((x, y), r as u32 + 1, WHITE.filled()))?;
        root.draw(&Circle::new((x, y), r as u32, fill.filled()))?;
        if hollow {
            root.draw(&Circle::new((x, y), r as u32, c.stroke_width(2)))?;
        }
    } else {
        let mut ring = pts.clone();
        ring.push(pts[0]);
        root.draw(&PathElement::new(ring.clone(), WHITE.stroke_width(3)))?;
        root.draw(&Polygon::new(pts, fill.filled()))?;
        root.draw(&PathElement::new(
            ring,
            if hollow { c.stroke_width(2) } else { c.stroke_width(1) },
        ))?;
    }
    Ok(())
}

/// `c` blended with white (opaque, so grid lines do not show through).
fn tint(c: RGBColor, amount: f64) -> RGBColor {
    let m = |v: u8| (f64::from(v) * amount + 255.0 * (1.0 - amount)).round() as u8;
    RGBColor(m(c.0), m(c.1), m(c.2))
}

// ---------------------------------------------------------------------------
// Words

/// The words of these charts, in one language (the shared ones come from
/// [`Labels`]).
struct Words {
    l: Labels,
}

impl Words {
    fn lang(&self) -> Lang {
        self.l.lang
    }

    fn en(&self) -> bool {
        self.l.lang == Lang::En
    }

    fn pick(&self, en: &'static str, zh: &'static str) -> &'static str {
        if self.en() {
            en
        } else {
            zh
        }
    }

    fn runs(&self, r: &Results) -> String {
        grouped(r.runs as f64, 0)
    }

    /// "500,000 yuan" / "50万元".
    fn money(&self, yuan: f64) -> String {
        money_exact(self.lang(), yuan)
    }

    fn sim_span(&self, r: &Results) -> String {
        format!("{}–{}", r.start_year, r.final_year)
    }

    fn contributions_title(&self, r: &Results) -> String {
        match self.lang() {
            Lang::En => format!("Operating income added by each intervention, {}", self.sim_span(r)),
            Lang::Zh => format!("各项措施每年新增的经营性收入，{}年", self.sim_span(r)),
        }
    }

    fn contributions_subtitle(&self, r: &Results, policy: &str) -> String {
        let p = self.l.policy_name(policy);
        match self.lang() {
            Lang::En => format!(
                "Policy: {p} (the one with the most interventions); all its villages together; mean of {} runs",
                self.runs(r)
            ),
            Lang::Zh => format!("政策：{p}（措施最多的政策）；参与村合计；{} 次模拟的均值", self.runs(r)),
        }
    }

    fn income_added_axis(&self, unit: &MoneyUnit) -> String {
        let u = unit.name(self.lang());
        match self.lang() {
            Lang::En => format!("Operating income added per year ({u})"),
            Lang::Zh => format!("每年新增经营性收入（{u}）"),
        }
    }

    fn dscr_title(&self, name: &str, first: i32, last: i32) -> String {
        let name = shorten(name, 40);
        let span = if first == last {
            first.to_string()
        } else {
            format!("{first}–{last}")
        };
        match self.lang() {
            Lang::En => format!("Debt service coverage (DSCR) of {name}, {span}"),
            Lang::Zh => format!("{name}的偿债覆盖率（DSCR），{span}年"),
        }
    }

    fn dscr_subtitle(&self, r: &Results, policy: &str, villages: usize) -> String {
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

    fn dscr_axis(&self) -> &'static str {
        self.pick(
            "DSCR (cash available ÷ debt service due)",
            "偿债覆盖率（可用现金 ÷ 应还本息）",
        )
    }

    fn dscr_one(&self) -> &'static str {
        self.pick("DSCR = 1: debt service just covered", "DSCR = 1：收入刚好够还本付息")
    }

    fn dscr_bank(&self) -> &'static str {
        self.pick("DSCR = 1.2: banks' usual minimum", "DSCR = 1.2：银行通常要求的最低值")
    }

    fn paired_title(&self, r: &Results) -> String {
        match self.lang() {
            Lang::En => format!(
                "Mean village income each policy adds in {}, against no intervention",
                r.final_year
            ),
            Lang::Zh => format!("{}年各政策比无干预多出的村均经营性收入", r.final_year),
        }
    }

    fn paired_subtitle(&self, r: &Results) -> String {
        match self.lang() {
            Lang::En => format!(
                "Difference within each of {} runs (same random draws for both policies)",
                self.runs(r)
            ),
            Lang::Zh => format!("{} 次模拟逐次配对比较（两种政策使用相同的随机数）", self.runs(r)),
        }
    }

    fn paired_axis(&self, r: &Results, unit: &MoneyUnit) -> String {
        let u = unit.name(self.lang());
        match self.lang() {
            Lang::En => format!("Difference in mean village income in {} ({u})", r.final_year),
            Lang::Zh => format!("{}年村均经营性收入之差（{u}）", r.final_year),
        }
    }

    fn higher_in(&self, p: f64) -> String {
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

    fn assumption(&self) -> &'static str {
        self.pick("(assumption)", "（假设）")
    }

    fn zero_line(&self) -> &'static str {
        self.pick("0 = same as no intervention", "0 = 与无干预相同")
    }

    fn coverage_title(&self, r: &Results) -> String {
        let floor = self.money(r.floor_yuan);
        match self.lang() {
            Lang::En => format!("Chance that every village has reached the floor ({floor}), by year"),
            Lang::Zh => format!("各年所有村庄均已达到底线（{floor}）的概率"),
        }
    }

    fn coverage_axis(&self) -> &'static str {
        self.pick("Reached by this year (% of runs)", "截至当年已达到（模拟占比，%）")
    }

    fn coverage_never(&self) -> &'static str {
        self.pick(
            "No policy brings every village to the floor in any run.",
            "任何政策在任何一次模拟中都未使所有村庄达到底线。",
        )
    }

    fn target(&self, year: i32) -> String {
        match self.lang() {
            Lang::En => format!("target {year}"),
            Lang::Zh => format!("目标 {year}年"),
        }
    }

    fn cost_title(&self, r: &Results) -> String {
        match self.lang() {
            Lang::En => format!("Public money spent and income added by policy, {}", self.sim_span(r)),
            Lang::Zh => format!("各政策的公共资金投入与新增收入，{}年", self.sim_span(r)),
        }
    }

    fn cost_subtitle(&self, r: &Results) -> String {
        match self.lang() {
            Lang::En => format!(
                "Totals over all villages and years; mean and P5–P95 of {} runs; income added vs no intervention",
                self.runs(r)
            ),
            Lang::Zh => format!(
                "所有村庄、各年合计；{} 次模拟的均值与 P5–P95；新增收入相对无干预",
                self.runs(r)
            ),
        }
    }

    fn public_money_axis(&self, r: &Results, unit: &MoneyUnit) -> String {
        let u = unit.name(self.lang());
        match self.lang() {
            Lang::En => format!("Public money, {} total ({u})", self.sim_span(r)),
            Lang::Zh => format!("公共资金投入，{}年合计（{u}）", self.sim_span(r)),
        }
    }

    fn income_total_axis(&self, r: &Results, unit: &MoneyUnit) -> String {
        let u = unit.name(self.lang());
        match self.lang() {
            Lang::En => format!("Operating income added, {} total ({u})", self.sim_span(r)),
            Lang::Zh => format!("新增经营性收入，{}年合计（{u}）", self.sim_span(r)),
        }
    }

    fn one_for_one(&self) -> &'static str {
        self.pick("1 yuan added per public yuan", "每 1 元公共资金新增 1 元收入")
    }

    fn whiskers(&self) -> &'static str {
        self.pick("mean, P5–P95 whiskers", "均值，须线为 P5–P95")
    }

    fn cdf_title(&self, r: &Results) -> String {
        match self.lang() {
            Lang::En => format!(
                "Mean village income in {}: share of runs at or below each level",
                r.final_year
            ),
            Lang::Zh => format!("{}年村均经营性收入的累积分布（按政策）", r.final_year),
        }
    }

    fn cdf_subtitle(&self, r: &Results) -> String {
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

    fn cdf_x_axis(&self, r: &Results, unit: &MoneyUnit) -> String {
        let u = unit.name(self.lang());
        match self.lang() {
            Lang::En => format!("Mean operating income per village in {} ({u})", r.final_year),
            Lang::Zh => format!("{}年村均经营性收入（{u}）", r.final_year),
        }
    }

    fn cdf_y_axis(&self) -> &'static str {
        self.pick("Runs at or below this income (%)", "不高于该收入的模拟占比（%）")
    }
}

// ---------------------------------------------------------------------------
// Which charts a run gets

/// One decision chart.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// Stacked income added per intervention, for policy `policy`.
    Contributions {
        policy: usize,
    },
    /// DSCR fan of appraisal `appraisal` of policy `policy`.
    Dscr {
        policy: usize,
        appraisal: usize,
    },
    PairedDifference,
    Coverage,
    CostVsIncome,
    CdfFinalIncome,
}

/// Index of the policy with the most interventions (ties: the last), among
/// those for which `keep` holds.
fn most_interventions(r: &Results, keep: impl Fn(&PolicyResults) -> bool) -> Option<usize> {
    r.policies
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.appraisals.is_empty() && keep(p))
        .max_by_key(|(i, p)| (p.appraisals.len(), *i))
        .map(|(i, _)| i)
}

/// Whether `name` is the "no intervention" counterfactual.
fn is_no_intervention(r: &Results, name: &str) -> bool {
    let norm = |s: &str| s.trim().to_lowercase().replace(['_', '-'], " ");
    norm(name) == "no intervention"
        || r.policies
            .first()
            .is_some_and(|p| p.name == name && p.interventions.is_empty())
}

/// Comparisons against "no intervention", in the order of the policies.
fn paired_rows(r: &Results) -> Vec<(usize, &PairResults)> {
    r.policies
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            r.comparisons
                .iter()
                .find(|c| c.policy == p.name && c.policy != c.reference && is_no_intervention(r, &c.reference))
                .map(|c| (i, c))
        })
        .collect()
}

fn dscr_years(a: &InterventionResults) -> Vec<(i32, Stat)> {
    a.years
        .iter()
        .filter_map(|y| y.dscr.map(|d| (y.year, d)))
        .filter(|(_, d)| [d.p5, d.p25, d.p50, d.p75, d.p95].iter().all(|v| v.is_finite()))
        .collect()
}

fn final_quantiles(p: &PolicyResults) -> Option<[f64; 9]> {
    let s = &p.years.last()?.mean_income_yuan;
    let q = [s.min, s.p5, s.p10, s.p25, s.p50, s.p75, s.p90, s.p95, s.max];
    q.iter().all(|v| v.is_finite()).then_some(q)
}

/// A file stem safe on every file system.
fn safe_stem(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The decision charts `r` has data for, with their file stems, in the order
/// they are written.
fn planned(r: &Results) -> Vec<(String, Kind)> {
    let mut out = Vec::new();
    if let Some(policy) = most_interventions(r, |p| p.appraisals.iter().any(|a| !a.years.is_empty())) {
        out.push(("contributions".to_string(), Kind::Contributions { policy }));
    }
    let mut seen: Vec<&str> = Vec::new();
    for p in &r.policies {
        for a in p.appraisals.iter().filter(|a| a.kind == "pv_loan") {
            if seen.contains(&a.id.as_str()) {
                continue;
            }
            seen.push(&a.id);
            let holds = |q: &PolicyResults| q.appraisals.iter().any(|b| b.id == a.id && !dscr_years(b).is_empty());
            if let Some(policy) = most_interventions(r, holds) {
                let appraisal = r.policies[policy]
                    .appraisals
                    .iter()
                    .position(|b| b.id == a.id)
                    .unwrap_or(0);
                out.push((format!("dscr_{}", safe_stem(&a.id)), Kind::Dscr { policy, appraisal }));
            }
        }
    }
    if !paired_rows(r).is_empty() {
        out.push(("paired_difference".to_string(), Kind::PairedDifference));
    }
    if r.policies.iter().any(|p| !p.coverage.is_empty()) {
        out.push(("coverage_by_year".to_string(), Kind::Coverage));
    }
    if r.policies.iter().any(|p| p.decisions.is_some()) {
        out.push(("cost_vs_income".to_string(), Kind::CostVsIncome));
    }
    if r.policies.iter().any(|p| final_quantiles(p).is_some()) {
        out.push(("cdf_final_income".to_string(), Kind::CdfFinalIncome));
    }
    out
}

/// The file stems of the decision charts of `r`, in the order they are written.
/// The decision charts of a run with their titles, in the order they are
/// written (for reports).
pub fn decision_chart_files(r: &Results, lang: Lang) -> Vec<(String, String)> {
    let w = Words { l: Labels::new(lang) };
    planned(r)
        .into_iter()
        .map(|(stem, kind)| {
            let title = match kind {
                Kind::Contributions { .. } => w.contributions_title(r),
                Kind::Dscr { policy, appraisal } => {
                    let a = &r.policies[policy].appraisals[appraisal];
                    let years: Vec<i32> = a.years.iter().filter(|y| y.dscr.is_some()).map(|y| y.year).collect();
                    let (first, last) = (
                        years.first().copied().unwrap_or(r.start_year),
                        years.last().copied().unwrap_or(r.final_year),
                    );
                    w.dscr_title(&a.name, first, last)
                }
                Kind::PairedDifference => w.paired_title(r),
                Kind::Coverage => w.coverage_title(r),
                Kind::CostVsIncome => w.cost_title(r),
                Kind::CdfFinalIncome => w.cdf_title(r),
            };
            (stem, title)
        })
        .collect()
}

pub fn decision_chart_stems(r: &Results) -> Vec<String> {
    planned(r).into_iter().map(|(s, _)| s).collect()
}

/// Writes the decision charts of `results` into `dir` as `<stem>.svg` and
/// `<stem>.png`, atomically like the other charts; returns the file names
/// written, relative to `dir`. Charts without data are skipped.
pub fn write_decision_charts(results: &Results, dir: &Path, lang: Lang) -> Result<Vec<PathBuf>, ChartError> {
    ensure_fonts()?;
    let ctx = Ctx::new(results, lang);
    let mut written = Vec::new();
    for (stem, kind) in planned(results) {
        let chart = DecisionChart { ctx: &ctx, kind };
        let svg = PathBuf::from(format!("{stem}.svg"));
        write_svg(&chart, &dir.join(&svg))?;
        written.push(svg);
        let png = PathBuf::from(format!("{stem}.png"));
        write_png(&chart, &dir.join(&png))?;
        written.push(png);
    }
    Ok(written)
}

struct DecisionChart<'a> {
    ctx: &'a Ctx<'a>,
    kind: Kind,
}

impl DrawChart for DecisionChart<'_> {
    fn draw_chart<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: Typo) -> DrawResult<(), DB> {
        root.fill(&WHITE)?;
        let c = self.ctx;
        let w = Words { l: c.l };
        match self.kind {
            Kind::Contributions { policy } => draw_contributions(root, c, &w, t, policy),
            Kind::Dscr { policy, appraisal } => draw_dscr(root, c, &w, t, policy, appraisal),
            Kind::PairedDifference => draw_paired(root, c, &w, t),
            Kind::Coverage => draw_coverage(root, c, &w, t),
            Kind::CostVsIncome => draw_cost(root, c, &w, t),
            Kind::CdfFinalIncome => draw_cdf(root, c, &w, t),
        }
    }
}

// ---------------------------------------------------------------------------
// Shared pieces

/// Legend samples beyond [`Swatch`].
#[derive(Debug, Clone, Copy)]
enum Sample {
    Std(Swatch),
    /// A solid box, or a light tint with an outline.
    Fill(RGBColor, bool),
    /// A line with a marker of shape `usize` (see [`draw_marker`]).
    Marker(RGBColor, usize),
    /// Thin line only.
    Thin(RGBColor),
    /// Median tick only.
    Tick(RGBColor),
    /// A point with whiskers.
    Whiskers(RGBColor),
}

fn draw_sample<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    sample: Sample,
    x: i32,
    yc: i32,
) -> DrawResult<(), DB> {
    let (top, bottom) = (yc - SWATCH_H / 2, yc + SWATCH_H / 2);
    let xm = x + SWATCH_W / 2;
    match sample {
        Sample::Std(s) => draw_swatch(root, s, x, yc)?,
        Sample::Fill(c, hatched) => fill_box(root, (x, top, x + SWATCH_W, bottom), c, hatched)?,
        Sample::Marker(c, shape) => {
            root.draw(&PathElement::new(vec![(x, yc), (x + SWATCH_W, yc)], c.stroke_width(2)))?;
            draw_marker(root, shape, (xm, yc), 5, c)?;
        }
        Sample::Thin(c) => {
            root.draw(&PathElement::new(vec![(x, yc), (x + SWATCH_W, yc)], c.stroke_width(2)))?;
        }
        Sample::Tick(c) => {
            root.draw(&PathElement::new(
                vec![(xm, top - 2), (xm, bottom + 2)],
                c.stroke_width(3),
            ))?;
        }
        Sample::Whiskers(c) => {
            root.draw(&PathElement::new(
                vec![(x + 2, yc), (x + SWATCH_W - 2, yc)],
                c.stroke_width(1),
            ))?;
            root.draw(&PathElement::new(
                vec![(xm, top - 3), (xm, bottom + 3)],
                c.stroke_width(1),
            ))?;
            root.draw(&Circle::new((xm, yc), 5, c.filled()))?;
        }
    }
    Ok(())
}

/// Title, subtitle and legend rows laid out as [`draw_header`] lays them out,
/// with any [`Sample`]; returns the height taken.
fn header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    t: Typo,
    title: &str,
    subtitle: &str,
    rows: &[Vec<(Sample, String)>],
) -> DrawResult<i32, DB> {
    let no_rows: [Vec<LegendItem>; 0] = [];
    draw_header(root, t, title, subtitle, &no_rows)?;
    let mut y = 66;
    let max_x = WIDTH as i32 - MARGIN_X;
    for row in rows {
        let mut x = MARGIN_X;
        for (sample, label) in row {
            let w = SWATCH_W + 6 + text_width(label, LEGEND_PX);
            if x > MARGIN_X && x + w > max_x {
                x = MARGIN_X;
                y += LEGEND_ROW_H;
            }
            draw_sample(root, *sample, x, y + LEGEND_ROW_H / 2)?;
            root.draw(&Text::new(
                label.clone(),
                (x + SWATCH_W + 6, y + LEGEND_ROW_H / 2 - (0.38 * LEGEND_PX) as i32 - 1),
                t.text(LEGEND_PX, TEXT, HPos::Left),
            ))?;
            x += w + 22;
        }
        y += LEGEND_ROW_H;
    }
    Ok(y + 4)
}

/// Plot rectangle of a chart in `root`'s pixels: (left, top, right, bottom).
fn plot_rect<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, chart: &Chart2d<DB>) -> (i32, i32, i32, i32) {
    let (ox, oy) = root.get_base_pixel();
    let (xr, yr) = (chart.x_range(), chart.y_range());
    let (x0, top) = chart.backend_coord(&(xr.start, yr.end));
    let (x1, bottom) = chart.backend_coord(&(xr.end, yr.start));
    (x0 - ox, top - oy, x1 - ox, bottom - oy)
}

/// A point of the chart in `root`'s pixels.
fn px<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, chart: &Chart2d<DB>, x: f64, y: f64) -> (i32, i32) {
    let (ox, oy) = root.get_base_pixel();
    let (a, b) = chart.backend_coord(&(x, y));
    (a - ox, b - oy)
}

/// Year tick label, blank between whole years.
fn year_tick(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-6 {
        format!("{:.0}", v)
    } else {
        String::new()
    }
}

fn pct_tick(v: &f64) -> String {
    grouped_exact(*v)
}

/// A padded range over `values` that also covers `always`.
fn padded(values: impl Iterator<Item = f64>, always: &[f64], pad_share: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.chain(always.iter().copied()).filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let span = hi - lo;
    let pad = if span > 0.0 {
        span * pad_share
    } else {
        hi.abs().max(1.0) * 0.1
    };
    (lo - pad, hi + pad)
}

/// Pixel box (left, top, right, bottom).
type PxBox = (i32, i32, i32, i32);

fn overlaps(a: PxBox, b: PxBox) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Height of a [`boxed_text`] label.
const LABEL_H: i32 = NOTE_PX as i32 + 5;

/// Box of a [`boxed_text`] label whose text starts at `(x, y)`.
fn label_box(text: &str, (x, y): (i32, i32)) -> PxBox {
    (x - 3, y - 2, x + text_width(text, NOTE_PX) + 3, y + LABEL_H - 2)
}

// ---------------------------------------------------------------------------
// 1. Contributions

fn draw_contributions<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    w: &Words,
    t: Typo,
    policy: usize,
) -> DrawResult<(), DB> {
    let r = ctx.r;
    let p = &r.policies[policy];
    let top = header(
        root,
        t,
        &w.contributions_title(r),
        &w.contributions_subtitle(r, &p.name),
        &[],
    )?;

    // Years of the appraisals, in order.
    let mut years: Vec<i32> = p
        .appraisals
        .iter()
        .flat_map(|a| a.years.iter().map(|y| y.year))
        .collect();
    years.sort_unstable();
    years.dedup();
    let value = |a: &InterventionResults, year: i32| {
        a.years
            .iter()
            .find(|y| y.year == year)
            .map(|y| y.operating_income_yuan.mean)
            .filter(|v| v.is_finite())
            .unwrap_or(0.0)
    };
    // Stack: positive parts upwards, negative parts downwards, in the order
    // of the interventions.
    let mut segments = Vec::new(); // (intervention, year, from, to)
    let mut totals = Vec::new();
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for &year in &years {
        let (mut up, mut down) = (0.0, 0.0);
        for (i, a) in p.appraisals.iter().enumerate() {
            let v = value(a, year);
            if v > 0.0 {
                segments.push((i, year, up, up + v));
                up += v;
            } else if v < 0.0 {
                segments.push((i, year, down, down + v));
                down += v;
            }
        }
        totals.push((year, up + down, up));
        lo = lo.min(down);
        hi = hi.max(up);
    }
    let (ylo, yhi) = if hi - lo <= 0.0 {
        (0.0, 1.0)
    } else {
        let span = hi - lo;
        (
            if lo < 0.0 { lo - span * 0.04 } else { 0.0 },
            hi + span * 0.04 + span * 0.06,
        )
    };
    let unit = MoneyUnit::for_axis(w.lang(), ylo.abs().max(yhi.abs()));
    let ytick = |v: &f64| unit.tick(*v);

    // Legend at the right, top entry = top of the stack.
    let legend_w = 214;
    let first = *years.first().unwrap_or(&r.start_year) as f64;
    let last = *years.last().unwrap_or(&r.final_year) as f64;
    let body = root.margin(top, 0, 0, 0);
    let mut chart = ChartBuilder::on(&body)
        .margin_right(legend_w + 24)
        .margin_top(6)
        .margin_bottom(8)
        .margin_left(MARGIN_X - 8)
        .x_label_area_size(52)
        .y_label_area_size(y_label_area([ylo, yhi, (ylo + yhi) / 2.0].iter().map(&ytick)))
        .build_cartesian_2d(chart_axis(first - 0.5, last + 0.5), chart_axis(ylo, yhi))?;
    chart
        .configure_mesh()
        .x_labels(years.len().clamp(2, 12) + 1)
        .y_labels(8)
        .x_label_formatter(&year_tick)
        .y_label_formatter(&ytick)
        .x_desc(ctx.l.year)
        .y_desc(w.income_added_axis(&unit))
        .label_style(t.font(TICK_PX).color(&TEXT))
        .axis_desc_style(t.font(AXIS_TITLE_PX).color(&TEXT))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS.stroke_width(1))
        .disable_x_mesh()
        .draw()?;

    let half = 0.32;
    for &(i, year, from, to) in &segments {
        let (c, hatched) = intervention_fill(i);
        let x = year as f64;
        let (a, b) = (px(root, &chart, x - half, from), px(root, &chart, x + half, to));
        fill_box(root, (a.0, a.1, b.0, b.1), c, hatched)?;
        root.draw(&Rectangle::new([a, b], WHITE.stroke_width(1)))?;
    }
    if lo < 0.0 {
        chart.draw_series(LineSeries::new(
            [(first - 0.5, 0.0), (last + 0.5, 0.0)],
            TEXT.stroke_width(1),
        ))?;
    }

    // Totals above the bars, when they fit side by side.
    let (left, plot_top, right, plot_bottom) = plot_rect(root, &chart);
    let slot = (right - left) as f64 / years.len().max(1) as f64;
    let labels: Vec<(i32, f64, f64)> = totals.clone();
    let widest = labels
        .iter()
        .map(|(_, v, _)| text_width(&unit.tick(*v), NOTE_PX))
        .max()
        .unwrap_or(0);
    if (widest + 8) as f64 <= slot {
        for (year, total, up) in labels {
            let (x, y) = px(root, &chart, year as f64, up);
            let s = unit.tick(total);
            let y = (y - LABEL_H - 1).max(plot_top + 1);
            root.draw(&Text::new(s, (x, y), t.text(NOTE_PX, TEXT, HPos::Center)))?;
        }
    }

    // Legend column, top entry = top of the stack; names on up to two
    // lines when there is room for that.
    let x0 = right + 16;
    let text_w = legend_w - SWATCH_W - 6;
    let line_h = LEGEND_PX as i32 + 3;
    let labels = |max_lines| {
        p.appraisals
            .iter()
            .map(|a| intervention_label(a, w, text_w, max_lines))
            .collect::<Vec<_>>()
    };
    let mut entries = labels(2);
    let height = |e: &Vec<Vec<String>>| e.iter().map(|l| l.len() as i32 * line_h + 6).sum::<i32>();
    if height(&entries) > plot_bottom - plot_top {
        entries = labels(1);
    }
    let mut y = plot_top;
    for (i, lines) in entries.iter().enumerate().rev() {
        let (c, hatched) = intervention_fill(i);
        draw_sample(root, Sample::Fill(c, hatched), x0, y + line_h / 2)?;
        for (k, line) in lines.iter().enumerate() {
            root.draw(&Text::new(
                line.clone(),
                (
                    x0 + SWATCH_W + 6,
                    y + k as i32 * line_h + line_h / 2 - (0.38 * LEGEND_PX) as i32 - 1,
                ),
                t.text(LEGEND_PX, TEXT, HPos::Left),
            ))?;
        }
        y += lines.len() as i32 * line_h + 6;
    }
    Ok(())
}

/// An intervention's name without a trailing parenthesis (or its id), in at
/// most `max_lines` lines of `max_w` pixels, ending in a mark when its effect
/// is an assumption (kept even when the name is cut).
fn intervention_label(a: &InterventionResults, w: &Words, max_w: i32, max_lines: usize) -> Vec<String> {
    let name = a.name.trim();
    let short = match name.find(['(', '（']) {
        Some(k) if k >= 3 => name[..k].trim(),
        _ => name,
    };
    let short = if short.is_empty() { a.id.as_str() } else { short };
    let mut lines = wrap_text(short, max_w, LEGEND_PX, max_lines);
    if a.assumption {
        let tag = w.assumption();
        let last = lines.pop().unwrap_or_default();
        // "(assumption)" after a space; "（假设）" brings its own spacing.
        let sep = if tag.starts_with('（') { "" } else { " " };
        let joined = format!("{last}{sep}{tag}");
        if text_width(&joined, LEGEND_PX) <= max_w {
            lines.push(joined);
        } else if lines.len() + 2 <= max_lines {
            lines.push(last);
            lines.push(tag.to_string());
        } else {
            let room = max_w - text_width(&format!("{sep}{tag}"), LEGEND_PX);
            lines.push(format!("{}{sep}{tag}", fit_text(&last, room, LEGEND_PX)));
        }
    }
    lines
}

/// `s` broken into at most `max_lines` lines of `max_w` pixels at `px` per
/// em, at spaces where possible; the last line ends in an ellipsis if cut.
fn wrap_text(s: &str, max_w: i32, px: f64, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in s.split_whitespace() {
        if text_width(word, px) > max_w {
            // A long word, or Chinese without spaces: break between characters.
            if !cur.is_empty() {
                cur.push(' ');
            }
            for c in word.chars() {
                cur.push(c);
                if text_width(&cur, px) > max_w {
                    cur.pop();
                    lines.push(std::mem::take(&mut cur));
                    cur.push(c);
                }
            }
            continue;
        }
        let candidate = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if text_width(&candidate, px) <= max_w || cur.is_empty() {
            cur = candidate;
        } else {
            lines.push(std::mem::take(&mut cur));
            cur = word.to_string();
        }
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    if lines.len() > max_lines {
        let rest = lines[max_lines - 1..].join(" ");
        lines.truncate(max_lines - 1);
        lines.push(rest);
    }
    // Lines still too wide (long words, or the joined rest) are cut.
    lines.into_iter().map(|l| fit_text(&l, max_w, px)).collect()
}

/// `s`, cut with an ellipsis to fit `max_w` pixels at `px` per em.
fn fit_text(s: &str, max_w: i32, px: f64) -> String {
    if text_width(s, px) <= max_w {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    for n in (1..chars.len()).rev() {
        let mut out: String = chars[..n].iter().collect::<String>().trim_end().to_string();
        out.push('…');
        if text_width(&out, px) <= max_w {
            return out;
        }
    }
    "…".to_string()
}

// ---------------------------------------------------------------------------
// 2. DSCR fan

fn draw_dscr<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    w: &Words,
    t: Typo,
    policy: usize,
    appraisal: usize,
) -> DrawResult<(), DB> {
    let r = ctx.r;
    let p = &r.policies[policy];
    let a = &p.appraisals[appraisal];
    let pts = dscr_years(a);
    let c = policy_color(policy);
    let (first, last) = (
        pts.first().map_or(r.start_year, |p| p.0),
        pts.last().map_or(r.final_year, |p| p.0),
    );
    let l = &ctx.l;
    let rows = vec![vec![
        (Sample::Marker(c, 0), l.median.to_string()),
        (
            Sample::Std(Swatch::Band(c, BAND_INNER_ALPHA + BAND_OUTER_ALPHA)),
            l.iqr_band.to_string(),
        ),
        (Sample::Std(Swatch::Band(c, BAND_OUTER_ALPHA)), l.p90_band.to_string()),
    ]];
    let top = header(
        root,
        t,
        &w.dscr_title(&a.name, first, last),
        &w.dscr_subtitle(r, &p.name, a.villages),
        &rows,
    )?;

    let (ylo, yhi) = padded(pts.iter().flat_map(|(_, d)| [d.p5, d.p95]), &[1.0, BANK_MIN_DSCR], 0.1);
    let ylo = if ylo > 0.0 && ylo < 0.5 { 0.0 } else { ylo };
    let ytick = |v: &f64| grouped(*v, decimals_for(*v).max(1));
    let body = root.margin(top, 0, 0, 0);
    let mut chart = ChartBuilder::on(&body)
        .margin_right(28)
        .margin_top(6)
        .margin_bottom(8)
        .margin_left(MARGIN_X - 8)
        .x_label_area_size(52)
        .y_label_area_size(y_label_area([ylo, yhi].iter().map(ytick)))
        .build_cartesian_2d(chart_axis(first as f64 - 0.5, last as f64 + 0.5), chart_axis(ylo, yhi))?;
    chart
        .configure_mesh()
        .x_labels((i64::from(last) - i64::from(first)).clamp(0, 11) as usize + 2)
        .y_labels(8)
        .x_label_formatter(&year_tick)
        .y_label_formatter(&ytick)
        .x_desc(l.year)
        .y_desc(w.dscr_axis())
        .label_style(t.font(TICK_PX).color(&TEXT))
        .axis_desc_style(t.font(AXIS_TITLE_PX).color(&TEXT))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS.stroke_width(1))
        .disable_x_mesh()
        .draw()?;

    let xs: Vec<f64> = pts.iter().map(|(y, _)| *y as f64).collect();
    let col = |f: fn(&Stat) -> f64| pts.iter().map(|(_, d)| f(d)).collect::<Vec<f64>>();
    let (p5, p25, p50, p75, p95) = (
        col(|d| d.p5),
        col(|d| d.p25),
        col(|d| d.p50),
        col(|d| d.p75),
        col(|d| d.p95),
    );
    if xs.len() >= 2 {
        chart.draw_series(std::iter::once(Polygon::new(
            band(&xs, &p5, &p95),
            c.mix(BAND_OUTER_ALPHA).filled(),
        )))?;
        chart.draw_series(std::iter::once(Polygon::new(
            band(&xs, &p25, &p75),
            c.mix(BAND_INNER_ALPHA).filled(),
        )))?;
    } else {
        // One year with debt service: boxes instead of a fan.
        for k in 0..xs.len() {
            let x = xs[k];
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.2, p5[k]), (x + 0.2, p95[k])],
                c.mix(BAND_OUTER_ALPHA).filled(),
            )))?;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.2, p25[k]), (x + 0.2, p75[k])],
                c.mix(BAND_INNER_ALPHA).filled(),
            )))?;
        }
    }

    // Reference lines: 1.2 labelled above its line, 1 below its line, so
    // the two labels never meet.
    let (x0, plot_top, x1, plot_bottom) = plot_rect(root, &chart);
    for (v, label, color, dash, above) in [
        (BANK_MIN_DSCR, w.dscr_bank(), MUTED, (5, 4), true),
        (1.0, w.dscr_one(), TEXT, (10, 0), false),
    ] {
        let (_, y) = px(root, &chart, xs.first().copied().unwrap_or(0.0), v);
        if y < plot_top || y > plot_bottom {
            continue;
        }
        if dash.1 == 0 {
            root.draw(&PathElement::new(vec![(x0, y), (x1, y)], color.stroke_width(2)))?;
        } else {
            dashed(root, (x0, y), (x1, y), color, dash)?;
        }
        let ly = if above { y - LABEL_H - 2 } else { y + 5 };
        boxed_text(root, t, label, (x0 + 8, ly), HPos::Left, color)?;
    }

    chart.draw_series(LineSeries::new(
        xs.iter().copied().zip(p50.iter().copied()),
        c.stroke_width(3),
    ))?;
    chart.draw_series(
        xs.iter()
            .zip(p50.iter())
            .map(|(x, y)| Circle::new((*x, *y), 5, c.filled())),
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------
// 3. Paired difference against no intervention

fn draw_paired<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx, w: &Words, t: Typo) -> DrawResult<(), DB> {
    let r = ctx.r;
    let l = &ctx.l;
    let rows = paired_rows(r);
    let legend = vec![vec![
        (Sample::Thin(MUTED), l.p90_band.to_string()),
        (Sample::Fill(MUTED, false), l.iqr_band.to_string()),
        (Sample::Tick(TEXT), l.median.to_string()),
    ]];
    let top = header(root, t, &w.paired_title(r), &w.paired_subtitle(r), &legend)?;

    let n = rows.len();
    let (xlo, xhi) = padded(
        rows.iter().flat_map(|(_, c)| {
            let d = &c.diff_mean_village_income_yuan;
            [d.p5, d.p95]
        }),
        &[0.0],
        0.06,
    );
    let unit = MoneyUnit::for_axis(w.lang(), xlo.abs().max(xhi.abs()));
    let xtick = |v: &f64| unit.tick(*v);
    let names: Vec<String> = rows.iter().map(|(i, _)| l.policy_name(&r.policies[*i].name)).collect();
    let name_w = names.iter().map(|s| text_width(s, TICK_PX)).max().unwrap_or(40) + 14;
    let notes: Vec<String> = rows.iter().map(|(_, c)| w.higher_in(c.p_higher_income)).collect();
    let note_w = notes.iter().map(|s| text_width(s, NOTE_PX)).max().unwrap_or(40);

    let body = root.margin(top, 0, 0, 0);
    let mut chart = ChartBuilder::on(&body)
        .margin_right(note_w + 24)
        .margin_top(6 + LABEL_H)
        .margin_bottom(8)
        .margin_left(MARGIN_X - 8)
        .x_label_area_size(52)
        .y_label_area_size(name_w)
        .build_cartesian_2d(chart_axis(xlo, xhi), chart_axis(-0.5, n as f64 - 0.5))?;
    chart
        .configure_mesh()
        .x_labels(7)
        .y_labels(0)
        .x_label_formatter(&xtick)
        .x_desc(w.paired_axis(r, &unit))
        .label_style(t.font(TICK_PX).color(&TEXT))
        .axis_desc_style(t.font(AXIS_TITLE_PX).color(&TEXT))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS.stroke_width(1))
        .disable_y_mesh()
        .draw()?;

    let (x0, plot_top, x1, plot_bottom) = plot_rect(root, &chart);
    // Zero: the policy adds nothing.
    let (zx, _) = px(root, &chart, 0.0, 0.0);
    dashed(root, (zx, plot_top - 4), (zx, plot_bottom), TEXT, (6, 4))?;
    let zl = w.zero_line();
    let zw = text_width(zl, NOTE_PX);
    let zlx = if zx + 6 + zw <= x1 { zx + 6 } else { zx - 6 - zw };
    boxed_text(root, t, zl, (zlx.max(x0), plot_top - LABEL_H - 2), HPos::Left, TEXT)?;

    let row_h = (plot_bottom - plot_top) as f64 / n.max(1) as f64;
    let thick = (row_h * 0.36).clamp(6.0, 16.0) as i32;
    for (k, ((i, c), (name, note))) in rows.iter().zip(names.iter().zip(notes.iter())).enumerate() {
        let col = policy_color(*i);
        let yv = (n - 1 - k) as f64;
        let d = &c.diff_mean_village_income_yuan;
        let (a, yc) = px(root, &chart, d.p5, yv);
        let (b, _) = px(root, &chart, d.p95, yv);
        let (q1, _) = px(root, &chart, d.p25, yv);
        let (q3, _) = px(root, &chart, d.p75, yv);
        let (m, _) = px(root, &chart, d.p50, yv);
        root.draw(&PathElement::new(vec![(a, yc), (b, yc)], col.stroke_width(2)))?;
        root.draw(&PathElement::new(vec![(a, yc - 5), (a, yc + 5)], col.stroke_width(2)))?;
        root.draw(&PathElement::new(vec![(b, yc - 5), (b, yc + 5)], col.stroke_width(2)))?;
        root.draw(&Rectangle::new(
            [(q1.min(m - 3), yc - thick / 2), (q3.max(m + 3), yc + thick / 2)],
            col.filled(),
        ))?;
        root.draw(&PathElement::new(
            vec![(m, yc - thick / 2 - 4), (m, yc + thick / 2 + 4)],
            TEXT.stroke_width(3),
        ))?;
        // Policy name left of the plot, share of runs right of it.
        root.draw(&Text::new(
            name.clone(),
            (x0 - 8, yc - (0.38 * TICK_PX) as i32 - 1),
            t.text(TICK_PX, TEXT, HPos::Right),
        ))?;
        root.draw(&Text::new(
            note.clone(),
            (x1 + 10, yc - (0.38 * NOTE_PX) as i32 - 1),
            t.text(NOTE_PX, MUTED, HPos::Left),
        ))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// 4. Coverage by year

fn draw_coverage<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    w: &Words,
    t: Typo,
) -> DrawResult<(), DB> {
    let r = ctx.r;
    let l = &ctx.l;
    let series: Vec<(usize, Vec<(f64, f64)>)> = r
        .policies
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let pts = p
                .coverage
                .iter()
                .filter(|c| c.p_reached_by.is_finite())
                .map(|c| (c.year as f64, 100.0 * c.p_reached_by.clamp(0.0, 1.0)))
                .collect::<Vec<_>>();
            (i, pts)
        })
        .filter(|(_, pts)| !pts.is_empty())
        .collect();
    let legend = vec![series
        .iter()
        .map(|(i, _)| {
            (
                Sample::Marker(policy_color(*i), *i),
                l.policy_name(&r.policies[*i].name),
            )
        })
        .collect::<Vec<_>>()];
    let top = header(root, t, &w.coverage_title(r), &l.subtitle(r, false), &legend)?;

    let (first, last) = series
        .iter()
        .flat_map(|(_, pts)| pts.iter().map(|p| p.0))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    let (first, last) = if first.is_finite() {
        (first, last)
    } else {
        (r.start_year as f64, r.final_year as f64)
    };
    let body = root.margin(top, 0, 0, 0);
    let mut chart = ChartBuilder::on(&body)
        .margin_right(28)
        .margin_top(6 + LABEL_H)
        .margin_bottom(8)
        .margin_left(MARGIN_X - 8)
        .x_label_area_size(52)
        .y_label_area_size(y_label_area(["100".to_string()].into_iter()))
        .build_cartesian_2d(chart_axis(first - 0.5, last + 0.5), chart_axis(-4.0, 104.0))?;
    chart
        .configure_mesh()
        .x_labels(((last - first).clamp(0.0, 11.0)) as usize + 2)
        .y_labels(6)
        .x_label_formatter(&year_tick)
        .y_label_formatter(&|v: &f64| {
            if *v < 0.0 || *v > 100.0 {
                String::new()
            } else {
                pct_tick(v)
            }
        })
        .x_desc(l.year)
        .y_desc(w.coverage_axis())
        .label_style(t.font(TICK_PX).color(&TEXT))
        .axis_desc_style(t.font(AXIS_TITLE_PX).color(&TEXT))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS.stroke_width(1))
        .draw()?;

    let (x0, plot_top, x1, plot_bottom) = plot_rect(root, &chart);
    if let Some(ty) = r.target_year.filter(|y| (*y as f64) >= first && (*y as f64) <= last) {
        let (x, _) = px(root, &chart, ty as f64, 0.0);
        dashed(root, (x, plot_top - 4), (x, plot_bottom), MUTED, (6, 4))?;
        let s = w.target(ty);
        let sw = text_width(&s, NOTE_PX);
        let lx = if x + 6 + sw <= x1 { x + 6 } else { x - 6 - sw };
        boxed_text(root, t, &s, (lx, plot_top - LABEL_H - 2), HPos::Left, MUTED)?;
    }
    for (i, pts) in &series {
        chart.draw_series(LineSeries::new(pts.iter().copied(), policy_color(*i).stroke_width(2)))?;
    }
    for (i, pts) in &series {
        for &(x, y) in pts {
            draw_marker(root, *i, px(root, &chart, x, y), 5, policy_color(*i))?;
        }
    }
    if series.iter().all(|(_, pts)| pts.iter().all(|p| p.1 <= 0.0)) {
        let s = w.coverage_never();
        let (_, y50) = px(root, &chart, first, 50.0);
        boxed_text(root, t, s, ((x0 + x1) / 2, y50 - LABEL_H / 2), HPos::Center, TEXT)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// 5. Public money against income added

fn draw_cost<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx, w: &Words, t: Typo) -> DrawResult<(), DB> {
    let r = ctx.r;
    let l = &ctx.l;
    // (policy, x mean, x p5, x p95, y mean, y p5, y p95)
    let pts: Vec<(usize, [f64; 6])> = r
        .policies
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let d = p.decisions.as_ref()?;
            let (x, y) = (&d.public_money_yuan, &d.income_added_yuan);
            let v = [x.mean, x.p5, x.p95, y.mean, y.p5, y.p95];
            v.iter().all(|v| v.is_finite()).then_some((i, v))
        })
        .collect();
    let legend = vec![vec![
        (Sample::Whiskers(MUTED), w.whiskers().to_string()),
        (Sample::Std(Swatch::Line(AXIS)), w.one_for_one().to_string()),
    ]];
    let top = header(root, t, &w.cost_title(r), &w.cost_subtitle(r), &legend)?;

    let (xlo, xhi) = padded(pts.iter().flat_map(|(_, v)| [v[0], v[1], v[2]]), &[0.0], 0.05);
    let (ylo, yhi) = padded(pts.iter().flat_map(|(_, v)| [v[3], v[4], v[5]]), &[0.0], 0.06);
    let unit = MoneyUnit::for_axis(
        w.lang(),
        [xlo, xhi, ylo, yhi].iter().fold(0.0f64, |m, v| m.max(v.abs())),
    );
    let tick = |v: &f64| unit.tick(*v);
    let body = root.margin(top, 0, 0, 0);
    let mut chart = ChartBuilder::on(&body)
        .margin_right(28)
        .margin_top(6)
        .margin_bottom(8)
        .margin_left(MARGIN_X - 8)
        .x_label_area_size(52)
        .y_label_area_size(y_label_area([ylo, yhi, (ylo + yhi) / 2.0].iter().map(&tick)))
        .build_cartesian_2d(chart_axis(xlo, xhi), chart_axis(ylo, yhi))?;
    chart
        .configure_mesh()
        .x_labels(6)
        .y_labels(8)
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .x_desc(w.public_money_axis(r, &unit))
        .y_desc(w.income_total_axis(r, &unit))
        .label_style(t.font(TICK_PX).color(&TEXT))
        .axis_desc_style(t.font(AXIS_TITLE_PX).color(&TEXT))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS.stroke_width(1))
        .draw()?;

    let plot = plot_rect(root, &chart);
    // Axes through zero.
    let (zx, zy) = px(root, &chart, 0.0, 0.0);
    root.draw(&PathElement::new(
        vec![(zx, plot.1), (zx, plot.3)],
        AXIS.stroke_width(1),
    ))?;
    root.draw(&PathElement::new(
        vec![(plot.0, zy), (plot.2, zy)],
        AXIS.stroke_width(1),
    ))?;
    // One yuan of income per yuan of public money.
    let end = xhi.min(yhi);
    if end > 0.0 {
        let a = px(root, &chart, xlo.max(ylo).max(0.0), xlo.max(ylo).max(0.0));
        let b = px(root, &chart, end, end);
        dashed(root, a, b, AXIS, (6, 4))?;
    }

    let mut taken: Vec<PxBox> = Vec::new();
    for (i, v) in &pts {
        let c = policy_color(*i);
        let p = px(root, &chart, v[0], v[3]);
        let (xa, _) = px(root, &chart, v[1], v[3]);
        let (xb, _) = px(root, &chart, v[2], v[3]);
        let (_, ya) = px(root, &chart, v[0], v[4]);
        let (_, yb) = px(root, &chart, v[0], v[5]);
        for (from, to) in [((xa, p.1), (xb, p.1)), ((p.0, ya), (p.0, yb))] {
            if from != to {
                root.draw(&PathElement::new(vec![from, to], c.stroke_width(2)))?;
            }
        }
        for (e, horizontal) in [(xa, true), (xb, true), (ya, false), (yb, false)] {
            if (horizontal && xa != xb) || (!horizontal && ya != yb) {
                let seg = if horizontal {
                    vec![(e, p.1 - 4), (e, p.1 + 4)]
                } else {
                    vec![(p.0 - 4, e), (p.0 + 4, e)]
                };
                root.draw(&PathElement::new(seg, c.stroke_width(2)))?;
            }
        }
        taken.push((p.0 - 7, p.1 - 7, p.0 + 7, p.1 + 7));
    }
    for (i, v) in &pts {
        let c = policy_color(*i);
        let p = px(root, &chart, v[0], v[3]);
        draw_marker(root, *i, p, 6, c)?;
    }
    // Labels: the first free place around each point, further out if needed,
    // with a leader line when it is not right next to its point.
    for (i, v) in &pts {
        let c = policy_color(*i);
        let p = px(root, &chart, v[0], v[3]);
        let label = l.policy_name(&r.policies[*i].name);
        let (start, anchor, near) = place_label(&label, p, plot, &taken);
        taken.push(label_box(&label, start));
        if !near {
            root.draw(&PathElement::new(vec![p, anchor], c.mix(0.8).stroke_width(1)))?;
        }
        boxed_text(root, t, &label, start, HPos::Left, TEXT)?;
    }
    Ok(())
}

/// Where to put `label` for a point at `p`: the text's top-left corner, the
/// point of its box a leader line should reach, and whether the label is
/// close enough to need none. Tries positions around the point at growing
/// distances and takes the first one inside `plot` clear of `taken`.
fn place_label(label: &str, p: (i32, i32), plot: PxBox, taken: &[PxBox]) -> ((i32, i32), (i32, i32), bool) {
    let w = text_width(label, NOTE_PX);
    let h = NOTE_PX as i32;
    let inside = |b: PxBox| b.0 >= plot.0 + 2 && b.2 <= plot.2 - 2 && b.1 >= plot.1 + 2 && b.3 <= plot.3 - 2;
    let mut fallback = None;
    for (step, d) in [10, 24, 42, 64, 90].into_iter().enumerate() {
        let diag = d * 7 / 10;
        let candidates = [
            ((p.0 + d, p.1 - h / 2), (p.0 + d - 3, p.1)),
            ((p.0 - d - w, p.1 - h / 2), (p.0 - d + 3, p.1)),
            ((p.0 + diag, p.1 - diag - h), (p.0 + diag - 3, p.1 - diag)),
            ((p.0 + diag, p.1 + diag), (p.0 + diag - 3, p.1 + diag)),
            ((p.0 - diag - w, p.1 - diag - h), (p.0 - diag + 3, p.1 - diag)),
            ((p.0 - diag - w, p.1 + diag), (p.0 - diag + 3, p.1 + diag)),
            ((p.0 - w / 2, p.1 - d - h), (p.0, p.1 - d + 2)),
            ((p.0 - w / 2, p.1 + d), (p.0, p.1 + d - 2)),
        ];
        for (start, anchor) in candidates {
            let b = label_box(label, start);
            if !inside(b) {
                continue;
            }
            if fallback.is_none() {
                fallback = Some((start, anchor, step == 0));
            }
            if !taken.iter().any(|t| overlaps(*t, b)) {
                return (start, anchor, step == 0);
            }
        }
    }
    fallback.unwrap_or(((p.0 + 10, p.1 - h / 2), p, true))
}

// ---------------------------------------------------------------------------
// 6. CDF of final-year mean village income

fn draw_cdf<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, ctx: &Ctx, w: &Words, t: Typo) -> DrawResult<(), DB> {
    let r = ctx.r;
    let l = &ctx.l;
    const SHARES: [f64; 9] = [0.0, 5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 100.0];
    let series: Vec<(usize, Vec<(f64, f64)>)> = r
        .policies
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let q = final_quantiles(p)?;
            // Quantiles from a sketch: keep them non-decreasing.
            let mut m = f64::NEG_INFINITY;
            let pts = q
                .iter()
                .zip(SHARES)
                .map(|(v, s)| {
                    m = m.max(*v);
                    (m, s)
                })
                .collect();
            Some((i, pts))
        })
        .collect();
    let legend = vec![series
        .iter()
        .map(|(i, _)| {
            (
                Sample::Marker(policy_color(*i), *i),
                l.policy_name(&r.policies[*i].name),
            )
        })
        .collect::<Vec<_>>()];
    let top = header(root, t, &w.cdf_title(r), &w.cdf_subtitle(r), &legend)?;

    let (xlo, xhi) = padded(series.iter().flat_map(|(_, pts)| pts.iter().map(|p| p.0)), &[], 0.03);
    let unit = MoneyUnit::for_axis(w.lang(), xlo.abs().max(xhi.abs()));
    let xtick = |v: &f64| unit.tick(*v);
    let body = root.margin(top, 0, 0, 0);
    let mut chart = ChartBuilder::on(&body)
        .margin_right(36)
        .margin_top(10)
        .margin_bottom(8)
        .margin_left(MARGIN_X - 8)
        .x_label_area_size(52)
        .y_label_area_size(y_label_area(["100".to_string()].into_iter()))
        .build_cartesian_2d(chart_axis(xlo, xhi), chart_axis(-2.0, 102.0))?;
    chart
        .configure_mesh()
        .x_labels(7)
        .y_labels(11)
        .x_label_formatter(&xtick)
        .y_label_formatter(&|v: &f64| {
            if *v < 0.0 || *v > 100.0 {
                String::new()
            } else {
                pct_tick(v)
            }
        })
        .x_desc(w.cdf_x_axis(r, &unit))
        .y_desc(w.cdf_y_axis())
        .label_style(t.font(TICK_PX).color(&TEXT))
        .axis_desc_style(t.font(AXIS_TITLE_PX).color(&TEXT))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS.stroke_width(1))
        .draw()?;
    for (i, pts) in &series {
        chart.draw_series(LineSeries::new(pts.iter().copied(), policy_color(*i).stroke_width(2)))?;
    }
    for (i, pts) in &series {
        for &(x, y) in pts {
            draw_marker(root, *i, px(root, &chart, x, y), 4, policy_color(*i))?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::charts::render_chart_rgb;
    use crate::charts::tests::{sample_results, stat};

    fn appraisal(id: &str, kind: &str, years: &[i32], income: f64, dscr: bool) -> InterventionResults {
        let mut a: InterventionResults = serde_json::from_value(serde_json::json!({
            "id": id,
            "name": format!("{id} intervention (test)"),
            "kind": kind,
            "villages": 2,
            "assumption": false,
            "npv_yuan": stat(0.0, 0.0),
            "irr": null,
            "irr_defined_share": 0.0,
            "public_money_yuan": stat(0.0, 0.0),
            "public_money_pv_yuan": stat(0.0, 0.0),
            "min_dscr": null,
            "negative_cash_years": stat(0.0, 0.0),
            "p_failure": stat(0.0, 0.0),
            "income_per_village_year_yuan": stat(0.0, 0.0),
            "years": [],
            "external": [],
        }))
        .expect("InterventionResults");
        a.years = years
            .iter()
            .enumerate()
            .map(|(k, &year)| InterventionYear {
                year,
                operating_income_yuan: stat(income * (1.0 + 0.1 * k as f64), income * 0.1),
                net_cash_yuan: stat(0.0, 0.0),
                public_money_yuan: stat(0.0, 0.0),
                dscr: (dscr && k > 0).then(|| stat(1.05 + 0.02 * k as f64, 0.12)),
                p_negative_cash: 0.0,
            })
            .collect();
        a
    }

    /// The sample of `charts` with two more policies, appraisals (one
    /// `pv_loan`, one with negative income), comparisons, coverage and
    /// decisions.
    fn decision_results() -> Results {
        let mut r = sample_results();
        let sim: Vec<i32> = (r.start_year..=r.final_year).collect();
        let mut extra = r.policies[1].clone();
        extra.name = "Full package 全套".to_string();
        r.policies.push(extra);
        let mut third = r.policies[1].clone();
        third.name = "support fund".to_string();
        r.policies.push(third);
        r.policies[1].appraisals = vec![appraisal("pv", "pv_loan", &sim, 300_000.0, true)];
        r.policies[2].appraisals = vec![
            appraisal("pv", "pv_loan", &sim, 300_000.0, true),
            appraisal("coop", "cooperative", &sim, 120_000.0, false),
            appraisal("lease", "idle_asset", &sim, -40_000.0, false),
        ];
        r.policies[3].appraisals = vec![appraisal("fund", "support_fund", &sim, 200_000.0, false)];
        for p in &mut r.policies {
            p.interventions = p.appraisals.iter().map(|a| a.id.clone()).collect();
        }
        for (i, p) in r.policies.iter_mut().enumerate() {
            let f = i as f64;
            p.coverage = sim
                .iter()
                .enumerate()
                .map(|(k, &year)| CoverageYear {
                    year,
                    p_first_reached: 0.05 * f,
                    p_reached_by: (0.08 * f * (k as f64 + 1.0)).min(1.0),
                })
                .collect();
            let mut d: Decisions = serde_json::from_value(serde_json::json!({
                "public_money_yuan": stat(0.0, 0.0),
                "public_money_pv_yuan": stat(0.0, 0.0),
                "private_money_yuan": stat(0.0, 0.0),
                "income_added_yuan": stat(0.0, 0.0),
                "income_added_pv_yuan": stat(0.0, 0.0),
                "income_added_per_public_yuan": null,
                "income_added_pv_per_public_pv_yuan": null,
                "leverage": null,
                "p_negative_cash_with_loan": 0.0,
                "p_within_budget": null,
            }))
            .expect("Decisions");
            if i > 0 {
                d.public_money_yuan = stat(1_000_000.0 * f * f, 100_000.0 * f);
                d.income_added_yuan = stat(1_500_000.0 * f, 200_000.0);
            }
            p.decisions = Some(d);
        }
        let reference = r.policies[0].name.clone();
        r.comparisons = r.policies[1..]
            .iter()
            .enumerate()
            .map(|(k, p)| PairResults {
                policy: p.name.clone(),
                reference: reference.clone(),
                diff_mean_village_income_yuan: stat(20_000.0 * (k as f64 + 0.5), 8_000.0),
                diff_villages_below_floor: stat(-1.0, 0.5),
                p_higher_income: [0.93, 0.998, 1.0][k % 3],
                p_fewer_below_floor: 0.7,
            })
            .collect();
        r
    }

    fn stems(r: &Results) -> Vec<String> {
        decision_chart_stems(r)
    }

    #[test]
    fn plans_every_chart() {
        let r = decision_results();
        assert_eq!(
            stems(&r),
            [
                "contributions",
                "dscr_pv",
                "paired_difference",
                "coverage_by_year",
                "cost_vs_income",
                "cdf_final_income"
            ]
        );
        // Contributions and DSCR use the policy with the most interventions.
        let plan = planned(&r);
        assert_eq!(plan[0].1, Kind::Contributions { policy: 2 });
        assert_eq!(
            plan[1].1,
            Kind::Dscr {
                policy: 2,
                appraisal: 0
            }
        );
        // Ties go to the last policy.
        let mut tie = r.clone();
        tie.policies[3].appraisals = tie.policies[2].appraisals.clone();
        assert_eq!(planned(&tie)[0].1, Kind::Contributions { policy: 3 });
        assert_eq!(safe_stem("a b/ç"), "a_b__");
    }

    #[test]
    fn writes_svg_and_png_of_every_chart() {
        let r = decision_results();
        for lang in [Lang::En, Lang::Zh] {
            let dir = tempfile::tempdir().unwrap();
            let files = write_decision_charts(&r, dir.path(), lang).unwrap();
            assert_eq!(files.len(), 12);
            for (k, stem) in stems(&r).iter().enumerate() {
                assert_eq!(files[2 * k], PathBuf::from(format!("{stem}.svg")));
                assert_eq!(files[2 * k + 1], PathBuf::from(format!("{stem}.png")));
            }
            for f in &files {
                let bytes = fs::read(dir.path().join(f)).unwrap();
                match f.extension().and_then(|e| e.to_str()) {
                    Some("png") => {
                        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", f.display());
                        assert_eq!(&bytes[16..20], &WIDTH.to_be_bytes());
                        assert_eq!(&bytes[20..24], &HEIGHT.to_be_bytes());
                        assert!(bytes.len() > 5_000, "{} is {} bytes", f.display(), bytes.len());
                    }
                    Some("svg") => {
                        let s = String::from_utf8(bytes).unwrap();
                        assert!(s.starts_with("<svg"), "{}", f.display());
                        assert!(s.trim_end().ends_with("</svg>"));
                        assert!(s.contains("<text"));
                    }
                    other => panic!("unexpected file {other:?}"),
                }
            }
            // Nothing else (no temporary file) is left in the folder.
            assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 12);
        }
    }

    #[test]
    fn written_with_the_run_charts() {
        let dir = tempfile::tempdir().unwrap();
        let files = crate::charts::write_run_charts(&decision_results(), dir.path(), Lang::En).unwrap();
        assert_eq!(files.len(), 6 + 12);
        assert!(files.contains(&PathBuf::from("dscr_pv.png")));
    }

    #[test]
    fn output_is_deterministic() {
        let r = decision_results();
        for lang in [Lang::En, Lang::Zh] {
            let a = tempfile::tempdir().unwrap();
            let b = tempfile::tempdir().unwrap();
            let fa = write_decision_charts(&r, a.path(), lang).unwrap();
            let fb = write_decision_charts(&r, b.path(), lang).unwrap();
            assert_eq!(fa, fb);
            for f in &fa {
                let x = fs::read(a.path().join(f)).unwrap();
                let y = fs::read(b.path().join(f)).unwrap();
                assert!(x == y, "{} differs between two renderings", f.display());
            }
        }
    }

    #[test]
    fn skipped_without_data() {
        // The plain sample has no appraisals, comparisons, coverage or
        // decisions: only the CDF (from the yearly figures) is drawn.
        let r = sample_results();
        assert_eq!(stems(&r), ["cdf_final_income"]);
        // No years either: nothing at all, and no file.
        let mut empty = r.clone();
        for p in &mut empty.policies {
            p.years.clear();
        }
        let dir = tempfile::tempdir().unwrap();
        assert!(write_decision_charts(&empty, dir.path(), Lang::Zh).unwrap().is_empty());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        // Appraisals but no pv_loan: no DSCR chart.
        let mut no_loan = decision_results();
        for p in &mut no_loan.policies {
            p.appraisals.retain(|a| a.kind != "pv_loan");
        }
        let s = stems(&no_loan);
        assert!(s.contains(&"contributions".to_string()));
        assert!(!s.iter().any(|s| s.starts_with("dscr_")), "{s:?}");
        // A pv_loan without any year of debt service: no DSCR chart either.
        let mut no_debt = decision_results();
        for p in &mut no_debt.policies {
            for a in &mut p.appraisals {
                a.years.iter_mut().for_each(|y| y.dscr = None);
            }
        }
        assert!(!stems(&no_debt).iter().any(|s| s.starts_with("dscr_")));
        // No appraisals at all: no contributions chart.
        let mut none = decision_results();
        none.policies.iter_mut().for_each(|p| p.appraisals.clear());
        let s = stems(&none);
        assert!(!s.contains(&"contributions".to_string()), "{s:?}");
        // Comparisons only between other policies: no paired chart.
        let mut other_ref = decision_results();
        other_ref
            .comparisons
            .iter_mut()
            .for_each(|c| c.reference = "support fund".into());
        assert!(!stems(&other_ref).contains(&"paired_difference".to_string()));
        // Every remaining chart still renders.
        for r in [no_loan, no_debt, none, other_ref] {
            let dir = tempfile::tempdir().unwrap();
            write_decision_charts(&r, dir.path(), Lang::En).unwrap();
        }
    }

    /// Text comes out of the bundled font: the title band of every chart
    /// holds inked pixels in both languages. (`charts` checks the same
    /// without any system font in a child process.)
    #[test]
    fn titles_render_with_bundled_font() {
        let r = decision_results();
        let ctx_en = Ctx::new(&r, Lang::En);
        let ctx_zh = Ctx::new(&r, Lang::Zh);
        for ctx in [&ctx_en, &ctx_zh] {
            for (stem, kind) in planned(&r) {
                let buf = render_chart_rgb(&DecisionChart { ctx, kind });
                let mut dark = 0;
                for y in 8..40u32 {
                    for x in 0..WIDTH {
                        let i = ((y * WIDTH + x) * 3) as usize;
                        if buf[i] < 100 && buf[i + 1] < 100 && buf[i + 2] < 100 {
                            dark += 1;
                        }
                    }
                }
                assert!(dark > 800, "{stem}: only {dark} dark pixels in the title");
            }
        }
    }

    /// Every character of the Chinese words has a glyph in the bundled font.
    #[test]
    fn font_covers_words() {
        use ab_glyph::{Font, FontRef};
        let font =
            FontRef::try_from_slice(include_bytes!("../../assets/fonts/NotoSansSC-villagesim-subset.otf")).unwrap();
        let r = decision_results();
        let w = Words { l: Labels::ZH };
        let unit = MoneyUnit::for_axis(Lang::Zh, 1e7);
        let texts = [
            w.contributions_title(&r),
            w.contributions_subtitle(&r, "x"),
            w.income_added_axis(&unit),
            w.dscr_title("光伏贷", 2020, 2025),
            w.dscr_subtitle(&r, "x", 3),
            w.dscr_axis().to_string(),
            w.dscr_one().to_string(),
            w.dscr_bank().to_string(),
            w.paired_title(&r),
            w.paired_subtitle(&r),
            w.paired_axis(&r, &unit),
            w.higher_in(0.5),
            w.higher_in(0.999),
            w.higher_in(0.001),
            w.zero_line().to_string(),
            w.assumption().to_string(),
            w.coverage_title(&r),
            w.coverage_axis().to_string(),
            w.coverage_never().to_string(),
            w.target(2025),
            w.cost_title(&r),
            w.cost_subtitle(&r),
            w.public_money_axis(&r, &unit),
            w.income_total_axis(&r, &unit),
            w.one_for_one().to_string(),
            w.whiskers().to_string(),
            w.cdf_title(&r),
            w.cdf_subtitle(&r),
            w.cdf_x_axis(&r, &unit),
            w.cdf_y_axis().to_string(),
            "÷×…–<>".to_string(),
        ];
        for text in &texts {
            for c in text.chars().filter(|c| !c.is_whitespace()) {
                assert_ne!(font.glyph_id(c).0, 0, "no glyph for {c:?} in {text:?}");
            }
        }
    }

    #[test]
    fn label_placement_avoids_taken_boxes() {
        let plot = (100, 100, 700, 450);
        let p = (300, 300);
        let (s1, _, near) = place_label("no intervention", p, plot, &[]);
        assert!(near);
        let b1 = label_box("no intervention", s1);
        let (s2, _, _) = place_label("mountain-sea workshop", (305, 300), plot, &[b1]);
        assert!(!overlaps(b1, label_box("mountain-sea workshop", s2)));
        // At the plot's left edge a label goes right or around, never outside.
        let (s3, _, _) = place_label("cluster purchase", (102, 300), plot, &[]);
        assert!(s3.0 >= plot.0);
    }

    // --- extreme values: every chart draws (or refuses) any finite range ---

    /// Every float of `r` (figures, thresholds, bucket bounds; not years or
    /// counts) replaced by `f(key, value)`.
    fn map_floats(r: &Results, f: &dyn Fn(&str, f64) -> f64) -> Results {
        fn walk(v: &mut serde_json::Value, key: &str, f: &dyn Fn(&str, f64) -> f64) {
            match v {
                serde_json::Value::Object(m) => m.iter_mut().for_each(|(k, x)| walk(x, k, f)),
                serde_json::Value::Array(a) => a.iter_mut().for_each(|x| walk(x, key, f)),
                serde_json::Value::Number(n) if n.is_f64() => {
                    *v = serde_json::json!(f(key, n.as_f64().unwrap_or(0.0)));
                }
                _ => {}
            }
        }
        let mut v = serde_json::to_value(r).unwrap();
        walk(&mut v, "", f);
        serde_json::from_value(v).unwrap()
    }

    /// Draws every chart of `r` (SVG and PNG) in a thread and fails if that
    /// takes more than a minute (a few seconds normally, in a debug build):
    /// a loop over a range must stop for any input. Every chart must draw.
    fn draws_promptly(what: &str, r: Results, lang: Lang) {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let outcome = std::panic::catch_unwind(|| {
                let dir = tempfile::tempdir().unwrap();
                crate::charts::write_run_charts(&r, dir.path(), lang).map(|files| files.len())
            });
            let _ = tx.send(outcome.map_err(|_| "a chart panicked".to_string()));
        });
        match rx.recv_timeout(std::time::Duration::from_secs(60)) {
            Ok(Ok(Ok(n))) => assert!(n >= 6, "{what}: only {n} files"),
            Ok(Ok(Err(e))) => panic!("{what}: {e}"),
            Ok(Err(e)) => panic!("{what}: {e}"),
            Err(_) => panic!("{what}: charts not drawn within a minute (a loop does not end)"),
        }
    }

    #[test]
    fn extreme_thresholds() {
        let mut r = decision_results();
        r.floor_yuan = 1.7e308;
        draws_promptly("floor 1.7e308", r.clone(), Lang::En);
        r.weak_yuan = 1.7e308;
        draws_promptly("floor and weak 1.7e308", r.clone(), Lang::Zh);
        r.floor_yuan = -f64::MAX;
        r.weak_yuan = f64::MAX;
        draws_promptly("floor -MAX, weak MAX", r, Lang::En);
    }

    #[test]
    fn extreme_values() {
        let r = decision_results();
        type Edit<'a> = &'a dyn Fn(&str, f64) -> f64;
        let cases: [(&str, Edit); 5] = [
            ("±1e300", &|_, v| if v >= 0.0 { 1e300 } else { -1e300 }),
            ("alternating ±1.7e308", &|k, v| {
                if k.len() % 2 == 0 {
                    1.7e308
                } else {
                    -v.signum() * 1.7e308
                }
            }),
            ("1e300 plus a few ulps", &|k, _| 1e300 * (1.0 + 1e-15 * k.len() as f64)),
            ("tiny", &|_, v| v * 1e-310),
            ("all zero", &|_, _| 0.0),
        ];
        for (what, f) in cases {
            draws_promptly(what, map_floats(&r, f), Lang::En);
        }
    }

    #[test]
    fn extreme_shapes() {
        let r = decision_results();
        // NaN everywhere a figure is (results built in memory can hold it).
        let mut nan = r.clone();
        for p in &mut nan.policies {
            for y in &mut p.years {
                y.mean_income_yuan = Stat {
                    mean: f64::NAN,
                    p50: f64::INFINITY,
                    ..y.mean_income_yuan
                };
                y.below_floor.p95 = f64::NAN;
            }
            for b in &mut p.final_income_histogram {
                b.hi = f64::INFINITY;
            }
        }
        nan.floor_yuan = f64::NAN;
        draws_promptly("NaN and infinity", nan, Lang::En);
        // A single year, then the baseline year alone.
        let mut one = r.clone();
        one.final_year = one.start_year;
        for p in &mut one.policies {
            p.years.truncate(2);
            p.villages.iter_mut().for_each(|v| v.truncate(2));
            p.coverage.truncate(1);
            p.appraisals.iter_mut().for_each(|a| a.years.truncate(1));
        }
        draws_promptly("one year", one.clone(), Lang::En);
        one.final_year = one.baseline_year;
        for p in &mut one.policies {
            p.years.truncate(1);
            p.villages.iter_mut().for_each(|v| v.truncate(1));
        }
        draws_promptly("baseline only", one, Lang::Zh);
        // A single village.
        let mut single = r.clone();
        single.villages.truncate(1);
        for p in &mut single.policies {
            p.villages.truncate(1);
        }
        draws_promptly("one village", single, Lang::En);
        // Years far apart.
        let mut far = r;
        far.baseline_year = i32::MIN + 1;
        far.final_year = i32::MAX;
        draws_promptly("years i32::MIN to MAX", far, Lang::En);
    }

    /// Writes the decision charts for a human to look at, in
    /// `target/chart-preview/decision-*`: `cargo test decision_preview --
    /// --ignored`. With `VILLAGESIM_RESULTS=path/results.json` it draws that
    /// run instead of the sample.
    #[test]
    #[ignore]
    fn decision_preview() {
        let (r, tag) = match std::env::var("VILLAGESIM_RESULTS") {
            Ok(path) => {
                let text = fs::read_to_string(&path).unwrap();
                // results.json writes NaN (e.g. a per-village figure of an
                // intervention without villages) as null, which does not read
                // back into f64: those fields are not drawn, so 0 will do.
                let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
                fn nulls_in_stats(v: &mut serde_json::Value) {
                    match v {
                        serde_json::Value::Object(m) => {
                            let is_stat = m.contains_key("p50") && m.contains_key("se");
                            for x in m.values_mut() {
                                if is_stat && x.is_null() {
                                    *x = serde_json::json!(0.0);
                                } else {
                                    nulls_in_stats(x);
                                }
                            }
                        }
                        serde_json::Value::Array(a) => a.iter_mut().for_each(nulls_in_stats),
                        _ => {}
                    }
                }
                nulls_in_stats(&mut v);
                let r: Results = serde_json::from_value(v).unwrap();
                let tag = Path::new(&path)
                    .parent()
                    .and_then(|p| p.file_name())
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                (r, tag)
            }
            Err(_) => (decision_results(), "sample".to_string()),
        };
        for (lang, sub) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target/chart-preview")
                .join(format!("decision-{tag}-{sub}"));
            fs::create_dir_all(&dir).unwrap();
            write_decision_charts(&r, &dir, lang).unwrap();
        }
    }
}
