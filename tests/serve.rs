//! `clausebook serve` run as a real process: HTTP behaviour, the watcher, live reload, the
//! error overlay, and a served site equal to a clean build after every edit.

mod common;
use common::*;
use std::path::Path;

fn site() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    copy_tree(&fixture("valid"), &root);
    (tmp, root)
}

#[test]
fn http_types_404_head_redirects_and_traversal() {
    let (_tmp, root) = site();
    let server = Server::start(&root, &[]);
    let home = http(server.port, "GET", "/");
    assert_eq!(
        (home.status, home.header("content-type")),
        (200, Some("text/html; charset=utf-8"))
    );
    assert!(
        home.text().contains("EventSource"),
        "live reload client in served pages"
    );
    assert!(
        home.text().contains(&format!("href=\"{}atom.xml\"", "/")),
        "links follow the local address"
    );
    for (path, ty) in [
        ("/style.css", "text/css; charset=utf-8"),
        ("/atom.xml", "application/atom+xml"),
        ("/api/clauses.json", "application/json"),
        ("/sitemap.xml", "application/xml"),
        ("/robots.txt", "text/plain; charset=utf-8"),
    ] {
        let r = http(server.port, "GET", path);
        assert_eq!(
            (r.status, r.header("content-type")),
            (200, Some(ty)),
            "{path}"
        );
    }
    let css = http(server.port, "GET", "/style.css");
    assert!(!css.text().contains("EventSource"));
    let missing = http(server.port, "GET", "/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.text().contains("Page not found"),
        "the site's 404 page"
    );
    let head = http(server.port, "HEAD", "/platforms/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    let get = http(server.port, "GET", "/platforms/");
    assert_eq!(
        head.header("content-length").unwrap(),
        get.body.len().to_string()
    );
    let redirect = http(server.port, "GET", "/platforms");
    assert_eq!(
        (redirect.status, redirect.header("location")),
        (301, Some("/platforms/"))
    );
    assert_eq!(http(server.port, "POST", "/").status, 405);
    for attack in [
        "/../Cargo.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2fetc%2fpasswd",
        "/platforms/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "//etc/passwd",
        "/..\\..\\etc\\passwd",
    ] {
        let r = http(server.port, "GET", attack);
        assert_eq!(r.status, 400, "{attack}");
        assert!(
            !r.text().contains("root:") && !r.text().contains("[package]"),
            "{attack}"
        );
    }
}

#[test]
fn serving_a_folder_without_a_site_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = clausebook()
        .args(["serve", "--port", "0", "--root"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("content/site.yaml does not exist"));
}

#[test]
fn a_taken_port_is_a_clear_error() {
    let (_tmp, root) = site();
    let server = Server::start(&root, &[]);
    let out = clausebook()
        .args(["serve", "--root"])
        .arg(&root)
        .args(["--port", &server.port.to_string()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already in use"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Saves like an editor that writes a temporary file and renames it over the original.
fn save_by_rename(path: &Path, text: &str) {
    let tmp = path.with_file_name(format!(
        ".{}.tmp~",
        path.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

fn check_served_equals_clean_build(server: &Server, root: &Path, what: &str) {
    let options = clausebook::load::LoadOptions {
        drafts: false,
        base_url: Some(server.url.clone()),
    };
    let clean = clausebook::build(root, &options).unwrap_or_else(|e| panic!("{what}: {e}"));
    for (path, bytes) in clean.output.iter() {
        let served = http(server.port, "GET", &format!("/{path}"));
        assert_eq!(served.status, 200, "{what}: /{path}");
        if path.ends_with(".html") {
            assert_eq!(
                strip_injected(&served.text()),
                String::from_utf8_lossy(bytes),
                "{what}: /{path}"
            );
        } else {
            assert!(served.body == bytes, "{what}: /{path}");
        }
    }
}

#[test]
fn watcher_rebuilds_after_rename_over_saves_deletions_and_breakage() {
    let (_tmp, root) = site();
    let server = Server::start(&root, &[]);
    let mut reloads = Reloads::subscribe(server.port);
    let clause = root.join("content/platforms/beta/clauses/spam.yaml");
    let text = std::fs::read_to_string(&clause).unwrap();

    save_by_rename(
        &clause,
        &text.replace("Beta forbids spam.", "Beta forbids spam, plainly."),
    );
    reloads.next(20);
    assert!(
        http(server.port, "GET", "/platforms/beta/clauses/spam/")
            .text()
            .contains("Beta forbids spam, plainly.")
    );
    check_served_equals_clean_build(&server, &root, "after a rename-over save");

    std::fs::write(&clause, "title: [broken\n").unwrap();
    reloads.next(20);
    let page = http(server.port, "GET", "/platforms/beta/clauses/spam/").text();
    assert!(
        page.contains("id=\"clausebook-error\""),
        "overlay on the last good page"
    );
    assert!(
        page.contains("content/platforms/beta/clauses/spam.yaml:1:"),
        "the overlay names file and line"
    );
    assert!(
        page.contains("Beta forbids spam, plainly."),
        "the last good site is still served"
    );
    assert!(
        http(server.port, "GET", "/nope/")
            .text()
            .contains("id=\"clausebook-error\""),
        "and on the 404 page"
    );

    save_by_rename(&clause, &text);
    reloads.next(20);
    assert!(
        !http(server.port, "GET", "/")
            .text()
            .contains("clausebook-error"),
        "the overlay goes with the next good build"
    );

    std::fs::remove_file(&clause).unwrap();
    reloads.next(20);
    assert_eq!(
        http(server.port, "GET", "/platforms/beta/clauses/spam/").status,
        404,
        "a deleted clause's page is gone"
    );
    check_served_equals_clean_build(&server, &root, "after a deletion");

    std::fs::create_dir_all(root.join("content/platforms/delta/clauses")).unwrap();
    std::fs::create_dir_all(root.join("content/platforms/delta/documents/tos/snapshots")).unwrap();
    std::fs::write(
        root.join("content/platforms/delta/documents/tos/document.yaml"),
        "title: Delta Terms\ntype: Terms of Service\nurl: https://delta.example/\n",
    )
    .unwrap();
    std::fs::write(
        root.join("content/platforms/delta/documents/tos/snapshots/2025-01-01.md"),
        "No spam, ever.\n",
    )
    .unwrap();
    std::fs::write(root.join("content/platforms/delta/clauses/spam.yaml"), "title: Delta spam\ndocument: tos\nprovision: spam\nexcerpt: No spam, ever.\nsummary: Delta forbids spam.\n").unwrap();
    std::fs::write(
        root.join("content/platforms/delta/platform.yaml"),
        "name: Delta\n",
    )
    .unwrap();
    // Folders appear one after the other: wait until the whole platform is built.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while http(server.port, "GET", "/platforms/delta/clauses/spam/").status != 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "a new platform folder was not picked up"
        );
        reloads.next(20);
    }
    check_served_equals_clean_build(&server, &root, "after adding a platform folder");

    std::fs::remove_dir_all(root.join("content/platforms/delta")).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while http(server.port, "GET", "/platforms/delta/").status != 404 {
        assert!(
            std::time::Instant::now() < deadline,
            "a removed platform folder was not noticed"
        );
        reloads.next(20);
    }
    check_served_equals_clean_build(&server, &root, "after removing a platform folder");
    assert!(
        server.log.lock().unwrap().contains("pages rendered"),
        "the terminal reports each rebuild"
    );
}

#[test]
fn poll_mode_sees_changes_too() {
    let (_tmp, root) = site();
    let server = Server::start(&root, &["--poll"]);
    let mut reloads = Reloads::subscribe(server.port);
    let clause = root.join("content/platforms/beta/clauses/scraping.yaml");
    let text = std::fs::read_to_string(&clause).unwrap();
    std::fs::write(
        &clause,
        text.replace("Beta forbids scraping.", "Beta forbids scraping, polled."),
    )
    .unwrap();
    reloads.next(20);
    assert!(
        http(server.port, "GET", "/platforms/beta/clauses/scraping/")
            .text()
            .contains("polled")
    );
}

#[test]
fn a_site_broken_from_the_start_shows_the_error_until_fixed() {
    let (_tmp, root) = site();
    let clause = root.join("content/platforms/beta/clauses/spam.yaml");
    let text = std::fs::read_to_string(&clause).unwrap();
    std::fs::write(&clause, "title: [broken\n").unwrap();
    let server = Server::start(&root, &[]);
    let page = http(server.port, "GET", "/");
    assert_eq!(page.status, 500);
    assert!(
        page.text().contains("id=\"clausebook-error\"") && page.text().contains("spam.yaml:1:")
    );
    let mut reloads = Reloads::subscribe(server.port);
    std::fs::write(&clause, text).unwrap();
    reloads.next(20);
    let fixed = http(server.port, "GET", "/");
    assert_eq!(fixed.status, 200);
    assert!(!fixed.text().contains("clausebook-error"));
}
