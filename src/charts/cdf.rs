//! Decision chart 6: CDF of final-year mean village income.

use super::*;

pub(crate) fn final_quantiles(p: &PolicyResults) -> Option<[f64; 9]> {
    let s = &p.years.last()?.mean_income_yuan;
    let q = [s.min, s.p5, s.p10, s.p25, s.p50, s.p75, s.p90, s.p95, s.max];
    q.iter().all(|v| v.is_finite()).then_some(q)
}

// ---------------------------------------------------------------------------
// 6. CDF of final-year mean village income

pub(crate) fn draw_cdf<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    ctx: &Ctx,
    w: &Words,
    t: Typo,
) -> DrawResult<(), DB> {
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
