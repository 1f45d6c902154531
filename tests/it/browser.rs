//! Live reload in a real browser: headless Chromium driven through chromedriver's WebDriver
//! HTTP API. Open a clause page, edit its YAML and see the new text without reloading by hand;
//! break the YAML and see the overlay; fix it and see the overlay go.
#![cfg(feature = "serve")]

use crate::harness::*;
use serde_json::{Value, json};
use std::time::Duration;

/// chromedriver on a free port, stopped when dropped.
pub(crate) struct Driver {
    child: std::process::Child,
    port: u16,
    session: Option<String>,
}

impl Driver {
    pub(crate) fn start() -> Option<Driver> {
        let found = |p: &str| std::path::Path::new(p).exists();
        if !found("/usr/bin/chromium") || !found("/usr/bin/chromedriver") {
            assert!(
                std::env::var_os("CI").is_none(),
                "Chromium and chromedriver are required in CI (Debian packages chromium, chromium-driver; .ci/run installs them)"
            );
            eprintln!(
                "Chromium or chromedriver not installed: skipping the browser test (bash .ci/run installs them)"
            );
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut driver = Driver {
            child,
            port,
            session: None,
        };
        wait_until(20, "chromedriver to start", || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
                && driver.call("GET", "/status", None)["value"]["ready"] == true
        });
        let profile = tempfile::tempdir().unwrap().keep();
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                     format!("--user-data-dir={}", profile.display())]
        }}}});
        let created = driver.call("POST", "/session", Some(caps));
        let id = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        driver.session = Some(id);
        // Every page keeps the event streams it opens where a script can see them: the live
        // reload client keeps its own in a closure.
        let hooked = driver.session_call(
            "POST",
            "/goog/cdp/execute",
            Some(json!({"cmd": "Page.addScriptToEvaluateOnNewDocument", "params": {"source":
                "window.eventStreams = []; const Native = window.EventSource; \
                 window.EventSource = function (url, options) { \
                   const stream = new Native(url, options); window.eventStreams.push(stream); return stream; };"
            }})),
        );
        assert!(hooked["value"]["error"].is_null(), "{hooked}");
        Some(driver)
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        use std::io::{Read, Write};
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        // chromedriver keeps connections open: read the head, then exactly the body it announces.
        let mut raw = Vec::new();
        let mut chunk = [0u8; 8192];
        let split = loop {
            if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            let n = stream.read(&mut chunk).unwrap();
            assert!(n > 0, "chromedriver closed the connection");
            raw.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        let mut payload = raw[split + 4..].to_vec();
        while payload.len() < length {
            let n = stream.read(&mut chunk).unwrap();
            assert!(n > 0, "chromedriver closed the connection");
            payload.extend_from_slice(&chunk[..n]);
        }
        serde_json::from_slice(&payload).unwrap_or(Value::Null)
    }

    pub(crate) fn session_call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let id = self.session.as_ref().unwrap();
        self.call(method, &format!("/session/{id}{path}"), body)
    }

    pub(crate) fn goto(&self, url: &str) {
        self.session_call("POST", "/url", Some(json!({ "url": url })));
    }

    /// Waits until the page's event streams are open (`readyState` 1), so that the next change is
    /// announced to it; fails the test after 20 s.
    fn wait_for_event_stream(&self) {
        let open = "return window.eventStreams.length > 0 \
                    && window.eventStreams.every(s => s.readyState === 1);";
        wait_until(20, "the page's event stream to open", || {
            self.script(open) == true
        });
    }

    pub(crate) fn script(&self, js: &str) -> Value {
        self.session_call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": js, "args": [] })),
        )["value"]
            .clone()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if self.session.is_some() {
            let _ = self.session_call("DELETE", "", None);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_browser_follows_edits_breakage_and_fixes_without_a_manual_reload() {
    let Some(driver) = Driver::start() else {
        return;
    };
    let site = Site::valid();
    let server = Server::start(&site.root, &[]);
    driver.goto(&format!("{}platforms/beta/clauses/spam/", server.url));
    let summary = "return document.querySelector('.summary').innerText";
    assert!(
        driver
            .script(summary)
            .as_str()
            .unwrap()
            .contains("Beta forbids spam.")
    );
    driver.wait_for_event_stream();
    driver.script("window.loadedBeforeTheEdit = true; return null;");

    let clause = "content/platforms/beta/clauses/spam.yaml";
    let text = site.read(clause);
    site.edit(
        clause,
        "Beta forbids spam.",
        "Beta forbids spam in every form.",
    );
    wait_until(20, "the edited summary in the browser", || {
        driver
            .script(summary)
            .as_str()
            .is_some_and(|s| s.contains("in every form"))
    });
    assert_eq!(
        driver.script("return window.loadedBeforeTheEdit === undefined;"),
        true,
        "the page reloaded by itself"
    );

    driver.wait_for_event_stream();
    site.write(clause, "title: [broken\n");
    let overlay =
        "var e = document.getElementById('clausebook-error'); return e ? e.innerText : null;";
    wait_until(20, "the error overlay", || {
        driver
            .script(overlay)
            .as_str()
            .is_some_and(|t| t.contains("clauses/spam.yaml:1:"))
    });

    driver.wait_for_event_stream();
    site.write(clause, &text);
    wait_until(20, "the overlay to go", || {
        driver.script(overlay).is_null()
            && driver
                .script(summary)
                .as_str()
                .is_some_and(|s| s.contains("Beta forbids spam."))
    });
}
