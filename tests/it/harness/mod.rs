//! The site-test harness: every test copies, edits, builds, checks or serves a site through
//! these helpers, so each of those is done one way.
//!
//! - [`Site`]: a fixture copied into a temporary folder, with files written, edited or removed.
//! - [`build`], [`check`], [`run_to_end`]: the real binary, run to its end under [`DEADLINE`].
//! - [`Tree`]: an output folder read into memory, to assert on pages.
//! - [`built_valid`], [`built_fidelity`], [`built_sample`]: fixtures built once per test run and
//!   shared by every test that only reads their output.
//! - [`within`], [`finishes`]: library work on a thread of its own under the same deadline.
//! - [`server`]: `clausebook serve` as a process, HTTP, the reload channel.
//! - [`Repository`]: an Open Terms Archive versions repository made commit by commit.

#[cfg(feature = "serve")]
pub(crate) mod server;
#[cfg(feature = "serve")]
pub(crate) use server::*;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// How long a run of the binary, or a piece of library work, may take before it counts as a
/// hang: generous, so a busy machine never fails a test, and a hang fails its test instead of
/// blocking the whole run.
pub(crate) const DEADLINE: Duration = Duration::from_secs(60);

/// The repository, where the sample site lives.
pub(crate) fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture folder under `tests/fixtures/`.
pub(crate) fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(name)
}

/// The binary under test.
pub(crate) fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_clausebook"))
}

/// Why work given a deadline has no result.
#[derive(Debug)]
pub(crate) enum Unfinished {
    Panicked(String),
    Hung,
}

/// The start of the message for work that hung.
pub(crate) const HUNG: &str = "still running after";

impl fmt::Display for Unfinished {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unfinished::Panicked(message) => write!(f, "panicked: {message}"),
            Unfinished::Hung => write!(f, "{HUNG} {} s", DEADLINE.as_secs()),
        }
    }
}

/// Runs `work` on a new thread named `name`, with the default stack as content is read in a
/// build; its result, or why there is none by [`DEADLINE`]. A stack overflow aborts the test
/// binary, naming the thread.
pub(crate) fn within<T: Send + 'static>(
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Unfinished> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            let result = std::panic::catch_unwind(AssertUnwindSafe(work)).map_err(|panic| {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
                Unfinished::Panicked(message.unwrap_or_default())
            });
            let _ = tx.send(result);
        })
        .expect("a worker thread");
    match rx.recv_timeout(DEADLINE) {
        Ok(result) => result,
        Err(RecvTimeoutError::Timeout) => Err(Unfinished::Hung),
        Err(RecvTimeoutError::Disconnected) => Err(Unfinished::Panicked("vanished".into())),
    }
}

/// [`within`], failing the test if the work panics or hangs.
#[track_caller]
pub(crate) fn finishes<T: Send + 'static>(
    what: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    match within(what, work) {
        Ok(value) => value,
        Err(e) => panic!("{what}: {e}"),
    }
}

/// Runs `work` while `burners` threads keep the CPUs busy: results that a clock could decide
/// would differ from those of an idle run.
pub(crate) fn busy<T>(burners: usize, work: impl FnOnce() -> T) -> T {
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        for _ in 0..burners {
            s.spawn(|| {
                let mut x = 1u64;
                while !stop.load(Ordering::Relaxed) {
                    x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
                }
            });
        }
        let result = std::panic::catch_unwind(AssertUnwindSafe(work));
        stop.store(true, Ordering::Relaxed);
        result.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Runs `command` to its end; returns (exit code, stderr). Kills it and fails the test if it is
/// still running at [`DEADLINE`] (a hang).
pub(crate) fn run_to_end(command: Command) -> (i32, String) {
    let (code, _, stderr) = outputs(command);
    (code, stderr)
}

/// [`run_to_end`], with stdout: returns (exit code, stdout, stderr).
pub(crate) fn outputs(mut command: Command) -> (i32, String, String) {
    let what = format!("{command:?}");
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let id = child.id();
    match within("child", move || child.wait_with_output()) {
        Ok(output) => {
            let output = output.unwrap_or_else(|e| panic!("{what}: {e}"));
            (
                output.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&output.stdout).into_owned(),
                String::from_utf8_lossy(&output.stderr).into_owned(),
            )
        }
        Err(e) => {
            let _ = Command::new("kill").args(["-9", &id.to_string()]).status();
            panic!("{what}: {e}")
        }
    }
}

/// Runs `clausebook <command> --root <root> <extra…>`; returns (exit code, stderr).
pub(crate) fn run<A: AsRef<OsStr>>(command: &str, root: &Path, extra: &[A]) -> (i32, String) {
    let mut cmd = Command::new(bin());
    cmd.arg(command).arg("--root").arg(root).args(extra);
    run_to_end(cmd)
}

/// Builds `root` into `out` with extra arguments; returns (exit code, stderr).
pub(crate) fn build(root: &Path, out: &Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec![OsStr::new("--output"), out.as_os_str()];
    args.extend(extra.iter().map(OsStr::new));
    run("build", root, &args)
}

/// Checks `root`; returns (exit code, stderr).
pub(crate) fn check(root: &Path) -> (i32, String) {
    run::<&str>("check", root, &[])
}

/// The diagnostic of a command's stderr that points at `place` (`file:line:column:`, or
/// `file:` for one without a position): diagnostics are printed as cargo prints them, one
/// block each with ` --> file:line:column` under the message, or on one line.
pub(crate) fn diagnostic_at<'a>(stderr: &'a str, place: &str) -> Option<&'a str> {
    stderr.split("\n\n").find(|d| {
        let mut lines = d.lines();
        let title = lines.next().unwrap_or_default();
        let location = lines
            .next()
            .and_then(|l| l.trim_start().strip_prefix("--> "));
        title.contains(place) || location.is_some_and(|l| format!("{l}:").contains(place))
    })
}

/// Fails the test unless a diagnostic of `stderr` points at `position` (`file:line:col:`, or
/// any part of it) and says `words`.
#[track_caller]
pub(crate) fn assert_diagnostic(context: &str, stderr: &str, position: &str, words: &str) {
    let Some(d) = diagnostic_at(stderr, position) else {
        panic!("{context}: nothing at `{position}` in:\n{stderr}");
    };
    assert!(d.contains(words), "{context}: `{words}` not in `{d}`");
}

/// An output folder read into memory: every file by its path relative to the folder, with `/`
/// separators.
#[derive(Debug, PartialEq)]
pub(crate) struct Tree(BTreeMap<String, Vec<u8>>);

impl Tree {
    /// The files under `dir`, but an on-disk cache's: builds of a fixture in place leave one
    /// there, which a build running at the same time may be writing.
    pub(crate) fn read(dir: &Path) -> Tree {
        let mut files = BTreeMap::new();
        let walk = walkdir::WalkDir::new(dir).sort_by_file_name();
        for entry in walk
            .into_iter()
            .filter_entry(|e| e.file_name() != clausebook::cache::FOLDER)
        {
            let entry = entry.unwrap();
            if entry.file_type().is_file() {
                let rel = entry.path().strip_prefix(dir).unwrap();
                let rel = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                files.insert(rel, std::fs::read(entry.path()).unwrap());
            }
        }
        Tree(files)
    }

    /// The text of the file at `rel`; fails the test if there is none.
    #[track_caller]
    pub(crate) fn page(&self, rel: &str) -> String {
        let Some(bytes) = self.0.get(rel) else {
            panic!("{rel}: no such file");
        };
        match String::from_utf8(bytes.clone()) {
            Ok(text) => text,
            Err(e) => panic!("{rel}: {e}"),
        }
    }

    pub(crate) fn has(&self, rel: &str) -> bool {
        self.0.contains_key(rel)
    }

    /// The bytes of the file at `rel`.
    pub(crate) fn bytes(&self, rel: &str) -> Option<&[u8]> {
        self.0.get(rel).map(Vec::as_slice)
    }

    pub(crate) fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

/// Copies every file below `from` into `to`, over what is there (a copy starts without the
/// on-disk cache, which [`Tree::read`] leaves out).
pub(crate) fn copy_tree(from: &Path, to: &Path) {
    for (rel, bytes) in Tree::read(from).files() {
        let path = to.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// A new starter site (`clausebook init`) at `site` in a temporary folder, which is returned
/// with it.
#[track_caller]
pub(crate) fn starter_site() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let mut command = Command::new(bin());
    command.arg("init").arg(&site);
    let (code, stderr) = run_to_end(command);
    assert_eq!(code, 0, "{stderr}");
    (tmp, site)
}

/// The names in a folder, sorted.
pub(crate) fn siblings(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// A git repository in the making: `git` run in it with a fixed identity and none of the
/// machine's configuration, each commit at the time it is given.
pub(crate) struct Repository(pub PathBuf);

impl Repository {
    /// A new repository at `dir`, created if it is not there.
    pub(crate) fn new(dir: &Path) -> Repository {
        let repo = Repository(dir.to_path_buf());
        std::fs::create_dir_all(dir).unwrap();
        repo.git(&["init", "-q"], "2024-01-01T00:00:00Z");
        repo
    }

    /// Runs `git args…` in the repository at the time `at`; returns its stdout, trimmed.
    #[track_caller]
    pub(crate) fn git(&self, args: &[&str], at: &str) -> String {
        let mut command = Command::new("git");
        command
            .arg("-C")
            .arg(&self.0)
            .args([
                "-c",
                "user.name=Open Terms Archive Bot",
                "-c",
                "user.email=bot@example.org",
            ])
            .args(["-c", "commit.gpgsign=false"])
            .args(args)
            .env("GIT_AUTHOR_DATE", at)
            .env("GIT_COMMITTER_DATE", at)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null");
        let (code, stdout, stderr) = outputs(command);
        assert_eq!(code, 0, "git {args:?}: {stderr}");
        stdout.trim().to_string()
    }

    /// Commits `text` as the file `path` at `at`; returns the commit's id.
    #[track_caller]
    pub(crate) fn record(&self, path: &str, text: &str, at: &str) -> String {
        let file = self.0.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, text).unwrap();
        self.commit(path, at)
    }

    /// Commits the file or folder `path` as it is at `at`; returns the commit's id.
    #[track_caller]
    pub(crate) fn commit(&self, path: &str, at: &str) -> String {
        self.git(&["add", "--", path], at);
        self.git(&["commit", "-q", "-m", &format!("Record {path}")], at);
        self.git(&["rev-parse", "HEAD"], at)
    }
}

/// What a successful build wrote, and what it printed.
pub(crate) struct Built {
    pub tree: Tree,
    pub stderr: String,
}

impl Built {
    /// Builds `root` into a temporary folder, failing the test unless the build succeeds, and
    /// reads what it wrote; the folder is removed.
    #[track_caller]
    pub(crate) fn fresh(root: &Path, extra: &[&str]) -> Built {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let (code, stderr) = build(root, &out, extra);
        assert_eq!(code, 0, "{}: {stderr}", root.display());
        Built {
            tree: Tree::read(&out),
            stderr,
        }
    }
}

/// The valid fixture, built once per test run.
pub(crate) fn built_valid() -> &'static Built {
    static BUILT: LazyLock<Built> = LazyLock::new(|| Built::fresh(&fixture("valid"), &[]));
    &BUILT
}

/// The fidelity fixture (cuts of real archives), built once per test run.
pub(crate) fn built_fidelity() -> &'static Built {
    static BUILT: LazyLock<Built> = LazyLock::new(|| Built::fresh(&fixture("fidelity"), &[]));
    &BUILT
}

/// The sample site under a subpath `base_url`, built once per test run.
pub(crate) fn built_sample() -> &'static Built {
    static BUILT: LazyLock<Built> =
        LazyLock::new(|| Built::fresh(&repo_root(), &["--base-url", "https://example.org/atlas/"]));
    &BUILT
}

/// A theme whose one template overrides the built-in `page.html`.
pub(crate) const HOUSE_THEME_PAGE: &str = "{% extends \"base.html\" %}{% block content %}<h1 class=\"house\">{{ title }}</h1>{% endblock content %}";

/// A copy of a fixture site in a temporary folder, to edit and run the binary on. Outputs go
/// beside the site, in the same folder, which is removed when the value is dropped.
pub(crate) struct Site {
    dir: tempfile::TempDir,
    pub root: PathBuf,
}

impl Site {
    /// A copy of `tests/fixtures/<name>`.
    pub(crate) fn of(name: &str) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        copy_tree(&fixture(name), &root);
        Site { dir, root }
    }

    /// A copy of the valid fixture.
    pub(crate) fn valid() -> Site {
        Site::of("valid")
    }

    /// The valid fixture with the files of `tests/fixtures/<overlay>` laid over it.
    pub(crate) fn valid_with(overlay: &str) -> Site {
        let site = Site::valid();
        copy_tree(&fixture(overlay), &site.root);
        site
    }

    /// The temporary folder that holds the site.
    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Where [`Site::build`] writes.
    pub(crate) fn out(&self) -> PathBuf {
        self.dir().join("out")
    }

    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    #[track_caller]
    pub(crate) fn read(&self, rel: &str) -> String {
        match std::fs::read_to_string(self.path(rel)) {
            Ok(text) => text,
            Err(e) => panic!("{rel}: {e}"),
        }
    }

    /// Writes a file of the site, creating its folders.
    pub(crate) fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    /// Writes `count` free pages, `note-000` on, each under a folder of its own and each saying
    /// "A lighthouse keeper's note number N.": a site with as many indexed pages as wanted.
    pub(crate) fn write_notes(&self, count: usize) {
        for n in 0..count {
            self.write(
                &format!("content/pages/note-{n:03}.md"),
                format!("---\ntitle: Note {n}\n---\nA lighthouse keeper's note number {n}.\n"),
            );
        }
    }

    /// Replaces `from` with `to` in a file of the site; fails the test if `from` is not there,
    /// so an edit never silently does nothing.
    #[track_caller]
    pub(crate) fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not hold `{from}`");
        self.write(rel, text.replace(from, to));
    }

    /// Appends `text` to a file of the site.
    pub(crate) fn append(&self, rel: &str, text: &str) {
        self.write(rel, self.read(rel) + text);
    }

    pub(crate) fn remove(&self, rel: &str) {
        std::fs::remove_file(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    }

    /// Builds the site into [`Site::out`]; returns (exit code, stderr).
    pub(crate) fn build(&self, extra: &[&str]) -> (i32, String) {
        build(&self.root, &self.out(), extra)
    }

    /// What the last build wrote.
    pub(crate) fn output(&self) -> Tree {
        Tree::read(&self.out())
    }

    /// Checks the site; returns (exit code, stderr).
    pub(crate) fn check(&self) -> (i32, String) {
        check(&self.root)
    }
}

/// Every `href="…"` and `src="…"` value in an HTML text.
fn links(html: &str) -> Vec<String> {
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
pub(crate) fn broken_links(tree: &Tree, root: &str) -> Vec<String> {
    let mut broken = Vec::new();
    for (file, bytes) in tree.files() {
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
            if !tree.has(&target) {
                broken.push(format!("{file}: {link}"));
            }
        }
    }
    broken
}

/// A clause page's sections, in the order the reference gives them.
#[track_caller]
pub(crate) fn assert_sections_in_order(html: &str) {
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
