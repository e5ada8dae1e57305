//! The chart of villages below the income floor by year.

use super::*;

// --- villages below the floor --------------------------------------------------

pub(crate) fn draw_below_floor<DB: DrawingBackend>(root: &Area<DB>, ctx: &Ctx, t: Typo) -> DrawResult<(), DB> {
    let r = ctx.r;
    let l = &ctx.l;
    let rows = vec![
        policy_legend(ctx, Swatch::BandLine),
        vec![
            item(Swatch::Line(MUTED), l.mean.to_string()),
            item(Swatch::Band(MUTED, BAND_INNER_ALPHA), l.p90_band.to_string()),
        ],
    ];
    let top = draw_header(root, t, &l.below_floor_title(r), &l.subtitle(r, false), &rows)?;
    let n = r.villages.len().max(1) as f64;
    let (x0, x1) = (
        r.baseline_year as f64,
        r.final_year.max(r.baseline_year.saturating_add(1)) as f64,
    );
    let body = root.margin(top, 0, 0, 0);
    let yfmt = |v: &f64| {
        if (v - v.round()).abs() < 1e-9 {
            grouped(*v, 0)
        } else {
            String::new()
        }
    };
    // Up to the highest P95 with some headroom (never above the number of
    // villages), so a few villages below the floor are not squashed flat.
    let highest = r
        .policies
        .iter()
        .flat_map(|p| p.years.iter().map(|y| y.below_floor.p95.max(y.below_floor.mean)))
        .fold(0.0_f64, f64::max);
    let yhi = (highest * 1.15).ceil().clamp(1.0, n);
    let mut chart = build_plot(
        &body,
        Frame::new(24, y_label_area([0.0, yhi].iter().map(yfmt))),
        chart_axis(x0, x1),
        chart_axis(0.0, yhi),
    )?;
    mesh(&mut chart, t)
        .x_labels(year_tick_count(r.baseline_year, r.final_year))
        // At most one tick per village, so every tick is a whole number.
        .y_labels((yhi as usize + 1).min(11))
        .x_label_formatter(&|v| format!("{:.0}", v))
        .y_label_formatter(&yfmt)
        .x_desc(l.year)
        .y_desc(l.villages_below_floor)
        .draw()?;

    let mut lines = Vec::new();
    for (i, p) in r.policies.iter().enumerate() {
        let c = policy_color(i);
        let pts: Vec<(f64, [f64; 3])> = p
            .years
            .iter()
            .map(|y| {
                let s = &y.below_floor;
                (y.year as f64, [s.p5, s.mean, s.p95])
            })
            .filter(|(_, v)| v.iter().all(|x| x.is_finite()))
            .collect();
        let xs: Vec<f64> = pts.iter().map(|p| p.0).collect();
        let lo: Vec<f64> = pts.iter().map(|p| p.1[0]).collect();
        let hi: Vec<f64> = pts.iter().map(|p| p.1[2]).collect();
        chart.draw_series(std::iter::once(Polygon::new(
            band(&xs, &lo, &hi),
            c.mix(BAND_INNER_ALPHA * 0.8).filled(),
        )))?;
        lines.push((c, pts.iter().map(|p| (p.0, p.1[1])).collect::<Vec<_>>()));
    }
    for (c, pts) in lines {
        chart.draw_series(LineSeries::new(pts, c.stroke_width(3)))?;
    }
    Ok(())
}
