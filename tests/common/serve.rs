//! A `villagesim serve` process for the tests, and plain HTTP/1.1 to it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running server, stopped when dropped.
pub struct Served {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub addr: SocketAddr,
    pub token: String,
    /// The address it printed, token included.
    pub url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `villagesim serve TARGET --listen 127.0.0.1:0 ARGS` in `dir` and
/// reads the address it prints.
pub fn serve(dir: &Path, target: &Path, args: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_villagesim"))
        .current_dir(dir)
        .arg("serve")
        .arg(target)
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("villagesim serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the address is printed");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    let (base, token) = url.split_once("/?token=").expect("the address holds the token");
    let addr: SocketAddr = base.trim_start_matches("http://").parse().expect("an IP address");
    Served {
        child,
        base: base.to_string(),
        addr,
        token: token.to_string(),
        url,
    }
}

/// A response: status, headers (lower-case names) and body.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Sends one request (`headers` as `Name: value` lines, `Host` added
/// unless given) and reads the whole response.
pub fn request(addr: SocketAddr, method: &str, path: &str, headers: &[&str], body: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(120))).expect("timeout");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers.iter().any(|h| h.to_ascii_lowercase().starts_with("host:")) {
        head += &format!("Host: {addr}\r\n");
    }
    for h in headers {
        head += h;
        head += "\r\n";
    }
    head += "\r\n";
    s.write_all(head.as_bytes()).expect("send");
    // The server may refuse before reading a large body: a failed write
    // of the rest is its answer.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect::<Vec<_>>();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
    {
        body = unchunk(&body);
    }
    Reply { status, headers, body }
}

fn unchunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = usize::from_str_radix(String::from_utf8_lossy(&b[..eol]).trim(), 16).unwrap_or(0);
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[eol + 2 + size + 2..];
    }
}

impl Served {
    /// A request with the token in its header.
    pub fn call(&self, method: &str, path: &str, body: &serde_json::Value) -> Reply {
        let token = format!("X-Villagesim-Token: {}", self.token);
        let body = if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        };
        request(
            self.addr,
            method,
            path,
            &[&token, "Content-Type: application/json"],
            &body,
        )
    }

    /// Asks for a run of `file` with `edits` (`(path, text)`) and waits for
    /// its full answer: the run's number and the full view.
    pub fn run_full(&self, file: &str, edits: &[(&str, &str)], lang: &str) -> (u64, serde_json::Value) {
        let edits: Vec<_> = edits
            .iter()
            .map(|(p, t)| serde_json::json!({ "path": p, "text": t }))
            .collect();
        let r = self.call(
            "POST",
            "/api/run",
            &serde_json::json!({ "file": file, "edits": edits, "lang": lang }),
        );
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let first = r.json();
        let gen = first["gen"].as_u64().expect("gen");
        let mut view = first["view"].clone();
        for _ in 0..30 {
            if view["stage"] == "full" {
                return (gen, view);
            }
            let r = self.call(
                "GET",
                &format!("/api/result?gen={gen}&lang={lang}&wait=10"),
                &serde_json::Value::Null,
            );
            assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
            view = r.json()["view"].clone();
        }
        panic!("no full answer for run {gen}");
    }
}

/// The policy named `name` in a view.
pub fn policy<'a>(view: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    view["policies"]
        .as_array()
        .expect("policies")
        .iter()
        .find(|p| p["summary"]["name"] == name)
        .unwrap_or_else(|| panic!("no policy {name}"))
}

/// `summary.json` of `villagesim run FILE --runs RUNS --out OUT` in `dir`.
pub fn cli_summary(dir: &Path, file: &Path, runs: u64) -> serde_json::Value {
    let out = dir.join(format!(
        "cli-{}",
        file.file_stem().unwrap_or_default().to_string_lossy()
    ));
    let status = Command::new(env!("CARGO_BIN_EXE_villagesim"))
        .current_dir(dir)
        .arg("run")
        .arg(file)
        .args(["--runs", &runs.to_string(), "--quiet", "--out"])
        .arg(&out)
        .status()
        .expect("villagesim run");
    assert!(status.success());
    serde_json::from_slice(&std::fs::read(out.join("summary.json")).expect("summary.json")).expect("JSON")
}

/// The mean village income of policy `name` in a `summary.json`.
pub fn summary_income(summary: &serde_json::Value, name: &str) -> f64 {
    summary["policies"]
        .as_array()
        .expect("policies")
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["mean_village_income_yuan"]["mean"].as_f64())
        .unwrap_or_else(|| panic!("no policy {name}"))
}
