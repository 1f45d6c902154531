//! Write: the built site as an ordered in-memory map of files, and its atomic swap onto disk.

use crate::error::{Error, Result};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// The file clausebook leaves in every output folder it writes, so it only ever replaces its own.
pub const MARKER: &str = ".clausebook";
const MARKER_TEXT: &str =
    "This folder is written by `clausebook build` and replaced on every build.\n";

/// Every output file, by path relative to the output root (`platforms/aws/index.html`).
/// Bytes are shared, so an incremental rebuild reuses unchanged pages without copying them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Output {
    files: BTreeMap<String, Arc<[u8]>>,
}

impl Output {
    /// Adds a file. Refuses a path that is not plainly inside the output folder, or that another
    /// file already took; the caller names the content that caused it.
    pub fn insert(
        &mut self,
        path: String,
        bytes: impl Into<Arc<[u8]>>,
    ) -> std::result::Result<(), String> {
        if !is_safe_relative(&path) {
            return Err(format!("`{path}` is not a path inside the output folder"));
        }
        if self.files.contains_key(&path) {
            return Err(format!("two outputs would be written to `{path}`"));
        }
        self.files.insert(path, bytes.into());
        Ok(())
    }

    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(|b| &b[..])
    }

    /// The shared bytes of a file, to hand to a server without copying.
    pub fn shared(&self, path: &str) -> Option<Arc<[u8]>> {
        self.files.get(path).cloned()
    }

    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(k, v)| (k.as_str(), &v[..]))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Writes the site to `dir`: into a temporary folder beside it first, swapped in only once
    /// every file is written. A failure leaves the previous output as it was. Refuses to replace
    /// a non-empty folder that clausebook did not create.
    pub fn write_atomic(&self, dir: &Path) -> Result<()> {
        let name = dir
            .file_name()
            .ok_or_else(|| Error::Usage(format!("output folder {} has no name", dir.display())))?
            .to_string_lossy()
            .into_owned();
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let existing = check_replaceable(dir)?;
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let staging = parent.join(format!(".{name}.clausebook-new"));
        let retired = parent.join(format!(".{name}.clausebook-old"));
        for leftover in [&staging, &retired] {
            // Both names are ours: left behind only by an interrupted earlier build.
            if leftover.exists() {
                std::fs::remove_dir_all(leftover).map_err(|e| Error::io(leftover, e))?;
            }
        }
        if let Err(e) = self.write_into(&staging) {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
        if existing {
            std::fs::rename(dir, &retired).map_err(|e| Error::io(dir, e))?;
        }
        if let Err(e) = std::fs::rename(&staging, dir) {
            if existing {
                let _ = std::fs::rename(&retired, dir);
            }
            let _ = std::fs::remove_dir_all(&staging);
            return Err(Error::io(dir, e));
        }
        if existing {
            std::fs::remove_dir_all(&retired).map_err(|e| Error::io(&retired, e))?;
        }
        Ok(())
    }

    fn write_into(&self, root: &Path) -> Result<()> {
        std::fs::create_dir_all(root).map_err(|e| Error::io(root, e))?;
        std::fs::write(root.join(MARKER), MARKER_TEXT).map_err(|e| Error::io(root, e))?;
        // Folders first (sorted paths put each parent before its children), then the files in
        // parallel: writing is most of a large build's time on a slow disk.
        let mut dirs: Vec<PathBuf> = self
            .files
            .keys()
            .filter_map(|rel| Path::new(rel).parent().map(|p| root.join(p)))
            .collect();
        dirs.dedup();
        for dir in &dirs {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        self.files.par_iter().try_for_each(|(rel, bytes)| {
            let path = root.join(rel);
            std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))
        })
    }
}

/// Whether `dir` exists (and may be replaced); an error if it is not clausebook's to replace.
fn check_replaceable(dir: &Path) -> Result<bool> {
    if !dir.exists() {
        return Ok(false);
    }
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "output {} exists and is not a folder",
            dir.display()
        )));
    }
    let mut entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    if entries.next().is_none() || dir.join(MARKER).is_file() {
        return Ok(true);
    }
    Err(Error::Usage(format!(
        "refusing to replace {}: it is not empty and was not created by clausebook (no {MARKER} file). Choose another --output or empty it.",
        dir.display()
    )))
}

/// A relative path of normal segments only: nothing that could climb out of the output folder.
fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && !path
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_unsafe_and_duplicate_paths() {
        let mut o = Output::default();
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "a\\..\\b",
            "./a",
        ] {
            assert!(o.insert(bad.into(), Vec::new()).is_err(), "{bad}");
        }
        o.insert("a/index.html".into(), vec![1]).unwrap();
        assert!(o.insert("a/index.html".into(), vec![2]).is_err());
        assert_eq!(o.get("a/index.html"), Some(&[1u8][..]));
    }

    #[test]
    fn swap_replaces_own_output_and_refuses_foreign_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let mut o = Output::default();
        o.insert("index.html".into(), b"one".to_vec()).unwrap();
        o.write_atomic(&out).unwrap();
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"one");
        let mut o2 = Output::default();
        o2.insert("other.html".into(), b"two".to_vec()).unwrap();
        o2.write_atomic(&out).unwrap();
        assert!(
            !out.join("index.html").exists(),
            "stale files are gone after a swap"
        );
        let names: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names,
            vec![std::ffi::OsString::from("out")],
            "no staging folders left"
        );

        let foreign = tmp.path().join("docs");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("keep.txt"), b"mine").unwrap();
        let e = o.write_atomic(&foreign).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert_eq!(std::fs::read(foreign.join("keep.txt")).unwrap(), b"mine");
    }
}
