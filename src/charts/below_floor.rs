//! The chart of villages below the income floor by year: one panel for up
//! to three policies, small multiples past that.

use super::*;

// --- villages below the floor --------------------------------------------------

pub(crate) fn draw_below_floor<DB: DrawingBackend>(root: &Area<DB>, ctx: &Ctx, t: Typo) -> DrawResult<(), DB> {
    let r = ctx.r;
    let l = &ctx.l;
    let multiples = r.policies.len() > MAX_BANDS;
    let rows = band_legend(ctx, multiples, l.mean, l.p90_band);
    let subtitle = if multiples {
        format!("{} · {}", l.villages_below_floor, l.subtitle(r, false))
    } else {
        l.subtitle(r, false)
    };
    let top = draw_header(root, t, &l.below_floor_title(r), &subtitle, &rows)?;
    let n = r.villages.len().max(1) as f64;
    let (x0, x1) = (
        r.baseline_year as f64,
        r.final_year.max(r.baseline_year.saturating_add(1)) as f64,
    );
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
    let bands: Vec<YearBand> = r
        .policies
        .iter()
        .enumerate()
        .map(|(i, p)| {
            YearBand::new(
                i,
                p.years.iter().map(|y| {
                    let s = &y.below_floor;
                    (y.year as f64, [s.p5, s.mean, s.p95])
                }),
            )
        })
        .collect();
    let axes = BandAxes {
        x: (x0, x1),
        y: (0.0, yhi),
        // At most one tick per village, so every tick is a whole number.
        y_labels: (yhi as usize + 1).min(11),
        ytick: &yfmt,
        x_desc: l.year,
        y_desc: l.villages_below_floor,
        hlines: Vec::new(),
    };
    draw_year_bands(root, ctx, t, top, &bands, &axes)
}

/// The legend of a band chart: the policies (one row), then what the line
/// and the band are; with small multiples, the grey reference line.
pub(crate) fn band_legend(ctx: &Ctx, multiples: bool, line: &str, band: &str) -> Vec<Vec<LegendItem>> {
    let l = &ctx.l;
    let line_colour = if multiples { policy_color(1) } else { MUTED };
    let mut second = vec![
        item(Swatch::Line(line_colour), line.to_string()),
        item(Swatch::Band(MUTED, BAND_INNER_ALPHA), band.to_string()),
    ];
    if multiples {
        second.push(item(
            Swatch::Line(MUTED),
            match l.lang {
                Lang::En => "grey line: no intervention (in every panel)".to_string(),
                Lang::Zh => "灰线：无干预（各分图相同）".to_string(),
            },
        ));
        vec![second]
    } else {
        vec![policy_legend(ctx, Swatch::BandLine), second]
    }
}
