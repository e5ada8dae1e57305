//! Charts of sweeps and sensitivity analyses, as SVG and PNG (800 px wide),
//! drawn with the fonts, palette and text helpers of [`crate::charts`].
//! Labels are in English or Chinese ([`Lang`]).

use std::path::{Path, PathBuf};

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::sensitivity::{short_number, SensitivityResult};
use super::sweep::{self, SweepResult};
use crate::charts::{
    band, build_plot, chart_axis, dashed, draw_header, ensure_fonts, item, mesh, policy_color, text_width, value_range,
    y_label_area, Area, DrawResult, Frame, GlyphText, Labels, MoneyUnit, Swatch, Typo, AXIS_TITLE_PX, BAND_OUTER_ALPHA,
    MARGIN_X, MUTED, NOTE_PX, SUBTITLE_PX, TEXT, TICK_PX, TITLE_PX, WIDTH,
};
use crate::format::{decimals_for, grouped, money_exact, shorten, Lang};
use crate::output::OutputError;
use crate::summary::results::Stat;

/// Height of a sweep chart, pixels.
const SWEEP_HEIGHT: u32 = 500;
/// Most inputs a tornado shows (all are in `sensitivity.csv`).
const TORNADO_MAX_ROWS: usize = 15;
const TORNADO_ROW_H: u32 = 32;

const LOW_COLOR: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const HIGH_COLOR: RGBColor = RGBColor(0xD5, 0x5E, 0x00);

/// Something drawn on a chart of a given height.
trait Figure {
    fn height(&self) -> u32;
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, t: Typo) -> DrawResult<(), DB>;
}

fn chart_error(path: &Path, e: impl std::fmt::Display) -> OutputError {
    OutputError::Chart {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Writes `charts/<stem>.svg` and `.png` under `dir`; returns their names
/// relative to `dir`.
fn write_figure(fig: &impl Figure, dir: &Path, stem: &str) -> Result<Vec<PathBuf>, OutputError> {
    ensure_fonts().map_err(|e| chart_error(Path::new(stem), e))?;
    let charts = dir.join("charts");
    std::fs::create_dir_all(&charts).map_err(crate::output::atomic::io_error(&charts))?;
    let size = (WIDTH, fig.height());
    let svg_name = PathBuf::from(format!("charts/{stem}.svg"));
    let svg_path = dir.join(&svg_name);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_error(&svg_path, e))?;
        fig.draw(&root, Typo::SVG).map_err(|e| chart_error(&svg_path, e))?;
        root.present().map_err(|e| chart_error(&svg_path, e))?;
    }
    std::fs::write(&svg_path, svg.as_bytes()).map_err(crate::output::atomic::io_error(&svg_path))?;
    let png_name = PathBuf::from(format!("charts/{stem}.png"));
    let png_path = dir.join(&png_name);
    {
        let root = GlyphText {
            inner: BitMapBackend::new(&png_path, size),
        }
        .into_drawing_area();
        root.fill(&WHITE).map_err(|e| chart_error(&png_path, e))?;
        fig.draw(&root, Typo::BITMAP).map_err(|e| chart_error(&png_path, e))?;
        root.present().map_err(|e| chart_error(&png_path, e))?;
    }
    Ok(vec![svg_name, png_name])
}

/// `text` shortened (with an ellipsis) to at most `max_w` pixels at `px`.
fn fit(text: &str, px: f64, max_w: i32) -> String {
    let mut n = text.chars().count();
    let mut out = text.to_string();
    while n > 4 && text_width(&out, px) > max_w {
        n -= 1;
        out = shorten(text, n);
    }
    out
}

/// Tick of a money axis in `unit`: whole yuan, or 万元 with decimals.
fn money_tick(unit: &MoneyUnit, v: f64) -> String {
    if unit.is_wan() {
        unit.tick(v)
    } else {
        grouped(v, 0)
    }
}

/// Widest text a header line may take.
const HEADER_W: i32 = WIDTH as i32 - 2 * MARGIN_X;

// ---------------------------------------------------------------------------
// Sweeps

/// One line of a sweep chart with its band.
struct Line {
    label: String,
    color: RGBColor,
    xs: Vec<f64>,
    mid: Vec<f64>,
    lo: Vec<f64>,
    hi: Vec<f64>,
}

/// How a metric's values are shown.
#[derive(Clone, Copy)]
enum YKind {
    Yuan,
    Percent,
    Count,
}

struct SweepFigure<'a> {
    result: &'a SweepResult,
    labels: Labels,
    /// Unit of a money y axis.
    unit: MoneyUnit,
    title: String,
    subtitle: String,
    y_desc: String,
    y_kind: YKind,
    mid_label: &'static str,
    band_label: &'static str,
    lines: Vec<Line>,
    floor_yuan: Option<f64>,
}

fn y_tick(kind: YKind, unit: &MoneyUnit, v: f64) -> String {
    match kind {
        YKind::Yuan => money_tick(unit, v),
        YKind::Percent => {
            let pct = v * 100.0;
            format!("{}%", grouped(pct, decimals_for(pct).min(1)))
        }
        YKind::Count => {
            if (v - v.round()).abs() < 1e-9 {
                grouped(v, 0)
            } else {
                grouped(v, 1)
            }
        }
    }
}

impl Figure for SweepFigure<'_> {
    fn height(&self) -> u32 {
        SWEEP_HEIGHT
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, t: Typo) -> DrawResult<(), DB> {
        let axis = &self.result.axes[0];
        let rows = vec![
            self.lines
                .iter()
                .map(|l| item(Swatch::BandLine(l.color), l.label.clone()))
                .collect(),
            vec![
                item(Swatch::Line(MUTED), self.mid_label.to_string()),
                item(
                    Swatch::Band(MUTED, BAND_OUTER_ALPHA + 0.07),
                    self.band_label.to_string(),
                ),
            ],
        ];
        let title = fit(&self.title, TITLE_PX, HEADER_W);
        let subtitle = fit(&self.subtitle, SUBTITLE_PX, HEADER_W);
        let top = draw_header(root, t, &title, &subtitle, &rows)?;
        let floor_lines = self
            .floor_yuan
            .map(|f| self.labels.threshold_lines(self.labels.floor, f));
        let right = floor_lines.as_ref().map_or(36, |(_, b)| text_width(b, NOTE_PX) + 20);
        let (mut x0, mut x1) = axis
            .values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
        // A little room at both ends, so the end points are not on the frame.
        let pad = if x1 > x0 {
            (x1 - x0) * 0.03
        } else {
            x0.abs().max(1.0) * 0.1
        };
        (x0, x1) = (x0 - pad, x1 + pad);
        let (ylo, yhi) = match self.y_kind {
            YKind::Percent => {
                let top = self.lines.iter().flat_map(|l| l.hi.iter().copied()).fold(0.0, f64::max);
                (0.0, (top * 1.15).clamp(0.05, 1.0))
            }
            _ => value_range(
                self.lines
                    .iter()
                    .flat_map(|l| l.lo.iter().chain(&l.hi).copied())
                    .chain(self.floor_yuan),
                matches!(self.y_kind, YKind::Count),
            ),
        };
        let (kind, unit) = (self.y_kind, self.unit);
        let ytick = move |v: &f64| y_tick(kind, &unit, *v);
        let xtick = |v: &f64| sweep::show(axis, *v);
        let body = root.margin(top, 0, 0, 0);
        let mut chart = build_plot(
            &body,
            Frame::new(right, y_label_area([ylo, yhi, (ylo + yhi) / 2.0].iter().map(ytick))),
            chart_axis(x0, x1),
            chart_axis(ylo, yhi),
        )?;
        mesh(&mut chart, t)
            .x_labels(axis.values.len().clamp(2, 10))
            .y_labels(8)
            .x_label_formatter(&xtick)
            .y_label_formatter(&ytick)
            .x_desc(shorten(&axis.path.text, 80))
            .y_desc(self.y_desc.clone())
            .draw()?;
        let fade = (3.0 / self.lines.len().max(1) as f64).min(1.0).sqrt();
        for l in &self.lines {
            if l.xs.len() > 1 {
                chart.draw_series(std::iter::once(Polygon::new(
                    band(&l.xs, &l.lo, &l.hi),
                    l.color.mix(BAND_OUTER_ALPHA * fade).filled(),
                )))?;
            } else {
                for ((x, lo), hi) in l.xs.iter().zip(&l.lo).zip(&l.hi) {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(*x, *lo), (*x, *hi)],
                        l.color.mix(0.5).stroke_width(6),
                    )))?;
                }
            }
        }
        if let Some(floor) = self.floor_yuan.filter(|f| *f > ylo && *f < yhi) {
            let (ox, oy) = root.get_base_pixel();
            let (px0, py) = chart.backend_coord(&(x0, floor));
            let (px1, _) = chart.backend_coord(&(x1, floor));
            dashed(root, (px0 - ox, py - oy), (px1 - ox + 3, py - oy), MUTED, (9, 5))?;
            // Labelled right of the plot, as on the charts of a run.
            if let Some((a, b)) = &floor_lines {
                for (k, line) in [a, b].into_iter().enumerate() {
                    root.draw(&Text::new(
                        line.clone(),
                        (
                            px1 - ox + 8,
                            py - oy - NOTE_PX as i32 - 2 + k as i32 * (NOTE_PX as i32 + 4),
                        ),
                        t.text(NOTE_PX, MUTED, HPos::Left),
                    ))?;
                }
            }
        }
        for l in &self.lines {
            let pts: Vec<(f64, f64)> = l.xs.iter().copied().zip(l.mid.iter().copied()).collect();
            chart.draw_series(LineSeries::new(pts.clone(), l.color.stroke_width(3)))?;
            chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 4, l.color.filled())))?;
        }
        Ok(())
    }
}

/// The metrics charted: stem, what the y axis shows (English, Chinese),
/// its kind, and which statistic of an outcome.
type Metric = (&'static str, [&'static str; 2], YKind, fn(&sweep::Outcome) -> Stat);

const CHARTED: [Metric; 3] = [
    (
        "sweep_mean_income",
        ["Mean operating income per village", "村均经营性收入"],
        YKind::Yuan,
        |o| o.mean_income,
    ),
    (
        "sweep_full_coverage",
        [
            "Probability that every village is at the floor",
            "所有村均达到底线的概率",
        ],
        YKind::Percent,
        |o| o.full_coverage,
    ),
    (
        "sweep_below_floor",
        ["Villages below the floor", "低于底线的村庄数"],
        YKind::Count,
        |o| o.below_floor,
    ),
];

fn bounds(kind: YKind, s: &Stat) -> (f64, f64, f64) {
    match kind {
        // A probability: the band is the Monte Carlo uncertainty.
        YKind::Percent => (s.mean, (s.mean - 2.0 * s.se).max(0.0), (s.mean + 2.0 * s.se).min(1.0)),
        _ => (s.mean, s.p5, s.p95),
    }
}

/// The words of the sweep charts that are not in [`Labels`].
struct SweepWords {
    lang: Lang,
}

impl SweepWords {
    fn what(&self, w: [&'static str; 2]) -> &'static str {
        match self.lang {
            Lang::En => w[0],
            Lang::Zh => w[1],
        }
    }

    /// "in 2030" / "2030年"; a sweep over the horizon has no single year.
    fn year(&self, final_year: Option<i32>) -> String {
        match (self.lang, final_year) {
            (Lang::En, Some(y)) => format!("in {y}"),
            (Lang::En, None) => "in the final year".to_string(),
            (Lang::Zh, Some(y)) => format!("{y}年"),
            (Lang::Zh, None) => "末年".to_string(),
        }
    }

    fn title(&self, what: &str, year: &str, param: &str, policy: Option<&str>) -> String {
        match (self.lang, policy) {
            (Lang::En, None) => format!("{what} {year} by {param}"),
            (Lang::En, Some(p)) => format!("{what} {year}: \"{p}\""),
            (Lang::Zh, None) => format!("{year}{what}随 {param} 的变化"),
            (Lang::Zh, Some(p)) => format!("{year}{what}：“{p}”"),
        }
    }

    fn subtitle(&self, name: &str, runs: &str, lines: Option<&str>) -> String {
        match (self.lang, lines) {
            (Lang::En, None) => {
                format!("Scenario: {name}; {runs} runs per point, the same random numbers at every point")
            }
            (Lang::En, Some(l)) => {
                format!("Scenario: {name}; {runs} runs per point, the same random numbers at every point; lines: {l}")
            }
            (Lang::Zh, None) => format!("情景：{name}；每点模拟 {runs} 次，各点使用相同的随机数"),
            (Lang::Zh, Some(l)) => {
                format!("情景：{name}；每点模拟 {runs} 次，各点使用相同的随机数；各线：{l}")
            }
        }
    }

    /// Short y axis title: the chart's title says the year.
    fn y_desc(&self, kind: YKind, unit: &MoneyUnit) -> String {
        match (self.lang, kind) {
            (Lang::En, YKind::Yuan) => "Mean income per village (yuan)".to_string(),
            (Lang::En, YKind::Percent) => "P(every village at the floor)".to_string(),
            (Lang::En, YKind::Count) => "Villages below the floor".to_string(),
            (Lang::Zh, YKind::Yuan) => format!("村均收入（{}）", unit.name(Lang::Zh)),
            (Lang::Zh, YKind::Percent) => "所有村达到底线的概率".to_string(),
            (Lang::Zh, YKind::Count) => Labels::ZH.villages_below_floor.to_string(),
        }
    }

    fn two_se(&self) -> &'static str {
        match self.lang {
            Lang::En => "± 2 standard errors",
            Lang::Zh => "± 2 倍标准误",
        }
    }
}

/// Writes the charts of a sweep into `dir/charts`; `policy` is the policy
/// charted when two parameters are swept.
pub fn write_sweep_charts(
    result: &SweepResult,
    policy: usize,
    dir: &Path,
    lang: Lang,
) -> Result<Vec<PathBuf>, OutputError> {
    let labels = Labels::new(lang);
    let words = SweepWords { lang };
    let mut written = Vec::new();
    let runs = grouped(result.runs as f64, 0);
    let name = shorten(&result.scenario_name, 50);
    let param = shorten(&result.axes[0].path.text, 60);
    for (stem, what, kind, stat) in CHARTED {
        let year = words.year(result.final_year);
        let lines: Vec<Line> = if result.axes.len() == 1 {
            result
                .policies
                .iter()
                .enumerate()
                .map(|(p, label)| {
                    let mut l = Line {
                        label: labels.policy_name(label),
                        color: policy_color(p),
                        xs: Vec::new(),
                        mid: Vec::new(),
                        lo: Vec::new(),
                        hi: Vec::new(),
                    };
                    for point in &result.points {
                        let (m, lo, hi) = bounds(kind, &stat(&point.outcomes[p]));
                        l.xs.push(point.values[0]);
                        l.mid.push(m);
                        l.lo.push(lo);
                        l.hi.push(hi);
                    }
                    l
                })
                .collect()
        } else {
            let second = &result.axes[1];
            second
                .values
                .iter()
                .enumerate()
                .map(|(j, v2)| {
                    let mut l = Line {
                        label: format!("{} = {}", last_key(&second.path.text), sweep::show(second, *v2)),
                        color: policy_color(j + 1),
                        xs: Vec::new(),
                        mid: Vec::new(),
                        lo: Vec::new(),
                        hi: Vec::new(),
                    };
                    for point in result.points.iter().filter(|pt| pt.values[1] == *v2) {
                        let (m, lo, hi) = bounds(kind, &stat(&point.outcomes[policy]));
                        l.xs.push(point.values[0]);
                        l.mid.push(m);
                        l.lo.push(lo);
                        l.hi.push(hi);
                    }
                    l
                })
                .collect()
        };
        let floor_yuan = matches!(kind, YKind::Yuan).then_some(result.floor_yuan);
        let largest = lines
            .iter()
            .flat_map(|l| l.lo.iter().chain(&l.hi).copied())
            .chain(floor_yuan)
            .filter(|v| v.is_finite())
            .fold(0.0f64, |a, v| a.max(v.abs()));
        let unit = MoneyUnit::for_axis(lang, largest);
        let what = words.what(what);
        let title = if result.axes.len() == 1 {
            words.title(what, &year, last_key(&param), None)
        } else {
            let policy_name = shorten(&labels.policy_name(&result.policies[policy]), 30);
            words.title(what, &year, last_key(&param), Some(&policy_name))
        };
        let subtitle = words.subtitle(
            &name,
            &runs,
            result.axes.get(1).map(|second| short_path(&second.path.text)),
        );
        let fig = SweepFigure {
            result,
            labels,
            unit,
            title,
            subtitle,
            y_desc: words.y_desc(kind, &unit),
            y_kind: kind,
            mid_label: labels.mean,
            band_label: match kind {
                YKind::Percent => words.two_se(),
                _ => labels.p90_band,
            },
            lines,
            floor_yuan,
        };
        written.extend(write_figure(&fig, dir, stem)?);
    }
    Ok(written)
}

/// `interventions.fund.return_rate_per_year` -> `fund.return_rate_per_year`.
fn short_path(path: &str) -> &str {
    path.strip_prefix("interventions.").unwrap_or(path)
}

/// `interventions.fund.return_rate_per_year` -> `return_rate_per_year`.
fn last_key(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

// ---------------------------------------------------------------------------
// Tornado

struct Tornado<'a> {
    r: &'a SensitivityResult,
    rows: usize,
    lang: Lang,
}

impl Tornado<'_> {
    fn label(&self, i: usize) -> String {
        let input = &self.r.inputs[i];
        use crate::model::param::Per;
        let per = match (self.lang, input.per) {
            (_, Some(Per::Run) | None) => String::new(),
            (Lang::En, Some(p)) => format!(" (per {})", p.as_str()),
            (Lang::Zh, Some(Per::Village)) => "（每村）".to_string(),
            (Lang::Zh, Some(Per::Year)) => "（每年）".to_string(),
            (Lang::Zh, Some(Per::VillageYear)) => "（每村每年）".to_string(),
        };
        shorten(&format!("{}{per}", input.name), 46)
    }
}

const TORNADO_TOP: u32 = 96;
const TORNADO_BOTTOM: u32 = 78;

impl Figure for Tornado<'_> {
    fn height(&self) -> u32 {
        TORNADO_TOP + TORNADO_BOTTOM + TORNADO_ROW_H * self.rows.max(3) as u32 + 24
    }

    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, t: Typo) -> DrawResult<(), DB> {
        let r = self.r;
        let w = TornadoWords::new(self.lang);
        let legend = vec![vec![
            item(Swatch::Band(LOW_COLOR, 0.85), w.at_p10),
            item(Swatch::Band(HIGH_COLOR, 0.85), w.at_p90),
            item(
                Swatch::Line(TEXT),
                format!("{}{}", w.as_in_file, money_exact(self.lang, r.baseline_median)),
            ),
        ]];
        let policy = shorten(&Labels::new(self.lang).policy_name(&r.policy), 34);
        let name = shorten(&r.scenario_name, 40);
        let runs = grouped(r.runs as f64, 0);
        let (title, subtitle) = match self.lang {
            Lang::En => (
                format!("What drives mean village income in {} under \"{policy}\"", r.final_year),
                format!(
                    "Scenario: {name}; median over {runs} runs, each input at its P10 and P90, the others as in the file"
                ),
            ),
            Lang::Zh => (
                format!("{}年“{policy}”下村均收入的主要影响因素", r.final_year),
                format!("情景：{name}；{runs} 次模拟的中位数，每个输入分别取 P10 和 P90，其余取文件中的值"),
            ),
        };
        let top = draw_header(
            root,
            t,
            &fit(&title, TITLE_PX, HEADER_W),
            &fit(&subtitle, SUBTITLE_PX, HEADER_W),
            &legend,
        )?;
        if self.rows == 0 {
            root.draw(&Text::new(
                w.no_inputs.to_string(),
                (WIDTH as i32 / 2, top + 60),
                t.text(AXIS_TITLE_PX, MUTED, HPos::Center),
            ))?;
            return Ok(());
        }
        let shown = &r.inputs[..self.rows];
        let (lo, hi) = shown
            .iter()
            .flat_map(|i| [i.median_at_p10, i.median_at_p90])
            .chain([r.baseline_median])
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
        let span = (hi - lo).max(hi.abs().max(1.0) * 0.01);
        // Room at both ends for the input values written beside the bars.
        let (x0, x1) = (lo - 0.22 * span, hi + 0.22 * span);
        let label_w = (0..self.rows)
            .map(|i| text_width(&self.label(i), TICK_PX))
            .max()
            .unwrap_or(40)
            .min(330);
        let body = root.margin(top, 0, 0, 0);
        let n = self.rows as f64;
        let unit = MoneyUnit::for_axis(self.lang, x0.abs().max(x1.abs()));
        let xtick = |v: &f64| money_tick(&unit, *v);
        let mut chart = build_plot(
            &body,
            Frame::new(28, label_w + 14).top(4),
            chart_axis(x0, x1),
            chart_axis(0.0, n),
        )?;
        mesh(&mut chart, t)
            .x_labels(6)
            .y_labels(0)
            .disable_y_mesh()
            .x_label_formatter(&xtick)
            .x_desc(match self.lang {
                Lang::En => format!("Median mean operating income per village in {} (yuan)", r.final_year),
                Lang::Zh => format!("{}年村均经营性收入的中位数（{}）", r.final_year, unit.name(Lang::Zh)),
            })
            .draw()?;
        let (ox, oy) = root.get_base_pixel();
        let px = |x: f64, y: f64| {
            let (a, b) = chart.backend_coord(&(x, y));
            (a - ox, b - oy)
        };
        let base = r.baseline_median;
        for (i, input) in shown.iter().enumerate() {
            let yc = n - i as f64 - 0.5;
            let (y_top, y_bottom) = (yc + 0.32, yc - 0.32);
            for (m, color) in [(input.median_at_p10, LOW_COLOR), (input.median_at_p90, HIGH_COLOR)] {
                if m != base {
                    root.draw(&Rectangle::new(
                        [px(base.min(m), y_top), px(base.max(m), y_bottom)],
                        color.mix(0.85).filled(),
                    ))?;
                }
            }
            // The input's values beside the ends of its bar.
            let ends = [
                (input.median_at_p10, input.p10, LOW_COLOR),
                (input.median_at_p90, input.p90, HIGH_COLOR),
            ];
            let (left, right) = if input.median_at_p10 <= input.median_at_p90 {
                (ends[0], ends[1])
            } else {
                (ends[1], ends[0])
            };
            let (lx, ly) = px(left.0.min(base), yc);
            root.draw(&Text::new(
                short_number(left.1),
                (lx - 5, ly - (0.62 * NOTE_PX) as i32),
                t.text(NOTE_PX, left.2, HPos::Right),
            ))?;
            let (rx, _) = px(right.0.max(base), yc);
            root.draw(&Text::new(
                short_number(right.1),
                (rx + 5, ly - (0.62 * NOTE_PX) as i32),
                t.text(NOTE_PX, right.2, HPos::Left),
            ))?;
            // Input name, right-aligned left of the plot.
            let (plot_left, _) = px(x0, yc);
            root.draw(&Text::new(
                self.label(i),
                (plot_left - 8, ly - (0.62 * TICK_PX) as i32),
                t.text(TICK_PX, TEXT, HPos::Right),
            ))?;
        }
        let (bx, btop) = px(base, n);
        let (_, bbottom) = px(base, 0.0);
        root.draw(&PathElement::new(vec![(bx, btop), (bx, bbottom)], TEXT.stroke_width(2)))?;
        if r.inputs.len() > self.rows {
            let (_, y) = px(x0, 0.0);
            root.draw(&Text::new(
                match self.lang {
                    Lang::En => format!(
                        "{} more inputs with smaller swings: see sensitivity.csv",
                        r.inputs.len() - self.rows
                    ),
                    Lang::Zh => format!(
                        "另有 {} 个影响较小的输入，见 sensitivity.csv",
                        r.inputs.len() - self.rows
                    ),
                },
                (MARGIN_X, y + 50),
                t.text(NOTE_PX, MUTED, HPos::Left),
            ))?;
        }
        Ok(())
    }
}

/// Fixed words of the tornado chart.
struct TornadoWords {
    at_p10: &'static str,
    at_p90: &'static str,
    /// Followed by the amount.
    as_in_file: &'static str,
    no_inputs: &'static str,
}

impl TornadoWords {
    const EN: TornadoWords = TornadoWords {
        at_p10: "input at its P10",
        at_p90: "input at its P90",
        as_in_file: "every input as in the file: ",
        no_inputs: "no uncertain inputs in the file",
    };
    const ZH: TornadoWords = TornadoWords {
        at_p10: "输入取 P10",
        at_p90: "输入取 P90",
        as_in_file: "各输入取文件中的值：",
        no_inputs: "文件中没有不确定输入",
    };

    fn new(lang: Lang) -> TornadoWords {
        match lang {
            Lang::En => TornadoWords::EN,
            Lang::Zh => TornadoWords::ZH,
        }
    }
}

/// Writes `charts/tornado.svg` and `.png` into `dir`.
pub fn write_tornado(result: &SensitivityResult, dir: &Path, lang: Lang) -> Result<Vec<PathBuf>, OutputError> {
    let fig = Tornado {
        r: result,
        rows: result.inputs.len().min(TORNADO_MAX_ROWS),
        lang,
    };
    write_figure(&fig, dir, "tornado")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{sensitivity, Scenario, Settings};

    fn quickstart() -> Scenario {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.toml");
        Scenario::read(&path).unwrap()
    }

    fn settings() -> Settings {
        Settings {
            runs: Some(16),
            seed: None,
            threads: 1,
            ..Default::default()
        }
    }

    fn assert_written(dir: &Path, names: &[PathBuf], stems: &[&str]) {
        assert_eq!(names.len(), 2 * stems.len());
        for stem in stems {
            for ext in ["svg", "png"] {
                let path = dir.join(format!("charts/{stem}.{ext}"));
                let len = std::fs::metadata(&path).unwrap().len();
                assert!(len > 1000, "{} is {len} bytes", path.display());
            }
        }
    }

    #[test]
    fn chinese_sweep_and_tornado_are_written() {
        let scenario = quickstart();
        let dir = tempfile::tempdir().unwrap();
        let spec = sweep::SweepSpec::parse(&["targets.floor=30万:60万:3".into()]).unwrap();
        let result = sweep::run(&scenario, &spec, &settings(), &|| ()).unwrap();
        let names = write_sweep_charts(&result, result.policies.len() - 1, dir.path(), Lang::Zh).unwrap();
        assert_written(
            dir.path(),
            &names,
            &["sweep_mean_income", "sweep_full_coverage", "sweep_below_floor"],
        );
        let svg = std::fs::read_to_string(dir.path().join("charts/sweep_mean_income.svg")).unwrap();
        assert!(svg.contains("村均经营性收入"), "no Chinese title");
        assert!(svg.contains("万元"));

        let options = sensitivity::Options {
            policy: None,
            samples: 0,
        };
        let result = sensitivity::run(&scenario, &settings(), &options, &|| ()).unwrap();
        let names = write_tornado(&result, dir.path(), Lang::Zh).unwrap();
        assert_written(dir.path(), &names, &["tornado"]);
        let svg = std::fs::read_to_string(dir.path().join("charts/tornado.svg")).unwrap();
        assert!(svg.contains("主要影响因素"), "no Chinese title");
    }

    #[test]
    fn font_covers_chinese_words() {
        use ab_glyph::{Font, FontRef};
        let font = FontRef::try_from_slice(crate::charts::FONT_BYTES).unwrap();
        let w = SweepWords { lang: Lang::Zh };
        let wan = MoneyUnit::for_axis(Lang::Zh, 1e6);
        let t = TornadoWords::ZH;
        let mut texts: Vec<String> = CHARTED.iter().map(|(_, what, ..)| w.what(*what).to_string()).collect();
        texts.extend([
            w.year(Some(2030)),
            w.year(None),
            w.title("村均经营性收入", "2030年", "x", None),
            w.title("村均经营性收入", "2030年", "x", Some("p")),
            w.subtitle("n", "1,000", Some("l")),
            w.y_desc(YKind::Yuan, &wan),
            w.y_desc(YKind::Yuan, &MoneyUnit::for_axis(Lang::Zh, 1.0)),
            w.y_desc(YKind::Percent, &wan),
            w.y_desc(YKind::Count, &wan),
            w.two_se().to_string(),
            t.at_p10.to_string(),
            t.at_p90.to_string(),
            t.as_in_file.to_string(),
            t.no_inputs.to_string(),
            money_exact(Lang::Zh, 763_900.0),
            money_exact(Lang::Zh, 5_000.0),
            "2030年“p”下村均收入的主要影响因素".to_string(),
            "情景：n；1,000 次模拟的中位数，每个输入分别取 P10 和 P90，其余取文件中的值".to_string(),
            "2030年村均经营性收入的中位数（万元）".to_string(),
            "另有 3 个影响较小的输入，见 sensitivity.csv".to_string(),
            "（每村）（每年）（每村每年）".to_string(),
            Labels::ZH.threshold_lines(Labels::ZH.floor, 500_000.0).1,
        ]);
        for text in &texts {
            for c in text.chars().filter(|c| !c.is_whitespace()) {
                assert_ne!(font.glyph_id(c).0, 0, "no glyph for {c:?} in {text:?}");
            }
        }
    }
}
