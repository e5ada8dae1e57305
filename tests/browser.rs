//! The reports of the bundled scenarios, opened in a real browser (headless
//! Chromium, Debian's `chromium` package) as a planner would open them, in
//! English and Chinese:
//!
//! - no horizontal overflow of the page at 800 and at 1280 px, with every
//!   collapsed part opened (a table may scroll inside its own box, the page
//!   may not);
//! - every chart written to `charts/` is in the page;
//! - the page's text and the charts' text are drawn in the fonts the report
//!   embeds (`@font-face`), those fonts load, and they hold a glyph for every
//!   character on the page: Chromium runs with a font configuration whose
//!   only system font draws Latin letters and digits, as on a machine
//!   without CJK fonts.
//!
//! Needs Chromium: skipped with a printed reason where it is absent, unless
//! `VILLAGESIM_REQUIRE_BROWSER=1` (set by `.ci/run`, which installs it), when
//! its absence fails the test.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::villagesim;

/// The Chromium binary, if there is one.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("VILLAGESIM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

/// The script appended to a copy of the report: once the fonts are ready,
/// it writes what it measured into `<pre id="villagesim-check">` as JSON.
const PROBE: &str = r#"
<script>
document.querySelectorAll('details').forEach(d => { d.open = true; });
document.fonts.ready.then(() => {
  const faces = [];
  document.fonts.forEach(f => faces.push({ family: f.family.replace(/["']/g, ''), status: f.status }));
  const loaded = new Set(faces.filter(f => f.status === 'loaded').map(f => f.family));
  const wrong = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let text = '';
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const t = node.textContent.trim();
    if (!t || !node.parentElement || node.parentElement.closest('script, style')) continue;
    text += t;
    const first = getComputedStyle(node.parentElement).fontFamily.split(',')[0].trim().replace(/["']/g, '');
    if (!loaded.has(first) && wrong.length < 10) wrong.push(first + ': ' + t.slice(0, 40));
  }
  const out = document.createElement('pre');
  out.id = 'villagesim-check';
  out.textContent = JSON.stringify({
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    svgs: document.querySelectorAll('svg').length,
    faces, wrong, text,
  });
  document.body.appendChild(out);
});
</script>
"#;

/// Opens `html` at `width` px in headless Chromium with no system fonts and
/// returns the probe's JSON.
fn measure(browser: &Path, html: &Path, width: u32, fontconfig: &Path) -> serde_json::Value {
    let page = std::fs::read_to_string(html).expect("report.html");
    let probe = html.with_file_name(format!("probe-{width}.html"));
    let at = page.rfind("</body>").unwrap_or(page.len());
    std::fs::write(&probe, format!("{}{PROBE}{}", &page[..at], &page[at..])).expect("write probe");
    let out = Command::new(browser)
        .env("FONTCONFIG_FILE", fontconfig)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            &format!("--window-size={width},1000"),
            "--virtual-time-budget=10000",
            "--dump-dom",
        ])
        .arg(format!("file://{}", probe.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    let start = dom.find("<pre id=\"villagesim-check\">").unwrap_or_else(|| {
        panic!(
            "no probe output from chromium; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let json = &dom[start + "<pre id=\"villagesim-check\">".len()..];
    let json = &json[..json.find("</pre>").expect("end of the probe")];
    let json = json
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("probe JSON: {e}: {json}"))
}

/// The fonts embedded in a report as `data:` URLs in `@font-face` rules.
fn embedded_fonts(page: &str) -> Vec<Vec<u8>> {
    use base64::Engine;
    let mut fonts = Vec::new();
    let mut rest = page;
    while let Some(i) = rest.find(";base64,") {
        let data = &rest[i + 8..];
        let end = data
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '='))
            .unwrap_or(data.len());
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(&data[..end]) {
            fonts.push(bytes);
        }
        rest = &data[end..];
    }
    fonts
}

/// The browser, or `None` (the test then skips with a note, unless
/// `VILLAGESIM_REQUIRE_BROWSER=1`).
fn browser_or_skip() -> Option<PathBuf> {
    let browser = chromium();
    if browser.is_none() {
        let required = std::env::var_os("VILLAGESIM_REQUIRE_BROWSER").is_some_and(|v| v == "1");
        assert!(!required, "VILLAGESIM_REQUIRE_BROWSER=1 but no chromium was found");
        println!("skipped: headless Chromium not found (apt-get install chromium; .ci/run installs it)");
    }
    browser
}

/// A font configuration in `dir` whose only system font has Latin letters
/// and digits and no CJK glyph (a subset of the bundled font; Chromium
/// loads no web font at all without some system font).
fn latin_only_fonts(dir: &Path) -> PathBuf {
    let fonts = dir.join("fonts");
    std::fs::create_dir_all(&fonts).unwrap();
    let latin = embedded_fonts(&villagesim::charts::font_face_css(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;()-",
    ));
    std::fs::write(fonts.join("latin.otf"), &latin[0]).unwrap();
    let fontconfig = dir.join("fonts.conf");
    std::fs::write(
        &fontconfig,
        format!(
            "<?xml version=\"1.0\"?><!DOCTYPE fontconfig SYSTEM \"fonts.dtd\"><fontconfig><dir>{}</dir><cachedir>{}</cachedir></fontconfig>",
            fonts.display(),
            dir.join("fc-cache").display()
        ),
    )
    .unwrap();
    fontconfig
}

/// The report in `out` at 800 and 1280 px: no sideways scroll, every chart
/// of `out/charts` on the page, all text in the embedded fonts with a glyph
/// for every character. `what` names it in messages.
fn check_report(browser: &Path, out: &Path, fontconfig: &Path, what: &str) {
    let html = out.join("report.html");
    let page = std::fs::read_to_string(&html).unwrap();
    let charts = std::fs::read_dir(out.join("charts"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "svg"))
        .count();
    let fonts = embedded_fonts(&page);
    assert!(!fonts.is_empty(), "{what}: the report embeds no font");
    for width in [800, 1280] {
        let m = measure(browser, &html, width, fontconfig);
        let at = format!("{what} at {width} px");
        assert!(
            m["overflow"].as_i64().unwrap() <= 0,
            "{at}: the page overflows by {} px",
            m["overflow"]
        );
        assert!(
            m["svgs"].as_u64().unwrap() as usize >= charts,
            "{at}: {} charts on the page, {charts} written",
            m["svgs"]
        );
        let faces = m["faces"].as_array().unwrap();
        assert!(!faces.is_empty(), "{at}: no font face");
        // A face the page does not use stays "unloaded"; none may fail.
        assert!(
            faces.iter().all(|f| f["status"] != "error"),
            "{at}: a font failed to load: {faces:?}"
        );
        assert!(
            m["wrong"].as_array().unwrap().is_empty(),
            "{at}: text not in an embedded font: {}",
            m["wrong"]
        );
        // Every character has a glyph in one of the embedded fonts.
        let parsed: Vec<ab_glyph::FontRef> = fonts
            .iter()
            .map(|f| ab_glyph::FontRef::try_from_slice(f).expect("an embedded font parses"))
            .collect();
        let missing: String = m["text"]
            .as_str()
            .unwrap()
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .filter(|&c| parsed.iter().all(|f| ab_glyph::Font::glyph_id(f, c).0 == 0))
            .collect::<std::collections::BTreeSet<char>>()
            .into_iter()
            .collect();
        assert!(missing.is_empty(), "{at}: no glyph for {missing:?}");
    }
}

#[test]
fn bundled_reports_render_in_a_browser_without_system_fonts() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let fontconfig = latin_only_fonts(dir.path());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for scenario in ["quickstart", "wuxing-2018", "huining-2025"] {
        for lang in ["en", "zh"] {
            let out = dir.path().join(format!("{scenario}-{lang}"));
            villagesim(dir.path())
                .arg("run")
                .arg(root.join("scenarios").join(format!("{scenario}.toml")))
                .args(["--runs", "200", "--quiet", "--lang", lang, "--out"])
                .arg(&out)
                .assert()
                .success();
            check_report(&browser, &out, &fontconfig, &format!("{scenario} {lang}"));
        }
    }
}

/// The brief of `villagesim sweep` (one and two parameters), in both
/// languages, passes the same checks as a run's.
#[test]
fn sweep_reports_render_in_a_browser_without_system_fonts() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let fontconfig = latin_only_fonts(dir.path());
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/wuxing-2018.toml");
    let rate = "interventions.support-fund.return_rate_per_year=4%:10%:7";
    for (name, sets) in [("one", vec![rate]), ("two", vec![rate, "targets.floor=40万:60万:3"])] {
        for lang in ["en", "zh"] {
            let out = dir.path().join(format!("sweep-{name}-{lang}"));
            let mut cmd = villagesim(dir.path());
            cmd.arg("sweep").arg(&file);
            for set in &sets {
                cmd.args(["--set", set]);
            }
            cmd.args(["--runs", "50", "--quiet", "--lang", lang, "--out"])
                .arg(&out)
                .assert()
                .success();
            check_report(
                &browser,
                &out,
                &fontconfig,
                &format!("sweep of {name} parameter(s), {lang}"),
            );
        }
    }
}
