//! Writing a sensitivity analysis: `sensitivity.csv`, `charts/tornado.svg`
//! and `.png`, `report.html` and `report.md`, staged and committed all or
//! nothing.

use std::path::{Path, PathBuf};

use super::{csv, value_text, SensitivityResult, Treatment};
use crate::charts::{DrawnPer, TornadoInput, TornadoRow, WrittenChart};
use crate::format::Lang;
use crate::model::param::Per;
use crate::output::report::sensitivity::{SensitivityPage, SensitivityRow};
use crate::output::{OutputError, Staging};

fn drawn(per: Option<Per>) -> Option<DrawnPer> {
    match per {
        Some(Per::Run) | None => None,
        Some(Per::Village) => Some(DrawnPer::Village),
        Some(Per::Year) => Some(DrawnPer::Year),
        Some(Per::VillageYear) => Some(DrawnPer::VillageYear),
    }
}

/// What the tornado chart of `result` reads, in `lang`.
fn tornado_input(result: &SensitivityResult, lang: Lang) -> TornadoInput<'_> {
    let zh = usize::from(lang == Lang::Zh);
    TornadoInput {
        scenario_name: result.scenario_label(lang),
        policy: result.policy_label(lang),
        year: result.year,
        floor_yuan: result.floor_yuan,
        runs: result.runs,
        baseline: result.baseline.below_floor,
        baseline_se: result.baseline.below_floor_se,
        inputs: result
            .inputs
            .iter()
            .map(|i| TornadoRow {
                name: i.words[zh].clone(),
                per: drawn(i.per),
                treatment: i.treatment,
                p10: value_text(i.unit, lang, i.p10),
                p90: value_text(i.unit, lang, i.p90),
                at_p10: i.at_p10.below_floor,
                at_p90: i.at_p90.below_floor,
            })
            .collect(),
    }
}

/// Writes `sensitivity.csv`, the tornado chart and the report of `result`
/// into `dir`, all or nothing; `scenario_file` is how the report names the
/// scenario file. Returns the files written, relative to `dir`.
pub fn write(
    result: &SensitivityResult,
    scenario_file: &str,
    dir: &Path,
    lang: Lang,
) -> Result<Vec<PathBuf>, OutputError> {
    let mut staging = Staging::new(dir)?;
    staging.write("sensitivity.csv", &csv(result, lang)?)?;
    let input = tornado_input(result, lang);
    let charts = staging.dir().join("charts");
    std::fs::create_dir_all(&charts).map_err(crate::output::atomic::io_error(&charts))?;
    let written: Vec<WrittenChart> =
        crate::charts::write_tornado(&input, &charts, lang).map_err(|e| OutputError::Chart {
            path: charts.display().to_string(),
            message: e.to_string(),
        })?;
    let svg = written.iter().find_map(|w| w.svg.clone());
    for w in written {
        staging.adopt(Path::new("charts").join(w.name));
    }
    let zh = usize::from(lang == Lang::Zh);
    let page = SensitivityPage {
        lang,
        version: env!("CARGO_PKG_VERSION"),
        scenario: result.scenario_label(lang),
        scenario_file,
        policy: result.policy_label(lang),
        passed_over: result
            .passed_over
            .as_ref()
            .map(|p| (p.names[zh].as_str(), p.below_floor)),
        year: result.year,
        floor_yuan: result.floor_yuan,
        runs: result.runs,
        seed: result.seed,
        samples: result.samples,
        simulations: result.simulations(),
        per_village_fixed: result.per_village == super::PerVillage::Fix,
        baseline: result.baseline.below_floor,
        rows: result
            .inputs
            .iter()
            .map(|i| SensitivityRow {
                rank: i.rank,
                input: i.words[zh].clone(),
                per: drawn(i.per),
                treatment: i.treatment,
                draws: i.draws.filter(|_| i.treatment == Treatment::Shifted),
                p10: value_text(i.unit, lang, i.p10),
                p90: value_text(i.unit, lang, i.p90),
                at_p10: i.at_p10.below_floor,
                at_p90: i.at_p90.below_floor,
                swing: i.swing,
                rank_correlation: i.rank_correlation,
            })
            .collect(),
        tornado_title: crate::charts::tornado_title(&input, lang),
        tornado_svg: svg,
    };
    let html = crate::output::report::sensitivity::html(&page);
    staging.write("report.html", html.as_bytes())?;
    let md = crate::output::report::sensitivity::markdown(&page);
    staging.write("report.md", md.as_bytes())?;
    staging.commit()
}
