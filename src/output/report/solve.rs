//! The report of `villagesim solve`: `report.html` and `report.md` beside
//! `solve.csv`, laid out by the run report's own templates (the same
//! styles, the same embedded font, no script).
//!
//! It reads a plain [`SolvePage`] whose words `analysis::solve` writes
//! (outputs know nothing of the search): the answer in a sentence, the
//! chart, every value simulated, the method, and how to make it again.

use super::view::{Block, Row};
use super::{analysis_html, analysis_md};
use crate::format::Lang;

/// What the report of a search shows, in its language.
pub struct SolvePage {
    pub lang: Lang,
    pub version: &'static str,
    /// "Quickstart county: solving for P(full coverage) >= 25%".
    pub title: String,
    /// The answer in one sentence.
    pub lead: String,
    pub chart_title: String,
    /// The chart's SVG, to inline in the HTML page.
    pub chart_svg: Option<String>,
    /// Every value simulated: value, estimate, standard error, verdict.
    pub head: [String; 4],
    pub rows: Vec<[String; 4]>,
    /// How the answer was found, a paragraph each.
    pub method_title: String,
    pub method: Vec<String>,
    pub provenance_title: String,
    pub provenance: Vec<(String, String)>,
}

fn blocks(p: &SolvePage) -> Vec<Block> {
    vec![
        Block::Title(p.title.clone()),
        Block::Lead(p.lead.clone()),
        Block::Chart {
            stem: "solve".into(),
            title: p.chart_title.clone(),
        },
        Block::Table {
            head: p.head.to_vec(),
            numeric: vec![true, true, true, false],
            rows: p
                .rows
                .iter()
                .map(|r| Row {
                    cells: r.to_vec(),
                    risk: false,
                })
                .collect(),
            class: "solve",
        },
        Block::H2(p.method_title.clone()),
    ]
    .into_iter()
    .chain(p.method.iter().cloned().map(Block::P))
    .chain([
        Block::H2(p.provenance_title.clone()),
        Block::KeyValues(p.provenance.clone()),
    ])
    .collect()
}

/// `report.html` of a search: self-contained, the chart inline.
pub fn html(p: &SolvePage) -> String {
    analysis_html(
        p.lang,
        p.version,
        p.title.clone(),
        blocks(p),
        "solve",
        p.chart_svg.as_ref(),
    )
}

/// `report.md` of a search: the chart as the PNG beside it.
pub fn markdown(p: &SolvePage) -> String {
    analysis_md(p.lang, blocks(p))
}
