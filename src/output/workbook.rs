//! `results.xlsx`: a run's figures for a planner who works in Excel, with
//! rust_xlsxwriter. Sheets, in the run's language:
//!
//! - Summary (摘要): the scenario, and each policy's headline figures in the
//!   final year (those of `summary.json`): mean village income and its
//!   standard error, the probability that every village is at the floor,
//!   the expected villages below the floor and the weak line, the public
//!   money and fiscal cost, the income added per fiscal yuan;
//! - At risk (风险村): the villages below the floor in the final year in at
//!   least [`AT_RISK`](super::report::AT_RISK) of the runs (as the brief names them), most at risk
//!   first;
//! - Villages (各村): every village under every policy in the final year:
//!   mean, P5, P50, P95 and the probability below the floor;
//! - Interventions (措施) and Decisions (决策): the rows of
//!   `interventions.csv` and `decisions.csv`.
//!
//! Numbers are numbers, not text: money in yuan with thousands separators
//! in English, in 万元 (yuan / 10,000, the unit in the header) in Chinese;
//! probabilities as percentages. Header rows are bold and frozen, columns
//! sized to their contents. The file's creation date is fixed (2000-01-01),
//! so that it is byte-identical for the same scenario, seed and version.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::atomic::OutputError;
use super::summary_json::summary;
use crate::format::Lang;
use crate::summary::results::Results;

/// Name of the workbook in the output folder.
pub const WORKBOOK_FILE: &str = "results.xlsx";

/// What a column holds, for its number format.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// Yuan: shown in 万元 in Chinese.
    Money,
    Probability,
    Count,
    Ratio,
}

struct Formats {
    header: Format,
    money: Format,
    probability: Format,
    count: Format,
    ratio: Format,
}

impl Formats {
    fn new(lang: Lang) -> Self {
        Formats {
            header: Format::new().set_bold(),
            money: Format::new().set_num_format(if lang == Lang::Zh { "#,##0.00" } else { "#,##0" }),
            probability: Format::new().set_num_format("0.0%"),
            count: Format::new().set_num_format("#,##0.0"),
            ratio: Format::new().set_num_format("0.00"),
        }
    }
}

/// Yuan as written in `lang`: 万元 in Chinese.
fn money(x: f64, lang: Lang) -> f64 {
    if lang == Lang::Zh {
        x / 1e4
    } else {
        x
    }
}

fn money_unit(lang: Lang) -> &'static str {
    if lang == Lang::Zh {
        "（万元）"
    } else {
        " (yuan)"
    }
}

/// One sheet being written: its header, then rows of cells.
struct Sheet<'a> {
    sheet: &'a mut Worksheet,
    formats: &'a Formats,
    lang: Lang,
    row: u32,
}

enum Value<'v> {
    Text(&'v str),
    Number(f64, Kind),
    Empty,
}

impl<'a> Sheet<'a> {
    fn new(book: &'a mut Workbook, formats: &'a Formats, lang: Lang, en: &str, zh: &str) -> Result<Self, XlsxError> {
        let sheet = book.add_worksheet();
        sheet.set_name(if lang == Lang::Zh { zh } else { en })?;
        Ok(Sheet {
            sheet,
            formats,
            lang,
            row: 0,
        })
    }

    /// A bold header row, frozen when it is the table's first row.
    fn header(&mut self, cells: &[String], freeze: bool) -> Result<(), XlsxError> {
        for (c, text) in cells.iter().enumerate() {
            self.sheet
                .write_string_with_format(self.row, c as u16, text, &self.formats.header)?;
        }
        if freeze {
            self.sheet.set_freeze_panes(self.row + 1, 0)?;
        }
        self.row += 1;
        Ok(())
    }

    fn write(&mut self, cells: &[Value]) -> Result<(), XlsxError> {
        for (c, v) in cells.iter().enumerate() {
            let c = c as u16;
            match *v {
                Value::Text(t) => {
                    self.sheet.write_string(self.row, c, t)?;
                }
                Value::Number(x, _) if !x.is_finite() => {}
                Value::Number(x, kind) => {
                    let f = &self.formats;
                    let (x, format) = match kind {
                        Kind::Money => (money(x, self.lang), &f.money),
                        Kind::Probability => (x, &f.probability),
                        Kind::Count => (x, &f.count),
                        Kind::Ratio => (x, &f.ratio),
                    };
                    self.sheet.write_number_with_format(self.row, c, x, format)?;
                }
                Value::Empty => {}
            }
        }
        self.row += 1;
        Ok(())
    }

    fn finish(self) {
        self.sheet.set_autofit_max_width(320);
        self.sheet.autofit();
    }
}

/// The workbook of a run, in `lang`.
///
/// # Errors
///
/// The workbook cannot be assembled (a sheet name or a cell beyond
/// Excel's limits).
pub fn workbook(results: &Results, lang: Lang, csv: &[(&str, &[u8])]) -> Result<Vec<u8>, OutputError> {
    build(results, lang, csv).map_err(|e| OutputError::Encode {
        path: WORKBOOK_FILE.into(),
        message: e.to_string(),
    })
}

/// An empty workbook whose creation date is fixed rather than the clock's:
/// the same scenario, seed and version give the same bytes.
fn new_book() -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    // Fast deflate (level 1, not the default 6): at 20,000 villages x 2
    // policies (40,000 village rows) about 0.5 s less of a 6 s run, for a
    // file of 3.9 MB instead of 2.3 MB.
    book.set_zip_compression_level(1);
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    Ok(book)
}

fn build(results: &Results, lang: Lang, csv: &[(&str, &[u8])]) -> Result<Vec<u8>, XlsxError> {
    let zh = lang == Lang::Zh;
    let t = |en: &str, zh_text: &str| if zh { zh_text.to_string() } else { en.to_string() };
    let formats = Formats::new(lang);
    let mut book = new_book()?;
    let s = summary(results);
    let year = results.final_year;
    let unit = money_unit(lang);

    // Summary.
    let mut sheet = Sheet::new(&mut book, &formats, lang, "Summary", "摘要")?;
    sheet.write(&[
        Value::Text(&t("Scenario", "情景")),
        Value::Text(results.scenario_label(lang)),
    ])?;
    let about = [
        (t("Final year", "末年"), Value::Number(f64::from(year), Kind::Ratio)),
        (t("Runs", "模拟次数"), Value::Number(results.runs as f64, Kind::Count)),
        (t("Seed", "随机种子"), Value::Number(results.seed as f64, Kind::Count)),
        (
            t("Villages", "村数"),
            Value::Number(results.villages.len() as f64, Kind::Count),
        ),
        (
            format!("{}{unit}", t("Floor", "消薄线")),
            Value::Number(s.floor_yuan, Kind::Money),
        ),
        (
            format!("{}{unit}", t("Weak line", "薄弱线")),
            Value::Number(s.weak_yuan, Kind::Money),
        ),
    ];
    for (label, value) in about {
        sheet.write(&[Value::Text(&label), value])?;
    }
    sheet.row += 1;
    let mut head = vec![
        t("Policy", "政策"),
        format!(
            "{}{unit}",
            t(
                &format!("Mean village income {year}"),
                &format!("{year}年村均经营性收入")
            )
        ),
        format!("{}{unit}", t("Standard error", "标准误")),
        t(
            &format!("P(every village at the floor) {year}"),
            &format!("{year}年全部达标概率"),
        ),
        t(
            &format!("Villages below the floor {year}"),
            &format!("{year}年低于消薄线村数"),
        ),
        t(
            &format!("Villages below the weak line {year}"),
            &format!("{year}年薄弱村数"),
        ),
        format!("{}{unit}", t("Public money", "财政资金")),
        format!("{}{unit}", t("Fiscal cost", "财政成本")),
        t("Income added per fiscal yuan", "每元财政成本增收"),
    ];
    let target = s.target_year;
    if let Some(y) = target {
        head.push(t(
            &format!("P(every village at the floor) {y}"),
            &format!("{y}年全部达标概率"),
        ));
    }
    sheet.header(&head, false)?;
    for (p, ps) in results.policies.iter().zip(&s.policies) {
        let d = ps.decisions.as_ref();
        let mut row = vec![
            Value::Text(p.label(lang)),
            Value::Number(ps.mean_village_income_yuan.mean, Kind::Money),
            Value::Number(ps.mean_village_income_yuan.se, Kind::Money),
            Value::Number(ps.p_all_above_floor.value, Kind::Probability),
            Value::Number(ps.expected_villages_below_floor.mean, Kind::Count),
            Value::Number(ps.expected_villages_below_weak.mean, Kind::Count),
            d.map_or(Value::Empty, |d| Value::Number(d.public_money_yuan.mean, Kind::Money)),
            d.map_or(Value::Empty, |d| Value::Number(d.fiscal_cost_yuan.mean, Kind::Money)),
            d.and_then(|d| d.income_added_per_fiscal_yuan)
                .map_or(Value::Empty, |x| Value::Number(x, Kind::Ratio)),
        ];
        if target.is_some() {
            row.push(
                ps.p_full_coverage_in_target_year
                    .map_or(Value::Empty, |x| Value::Number(x, Kind::Probability)),
            );
        }
        sheet.write(&row)?;
    }
    sheet.finish();

    // Villages at risk, and every village.
    let t_final = (year - results.baseline_year) as usize;
    let village_head = |first: &[String]| {
        let mut h = first.to_vec();
        h.extend([
            t("Village id", "村编号"),
            t("Village", "村名"),
            t("Township", "乡镇"),
            t("Group", "分组"),
            format!(
                "{}{unit}",
                t(&format!("Mean income {year}"), &format!("{year}年收入均值"))
            ),
            format!("P5{unit}"),
            format!("P50{unit}"),
            format!("P95{unit}"),
            t(
                &format!("P(below the floor) {year}"),
                &format!("{year}年低于消薄线概率"),
            ),
        ]);
        h
    };
    let mut risk = Sheet::new(&mut book, &formats, lang, "At risk", "风险村")?;
    risk.header(&village_head(&[t("Policy", "政策")]), true)?;
    for p in &results.policies {
        for v in super::report::at_risk(p) {
            risk.write(&village_row(results, p, v, t_final, lang))?;
        }
    }
    risk.finish();
    let mut all = Sheet::new(&mut book, &formats, lang, "Villages", "各村")?;
    all.header(&village_head(&[t("Policy", "政策")]), true)?;
    for p in &results.policies {
        for v in 0..results.villages.len() {
            all.write(&village_row(results, p, v, t_final, lang))?;
        }
    }
    all.finish();

    for &(name, bytes) in csv {
        let (en, zh_name) = match name {
            "interventions.csv" => ("Interventions", "措施"),
            "decisions.csv" => ("Decisions", "决策"),
            _ => (name, name),
        };
        let mut sheet = Sheet::new(&mut book, &formats, lang, en, zh_name)?;
        csv_sheet(&mut sheet, bytes)?;
        sheet.finish();
    }
    book.save_to_buffer()
}

fn village_row<'r>(
    results: &'r Results,
    p: &'r crate::summary::results::PolicyResults,
    v: usize,
    t: usize,
    lang: Lang,
) -> Vec<Value<'r>> {
    let info = &results.villages[v];
    let Some(y) = p.villages.get(v).and_then(|y| y.get(t)) else {
        return vec![Value::Text(p.label(lang)), Value::Text(&info.id)];
    };
    let i = &y.income_yuan;
    vec![
        Value::Text(p.label(lang)),
        Value::Text(&info.id),
        Value::Text(info.label(lang)),
        info.township_label(lang).map_or(Value::Empty, Value::Text),
        info.group_label(lang).map_or(Value::Empty, Value::Text),
        Value::Number(i.mean, Kind::Money),
        Value::Number(i.p5, Kind::Money),
        Value::Number(i.p50, Kind::Money),
        Value::Number(i.p95, Kind::Money),
        Value::Number(y.p_below_floor, Kind::Probability),
    ]
}

/// The rows of a CSV table: a row whose `unit` column says yuan has its
/// numbers as money (and the unit 万元 in Chinese), "probability" or
/// "share" as percentages.
fn csv_sheet(sheet: &mut Sheet, bytes: &[u8]) -> Result<(), XlsxError> {
    let mut reader = csv::Reader::from_reader(bytes);
    let Ok(headers) = reader.headers().cloned() else {
        return Ok(());
    };
    let unit_column = headers.iter().position(|h| h == "unit");
    let shares: Vec<bool> = headers
        .iter()
        .map(|h| h.contains("share") || h.starts_with("p_"))
        .collect();
    let labels: Vec<String> = headers.iter().map(|h| column_label(h, sheet.lang)).collect();
    sheet.header(&labels, true)?;
    let zh = sheet.lang == Lang::Zh;
    for record in reader.records().flatten() {
        let unit = unit_column.and_then(|i| record.get(i)).unwrap_or("");
        let kind = match unit {
            "yuan" => Kind::Money,
            "probability" | "share" => Kind::Probability,
            _ => Kind::Ratio,
        };
        let cells: Vec<Value> = record
            .iter()
            .enumerate()
            .map(|(i, text)| {
                if Some(i) == unit_column {
                    return Value::Text(if zh && unit == "yuan" { "万元" } else { text });
                }
                let kind = if shares[i] { Kind::Probability } else { kind };
                match text.parse::<f64>() {
                    Ok(x) if !text.is_empty() => Value::Number(x, kind),
                    _ if text.is_empty() => Value::Empty,
                    _ => Value::Text(text),
                }
            })
            .collect();
        sheet.write(&cells)?;
    }
    Ok(())
}

/// The header of a CSV column in `lang`: the common ones named, others as
/// they are.
fn column_label(name: &str, lang: Lang) -> String {
    const LABELS: [(&str, &str, &str); 14] = [
        ("policy", "Policy", "政策"),
        ("intervention", "Intervention", "措施"),
        ("kind", "Kind", "类型"),
        ("metric", "Metric", "指标"),
        ("unit", "Unit", "单位"),
        ("mean", "Mean", "均值"),
        ("mean_se", "Standard error of the mean", "均值标准误"),
        ("p5", "P5", "P5"),
        ("p25", "P25", "P25"),
        ("p50", "P50 (median)", "P50（中位数）"),
        ("p75", "P75", "P75"),
        ("p95", "P95", "P95"),
        (
            "share_of_runs_defined",
            "Share of runs where defined",
            "有定义的模拟占比",
        ),
        ("point", "Point", "点"),
    ];
    LABELS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map_or(name.to_string(), |(_, en, zh)| {
            (if lang == Lang::Zh { zh } else { en }).to_string()
        })
}

/// A workbook of CSV tables, one sheet each (`(english name, chinese name,
/// csv bytes)`): what `sweep` and `solve` write beside their CSV file.
///
/// # Errors
///
/// The workbook cannot be assembled.
pub fn tables_workbook(tables: &[(&str, &str, &[u8])], lang: Lang) -> Result<Vec<u8>, OutputError> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let formats = Formats::new(lang);
        let mut book = new_book()?;
        for &(en, zh, bytes) in tables {
            let mut sheet = Sheet::new(&mut book, &formats, lang, en, zh)?;
            csv_sheet(&mut sheet, bytes)?;
            sheet.finish();
        }
        book.save_to_buffer()
    };
    build().map_err(|e| OutputError::Encode {
        path: WORKBOOK_FILE.into(),
        message: e.to_string(),
    })
}
