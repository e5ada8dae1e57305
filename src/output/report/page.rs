//! The report of an analysis that shows one chart and some tables
//! (`villagesim voi`, `villagesim calibrate`): `report.html` and
//! `report.md` beside its CSV files, laid out by the run report's own
//! templates (the same styles, the same embedded font, no script).
//!
//! It reads a plain [`AnalysisPage`] whose words the analysis writes
//! (outputs know nothing of the analysis): the message in a sentence, the
//! chart, the tables, notes, the method and how to make it again.

use super::view::{Block, Row};
use super::{analysis_html, analysis_md};
use crate::format::Lang;

/// A table of the page: its header and rows (every column but the first
/// right-aligned).
pub struct PageTable {
    pub title: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// What the report of an analysis shows, in its language.
pub struct AnalysisPage {
    pub lang: Lang,
    pub version: &'static str,
    /// The chart's file stem in `charts/` (`voi`, `calibration`).
    pub stem: &'static str,
    pub title: String,
    /// The message in one sentence.
    pub lead: String,
    pub chart_title: String,
    /// The chart's SVG, to inline in the HTML page.
    pub chart_svg: Option<String>,
    pub tables: Vec<PageTable>,
    pub notes: Vec<String>,
    pub method_title: String,
    pub method: Vec<String>,
    pub provenance_title: String,
    pub provenance: Vec<(String, String)>,
}

impl AnalysisPage {
    /// A page with its words in `lang` for the common parts: the tool's
    /// version and the method and provenance headings; no tables, notes,
    /// method or provenance yet.
    pub fn new(
        lang: Lang,
        stem: &'static str,
        title: String,
        lead: String,
        chart_title: String,
        chart_svg: Option<String>,
    ) -> AnalysisPage {
        let zh = lang == Lang::Zh;
        AnalysisPage {
            lang,
            version: env!("CARGO_PKG_VERSION"),
            stem,
            title,
            lead,
            chart_title,
            chart_svg,
            tables: Vec::new(),
            notes: Vec::new(),
            method_title: if zh { "方法" } else { "Method" }.into(),
            method: Vec::new(),
            provenance_title: if zh { "来源" } else { "Provenance" }.into(),
            provenance: Vec::new(),
        }
    }

    /// The page with its provenance: the tool, the scenario file and the
    /// command that makes the page again.
    pub fn with_provenance(mut self, scenario_file: &str, command: String) -> AnalysisPage {
        let zh = self.lang == Lang::Zh;
        self.provenance = vec![
            (
                if zh { "工具" } else { "Tool" }.into(),
                format!("villagesim {}", self.version),
            ),
            (
                if zh { "情景文件" } else { "Scenario file" }.into(),
                scenario_file.to_string(),
            ),
            (if zh { "命令" } else { "Command" }.into(), command),
        ];
        self
    }
}

fn blocks(p: &AnalysisPage) -> Vec<Block> {
    let mut doc = vec![
        Block::Title(p.title.clone()),
        Block::Lead(p.lead.clone()),
        Block::Chart {
            stem: p.stem.into(),
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
            class: "analysis",
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
pub fn html(p: &AnalysisPage) -> String {
    analysis_html(
        p.lang,
        p.version,
        p.title.clone(),
        blocks(p),
        p.stem,
        p.chart_svg.as_ref(),
    )
}

/// `report.md` of the analysis: the chart as the PNG beside it.
pub fn markdown(p: &AnalysisPage) -> String {
    analysis_md(p.lang, blocks(p))
}
