//! Decision chart 6: CDF of final-year mean village income.

use super::*;

pub(crate) fn final_quantiles(p: &PolicyResults) -> Option<[f64; 9]> {
    let s = &p.years.last()?.mean_income_yuan;
    let q = [s.min, s.p5, s.p10, s.p25, s.p50, s.p75, s.p90, s.p95, s.max];
    q.iter().all(|v| v.is_finite()).then_some(q)
}

// ---------------------------------------------------------------------------
// 6. CDF of final-year mean village income

pub(crate) fn draw_cdf<DB: DrawingBackend>(root: &Area<DB>, ctx: &Ctx, t: Typo) -> DrawResult<(), DB> {
    let w = &ctx.words();
    let r = ctx.r;
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
    let legend = marker_legend(ctx, &series);
    let top = header(root, t, &w.cdf_title(r), &w.cdf_subtitle(r), &legend)?;

    let (xlo, xhi) = padded(series.iter().flat_map(|(_, pts)| pts.iter().map(|p| p.0)), &[], 0.03);
    let unit = MoneyUnit::for_axis(w.lang(), xlo.abs().max(xhi.abs()));
    let xtick = |v: &f64| unit.tick(*v);
    let body = root.margin(top, 0, 0, 0);
    let mut chart = build_plot(
        &body,
        Frame::new(36, y_label_area(["100".to_string()].into_iter())).top(10),
        chart_axis(xlo, xhi),
        chart_axis(-2.0, 102.0),
    )?;
    mesh(&mut chart, t)
        .x_labels(7)
        .y_labels(11)
        .x_label_formatter(&xtick)
        .y_label_formatter(&pct_tick_0_100)
        .x_desc(w.cdf_x_axis(r, &unit))
        .y_desc(w.cdf_y_axis())
        .draw()?;
    marker_lines(root, &mut chart, &series, 4)?;
    Ok(())
}
