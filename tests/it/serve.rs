//! `clausebook serve` run as a real process: HTTP behaviour, the watcher, live reload, the
//! error overlay, and a served site equal to a clean build after every edit.
#![cfg(feature = "serve")]

use crate::harness::*;
use clausebook::serve::{MAX_CONNECTIONS, MAX_EVENT_STREAMS};
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

#[test]
fn http_types_404_head_redirects_and_traversal() {
    let site = Site::valid();
    let server = Server::start(&site.root, &[]);
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
    let (code, err) = run("serve", tmp.path(), &["--port", "0"]);
    assert_eq!(code, 2);
    assert!(err.contains("content/site.yaml does not exist"), "{err}");
}

#[test]
fn a_taken_port_is_a_clear_error() {
    let site = Site::valid();
    let root = &site.root;
    let server = Server::start(root, &[]);
    let (code, err) = run("serve", root, &["--port", &server.port.to_string()]);
    assert_eq!(code, 2);
    assert!(err.contains("already in use"), "{err}");
}

/// The clause the serve tests edit.
const SPAM: &str = "content/platforms/beta/clauses/spam.yaml";

/// Saves like an editor that writes a temporary file and renames it over the original.
fn save_by_rename(path: &Path, text: &str) {
    let tmp = path.with_file_name(format!(
        ".{}.tmp~",
        path.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// Waits for reloads until `done`; fails the test after 20 s.
fn reload_until(reloads: &mut Reloads, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        reloads.next(20);
    }
}

fn check_served_equals_clean_build(server: &Server, root: &Path, what: &str) {
    let options = clausebook::load::LoadOptions {
        base_url: Some(server.url.clone()),
        ..Default::default()
    };
    let clean = clausebook::build(root, &options).unwrap_or_else(|e| panic!("{what}: {e}"));
    // The search index follows in the background: the same as the build's, once finished.
    // Each shard's entry names its files by their hashes.
    let entries: Vec<(&str, &[u8])> = clean
        .output
        .iter()
        .filter(|(path, _)| path.ends_with("pagefind-entry.json"))
        .collect();
    assert!(!entries.is_empty(), "{what}: the build has a search index");
    wait_until(20, &format!("{what}: the search index"), || {
        entries
            .iter()
            .all(|(path, bytes)| http(server.port, "GET", &format!("/{path}")).body == *bytes)
    });
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
            assert!(served.body == *bytes, "{what}: /{path}");
        }
    }
}

/// Adds a whole platform, `delta`, its folders first and then its files, as a copy or a
/// checkout does.
fn add_platform_delta(site: &Site) {
    std::fs::create_dir_all(site.path("content/platforms/delta/clauses")).unwrap();
    std::fs::create_dir_all(site.path("content/platforms/delta/documents/tos/snapshots")).unwrap();
    site.write(
        "content/platforms/delta/documents/tos/document.yaml",
        "title: Delta Terms\ntype: Terms of Service\nurl: https://delta.example/\n",
    );
    site.write(
        "content/platforms/delta/documents/tos/snapshots/2025-01-01.md",
        "No spam, ever.\n",
    );
    site.write("content/platforms/delta/clauses/spam.yaml", "title: Delta spam\ndocument: tos\nprovision: spam\nexcerpt: No spam, ever.\nsummary: Delta forbids spam.\n");
    site.write("content/platforms/delta/platform.yaml", "name: Delta\n");
}

#[test]
fn watcher_rebuilds_after_rename_over_saves_deletions_and_breakage() {
    let site = Site::valid();
    let server = Server::start(&site.root, &[]);
    let mut reloads = Reloads::subscribe(server.port);
    let clause = site.path(SPAM);
    let text = site.read(SPAM);

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
    check_served_equals_clean_build(&server, &site.root, "after a rename-over save");

    site.write(SPAM, "title: [broken\n");
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

    site.remove(SPAM);
    reloads.next(20);
    assert_eq!(
        http(server.port, "GET", "/platforms/beta/clauses/spam/").status,
        404,
        "a deleted clause's page is gone"
    );
    check_served_equals_clean_build(&server, &site.root, "after a deletion");

    add_platform_delta(&site);
    // Folders appear one after the other: wait until the whole platform is built.
    reload_until(
        &mut reloads,
        "a new platform folder to be picked up",
        || http(server.port, "GET", "/platforms/delta/clauses/spam/").status == 200,
    );
    check_served_equals_clean_build(&server, &site.root, "after adding a platform folder");

    std::fs::remove_dir_all(site.path("content/platforms/delta")).unwrap();
    reload_until(
        &mut reloads,
        "a removed platform folder to be noticed",
        || http(server.port, "GET", "/platforms/delta/").status == 404,
    );
    check_served_equals_clean_build(&server, &site.root, "after removing a platform folder");
    assert!(
        server.log.lock().unwrap().contains("derived"),
        "the terminal reports each rebuild"
    );
}

/// After an edit, `serve` makes again only the search shard of the changed page; the index it
/// serves is the build's, byte for byte.
#[test]
fn serve_indexes_again_only_the_search_shard_of_an_edited_page() {
    let site = Site::valid();
    site.write_notes(300);
    let server = Server::start(&site.root, &[]);
    let mut reloads = Reloads::subscribe(server.port);
    let indexed = |times: usize| {
        wait_until(60, "the search index", || {
            server
                .log
                .lock()
                .unwrap()
                .matches("Search index made")
                .count()
                >= times
        })
    };
    indexed(1);
    check_served_equals_clean_build(&server, &site.root, "at start");

    site.edit("content/pages/note-007.md", "number 7.", "number seven.");
    reloads.next(20);
    indexed(2);
    check_served_equals_clean_build(&server, &site.root, "after an edit to one page");
    let log = server.log.lock().unwrap().clone();
    assert!(
        log.contains(": 1 of 2 parts indexed, 1 unchanged"),
        "only the edited page's shard is made again:\n{log}"
    );
}

/// Regression (20d0792): the polling watcher was told to watch `content/` a second time just
/// after the server started, which took the files as they were then as its baseline: a change
/// saved at that moment was lost.
#[test]
fn poll_watcher_never_loses_a_change_saved_right_after_start() {
    let site = Site::valid();
    let server = Server::start(&site.root, &["--poll"]);
    let mut reloads = Reloads::subscribe(server.port);
    site.edit(
        "content/platforms/beta/clauses/scraping.yaml",
        "Beta forbids scraping.",
        "Beta forbids scraping, polled.",
    );
    reloads.next(20);
    assert!(
        http(server.port, "GET", "/platforms/beta/clauses/scraping/")
            .text()
            .contains("polled")
    );
}

/// Regression (c369037): a theme's hidden static files are published, but the watcher ignored
/// changes to them as it does hidden content files.
#[test]
fn serve_rebuilds_when_a_hidden_theme_static_file_changes() {
    let site = Site::valid();
    let security = "themes/default/static/.well-known/security.txt";
    site.write(security, "Contact: mailto:old@example.org\n");
    let server = Server::start(&site.root, &[]);
    let mut reloads = Reloads::subscribe(server.port);
    site.write(security, "Contact: mailto:new@example.org\n");
    reloads.next(20);
    let served = http(server.port, "GET", "/.well-known/security.txt");
    assert_eq!(served.text(), "Contact: mailto:new@example.org\n");
}

#[test]
fn a_site_broken_from_the_start_shows_the_error_until_fixed() {
    let site = Site::valid();
    let text = site.read(SPAM);
    site.write(SPAM, "title: [broken\n");
    let server = Server::start(&site.root, &[]);
    let page = http(server.port, "GET", "/");
    assert_eq!(page.status, 500);
    assert!(
        page.text().contains("id=\"clausebook-error\"") && page.text().contains("spam.yaml:1:")
    );
    let mut reloads = Reloads::subscribe(server.port);
    site.write(SPAM, text);
    reloads.next(20);
    let fixed = http(server.port, "GET", "/");
    assert_eq!(fixed.status, 200);
    assert!(!fixed.text().contains("clausebook-error"));
}

/// Reads what the server sends on `stream` until it closes the connection (end of file or
/// reset). `None` if it is still open after `secs`.
fn read_until_closed(stream: &mut TcpStream, secs: u64) -> Option<Vec<u8>> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut received = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        stream.set_read_timeout(Some(left)).unwrap();
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk) {
            Ok(0) => return Some(received),
            Ok(n) => received.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return Some(received),
        }
    }
}

fn connect(port: u16) -> TcpStream {
    TcpStream::connect(("127.0.0.1", port)).unwrap()
}

#[test]
fn idle_connections_are_closed_and_never_block_pages() {
    const IDLE: usize = 300;
    const {
        assert!(
            IDLE > MAX_CONNECTIONS,
            "the idle connections fill every place"
        )
    };
    let site = Site::valid();
    let server = Server::start(&site.root, &[]);
    let mut reloads = Reloads::subscribe(server.port);
    // Half send nothing, half stop in the middle of the request line.
    let mut idle: Vec<TcpStream> = (0..IDLE)
        .map(|i| {
            let mut stream = connect(server.port);
            if i % 2 == 1 {
                stream.write_all(b"GET / HT").unwrap();
            }
            stream
        })
        .collect();
    let home = http(server.port, "GET", "/");
    assert_eq!(
        home.status, 200,
        "a page is served past the idle connections"
    );
    for stream in &mut idle[..2] {
        let received = read_until_closed(stream, 30).expect("an idle connection is closed");
        assert!(received.is_empty(), "no answer to no request");
    }
    // The reload stream, opened before the idle connections, outlived their time-out.
    site.edit(SPAM, "Beta forbids spam.", "Beta forbids spam!");
    reloads.next(20);
}

#[test]
fn a_client_trickling_header_bytes_is_cut_off() {
    let site = Site::valid();
    let server = Server::start(&site.root, &[]);
    let mut slow = connect(server.port);
    slow.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .unwrap();
    // One more byte of a header that never ends whenever 200 ms pass with the connection
    // still open: far more often than any per-byte time-out would allow.
    slow.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut chunk = [0u8; 4096];
    loop {
        assert!(
            Instant::now() < deadline,
            "a client trickling header bytes kept its connection"
        );
        match slow.read(&mut chunk) {
            Ok(0) => break,
            Ok(_) => panic!("an answer to an unfinished request"),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
        if slow.write_all(b"a").is_err() {
            break;
        }
    }
    assert_eq!(http(server.port, "GET", "/").status, 200);
}

#[test]
fn a_kept_alive_connection_is_closed_once_idle() {
    let site = Site::valid();
    let server = Server::start(&site.root, &[]);
    let mut stream = connect(server.port);
    stream
        .write_all(b"GET /robots.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let received = read_until_closed(&mut stream, 30).expect("the idle connection is closed");
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 200 "), "{text}");
    assert_eq!(text.matches("HTTP/1.1 ").count(), 1, "{text}");
}

/// Opens a reload stream and returns it with its status.
fn open_events(port: u16) -> (TcpStream, u16) {
    let mut stream = connect(port);
    stream
        .write_all(b"GET /__clausebook/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n") {
        assert_eq!(stream.read(&mut byte).unwrap(), 1, "a status line");
        head.push(byte[0]);
    }
    let status = String::from_utf8_lossy(&head)
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    (stream, status)
}

#[test]
fn reload_streams_are_capped_and_leave_room_for_pages() {
    let site = Site::valid();
    let server = Server::start(&site.root, &[]);
    let mut streams: Vec<TcpStream> = (0..MAX_EVENT_STREAMS)
        .map(|_| {
            let (stream, status) = open_events(server.port);
            assert_eq!(status, 200);
            stream
        })
        .collect();
    assert_eq!(open_events(server.port).1, 503, "one stream too many");
    assert_eq!(http(server.port, "GET", "/").status, 200);
    drop(streams.pop());
    // The server frees the place once it sees the client gone.
    wait_until(30, "a closed stream's place to be free", || {
        open_events(server.port).1 == 200
    });
}

#[test]
fn ctrl_c_stops_the_server_with_a_reload_stream_open() {
    let site = Site::valid();
    let mut server = Server::start(&site.root, &[]);
    let _reloads = Reloads::subscribe(server.port);
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let mut status = None;
    wait_until(30, "the server to stop", || {
        status = server.child.try_wait().unwrap();
        status.is_some()
    });
    assert!(status.unwrap().success(), "{status:?}");
}
