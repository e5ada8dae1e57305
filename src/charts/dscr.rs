//! Decision chart 2: the DSCR fan of a loan appraisal over the loan's
//! whole term: the simulated years, then the years past the horizon
//! projected for the loan alone (shaded and labelled as projected, the
//! median dashed), or, for a kind that does not project them, the axis
//! drawn to the term's end with the unsimulated years shaded and said so.

use super::*;

/// DSCR below which banks usually will not lend.
pub(crate) const BANK_MIN_DSCR: f64 = 1.2;

/// The DSCR by year of the loans' term, `(year, DSCR, projected)`: the
/// results' `dscr_term`, or the simulated years' for results without one.
pub(crate) fn dscr_years(a: &InterventionResults) -> Vec<(i32, Stat, bool)> {
    let pts: Vec<(i32, Stat, bool)> = if a.dscr_term.is_empty() {
        a.years
            .iter()
            .filter_map(|y| y.dscr.map(|d| (y.year, d, false)))
            .collect()
    } else {
        a.dscr_term.iter().map(|y| (y.year, y.dscr, y.projected)).collect()
    };
    pts.into_iter()
        .filter(|(_, d, _)| [d.p5, d.p25, d.p50, d.p75, d.p95].iter().all(|v| v.is_finite()))
        .collect()
}

/// Loan years after the last one drawn, to the end of the term: `(from,
/// to)`, when the term runs on past what the results hold.
pub(crate) fn unsimulated_years(a: &InterventionResults, pts: &[(i32, Stat, bool)]) -> Option<(i32, i32)> {
    let last = pts.last()?.0;
    a.loan_end_year.filter(|end| *end > last).map(|end| (last + 1, end))
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
    let unsimulated = unsimulated_years(a, &pts);
    let projected = pts.iter().any(|p| p.2);
    let first = pts.first().map_or(r.start_year, |p| p.0);
    let last = unsimulated.map_or(pts.last().map_or(r.final_year, |p| p.0), |u| u.1);
    let l = &ctx.l;
    let mut row = vec![
        (Sample::Marker(c, 0), l.median.to_string()),
        (
            Sample::Std(Swatch::Band(c, BAND_INNER_ALPHA + BAND_OUTER_ALPHA)),
            l.iqr_band.to_string(),
        ),
        (Sample::Std(Swatch::Band(c, BAND_OUTER_ALPHA)), l.p90_band.to_string()),
    ];
    if projected || unsimulated.is_some() {
        row.push((
            Sample::Std(Swatch::Band(BEYOND, BEYOND_ALPHA)),
            w.dscr_beyond_legend(projected).to_string(),
        ));
    }
    let rows = vec![row];
    let top = header(
        root,
        t,
        &w.dscr_title(a),
        &w.dscr_subtitle(r, p.label(w.lang()), a.villages),
        &rows,
    )?;

    let (ylo, yhi) = padded(
        pts.iter().flat_map(|(_, d, _)| [d.p5, d.p95]),
        &[1.0, BANK_MIN_DSCR],
        0.1,
    );
    let ylo = if ylo > 0.0 && ylo < 0.5 { 0.0 } else { ylo };
    let ytick = |v: &f64| grouped(*v, decimals_for(*v).max(1));
    // The loan runs on past the horizon: its end is marked.
    let cut = last > r.final_year;
    let x_end = last as f64 + 0.5;
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

    if cut {
        draw_beyond(root, &chart, r.final_year, last, (ylo, yhi))?;
    }
    let xs: Vec<f64> = pts.iter().map(|(y, _, _)| *y as f64).collect();
    let col = |f: fn(&Stat) -> f64| pts.iter().map(|(_, d, _)| f(d)).collect::<Vec<f64>>();
    let (p5, p25, p75, p95) = (col(|d| d.p5), col(|d| d.p25), col(|d| d.p75), col(|d| d.p95));
    draw_fan_bands(&mut chart, &xs, [&p5, &p25, &p75, &p95], c)?;
    draw_reference_lines(root, &chart, xs.first().copied().unwrap_or(0.0), w, t)?;
    draw_median(root, &chart, &pts, c)?;
    if cut {
        label_beyond(root, &chart, t, w, r.final_year, unsimulated)?;
    }
    Ok(())
}

/// Shade of the loan years past the horizon (over the grid, which shows
/// through), and its opacity.
const BEYOND: RGBColor = RGBColor(0x88, 0x88, 0x88);
const BEYOND_ALPHA: f64 = 0.14;

/// Shades the loan years past the horizon, `final_year + 1 ..= last`.
fn draw_beyond<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &Chart2d<DB>,
    final_year: i32,
    last: i32,
    (ylo, yhi): (f64, f64),
) -> DrawResult<(), DB> {
    let a = px(root, chart, final_year as f64 + 0.5, yhi);
    let b = px(root, chart, last as f64 + 0.5, ylo);
    root.draw(&Rectangle::new([a, b], BEYOND.mix(BEYOND_ALPHA).filled()))
}

/// The median: a solid line through the simulated years, dashed through
/// the projected ones, a dot each year (hollow when projected).
fn draw_median<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &Chart2d<DB>,
    pts: &[(i32, Stat, bool)],
    c: RGBColor,
) -> DrawResult<(), DB> {
    for w in pts.windows(2) {
        let (a, b) = (
            px(root, chart, w[0].0 as f64, w[0].1.p50),
            px(root, chart, w[1].0 as f64, w[1].1.p50),
        );
        if w[1].2 {
            dashed(root, a, b, c, (8, 5))?;
        } else {
            root.draw(&PathElement::new(vec![a, b], c.stroke_width(3)))?;
        }
    }
    for (year, d, projected) in pts {
        let p = px(root, chart, *year as f64, d.p50);
        root.draw(&Circle::new(p, 5, c.filled()))?;
        if *projected {
            root.draw(&Circle::new(p, 3, WHITE.filled()))?;
        }
    }
    Ok(())
}

/// The end of the horizon marked above the plot, and in the shaded years
/// what they are: projected for the loan alone, or not simulated.
fn label_beyond<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &Chart2d<DB>,
    t: Typo,
    w: &Words,
    final_year: i32,
    unsimulated: Option<(i32, i32)>,
) -> DrawResult<(), DB> {
    let (x0, plot_top, x1, plot_bottom) = plot_rect(root, chart);
    let (x, _) = px(root, chart, final_year as f64 + 0.5, 0.0);
    dashed(root, (x, plot_top - 4), (x, plot_bottom), MUTED, (6, 4))?;
    let s = w.horizon_ends(final_year);
    let sw = text_width(&s, NOTE_PX);
    boxed_text(
        root,
        t,
        &s,
        ((x - sw).max(x0), plot_top - LABEL_H - 2),
        HPos::Left,
        MUTED,
    )?;
    // Inside the shaded years, under the top of the plot.
    let note = match unsimulated {
        Some((from, to)) => w.dscr_not_simulated(from, to),
        None => w.dscr_projected(),
    };
    let room = (x1 - x - 12).max(40);
    let mut y = plot_top + 6;
    for line in wrap(&note, NOTE_PX, room) {
        boxed_text(root, t, &line, (x + 6, y), HPos::Left, MUTED)?;
        y += LABEL_H + 2;
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
