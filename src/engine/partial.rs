//! [`Partial`]: the mergeable aggregates of a set of runs, which a run,
//! a shard, a checkpoint and a merge all build on.

use std::sync::Mutex;

use super::samples::{RunSample, SampleColumns, SampleSink, Sampling};
use super::{
    chunk_runs, footprint, pool, simulate_run, Aggregates, EngineError, OutOfRange, PolicyAggregates, RunOptions,
    Scratch, VillageTallies, VillageTally,
};
use crate::model::Model;
use crate::summary::compare::{Comparisons, RunFinal, RunOutcome};
use crate::summary::results::Results;

/// The mergeable aggregates of a set of runs of one model: the portfolio,
/// intervention, account and comparison aggregates, the village tallies,
/// and which runs they hold.
///
/// Every sum is an integer and every sketch an integer count, so merging
/// the partials of disjoint run sets gives exactly the partial of their
/// union, in any order: a run split into shards (or interrupted and
/// resumed) finishes to the same results as one made at once.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Partial {
    /// The runs held, as sorted, disjoint, non-adjacent ranges.
    runs: Vec<std::ops::Range<u64>>,
    aggregates: Aggregates,
    cells: VillageTallies,
}

impl Partial {
    /// The empty partial of `model` (no runs yet).
    ///
    /// # Errors
    ///
    /// [`EngineError::TooLarge`] when the model's estimated memory exceeds
    /// what the machine has (unless [`RunOptions::ignore_memory_limit`]).
    pub fn new(model: &Model, options: RunOptions) -> Result<Partial, EngineError> {
        if !options.ignore_memory_limit {
            footprint::check(model, options.threads, options.reference).map_err(EngineError::TooLarge)?;
        }
        Ok(Partial {
            runs: Vec::new(),
            aggregates: Aggregates::new(model, options.reference).keeping_finals(options.keep_finals),
            cells: VillageTallies::new(model),
        })
    }

    /// The runs held, sorted ranges.
    pub fn runs(&self) -> &[std::ops::Range<u64>] {
        &self.runs
    }

    /// How many runs are held.
    pub fn run_count(&self) -> u64 {
        self.runs.iter().map(|r| r.end - r.start).sum()
    }

    /// The portfolio and comparison aggregates (without the village tallies).
    pub fn aggregates(&self) -> &Aggregates {
        &self.aggregates
    }

    /// Simulates the runs `runs` (none of which it holds yet) and adds them,
    /// calling `progress(runs_done)` after each chunk.
    ///
    /// # Errors
    ///
    /// [`EngineError::OutOfRange`] when an income or cash flow of a run
    /// leaves the accepted range; the partial is then unchanged in its
    /// aggregates but must not be used (its village tallies may hold part
    /// of the failed chunk).
    pub fn extend(
        &mut self,
        model: &Model,
        options: RunOptions,
        runs: std::ops::Range<u64>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<(), EngineError> {
        self.extend_sampled(model, options, runs, progress, None)
    }

    /// [`Partial::extend`], handing every run's samples to `samples` (the
    /// columns found by [`super::samples::columns`] and the sink), a chunk of runs
    /// at a time in run order.
    ///
    /// # Errors
    ///
    /// As [`Partial::extend`], and [`EngineError::Samples`] when the sink
    /// fails.
    pub fn extend_sampled(
        &mut self,
        model: &Model,
        options: RunOptions,
        runs: std::ops::Range<u64>,
        progress: &(dyn Fn(u64) + Sync),
        mut samples: Option<(&SampleColumns, &mut dyn SampleSink)>,
    ) -> Result<(), EngineError> {
        debug_assert!(self.runs.iter().all(|r| r.end <= runs.start || runs.end <= r.start));
        if runs.is_empty() {
            return Ok(());
        }
        let pool = pool(options.threads)?;
        let threads = pool.current_num_threads();
        let chunk = chunk_runs(model, threads, runs.end - runs.start);
        let per_run = model.policies.len() * model.villages.len() * (model.years + 1);
        // The incomes of a chunk of runs: `[(r * policies + p) * cells + y * villages + v]`.
        let mut incomes = vec![0.0; chunk * per_run];
        let mut workers: Vec<(Aggregates, Scratch)> = (0..threads)
            .map(|_| {
                (
                    Aggregates::new(model, options.reference).keeping_finals(options.keep_finals),
                    Scratch::new(model),
                )
            })
            .collect();
        if let Some((columns, _)) = &samples {
            for (_, scratch) in &mut workers {
                scratch.sampling = Some(Sampling::new(model, columns));
            }
        }
        let mut rows: Vec<RunSample> = Vec::new();
        let mut first = runs.start;
        while first < runs.end {
            let count = chunk.min((runs.end - first) as usize);
            // Each worker simulates every `threads`-th run of the chunk into its
            // own rows and folds it into its own aggregates.
            let mut slices: Vec<Vec<(u64, &mut [f64])>> = (0..threads).map(|_| Vec::new()).collect();
            for (r, row) in incomes[..count * per_run].chunks_mut(per_run).enumerate() {
                slices[r % threads].push((first + r as u64, row));
            }
            let failures: Mutex<Vec<Box<OutOfRange>>> = Mutex::new(Vec::new());
            pool.scope(|scope| {
                for ((aggregates, scratch), runs) in workers.iter_mut().zip(slices) {
                    let failures = &failures;
                    scope.spawn(move |_| {
                        for (run, row) in runs {
                            if let Err(e) = simulate_run(model, run, row, scratch, aggregates) {
                                failures.lock().unwrap_or_else(|p| p.into_inner()).push(e);
                                break;
                            }
                        }
                    });
                }
            });
            // Every run below a worker's first failure succeeded, so the lowest
            // failure is the lowest failing run, whatever the thread count.
            let failures = failures.into_inner().unwrap_or_else(|p| p.into_inner());
            if let Some(first) = failures.into_iter().min_by_key(|e| e.run) {
                return Err(EngineError::OutOfRange(first));
            }
            if let Some((_, sink)) = &mut samples {
                rows.clear();
                for (_, scratch) in &mut workers {
                    rows.extend(
                        scratch
                            .sampling
                            .as_mut()
                            .map_or(Vec::new(), |s| std::mem::take(&mut s.rows)),
                    );
                }
                rows.sort_by_key(|r| r.run);
                sink.take(&rows).map_err(EngineError::Samples)?;
            }
            // The village tallies, split among the threads by village-year.
            pool.install(|| self.cells.record(&incomes, count, (runs.end - runs.start) as usize));
            progress(count as u64);
            first += count as u64;
        }
        for (aggregates, _) in &workers {
            self.aggregates.merge(aggregates);
        }
        if let Some(finals) = &mut self.aggregates.finals {
            finals.sort();
        }
        self.add_runs(runs);
        Ok(())
    }

    /// Records that `runs` are now held, keeping the ranges sorted and
    /// adjacent ranges joined.
    fn add_runs(&mut self, runs: std::ops::Range<u64>) {
        self.runs.push(runs);
        self.runs.sort_by_key(|r| r.start);
        let mut joined: Vec<std::ops::Range<u64>> = Vec::with_capacity(self.runs.len());
        for r in self.runs.drain(..) {
            match joined.last_mut() {
                Some(last) if last.end == r.start => last.end = r.end,
                _ => joined.push(r),
            }
        }
        self.runs = joined;
    }

    /// Adds the runs of `other`, a partial of the same model and options
    /// over runs disjoint from these (the caller checks).
    pub fn merge(&mut self, other: Partial) {
        self.aggregates.merge(&other.aggregates);
        if let Some(finals) = &mut self.aggregates.finals {
            finals.sort();
        }
        self.cells.merge(&other.cells);
        for r in other.runs {
            self.add_runs(r);
        }
    }

    /// The finished results of the runs held (on the current rayon pool).
    pub fn finish(self, model: &Model) -> Results {
        let runs = self.run_count();
        self.aggregates.finish(model, self.cells, runs)
    }

    /// Whether it keeps each run's final-year figures
    /// ([`RunOptions::keep_finals`]).
    pub fn keeps_finals(&self) -> bool {
        self.aggregates.finals.is_some()
    }

    /// The partial of `model` made of `groups`, partials of groups of its
    /// policies over the same runs: `(indices, partial)`, where `indices`
    /// are the group's policies in `model` (policy 0, the reference, first
    /// in every group) and `partial` was simulated on `model` restricted to
    /// them ([`Model::with_policies`]) with [`RunOptions::keep_finals`].
    ///
    /// Every draw is keyed by its entity, never by the policy, so a
    /// policy's aggregates do not depend on which other policies were
    /// simulated beside it: each is taken from its group as it is. Pairs
    /// of policies are measured run by run again from the final-year
    /// figures every group kept ([`Comparisons::record_pairs`]), so pairs
    /// across groups are paired as in one run. The result holds no finals.
    ///
    /// # Errors
    ///
    /// A message when a policy is in no group, the groups hold other runs
    /// or no finals, or policy 0 differs between groups (shards of another
    /// version or scenario).
    pub fn assemble(model: &Model, groups: Vec<(Vec<usize>, Partial)>) -> Result<Partial, String> {
        let policies = model.policies.len();
        let Some((_, first)) = groups.first() else {
            return Err("no policy group".into());
        };
        let runs = first.runs.clone();
        let count = first.run_count() as usize;
        for (indices, g) in &groups {
            if indices.first() != Some(&0) {
                return Err("a policy group without the reference policy".into());
            }
            if g.runs != runs {
                return Err("the policy groups hold different runs".into());
            }
            if g.aggregates.finals.as_ref().is_none_or(|f| f.rows.len() != count) {
                return Err("a policy group kept no final-year figures for its runs".into());
            }
        }
        // Where each policy is found: its first group and its place there.
        let mut home: Vec<Option<(usize, usize)>> = vec![None; policies];
        for (g, (indices, _)) in groups.iter().enumerate() {
            for (j, &p) in indices.iter().enumerate() {
                if p >= policies {
                    return Err(format!("a policy group names policy {p} of {policies}"));
                }
                home[p].get_or_insert((g, j));
            }
        }
        if let Some(p) = home.iter().position(Option::is_none) {
            return Err(format!("policy \"{}\" is in no group", model.policies[p].name));
        }
        let home: Vec<(usize, usize)> = home.into_iter().flatten().collect();
        let finals: Vec<&RunFinals> = groups
            .iter()
            .map(|(_, g)| g.aggregates.finals.as_ref().expect("checked above"))
            .collect();
        for (g, f) in finals.iter().enumerate().skip(1) {
            if f.rows
                .iter()
                .zip(&finals[0].rows)
                .any(|(a, b)| a.0 != b.0 || a.1[0] != b.1[0])
            {
                return Err(format!(
                    "policy \"{}\" differs between group 1 and group {}: the groups are not of one job",
                    model.policies[0].name,
                    g + 1
                ));
            }
        }
        let mut comparisons = Comparisons::new(policies, 0, model.years + 1, model.villages.len(), model.budget_yuan);
        for i in 0..count {
            comparisons.record_pairs(&|p| {
                let (g, j) = home[p];
                finals[g].rows[i].1[j]
            });
        }
        for (p, &(g, j)) in home.iter().enumerate() {
            comparisons.take_policy(p, &groups[g].1.aggregates.comparisons, j);
        }
        let mut taken: Vec<Taken> = groups
            .into_iter()
            .map(|(_, g)| {
                (
                    g.aggregates.policies.into_iter().map(Some).collect(),
                    g.cells.into_policies().map(Some).collect(),
                )
            })
            .collect();
        let mut aggregates = Vec::with_capacity(policies);
        let mut cells = Vec::with_capacity(policies);
        for &(g, j) in &home {
            aggregates.push(taken[g].0[j].take().expect("each policy taken once"));
            cells.push(taken[g].1[j].take().expect("each policy taken once"));
        }
        Ok(Partial {
            runs,
            aggregates: Aggregates {
                policies: aggregates,
                comparisons,
                finals: None,
            },
            cells: VillageTallies::from_policies(model.floor_yuan, cells),
        })
    }
}

/// A group's policies, each taken once by [`Partial::assemble`].
type Taken = (Vec<Option<PolicyAggregates>>, Vec<Option<Vec<VillageTally>>>);

/// Each run's final-year figures under each policy of a partial
/// ([`RunOptions::keep_finals`]): `(run, [policy])`, sorted by run. What
/// [`Partial::assemble`] pairs policy groups with: a few bytes per run and
/// policy.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct RunFinals {
    rows: Vec<(u64, Vec<RunFinal>)>,
}

impl RunFinals {
    pub(super) fn push(&mut self, run: u64, outcomes: &[RunOutcome]) {
        self.rows.push((run, outcomes.iter().map(RunFinal::of).collect()));
    }

    pub(super) fn merge(&mut self, other: &RunFinals) {
        self.rows.extend(other.rows.iter().cloned());
    }

    /// Sorts the rows by run (each run is held once).
    fn sort(&mut self) {
        self.rows.sort_unstable_by_key(|r| r.0);
    }
}

impl Aggregates {
    /// These aggregates, keeping each run's finals when `keep`.
    fn keeping_finals(mut self, keep: bool) -> Aggregates {
        self.finals = keep.then(RunFinals::default);
        self
    }
}
