//! Flags shared by several commands.

use std::path::PathBuf;

use villagesim::analysis::Settings;
use villagesim::format::Lang;
use villagesim::scenario::Central;

/// `--lang`: the language of the charts and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LangArg {
    /// English
    #[default]
    En,
    /// Chinese (简体中文)
    Zh,
}

impl From<LangArg> for Lang {
    fn from(lang: LangArg) -> Lang {
        match lang {
            LangArg::En => Lang::En,
            LangArg::Zh => Lang::Zh,
        }
    }
}

/// `--central`: the value that stands for an uncertain parameter.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CentralArg {
    Mean,
    Median,
}

impl From<CentralArg> for Central {
    fn from(central: CentralArg) -> Central {
        match central {
            CentralArg::Mean => Central::Mean,
            CentralArg::Median => Central::Median,
        }
    }
}

/// Flags shared by `run` and `compare`.
#[derive(Debug, clap::Args)]
pub struct RunFlags {
    /// Monte Carlo runs (overrides the file).
    #[arg(long)]
    pub runs: Option<u64>,
    /// Master random seed (overrides the file).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output folder (default: output/<scenario-slug>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress bar and no summary on standard output.
    #[arg(long, short)]
    pub quiet: bool,
    /// Switch uncertainty off: every uncertain parameter at its mean, or
    /// with `--central=median` at its median (random events such as
    /// vacancies or defaults stay random).
    #[arg(long, value_enum, num_args = 0..=1, require_equals = true, default_missing_value = "mean")]
    pub central: Option<CentralArg>,
    /// Language of the charts and reports.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
    /// Simulate even when the estimated memory (shown by `validate`)
    /// exceeds what the machine has available.
    #[arg(long)]
    pub ignore_memory_limit: bool,
    /// Also write samples.csv: one row per run and policy, with the
    /// uncertain inputs the run drew and the policy's headline outcomes,
    /// streamed as the runs finish (for re-analysis in R or pandas).
    #[arg(long)]
    pub samples: bool,
}

/// Flags shared by `sweep` and `sensitivity`.
#[derive(Debug, clap::Args)]
pub struct AnalysisFlags {
    /// Monte Carlo runs per simulation (default: the file's, at most 1000).
    #[arg(long)]
    pub runs: Option<u64>,
    /// Master random seed (overrides the file).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output folder (default: output/<scenario-slug>/sweep or /sensitivity).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Language of the charts.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    pub lang: LangArg,
    /// No progress bar and no table on standard output.
    #[arg(long, short)]
    pub quiet: bool,
    /// Simulate even when the estimated memory exceeds what the machine has.
    #[arg(long)]
    pub ignore_memory_limit: bool,
}

/// What an analysis command starts from: the scenario read, the settings
/// of the flags, the validated model, and the output folder, locked.
pub struct AnalysisStart {
    pub scenario: villagesim::analysis::Scenario,
    pub settings: Settings,
    pub base: villagesim::model::Model,
    pub out: PathBuf,
    pub _lock: villagesim::output::OutputLock,
}

impl AnalysisFlags {
    /// Reads and validates `file` and locks the output folder (`--out`, else
    /// `output/<scenario-slug>/<sub>`).
    ///
    /// # Errors
    ///
    /// A file that cannot be read or is not valid, or a folder in use.
    pub fn start(&self, file: &std::path::Path, sub: &str) -> Result<AnalysisStart, super::CliError> {
        let scenario = villagesim::analysis::Scenario::read(file)?;
        let settings = self.settings();
        let base = scenario.model(&[], &settings)?;
        let out = (self.out.clone()).unwrap_or_else(|| super::sweep::default_out(&base.name, sub));
        let _lock = villagesim::output::OutputLock::acquire(&out)?;
        Ok(AnalysisStart {
            scenario,
            settings,
            base,
            out,
            _lock,
        })
    }

    pub fn settings(&self) -> Settings {
        Settings {
            runs: self.runs,
            seed: self.seed,
            threads: self.threads.unwrap_or(0),
            ignore_memory_limit: self.ignore_memory_limit,
        }
    }
}

/// Flags of `run` that split a job or make it stop by itself.
#[derive(Debug, Default, clap::Args)]
pub struct JobFlags {
    /// Simulate only shard I of K (I from 0 to K-1: a fixed, contiguous
    /// share of the runs) and write one shard file, shard-I-of-K.vshard,
    /// into --out (default output/<scenario-slug>/shards) for `villagesim
    /// merge`. `auto/K` takes I from SLURM_ARRAY_TASK_ID or
    /// JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs).
    #[arg(long, value_name = "I/K")]
    pub shard: Option<String>,
    /// With --shard: simulate only these policies (names, comma-separated)
    /// and the reference, "no intervention", which every group holds so
    /// that comparisons against it stay paired. Splits a job by policy
    /// group when a shard of every policy would not fit in memory; merge
    /// takes every group's shards and gives the outputs of one run.
    #[arg(long, value_name = "A,B")]
    pub policies: Option<String>,
    /// Stop as soon as the estimates are precise enough, checked every
    /// 1,000 runs (so where it stops does not depend on the threads):
    /// mean=R is the largest relative standard error of each policy's mean
    /// village income (and of its paired difference from "no
    /// intervention", relative to that one's mean), prob=P the largest
    /// standard error of P(full coverage), of the share of villages below
    /// the floor and of its paired difference. Either part may be left
    /// out (it is then not a target); bare --precision is
    /// mean=0.5%,prob=0.005. At most --max-runs runs.
    #[arg(long, value_name = "SPEC", num_args = 0..=1, default_missing_value = "mean=0.5%,prob=0.005")]
    pub precision: Option<String>,
    /// With --precision: the most runs to simulate (default: --runs or the
    /// file's runs).
    #[arg(long, value_name = "N")]
    pub max_runs: Option<u64>,
    /// Save the runs done so far every N runs (rounded up to a multiple of
    /// 1,000 with --precision) to <out>.checkpoint.vshard, beside the
    /// output folder, for --resume; removed once the outputs are written.
    #[arg(long, value_name = "N")]
    pub checkpoint_every: Option<u64>,
    /// Continue an interrupted run from <out>.checkpoint.vshard (same
    /// scenario, seed, runs and settings); the outputs equal those of an
    /// uninterrupted run.
    #[arg(long)]
    pub resume: bool,
}
