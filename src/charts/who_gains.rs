//! Run chart: who gains the value each policy's measures add (issue 11,
//! item 12), as one diverging stacked bar per policy.
//!
//! The parts are the means over the runs of `PolicyAccounts::who_gains`
//! (see `model::accounts`), summed over all villages and the horizon: a
//! party's gain lies right of 0, a party's cost (the public purse's fiscal
//! cost above its taxes, the host district's money) left of it. A black
//! tick marks the added value, the sum of the six.

use super::*;

/// Width of the bar, as a share of its row.
const BAR_SHARE: f64 = 0.56;
/// Widest policy name left of the plot, pixels.
const NAME_MAX_W: i32 = 190;

/// A party to the value added, in the order of the legend and of the stacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Party {
    Collective,
    Farmers,
    Bank,
    Partners,
    PublicPurse,
    HostDistrict,
}

impl Party {
    pub(crate) const ALL: [Party; 6] = [
        Party::Collective,
        Party::Farmers,
        Party::Bank,
        Party::Partners,
        Party::PublicPurse,
        Party::HostDistrict,
    ];

    /// The party's share of the value added, mean over runs, yuan.
    pub(crate) fn value(self, g: &WhoGains) -> f64 {
        match self {
            Party::Collective => g.collective_yuan.mean,
            Party::Farmers => g.farmers_yuan.mean,
            Party::Bank => g.bank_yuan.mean,
            Party::Partners => g.partners_yuan.mean,
            Party::PublicPurse => g.public_purse_yuan.mean,
            Party::HostDistrict => g.host_district_yuan.mean,
        }
    }

    /// Its fill: one Okabe–Ito hue of its own, solid (no party is hatched:
    /// a hatch read as the palette wrapping). Neighbours in a stack are
    /// split by a white rule, and hues next to each other in the stack's
    /// order differ in lightness too (blue, green, orange, sky blue,
    /// vermillion, purple).
    pub(crate) fn fill(self) -> RGBColor {
        match self {
            Party::Collective => POLICY_COLORS[1],
            Party::Farmers => POLICY_COLORS[3],
            Party::Bank => POLICY_COLORS[5],
            Party::Partners => POLICY_COLORS[6],
            Party::PublicPurse => POLICY_COLORS[2],
            Party::HostDistrict => POLICY_COLORS[4],
        }
    }
}

/// One policy's bar.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bar {
    /// Index of the policy in `Results::policies`.
    pub(crate) policy: usize,
    /// (party, from, to), yuan: positive parts laid end to end from 0
    /// rightwards, negative parts from 0 leftwards, each side in the order
    /// of [`Party::ALL`]; parts of 0 are left out.
    pub(crate) segments: Vec<(Party, f64, f64)>,
    /// The added value as the results give it (the sum of the six parts).
    pub(crate) added_value: f64,
    /// Left end of the negative parts and right end of the positive ones
    /// (0 when a side is empty).
    pub(crate) lo: f64,
    pub(crate) hi: f64,
}

impl Bar {
    /// The bar of `g`, or none when a figure is not a number.
    pub(crate) fn of(policy: usize, g: &WhoGains) -> Option<Bar> {
        let values = Party::ALL.map(|p| p.value(g));
        let added_value = g.added_value_yuan.mean;
        if !values.iter().chain([&added_value]).all(|v| v.is_finite()) {
            return None;
        }
        let (mut up, mut down) = (0.0f64, 0.0f64);
        let mut segments = Vec::new();
        for (party, v) in Party::ALL.into_iter().zip(values) {
            if v > 0.0 {
                segments.push((party, up, up + v));
                up += v;
            } else if v < 0.0 {
                segments.push((party, down, down + v));
                down += v;
            }
        }
        Some(Bar {
            policy,
            segments,
            added_value,
            lo: down,
            hi: up,
        })
    }
}

/// The bars of `r`: one per policy with interventions and accounts, in the
/// order of the policies ("no intervention" adds nothing and is left out).
pub(crate) fn who_gains_bars(r: &Results) -> Vec<Bar> {
    r.policies
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.interventions.is_empty())
        .filter_map(|(i, p)| Bar::of(i, &p.accounts.as_ref()?.who_gains))
        .collect()
}

/// Whether `r` gets this chart: results written before the accounts (or
/// without a policy with interventions) do not.
pub(crate) fn has_who_gains(r: &Results) -> bool {
    !who_gains_bars(r).is_empty()
}

pub(crate) fn draw_who_gains<DB: DrawingBackend>(root: &Area<DB>, ctx: &Ctx, t: Typo) -> DrawResult<(), DB> {
    let w = &ctx.words();
    let r = ctx.r;
    let bars = who_gains_bars(r);
    let top = header(
        root,
        t,
        &w.who_gains_title(r),
        &w.who_gains_subtitle(r),
        &legend(w, &bars),
    )?;
    if bars.is_empty() {
        return no_data(root, ctx, t, top);
    }
    let names: Vec<String> = bars.iter().map(|b| ctx.l.policy(&r.policies[b.policy])).collect();
    let name_w = names
        .iter()
        .map(|n| text_width(n, TICK_PX))
        .max()
        .unwrap_or(0)
        .clamp(40, NAME_MAX_W);
    let (lo, hi) = padded(bars.iter().flat_map(|b| [b.lo, b.hi, b.added_value]), &[0.0], 0.04);
    let unit = MoneyUnit::for_axis(w.lang(), lo.abs().max(hi.abs()));
    let tick = |v: &f64| unit.tick(*v);
    // The plot's width, as `build_plot` lays it out.
    let plot_w = WIDTH as i32 - (MARGIN_X - 8) - (name_w + 14) - 28;
    let (labels, label_w) = total_labels(&bars, unit, w, plot_w);
    let hi = room_for_labels(&bars, (lo, hi), plot_w, label_w);
    let body = root.margin(top, 0, 0, 0);
    let mut chart = build_plot(
        &body,
        Frame::new(28, name_w + 14),
        chart_axis(lo, hi),
        chart_axis(0.0, bars.len() as f64),
    )?;
    mesh(&mut chart, t)
        .x_labels(7)
        .y_labels(0)
        .x_label_formatter(&tick)
        .y_label_formatter(&|_| String::new())
        .x_desc(w.who_gains_axis(r, &unit))
        .disable_y_mesh()
        .draw()?;

    let rows = bars.len();
    for (k, bar) in bars.iter().enumerate() {
        let yc = (rows - k) as f64 - 0.5;
        draw_bar(root, &chart, bar, yc)?;
    }
    draw_zero_line(root, &chart)?;
    for (k, bar) in bars.iter().enumerate() {
        let yc = (rows - k) as f64 - 0.5;
        draw_total(root, &chart, bar, yc, &labels[k], t)?;
    }
    draw_names(root, &chart, &names, name_w, t)
}

/// The parties whose part shows in some bar: at least 0.5% of the span
/// of the bars (a few pixels), in the order of [`Party::ALL`].
pub(crate) fn visible_parties(bars: &[Bar]) -> Vec<Party> {
    let span = bars.iter().map(|b| b.hi - b.lo).fold(0.0, f64::max);
    Party::ALL
        .into_iter()
        .filter(|p| {
            bars.iter()
                .flat_map(|b| &b.segments)
                .any(|s| s.0 == *p && (s.2 - s.1).abs() >= 0.005 * span)
        })
        .collect()
}

/// The legend: the parties with a visible part, then the added value's tick.
fn legend(w: &Words, bars: &[Bar]) -> Vec<Vec<(Sample, String)>> {
    let mut row: Vec<(Sample, String)> = visible_parties(bars)
        .iter()
        .map(|p| (Sample::Fill(p.fill()), w.party(*p).to_string()))
        .collect();
    row.push((Sample::Tick(TEXT), w.added_value().to_string()));
    vec![row]
}

/// The segments of `bar`, centred on row `yc`.
fn draw_bar<DB: DrawingBackend>(root: &Area<DB>, chart: &Chart2d<DB>, bar: &Bar, yc: f64) -> DrawResult<(), DB> {
    let half = BAR_SHARE / 2.0;
    for &(party, from, to) in &bar.segments {
        let a = px(root, chart, from, yc + half);
        let b = px(root, chart, to, yc - half);
        fill_box(root, (a.0, a.1, b.0, b.1), party.fill())?;
        root.draw(&Rectangle::new([a, b], WHITE.stroke_width(1)))?;
    }
    Ok(())
}

/// The line of 0 yuan, top to bottom of the plot.
fn draw_zero_line<DB: DrawingBackend>(root: &Area<DB>, chart: &Chart2d<DB>) -> DrawResult<(), DB> {
    let (left, top, right, bottom) = plot_rect(root, chart);
    let (x, _) = px(root, chart, 0.0, 0.0);
    if x >= left && x <= right {
        root.draw(&PathElement::new(vec![(x, top), (x, bottom)], TEXT.stroke_width(1)))?;
    }
    Ok(())
}

/// The labels of the bars' totals, "added value 1,234" when those leave
/// half the plot to the bars, else the amounts alone; and their widest
/// width, pixels.
fn total_labels(bars: &[Bar], unit: MoneyUnit, w: &Words, plot_w: i32) -> (Vec<String>, i32) {
    let widest = |labels: &[String]| labels.iter().map(|l| text_width(l, NOTE_PX)).max().unwrap_or(0);
    let amounts: Vec<String> = bars.iter().map(|b| unit.sig(b.added_value)).collect();
    let named: Vec<String> = amounts
        .iter()
        .map(|a| format!("{} {a}", w.added_value_short()))
        .collect();
    let named_w = widest(&named);
    if 2 * (named_w + LABEL_GAP) <= plot_w {
        (named, named_w)
    } else {
        let w = widest(&amounts);
        (amounts, w)
    }
}

/// Gap between a bar and its total's label, and the label's room to the
/// plot's edge, pixels.
const LABEL_GAP: i32 = 14;

/// The right end of the money axis from `lo` to at least `hi` that leaves
/// `label_w` pixels right of every bar on a plot `plot_w` pixels wide (when
/// that leaves the bars half the plot; otherwise labels go left of the bars
/// or are left out).
fn room_for_labels(bars: &[Bar], (lo, hi): (f64, f64), plot_w: i32, label_w: i32) -> f64 {
    let share = f64::from(plot_w - label_w - LABEL_GAP) / f64::from(plot_w.max(1));
    if share < 0.5 {
        return hi;
    }
    bars.iter()
        .map(|b| lo + (b.hi.max(b.added_value) - lo) / share)
        .fold(hi, f64::max)
}

/// The added value of `bar` as a black tick across it (on a white rim, so
/// it shows on any fill), and its `label` beside the bar where it fits:
/// right of it, else left of it.
fn draw_total<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &Chart2d<DB>,
    bar: &Bar,
    yc: f64,
    label: &str,
    t: Typo,
) -> DrawResult<(), DB> {
    let (left, _, right, _) = plot_rect(root, chart);
    let half = BAR_SHARE / 2.0;
    let (x, y0) = px(root, chart, bar.added_value, yc + half);
    let (_, y1) = px(root, chart, bar.added_value, yc - half);
    let (y0, y1) = (y0 - 4, y1 + 4);
    root.draw(&PathElement::new(vec![(x, y0), (x, y1)], WHITE.stroke_width(6)))?;
    root.draw(&PathElement::new(vec![(x, y0), (x, y1)], TEXT.stroke_width(3)))?;

    let width = text_width(label, NOTE_PX);
    let (end, _) = px(root, chart, bar.hi.max(bar.added_value), yc);
    let (start, ty) = px(root, chart, bar.lo.min(bar.added_value), yc);
    let ty = ty - LABEL_H / 2 + 2;
    if end + 8 + width <= right - 2 {
        boxed_text(root, t, label, (end + 8, ty), HPos::Left, TEXT)?;
    } else if start - 8 - width >= left + 2 {
        boxed_text(root, t, label, (start - 8, ty), HPos::Right, TEXT)?;
    }
    Ok(())
}

/// The policies' names left of their bars, on two lines when the rows are
/// high enough.
fn draw_names<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &Chart2d<DB>,
    names: &[String],
    name_w: i32,
    t: Typo,
) -> DrawResult<(), DB> {
    let (left, top, _, bottom) = plot_rect(root, chart);
    let row_h = (bottom - top) / names.len().max(1) as i32;
    let line_h = TICK_PX as i32 + 3;
    let max_lines = if row_h >= 2 * line_h + 4 { 2 } else { 1 };
    for (k, name) in names.iter().enumerate() {
        let lines = wrap_text(name, name_w, TICK_PX, max_lines);
        let (_, yc) = px(root, chart, 0.0, (names.len() - k) as f64 - 0.5);
        let y = yc - lines.len() as i32 * line_h / 2;
        for (j, line) in lines.iter().enumerate() {
            root.draw(&Text::new(
                line.clone(),
                (left - 8, y + j as i32 * line_h + 1),
                t.text(TICK_PX, TEXT, HPos::Right),
            ))?;
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::charts::tests::{sample_results, stat};

    /// Accounts whose who-gains parts are `parts` (in the order of
    /// [`Party::ALL`]) and whose added value is their sum; other figures 0.
    pub(crate) fn accounts(parts: [f64; 6]) -> PolicyAccounts {
        let z = || stat(0.0, 0.0);
        let s = |v: f64| stat(v, v.abs() * 0.2);
        PolicyAccounts {
            years: Vec::new(),
            public_cost: PublicCost {
                spent_yuan: z(),
                placed_yuan: z(),
                returned_yuan: z(),
                loss_on_placed_yuan: z(),
                implicit_subsidy_yuan: z(),
                guarantee_calls_yuan: z(),
                fiscal_cost_yuan: z(),
                fiscal_cost_pv_yuan: z(),
                host_district_yuan: s(-parts[5]),
                public_discount_rate: 0.08,
            },
            committed_yuan: Default::default(),
            who_gains: WhoGains {
                collective_yuan: s(parts[0]),
                farmers_yuan: s(parts[1]),
                bank_yuan: s(parts[2]),
                partners_yuan: s(parts[3]),
                public_purse_yuan: s(parts[4]),
                host_district_yuan: s(parts[5]),
                added_value_yuan: s(parts.iter().sum()),
            },
            equity_like_debt: Vec::new(),
        }
    }

    #[test]
    fn segments_sum_to_the_added_value_on_their_sides() {
        let parts = [1_200_000.0, 350_000.0, 0.0, 80_000.0, -900_000.0, -150_000.0];
        let a = accounts(parts);
        let bar = Bar::of(1, &a.who_gains).unwrap();
        let sum: f64 = bar.segments.iter().map(|(_, from, to)| to - from).sum();
        assert!((sum - a.who_gains.added_value_yuan.mean).abs() < 1e-6, "{sum}");
        assert!((bar.added_value - 580_000.0).abs() < 1e-6);
        // The bank's 0 draws nothing; every other party has its segment.
        assert_eq!(bar.segments.len(), 5);
        assert!(bar.segments.iter().all(|s| s.0 != Party::Bank));
        for &(party, from, to) in &bar.segments {
            let v = party.value(&a.who_gains);
            assert!(((to - from) - v).abs() < 1e-6, "{party:?}");
            if v > 0.0 {
                assert!(from >= 0.0 && to > from, "{party:?} {from} {to}");
            } else {
                assert!(from <= 0.0 && to < from, "{party:?} {from} {to}");
            }
        }
        // Each side is laid end to end from 0.
        let right: Vec<_> = bar.segments.iter().filter(|s| s.2 > s.1).collect();
        let left: Vec<_> = bar.segments.iter().filter(|s| s.2 < s.1).collect();
        assert_eq!(right[0].1, 0.0);
        assert_eq!(left[0].1, 0.0);
        assert!(right.windows(2).all(|w| w[0].2 == w[1].1));
        assert!(left.windows(2).all(|w| w[0].2 == w[1].1));
        assert_eq!((bar.lo, bar.hi), (-1_050_000.0, 1_630_000.0));
        // A figure that is not a number draws no bar.
        let mut nan = a.who_gains.clone();
        nan.bank_yuan.mean = f64::NAN;
        assert!(Bar::of(1, &nan).is_none());
    }

    /// The legend names only the parties with a part one can see.
    #[test]
    fn legend_has_no_entry_without_a_bar() {
        let bars = [
            Bar::of(1, &accounts([5e5, 0.0, 4e4, 1.0, -3e5, 0.0]).who_gains).unwrap(),
            Bar::of(2, &accounts([6e5, 0.0, 0.0, 0.0, -1e5, 0.0]).who_gains).unwrap(),
        ];
        // Farmers and the host district have nothing; partners 1 yuan.
        assert_eq!(
            visible_parties(&bars),
            [Party::Collective, Party::Bank, Party::PublicPurse]
        );
    }

    #[test]
    fn only_policies_with_interventions_and_accounts() {
        let mut r = sample_results();
        assert!(!has_who_gains(&r), "older results have no accounts");
        for p in &mut r.policies {
            p.accounts = Some(accounts([0.0; 6]));
        }
        // Accounts, but no policy with interventions: no chart.
        assert!(!has_who_gains(&r));
        r.policies[1].interventions = vec!["pv".into()];
        let bars = who_gains_bars(&r);
        assert_eq!(bars.len(), 1);
        assert_eq!(bars[0].policy, 1);
        assert!(bars[0].segments.is_empty());
    }

    /// The chart draws, with its title, in both languages.
    #[test]
    fn renders_with_title() {
        let mut r = sample_results();
        r.policies[1].interventions = vec!["pv".into()];
        r.policies[1].accounts = Some(accounts([5e5, 2e5, 4e4, 0.0, -3e5, -1e5]));
        for lang in [Lang::En, Lang::Zh] {
            let ctx = Ctx::new(&r, lang);
            let buf = render_chart_rgb(&Chart(&ctx));
            let dark = crate::charts::tests::dark_pixels_in_title(&buf);
            assert!(dark > 800, "{lang:?}: only {dark} dark pixels in the title");
        }
    }

    /// Every party has a colour of its own, solid: none repeats and none is
    /// a hatch; each party with a part shows its colour in the picture
    /// (its segment and legend box), in pixels of exactly that colour.
    #[test]
    fn every_party_has_its_own_solid_colour() {
        let fills: Vec<RGBColor> = Party::ALL.iter().map(|p| p.fill()).collect();
        for (i, a) in fills.iter().enumerate() {
            for b in &fills[i + 1..] {
                assert_ne!(a, b, "two parties share a colour");
            }
        }
        let mut r = sample_results();
        r.policies[1].interventions = vec!["pv".into()];
        r.policies[1].accounts = Some(accounts([5e5, 2e5, 4e4, 3e4, -3e5, -1e5]));
        let ctx = Ctx::new(&r, Lang::En);
        let buf = render_chart_rgb(&Chart(&ctx));
        assert_eq!(visible_parties(&who_gains_bars(&r)), Party::ALL);
        for (p, c) in Party::ALL.iter().zip(&fills) {
            let n = buf.chunks(3).filter(|px| px == &[c.0, c.1, c.2]).count();
            // The legend's box alone is 26 x 12 pixels.
            assert!(n > 26 * 12, "{p:?}: {n} pixels of its colour");
        }
    }

    struct Chart<'a>(&'a Ctx<'a>);

    impl DrawChart for Chart<'_> {
        fn draw_chart<DB: DrawingBackend>(&self, root: &Area<DB>, t: Typo) -> DrawResult<(), DB> {
            root.fill(&WHITE)?;
            draw_who_gains(root, self.0, t)
        }
    }

    #[test]
    fn font_covers_chinese_words() {
        let font = ab_glyph::FontRef::try_from_slice(FONT_BYTES).unwrap();
        let r = sample_results();
        let w = Words { l: Labels::ZH };
        let unit = MoneyUnit::for_axis(Lang::Zh, 1e7);
        let mut texts = vec![
            w.who_gains_title(&r),
            w.who_gains_subtitle(&r),
            w.who_gains_axis(&r, &unit),
            w.added_value().to_string(),
            w.added_value_short().to_string(),
        ];
        texts.extend(Party::ALL.iter().map(|p| w.party(*p).to_string()));
        crate::charts::tests::assert_glyphs(&font, &texts);
    }
}
