//! The report of `villagesim voi`: `report.html` and `report.md` beside
//! `voi.csv`, laid out by the run report's own templates (the same styles,
//! the same embedded font, no script).
//!
//! It reads a plain [`VoiPage`] whose words `analysis::voi` writes
//! (outputs know nothing of the estimators): the message in a sentence,
//! the chart, every input's value, the policies chosen between, the method
//! and how to make it again.

use super::view::{Block, Row};
use super::{analysis_html, analysis_md};
use crate::format::Lang;

/// A table of the page: its header and rows (every column but the first
/// right-aligned).
pub struct VoiTable {
    pub title: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// What the report of a value-of-information analysis shows, in its
/// language.
pub struct VoiPage {
    pub lang: Lang,
    pub version: &'static str,
    pub title: String,
    /// The message in one sentence.
    pub lead: String,
    pub chart_title: String,
    /// The chart's SVG, to inline in the HTML page.
    pub chart_svg: Option<String>,
    /// The inputs, then the policies.
    pub tables: Vec<VoiTable>,
    pub notes: Vec<String>,
    pub method_title: String,
    pub method: Vec<String>,
    pub provenance_title: String,
    pub provenance: Vec<(String, String)>,
}

fn blocks(p: &VoiPage) -> Vec<Block> {
    let mut doc = vec![
        Block::Title(p.title.clone()),
        Block::Lead(p.lead.clone()),
        Block::Chart {
            stem: "voi".into(),
            title: p.chart_title.clone(),
        },
    ];
    for t in &p.tables {
        doc.push(Block::H2(t.title.clone()));
        doc.push(Block::Table {
            head: t.head.clone(),
            numeric: (0..t.head.len()).map(|i| i > 0).collect(),
            rows: (t.rows.iter())
                .map(|r| Row {
                    cells: r.clone(),
                    risk: false,
                })
                .collect(),
            class: "voi",
        });
    }
    doc.extend(p.notes.iter().cloned().map(Block::Note));
    doc.push(Block::H2(p.method_title.clone()));
    doc.extend(p.method.iter().cloned().map(Block::P));
    doc.push(Block::H2(p.provenance_title.clone()));
    doc.push(Block::KeyValues(p.provenance.clone()));
    doc
}

/// `report.html` of the analysis: self-contained, the chart inline.
pub fn html(p: &VoiPage) -> String {
    analysis_html(
        p.lang,
        p.version,
        p.title.clone(),
        blocks(p),
        "voi",
        p.chart_svg.as_ref(),
    )
}

/// `report.md` of the analysis: the chart as the PNG beside it.
pub fn markdown(p: &VoiPage) -> String {
    analysis_md(p.lang, blocks(p))
}
