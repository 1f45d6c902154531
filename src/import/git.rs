//! Open Terms Archive versions repositories, read with the git command line: a file per
//! document (`<service>/<terms type>.md`), a commit per version. One `git log` walk lists every
//! version (its commit, author time and blob), and one `git cat-file --batch` process reads the
//! blobs of the versions to import: two processes, however long the history.

use super::{Content, Found, Listing, Terms};
use crate::error::{Error, Result};
use crate::ids::Timestamp;
use crate::model::{MAX_SNAPSHOT_BYTES, SnapshotFormat};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// Whether `path` is a git repository: a clone (with `.git`) or a bare repository.
pub(super) fn is_repository(path: &Path) -> bool {
    path.join(".git").exists() || (path.join("HEAD").is_file() && path.join("objects").is_dir())
}

/// Lists the versions in the history of the repository at `source` (from its `HEAD`), of
/// `services` only when some are named, and opens the process that reads their texts.
pub(super) fn list(source: &Path, services: &[String]) -> Result<(Listing, Blobs)> {
    let mut log = git(source);
    // Oldest first, every file a commit changed with its blob; no rename detection (a renamed
    // file is another document).
    log.args(crate::git::LOG).args([
        "--reverse",
        "--raw",
        "--no-abbrev",
        "-z",
        "--format=commit %H %at",
        "HEAD",
        "--",
    ]);
    log.args(services);
    let mut listing = parse_log(&output(source, log, "log")?);
    let mut names = git(source);
    names.args(["ls-tree", "-d", "--name-only", "-z", "HEAD"]);
    listing.services = output(source, names, "ls-tree")?
        .split(|&b| b == 0)
        .filter(|name| !name.is_empty())
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .collect();
    Ok((listing, Blobs::open(source)?))
}

/// `git` in the repository at `source` ([`crate::git::command`]), taking pathspecs (the
/// services' names) literally.
fn git(source: &Path) -> Command {
    let mut command = crate::git::command(source);
    command.arg("--literal-pathspecs");
    command
}

/// Runs `command` to its end: its stdout, or an error with what git said.
fn output(source: &Path, mut command: Command, what: &str) -> Result<Vec<u8>> {
    let out = command.stderr(Stdio::piped()).output().map_err(not_run)?;
    if !out.status.success() {
        return Err(Error::Usage(format!(
            "{}: `git {what}` failed: {}",
            source.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(out.stdout)
}

/// Why git could not be started.
fn not_run(e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::NotFound {
        Error::Usage("git is not on PATH: clausebook reads the history of an Open Terms Archive versions repository with the git command line. Install git, or import a dataset folder instead.".into())
    } else {
        Error::io("git", e)
    }
}

/// The versions `git log --raw -z` lists: after each `commit <id> <author time>` header, an
/// entry `:<old mode> <new mode> <old blob> <new blob> <status>` and its path per file changed.
/// A deleted file is no version; a file that is not `<service>/<terms type>.<md|txt|html>`, or
/// not a regular file, is skipped (the repository's README and LICENSE).
fn parse_log(out: &[u8]) -> Listing {
    let mut terms: BTreeMap<(String, String), Vec<Found>> = BTreeMap::new();
    let mut skipped = BTreeSet::new();
    let mut commit: Option<(String, Option<Timestamp>)> = None;
    let mut tokens = out.split(|&b| b == 0);
    while let Some(token) = tokens.next() {
        let token = token.strip_prefix(b"\n").unwrap_or(token);
        let token = String::from_utf8_lossy(token);
        if let Some(header) = token.strip_prefix("commit ") {
            let (id, time) = header.split_once(' ').unwrap_or((header, ""));
            let at = time
                .parse()
                .ok()
                .and_then(|s| jiff::Timestamp::from_second(s).ok());
            commit = Some((id.to_string(), at.and_then(Timestamp::of_instant)));
            continue;
        }
        let Some(entry) = token.strip_prefix(':') else {
            continue;
        };
        let path = String::from_utf8_lossy(tokens.next().unwrap_or_default()).into_owned();
        let fields: Vec<&str> = entry.split(' ').collect();
        let [_, mode, _, blob, _] = fields[..] else {
            continue;
        };
        let Some((service, terms_type, format)) = document_of(&path) else {
            continue;
        };
        if blob.bytes().all(|b| b == b'0') {
            continue;
        }
        let Some((id, Some(at))) = &commit else {
            skipped.insert(format!("{path}: a commit without a readable time"));
            continue;
        };
        match (mode, format) {
            ("100644" | "100755", Some(format)) => {
                terms.entry((service, terms_type)).or_default().push(Found {
                    at: at.clone(),
                    format,
                    commit: Some(id.clone()),
                    content: Content::Blob(blob.to_string()),
                });
            }
            _ => {
                skipped.insert(format!("{path}: not a regular .md, .txt or .html file"));
            }
        }
    }
    Listing {
        terms: terms
            .into_iter()
            .map(|((service, terms_type), versions)| Terms {
                service,
                terms_type,
                versions,
            })
            .collect(),
        services: Vec::new(),
        skipped: skipped.into_iter().collect(),
    }
}

/// The service, terms type and format of a document's file, `<service>/<terms type>.<ext>`
/// (the format None for an extension that is not a snapshot's); None for any other path.
fn document_of(path: &str) -> Option<(String, String, Option<SnapshotFormat>)> {
    let (service, file) = path.split_once('/')?;
    let (terms_type, extension) = file.rsplit_once('.')?;
    if service.starts_with('.') || file.contains('/') || terms_type.is_empty() {
        return None;
    }
    let format = SnapshotFormat::of_extension(extension);
    Some((service.to_string(), terms_type.to_string(), format))
}

/// A `git cat-file --batch` process, which reads blobs by id.
pub(super) struct Blobs {
    child: Child,
    /// Closed first when dropped, so the process ends.
    input: Option<ChildStdin>,
    output: BufReader<ChildStdout>,
}

impl Blobs {
    fn open(source: &Path) -> Result<Blobs> {
        let mut command = git(source);
        command
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        let mut child = command.spawn().map_err(not_run)?;
        let (Some(input), Some(output)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(Error::io(
                "git cat-file",
                std::io::ErrorKind::BrokenPipe.into(),
            ));
        };
        Ok(Blobs {
            child,
            input: Some(input),
            output: BufReader::new(output),
        })
    }

    /// The text of blob `id`: an error if git fails, or, inside, why the blob cannot be a
    /// snapshot (too large, not UTF-8). A blob over the limit is read past, not kept.
    pub(super) fn read(&mut self, id: &str) -> Result<std::result::Result<String, String>> {
        let failed = |e: std::io::Error| Error::io("git cat-file", e);
        let input = self
            .input
            .as_mut()
            .ok_or_else(|| failed(std::io::ErrorKind::BrokenPipe.into()))?;
        writeln!(input, "{id}")
            .and_then(|()| input.flush())
            .map_err(failed)?;
        let mut header = String::new();
        self.output.read_line(&mut header).map_err(failed)?;
        // `<id> blob <size>`, or `<id> missing`.
        let size = match header.trim_end().split(' ').collect::<Vec<_>>()[..] {
            [_, "blob", size] => size.parse::<u64>().ok(),
            _ => None,
        };
        let Some(size) = size else {
            return Ok(Err(format!("blob {id}: {}", header.trim_end())));
        };
        // The blob, then a newline.
        let mut bytes = Vec::new();
        let limit = size.min(MAX_SNAPSHOT_BYTES + 1);
        (&mut self.output)
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(failed)?;
        std::io::copy(
            &mut (&mut self.output).take(size - limit + 1),
            &mut std::io::sink(),
        )
        .map_err(failed)?;
        if size > MAX_SNAPSHOT_BYTES {
            return Ok(Err(format!(
                "too large (over {MAX_SNAPSHOT_BYTES} bytes, the limit)"
            )));
        }
        Ok(match String::from_utf8(bytes) {
            Ok(text) => Ok(match text.strip_prefix('\u{feff}') {
                Some(rest) => rest.to_string(),
                None => text,
            }),
            Err(_) => Err("not valid UTF-8 text".into()),
        })
    }
}

impl Drop for Blobs {
    fn drop(&mut self) {
        // Its input closed, cat-file ends.
        drop(self.input.take());
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_lists_each_documents_versions_in_order() {
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let zero = "0".repeat(40);
        let out = format!(
            "commit c1 1700000000\0\n:000000 100644 {zero} {a} A\0Acme/Terms of Service.md\0:000000 100644 {zero} {a} A\0README.md\0\
             commit c2 1700000000\0\n:100644 100644 {a} {b} M\0Acme/Terms of Service.md\0:000000 100644 {zero} {a} A\0Acme/Terms.pdf\0\
             commit c3 1700000060\0\n:100644 000000 {b} {zero} D\0Acme/Terms of Service.md\0:000000 120000 {zero} {a} A\0Acme/Link.md\0"
        );
        let listing = parse_log(out.as_bytes());
        assert_eq!(listing.terms.len(), 1);
        let terms = &listing.terms[0];
        assert_eq!(
            (terms.service.as_str(), terms.terms_type.as_str()),
            ("Acme", "Terms of Service")
        );
        let versions: Vec<(&str, &str)> = terms
            .versions
            .iter()
            .map(|v| (v.commit.as_deref().unwrap(), v.at.as_str()))
            .collect();
        assert_eq!(
            versions,
            [
                ("c1", "2023-11-14T22-13-20Z"),
                ("c2", "2023-11-14T22-13-20Z")
            ]
        );
        assert_eq!(
            listing.skipped,
            [
                "Acme/Link.md: not a regular .md, .txt or .html file",
                "Acme/Terms.pdf: not a regular .md, .txt or .html file"
            ]
        );
    }
}
