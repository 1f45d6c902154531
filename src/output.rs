//! Write: where a build's files go as they are rendered (a staging folder swapped in atomically,
//! memory, or nowhere), and the in-memory map of a build's files.

use crate::error::{Diagnostic, Error, Kind, Origin, Result};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// The file clausebook leaves in every output folder it writes, so it only ever replaces its own.
pub const MARKER: &str = ".clausebook";
const MARKER_TEXT: &str =
    "This folder is written by `clausebook build` and replaced on every build.\n";

/// Every output file, by path relative to the output root (`platforms/aws/index.html`), as a
/// build into memory makes them. Bytes are shared, so a server hands them out without copying.
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
        inside(&path)?;
        if self.files.contains_key(&path) {
            return Err(format!("two outputs would be written to `{path}`"));
        }
        self.files.insert(path, bytes.into());
        Ok(())
    }

    /// The bytes of the file at `path`.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(|b| &b[..])
    }

    /// The bytes of a file, to hand to a server: shared, not copied.
    pub fn shared(&self, path: &str) -> Option<Arc<[u8]>> {
        self.files.get(path).cloned()
    }

    /// Whether there is a file at `path`.
    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// Every file, by path.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(k, v)| (k.as_str(), &v[..]))
    }

    /// How many files there are.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there is no file.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Where a build puts each file as soon as it is rendered, so that no build holds its whole
/// output: a staging folder on disk ([`Staging`]), memory ([`Memory`], for tests) or nowhere
/// ([`Discard`], for `check`).
pub trait Sink: Sync {
    /// Takes the file at `path` (relative to the output root); the route table gives each path
    /// once.
    fn put(&self, path: &str, bytes: &Arc<[u8]>) -> Result<()>;

    /// Takes the previous output's file at `path` as it is, unread: the on-disk cache knows it
    /// is what this build would render there. Only [`Staging`] has a previous output.
    fn keep(&self, path: &str) -> Result<()>;
}

/// Files kept in memory, in an [`Output`].
#[derive(Debug, Default)]
pub struct Memory {
    files: std::sync::Mutex<Output>,
}

impl Memory {
    /// The files put so far.
    pub fn into_output(self) -> Output {
        self.files
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Sink for Memory {
    fn put(&self, path: &str, bytes: &Arc<[u8]>) -> Result<()> {
        self.files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(path.to_string(), bytes.clone())
            .map_err(|message| refused(path, message))
    }

    /// A build into memory has no previous output: nothing can be kept from it.
    fn keep(&self, path: &str) -> Result<()> {
        Err(Error::Usage(format!(
            "`{path}` cannot be kept: a build into memory has no previous output"
        )))
    }
}

/// Why `path` may not be written: it is not plainly inside the output folder.
fn inside(path: &str) -> std::result::Result<(), String> {
    if is_safe_relative(path) {
        Ok(())
    } else {
        Err(format!("`{path}` is not a path inside the output folder"))
    }
}

/// A file a sink refuses, as the content error it comes from: the route table gives each file
/// one safe path, so this is the last guard, never the first.
fn refused(path: &str, message: String) -> Error {
    let origin = Origin::Output(path.to_string());
    Error::content(vec![Diagnostic::error(
        Kind::RouteConflict,
        origin,
        message,
    )])
}

/// Files rendered and dropped: `check` renders every page to find template errors and
/// writes nothing.
#[derive(Debug, Default)]
pub struct Discard;

impl Sink for Discard {
    fn put(&self, path: &str, _: &Arc<[u8]>) -> Result<()> {
        inside(path).map_err(|message| refused(path, message))
    }

    fn keep(&self, path: &str) -> Result<()> {
        inside(path).map_err(|message| refused(path, message))
    }
}

/// A new output folder being written beside the one it replaces. Files are written into it as
/// they come; [`Staging::commit`] swaps it in only once every file is written (see `swap`),
/// so a failure or an interruption leaves the previous output as it was. Dropped without a
/// commit, it removes what it wrote.
///
/// It refuses to replace a non-empty folder that clausebook did not create, and fails at once if
/// another build is writing to the same output (see `OutputLock`). The new folder takes the
/// permissions of the one it replaces. An output that is a symbolic link is followed: the folder
/// it points to is replaced and the link stays a link, so a layout such as
/// `public -> /srv/www/site` keeps working. A link to nothing is refused.
pub struct Staging {
    dir: PathBuf,
    staging: PathBuf,
    retired: PathBuf,
    /// The permissions of the folder replaced, None if there is none.
    existing: Option<std::fs::Permissions>,
    committed: bool,
    #[cfg(unix)]
    _lock: OutputLock,
}

impl Staging {
    /// Starts a new output for `dir`: locks it and creates the empty staging folder.
    pub fn begin(dir: &Path) -> Result<Staging> {
        let dir = follow_link(dir)?;
        let name = dir
            .file_name()
            .ok_or_else(|| Error::Usage(format!("output folder {} has no name", dir.display())))?
            .to_string_lossy()
            .into_owned();
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        #[cfg(unix)]
        let lock = OutputLock::acquire(&parent.join(format!(".{name}.clausebook-lock")), &dir)?;
        let existing = replaceable(&dir)?;
        let staging = parent.join(format!(".{name}.clausebook-new"));
        let retired = parent.join(format!(".{name}.clausebook-old"));
        for leftover in [&staging, &retired] {
            // Both names are ours: left behind only by an interrupted earlier build.
            if std::fs::symlink_metadata(leftover).is_ok() {
                remove_tree(leftover).map_err(|e| Error::io(leftover, e))?;
            }
        }
        let out = Staging {
            dir,
            staging,
            retired,
            existing,
            committed: false,
            #[cfg(unix)]
            _lock: lock,
        };
        std::fs::create_dir(&out.staging).map_err(|e| Error::io(&out.staging, e))?;
        let marker = out.staging.join(MARKER);
        std::fs::write(&marker, MARKER_TEXT).map_err(|e| Error::io(&marker, e))?;
        Ok(out)
    }

    /// The output folder being replaced (the target of a link given as the output).
    pub fn folder(&self) -> &Path {
        &self.dir
    }

    /// Swaps the staging folder in for the output.
    pub fn commit(mut self) -> Result<()> {
        self.committed = true;
        let result = self.swap_in();
        if result.is_err() {
            let _ = remove_tree(&self.staging);
        }
        result
    }

    fn swap_in(&self) -> Result<()> {
        let Some(permissions) = &self.existing else {
            return std::fs::rename(&self.staging, &self.dir).map_err(|e| Error::io(&self.dir, e));
        };
        std::fs::set_permissions(&self.staging, permissions.clone())
            .map_err(|e| Error::io(&self.staging, e))?;
        swap(&self.staging, &self.dir, &self.retired)
    }
}

impl Sink for Staging {
    fn put(&self, path: &str, bytes: &Arc<[u8]>) -> Result<()> {
        let target = self.place(path)?;
        if self.existing.is_some() && self.link_unchanged(path, bytes, &target) {
            return Ok(());
        }
        std::fs::write(&target, bytes).map_err(|e| Error::io(&target, e))
    }

    fn keep(&self, path: &str) -> Result<()> {
        let (old, target) = (self.dir.join(path), self.place(path)?);
        // Linked, as an unchanged file is; copied where the file system has no links.
        if std::fs::hard_link(&old, &target).is_err() {
            std::fs::copy(&old, &target).map_err(|e| Error::io(&old, e))?;
        }
        Ok(())
    }
}

impl Staging {
    /// Where the file at `path` goes in the staging folder, its folder made; refused unless
    /// `path` is plainly inside the output.
    fn place(&self, path: &str) -> Result<PathBuf> {
        inside(path).map_err(|message| refused(path, message))?;
        let target = self.staging.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        Ok(target)
    }

    /// Links the output's file at `path` into the staging folder if it holds exactly `bytes`:
    /// a file whose bytes did not change is not written again and keeps its modification time,
    /// so a deploy that syncs by date (rsync, a bucket sync) uploads only what changed. Never
    /// a link, never a file that is not regular; any failure falls back to writing.
    fn link_unchanged(&self, path: &str, bytes: &[u8], target: &Path) -> bool {
        let old = self.dir.join(path);
        let same = std::fs::symlink_metadata(&old).is_ok_and(|m| {
            m.is_file()
                && m.len() == bytes.len() as u64
                && std::fs::read(&old).is_ok_and(|b| b == bytes)
        });
        same && std::fs::hard_link(&old, target).is_ok()
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_tree(&self.staging);
        }
    }
}

/// The permissions of `dir` if it exists and may be replaced, None if it does not exist; an
/// error if it is not clausebook's to replace.
fn replaceable(dir: &Path) -> Result<Option<std::fs::Permissions>> {
    let metadata = match std::fs::metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(dir, e)),
    };
    if !metadata.is_dir() {
        return Err(Error::Usage(format!(
            "output {} exists and is not a folder",
            dir.display()
        )));
    }
    let mut entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    if entries.next().is_none() || dir.join(MARKER).is_file() {
        return Ok(Some(metadata.permissions()));
    }
    Err(Error::Usage(format!(
        "refusing to replace {}: it is not empty and was not created by clausebook (no {MARKER} file). Choose another --output or empty it.",
        dir.display()
    )))
}

/// The folder a symbolic link at `dir` points to, or `dir` itself.
fn follow_link(dir: &Path) -> Result<PathBuf> {
    match std::fs::symlink_metadata(dir) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(dir).map_err(|e| {
            Error::Usage(format!(
                "output {} is a symbolic link whose target cannot be found ({e})",
                dir.display()
            ))
        }),
        _ => Ok(dir.to_path_buf()),
    }
}

/// Puts the staging tree at `dir` and deletes the tree it replaces. On Linux the two trade
/// places in one atomic `renameat2(RENAME_EXCHANGE)`: `dir` always holds a complete site, for a
/// reader polling it and after a kill alike. Elsewhere, or on a file system without the exchange
/// (EINVAL, or ENOSYS from an old kernel), it falls back to [`swap_by_renames`].
fn swap(staging: &Path, dir: &Path, retired: &Path) -> Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        use rustix::io::Errno;
        match renameat_with(CWD, staging, CWD, dir, RenameFlags::EXCHANGE) {
            // The staging name now holds the previous tree.
            Ok(()) => return remove_tree(staging).map_err(|e| Error::io(staging, e)),
            Err(Errno::INVAL | Errno::NOSYS) => {}
            Err(e) => {
                let _ = remove_tree(staging);
                return Err(Error::io(dir, e.into()));
            }
        }
    }
    swap_by_renames(staging, dir, retired)
}

/// The swap without an atomic exchange: `dir` is renamed to `retired`, then the staging tree to
/// `dir`. Between the two renames `dir` does not exist, and a kill there leaves the previous
/// site in `retired` and no output until the next build (which clears `retired`).
fn swap_by_renames(staging: &Path, dir: &Path, retired: &Path) -> Result<()> {
    if let Err(e) = std::fs::rename(dir, retired) {
        let _ = remove_tree(staging);
        return Err(Error::io(dir, e));
    }
    if let Err(e) = std::fs::rename(staging, dir) {
        let _ = std::fs::rename(retired, dir);
        let _ = remove_tree(staging);
        return Err(Error::io(dir, e));
    }
    remove_tree(retired).map_err(|e| Error::io(retired, e))
}

/// Deletes the folder `dir` and everything in it (or the file or link at `dir`). On Linux the
/// subfolders are deleted by several threads side by side: deleting a folder mostly waits on the
/// disk (on a file system mounted with `discard`, for its freed block to be trimmed), so the
/// ten thousand folders of a retired site go several times faster than one at a time. Like
/// `std::fs::remove_dir_all`, it never follows a link: each folder is opened relative to its
/// parent, refusing a link.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    if !std::fs::symlink_metadata(dir)?.is_dir() {
        return std::fs::remove_file(dir);
    }
    let Ok(removers) = rayon::ThreadPoolBuilder::new()
        .num_threads(REMOVERS)
        .build()
    else {
        return std::fs::remove_dir_all(dir);
    };
    let folder = rustix::fs::openat(rustix::fs::CWD, dir, FOLDER, rustix::fs::Mode::empty())?;
    removers.install(|| empty_folder(folder))?;
    std::fs::remove_dir(dir)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    std::fs::remove_dir_all(dir)
}

/// How many threads delete a retired tree: more than there are cores, as they mostly wait.
#[cfg(any(target_os = "linux", target_os = "android"))]
const REMOVERS: usize = 16;

/// How a folder is opened to be emptied: never through a link.
#[cfg(any(target_os = "linux", target_os = "android"))]
const FOLDER: rustix::fs::OFlags = rustix::fs::OFlags::RDONLY
    .union(rustix::fs::OFlags::DIRECTORY)
    .union(rustix::fs::OFlags::NOFOLLOW)
    .union(rustix::fs::OFlags::CLOEXEC);

/// Deletes everything in the open folder `folder`: its files at once, its subfolders (each
/// emptied, then deleted) in parallel.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn empty_folder(folder: std::os::fd::OwnedFd) -> std::io::Result<()> {
    use rayon::prelude::*;
    use rustix::fs::{AtFlags, FileType, Mode, openat, statat, unlinkat};
    let mut entries = rustix::fs::Dir::new(folder)?;
    let mut subfolders = Vec::new();
    while let Some(entry) = entries.read() {
        let entry = entry?;
        let name = entry.file_name();
        if name == c"." || name == c".." {
            continue;
        }
        let kind = match entry.file_type() {
            FileType::Unknown => FileType::from_raw_mode(
                statat(entries.fd()?, name, AtFlags::SYMLINK_NOFOLLOW)?.st_mode,
            ),
            kind => kind,
        };
        if kind == FileType::Directory {
            subfolders.push(name.to_owned());
        } else {
            unlinkat(entries.fd()?, name, AtFlags::empty())?;
        }
    }
    let parent = entries.fd()?;
    subfolders.par_iter().try_for_each(|name| {
        empty_folder(openat(parent, name.as_c_str(), FOLDER, Mode::empty())?)?;
        unlinkat(parent, name.as_c_str(), AtFlags::REMOVEDIR).map_err(Into::into)
    })
}

/// An exclusive advisory lock (`flock`, non-blocking) on a file beside the output, held while a
/// build writes it: a second build into the same output fails at once, saying so, instead of
/// both tripping over one staging folder. The file is removed before the lock is released, so
/// none is left behind; a build that locked a file since removed tries again with a new one.
/// Unix only (elsewhere builds are not locked).
#[cfg(unix)]
struct OutputLock {
    path: PathBuf,
    _file: std::fs::File,
}

#[cfg(unix)]
impl OutputLock {
    fn acquire(path: &Path, dir: &Path) -> Result<OutputLock> {
        use rustix::fs::{FlockOperation, flock};
        use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
        let held_elsewhere = || {
            Error::Usage(format!(
                "another build is writing to {} (it holds {}); wait for it to finish or choose another --output",
                dir.display(),
                path.display()
            ))
        };
        // Each retry means another build removed the file between our opening and locking it.
        for _ in 0..LOCK_ATTEMPTS {
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
                .open(path)
                .map_err(|e| Error::io(path, e))?;
            match flock(&file, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => {}
                Err(rustix::io::Errno::WOULDBLOCK) => return Err(held_elsewhere()),
                Err(e) => return Err(Error::io(path, e.into())),
            }
            let locked = file.metadata().map_err(|e| Error::io(path, e))?;
            match std::fs::symlink_metadata(path) {
                Ok(now) if (now.dev(), now.ino()) == (locked.dev(), locked.ino()) => {
                    return Ok(OutputLock {
                        path: path.to_path_buf(),
                        _file: file,
                    });
                }
                _ => continue,
            }
        }
        Err(held_elsewhere())
    }
}

#[cfg(unix)]
impl Drop for OutputLock {
    fn drop(&mut self) {
        // Removed while still locked: the lock is released when the file closes, after this.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// How many times a build tries to lock a fresh lock file before giving up.
#[cfg(unix)]
const LOCK_ATTEMPTS: usize = 16;

/// Refuses an output folder inside what the build reads, `<root>/content/` or a theme's
/// `<root>/themes/*/static/`: the site would copy itself into the next build and grow with each
/// one. Paths are compared resolved, so neither a symbolic link nor `..` hides it.
pub fn check_outside_inputs(root: &Path, dir: &Path) -> Result<()> {
    let output = resolved(dir)?;
    let mut inputs = vec![root.join("content")];
    if let Ok(themes) = std::fs::read_dir(root.join("themes")) {
        inputs.extend(themes.flatten().map(|theme| theme.path().join("static")));
    }
    for input in inputs {
        if output.starts_with(resolved(&input)?) {
            return Err(Error::Usage(format!(
                "output {} is inside {}, which the build reads: the site would copy itself into every build. Choose an --output outside it.",
                dir.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

/// `path` made absolute, with symbolic links resolved as far as it exists (canonicalised); the
/// rest, which does not exist yet, is taken as written.
fn resolved(path: &Path) -> Result<PathBuf> {
    let absolute = std::path::absolute(path).map_err(|e| Error::io(path, e))?;
    for existing in absolute.ancestors() {
        let (Ok(mut real), Ok(rest)) = (
            std::fs::canonicalize(existing),
            absolute.strip_prefix(existing),
        ) else {
            continue;
        };
        for part in rest.components() {
            match part {
                Component::ParentDir => {
                    real.pop();
                }
                Component::Normal(name) => real.push(name),
                _ => {}
            }
        }
        return Ok(real);
    }
    Ok(absolute)
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

    /// Writes one file into `dir` through a staging folder.
    fn write(dir: &Path, file: &str, bytes: &[u8]) -> Result<()> {
        let staging = Staging::begin(dir)?;
        staging.put(file, &bytes.into())?;
        staging.commit()
    }

    #[test]
    fn swap_replaces_own_output_and_refuses_foreign_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        write(&out, "index.html", b"one").unwrap();
        assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"one");
        write(&out, "other.html", b"two").unwrap();
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
        let e = write(&foreign, "index.html", b"one").unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert_eq!(std::fs::read(foreign.join("keep.txt")).unwrap(), b"mine");
    }

    #[cfg(unix)]
    #[test]
    fn an_unchanged_file_is_kept_not_rewritten() {
        use std::os::unix::fs::MetadataExt;
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let build = |changed: &[u8]| {
            let staging = Staging::begin(&out).unwrap();
            staging.put("same.html", &b"same"[..].into()).unwrap();
            staging.put("a/changed.html", &changed.into()).unwrap();
            staging.commit().unwrap();
        };
        let inode = |file: &str| std::fs::metadata(out.join(file)).unwrap().ino();
        build(b"one");
        let (same, changed) = (inode("same.html"), inode("a/changed.html"));
        build(b"two");
        assert_eq!(inode("same.html"), same, "the same file, not a copy");
        assert_ne!(inode("a/changed.html"), changed);
        assert_eq!(std::fs::read(out.join("a/changed.html")).unwrap(), b"two");
        build(b"tw0");
        assert_eq!(std::fs::read(out.join("a/changed.html")).unwrap(), b"tw0");
    }

    #[cfg(unix)]
    #[test]
    fn a_tree_is_deleted_without_following_its_links() {
        let tmp = tempfile::tempdir().unwrap();
        let (tree, outside) = (tmp.path().join("tree"), tmp.path().join("outside"));
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("keep.html"), b"keep").unwrap();
        for folder in ["a/b/c", "a/d", "e"] {
            std::fs::create_dir_all(tree.join(folder)).unwrap();
            std::fs::write(tree.join(folder).join("index.html"), folder).unwrap();
        }
        std::os::unix::fs::symlink(&outside, tree.join("a/b/link")).unwrap();
        remove_tree(&tree).unwrap();
        assert!(!tree.exists());
        assert_eq!(std::fs::read(outside.join("keep.html")).unwrap(), b"keep");
        std::os::unix::fs::symlink(&outside, &tree).unwrap();
        remove_tree(&tree).unwrap();
        assert!(std::fs::symlink_metadata(&tree).is_err() && outside.join("keep.html").is_file());
    }

    #[test]
    fn the_swap_without_exchange_leaves_only_the_new_tree() {
        let tmp = tempfile::tempdir().unwrap();
        let (dir, staging, retired) = (
            tmp.path().join("out"),
            tmp.path().join(".out.clausebook-new"),
            tmp.path().join(".out.clausebook-old"),
        );
        for (tree, file) in [(&dir, "old.html"), (&staging, "new.html")] {
            std::fs::create_dir(tree).unwrap();
            std::fs::write(tree.join(file), file).unwrap();
        }
        swap_by_renames(&staging, &dir, &retired).unwrap();
        assert!(dir.join("new.html").is_file() && !dir.join("old.html").exists());
        let names: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out"]);
    }
}
