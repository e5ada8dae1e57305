//! The target group's income by year: the villages that start below the
//! weak line (or the floor), their mean income under each policy, with the
//! group's typical P5–P95 as the band (see `summary::target_group`).

use super::*;
use crate::summary::target_group::TargetGroup;

pub(crate) fn draw_target_group<DB: DrawingBackend>(root: &Area<DB>, ctx: &Ctx, t: Typo) -> DrawResult<(), DB> {
    let r = ctx.r;
    let l = &ctx.l;
    let Some(g) = target_group_of(r) else {
        let top = draw_header(
            root,
            t,
            &l.pick_title("Target group", "目标村组"),
            &l.subtitle(r, false),
            &[],
        )?;
        return no_data(root, ctx, t, top);
    };
    let multiples = r.policies.len() > MAX_BANDS;
    let (line, band) = match l.lang {
        Lang::En => ("group mean", "P5–P95 of a typical member"),
        Lang::Zh => ("组内村均", "组内典型村的 P5–P95"),
    };
    let rows = band_legend(ctx, multiples, line, band);
    let top = draw_header(root, t, &l.target_group_title(r, &g), &target_subtitle(l, r, &g), &rows)?;
    let bands = group_bands(&g);
    let values = bands
        .iter()
        .flat_map(|b| b.lo.iter().chain(&b.hi).copied())
        .chain([r.floor_yuan].into_iter().filter_map(finite));
    let (ylo, yhi) = value_range(values, true);
    let unit = MoneyUnit::for_axis(l.lang, ylo.abs().max(yhi.abs()));
    let ytick = |v: &f64| unit.tick(*v);
    let y_desc = match l.lang {
        Lang::En => format!("Operating income per village ({})", unit.name(l.lang)),
        Lang::Zh => format!("村均经营性收入（{}）", unit.name(l.lang)),
    };
    let axes = BandAxes {
        x: (r.baseline_year as f64, r.final_year.max(r.baseline_year + 1) as f64),
        y: (ylo, yhi),
        y_labels: 8,
        ytick: &ytick,
        x_desc: l.year,
        y_desc: &y_desc,
        hlines: vec![(r.floor_yuan, FLOOR_LINE)],
    };
    draw_year_bands(root, ctx, t, top, &bands, &axes)
}

fn group_bands(g: &TargetGroup) -> Vec<YearBand> {
    g.policies
        .iter()
        .enumerate()
        .map(|(i, years)| {
            YearBand::new(
                i,
                years
                    .iter()
                    .map(|y| (y.year as f64, [y.p5_yuan, y.mean_yuan, y.p95_yuan])),
            )
        })
        .collect()
}

fn target_subtitle(l: &Labels, r: &Results, g: &TargetGroup) -> String {
    let floor = crate::format::money_sig(l.lang, r.floor_yuan);
    match l.lang {
        Lang::En => format!(
            "Black line: the floor, {floor}; {} villages of {}; {} runs",
            g.villages.len(),
            grouped(r.villages.len() as f64, 0),
            grouped(r.runs as f64, 0)
        ),
        Lang::Zh => format!(
            "黑线：底线 {floor}；共 {} 个村中的 {} 个；模拟 {} 次",
            grouped(r.villages.len() as f64, 0),
            g.villages.len(),
            grouped(r.runs as f64, 0)
        ),
    }
}
