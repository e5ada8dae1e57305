//! The economics: villages, common factors, interventions and policies, as
//! validated from a scenario file.
//!
//! A village's *operating income* (经营性收入, what targets are measured on)
//! is its organic path (see [`village`]) plus the operating income each
//! active intervention adds. Each kind of intervention is one module with
//! its equations in its doc comment; adding a kind is adding one module and
//! one line in [`Kind`] and [`kinds`].

pub mod accounts;
pub mod capacity;
pub mod check;
pub mod cluster_purchase;
pub mod cooperative;
pub mod doc;
pub mod finance;
pub mod flows;
pub mod idle_asset;
pub mod income_stream;
pub mod mountain_sea_workshop;
pub mod param;
pub mod params;
pub mod phases;
pub mod project_service;
pub mod pv_loan;
pub mod service_business;
pub mod sim;
pub mod stress;
pub mod support_fund;
#[cfg(test)]
pub(crate) mod testing;
pub mod top_up;
pub mod units;
pub mod village;

pub use check::{Check, KindCheck, Scope};
use param::Param;

pub use flows::{Flows, Ledger};
pub use sim::{DrawLog, Drawn, SimCtx};

/// A validated scenario, ready to simulate.
#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    /// The name in Chinese, if the file gives one (`name_zh`).
    pub name_zh: Option<String>,
    pub description: Option<String>,
    pub description_zh: Option<String>,
    /// First simulated year. Baseline figures are those of `start_year - 1`.
    pub start_year: i32,
    /// Number of simulated years.
    pub years: usize,
    pub runs: u64,
    pub seed: u64,
    pub discount_rate: f64,
    /// The `[accounting]` rules: public discount rate, income tax.
    pub accounting: accounts::Accounting,
    pub floor_yuan: f64,
    pub weak_yuan: f64,
    /// Year by which every village should be at the floor, if set.
    pub target_year: Option<i32>,
    /// Public money the policies may spend over the horizon, yuan, if set.
    pub budget_yuan: Option<f64>,
    pub factors: Vec<Factor>,
    pub villages: Vec<Village>,
    pub interventions: Vec<Intervention>,
    /// "no intervention" first, then the scenario's policies.
    pub policies: Vec<Policy>,
    /// An observation to place in the simulated distributions.
    pub backtest: Option<Backtest>,
    /// Named stress tests (`[stress.NAME]`), for `villagesim stress`; a run
    /// does not apply them.
    pub stresses: Vec<stress::Stress>,
    /// What the file flags as estimates or assumptions, for reports.
    pub assumptions: Vec<Assumption>,
}

/// A figure of the scenario that rests on judgement: a value its file
/// comments call an estimate or an assumption, or an estimated default the
/// file relies on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Assumption {
    /// Where, as a dotted key with list entries named:
    /// `interventions[pv-loans].capex_per_kw_yuan`.
    pub key: String,
    /// Line of the comment in the scenario file (none for a default).
    pub line: Option<usize>,
    /// The note, as written.
    pub note: String,
    /// The note in Chinese: the Chinese sentences of a comment, or the
    /// tool's words for an estimated default left unset; `None` for a
    /// comment with no Chinese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note_zh: Option<String>,
}

/// The default observation error of `[backtest] mean_village_income`, as a
/// share of it. An estimate: a published mean of village operating income
/// is rounded to 0.1万 but may differ from the model's figure by its
/// definition (what the statistics count as operating income, villages
/// merged or split, the year's cut-off); 5% is the size of such
/// differences we judge plausible, not a measured figure.
pub const DEFAULT_MEAN_ERROR: f64 = 0.05;

/// What was observed in a simulated year (`[backtest]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Backtest {
    pub year: i32,
    pub mean_village_income_yuan: Option<f64>,
    pub full_coverage: Option<bool>,
    pub villages_below_floor: Option<usize>,
    /// The standard deviation of the observation error of the mean, as a
    /// share of the observed mean (`mean_village_income_error`, default
    /// [`DEFAULT_MEAN_ERROR`]).
    pub mean_error_share: f64,
    /// The policy carried out (`None`: the last).
    pub policy: Option<String>,
    pub source: Option<String>,
    pub source_zh: Option<String>,
}

impl Model {
    pub fn baseline_year(&self) -> i32 {
        self.start_year - 1
    }
    pub fn final_year(&self) -> i32 {
        self.start_year + self.years as i32 - 1
    }
    /// Years of the loans' terms past the horizon that an intervention
    /// projects (see [`KindModel::projects_debt`]): the most of them.
    pub fn years_beyond(&self) -> usize {
        self.interventions
            .iter()
            .filter(|iv| iv.kind.projects_debt())
            .filter_map(|iv| iv.kind.loan_end_year(iv))
            .map(|end| (end - self.final_year()).max(0) as usize)
            .max()
            .unwrap_or(0)
    }
    /// Years of the common factors' paths drawn in a run: the horizon and
    /// the projected loan years past it.
    pub fn factor_years(&self) -> usize {
        self.years + self.years_beyond()
    }
}

/// A town or village outside the scenario that receives income from an
/// intervention (a mountain-sea partner), by name.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalBeneficiary {
    pub name: String,
    /// The name in Chinese, if the file gives one (`external_zh`).
    pub name_zh: Option<String>,
}

/// A region-wide shock: one standard normal value per run and year,
/// `Z[0] = e[0]`, `Z[t] = rho Z[t-1] + sqrt(1 - rho^2) e[t]`: standard normal
/// in every year, with correlation `rho` between consecutive years.
#[derive(Debug, Clone)]
pub struct Factor {
    pub name: String,
    pub name_zh: Option<String>,
    /// AR(1) coefficient rho in [0, 1).
    pub persistence: f64,
    /// Values forced by a stress test (`[stress.NAME] factors`), by year
    /// index from the start year: the path takes the value in that year
    /// and carries on from it by the AR(1) (empty: none forced).
    pub forced: Vec<Option<f64>>,
}

/// One village and the parameters of its organic path.
#[derive(Debug, Clone)]
pub struct Village {
    pub id: String,
    pub name: String,
    pub township: Option<String>,
    pub group: Option<String>,
    /// Chinese names of the village, its township and its group, if given.
    pub name_zh: Option<String>,
    pub township_zh: Option<String>,
    pub group_zh: Option<String>,
    /// Key of the `[[villages]]` entry, for draws shared by its villages.
    pub entry_key: u64,
    /// How the entry is named: its `group`, else its `id`, else its `file`.
    pub entry_label: String,
    /// Key of the village id, for draws of its own.
    pub key: u64,
    /// Baseline operating income, yuan per year.
    pub operating_income: Param,
    /// Baseline other income (grants, transfers), yuan per year.
    pub other_income: Param,
    /// Growth of other income per year (default per run).
    pub other_income_growth: Param,
    /// Organic log growth per year of operating income.
    pub growth: Param,
    /// `(factor index, loading)`: log growth responds `loading * Z[t]`.
    pub loadings: Vec<(usize, f64)>,
}

/// An intervention: which villages, when, and its kind's mechanics.
#[derive(Debug, Clone)]
pub struct Intervention {
    pub id: String,
    pub name: String,
    pub name_zh: Option<String>,
    /// Key of the id: the entity of the intervention's random streams.
    pub key: u64,
    /// Beneficiaries outside the simulated villages.
    pub external: Vec<ExternalBeneficiary>,
    /// Indices into [`Model::villages`] of the participating villages.
    pub villages: Vec<usize>,
    pub start_year: i32,
    /// Last year with income (inclusive); `None`: to the end of the horizon.
    pub end_year: Option<i32>,
    pub kind: Kind,
    /// The year a stress test makes the intervention fail (`[stress.NAME]
    /// fail`): the operator of a support fund defaults then and at no
    /// other time. `None`: failures happen as drawn.
    pub forced_failure_year: Option<i32>,
    /// The kind's parameters the file gives by year, by key, as checked:
    /// what `validate` shows year by year (the kind reads its own copy).
    pub by_year: Vec<(String, Param)>,
    /// A staggered roll-out (`roll_out`): the year each participating
    /// village (by slot) joins, none earlier than `start_year`; empty when
    /// every village starts in `start_year`.
    pub joins: Vec<i32>,
}

impl Intervention {
    /// Whether the intervention is active in calendar year `year`.
    pub fn active(&self, year: i32) -> bool {
        year >= self.start_year && self.end_year.is_none_or(|end| year <= end)
    }

    /// The year village slot `slot` starts: its year of joining in a
    /// roll-out, else `start_year`.
    pub fn start_of(&self, slot: usize) -> i32 {
        self.joins.get(slot).copied().unwrap_or(self.start_year)
    }

    /// Whether the measure is active for village slot `slot` in `year`:
    /// from its start ([`Intervention::start_of`]) to `end_year`.
    pub fn active_for(&self, slot: usize, year: i32) -> bool {
        year >= self.start_of(slot) && self.end_year.is_none_or(|end| year <= end)
    }
}

/// What every kind of intervention provides. A kind is one module: its
/// [`KindModel::Spec`] is what a scenario file may say, [`KindModel::build`]
/// validates it, [`KindModel::simulate`] yields one run's cash flows.
pub trait KindModel: Sized + Clone + std::fmt::Debug {
    /// The kind's name in scenario files.
    const KIND: &'static str;
    /// The kind's description and parameter records, the text of
    /// `src/model/kinds/<KIND>.toml`.
    const RECORDS: &'static str;
    /// The kind's own keys in a scenario file (the common keys, `id`,
    /// `kind`, `villages`, `start_year`... are read for it).
    type Spec: serde::de::DeserializeOwned + schemars::JsonSchema;
    /// Validates a spec, reporting problems through `check`.
    fn build(spec: Self::Spec, check: &mut KindCheck) -> Self;
    /// Simulates one run into `flows` (already reset and sized).
    fn simulate(&self, iv: &Intervention, ctx: &SimCtx, flows: &mut Flows);
    /// Beneficiaries outside the simulated villages.
    fn external_beneficiaries(&self) -> Vec<ExternalBeneficiary> {
        Vec::new()
    }
    /// Whether reports must flag this intervention as an assumption.
    fn is_assumption(&self) -> bool {
        false
    }
    /// Whether the village's management can change this income, so that a
    /// `capacity` uplift on returns applies to it (not to a fund's
    /// contractual return, nor to a transfer).
    fn managed(&self) -> bool {
        true
    }
    /// Why this intervention's village equity behaves like debt, if it does:
    /// a guaranteed dividend or a fixed return with the capital repaid, so
    /// the villages bear no venture risk (while someone else does). Reports
    /// flag it. In `lang`.
    fn equity_like_debt(&self, lang: crate::format::Lang) -> Option<String> {
        let _ = lang;
        None
    }
    /// Whether the village's income from this intervention is taxable income
    /// of the village (see `model::accounts`): false where it arrives as a
    /// dividend of a company that has paid its own income tax (exempt
    /// between resident enterprises, 企业所得税法 art. 26) or as the
    /// exempt agricultural income of a cooperative.
    fn village_income_taxed(&self) -> bool {
        true
    }
    /// The last calendar year of debt service on the intervention's loans,
    /// by their schedules (`None` without a loan).
    fn loan_end_year(&self, iv: &Intervention) -> Option<i32> {
        let _ = iv;
        None
    }
    /// Whether `simulate` projects the loans' DSCR past the horizon to
    /// [`KindModel::loan_end_year`] (`Flows::projected_dscr`); the engine
    /// then draws the common factors to that year.
    fn projects_debt(&self) -> bool {
        false
    }
    /// What the kind builds or spends year by year beyond its parameters
    /// given by year, in words, for `validate` (e.g. a PV station's build
    /// phases); in `lang`.
    fn years_in_words(&self, iv: &Intervention, lang: crate::format::Lang) -> Vec<String> {
        let _ = (iv, lang);
        Vec::new()
    }
    /// Why this kind cannot take a staggered roll-out (`roll_out`), if it
    /// cannot; a kind that can reads each village's start from
    /// [`Intervention::start_of`] and [`Intervention::active_for`].
    fn no_roll_out(&self) -> Option<&'static str> {
        Some("this kind's model starts every village in start_year: write one intervention for each year of joining")
    }
    /// Equations and parameters, for `explain`, the schema and the docs,
    /// read from [`KindModel::RECORDS`].
    fn doc() -> &'static doc::KindDoc {
        doc::records(Self::KIND, Self::RECORDS)
    }
    /// The record of parameter `name`. A name without one is a mistake in
    /// the kind's code, which every test building the kind finds.
    fn param(name: &str) -> &'static params::ParamSpec {
        params::get(Self::doc().params, name)
    }
}

/// Declares the kinds: one line per kind module.
macro_rules! kinds {
    ($($variant:ident => $module:ident :: $model:ident),* $(,)?) => {
        /// The kinds of intervention, one module each.
        // One value per intervention: the size of the largest kind does not matter.
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug, Clone)]
        pub enum Kind {
            $($variant($module::$model),)*
        }

        /// The documentation of every kind, in the order of [`Kind`].
        pub fn docs() -> Vec<&'static doc::KindDoc> {
            vec![$(<$module::$model as KindModel>::doc(),)*]
        }

        /// The names of every kind, as written in scenario files.
        pub fn kinds() -> Vec<&'static str> {
            vec![$(<$module::$model as KindModel>::KIND,)*]
        }

        /// The JSON Schema of each kind's own keys, as a standalone schema.
        pub fn kind_root_schemas() -> Vec<(&'static str, serde_json::Value)> {
            vec![$((
                <$module::$model as KindModel>::KIND,
                serde_json::to_value(schemars::schema_for!(<$module::$model as KindModel>::Spec)).unwrap_or_default(),
            ),)*]
        }

        /// Builds an intervention of kind `name` from its own keys; `None`
        /// for an unknown kind, `Some(None)` when the keys are invalid.
        pub fn build_kind<C: Check>(name: &str, scope: Scope<'_>, check: &mut C) -> Option<Option<Kind>> {
            $(if name == <$module::$model as KindModel>::KIND {
                return Some(check.spec::<<$module::$model as KindModel>::Spec>()
                    .map(|spec| {
                        let records = <$module::$model as KindModel>::doc().params;
                        Kind::$variant(<$module::$model as KindModel>::build(spec, &mut KindCheck::new(scope, records, check)))
                    }));
            })*
            None
        }

        impl Kind {
            pub fn name(&self) -> &'static str {
                match self { $(Kind::$variant(_) => <$module::$model as KindModel>::KIND,)* }
            }
            pub fn doc(&self) -> &'static doc::KindDoc {
                match self { $(Kind::$variant(_) => <$module::$model as KindModel>::doc(),)* }
            }
            /// Simulates one run of the intervention into `flows`.
            pub fn simulate(&self, iv: &Intervention, ctx: &SimCtx, flows: &mut Flows) {
                match self { $(Kind::$variant(k) => k.simulate(iv, ctx, flows),)* }
            }
            pub fn external_beneficiaries(&self) -> Vec<ExternalBeneficiary> {
                match self { $(Kind::$variant(k) => k.external_beneficiaries(),)* }
            }
            pub fn is_assumption(&self) -> bool {
                match self { $(Kind::$variant(k) => k.is_assumption(),)* }
            }
            pub fn managed(&self) -> bool {
                match self { $(Kind::$variant(k) => k.managed(),)* }
            }
            pub fn village_income_taxed(&self) -> bool {
                match self { $(Kind::$variant(k) => k.village_income_taxed(),)* }
            }
            pub fn equity_like_debt(&self, lang: crate::format::Lang) -> Option<String> {
                match self { $(Kind::$variant(k) => k.equity_like_debt(lang),)* }
            }
            pub fn loan_end_year(&self, iv: &Intervention) -> Option<i32> {
                match self { $(Kind::$variant(k) => k.loan_end_year(iv),)* }
            }
            pub fn projects_debt(&self) -> bool {
                match self { $(Kind::$variant(k) => k.projects_debt(),)* }
            }
            pub fn years_in_words(&self, iv: &Intervention, lang: crate::format::Lang) -> Vec<String> {
                match self { $(Kind::$variant(k) => k.years_in_words(iv, lang),)* }
            }
            pub fn no_roll_out(&self) -> Option<&'static str> {
                match self { $(Kind::$variant(k) => k.no_roll_out(),)* }
            }
        }
    };
}

kinds! {
    IncomeStream => income_stream::IncomeStream,
    ClusterPurchase => cluster_purchase::ClusterPurchase,
    SupportFund => support_fund::SupportFund,
    MountainSeaWorkshop => mountain_sea_workshop::MountainSeaWorkshop,
    PvLoan => pv_loan::PvLoan,
    IdleAsset => idle_asset::IdleAsset,
    Cooperative => cooperative::Cooperative,
    ServiceBusiness => service_business::ServiceBusiness,
    ProjectService => project_service::ProjectService,
    Capacity => capacity::Capacity,
    TopUp => top_up::TopUp,
}

/// A named set of interventions.
#[derive(Debug, Clone)]
pub struct Policy {
    pub name: String,
    pub name_zh: Option<String>,
    pub description: Option<String>,
    pub description_zh: Option<String>,
    /// Indices into [`Model::interventions`].
    pub interventions: Vec<usize>,
}

impl Model {
    /// This model with only the policies `keep` (indices into
    /// [`Model::policies`], in their order), for a shard of a group of
    /// policies. Every draw is keyed by its entity, not by its policy, so
    /// each kept policy's runs are those of the whole model.
    pub fn with_policies(&self, keep: &[usize]) -> Model {
        Model {
            policies: keep.iter().map(|&p| self.policies[p].clone()).collect(),
            ..self.clone()
        }
    }
}

/// Name of the counterfactual policy every scenario has.
pub const NO_INTERVENTION: &str = "no intervention";
/// Its name in Chinese.
pub const NO_INTERVENTION_ZH: &str = "无干预";
