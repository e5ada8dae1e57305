//! The context a run gives to each intervention: its random streams, the
//! common factors, and uncertain parameters drawn at their `per` level.

use std::cell::RefCell;

use rand::Rng;

use crate::model::finance::tax::TaxRules;
use crate::model::param::{Param, Per, Schedule};
use crate::rng;

/// What one run knows while simulating an intervention.
pub struct SimCtx<'a> {
    pub seed: u64,
    pub run: u64,
    pub start_year: i32,
    pub years: usize,
    /// `factors[f][t]`: standard normal factor values of this run.
    pub factors: &'a [Vec<f64>],
    /// Keys of every village id, indexed like [`super::Model::villages`].
    pub village_keys: &'a [u64],
    /// The taxes of the scenario's `[accounting]` table.
    pub tax: &'a TaxRules,
    /// Every village's organic operating income of this run (its income
    /// without any intervention): `[village * (years + 1) + t + 1]` for
    /// simulated year `t`, the baseline at `t + 1 = 0`; empty while the
    /// organic paths themselves are drawn.
    pub organic: &'a [f64],
    /// Where the run's uncertain draws are noted, when each run's inputs
    /// are written out (`--samples`); `None` otherwise, at no cost.
    pub log: Option<&'a DrawLog>,
}

/// The uncertain inputs drawn in one run, each summarised by the mean of
/// the values drawn within the horizon (one value for an input drawn once
/// per run; the mean over villages and years for one drawn per village or
/// per year), keyed by `(entity, purpose)`: the entity of its streams (an
/// intervention, a `[[villages]]` entry) and the parameter's name.
///
/// Noting never draws a number from a stream the run uses, so a run with
/// a log gives exactly the results of one without.
#[derive(Debug, Default)]
pub struct DrawLog {
    noted: RefCell<Vec<Noted>>,
}

/// One input's summary in the current run.
#[derive(Debug, Clone, PartialEq)]
pub struct Noted {
    pub entity: u64,
    pub purpose: String,
    /// The sum and the number of the values drawn in this run.
    pub sum: f64,
    pub count: usize,
}

impl Noted {
    /// The mean of the values drawn in this run; `None` when none was.
    pub fn value(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }
}

impl DrawLog {
    /// Forgets the values of the last run (the inputs' names are kept).
    pub fn clear(&self) {
        self.noted.borrow_mut().iter_mut().for_each(|n| {
            n.sum = 0.0;
            n.count = 0;
        });
    }

    /// Notes values drawn for `(entity, purpose)` in this run; the input's
    /// value is the mean of all noted in the run (the villages of an entry
    /// each note their own).
    pub fn note(&self, entity: u64, purpose: &str, values: &[f64]) {
        let mut noted = self.noted.borrow_mut();
        let i = match noted.iter().position(|n| n.entity == entity && n.purpose == purpose) {
            Some(i) => i,
            None => {
                noted.push(Noted {
                    entity,
                    purpose: purpose.to_string(),
                    sum: 0.0,
                    count: 0,
                });
                noted.len() - 1
            }
        };
        noted[i].sum += values.iter().sum::<f64>();
        noted[i].count += values.len();
    }

    /// The inputs noted so far, in the order first noted.
    pub fn noted(&self) -> Vec<Noted> {
        self.noted.borrow().clone()
    }

    /// The value of `(entity, purpose)` in this run, if noted.
    pub fn value(&self, entity: u64, purpose: &str) -> Option<f64> {
        let noted = self.noted.borrow();
        noted
            .iter()
            .find(|n| n.entity == entity && n.purpose == purpose)
            .and_then(Noted::value)
    }
}

/// Values of one parameter drawn for a run: look up with [`Drawn::at`].
#[derive(Debug, Clone)]
pub struct Drawn {
    values: Vec<f64>,
    slot_stride: usize,
    year_stride: usize,
}

impl Drawn {
    /// The value for village slot `slot` in simulated year `t`.
    #[inline]
    pub fn at(&self, slot: usize, t: usize) -> f64 {
        self.values[slot * self.slot_stride + t * self.year_stride]
    }
}

/// The growth level of something that grows from calendar year
/// `start_year` (rent, income, demand):
///
/// ```text
/// level[y] = prod_{k = start_year + 1 .. y} (1 + g[k])     (1 in the start year)
/// ```
///
/// counted from the start year even when it lies before the horizon: an
/// income of 1,000 started in 2022 and growing 10% a year is 1,331 in 2025.
/// Years before the horizon are not drawn, so each grows at the draw of the
/// horizon's first year (the same value for a growth drawn per run or per
/// village, the default).
pub struct GrowthLevel<'d> {
    growth: &'d Drawn,
    slot: usize,
    start_year: i32,
    level: f64,
}

impl<'d> GrowthLevel<'d> {
    /// The level just before the horizon's first year, for village slot
    /// `slot` of `growth`.
    pub fn new(ctx: &SimCtx, start_year: i32, growth: &'d Drawn, slot: usize) -> Self {
        let mut level = 1.0;
        for _ in (start_year + 1)..ctx.start_year {
            level *= 1.0 + growth.at(slot, 0);
        }
        GrowthLevel {
            growth,
            slot,
            start_year,
            level,
        }
    }

    /// The level in calendar `year`, simulated year `t`: call once for each
    /// simulated year, in order.
    pub fn next(&mut self, year: i32, t: usize) -> f64 {
        if year > self.start_year {
            self.level *= 1.0 + self.growth.at(self.slot, t);
        }
        self.level
    }
}

impl SimCtx<'_> {
    /// The simulated year (index from 0) of calendar year `year`, if it
    /// lies inside the horizon.
    pub fn year_index(&self, year: i32) -> Option<usize> {
        let t = i64::from(year) - i64::from(self.start_year);
        (0..self.years as i64).contains(&t).then_some(t as usize)
    }

    /// The organic operating income of village `village` (an index into
    /// [`super::Model::villages`]) in simulated year `t`: what the village
    /// earns without any intervention, from which it can cover a loan's
    /// shortfall (0 while the organic paths are drawn).
    pub fn other_income_yuan(&self, village: usize, t: usize) -> f64 {
        self.organic
            .get(village * (self.years + 1) + t + 1)
            .copied()
            .unwrap_or(0.0)
    }

    /// Notes the values drawn for `(entity, purpose)` when the run keeps a
    /// [`DrawLog`]; for kinds that draw an input themselves rather than by
    /// [`SimCtx::draw`].
    pub fn note(&self, entity: u64, purpose: &str, values: &[f64]) {
        if let Some(log) = self.log {
            log.note(entity, purpose, values);
        }
    }

    /// The stream for `(entity, purpose)` in this run.
    pub fn stream(&self, entity: u64, purpose: &str) -> rng::Stream {
        rng::stream(self.seed, self.run, entity, rng::key_of(purpose))
    }

    /// Draws `param` for the villages `villages` (indices into the model's
    /// villages) at its `per` level, `default` when the file gives none.
    ///
    /// Run- and year-level draws come from the stream of `(entity, purpose)`;
    /// village- and village-year-level draws from that of
    /// `(entity x village id, purpose)`, so a village's values do not depend
    /// on which other villages take part.
    pub fn draw(&self, param: &Param, default: Per, entity: u64, purpose: &str, villages: &[usize]) -> Drawn {
        self.draw_years(param, default, entity, purpose, villages, self.years)
    }

    /// [`SimCtx::draw`] for simulated years `0..years`, which may run past
    /// the horizon (a loan's term projected: see `pv_loan`). Each stream is
    /// drawn in order, so the horizon's values are the same whatever
    /// `years` is.
    pub fn draw_years(
        &self,
        param: &Param,
        default: Per,
        entity: u64,
        purpose: &str,
        villages: &[usize],
        years: usize,
    ) -> Drawn {
        if let Some(s) = &param.schedule {
            return self.draw_schedule(param, s, default, (entity, purpose), villages, years);
        }
        if let Some(x) = param.as_fixed() {
            return Drawn {
                values: vec![x],
                slot_stride: 0,
                year_stride: 0,
            };
        }
        let drawn = match param.per.unwrap_or(default) {
            Per::Run => {
                let mut rng = self.stream(entity, purpose);
                Drawn {
                    values: vec![param.sample(&mut rng)],
                    slot_stride: 0,
                    year_stride: 0,
                }
            }
            Per::Year => {
                let mut rng = self.stream(entity, purpose);
                Drawn {
                    values: sample_n(param, &mut rng, years),
                    slot_stride: 0,
                    year_stride: 1,
                }
            }
            Per::Village => {
                let values = villages
                    .iter()
                    .map(|&v| param.sample(&mut self.stream(rng::combine(entity, self.village_keys[v]), purpose)))
                    .collect();
                Drawn {
                    values,
                    slot_stride: 1,
                    year_stride: 0,
                }
            }
            Per::VillageYear => {
                let mut values = Vec::with_capacity(villages.len() * years);
                for &v in villages {
                    let mut rng = self.stream(rng::combine(entity, self.village_keys[v]), purpose);
                    let at = values.len();
                    values.resize(at + years, 0.0);
                    param.fill(&mut rng, &mut values[at..]);
                }
                Drawn {
                    values,
                    slot_stride: years,
                    year_stride: 1,
                }
            }
        };
        if let Some(log) = self.log {
            // The values inside the horizon, for a span drawn past it.
            let horizon = years.min(self.years);
            let values: Vec<f64> = match (drawn.slot_stride, drawn.year_stride) {
                (_, 0) => drawn.values.clone(),
                (0, _) => drawn.values[..horizon].to_vec(),
                (stride, _) => (drawn.values.chunks(stride))
                    .flat_map(|row| &row[..horizon])
                    .copied()
                    .collect(),
            };
            log.note(entity, purpose, &values);
        }
        drawn
    }
}

impl SimCtx<'_> {
    /// [`SimCtx::draw_years`] of a parameter given by year: each given
    /// year's value drawn at the parameter's level from the stream of
    /// `"<purpose>.<year>"`, then each simulated year's value from them
    /// ([`Schedule`]: held or interpolated).
    fn draw_schedule(
        &self,
        param: &Param,
        schedule: &Schedule,
        default: Per,
        (entity, purpose): (u64, &str),
        villages: &[usize],
        years: usize,
    ) -> Drawn {
        let parts: Vec<Drawn> = (schedule.years.iter().enumerate())
            .map(|(k, (_, p))| {
                let p = Param {
                    per: param.per,
                    ..p.clone()
                };
                self.draw_years(&p, default, entity, &schedule.purpose(purpose, k), villages, years)
            })
            .collect();
        let slots = if parts.iter().any(|d| d.slot_stride > 0) {
            villages.len()
        } else {
            1
        };
        let mut values = Vec::with_capacity(slots * years);
        for slot in 0..slots {
            for t in 0..years {
                let year = self.start_year + t as i32;
                values.push(schedule.value(year, |k| parts[k].at(slot, t)));
            }
        }
        Drawn {
            values,
            slot_stride: if slots > 1 { years } else { 0 },
            year_stride: 1,
        }
    }
}

fn sample_n(param: &Param, rng: &mut impl Rng, n: usize) -> Vec<f64> {
    let mut values = vec![0.0; n];
    param.fill(rng, &mut values);
    values
}
