//! Reading a site from disk: the only way clausebook touches content and theme files.
//!
//! A site arrives in pull requests and is built on machines that hold secrets, so nothing here
//! follows a symbolic link (a snapshot linked to `/proc/self/environ` would publish the build's
//! environment), opens a FIFO, socket or device (a FIFO hangs the build, `/dev/zero` never
//! ends), or trusts the size `stat` reports: every read stops one byte past its limit.

use crate::error::{self, Diagnostic};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// What a folder entry is, from its own metadata (links are never followed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    File,
    Dir,
}

/// One entry of a site folder.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub name: String,
    pub path: PathBuf,
    pub kind: Kind,
}

/// Files editors and operating systems leave behind; never content.
pub(crate) fn is_editor_leftover(name: &str) -> bool {
    name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == ".DS_Store"
}

/// Hidden files and editor leftovers: skipped in content folders.
pub(crate) fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.') || is_editor_leftover(name)
}

const LINK: &str =
    "is a symbolic link; clausebook never follows links in a site (copy the file in instead)";
const SPECIAL: &str =
    "is not a regular file or folder (a FIFO, socket or device); clausebook never opens one";

/// Why `path` (of this file type) cannot be part of a site, if it cannot.
fn refuse(path: &Path, file_type: std::fs::FileType) -> Option<Diagnostic> {
    let what = if file_type.is_symlink() {
        LINK
    } else if file_type.is_file() || file_type.is_dir() {
        return None;
    } else {
        SPECIAL
    };
    Some(Diagnostic::in_file(
        error::Kind::NotARegularFile,
        path,
        what,
    ))
}

/// Whether `path` is a real folder (not a link to one). Missing: `Ok(false)`.
pub(crate) fn is_real_dir(path: &Path) -> Result<bool, Diagnostic> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) => match refuse(path, meta.file_type()) {
            Some(d) => Err(d),
            None => Ok(meta.is_dir()),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => {
            Err(Diagnostic::in_file(error::Kind::Io, path, "cannot read folder").caused_by(e))
        }
    }
}

/// The entries of `dir`, sorted by name, without the names `skip` rejects. Links, FIFOs,
/// sockets and devices are reported, not returned. A missing folder is empty.
pub(crate) fn entries(
    dir: &Path,
    skip: fn(&str) -> bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Entry> {
    if matches!(std::fs::symlink_metadata(dir), Err(e) if e.kind() == std::io::ErrorKind::NotFound)
    {
        return Vec::new();
    }
    walk(dir, 1, skip, diagnostics).map(|(_, e)| e).collect()
}

/// Every file below `dir`, depth first in sorted order, as (path relative to `dir` with `/`
/// separators, full path).
pub(crate) fn files_below(
    dir: &Path,
    skip: fn(&str) -> bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(String, PathBuf)> {
    walk(dir, usize::MAX, skip, diagnostics)
        .filter(|(_, e)| e.kind == Kind::File)
        .map(|(rel, e)| (rel, e.path))
        .collect()
}

/// The entries below `dir` down to `depth`, sorted, with their paths relative to `dir`. Links
/// are not followed (walkdir's default): they, and special files, are reported and skipped.
fn walk<'d>(
    dir: &Path,
    depth: usize,
    skip: fn(&str) -> bool,
    diagnostics: &'d mut Vec<Diagnostic>,
) -> impl Iterator<Item = (String, Entry)> + 'd {
    let root = dir.to_path_buf();
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .max_depth(depth)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(move |e| !skip(&e.file_name().to_string_lossy()))
        .filter_map(move |entry| {
            let e = match entry {
                Ok(e) => e,
                Err(err) => {
                    let path = err.path().unwrap_or(&root).to_path_buf();
                    let d = Diagnostic::in_file(error::Kind::Io, path, "cannot read folder");
                    // The I/O error alone: walkdir's own message repeats it after the path.
                    diagnostics.push(match err.into_io_error() {
                        Some(e) => d.caused_by(e),
                        None => d,
                    });
                    return None;
                }
            };
            if let Some(d) = refuse(e.path(), e.file_type()) {
                diagnostics.push(d);
                return None;
            }
            let rel = e.path().strip_prefix(&root).unwrap_or(e.path());
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let kind = if e.file_type().is_dir() {
                Kind::Dir
            } else {
                Kind::File
            };
            let entry = Entry {
                name: e.file_name().to_string_lossy().into_owned(),
                path: e.into_path(),
                kind,
            };
            Some((rel.join("/"), entry))
        })
}

/// Why a file could not be opened for reading.
enum OpenError {
    Link,
    Special,
    Io(std::io::Error),
}

/// Opens a regular file for reading without following a link and without blocking on a FIFO,
/// then checks what was opened is a regular file: no race between a check and the open. Gives
/// the size `stat` reported with it (a hint, never trusted as a bound).
fn open_regular(path: &Path) -> Result<(File, u64), OpenError> {
    #[cfg(unix)]
    let file = {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        match rustix::fs::open(path, flags, Mode::empty()) {
            Ok(fd) => File::from(fd),
            // O_NOFOLLOW on a link fails with ELOOP.
            Err(rustix::io::Errno::LOOP) => return Err(OpenError::Link),
            Err(e) => return Err(OpenError::Io(e.into())),
        }
    };
    #[cfg(not(unix))]
    let file = {
        // Without O_NOFOLLOW, look first; a link swapped in between is the documented gap.
        let meta = std::fs::symlink_metadata(path).map_err(OpenError::Io)?;
        if meta.file_type().is_symlink() {
            return Err(OpenError::Link);
        }
        File::open(path).map_err(OpenError::Io)?
    };
    match file.metadata() {
        Ok(meta) if meta.is_file() => Ok((file, meta.len())),
        Ok(_) => Err(OpenError::Special),
        Err(e) => Err(OpenError::Io(e)),
    }
}

/// A file's bytes, at most `limit` of them: the read stops one byte past the limit whatever
/// `stat` says, so a growing or lying file cannot exhaust memory.
pub(crate) fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, Diagnostic> {
    let (file, size) = open_regular(path).map_err(|e| match e {
        OpenError::Link => Diagnostic::in_file(error::Kind::NotARegularFile, path, LINK),
        OpenError::Special => Diagnostic::in_file(error::Kind::NotARegularFile, path, SPECIAL),
        OpenError::Io(e) => {
            Diagnostic::in_file(error::Kind::Io, path, "cannot read file").caused_by(e)
        }
    })?;
    // Room for the size `stat` reported and the byte that shows the end: the file is read in
    // one call rather than in reads growing from 32 bytes (ten calls for a 9 KB snapshot).
    let mut bytes = Vec::with_capacity(size.min(limit).saturating_add(1) as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Diagnostic::in_file(error::Kind::Io, path, "cannot read file").caused_by(e))?;
    if bytes.len() as u64 > limit {
        return Err(Diagnostic::in_file(
            error::Kind::TooLarge,
            path,
            format!("file is too large (over {limit} bytes, the limit)"),
        ));
    }
    Ok(bytes)
}

/// A file's UTF-8 text (without a byte-order mark), at most `limit` bytes.
pub(crate) fn read_text(path: &Path, limit: u64) -> Result<String, Diagnostic> {
    let bytes = read_capped(path, limit)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let (line, column) = position(&e.as_bytes()[..e.utf8_error().valid_up_to()]);
        Diagnostic::in_file(error::Kind::NotUtf8, path, "file is not valid UTF-8 text")
            .at(line, column)
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

fn position(prefix: &[u8]) -> (usize, usize) {
    let line = prefix.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = prefix.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.yaml");
        std::fs::write(&p, b"title: ok\nname: a\xff\n").unwrap();
        let d = read_text(&p, 100).unwrap_err();
        assert_eq!(d.kind, error::Kind::NotUtf8);
        assert_eq!(d.origin.span(), Some(error::Span { line: 2, column: 8 }));
    }

    #[cfg(unix)]
    #[test]
    fn links_fifos_and_devices_are_refused_without_reading() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("secret");
        std::fs::write(&secret, "TOKEN=hunter2").unwrap();
        let link = dir.path().join("link.md");
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        let fifo = dir.path().join("fifo.md");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
            0,
        )
        .unwrap();
        for (path, word) in [
            (&link, "symbolic link"),
            (&fifo, "FIFO"),
            (&PathBuf::from("/dev/zero"), "FIFO"),
        ] {
            let d = read_capped(path, 1024).unwrap_err();
            assert_eq!(d.kind, error::Kind::NotARegularFile);
            assert!(d.message.contains(word), "{path:?}: {d}");
            assert!(!d.message.contains("hunter2"));
        }
        let mut diagnostics = Vec::new();
        let found = entries(dir.path(), is_ignored_name, &mut diagnostics);
        assert_eq!(found.len(), 1, "only the regular file: {found:?}");
        assert_eq!(diagnostics.len(), 2, "{diagnostics:?}");
    }

    #[test]
    fn reads_stop_past_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.txt");
        std::fs::write(&p, vec![b'x'; 2000]).unwrap();
        let d = read_capped(&p, 1999).unwrap_err();
        assert_eq!(d.kind, error::Kind::TooLarge);
        assert!(d.message.contains("too large"));
        assert_eq!(read_capped(&p, 2000).unwrap().len(), 2000);
    }
}
