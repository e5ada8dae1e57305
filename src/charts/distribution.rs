//! The final-year income distribution chart.

use super::*;
use crate::summary::histogram::{hist_quantile, nonpositive_share, rebin, rebin_log};

// --- final-year distribution ---------------------------------------------------

/// A "nice" bin width of about `span / target`.
pub(crate) fn nice_width(span: f64, target: f64) -> f64 {
    let raw = (span / target).max(f64::MIN_POSITIVE);
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|w| *w >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * mag)
}

/// Ratio of the 99.5th percentile to the 0.5th (or to a small positive
/// value) above which the distribution is drawn on a log axis.
pub(crate) const LOG_AXIS_RATIO: f64 = 20.0;
/// The log axis starts no lower than this fraction of its top.
pub(crate) const LOG_AXIS_MIN_FRACTION: f64 = 1e-3;
/// Largest share of villages at or below 0 that a log axis may leave off.
pub(crate) const LOG_AXIS_MAX_NONPOSITIVE: f64 = 0.10;

/// Whether incomes from `lo` to `hi` (P0.5 and P99.5) with a share
/// `nonpositive` at or below 0 are better shown on a log axis.
pub(crate) fn wants_log_axis(lo: f64, hi: f64, nonpositive: f64) -> bool {
    hi > 0.0 && nonpositive <= LOG_AXIS_MAX_NONPOSITIVE && hi / lo.max(hi * LOG_AXIS_MIN_FRACTION) > LOG_AXIS_RATIO
}

pub(crate) fn draw_distribution<DB: DrawingBackend>(root: &Area<DB>, ctx: &Ctx, t: Typo) -> DrawResult<(), DB> {
    let r = ctx.r;
    let l = &ctx.l;
    // At most three overlaid histograms: past three policies, no
    // intervention and the two that leave the fewest villages below the floor.
    let shown = shown_policies(r);
    let rows = vec![policy_legend(ctx, Swatch::Outline)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| shown.contains(i))
        .map(|(_, it)| it)
        .collect::<Vec<_>>()];
    let subtitle = if shown.len() < r.policies.len() {
        format!("{}{}", l.subtitle(r, true), l.bands_of_best)
    } else {
        l.subtitle(r, true)
    };
    let top = draw_header(root, t, &l.distribution_title(r), &subtitle, &rows)?;
    let Some(range) = income_range(r) else {
        return no_data(root, ctx, t, top);
    };
    let bins = Bins::new(r, range);
    let (shares, clamped_any, off_axis) = shares(r, &bins);
    let notes = notes(l, clamped_any, &off_axis);
    let ymax = shares.iter().flatten().copied().fold(0.0f64, f64::max).max(1.0);
    let yhi = ymax * 1.08;

    let unit = MoneyUnit::for_axis(l.lang, bins.x_lo.abs().max(bins.edges[bins.count()].abs()));
    let xtick = |v: &f64| unit.tick(*v);
    let ytick = |v: &f64| grouped(*v, decimals_for(*v));
    let body = root.margin(top, 0, 0, 0);
    let bottom_note = NOTE_LINE_H * notes.len() as i32 + if notes.is_empty() { 0 } else { 4 };
    let mut chart = build_plot(
        &body,
        Frame::new(36, y_label_area([0.0, yhi].iter().map(ytick)))
            .top(6 + NOTE_LINE_H + 6)
            .bottom(8 + bottom_note),
        chart_axis(bins.x_lo, bins.x_hi),
        chart_axis(0.0, yhi),
    )?;
    let what = if bins.log_axis {
        MoneyWhat::FinalIncomeLog
    } else {
        MoneyWhat::FinalIncome
    };
    mesh(&mut chart, t)
        // Log-axis ticks are drawn below, at 1-2-5 × 10^k yuan.
        .x_labels(if bins.log_axis { 0 } else { 7 })
        .y_labels(7)
        .x_label_formatter(&xtick)
        .y_label_formatter(&ytick)
        .x_desc(l.money_axis(what, &unit, r))
        .y_desc(l.share_of_villages)
        .disable_x_mesh()
        .draw()?;

    if bins.log_axis {
        draw_log_ticks(root, &chart, &bins, unit, t)?;
    }
    draw_outlines(&mut chart, &shares, &bins, &shown)?;
    draw_threshold_marks(root, &chart, ctx, &bins, yhi, t)?;
    draw_notes(root, &notes, t)
}

/// The common range of the policies' final-year incomes (from the lowest
/// 0.5th to the highest 99.5th percentile) and the largest share at or
/// below 0; `None` when no policy has a histogram.
fn income_range(r: &Results) -> Option<(f64, f64, f64)> {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    let mut nonpositive: f64 = 0.0;
    for p in &r.policies {
        if let (Some(a), Some(b)) = (
            hist_quantile(&p.final_income_histogram, 0.005),
            hist_quantile(&p.final_income_histogram, 0.995),
        ) {
            lo = lo.min(a);
            hi = hi.max(b);
            nonpositive = nonpositive.max(nonpositive_share(&p.final_income_histogram));
        }
    }
    lo.is_finite().then_some((lo, hi, nonpositive))
}

/// The bins of the chart: their edges in yuan, and the chart's x range in
/// yuan or, on a log axis, in log10(yuan).
struct Bins {
    log_axis: bool,
    edges: Vec<f64>,
    x_lo: f64,
    x_hi: f64,
}

impl Bins {
    /// About 40 bins over the range `(lo, hi, nonpositive)` of
    /// [`income_range`], widened to show the floor and the weak threshold.
    /// A wide, right-skewed spread (a few rich villages, most near the
    /// floor) goes on a log axis.
    fn new(r: &Results, (mut lo, mut hi, nonpositive): (f64, f64, f64)) -> Bins {
        let log_axis = wants_log_axis(lo, hi, nonpositive);
        for v in [r.floor_yuan, r.weak_yuan].into_iter().filter_map(finite) {
            if !log_axis || v > 0.0 {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        if log_axis {
            let la = lo.max(hi * LOG_AXIS_MIN_FRACTION).log10();
            let lb = hi.log10();
            let span = lb - la;
            let (la, lb) = (la - span * 0.02, lb + span * 0.02);
            // Bins per decade, so there are about 40 bins, aligned on decades.
            let per_decade = (40.0 / (lb - la)).round().clamp(2.0, 40.0);
            let d = 1.0 / per_decade;
            let a = (la / d).floor() * d;
            let nbins = (((lb - a) / d).ceil() as usize).max(1);
            Bins {
                log_axis,
                edges: (0..=nbins).map(|k| 10f64.powf(a + d * k as f64)).collect(),
                x_lo: a,
                x_hi: a + d * nbins as f64,
            }
        } else {
            if hi - lo <= 0.0 {
                let pad = hi.abs().max(1.0) * 0.1;
                lo -= pad;
                hi += pad;
            }
            let span = hi - lo;
            lo -= span * 0.02;
            hi += span * 0.02;
            let w = nice_width(hi - lo, 40.0);
            let lo = (lo / w).floor() * w;
            let nbins = (((hi - lo) / w).ceil() as usize).max(1);
            Bins {
                log_axis,
                edges: (0..=nbins).map(|k| lo + w * k as f64).collect(),
                x_lo: lo,
                x_hi: lo + w * nbins as f64,
            }
        }
    }

    fn count(&self) -> usize {
        self.edges.len() - 1
    }

    /// Chart x of an amount in yuan.
    fn x(&self, yuan: f64) -> f64 {
        if self.log_axis {
            yuan.log10()
        } else {
            yuan
        }
    }
}

/// Each policy's share (%) of villages in each bin; whether mass outside
/// the bins was moved into the outermost ones; and, on a log axis, each
/// policy's share (%) of villages at or below 0 (not on the axis).
fn shares(r: &Results, bins: &Bins) -> (Vec<Vec<f64>>, bool, Vec<f64>) {
    let edges = &bins.edges;
    let mut clamped_any = false;
    let mut off_axis: Vec<f64> = Vec::new();
    let shares: Vec<Vec<f64>> = r
        .policies
        .iter()
        .map(|p| {
            let (counts, nonpos) = if bins.log_axis {
                let (counts, nonpos, clamped) = rebin_log(&p.final_income_histogram, edges);
                clamped_any |= clamped;
                (counts, nonpos)
            } else {
                let (counts, clamped) = rebin(&p.final_income_histogram, bins.x_lo, edges[1] - edges[0], bins.count());
                clamped_any |= clamped;
                (counts, 0.0)
            };
            let total: f64 = counts.iter().sum::<f64>() + nonpos;
            if bins.log_axis && total > 0.0 {
                off_axis.push(100.0 * nonpos / total);
            }
            counts
                .iter()
                .map(|c| if total > 0.0 { 100.0 * c / total } else { 0.0 })
                .collect()
        })
        .collect();
    (shares, clamped_any, off_axis)
}

/// The notes below the chart: tails moved into the outermost bins, and the
/// share of villages at or below 0 off a log axis (when it would print as
/// more than 0.0%).
fn notes(l: &Labels, clamped_any: bool, off_axis: &[f64]) -> Vec<String> {
    let (off_lo, off_hi) = off_axis
        .iter()
        .fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(*v), b.max(*v)));
    let off_note = (off_hi >= 0.005).then(|| l.nonpositive_note(off_lo, off_hi));
    [clamped_any.then(|| l.tails_note.to_string()), off_note]
        .into_iter()
        .flatten()
        .collect()
}

/// Ticks of a log x axis at 1-2-5 × 10^k yuan.
fn draw_log_ticks<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &Chart2d<DB>,
    bins: &Bins,
    unit: MoneyUnit,
    t: Typo,
) -> DrawResult<(), DB> {
    let (ox, oy) = root.get_base_pixel();
    let px = |x: f64| chart.backend_coord(&(x, 0.0)).0 - ox;
    let (_, axis_y) = chart.backend_coord(&(bins.x_lo, 0.0));
    let axis_y = axis_y - oy;
    for (v, label) in log_ticks(bins.x_lo, bins.x_hi, |v| unit.log_tick(v), px) {
        let x = px(v.log10());
        root.draw(&PathElement::new(
            vec![(x, axis_y), (x, axis_y + 5)],
            AXIS.stroke_width(1),
        ))?;
        root.draw(&Text::new(label, (x, axis_y + 8), t.text(TICK_PX, TEXT, HPos::Center)))?;
    }
    Ok(())
}

/// Each policy's histogram as a lightly filled outline.
fn draw_outlines<DB: DrawingBackend>(
    chart: &mut Chart2d<DB>,
    shares: &[Vec<f64>],
    bins: &Bins,
    shown: &[usize],
) -> DrawResult<(), DB> {
    for (i, s) in shares.iter().enumerate().filter(|(i, _)| shown.contains(i)) {
        let c = policy_color(i);
        let mut outline = vec![(bins.x_lo, 0.0)];
        for (k, v) in s.iter().enumerate() {
            outline.push((bins.x(bins.edges[k]), *v));
            outline.push((bins.x(bins.edges[k + 1]), *v));
        }
        outline.push((bins.x_hi, 0.0));
        band_drawn();
        chart.draw_series(std::iter::once(Polygon::new(outline.clone(), c.mix(0.10).filled())))?;
        chart.draw_series(LineSeries::new(outline, c.stroke_width(2)))?;
    }
    Ok(())
}

/// Threshold lines, labelled just above the plot: the lower one (weak)
/// left of its line, the higher one (floor) right of it, so they part.
fn draw_threshold_marks<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &Chart2d<DB>,
    ctx: &Ctx,
    bins: &Bins,
    yhi: f64,
    t: Typo,
) -> DrawResult<(), DB> {
    let (ox, oy) = root.get_base_pixel();
    let (_, top_px) = chart.backend_coord(&(bins.x_lo, yhi));
    let (_, bottom_px) = chart.backend_coord(&(bins.x_lo, 0.0));
    let (top_px, bottom_px) = (top_px - oy, bottom_px - oy);
    let mut items: Vec<Threshold> = thresholds(ctx)
        .into_iter()
        .filter(|it| !bins.log_axis || it.0 > 0.0)
        .collect();
    items.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n_items = items.len();
    let mut taken: Vec<(i32, i32)> = Vec::new();
    for (k, (v, word, line, text, dash)) in items.into_iter().enumerate() {
        let x = chart.backend_coord(&(bins.x(v), 0.0)).0 - ox;
        dashed(root, (x, top_px - 4), (x, bottom_px), line, dash)?;
        let label = ctx.l.threshold(word, v);
        let w = text_width(&label, NOTE_PX);
        let right = (x + 6, x + 6 + w);
        let left = (x - 6 - w, x - 6);
        let fits = |(a, b): (i32, i32)| a >= 4 && b <= WIDTH as i32 - 4;
        let prefer_right = k + 1 == n_items;
        let span = match (prefer_right, fits(right), fits(left)) {
            (true, true, _) | (false, true, false) => right,
            _ => left,
        };
        let clash = taken.iter().any(|&(a, b)| span.0 < b + 8 && a < span.1 + 8);
        let y = if clash { top_px + 4 } else { top_px - 6 - NOTE_PX as i32 };
        boxed_text(root, t, &label, (span.0, y), HPos::Left, text)?;
        taken.push(span);
    }
    Ok(())
}

/// `notes` in lines at the bottom of the chart.
fn draw_notes<DB: DrawingBackend>(root: &Area<DB>, notes: &[String], t: Typo) -> DrawResult<(), DB> {
    let n_notes = notes.len() as i32;
    for (k, note) in notes.iter().enumerate() {
        root.draw(&Text::new(
            note.clone(),
            (
                MARGIN_X,
                HEIGHT as i32 - 6 - NOTE_PX as i32 - 4 - (n_notes - 1 - k as i32) * NOTE_LINE_H,
            ),
            t.text(NOTE_PX, MUTED, HPos::Left),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_axis_for_wide_skewed_spreads() {
        assert!(wants_log_axis(-50.0, 4e6, 0.05));
        assert!(!wants_log_axis(-50.0, 4e6, 0.3));
        assert!(!wants_log_axis(2e5, 1e6, 0.0));
        assert!(MoneyUnit { divisor: 10_000.0 }.log_tick(200.0) == "0.02");
    }

    #[test]
    fn nice_widths() {
        let w = nice_width(1_234_567.0, 40.0);
        assert!((1_234_567.0 / w) > 30.0 && (1_234_567.0 / w) <= 40.0, "{w}");
    }
}
