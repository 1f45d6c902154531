//! Edit-to-reload latency of `clausebook serve`: the time from writing a clause file, or adding
//! a snapshot to a document, to the server's reload message, which is when a browser starts
//! fetching the new page.
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
    let times = timed(&mut events, edits, |i| {
        let edited = original.replacen("summary: ", &format!("summary: (edit {i}) "), 1);
        std::fs::write(&clause, edited).unwrap();
    });
    std::fs::write(&clause, &original).unwrap();
    wait_for(&mut events, "data: reload");
    report("clause edits", times);

    // Each new snapshot is the document's latest with a paragraph added, dated after it; all
    // are taken out at the end.
    let snapshots = entries(&platform.join("documents"))
        .remove(0)
        .join("snapshots");
    let latest = entries(&snapshots).pop().unwrap();
    let text = std::fs::read_to_string(&latest).unwrap();
    let ext = latest.extension().unwrap().to_string_lossy().into_owned();
    let added = |i: usize| snapshots.join(format!("2099-01-{:02}.{ext}", i + 1));
    let times = timed(&mut events, edits.min(28), |i| {
        let paragraph = format!("\n\nA paragraph added by the reload benchmark ({i}).\n");
        std::fs::write(added(i), format!("{text}{paragraph}")).unwrap();
    });
    for i in 0..times.len() {
        std::fs::remove_file(added(i)).unwrap();
    }
    report("new snapshots", times);
    let _ = child.kill();
    let _ = child.wait();
}

/// Makes `n` changes with `change`, each once the server is idle, and times each to its reload.
fn timed(events: &mut TcpStream, n: usize, mut change: impl FnMut(usize)) -> Vec<f64> {
    (0..n)
        .map(|i| {
            std::thread::sleep(Duration::from_millis(400));
            let start = Instant::now();
            change(i);
            wait_for(events, "data: reload");
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect()
}

fn report(what: &str, mut times: Vec<f64>) {
    times.sort_by(f64::total_cmp);
    println!(
        "{what}: {} median {:.0} ms min {:.0} ms max {:.0} ms",
        times.len(),
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
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
