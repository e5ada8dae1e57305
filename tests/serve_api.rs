//! `villagesim serve` over plain HTTP: the refusals (no or wrong token, a
//! foreign host or origin, an oversized request, paths outside the
//! scenario and output folders), an edit's answer against the command
//! line, a superseded run, a bad value's error, and that the scenario file
//! changes only on an explicit save.

mod common;

use std::path::{Path, PathBuf};

use common::serve::{cli_summary, policy, request, serve, summary_income, Served};

const WUXING: &str = "wuxing-2018.toml";
const RATE: &str = "interventions.support-fund.return_rate_per_year";

/// A folder holding a copy of the Wuxing scenario, and a server on it.
fn wuxing() -> (tempfile::TempDir, PathBuf, Served) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join(WUXING);
    std::fs::copy(Path::new("scenarios").join(WUXING), &file).expect("copy the scenario");
    let out = dir.path().join("served");
    let served = serve(
        dir.path(),
        &file,
        &[
            "--runs",
            "300",
            "--quick-runs",
            "100",
            "--out",
            out.to_str().expect("utf-8"),
        ],
    );
    (dir, file, served)
}

#[test]
fn requests_without_the_token_are_refused() {
    let (_dir, _file, s) = wuxing();
    let page = request(s.addr, "GET", "/", &[], b"");
    assert_eq!(page.status, 403, "the page without its token");
    let api = request(s.addr, "GET", "/api/scenarios", &[], b"");
    assert_eq!(api.status, 403);
    assert!(api.json()["error"].as_str().unwrap().contains("no token"));
    let wrong = request(s.addr, "GET", "/api/scenarios", &["X-Villagesim-Token: 0123"], b"");
    assert_eq!(wrong.status, 403);
    assert!(wrong.json()["error"].as_str().unwrap().contains("wrong token"));
    let ok = request(s.addr, "GET", &format!("/?token={}", s.token), &[], b"");
    assert_eq!(ok.status, 200);
    assert!(String::from_utf8_lossy(&ok.body).contains("/page.js"));
    assert_eq!(
        ok.header("referrer-policy"),
        Some("no-referrer"),
        "the token must not leak"
    );
    // The page's static files need no token (they hold nothing secret).
    assert_eq!(request(s.addr, "GET", "/page.js", &[], b"").status, 200);
    let listed = s.call("GET", "/api/scenarios", &serde_json::Value::Null);
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json()[0]["file"], WUXING);
}

#[test]
fn a_foreign_host_or_origin_is_refused() {
    let (_dir, _file, s) = wuxing();
    let token = format!("X-Villagesim-Token: {}", s.token);
    // DNS rebinding: a page of another name resolving to 127.0.0.1.
    let host = request(s.addr, "GET", "/api/scenarios", &[&token, "Host: evil.example:80"], b"");
    assert_eq!(host.status, 403);
    assert!(host.json()["error"].as_str().unwrap().contains("evil.example"));
    let origin = request(
        s.addr,
        "POST",
        "/api/run",
        &[&token, "Origin: http://evil.example"],
        br#"{"file": "wuxing-2018.toml"}"#,
    );
    assert_eq!(origin.status, 403);
    assert!(origin.json()["error"].as_str().unwrap().contains("cross-site"));
    let localhost = format!("Host: localhost:{}", s.addr.port());
    assert_eq!(
        request(s.addr, "GET", "/api/scenarios", &[&token, &localhost], b"").status,
        200
    );
}

#[test]
fn an_oversized_request_is_refused() {
    let (_dir, _file, s) = wuxing();
    let token = format!("X-Villagesim-Token: {}", s.token);
    let big = vec![b' '; 200 * 1024];
    let r = request(s.addr, "POST", "/api/run", &[&token], &big);
    assert_eq!(r.status, 413);
    assert!(r.json()["error"].as_str().unwrap().contains("64 KiB"));
}

#[test]
fn paths_outside_the_folders_are_refused() {
    let (_dir, _file, s) = wuxing();
    for file in ["../Cargo.toml", "/etc/passwd", "other.toml"] {
        let r = s.call("POST", "/api/run", &serde_json::json!({ "file": file }));
        assert_eq!(r.status, 403, "{file}");
        assert!(r.json()["error"]
            .as_str()
            .unwrap()
            .contains("not a scenario of this folder"));
    }
    for path in [
        "/output/../../../etc/passwd",
        "/output/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/output/../wuxing-2018.toml",
    ] {
        let r = s.call("GET", path, &serde_json::Value::Null);
        assert_eq!(r.status, 403, "{path}: {}", String::from_utf8_lossy(&r.body));
    }
}

#[test]
fn an_edit_gives_the_command_lines_answer_and_the_file_changes_only_on_save() {
    let (dir, file, s) = wuxing();
    let original = std::fs::read_to_string(&file).expect("read");
    let (gen0, base) = s.run_full(WUXING, &[], "en");
    let (gen, view) = s.run_full(WUXING, &[(RATE, "4%")], "en");
    assert!(gen > gen0);
    assert_eq!(view["runs"], 300);
    let served = policy(&view, "support fund")["summary"]["mean_village_income_yuan"]["mean"]
        .as_f64()
        .expect("a figure");
    let before = policy(&base, "support fund")["summary"]["mean_village_income_yuan"]["mean"]
        .as_f64()
        .expect("a figure");
    assert!(
        served < before,
        "a lower return lowers the income: {served} vs {before}"
    );
    // The same value on the command line, the file edited by hand.
    let edited = original.replace(r#"return_rate_per_year = "6%""#, r#"return_rate_per_year = "4%""#);
    assert_ne!(edited, original);
    let by_hand = dir.path().join("by-hand.toml");
    std::fs::write(&by_hand, &edited).expect("write");
    let cli = cli_summary(dir.path(), &by_hand, 300);
    assert_eq!(
        served,
        summary_income(&cli, "support fund"),
        "the page's figure is the command line's, exactly"
    );
    let quick = s.call(
        "POST",
        "/api/run",
        &serde_json::json!({ "file": WUXING, "edits": [{ "path": RATE, "text": "4%" }] }),
    );
    assert_eq!(quick.json()["view"]["stage"], "quick");
    assert_eq!(quick.json()["view"]["runs"], 100);
    let gen = quick.json()["gen"].as_u64().unwrap();

    // Downloads: the edited TOML keeps the file's comments.
    let toml = s.call(
        "GET",
        &format!("/download/scenario.toml?gen={gen}"),
        &serde_json::Value::Null,
    );
    assert_eq!(toml.status, 200);
    let text = String::from_utf8(toml.body.clone()).expect("UTF-8");
    assert!(
        text.contains(r#"return_rate_per_year = "4%"           # report: 2.691 M"#),
        "{text}"
    );
    assert!(toml
        .header("content-disposition")
        .unwrap()
        .contains("wuxing-2018-edited.toml"));
    let (gen, _) = s.run_full(WUXING, &[(RATE, "4%")], "zh");
    let book = s.call(
        "GET",
        &format!("/download/results.xlsx?gen={gen}&lang=zh"),
        &serde_json::Value::Null,
    );
    assert_eq!(book.status, 200);
    assert_eq!(&book.body[..2], b"PK", "an xlsx is a zip");
    let brief = s.call(
        "GET",
        &format!("/download/brief.html?gen={gen}&lang=zh"),
        &serde_json::Value::Null,
    );
    assert_eq!(brief.status, 200);
    assert!(String::from_utf8_lossy(&brief.body).contains("低于底线"));
    let md = s.call(
        "GET",
        &format!("/download/brief.md?gen={gen}&lang=zh"),
        &serde_json::Value::Null,
    );
    let md = String::from_utf8(md.body).expect("UTF-8");
    assert!(
        md.contains("](data:image/png;base64,iVBOR"),
        "the charts travel with the Markdown"
    );
    assert!(
        !md.contains("](charts/"),
        "no chart is left behind a link to a file not downloaded"
    );

    // The brief names the command that makes its figures from the edited file.
    assert!(
        String::from_utf8_lossy(&brief.body)
            .contains("villagesim run wuxing-2018-edited.toml --runs 300 --seed 2018 --lang zh"),
        "the brief's command"
    );
    // Two downloads at once, in two languages: each in its own.
    let (en, zh) = std::thread::scope(|t| {
        let en = t.spawn(|| {
            s.call(
                "GET",
                &format!("/download/brief.html?gen={gen}&lang=en"),
                &serde_json::Value::Null,
            )
        });
        let zh = t.spawn(|| {
            s.call(
                "GET",
                &format!("/download/brief.md?gen={gen}&lang=zh"),
                &serde_json::Value::Null,
            )
        });
        (en.join().unwrap(), zh.join().unwrap())
    });
    assert_eq!((en.status, zh.status), (200, 200));
    assert!(String::from_utf8_lossy(&en.body).contains("villages stay below the floor"));
    assert!(String::from_utf8_lossy(&zh.body).contains("低于底线"));

    // Nothing so far touched the file; the save does.
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
    let saved = s.call("POST", "/api/save", &serde_json::json!({ "gen": gen }));
    assert_eq!(saved.status, 200, "{}", String::from_utf8_lossy(&saved.body));
    let now = std::fs::read_to_string(&file).unwrap();
    assert_eq!(now, edited, "the save writes the edited text, comments kept");

    // A file changed on disk since the page read it is not overwritten.
    let (gen, _) = s.run_full(WUXING, &[(RATE, "5%")], "en");
    let by_planner = format!("{edited}\n# a note the planner added by hand\n");
    std::fs::write(&file, &by_planner).unwrap();
    let refused = s.call("POST", "/api/save", &serde_json::json!({ "gen": gen }));
    assert_eq!(refused.status, 409);
    assert!(refused.json()["error"].as_str().unwrap().contains("changed on disk"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), by_planner);
}

#[test]
fn a_request_that_never_sends_its_body_is_refused_without_the_token_at_once() {
    use std::io::{Read, Write};
    let (_dir, _file, s) = wuxing();
    let mut hung = Vec::new();
    // More than the server's request threads, none sending its body. (One
    // after the other: opened all in the same instant, tiny_http's own
    // connection threads can queue a new connection behind a hung one; see
    // the note on issue 16.)
    for _ in 0..8 {
        std::thread::sleep(std::time::Duration::from_millis(50));
        let mut c = std::net::TcpStream::connect(s.addr).unwrap();
        c.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
        let head = format!(
            "POST /api/run HTTP/1.1\r\nHost: {}\r\nContent-Length: 5000\r\n\r\n",
            s.addr
        );
        c.write_all(head.as_bytes()).unwrap();
        hung.push(c);
    }
    for c in &mut hung {
        // The connection stays open (keep-alive): read what came.
        let mut reply = [0u8; 12];
        c.read_exact(&mut reply)
            .expect("an answer while the body is still owed");
        assert_eq!(&reply, b"HTTP/1.1 403", "refused before its body");
    }
    assert_eq!(
        s.call("GET", "/api/scenarios", &serde_json::Value::Null).status,
        200,
        "still serving"
    );
}

#[test]
fn a_newer_run_supersedes_the_older_and_a_bad_value_says_where_and_why() {
    let (_dir, _file, s) = wuxing();
    let ask = |text: &str| {
        s.call(
            "POST",
            "/api/run",
            &serde_json::json!({ "file": WUXING, "edits": [{ "path": RATE, "text": text }] }),
        )
    };
    let first = ask("5%").json()["gen"].as_u64().unwrap();
    let second = ask("7%").json()["gen"].as_u64().unwrap();
    assert!(second > first);
    let old = s.call(
        "GET",
        &format!("/api/result?gen={first}&wait=5"),
        &serde_json::Value::Null,
    );
    assert_eq!(old.json()["superseded"], true);
    let old_download = s.call(
        "GET",
        &format!("/download/brief.html?gen={first}"),
        &serde_json::Value::Null,
    );
    assert_eq!(old_download.status, 409);

    let bad = ask("lots");
    assert_eq!(bad.status, 422);
    let message = bad.json()["error"].as_str().unwrap().to_string();
    assert!(message.contains("wuxing-2018.toml"), "{message}");
    assert!(message.contains("return_rate_per_year"), "{message}");
    let nowhere = s.call(
        "POST",
        "/api/run",
        &serde_json::json!({ "file": WUXING, "edits": [{ "path": "interventions.no-such-fund.rate", "text": "5%" }] }),
    );
    assert_eq!(nowhere.status, 422);
    assert!(nowhere.json()["error"]
        .as_str()
        .unwrap()
        .contains("not one of the values this page changes"));
    // Only the values the page shows: not the runs, not a path to a file.
    for path in ["scenario.runs", "villages[0].file"] {
        let r = s.call(
            "POST",
            "/api/run",
            &serde_json::json!({ "file": WUXING, "edits": [{ "path": path, "text": "/etc/passwd" }] }),
        );
        assert_eq!(r.status, 422, "{path}");
        assert!(r.json()["error"]
            .as_str()
            .unwrap()
            .contains("not one of the values this page changes"));
    }
    // Odd numbers in a query are no reason to fail, nor to stop serving.
    for wait in ["NaN", "inf", "-1", "1e308"] {
        let r = s.call(
            "GET",
            &format!("/api/result?gen={second}&wait={wait}"),
            &serde_json::Value::Null,
        );
        assert_eq!(r.status, 200, "wait={wait}");
    }
    let still = s.call("GET", "/api/scenarios", &serde_json::Value::Null);
    assert_eq!(still.status, 200);
}

#[test]
fn a_folder_lists_its_scenarios_and_a_bad_ui_path_names_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let quick = std::fs::read_to_string("scenarios/quickstart.toml").expect("read");
    std::fs::write(dir.path().join("a-quickstart.toml"), &quick).unwrap();
    let bad = format!("{quick}\n[ui]\nshow = [\n    \"targets.floor\",\n    \"interventions.no-such-fund.rate\",\n]\n");
    let line = bad.lines().position(|l| l.contains("no-such-fund")).unwrap() + 1;
    std::fs::write(dir.path().join("b-bad-ui.toml"), &bad).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a scenario").unwrap();
    let s = serve(
        dir.path(),
        dir.path(),
        &["--runs", "50", "--quick-runs", "20", "--out", "served"],
    );
    let listed = s.call("GET", "/api/scenarios", &serde_json::Value::Null).json();
    let files: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["a-quickstart.toml", "b-bad-ui.toml"]);
    assert_eq!(listed[0]["title_en"], "Quickstart county");

    let (_, view) = s.run_full("a-quickstart.toml", &[], "en");
    assert_eq!(view["runs"], 50);
    let r = s.call("POST", "/api/run", &serde_json::json!({ "file": "b-bad-ui.toml" }));
    assert_eq!(r.status, 422);
    let message = r.json()["error"].as_str().unwrap().to_string();
    assert!(
        message.starts_with(&format!("line {line}: [ui] show: `interventions.no-such-fund.rate`")),
        "{message}"
    );
    assert!(
        message.contains("support-fund"),
        "says which entries there are: {message}"
    );
}
