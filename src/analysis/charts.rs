//! Charts of sweeps and sensitivity analyses, as SVG and PNG (800 px wide),
//! drawn with the fonts, palette and text helpers of [`crate::charts`].
//! Labels are in English.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::sensitivity::{short_number, SensitivityResult};
use super::sweep::{self, SweepResult};
use crate::charts::{
    band, dashed, draw_header, ensure_fonts, group_thousands, policy_color, shorten, text_width, value_range,
    y_label_area, DrawResult, GlyphText, LegendItem, Swatch, Typo, AXIS, AXIS_TITLE_PX, BAND_OUTER_ALPHA, GRID,
    MARGIN_X, MUTED, NOTE_PX, SUBTITLE_PX, TEXT, TICK_PX, TITLE_PX, WIDTH,
};
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
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: Typo) -> DrawResult<(), DB>;
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
    title: String,
    subtitle: String,
    y_desc: String,
    y_kind: YKind,
    mid_label: &'static str,
    band_label: &'static str,
    lines: Vec<Line>,
    floor_yuan: Option<f64>,
}

fn y_tick(kind: YKind, v: f64) -> String {
    match kind {
        YKind::Yuan => group_thousands(v, 0),
        YKind::Percent => {
            let pct = v * 100.0;
            format!("{}%", group_thousands(pct, crate::charts::decimals_for(pct).min(1)))
        }
        YKind::Count => {
            if (v - v.round()).abs() < 1e-9 {
                group_thousands(v, 0)
            } else {
                group_thousands(v, 1)
            }
        }
    }
}

impl Figure for SweepFigure<'_> {
    fn height(&self) -> u32 {
        SWEEP_HEIGHT
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: Typo) -> DrawResult<(), DB> {
        let axis = &self.result.axes[0];
        let rows = vec![
            self.lines
                .iter()
                .map(|l| LegendItem {
                    swatch: Swatch::BandLine(l.color),
                    label: l.label.clone(),
                })
                .collect(),
            vec![
                LegendItem {
                    swatch: Swatch::Line(MUTED),
                    label: self.mid_label.to_string(),
                },
                LegendItem {
                    swatch: Swatch::Band(MUTED, BAND_OUTER_ALPHA + 0.07),
                    label: self.band_label.to_string(),
                },
            ],
        ];
        let title = fit(&self.title, TITLE_PX, HEADER_W);
        let subtitle = fit(&self.subtitle, SUBTITLE_PX, HEADER_W);
        let top = draw_header(root, t, &title, &subtitle, &rows)?;
        let floor_lines = self
            .floor_yuan
            .map(|f| ("floor".to_string(), format!("{} yuan", group_thousands(f, 0))));
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
        let kind = self.y_kind;
        let ytick = move |v: &f64| y_tick(kind, *v);
        let xtick = |v: &f64| sweep::show(axis, *v);
        let body = root.margin(top, 0, 0, 0);
        let mut chart = ChartBuilder::on(&body)
            .margin_right(right)
            .margin_top(6)
            .margin_bottom(8)
            .margin_left(MARGIN_X - 8)
            .x_label_area_size(52)
            .y_label_area_size(y_label_area([ylo, yhi, (ylo + yhi) / 2.0].iter().map(ytick)))
            .build_cartesian_2d(x0..x1, ylo..yhi)?;
        chart
            .configure_mesh()
            .x_labels(axis.values.len().clamp(2, 10))
            .y_labels(8)
            .x_label_formatter(&xtick)
            .y_label_formatter(&ytick)
            .x_desc(shorten(&axis.path.text, 80))
            .y_desc(self.y_desc.clone())
            .label_style(t.font(TICK_PX).color(&TEXT))
            .axis_desc_style(t.font(AXIS_TITLE_PX).color(&TEXT))
            .bold_line_style(GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(AXIS.stroke_width(1))
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

/// The metrics charted: stem, what the y axis shows, its kind, which
/// statistic of an outcome, and whether the band is P5–P95 (else ±2 se).
type Metric = (&'static str, &'static str, YKind, fn(&sweep::Outcome) -> Stat);

const CHARTED: [Metric; 3] = [
    (
        "sweep_mean_income",
        "Mean operating income per village",
        YKind::Yuan,
        |o| o.mean_income,
    ),
    (
        "sweep_full_coverage",
        "Probability that every village is at the floor",
        YKind::Percent,
        |o| o.full_coverage,
    ),
    ("sweep_below_floor", "Villages below the floor", YKind::Count, |o| {
        o.below_floor
    }),
];

fn bounds(kind: YKind, s: &Stat) -> (f64, f64, f64) {
    match kind {
        // A probability: the band is the Monte Carlo uncertainty.
        YKind::Percent => (s.mean, (s.mean - 2.0 * s.se).max(0.0), (s.mean + 2.0 * s.se).min(1.0)),
        _ => (s.mean, s.p5, s.p95),
    }
}

/// Writes the charts of a sweep into `dir/charts`; `policy` is the policy
/// charted when two parameters are swept.
pub fn write_sweep_charts(result: &SweepResult, policy: usize, dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
    let mut written = Vec::new();
    let runs = group_thousands(result.runs as f64, 0);
    let name = shorten(&result.scenario_name, 50);
    let param = shorten(&result.axes[0].path.text, 60);
    for (stem, what, kind, stat) in CHARTED {
        // A sweep over the horizon has no single final year.
        let year = match result.final_year {
            Some(y) => format!("in {y}"),
            None => "in the final year".to_string(),
        };
        // Short: the title says the year.
        let y_desc = match kind {
            YKind::Yuan => "Mean income per village (yuan)",
            YKind::Percent => "P(every village at the floor)",
            YKind::Count => "Villages below the floor",
        }
        .to_string();
        let lines: Vec<Line> = if result.axes.len() == 1 {
            result
                .policies
                .iter()
                .enumerate()
                .map(|(p, label)| {
                    let mut l = Line {
                        label: crate::charts::Labels::EN.policy_name(label),
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
        let title = if result.axes.len() == 1 {
            format!("{what} {year} by {}", last_key(&param))
        } else {
            format!("{what} {year}: \"{}\"", shorten(&result.policies[policy], 30))
        };
        let subtitle = match result.axes.get(1) {
            None => format!("Scenario: {name}; {runs} runs per point, the same random numbers at every point"),
            Some(second) => format!(
                "Scenario: {name}; {runs} runs per point, the same random numbers at every point; lines: {}",
                short_path(&second.path.text)
            ),
        };
        let fig = SweepFigure {
            result,
            title,
            subtitle,
            y_desc,
            y_kind: kind,
            mid_label: "mean",
            band_label: match kind {
                YKind::Percent => "± 2 standard errors",
                _ => "P5–P95 of runs",
            },
            lines,
            floor_yuan: matches!(kind, YKind::Yuan).then_some(result.floor_yuan),
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
}

impl Tornado<'_> {
    fn label(&self, i: usize) -> String {
        let input = &self.r.inputs[i];
        let per = match input.per {
            Some(crate::scenario::param::Per::Run) | None => String::new(),
            Some(p) => format!(" (per {})", p.as_str()),
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

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: Typo) -> DrawResult<(), DB> {
        let r = self.r;
        let legend = vec![vec![
            LegendItem {
                swatch: Swatch::Band(LOW_COLOR, 0.85),
                label: "input at its P10".into(),
            },
            LegendItem {
                swatch: Swatch::Band(HIGH_COLOR, 0.85),
                label: "input at its P90".into(),
            },
            LegendItem {
                swatch: Swatch::Line(TEXT),
                label: format!(
                    "every input as in the file: {} yuan",
                    group_thousands(r.baseline_median, 0)
                ),
            },
        ]];
        let title = format!(
            "What drives mean village income in {} under \"{}\"",
            r.final_year,
            shorten(&r.policy, 34)
        );
        let subtitle = format!(
            "Scenario: {}; median over {} runs, each input at its P10 and P90, the others as in the file",
            shorten(&r.scenario_name, 40),
            group_thousands(r.runs as f64, 0)
        );
        let top = draw_header(
            root,
            t,
            &fit(&title, TITLE_PX, HEADER_W),
            &fit(&subtitle, SUBTITLE_PX, HEADER_W),
            &legend,
        )?;
        if self.rows == 0 {
            root.draw(&Text::new(
                "no uncertain inputs in the file".to_string(),
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
        let xtick = |v: &f64| group_thousands(*v, 0);
        let mut chart = ChartBuilder::on(&body)
            .margin_right(28)
            .margin_top(4)
            .margin_bottom(8)
            .margin_left(MARGIN_X - 8)
            .x_label_area_size(52)
            .y_label_area_size(label_w + 14)
            .build_cartesian_2d(x0..x1, 0.0..n)?;
        chart
            .configure_mesh()
            .x_labels(6)
            .y_labels(0)
            .disable_y_mesh()
            .x_label_formatter(&xtick)
            .x_desc(format!(
                "Median mean operating income per village in {} (yuan)",
                r.final_year
            ))
            .label_style(t.font(TICK_PX).color(&TEXT))
            .axis_desc_style(t.font(AXIS_TITLE_PX).color(&TEXT))
            .bold_line_style(GRID.stroke_width(1))
            .light_line_style(TRANSPARENT)
            .axis_style(AXIS.stroke_width(1))
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
                format!(
                    "{} more inputs with smaller swings: see sensitivity.csv",
                    r.inputs.len() - self.rows
                ),
                (MARGIN_X, y + 50),
                t.text(NOTE_PX, MUTED, HPos::Left),
            ))?;
        }
        Ok(())
    }
}

/// Writes `charts/tornado.svg` and `.png` into `dir`.
pub fn write_tornado(result: &SensitivityResult, dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
    let fig = Tornado {
        r: result,
        rows: result.inputs.len().min(TORNADO_MAX_ROWS),
    };
    write_figure(&fig, dir, "tornado")
}
