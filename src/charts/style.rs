//! Palette, text sizes, money units and the drawing helpers every chart shares: header, swatches, legends, boxed text, dashed lines.

use super::*;

// Text sizes, in pixels per em, identical in SVG and PNG.
pub(crate) const TITLE_PX: f64 = 20.0;
pub(crate) const SUBTITLE_PX: f64 = 13.5;
pub(crate) const AXIS_TITLE_PX: f64 = 15.0;
pub(crate) const TICK_PX: f64 = 14.0;
pub(crate) const LEGEND_PX: f64 = 14.0;
pub(crate) const NOTE_PX: f64 = 13.0;

pub(crate) const MARGIN_X: i32 = 16;

#[derive(Debug, Clone, Copy)]
pub(crate) enum MoneyWhat {
    MeanIncome,
    FinalIncome,
    /// Final-year income on a logarithmic axis.
    FinalIncomeLog,
}

/// The unit of a money axis: yuan, or 万元 (10,000 yuan) for large Chinese
/// figures. English always uses yuan with thousands separators.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MoneyUnit {
    pub(crate) divisor: f64,
}

impl MoneyUnit {
    pub(crate) fn for_axis(lang: Lang, max_abs: f64) -> MoneyUnit {
        let divisor = match lang {
            // From 1万 on: a Chinese chart never writes 10,000 yuan or more
            // as a raw number; from 1亿 (10,000万) on, in 亿元.
            Lang::Zh if max_abs >= 1e8 => 1e8,
            Lang::Zh if max_abs >= 10_000.0 => 10_000.0,
            _ => 1.0,
        };
        MoneyUnit { divisor }
    }

    /// Whether the unit is 万元 (10,000 yuan).
    pub(crate) fn is_wan(&self) -> bool {
        self.divisor > 1.0
    }

    pub(crate) fn name(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => "yuan",
            Lang::Zh if self.divisor >= 1e8 => "亿元",
            Lang::Zh if self.divisor > 1.0 => "万元",
            Lang::Zh => "元",
        }
    }

    /// A value label in this unit, to 3 significant figures (no more
    /// precision than the Monte Carlo mean supports).
    pub(crate) fn sig(&self, yuan: f64) -> String {
        crate::format::grouped_exact(crate::format::round_sig(yuan / self.divisor, 3))
    }

    pub(crate) fn tick(&self, yuan: f64) -> String {
        let v = yuan / self.divisor;
        grouped(v, decimals_for(v))
    }

    /// A tick of a log axis (1, 2 or 5 × 10^k yuan): as many decimals as a
    /// small value needs in this unit.
    pub(crate) fn log_tick(&self, yuan: f64) -> String {
        let v = yuan / self.divisor;
        let decimals = if v >= 1.0 || v <= 0.0 {
            0
        } else {
            (-v.log10() - 1e-9).ceil().max(0.0) as usize
        };
        grouped(v, decimals)
    }
}

// ---------------------------------------------------------------------------
// Colours

/// Okabe–Ito colours, in the order policies get them. Policy 0 (the "no
/// intervention" counterfactual) is dark grey; policies past the eighth get
/// colours of their own from `palette::policy_color`.
pub(crate) const POLICY_COLORS: [RGBColor; 8] = [
    RGBColor(0x55, 0x55, 0x55), // grey: no intervention
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
];

pub(crate) const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(crate) const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub(crate) const GRID: RGBColor = RGBColor(0xE3, 0xE3, 0xE3);
pub(crate) const AXIS: RGBColor = RGBColor(0x88, 0x88, 0x88);
pub(crate) const FLOOR_LINE: RGBColor = RGBColor(0x1A, 0x1A, 0x1A);
pub(crate) const WEAK_LINE: RGBColor = RGBColor(0x80, 0x80, 0x80);

pub(crate) const BAND_OUTER_ALPHA: f64 = 0.13;
pub(crate) const BAND_INNER_ALPHA: f64 = 0.28;

/// How a legend entry's sample looks.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    /// A band with the policy's line through it (fan charts).
    BandLine(RGBColor),
    /// A plain line.
    Line(RGBColor),
    /// A filled box at some opacity.
    Band(RGBColor, f64),
    /// An outlined, lightly filled box (distribution).
    Outline(RGBColor),
    /// The diamond that marks an observed value.
    Marker(RGBColor),
}

pub(crate) struct LegendItem {
    pub(crate) swatch: Swatch,
    pub(crate) label: String,
}

pub(crate) const SWATCH_W: i32 = 26;
pub(crate) const SWATCH_H: i32 = 12;
pub(crate) const LEGEND_ROW_H: i32 = 22;

/// Draws the title, subtitle and legend rows at the top of `root`; returns
/// the height they take.
pub(crate) fn draw_header<DB: DrawingBackend>(
    root: &Area<DB>,
    t: Typo,
    title: &str,
    subtitle: &str,
    rows: &[Vec<LegendItem>],
) -> DrawResult<i32, DB> {
    let rows: Vec<Vec<(Sample, String)>> = rows
        .iter()
        .map(|row| row.iter().map(|i| (Sample::Std(i.swatch), i.label.clone())).collect())
        .collect();
    header(root, t, title, subtitle, &rows)
}

/// A legend entry.
pub(crate) fn item(swatch: Swatch, label: impl Into<String>) -> LegendItem {
    LegendItem {
        swatch,
        label: label.into(),
    }
}

pub(crate) fn draw_swatch<DB: DrawingBackend>(root: &Area<DB>, swatch: Swatch, x: i32, yc: i32) -> DrawResult<(), DB> {
    let top = yc - SWATCH_H / 2;
    let bottom = yc + SWATCH_H / 2;
    match swatch {
        Swatch::BandLine(c) => {
            root.draw(&Rectangle::new(
                [(x, top), (x + SWATCH_W, bottom)],
                c.mix(BAND_INNER_ALPHA).filled(),
            ))?;
            root.draw(&PathElement::new(vec![(x, yc), (x + SWATCH_W, yc)], c.stroke_width(3)))?;
        }
        Swatch::Line(c) => {
            root.draw(&PathElement::new(vec![(x, yc), (x + SWATCH_W, yc)], c.stroke_width(3)))?;
        }
        Swatch::Band(c, alpha) => {
            root.draw(&Rectangle::new(
                [(x, top), (x + SWATCH_W, bottom)],
                c.mix(alpha).filled(),
            ))?;
        }
        Swatch::Marker(c) => diamond(root, (x + SWATCH_W / 2, yc), 6, c)?,
        Swatch::Outline(c) => {
            root.draw(&Rectangle::new(
                [(x, top), (x + SWATCH_W, bottom)],
                c.mix(0.15).filled(),
            ))?;
            root.draw(&Rectangle::new([(x, top), (x + SWATCH_W, bottom)], c.stroke_width(2)))?;
        }
    }
    Ok(())
}

pub(crate) fn policy_legend(ctx: &Ctx, swatch: fn(RGBColor) -> Swatch) -> Vec<LegendItem> {
    ctx.r
        .policies
        .iter()
        .enumerate()
        .map(|(i, p)| LegendItem {
            swatch: swatch(policy_color(i)),
            label: ctx.l.policy_label(p.label(ctx.l.lang)),
        })
        .collect()
}

/// The policies as legend entries: a band and line for those whose band is
/// drawn (`banded`), a line for the others, so no entry shows a mark the
/// chart does not have.
pub(crate) fn policy_legend_banded(ctx: &Ctx, banded: &[usize]) -> Vec<LegendItem> {
    ctx.r
        .policies
        .iter()
        .enumerate()
        .map(|(i, p)| LegendItem {
            swatch: if banded.contains(&i) {
                Swatch::BandLine(policy_color(i))
            } else {
                Swatch::Line(policy_color(i))
            },
            label: ctx.l.policy_label(p.label(ctx.l.lang)),
        })
        .collect()
}

pub(crate) fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// Draws `text` with a translucent white box behind it. `(x, y)` is the
/// top-left (HPos::Left) or top-right (HPos::Right) corner of the text.
pub(crate) fn boxed_text<DB: DrawingBackend>(
    area: &Area<DB>,
    t: Typo,
    text: &str,
    (x, y): (i32, i32),
    h: HPos,
    color: RGBColor,
) -> DrawResult<(), DB> {
    let w = text_width(text, NOTE_PX);
    let x0 = match h {
        HPos::Right => x - w,
        HPos::Center => x - w / 2,
        HPos::Left => x,
    };
    area.draw(&Rectangle::new(
        [(x0 - 3, y - 2), (x0 + w + 3, y + NOTE_PX as i32 + 3)],
        WHITE.mix(0.85).filled(),
    ))?;
    area.draw(&Text::new(
        text.to_string(),
        (x0, y),
        t.text(NOTE_PX, color, HPos::Left),
    ))?;
    Ok(())
}

pub(crate) fn no_data<DB: DrawingBackend>(root: &Area<DB>, ctx: &Ctx, t: Typo, top: i32) -> DrawResult<(), DB> {
    root.draw(&Text::new(
        ctx.l.no_data.to_string(),
        (WIDTH as i32 / 2, (top + HEIGHT as i32) / 2),
        t.text(AXIS_TITLE_PX, MUTED, HPos::Center),
    ))
}

/// A dashed straight line in pixel coordinates (identical in every backend).
pub(crate) fn dashed<DB: DrawingBackend>(
    root: &Area<DB>,
    from: (i32, i32),
    to: (i32, i32),
    color: RGBColor,
    (on, off): (i32, i32),
) -> DrawResult<(), DB> {
    let (dx, dy) = ((to.0 - from.0) as f64, (to.1 - from.1) as f64);
    let len = (dx * dx + dy * dy).sqrt();
    // (NaN is not a length either.)
    if len.is_nan() || len < 1.0 || on <= 0 || off < 0 {
        return Ok(());
    }
    // No chart needs a line longer than a few times its size: the rest
    // would be off the picture.
    let len = len.min(4.0 * (WIDTH + HEIGHT) as f64);
    let mut s = 0.0;
    while s < len {
        let e = (s + on as f64).min(len);
        let p = |d: f64| {
            (
                from.0 + (dx * d / len).round() as i32,
                from.1 + (dy * d / len).round() as i32,
            )
        };
        root.draw(&PathElement::new(vec![p(s), p(e)], color.stroke_width(2)))?;
        s += (on + off) as f64;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Bands per panel: what a chart drew, for the rule "at most three bands in
// one panel" (tests read the log).

thread_local! {
    /// Shaded intervals (bands, overlaid histograms) drawn in each panel
    /// of the chart being drawn on this thread.
    static BANDS: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) };
    /// Each chart written on this thread: its stem and its bands per panel.
    static BAND_LOG: std::cell::RefCell<Vec<(String, Vec<usize>)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Starts the count of a chart (one panel so far).
pub(crate) fn bands_reset() {
    BANDS.with(|b| *b.borrow_mut() = vec![0]);
    X_LABELS.with(|l| l.borrow_mut().clear());
}

thread_local! {
    /// The year labels of small multiples drawn on this thread since the
    /// chart began: left, right, and the plot's bottom they hang from, in
    /// pixels of the chart's body (tests check they never overlap).
    static X_LABELS: std::cell::RefCell<Vec<(i32, i32, i32)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Records a year label of a small multiple from `left` to `right` under
/// the plot bottom `y`.
pub(crate) fn x_label_drawn(left: i32, right: i32, y: i32) {
    X_LABELS.with(|l| l.borrow_mut().push((left, right, y)));
}

/// The year labels of small multiples drawn on this thread since the last
/// call (or the start of the chart).
#[cfg(test)]
pub(crate) fn take_x_labels() -> Vec<(i32, i32, i32)> {
    X_LABELS.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

/// Starts a new panel of a chart of small multiples.
pub(crate) fn panel_start() {
    BANDS.with(|b| b.borrow_mut().push(0));
}

/// Counts one shaded interval in the current panel.
pub(crate) fn band_drawn() {
    BANDS.with(|b| {
        let mut b = b.borrow_mut();
        if b.is_empty() {
            b.push(0);
        }
        if let Some(last) = b.last_mut() {
            *last += 1;
        }
    });
}

/// Logs the counts of the chart just drawn under `stem`.
pub(crate) fn bands_log(stem: &str) {
    let counts = BANDS.with(|b| b.borrow().clone());
    BAND_LOG.with(|l| l.borrow_mut().push((stem.to_string(), counts)));
}

/// The charts written on this thread since the last call, with their
/// bands per panel.
#[cfg(test)]
pub(crate) fn take_band_log() -> Vec<(String, Vec<usize>)> {
    BAND_LOG.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

/// A filled diamond of half-size `r` pixels at `(x, y)`, outlined in white.
pub(crate) fn diamond<DB: DrawingBackend>(
    root: &Area<DB>,
    (x, y): (i32, i32),
    r: i32,
    c: RGBColor,
) -> DrawResult<(), DB> {
    let pts = |r: i32| vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y)];
    root.draw(&Polygon::new(pts(r + 2), WHITE.filled()))?;
    root.draw(&Polygon::new(pts(r), c.filled()))
}

/// An observed value marked on a chart: a diamond at `(x, y)` in data
/// coordinates and its label beside it (right of it, or left near the edge).
pub(crate) fn draw_observed<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &Chart2d<DB>,
    t: Typo,
    (x, y): (f64, f64),
    label: &str,
) -> DrawResult<(), DB> {
    let (_, _, x1, _) = plot_rect(root, chart);
    let (px_x, px_y) = px(root, chart, x, y);
    diamond(root, (px_x, px_y), 6, TEXT)?;
    let w = text_width(label, NOTE_PX);
    let (lx, h) = if px_x + 12 + w <= x1 {
        (px_x + 12, HPos::Left)
    } else {
        (px_x - 12, HPos::Right)
    };
    boxed_text(root, t, label, (lx, px_y - LABEL_H / 2), h, TEXT)
}

/// Band between two curves as one polygon (counted in its panel).
pub(crate) fn band(xs: &[f64], lo: &[f64], hi: &[f64]) -> Vec<(f64, f64)> {
    band_drawn();
    let mut pts: Vec<(f64, f64)> = xs.iter().copied().zip(hi.iter().copied()).collect();
    pts.extend(xs.iter().copied().zip(lo.iter().copied()).rev());
    pts
}

/// Okabe–Ito yellow: used for interventions only (too light for lines).
pub(crate) const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);

/// Colour of part `i` of a stack: the Okabe–Ito hues of the policy palette
/// without grey and black, plus yellow: seven, each its own. A stack has at
/// most seven parts (`contributions::slots` puts the rest into one grey
/// "other measures"), so none repeats.
pub(crate) fn intervention_fill(i: usize) -> RGBColor {
    let hues: [RGBColor; 7] = [
        POLICY_COLORS[1],
        POLICY_COLORS[2],
        POLICY_COLORS[3],
        POLICY_COLORS[4],
        POLICY_COLORS[5],
        POLICY_COLORS[6],
        YELLOW,
    ];
    debug_assert!(i < hues.len(), "a stack of more than seven parts");
    hues[i.min(hues.len() - 1)]
}

/// A box in pixels filled with `c` (kept near the picture).
pub(crate) fn fill_box<DB: DrawingBackend>(
    root: &Area<DB>,
    (x0, y0, x1, y1): (i32, i32, i32, i32),
    c: RGBColor,
) -> DrawResult<(), DB> {
    let near = |v: i32, size: u32| v.clamp(-(size as i32), 2 * size as i32);
    let (x0, x1) = (near(x0, WIDTH), near(x1, WIDTH));
    let (y0, y1) = (near(y0, HEIGHT), near(y1, HEIGHT));
    let (x0, x1) = (x0.min(x1), x0.max(x1));
    let (y0, y1) = (y0.min(y1), y0.max(y1));
    root.draw(&Rectangle::new([(x0, y0), (x1, y1)], c.filled()))
}

/// A filled marker with a white rim: 0 circle, 1 square, 2 triangle up,
/// 3 diamond, 4 triangle down, then the same hollow. Shapes tell policies
/// apart without colour and show points that coincide.
pub(crate) fn draw_marker<DB: DrawingBackend>(
    root: &Area<DB>,
    shape: usize,
    (x, y): (i32, i32),
    r: i32,
    c: RGBColor,
) -> DrawResult<(), DB> {
    let pts: Vec<(i32, i32)> = match shape % 5 {
        0 => Vec::new(),
        1 => vec![
            (x - r + 1, y - r + 1),
            (x + r - 1, y - r + 1),
            (x + r - 1, y + r - 1),
            (x - r + 1, y + r - 1),
        ],
        2 => vec![(x, y - r - 1), (x + r + 1, y + r - 1), (x - r - 1, y + r - 1)],
        3 => vec![(x, y - r - 1), (x + r + 1, y), (x, y + r + 1), (x - r - 1, y)],
        _ => vec![(x - r - 1, y - r + 1), (x + r + 1, y - r + 1), (x, y + r + 1)],
    };
    let hollow = shape % 10 >= 5;
    let fill = if hollow { WHITE } else { c };
    if pts.is_empty() {
        root.draw(&Circle::new((x, y), r as u32 + 1, WHITE.filled()))?;
        root.draw(&Circle::new((x, y), r as u32, fill.filled()))?;
        if hollow {
            root.draw(&Circle::new((x, y), r as u32, c.stroke_width(2)))?;
        }
    } else {
        let mut ring = pts.clone();
        ring.push(pts[0]);
        root.draw(&PathElement::new(ring.clone(), WHITE.stroke_width(3)))?;
        root.draw(&Polygon::new(pts, fill.filled()))?;
        root.draw(&PathElement::new(
            ring,
            if hollow { c.stroke_width(2) } else { c.stroke_width(1) },
        ))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Shared pieces

/// Legend samples beyond [`Swatch`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum Sample {
    Std(Swatch),
    /// A solid box.
    Fill(RGBColor),
    /// A line with a marker of shape `usize` (see [`draw_marker`]).
    Marker(RGBColor, usize),
    /// Thin line only.
    Thin(RGBColor),
    /// Median tick only.
    Tick(RGBColor),
    /// A point with whiskers.
    Whiskers(RGBColor),
}

pub(crate) fn draw_sample<DB: DrawingBackend>(root: &Area<DB>, sample: Sample, x: i32, yc: i32) -> DrawResult<(), DB> {
    let (top, bottom) = (yc - SWATCH_H / 2, yc + SWATCH_H / 2);
    let xm = x + SWATCH_W / 2;
    match sample {
        Sample::Std(s) => draw_swatch(root, s, x, yc)?,
        Sample::Fill(c) => fill_box(root, (x, top, x + SWATCH_W, bottom), c)?,
        Sample::Marker(c, shape) => {
            root.draw(&PathElement::new(vec![(x, yc), (x + SWATCH_W, yc)], c.stroke_width(2)))?;
            draw_marker(root, shape, (xm, yc), 5, c)?;
        }
        Sample::Thin(c) => {
            root.draw(&PathElement::new(vec![(x, yc), (x + SWATCH_W, yc)], c.stroke_width(2)))?;
        }
        Sample::Tick(c) => {
            root.draw(&PathElement::new(
                vec![(xm, top - 2), (xm, bottom + 2)],
                c.stroke_width(3),
            ))?;
        }
        Sample::Whiskers(c) => {
            root.draw(&PathElement::new(
                vec![(x + 2, yc), (x + SWATCH_W - 2, yc)],
                c.stroke_width(1),
            ))?;
            root.draw(&PathElement::new(
                vec![(xm, top - 3), (xm, bottom + 3)],
                c.stroke_width(1),
            ))?;
            root.draw(&Circle::new((xm, yc), 5, c.filled()))?;
        }
    }
    Ok(())
}

/// Title, subtitle and legend rows (any [`Sample`]) at the top of `root`;
/// returns the height taken.
pub(crate) fn header<DB: DrawingBackend>(
    root: &Area<DB>,
    t: Typo,
    title: &str,
    subtitle: &str,
    rows: &[Vec<(Sample, String)>],
) -> DrawResult<i32, DB> {
    // A title that says the message may be long: it wraps onto a second
    // line (never cut), and everything below moves down.
    let title = crate::format::sentence_start(title);
    let lines = wrap(&title, TITLE_PX, HEADER_W);
    let extra = TITLE_LINE_H * (lines.len().max(1) as i32 - 1);
    for (k, line) in lines.iter().enumerate() {
        root.draw(&Text::new(
            line.clone(),
            (MARGIN_X, 12 + k as i32 * TITLE_LINE_H),
            t.text(TITLE_PX, TEXT, HPos::Left),
        ))?;
    }
    // The subtitle says what is measured and how: it wraps too, never cut.
    let sub_lines = wrap(subtitle, SUBTITLE_PX, HEADER_W);
    for (k, line) in sub_lines.iter().enumerate() {
        root.draw(&Text::new(
            line.clone(),
            (MARGIN_X, 40 + extra + k as i32 * SUBTITLE_LINE_H),
            t.text(SUBTITLE_PX, MUTED, HPos::Left),
        ))?;
    }
    let extra = extra + SUBTITLE_LINE_H * (sub_lines.len().max(1) as i32 - 1);
    let mut y = 66 + extra;
    let max_x = WIDTH as i32 - MARGIN_X;
    for row in rows {
        let mut x = MARGIN_X;
        for (sample, label) in row {
            let w = SWATCH_W + 6 + text_width(label, LEGEND_PX);
            if x > MARGIN_X && x + w > max_x {
                x = MARGIN_X;
                y += LEGEND_ROW_H;
            }
            draw_sample(root, *sample, x, y + LEGEND_ROW_H / 2)?;
            root.draw(&Text::new(
                label.clone(),
                (x + SWATCH_W + 6, y + LEGEND_ROW_H / 2 - (0.38 * LEGEND_PX) as i32 - 1),
                t.text(LEGEND_PX, TEXT, HPos::Left),
            ))?;
            x += w + 22;
        }
        y += LEGEND_ROW_H;
    }
    Ok(y + 4)
}

/// One legend row: each policy of `series` as its line with its marker.
pub(crate) fn marker_legend<T>(ctx: &Ctx, series: &[(usize, T)]) -> Vec<Vec<(Sample, String)>> {
    vec![series
        .iter()
        .map(|(i, _)| {
            (
                Sample::Marker(policy_color(*i), *i),
                ctx.l.policy_label(ctx.r.policies[*i].label(ctx.l.lang)),
            )
        })
        .collect()]
}

/// Each policy's line of `series` in its colour, then its points as
/// markers of size `r` over all the lines.
pub(crate) fn marker_lines<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &mut Chart2d<DB>,
    series: &[(usize, Vec<(f64, f64)>)],
    r: i32,
) -> DrawResult<(), DB> {
    for (i, pts) in series {
        chart.draw_series(LineSeries::new(pts.iter().copied(), policy_color(*i).stroke_width(2)))?;
    }
    for (i, pts) in series {
        for &(x, y) in pts {
            draw_marker(root, *i, px(root, chart, x, y), r, policy_color(*i))?;
        }
    }
    Ok(())
}

/// Height of a wrapped line of a chart's subtitle.
pub(crate) const SUBTITLE_LINE_H: i32 = 18;
/// Height of a [`boxed_text`] label.
pub(crate) const LABEL_H: i32 = NOTE_PX as i32 + 5;

/// Height of a title line, pixels.
pub(crate) const TITLE_LINE_H: i32 = 26;

/// `text` in lines no wider than `max_w` at `px`, broken after spaces and
/// Chinese punctuation or between hanzi (at most two lines; a second line
/// still too wide is fitted with [`fit`]).
pub(crate) fn wrap(text: &str, px: f64, max_w: i32) -> Vec<String> {
    if text_width(text, px) <= max_w {
        return vec![text.to_string()];
    }
    let cjk = |c: char| ('\u{3000}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c);
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut best = None;
    for (k, &(i, c)) in chars.iter().enumerate() {
        let next = chars.get(k + 1).map(|x| x.1);
        let breakable =
            c == ' ' || (cjk(c) && next.is_some_and(|n| !matches!(n, '，' | '。' | '：' | '；' | '、' | '）')));
        if !breakable {
            continue;
        }
        let end = i + c.len_utf8();
        if text_width(text[..end].trim_end(), px) > max_w {
            break;
        }
        best = Some(end);
    }
    match best {
        Some(end) => vec![
            text[..end].trim_end().to_string(),
            fit(text[end..].trim_start(), px, max_w),
        ],
        None => vec![fit(text, px, max_w)],
    }
}

/// `text` shortened (with an ellipsis) to at most `max_w` pixels at `px`.
pub(crate) fn fit(text: &str, px: f64, max_w: i32) -> String {
    let mut n = text.chars().count();
    let mut out = text.to_string();
    while n > 4 && text_width(&out, px) > max_w {
        n -= 1;
        out = shorten(text, n);
    }
    out
}

/// Tick of a money axis in `unit`: whole yuan, or 万元 with decimals.
pub(crate) fn money_tick(unit: &MoneyUnit, v: f64) -> String {
    if unit.is_wan() {
        unit.tick(v)
    } else {
        grouped(v, 0)
    }
}

/// Widest text a header line may take.
pub(crate) const HEADER_W: i32 = WIDTH as i32 - 2 * MARGIN_X;

/// The muted note under a chart of ranked rows that says how many rows it
/// leaves out (`text`), at the left margin below the plot's bottom `y`.
pub(crate) fn more_rows_note<DB: DrawingBackend>(root: &Area<DB>, t: Typo, y: i32, text: String) -> DrawResult<(), DB> {
    root.draw(&Text::new(text, (MARGIN_X, y + 46), t.text(NOTE_PX, MUTED, HPos::Left)))?;
    Ok(())
}
