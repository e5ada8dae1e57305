//! The taxes a village collective, or a company its villages own, pays on
//! what an intervention sells or lets, by calendar year.
//!
//! The seller is taken to be a small-scale VAT taxpayer (小规模纳税人:
//! yearly sales up to 5 million yuan, the usual status of a collective or
//! of a small village company) and, for enterprise income tax, a small
//! low-profit enterprise (小型微利企业). The rates are the scenario's
//! `[accounting]` keys (defaults and sources in `src/model/accounting.toml`).
//!
//! # Equations (one seller, one calendar year `y`)
//!
//! Prices in scenario files (a feed-in tariff, a rent) are taken as quoted,
//! VAT included. With `S` the year's sales at those prices and `r` the VAT
//! levy rate (征收率) of what is sold:
//!
//! ```text
//! relief[y]        = reliefs_from_year <= y <= reliefs_until_year
//! r_sales[y]       = vat_rate_sales if relief[y], else vat_rate_sales_after_reliefs   (power, goods, services)
//! r_rent           = vat_rate_rent                          (5%: no relief to 1% for rent)
//! exempt[y]        = vat_exempt_sales_per_year_yuan if relief[y], else 0
//! VAT              = 0                     if S <= exempt[y]
//!                  = S * r / (1 + r)       otherwise
//! revenue          = S - VAT                                 (booked on the target line)
//! h[y]             = 1 - six_taxes_relief_share if relief[y], else 1   (六税两费 halved)
//! surcharges       = vat_surcharge_rate * h[y] * VAT
//! property tax     = property_tax_rent_rate * h[y] * rent excluding VAT        (从租计征)
//!                  + property_tax_value_rate * (1 - property_value_deduction) * h[y]
//!                    * original value of the part not let                      (从价计征)
//! income tax rate  = income_tax_rate if relief[y], else income_tax_rate_after_reliefs
//! ```
//!
//! Approximations, stated: the exemption threshold is applied to each
//! intervention's sales of one seller in a year, not to all the seller's
//! sales together; the reliefs are applied as one window, although some
//! began or changed within it (the 1% VAT rate from March 2020, VAT on 3%
//! items waived April to December 2022, the income tax base at 12.5% in
//! 2021-22); a seller above 5 million yuan a year would be a general
//! taxpayer, which the model does not treat.
//!
//! # Examples
//!
//! ```
//! use villagesim::model::finance::tax::vat;
//! // 1,010,000 yuan of power sold at 1%: 10,000 of VAT, 1,000,000 of revenue.
//! let v = vat(1_010_000.0, 0.01, 0.0);
//! assert!((v - 10_000.0).abs() < 1e-9);
//! // Below the exemption threshold no VAT is due.
//! assert_eq!(vat(1_000_000.0, 0.01, 1_200_000.0), 0.0);
//! ```

/// The tax rules of `[accounting]` that apply to sales and property.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaxRules {
    /// VAT levy rate on power, goods and services sold by a small-scale
    /// taxpayer while the reliefs apply.
    pub vat_rate_sales: f64,
    /// The statutory levy rate on those sales, after the reliefs.
    pub vat_rate_sales_after_reliefs: f64,
    /// VAT levy rate on the rent of immovable property.
    pub vat_rate_rent: f64,
    /// Yearly sales under which a small-scale taxpayer pays no VAT, yuan
    /// (while the reliefs apply).
    pub vat_exempt_sales_per_year_yuan: f64,
    /// City maintenance and construction tax and the education surcharges,
    /// as a share of VAT.
    pub vat_surcharge_rate: f64,
    /// Property tax on rent, as a share of rent excluding VAT.
    pub property_tax_rent_rate: f64,
    /// Property tax on the value of property not let, per year.
    pub property_tax_value_rate: f64,
    /// Share of the original value deducted before the property tax on value.
    pub property_value_deduction: f64,
    /// Share of the "six taxes and two fees" waived while the reliefs apply.
    pub six_taxes_relief_share: f64,
    /// The collective's enterprise income tax rate while the reliefs apply.
    pub income_tax_rate: f64,
    /// The rate after the reliefs.
    pub income_tax_rate_after_reliefs: f64,
    /// First and last calendar year of the small-taxpayer reliefs.
    pub reliefs_from_year: i32,
    pub reliefs_until_year: i32,
}

/// The rates of one calendar year, from [`TaxRules::year`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YearTax {
    pub vat_rate_sales: f64,
    pub vat_rate_rent: f64,
    pub exempt_sales_yuan: f64,
    /// Surcharges as a share of VAT, reliefs applied.
    pub surcharge_rate: f64,
    /// Property tax as a share of rent excluding VAT, reliefs applied.
    pub property_tax_rent_rate: f64,
    /// Property tax per yuan of original value not let, per year, reliefs
    /// and deduction applied.
    pub property_tax_value_rate: f64,
    pub income_tax_rate: f64,
}

impl TaxRules {
    /// Whether the small-taxpayer reliefs apply in calendar year `year`.
    pub fn relief(&self, year: i32) -> bool {
        (self.reliefs_from_year..=self.reliefs_until_year).contains(&year)
    }

    /// The rates of calendar year `year` (see the module doc).
    pub fn year(&self, year: i32) -> YearTax {
        let relief = self.relief(year);
        let h = if relief { 1.0 - self.six_taxes_relief_share } else { 1.0 };
        YearTax {
            vat_rate_sales: if relief {
                self.vat_rate_sales
            } else {
                self.vat_rate_sales_after_reliefs
            },
            vat_rate_rent: self.vat_rate_rent,
            exempt_sales_yuan: if relief {
                self.vat_exempt_sales_per_year_yuan
            } else {
                0.0
            },
            surcharge_rate: self.vat_surcharge_rate * h,
            property_tax_rent_rate: self.property_tax_rent_rate * h,
            property_tax_value_rate: self.property_tax_value_rate * (1.0 - self.property_value_deduction) * h,
            income_tax_rate: if relief {
                self.income_tax_rate
            } else {
                self.income_tax_rate_after_reliefs
            },
        }
    }
}

impl YearTax {
    /// `(VAT, surcharges)` on `sales_yuan` (VAT included) of one seller in
    /// the year at levy rate `rate`: [`vat`] with the year's exemption, and
    /// the surcharges on it.
    pub fn vat_and_surcharges(&self, sales_yuan: f64, rate: f64) -> (f64, f64) {
        let vat = vat(sales_yuan, rate, self.exempt_sales_yuan);
        (vat, self.surcharge_rate * vat)
    }
}

/// VAT on `sales_yuan` (VAT included) at levy rate `rate`: nothing when the
/// sales are at most `exempt_yuan`, else `sales * rate / (1 + rate)`.
pub fn vat(sales_yuan: f64, rate: f64, exempt_yuan: f64) -> f64 {
    if sales_yuan <= exempt_yuan || sales_yuan <= 0.0 {
        0.0
    } else {
        sales_yuan * rate / (1.0 + rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::accounts::Accounting;

    #[test]
    fn rates_change_when_the_reliefs_end() {
        let rules = Accounting::default().tax;
        let in_relief = rules.year(2025);
        assert_eq!(in_relief.vat_rate_sales, 0.01);
        assert_eq!(in_relief.exempt_sales_yuan, 1_200_000.0);
        assert!((in_relief.surcharge_rate - 0.05).abs() < 1e-12);
        assert!((in_relief.property_tax_rent_rate - 0.06).abs() < 1e-12);
        // 1.2% of 70% of the value, halved: 0.42%.
        assert!((in_relief.property_tax_value_rate - 0.0042).abs() < 1e-12);
        assert_eq!(in_relief.income_tax_rate, 0.05);
        let after = rules.year(2028);
        assert_eq!(after.vat_rate_sales, 0.03);
        assert_eq!(after.exempt_sales_yuan, 0.0);
        assert!((after.surcharge_rate - 0.10).abs() < 1e-12);
        assert!((after.property_tax_rent_rate - 0.12).abs() < 1e-12);
        assert_eq!(after.income_tax_rate, 0.20);
        assert_eq!(rules.year(2018), after, "before the reliefs, the statutory rates");
    }

    #[test]
    fn vat_is_taken_out_of_a_price_that_includes_it() {
        assert!((vat(105_000.0, 0.05, 0.0) - 5_000.0).abs() < 1e-9);
        assert_eq!(vat(1_200_000.0, 0.05, 1_200_000.0), 0.0);
        assert!(vat(1_200_000.01, 0.05, 1_200_000.0) > 57_000.0);
        assert_eq!(vat(-10.0, 0.05, 0.0), 0.0);
    }
}
