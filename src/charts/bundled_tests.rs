//! The charts of the bundled scenarios (a few runs each), in both
//! languages: the rules every chart keeps, checked on what is drawn.

use std::sync::OnceLock;

use super::*;

/// The bundled scenarios' results at a few runs, simulated once.
fn bundled() -> &'static [(&'static str, Results)] {
    static R: OnceLock<Vec<(&'static str, Results)>> = OnceLock::new();
    R.get_or_init(|| {
        [("quickstart", 60), ("wuxing-2018", 20), ("huining-2025", 20)]
            .into_iter()
            .map(|(name, runs)| {
                let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.toml"));
                let mut model = crate::scenario::load(&path).expect("bundled scenario loads");
                model.runs = runs;
                let options = crate::engine::RunOptions {
                    threads: 2,
                    reference: 0,
                    ignore_memory_limit: true,
                    keep_finals: false,
                };
                (
                    name,
                    crate::engine::simulate(&model, options, &|_| {}).expect("simulates"),
                )
            })
            .collect()
    })
}

/// Writes every chart of every bundled scenario in `lang` and hands each
/// SVG's stem and text, and the bands per panel logged, to `check`.
fn each_chart(lang: Lang, mut check: impl FnMut(&str, &str, &str, &[usize])) {
    for (name, r) in bundled() {
        let dir = tempfile::tempdir().unwrap();
        take_band_log();
        let written = write_run_charts(r, dir.path(), lang).unwrap();
        let log = take_band_log();
        for w in &written {
            let Some(svg) = &w.svg else { continue };
            let stem = w.stem();
            let bands = log
                .iter()
                .find(|(s, _)| *s == stem)
                .map(|(_, b)| b.clone())
                .unwrap_or_default();
            check(name, &stem, svg, &bands);
        }
    }
}

#[test]
fn no_panel_has_more_than_three_bands() {
    let mut charts = 0;
    each_chart(Lang::En, |name, stem, _, bands| {
        charts += 1;
        assert!(!bands.is_empty(), "{name}/{stem}: no band count logged");
        assert!(
            bands.iter().all(|&b| b <= MAX_BANDS),
            "{name}/{stem}: bands per panel {bands:?}"
        );
    });
    assert!(charts >= 12, "only {charts} charts");
}

/// Numbers of 10,000 or more in a Chinese chart's text are yuan written
/// raw unless followed by 次 (runs): money in Chinese is in 万元 (and 亿元
/// from 1亿 on), on axes and labels alike.
#[test]
fn chinese_charts_write_large_sums_in_wan() {
    each_chart(Lang::Zh, |name, stem, svg, _| {
        let text = font::svg_text(svg);
        let chars: Vec<char> = text.chars().collect();
        let mut k = 0;
        while k < chars.len() {
            if chars[k].is_ascii_digit() {
                let start = k;
                while k < chars.len() && (chars[k].is_ascii_digit() || chars[k] == ',' || chars[k] == '.') {
                    k += 1;
                }
                let num: String = chars[start..k].iter().filter(|c| **c != ',').collect();
                let rest: String = chars[k..].iter().take(3).collect();
                let value: f64 = num.trim_end_matches('.').parse().unwrap_or(0.0);
                assert!(
                    value < 10_000.0 || rest.trim_start().starts_with('次'),
                    "{name}/{stem}: raw number {num} in {text:?}"
                );
            } else {
                k += 1;
            }
        }
    });
}

/// Every SVG carries a subset of the bundled font with every character its
/// text uses, and names that family first.
#[test]
fn every_svg_carries_its_font() {
    use ab_glyph::{Font, FontRef};
    use base64::Engine;
    let full = FontRef::try_from_slice(FONT_BYTES).unwrap();
    for lang in [Lang::En, Lang::Zh] {
        each_chart(lang, |name, stem, svg, _| {
            let text = font::svg_text(svg);
            let family = font_family_for(&text);
            assert!(
                svg.contains(&format!("font-family=\"{family}, sans-serif\"")),
                "{name}/{stem}"
            );
            let data = svg
                .split("base64,")
                .nth(1)
                .and_then(|s| s.split(')').next())
                .unwrap_or_else(|| panic!("{name}/{stem}: no embedded font"));
            let bytes = base64::engine::general_purpose::STANDARD.decode(data).unwrap();
            assert!(
                bytes.len() * 10 < FONT_BYTES.len(),
                "{name}/{stem}: {} bytes",
                bytes.len()
            );
            let sub = FontRef::try_from_slice(&bytes).unwrap();
            for c in text.chars().filter(|c| !c.is_whitespace() && full.glyph_id(*c).0 != 0) {
                assert_ne!(sub.glyph_id(c).0, 0, "{name}/{stem}: {c:?} missing from the subset");
            }
        });
    }
}

/// Preview of the bundled scenarios' charts for a human:
/// `cargo test bundled_preview -- --ignored`.
#[test]
#[ignore]
fn bundled_preview() {
    for (name, r) in bundled() {
        for (lang, sub) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target/chart-preview")
                .join(format!("{name}-{sub}"));
            fs::create_dir_all(&dir).unwrap();
            write_run_charts(r, &dir, lang).unwrap();
        }
    }
}
