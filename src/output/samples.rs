//! `samples.csv` (`--samples`): one row per run and policy, the run's
//! uncertain inputs and the policy's headline outcomes in that run,
//! streamed into the staged outputs as the runs finish (memory stays flat),
//! moved into place with the rest.
//!
//! Columns: `run`, `policy`, then one per input as the file names it
//! (`support-fund.return_rate_per_year`, `villages.weak.growth`,
//! `factors.economy`: the value drawn in the run, in the file's units with
//! rates as fractions and money in yuan; for an input drawn per village or
//! per year, the mean of its values in the run; for a factor, the mean of
//! its standard normal path; see `engine::samples`), then the outcomes:
//!
//! | column | meaning |
//! |---|---|
//! | `mean_income_FINAL_yuan` | mean operating income per village in the final year |
//! | `villages_below_floor_TARGET` | villages below the floor in the target year (the final year when the file sets none) |
//! | `villages_below_floor_FINAL` | the same in the final year, when it is not the target year |
//! | `first_full_coverage_year` | first year with every village at the floor (empty: never within the horizon) |
//! | `gini_FINAL` | Gini coefficient of village incomes in the final year |
//! | `total_income_yuan` | operating income of all villages over the simulated years |
//! | `public_money_spent_yuan` | public money spent by the policy's measures |
//! | `fiscal_cost_yuan`, `fiscal_cost_pv_yuan` | spent + implicit subsidy + expected loss on capital placed, and its present value at the public discount rate |
//! | `private_money_yuan` | bank loans drawn and village equity paid in |
//! | `negative_cash_with_loan` | whether a village with a loan had a year of negative net cash flow |
//!
//! Numbers are written in full (the shortest text that reads back as the
//! same number) for inputs, to the fen for money and to 1e-6 for the Gini
//! coefficient, so that the file is the same byte for byte for any thread
//! count.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use super::atomic::{io_error, OutputError, Staging};
use super::tables::fixed;
use crate::summary::samples::{RunSample, SampleSink, SamplesLayout};

/// The name of the file in the outputs.
pub const SAMPLES_FILE: &str = "samples.csv";

/// A `samples.csv` being written into a staging folder.
pub struct SamplesCsv {
    file: csv::Writer<BufWriter<File>>,
    /// As the destination was given, for messages.
    shown: PathBuf,
    layout: SamplesLayout,
    rows: u64,
}

impl SamplesCsv {
    /// Creates `samples.csv` in `staging` (recorded there) and writes its
    /// header.
    ///
    /// # Errors
    ///
    /// [`OutputError::Io`] naming the file when it cannot be created.
    pub fn create(staging: &mut Staging, layout: SamplesLayout) -> Result<SamplesCsv, OutputError> {
        let shown = staging.shown(std::path::Path::new(SAMPLES_FILE));
        let path = staging.dir().join(SAMPLES_FILE);
        let file = File::create(&path).map_err(io_error(&shown))?;
        staging.adopt(SAMPLES_FILE);
        let mut csv = SamplesCsv {
            file: csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file)),
            shown,
            layout,
            rows: 0,
        };
        let header = csv.header();
        csv.file
            .write_record(&header)
            .map_err(|e| io_error(&csv.shown)(e.into()))?;
        Ok(csv)
    }

    /// The column names.
    pub fn header(&self) -> Vec<String> {
        let l = &self.layout;
        let mut h = vec!["run".to_string(), "policy".to_string()];
        h.extend(l.columns.inputs.iter().map(|c| c.name.clone()));
        h.push(format!("mean_income_{}_yuan", l.final_year));
        h.push(format!("villages_below_floor_{}", l.target_year));
        if l.target_year != l.final_year {
            h.push(format!("villages_below_floor_{}", l.final_year));
        }
        h.push("first_full_coverage_year".into());
        h.push(format!("gini_{}", l.final_year));
        for name in [
            "total_income_yuan",
            "public_money_spent_yuan",
            "fiscal_cost_yuan",
            "fiscal_cost_pv_yuan",
            "private_money_yuan",
            "negative_cash_with_loan",
        ] {
            h.push(name.into());
        }
        h
    }

    fn write_rows(&mut self, samples: &[RunSample]) -> csv::Result<()> {
        let l = &self.layout;
        let mut fields = Vec::new();
        for sample in samples {
            for (policy, o) in l.policies.iter().zip(&sample.outcomes) {
                fields.clear();
                fields.push(sample.run.to_string());
                fields.push(policy.clone());
                fields.extend(sample.inputs.iter().map(|x| x.map_or(String::new(), |x| x.to_string())));
                fields.push(fixed(o.final_mean_yuan, 2));
                fields.push(o.target_below_floor.to_string());
                if l.target_year != l.final_year {
                    fields.push(o.final_below_floor.to_string());
                }
                fields.push(
                    o.coverage_year
                        .map_or(String::new(), |y| (l.baseline_year + y as i32).to_string()),
                );
                fields.push(fixed(o.final_gini, 6));
                fields.push(fixed(o.income_sum_yuan, 2));
                fields.push(fixed(o.public_yuan, 2));
                fields.push(fixed(o.fiscal_cost_yuan, 2));
                fields.push(fixed(o.fiscal_cost_pv_yuan, 2));
                fields.push(fixed(o.private_yuan, 2));
                fields.push(o.negative_cash_with_loan.to_string());
                self.file.write_record(&fields)?;
                self.rows += 1;
            }
        }
        Ok(())
    }

    /// Flushes the file; returns the rows written.
    ///
    /// # Errors
    ///
    /// [`OutputError::Io`] naming the file.
    pub fn finish(mut self) -> Result<u64, OutputError> {
        self.file.flush().map_err(io_error(&self.shown))?;
        Ok(self.rows)
    }
}

impl SampleSink for SamplesCsv {
    fn take(&mut self, samples: &[RunSample]) -> Result<(), String> {
        self.write_rows(samples)
            .map_err(|e| io_error(&self.shown)(e.into()).to_string())
    }
}
