//! Decision chart 4: coverage by year.

use super::*;

// ---------------------------------------------------------------------------
// 4. Coverage by year

pub(crate) fn draw_coverage<DB: DrawingBackend>(
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
