//! A quantity by year and policy, each policy a line in a band: in one panel
//! for up to [`MAX_BANDS`] policies, else as small multiples (one panel per
//! policy, "no intervention" repeated in each as a grey reference line), so
//! no panel holds more than three bands.

use super::*;

/// One policy's band and line by year.
pub(crate) struct YearBand {
    pub(crate) policy: usize,
    pub(crate) xs: Vec<f64>,
    pub(crate) lo: Vec<f64>,
    pub(crate) mid: Vec<f64>,
    pub(crate) hi: Vec<f64>,
}

impl YearBand {
    pub(crate) fn new(policy: usize, pts: impl Iterator<Item = (f64, [f64; 3])>) -> YearBand {
        let mut b = YearBand {
            policy,
            xs: Vec::new(),
            lo: Vec::new(),
            mid: Vec::new(),
            hi: Vec::new(),
        };
        for (x, [lo, mid, hi]) in pts.filter(|(_, v)| v.iter().all(|x| x.is_finite())) {
            b.xs.push(x);
            b.lo.push(lo);
            b.mid.push(mid);
            b.hi.push(hi);
        }
        b
    }

    fn line(&self) -> Vec<(f64, f64)> {
        self.xs.iter().copied().zip(self.mid.iter().copied()).collect()
    }
}

/// The axes and words of a band chart.
pub(crate) struct BandAxes<'a> {
    pub(crate) x: (f64, f64),
    pub(crate) y: (f64, f64),
    pub(crate) y_labels: usize,
    pub(crate) ytick: &'a dyn Fn(&f64) -> String,
    pub(crate) x_desc: &'a str,
    pub(crate) y_desc: &'a str,
    /// Horizontal reference lines: value, colour.
    pub(crate) hlines: Vec<(f64, RGBColor)>,
}

/// Draws `bands` below `top` of `root`: one panel when there are at most
/// [`MAX_BANDS`], else one panel per policy after the first.
pub(crate) fn draw_year_bands<DB: DrawingBackend>(
    root: &Area<DB>,
    ctx: &Ctx,
    t: Typo,
    top: i32,
    bands: &[YearBand],
    axes: &BandAxes,
) -> DrawResult<(), DB> {
    let body = root.margin(top, 0, 0, 0);
    if bands.len() <= MAX_BANDS {
        let mut chart = build_plot(
            &body,
            Frame::new(24, y_label_area([axes.y.0, axes.y.1].iter().map(axes.ytick))),
            chart_axis(axes.x.0, axes.x.1),
            chart_axis(axes.y.0, axes.y.1),
        )?;
        draw_mesh(&mut chart, ctx, t, axes, true)?;
        for b in bands {
            fill_year_band(&mut chart, b, policy_color(b.policy))?;
        }
        hlines(&mut chart, axes)?;
        for b in bands {
            chart.draw_series(LineSeries::new(b.line(), policy_color(b.policy).stroke_width(3)))?;
        }
        return Ok(());
    }
    let reference = bands.iter().find(|b| b.policy == 0);
    let others: Vec<&YearBand> = bands.iter().filter(|b| b.policy != 0).collect();
    let cols = 3usize;
    let rows = others.len().div_ceil(cols);
    let panels = body.split_evenly((rows, cols));
    for (panel, b) in panels.iter().zip(&others) {
        panel_start();
        let name = fit(
            &ctx.l.policy_name(ctx.r.policies[b.policy].label(ctx.l.lang)),
            LEGEND_PX,
            WIDTH as i32 / 3 - 16,
        );
        panel.draw(&Text::new(
            name,
            (8, 2),
            t.text(LEGEND_PX, policy_color(b.policy), HPos::Left),
        ))?;
        // Every panel the same size and labelled on both axes, on the same
        // scales: panels compare at a glance, and a panel read alone (or
        // printed apart from its row) still says its years and counts.
        let mut chart = ChartBuilder::on(panel)
            .margin_top(LEGEND_PX as i32 + 8)
            .margin_right(10)
            .margin_left(4)
            .x_label_area_size(22)
            .y_label_area_size(y_label_area([axes.y.0, axes.y.1].iter().map(axes.ytick)) - 20)
            .build_cartesian_2d(chart_axis(axes.x.0, axes.x.1), chart_axis(axes.y.0, axes.y.1))?;
        let mut m = mesh(&mut chart, t);
        m.x_labels(0).y_labels(4).y_label_formatter(axes.ytick);
        m.draw()?;
        draw_panel_years(&body, panel, &chart, axes, t)?;
        fill_year_band(&mut chart, b, policy_color(b.policy))?;
        hlines(&mut chart, axes)?;
        if let Some(r) = reference {
            chart.draw_series(LineSeries::new(r.line(), MUTED.mix(0.8).stroke_width(2)))?;
        }
        chart.draw_series(LineSeries::new(b.line(), policy_color(b.policy).stroke_width(3)))?;
    }
    Ok(())
}

/// Least room between two year labels, and between a label and the edge
/// of its panel (so labels of neighbouring panels stay two gaps apart).
const LABEL_GAP: i32 = 6;

/// The years a small multiple labels and where: `(year, left, right)` in
/// pixels, for years `first..=last` at `x_of(year)`, labels inside
/// `bounds` (its panel, less [`LABEL_GAP`]). The labels are every `step`-th
/// year counted back from `last` (the year the brief speaks of), for the
/// smallest step of 1, 2, 5, 10, ... whose labels keep [`LABEL_GAP`] apart;
/// a label that would cross the panel's edge is moved inside it, by at most
/// half its width, so it still touches its year. At least the final year.
pub(crate) fn panel_year_ticks(
    (first, last): (i32, i32),
    x_of: &dyn Fn(i32) -> i32,
    (lo, hi): (i32, i32),
    width_of: &dyn Fn(&str) -> i32,
) -> Vec<(i32, i32, i32)> {
    let place = |year: i32| {
        let w = width_of(&year.to_string());
        let left = (x_of(year) - w / 2).clamp(lo, (hi - w).max(lo));
        (year, left, left + w)
    };
    let span = (i64::from(last) - i64::from(first)).max(0);
    // No more labels than the panel holds side by side: start from the
    // step that leaves at most that many (a long span stays a short loop).
    let narrowest = width_of("0000").max(1) + LABEL_GAP;
    let room = i64::from((hi - lo).max(0) / narrowest + 1);
    let mut step: i64 = 1;
    while span / step + 1 > room {
        step = next_step(step);
    }
    loop {
        let ticks: Vec<(i32, i32, i32)> = (0..=span / step)
            .map(|k| place((i64::from(last) - k * step) as i32))
            .rev()
            .collect();
        let apart = ticks.windows(2).all(|w| w[1].1 - w[0].2 >= LABEL_GAP);
        if apart || ticks.len() <= 1 {
            return ticks;
        }
        step = next_step(step);
    }
}

/// The step after `step` in 1, 2, 5, 10, 20, 50, ...
fn next_step(step: i64) -> i64 {
    match step.to_string().as_bytes()[0] {
        b'2' => step / 2 * 5,
        _ => step * 2,
    }
}

/// The year grid of a small multiple and its year labels, chosen by [`panel_year_ticks`] for the panel's width.
fn draw_panel_years<DB: DrawingBackend>(
    body: &Area<DB>,
    panel: &Area<DB>,
    chart: &Chart2d<DB>,
    axes: &BandAxes,
    t: Typo,
) -> DrawResult<(), DB> {
    let (ox, _) = body.get_base_pixel();
    let (px0, _) = panel.get_base_pixel();
    let (pw, _) = panel.dim_in_pixel();
    let left = px0 - ox;
    let (first, last) = (axes.x.0.ceil() as i32, axes.x.1.floor() as i32);
    let ticks = panel_year_ticks(
        (first, last),
        &|y| px(body, chart, f64::from(y), axes.y.0).0,
        (left + LABEL_GAP, left + pw as i32 - LABEL_GAP),
        &|s| text_width(s, TICK_PX),
    );
    let (_, top, _, bottom) = plot_rect(body, chart);
    for &(year, l, r) in &ticks {
        let (x, _) = px(body, chart, f64::from(year), axes.y.0);
        body.draw(&PathElement::new(vec![(x, top), (x, bottom)], GRID.stroke_width(1)))?;
        x_label_drawn(l, r, bottom);
        body.draw(&Text::new(
            year.to_string(),
            (l, bottom + 4),
            t.text(TICK_PX, TEXT, HPos::Left),
        ))?;
    }
    Ok(())
}

fn draw_mesh<DB: DrawingBackend>(
    chart: &mut Chart2d<DB>,
    ctx: &Ctx,
    t: Typo,
    axes: &BandAxes,
    titles: bool,
) -> DrawResult<(), DB> {
    let r = ctx.r;
    let mut m = mesh(chart, t);
    m.x_labels(year_tick_count(r.baseline_year, r.final_year))
        .y_labels(axes.y_labels)
        .x_label_formatter(&year_tick)
        .y_label_formatter(axes.ytick);
    if titles {
        m.x_desc(axes.x_desc).y_desc(axes.y_desc);
    }
    m.draw()
}

fn fill_year_band<DB: DrawingBackend>(chart: &mut Chart2d<DB>, b: &YearBand, c: RGBColor) -> DrawResult<(), DB> {
    if b.xs.is_empty() {
        return Ok(());
    }
    chart.draw_series(std::iter::once(Polygon::new(
        band(&b.xs, &b.lo, &b.hi),
        c.mix(BAND_INNER_ALPHA * 0.8).filled(),
    )))?;
    Ok(())
}

fn hlines<DB: DrawingBackend>(chart: &mut Chart2d<DB>, axes: &BandAxes) -> DrawResult<(), DB> {
    for (v, c) in &axes.hlines {
        if *v >= axes.y.0 && *v <= axes.y.1 {
            chart.draw_series(LineSeries::new([(axes.x.0, *v), (axes.x.1, *v)], c.stroke_width(1)))?;
        }
    }
    Ok(())
}
