//! What a kind's [`build`](super::KindModel::build) validates its own keys
//! with, defined here so that the model does not depend on the reader of
//! scenario files: the reader ([`crate::scenario`]) implements [`Check`],
//! and each kind sees it through [`KindCheck`], which adds the scenario's
//! villages, factors and horizon. Field names are relative to the
//! intervention (`"rent_per_m2"`, `"loan.rate"`).

use std::collections::{BTreeMap, HashMap};

use super::param::{Domain, Num, Param};
use super::{Factor, Village};

/// Located checks of one intervention's keys, as a reader of scenario files
/// provides them: every problem is recorded against the field's place in
/// the file, and reading goes on so that all problems are reported.
pub trait Check {
    /// Reads the kind's own keys, recording a located error on failure.
    fn spec<T: serde::de::DeserializeOwned>(&mut self) -> Option<T>
    where
        Self: Sized;
    /// Records a problem with `field`.
    fn fail(&mut self, field: &str, message: String, help: Option<String>);
    /// Checks an uncertain parameter against its domain (see
    /// [`Domain::check`]) and returns it as the model uses it.
    fn param(&mut self, field: &str, param: &Param, domain: Domain) -> Param;
    /// The parameter as this read uses it, before its domain is checked:
    /// itself, or its centre when the reader was asked for central values.
    fn as_read(&self, param: &Param) -> Param;
    /// Checks a whole number is in `lo..=hi`.
    fn int_in(&mut self, field: &str, value: i64, lo: i64, hi: i64) -> bool;
    /// Resolves factor loadings by factor name.
    fn loadings(&mut self, field: &str, raw: &BTreeMap<String, Num>) -> Vec<(usize, f64)>;
    /// Resolves one factor by name.
    fn factor(&mut self, field: &str, name: &str) -> Option<usize>;
    /// Whether the scenario has a village with id `id`.
    fn has_village(&self, id: &str) -> bool;
    /// Notes that `field` is given by year, as checked (for `validate`'s
    /// account of what each year gets: [`super::Intervention::by_year`]).
    fn by_year(&mut self, field: &str, param: &Param);
}

/// What an intervention is built within: the scenario's villages, the
/// intervention's villages among them, the factors and the horizon.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'c> {
    /// Every village of the scenario.
    pub villages: &'c [Village],
    /// Indices (into `villages`) of the intervention's villages.
    pub participants: &'c [usize],
    pub factors: &'c [Factor],
    pub start_year: i32,
    pub years: usize,
    /// The intervention's own start year and end year (if any).
    pub measure_years: (i32, Option<i32>),
}

/// What a kind's `build` uses to validate its own keys: located errors,
/// domain checks for uncertain parameters, and the scenario's villages and
/// factors.
pub struct KindCheck<'c> {
    check: &'c mut dyn Check,
    /// The records of the kind being built.
    pub records: &'static [super::params::ParamSpec],
    /// Every village of the scenario.
    pub villages: &'c [Village],
    /// Indices (into `villages`) of the intervention's villages.
    pub participants: &'c [usize],
    pub factors: &'c [Factor],
    pub start_year: i32,
    pub years: usize,
    /// The intervention's own start year and end year (if any).
    pub measure_years: (i32, Option<i32>),
}

impl<'c> KindCheck<'c> {
    pub fn new(
        scope: Scope<'c>,
        records: &'static [super::params::ParamSpec],
        check: &'c mut dyn Check,
    ) -> KindCheck<'c> {
        KindCheck {
            check,
            records,
            villages: scope.villages,
            participants: scope.participants,
            factors: scope.factors,
            start_year: scope.start_year,
            years: scope.years,
            measure_years: scope.measure_years,
        }
    }

    /// The slot (index into `participants`) of each participating village, by id.
    pub fn slots(&self) -> HashMap<&'c str, usize> {
        let villages = self.villages;
        self.participants
            .iter()
            .enumerate()
            .map(|(slot, &v)| (villages[v].id.as_str(), slot))
            .collect()
    }

    /// Whether the scenario has a village with id `id`.
    pub fn has_village(&self, id: &str) -> bool {
        self.check.has_village(id)
    }

    /// Notes that `field` is given by year (see [`Check::by_year`]).
    pub fn by_year(&mut self, field: &str, param: &Param) {
        self.check.by_year(field, param);
    }

    /// Records a problem with `field`.
    pub fn fail(&mut self, field: &str, message: impl Into<String>, help: Option<String>) {
        self.check.fail(field, message.into(), help);
    }

    /// Checks an uncertain parameter against its domain (see [`Domain::check`]).
    pub fn param(&mut self, field: &str, param: &Param, domain: Domain) -> Param {
        self.check.param(field, param, domain)
    }

    /// Like [`KindCheck::param`], with a default value when the key is absent.
    pub fn param_or(&mut self, field: &str, param: &Option<Param>, default: f64, domain: Domain) -> Param {
        match param {
            Some(p) => self.param(field, p, domain),
            None => Param::fixed(default),
        }
    }

    /// The parameter as this read uses it (see [`Check::as_read`]).
    pub fn as_read(&self, param: &Param) -> Param {
        self.check.as_read(param)
    }

    /// Checks a whole number is in `lo..=hi`.
    pub fn int_in(&mut self, field: &str, value: i64, lo: i64, hi: i64) -> bool {
        self.check.int_in(field, value, lo, hi)
    }

    /// Resolves factor loadings by factor name.
    pub fn loadings(&mut self, field: &str, raw: &BTreeMap<String, Num>) -> Vec<(usize, f64)> {
        self.check.loadings(field, raw)
    }

    /// Resolves one factor by name.
    pub fn factor(&mut self, field: &str, name: &str) -> Option<usize> {
        self.check.factor(field, name)
    }

    /// Checks that shares are each in [0, 1] and sum to 1 (within 1e-6).
    pub fn shares(&mut self, field: &str, shares: &[f64]) -> bool {
        let sum: f64 = shares.iter().sum();
        let ok = shares.iter().all(|s| (0.0..=1.0).contains(s)) && (sum - 1.0).abs() <= 1e-6;
        if !ok {
            self.fail(
                field,
                format!("shares must each be between 0 and 1 and sum to 1; these sum to {sum}"),
                None,
            );
        }
        ok
    }
}
