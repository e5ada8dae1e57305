//! Whole scenario files generated from the format's grammar: every section,
//! every kind of intervention with its own keys, and values drawn from
//! ordinary ones, extremes (0, -0, 1e-300, 1e300, 1.7e308, i64::MAX,
//! "1e308万", "5% to 1e300%"), malformed ones (wrong types, empty strings,
//! unicode, markup) and distribution tables with bad parameters.
//!
//! Each file is generated at a level of disorder: `Clean` files use only
//! ordinary values (most are valid and reach the engine and the outputs),
//! `Mild` ones have a bad value here and there, `Wild` ones many. Shrinking
//! goes towards fewer sections and earlier (more ordinary) alternatives.

use proptest::collection::vec;
use proptest::option::weighted;
use proptest::prelude::*;
use proptest::sample::select;

type S = BoxedStrategy<String>;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Level {
    Clean,
    Mild,
    Wild,
}

fn pick(xs: &'static [&'static str]) -> S {
    select(xs).prop_map(str::to_string).boxed()
}

/// Ordinary values most of the time, bad ones as often as the level says.
fn mix<T: std::fmt::Debug + Clone + 'static>(
    level: Level,
    good: BoxedStrategy<T>,
    bad: BoxedStrategy<T>,
) -> BoxedStrategy<T> {
    match level {
        Level::Clean => good,
        Level::Mild => prop_oneof![25 => good, 1 => bad].boxed(),
        Level::Wild => prop_oneof![3 => good, 1 => bad].boxed(),
    }
}

/// Whether an optional key is written.
fn present(level: Level, required: bool) -> f64 {
    match (required, level) {
        (true, Level::Clean) => 1.0,
        (true, Level::Mild) => 0.98,
        (true, Level::Wild) => 0.9,
        (false, _) => 0.35,
    }
}

/// `key = value`, or nothing.
fn line(level: Level, key: &'static str, required: bool, value: S) -> BoxedStrategy<Option<String>> {
    let p = present(level, required);
    let value = if p >= 1.0 {
        value.prop_map(Some).boxed()
    } else {
        weighted(p, value).boxed()
    };
    value.prop_map(move |v| v.map(|v| format!("{key} = {v}"))).boxed()
}

fn join(lines: Vec<Option<String>>) -> String {
    lines.into_iter().flatten().map(|l| l + "\n").collect()
}

/// Numbers at the edges of f64 and i64, and TOML's own non-finite ones.
pub const EXTREME_NUMBERS: &[&str] = &[
    "0",
    "-0.0",
    "1e-300",
    "5e-324",
    "1e300",
    "1.7e308",
    "-1e308",
    "1e307",
    "-1.7976931348623157e308",
    "9223372036854775807",
    "-9223372036854775808",
    "120",
    "-1",
    "4294967296",
    "2147483648",
    "0.9999999999999999",
    "1.0000000000000002",
    "nan",
    "inf",
    "-inf",
    "1e15",
    "-1e12",
];

/// Unit strings with extreme or impossible contents.
pub const EXTREME_STRINGS: &[&str] = &[
    "\"1e308万\"",
    "\"-1e308 to 1e308\"",
    "\"5% to 1e300%\"",
    "\"1e300%\"",
    "\"-1e300%\"",
    "\"0 to 0\"",
    "\"1e-300 to 1e300\"",
    "\"1e308 to 1.7e308\"",
    "\"5 to 1\"",
    "\"9999999999999999999999亿\"",
    "\"inf万\"",
    "\"NaN%\"",
    "\"-0%\"",
    "\"万\"",
    "\"%\"",
    "\" to \"",
    "\"1e308亿\"",
    "\"12万 to\"",
    "\"1.7e308M\"",
    "\"1e-320k\"",
];

/// Values of the wrong type or shape.
pub const MALFORMED: &[&str] = &[
    "\"\"",
    "\"<script>alert(1)</script>\"",
    "\"村庄🚀\"",
    "\"abc\"",
    "\"1,000\"",
    "\"\\u0000\"",
    "[1, 2]",
    "[]",
    "[[1], [\"a\"]]",
    "{ a = 1 }",
    "{}",
    "true",
    "1979-05-27T07:32:00Z",
    "0x7fffffff",
    "1_000",
    "'''multi\nline'''",
    "{ normal = 1 }",
    "{ normal = { mean = 1 } }",
    "{ cauchy = { x = 1 } }",
    "{ fixed = 1, normal = { mean = 0, sd = 1 } }",
    "{ fixed = 1, per = \"decade\" }",
    "{ fixed = 1, per = 3 }",
    "{ range = \"1 to\" }",
    "{ discrete = { values = [], weights = [] } }",
];

/// Any bad value: extreme, impossible or malformed.
fn bad() -> S {
    prop_oneof![pick(EXTREME_NUMBERS), pick(EXTREME_STRINGS), pick(MALFORMED)].boxed()
}

/// What a numeric parameter measures, for its ordinary values.
#[derive(Debug, Clone, Copy)]
pub enum Num {
    Money,
    Rate,
    Growth,
    Share,
    Quantity,
    Price,
}

fn ordinary_range(k: Num) -> (f64, f64) {
    match k {
        Num::Money => (0.0, 2e6),
        Num::Rate => (-0.1, 0.3),
        Num::Growth => (-0.1, 0.15),
        Num::Share => (0.0, 1.0),
        Num::Quantity => (0.0, 5000.0),
        Num::Price => (0.0, 2.0),
    }
}

/// Ordinary literals of a kind, the edges of what is accepted included.
fn literals(k: Num) -> &'static [&'static str] {
    match k {
        Num::Money => &[
            "\"50万\"",
            "120000",
            "0",
            "\"1.2亿\"",
            "\"150k\"",
            "\"2.2M\"",
            "\"8万\"",
            "1e12",
            "1e-300",
            "\"0.5万\"",
        ],
        Num::Rate => &[
            "0.05",
            "\"5%\"",
            "0",
            "-0.5",
            "1",
            "10",
            "\"-100%\"",
            "0.0001",
            "\"4.3%\"",
            "-0.02",
            "\"1000%\"",
        ],
        Num::Growth => &["0.03", "0", "-0.05", "1", "-1", "\"3%\"", "0.99", "1.01"],
        Num::Share => &["0", "0.5", "1", "\"30%\"", "0.12", "0.9", "\"100%\"", "0.0055"],
        Num::Quantity => &["1", "100", "2670", "1000", "1e12", "0", "0.5", "8", "800", "1e-300"],
        Num::Price => &["0.4153", "0.3", "5", "0", "12.5", "0.0001"],
    }
}

fn ordinary_float(k: Num) -> BoxedStrategy<f64> {
    let (lo, hi) = ordinary_range(k);
    (lo..=hi).prop_map(|x| (x * 1e4).round() / 1e4).boxed()
}

fn float_text(x: f64) -> String {
    // `{}` writes integral values without a point, which TOML reads as an
    // integer: both are accepted numbers.
    format!("{x}")
}

/// A single number of kind `k`.
fn number(level: Level, k: Num) -> S {
    let good = prop_oneof![pick(literals(k)), ordinary_float(k).prop_map(float_text)].boxed();
    mix(
        level,
        good,
        prop_oneof![pick(EXTREME_NUMBERS), pick(EXTREME_STRINGS)].boxed(),
    )
}

/// A bare number (for inside a distribution table or an interval string).
fn inner_number(level: Level, k: Num) -> S {
    mix(
        level,
        ordinary_float(k).prop_map(float_text).boxed(),
        pick(EXTREME_NUMBERS),
    )
}

/// A 90% interval string such as "12万 to 30万" or "2% to 6%".
fn interval(level: Level, k: Num) -> S {
    let good = (ordinary_float(k), ordinary_float(k))
        .prop_map(move |(a, b)| {
            let (a, b) = (a.min(b), a.max(b));
            match k {
                Num::Money => format!("\"{}万 to {}万\"", (a / 1e4).round(), (b / 1e4).round() + 1.0),
                Num::Rate | Num::Growth | Num::Share => {
                    format!("\"{}% to {}%\"", (a * 100.0).round(), (b * 100.0).round() + 1.0)
                }
                _ => format!("\"{a} to {b}\""),
            }
        })
        .boxed();
    let wild = (
        pick(EXTREME_NUMBERS),
        pick(EXTREME_NUMBERS),
        pick(&["", "%", "万", "亿", "k"]),
    )
        .prop_map(|(a, b, unit)| format!("\"{a}{unit} to {b}{unit}\""))
        .boxed();
    mix(level, good, prop_oneof![wild, pick(EXTREME_STRINGS)].boxed())
}

/// A distribution table, with an optional clamp and level.
fn distribution(level: Level, k: Num) -> S {
    let n = move || inner_number(level, k);
    let f = move || ordinary_float(k);
    let ordered = move || {
        (f(), f(), f()).prop_map(|(a, b, c)| {
            let mut v = [a, b, c];
            v.sort_by(f64::total_cmp);
            v
        })
    };
    let good = prop_oneof![
        (f(), f()).prop_map(|(m, s)| format!("{{ normal = {{ mean = {m}, sd = {} }} }}", s.abs())),
        ordered().prop_map(|[a, b, c]| format!("{{ pert = {{ min = {a}, mode = {b}, max = {c} }} }}")),
        ordered().prop_map(|[a, b, c]| format!("{{ triangular = {{ min = {a}, mode = {b}, max = {c} }} }}")),
        ordered().prop_map(|[a, _, c]| format!("{{ uniform = {{ min = {a}, max = {c} }} }}")),
        (0.5..50.0f64, 0.5..50.0f64).prop_map(|(a, b)| format!("{{ beta = {{ alpha = {a:.2}, beta = {b:.2} }} }}")),
        (f(), 0.0..1.0f64)
            .prop_map(|(m, s)| format!("{{ lognormal = {{ median = {}, sigma = {s:.3} }} }}", m.abs() + 1.0)),
        vec(f(), 1..4).prop_map(|v| {
            let values: Vec<String> = v.iter().map(|x| x.to_string()).collect();
            let weights: Vec<String> = (1..=v.len()).map(|w| w.to_string()).collect();
            format!(
                "{{ discrete = {{ values = [{}], weights = [{}] }} }}",
                values.join(", "),
                weights.join(", ")
            )
        }),
        f().prop_map(|x| format!("{{ fixed = {x} }}")),
    ]
    .boxed();
    let any = prop_oneof![
        (n(), n()).prop_map(|(m, s)| format!("{{ normal = {{ mean = {m}, sd = {s} }} }}")),
        (n(), n()).prop_map(|(a, b)| format!("{{ lognormal = {{ median = {a}, sigma = {b} }} }}")),
        (n(), n()).prop_map(|(a, b)| format!("{{ lognormal = {{ mean = {a}, sd = {b} }} }}")),
        (n(), n(), n()).prop_map(|(a, b, c)| format!("{{ pert = {{ min = {a}, mode = {b}, max = {c} }} }}")),
        (n(), n(), n()).prop_map(|(a, b, c)| format!("{{ triangular = {{ min = {a}, mode = {b}, max = {c} }} }}")),
        (n(), n()).prop_map(|(a, b)| format!("{{ uniform = {{ min = {a}, max = {b} }} }}")),
        (n(), n(), n(), n())
            .prop_map(|(a, b, c, d)| format!("{{ beta = {{ alpha = {a}, beta = {b}, low = {c}, high = {d} }} }}")),
        (vec(n(), 0..4), vec(n(), 0..4)).prop_map(|(v, w)| format!(
            "{{ discrete = {{ values = [{}], weights = [{}] }} }}",
            v.join(", "),
            w.join(", ")
        )),
        n().prop_map(|x| format!("{{ fixed = {x} }}")),
        interval(level, k).prop_map(|r| format!("{{ range = {r} }}")),
    ]
    .boxed();
    let table = mix(level, good, any);
    let per = mix(
        level,
        pick(&["\"run\"", "\"village\"", "\"year\"", "\"village-year\""]),
        pick(&["\"decade\"", "\"\"", "1", "[\"run\"]"]),
    );
    let clamp = mix(
        level,
        (f(), f())
            .prop_map(|(a, b)| (a.min(b).to_string(), a.max(b).to_string()))
            .boxed(),
        (n(), n()).boxed(),
    );
    let p_per = if level == Level::Clean { 0.01 } else { 0.3 };
    (
        table,
        weighted(0.2, clamp),
        weighted(0.5, Just(())),
        weighted(p_per, per),
    )
        .prop_map(|(table, clamp, both, per)| {
            let (min, max) = match clamp {
                Some((lo, hi)) if both.is_some() => (Some(lo), Some(hi)),
                Some((lo, _)) if lo.len() % 2 == 0 => (Some(lo), None),
                Some((_, hi)) => (None, Some(hi)),
                None => (None, None),
            };
            let mut extra = String::new();
            if let Some(min) = min {
                extra += &format!(", min = {min}");
            }
            if let Some(max) = max {
                extra += &format!(", max = {max}");
            }
            if let Some(per) = per {
                extra += &format!(", per = {per}");
            }
            match table.strip_suffix(" }") {
                Some(head) if !extra.is_empty() => format!("{head}{extra} }}"),
                _ => table,
            }
        })
        .boxed()
}

/// An uncertain parameter of kind `k`: a number, an interval or a table.
fn param(level: Level, k: Num) -> S {
    let good = prop_oneof![
        5 => number(Level::Clean, k),
        2 => interval(Level::Clean, k),
        3 => distribution(level, k),
    ]
    .boxed();
    mix(
        level,
        good,
        prop_oneof![bad(), interval(level, k), distribution(Level::Wild, k)].boxed(),
    )
}

fn int(level: Level, lo: i64, hi: i64) -> S {
    mix(
        level,
        (lo..=hi).prop_map(|x| x.to_string()).boxed(),
        pick(&[
            "0",
            "-1",
            "9223372036854775807",
            "-9223372036854775808",
            "1e3",
            "2.5",
            "\"3\"",
            "100001",
            "1000000",
        ]),
    )
}

fn year(level: Level) -> S {
    mix(
        level,
        prop_oneof![6 => Just("2025".to_string()), 3 => (2025i64..=2030).prop_map(|y| y.to_string()), 1 => (2015i64..=2035).prop_map(|y| y.to_string())].boxed(),
        pick(&[
            "-9999",
            "0",
            "9223372036854775807",
            "-9223372036854775808",
            "2147483648",
            "1e10",
            "\"2025\"",
            "2025.5",
            "99999",
        ]),
    )
}

fn text(level: Level) -> S {
    mix(
        level,
        pick(&[
            "\"t\"",
            "\"Fuzz county\"",
            "\"村 <b>&amp;</b>\"",
            "\"a \\\"quoted\\\" name\"",
            "\"../../etc\"",
        ]),
        pick(MALFORMED),
    )
}

fn boolean(level: Level) -> S {
    mix(level, pick(&["true", "false"]), pick(&["1", "\"yes\"", "[]"]))
}

fn factor_name(level: Level) -> S {
    mix(
        level,
        pick(&["\"economy\"", "\"sunshine\""]),
        pick(&["\"econ\"", "\"\"", "1"]),
    )
}

fn loadings(level: Level) -> S {
    let name = mix(level, pick(&["economy", "sunshine"]), pick(&["econ", "\"\"", "\"🚀\""]));
    let one = (name, number(level, Num::Growth));
    vec(one, 0..3)
        .prop_map(|pairs| {
            let mut items: Vec<String> = Vec::new();
            for (k, v) in pairs {
                // Duplicate keys are a TOML error found elsewhere; keep one.
                if !items.iter().any(|i| i.starts_with(&format!("{k} ="))) {
                    items.push(format!("{k} = {v}"));
                }
            }
            format!("{{ {} }}", items.join(", "))
        })
        .boxed()
}

fn enumeration(level: Level, values: &'static [&'static str]) -> S {
    mix(
        level,
        pick(values),
        pick(&["\"\"", "\"annuity \"", "\"Lease\"", "1", "\"<script>\""]),
    )
}

fn selector(level: Level) -> S {
    mix(
        level,
        pick(&[
            "\"all\"",
            "[\"v0\"]",
            "{ group = \"g1\" }",
            "{ weakest = 2 }",
            "{ count = 1 }",
            "{ group = [\"g1\", \"g3\"], weakest = 1 }",
            "[\"v0\", \"v2\"]",
        ]),
        pick(&[
            "\"some\"",
            "[\"zz\"]",
            "[]",
            "{ weakest = -1 }",
            "{ count = 9223372036854775807 }",
            "{ weakest = 0 }",
            "{ group = \"nope\" }",
            "{ township = \"East\" }",
            "[\"v0\", \"v0\"]",
            "3",
        ]),
    )
}

fn loan(level: Level) -> S {
    (
        number(level, Num::Money),
        number(level, Num::Rate),
        int(level, 1, 20),
        int(level, 0, 3),
        enumeration(level, &["\"annuity\"", "\"equal-principal\"", "\"bullet\""]),
    )
        .prop_map(|(p, r, t, g, rep)| {
            format!("{{ principal_yuan = {p}, rate_per_year = {r}, term_years = {t}, grace_years = {g}, repayment = {rep} }}")
        })
        .boxed()
}

fn credit(level: Level) -> S {
    (
        number(level, Num::Money),
        number(level, Num::Share),
        number(level, Num::Share),
        number(level, Num::Share),
        number(level, Num::Share),
    )
        .prop_map(|(r, c, g, f, rec)| {
            format!(
                "{{ reserve_yuan = {r}, cover_share_of_other_income = {c}, guarantee_share = {g}, \
                 guarantee_fee_per_year = {f}, recovery_share = {rec} }}"
            )
        })
        .boxed()
}

fn village_map(level: Level, k: Num) -> S {
    vec((pick(&["v0", "v1", "g0-01", "nope"]), number(level, k)), 0..3)
        .prop_map(|pairs| {
            let items: Vec<String> = pairs.into_iter().map(|(k, v)| format!("\"{k}\" = {v}")).collect();
            format!("{{ {} }}", items.join(", "))
        })
        .boxed()
}

fn beneficiaries(level: Level) -> S {
    let one = (
        mix(
            level,
            pick(&["external = \"Town A\"", "external = \"Town B\""]),
            pick(&["village = \"v0\"", "village = \"zz\"", "external = \"\""]),
        ),
        number(level, Num::Share),
    )
        .prop_map(|(who, share)| format!("{{ {who}, share = {share} }}"));
    let good = pick(&[
        "[{ external = \"Chongtou Town\", share = 1.0 }]",
        "[{ external = \"A\", share = 0.5 }, { external = \"B\", share = 0.5 }]",
    ]);
    prop_oneof![
        2 => good,
        1 => vec(one, 0..3).prop_map(|v| format!("[{}]", v.join(", "))),
    ]
    .boxed()
}

/// How a key's value is generated.
#[derive(Clone, Copy)]
enum Class {
    /// An uncertain parameter: a number, an interval or a distribution.
    P(Num),
    /// A fixed parameter: a plain number only.
    F(Num),
    Int(i64, i64),
    Bool,
    Enum(&'static [&'static str]),
    Loadings,
    Loan,
    /// A `credit` table (reserve, cover, guarantee, fee, recovery).
    Credit,
    VillageMap(Num),
    Beneficiaries,
    Factor,
}

fn value(level: Level, class: Class) -> S {
    match class {
        Class::P(k) => param(level, k),
        Class::F(k) => mix(level, number(Level::Clean, k), param(Level::Wild, k)),
        Class::Int(lo, hi) => int(level, lo, hi),
        Class::Bool => boolean(level),
        Class::Enum(values) => enumeration(level, values),
        Class::Loadings => loadings(level),
        Class::Loan => loan(level),
        Class::Credit => credit(level),
        Class::VillageMap(k) => village_map(level, k),
        Class::Beneficiaries => beneficiaries(level),
        Class::Factor => factor_name(level),
    }
}

use Class::*;
use Num::*;

/// A key of a kind: its name, how its value is generated, whether required.
type Key = (&'static str, Class, bool);

/// Every kind of intervention with its own keys: (key, value, required).
/// Kinds whose keys depend on a mode (idle_asset, service_business) appear
/// once per mode.
const KINDS: &[(&str, &[Key])] = &[
    (
        "income_stream",
        &[
            ("amount", P(Money), true),
            ("growth", P(Rate), false),
            ("loadings", Loadings, false),
        ],
    ),
    (
        "cluster_purchase",
        &[
            ("companies", Int(1, 2), false),
            ("units", Int(2, 6), false),
            ("floor_area_m2", F(Quantity), true),
            ("price_per_m2_yuan", F(Money), true),
            ("grant_yuan", F(Money), false),
            ("loan", Loan, false),
            ("credit", Credit, false),
            ("equity_shares", VillageMap(Share), false),
            ("rent_per_m2_per_year_yuan", P(Price), true),
            ("rent_growth", P(Rate), false),
            ("loadings", Loadings, false),
            ("leave_probability_per_year", P(Share), false),
            ("let_probability_per_year", P(Share), false),
            ("initially_let", Bool, false),
            ("rent_free_months", Int(0, 12), false),
            ("operating_cost_per_m2_per_year_yuan", P(Price), false),
            ("operating_cost_share_of_rent", P(Share), false),
            ("building_life_years", Int(1, 60), false),
            ("at_end", Enum(&["\"sell\"", "\"carry\""]), false),
        ],
    ),
    (
        "support_fund",
        &[
            ("government_capital_yuan", F(Money), false),
            ("village_capital_yuan", F(Money), false),
            ("village_capital_by_village_yuan", VillageMap(Money), false),
            ("return_rate_per_year", P(Share), true),
            ("reset_years", Int(1, 6), false),
            ("allocation", Enum(&["\"equal\"", "\"weakest\""]), false),
            ("default_hazard_per_year", P(Share), false),
            ("recovery_rate", P(Share), false),
        ],
    ),
    (
        "mountain_sea_workshop",
        &[
            ("floor_area_m2", F(Quantity), true),
            ("rent_per_m2_per_year_yuan", P(Money), true),
            ("occupancy", P(Share), false),
            ("rent_growth", P(Rate), false),
            ("loadings", Loadings, false),
            ("cost_share_of_rent", P(Share), false),
            ("beneficiaries", Beneficiaries, true),
            ("investment_yuan", F(Money), false),
            ("guaranteed_return_rate", F(Rate), false),
        ],
    ),
    (
        "pv_loan",
        &[
            ("capacity_kw", F(Quantity), true),
            ("capex_per_kw_yuan", P(Money), true),
            ("loan_share", F(Share), false),
            ("grant_share", F(Share), false),
            ("loan_rate_per_year", F(Rate), false),
            ("loan_term_years", Int(4, 20), false),
            ("grace_years", Int(0, 3), false),
            (
                "repayment",
                Enum(&["\"annuity\"", "\"equal-principal\"", "\"bullet\""]),
                false,
            ),
            ("specific_yield_kwh_per_kw", P(Quantity), true),
            ("sunshine_factor", Factor, false),
            ("sunshine_loading", F(Share), false),
            ("first_year_degradation", P(Share), false),
            ("degradation_per_year", P(Share), false),
            ("retail_price_per_kwh", P(Price), false),
            ("feed_in_tariff_per_kwh", P(Price), true),
            ("om_per_kw_per_year_yuan", P(Price), false),
            ("inverter_replacement_per_kw_yuan", P(Price), false),
            ("inverter_replacement_year", Int(1, 20), false),
            ("station_life_years", Int(1, 30), false),
            ("credit", Credit, false),
        ],
    ),
    (
        "idle_asset",
        &[
            ("mode", Enum(&["\"lease\""]), true),
            (
                "asset_type",
                Enum(&[
                    "\"school\"",
                    "\"warehouse\"",
                    "\"weighing-station\"",
                    "\"workshop\"",
                    "\"other\"",
                ]),
                false,
            ),
            ("assets", Int(1, 5), false),
            ("refurbishment_cost_yuan", P(Money), false),
            ("grant_share", F(Share), false),
            ("p_let", P(Share), false),
            ("p_renew", P(Share), false),
            ("lease_years", Int(1, 10), false),
            ("rent_per_year_yuan", P(Money), true),
            ("rent_growth_per_year", P(Rate), false),
            ("maintenance_per_year_yuan", P(Money), false),
        ],
    ),
    (
        "idle_asset",
        &[
            ("mode", Enum(&["\"self-operate\""]), true),
            ("assets", Int(1, 5), false),
            ("refurbishment_cost_yuan", P(Money), false),
            ("revenue_per_year_yuan", P(Money), true),
            ("operating_costs_per_year_yuan", P(Money), true),
        ],
    ),
    (
        "idle_asset",
        &[
            ("mode", Enum(&["\"equity\""]), true),
            ("assets", Int(1, 5), false),
            ("asset_value_yuan", P(Money), true),
            ("dividend_yield", P(Rate), true),
            ("floor_dividend_at_zero", Bool, false),
        ],
    ),
    (
        "cooperative",
        &[
            ("equity_yuan", F(Money), true),
            ("grant_share", F(Share), false),
            ("scale", P(Quantity), true),
            ("yield_per_unit", P(Quantity), true),
            ("price_per_output_yuan", P(Price), true),
            ("price_loadings", Loadings, false),
            ("cost_per_unit_yuan", P(Money), false),
            ("dividend_share", P(Share), true),
            ("guaranteed_dividend_rate", P(Rate), false),
            ("guarantee_by", Enum(&["\"cooperative\"", "\"government\""]), false),
            ("failure_hazard_per_year", P(Share), false),
        ],
    ),
    (
        "service_business",
        &[
            ("mean_quantity", P(Quantity), true),
            ("demand", Enum(&["\"poisson\""]), false),
            ("quantity_growth", P(Rate), false),
            ("capacity", F(Quantity), false),
            ("unit_margin_yuan", P(Money), true),
            ("fixed_cost_per_year_yuan", P(Money), false),
            ("start_up_cost_yuan", F(Money), false),
        ],
    ),
    (
        "service_business",
        &[
            ("mean_quantity", P(Quantity), true),
            ("demand", Enum(&["\"normal\""]), true),
            ("quantity_sd", P(Quantity), true),
            ("unit_margin_yuan", P(Money), true),
        ],
    ),
    (
        "project_service",
        &[
            ("projects_per_year", P(Quantity), true),
            ("project_value_yuan", P(Money), true),
            ("service_margin", P(Share), true),
            ("eligible_share", P(Share), false),
        ],
    ),
    (
        "capacity",
        &[
            ("target", Enum(&["\"growth\"", "\"returns\""]), true),
            ("uplift", P(Growth), true),
            ("cost_per_year_yuan", P(Money), false),
            ("paid_by", Enum(&["\"government\"", "\"village\""]), false),
        ],
    ),
];

mod sections;
pub use sections::scenario;
