//! The sections of a generated scenario file: header, targets, factors,
//! villages, interventions, policies, backtest, and junk lines.

use super::*;

/// One `[[interventions]]` table, its id filled in later (`{ID}`).
fn intervention(level: Level) -> S {
    let kinds: Vec<usize> = (0..KINDS.len()).collect();
    let kind = mix(
        level,
        select(kinds).prop_map(|i| i.to_string()).boxed(),
        pick(&["income_strem", "", "🚀", "Income_Stream"]),
    );
    kind.prop_flat_map(move |kind| {
        let (name, keys) = match kind.parse::<usize>() {
            Ok(i) => (KINDS[i].0.to_string(), KINDS[i].1),
            Err(_) => (kind, KINDS[0].1),
        };
        let mut lines: Vec<BoxedStrategy<Option<String>>> = vec![
            Just(Some("id = \"{ID}\"".to_string())).boxed(),
            Just(Some(format!("kind = \"{name}\""))).boxed(),
            line(level, "name", false, text(level)),
            if name == "mountain_sea_workshop" {
                weighted(0.05, selector(level).prop_map(|v| format!("villages = {v}"))).boxed()
            } else {
                line(level, "villages", true, selector(level))
            },
            line(level, "start_year", false, year(level)),
            line(level, "end_year", false, year(level)),
        ];
        for &(key, class, required) in keys {
            lines.push(line(level, key, required, value(level, class)));
        }
        if level == Level::Wild {
            lines.push(line(level, "amout", false, number(level, Money)));
        }
        lines.prop_map(|lines| format!("[[interventions]]\n{}", join(lines)))
    })
    .boxed()
}

fn header(level: Level) -> S {
    let years = mix(
        level,
        prop_oneof![12 => (1i64..=6).prop_map(|y| y.to_string()), 1 => pick(&["20", "100"])].boxed(),
        pick(&["0", "101", "-1", "9223372036854775807", "1e3", "\"5\"", "5.5"]),
    );
    let runs = mix(
        level,
        (1i64..=8).prop_map(|r| r.to_string()).boxed(),
        pick(&["0", "-1", "10000001", "9223372036854775807", "1e7", "\"4\""]),
    );
    let seed = mix(
        level,
        (0u64..1000).prop_map(|s| s.to_string()).boxed(),
        pick(&["-1", "18446744073709551615", "1.5"]),
    );
    vec![
        line(level, "name", true, text(level)),
        line(level, "description", false, text(level)),
        line(
            level,
            "start_year",
            true,
            mix(level, Just("2025".to_string()).boxed(), year(Level::Wild)),
        ),
        line(level, "years", true, years),
        line(level, "runs", false, runs),
        line(level, "seed", false, seed),
        line(level, "discount_rate", false, number(level, Rate)),
    ]
    .prop_map(|lines| format!("[scenario]\n{}\n", join(lines)))
    .boxed()
}

fn targets(level: Level) -> S {
    let pair = (ordinary_float(Money), ordinary_float(Money))
        .prop_map(|(a, b)| (a.max(b).to_string(), a.min(b).to_string()))
        .boxed();
    let pair = mix(
        level,
        prop_oneof![Just(("\"50万\"".to_string(), "\"30万\"".to_string())), pair].boxed(),
        (number(level, Money), number(level, Money)).boxed(),
    );
    let section = (
        pair,
        weighted(0.8, Just(())),
        weighted(0.15, mix(level, pick(&["2025", "2026"]), year(Level::Wild)))
            .prop_map(|y| y.map(|y| format!("year = {y}"))),
        line(level, "budget", false, number(level, Money)),
    )
        .prop_map(|((floor, weak), with_weak, year, budget)| {
            let weak = with_weak.map(|_| format!("weak = {weak}"));
            format!("[targets]\nfloor = {floor}\n{}\n", join(vec![weak, year, budget]))
        });
    let p = present(level, true);
    if p >= 1.0 {
        section.boxed()
    } else {
        weighted(p, section).prop_map(Option::unwrap_or_default).boxed()
    }
}

fn factors(level: Level) -> S {
    let one = move |name: &'static str| {
        (
            line(
                level,
                "persistence",
                false,
                mix(level, pick(&["0", "0.3", "0.9", "0.99"]), number(level, Share)),
            ),
            line(level, "description", false, text(level)),
        )
            .prop_map(move |(p, d)| format!("[factors.{name}]\n{}\n", join(vec![p, d])))
    };
    let p = if level == Level::Wild { 0.5 } else { 0.95 };
    (
        weighted(p, one("economy")),
        weighted(p, one("sunshine")),
        weighted(
            0.1,
            pick(&[
                "[factors.\"\"]\n",
                "[factors.economy]\npersistence = 1\n",
                "[factors]\n",
            ]),
        ),
    )
        .prop_map(|(a, b, c)| [a, b, c].into_iter().flatten().collect())
        .boxed()
}

/// `[[villages]]` entries: single villages `v<i>` or groups `g<i>`.
fn villages(level: Level) -> S {
    let count = mix(
        level,
        prop_oneof![30 => (1i64..=4).prop_map(|c| c.to_string()), 1 => pick(&["200", "1000"])].boxed(),
        pick(&["0", "-3", "100001", "9223372036854775807", "\"ten\"", "2.5", "1e5"]),
    );
    let township = mix(level, pick(&["\"East\"", "\"West\""]), pick(MALFORMED));
    let entry = (
        count,
        line(level, "township", false, township),
        line(level, "operating_income", true, param(level, Money)),
        line(level, "other_income", false, param(level, Money)),
        line(level, "growth", false, param(level, Growth)),
        line(level, "other_income_growth", false, param(level, Growth)),
        line(level, "loadings", false, loadings(level)),
    );
    let size = if level == Level::Wild { 0..5 } else { 2..5 };
    vec(entry, size)
        .prop_map(|entries| {
            let mut out = String::new();
            for (i, (count, township, income, other, growth, other_growth, loadings)) in entries.into_iter().enumerate()
            {
                out += "[[villages]]\n";
                // Villages v0, v2, ... and groups g1, g3, ..., which the
                // selectors refer to.
                if i % 2 == 1 {
                    out += &format!("group = \"g{i}\"\ncount = {count}\n");
                } else {
                    out += &format!("id = \"v{i}\"\nname = \"Village {i}\"\n");
                }
                out += &join(vec![township, income, other, growth, other_growth, loadings]);
                out += "\n";
            }
            out
        })
        .boxed()
}

fn interventions(level: Level) -> S {
    vec(intervention(level), 0..4)
        .prop_map(|list| {
            list.into_iter()
                .enumerate()
                .map(|(i, t)| t.replace("{ID}", &format!("i{i}")) + "\n")
                .collect()
        })
        .boxed()
}

/// `[[policies]]`; `{N}` stands for the number of interventions, so that
/// ordinary policies name only interventions that exist.
fn policies(level: Level) -> S {
    let name = mix(
        level,
        Just(String::new()).boxed(),
        pick(&["\"no intervention\"", "\"\"", "\"p0\"", "\"<script>\""]),
    );
    let id = mix(
        level,
        (0usize..4).prop_map(|k| format!("@{k}")).boxed(),
        pick(&["\"nope\"", "\"\"", "1", "\"i0\""]),
    );
    let one = (name, vec(id, 0..3));
    vec(one, 0..3)
        .prop_map(|list| {
            let mut out = String::new();
            for (i, (name, ids)) in list.into_iter().enumerate() {
                let name = if name.is_empty() { format!("\"p{i}\"") } else { name };
                out += &format!("[[policies]]\nname = {name}\ninterventions = [{}]\n\n", ids.join(", "));
            }
            out
        })
        .boxed()
}

/// Replaces `@k` by an existing intervention id (`i<k mod n>`), or drops it.
fn resolve_ids(policies: &str, interventions: usize) -> String {
    let mut out = String::new();
    for line in policies.lines() {
        if let Some(list) = line.strip_prefix("interventions = [").and_then(|l| l.strip_suffix(']')) {
            let mut ids: Vec<String> = Vec::new();
            for item in list.split(", ").filter(|s| !s.is_empty()) {
                let id = match item.strip_prefix('@').and_then(|k| k.parse::<usize>().ok()) {
                    Some(_) if interventions == 0 => continue,
                    Some(k) => format!("\"i{}\"", k % interventions),
                    None => item.to_string(),
                };
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            out += &format!("interventions = [{}]\n", ids.join(", "));
        } else {
            out += line;
            out += "\n";
        }
    }
    out
}

fn backtest(level: Level) -> S {
    let section = vec![
        line(level, "year", true, year(level)),
        line(level, "mean_village_income", false, number(level, Money)),
        line(level, "full_coverage", false, boolean(level)),
        line(level, "source", false, text(level)),
    ]
    .prop_map(|lines| format!("[backtest]\n{}\n", join(lines)));
    weighted(0.3, section).prop_map(Option::unwrap_or_default).boxed()
}

/// Stray lines that a damaged or hand-edited file may hold.
fn junk(level: Level) -> S {
    if level != Level::Wild {
        return Just(String::new()).boxed();
    }
    vec(
        pick(&[
            "[scenario]",
            "garbage",
            "x = 1",
            "[[villages]]",
            "[targets]\nfloor = 1",
            "[[interventions]]\nid = \"i0\"\nkind = \"income_stream\"\namount = 1",
            "= 3",
            "\"unterminated",
            "[factors.economy]\npersistence = 0.5",
        ]),
        0..2,
    )
    .prop_map(|v| v.iter().map(|l| format!("{l}\n")).collect())
    .boxed()
}

/// A whole scenario file.
pub fn scenario() -> S {
    prop_oneof![
        4 => Just(Level::Clean),
        4 => Just(Level::Mild),
        3 => Just(Level::Wild),
    ]
    .prop_flat_map(|level| {
        (
            header(level),
            targets(level),
            factors(level),
            villages(level),
            interventions(level),
            policies(level),
            backtest(level),
            junk(level),
        )
            .prop_map(|(h, t, f, v, i, p, b, j)| {
                let p = resolve_ids(&p, i.matches("[[interventions]]").count());
                [h, t, f, v, i, p, b, j].concat()
            })
    })
    .boxed()
}
