//! Decision chart 1: stacked income added per intervention.

use super::*;

// ---------------------------------------------------------------------------
// 1. Contributions

/// Width of the legend column right of the plot, pixels.
const LEGEND_W: i32 = 214;

pub(crate) fn draw_contributions<DB: DrawingBackend>(
    root: &Area<DB>,
    ctx: &Ctx,
    t: Typo,
    policy: usize,
) -> DrawResult<(), DB> {
    let w = &ctx.words();
    let r = ctx.r;
    let p = &r.policies[policy];
    let net = net_income_by_year(p);
    let legend = if net.is_empty() {
        Vec::new()
    } else {
        vec![vec![(
            Sample::Std(Swatch::Marker(TEXT)),
            w.net_income_line().to_string(),
        )]]
    };
    let top = header(
        root,
        t,
        &w.contributions_title(r, p),
        &w.contributions_subtitle(r, p.label(w.lang())),
        &legend,
    )?;
    let stack = Stack::of(p);
    let lo = net.iter().map(|x| x.1).fold(stack.lo, f64::min);
    let hi = net.iter().map(|x| x.1).fold(stack.hi, f64::max);
    let (ylo, yhi) = if hi - lo <= 0.0 {
        (0.0, 1.0)
    } else {
        let span = hi - lo;
        (
            if lo < 0.0 { lo - span * 0.04 } else { 0.0 },
            hi + span * 0.04 + span * 0.06,
        )
    };
    let unit = MoneyUnit::for_axis(w.lang(), ylo.abs().max(yhi.abs()));
    let ytick = |v: &f64| unit.tick(*v);

    // Legend at the right, top entry = top of the stack.
    let years = &stack.years;
    let first = *years.first().unwrap_or(&r.start_year) as f64;
    let last = *years.last().unwrap_or(&r.final_year) as f64;
    let body = root.margin(top, 0, 0, 0);
    let mut chart = build_plot(
        &body,
        Frame::new(
            LEGEND_W + 24,
            y_label_area([ylo, yhi, (ylo + yhi) / 2.0].iter().map(&ytick)),
        ),
        chart_axis(first - 0.5, last + 0.5),
        chart_axis(ylo, yhi),
    )?;
    mesh(&mut chart, t)
        .x_labels(years.len().clamp(2, 12) + 1)
        .y_labels(8)
        .x_label_formatter(&year_tick)
        .y_label_formatter(&ytick)
        .x_desc(ctx.l.year)
        .y_desc(w.income_added_axis(&unit))
        .disable_x_mesh()
        .draw()?;

    draw_segments(root, &chart, &stack.segments)?;
    if lo < 0.0 {
        chart.draw_series(LineSeries::new(
            [(first - 0.5, 0.0), (last + 0.5, 0.0)],
            TEXT.stroke_width(1),
        ))?;
    }
    draw_totals(root, &chart, &stack, unit, t)?;
    if !net.is_empty() {
        let pts: Vec<(f64, f64)> = net.iter().map(|(y, v)| (*y as f64, *v)).collect();
        chart.draw_series(LineSeries::new(pts.clone(), TEXT.stroke_width(2)))?;
        for (x, y) in pts {
            let p = px(root, &chart, x, y);
            diamond(root, p, 5, TEXT)?;
        }
    }
    let visible: Vec<usize> = stack.segments.iter().filter(|s| s.2 != s.3).map(|s| s.0).collect();
    draw_stack_legend(root, &chart, p, &visible, w, t)
}

/// The villages' net income from the policy's interventions by year (what
/// they keep: operating + subsidy, less costs, taxes, depreciation, interest
/// and income tax; the accounts' line), mean over runs. Net income rather
/// than net cash, which in an investment year carries the villages' own
/// equity and would dwarf every other year.
pub(crate) fn net_income_by_year(p: &PolicyResults) -> Vec<(i32, f64)> {
    p.accounts
        .as_ref()
        .map(|a| {
            a.years
                .iter()
                .filter(|y| y.net_income_yuan.mean.is_finite())
                .map(|y| (y.year, y.net_income_yuan.mean))
                .collect()
        })
        .unwrap_or_default()
}

/// The bars of a policy's appraisals: positive parts stacked upwards,
/// negative parts downwards, in the order of the interventions.
struct Stack {
    /// Years of the appraisals, in order.
    years: Vec<i32>,
    /// (intervention, year, from, to).
    segments: Vec<(usize, i32, f64, f64)>,
    /// (year, net total, top of the positive parts).
    totals: Vec<(i32, f64, f64)>,
    /// Lowest and highest ends of the bars (0 included).
    lo: f64,
    hi: f64,
}

impl Stack {
    fn of(p: &PolicyResults) -> Stack {
        let mut years: Vec<i32> = p
            .appraisals
            .iter()
            .flat_map(|a| a.years.iter().map(|y| y.year))
            .collect();
        years.sort_unstable();
        years.dedup();
        let value = |a: &InterventionResults, year: i32| {
            a.years
                .iter()
                .find(|y| y.year == year)
                .map(|y| y.operating_income_yuan.mean)
                .filter(|v| v.is_finite())
                .unwrap_or(0.0)
        };
        let slots = slots(p);
        let n_slots = slots.iter().copied().max().map_or(0, |m| m + 1);
        let mut segments = Vec::new();
        let mut totals = Vec::new();
        let (mut lo, mut hi) = (0.0f64, 0.0f64);
        for &year in &years {
            let (mut up, mut down) = (0.0, 0.0);
            for i in 0..n_slots {
                let v: f64 = p
                    .appraisals
                    .iter()
                    .zip(&slots)
                    .filter(|(_, s)| **s == i)
                    .map(|(a, _)| value(a, year))
                    .sum();
                if v > 0.0 {
                    segments.push((i, year, up, up + v));
                    up += v;
                } else if v < 0.0 {
                    segments.push((i, year, down, down + v));
                    down += v;
                }
            }
            totals.push((year, up + down, up));
            lo = lo.min(down);
            hi = hi.max(up);
        }
        Stack {
            years,
            segments,
            totals,
            lo,
            hi,
        }
    }
}

/// Distinct colours a stack can give its parts.
const MAX_PARTS: usize = 7;

/// The part of the stack of each appraisal: its own (in order) for up to
/// [`MAX_PARTS`] interventions; past that, the six that add the most over the
/// years keep their own and the rest share a last, grey part ("other
/// measures"), so colours never repeat as fake hatching.
pub(crate) fn slots(p: &PolicyResults) -> Vec<usize> {
    let n = p.appraisals.len();
    if n <= MAX_PARTS {
        return (0..n).collect();
    }
    let weight = |a: &InterventionResults| {
        a.years
            .iter()
            .map(|y| y.operating_income_yuan.mean.abs())
            .filter(|v| v.is_finite())
            .sum::<f64>()
    };
    let mut ranked: Vec<usize> = (0..n).collect();
    ranked.sort_by(|&a, &b| {
        weight(&p.appraisals[b])
            .total_cmp(&weight(&p.appraisals[a]))
            .then(a.cmp(&b))
    });
    let mut kept: Vec<usize> = ranked[..MAX_PARTS - 1].to_vec();
    kept.sort_unstable();
    (0..n)
        .map(|i| kept.iter().position(|&k| k == i).unwrap_or(MAX_PARTS - 1))
        .collect()
}

/// The fill of part `i` of a stack: an Okabe–Ito hue, grey for the shared
/// "other measures" part of a crowded stack.
fn part_fill(i: usize, crowded: bool) -> RGBColor {
    if crowded && i == MAX_PARTS - 1 {
        RGBColor(0xB0, 0xB0, 0xB0)
    } else {
        intervention_fill(i)
    }
}

fn draw_segments<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &Chart2d<DB>,
    segments: &[(usize, i32, f64, f64)],
) -> DrawResult<(), DB> {
    let half = 0.32;
    let crowded = segments.iter().any(|s| s.0 >= MAX_PARTS - 1);
    for &(i, year, from, to) in segments {
        let c = part_fill(i, crowded);
        let x = year as f64;
        let (a, b) = (px(root, chart, x - half, from), px(root, chart, x + half, to));
        fill_box(root, (a.0, a.1, b.0, b.1), c)?;
        root.draw(&Rectangle::new([a, b], WHITE.stroke_width(1)))?;
    }
    Ok(())
}

/// Totals above the bars, when they fit side by side.
fn draw_totals<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &Chart2d<DB>,
    stack: &Stack,
    unit: MoneyUnit,
    t: Typo,
) -> DrawResult<(), DB> {
    let (left, plot_top, right, _) = plot_rect(root, chart);
    let slot = (right - left) as f64 / stack.years.len().max(1) as f64;
    let widest = stack
        .totals
        .iter()
        .map(|(_, v, _)| text_width(&unit.sig(*v), NOTE_PX))
        .max()
        .unwrap_or(0);
    if (widest + 8) as f64 <= slot {
        for &(year, total, up) in &stack.totals {
            let (x, y) = px(root, chart, year as f64, up);
            let s = unit.sig(total);
            let y = (y - LABEL_H - 1).max(plot_top + 1);
            root.draw(&Text::new(s, (x, y), t.text(NOTE_PX, TEXT, HPos::Center)))?;
        }
    }
    Ok(())
}

/// Legend column right of the plot, top entry = top of the stack; names on
/// up to two lines when there is room for that.
fn draw_stack_legend<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &Chart2d<DB>,
    p: &PolicyResults,
    visible: &[usize],
    w: &Words,
    t: Typo,
) -> DrawResult<(), DB> {
    let (_, plot_top, right, plot_bottom) = plot_rect(root, chart);
    let x0 = right + 16;
    let text_w = LEGEND_W - SWATCH_W - 6;
    let line_h = LEGEND_PX as i32 + 3;
    let slots = slots(p);
    let crowded = p.appraisals.len() > MAX_PARTS;
    let labels = |max_lines| {
        let mut out: Vec<Vec<String>> = p
            .appraisals
            .iter()
            .zip(&slots)
            .filter(|(_, s)| !crowded || **s < MAX_PARTS - 1)
            .map(|(a, _)| intervention_label(a, w, text_w, max_lines))
            .collect();
        if crowded {
            let others = slots.iter().filter(|s| **s == MAX_PARTS - 1).count();
            out.push(vec![match w.lang() {
                Lang::En => format!("{others} other measures"),
                Lang::Zh => format!("其他 {others} 项措施"),
            }]);
        }
        out
    };
    let mut entries = labels(2);
    let height = |e: &Vec<Vec<String>>| e.iter().map(|l| l.len() as i32 * line_h + 6).sum::<i32>();
    if height(&entries) > plot_bottom - plot_top {
        entries = labels(1);
    }
    let mut y = plot_top;
    // No entry for a part with no bar anywhere (an intervention that adds
    // nothing in these years).
    for (i, lines) in entries.iter().enumerate().rev().filter(|(i, _)| visible.contains(i)) {
        draw_sample(root, Sample::Fill(part_fill(i, crowded)), x0, y + line_h / 2)?;
        for (k, line) in lines.iter().enumerate() {
            root.draw(&Text::new(
                line.clone(),
                (
                    x0 + SWATCH_W + 6,
                    y + k as i32 * line_h + line_h / 2 - (0.38 * LEGEND_PX) as i32 - 1,
                ),
                t.text(LEGEND_PX, TEXT, HPos::Left),
            ))?;
        }
        y += lines.len() as i32 * line_h + 6;
    }
    Ok(())
}

/// An intervention's name without a trailing parenthesis (or its id), in at
/// most `max_lines` lines of `max_w` pixels, ending in a mark when its effect
/// is an assumption (kept even when the name is cut).
pub(crate) fn intervention_label(a: &InterventionResults, w: &Words, max_w: i32, max_lines: usize) -> Vec<String> {
    let name = a.label(w.lang()).trim();
    let short = match name.find(['(', '（']) {
        Some(k) if k >= 3 => name[..k].trim(),
        _ => name,
    };
    let short = if short.is_empty() { a.id.as_str() } else { short };
    let mut lines = wrap_text(short, max_w, LEGEND_PX, max_lines);
    if a.assumption {
        let tag = w.assumption();
        let last = lines.pop().unwrap_or_default();
        // "(assumption)" after a space; "（假设）" brings its own spacing.
        let sep = if tag.starts_with('（') { "" } else { " " };
        let joined = format!("{last}{sep}{tag}");
        if text_width(&joined, LEGEND_PX) <= max_w {
            lines.push(joined);
        } else if lines.len() + 2 <= max_lines {
            lines.push(last);
            lines.push(tag.to_string());
        } else {
            let room = max_w - text_width(&format!("{sep}{tag}"), LEGEND_PX);
            lines.push(format!("{}{sep}{tag}", fit_text(&last, room, LEGEND_PX)));
        }
    }
    lines
}

/// `s` broken into at most `max_lines` lines of `max_w` pixels at `px` per
/// em, at spaces where possible; the last line ends in an ellipsis if cut.
pub(crate) fn wrap_text(s: &str, max_w: i32, px: f64, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in s.split_whitespace() {
        if text_width(word, px) > max_w {
            // A long word, or Chinese without spaces: break between characters.
            if !cur.is_empty() {
                cur.push(' ');
            }
            for c in word.chars() {
                cur.push(c);
                if text_width(&cur, px) > max_w {
                    cur.pop();
                    lines.push(std::mem::take(&mut cur));
                    cur.push(c);
                }
            }
            continue;
        }
        let candidate = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if text_width(&candidate, px) <= max_w || cur.is_empty() {
            cur = candidate;
        } else {
            lines.push(std::mem::take(&mut cur));
            cur = word.to_string();
        }
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    if lines.len() > max_lines {
        let rest = lines[max_lines - 1..].join(" ");
        lines.truncate(max_lines - 1);
        lines.push(rest);
    }
    // Lines still too wide (long words, or the joined rest) are cut.
    lines.into_iter().map(|l| fit_text(&l, max_w, px)).collect()
}

/// `s`, cut with an ellipsis to fit `max_w` pixels at `px` per em.
pub(crate) fn fit_text(s: &str, max_w: i32, px: f64) -> String {
    if text_width(s, px) <= max_w {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    for n in (1..chars.len()).rev() {
        let mut out: String = chars[..n].iter().collect::<String>().trim_end().to_string();
        out.push('…');
        if text_width(&out, px) <= max_w {
            return out;
        }
    }
    "…".to_string()
}
