//! Decision chart 4: coverage by year.

use super::*;

// ---------------------------------------------------------------------------
// 4. Coverage by year

pub(crate) fn draw_coverage<DB: DrawingBackend>(root: &Area<DB>, ctx: &Ctx, t: Typo) -> DrawResult<(), DB> {
    let w = &ctx.words();
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
    let mut legend = marker_legend(ctx, &series);
    let observed = observed_coverage(r);
    if let Some((year, full)) = observed {
        legend.push(vec![(
            Sample::Std(Swatch::Marker(TEXT)),
            w.observed_coverage(year, full),
        )]);
    }
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
    let mut chart = build_plot(
        &body,
        Frame::new(28, y_label_area(["100".to_string()].into_iter())).top(6 + LABEL_H),
        chart_axis(first - 0.5, last + 0.5),
        chart_axis(-4.0, 104.0),
    )?;
    mesh(&mut chart, t)
        .x_labels(((last - first).clamp(0.0, 11.0)) as usize + 2)
        .y_labels(6)
        .x_label_formatter(&year_tick)
        .y_label_formatter(&pct_tick_0_100)
        .x_desc(l.year)
        .y_desc(w.coverage_axis())
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
    marker_lines(root, &mut chart, &series, 5)?;
    if let Some((year, full)) = observed {
        let (x, y) = px(root, &chart, year as f64, if full { 100.0 } else { 0.0 });
        diamond(root, (x, y), 7, TEXT)?;
    }
    if !any_coverage(r) {
        let s = w.coverage_never();
        let (_, y50) = px(root, &chart, first, 50.0);
        boxed_text(root, t, s, ((x0 + x1) / 2, y50 - LABEL_H / 2), HPos::Center, TEXT)?;
    }
    Ok(())
}

/// Whether some policy reaches full coverage in some run and year.
fn any_coverage(r: &Results) -> bool {
    r.policies.iter().any(|p| {
        p.coverage
            .iter()
            .any(|c| c.p_reached_by.is_finite() && c.p_reached_by > 0.0)
    })
}

/// The backtest's observation of full coverage (year, whether every
/// village was at the floor), when it falls within the chart's years.
pub(crate) fn observed_coverage(r: &Results) -> Option<(i32, bool)> {
    r.policies
        .iter()
        .filter_map(|p| p.backtest.as_ref())
        .find_map(|b| b.observed_full_coverage.map(|full| (b.year, full)))
        .filter(|(y, _)| (r.start_year..=r.final_year).contains(y))
}

/// Whether the coverage chart has something to show: some chance of full
/// coverage, or an observation to mark against the model's 0.
pub(crate) fn coverage_has_something(r: &Results) -> bool {
    r.policies.iter().any(|p| !p.coverage.is_empty()) && (any_coverage(r) || observed_coverage(r).is_some())
}

impl Words {
    /// The legend entry of the observation.
    pub(crate) fn observed_coverage(&self, year: i32, full: bool) -> String {
        match (self.lang(), full) {
            (Lang::En, true) => format!("observed: every village at the floor in {year}"),
            (Lang::En, false) => format!("observed: not every village at the floor in {year}"),
            (Lang::Zh, true) => format!("实际观测：{year} 年所有村均达到底线"),
            (Lang::Zh, false) => format!("实际观测：{year} 年并非所有村都达到底线"),
        }
    }
}
