//! The fan chart of mean income by year.

use super::*;

// --- fan chart --------------------------------------------------------------

pub(crate) fn draw_fan<DB: DrawingBackend>(root: &Area<DB>, ctx: &Ctx, t: Typo) -> DrawResult<(), DB> {
    let r = ctx.r;
    let l = &ctx.l;
    // Past three policies, overlapping bands hide each other: draw them for
    // the counterfactual and the last policy only (lines for all), and say so.
    let some_bands = r.policies.len() > 3;
    let suffix = if some_bands { l.bands_of_first_and_last } else { "" };
    let rows = vec![
        policy_legend(ctx, Swatch::BandLine),
        vec![
            item(Swatch::Line(MUTED), l.median.to_string()),
            item(
                Swatch::Band(MUTED, BAND_INNER_ALPHA + BAND_OUTER_ALPHA),
                format!("{}{suffix}", l.iqr_band),
            ),
            item(Swatch::Band(MUTED, BAND_OUTER_ALPHA), format!("{}{suffix}", l.p90_band)),
        ],
    ];
    let top = draw_header(root, t, &l.fan_title(r), &l.subtitle(r, false), &rows)?;

    let series = fan_series(r);
    if series.iter().all(|(_, xs, _)| xs.is_empty()) {
        return no_data(root, ctx, t, top);
    }

    let (ylo, yhi) = value_range(
        series
            .iter()
            .flat_map(|(_, _, q)| q[0].iter().chain(q[4].iter()).copied())
            .chain([r.floor_yuan, r.weak_yuan].into_iter().filter_map(finite)),
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

    draw_fans(&mut chart, &series, some_bands)?;
    threshold_hlines(root, &chart, ctx, t)?;
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

/// The bands (of every policy, or with `some_bands` of the first and the
/// last only) and then every policy's median line.
fn draw_fans<DB: DrawingBackend>(
    chart: &mut Chart2d<DB>,
    series: &[FanSeries],
    some_bands: bool,
) -> DrawResult<(), DB> {
    let last = series.len().saturating_sub(1);
    for (i, xs, q) in series.iter().filter(|(i, _, _)| !some_bands || *i == 0 || *i == last) {
        let c = policy_color(*i);
        chart.draw_series(std::iter::once(Polygon::new(
            band(xs, &q[0], &q[4]),
            c.mix(BAND_OUTER_ALPHA).filled(),
        )))?;
        chart.draw_series(std::iter::once(Polygon::new(
            band(xs, &q[1], &q[3]),
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
