//! Axes: bounds, ranges, the [`Axis`] coordinate and tick choice (log ticks too).

use super::*;
use crate::format::grouped_exact;

/// Largest magnitude an axis reaches: beyond it a value is drawn at the
/// axis edge. Far above any figure of a run (see [`crate::limits`]), and far
/// enough below `f64::MAX` that spans, padding and tick steps stay finite.
pub(crate) const AXIS_LIMIT: f64 = 1e300;

/// Bounds for an axis from `a` to `b`: finite, within ±[`AXIS_LIMIT`],
/// ordered, and with a span that is not lost to rounding against their
/// magnitude (so tick steps are never zero or infinite). NaN counts as 0.
pub(crate) fn axis_bounds(a: f64, b: f64) -> (f64, f64) {
    let fix = |v: f64| {
        if v.is_nan() {
            0.0
        } else {
            v.clamp(-AXIS_LIMIT, AXIS_LIMIT)
        }
    };
    let (a, b) = (fix(a), fix(b));
    let (lo, hi) = (a.min(b), a.max(b));
    let magnitude = lo.abs().max(hi.abs());
    if hi - lo > magnitude * 1e-9 && hi - lo > 1e-12 {
        return (lo, hi);
    }
    let centre = lo / 2.0 + hi / 2.0;
    let half = (magnitude * 0.05).max(0.5);
    ((centre - half).max(-AXIS_LIMIT), (centre + half).min(AXIS_LIMIT))
}

/// A linear axis of `f64` that cannot hang or overflow, whatever it is
/// given: plotters' own loops for ever on an infinite span and overflows
/// mapping a value far outside its range. Its bounds come from
/// [`axis_bounds`]; a value outside them maps at most two spans beyond the
/// edge (NaN to the start), so pixel coordinates stay near the chart. Inside
/// its range it maps and ticks exactly like plotters' [`RangedCoordf64`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Axis {
    pub(crate) lo: f64,
    pub(crate) hi: f64,
}

/// The [`Axis`] from `a` to `b`.
pub(crate) fn chart_axis(a: f64, b: f64) -> Axis {
    let (lo, hi) = axis_bounds(a, b);
    Axis { lo, hi }
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let f = if v.is_nan() {
            0.0
        } else {
            ((v - self.lo) / (self.hi - self.lo)).clamp(-2.0, 3.0)
        };
        let len = limit.1 as f64 - limit.0 as f64;
        let d = if len >= 0.0 {
            (len * f + 1e-3).floor()
        } else {
            (len * f - 1e-3).ceil()
        };
        (limit.0 as f64 + d).clamp(i32::MIN as f64 / 2.0, i32::MAX as f64 / 2.0) as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Bounded: the span is finite and well above the rounding of the bounds.
        let points = hint.max_num_points().min(1_000);
        RangedCoordf64::from(self.lo..self.hi).key_points(points)
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// Padded axis range covering `values`; never empty.
pub(crate) fn value_range(values: impl Iterator<Item = f64>, include_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let span = hi - lo;
    let pad = if span > 0.0 {
        span * 0.06
    } else {
        hi.abs().max(1.0) * 0.1
    };
    let lo = if include_zero && lo >= 0.0 { lo } else { lo - pad };
    (lo, hi + pad)
}

/// Width of the y label area: widest tick label plus room for the rotated
/// axis title.
pub(crate) fn y_label_area(labels: impl Iterator<Item = String>) -> i32 {
    let widest = labels.map(|s| text_width(&s, TICK_PX)).max().unwrap_or(20);
    widest + 14 + (AXIS_TITLE_PX * 1.6) as i32
}

/// Integer year ticks: at most `max` of them, every 1, 2, 5, 10… years.
pub(crate) fn year_tick_count(first: i32, last: i32) -> usize {
    let n = (i64::from(last) - i64::from(first)).max(0) as usize + 1;
    n.clamp(2, 12)
}

/// Ticks of a log axis from `10^a` to `10^b` yuan at 1-2-5 × 10^k, thinned
/// (to 1 × 10^k, then every other decade…) until labels `gap` pixels apart
/// never touch. `px` maps log10(yuan) to a pixel.
pub(crate) fn log_ticks(a: f64, b: f64, label: impl Fn(f64) -> String, px: impl Fn(f64) -> i32) -> Vec<(f64, String)> {
    let gap = 12;
    let candidates: [(&[f64], i32); 5] = [
        (&[1.0, 2.0, 5.0], 1),
        (&[1.0, 3.0], 1),
        (&[1.0], 1),
        (&[1.0], 2),
        (&[1.0], 3),
    ];
    // Decades of finite yuan only (10^-324 to 10^309), so the loop is short.
    if !(a.is_finite() && b.is_finite()) {
        return Vec::new();
    }
    let (a, b) = (a.clamp(-330.0, 310.0), b.clamp(-330.0, 310.0));
    let mut last = Vec::new();
    for (mults, step) in candidates {
        let mut ticks = Vec::new();
        let mut k = a.floor() as i32;
        while k as f64 <= b.ceil() {
            if k.rem_euclid(step) == 0 {
                for m in mults {
                    let v = m * 10f64.powi(k);
                    let lv = v.log10();
                    if lv >= a - 1e-9 && lv <= b + 1e-9 {
                        ticks.push((v, label(v)));
                    }
                }
            }
            k += 1;
        }
        let fits = ticks.windows(2).all(|w| {
            let (x0, x1) = (px(w[0].0.log10()), px(w[1].0.log10()));
            let half = (text_width(&w[0].1, TICK_PX) + text_width(&w[1].1, TICK_PX)) / 2;
            x1 - x0 >= half + gap
        });
        if fits && ticks.len() >= 2 {
            return ticks;
        }
        last = ticks;
    }
    last
}

pub(crate) type Chart2d<'a, DB> = ChartContext<'a, DB, Cartesian2d<Axis, Axis>>;

/// Plot rectangle of a chart in `root`'s pixels: (left, top, right, bottom).
pub(crate) fn plot_rect<DB: DrawingBackend>(root: &Area<DB>, chart: &Chart2d<DB>) -> (i32, i32, i32, i32) {
    let (ox, oy) = root.get_base_pixel();
    let (xr, yr) = (chart.x_range(), chart.y_range());
    let (x0, top) = chart.backend_coord(&(xr.start, yr.end));
    let (x1, bottom) = chart.backend_coord(&(xr.end, yr.start));
    (x0 - ox, top - oy, x1 - ox, bottom - oy)
}

/// A point of the chart in `root`'s pixels.
pub(crate) fn px<DB: DrawingBackend>(root: &Area<DB>, chart: &Chart2d<DB>, x: f64, y: f64) -> (i32, i32) {
    let (ox, oy) = root.get_base_pixel();
    let (a, b) = chart.backend_coord(&(x, y));
    (a - ox, b - oy)
}

/// Year tick label, blank between whole years.
pub(crate) fn year_tick(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-6 {
        format!("{:.0}", v)
    } else {
        String::new()
    }
}

pub(crate) fn pct_tick(v: &f64) -> String {
    grouped_exact(*v)
}

/// A padded range over `values` that also covers `always`.
pub(crate) fn padded(values: impl Iterator<Item = f64>, always: &[f64], pad_share: f64) -> (f64, f64) {
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

/// Room around a plot in the body below a chart's header: the right, top
/// and bottom margins and the width of the y label area. The left margin
/// and the x label area are the same on every chart.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub(crate) right: i32,
    pub(crate) top: i32,
    pub(crate) bottom: i32,
    pub(crate) y_labels: i32,
}

impl Frame {
    /// `right` pixels right of the plot and `y_labels` for the y labels;
    /// 6 above and 8 below.
    pub(crate) fn new(right: i32, y_labels: i32) -> Frame {
        Frame {
            right,
            top: 6,
            bottom: 8,
            y_labels,
        }
    }

    pub(crate) fn top(self, top: i32) -> Frame {
        Frame { top, ..self }
    }

    pub(crate) fn bottom(self, bottom: i32) -> Frame {
        Frame { bottom, ..self }
    }
}

/// The plot of a chart in `body`, laid out by `frame`, from `x` and `y`.
pub(crate) fn build_plot<'a, DB: DrawingBackend>(
    body: &'a DrawingArea<DB, Shift>,
    frame: Frame,
    x: Axis,
    y: Axis,
) -> DrawResult<Chart2d<'a, DB>, DB> {
    ChartBuilder::on(body)
        .margin_right(frame.right)
        .margin_top(frame.top)
        .margin_bottom(frame.bottom)
        .margin_left(MARGIN_X - 8)
        .x_label_area_size(52)
        .y_label_area_size(frame.y_labels)
        .build_cartesian_2d(x, y)
}

/// The mesh of `chart` in the house style (tick and axis title text, grid,
/// axis lines); the caller adds its ticks and titles and draws it.
pub(crate) fn mesh<'a, 'b, DB: DrawingBackend>(
    chart: &'b mut Chart2d<'a, DB>,
    t: Typo,
) -> MeshStyle<'a, 'b, Axis, Axis, DB> {
    let mut m = chart.configure_mesh();
    m.label_style(t.font(TICK_PX).color(&TEXT))
        .axis_desc_style(t.font(AXIS_TITLE_PX).color(&TEXT))
        .bold_line_style(GRID.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(AXIS.stroke_width(1));
    m
}

/// Tick of a 0–100 % axis: blank outside 0 to 100.
pub(crate) fn pct_tick_0_100(v: &f64) -> String {
    if *v < 0.0 || *v > 100.0 {
        String::new()
    } else {
        pct_tick(v)
    }
}
