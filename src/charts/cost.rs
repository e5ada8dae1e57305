//! Decision chart 5: the money each policy commits, and what of it is a
//! cost to the public purse.
//!
//! One row per policy with any money moved: a stacked bar of the money
//! committed over the horizon (public money moved by the county, then bank
//! loans and village equity), and below it the fiscal cost (spent +
//! implicit subsidy + expected loss on capital placed) with its P5–P95.
//! Policies that move no money are not drawn; a run where none does has no
//! cost chart.

use super::*;
use crate::format::money_sig;

/// One policy's row: index, public money, bank and village money, fiscal
/// cost (mean, P5, P95), yuan.
pub(crate) type CostRow = (usize, f64, f64, [f64; 3]);

/// The policies with money committed or a fiscal cost, in their order.
pub(crate) fn cost_rows(r: &Results) -> Vec<CostRow> {
    r.policies
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let d = p.decisions.as_ref()?;
            let f = &d.fiscal_cost_yuan;
            let row = (
                i,
                d.public_money_yuan.mean,
                d.private_money_yuan.mean,
                [f.mean, f.p5, f.p95],
            );
            let all = [row.1, row.2, f.mean, f.p5, f.p95];
            (all.iter().all(|v| v.is_finite()) && all.iter().any(|v| v.abs() >= 0.5)).then_some(row)
        })
        .collect()
}

pub(crate) fn draw_cost<DB: DrawingBackend>(root: &Area<DB>, ctx: &Ctx, t: Typo) -> DrawResult<(), DB> {
    let w = &ctx.words();
    let r = ctx.r;
    let rows = cost_rows(r);
    let legend = vec![vec![
        (
            Sample::Std(Swatch::Band(POLICY_COLORS[1], 1.0)),
            w.public_money_label().to_string(),
        ),
        (
            Sample::Std(Swatch::Band(POLICY_COLORS[6], 1.0)),
            w.bank_village_label().to_string(),
        ),
        (
            Sample::Std(Swatch::Band(POLICY_COLORS[2], 1.0)),
            w.fiscal_cost_label().to_string(),
        ),
        (Sample::Whiskers(TEXT), w.whiskers().to_string()),
    ]];
    let top = header(root, t, &w.cost_title(r), &w.cost_subtitle(r), &legend)?;
    if rows.is_empty() {
        return no_data(root, ctx, t, top);
    }
    let values = rows.iter().flat_map(|(_, p, b, f)| [*p + *b, *p, f[0], f[1], f[2]]);
    let (xlo, xhi) = padded(values, &[0.0], 0.05);
    // Room right of the longest bar for its label.
    let xhi = xhi + (xhi - xlo) * 0.2;
    let unit = MoneyUnit::for_axis(w.lang(), xlo.abs().max(xhi.abs()));
    let tick = |v: &f64| unit.tick(*v);
    let n = rows.len() as f64;
    let body = root.margin(top, 0, 0, 0);
    let mut chart = build_plot(&body, Frame::new(28, 12), chart_axis(xlo, xhi), chart_axis(0.0, n))?;
    mesh(&mut chart, t)
        .x_labels(6)
        .y_labels(0)
        .x_label_formatter(&tick)
        .x_desc(w.committed_axis(r, &unit))
        .disable_y_mesh()
        .draw()?;
    for (k, row) in rows.iter().enumerate() {
        draw_cost_row(root, &chart, ctx, t, n - 1.0 - k as f64, row)?;
    }
    Ok(())
}

/// One policy's row in the band `[y0, y0 + 1]`: its name, the stacked
/// committed bar with its total, the fiscal cost bar with whiskers.
fn draw_cost_row<DB: DrawingBackend>(
    root: &Area<DB>,
    chart: &Chart2d<DB>,
    ctx: &Ctx,
    t: Typo,
    y0: f64,
    &(i, public, private, fiscal): &CostRow,
) -> DrawResult<(), DB> {
    let lang = ctx.l.lang;
    let (x_left, _) = px(root, chart, chart.x_range().start, y0);
    let (_, row_top) = px(root, chart, 0.0, y0 + 1.0);
    let (_, row_bottom) = px(root, chart, 0.0, y0);
    let h = (row_bottom - row_top).max(30);
    let name = ctx.l.policy_label(ctx.r.policies[i].label(ctx.l.lang));
    root.draw(&Text::new(
        name,
        (x_left + 4, row_top + 2),
        t.text(NOTE_PX, policy_color(i), HPos::Left),
    ))?;
    let bar_h = ((h - NOTE_PX as i32 - 10) / 2).clamp(6, 22);
    let y_a = row_top + NOTE_PX as i32 + 6;
    let y_b = y_a + bar_h + 3;
    let (z, _) = px(root, chart, 0.0, y0);
    let (xp, _) = px(root, chart, public, y0);
    let (xt, _) = px(root, chart, public + private, y0);
    fill_box(root, (z, y_a, xp, y_a + bar_h), POLICY_COLORS[1])?;
    fill_box(root, (xp, y_a, xt, y_a + bar_h), POLICY_COLORS[6])?;
    let total = money_sig(lang, public + private);
    root.draw(&Text::new(
        total,
        (xt.max(z) + 6, y_a + 2),
        t.text(NOTE_PX, TEXT, HPos::Left),
    ))?;
    let (xf, _) = px(root, chart, fiscal[0], y0);
    fill_box(root, (z, y_b, xf, y_b + bar_h), POLICY_COLORS[2])?;
    let (x5, _) = px(root, chart, fiscal[1], y0);
    let (x95, _) = px(root, chart, fiscal[2], y0);
    let ym = y_b + bar_h / 2;
    if x5 != x95 {
        root.draw(&PathElement::new(vec![(x5, ym), (x95, ym)], TEXT.stroke_width(1)))?;
        for x in [x5, x95] {
            root.draw(&PathElement::new(vec![(x, ym - 4), (x, ym + 4)], TEXT.stroke_width(1)))?;
        }
    }
    let f = money_sig(lang, fiscal[0]);
    root.draw(&Text::new(
        f,
        (xf.max(x95).max(z) + 6, y_b + 2),
        t.text(NOTE_PX, TEXT, HPos::Left),
    ))?;
    Ok(())
}

impl Words {
    /// The message: the policy that commits the most money, how much of it
    /// comes from banks and villages, and its fiscal cost.
    pub(crate) fn cost_title(&self, r: &Results) -> String {
        let lang = self.lang();
        let Some(&(i, public, private, fiscal)) = cost_rows(r)
            .iter()
            .max_by(|a, b| (a.1 + a.2).total_cmp(&(b.1 + b.2)).then(b.0.cmp(&a.0)))
        else {
            return self.pick("No policy moves any money", "没有政策动用资金").to_string();
        };
        let name = self.l.policy_name(r.policies[i].label(self.l.lang));
        let (total, bv, f) = (
            money_sig(lang, public + private),
            money_sig(lang, private),
            money_sig(lang, fiscal[0]),
        );
        match lang {
            Lang::En => format!("{name} commits {total} ({bv} from banks and villages); its fiscal cost is {f}"),
            Lang::Zh => format!("{name}共投入 {total}（其中银行与村集体 {bv}），财政成本 {f}"),
        }
    }

    pub(crate) fn cost_subtitle(&self, r: &Results) -> String {
        match self.lang() {
            Lang::En => format!(
                "Totals over all villages, {}; means of {} runs; fiscal cost: spent + implicit subsidy + expected loss on capital placed",
                self.sim_span(r),
                self.runs(r)
            ),
            Lang::Zh => format!(
                "所有村庄 {} 年合计；{} 次模拟的均值；财政成本 = 支出 + 隐性补贴 + 投入资本的预期损失",
                self.sim_span(r),
                self.runs(r)
            ),
        }
    }

    pub(crate) fn committed_axis(&self, r: &Results, unit: &MoneyUnit) -> String {
        let u = unit.name(self.lang());
        match self.lang() {
            Lang::En => format!("Money, {} total ({u})", self.sim_span(r)),
            Lang::Zh => format!("资金，{}年合计（{u}）", self.sim_span(r)),
        }
    }

    pub(crate) fn public_money_label(&self) -> &'static str {
        self.pick("public money moved", "公共资金")
    }

    pub(crate) fn bank_village_label(&self) -> &'static str {
        self.pick("bank loans and village equity", "银行贷款与村集体出资")
    }

    pub(crate) fn fiscal_cost_label(&self) -> &'static str {
        self.pick("fiscal cost (P5–P95)", "财政成本（P5–P95）")
    }
}
