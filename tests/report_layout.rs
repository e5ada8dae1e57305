//! The report's layout in a real browser: headless Chromium opens the
//! quickstart's and Wuxing's report.html, in English and Chinese, with the
//! village table opened, at 800 and 1280 px; the page never scrolls
//! sideways (a wide table scrolls inside its own box). Skipped, with a
//! note, on a machine without Chromium (`CHROMIUM` names the binary).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::villagesim;

/// Opens every `<details>` and writes into the title how far the page
/// overflows sideways.
const PROBE: &str = "<script>window.onload=function(){document.querySelectorAll('details').forEach(function(d){d.open=true});var e=document.documentElement;document.title='OVERFLOW '+(e.scrollWidth-e.clientWidth)+' TABLES '+document.querySelectorAll('table').length;}</script>";

fn chromium() -> Option<PathBuf> {
    let named = std::env::var_os("CHROMIUM").map(PathBuf::from);
    named
        .into_iter()
        .chain(
            [
                "/usr/bin/chromium",
                "/usr/bin/chromium-browser",
                "/usr/bin/google-chrome",
            ]
            .map(PathBuf::from),
        )
        .find(|p| p.exists())
}

/// The page's title after load at `width` px.
fn probe(browser: &Path, page: &Path, width: u32) -> String {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            &format!("--window-size={width},900"),
            "--virtual-time-budget=3000",
            "--dump-dom",
        ])
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    let start = dom.find("<title>").map(|i| i + 7).unwrap_or(0);
    let end = dom[start..].find("</title>").map_or(start, |e| start + e);
    dom[start..end].to_string()
}

#[test]
fn reports_never_scroll_sideways_at_800_and_1280_px() {
    let Some(browser) = chromium() else {
        eprintln!("no Chromium: layout test skipped");
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for scenario in ["quickstart", "wuxing-2018"] {
        for lang in ["en", "zh"] {
            let out = dir.path().join(format!("{scenario}-{lang}"));
            let file = root.join("scenarios").join(format!("{scenario}.toml"));
            villagesim(dir.path())
                .arg("run")
                .arg(&file)
                .args(["--runs", "200", "--quiet", "--lang", lang, "--out"])
                .arg(&out)
                .assert()
                .success();
            let html = std::fs::read_to_string(out.join("report.html")).unwrap();
            assert!(
                html.contains("<details>"),
                "{scenario} {lang}: the village table is collapsible"
            );
            let page = out.join("probe.html");
            std::fs::write(&page, html.replace("</body>", &format!("{PROBE}</body>"))).unwrap();
            for width in [800, 1280] {
                let title = probe(&browser, &page, width);
                assert!(
                    title.starts_with("OVERFLOW 0 "),
                    "{scenario} {lang} at {width} px: the page scrolls sideways ({title})"
                );
            }
        }
    }
}
