//! The policy brief: `report.html` (self-contained: charts as inline SVG,
//! styles inline, no script, no external reference, printable on A4) and
//! `report.md` (the same content, charts as the files beside it).
//!
//! Both are rendered by askama templates (`src/output/templates/`, checked
//! at compile time) from one list of view [`Block`]s built from [`Results`]
//! and the run's [`Manifest`] only, so `villagesim report OUTPUT_DIR`
//! rebuilds them from saved files. Every fixed word of the report, in English
//! and Chinese, is in [`words`]; the view structs are built in [`view`];
//! escaping is the template engine's ([`escape`]).

use askama::Template;

use super::Manifest;
use crate::format::Lang;
use crate::summary::results::Results;
use view::Block;
use words::words;

/// A village is "at risk" when its probability of ending below the floor is
/// at least this.
pub const AT_RISK: f64 = 0.2;

/// Every village under policy `p`, most at risk first: by the chance of
/// ending below the floor in the final year, then by lower median final
/// income, then in the file's order. The brief, the workbook and the page
/// list villages in this order.
pub fn risk_order(p: &crate::summary::results::PolicyResults) -> Vec<usize> {
    let key = |v: usize| view::final_year(p, v).map_or((0.0, 0.0), |y| (y.p_below_floor, y.income_yuan.p50));
    let mut order: Vec<usize> = (0..p.villages.len()).collect();
    order.sort_by(|&a, &b| {
        let (pa, ma) = key(a);
        let (pb, mb) = key(b);
        pb.total_cmp(&pa).then(ma.total_cmp(&mb)).then(a.cmp(&b))
    });
    order
}

/// The villages at risk under `p` (below the floor in the final year in at
/// least [`AT_RISK`] of the runs), most at risk first ([`risk_order`]).
pub fn at_risk(p: &crate::summary::results::PolicyResults) -> Vec<usize> {
    let mut order = risk_order(p);
    order.retain(|&v| view::final_year(p, v).is_some_and(|y| y.p_below_floor >= AT_RISK));
    order
}

/// Most rows of a table of villages: beyond it the brief shows the villages
/// most at risk and says how many more are in `village_years.csv`.
pub const MAX_VILLAGE_ROWS: usize = 100;

mod accounts;
mod backtest;
mod escape;
pub mod lead;
pub mod page;
mod pairs;
pub mod precision;
pub mod sensitivity;
pub mod sweep;
mod view;
mod villages;
mod words;

/// What the brief takes from the chart code.
struct Charts {
    /// File stem and title of each chart, in order.
    figures: Vec<(String, String)>,
    /// A policy's name as the charts show it.
    policy_name: Box<view::Namer>,
}

/// The charts of the brief and their wording. The one place that knows the
/// chart code (which charts exist, their titles, the policies' names).
fn figures(r: &Results, lang: Lang) -> Charts {
    let mut figures: Vec<(String, String)> = crate::charts::chart_files(r, lang)
        .into_iter()
        .map(|c| (c.stem.to_string(), c.title))
        .collect();
    figures.extend(crate::charts::decision::decision_chart_files(r, lang));
    for (_, title) in &mut figures {
        *title = crate::format::sentence_start(title);
    }
    let labels = crate::charts::Labels::new(lang);
    // Policies by name (`pairs` names them by the comparisons' keys), in
    // the language of the brief.
    let named: Vec<(String, String)> = r.policies.iter().map(|p| (p.name.clone(), labels.policy(p))).collect();
    Charts {
        figures,
        policy_name: Box::new(move |name| {
            named
                .iter()
                .find(|(n, _)| n == name)
                .map_or_else(|| labels.policy_name(name), |(_, l)| l.clone())
        }),
    }
}

/// Prepares a chart's SVG for inline use: no XML declaration, no namespace
/// URL (HTML needs none), scalable by CSS through its `viewBox`, and
/// without the font subset its file carries: the page's one `@font-face`
/// ([`embed_page_font`]) covers the charts' text too, so the page holds
/// each glyph once.
fn inline_svg(svg: &str, title: &str) -> String {
    let svg = crate::charts::strip_embedded_font(svg);
    let start = svg.find("<svg").unwrap_or(0);
    let body = svg[start..].replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
    let label = askama::filters::escape(title, escape::Html).map_or_else(|_| String::new(), |t| t.to_string());
    body.replacen("<svg", &format!("<svg role=\"img\" aria-label=\"{label}\""), 1)
}

/// `report.html`, laid out by `templates/report.html`.
#[derive(Template)]
#[template(path = "report.html")]
struct HtmlReport<'a> {
    lang_attr: &'a str,
    tool: &'a str,
    version: &'a str,
    title: String,
    colon: &'a str,
    doc: Vec<Block>,
    charts: &'a [(String, String)],
}

impl HtmlReport<'_> {
    /// The chart's SVG ready to inline, if it was handed in.
    fn svg(&self, stem: &str, title: &str) -> Option<String> {
        self.charts
            .iter()
            .find(|(st, _)| st == stem)
            .map(|(_, svg)| inline_svg(svg, title))
    }

    fn th_class(&self, numeric: &[bool], i: usize) -> &'static str {
        if numeric[i] {
            " class=\"n\""
        } else {
            ""
        }
    }

    /// The first column of the villages table holds the risk mark.
    fn td_class(&self, class: &str, numeric: &[bool], i: usize) -> &'static str {
        if class == "villages" && i == 0 {
            " class=\"mark\""
        } else if numeric.get(i).copied().unwrap_or(false) {
            " class=\"n\""
        } else {
            ""
        }
    }
}

/// `report.md`, laid out by `templates/report.md`.
/// The HTML page of an analysis (a sensitivity analysis, a search):
/// `doc` laid out by the run report's template, the chart `svg` (if any)
/// inline under the id `chart`, the page's font embedded.
fn analysis_html(
    lang: Lang,
    version: &str,
    title: String,
    doc: Vec<Block>,
    chart: &str,
    svg: Option<&String>,
) -> String {
    let w = words(lang);
    let charts: Vec<(String, String)> = svg.map(|svg| (chart.to_string(), svg.clone())).into_iter().collect();
    let page = HtmlReport {
        lang_attr: w.lang_attr,
        tool: "villagesim",
        version,
        title,
        colon: w.colon,
        doc,
        charts: &charts,
    };
    embed_page_font(&page.render().expect("the report template renders into a String"))
}

/// The Markdown page of an analysis: `doc` by the run report's template.
fn analysis_md(lang: Lang, doc: Vec<Block>) -> String {
    let page = MdReport {
        colon: words(lang).colon,
        doc,
    };
    page.render().expect("the report template renders into a String")
}

#[derive(Template)]
#[template(path = "report.md")]
struct MdReport<'a> {
    colon: &'a str,
    doc: Vec<Block>,
}

impl MdReport<'_> {
    /// Whether cell `i` of a row is in bold: in a marked row, only the cell
    /// that says why (a village's name; else the last column, e.g. the
    /// accounts' P5 net cash).
    fn bold(&self, class: &str, risk: bool, i: usize, last: bool) -> bool {
        risk && if class == "villages" { i == 1 } else { last }
    }

    /// The rule under a table's head: numeric columns right-aligned.
    fn rule(&self, numeric: &[bool]) -> String {
        let rule: Vec<&str> = numeric.iter().map(|&n| if n { "---:" } else { "---" }).collect();
        rule.join(" | ")
    }
}

mod filters {
    /// `md_code`: see [`super::escape::md_code`].
    #[askama::filter_fn]
    pub fn md_code<T: std::fmt::Display>(s: T, _: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::escape::md_code(&s.to_string()))
    }
}

/// `report.html`: self-contained, printable on A4. `charts` holds each
/// chart's file stem and SVG text.
pub fn html(results: &Results, manifest: &Manifest, charts: &[(String, String)], lang: Lang) -> String {
    let w = words(lang);
    let page = HtmlReport {
        lang_attr: w.lang_attr,
        tool: &manifest.tool,
        version: &manifest.version,
        title: format!("{}{}{}", results.scenario_label(lang), w.colon, w.brief),
        colon: w.colon,
        doc: view::build(results, manifest, lang, figures(results, lang)),
        charts,
    };
    embed_page_font(&page.render().expect("the report template renders into a String"))
}

/// Puts into the page's `<head>` one `@font-face` rule with the subset of
/// the bundled font that draws every character of the page (its text and
/// its inline charts, whose own subsets [`inline_svg`] left out), and sets
/// the whole page in it, charts included, so that the brief reads the same
/// on a machine without CJK fonts and carries the font once.
fn embed_page_font(html: &str) -> String {
    let css = crate::charts::font_face_css(html);
    if css.is_empty() {
        return html.to_string();
    }
    let family = crate::charts::font_family_for(html);
    let style = format!(
        "<style>{css}\nhtml body, html body * {{ font-family: \"{family}\", sans-serif !important; }}</style>\n"
    );
    match html.find("</head>") {
        Some(i) => format!("{}{style}{}", &html[..i], &html[i..]),
        None => format!("{style}{html}"),
    }
}

/// `report.md`: the same content as [`html`], charts as the PNG files in
/// `charts/` beside it.
pub fn markdown(results: &Results, manifest: &Manifest, lang: Lang) -> String {
    let page = MdReport {
        colon: words(lang).colon,
        doc: view::build(results, manifest, lang, figures(results, lang)),
    };
    page.render().expect("the report template renders into a String")
}

#[cfg(test)]
mod tests {
    use super::escape::{md, md_code};
    use super::*;
    use crate::format::odds;

    #[test]
    fn numbers_and_odds() {
        assert_eq!(odds(Lang::En, 0.913, 100), "in about 9 runs in 10 (91.3%)");
        assert_eq!(odds(Lang::En, 0.0, 1000), "in none of the 1,000 runs");
        assert_eq!(md("a|b*c"), "a\\|b\\*c");
        assert_eq!(md("<script>&amp;\r\n# x"), "\\<script\\>\\&amp;  \\# x");
        assert_eq!(md_code("a`b|c\nd"), "a'b\\|c d");
        assert_eq!(
            askama::filters::escape("<a & \"b\">", escape::Html)
                .unwrap()
                .to_string(),
            "&lt;a &amp; &quot;b&quot;&gt;"
        );
    }
}
