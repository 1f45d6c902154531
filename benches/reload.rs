//! Edit-to-reload latency of `clausebook serve`: the time from writing a clause file, or adding
//! a snapshot to a document, to the server's reload message (when a browser starts fetching the
//! new page), and to the edited page received whole, as a browser reloading it would.
//! Usage: cargo bench --bench reload -- SITE_ROOT [EDITS]   (prints a line of figures for each)

use std::io::{BufRead, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let root = PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let edits: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(15);
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/clausebook");
    let mut child = std::process::Command::new(&bin)
        .args(["serve", "--port", "0", "--root"])
        .arg(&root)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("build the release binary first (cargo build --release)");
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let port: u16 = loop {
        let line = lines.next().expect("server output").unwrap();
        if let Some(url) = line
            .strip_prefix("Serving ")
            .and_then(|l| l.split(" at ").nth(1))
        {
            break url
                .split(' ')
                .next()
                .unwrap()
                .trim_end_matches('/')
                .rsplit(':')
                .next()
                .unwrap()
                .parse()
                .unwrap();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let mut events = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        events,
        "GET /__clausebook/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    )
    .unwrap();
    wait_for(&mut events, "\r\n\r\n");

    let platform = entries(&root.join("content/platforms")).remove(0);
    let clause = entries(&platform.join("clauses")).remove(0);
    let original = std::fs::read_to_string(&clause).unwrap();
    let page = format!(
        "/platforms/{}/clauses/{}/",
        name(&platform),
        name(&clause).trim_end_matches(".yaml")
    );
    let times = timed(&mut events, port, edits, |i| {
        let edited = original.replacen("summary: ", &format!("summary: (edit {i}) "), 1);
        std::fs::write(&clause, edited).unwrap();
        (page.clone(), format!("(edit {i})"))
    });
    std::fs::write(&clause, &original).unwrap();
    wait_for(&mut events, "data: reload");
    report("clause edits", times);

    // Each new snapshot is the document's latest with a paragraph added, dated after it; all
    // are taken out at the end.
    let document = entries(&platform.join("documents")).remove(0);
    let snapshots = document.join("snapshots");
    let latest = entries(&snapshots).pop().unwrap();
    let text = std::fs::read_to_string(&latest).unwrap();
    let ext = latest.extension().unwrap().to_string_lossy().into_owned();
    let added = |i: usize| snapshots.join(format!("2099-01-{:02}.{ext}", i + 1));
    let times = timed(&mut events, port, edits.min(28), |i| {
        let paragraph = format!("\n\nA paragraph added by the reload benchmark ({i}).\n");
        std::fs::write(added(i), format!("{text}{paragraph}")).unwrap();
        let page = format!(
            "/platforms/{}/documents/{}/versions/2099-01-{:02}/",
            name(&platform),
            name(&document),
            i + 1
        );
        (page, format!("reload benchmark ({i})"))
    });
    for i in 0..times.len() {
        std::fs::remove_file(added(i)).unwrap();
    }
    report("new snapshots", times);
    let _ = child.kill();
    let _ = child.wait();
}

/// Makes `n` changes with `change`, each once the server is idle, and times each to its reload
/// and to the page `change` names received whole, which must show the text it names.
fn timed(
    events: &mut TcpStream,
    port: u16,
    n: usize,
    mut change: impl FnMut(usize) -> (String, String),
) -> Vec<(f64, f64)> {
    (0..n)
        .map(|i| {
            std::thread::sleep(Duration::from_millis(400));
            let start = Instant::now();
            let (page, shows) = change(i);
            wait_for(events, "data: reload");
            let reload = start.elapsed().as_secs_f64() * 1000.0;
            let body = get(port, &page);
            assert!(body.contains(&shows), "{page} does not show {shows:?}");
            (reload, start.elapsed().as_secs_f64() * 1000.0)
        })
        .collect()
}

/// The body of the page at `path`, read to its end.
fn get(port: u16, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(
        response.starts_with("HTTP/1.1 200"),
        "{path}: {response:.80}"
    );
    response
}

fn report(what: &str, times: Vec<(f64, f64)>) {
    let figures = |mut times: Vec<f64>| {
        times.sort_by(f64::total_cmp);
        format!(
            "median {:.0} ms min {:.0} ms max {:.0} ms",
            times[times.len() / 2],
            times[0],
            times[times.len() - 1]
        )
    };
    let (reload, page): (Vec<f64>, Vec<f64>) = times.into_iter().unzip();
    println!(
        "{what}: {}: to reload {}; to the page received {}",
        reload.len(),
        figures(reload),
        figures(page)
    );
}

/// The last part of a path.
fn name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// The paths in `dir`, sorted.
fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    entries
}

fn wait_for(stream: &mut TcpStream, marker: &str) {
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    while !seen.contains(marker) {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "the server closed the reload channel");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
}
