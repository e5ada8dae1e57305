//! The page's HTTP: a request read within limits, the checks every request
//! passes, and responses.
//!
//! The checks, in order (each refusal is a status and a sentence):
//!
//! 1. **Host** (403): on a loopback address only `127.0.0.1:PORT`,
//!    `localhost:PORT` and `[::1]:PORT` are served, so a web page cannot
//!    reach the server under a name of its own that resolves to 127.0.0.1
//!    (DNS rebinding). Under `--listen` on another address its own
//!    `IP:PORT` is served too; on an unspecified address (`0.0.0.0`) any
//!    host is, and the token alone guards it.
//! 2. **Origin** (403): a request that says where it comes from must come
//!    from the page itself (`http://` and its Host).
//! 3. **Token** (403): every request but the page's static files
//!    ([`STATIC_FILES`]) carries the session's token, printed in the
//!    address at start: in the header `X-Villagesim-Token` (the page's API
//!    calls) or as `?token=` (the page itself, its downloads; accepted on
//!    any route). Another site cannot read it, so it cannot make requests
//!    in the planner's name (cross-site requests). It is checked before a
//!    body is read, and a request refused with its body unread is answered
//!    off the request threads (tiny_http reads the rest of a body when its
//!    request is dropped, and sets no timeout): only the token's holder can
//!    hold a request thread with a slow body.
//! 4. **Size** (413): a request body longer than [`MAX_BODY_BYTES`]: refused
//!    before it is read when the request states its length, and after
//!    [`MAX_BODY_BYTES`] + 1 bytes when it does not (chunked). Only a POST's
//!    body is read.

use std::io::Read;
use std::net::SocketAddr;

use percent_encoding::percent_decode_str;

/// The longest request body read: the edits of a scenario are a few
/// hundred bytes; 64 KiB is far more than any page sends.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The header that carries the token.
pub const TOKEN_HEADER: &str = "X-Villagesim-Token";

/// A request, read.
pub struct Req {
    pub method: tiny_http::Method,
    /// The path, percent-decoded.
    pub path: String,
    query: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    /// The query parameter `key`, percent-decoded.
    pub fn query(&self, key: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// A response: status, content type, body and extra headers.
pub struct Resp {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
}

impl Resp {
    pub fn json<T: serde::Serialize>(status: u16, value: &T) -> Resp {
        let body = serde_json::to_vec(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}").into_bytes());
        Resp {
            status,
            content_type: "application/json; charset=utf-8",
            body,
            headers: Vec::new(),
        }
    }

    /// A refusal or error: `{"error": message}`.
    pub fn error(status: u16, message: impl Into<String>) -> Resp {
        Resp::json(status, &serde_json::json!({ "error": message.into() }))
    }

    pub fn bytes(content_type: &'static str, body: Vec<u8>) -> Resp {
        Resp {
            status: 200,
            content_type,
            body,
            headers: Vec::new(),
        }
    }

    /// A file to save, under `name`.
    pub fn download(content_type: &'static str, name: &str, body: Vec<u8>) -> Resp {
        let ascii: String = name
            .chars()
            .map(|c| if c.is_ascii_graphic() && c != '"' { c } else { '_' })
            .collect();
        let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
        let mut r = Resp::bytes(content_type, body);
        r.headers.push((
            "Content-Disposition",
            format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
        ));
        r
    }
}

/// Which hosts and token a server accepts.
pub struct Guard {
    /// `None`: any host (an unspecified listen address).
    hosts: Option<Vec<String>>,
    token: String,
}

impl Guard {
    /// The guard of a server listening on `addr` with `token`.
    pub fn new(addr: SocketAddr, token: String) -> Guard {
        let port = addr.port();
        let hosts = if addr.ip().is_unspecified() {
            None
        } else {
            let mut hosts = vec![addr.to_string()];
            if addr.ip().is_loopback() {
                hosts.extend([
                    format!("127.0.0.1:{port}"),
                    format!("localhost:{port}"),
                    format!("[::1]:{port}"),
                ]);
            }
            // A browser leaves out the default port.
            if port == 80 {
                let bare: Vec<String> = hosts
                    .iter()
                    .filter_map(|h| h.strip_suffix(":80").map(str::to_string))
                    .collect();
                hosts.extend(bare);
            }
            Some(hosts)
        };
        Guard { hosts, token }
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// Reads `request` if it passes the checks, in the order of the module
    /// doc; the refusal otherwise. The body is read only for a POST, and
    /// only after the token is checked.
    pub fn read(&self, request: &mut tiny_http::Request) -> Result<Req, Resp> {
        let header = |name: &str| {
            request
                .headers()
                .iter()
                .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
                .map(|h| h.value.as_str().to_string())
        };
        let host = header("Host").unwrap_or_default();
        if let Some(hosts) = &self.hosts {
            if !hosts.iter().any(|h| h.eq_ignore_ascii_case(&host)) {
                return Err(Resp::error(
                    403,
                    format!("refused: this server answers to {}, not to host \"{host}\"", hosts[0]),
                ));
            }
        }
        if let Some(origin) = header("Origin") {
            if !origin.eq_ignore_ascii_case(&format!("http://{host}")) {
                return Err(Resp::error(
                    403,
                    format!("refused: a cross-site request (from {origin}); open the page at the address villagesim serve printed"),
                ));
            }
        }
        let url = request.url().to_string();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        let path = percent_decode_str(path).decode_utf8_lossy().into_owned();
        let query: Vec<(String, String)> = query
            .split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (decode_query(k), decode_query(v))
            })
            .collect();
        let token = header(TOKEN_HEADER).or_else(|| query.iter().find(|(k, _)| k == "token").map(|(_, v)| v.clone()));
        if !STATIC_FILES.contains(&path.as_str()) {
            self.check_token(token.as_deref())?;
        }
        let too_large = || {
            Resp::error(
                413,
                format!("refused: the request is larger than {} KiB", MAX_BODY_BYTES / 1024),
            )
        };
        if request.body_length().is_some_and(|n| n > MAX_BODY_BYTES) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        if *request.method() == tiny_http::Method::Post {
            let read = request
                .as_reader()
                .take(MAX_BODY_BYTES as u64 + 1)
                .read_to_end(&mut body);
            if read.is_err() {
                return Err(Resp::error(400, "the request's body could not be read"));
            }
            if body.len() > MAX_BODY_BYTES {
                return Err(too_large());
            }
        }
        Ok(Req {
            method: request.method().clone(),
            path,
            query,
            body,
        })
    }

    /// Refuses a request without the session's token.
    fn check_token(&self, token: Option<&str>) -> Result<(), Resp> {
        match token {
            Some(t) if same(t.as_bytes(), self.token.as_bytes()) => Ok(()),
            Some(_) => Err(Resp::error(
                403,
                "refused: wrong token; open the page at the address villagesim serve printed",
            )),
            None => Err(Resp::error(
                403,
                "refused: no token; open the page at the address villagesim serve printed (it ends in ?token=...)",
            )),
        }
    }
}

/// The page's script, style and font: served without the token (they hold
/// nothing of the session's).
pub const STATIC_FILES: [&str; 3] = ["/page.js", "/page.css", "/font.otf"];

/// A query's key or value: `+` is a space there (and only there).
fn decode_query(s: &str) -> String {
    percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// Compares in time independent of where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new session token: 128 bits from the system's random source.
///
/// # Errors
///
/// The I/O error when `/dev/urandom` cannot be read.
pub fn new_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Sends `resp` for `request`, with the headers every response has.
pub fn send(request: tiny_http::Request, resp: Resp) {
    let mut out = tiny_http::Response::from_data(resp.body).with_status_code(resp.status);
    let mut headers: Vec<(&str, String)> = vec![
        ("Content-Type", resp.content_type.to_string()),
        ("Cache-Control", "no-store".to_string()),
        // The token is in the page's address: never send it on.
        ("Referrer-Policy", "no-referrer".to_string()),
        ("X-Content-Type-Options", "nosniff".to_string()),
        ("X-Frame-Options", "DENY".to_string()),
        (
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; frame-ancestors 'none'".to_string(),
        ),
    ];
    headers.extend(resp.headers);
    for (k, v) in headers {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            out.add_header(h);
        }
    }
    // The page may have gone; nothing to do then.
    let _ = request.respond(out);
}
