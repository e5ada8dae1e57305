//! Loan schedules and investment appraisal (NPV, IRR, DSCR).
//!
//! All amounts are in yuan; all rates are per year, as decimals (4.9% = `0.049`);
//! year `k = 0` is the first year after drawdown. Every intervention that borrows
//! (photovoltaic loans, cluster property purchases, ...) uses [`LoanTerms`] so that
//! there is exactly one repayment implementation.
//!
//! # Loan schedule
//!
//! Notation: `P` principal, `r` yearly rate, `T` term in years, `G` grace years
//! (counted inside the term), `n = T − G` amortising years, `B_k` balance owed at
//! the start of year `k` (`B_0 = P`). Payments are made once a year, in arrears.
//!
//! * Interest every year: `I_k = r · B_k`.
//! * Grace years (`k < G`): interest only, `Pr_k = 0`.
//! * Amortising years (`G ≤ k < T`), by repayment kind:
//!   * **Annuity** (等额本息): constant payment
//!     `A = P · r / (1 − (1 + r)^−n)` (`A = P / n` when `r = 0`);
//!     principal `Pr_k = A − I_k`.
//!   * **Equal principal** (等额本金): `Pr_k = P / n`; payment `Pr_k + I_k`
//!     falls year by year.
//!   * **Bullet** (到期一次还本): `Pr_k = 0` except the final year, `Pr_{T−1} = P`.
//!     The grace period changes nothing for a bullet loan.
//! * Balance: `B_{k+1} = B_k − Pr_k`; after year `T − 1` the balance is zero and
//!   `Σ Pr_k = P`.
//!
//! Rounding to the fen (0.01 yuan): the schedule is computed in whole fen. `P`,
//! `A`, `P / n` and each `I_k` are rounded half away from zero to the fen, and
//! the final year's principal is whatever balance remains, so the rounding
//! residue (a few fen) lands in the last payment, the balance ends at exactly
//! `0.0` and the principal repaid sums to `P` to the fen.
//!
//! Validation ([`LoanTerms::new`]): `0 ≤ P ≤ 10^13` yuan and finite;
//! `0 ≤ r ≤ 1`; `1 ≤ T ≤ 100`; `G < T` for annuity and equal principal
//! (at least one amortising year). For bullet, `G ≤ T` is accepted: a bullet
//! loan is interest-only until maturity anyway, so "grace over the whole term"
//! describes the same loan.
//!
//! # Appraisal
//!
//! * Net present value of cash flows `CF_0 … CF_N` (`CF_0` at `t = 0`, not
//!   discounted) at discount rate `d`:
//!   `NPV(d) = Σ_t CF_t / (1 + d)^t`.
//! * Internal rate of return: the `d` with `NPV(d) = 0`. It is searched in
//!   `(−0.99, 10)` by scanning a grid for sign changes of `NPV`, then bisecting
//!   each bracket to `10^−10`. If several roots exist, the one nearest `0` is
//!   returned. `None` when the flows contain NaN/∞, never change sign, or have
//!   no root in the range. (A root where NPV only touches zero without changing
//!   sign is not found.)
//! * Debt service coverage ratio:
//!   `DSCR = cash available for debt service / debt service (interest + principal)`.
//!   Banks typically want `DSCR ≥ 1.2`; below 1 the project cannot pay its loan
//!   from its own cash flow.

pub mod credit;
pub mod tax;

use serde::{Deserialize, Serialize};

/// How the principal of a loan is paid back after the grace years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Repayment {
    /// Constant yearly payment of interest + principal (等额本息).
    Annuity,
    /// Constant yearly principal plus interest on the remaining balance (等额本金).
    EqualPrincipal,
    /// Interest only; all principal in the final year (到期一次还本).
    Bullet,
}

/// Largest principal accepted, in yuan (keeps whole-fen arithmetic exact in `i64`).
pub const MAX_PRINCIPAL_YUAN: f64 = 1e13;
/// Longest term accepted, in years.
pub const MAX_TERM_YEARS: u32 = 100;

/// Why a set of loan terms was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoanError {
    #[error("loan principal must be between 0 and {MAX_PRINCIPAL_YUAN} yuan, got {0}")]
    Principal(f64),
    #[error("loan rate must be between 0 and 1 per year, got {0}")]
    Rate(f64),
    #[error("loan term must be between 1 and {MAX_TERM_YEARS} years, got {0}")]
    Term(u32),
    #[error("grace period of {grace_years} years leaves no repayment years in a {term_years}-year {repayment:?} loan")]
    Grace {
        grace_years: u32,
        term_years: u32,
        repayment: Repayment,
    },
}

/// The terms of one loan. Build it with [`LoanTerms::new`] to validate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoanTerms {
    pub principal_yuan: f64,
    pub rate_per_year: f64,
    pub term_years: u32,
    pub grace_years: u32,
    pub repayment: Repayment,
}

/// One year of a loan schedule (payment at the end of the year).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LoanYear {
    pub interest_yuan: f64,
    pub principal_yuan: f64,
    /// Balance still owed after this year's payment.
    pub balance_after_yuan: f64,
}

impl LoanYear {
    /// Debt service of the year: interest + principal.
    pub fn payment_yuan(&self) -> f64 {
        self.interest_yuan + self.principal_yuan
    }
}

fn to_fen(yuan: f64) -> i64 {
    (yuan * 100.0).round() as i64
}

fn to_yuan(fen: i64) -> f64 {
    fen as f64 / 100.0
}

impl LoanTerms {
    /// Validated loan terms (see the module docs for the rules).
    pub fn new(
        principal_yuan: f64,
        rate_per_year: f64,
        term_years: u32,
        grace_years: u32,
        repayment: Repayment,
    ) -> Result<Self, LoanError> {
        if !(0.0..=MAX_PRINCIPAL_YUAN).contains(&principal_yuan) {
            return Err(LoanError::Principal(principal_yuan));
        }
        if !(0.0..=1.0).contains(&rate_per_year) {
            return Err(LoanError::Rate(rate_per_year));
        }
        if !(1..=MAX_TERM_YEARS).contains(&term_years) {
            return Err(LoanError::Term(term_years));
        }
        let grace_ok = match repayment {
            Repayment::Bullet => grace_years <= term_years,
            Repayment::Annuity | Repayment::EqualPrincipal => grace_years < term_years,
        };
        if !grace_ok {
            return Err(LoanError::Grace {
                grace_years,
                term_years,
                repayment,
            });
        }
        Ok(Self {
            principal_yuan,
            rate_per_year,
            term_years,
            grace_years,
            repayment,
        })
    }

    /// The whole schedule, one entry per year of the term, exact to the fen.
    ///
    /// Never panics; on terms that bypassed [`LoanTerms::new`] the result is
    /// meaningless (e.g. empty for a zero term).
    pub fn schedule(&self) -> Vec<LoanYear> {
        let term = self.term_years.min(MAX_TERM_YEARS);
        if term == 0 {
            return Vec::new();
        }
        let r = self.rate_per_year;
        let p = to_fen(self.principal_yuan.clamp(0.0, MAX_PRINCIPAL_YUAN));
        let grace = match self.repayment {
            Repayment::Bullet => term - 1,
            _ => self.grace_years.min(term - 1),
        };
        let n = term - grace; // amortising years, >= 1
        let level = match self.repayment {
            Repayment::Annuity if r > 0.0 => {
                // 1 − (1 + r)^−n, computed accurately for small r.
                let factor = -(-(n as f64) * r.ln_1p()).exp_m1();
                (p as f64 * r / factor).round() as i64
            }
            Repayment::Annuity | Repayment::EqualPrincipal => (p as f64 / n as f64).round() as i64,
            Repayment::Bullet => 0,
        };
        let mut balance = p;
        (0..term)
            .map(|k| {
                let interest = (balance as f64 * r).round() as i64;
                let principal = if k + 1 == term {
                    balance
                } else if k < grace {
                    0
                } else {
                    match self.repayment {
                        Repayment::Annuity => level - interest,
                        _ => level,
                    }
                    .clamp(0, balance)
                };
                balance -= principal;
                LoanYear {
                    interest_yuan: to_yuan(interest),
                    principal_yuan: to_yuan(principal),
                    balance_after_yuan: to_yuan(balance),
                }
            })
            .collect()
    }

    /// Payment in year `k` (0-based, counted from drawdown); all zero after the term.
    pub fn payment_in_year(&self, k: u32) -> LoanYear {
        self.schedule().get(k as usize).copied().unwrap_or_default()
    }
}

/// Net present value: `Σ_t cash_flows[t] / (1 + rate)^t`, `cash_flows[0]` undiscounted.
pub fn npv(rate: f64, cash_flows: &[f64]) -> f64 {
    let v = 1.0 / (1.0 + rate);
    // Horner's scheme from the last year back: ((CF_N·v + CF_{N−1})·v + …)·v + CF_0.
    cash_flows.iter().rev().fold(0.0, |acc, &cf| acc * v + cf)
}

/// Internal rate of return in `(−0.99, 10)`, the root nearest 0 if several;
/// `None` when undefined (see the module docs).
pub fn irr(cash_flows: &[f64]) -> Option<f64> {
    if cash_flows.iter().any(|cf| !cf.is_finite()) {
        return None;
    }
    let has_pos = cash_flows.iter().any(|&cf| cf > 0.0);
    let has_neg = cash_flows.iter().any(|&cf| cf < 0.0);
    if !(has_pos && has_neg) {
        return None;
    }
    // Grid: fine steps of 0.005 on (−0.99, 1], coarser steps of 0.05 up to 10.
    let fine = (1..=398).map(|i| -0.99 + 0.005 * i as f64);
    let coarse = (1..180).map(|i| 1.0 + 0.05 * i as f64);
    let grid: Vec<(f64, f64)> = fine
        .chain(coarse)
        .map(|d| (d, npv(d, cash_flows)))
        .filter(|(_, v)| v.is_finite())
        .collect();

    let mut best: Option<f64> = None;
    let mut consider = |root: f64| {
        if best.is_none_or(|b| root.abs() < b.abs()) {
            best = Some(root);
        }
    };
    for pair in grid.windows(2) {
        let ((mut lo, f_lo), (mut hi, f_hi)) = (pair[0], pair[1]);
        if f_lo == 0.0 {
            consider(lo);
            continue;
        }
        if f_lo.signum() == f_hi.signum() || f_hi == 0.0 {
            continue; // no crossing, or the root is the next grid point
        }
        for _ in 0..100 {
            let mid = 0.5 * (lo + hi);
            let f_mid = npv(mid, cash_flows);
            if f_mid == 0.0 {
                (lo, hi) = (mid, mid);
            } else if f_mid.signum() == f_lo.signum() {
                lo = mid;
            } else {
                hi = mid;
            }
            if hi - lo < 1e-12 {
                break;
            }
        }
        consider(0.5 * (lo + hi));
    }
    if let Some(&(d, f)) = grid.last() {
        if f == 0.0 {
            consider(d);
        }
    }
    best
}

/// Debt service coverage ratio = cash available for debt service / debt service.
/// `None` when debt service is below one yuan (a loan so small that its
/// ratio would be noise, and unbounded as the debt service goes to zero) or
/// an input is not finite.
pub fn dscr(cash_available_for_debt_service_yuan: f64, debt_service_yuan: f64) -> Option<f64> {
    let ok =
        cash_available_for_debt_service_yuan.is_finite() && debt_service_yuan.is_finite() && debt_service_yuan >= 1.0;
    ok.then(|| cash_available_for_debt_service_yuan / debt_service_yuan)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEN: f64 = 0.005; // half a fen: "equal to the fen"

    fn loan(p: f64, r: f64, term: u32, grace: u32, kind: Repayment) -> LoanTerms {
        LoanTerms::new(p, r, term, grace, kind).unwrap()
    }

    fn assert_fen(actual: f64, expected: f64) {
        assert!((actual - expected).abs() < FEN, "{actual} != {expected} to the fen");
    }

    /// Balance ends at exactly zero and principal sums to P to the fen.
    fn assert_clears(terms: &LoanTerms) {
        let s = terms.schedule();
        assert_eq!(s.len(), terms.term_years as usize);
        assert_eq!(s.last().unwrap().balance_after_yuan, 0.0);
        let repaid: f64 = s.iter().map(|y| y.principal_yuan).sum();
        assert_fen(repaid, terms.principal_yuan);
    }

    #[test]
    fn annuity_matches_textbook_payment() {
        let (p, r, n) = (1_000_000.0, 0.049, 10);
        let t = loan(p, r, n, 0, Repayment::Annuity);
        let textbook = p * r / (1.0 - (1.0_f64 + r).powi(-(n as i32)));
        assert!((textbook - 128_876.415_009_646_7).abs() < 1e-6); // python3
        let s = t.schedule();
        for y in &s[..9] {
            assert_fen(y.payment_yuan(), 128_876.42);
        }
        // Year 1 and final year, computed in python3 (whole-fen arithmetic).
        assert_fen(s[0].interest_yuan, 49_000.00);
        assert_fen(s[0].principal_yuan, 79_876.42);
        assert_fen(s[0].balance_after_yuan, 920_123.58);
        assert_fen(s[9].interest_yuan, 6_019.96);
        assert_fen(s[9].principal_yuan, 122_856.40);
        assert_fen(s[9].payment_yuan(), 128_876.36); // 6 fen rounding residue
        assert_clears(&t);
    }

    #[test]
    fn equal_principal_schedule_to_the_fen() {
        let t = loan(1_000_000.0, 0.049, 10, 0, Repayment::EqualPrincipal);
        for (k, y) in t.schedule().iter().enumerate() {
            assert_fen(y.principal_yuan, 100_000.0);
            assert_fen(y.interest_yuan, 49_000.0 - 4_900.0 * k as f64);
            assert_fen(y.balance_after_yuan, 900_000.0 - 100_000.0 * k as f64);
        }
        assert_clears(&t);
        // Uneven split: 1,000 yuan at 10% over 3 years -> residue in the last year.
        let t = loan(1_000.0, 0.1, 3, 0, Repayment::EqualPrincipal);
        let s = t.schedule();
        let principal: Vec<f64> = s.iter().map(|y| y.principal_yuan).collect();
        let interest: Vec<f64> = s.iter().map(|y| y.interest_yuan).collect();
        assert_eq!(principal, [333.33, 333.33, 333.34]);
        assert_eq!(interest, [100.0, 66.67, 33.33]);
        assert_clears(&t);
    }

    #[test]
    fn grace_years_pay_interest_only_then_amortise_full_principal() {
        let t = loan(1_000_000.0, 0.049, 10, 2, Repayment::Annuity);
        let s = t.schedule();
        for y in &s[..2] {
            assert_eq!(
                *y,
                LoanYear {
                    interest_yuan: 49_000.0,
                    principal_yuan: 0.0,
                    balance_after_yuan: 1_000_000.0
                }
            );
        }
        // The full principal amortises over the remaining 8 years.
        let a8 = 1_000_000.0 * 0.049 / (1.0 - 1.049_f64.powi(-8));
        assert_fen(a8, 154_096.97); // python3
        for y in &s[2..9] {
            assert_fen(y.payment_yuan(), 154_096.97);
        }
        assert_fen(s[2].principal_yuan, 105_096.97);
        assert_fen(s[9].principal_yuan, 146_898.91);
        assert_clears(&t);

        let t = loan(1_000_000.0, 0.049, 10, 2, Repayment::EqualPrincipal);
        assert_fen(t.schedule()[2].principal_yuan, 125_000.0);
        assert_clears(&t);
    }

    #[test]
    fn zero_rate_loans() {
        let t = loan(1_000_000.0, 0.0, 3, 0, Repayment::Annuity);
        let principal: Vec<f64> = t.schedule().iter().map(|y| y.principal_yuan).collect();
        assert_eq!(principal, [333_333.33, 333_333.33, 333_333.34]);
        assert!(t.schedule().iter().all(|y| y.interest_yuan == 0.0));
        assert_clears(&t);
        let t = loan(1_000_000.0, 0.0, 3, 0, Repayment::EqualPrincipal);
        assert_eq!(t.schedule()[0].principal_yuan, 333_333.33);
        assert_clears(&t);
    }

    #[test]
    fn bullet_pays_interest_then_all_principal() {
        let t = loan(500_000.0, 0.04, 5, 0, Repayment::Bullet);
        let s = t.schedule();
        for y in &s[..4] {
            assert_eq!(
                *y,
                LoanYear {
                    interest_yuan: 20_000.0,
                    principal_yuan: 0.0,
                    balance_after_yuan: 500_000.0
                }
            );
        }
        assert_eq!(
            s[4],
            LoanYear {
                interest_yuan: 20_000.0,
                principal_yuan: 500_000.0,
                balance_after_yuan: 0.0
            }
        );
        // Grace is irrelevant for a bullet, and may equal the term.
        assert_eq!(loan(500_000.0, 0.04, 5, 5, Repayment::Bullet).schedule(), s);
        assert_eq!(loan(500_000.0, 0.04, 5, 2, Repayment::Bullet).schedule(), s);
    }

    #[test]
    fn payment_in_year_is_zero_after_term() {
        let t = loan(1_000_000.0, 0.049, 10, 0, Repayment::EqualPrincipal);
        assert_eq!(t.payment_in_year(3), t.schedule()[3]);
        assert_eq!(t.payment_in_year(10), LoanYear::default());
        assert_eq!(t.payment_in_year(u32::MAX), LoanYear::default());
    }

    #[test]
    fn invalid_terms_are_rejected() {
        use Repayment::*;
        assert!(matches!(
            LoanTerms::new(-1.0, 0.05, 10, 0, Annuity),
            Err(LoanError::Principal(_))
        ));
        assert!(matches!(
            LoanTerms::new(f64::NAN, 0.05, 10, 0, Annuity),
            Err(LoanError::Principal(_))
        ));
        assert!(matches!(
            LoanTerms::new(1.0, -0.01, 10, 0, Annuity),
            Err(LoanError::Rate(_))
        ));
        assert!(matches!(
            LoanTerms::new(1.0, 1.01, 10, 0, Annuity),
            Err(LoanError::Rate(_))
        ));
        assert!(matches!(
            LoanTerms::new(1.0, f64::NAN, 10, 0, Annuity),
            Err(LoanError::Rate(_))
        ));
        assert!(matches!(
            LoanTerms::new(1.0, 0.05, 0, 0, Bullet),
            Err(LoanError::Term(0))
        ));
        assert!(matches!(
            LoanTerms::new(1.0, 0.05, 10, 10, Annuity),
            Err(LoanError::Grace { .. })
        ));
        assert!(matches!(
            LoanTerms::new(1.0, 0.05, 10, 10, EqualPrincipal),
            Err(LoanError::Grace { .. })
        ));
        assert!(matches!(
            LoanTerms::new(1.0, 0.05, 10, 11, Bullet),
            Err(LoanError::Grace { .. })
        ));
        assert!(LoanTerms::new(0.0, 0.0, 1, 0, Annuity).is_ok());
        assert!(LoanTerms::new(1.0, 1.0, 10, 10, Bullet).is_ok());
    }

    #[test]
    fn many_loans_clear_exactly() {
        for kind in [Repayment::Annuity, Repayment::EqualPrincipal, Repayment::Bullet] {
            for &p in &[0.0, 0.01, 999.99, 1_234_567.89, 3e9] {
                for &r in &[0.0, 0.0001, 0.035, 0.049, 0.3, 1.0] {
                    for term in [1, 3, 7, 30] {
                        for grace in [0, term / 2, term - 1] {
                            let t = loan(p, r, term, grace, kind);
                            assert_clears(&t);
                            assert!(t.schedule().iter().all(|y| y.principal_yuan >= 0.0));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn npv_known_example() {
        // -100 + 60/1.1 + 60/1.1^2 = 4.132231404958667 (python3)
        assert!((npv(0.1, &[-100.0, 60.0, 60.0]) - 4.132_231_404_958_667).abs() < 1e-9);
        assert_eq!(npv(0.1, &[-100.0]), -100.0);
        assert_eq!(npv(0.1, &[]), 0.0);
    }

    #[test]
    fn irr_known_examples() {
        // x = 1/(1+r) solves 60x^2 + 60x - 100 = 0 -> r = 0.1306623862918075 (python3)
        let r = irr(&[-100.0, 60.0, 60.0]).unwrap();
        assert!((r - 0.130_662_386_291_807_5).abs() < 1e-9, "{r}");
        assert!((irr(&[-100.0, 110.0]).unwrap() - 0.1).abs() < 1e-9);
        assert!((irr(&[100.0, -110.0]).unwrap() - 0.1).abs() < 1e-9);
        assert!(irr(&[-100.0, 100.0]).unwrap().abs() < 1e-9);
        assert!((irr(&[-100.0, 50.0]).unwrap() + 0.5).abs() < 1e-9);
        // The annuity's own cash flows recover its rate.
        let mut flows = vec![-1_000_000.0];
        flows.extend([128_876.415_009_646_7; 10]);
        let r = irr(&flows).unwrap();
        assert!((r - 0.049).abs() < 1e-9, "{r}");
    }

    #[test]
    fn irr_picks_root_nearest_zero() {
        // -1 + 2.3/(1+r) - 1.32/(1+r)^2 = 0  <=>  1+r in {1.1, 1.2} (checked in python3).
        let r = irr(&[-1.0, 2.3, -1.32]).unwrap();
        assert!((r - 0.1).abs() < 1e-9, "{r}");
    }

    #[test]
    fn irr_undefined_cases() {
        assert_eq!(irr(&[100.0, 60.0, 60.0]), None);
        assert_eq!(irr(&[-100.0, -60.0]), None);
        assert_eq!(irr(&[0.0, 0.0, 0.0]), None);
        assert_eq!(irr(&[]), None);
        assert_eq!(irr(&[-100.0, f64::NAN, 60.0]), None);
        assert_eq!(irr(&[-100.0, f64::INFINITY]), None);
        assert_eq!(irr(&[-100.0, 1e6]), None); // IRR 9999 is outside (-0.99, 10)
    }

    #[test]
    fn dscr_cases() {
        assert_eq!(dscr(150.0, 100.0), Some(1.5));
        assert_eq!(dscr(-50.0, 100.0), Some(-0.5));
        assert_eq!(dscr(150.0, 0.0), None);
        assert_eq!(dscr(150.0, 1e-300), None);
        assert_eq!(dscr(150.0, -1.0), None);
        assert_eq!(dscr(f64::NAN, 100.0), None);
    }
}
