//! Tidy CSV tables: one observation per row, units in column names or in a
//! `unit` column.

use csv::Writer;

use super::atomic::OutputError;
use crate::summary::results::{Results, Stat};

const QUANTILE_COLUMNS: [&str; 6] = ["mean", "p5", "p25", "p50", "p75", "p95"];

fn quantiles(s: &Stat) -> [f64; 6] {
    [s.mean, s.p5, s.p25, s.p50, s.p75, s.p95]
}

/// Formats a number with a fixed number of decimals (money to the fen,
/// ratios to 1e-6), so files are stable and readable.
pub fn fixed(x: f64, decimals: usize) -> String {
    if x.is_nan() {
        return String::new();
    }
    let s = format!("{x:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

fn finish(w: Writer<Vec<u8>>, name: &str) -> Result<Vec<u8>, OutputError> {
    w.into_inner().map_err(|e| OutputError::Encode {
        path: name.into(),
        message: e.to_string(),
    })
}

fn encode(name: &str) -> impl Fn(csv::Error) -> OutputError + '_ {
    move |e| OutputError::Encode {
        path: name.into(),
        message: e.to_string(),
    }
}

/// `portfolio_years.csv`: policy, year, metric, unit, mean, se, p5..p95.
pub fn portfolio_years(results: &Results) -> Result<Vec<u8>, OutputError> {
    let name = "portfolio_years.csv";
    let mut w = Writer::from_writer(Vec::new());
    let mut header = vec!["policy", "year", "metric", "unit"];
    header.extend(["mean", "mean_se"]);
    header.extend(&QUANTILE_COLUMNS[1..]);
    w.write_record(&header).map_err(encode(name))?;
    for p in &results.policies {
        for y in &p.years {
            let metrics: [(&str, &str, &Stat, usize); 6] = [
                ("total_income", "yuan", &y.total_income_yuan, 2),
                ("mean_village_income", "yuan", &y.mean_income_yuan, 2),
                ("gini", "ratio", &y.gini, 6),
                ("villages_below_weak", "villages", &y.below_weak, 4),
                ("villages_below_floor", "villages", &y.below_floor, 4),
                ("all_above_floor", "probability", &y.all_above_floor, 6),
            ];
            for (metric, unit, s, d) in metrics {
                let q = quantiles(s);
                let mut row = vec![
                    p.name.clone(),
                    y.year.to_string(),
                    metric.into(),
                    unit.into(),
                    fixed(q[0], d),
                    fixed(s.se, d),
                ];
                row.extend(q[1..].iter().map(|x| fixed(*x, d)));
                w.write_record(&row).map_err(encode(name))?;
            }
        }
    }
    finish(w, name)
}

/// `village_years.csv`: policy, village, year, income quantiles in yuan,
/// probability below the floor.
pub fn village_years(results: &Results) -> Result<Vec<u8>, OutputError> {
    let name = "village_years.csv";
    let mut w = Writer::from_writer(Vec::new());
    let mut header = vec!["policy", "village_id", "village_name", "township", "year"];
    header.extend([
        "mean_yuan",
        "p5_yuan",
        "p25_yuan",
        "p50_yuan",
        "p75_yuan",
        "p95_yuan",
        "p_below_floor",
    ]);
    w.write_record(&header).map_err(encode(name))?;
    for p in &results.policies {
        for (info, years) in results.villages.iter().zip(&p.villages) {
            for vy in years {
                let mut row = vec![
                    info.id.clone(),
                    info.name.clone(),
                    info.township.clone().unwrap_or_default(),
                    vy.year.to_string(),
                ];
                row.insert(0, p.name.clone());
                row.extend(quantiles(&vy.income_yuan).iter().map(|x| fixed(*x, 2)));
                row.push(fixed(vy.p_below_floor, 6));
                w.write_record(&row).map_err(encode(name))?;
            }
        }
    }
    finish(w, name)
}
