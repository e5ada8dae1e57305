//! Decision chart 5: public money against income added.

use super::*;

// ---------------------------------------------------------------------------
// 5. Public money against income added

pub(crate) fn draw_cost<DB: DrawingBackend>(root: &Area<DB>, ctx: &Ctx, t: Typo) -> DrawResult<(), DB> {
    let w = &ctx.words();
    let r = ctx.r;
    // (policy, x mean, x p5, x p95, y mean, y p5, y p95)
    let pts: Vec<(usize, [f64; 6])> = r
        .policies
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let d = p.decisions.as_ref()?;
            let (x, y) = (&d.public_money_yuan, &d.income_added_yuan);
            let v = [x.mean, x.p5, x.p95, y.mean, y.p5, y.p95];
            v.iter().all(|v| v.is_finite()).then_some((i, v))
        })
        .collect();
    let legend = vec![vec![
        (Sample::Whiskers(MUTED), w.whiskers().to_string()),
        (Sample::Std(Swatch::Line(AXIS)), w.one_for_one().to_string()),
    ]];
    let top = header(root, t, &w.cost_title(r), &w.cost_subtitle(r), &legend)?;

    let (xlo, xhi) = padded(pts.iter().flat_map(|(_, v)| [v[0], v[1], v[2]]), &[0.0], 0.05);
    let (ylo, yhi) = padded(pts.iter().flat_map(|(_, v)| [v[3], v[4], v[5]]), &[0.0], 0.06);
    let unit = MoneyUnit::for_axis(
        w.lang(),
        [xlo, xhi, ylo, yhi].iter().fold(0.0f64, |m, v| m.max(v.abs())),
    );
    let tick = |v: &f64| unit.tick(*v);
    let body = root.margin(top, 0, 0, 0);
    let mut chart = build_plot(
        &body,
        Frame::new(28, y_label_area([ylo, yhi, (ylo + yhi) / 2.0].iter().map(&tick))),
        chart_axis(xlo, xhi),
        chart_axis(ylo, yhi),
    )?;
    mesh(&mut chart, t)
        .x_labels(6)
        .y_labels(8)
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .x_desc(w.public_money_axis(r, &unit))
        .y_desc(w.income_total_axis(r, &unit))
        .draw()?;

    let plot = plot_rect(root, &chart);
    draw_axes_through_zero(root, &chart, plot, (xlo, xhi, ylo, yhi))?;
    let mut taken = draw_whiskers(root, &chart, &pts)?;
    for (i, v) in &pts {
        let c = policy_color(*i);
        let p = px(root, &chart, v[0], v[3]);
        draw_marker(root, *i, p, 6, c)?;
    }
    draw_point_labels(root, &chart, ctx, &pts, plot, &mut taken, t)
}

/// Axes through zero, and the line of one yuan of income per yuan of
/// public money.
fn draw_axes_through_zero<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &Chart2d<DB>,
    plot: PxBox,
    (xlo, xhi, ylo, yhi): (f64, f64, f64, f64),
) -> DrawResult<(), DB> {
    let (zx, zy) = px(root, chart, 0.0, 0.0);
    root.draw(&PathElement::new(
        vec![(zx, plot.1), (zx, plot.3)],
        AXIS.stroke_width(1),
    ))?;
    root.draw(&PathElement::new(
        vec![(plot.0, zy), (plot.2, zy)],
        AXIS.stroke_width(1),
    ))?;
    let end = xhi.min(yhi);
    if end > 0.0 {
        let a = px(root, chart, xlo.max(ylo).max(0.0), xlo.max(ylo).max(0.0));
        let b = px(root, chart, end, end);
        dashed(root, a, b, AXIS, (6, 4))?;
    }
    Ok(())
}

/// The P5–P95 whiskers of each policy's point, both ways; returns the
/// boxes the points take.
fn draw_whiskers<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &Chart2d<DB>,
    pts: &[(usize, [f64; 6])],
) -> DrawResult<Vec<PxBox>, DB> {
    let mut taken: Vec<PxBox> = Vec::new();
    for (i, v) in pts {
        let c = policy_color(*i);
        let p = px(root, chart, v[0], v[3]);
        let (xa, _) = px(root, chart, v[1], v[3]);
        let (xb, _) = px(root, chart, v[2], v[3]);
        let (_, ya) = px(root, chart, v[0], v[4]);
        let (_, yb) = px(root, chart, v[0], v[5]);
        for (from, to) in [((xa, p.1), (xb, p.1)), ((p.0, ya), (p.0, yb))] {
            if from != to {
                root.draw(&PathElement::new(vec![from, to], c.stroke_width(2)))?;
            }
        }
        for (e, horizontal) in [(xa, true), (xb, true), (ya, false), (yb, false)] {
            if (horizontal && xa != xb) || (!horizontal && ya != yb) {
                let seg = if horizontal {
                    vec![(e, p.1 - 4), (e, p.1 + 4)]
                } else {
                    vec![(p.0 - 4, e), (p.0 + 4, e)]
                };
                root.draw(&PathElement::new(seg, c.stroke_width(2)))?;
            }
        }
        taken.push((p.0 - 7, p.1 - 7, p.0 + 7, p.1 + 7));
    }
    Ok(taken)
}

/// Labels: the first free place around each point, further out if needed,
/// with a leader line when it is not right next to its point.
fn draw_point_labels<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &Chart2d<DB>,
    ctx: &Ctx,
    pts: &[(usize, [f64; 6])],
    plot: PxBox,
    taken: &mut Vec<PxBox>,
    t: Typo,
) -> DrawResult<(), DB> {
    for (i, v) in pts {
        let c = policy_color(*i);
        let p = px(root, chart, v[0], v[3]);
        let label = ctx.l.policy(&ctx.r.policies[*i]);
        let (start, anchor, near) = place_label(&label, p, plot, taken);
        taken.push(label_box(&label, start));
        if !near {
            root.draw(&PathElement::new(vec![p, anchor], c.mix(0.8).stroke_width(1)))?;
        }
        boxed_text(root, t, &label, start, HPos::Left, TEXT)?;
    }
    Ok(())
}

/// Where to put `label` for a point at `p`: the text's top-left corner, the
/// point of its box a leader line should reach, and whether the label is
/// close enough to need none. Tries positions around the point at growing
/// distances and takes the first one inside `plot` clear of `taken`.
pub(crate) fn place_label(label: &str, p: (i32, i32), plot: PxBox, taken: &[PxBox]) -> ((i32, i32), (i32, i32), bool) {
    let w = text_width(label, NOTE_PX);
    let h = NOTE_PX as i32;
    let inside = |b: PxBox| b.0 >= plot.0 + 2 && b.2 <= plot.2 - 2 && b.1 >= plot.1 + 2 && b.3 <= plot.3 - 2;
    let mut fallback = None;
    for (step, d) in [10, 24, 42, 64, 90].into_iter().enumerate() {
        let diag = d * 7 / 10;
        let candidates = [
            ((p.0 + d, p.1 - h / 2), (p.0 + d - 3, p.1)),
            ((p.0 - d - w, p.1 - h / 2), (p.0 - d + 3, p.1)),
            ((p.0 + diag, p.1 - diag - h), (p.0 + diag - 3, p.1 - diag)),
            ((p.0 + diag, p.1 + diag), (p.0 + diag - 3, p.1 + diag)),
            ((p.0 - diag - w, p.1 - diag - h), (p.0 - diag + 3, p.1 - diag)),
            ((p.0 - diag - w, p.1 + diag), (p.0 - diag + 3, p.1 + diag)),
            ((p.0 - w / 2, p.1 - d - h), (p.0, p.1 - d + 2)),
            ((p.0 - w / 2, p.1 + d), (p.0, p.1 + d - 2)),
        ];
        for (start, anchor) in candidates {
            let b = label_box(label, start);
            if !inside(b) {
                continue;
            }
            if fallback.is_none() {
                fallback = Some((start, anchor, step == 0));
            }
            if !taken.iter().any(|t| overlaps(*t, b)) {
                return (start, anchor, step == 0);
            }
        }
    }
    fallback.unwrap_or(((p.0 + 10, p.1 - h / 2), p, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_placement_avoids_taken_boxes() {
        let plot = (100, 100, 700, 450);
        let p = (300, 300);
        let (s1, _, near) = place_label("no intervention", p, plot, &[]);
        assert!(near);
        let b1 = label_box("no intervention", s1);
        let (s2, _, _) = place_label("mountain-sea workshop", (305, 300), plot, &[b1]);
        assert!(!overlaps(b1, label_box("mountain-sea workshop", s2)));
        // At the plot's left edge a label goes right or around, never outside.
        let (s3, _, _) = place_label("cluster purchase", (102, 300), plot, &[]);
        assert!(s3.0 >= plot.0);
    }
}
