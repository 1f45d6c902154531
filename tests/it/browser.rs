//! A real browser: headless Chromium driven through chromedriver's WebDriver HTTP API.
//! Live reload: open a clause page, edit its YAML and see the new text without reloading by
//! hand; break the YAML and see the overlay; fix it and see the overlay go. Search: on a built
//! site under a subpath, type a query, see the expected clause first, filter by platform.
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

    /// The element `css` selects; fails the test if there is none.
    fn element(&self, css: &str) -> String {
        let found = self.session_call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        found["value"]
            .as_object()
            .and_then(|e| e.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element `{css}`: {found}"))
            .to_string()
    }

    /// Types `text` into the element `css` selects, key by key, as a reader does.
    fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css);
        self.session_call("POST", &format!("/element/{id}/clear"), Some(json!({})));
        let typed = self.session_call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        );
        assert!(typed["value"].is_null(), "{typed}");
    }

    /// Clicks the element `css` selects.
    fn click(&self, css: &str) {
        let id = self.element(css);
        let clicked = self.session_call("POST", &format!("/element/{id}/click"), Some(json!({})));
        assert!(clicked["value"].is_null(), "{clicked}");
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

/// The links of the search results, in order.
const RESULT_LINKS: &str = "return Array.from(document.querySelectorAll('#search-results .search-result-title a'), a => a.href);";

/// The valid fixture built under the subpath `/sub/` of a static host, its search page open in
/// `driver` (wide enough for the filters to be open beside the results) once the index is
/// loaded, `alert` recorded rather than shown. Returns the site's URL.
fn open_search_page(driver: &Driver, out: &std::path::Path) -> String {
    open_search_page_of(driver, &fixture("valid"), out)
}

/// The site at `root` built and its search page open, as [`open_search_page`] says.
fn open_search_page_of(driver: &Driver, root: &std::path::Path, out: &std::path::Path) -> String {
    let host = StaticHost::bind("/sub/");
    let args = ["--no-cache", "--base-url", &host.url];
    let (code, stderr) = build(root, out, &args);
    assert_eq!(code, 0, "{stderr}");
    let url = host.serve(out);
    let size = json!({"width": 1280, "height": 900});
    driver.session_call("POST", "/window/rect", Some(size));
    driver.goto(&format!("{url}search/"));
    let ready = "return document.getElementById('search').dataset.ready === 'true';";
    wait_until(20, "the search index to load", || {
        driver.script(ready) == true
    });
    driver
        .script("window.alerted = []; window.alert = (m) => window.alerted.push(m); return null;");
    url
}

#[test]
fn search_finds_the_clause_first_filters_by_platform_and_runs_nothing_from_content() {
    let Some(driver) = Driver::start() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let url = open_search_page(&driver, &tmp.path().join("out"));
    let strings = |js: &str| -> Vec<String> { serde_json::from_value(driver.script(js)).unwrap() };
    let page = |rel: &str| format!("{url}{rel}");

    // The fixture's hostile clause: its title and excerpt hold markup, shown as text.
    driver.type_into("#search-query", "minors");
    wait_until(20, "the hostile clause found", || {
        strings(RESULT_LINKS).first() == Some(&page("platforms/gamma/clauses/child-safety/"))
    });
    let title = driver.script("return document.querySelector('#search-results a').textContent;");
    assert_eq!(title, "Child safety <script>alert(\"title\")</script>");
    let markup = "return document.querySelectorAll('#search-results script, #search-results img, #search-results iframe').length;";
    assert_eq!(driver.script(markup), 0);
    let labels = strings(
        "return Array.from(document.querySelectorAll('#search-filters label'), l => l.textContent);",
    );
    assert!(
        labels.iter().any(|l| l.starts_with("Gamma <Chat> (")),
        "a platform's name is a filter's label, as text: {labels:?}"
    );
    assert_eq!(driver.script("return window.alerted.length;"), 0);

    driver.type_into("#search-query", "spam");
    wait_until(20, "the spam clause first", || {
        strings(RESULT_LINKS).first() == Some(&page("platforms/beta/clauses/spam/"))
    });
    let unfiltered = strings(RESULT_LINKS);
    let alpha = page("platforms/alpha/clauses/messaging-abuse/");
    assert!(unfiltered.contains(&alpha), "{unfiltered:?}");
    driver.click("#search-filters input[value='Alpha Cloud']");
    wait_until(20, "only Alpha's pages", || {
        let filtered = strings(RESULT_LINKS);
        !filtered.is_empty() && filtered != unfiltered
    });
    let filtered = strings(RESULT_LINKS);
    assert_eq!(filtered.first(), Some(&alpha), "{filtered:?}");
    let on_alpha = |url: &String| url.starts_with(&page("platforms/alpha/"));
    assert!(filtered.iter().all(on_alpha), "{filtered:?}");
    assert!(
        driver.script("return location.search;").as_str() == Some("?q=spam"),
        "the query is in the address, to share or come back to"
    );
}

#[test]
fn search_on_a_site_split_in_shards_finds_the_pages_of_every_shard() {
    let Some(driver) = Driver::start() else {
        return;
    };
    let site = Site::valid();
    // More indexed pages than one shard holds (250).
    site.write_notes(300);
    let url = open_search_page_of(&driver, &site.root, &site.out());
    assert!(site.out().join("pagefind/1/pagefind-entry.json").exists());
    assert!(!site.out().join("pagefind/1/pagefind.js").exists());

    driver.type_into("#search-query", "lighthouse");
    let status = "return document.getElementById('search-status').textContent;";
    wait_until(20, "every note found, from both shards", || {
        driver.script(status).as_str() == Some("300 results for “lighthouse”")
    });
    let links: Vec<String> = serde_json::from_value(driver.script(RESULT_LINKS)).unwrap();
    assert!(
        links.iter().all(|l| l.starts_with(&format!("{url}note-"))),
        "{links:?}"
    );
    // Each shard brings its own filter values: they are shown in order all the same.
    let filters: Vec<Vec<String>> = serde_json::from_value(driver.script(
        "return Array.from(document.querySelectorAll('#search-filters fieldset'), f => \
         [f.querySelector('legend').textContent].concat(Array.from(f.querySelectorAll('input'), i => i.value)));",
    ))
    .unwrap();
    let names: Vec<&str> = filters.iter().map(|f| f[0].as_str()).collect();
    assert_eq!(
        names,
        [
            "Document type",
            "Platform",
            "Provision type",
            "Verification"
        ]
    );
    let platforms = &filters[1][1..];
    assert_eq!(platforms, ["Alpha Cloud", "Beta Mail", "Gamma <Chat>"]);
}
