//! The git command line, run one way wherever clausebook reads a repository (`import ota` from
//! a versions repository, a site's own history): in the folder named, whatever the environment
//! says, and with nothing the repository's configuration could run.

use crate::ids::Timestamp;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};

/// Environment variables that would point git at another repository than the one named, or
/// change how it reads the pathspecs it is given.
const IGNORED_ENVIRONMENT: [&str; 10] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_LITERAL_PATHSPECS",
    "GIT_GLOB_PATHSPECS",
    "GIT_NOGLOB_PATHSPECS",
    "GIT_ICASE_PATHSPECS",
];

/// `git log` options that keep the repository's configuration from running anything (diff
/// drivers, text conversion, signature checks) or changing what is printed (rename detection,
/// colours).
pub(crate) const LOG: [&str; 6] = [
    "log",
    "--no-renames",
    "--no-ext-diff",
    "--no-textconv",
    "--no-show-signature",
    "--no-color",
];

/// `git` in the repository at `dir`, reading nothing from the terminal.
pub(crate) fn command(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command.arg("-C").arg(dir);
    for variable in IGNORED_ENVIRONMENT {
        command.env_remove(variable);
    }
    command.stdin(Stdio::null());
    command
}

/// The record files of a site whose history is read: not snapshots, whose history is their
/// names. Relative to the site's folder; `*` stands for one file or folder name.
const RECORDS: [&str; 6] = [
    ":(glob)content/platforms/*/platform.yaml",
    ":(glob)content/platforms/*/documents/*/document.yaml",
    ":(glob)content/platforms/*/clauses/*.yaml",
    ":(glob)content/provisions/*.yaml",
    ":(glob)content/regulations/*.yaml",
    ":(glob)content/pages/*.md",
];

/// Longest path read from git's output; a longer one (no record's path is) is passed over.
const MAX_PATH_BYTES: u64 = 16 * 1024;

/// When each record file of the site at `root` was last changed: the latest author time of the
/// commits of `HEAD`'s history that changed it, by its path from `root` (`/`-separated). One
/// `git log` walk, read as it is printed, keeping a time per file whatever the history's length.
/// Empty when git is missing, `root` is in no repository, or the history cannot be read: a site
/// builds the same without it.
pub(crate) fn last_changed(root: &Path) -> HashMap<String, Timestamp> {
    let mut log = command(root);
    // A commit is `@<author time>`, then the files it changed, each after a NUL; paths are
    // printed from `root`, which the pathspecs are read from too.
    log.args(LOG)
        .args([
            "--format=@%at",
            "--name-only",
            "-z",
            "--relative",
            "HEAD",
            "--",
        ])
        .args(RECORDS)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let Ok(mut child) = log.spawn() else {
        return HashMap::new();
    };
    let read = child
        .stdout
        .take()
        .map(|out| parse_log(BufReader::new(out)));
    let succeeded = child.wait().is_ok_and(|status| status.success());
    match read {
        Some(Ok(changed)) if succeeded => changed,
        _ => HashMap::new(),
    }
}

/// The latest time of each path in `git log --format=@%at --name-only -z` output.
fn parse_log(mut out: impl BufRead) -> std::io::Result<HashMap<String, Timestamp>> {
    let mut changed: HashMap<String, Timestamp> = HashMap::new();
    let mut at: Option<Timestamp> = None;
    let mut token = Vec::new();
    loop {
        token.clear();
        let n = (&mut out).take(MAX_PATH_BYTES).read_until(0, &mut token)?;
        if n == 0 {
            return Ok(changed);
        }
        if token.pop() != Some(0) {
            // Longer than any record's path: the rest of it is passed over.
            out.skip_until(0)?;
            continue;
        }
        // The first file of a commit follows its header after a line break.
        let token = token.strip_prefix(b"\n").unwrap_or(&token);
        if let Some(seconds) = token.strip_prefix(b"@") {
            at = std::str::from_utf8(seconds)
                .ok()
                .and_then(|s| s.parse().ok())
                .and_then(|s| jiff::Timestamp::from_second(s).ok())
                .and_then(Timestamp::of_instant);
            continue;
        }
        let (Some(at), Ok(path)) = (&at, std::str::from_utf8(token)) else {
            continue;
        };
        match changed.get_mut(path) {
            Some(latest) if *latest >= *at => {}
            Some(latest) => *latest = at.clone(),
            None => {
                changed.insert(path.to_string(), at.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_file_keeps_the_latest_time_of_the_commits_that_changed_it() {
        let long = "x".repeat(MAX_PATH_BYTES as usize + 10);
        // Newest first, as git prints them; a merge lists no file; the side branch's commit
        // is older than the one after it on the main line.
        let out = format!(
            "@1709424000\0@1709337600\0\ncontent/a.yaml\0content/b.md\0\
             @1709251200\0\ncontent/b.md\0{long}\0\
             @1709500000\0\ncontent/c.yaml\0"
        );
        let changed = parse_log(out.as_bytes()).unwrap();
        let at = |path: &str| changed.get(path).map(Timestamp::as_str);
        assert_eq!(at("content/a.yaml"), Some("2024-03-02T00-00-00Z"));
        assert_eq!(at("content/b.md"), Some("2024-03-02T00-00-00Z"));
        assert_eq!(at("content/c.yaml"), Some("2024-03-03T21-06-40Z"));
        assert_eq!(changed.len(), 3);
    }
}
