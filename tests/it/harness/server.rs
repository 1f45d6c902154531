//! `clausebook serve` as a real process: started on a free port, asked over raw HTTP/1.1 (paths
//! sent exactly as given), and listened to on its reload channel.

use std::path::Path;

/// A `clausebook serve` process on a free port, killed when dropped.
pub(crate) struct Server {
    pub child: std::process::Child,
    pub port: u16,
    pub url: String,
    /// Everything the server printed so far (stdout), filled by a reader thread.
    pub log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Server {
    pub(crate) fn start(root: &Path, extra: &[&str]) -> Server {
        use std::io::BufRead;
        let mut child = std::process::Command::new(super::bin())
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
                let url = line
                    .strip_prefix("Serving ")
                    .and_then(|l| l.split(" at ").nth(1)?.split(' ').next())
                    .map(str::to_string);
                // Logged before the address is sent: the log holds that line once `start`
                // returns.
                writer.lock().unwrap().push_str(&(line + "\n"));
                if let Some(url) = url {
                    let _ = tx.send(url);
                }
            }
        });
        let url = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the server did not start");
        let (_, port) = url.trim_end_matches('/').rsplit_once(':').unwrap();
        let port = port.parse().unwrap();
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
pub(crate) struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.1 request with the path sent exactly as given (no client-side normalising).
pub(crate) fn http(port: u16, method: &str, path: &str) -> HttpResponse {
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
pub(crate) struct Reloads {
    stream: std::net::TcpStream,
    buffer: String,
}

impl Reloads {
    pub(crate) fn subscribe(port: u16) -> Reloads {
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
    pub(crate) fn next(&mut self, secs: u64) {
        self.wait_for("data: reload", secs);
    }
}

/// A served HTML page without what the server injects (reload client, error overlay).
pub(crate) fn strip_injected(html: &str) -> String {
    match html.find("<script>(function(){var s=new EventSource(") {
        Some(start) => {
            let end = html.rfind("</body>").unwrap_or(html.len());
            format!("{}{}", &html[..start], &html[end..])
        }
        None => html.to_string(),
    }
}

/// Polls `done` every 100 ms; panics after `secs`.
pub(crate) fn wait_until(secs: u64, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// A static host for a built site: files served as they are from a folder, under a path prefix
/// (`/sub/`), a folder's path answered with its `index.html`, as any static host does. The
/// listener is bound first, so that the site can be built for its URL; each connection is
/// answered on a thread of its own until the test process ends.
pub(crate) struct StaticHost {
    listener: std::net::TcpListener,
    prefix: String,
    /// `http://127.0.0.1:PORT/prefix/`.
    pub url: String,
}

impl StaticHost {
    pub(crate) fn bind(prefix: &str) -> StaticHost {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        StaticHost {
            listener,
            prefix: prefix.to_string(),
            url: format!("http://127.0.0.1:{port}{prefix}"),
        }
    }

    /// Serves the files of `dir` from now on, at the URL it returns.
    pub(crate) fn serve(self, dir: &Path) -> String {
        let (dir, url) = (dir.to_path_buf(), self.url.clone());
        std::thread::spawn(move || {
            for stream in self.listener.incoming().map_while(Result::ok) {
                let (dir, prefix) = (dir.clone(), self.prefix.clone());
                std::thread::spawn(move || answer(stream, &dir, &prefix));
            }
        });
        url
    }
}

/// Answers one request on `stream` with the file of `dir` its path names below `prefix`.
fn answer(mut stream: std::net::TcpStream, dir: &Path, prefix: &str) {
    use std::io::{BufRead, Write};
    let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut header = String::new();
    while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
        header.clear();
    }
    let path = line
        .split(' ')
        .nth(1)
        .unwrap_or("")
        .split('?')
        .next()
        .unwrap_or("");
    let file = path
        .strip_prefix(prefix)
        .filter(|rel| !rel.split('/').any(|s| s == ".."))
        .map(|rel| match rel {
            "" => "index.html".to_string(),
            r if r.ends_with('/') => format!("{r}index.html"),
            r => r.to_string(),
        });
    let found = file
        .as_ref()
        .and_then(|f| Some((f, std::fs::read(dir.join(f)).ok()?)));
    let (status, kind, body) = match found {
        Some((f, bytes)) => ("200 OK", clausebook::serve::respond::content_type(f), bytes),
        None => ("404 Not Found", "text/plain", b"not found".to_vec()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}
