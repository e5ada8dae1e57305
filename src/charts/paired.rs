//! Decision chart 3: paired difference against no intervention.

use super::*;

/// Whether `name` is the "no intervention" counterfactual.
pub(crate) fn is_no_intervention(r: &Results, name: &str) -> bool {
    let norm = |s: &str| s.trim().to_lowercase().replace(['_', '-'], " ");
    norm(name) == "no intervention"
        || r.policies
            .first()
            .is_some_and(|p| p.name == name && p.interventions.is_empty())
}

/// Comparisons against "no intervention", in the order of the policies.
pub(crate) fn paired_rows(r: &Results) -> Vec<(usize, &PairResults)> {
    r.policies
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            r.comparisons
                .iter()
                .find(|c| c.policy == p.name && c.policy != c.reference && is_no_intervention(r, &c.reference))
                .map(|c| (i, c))
        })
        .collect()
}

/// Net cash per village that policy `i`'s interventions leave the villages
/// in the final year (the accounts' net cash line: after costs, taxes and
/// debt service, interest and principal), mean over runs.
pub(crate) fn net_per_village(r: &Results, i: usize) -> Option<f64> {
    let a = r.policies.get(i)?.accounts.as_ref()?;
    let y = a.years.iter().find(|y| y.year == r.final_year)?;
    let n = r.villages.len().max(1) as f64;
    y.net_cash_yuan.mean.is_finite().then_some(y.net_cash_yuan.mean / n)
}

// ---------------------------------------------------------------------------
// 3. Paired difference against no intervention

pub(crate) fn draw_paired<DB: DrawingBackend>(root: &Area<DB>, ctx: &Ctx, t: Typo) -> DrawResult<(), DB> {
    let w = &ctx.words();
    let r = ctx.r;
    let l = &ctx.l;
    let rows = paired_rows(r);
    let nets: Vec<Option<f64>> = rows.iter().map(|(i, _)| net_per_village(r, *i)).collect();
    let mut legend = vec![vec![
        (Sample::Thin(MUTED), l.p90_band.to_string()),
        (Sample::Fill(MUTED), l.iqr_band.to_string()),
        (Sample::Tick(TEXT), l.median.to_string()),
    ]];
    if nets.iter().any(Option::is_some) {
        legend.push(vec![(Sample::Std(Swatch::Marker(TEXT)), w.net_marker().to_string())]);
    }
    let top = header(root, t, &w.paired_title(r), &w.paired_subtitle(r), &legend)?;

    let n = rows.len();
    let (xlo, xhi) = padded(
        rows.iter()
            .flat_map(|(_, c)| {
                let d = &c.diff_mean_village_income_yuan;
                [d.p5, d.p95]
            })
            .chain(nets.iter().flatten().copied()),
        &[0.0],
        0.06,
    );
    let unit = MoneyUnit::for_axis(w.lang(), xlo.abs().max(xhi.abs()));
    let xtick = |v: &f64| unit.tick(*v);
    let names: Vec<String> = rows.iter().map(|(i, _)| l.policy(&r.policies[*i])).collect();
    let name_w = names.iter().map(|s| text_width(s, TICK_PX)).max().unwrap_or(40) + 14;
    let notes: Vec<String> = rows.iter().map(|(_, c)| w.higher_in(c.p_higher_income)).collect();
    let note_w = notes.iter().map(|s| text_width(s, NOTE_PX)).max().unwrap_or(40);

    let body = root.margin(top, 0, 0, 0);
    let mut chart = build_plot(
        &body,
        Frame::new(note_w + 24, name_w).top(6 + LABEL_H),
        chart_axis(xlo, xhi),
        chart_axis(-0.5, n as f64 - 0.5),
    )?;
    mesh(&mut chart, t)
        .x_labels(7)
        .y_labels(0)
        .x_label_formatter(&xtick)
        .x_desc(w.paired_axis(r, &unit))
        .disable_y_mesh()
        .draw()?;

    let (x0, plot_top, x1, plot_bottom) = plot_rect(root, &chart);
    // Zero: the policy adds nothing.
    let (zx, _) = px(root, &chart, 0.0, 0.0);
    dashed(root, (zx, plot_top - 4), (zx, plot_bottom), TEXT, (6, 4))?;
    let zl = w.zero_line();
    let zw = text_width(zl, NOTE_PX);
    let zlx = if zx + 6 + zw <= x1 { zx + 6 } else { zx - 6 - zw };
    boxed_text(root, t, zl, (zlx.max(x0), plot_top - LABEL_H - 2), HPos::Left, TEXT)?;

    draw_rows(root, &chart, &rows, &names, &notes, t)?;
    let n = rows.len();
    for (k, net) in nets.iter().enumerate() {
        if let Some(v) = net {
            let (x, y) = px(root, &chart, *v, (n - 1 - k) as f64);
            diamond(root, (x, y), 6, TEXT)?;
        }
    }
    Ok(())
}

/// Each comparison as a row: its P5–P95 whisker, P25–P75 box and median
/// tick, the policy's name left of the plot and the share of runs right of it.
fn draw_rows<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &Chart2d<DB>,
    rows: &[(usize, &PairResults)],
    names: &[String],
    notes: &[String],
    t: Typo,
) -> DrawResult<(), DB> {
    let n = rows.len();
    let (x0, plot_top, x1, plot_bottom) = plot_rect(root, chart);
    let row_h = (plot_bottom - plot_top) as f64 / n.max(1) as f64;
    let thick = (row_h * 0.36).clamp(6.0, 16.0) as i32;
    for (k, ((i, c), (name, note))) in rows.iter().zip(names.iter().zip(notes.iter())).enumerate() {
        let col = policy_color(*i);
        let yv = (n - 1 - k) as f64;
        let d = &c.diff_mean_village_income_yuan;
        let (a, yc) = px(root, chart, d.p5, yv);
        let (b, _) = px(root, chart, d.p95, yv);
        let (q1, _) = px(root, chart, d.p25, yv);
        let (q3, _) = px(root, chart, d.p75, yv);
        let (m, _) = px(root, chart, d.p50, yv);
        root.draw(&PathElement::new(vec![(a, yc), (b, yc)], col.stroke_width(2)))?;
        root.draw(&PathElement::new(vec![(a, yc - 5), (a, yc + 5)], col.stroke_width(2)))?;
        root.draw(&PathElement::new(vec![(b, yc - 5), (b, yc + 5)], col.stroke_width(2)))?;
        root.draw(&Rectangle::new(
            [(q1.min(m - 3), yc - thick / 2), (q3.max(m + 3), yc + thick / 2)],
            col.filled(),
        ))?;
        root.draw(&PathElement::new(
            vec![(m, yc - thick / 2 - 4), (m, yc + thick / 2 + 4)],
            TEXT.stroke_width(3),
        ))?;
        // Policy name left of the plot, share of runs right of it.
        root.draw(&Text::new(
            name.clone(),
            (x0 - 8, yc - (0.38 * TICK_PX) as i32 - 1),
            t.text(TICK_PX, TEXT, HPos::Right),
        ))?;
        root.draw(&Text::new(
            note.clone(),
            (x1 + 10, yc - (0.38 * NOTE_PX) as i32 - 1),
            t.text(NOTE_PX, MUTED, HPos::Left),
        ))?;
    }
    Ok(())
}
