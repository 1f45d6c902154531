//! Helpers shared by the integration tests: run the real binary, read and copy output trees.
#![allow(dead_code)]

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn clausebook() -> Command {
    Command::cargo_bin("clausebook").unwrap()
}

/// Builds `root` into `out` with extra arguments; returns (exit code, stderr).
pub fn build(root: &Path, out: &Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["--output".as_ref(), out.as_os_str()];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    run_on("build", root, &args)
}

/// Checks `root`; returns (exit code, stderr).
pub fn check(root: &Path) -> (i32, String) {
    run_on("check", root, &[])
}

/// Runs a subcommand on the site at `root`; returns (exit code, stderr).
fn run_on(command: &str, root: &Path, extra: &[&std::ffi::OsStr]) -> (i32, String) {
    let result = clausebook()
        .arg(command)
        .arg("--root")
        .arg(root)
        .args(extra)
        .output()
        .unwrap();
    (
        result.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&result.stderr).into_owned(),
    )
}

/// The diagnostic of a command's stderr that points at `place` (`file:line:column:`, or
/// `file:` for one without a position): diagnostics are printed as cargo prints them, one
/// block each with ` --> file:line:column` under the message, or on one line.
pub fn diagnostic_at<'a>(stderr: &'a str, place: &str) -> Option<&'a str> {
    stderr.split("\n\n").find(|d| {
        let mut lines = d.lines();
        let title = lines.next().unwrap_or_default();
        let location = lines
            .next()
            .and_then(|l| l.trim_start().strip_prefix("--> "));
        title.contains(place) || location.is_some_and(|l| format!("{l}:").contains(place))
    })
}

/// Every file below `dir`, by relative path with `/` separators.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap();
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.insert(rel, std::fs::read(entry.path()).unwrap());
        }
    }
    out
}

pub fn copy_tree(from: &Path, to: &Path) {
    for (rel, bytes) in read_tree(from) {
        let path = to.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

pub fn page(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every `href="…"` and `src="…"` value in an HTML text.
pub fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap();
            out.push(rest[..end].replace("&amp;", "&"));
            rest = &rest[end..];
        }
    }
    out
}

/// Checks every internal link of every HTML page resolves to a file of the output, and that no
/// root-relative link escapes the site's `root` path. Returns the broken ones.
pub fn broken_links(out: &Path, root: &str) -> Vec<String> {
    let tree = read_tree(out);
    let mut broken = Vec::new();
    for (file, bytes) in &tree {
        if !file.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        for link in links(&html) {
            if link.starts_with("http://")
                || link.starts_with("https://")
                || link.starts_with("mailto:")
                || link.starts_with('#')
            {
                continue;
            }
            let Some(rel) = link.strip_prefix(root) else {
                broken.push(format!("{file}: {link} (outside {root})"));
                continue;
            };
            let rel = rel.split('#').next().unwrap();
            let target = if rel.is_empty() || rel.ends_with('/') {
                format!("{rel}index.html")
            } else {
                rel.to_string()
            };
            if !tree.contains_key(&target) {
                broken.push(format!("{file}: {link}"));
            }
        }
    }
    broken
}

/// The model page's sections (shared/seeds) in SPEC §4's order.
pub fn assert_sections_in_order(html: &str) {
    let markers = [
        "class=\"disclaimer\"",
        "<h1>",
        "id=\"summary-heading\"",
        "id=\"obligations-heading\"",
        "class=\"excerpt\"",
        "— Excerpt from",
        "id=\"related-heading\"",
        "id=\"monitoring-heading\"",
        "id=\"reach-heading\"",
        "See the full comparison.",
        "id=\"faq-heading\"",
    ];
    let mut last = 0;
    for m in markers {
        let at = html[last..]
            .find(m)
            .unwrap_or_else(|| panic!("section `{m}` missing or out of order"));
        last += at;
    }
}

/// A `clausebook serve` process on a free port, killed when dropped.
pub struct Server {
    pub child: std::process::Child,
    pub port: u16,
    pub url: String,
    /// Everything the server printed so far (stdout), filled by a reader thread.
    pub log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Server {
    pub fn start(root: &Path, extra: &[&str]) -> Server {
        use std::io::BufRead;
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("clausebook"))
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .args(extra)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let writer = log.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if let Some(url) = line.split(" at ").nth(1).and_then(|r| r.split(' ').next())
                    && line.starts_with("Serving ")
                {
                    let _ = tx.send(url.to_string());
                }
                writer.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        let url = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the server did not start");
        let port = url
            .trim_end_matches('/')
            .rsplit(':')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        Server {
            child,
            port,
            url,
            log,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response read off the wire.
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.1 request with the path sent exactly as given (no client-side normalising).
pub fn http(port: u16, method: &str, path: &str) -> HttpResponse {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    HttpResponse {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// A subscription to the server's reload channel.
pub struct Reloads {
    stream: std::net::TcpStream,
    buffer: String,
}

impl Reloads {
    pub fn subscribe(port: u16) -> Reloads {
        use std::io::Write;
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(stream, "GET /__clausebook/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n").unwrap();
        let mut reloads = Reloads {
            stream,
            buffer: String::new(),
        };
        // The headers come once the server has subscribed this client: no reload is missed.
        reloads.wait_for("\r\n\r\n", 20);
        reloads
    }

    fn wait_for(&mut self, marker: &str, secs: u64) {
        use std::io::Read;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            if let Some(i) = self.buffer.find(marker) {
                self.buffer.drain(..i + marker.len());
                return;
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            assert!(
                !left.is_zero(),
                "no `{}` within {secs} s",
                marker.escape_debug()
            );
            self.stream.set_read_timeout(Some(left)).unwrap();
            let mut chunk = [0u8; 4096];
            match self.stream.read(&mut chunk) {
                Ok(0) => panic!("reload channel closed"),
                Ok(n) => self.buffer.push_str(&String::from_utf8_lossy(&chunk[..n])),
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(e) => panic!("{e}"),
            }
        }
    }

    /// Waits for the next reload message; panics after `secs`.
    pub fn next(&mut self, secs: u64) {
        self.wait_for("data: reload", secs);
    }
}

/// A served HTML page without what the server injects (reload client, error overlay).
pub fn strip_injected(html: &str) -> String {
    match html.find("<script>(function(){var s=new EventSource(") {
        Some(start) => {
            let end = html.rfind("</body>").unwrap_or(html.len());
            format!("{}{}", &html[..start], &html[end..])
        }
        None => html.to_string(),
    }
}

/// Polls `done` every 100 ms; panics after `secs`.
pub fn wait_until(secs: u64, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
