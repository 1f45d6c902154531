//! Edit-to-reload latency of `clausebook serve`: the time from writing a clause file to the
//! server's reload message, which is when a browser starts fetching the new page.
//! Usage: cargo bench --bench reload -- SITE_ROOT [EDITS]   (prints one line of figures)

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

    let clauses = first_dir(&root.join("content/platforms")).join("clauses");
    let clause = first_dir_entry(&clauses);
    let original = std::fs::read_to_string(&clause).unwrap();
    let mut times = Vec::new();
    for i in 0..edits {
        std::thread::sleep(Duration::from_millis(400));
        let edited = original.replacen("summary: ", &format!("summary: (edit {i}) "), 1);
        let start = Instant::now();
        std::fs::write(&clause, edited).unwrap();
        wait_for(&mut events, "data: reload");
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    std::fs::write(&clause, original).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    times.sort_by(f64::total_cmp);
    println!(
        "edits {} median {:.0} ms min {:.0} ms max {:.0} ms",
        times.len(),
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
}

fn first_dir(dir: &Path) -> PathBuf {
    first_dir_entry(dir)
}

fn first_dir_entry(dir: &Path) -> PathBuf {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    entries.remove(0)
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
