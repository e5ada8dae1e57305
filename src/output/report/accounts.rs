//! Section 4 of the report, the accounts a finance bureau signs: the target
//! line beside what the villages keep, the true public cost, who gains,
//! loans that can fail and guarantees that turn equity into debt. Every
//! figure is a mean over the runs unless the text says otherwise; the
//! equations are in `model::accounts`.

use super::view::{Block, Namer, Row};
use super::words::quoted;
use crate::format::{money, money_cell, pct, Lang};
use crate::summary::results::{PolicyAccounts, PolicyResults, Results};

/// The policies with interventions and accounts.
fn with_accounts(r: &Results) -> impl Iterator<Item = (&PolicyResults, &PolicyAccounts)> {
    r.policies
        .iter()
        .filter(|p| !p.interventions.is_empty())
        .filter_map(|p| p.accounts.as_ref().map(|a| (p, a)))
}

fn heading(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "4. Accounts: gross and net, public cost, who gains",
        Lang::Zh => "四、账目：经营性收入与净收益、财政成本、收益归属",
    }
}

/// Adds the section to `doc`; nothing when no policy has interventions.
pub(super) fn section(doc: &mut Vec<Block>, r: &Results, lang: Lang, l: &Namer) {
    if with_accounts(r).next().is_none() {
        return;
    }
    doc.push(Block::H2(heading(lang).into()));
    gross_and_net(doc, r, lang, l);
    public_cost(doc, r, lang, l);
    who_gains(doc, r, lang, l);
    loans_and_guarantees(doc, r, lang);
}

/// The target line of the final year beside subsidies, net income and net
/// cash.
fn gross_and_net(doc: &mut Vec<Block>, r: &Results, lang: Lang, l: &Namer) {
    let year = r.final_year;
    doc.push(Block::P(match lang {
        Lang::En => format!(
            "What the measures add in {year}, all villages together. Targets are judged on the operating-income line of the collective's accounts (operating revenue, contracting and remittance income, investment income; subsidies excluded). Beside it, what the villages keep: net income after operating costs, depreciation, taxes and interest, and net cash after debt service and their own equity. Yuan."
        ),
        Lang::Zh => format!(
            "{year}年各项措施为全部村增加的数额。目标按村集体账目中的经营性收入考核（经营收入、发包及上交收入、投资收益，不含补助收入）。右侧为村集体实际留存：扣除经营支出、折旧、税费和利息后的净收益，以及扣除还本付息和自有出资后的净现金。单位：万元。"
        ),
    }));
    let rows = with_accounts(r)
        .filter_map(|(p, a)| {
            let y = a.years.last()?;
            Some(Row {
                cells: vec![
                    l(&p.name),
                    money_cell(lang, y.operating_yuan.mean),
                    money_cell(lang, y.subsidy_yuan.mean),
                    money_cell(lang, y.net_income_yuan.mean),
                    money_cell(lang, y.net_cash_yuan.mean),
                    money_cell(lang, y.net_cash_yuan.p5),
                ],
                risk: y.net_cash_yuan.p5 < 0.0,
            })
        })
        .collect();
    let head = match lang {
        Lang::En => [
            "Policy",
            "Operating income (target line)",
            "Subsidy income",
            "Net income",
            "Net cash",
            "Net cash, P5",
        ],
        Lang::Zh => [
            "政策",
            "经营性收入（考核口径）",
            "补助收入",
            "净收益",
            "净现金",
            "净现金（P5）",
        ],
    };
    doc.push(Block::Table {
        head: head.iter().map(|s| s.to_string()).collect(),
        numeric: vec![false, true, true, true, true, true],
        rows,
        class: "accounts",
    });
}

/// Spent, placed at risk, implicit subsidy and the fiscal cost.
fn public_cost(doc: &mut Vec<Block>, r: &Results, lang: Lang, l: &Namer) {
    let Some((_, first)) = with_accounts(r).next() else {
        return;
    };
    let rate = pct(first.public_cost.public_discount_rate);
    let (start, end) = (r.start_year, r.final_year);
    doc.push(Block::P(match lang {
        Lang::En => format!(
            "True public cost over {start}-{end}. Money spent (grants, subsidies, top-ups, guarantee calls) is gone; government capital placed in a fund or company is not spent but at risk, and only what does not come back by {end} (lost, or still owed) is a cost; a state operator's return above the market rate is an implicit subsidy. Fiscal cost = spent + implicit subsidy + loss on capital placed; its present value is at a public discount rate of {rate}. A host district's money is another jurisdiction's and is shown apart. Yuan."
        ),
        Lang::Zh => format!(
            "{start}—{end}年的真实财政成本。支出的资金（补助、奖补、兜底、代偿）一去不返；投入基金或公司的政府资本并非支出而是承担风险，只有到{end}年未能收回的部分（损失或仍被占用）才计为成本；国有运营方高于市场利率支付的回报是隐性补贴。财政成本 = 支出 + 隐性补贴 + 投入资本的损失；现值按 {rate} 的公共折现率计算。协作地区的资金属于另一财政，单列。单位：万元。"
        ),
    }));
    let rows = with_accounts(r)
        .map(|(p, a)| {
            let c = &a.public_cost;
            let per = p
                .decisions
                .as_ref()
                .and_then(|d| d.income_added_per_fiscal_yuan)
                .map_or("–".into(), |x| format!("{x:.2}"));
            Row {
                cells: vec![
                    l(&p.name),
                    money_cell(lang, c.spent_yuan.mean),
                    money_cell(lang, c.placed_yuan.mean),
                    money_cell(lang, c.loss_on_placed_yuan.mean),
                    money_cell(lang, c.implicit_subsidy_yuan.mean),
                    money_cell(lang, c.fiscal_cost_yuan.mean),
                    money_cell(lang, c.fiscal_cost_pv_yuan.mean),
                    money_cell(lang, c.host_district_yuan.mean),
                    per,
                ],
                risk: false,
            }
        })
        .collect();
    let head = match lang {
        Lang::En => [
            "Policy",
            "Spent",
            "Capital placed",
            "Loss on capital",
            "Implicit subsidy",
            "Fiscal cost",
            "Fiscal cost, PV",
            "Host district",
            "Income added per yuan of fiscal cost",
        ],
        Lang::Zh => [
            "政策",
            "支出",
            "投入资本",
            "资本损失",
            "隐性补贴",
            "财政成本",
            "财政成本现值",
            "协作地区资金",
            "每元财政成本增收",
        ],
    };
    doc.push(Block::Table {
        head: head.iter().map(|s| s.to_string()).collect(),
        numeric: vec![false, true, true, true, true, true, true, true, true],
        rows,
        class: "public-cost",
    });
    // Where the present value exceeds the nominal cost, say why: capital
    // counted as it is placed and credited only as it comes back.
    let later: Vec<String> = with_accounts(r)
        .filter(|(_, a)| {
            let c = &a.public_cost;
            c.placed_yuan.mean > 0.0 && c.fiscal_cost_pv_yuan.mean > c.fiscal_cost_yuan.mean.max(0.0) * 1.05
        })
        .map(|(p, _)| quoted(lang, &l(&p.name)))
        .collect();
    if !later.is_empty() {
        doc.push(Block::P(match lang {
            Lang::En => format!(
                "Under {} the present value of the fiscal cost is above the nominal figure: the government's capital counts in the year it is placed and is credited only when it comes back, years later, when each yuan returned is worth less at the public discount rate of {rate}.",
                later.join(", ")
            ),
            Lang::Zh => format!(
                "{}的财政成本现值高于名义值：政府资本在投入当年计入，收回时才冲减，而多年后收回的每一元按 {rate} 的公共折现率折算价值更低。",
                later.join("、")
            ),
        }));
    }
}

/// How the added value is shared.
fn who_gains(doc: &mut Vec<Block>, r: &Results, lang: Lang, l: &Namer) {
    let (start, end) = (r.start_year, r.final_year);
    doc.push(Block::P(match lang {
        Lang::En => format!(
            "Who gains, {start}-{end}: the value the measures add (net of depreciation), shared between the collectives (net income), farmers (wages, members' shares), the bank (interest less losses on defaults), partners outside the villages, and the public purse (taxes received less the fiscal cost). Transfers such as subsidies and top-ups are a gain of one and a cost of another and cancel in the total. Yuan."
        ),
        Lang::Zh => format!(
            "{start}—{end}年收益归属：各项措施新增的价值（扣除折旧后），在村集体（净收益）、农民（工资、社员分配）、银行（利息减违约损失）、村外合作方和财政（税收减财政成本）之间的分配。补助、兜底等转移支付是一方所得、另一方所失，在合计中相互抵消。单位：万元。"
        ),
    }));
    let rows = with_accounts(r)
        .map(|(p, a)| {
            let g = &a.who_gains;
            let cells = [
                &g.collective_yuan,
                &g.farmers_yuan,
                &g.bank_yuan,
                &g.partners_yuan,
                &g.public_purse_yuan,
                &g.host_district_yuan,
                &g.added_value_yuan,
            ];
            let mut row = vec![l(&p.name)];
            row.extend(cells.iter().map(|s| money_cell(lang, s.mean)));
            Row {
                cells: row,
                risk: false,
            }
        })
        .collect();
    let head = match lang {
        Lang::En => [
            "Policy",
            "Collectives",
            "Farmers",
            "Bank",
            "Partners outside",
            "Public purse",
            "Host district",
            "Added value",
        ],
        Lang::Zh => [
            "政策",
            "村集体",
            "农民",
            "银行",
            "村外合作方",
            "财政",
            "协作地区",
            "新增价值",
        ],
    };
    doc.push(Block::Table {
        head: head.iter().map(|s| s.to_string()).collect(),
        numeric: vec![false, true, true, true, true, true, true, true],
        rows,
        class: "who-gains",
    });
}

/// Loans that can default, and guarantees that make equity behave like
/// debt: one item each, from the policy with the most measures.
fn loans_and_guarantees(doc: &mut Vec<Block>, r: &Results, lang: Lang) {
    let mut items = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (p, _) in with_accounts(r) {
        for a in &p.appraisals {
            if !seen.insert(a.id.clone()) {
                continue;
            }
            if let Some(q) = a.p_loan_default {
                let calls = money(lang, a.guarantee_calls_yuan.mean);
                items.push((
                    a.label(lang).to_string(),
                    match lang {
                        Lang::En => format!(
                            "{} loan(s): each defaults within the horizon with probability {}; expected guarantee calls {calls} (public money).",
                            a.loans,
                            pct(q)
                        ),
                        Lang::Zh => format!("{} 笔贷款：每笔在期内违约的概率为 {}；预计担保代偿 {calls}（财政资金）。", a.loans, pct(q)),
                    },
                ));
            }
            let reason = match lang {
                Lang::En => a.equity_like_debt.as_ref(),
                Lang::Zh => a.equity_like_debt_zh.as_ref().or(a.equity_like_debt.as_ref()),
            };
            if let Some(reason) = reason {
                items.push((
                    a.label(lang).to_string(),
                    match lang {
                        Lang::En => format!("Equity that behaves like debt: {reason}"),
                        Lang::Zh => format!("股权实为债权：{reason}"),
                    },
                ));
            }
        }
    }
    if !items.is_empty() {
        doc.push(Block::List(items));
    }
}
