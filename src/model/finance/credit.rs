//! Loans that can fail: a borrower's cover for a shortfall in debt
//! service, default when the cover runs out, and the guarantee behind the
//! loan. The terms are a borrowing kind's `credit` table (records in
//! `src/model/finance/credit.toml`).
//!
//! # Equations (one borrower, loan year `k`)
//!
//! `D = I_k + Pr_k` is the year's debt service ([`super::LoanYear`]), `B_k`
//! the balance at the start of the year, `C` the project's cash for debt
//! service (after its costs, taxes and the guarantee fee), `O` the other
//! operating income of the borrower's villages in the year (their income
//! without the intervention), `R_k` the reserve left:
//!
//! ```text
//! fee_k     = guarantee_fee_per_year * B_k                when guarantee_share > 0
//! S         = max(0, D - C)                               shortfall
//! cover     = cover_share_of_other_income * O + R_k
//! S <= cover: paid in full;  R_{k+1} = R_k - max(0, S - cover_share_of_other_income * O)
//! S counts the arrears A_k carried from earlier years: S = max(0, D + A_k - C)
//! S >  cover, fewer than arrears_years_before_default years in arrears:
//!   paid = max(0, C) + cover (interest first); A_{k+1} = D + A_k - paid
//! S >  cover otherwise: default in year k:
//!   owed      = B_k + I_k + A_k
//!   paid      = min(owed, max(0, C) + cover)              interest first, then principal
//!   recovery  = min(owed - paid, recovery_share * book value of the asset)
//!   loss      = owed - paid - recovery
//!   calls     = guarantee_share * loss                    public money spent
//!   bank loss = loss - calls
//! ```
//!
//! After a default the lenders own the asset: the borrower writes off its
//! remaining book value, earns nothing more from it and pays no more debt
//! service. With `arrears_years_before_default = 0` (the default) a year's
//! debt service that cannot be covered is a default (the bank calls the
//! loan); with `n > 0` the unpaid part is carried as arrears, paid first
//! when the cover allows, for at most `n` consecutive years (no penalty
//! interest on arrears: an estimate that understates their cost). The guarantor's claim on the borrower after it
//! has paid (追偿) is not modelled either.
//!
//! # Examples
//!
//! ```
//! use villagesim::model::finance::credit::{Borrower, Credit};
//! use villagesim::model::finance::LoanYear;
//! let credit = Credit::new(50_000.0, 0.0, 0.8, 0.01, 0.0).unwrap();
//! let mut b = Borrower::new(&credit);
//! let due = LoanYear { interest_yuan: 40_000.0, principal_yuan: 100_000.0, balance_after_yuan: 900_000.0 };
//! // 100,000 of cash: a shortfall of 40,000, covered by the reserve.
//! let s = b.year(&due, 1_000_000.0, 100_000.0, 0.0, 0.0);
//! assert!(s.default.is_none());
//! assert_eq!(b.reserve_left_yuan(), 10_000.0);
//! // The next year the shortfall of 40,000 is more than the 10,000 left.
//! let s = b.year(&due, 900_000.0, 100_000.0, 0.0, 0.0);
//! let d = s.default.unwrap();
//! assert_eq!(s.paid_yuan(), 110_000.0);
//! assert_eq!(d.loss_yuan, 900_000.0 + 40_000.0 - 110_000.0);
//! assert_eq!(d.calls_yuan, 0.8 * d.loss_yuan);
//! ```

use serde::Deserialize;

use super::LoanYear;
use crate::model::param::{Num, Param};
use crate::model::params::ParamSpec;
use crate::model::KindCheck;

/// The records of the `credit` keys: default, unit and source.
pub const RECORDS: &str = include_str!("credit.toml");

/// The description and records of the `credit` keys, for the docs.
pub fn doc() -> &'static crate::model::doc::KindDoc {
    crate::model::doc::records("credit", RECORDS)
}

/// The record of `credit` key `name`.
pub fn record(name: &str) -> &'static ParamSpec {
    crate::model::params::get(doc().params, name)
}

/// A borrowing kind's `credit` table in a scenario file; every key is
/// optional (defaults in `credit.toml`).
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditSpec {
    /// Cash the borrower holds to cover a shortfall, yuan.
    pub reserve_yuan: Option<Num>,
    /// Share of the villages' other operating income that can cover a shortfall in a year.
    pub cover_share_of_other_income: Option<Num>,
    /// Share of a default's loss paid by a public guarantor.
    pub guarantee_share: Option<Num>,
    /// Guarantee fee on the balance, per year.
    pub guarantee_fee_per_year: Option<Num>,
    /// What the lenders recover from the asset, share of its book value.
    pub recovery_share: Option<Num>,
    /// Years of unpaid debt service carried as arrears before the loan defaults.
    pub arrears_years_before_default: Option<i64>,
}

/// Reads and checks the `credit` table `field` of a kind (absent: every
/// default); errors name `field.key`.
pub fn read(check: &mut KindCheck, field: &str, spec: Option<&CreditSpec>) -> Credit {
    let empty = CreditSpec::default();
    let spec = spec.unwrap_or(&empty);
    let mut num = |name: &str, value: Option<Num>| {
        let rec = record(name);
        let default = rec.number();
        let p = Param::fixed(value.map_or(default, |n| n.0));
        check
            .param(&format!("{field}.{name}"), &p, rec.domain())
            .as_fixed()
            .filter(|x| x.is_finite())
            .unwrap_or(default)
    };
    let reserve = num("reserve_yuan", spec.reserve_yuan);
    let cover = num("cover_share_of_other_income", spec.cover_share_of_other_income);
    let guarantee = num("guarantee_share", spec.guarantee_share);
    let fee = num("guarantee_fee_per_year", spec.guarantee_fee_per_year);
    let recovery = num("recovery_share", spec.recovery_share);
    let arrears = record("arrears_years_before_default");
    let given = spec.arrears_years_before_default.unwrap_or(arrears.number() as i64);
    let (lo, hi) = arrears.range();
    check.int_in(&format!("{field}.arrears_years_before_default"), given, lo, hi);
    let years = given.clamp(lo, hi) as u32;
    Credit::new(reserve, cover, guarantee, fee, recovery)
        .unwrap_or(Credit {
            reserve_yuan: 0.0,
            cover_share_of_other_income: 0.0,
            guarantee_share: 0.0,
            guarantee_fee_per_year: 0.0,
            recovery_share: 0.0,
            arrears_years: 0,
        })
        .with_arrears_years(years)
}

/// Why a set of credit terms was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CreditError {
    #[error("reserve_yuan must be a finite amount of 0 or more, got {0}")]
    Reserve(f64),
    #[error("{0} must be a share between 0 and 1, got {1}")]
    Share(&'static str, f64),
}

/// The terms behind one loan. Build it with [`Credit::new`] to validate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Credit {
    /// Cash the borrower holds to cover a shortfall, yuan (used up, not
    /// refilled).
    pub reserve_yuan: f64,
    /// Share of the villages' other operating income that can cover a
    /// shortfall in a year.
    pub cover_share_of_other_income: f64,
    /// Share of a default's loss a public guarantor pays.
    pub guarantee_share: f64,
    /// Fee on the balance at the start of each year, paid while guaranteed.
    pub guarantee_fee_per_year: f64,
    /// What the lenders recover by selling the asset, share of its book value.
    pub recovery_share: f64,
    /// Consecutive years a shortfall may be carried as arrears before the
    /// loan defaults (0: it defaults in the first year it is not covered).
    pub arrears_years: u32,
}

impl Credit {
    /// Validated credit terms.
    ///
    /// # Errors
    ///
    /// [`CreditError`] when the reserve is negative or not finite, or a
    /// share lies outside 0 to 1.
    pub fn new(
        reserve_yuan: f64,
        cover_share_of_other_income: f64,
        guarantee_share: f64,
        guarantee_fee_per_year: f64,
        recovery_share: f64,
    ) -> Result<Credit, CreditError> {
        if !(reserve_yuan.is_finite() && reserve_yuan >= 0.0) {
            return Err(CreditError::Reserve(reserve_yuan));
        }
        for (name, share) in [
            ("cover_share_of_other_income", cover_share_of_other_income),
            ("guarantee_share", guarantee_share),
            ("guarantee_fee_per_year", guarantee_fee_per_year),
            ("recovery_share", recovery_share),
        ] {
            if !(0.0..=1.0).contains(&share) {
                return Err(CreditError::Share(name, share));
            }
        }
        Ok(Credit {
            reserve_yuan,
            cover_share_of_other_income,
            guarantee_share,
            guarantee_fee_per_year,
            recovery_share,
            arrears_years: 0,
        })
    }

    /// The same terms, with `years` years of arrears allowed before default.
    pub fn with_arrears_years(self, years: u32) -> Credit {
        Credit {
            arrears_years: years,
            ..self
        }
    }

    /// The guarantee fee of a year that starts with `balance_yuan` owed.
    pub fn fee_yuan(&self, balance_yuan: f64) -> f64 {
        if self.guarantee_share > 0.0 {
            self.guarantee_fee_per_year * balance_yuan.max(0.0)
        } else {
            0.0
        }
    }
}

/// A default: what was owed, recovered and lost, and who bears the loss.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Default {
    /// Balance at the start of the year plus the year's interest.
    pub owed_yuan: f64,
    /// Proceeds of the asset's sale to the lenders.
    pub recovery_yuan: f64,
    /// `owed - paid - recovery`.
    pub loss_yuan: f64,
    /// The guarantor's share of the loss (public money).
    pub calls_yuan: f64,
    /// The bank's share of the loss.
    pub bank_loss_yuan: f64,
}

/// A year's debt service as it was paid.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Service {
    /// Interest paid to the bank.
    pub interest_yuan: f64,
    /// Principal paid to the bank.
    pub principal_yuan: f64,
    /// `Some` in the year the loan defaults.
    pub default: Option<Default>,
}

impl Service {
    /// Everything paid to the bank in the year.
    pub fn paid_yuan(&self) -> f64 {
        self.interest_yuan + self.principal_yuan
    }
}

/// One borrower's state: the reserve left and whether it has defaulted.
#[derive(Debug, Clone)]
pub struct Borrower {
    credit: Credit,
    reserve_left_yuan: f64,
    defaulted: bool,
    /// Debt service due and not paid, carried to the next year.
    arrears_yuan: f64,
    /// Consecutive years with arrears.
    years_in_arrears: u32,
}

impl Borrower {
    pub fn new(credit: &Credit) -> Borrower {
        Borrower {
            credit: *credit,
            reserve_left_yuan: credit.reserve_yuan,
            defaulted: false,
            arrears_yuan: 0.0,
            years_in_arrears: 0,
        }
    }

    /// Whether the loan has defaulted (the asset is the lenders').
    pub fn defaulted(&self) -> bool {
        self.defaulted
    }

    pub fn reserve_left_yuan(&self) -> f64 {
        self.reserve_left_yuan
    }

    /// Debt service due and not yet paid (owed on top of the schedule's
    /// balance).
    pub fn arrears_yuan(&self) -> f64 {
        self.arrears_yuan
    }

    /// The year's debt service `due`, with `balance_yuan` owed at the start
    /// of the year, `cash_yuan` of the project's cash for debt service,
    /// `other_income_yuan` of the villages' other operating income and the
    /// asset's `book_value_yuan` (see the module doc). After a default,
    /// nothing more is paid.
    pub fn year(
        &mut self,
        due: &LoanYear,
        balance_yuan: f64,
        cash_yuan: f64,
        other_income_yuan: f64,
        book_value_yuan: f64,
    ) -> Service {
        if self.defaulted {
            return Service {
                interest_yuan: 0.0,
                principal_yuan: 0.0,
                default: None,
            };
        }
        let c = &self.credit;
        let from_other = c.cover_share_of_other_income * other_income_yuan.max(0.0);
        let due_now = due.payment_yuan() + self.arrears_yuan;
        let shortfall = (due_now - cash_yuan).max(0.0);
        if shortfall <= from_other + self.reserve_left_yuan {
            self.reserve_left_yuan -= (shortfall - from_other).max(0.0);
            let arrears = std::mem::take(&mut self.arrears_yuan);
            self.years_in_arrears = 0;
            return Service {
                interest_yuan: due.interest_yuan,
                principal_yuan: due.principal_yuan + arrears,
                default: None,
            };
        }
        if self.years_in_arrears < c.arrears_years {
            // Pays what it can (interest first); the rest is carried.
            let paid = cash_yuan.max(0.0) + from_other + self.reserve_left_yuan;
            self.reserve_left_yuan = 0.0;
            self.arrears_yuan = due_now - paid;
            self.years_in_arrears += 1;
            let interest = paid.min(due.interest_yuan);
            return Service {
                interest_yuan: interest,
                principal_yuan: paid - interest,
                default: None,
            };
        }
        self.defaulted = true;
        let owed = balance_yuan + due.interest_yuan + std::mem::take(&mut self.arrears_yuan);
        let paid = owed.min(cash_yuan.max(0.0) + from_other + self.reserve_left_yuan);
        self.reserve_left_yuan = 0.0;
        let interest = paid.min(due.interest_yuan);
        let recovery = (owed - paid).min(c.recovery_share * book_value_yuan.max(0.0));
        let loss = owed - paid - recovery;
        let calls = c.guarantee_share * loss;
        Service {
            interest_yuan: interest,
            principal_yuan: paid - interest,
            default: Some(Default {
                owed_yuan: owed,
                recovery_yuan: recovery,
                loss_yuan: loss,
                calls_yuan: calls,
                bank_loss_yuan: loss - calls,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(interest: f64, principal: f64) -> LoanYear {
        LoanYear {
            interest_yuan: interest,
            principal_yuan: principal,
            balance_after_yuan: 0.0,
        }
    }

    #[test]
    fn terms_are_validated() {
        assert!(Credit::new(-1.0, 0.3, 0.0, 0.01, 0.3).is_err());
        assert!(Credit::new(f64::NAN, 0.3, 0.0, 0.01, 0.3).is_err());
        let e = Credit::new(0.0, 0.3, 1.5, 0.01, 0.3).unwrap_err();
        assert!(e.to_string().contains("guarantee_share"), "{e}");
        assert!(Credit::new(0.0, 0.3, 0.8, 0.01, 0.3).is_ok());
    }

    /// A shortfall exactly equal to the cover is paid; one fen more defaults.
    #[test]
    fn defaults_exactly_when_the_shortfall_exceeds_the_cover() {
        let credit = Credit::new(30_000.0, 0.5, 0.8, 0.0, 0.5).unwrap();
        // Cover: 0.5 x 40,000 + 30,000 = 50,000; shortfall 150,000 - 100,000.
        let mut b = Borrower::new(&credit);
        let s = b.year(&due(50_000.0, 100_000.0), 1_000_000.0, 100_000.0, 40_000.0, 800_000.0);
        assert_eq!(s.default, None);
        assert_eq!(s.paid_yuan(), 150_000.0);
        assert_eq!(b.reserve_left_yuan(), 0.0);
        let mut b = Borrower::new(&credit);
        let s = b.year(&due(50_000.0, 100_000.0), 1_000_000.0, 99_999.99, 40_000.0, 800_000.0);
        let d = s.default.expect("defaults");
        // Paid: all the cash and all the cover; interest first.
        assert!((s.paid_yuan() - 149_999.99).abs() < 1e-6);
        assert_eq!(s.interest_yuan, 50_000.0);
        assert_eq!(d.owed_yuan, 1_050_000.0);
        // Recovery: half the book value, 400,000.
        assert_eq!(d.recovery_yuan, 400_000.0);
        assert!((d.loss_yuan - 500_000.01).abs() < 1e-6);
        assert!((d.calls_yuan - 0.8 * d.loss_yuan).abs() < 1e-9);
        assert!((d.calls_yuan + d.bank_loss_yuan - d.loss_yuan).abs() < 1e-9);
        assert!(b.defaulted());
        // Nothing more is paid after a default.
        let s = b.year(&due(50_000.0, 100_000.0), 900_000.0, 1e9, 0.0, 0.0);
        assert_eq!((s.paid_yuan(), s.default), (0.0, None));
    }

    #[test]
    fn a_project_that_pays_its_way_never_touches_the_reserve() {
        let credit = Credit::new(10.0, 0.0, 0.0, 0.0, 0.0).unwrap();
        let mut b = Borrower::new(&credit);
        for _ in 0..10 {
            assert_eq!(b.year(&due(5.0, 5.0), 100.0, 10.0, 0.0, 0.0).default, None);
        }
        assert_eq!(b.reserve_left_yuan(), 10.0);
    }

    #[test]
    fn the_fee_is_charged_only_under_a_guarantee() {
        let none = Credit::new(0.0, 0.0, 0.0, 0.01, 0.0).unwrap();
        assert_eq!(none.fee_yuan(1_000_000.0), 0.0);
        let some = Credit::new(0.0, 0.0, 0.8, 0.01, 0.0).unwrap();
        assert_eq!(some.fee_yuan(1_000_000.0), 10_000.0);
    }

    /// With one year of arrears allowed, a first uncovered year is carried
    /// (what could be paid is paid), a covered second year clears it; a
    /// second uncovered year in a row defaults, owing the arrears too.
    #[test]
    fn arrears_are_carried_for_the_years_allowed_then_the_loan_defaults() {
        let credit = Credit::new(0.0, 0.0, 0.5, 0.0, 0.0).unwrap().with_arrears_years(1);
        let mut b = Borrower::new(&credit);
        let s = b.year(&due(10.0, 90.0), 1_000.0, 60.0, 0.0, 0.0);
        assert_eq!((s.interest_yuan, s.principal_yuan, s.default), (10.0, 50.0, None));
        assert_eq!(b.arrears_yuan(), 40.0);
        // Cash of 140 covers this year's 100 and the 40 carried.
        let s = b.year(&due(10.0, 90.0), 910.0, 140.0, 0.0, 0.0);
        assert_eq!((s.interest_yuan, s.principal_yuan, s.default), (10.0, 130.0, None));
        assert_eq!(b.arrears_yuan(), 0.0);
        // Two uncovered years in a row: carried, then default.
        assert!(b.year(&due(10.0, 90.0), 820.0, 0.0, 0.0, 0.0).default.is_none());
        assert_eq!(b.arrears_yuan(), 100.0);
        let s = b.year(&due(10.0, 90.0), 730.0, 0.0, 0.0, 0.0);
        let d = s.default.expect("defaults");
        assert_eq!(d.owed_yuan, 730.0 + 10.0 + 100.0);
        assert_eq!(d.calls_yuan, 0.5 * d.loss_yuan);
        assert!(b.defaulted());
    }
}
