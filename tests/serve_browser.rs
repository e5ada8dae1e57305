//! The page of `villagesim serve` in a real browser: Debian's `chromium`
//! driven through WebDriver (`chromedriver`, Debian's `chromium-driver`)
//! with fantoccini, as a planner would use it:
//!
//! - load the page and wait for the full answer;
//! - change the support fund's return rate, press Enter, wait for the new
//!   full answer, and read the support fund's mean village income from the
//!   page: it equals a command-line run of the scenario with the same value,
//!   to the yuan's last bit;
//! - switch to Chinese: the headline is in Chinese;
//! - download the workbook and read it (calamine).
//!
//! Needs Chromium and chromedriver: skipped with a printed reason where
//! either is absent, unless `VILLAGESIM_REQUIRE_BROWSER=1` (set by
//! `.ci/run`, which installs both), when their absence fails the test.
//! With `VILLAGESIM_SCREENSHOT=FILE` it also saves a picture of the page
//! (the README's).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use calamine::{Data, Reader};
use fantoccini::{Client, ClientBuilder, Locator};

use common::serve::{cli_summary, serve, summary_income};

const WUXING: &str = "wuxing-2018.toml";
const RATE: &str = "interventions.support-fund.return_rate_per_year";
const RUNS: u64 = 300;

fn found(candidates: &[&str], var: &str) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(var) {
        return Some(PathBuf::from(p));
    }
    candidates.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// Chromium and chromedriver, or `None` (the test then skips with a note,
/// unless `VILLAGESIM_REQUIRE_BROWSER=1`).
fn browser_or_skip() -> Option<(PathBuf, PathBuf)> {
    let chromium = found(
        &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
        "VILLAGESIM_CHROMIUM",
    );
    let driver = found(
        &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"],
        "VILLAGESIM_CHROMEDRIVER",
    );
    match (chromium, driver) {
        (Some(c), Some(d)) => Some((c, d)),
        (c, d) => {
            let required = std::env::var_os("VILLAGESIM_REQUIRE_BROWSER").is_some_and(|v| v == "1");
            let missing = [(c.is_none(), "chromium"), (d.is_none(), "chromedriver")]
                .iter()
                .filter(|(m, _)| *m)
                .map(|(_, n)| *n)
                .collect::<Vec<_>>()
                .join(" and ");
            assert!(!required, "VILLAGESIM_REQUIRE_BROWSER=1 but {missing} was not found");
            println!("skipped: {missing} not found (apt-get install chromium chromium-driver; .ci/run installs them)");
            None
        }
    }
}

/// A chromedriver process, stopped when dropped.
struct Driver(Child, u16);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_driver(path: &Path) -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
    Driver(child, port)
}

async fn connect(driver: &Driver, chromium: &Path, profile: &Path, downloads: &Path) -> Client {
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": chromium.to_string_lossy(),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1400,1500",
                format!("--user-data-dir={}", profile.display()),
            ],
            "prefs": {
                "download.default_directory": downloads.to_string_lossy(),
                "download.prompt_for_download": false,
                "download.directory_upgrade": true,
                "safebrowsing.enabled": false,
            },
        }
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!()
    };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.1))
        .await
        .expect("a WebDriver session")
}

/// Polls `check` every 100 ms until it gives a value, for at most `secs`.
async fn until<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn attr(c: &Client, css: &str, name: &str) -> Option<String> {
    c.find(Locator::Css(css)).await.ok()?.attr(name).await.ok()?
}

/// Waits for the full answer of a run after `after` and returns its number.
async fn full_answer(c: &Client, after: u64) -> u64 {
    until(120, "the full answer", || async {
        let gen: u64 = attr(c, "#lead", "data-gen").await?.parse().ok()?;
        let full = attr(c, "#lead", "data-stage").await? == "full";
        (gen > after && full).then_some(gen)
    })
    .await
}

#[test]
fn a_planner_changes_a_rate_in_a_real_browser_and_gets_the_command_lines_answer() {
    let Some((chromium, driver_path)) = browser_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join(WUXING);
    std::fs::copy(Path::new("scenarios").join(WUXING), &file).expect("copy");
    let downloads = dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).expect("downloads");
    let out = dir.path().join("served");
    let served = serve(
        dir.path(),
        &file,
        &[
            "--runs",
            &RUNS.to_string(),
            "--quick-runs",
            "100",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let driver = start_driver(&driver_path);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let (income, book) = runtime.block_on(async {
        let c = connect(&driver, &chromium, &dir.path().join("profile"), &downloads).await;
        c.goto(&served.url).await.expect("the page loads");
        let first = full_answer(&c, 0).await;
        let lead = c.find(Locator::Css("#lead")).await.unwrap().text().await.unwrap();
        assert!(lead.contains("villages stay below the floor"), "{lead}");

        // Policy B: the support fund.
        let pick = c.find(Locator::Css("#policy-b .pick")).await.unwrap();
        pick.select_by_label("support fund")
            .await
            .expect("the support fund is a policy");
        let income_of = || async {
            attr(&c, "#policy-b[data-policy='support fund'] .income .value", "data-value")
                .await
                .and_then(|v| v.parse::<f64>().ok())
        };
        let before = until(10, "the support fund's income", income_of).await;

        // The rate: 6% in the file, 4% typed, Enter.
        let input = c
            .find(Locator::Css(&format!("input[data-path='{RATE}']")))
            .await
            .unwrap();
        assert_eq!(input.prop("value").await.unwrap().as_deref(), Some("6"));
        input.clear().await.unwrap();
        input.send_keys("4\u{E007}").await.unwrap();
        full_answer(&c, first).await;
        let after = until(10, "the new income", income_of).await;
        assert!(after < before, "a lower return lowers the income: {after} vs {before}");
        let changed = c.find(Locator::Css(".field.changed")).await.unwrap();
        assert_eq!(changed.attr("data-path").await.unwrap().as_deref(), Some(RATE));

        // Chinese.
        c.find(Locator::Css("#lang-zh")).await.unwrap().click().await.unwrap();
        until(20, "the Chinese headline", || async {
            (attr(&c, "#lead", "data-lang").await? == "zh").then_some(())
        })
        .await;
        let lead = c.find(Locator::Css("#lead")).await.unwrap().text().await.unwrap();
        assert!(lead.contains("低于底线"), "the headline in Chinese: {lead}");
        assert!(!lead.contains("villages"), "{lead}");

        if let Some(path) = std::env::var_os("VILLAGESIM_SCREENSHOT") {
            c.find(Locator::Css("#lang-en")).await.unwrap().click().await.unwrap();
            until(20, "the English headline", || async {
                (attr(&c, "#lead", "data-lang").await? == "en").then_some(())
            })
            .await;
            let png = c.screenshot().await.expect("a screenshot");
            std::fs::write(path, png).expect("write the screenshot");
            c.find(Locator::Css("#lang-zh")).await.unwrap().click().await.unwrap();
            until(20, "the Chinese headline", || async {
                (attr(&c, "#lead", "data-lang").await? == "zh").then_some(())
            })
            .await;
        }

        // The workbook, downloaded as a planner would.
        c.find(Locator::Css("#dl-workbook"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let book = until(60, "the downloaded workbook", || async {
            let entries = std::fs::read_dir(&downloads).ok()?;
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|x| x == "xlsx"))
        })
        .await;
        c.close().await.expect("close the browser");
        (after, book)
    });

    // The command line with the same value, the file edited by hand.
    let original = std::fs::read_to_string(&file).unwrap();
    let edited = original.replace(r#"return_rate_per_year = "6%""#, r#"return_rate_per_year = "4%""#);
    assert_ne!(edited, original);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        original,
        "the page saved nothing"
    );
    let by_hand = dir.path().join("by-hand.toml");
    std::fs::write(&by_hand, edited).unwrap();
    let cli = cli_summary(dir.path(), &by_hand, RUNS);
    let expected = summary_income(&cli, "support fund");
    assert_eq!(income, expected, "the page's figure is the command line's, exactly");

    // The workbook: Chinese sheets, money in 万元, the same figure.
    assert!(book
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("wuxing-2018-results"));
    let mut wb = calamine::open_workbook_auto(&book).expect("the workbook opens");
    assert_eq!(wb.sheet_names()[0], "摘要");
    let summary = wb.worksheet_range("摘要").expect("the summary sheet");
    let support_fund_zh = cli["policies"]
        .as_array()
        .unwrap()
        .iter()
        .position(|p| p["name"] == "support fund")
        .unwrap();
    // The policies' table: the rows after its header "政策", in order.
    let row = summary
        .rows()
        .skip_while(|r| r.first() != Some(&Data::String("政策".into())))
        .nth(1 + support_fund_zh)
        .expect("the support fund's row");
    let Data::Float(wan) = row[1] else { unreachable!() };
    assert!(
        (wan - expected / 1e4).abs() < 1e-9 * expected,
        "{wan} 万元 vs {expected} yuan"
    );
}
