//! Charts for deciding between policies, as SVG and PNG.
//!
//! They are written by [`crate::charts::write_run_charts`] next to its own
//! charts and look the same: they reuse its font, text sizes, palette,
//! header and legend layout, money formatting and atomic file writes. Each
//! chart is drawn once by a generic function over a plotters
//! [`DrawingArea`] and written for both backends.
//!
//! A chart whose data the run does not have is skipped (no file is
//! written): [`planned`] lists the charts a run gets.

use std::path::Path;

use super::*;
use crate::format::Lang;

// ---------------------------------------------------------------------------
// Which charts a run gets

/// One decision chart.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// Stacked income added per intervention, for policy `policy`.
    Contributions {
        policy: usize,
    },
    /// DSCR fan of appraisal `appraisal` of policy `policy`.
    Dscr {
        policy: usize,
        appraisal: usize,
    },
    PairedDifference,
    Coverage,
    CostVsIncome,
    CdfFinalIncome,
}

/// Index of the policy with the most interventions (ties: the last), among
/// those for which `keep` holds.
fn most_interventions(r: &Results, keep: impl Fn(&PolicyResults) -> bool) -> Option<usize> {
    r.policies
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.appraisals.is_empty() && keep(p))
        .max_by_key(|(i, p)| (p.appraisals.len(), *i))
        .map(|(i, _)| i)
}

/// A file stem safe on every file system.
fn safe_stem(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The decision charts `r` has data for, with their file stems, in the order
/// they are written.
fn planned(r: &Results) -> Vec<(String, Kind)> {
    let mut out = Vec::new();
    if let Some(policy) = most_interventions(r, |p| p.appraisals.iter().any(|a| !a.years.is_empty())) {
        out.push(("contributions".to_string(), Kind::Contributions { policy }));
    }
    let mut seen: Vec<&str> = Vec::new();
    for p in &r.policies {
        for a in p.appraisals.iter().filter(|a| a.kind == "pv_loan") {
            if seen.contains(&a.id.as_str()) {
                continue;
            }
            seen.push(&a.id);
            let holds = |q: &PolicyResults| q.appraisals.iter().any(|b| b.id == a.id && !dscr_years(b).is_empty());
            if let Some(policy) = most_interventions(r, holds) {
                let appraisal = r.policies[policy]
                    .appraisals
                    .iter()
                    .position(|b| b.id == a.id)
                    .unwrap_or(0);
                out.push((format!("dscr_{}", safe_stem(&a.id)), Kind::Dscr { policy, appraisal }));
            }
        }
    }
    if !paired_rows(r).is_empty() {
        out.push(("paired_difference".to_string(), Kind::PairedDifference));
    }
    // Coverage flat at 0 everywhere says nothing a sentence cannot: left
    // out, unless an observation of full coverage is there to be marked.
    if coverage_has_something(r) {
        out.push(("coverage_by_year".to_string(), Kind::Coverage));
    }
    if !cost_rows(r).is_empty() {
        out.push(("cost_vs_income".to_string(), Kind::CostVsIncome));
    }
    if r.policies.iter().any(|p| final_quantiles(p).is_some()) {
        out.push(("cdf_final_income".to_string(), Kind::CdfFinalIncome));
    }
    out
}

/// The file stems of the decision charts of `r`, in the order they are written.
/// The decision charts of a run with their titles, in the order they are
/// written (for reports).
pub fn decision_chart_files(r: &Results, lang: Lang) -> Vec<(String, String)> {
    let w = Words { l: Labels::new(lang) };
    planned(r)
        .into_iter()
        .map(|(stem, kind)| {
            let title = match kind {
                Kind::Contributions { policy } => w.contributions_title(r, &r.policies[policy]),
                Kind::Dscr { policy, appraisal } => w.dscr_title(&r.policies[policy].appraisals[appraisal]),
                Kind::PairedDifference => w.paired_title(r),
                Kind::Coverage => w.coverage_title(r),
                Kind::CostVsIncome => w.cost_title(r),
                Kind::CdfFinalIncome => w.cdf_title(r),
            };
            (stem, title)
        })
        .collect()
}

pub fn decision_chart_stems(r: &Results) -> Vec<String> {
    planned(r).into_iter().map(|(s, _)| s).collect()
}

/// Writes the decision charts of `results` into `dir` as `<stem>.svg` and
/// `<stem>.png`, atomically like the other charts; returns the file names
/// written, relative to `dir`. Charts without data are skipped.
pub fn write_decision_charts(results: &Results, dir: &Path, lang: Lang) -> Result<Vec<WrittenChart>, ChartError> {
    ensure_fonts()?;
    let ctx = Ctx::new(results, lang);
    let mut written = Vec::new();
    for (stem, kind) in planned(results) {
        write_chart(&DecisionChart { ctx: &ctx, kind }, dir, &stem, &mut written)?;
    }
    Ok(written)
}

struct DecisionChart<'a> {
    ctx: &'a Ctx<'a>,
    kind: Kind,
}

impl DrawChart for DecisionChart<'_> {
    fn draw_chart<DB: DrawingBackend>(&self, root: &Area<DB>, t: Typo) -> DrawResult<(), DB> {
        root.fill(&WHITE)?;
        let c = self.ctx;
        match self.kind {
            Kind::Contributions { policy } => draw_contributions(root, c, t, policy),
            Kind::Dscr { policy, appraisal } => draw_dscr(root, c, t, policy, appraisal),
            Kind::PairedDifference => draw_paired(root, c, t),
            Kind::Coverage => draw_coverage(root, c, t),
            Kind::CostVsIncome => draw_cost(root, c, t),
            Kind::CdfFinalIncome => draw_cdf(root, c, t),
        }
    }
}

// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::charts::render_chart_rgb;
    use crate::charts::tests::{assert_chart_file, assert_deterministic, dark_pixels_in_title, sample_results, stat};

    fn appraisal(id: &str, kind: &str, years: &[i32], income: f64, dscr: bool) -> InterventionResults {
        let mut a: InterventionResults = serde_json::from_value(serde_json::json!({
            "id": id,
            "name": format!("{id} intervention (test)"),
            "kind": kind,
            "villages": 2,
            "assumption": false,
            "npv_yuan": stat(0.0, 0.0),
            "irr": null,
            "irr_defined_share": 0.0,
            "public_money_yuan": stat(0.0, 0.0),
            "public_money_pv_yuan": stat(0.0, 0.0),
            "min_dscr": null,
            "negative_cash_years": stat(0.0, 0.0),
            "p_failure": stat(0.0, 0.0),
            "income_per_village_year_yuan": stat(0.0, 0.0),
            "years": [],
            "external": [],
        }))
        .expect("InterventionResults");
        a.years = years
            .iter()
            .enumerate()
            .map(|(k, &year)| InterventionYear {
                year,
                operating_income_yuan: stat(income * (1.0 + 0.1 * k as f64), income * 0.1),
                net_cash_yuan: stat(0.0, 0.0),
                subsidy_yuan: stat(0.0, 0.0),
                net_income_yuan: stat(0.0, 0.0),
                public_money_yuan: stat(0.0, 0.0),
                dscr: (dscr && k > 0).then(|| stat(1.05 + 0.02 * k as f64, 0.12)),
                p_negative_cash: 0.0,
            })
            .collect();
        a
    }

    /// The sample of `charts` with two more policies, appraisals (one
    /// `pv_loan`, one with negative income), comparisons, coverage and
    /// decisions and accounts.
    fn decision_results() -> Results {
        let mut r = sample_results();
        let sim: Vec<i32> = (r.start_year..=r.final_year).collect();
        let mut extra = r.policies[1].clone();
        extra.name = "Full package 全套".to_string();
        r.policies.push(extra);
        let mut third = r.policies[1].clone();
        third.name = "support fund".to_string();
        r.policies.push(third);
        r.policies[1].appraisals = vec![appraisal("pv", "pv_loan", &sim, 300_000.0, true)];
        r.policies[2].appraisals = vec![
            appraisal("pv", "pv_loan", &sim, 300_000.0, true),
            appraisal("coop", "cooperative", &sim, 120_000.0, false),
            appraisal("lease", "idle_asset", &sim, -40_000.0, false),
        ];
        r.policies[3].appraisals = vec![appraisal("fund", "support_fund", &sim, 200_000.0, false)];
        for p in &mut r.policies {
            p.interventions = p.appraisals.iter().map(|a| a.id.clone()).collect();
        }
        for (i, p) in r.policies.iter_mut().enumerate() {
            let f = i as f64;
            p.coverage = sim
                .iter()
                .enumerate()
                .map(|(k, &year)| CoverageYear {
                    year,
                    p_first_reached: 0.05 * f,
                    p_reached_by: (0.08 * f * (k as f64 + 1.0)).min(1.0),
                })
                .collect();
            let mut d: Decisions = serde_json::from_value(serde_json::json!({
                "public_money_yuan": stat(0.0, 0.0),
                "public_money_pv_yuan": stat(0.0, 0.0),
                "fiscal_cost_yuan": stat(0.0, 0.0),
                "fiscal_cost_pv_yuan": stat(0.0, 0.0),
                "private_money_yuan": stat(0.0, 0.0),
                "income_added_yuan": stat(0.0, 0.0),
                "income_added_pv_yuan": stat(0.0, 0.0),
                "income_added_per_fiscal_yuan": null,
                "income_added_pv_per_fiscal_pv_yuan": null,
                "leverage": null,
                "p_negative_cash_with_loan": 0.0,
                "p_within_budget": null,
            }))
            .expect("Decisions");
            if i > 0 {
                d.public_money_yuan = stat(1_000_000.0 * f * f, 100_000.0 * f);
                d.income_added_yuan = stat(1_500_000.0 * f, 200_000.0);
            }
            p.decisions = Some(d);
            // Who gains: the collectives and farmers gain, the public purse
            // pays for part of it; the support fund's partners gain too.
            let parts = [
                900_000.0 * f,
                250_000.0 * f,
                120_000.0 * f,
                if i == 3 { 400_000.0 } else { 0.0 },
                -600_000.0 * f + 150_000.0 * f * f,
                if i == 2 { -200_000.0 } else { 0.0 },
            ];
            p.accounts = Some(crate::charts::who_gains::tests::accounts(parts));
        }
        let reference = r.policies[0].name.clone();
        r.comparisons = r.policies[1..]
            .iter()
            .enumerate()
            .map(|(k, p)| PairResults {
                policy: p.name.clone(),
                reference: reference.clone(),
                diff_mean_village_income_yuan: stat(20_000.0 * (k as f64 + 0.5), 8_000.0),
                diff_villages_below_floor: stat(-1.0, 0.5),
                p_higher_income: [0.93, 0.998, 1.0][k % 3],
                p_fewer_below_floor: 0.7,
            })
            .collect();
        r
    }

    fn stems(r: &Results) -> Vec<String> {
        decision_chart_stems(r)
    }

    #[test]
    fn plans_every_chart() {
        let r = decision_results();
        assert_eq!(
            stems(&r),
            [
                "contributions",
                "dscr_pv",
                "paired_difference",
                "coverage_by_year",
                "cost_vs_income",
                "cdf_final_income"
            ]
        );
        // Contributions and DSCR use the policy with the most interventions.
        let plan = planned(&r);
        assert_eq!(plan[0].1, Kind::Contributions { policy: 2 });
        assert_eq!(
            plan[1].1,
            Kind::Dscr {
                policy: 2,
                appraisal: 0
            }
        );
        // Ties go to the last policy.
        let mut tie = r.clone();
        tie.policies[3].appraisals = tie.policies[2].appraisals.clone();
        assert_eq!(planned(&tie)[0].1, Kind::Contributions { policy: 3 });
        assert_eq!(safe_stem("a b/ç"), "a_b__");
    }

    #[test]
    fn writes_svg_and_png_of_every_chart() {
        let r = decision_results();
        for lang in [Lang::En, Lang::Zh] {
            let dir = tempfile::tempdir().unwrap();
            let files = write_decision_charts(&r, dir.path(), lang).unwrap();
            assert_eq!(files.len(), 12);
            for (k, stem) in stems(&r).iter().enumerate() {
                assert_eq!(files[2 * k].name, PathBuf::from(format!("{stem}.svg")));
                assert_eq!(files[2 * k + 1].name, PathBuf::from(format!("{stem}.png")));
            }
            for f in &files {
                assert_chart_file(dir.path(), &f.name);
            }
            // Nothing else (no temporary file) is left in the folder.
            assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 12);
        }
    }

    #[test]
    fn written_with_the_run_charts() {
        let dir = tempfile::tempdir().unwrap();
        let files = crate::charts::write_run_charts(&decision_results(), dir.path(), Lang::En).unwrap();
        assert_eq!(files.len(), 10 + 12);
        assert!(files.iter().any(|f| f.name == Path::new("dscr_pv.png")));
        assert!(files.iter().any(|f| f.name == Path::new("who_gains.svg")));
    }

    #[test]
    fn output_is_deterministic() {
        assert_deterministic(&decision_results(), write_decision_charts);
    }

    #[test]
    fn skipped_without_data() {
        // The plain sample has no appraisals, comparisons, coverage or
        // decisions: only the CDF (from the yearly figures) is drawn.
        let r = sample_results();
        assert_eq!(stems(&r), ["cdf_final_income"]);
        // No years either: nothing at all, and no file.
        let mut empty = r.clone();
        for p in &mut empty.policies {
            p.years.clear();
        }
        let dir = tempfile::tempdir().unwrap();
        assert!(write_decision_charts(&empty, dir.path(), Lang::Zh).unwrap().is_empty());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        // Appraisals but no pv_loan: no DSCR chart.
        let mut no_loan = decision_results();
        for p in &mut no_loan.policies {
            p.appraisals.retain(|a| a.kind != "pv_loan");
        }
        let s = stems(&no_loan);
        assert!(s.contains(&"contributions".to_string()));
        assert!(!s.iter().any(|s| s.starts_with("dscr_")), "{s:?}");
        // A pv_loan without any year of debt service: no DSCR chart either.
        let mut no_debt = decision_results();
        for p in &mut no_debt.policies {
            for a in &mut p.appraisals {
                a.years.iter_mut().for_each(|y| y.dscr = None);
            }
        }
        assert!(!stems(&no_debt).iter().any(|s| s.starts_with("dscr_")));
        // No appraisals at all: no contributions chart.
        let mut none = decision_results();
        none.policies.iter_mut().for_each(|p| p.appraisals.clear());
        let s = stems(&none);
        assert!(!s.contains(&"contributions".to_string()), "{s:?}");
        // Comparisons only between other policies: no paired chart.
        let mut other_ref = decision_results();
        other_ref
            .comparisons
            .iter_mut()
            .for_each(|c| c.reference = "support fund".into());
        assert!(!stems(&other_ref).contains(&"paired_difference".to_string()));
        // Every remaining chart still renders.
        for r in [no_loan, no_debt, none, other_ref] {
            let dir = tempfile::tempdir().unwrap();
            write_decision_charts(&r, dir.path(), Lang::En).unwrap();
        }
    }

    /// Text comes out of the bundled font: the title band of every chart
    /// holds inked pixels in both languages. (`charts` checks the same
    /// without any system font in a child process.)
    #[test]
    fn titles_render_with_bundled_font() {
        let r = decision_results();
        let ctx_en = Ctx::new(&r, Lang::En);
        let ctx_zh = Ctx::new(&r, Lang::Zh);
        for ctx in [&ctx_en, &ctx_zh] {
            for (stem, kind) in planned(&r) {
                let buf = render_chart_rgb(&DecisionChart { ctx, kind });
                let dark = dark_pixels_in_title(&buf);
                assert!(dark > 800, "{stem}: only {dark} dark pixels in the title");
            }
        }
    }

    /// The DSCR chart covers the loan's whole term: with the years past the
    /// horizon projected, they are drawn and said to be projected (title,
    /// legend, plot); without them, the axis still runs to the term's end
    /// and the plot says those years are not simulated.
    #[test]
    fn dscr_covers_the_whole_term() {
        use crate::summary::results::DscrYear;
        let r = decision_results();
        let (policy, appraisal) = (2, 0);
        let svg_text = |r: &Results, lang: Lang| {
            let ctx = Ctx::new(r, lang);
            let dir = tempfile::tempdir().unwrap();
            let chart = DecisionChart {
                ctx: &ctx,
                kind: Kind::Dscr { policy, appraisal },
            };
            crate::charts::font::svg_text(&write_svg(&chart, &dir.path().join("d.svg")).unwrap())
        };
        // Projected: 2026-2030 after a horizon ending in 2025.
        let mut projected = r.clone();
        let a = &mut projected.policies[policy].appraisals[appraisal];
        a.loan_end_year = Some(2030);
        a.dscr_term = (2023..=2030)
            .map(|year| DscrYear {
                year,
                dscr: stat(1.1 - 0.01 * f64::from(year - 2023), 0.1),
                p_below_one: 0.2,
                projected: year > 2025,
            })
            .collect();
        let a = &projected.policies[policy].appraisals[appraisal];
        let pts = dscr_years(a);
        assert_eq!((pts.len(), pts.iter().filter(|p| p.2).count()), (8, 5));
        assert_eq!(unsimulated_years(a, &pts), None);
        let w = Words { l: Labels::EN };
        assert!(
            w.dscr_title(a).contains("in 2023–2030 (2026–2030 projected)"),
            "{}",
            w.dscr_title(a)
        );
        let text = svg_text(&projected, Lang::En);
        for s in [
            "2030",
            "simulation ends 2025",
            "projected: the station",
            "after the simulation: projected",
        ] {
            assert!(text.contains(s), "{s:?} not in {text}");
        }
        let zh = svg_text(&projected, Lang::Zh);
        assert!(
            zh.contains("2026–2030 年为预测") && zh.contains("预测：仅电站现金与贷款"),
            "{zh}"
        );
        // Not projected (a kind that does not project, or older results):
        // the years to the term's end are drawn, and said to be unsimulated.
        let mut cut = r.clone();
        cut.policies[policy].appraisals[appraisal].loan_end_year = Some(2029);
        let a = &cut.policies[policy].appraisals[appraisal];
        assert_eq!(unsimulated_years(a, &dscr_years(a)), Some((2026, 2029)));
        let text = svg_text(&cut, Lang::En);
        for s in [
            "2029",
            "simulation ends 2025",
            "2026–2029: loan still repaid, not simulated",
        ] {
            assert!(text.contains(s), "{s:?} not in {text}");
        }
        assert!(!text.contains("projected"), "{text}");
        // A loan ending inside the horizon: no mark.
        let text = svg_text(&r, Lang::En);
        assert!(!text.contains("simulation ends"), "{text}");
    }

    /// Every character of the Chinese words has a glyph in the bundled font.
    #[test]
    fn font_covers_words() {
        use ab_glyph::{Font, FontRef};
        let font =
            FontRef::try_from_slice(include_bytes!("../../assets/fonts/NotoSansSC-villagesim-subset.otf")).unwrap();
        let r = decision_results();
        let w = Words { l: Labels::ZH };
        let unit = MoneyUnit::for_axis(Lang::Zh, 1e7);
        let texts = [
            w.contributions_title(&r, &r.policies[1]),
            w.contributions_subtitle(&r, "x"),
            w.income_added_axis(&unit),
            w.dscr_title(&r.policies[1].appraisals[0]),
            w.horizon_ends(2025),
            w.dscr_beyond_legend(true).to_string(),
            w.dscr_beyond_legend(false).to_string(),
            w.dscr_projected(),
            w.dscr_not_simulated(2026, 2030),
            w.net_income_line().to_string(),
            w.net_marker().to_string(),
            w.observed_coverage(2020, true),
            w.observed_coverage(2020, false),
            w.dscr_subtitle(&r, "x", 3),
            w.dscr_axis().to_string(),
            w.dscr_one().to_string(),
            w.dscr_bank().to_string(),
            w.paired_title(&r),
            w.paired_subtitle(&r),
            w.paired_axis(&r, &unit),
            w.higher_in(0.5),
            w.higher_in(0.999),
            w.higher_in(0.001),
            w.zero_line().to_string(),
            w.assumption().to_string(),
            w.coverage_title(&r),
            w.coverage_axis().to_string(),
            w.coverage_never().to_string(),
            w.target(2025),
            w.cost_title(&r),
            w.cost_subtitle(&r),
            w.committed_axis(&r, &unit),
            w.public_money_label().to_string(),
            w.bank_village_label().to_string(),
            w.fiscal_cost_label().to_string(),
            w.whiskers().to_string(),
            w.cdf_title(&r),
            w.cdf_subtitle(&r),
            w.cdf_x_axis(&r, &unit),
            w.cdf_y_axis().to_string(),
            "÷×…–<>".to_string(),
        ];
        for text in &texts {
            for c in text.chars().filter(|c| !c.is_whitespace()) {
                assert_ne!(font.glyph_id(c).0, 0, "no glyph for {c:?} in {text:?}");
            }
        }
    }

    // --- extreme values: every chart draws (or refuses) any finite range ---

    /// Every float of `r` (figures, thresholds, bucket bounds; not years or
    /// counts) replaced by `f(key, value)`.
    fn map_floats(r: &Results, f: &dyn Fn(&str, f64) -> f64) -> Results {
        fn walk(v: &mut serde_json::Value, key: &str, f: &dyn Fn(&str, f64) -> f64) {
            match v {
                serde_json::Value::Object(m) => m.iter_mut().for_each(|(k, x)| walk(x, k, f)),
                serde_json::Value::Array(a) => a.iter_mut().for_each(|x| walk(x, key, f)),
                serde_json::Value::Number(n) if n.is_f64() => {
                    *v = serde_json::json!(f(key, n.as_f64().unwrap_or(0.0)));
                }
                _ => {}
            }
        }
        let mut v = serde_json::to_value(r).unwrap();
        walk(&mut v, "", f);
        serde_json::from_value(v).unwrap()
    }

    /// Draws every chart of `r` (SVG and PNG) in a thread and fails if that
    /// takes more than a minute (a few seconds normally, in a debug build):
    /// a loop over a range must stop for any input. Every chart must draw,
    /// who gains too whenever the results have its figures.
    fn draws_promptly(what: &str, r: Results, lang: Lang) {
        let who_gains = crate::charts::has_who_gains(&r);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let outcome = std::panic::catch_unwind(|| {
                let dir = tempfile::tempdir().unwrap();
                crate::charts::write_run_charts(&r, dir.path(), lang).map(|files| {
                    let drawn = files.iter().any(|f| f.name == Path::new("who_gains.png"));
                    (files.len(), drawn)
                })
            });
            let _ = tx.send(outcome.map_err(|_| "a chart panicked".to_string()));
        });
        match rx.recv_timeout(std::time::Duration::from_secs(60)) {
            Ok(Ok(Ok((n, drawn)))) => {
                assert!(n >= 6, "{what}: only {n} files");
                assert_eq!(drawn, who_gains, "{what}: who gains drawn: {drawn}");
            }
            Ok(Ok(Err(e))) => panic!("{what}: {e}"),
            Ok(Err(e)) => panic!("{what}: {e}"),
            Err(_) => panic!("{what}: charts not drawn within a minute (a loop does not end)"),
        }
    }

    #[test]
    fn extreme_thresholds() {
        let mut r = decision_results();
        r.floor_yuan = 1.7e308;
        draws_promptly("floor 1.7e308", r.clone(), Lang::En);
        r.weak_yuan = 1.7e308;
        draws_promptly("floor and weak 1.7e308", r.clone(), Lang::Zh);
        r.floor_yuan = -f64::MAX;
        r.weak_yuan = f64::MAX;
        draws_promptly("floor -MAX, weak MAX", r, Lang::En);
    }

    #[test]
    fn extreme_values() {
        let r = decision_results();
        type Edit<'a> = &'a dyn Fn(&str, f64) -> f64;
        let cases: [(&str, Edit); 5] = [
            ("±1e300", &|_, v| if v >= 0.0 { 1e300 } else { -1e300 }),
            ("alternating ±1.7e308", &|k, v| {
                if k.len() % 2 == 0 {
                    1.7e308
                } else {
                    -v.signum() * 1.7e308
                }
            }),
            ("1e300 plus a few ulps", &|k, _| 1e300 * (1.0 + 1e-15 * k.len() as f64)),
            ("tiny", &|_, v| v * 1e-310),
            ("all zero", &|_, _| 0.0),
        ];
        for (what, f) in cases {
            draws_promptly(what, map_floats(&r, f), Lang::En);
        }
    }

    #[test]
    fn extreme_shapes() {
        let r = decision_results();
        // NaN everywhere a figure is (results built in memory can hold it).
        let mut nan = r.clone();
        for p in &mut nan.policies {
            for y in &mut p.years {
                y.mean_income_yuan = Stat {
                    mean: f64::NAN,
                    p50: f64::INFINITY,
                    ..y.mean_income_yuan
                };
                y.below_floor.p95 = f64::NAN;
            }
            for b in &mut p.final_income_histogram {
                b.hi = f64::INFINITY;
            }
        }
        nan.floor_yuan = f64::NAN;
        draws_promptly("NaN and infinity", nan, Lang::En);
        // A single year, then the baseline year alone.
        let mut one = r.clone();
        one.final_year = one.start_year;
        for p in &mut one.policies {
            p.years.truncate(2);
            p.villages.iter_mut().for_each(|v| v.truncate(2));
            p.coverage.truncate(1);
            p.appraisals.iter_mut().for_each(|a| a.years.truncate(1));
        }
        draws_promptly("one year", one.clone(), Lang::En);
        one.final_year = one.baseline_year;
        for p in &mut one.policies {
            p.years.truncate(1);
            p.villages.iter_mut().for_each(|v| v.truncate(1));
        }
        draws_promptly("baseline only", one, Lang::Zh);
        // A single village.
        let mut single = r.clone();
        single.villages.truncate(1);
        for p in &mut single.policies {
            p.villages.truncate(1);
        }
        draws_promptly("one village", single, Lang::En);
        // Years far apart.
        let mut far = r;
        far.baseline_year = i32::MIN + 1;
        far.final_year = i32::MAX;
        draws_promptly("years i32::MIN to MAX", far, Lang::En);
    }

    /// Writes the decision charts for a human to look at, in
    /// `target/chart-preview/decision-*`: `cargo test decision_preview --
    /// --ignored`. With `VILLAGESIM_RESULTS=path/results.json` it draws that
    /// run instead of the sample.
    #[test]
    #[ignore]
    fn decision_preview() {
        let (r, tag) = match std::env::var("VILLAGESIM_RESULTS") {
            Ok(path) => {
                let text = fs::read_to_string(&path).unwrap();
                // results.json writes NaN (e.g. a per-village figure of an
                // intervention without villages) as null, which does not read
                // back into f64: those fields are not drawn, so 0 will do.
                let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
                fn nulls_in_stats(v: &mut serde_json::Value) {
                    match v {
                        serde_json::Value::Object(m) => {
                            let is_stat = m.contains_key("p50") && m.contains_key("se");
                            for x in m.values_mut() {
                                if is_stat && x.is_null() {
                                    *x = serde_json::json!(0.0);
                                } else {
                                    nulls_in_stats(x);
                                }
                            }
                        }
                        serde_json::Value::Array(a) => a.iter_mut().for_each(nulls_in_stats),
                        _ => {}
                    }
                }
                nulls_in_stats(&mut v);
                let r: Results = serde_json::from_value(v).unwrap();
                let tag = Path::new(&path)
                    .parent()
                    .and_then(|p| p.file_name())
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                (r, tag)
            }
            Err(_) => (decision_results(), "sample".to_string()),
        };
        for (lang, sub) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target/chart-preview")
                .join(format!("decision-{tag}-{sub}"));
            fs::create_dir_all(&dir).unwrap();
            write_decision_charts(&r, &dir, lang).unwrap();
        }
    }
}
