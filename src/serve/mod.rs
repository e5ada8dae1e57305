//! `villagesim serve`: a local page on which a planner changes a policy's
//! values and sees the answer, on the same engine and random numbers as
//! `villagesim run`.
//!
//! The server is [tiny_http]: a blocking HTTP/1.1 server with no async
//! runtime. One planner talks to one page on their own machine; the work
//! is the engine's, on rayon threads, not the server's, so an async stack
//! (axum on tokio) would add a runtime and a longer build for nothing the
//! page needs. A few threads take requests ([`REQUEST_THREADS`]) so that
//! a page waiting for a full answer does not hold up the others.
//!
//! What it serves (every route but the static files needs the session's
//! token; the checks are in [`http`]):
//!
//! | route | what |
//! |---|---|
//! | `GET /?token=T` | the page |
//! | `GET /page.js`, `/page.css`, `/font.otf` | the page's script, style and the report's font, from the binary |
//! | `GET /api/scenarios` | the scenarios of the folder |
//! | `POST /api/run` | `{file, edits: [{path, text}], lang}`: the edited scenario checked, its quick answer and fields; the full answer started |
//! | `GET /api/result?gen=N&lang=L&wait=S` | job N's full answer, waiting up to S seconds; or that a newer job replaced it |
//! | `GET /download/NAME?gen=N&lang=L` | `brief.html`, `brief.md`, `results.xlsx` (the full answer's outputs, written to the output folder) or `scenario.toml` (the edited text) |
//! | `GET /output/PATH` | a file of the output folder, only inside it |
//! | `POST /api/save` | `{gen}`: job N's edited text written over its scenario file (the only write to a scenario file) |
//!
//! Data flows as in a run: scenario text -> [`fields::change`] edits ->
//! [`crate::scenario::parse_bytes`] -> [`jobs`] (the engine) -> [`view`]
//! (the brief's sentences and charts) and the outputs of
//! [`crate::output::write_run`].

pub mod fields;
pub mod http;
pub mod jobs;
pub mod view;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::engine::RunOptions;
use crate::format::Lang;
use crate::output::{self, Manifest, OutputLock};
use crate::scenario::{self, LoadError, ReadOptions};
use http::{Guard, Req, Resp};
use jobs::{Job, Jobs, Stage, Waited};

/// Threads taking requests.
pub const REQUEST_THREADS: usize = 6;

/// The longest a request waits for a full answer before it is told to ask
/// again.
pub const MAX_WAIT: Duration = Duration::from_secs(20);

/// Runs of the quick answer unless `--quick-runs` says otherwise.
pub const QUICK_RUNS: u64 = 200;

const PAGE_HTML: &str = include_str!("page/index.html");
const PAGE_JS: &str = include_str!("page/page.js");
const PAGE_CSS: &str = include_str!("page/page.css");

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// A scenario file, or a folder of them (its `*.toml` files).
    pub target: PathBuf,
    /// The address to listen on (port 0: any free port).
    pub listen: SocketAddr,
    /// The folder the downloads' outputs are written in
    /// (`OUT/<scenario-slug>/`).
    pub out: PathBuf,
    /// Runs of the full answer, instead of the scenario's.
    pub runs: Option<u64>,
    /// Runs of the quick answer.
    pub quick_runs: u64,
    /// Worker threads of the engine (0: one per core).
    pub threads: usize,
    /// The page's language when it opens.
    pub lang: Lang,
}

/// Why the server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {message}")]
    Bind { addr: SocketAddr, message: String },
    #[error("{}: no scenario files (*.toml) in this folder", path.display())]
    NoScenario { path: PathBuf },
    #[error("cannot open {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// A server bound to its address, ready to serve.
pub struct Server {
    http: Arc<tiny_http::Server>,
    app: Arc<App>,
    addr: SocketAddr,
}

struct App {
    opts: ServeOptions,
    /// The scenarios' folder and the files served from it (names in it).
    folder: PathBuf,
    files: Vec<String>,
    /// The output folder (made at start).
    out: PathBuf,
    guard: Guard,
    jobs: Arc<Jobs>,
    /// Which job's outputs the output folder holds, in which language;
    /// held through a download and through a save.
    written: std::sync::Mutex<Written>,
}

/// A job's number, the language and the folder of the outputs written.
type Written = Option<(u64, Lang, PathBuf)>;

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl Server {
    /// Finds the scenarios of `opts.target` and listens on `opts.listen`.
    ///
    /// # Errors
    ///
    /// [`ServeError`] when the target has no scenario, the output folder
    /// cannot be made or the address cannot be listened on.
    pub fn bind(opts: ServeOptions) -> Result<Server, ServeError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ServeError::Io { path, source }
        };
        let target = std::fs::canonicalize(&opts.target).map_err(io(&opts.target))?;
        let (folder, files) = if target.is_dir() {
            let mut files: Vec<String> = std::fs::read_dir(&target)
                .map_err(io(&target))?
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "toml") && e.path().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            files.sort();
            (target.clone(), files)
        } else {
            let parent = target.parent().unwrap_or(Path::new("/")).to_path_buf();
            let name = target.file_name().unwrap_or_default().to_string_lossy().into_owned();
            (parent, vec![name])
        };
        if files.is_empty() {
            return Err(ServeError::NoScenario { path: opts.target });
        }
        std::fs::create_dir_all(&opts.out).map_err(io(&opts.out))?;
        let out = std::fs::canonicalize(&opts.out).map_err(io(&opts.out))?;
        let token = http::new_token().map_err(io(Path::new("/dev/urandom")))?;
        let http = tiny_http::Server::http(opts.listen).map_err(|e| ServeError::Bind {
            addr: opts.listen,
            message: e.to_string(),
        })?;
        let addr = http.server_addr().to_ip().unwrap_or(opts.listen);
        let app = App {
            opts,
            folder,
            files,
            out,
            guard: Guard::new(addr, token),
            jobs: Arc::new(Jobs::default()),
            written: std::sync::Mutex::new(None),
        };
        Ok(Server {
            http: Arc::new(http),
            app: Arc::new(app),
            addr,
        })
    }

    /// The address listened on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The page's address, with the session's token.
    pub fn url(&self) -> String {
        let host = if self.addr.ip().is_unspecified() {
            format!("127.0.0.1:{}", self.addr.port())
        } else {
            self.addr.to_string()
        };
        format!("http://{host}/?token={}", self.app.guard.token())
    }

    /// Serves until the process ends.
    pub fn serve(self) {
        let threads: Vec<_> = (0..REQUEST_THREADS)
            .map(|_| {
                let (http, app) = (self.http.clone(), self.app.clone());
                std::thread::spawn(move || {
                    while let Ok(mut request) = http.recv() {
                        let resp = match app.guard.read(&mut request) {
                            // A bug in one request must not take a request
                            // thread, and in the end the page, with it.
                            Ok(req) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| app.route(&req)))
                                .unwrap_or_else(|_| {
                                    Resp::error(500, "villagesim failed on this request (a bug: please report it)")
                                }),
                            Err(refusal) if request.body_length().is_some_and(|n| n > 0) => {
                                // Refused before its body was read: tiny_http
                                // reads the rest when the request is dropped,
                                // which waits as long as the client does. So
                                // not on a request thread.
                                std::thread::spawn(move || http::send(request, refusal));
                                continue;
                            }
                            Err(refusal) => refusal,
                        };
                        http::send(request, resp);
                    }
                })
            })
            .collect();
        for t in threads {
            let _ = t.join();
        }
    }
}

/// `POST /api/run`.
#[derive(Deserialize)]
struct RunRequest {
    file: String,
    #[serde(default)]
    edits: Vec<Edit>,
    #[serde(default)]
    lang: Option<String>,
}

#[derive(Deserialize)]
struct Edit {
    path: String,
    text: String,
}

/// `POST /api/save`.
#[derive(Deserialize)]
struct SaveRequest {
    gen: u64,
}

fn lang_of(s: Option<&str>) -> Lang {
    match s {
        Some("zh") => Lang::Zh,
        _ => Lang::En,
    }
}

impl App {
    fn route(&self, req: &Req) -> Resp {
        use tiny_http::Method::{Get, Post};
        // The token was checked by `Guard::read`, but for http::STATIC_FILES.
        let path = req.path.as_str();
        match (&req.method, path) {
            (Get, "/page.js") => Resp::bytes("text/javascript; charset=utf-8", PAGE_JS.into()),
            (Get, "/page.css") => Resp::bytes("text/css; charset=utf-8", PAGE_CSS.into()),
            (Get, "/font.otf") => Resp::bytes("font/otf", crate::charts::font::FONT_BYTES.to_vec()),
            (Get, "/") => self.page(req),
            (Get, "/api/scenarios") => self.scenarios(),
            (Post, "/api/run") => self.run(req),
            (Get, "/api/result") => self.result(req),
            (Post, "/api/save") => self.save(req),
            (Get, p) if p.starts_with("/download/") => self.download(req, &p["/download/".len()..]),
            (Get, p) if p.starts_with("/output/") => self.output_file(&p["/output/".len()..]),
            _ => Resp::error(404, format!("no such page: {path}")),
        }
    }

    fn page(&self, req: &Req) -> Resp {
        let lang = match req.query("lang").map_or(self.opts.lang, |l| lang_of(Some(l))) {
            Lang::En => "en",
            Lang::Zh => "zh",
        };
        Resp::bytes(
            "text/html; charset=utf-8",
            PAGE_HTML.replace("{{lang}}", lang).into_bytes(),
        )
    }

    fn scenarios(&self) -> Resp {
        let list: Vec<serde_json::Value> = self
            .files
            .iter()
            .map(|f| {
                let path = self.folder.join(f);
                let read = scenario::read_source(&path)
                    .and_then(|b| scenario::parse_bytes(f, &b, &self.folder, ReadOptions::default()));
                match read {
                    Ok(m) => serde_json::json!({
                        "file": f,
                        "title_en": crate::summary::names::scenario_label(&m, Lang::En),
                        "title_zh": crate::summary::names::scenario_label(&m, Lang::Zh),
                    }),
                    Err(e) => serde_json::json!({ "file": f, "error": e.to_string() }),
                }
            })
            .collect();
        Resp::json(200, &list)
    }

    /// The path of scenario `file` of the folder; refused when it is not
    /// one of the files served (a path outside the folder among them).
    fn scenario_path(&self, file: &str) -> Result<PathBuf, Resp> {
        if !self.files.iter().any(|f| f == file) {
            return Err(Resp::error(
                403,
                format!(
                    "refused: \"{file}\" is not a scenario of this folder; scenarios: {}",
                    self.files.join(", ")
                ),
            ));
        }
        Ok(self.folder.join(file))
    }

    fn run(&self, req: &Req) -> Resp {
        let ask: RunRequest = match serde_json::from_slice(&req.body) {
            Ok(a) => a,
            Err(e) => {
                return Resp::error(
                    400,
                    format!(
                        "a run is asked for as {{\"file\": ..., \"edits\": [{{\"path\": ..., \"text\": ...}}]}}: {e}"
                    ),
                )
            }
        };
        let lang = lang_of(ask.lang.as_deref());
        let path = match self.scenario_path(&ask.file) {
            Ok(p) => p,
            Err(refusal) => return refusal,
        };
        let original = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => return Resp::error(500, format!("cannot read {}: {e}", path.display())),
        };
        // Only the values the page shows may be changed: nothing else of
        // the file (a village ledger's path, say) is the page's to edit.
        let shown = match fields::fields(&original) {
            Ok(f) => f,
            Err(message) => return Resp::error(422, message),
        };
        if let Some(e) = ask.edits.iter().find(|e| !shown.iter().any(|f| f.path == e.path)) {
            return Resp::error(
                422,
                format!(
                    "`{}` is not one of the values this page changes; edit it in the file (or name it in [ui] show)",
                    e.path
                ),
            );
        }
        let changes: Result<Vec<_>, String> = ask.edits.iter().map(|e| fields::change(&e.path, &e.text)).collect();
        let text =
            match changes.and_then(|c| crate::analysis::overrides::apply(&original, &c).map_err(|e| e.to_string())) {
                Ok(t) => t,
                Err(message) => return Resp::error(422, message),
            };
        let mut model = match scenario::parse_bytes(&ask.file, text.as_bytes(), &self.folder, ReadOptions::default()) {
            Ok(m) => m,
            Err(LoadError::Invalid(invalid)) => return Resp::error(422, invalid.plain()),
            Err(e) => return Resp::error(422, e.to_string()),
        };
        if let Some(runs) = self.opts.runs {
            model.runs = runs;
        }
        let mut fields = match fields::fields(&text) {
            Ok(f) => f,
            Err(message) => return Resp::error(422, message),
        };
        let job = self.jobs.start(
            jobs::Source {
                file: ask.file.clone(),
                original_sha256: sha256(original.as_bytes()),
                text,
            },
            model,
            self.opts.quick_runs,
            self.run_options(),
        );
        let results = match job.stage() {
            Stage::Quick(r) | Stage::Full(r) => r,
            Stage::Failed(e) => return Resp::error(422, e),
            Stage::Running => return Resp::error(409, "a newer run replaced this one"),
        };
        fields::label(&mut fields, &results);
        match self.view_of(&job, lang) {
            Ok(view) => Resp::json(
                200,
                &serde_json::json!({ "gen": job.gen, "fields": fields, "view": view }),
            ),
            Err(refusal) => refusal,
        }
    }

    fn run_options(&self) -> RunOptions {
        RunOptions {
            threads: self.opts.threads,
            ..Default::default()
        }
    }

    fn view_of(&self, job: &Job, lang: Lang) -> Result<view::View, Resp> {
        let (stage, results) = match job.stage() {
            Stage::Quick(r) => ("quick", r),
            Stage::Full(r) => ("full", r),
            Stage::Failed(e) => return Err(Resp::error(422, e)),
            Stage::Running => return Err(Resp::error(409, "this run has no answer yet")),
        };
        view::view(job.gen, stage, &results, job.model.runs, lang).map_err(|e| Resp::error(500, e.to_string()))
    }

    fn gen(req: &Req) -> Result<u64, Resp> {
        req.query("gen")
            .and_then(|g| g.parse().ok())
            .ok_or_else(|| Resp::error(400, "give the run's number: ?gen=N"))
    }

    fn result(&self, req: &Req) -> Resp {
        let gen = match Self::gen(req) {
            Ok(g) => g,
            Err(r) => return r,
        };
        let wait = req
            .query("wait")
            .and_then(|w| w.parse::<f64>().ok())
            .filter(|s| s.is_finite())
            .map_or(Duration::ZERO, |s| {
                Duration::from_secs_f64(s.clamp(0.0, MAX_WAIT.as_secs_f64()))
            });
        match self.jobs.wait_full(gen, wait) {
            Waited::Superseded => Resp::json(200, &serde_json::json!({ "gen": gen, "superseded": true })),
            Waited::Stage(job) => match self.view_of(&job, lang_of(req.query("lang"))) {
                Ok(view) => Resp::json(200, &serde_json::json!({ "gen": gen, "view": view })),
                Err(refusal) => refusal,
            },
        }
    }

    fn job(&self, gen: u64) -> Result<Arc<Job>, Resp> {
        self.jobs.get(gen).ok_or_else(|| {
            Resp::error(
                409,
                format!("run {gen} was replaced by a newer one: download from the page's latest answer"),
            )
        })
    }

    fn download(&self, req: &Req, name: &str) -> Resp {
        let job = match Self::gen(req).and_then(|g| self.job(g)) {
            Ok(j) => j,
            Err(r) => return r,
        };
        let lang = lang_of(req.query("lang"));
        let stem = Path::new(&job.file)
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if name == "scenario.toml" {
            return Resp::download(
                "application/toml; charset=utf-8",
                &format!("{stem}-edited.toml"),
                job.text.clone().into_bytes(),
            );
        }
        let (file, content_type) = match name {
            "brief.html" => ("report.html", "text/html; charset=utf-8"),
            "brief.md" => ("report.md", "text/markdown; charset=utf-8"),
            "results.xlsx" => (
                output::workbook::WORKBOOK_FILE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            _ => {
                return Resp::error(
                    404,
                    format!("no download \"{name}\": brief.html, brief.md, results.xlsx or scenario.toml"),
                )
            }
        };
        // One download at a time, from the check that the job is current
        // to the read: the folder holds one job's outputs in one language.
        let mut written = self.written.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.jobs.get(job.gen).is_none() {
            return Resp::error(
                409,
                "a newer run replaced this one: download from the page's latest answer",
            );
        }
        let dir = match self.write_outputs(&job, lang, &stem, &mut written) {
            Ok(d) => d,
            Err(r) => return r,
        };
        match std::fs::read(dir.join(file)) {
            Ok(bytes) if name == "brief.md" => {
                let md = inline_charts(&String::from_utf8_lossy(&bytes), &dir);
                Resp::download(content_type, &format!("{stem}-brief.md"), md.into_bytes())
            }
            Ok(bytes) => {
                let ext = Path::new(file).extension().unwrap_or_default().to_string_lossy();
                let saved = match name {
                    "results.xlsx" => format!("{stem}-results.{ext}"),
                    _ => format!("{stem}-brief.{ext}"),
                };
                Resp::download(content_type, &saved, bytes)
            }
            Err(e) => Resp::error(500, format!("cannot read {}: {e}", dir.join(file).display())),
        }
    }

    /// The output folder holding job's full answer in `lang`, written now
    /// unless `written` says it holds them already. The report's command is
    /// the `villagesim run` of the edited file as the page downloads it
    /// (`STEM-edited.toml`).
    fn write_outputs(&self, job: &Job, lang: Lang, stem: &str, written: &mut Written) -> Result<PathBuf, Resp> {
        let Stage::Full(results) = job.stage() else {
            return Err(Resp::error(
                409,
                "the full answer is not ready yet: download when the page says it is",
            ));
        };
        if let Some((gen, l, dir)) = &*written {
            if *gen == job.gen && *l == lang {
                return Ok(dir.clone());
            }
        }
        let dir = self.out.join(scenario::slug(&job.model.name));
        let fail = |e: output::OutputError| Resp::error(500, e.to_string());
        let _lock = OutputLock::acquire(&dir).map_err(fail)?;
        let mut result_command: Vec<String> = ["villagesim", "run", &format!("{stem}-edited.toml")]
            .map(String::from)
            .to_vec();
        result_command.extend([
            "--runs".into(),
            results.runs.to_string(),
            "--seed".into(),
            results.seed.to_string(),
        ]);
        if lang == Lang::Zh {
            result_command.extend(["--lang".into(), "zh".into()]);
        }
        let mut manifest = Manifest {
            tool: "villagesim".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            command_line: std::env::args().collect(),
            result_command,
            scenario_file: format!("{stem}-edited.toml ({} as edited in villagesim serve)", job.file),
            scenario_sha256: sha256(job.text.as_bytes()),
            seed: results.seed,
            runs: results.runs,
            threads: if self.opts.threads == 0 {
                rayon::current_num_threads()
            } else {
                self.opts.threads
            },
            wall_time_seconds: 0.0,
            village_years_per_second: 0.0,
            peak_memory_mb: None,
            files: Vec::new(),
        };
        // Whatever happens next, the folder no longer holds what it did.
        *written = None;
        output::write_run(&results, &mut manifest, &dir, lang).map_err(fail)?;
        *written = Some((job.gen, lang, dir.clone()));
        Ok(dir)
    }

    /// A file of the output folder; refused outside it.
    fn output_file(&self, rel: &str) -> Resp {
        let outside = || Resp::error(403, format!("refused: \"{rel}\" is outside the output folder"));
        let Ok(path) = std::fs::canonicalize(self.out.join(rel)) else {
            return if rel.split('/').any(|s| s == "..") {
                outside()
            } else {
                Resp::error(404, format!("no such file: {rel}"))
            };
        };
        if !path.starts_with(&self.out) {
            return outside();
        }
        let content_type = match path.extension().and_then(|e| e.to_str()) {
            Some("svg") => "image/svg+xml",
            Some("png") => "image/png",
            Some("html") => "text/html; charset=utf-8",
            Some("csv") => "text/csv; charset=utf-8",
            Some("json") => "application/json",
            Some("md") => "text/markdown; charset=utf-8",
            _ => "application/octet-stream",
        };
        match std::fs::read(&path) {
            Ok(bytes) => Resp::bytes(content_type, bytes),
            Err(e) => Resp::error(404, format!("cannot read {rel}: {e}")),
        }
    }

    fn save(&self, req: &Req) -> Resp {
        let ask: SaveRequest = match serde_json::from_slice(&req.body) {
            Ok(a) => a,
            Err(e) => return Resp::error(400, format!("a save is asked for as {{\"gen\": N}}: {e}")),
        };
        let job = match self.job(ask.gen) {
            Ok(j) => j,
            Err(r) => return r,
        };
        let path = match self.scenario_path(&job.file) {
            Ok(p) => p,
            Err(r) => return r,
        };
        // One save at a time; the file as it was when the page read it, or
        // the planner's own edits on disk since then would be lost.
        let _one = self.written.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match std::fs::read(&path) {
            Ok(now) if sha256(&now) == job.original_sha256 => {}
            Ok(_) => {
                return Resp::error(
                    409,
                    format!(
                        "{} changed on disk since the page read it: not saved (download the edited scenario instead, or reload the page)",
                        path.display()
                    ),
                )
            }
            Err(e) => return Resp::error(500, format!("cannot read {}: {e}", path.display())),
        }
        // Through a symbolic link to the file it names, keeping its mode.
        let path = std::fs::canonicalize(&path).unwrap_or(path);
        let tmp = path.with_extension(format!("toml.saving-{}", std::process::id()));
        let written = std::fs::write(&tmp, job.text.as_bytes())
            .and_then(|()| match std::fs::metadata(&path) {
                Ok(m) => std::fs::set_permissions(&tmp, m.permissions()),
                Err(_) => Ok(()),
            })
            .and_then(|()| std::fs::rename(&tmp, &path));
        match written {
            Ok(()) => Resp::json(200, &serde_json::json!({ "saved": path.display().to_string() })),
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Resp::error(500, format!("cannot save {}: {e}", path.display()))
            }
        }
    }
}

/// The Markdown brief with its charts (`](charts/NAME.png)`, `.svg`) put in
/// as `data:` addresses, so that the one file downloaded shows them.
fn inline_charts(md: &str, dir: &Path) -> String {
    use base64::Engine as _;
    const AT: &str = "](charts/";
    let mut out = String::with_capacity(md.len());
    let mut rest = md;
    while let Some(i) = rest.find(AT) {
        let (before, after) = rest.split_at(i + 2);
        out.push_str(before);
        let Some(end) = after.find(')') else {
            rest = after;
            continue;
        };
        let rel = &after[..end];
        // Only the charts/ folder's own files.
        let inside = Path::new(rel)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        let mime = match Path::new(rel).extension().and_then(|e| e.to_str()) {
            Some("png") if inside => Some("image/png"),
            Some("svg") if inside => Some("image/svg+xml"),
            _ => None,
        };
        match (mime, std::fs::read(dir.join(rel))) {
            (Some(mime), Ok(bytes)) => {
                out.push_str("data:");
                out.push_str(mime);
                out.push_str(";base64,");
                out.push_str(&base64::engine::general_purpose::STANDARD.encode(bytes));
            }
            _ => out.push_str(rel),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}
