//! The fan chart of mean income by year.

use super::*;
use crate::format::money_sig;

// --- fan chart --------------------------------------------------------------

pub(crate) fn draw_fan<DB: DrawingBackend>(root: &Area<DB>, ctx: &Ctx, t: Typo) -> DrawResult<(), DB> {
    let r = ctx.r;
    let l = &ctx.l;
    // One P5–P95 band per policy; past three policies, overlapping bands
    // hide each other: bands for no intervention and the two policies that
    // leave the fewest villages below the floor only (lines for all), and
    // the legend says so.
    let shown = shown_policies(r);
    let suffix = if shown.len() < r.policies.len() {
        l.bands_of_best
    } else {
        ""
    };
    let mut second = vec![
        item(Swatch::Line(MUTED), l.median.to_string()),
        item(Swatch::Band(MUTED, BAND_INNER_ALPHA), format!("{}{suffix}", l.p90_band)),
    ];
    let observed = observed_mean(r);
    if observed.is_some() {
        second.push(item(Swatch::Marker(TEXT), l.observed.to_string()));
    }
    let rows = vec![policy_legend_banded(ctx, &shown), second];
    let top = draw_header(root, t, &l.fan_title(r), &l.subtitle(r, false), &rows)?;

    let series = fan_series(r);
    if series.iter().all(|(_, xs, _)| xs.is_empty()) {
        return no_data(root, ctx, t, top);
    }

    let (ylo, yhi) = value_range(
        series
            .iter()
            .flat_map(|(_, _, q)| q[0].iter().chain(q[4].iter()).copied())
            .chain([r.floor_yuan, r.weak_yuan].into_iter().filter_map(finite))
            .chain(observed.map(|o| o.1)),
        true,
    );
    let unit = MoneyUnit::for_axis(l.lang, ylo.abs().max(yhi.abs()));
    let (x0, x1) = (
        r.baseline_year as f64,
        r.final_year.max(r.baseline_year.saturating_add(1)) as f64,
    );

    let body = root.margin(top, 0, 0, 0);
    let ytick = |v: &f64| unit.tick(*v);
    let mut chart = build_plot(
        &body,
        Frame::new(
            (threshold_label_width(ctx) + 24).max(24),
            y_label_area([ylo, yhi, (ylo + yhi) / 2.0].iter().map(&ytick)),
        ),
        chart_axis(x0, x1),
        chart_axis(ylo, yhi),
    )?;
    mesh(&mut chart, t)
        .x_labels(year_tick_count(r.baseline_year, r.final_year))
        .y_labels(8)
        .x_label_formatter(&|v| format!("{:.0}", v))
        .y_label_formatter(&ytick)
        .x_desc(l.year)
        .y_desc(l.money_axis(MoneyWhat::MeanIncome, &unit, r))
        .draw()?;

    draw_fans(&mut chart, &series, &shown)?;
    threshold_hlines(root, &chart, ctx, t)?;
    if let Some((year, v)) = observed {
        draw_observed(
            root,
            &chart,
            t,
            (year as f64, v),
            &l.observed_value(money_sig(l.lang, v)),
        )?;
    }
    Ok(())
}

/// A policy's years with their P5, P25, P50, P75 and P95 of mean income.
type FanSeries = (usize, Vec<f64>, [Vec<f64>; 5]);

/// Each policy's years (those with all five quantiles finite) and quantiles.
fn fan_series(r: &Results) -> Vec<FanSeries> {
    r.policies
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut xs = Vec::new();
            let mut q: [Vec<f64>; 5] = Default::default();
            for y in &p.years {
                let s = &y.mean_income_yuan;
                let vals = [s.p5, s.p25, s.p50, s.p75, s.p95];
                if vals.iter().all(|v| v.is_finite()) {
                    xs.push(y.year as f64);
                    for (k, v) in vals.iter().enumerate() {
                        q[k].push(*v);
                    }
                }
            }
            (i, xs, q)
        })
        .collect()
}

/// The observed mean village income of the backtest (the same for every
/// policy: one observation), with its year.
pub(crate) fn observed_mean(r: &Results) -> Option<(i32, f64)> {
    r.policies
        .iter()
        .filter_map(|p| p.backtest.as_ref())
        .find_map(|b| {
            b.observed_mean_village_income_yuan
                .filter(|v| v.is_finite())
                .map(|v| (b.year, v))
        })
        .filter(|(y, _)| (r.baseline_year..=r.final_year).contains(y))
}

/// The P5–P95 bands of the `shown` policies, then every policy's median line.
fn draw_fans<DB: DrawingBackend>(chart: &mut Chart2d<DB>, series: &[FanSeries], shown: &[usize]) -> DrawResult<(), DB> {
    for (i, xs, q) in series.iter().filter(|(i, _, _)| shown.contains(i)) {
        let c = policy_color(*i);
        chart.draw_series(std::iter::once(Polygon::new(
            band(xs, &q[0], &q[4]),
            c.mix(BAND_INNER_ALPHA).filled(),
        )))?;
    }
    for (i, xs, q) in series {
        let c = policy_color(*i);
        chart.draw_series(LineSeries::new(
            xs.iter().copied().zip(q[2].iter().copied()),
            c.stroke_width(3),
        ))?;
    }
    Ok(())
}

/// A threshold line: value (yuan), word, line colour, text colour, dash
/// (on, off pixels).
pub(crate) type Threshold = (f64, &'static str, RGBColor, RGBColor, (i32, i32));

/// Threshold lines of a run: the floor, and the weak line when different.
pub(crate) fn thresholds(ctx: &Ctx) -> Vec<Threshold> {
    let r = ctx.r;
    let mut out = Vec::new();
    if r.floor_yuan.is_finite() {
        out.push((r.floor_yuan, ctx.l.floor, FLOOR_LINE, TEXT, (9, 5)));
    }
    if r.weak_yuan.is_finite() && r.weak_yuan != r.floor_yuan {
        out.push((r.weak_yuan, ctx.l.weak, WEAK_LINE, MUTED, (4, 4)));
    }
    out
}

/// Room right of the plot for the labels of [`threshold_hlines`].
pub(crate) fn threshold_label_width(ctx: &Ctx) -> i32 {
    thresholds(ctx)
        .iter()
        .flat_map(|(v, word, ..)| {
            let (a, b) = ctx.l.threshold_lines(word, *v);
            [text_width(&a, NOTE_PX), text_width(&b, NOTE_PX)]
        })
        .max()
        .unwrap_or(0)
}

pub(crate) const NOTE_LINE_H: i32 = NOTE_PX as i32 + 4;

/// Floor and weak-threshold lines across a chart whose y axis is yuan,
/// labelled in the margin right of the plot (never over the data).
pub(crate) fn threshold_hlines<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &ChartContext<DB, Cartesian2d<Axis, Axis>>,
    ctx: &Ctx,
    t: Typo,
) -> DrawResult<(), DB> {
    let (xr, yr) = (chart.x_range(), chart.y_range());
    let (ox, oy) = root.get_base_pixel();
    let (x0, top) = chart.backend_coord(&(xr.start, yr.end));
    let (x1, bottom) = chart.backend_coord(&(xr.end, yr.start));
    let (x0, x1, top, bottom) = (x0 - ox, x1 - ox, top - oy, bottom - oy);
    let block_h = 2 * NOTE_LINE_H;
    // Label blocks centred on their lines, then pushed apart where they
    // would overlap, and kept beside the plot.
    let mut items: Vec<_> = thresholds(ctx)
        .into_iter()
        .map(|(v, word, line, text, dash)| {
            let y = chart.backend_coord(&(xr.start, v)).1 - oy;
            (y, y - block_h / 2, v, word, line, text, dash)
        })
        .filter(|it| it.0 >= top && it.0 <= bottom)
        .collect();
    items.sort_by_key(|it| it.0);
    for i in 1..items.len() {
        let overlap = items[i - 1].1 + block_h + 2 - items[i].1;
        if overlap > 0 {
            items[i - 1].1 -= overlap / 2;
            items[i].1 += overlap - overlap / 2;
        }
    }
    let lowest = bottom + 6 - block_h;
    if let Some(last) = items.last() {
        let shift = (last.1 - lowest).max(0);
        items.iter_mut().for_each(|it| it.1 -= shift);
    }
    if let Some(first) = items.first() {
        let shift = (top - 8 - first.1).max(0);
        items.iter_mut().for_each(|it| it.1 += shift);
    }
    for (y, label_top, v, word, line, text, dash) in items {
        dashed(root, (x0, y), (x1 + 3, y), line, dash)?;
        let (a, b) = ctx.l.threshold_lines(word, v);
        for (k, s) in [a, b].iter().enumerate() {
            root.draw(&Text::new(
                s.clone(),
                (x1 + 8, label_top + 1 + k as i32 * NOTE_LINE_H),
                t.text(NOTE_PX, text, HPos::Left),
            ))?;
        }
    }
    Ok(())
}
