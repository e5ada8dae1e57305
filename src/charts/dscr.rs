//! Decision chart 2: the DSCR fan of a loan appraisal.

use super::*;

/// DSCR below which banks usually will not lend.
pub(crate) const BANK_MIN_DSCR: f64 = 1.2;

pub(crate) fn dscr_years(a: &InterventionResults) -> Vec<(i32, Stat)> {
    a.years
        .iter()
        .filter_map(|y| y.dscr.map(|d| (y.year, d)))
        .filter(|(_, d)| [d.p5, d.p25, d.p50, d.p75, d.p95].iter().all(|v| v.is_finite()))
        .collect()
}

// ---------------------------------------------------------------------------
// 2. DSCR fan

pub(crate) fn draw_dscr<DB: DrawingBackend>(
    root: &Area<DB>,
    ctx: &Ctx,
    t: Typo,
    policy: usize,
    appraisal: usize,
) -> DrawResult<(), DB> {
    let w = &ctx.words();
    let r = ctx.r;
    let p = &r.policies[policy];
    let a = &p.appraisals[appraisal];
    let pts = dscr_years(a);
    let c = policy_color(policy);
    let (first, last) = (
        pts.first().map_or(r.start_year, |p| p.0),
        pts.last().map_or(r.final_year, |p| p.0),
    );
    let l = &ctx.l;
    let rows = vec![vec![
        (Sample::Marker(c, 0), l.median.to_string()),
        (
            Sample::Std(Swatch::Band(c, BAND_INNER_ALPHA + BAND_OUTER_ALPHA)),
            l.iqr_band.to_string(),
        ),
        (Sample::Std(Swatch::Band(c, BAND_OUTER_ALPHA)), l.p90_band.to_string()),
    ]];
    let top = header(
        root,
        t,
        &w.dscr_title(a),
        &w.dscr_subtitle(r, p.label(w.lang()), a.villages),
        &rows,
    )?;

    let (ylo, yhi) = padded(pts.iter().flat_map(|(_, d)| [d.p5, d.p95]), &[1.0, BANK_MIN_DSCR], 0.1);
    let ylo = if ylo > 0.0 && ylo < 0.5 { 0.0 } else { ylo };
    let ytick = |v: &f64| grouped(*v, decimals_for(*v).max(1));
    // Debt service in the final simulated year: the loan runs on past the
    // horizon, which is marked (one more year of axis for the mark).
    let cut = last >= r.final_year;
    let x_end = if cut { last as f64 + 1.5 } else { last as f64 + 0.5 };
    let body = root.margin(top, 0, 0, 0);
    let mut chart = build_plot(
        &body,
        Frame::new(28, y_label_area([ylo, yhi].iter().map(ytick))).top(if cut { 6 + LABEL_H } else { 6 }),
        chart_axis(first as f64 - 0.5, x_end),
        chart_axis(ylo, yhi),
    )?;
    mesh(&mut chart, t)
        .x_labels((i64::from(last) - i64::from(first)).clamp(0, 11) as usize + 2)
        .y_labels(8)
        .x_label_formatter(&year_tick)
        .y_label_formatter(&ytick)
        .x_desc(l.year)
        .y_desc(w.dscr_axis())
        .disable_x_mesh()
        .draw()?;

    let xs: Vec<f64> = pts.iter().map(|(y, _)| *y as f64).collect();
    let col = |f: fn(&Stat) -> f64| pts.iter().map(|(_, d)| f(d)).collect::<Vec<f64>>();
    let (p5, p25, p50, p75, p95) = (
        col(|d| d.p5),
        col(|d| d.p25),
        col(|d| d.p50),
        col(|d| d.p75),
        col(|d| d.p95),
    );
    draw_fan_bands(&mut chart, &xs, [&p5, &p25, &p75, &p95], c)?;
    draw_reference_lines(root, &chart, xs.first().copied().unwrap_or(0.0), w, t)?;
    chart.draw_series(LineSeries::new(
        xs.iter().copied().zip(p50.iter().copied()),
        c.stroke_width(3),
    ))?;
    chart.draw_series(
        xs.iter()
            .zip(p50.iter())
            .map(|(x, y)| Circle::new((*x, *y), 5, c.filled())),
    )?;
    if cut {
        let (x0, plot_top, _, plot_bottom) = plot_rect(root, &chart);
        let (x, _) = px(root, &chart, r.final_year as f64 + 0.5, 0.0);
        dashed(root, (x, plot_top - 4), (x, plot_bottom), MUTED, (6, 4))?;
        let s = w.horizon_ends(r.final_year);
        let sw = text_width(&s, NOTE_PX);
        boxed_text(
            root,
            t,
            &s,
            ((x - sw).max(x0), plot_top - LABEL_H - 2),
            HPos::Left,
            MUTED,
        )?;
    }
    Ok(())
}

/// The P5–P95 and P25–P75 bands of the DSCR by year, or boxes when there
/// is only one year with debt service.
fn draw_fan_bands<DB: DrawingBackend>(
    chart: &mut Chart2d<DB>,
    xs: &[f64],
    [p5, p25, p75, p95]: [&[f64]; 4],
    c: RGBColor,
) -> DrawResult<(), DB> {
    if xs.len() >= 2 {
        chart.draw_series(std::iter::once(Polygon::new(
            band(xs, p5, p95),
            c.mix(BAND_OUTER_ALPHA).filled(),
        )))?;
        chart.draw_series(std::iter::once(Polygon::new(
            band(xs, p25, p75),
            c.mix(BAND_INNER_ALPHA).filled(),
        )))?;
    } else {
        // One year with debt service: boxes instead of a fan.
        band_drawn();
        band_drawn();
        for k in 0..xs.len() {
            let x = xs[k];
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.2, p5[k]), (x + 0.2, p95[k])],
                c.mix(BAND_OUTER_ALPHA).filled(),
            )))?;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.2, p25[k]), (x + 0.2, p75[k])],
                c.mix(BAND_INNER_ALPHA).filled(),
            )))?;
        }
    }
    Ok(())
}

/// Reference lines: 1.2 labelled above its line, 1 below its line, so the
/// two labels never meet. `x` is any x of the chart.
fn draw_reference_lines<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &Chart2d<DB>,
    x: f64,
    w: &Words,
    t: Typo,
) -> DrawResult<(), DB> {
    let (x0, plot_top, x1, plot_bottom) = plot_rect(root, chart);
    for (v, label, color, dash, above) in [
        (BANK_MIN_DSCR, w.dscr_bank(), MUTED, (5, 4), true),
        (1.0, w.dscr_one(), TEXT, (10, 0), false),
    ] {
        let (_, y) = px(root, chart, x, v);
        if y < plot_top || y > plot_bottom {
            continue;
        }
        if dash.1 == 0 {
            root.draw(&PathElement::new(vec![(x0, y), (x1, y)], color.stroke_width(2)))?;
        } else {
            dashed(root, (x0, y), (x1, y), color, dash)?;
        }
        let ly = if above { y - LABEL_H - 2 } else { y + 5 };
        boxed_text(root, t, label, (x0 + 8, ly), HPos::Left, color)?;
    }
    Ok(())
}
