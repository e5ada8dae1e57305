//! `villagesim sensitivity`: which uncertain inputs drive the headline
//! outcome.
//!
//! **Outcome.** The median, over the runs, of the final-year mean village
//! income of one policy (`--policy`, default the last of the file).
//!
//! **Inputs.** Every uncertain value of the file's `[[villages]]` and
//! `[[interventions]]` entries: a distribution table or a range string
//! `"A to B"` ([`super::overrides::uncertain_inputs`]; village CSV files are
//! not searched). An input is named `<entry>.<key>` (`support-fund.return_rate_per_year`,
//! `villages.weak.growth`).
//!
//! **Tornado (swing).** For each input, its P10 and P90 are computed from its
//! distribution and clamp, in closed form ([`Param::quantile`]; beta and
//! PERT through `statrs`' inverse incomplete beta function). The scenario is simulated with the input fixed at its P10
//! (`{ fixed = P10 }`, keeping its `min`/`max` clamp), then at its P90, every
//! other input as in the file, all on the same seed and runs; the swing is
//! `|median(P90) - median(P10)|`. Inputs are ranked by swing. Medians come
//! from the engine's quantile sketch (relative error at most 0.39%), so a
//! swing below about 1% of the median is coarse; `sensitivity.csv` also
//! gives the exact means at P10 and P90, which break ties. A value
//! outside the parameter's domain (the P10 of a normal amount below zero) is
//! moved to the domain's edge, as the model clamps such draws.
//!
//! Fixing an input fixes it at every level it is drawn at: an input drawn
//! per village (or per village-year) is then the same for every village
//! (and year). Its swing measures a shift of the whole distribution, not the
//! spread between villages; `sensitivity.csv` gives each input's `per` level
//! (the file's, else the parameter's documented default) to read it by.
//!
//! **Rank correlations.** A Latin-hypercube design of `--samples` points
//! over all inputs at once: at point `k` input `i` sits at its quantile
//! `(pi_i(k) + 0.5) / K` (`pi_i` a random permutation from a fixed seed, one
//! per input). Each point is simulated (same seed and runs) and its outcome
//! recorded; an input's rank correlation is Spearman's rho between its
//! values and the outcomes over the design points. Because every input moves
//! at once, rho measures how much of the outcome's variation across the
//! design an input explains (an input that carries all the variance has rho
//! near +1 or -1, an irrelevant one near 0, within about `±2/sqrt(K)` of
//! sampling noise), with its sign. It is computed for every input, whatever
//! its `per` level, on the same reading of "fixed" as the tornado. No run of
//! the engine is changed: the per-run draws are not recorded.
//!
//! Simulations: 1 (baseline) + 2 per input + `--samples`.

use std::path::{Path, PathBuf};

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::overrides::{uncertain_inputs, NewValue, Override, UncertainInput};
use super::{final_mean_income, policy_index, AnalysisError, Scenario, Settings};
use crate::format::Lang;
use crate::model::param::{Param, Per};
use crate::model::Model;
use crate::output::{OutputError, Staging};
use crate::summary::results::Stat;
use crate::summary::words::path_words;

/// Points of the Latin-hypercube design by default.
pub const DEFAULT_SAMPLES: usize = 40;
/// Most design points: each is a whole simulation.
pub const MAX_SAMPLES: usize = 10_000;
const DESIGN_SEED: u64 = 0x1a71_2c0b;

/// What to analyse.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Policy whose outcome is analysed (default: the last).
    pub policy: Option<String>,
    /// Points of the Latin-hypercube design (0: no rank correlations).
    pub samples: usize,
}

/// Simulations an analysis of `inputs` inputs with `samples` design points takes.
pub fn simulations(inputs: usize, samples: usize) -> usize {
    1 + 2 * inputs + samples
}

/// One input's results.
#[derive(Debug, Clone, PartialEq)]
pub struct InputResult {
    pub name: String,
    /// The input in words, English then Chinese ("Support fund: return
    /// rate per year", "消薄基金的年回报率").
    pub words: [String; 2],
    /// Its path in the file (`interventions[0].return_rate_per_year`).
    pub path: String,
    pub per: Option<Per>,
    pub p10: f64,
    pub p90: f64,
    /// Median outcome with the input at its P10 / P90, yuan.
    pub median_at_p10: f64,
    pub median_at_p90: f64,
    /// Mean outcome (exact, not from the quantile sketch) with the input at
    /// its P10 / P90, yuan.
    pub mean_at_p10: f64,
    pub mean_at_p90: f64,
    /// `|median_at_p90 - median_at_p10|`, yuan.
    pub swing: f64,
    /// Spearman's rho over the design (None without a design, or when the
    /// input or the outcome does not vary over it).
    pub rank_correlation: Option<f64>,
    /// 1 for the largest swing.
    pub rank: usize,
}

/// A finished sensitivity analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityResult {
    pub scenario_name: String,
    pub policy: String,
    /// The scenario's and the policy's names in Chinese (the English name
    /// where the scenario gives none).
    pub scenario_name_zh: String,
    pub policy_zh: String,
    pub final_year: i32,
    pub runs: u64,
    pub seed: u64,
    pub samples: usize,
    /// Median outcome with every input as in the file, yuan.
    pub baseline_median: f64,
    /// Sorted by swing, largest first.
    pub inputs: Vec<InputResult>,
}

/// Spearman's rank correlation (average ranks for ties); None when either
/// side does not vary.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    fn ranks(v: &[f64]) -> Vec<f64> {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        let mut out = vec![0.0; v.len()];
        let mut i = 0;
        while i < idx.len() {
            let mut j = i;
            while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
                j += 1;
            }
            let rank = (i + j) as f64 / 2.0 + 1.0;
            for &k in &idx[i..=j] {
                out[k] = rank;
            }
            i = j + 1;
        }
        out
    }
    if x.len() != y.len() || x.len() < 3 {
        return None;
    }
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// The scenario with inputs fixed at values; a value outside its
/// parameter's domain is moved to the domain's edge (once). Returns the
/// model and the values used.
fn model_fixed(
    scenario: &Scenario,
    settings: &Settings,
    inputs: &[UncertainInput],
    fixed: &[(usize, f64)],
) -> Result<(Model, Vec<f64>), AnalysisError> {
    let changes = |values: &[(usize, f64)]| -> Vec<Override> {
        values
            .iter()
            .map(|&(i, v)| Override {
                path: inputs[i].path.clone(),
                value: NewValue::Fixed(v),
            })
            .collect()
    };
    match scenario.model(&changes(fixed), settings) {
        Ok(model) => Ok((model, fixed.iter().map(|f| f.1).collect())),
        Err(AnalysisError::Scenario(invalid)) => {
            let mut moved = fixed.to_vec();
            let mut any = false;
            for e in &invalid.errors {
                let Some(slot) = moved
                    .iter_mut()
                    .find(|(i, _)| e.field.as_deref() == Some(inputs[*i].path.text.as_str()))
                else {
                    continue;
                };
                let m = &e.message;
                let v = slot.1;
                let edge = if m.contains("between 0 and 1") {
                    v.clamp(0.0, 1.0)
                } else if m.contains(">= 0") {
                    v.max(0.0)
                } else if m.contains("above -100%") {
                    v.max(-0.999_999)
                } else {
                    v
                };
                any |= edge != v;
                slot.1 = edge;
            }
            if !any {
                return Err(AnalysisError::Scenario(invalid));
            }
            let model = scenario.model(&changes(&moved), settings)?;
            Ok((model, moved.iter().map(|f| f.1).collect()))
        }
        Err(e) => Err(e),
    }
}

/// Runs the analysis, calling `done` after each simulation.
pub fn run(
    scenario: &Scenario,
    settings: &Settings,
    options: &Options,
    done: &(dyn Fn() + Sync),
) -> Result<SensitivityResult, AnalysisError> {
    if options.samples > MAX_SAMPLES {
        return Err(AnalysisError::Usage(format!(
            "--samples {} is out of range: use 0 to {MAX_SAMPLES} (each sample is a whole simulation)",
            options.samples
        )));
    }
    let inputs = uncertain_inputs(&scenario.text)?;
    let base_model = scenario.model(&[], settings)?;
    let baseline = settings.simulate(&base_model)?;
    done();
    let policy = policy_index(&baseline, options.policy.as_deref())?;
    let design = Design {
        scenario,
        settings,
        inputs: &inputs,
        quantiles: inputs.iter().map(|i| i.param.clone()).collect(),
        policy,
        done,
    };
    let mut results = design.one_at_a_time()?;
    let k = options.samples;
    if k > 0 && !inputs.is_empty() {
        let correlations = design.latin_hypercube(k)?;
        for (r, rho) in results.iter_mut().zip(correlations) {
            r.rank_correlation = rho;
        }
    }
    rank(&mut results);
    for r in &mut results {
        r.words = [Lang::En, Lang::Zh].map(|l| path_words(&baseline, &r.name, l));
    }
    Ok(SensitivityResult {
        scenario_name: baseline.scenario_name.clone(),
        policy: baseline.policies[policy].name.clone(),
        scenario_name_zh: baseline.scenario_label(Lang::Zh).to_string(),
        policy_zh: baseline.policies[policy].label(Lang::Zh).to_string(),
        final_year: baseline.final_year,
        runs: baseline.runs,
        seed: baseline.seed,
        samples: if inputs.is_empty() { 0 } else { k },
        baseline_median: final_mean_income(&baseline, policy).p50,
        inputs: results,
    })
}

/// What every simulation of the analysis shares: the scenario, its
/// uncertain inputs with their quantile functions, the policy whose final
/// mean income is the outcome, and the progress callback.
struct Design<'a> {
    scenario: &'a Scenario,
    settings: &'a Settings,
    inputs: &'a [UncertainInput],
    /// Each input's parameter, whose quantiles the design takes.
    quantiles: Vec<Param>,
    policy: usize,
    done: &'a (dyn Fn() + Sync),
}

impl Design<'_> {
    /// The outcome with the inputs in `fixed` held at the given values, and
    /// the values each input took.
    fn outcome(&self, fixed: &[(usize, f64)]) -> Result<(Stat, Vec<f64>), AnalysisError> {
        let (model, used) = model_fixed(self.scenario, self.settings, self.inputs, fixed)?;
        let outcome = final_mean_income(&self.settings.simulate(&model)?, self.policy);
        (self.done)();
        Ok((outcome, used))
    }

    /// Each input alone at its 10th and then its 90th percentile, the
    /// others uncertain as in the scenario.
    fn one_at_a_time(&self) -> Result<Vec<InputResult>, AnalysisError> {
        let mut results = Vec::with_capacity(self.inputs.len());
        for (i, input) in self.inputs.iter().enumerate() {
            let mut at = [(0.0, 0.0, 0.0); 2];
            for (k, q) in [0.1, 0.9].into_iter().enumerate() {
                let (outcome, used) = self.outcome(&[(i, self.quantiles[i].quantile(q))])?;
                at[k] = (used[0], outcome.p50, outcome.mean);
            }
            results.push(InputResult {
                name: input.name.clone(),
                // Filled by `run`, which has the baseline's names.
                words: Default::default(),
                path: input.path.text.clone(),
                per: input.per,
                p10: at[0].0,
                p90: at[1].0,
                median_at_p10: at[0].1,
                median_at_p90: at[1].1,
                mean_at_p10: at[0].2,
                mean_at_p90: at[1].2,
                swing: (at[1].1 - at[0].1).abs(),
                rank_correlation: None,
                rank: 0,
            });
        }
        Ok(results)
    }

    /// A Latin-hypercube design of `k` points over all inputs at once: the
    /// Spearman rank correlation of each input with the outcome's median.
    fn latin_hypercube(&self, k: usize) -> Result<Vec<Option<f64>>, AnalysisError> {
        let mut rng = ChaCha8Rng::seed_from_u64(DESIGN_SEED);
        let strata: Vec<Vec<usize>> = self
            .inputs
            .iter()
            .map(|_| {
                let mut p: Vec<usize> = (0..k).collect();
                p.shuffle(&mut rng);
                p
            })
            .collect();
        let mut values = vec![Vec::with_capacity(k); self.inputs.len()];
        let mut outcomes = Vec::with_capacity(k);
        for point in 0..k {
            let fixed: Vec<(usize, f64)> = strata
                .iter()
                .zip(&self.quantiles)
                .enumerate()
                .map(|(i, (stratum, q))| (i, q.quantile((stratum[point] as f64 + 0.5) / k as f64)))
                .collect();
            let (outcome, used) = self.outcome(&fixed)?;
            outcomes.push(outcome.p50);
            for (i, v) in used.into_iter().enumerate() {
                values[i].push(v);
            }
        }
        Ok(values.iter().map(|xs| spearman(xs, &outcomes)).collect())
    }
}

/// Largest swing first, ranks from 1. Medians come from the quantile
/// sketch (steps of up to 0.78% of the level): equal swings are ordered by
/// the exact swing of the means.
fn rank(results: &mut [InputResult]) {
    results.sort_by(|a, b| {
        let mean_swing = |r: &InputResult| (r.mean_at_p90 - r.mean_at_p10).abs();
        b.swing
            .total_cmp(&a.swing)
            .then(mean_swing(b).total_cmp(&mean_swing(a)))
    });
    for (rank, r) in results.iter_mut().enumerate() {
        r.rank = rank + 1;
    }
}

/// `sensitivity.csv`: one row per input, largest swing first.
pub fn csv(result: &SensitivityResult) -> Result<Vec<u8>, OutputError> {
    let err = |e: csv::Error| OutputError::Encode {
        path: "sensitivity.csv".into(),
        message: e.to_string(),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "rank",
        "input",
        "path",
        "per",
        "p10",
        "p90",
        "median_at_p10_yuan",
        "median_at_p90_yuan",
        "swing_yuan",
        "mean_at_p10_yuan",
        "mean_at_p90_yuan",
        "rank_correlation",
        "policy",
        "baseline_median_yuan",
    ])
    .map_err(err)?;
    for r in &result.inputs {
        w.write_record([
            r.rank.to_string(),
            r.name.clone(),
            r.path.clone(),
            r.per.map_or(String::new(), |p| p.as_str().to_string()),
            r.p10.to_string(),
            r.p90.to_string(),
            r.median_at_p10.to_string(),
            r.median_at_p90.to_string(),
            r.swing.to_string(),
            r.mean_at_p10.to_string(),
            r.mean_at_p90.to_string(),
            r.rank_correlation.map_or(String::new(), |x| format!("{x:.4}")),
            result.policy.clone(),
            result.baseline_median.to_string(),
        ])
        .map_err(err)?;
    }
    w.into_inner().map_err(|e| OutputError::Encode {
        path: "sensitivity.csv".into(),
        message: e.to_string(),
    })
}

/// Writes `sensitivity.csv` and the tornado chart into `dir`, all or nothing.
pub fn write(result: &SensitivityResult, dir: &Path, lang: crate::format::Lang) -> Result<Vec<PathBuf>, OutputError> {
    let mut staging = Staging::new(dir)?;
    staging.write("sensitivity.csv", &csv(result)?)?;
    for name in write_tornado(result, staging.dir(), lang)? {
        staging.adopt(name);
    }
    staging.commit()
}

/// Writes the tornado chart of `result` into `dir/charts`; returns the names
/// written, relative to `dir`.
fn write_tornado(
    result: &SensitivityResult,
    dir: &Path,
    lang: crate::format::Lang,
) -> Result<Vec<PathBuf>, OutputError> {
    use crate::charts::{DrawnPer, TornadoInput, TornadoRow};
    let zh = lang == crate::format::Lang::Zh;
    let input = TornadoInput {
        scenario_name: if zh {
            &result.scenario_name_zh
        } else {
            &result.scenario_name
        },
        policy: if zh { &result.policy_zh } else { &result.policy },
        final_year: result.final_year,
        runs: result.runs,
        baseline_median: result.baseline_median,
        inputs: result
            .inputs
            .iter()
            .map(|i| TornadoRow {
                name: i.words[usize::from(zh)].clone(),
                per: match i.per {
                    Some(Per::Run) | None => None,
                    Some(Per::Village) => Some(DrawnPer::Village),
                    Some(Per::Year) => Some(DrawnPer::Year),
                    Some(Per::VillageYear) => Some(DrawnPer::VillageYear),
                },
                p10: short_number(i.p10),
                p90: short_number(i.p90),
                median_at_p10: i.median_at_p10,
                median_at_p90: i.median_at_p90,
            })
            .collect(),
    };
    super::write_charts(dir, |charts| crate::charts::write_tornado(&input, charts, lang))
}

/// A parameter value for people: `0.0512`, `125,000`.
pub fn short_number(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    if v.abs() >= 1000.0 {
        return crate::format::grouped(v, 0);
    }
    if v == 0.0 {
        return "0".into();
    }
    // Four significant digits, trailing zeros dropped.
    let decimals = (3 - v.abs().log10().floor() as i32).clamp(0, 8) as usize;
    let t = format!("{v:.decimals$}");
    let t = if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        t
    };
    if t == "-0" {
        "0".into()
    } else {
        t
    }
}

/// The lines printed after an analysis.
pub fn table(result: &SensitivityResult, lang: Lang) -> Vec<String> {
    if lang == Lang::Zh {
        return table_zh(result);
    }
    let th = crate::format::thousands;
    let mut lines = vec![
        format!(
            "{}: median final-year ({}) mean village income under \"{}\", {} runs per simulation (seed {}): {} yuan with every input as in the file",
            result.scenario_name,
            result.final_year,
            result.policy,
            result.runs,
            result.seed,
            th(result.baseline_median)
        ),
    ];
    if result.inputs.is_empty() {
        lines.push("  the file has no uncertain inputs (distribution tables or \"A to B\" ranges)".into());
        return lines;
    }
    lines.push(format!(
        "  {:>4}  {:<40} {:>25} {:>27} {:>12} {:>9}",
        "rank", "input", "P10 .. P90", "median at P10 .. P90 (yuan)", "swing", "rank rho"
    ));
    for r in &result.inputs {
        let range = format!("{} .. {}", short_number(r.p10), short_number(r.p90));
        let medians = format!("{} .. {}", th(r.median_at_p10), th(r.median_at_p90));
        let rho = r.rank_correlation.map_or("–".to_string(), |x| format!("{x:+.2}"));
        lines.push(format!(
            "  {:>4}  {:<40} {:>25} {:>27} {:>12} {:>9}",
            r.rank,
            r.name,
            range,
            medians,
            th(r.swing),
            rho
        ));
    }
    if result.samples > 0 {
        lines.push(format!(
            "  rank rho: Spearman over a {}-point Latin-hypercube design of all inputs (noise about ±{:.2})",
            result.samples,
            2.0 / (result.samples as f64).sqrt()
        ));
    }
    lines
}

/// [`table`] in Chinese: the inputs in words, padded by display width.
fn table_zh(result: &SensitivityResult) -> Vec<String> {
    let th = crate::format::thousands;
    let mut lines = vec![format!(
        "{}：{}年“{}”下村均收入的中位数，每次分析模拟 {} 次（随机种子 {}）：各输入取文件中的值时为 {} 元",
        result.scenario_name_zh,
        result.final_year,
        result.policy_zh,
        result.runs,
        result.seed,
        th(result.baseline_median)
    )];
    if result.inputs.is_empty() {
        lines.push("  文件中没有不确定的输入（分布表或“A to B”区间）".into());
        return lines;
    }
    let width = result
        .inputs
        .iter()
        .map(|r| unicode_width::UnicodeWidthStr::width(r.words[1].as_str()))
        .max()
        .unwrap_or(0)
        .max(8);
    let pad = |s: &str| crate::format::pad_end(s, width);
    let right = crate::format::pad_start;
    lines.push(format!(
        "  {}  {} {} {} {} {}",
        right("排名", 4),
        pad("输入"),
        right("P10 .. P90", 25),
        right("取 P10 .. P90 时的中位数（元）", 27),
        right("变动幅度", 12),
        right("秩相关", 9)
    ));
    for r in &result.inputs {
        let range = format!("{} .. {}", short_number(r.p10), short_number(r.p90));
        let medians = format!("{} .. {}", th(r.median_at_p10), th(r.median_at_p90));
        let rho = r.rank_correlation.map_or("–".to_string(), |x| format!("{x:+.2}"));
        lines.push(format!(
            "  {:>4}  {} {:>25} {:>27} {:>12} {:>9}",
            r.rank,
            pad(&r.words[1]),
            range,
            medians,
            th(r.swing),
            rho
        ));
    }
    if result.samples > 0 {
        lines.push(format!(
            "  秩相关：对全部输入的 {} 点拉丁超立方设计计算的 Spearman 秩相关系数（噪声约 ±{:.2}）",
            result.samples,
            2.0 / (result.samples as f64).sqrt()
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_ranks() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(spearman(&x, &[10.0, 20.0, 30.0, 100.0]), Some(1.0));
        assert_eq!(spearman(&x, &[4.0, 3.0, 2.0, 1.0]), Some(-1.0));
        assert_eq!(spearman(&x, &[1.0, 1.0, 1.0, 1.0]), None);
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short_number(0.051234), "0.05123");
        assert_eq!(short_number(125_000.4), "125,000");
        assert_eq!(short_number(2.5), "2.5");
        assert_eq!(short_number(0.0), "0");
    }
}
