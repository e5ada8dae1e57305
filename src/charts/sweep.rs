//! The charts of a parameter sweep: a headline outcome against the swept
//! value, one line with its band per policy (or per value of a second swept
//! parameter). `analysis::sweep` hands them a [`SweepInput`].

use super::*;
use crate::format::{about_count, money_sig, pct_cell};

/// A swept parameter as its charts see it.
pub struct SweepAxis<'a> {
    /// Its path in the scenario file.
    pub path: &'a str,
    /// The same in words, in the chart's language ("消薄基金的年回报率").
    pub label: &'a str,
    pub values: &'a [f64],
    /// A value of it for people (`6%`, `3,500`).
    pub show: &'a dyn Fn(f64) -> String,
}

/// The headline outcomes of one policy at one point of a sweep.
#[derive(Debug, Clone, Copy)]
pub struct SweepOutcome {
    pub mean_income: Stat,
    pub full_coverage: Stat,
    pub below_floor: Stat,
}

/// One point of a sweep: the values of its axes and an outcome per policy.
pub struct SweepPoint {
    pub values: Vec<f64>,
    pub outcomes: Vec<SweepOutcome>,
}

/// What the sweep charts read.
pub struct SweepInput<'a> {
    pub scenario_name: &'a str,
    /// The year of the outcomes; `None` when the horizon itself is swept.
    pub final_year: Option<i32>,
    pub runs: u64,
    /// The floor, yuan; `None` when the sweep moves it.
    pub floor_yuan: Option<f64>,
    /// One or two swept parameters.
    pub axes: Vec<SweepAxis<'a>>,
    pub policies: &'a [String],
    pub points: Vec<SweepPoint>,
}

/// Height of a sweep chart, pixels.
const SWEEP_HEIGHT: u32 = 500;

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
    result: &'a SweepInput<'a>,
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

impl DrawChart for SweepFigure<'_> {
    fn height(&self) -> u32 {
        SWEEP_HEIGHT
    }

    fn draw_chart<DB: DrawingBackend>(&self, root: &Area<DB>, t: Typo) -> DrawResult<(), DB> {
        root.fill(&WHITE)?;
        let axis = &self.result.axes[0];
        let top = self.draw_titles(root, t)?;
        let floor_lines = self.floor_lines();
        let right = floor_lines.as_ref().map_or(36, |(_, b)| text_width(b, NOTE_PX) + 20);
        let (x0, x1) = self.x_range();
        let (ylo, yhi) = self.y_range();
        let (kind, unit) = (self.y_kind, self.unit);
        let ytick = move |v: &f64| y_tick(kind, &unit, *v);
        let xtick = |v: &f64| (axis.show)(*v);
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
            .x_desc(shorten(axis.label, 80))
            .y_desc(self.y_desc.clone())
            .draw()?;
        self.draw_bands(&mut chart)?;
        if let Some(floor) = self.floor_yuan.filter(|f| *f > ylo && *f < yhi) {
            draw_floor(root, &chart, floor, (x0, x1), floor_lines.as_ref(), t)?;
        }
        for l in &self.lines {
            let pts: Vec<(f64, f64)> = l.xs.iter().copied().zip(l.mid.iter().copied()).collect();
            chart.draw_series(LineSeries::new(pts.clone(), l.color.stroke_width(3)))?;
            chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 4, l.color.filled())))?;
        }
        Ok(())
    }
}

impl SweepFigure<'_> {
    /// Title, subtitle and legend; returns the height they take.
    fn draw_titles<DB: DrawingBackend>(&self, root: &Area<DB>, t: Typo) -> DrawResult<i32, DB> {
        let banded = self.banded();
        let suffix = if banded.len() < self.lines.len() {
            match self.labels.lang {
                Lang::En => " (first, middle and last line)",
                Lang::Zh => "（仅首、中、末三条线）",
            }
        } else {
            ""
        };
        let rows = vec![
            self.lines
                .iter()
                .enumerate()
                .map(|(k, l)| {
                    let swatch = if banded.contains(&k) {
                        Swatch::BandLine(l.color)
                    } else {
                        Swatch::Line(l.color)
                    };
                    item(swatch, l.label.clone())
                })
                .collect(),
            vec![
                item(Swatch::Line(MUTED), self.mid_label.to_string()),
                item(
                    Swatch::Band(MUTED, BAND_OUTER_ALPHA + 0.07),
                    format!("{}{suffix}", self.band_label),
                ),
            ],
        ];
        let subtitle = fit(&self.subtitle, SUBTITLE_PX, HEADER_W);
        draw_header(root, t, &self.title, &subtitle, &rows)
    }

    /// The two lines of the floor's label, when the chart shows the floor.
    fn floor_lines(&self) -> Option<(String, String)> {
        self.floor_yuan
            .map(|f| self.labels.threshold_lines(self.labels.floor, f))
    }

    /// The swept values with a little room at both ends, so the end points
    /// are not on the frame.
    fn x_range(&self) -> (f64, f64) {
        let (x0, x1) = self.result.axes[0]
            .values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
        let pad = if x1 > x0 {
            (x1 - x0) * 0.03
        } else {
            x0.abs().max(1.0) * 0.1
        };
        (x0 - pad, x1 + pad)
    }

    fn y_range(&self) -> (f64, f64) {
        match self.y_kind {
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
        }
    }

    /// The lines drawn with their band: all up to [`MAX_BANDS`], else the
    /// first, the middle and the last.
    fn banded(&self) -> Vec<usize> {
        let n = self.lines.len();
        if n <= MAX_BANDS {
            (0..n).collect()
        } else {
            vec![0, n / 2, n - 1]
        }
    }

    /// The bands of [`Self::banded`]; a single point gets a bar.
    fn draw_bands<DB: DrawingBackend>(&self, chart: &mut Chart2d<DB>) -> DrawResult<(), DB> {
        let fade = 1.0;
        let banded = self.banded();
        for (_, l) in self.lines.iter().enumerate().filter(|(k, _)| banded.contains(k)) {
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
        Ok(())
    }
}

/// The floor across the plot from `x0` to `x1`, labelled right of the plot
/// as on the charts of a run.
fn draw_floor<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &Chart2d<DB>,
    floor: f64,
    (x0, x1): (f64, f64),
    floor_lines: Option<&(String, String)>,
    t: Typo,
) -> DrawResult<(), DB> {
    let (ox, oy) = root.get_base_pixel();
    let (px0, py) = chart.backend_coord(&(x0, floor));
    let (px1, _) = chart.backend_coord(&(x1, floor));
    dashed(root, (px0 - ox, py - oy), (px1 - ox + 3, py - oy), MUTED, (9, 5))?;
    if let Some((a, b)) = floor_lines {
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
    Ok(())
}

/// The metrics charted: stem, what the y axis shows (English, Chinese),
/// its kind, and which statistic of an outcome.
type Metric = (&'static str, [&'static str; 2], YKind, fn(&SweepOutcome) -> Stat);

const CHARTED: [Metric; 3] = [
    (
        "sweep_below_floor",
        ["Villages below the floor", "低于底线的村庄数"],
        YKind::Count,
        |o| o.below_floor,
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
        "sweep_mean_income",
        ["Mean operating income per village", "村均经营性收入"],
        YKind::Yuan,
        |o| o.mean_income,
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
    /// The metric's name (the tests check the font covers it).
    #[cfg(test)]
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

    /// A figure of `kind` in a title, rounded to what it supports:
    /// "about 14" / "约 14 个", "none", "20%", "52万元".
    fn figure(&self, kind: YKind, s: &Stat) -> String {
        match (kind, self.lang) {
            (YKind::Count, Lang::En) if s.mean < 0.005 => "none".into(),
            (YKind::Count, Lang::Zh) if s.mean < 0.005 => "0 个".into(),
            (YKind::Count, Lang::En) => format!("about {}", about_count(s.mean, s.se)),
            (YKind::Count, Lang::Zh) => format!("约 {} 个", about_count(s.mean, s.se)),
            (YKind::Percent, _) => pct_cell(s.mean),
            (YKind::Yuan, _) => money_sig(self.lang, s.mean),
        }
    }

    /// What a chart of `kind` measures, as the subject of its title, and
    /// whether it is plural: "Villages below 500,000 yuan in 2030 under
    /// “fund”" / "“fund”下2030年低于50万元的村".
    fn subject(&self, kind: YKind, floor: &str, year: &str, policy: &str) -> (String, bool) {
        match (self.lang, kind) {
            (Lang::En, YKind::Count) => (format!("Villages below {floor} {year} under “{policy}”"), true),
            (Lang::En, YKind::Percent) => (
                format!("The chance that every village is at the floor {year} under “{policy}”"),
                false,
            ),
            (Lang::En, YKind::Yuan) => (format!("Mean village income {year} under “{policy}”"), false),
            (Lang::Zh, YKind::Count) => (format!("“{policy}”下{year}低于{floor}的村"), true),
            (Lang::Zh, YKind::Percent) => (format!("“{policy}”下{year}所有村均达到底线的概率"), false),
            (Lang::Zh, YKind::Yuan) => (format!("“{policy}”下{year}村均经营性收入"), false),
        }
    }

    /// The title of a one-parameter chart, its message: how the subject
    /// moves from figure `x` at the first value `a` of `param` to `y` at
    /// the last `b`; `moved`: the order of the two figures' means, `Equal`
    /// when their rounded figures read the same.
    fn line_title(
        &self,
        (subject, plural): (String, bool),
        param: &str,
        (a, b): (&str, &str),
        (x, y): (&str, &str),
        moved: std::cmp::Ordering,
    ) -> String {
        use std::cmp::Ordering::*;
        match self.lang {
            Lang::En => {
                let verb = match moved {
                    Less => "fall",
                    Greater => "rise",
                    Equal => "stay",
                };
                let s = if plural { "" } else { "s" };
                match moved {
                    Equal => format!("{subject}: {x} at {param} {a} and at {b}"),
                    _ => format!("{subject} {verb}{s} from {x} to {y} as {param} goes from {a} to {b}"),
                }
            }
            Lang::Zh => match moved {
                Equal => format!("{param}为 {a} 和 {b} 时，{subject}均为{x}"),
                Less => format!("{param}从 {a} 到 {b}，{subject}由{x}降至{y}"),
                Greater => format!("{param}从 {a} 到 {b}，{subject}由{x}升至{y}"),
            },
        }
    }

    /// The title of a two-parameter chart: the range of the subject over
    /// the grid.
    fn grid_title(&self, (subject, plural): (String, bool), (x, y): (&str, &str)) -> String {
        match self.lang {
            Lang::En if x == y => format!("{subject}: {x} at every point of the grid"),
            Lang::En => {
                let s = if plural { "" } else { "s" };
                format!("{subject} range{s} from {x} to {y} over the grid")
            }
            Lang::Zh if x == y => format!("{subject}在各参数组合下均为{x}"),
            Lang::Zh => format!("{subject}在各参数组合间为{x}至{y}"),
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

/// The title of each sweep chart, its message computed from the data, by
/// file stem, in the order the charts are written: for one parameter, how
/// the outcome under `policy` moves from its first to its last value; for
/// two, its range over the grid under `policy`.
pub fn sweep_titles(result: &SweepInput, policy: usize, lang: Lang) -> Vec<(String, String)> {
    let labels = Labels::new(lang);
    let words = SweepWords { lang };
    let year = words.year(result.final_year);
    let floor = result.floor_yuan.map_or_else(
        || match lang {
            Lang::En => "the floor".to_string(),
            Lang::Zh => "底线".to_string(),
        },
        |f| money_sig(lang, f),
    );
    let name = shorten(&labels.policy_name(&result.policies[policy]), 30);
    let axis = &result.axes[0];
    let param = shorten(axis.label, 60);
    CHARTED
        .iter()
        .map(|(stem, _, kind, stat)| {
            let subject = words.subject(*kind, &floor, &year, &name);
            let of = |pt: &SweepPoint| stat(&pt.outcomes[policy]);
            let title = if result.axes.len() == 1 {
                let (first, last) = (&result.points[0], &result.points[result.points.len() - 1]);
                let (sa, sb) = (of(first), of(last));
                let (x, y) = (words.figure(*kind, &sa), words.figure(*kind, &sb));
                let moved = if x == y {
                    std::cmp::Ordering::Equal
                } else {
                    sa.mean.total_cmp(&sb.mean)
                };
                let moved = moved.reverse();
                let (a, b) = ((axis.show)(first.values[0]), (axis.show)(last.values[0]));
                words.line_title(subject, &param, (&a, &b), (&x, &y), moved)
            } else {
                let by_mean = |p: &&SweepPoint, q: &&SweepPoint| of(p).mean.total_cmp(&of(q).mean);
                let lo = result.points.iter().min_by(by_mean).map(of).unwrap_or_default();
                let hi = result.points.iter().max_by(by_mean).map(of).unwrap_or_default();
                words.grid_title(subject, (&words.figure(*kind, &lo), &words.figure(*kind, &hi)))
            };
            (stem.to_string(), title)
        })
        .collect()
}

/// Writes the charts of a sweep into `dir` as `<stem>.svg` and `<stem>.png`
/// and returns them (names relative to `dir`, with the SVG text); `policy`
/// is the policy the titles speak of, and the one charted when two
/// parameters are swept.
pub fn write_sweep_charts(
    result: &SweepInput,
    policy: usize,
    dir: &Path,
    lang: Lang,
) -> Result<Vec<WrittenChart>, ChartError> {
    ensure_fonts()?;
    let labels = Labels::new(lang);
    let words = SweepWords { lang };
    let mut written = Vec::new();
    let runs = grouped(result.runs as f64, 0);
    let name = shorten(result.scenario_name, 50);
    let titles = sweep_titles(result, policy, lang);
    for ((stem, _, kind, stat), (_, title)) in CHARTED.into_iter().zip(titles) {
        let lines = sweep_lines(result, policy, kind, stat, &labels);
        let floor_yuan = result.floor_yuan.filter(|_| matches!(kind, YKind::Yuan));
        let largest = lines
            .iter()
            .flat_map(|l| l.lo.iter().chain(&l.hi).copied())
            .chain(floor_yuan)
            .filter(|v| v.is_finite())
            .fold(0.0f64, |a, v| a.max(v.abs()));
        let unit = MoneyUnit::for_axis(lang, largest);
        let subtitle = words.subtitle(&name, &runs, result.axes.get(1).map(|second| second.label));
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
        write_chart(&fig, dir, stem, &mut written)?;
    }
    Ok(written)
}

/// The lines of a sweep chart of the statistic `stat` (shown as `kind`):
/// one per policy, or for two swept parameters one per value of the second
/// for policy `policy`.
fn sweep_lines(
    result: &SweepInput,
    policy: usize,
    kind: YKind,
    stat: fn(&SweepOutcome) -> Stat,
    labels: &Labels,
) -> Vec<Line> {
    if result.axes.len() == 1 {
        result
            .policies
            .iter()
            .enumerate()
            .map(|(p, label)| {
                let points = result.points.iter();
                Line::through(labels.policy_name(label), policy_color(p), points, kind, |pt| {
                    stat(&pt.outcomes[p])
                })
            })
            .collect()
    } else {
        let second = &result.axes[1];
        second
            .values
            .iter()
            .enumerate()
            .map(|(j, v2)| {
                let label = format!("{} = {}", second.label, (second.show)(*v2));
                let points = result.points.iter().filter(|pt| pt.values[1] == *v2);
                Line::through(label, policy_color(j + 1), points, kind, |pt| {
                    stat(&pt.outcomes[policy])
                })
            })
            .collect()
    }
}

impl Line {
    /// The line through `points` (x: the first swept value), with the
    /// middle and bounds of `kind` of the statistic `stat` of each.
    fn through<'p>(
        label: String,
        color: RGBColor,
        points: impl Iterator<Item = &'p SweepPoint>,
        kind: YKind,
        stat: impl Fn(&SweepPoint) -> Stat,
    ) -> Line {
        let mut l = Line {
            label,
            color,
            xs: Vec::new(),
            mid: Vec::new(),
            lo: Vec::new(),
            hi: Vec::new(),
        };
        for point in points {
            let (m, lo, hi) = bounds(kind, &stat(point));
            l.xs.push(point.values[0]);
            l.mid.push(m);
            l.lo.push(lo);
            l.hi.push(hi);
        }
        l
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::tests::assert_glyphs;

    #[test]
    fn font_covers_chinese_words() {
        use ab_glyph::FontRef;
        let font = FontRef::try_from_slice(FONT_BYTES).unwrap();
        let w = SweepWords { lang: Lang::Zh };
        let wan = MoneyUnit::for_axis(Lang::Zh, 1e6);
        let mut texts: Vec<String> = CHARTED.iter().map(|(_, what, ..)| w.what(*what).to_string()).collect();
        texts.extend([
            w.year(Some(2030)),
            w.year(None),
            w.line_title(
                w.subject(YKind::Count, "50万元", "2030年", "p"),
                "x",
                ("4%", "10%"),
                ("约 14 个", "约 9 个"),
                std::cmp::Ordering::Less,
            ),
            w.line_title(
                w.subject(YKind::Percent, "50万元", "2030年", "p"),
                "x",
                ("4%", "10%"),
                ("0%", "20%"),
                std::cmp::Ordering::Greater,
            ),
            w.line_title(
                w.subject(YKind::Yuan, "50万元", "2030年", "p"),
                "x",
                ("4%", "10%"),
                ("52万元", "52万元"),
                std::cmp::Ordering::Equal,
            ),
            w.grid_title(
                w.subject(YKind::Count, "50万元", "2030年", "p"),
                ("约 9 个", "约 14 个"),
            ),
            w.grid_title(w.subject(YKind::Count, "50万元", "2030年", "p"), ("0 个", "0 个")),
            w.subtitle("n", "1,000", Some("l")),
            w.y_desc(YKind::Yuan, &wan),
            w.y_desc(YKind::Yuan, &MoneyUnit::for_axis(Lang::Zh, 1.0)),
            w.y_desc(YKind::Percent, &wan),
            w.y_desc(YKind::Count, &wan),
            w.two_se().to_string(),
            Labels::ZH.threshold_lines(Labels::ZH.floor, 500_000.0).1,
        ]);
        assert_glyphs(&font, &texts);
    }
}
