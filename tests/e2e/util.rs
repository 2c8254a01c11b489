//! Starting `dom` as a child process and speaking plain HTTP/1.1 to it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub fn dom() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dom"))
}

/// `dom` with these arguments (and `DOM_TOKEN` when given), run to its end.
pub fn run(args: &[&str], token: Option<&str>) -> Output {
    let mut cmd = dom();
    cmd.args(args);
    if let Some(t) = token {
        cmd.env("DOM_TOKEN", t);
    }
    cmd.output().expect("dom runs")
}

/// Like [`run`], and the command must succeed.
pub fn run_ok(args: &[&str], token: Option<&str>) -> Output {
    let out = run(args, token);
    assert!(
        out.status.success(),
        "dom {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A temporary path as a command-line argument.
pub fn p(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temporary path")
}

/// A running `dom serve`, killed when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
    _data: Option<tempfile::TempDir>,
    /// What the server wrote on stderr, when started with [`Server::start_logged`].
    log: Arc<Mutex<String>>,
}

impl Server {
    /// `dom serve --demo` on a fresh temporary folder and a random port, without the
    /// twelve months of history (tests count exact figures; the history has its own).
    pub fn demo() -> Server {
        Server::temporary(&["--demo", "--demo-without-history"])
    }

    /// `dom serve --demo` exactly as the README's first command runs it.
    pub fn demo_with_history() -> Server {
        Server::temporary(&["--demo"])
    }

    fn temporary(extra: &[&str]) -> Server {
        let data = tempfile::tempdir().expect("temp dir");
        let mut s = Server::start(data.path(), extra);
        s._data = Some(data);
        s
    }

    pub fn start(data: &Path, extra: &[&str]) -> Server {
        Server::spawn(data, extra, false)
    }

    /// Like [`Server::start`], keeping everything the server logs (see [`Server::log`]).
    pub fn start_logged(data: &Path, extra: &[&str]) -> Server {
        Server::spawn(data, extra, true)
    }

    /// The server's stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    fn spawn(data: &Path, extra: &[&str], logged: bool) -> Server {
        let mut child = dom()
            .arg("serve")
            .args(extra)
            .arg("--data")
            .arg(data)
            .args(["--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(if logged {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .spawn()
            .expect("dom starts");
        let log = Arc::new(Mutex::new(String::new()));
        if let Some(stderr) = child.stderr.take() {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    let mut l = log.lock().unwrap();
                    l.push_str(&line);
                    l.push('\n');
                }
            });
        }
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("dom prints its address");
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        Server {
            child,
            port,
            _data: None,
            log,
        }
    }

    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path, None, None)
    }

    pub fn get_as(&self, token: &str, path: &str) -> Response {
        self.request("GET", path, Some(token), None)
    }

    pub fn post_as(&self, token: &str, path: &str, body: &serde_json::Value) -> Response {
        self.request("POST", path, Some(token), Some(&body.to_string()))
    }

    pub fn patch_as(&self, token: &str, path: &str, body: &serde_json::Value) -> Response {
        self.request("PATCH", path, Some(token), Some(&body.to_string()))
    }

    /// A request with extra raw headers (e.g. `Accept`).
    pub fn get_with(&self, token: &str, path: &str, header: &str) -> Response {
        self.raw(&format!(
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n{header}\r\n\r\n"
        ))
    }

    pub fn raw(&self, request: &str) -> Response {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        stream.write_all(request.as_bytes()).expect("send");
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        Response::parse(&raw)
    }

    /// One HTTP/1.1 request with `Connection: close`; the whole response.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> Response {
        try_request(self.port, method, path, token, body)
            .unwrap_or_else(|| panic!("{method} {path}: no complete response"))
    }

    /// A request with a binary body (a spreadsheet) of `content_type`; the response and
    /// its body's bytes as sent (the server answers files with a `Content-Length`).
    pub fn send_file(
        &self,
        method: &str,
        path: &str,
        token: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> (Response, Vec<u8>) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .expect("timeout");
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\n",
            body.len()
        );
        if let Some(t) = content_type {
            req.push_str(&format!("Content-Type: {t}\r\n"));
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        bytes.extend_from_slice(body);
        // A refused upload may be answered before it is all sent.
        let _ = stream.write_all(&bytes);
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        let head = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map_or(raw.len(), |p| p + 4);
        (Response::parse(&raw), raw[head..].to_vec())
    }

    /// Asks the server to stop (SIGTERM) and waits for it; true if it exited cleanly.
    pub fn terminate(&mut self) -> bool {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let ok = self.child.wait().is_ok_and(|s| s.success());
        // Let the log reader drain the pipe.
        std::thread::sleep(Duration::from_millis(200));
        ok
    }

    /// Stops the server the hard way (SIGKILL), as a power cut would.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request to `port`; `None` unless a complete response arrived (the connection
/// failed, or the server died before the whole body was sent).
pub fn try_request(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> Option<Response> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    if let Some(t) = token {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    if let Some(b) = body {
        req.push_str(b);
    }
    stream.write_all(req.as_bytes()).ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let r = Response::parse(&raw);
    // Bytes after the head: the body may be binary, so not `r.body`.
    let body_len = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(0, |p| raw.len() - p - 4);
    let complete = r.status != 0
        && (r.status == 204
            || match r
                .header("content-length")
                .and_then(|v| v.parse::<usize>().ok())
            {
                Some(n) => n == body_len,
                None => raw.ends_with(b"0\r\n\r\n"),
            });
    complete.then_some(r)
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    fn parse(raw: &[u8]) -> Response {
        let text = String::from_utf8_lossy(raw);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let chunked = headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
        let body = if chunked {
            dechunk(body)
        } else {
            body.to_string()
        };
        Response {
            status,
            headers,
            body,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// A page's HTML without the `data-label` attributes the layout adds to table cells (for
/// stacked rows on a phone), so a test can look for a row's cells as written.
pub fn unlabelled(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(" data-label=\"") {
        out.push_str(&rest[..at]);
        let after = &rest[at + " data-label=\"".len()..];
        rest = after.find('"').map_or("", |end| &after[end + 1..]);
    }
    out.push_str(rest);
    out
}
