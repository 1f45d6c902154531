//! The published sample site in headless Chromium, as a reader meets it: at 390 and 1280 px no
//! page kind scrolls the page sideways; printed, a page keeps the site's name, its address and
//! the data's attribution and drops navigation and feeds; axe-core finds no serious or critical
//! violation in light or dark mode; the Nu HTML Checker finds no error. axe-core and the
//! checker come from npm (`tests/a11y/`, which `.ci/run` installs). With `CLAUSEBOOK_SHOTS` set
//! to a folder, the overflow test also saves a screenshot of every page kind at both widths in
//! both schemes there, to look at.
#![cfg(feature = "serve")]

use crate::browser::Driver;
use crate::harness::*;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::LazyLock;

/// Where the sample site is published (`built_sample` builds it under this subpath).
const ROOT: &str = "/atlas/";

/// The file of each page kind: the kind's largest page of the sample site (the longest names,
/// the biggest tables), for the kinds with many pages.
fn page_kinds() -> Vec<(&'static str, String)> {
    let tree = &built_sample().tree;
    let largest = |shape: &str| {
        let fits = |file: &str| {
            let (f, s): (Vec<&str>, Vec<&str>) =
                (file.split('/').collect(), shape.split('/').collect());
            f.len() == s.len() && f.iter().zip(&s).all(|(a, b)| *b == "*" || a == b)
        };
        let found = tree
            .files()
            .filter(|(f, _)| fits(f))
            .max_by_key(|(_, b)| b.len());
        found
            .unwrap_or_else(|| panic!("no page {shape}"))
            .0
            .to_string()
    };
    [
        ("home", "index.html"),
        ("platforms", "platforms/index.html"),
        ("platform", "platforms/*/index.html"),
        ("platform changes", "platforms/*/changes/index.html"),
        ("document", "platforms/*/documents/*/index.html"),
        ("version", "platforms/*/documents/*/versions/*/index.html"),
        ("clause", "platforms/*/clauses/*/index.html"),
        ("provisions", "provisions/index.html"),
        ("provision", "provisions/*/index.html"),
        ("regulations", "regulations/index.html"),
        ("regulation", "regulations/*/index.html"),
        ("compare", "compare/index.html"),
        ("changes", "changes/index.html"),
        ("free page", "methodology/index.html"),
        ("search", SEARCH_PAGE),
        ("404", "404.html"),
    ]
    .into_iter()
    .map(|(kind, shape)| (kind, largest(shape)))
    .collect()
}

/// The sample site on a static host of its own, as `http://127.0.0.1:<port>/atlas/`: a folder's
/// `index.html`, `404.html` with status 404 for any other path.
static HOST: LazyLock<String> = LazyLock::new(|| {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream));
        }
    });
    format!("http://127.0.0.1:{port}{ROOT}")
});

fn answer(mut stream: std::net::TcpStream) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    let path = head.split(' ').nth(1).unwrap_or("/");
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let rel = path.strip_prefix(ROOT).unwrap_or(path);
    let rel = match rel.is_empty() || rel.ends_with('/') {
        true => format!("{rel}index.html"),
        false => rel.to_string(),
    };
    let tree = &built_sample().tree;
    let (status, rel) = match tree.has(&rel) {
        true => ("200 OK", rel.as_str()),
        false => ("404 Not Found", "404.html"),
    };
    let body = tree.bytes(rel).unwrap_or_default();
    let kind = match rel.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(body);
}

/// The search page, which the browser tests open with a query (see [`open`]).
const SEARCH_PAGE: &str = "search/index.html";

/// Opens the page in `file`; the search page with a query whose results and filters are shown
/// once the index has loaded, as a reader arriving from the search box sees it.
fn open(driver: &Driver, file: &str) {
    if file != SEARCH_PAGE {
        return driver.goto(&url(file));
    }
    driver.goto(&format!("{}?q=account", url(file)));
    let shown = "return document.querySelectorAll('#search-results .search-result').length > 0 \
                 && !document.getElementById('search-filters').hidden;";
    wait_until(20, "the search page's results", || {
        driver.script(shown).as_bool() == Some(true)
    });
}

fn url(file: &str) -> String {
    format!(
        "{}{}",
        *HOST,
        file.strip_suffix("index.html").unwrap_or(file)
    )
}

impl Driver {
    /// Runs a DevTools protocol command in the page.
    fn cdp(&self, cmd: &str, params: Value) -> Value {
        let out = self.session_call(
            "POST",
            "/goog/cdp/execute",
            Some(json!({ "cmd": cmd, "params": params })),
        );
        assert!(out["value"]["error"].is_null(), "{cmd}: {out}");
        out["value"].clone()
    }

    /// A window `width` px wide, on a screen whose reader prefers `scheme` ("light" or "dark").
    fn view(&self, width: u32, scheme: &str) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": false}),
        );
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-color-scheme", "value": scheme}]}),
        );
    }

    /// Saves the whole page as `<dir>/<name>.png`.
    fn shoot(&self, dir: &std::path::Path, name: &str) {
        let shot = self.cdp(
            "Page.captureScreenshot",
            json!({"format": "png", "captureBeyondViewport": true}),
        );
        let png = from_base64(shot["data"].as_str().unwrap());
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

/// The bytes of standard base64 text, as the DevTools protocol sends images.
fn from_base64(text: &str) -> Vec<u8> {
    let sextets: Vec<u32> = text
        .bytes()
        .filter_map(|b| match b {
            b'A'..=b'Z' => Some(b - b'A'),
            b'a'..=b'z' => Some(b - b'a' + 26),
            b'0'..=b'9' => Some(b - b'0' + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        })
        .map(u32::from)
        .collect();
    let mut out = Vec::with_capacity(sextets.len() * 3 / 4);
    for chunk in sextets.chunks(4) {
        let bits = chunk.iter().fold(0u32, |acc, s| acc << 6 | s) << (6 * (4 - chunk.len()));
        out.extend_from_slice(&bits.to_be_bytes()[1..chunk.len()]);
    }
    out
}

#[test]
fn no_page_kind_scrolls_sideways_at_390_or_1280_px() {
    let Some(driver) = Driver::start() else {
        return;
    };
    let shots = std::env::var_os("CLAUSEBOOK_SHOTS").map(PathBuf::from);
    let mut wide = Vec::new();
    for (kind, file) in page_kinds() {
        for width in [390, 1280] {
            for scheme in ["light", "dark"] {
                driver.view(width, scheme);
                open(&driver, &file);
                let sizes = driver
                    .script("return [document.documentElement.scrollWidth, window.innerWidth];");
                if sizes[0].as_u64() > sizes[1].as_u64() {
                    wide.push(format!("{kind} ({file}) at {width} px: {sizes}"));
                }
                match &shots {
                    Some(dir) => driver.shoot(dir, &format!("{kind}-{width}-{scheme}")),
                    // The width does not depend on the scheme.
                    None => break,
                }
            }
        }
    }
    assert!(wide.is_empty(), "wider than the window: {wide:#?}");
}

/// Content is anybody's: a policy's address, a string of its text or a clause's name may be one
/// word of any length (a long address once widened a document page and its 88 versions on a
/// phone). Every text of each page kind is given a 200-letter word; at 390 or 1280 px none may
/// widen the page (a table may scroll sideways in its own wrapper).
#[test]
fn no_page_kind_is_widened_by_a_long_word_at_390_or_1280_px() {
    let Some(driver) = Driver::start() else {
        return;
    };
    let lengthen = r#"
        const word = " " + "W".repeat(200);
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        const texts = [];
        while (walker.nextNode()) {
            const parent = walker.currentNode.parentElement;
            // Not the theme's own short labels and figures, kept on one line on purpose
            // (badges, word counts, the class filter's choices): never content.
            const theirs = parent.closest("script, style, svg, .class-filter")
                || getComputedStyle(parent).whiteSpace.startsWith("nowrap");
            if (/\S/.test(walker.currentNode.data) && !theirs) {
                texts.push(walker.currentNode);
            }
        }
        texts.forEach(t => t.data += word);
        return [texts.length, document.documentElement.scrollWidth, window.innerWidth];"#;
    let mut wide = Vec::new();
    for width in [390, 1280] {
        driver.view(width, "light");
        for (kind, file) in page_kinds() {
            open(&driver, &file);
            let sizes = driver.script(lengthen);
            assert!(sizes[0].as_u64() > Some(0), "{kind}: no text");
            if sizes[1].as_u64() > sizes[2].as_u64() {
                wide.push(format!("{kind} ({file}) at {width} px: {sizes}"));
            }
        }
    }
    assert!(wide.is_empty(), "widened by a long word: {wide:#?}");
}

#[test]
fn printed_pages_keep_the_site_name_the_address_and_the_attribution() {
    let Some(driver) = Driver::start() else {
        return;
    };
    driver.cdp("Emulation.setEmulatedMedia", json!({"media": "print"}));
    let seen = r#"
        const shown = e => !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
        const one = s => shown(document.querySelector(s));
        const any = s => [...document.querySelectorAll(s)].some(shown);
        const address = document.querySelector(".page-url");
        const matrix = document.querySelector(".matrix-scroll");
        return {
            site_name: one(".masthead .brand"),
            attribution: one(".site-footer .attribution") && /ODC-BY/.test(document.querySelector(".site-footer").textContent),
            address: shown(address) && address.textContent === document.querySelector("link[rel=canonical]").href,
            dates: any("main time"),
            navigation: one(".main-nav"),
            feeds: any(".feed-link"),
            clipped: !!matrix && getComputedStyle(matrix).overflowX !== "visible",
        };"#;
    let kinds = page_kinds();
    for (kind, file) in kinds
        .iter()
        .filter(|(k, _)| ["clause", "document", "compare"].contains(k))
    {
        open(&driver, file);
        assert_eq!(
            driver.script(seen),
            json!({"site_name": true, "attribution": true, "address": true,
                   "dates": *kind != "compare", "navigation": false, "feeds": false, "clipped": false}),
            "{kind} printed"
        );
    }
}

/// A file of the npm packages `tests/a11y/` installs; None, to skip, when they are not
/// installed outside CI.
fn npm_file(rel: &str) -> Option<PathBuf> {
    let path = repo_root().join("tests/a11y/node_modules").join(rel);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is required in CI (.ci/run installs it: npm ci --prefix tests/a11y)",
        path.display()
    );
    eprintln!(
        "{} not installed: skipping (npm ci --prefix tests/a11y)",
        path.display()
    );
    None
}

#[test]
fn axe_finds_no_serious_or_critical_violation_in_light_or_dark_mode() {
    let Some(axe) = npm_file("axe-core/axe.min.js") else {
        return;
    };
    let Some(driver) = Driver::start() else {
        return;
    };
    let axe = std::fs::read_to_string(axe).unwrap();
    driver.session_call("POST", "/timeouts", Some(json!({"script": 120_000})));
    let run = r#"const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ["violations"]}).then(
            r => done(r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`)),
            e => done([`axe failed: ${e}`]));"#;
    let mut found = Vec::new();
    for (kind, file) in page_kinds() {
        for (width, scheme) in [
            (1280, "light"),
            (390, "light"),
            (1280, "dark"),
            (390, "dark"),
        ] {
            driver.view(width, scheme);
            open(&driver, &file);
            driver.script(&axe);
            let violations = driver.session_call(
                "POST",
                "/execute/async",
                Some(json!({"script": run, "args": []})),
            );
            for v in violations["value"].as_array().expect("axe's answer") {
                found.push(format!("{kind} at {width} px, {scheme}: {v}"));
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_nu_html_checker_finds_no_error_on_any_page_kind() {
    let Some(jar) = npm_file("vnu-jar/build/dist/vnu.jar") else {
        return;
    };
    let tree = &built_sample().tree;
    let dir = tempfile::tempdir().unwrap();
    let mut files = vec![dir.path().join("style.css")];
    std::fs::write(&files[0], tree.bytes("style.css").unwrap()).unwrap();
    for (kind, file) in page_kinds() {
        let path = dir.path().join(format!("{}.html", kind.replace(' ', "-")));
        std::fs::write(&path, tree.bytes(&file).unwrap()).unwrap();
        files.push(path);
    }
    let checked = std::process::Command::new("java")
        .arg("-jar")
        .arg(jar)
        .args(["--errors-only", "--also-check-css", "--format", "gnu"])
        .args(&files)
        .output()
        .expect("java runs (Debian's default-jre-headless; .ci/run installs it)");
    assert!(
        checked.status.success(),
        "{}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
}

/// Without JavaScript the class filter stays hidden and every version is listed; with it,
/// ticking classes off hides their versions, opens the folds, and keeps the choice in the
/// address and in the links to the other pages of changes.
#[test]
fn the_class_filter_narrows_a_page_of_changes_and_keeps_the_choice() {
    let file = "changes/index.html";
    assert!(
        built_sample()
            .tree
            .page(file)
            .contains("<form class=\"class-filter\" hidden>")
    );
    let Some(driver) = Driver::start() else {
        return;
    };
    let state = r#"
        const shown = s => [...document.querySelectorAll(s)].filter(e => e.checkVisibility()).length;
        return [shown(".class-filter"), shown(".changes-list > .change"), shown(".fold-list > li") > 0,
                location.search, document.querySelector(".pager a[rel=next]").search];"#;
    open(&driver, file);
    let substantive = driver.script(state)[1].clone();
    assert!(substantive.as_u64() > Some(0));
    assert_eq!(driver.script(state), json!([1, substantive, false, "", ""]));
    driver.script("document.querySelector('.class-filter input[value=substantive]').click();");
    let quiet = "?class=first,formatting,noise";
    assert_eq!(driver.script(state), json!([1, 0, true, quiet, quiet]));
    driver.goto(&format!("{}?class=substantive", url(file)));
    let only = "?class=substantive";
    assert_eq!(
        driver.script(state),
        json!([1, substantive, false, only, only])
    );
}
