//! Tests of `model::param`.

use super::*;
use crate::limits::MAX_YUAN;

#[test]
fn distribution_keys_are_the_distributions_of_param_keys() {
    // From `uniform` to `range`: not `fixed`, nor the clamp and level.
    assert_eq!(DISTRIBUTION_KEYS.len(), 8);
    assert_eq!((DISTRIBUTION_KEYS[0], DISTRIBUTION_KEYS[7]), ("uniform", "range"));
    assert!(!DISTRIBUTION_KEYS
        .iter()
        .any(|k| ["fixed", "min", "max", "per"].contains(k)));
}
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

#[derive(Deserialize)]
struct One {
    x: Param,
}

fn parse(text: &str) -> Result<Param, String> {
    toml::from_str::<One>(text).map(|o| o.x).map_err(|e| e.to_string())
}

#[test]
fn plain_and_unit_numbers() {
    assert_eq!(parse("x = 5").unwrap().as_fixed(), Some(5.0));
    assert_eq!(parse("x = \"150万\"").unwrap().as_fixed(), Some(1_500_000.0));
    assert_eq!(parse("x = { fixed = \"6%\" }").unwrap().as_fixed(), Some(0.06));
}

#[test]
fn range_is_a_90_percent_interval() {
    let p = parse("x = \"12万 to 30万\"").unwrap();
    let Dist::LogNormal { mu, sigma } = p.dist else {
        panic!()
    };
    assert!(((mu - Z_95 * sigma).exp() - 120_000.0).abs() < 1e-6);
    assert!(((mu + Z_95 * sigma).exp() - 300_000.0).abs() < 1e-6);
    let p = parse("x = \"-2% to 8%\"").unwrap();
    assert_eq!(
        p.dist,
        Dist::Normal {
            mean: 0.03,
            sd: 0.05 / Z_95
        }
    );
}

#[test]
fn tables() {
    let p = parse("x = { normal = { mean = 0.03, sd = 0.06 }, per = \"village-year\", min = -0.1 }").unwrap();
    assert_eq!(p.per, Some(Per::VillageYear));
    assert_eq!(p.min, Some(-0.1));
    let p = parse("x = { discrete = { values = [1, 2], weights = [3, 1] } }").unwrap();
    assert_eq!(p.central(), 1.25);
}

#[test]
fn errors_say_what_is_valid() {
    assert!(parse("x = { normal = { mean = 1, sd = -1 } }")
        .unwrap_err()
        .contains("sd must be >= 0"));
    assert!(parse("x = { uniform = { min = 2, max = 1 } }")
        .unwrap_err()
        .contains("must not exceed"));
    assert!(parse("x = { normall = { mean = 1, sd = 1 } }")
        .unwrap_err()
        .contains("did you mean `normal`"));
    assert!(
        parse("x = { normal = { mean = 1, sd = 1 }, uniform = { min = 0, max = 1 } }")
            .unwrap_err()
            .contains("exactly one")
    );
    assert!(parse("x = { per = \"decade\", fixed = 1 }")
        .unwrap_err()
        .contains("village-year"));
    assert!(parse("x = nan").is_err());
    assert!(parse("x = { discrete = { values = [1, 2], weights = [1] } }").is_err());
}

#[test]
fn every_domain_is_finite_and_says_its_bound() {
    let all = [
        Domain::Money,
        Domain::NonNegative,
        Domain::Quantity,
        Domain::Probability,
        Domain::Rate,
        Domain::NonNegativeRate,
        Domain::LogGrowth,
        Domain::Loading,
        Domain::ProjectsPerYear,
    ];
    for d in all {
        let (lo, hi) = d.bounds();
        assert!(lo.is_finite() && hi.is_finite() && lo < hi, "{d:?}");
        // An unbounded distribution is clamped into the domain: draws stay finite.
        let p = d.check(&Param::fixed(0.5 * (lo + hi))).unwrap();
        assert!(p.as_fixed().is_some_and(f64::is_finite));
        let err = d.check(&Param::fixed(hi * 10.0 + 10.0)).unwrap_err();
        assert!(err.starts_with("expected "), "{err}");
    }
    let err = Domain::Money.check(&Param::fixed(1e307)).unwrap_err();
    assert!(
        err.contains("from -1万亿 to 1万亿 yuan (10^12") && err.ends_with("got 1e307"),
        "{err}"
    );
    let err = Domain::LogGrowth.check(&parse("x = 120").unwrap()).unwrap_err();
    assert!(err.contains("from -1 to 1") && err.ends_with("got 120"), "{err}");
    let err = Domain::Money
        .check(&parse("x = \"-1e308 to 1e308\"").unwrap())
        .unwrap_err();
    assert!(err.ends_with("got a 90% range from -1e308 to 1e308"), "{err}");
    // A normal rent may reach below 0 (clamped there), not beyond the magnitudes.
    let rent = parse("x = { normal = { mean = 10, sd = 8 } }").unwrap();
    let p = Domain::NonNegative.check(&rent).unwrap();
    assert_eq!((p.min, p.max), (Some(0.0), Some(MAX_YUAN)));
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    assert!((0..1000).all(|_| (0.0..=MAX_YUAN).contains(&p.sample(&mut rng))));
    assert!(Domain::NonNegative
        .check(&parse("x = { normal = { mean = 10, sd = 1e12 } }").unwrap())
        .is_err());
    assert!(Domain::Rate
        .check(&parse("x = { normal = { mean = 0, sd = 0.1 }, max = 50 }").unwrap())
        .unwrap_err()
        .ends_with("got a clamp at 50"));
}

#[test]
fn samples_respect_clamp_and_support() {
    let p = parse("x = { normal = { mean = 0, sd = 1 }, min = -0.5, max = 0.5 }").unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for _ in 0..1000 {
        let x = p.sample(&mut rng);
        assert!((-0.5..=0.5).contains(&x));
    }
    assert_eq!(p.support(), (-0.5, 0.5));
}

/// `fill` gives, in order, the draws `sample` gives one at a time from the
/// same stream, for the distributions it matches itself and the others.
#[test]
fn fill_draws_what_sample_draws() {
    for text in [
        "x = { normal = { mean = 0.03, sd = 0.06 }, min = -0.05 }",
        "x = { uniform = { min = 10, max = 150 } }",
        "x = { triangular = { min = 1, mode = 2, max = 4 } }",
    ] {
        let p = parse(text).unwrap();
        let mut filled = vec![0.0; 45];
        p.fill(&mut crate::rng::stream(1, 2, 3, 4), &mut filled);
        let mut rng = crate::rng::stream(1, 2, 3, 4);
        let one_by_one: Vec<f64> = (0..45).map(|_| p.sample(&mut rng)).collect();
        assert_eq!(filled, one_by_one, "{text}");
    }
}
