//! The on-disk cache (docs/reference.md, "The cache"): what a build derived from each document,
//! and what it wrote into each output folder, kept under `<root>/.clausebook-cache/` so the next
//! build re-derives only documents whose inputs changed and renders only pages whose context
//! changed. It also keeps the output tree the last build retired (`trees/`), which the next
//! build writes over instead of making a new one ([`Recycler`]).
//!
//! Every entry is named by the [`Key`] of everything it was made from, stamped with the
//! fingerprint of the binary that made it ([`BUILD`]), and sealed with a keyed hash whose key
//! lives outside the site, in the user's own cache folder ([`Secret`]): the folder sits in the
//! site's working tree, where a pull request could plant entries, so an entry is trusted only
//! if this user's clausebook wrote it. One from another build of clausebook or another user,
//! corrupt, or copied under another entry's name, is deleted and made again. Writes go through
//! a temporary file and a rename, so a build that is killed, or two builds at once, leave no
//! half-written entry.

use crate::error::{Diagnostic, Kind};
use crate::hash::Key;
use crate::output::{Identity, Recycler};
use rayon::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The cache's folder, under the site's root.
pub const FOLDER: &str = ".clausebook-cache";

/// Default size cap, in MiB.
pub const DEFAULT_LIMIT_MIB: u64 = 1024;

/// The fingerprint of this binary's sources, compiler and target (see `build.rs`).
const BUILD: &str = env!("CLAUSEBOOK_BUILD");

/// Starts every entry, with [`BUILD`] after it.
const MAGIC: &[u8; 16] = b"clausebook-cache";

/// The entries' layout; raised when it changes, though [`BUILD`] changes with it anyway.
const FORMAT: u32 = 1;

/// Magic, build, format, decoded length, seal.
const HEADER: usize = 16 + 16 + 4 + 8 + 32;

/// Largest entry read: far above a real document's texts, compressed.
const MAX_ENTRY_BYTES: u64 = 1 << 30;

/// Compression level of entries: the fastest, as the texts of a document's versions repeat one
/// another and compress well at any level.
const LEVEL: i32 = 1;

/// How a build uses the cache.
#[derive(Debug, Clone)]
pub struct CacheOptions {
    /// Off with `--no-cache`: nothing is read or written.
    pub enabled: bool,
    /// Size cap in bytes: once a build is done, the least recently used entries are deleted
    /// until the cache is under it.
    pub limit: u64,
}

impl Default for CacheOptions {
    fn default() -> Self {
        CacheOptions {
            enabled: true,
            limit: DEFAULT_LIMIT_MIB * 1024 * 1024,
        }
    }
}

/// What a build may ask of the cache: documents' derived results and output manifests.
#[derive(Debug)]
pub(crate) struct Disk {
    dir: PathBuf,
    limit: u64,
    secret: Secret,
}

/// The key entries are sealed with: 32 random bytes made once per user, kept in
/// `$XDG_CACHE_HOME/clausebook/secret` (or `~/.cache/clausebook/secret`), never in a site.
#[derive(Clone)]
pub(crate) struct Secret([u8; 32]);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    /// This user's secret, made on first use.
    fn of_user() -> std::io::Result<Secret> {
        let home = std::env::var_os("XDG_CACHE_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .ok_or_else(|| std::io::Error::other("neither XDG_CACHE_HOME nor HOME is set"))?;
        let folder = home.join("clausebook");
        let path = folder.join("secret");
        if let Ok(bytes) = crate::read::read_capped(&path, 32)
            && let Ok(key) = <[u8; 32]>::try_from(bytes)
        {
            return Ok(Secret(key));
        }
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(std::io::Error::other)?;
        std::fs::create_dir_all(&folder)?;
        write_private(&path, &key)?;
        Ok(Secret(key))
    }
}

/// Writes `bytes` at `path`, readable by its owner alone, through a temporary file renamed over
/// it (a rename replaces a link planted at `path`, never follows it).
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = String::from_utf8_lossy(name(path)).into_owned();
    let temporary = path.with_file_name(format!(".{name}.{}.{n}.tmp", std::process::id()));
    let mut options = std::fs::File::options();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(&temporary)
        .and_then(|mut f| std::io::Write::write_all(&mut f, bytes))
        .and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// Makes the cache folder `dir` and its own files, never through a link: a link or a file
/// planted in its place would have the cache written outside the site.
fn prepare(dir: &Path) -> std::io::Result<()> {
    for d in [
        dir.to_path_buf(),
        dir.join("documents"),
        dir.join("outputs"),
        dir.join("trees"),
    ] {
        match std::fs::symlink_metadata(&d) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(std::io::Error::other(format!(
                    "{} is not a folder (a link or a file)",
                    d.display()
                )));
            }
            Err(_) => std::fs::create_dir(&d)?,
        }
    }
    // Ignored by git and by backup tools without the user having to say so.
    for (name, text) in [
        (
            ".gitignore",
            "# Made by clausebook: its cache, never committed.\n*\n",
        ),
        (
            "CACHEDIR.TAG",
            "Signature: 8a477f597d28d172789f06886806bc55\n# The cache of clausebook.\n",
        ),
    ] {
        let path = dir.join(name);
        if std::fs::symlink_metadata(&path).is_err() {
            write_private(&path, text.as_bytes())?;
        }
    }
    Ok(())
}

/// Which of a document's entries: what every page needs, or the texts only its own pages show.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Part {
    Summary,
    Texts,
}

impl Disk {
    /// The cache of the site under `root`, created if need be. An error when the folder cannot
    /// be used: the build then goes on without it, with a warning.
    pub(crate) fn open(root: &Path, options: &CacheOptions) -> Result<Disk, Diagnostic> {
        let dir = root.join(FOLDER);
        let secret = prepare(&dir)
            .and_then(|()| Secret::of_user())
            .map_err(|e| {
                Diagnostic::in_file(
                    Kind::Io,
                    &dir,
                    "cannot use the cache folder; building without it",
                )
                .caused_by(e)
            })?;
        Ok(Disk {
            dir,
            limit: options.limit,
            secret,
        })
    }

    fn document_path(&self, key: Key, part: Part) -> PathBuf {
        let ext = match part {
            Part::Summary => "summary",
            Part::Texts => "texts",
        };
        self.dir
            .join("documents")
            .join(format!("{}.{ext}", key.hex()))
    }

    /// A document's entry, if the cache holds a sound one.
    pub(crate) fn document<T: DeserializeOwned>(&self, key: Key, part: Part) -> Option<T> {
        read_entry(&self.secret, &self.document_path(key, part))
    }

    /// Keeps a document's entry.
    pub(crate) fn keep_document<T: Serialize>(&self, key: Key, part: Part, value: &T) {
        write_entry(&self.secret, &self.document_path(key, part), value);
    }

    fn manifest_path(&self, output: &Path) -> PathBuf {
        self.dir.join("outputs").join(output_name(output))
    }

    /// Where the identity of the tree kept for `output` is recorded (see [`Recycler`]).
    fn tree_path(&self, output: &Path) -> PathBuf {
        self.dir
            .join("outputs")
            .join(format!("{}.tree", output_name(output)))
    }

    /// What the previous build wrote into the folder `output` (an absolute path): the key of
    /// each page whose file is still there as it was written.
    pub(crate) fn manifest(&self, output: &Path) -> HashMap<String, Key> {
        let Some(m) = read_entry::<Manifest>(&self.secret, &self.manifest_path(output)) else {
            return HashMap::new();
        };
        if m.output != output {
            return HashMap::new();
        }
        m.pages
            .into_par_iter()
            .filter(|(file, _, stamp)| Stamp::of(&output.join(file)).as_ref() == Some(stamp))
            .map(|(file, key, _)| (file, key))
            .collect()
    }

    /// Records the key of each page now in the folder `output`.
    pub(crate) fn keep_manifest(&self, output: &Path, pages: Vec<(String, Key)>) {
        // A stat per page: in parallel, as the archive's output has 45,000.
        let pages = pages
            .into_par_iter()
            .filter_map(|(file, key)| {
                let stamp = Stamp::of(&output.join(&file))?;
                Some((file, key, stamp))
            })
            .collect();
        let manifest = Manifest {
            output: output.to_path_buf(),
            pages,
        };
        write_entry(&self.secret, &self.manifest_path(output), &manifest);
    }

    fn snapshots_path(&self) -> PathBuf {
        self.dir.join("snapshots")
    }

    /// The snapshots' keys the last build knew.
    pub(crate) fn snapshot_keys(&self) -> SnapshotKeys {
        read_entry(&self.secret, &self.snapshots_path()).unwrap_or_default()
    }

    /// Keeps the snapshots' keys for the next build. Not trimmed: it holds a line per snapshot
    /// of the site, no more.
    pub(crate) fn keep_snapshot_keys(&self, keys: &SnapshotKeys) {
        write_entry(&self.secret, &self.snapshots_path(), keys);
    }

    /// Deletes the least recently used entries until the cache is under its size cap. Entries
    /// are marked used when read or written.
    pub(crate) fn trim(&self) {
        let mut entries: Vec<(SystemTime, u64, PathBuf)> = ["documents", "outputs"]
            .iter()
            .filter_map(|d| std::fs::read_dir(self.dir.join(d)).ok())
            .flatten()
            .flatten()
            .filter_map(|e| {
                let meta = e.metadata().ok()?;
                Some((meta.modified().ok()?, meta.len(), e.path()))
            })
            .collect();
        let mut total: u64 = entries.iter().map(|(_, len, _)| len).sum();
        entries.sort();
        for (_, len, path) in entries {
            if total <= self.limit {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= len;
            }
        }
    }
}

/// The name of what is kept for the output folder `output` (an absolute path).
fn output_name(output: &Path) -> String {
    Key::of_bytes(output.as_os_str().as_encoded_bytes()).hex()
}

/// Keeps the tree a build retires from an output folder in `trees/`, and its identity, sealed
/// as every entry is, beside the folder's manifest: a tree planted there is not the one
/// recorded, and one from another user or build of clausebook is not trusted either.
impl Recycler for Disk {
    fn place(&self, output: &Path) -> PathBuf {
        self.dir.join("trees").join(output_name(output))
    }

    fn identity(&self, output: &Path) -> Option<Identity> {
        read_entry::<KeptTree>(&self.secret, &self.tree_path(output))
            .filter(|kept| kept.output == output)
            .map(|kept| kept.identity)
    }

    fn record(&self, output: &Path, identity: Option<Identity>) {
        let path = self.tree_path(output);
        match identity {
            Some(identity) => {
                let output = output.to_path_buf();
                write_entry(&self.secret, &path, &KeptTree { output, identity });
            }
            None => {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// The tree kept for an output folder.
#[derive(serde::Serialize, serde::Deserialize)]
struct KeptTree {
    output: PathBuf,
    identity: Identity,
}

/// What a build wrote into an output folder.
#[derive(serde::Serialize, serde::Deserialize)]
struct Manifest {
    output: PathBuf,
    /// Each page, the key of its context, and its file as it was written.
    pages: Vec<(String, Key, Stamp)>,
}

/// Snapshots' keys by path, each with the stamp of the file it was computed from.
pub(crate) type SnapshotKeys = HashMap<PathBuf, (Stamp, Key)>;

/// What tells a file apart from the one read or written: size, modification time and (on Unix)
/// inode. A page whose file was edited, replaced or deleted since is rendered again; a snapshot
/// whose file was is read and hashed again.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub(crate) struct Stamp {
    len: u64,
    modified: Option<(u64, u32)>,
    inode: u64,
}

/// How old a file's modification time must be for its stamp to stand for its bytes: a file
/// written again within the file system's clock tick of the last write keeps its time, so a
/// key is remembered only for a file modified well before it was read (git's "racy" files).
const SETTLED: std::time::Duration = std::time::Duration::from_secs(2);

impl Stamp {
    /// Whether the file was last modified long enough ago for its stamp to be trusted.
    pub(crate) fn settled(&self) -> bool {
        let Some((secs, nanos)) = self.modified else {
            return false;
        };
        let modified = SystemTime::UNIX_EPOCH + std::time::Duration::new(secs, nanos);
        SystemTime::now()
            .duration_since(modified)
            .is_ok_and(|age| age >= SETTLED)
    }

    /// The stamp of the regular file at `path`; None for anything else.
    pub(crate) fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        if !meta.is_file() {
            return None;
        }
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map(|d| (d.as_secs(), d.subsec_nanos()));
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Stamp {
            len: meta.len(),
            modified,
            inode,
        })
    }
}

/// The seal of an entry: a hash, keyed with `secret`, of its build, name, format, decoded
/// length and compressed bytes. The name binds an entry to its key: one copied or renamed to
/// another entry's name is not sound.
fn seal(secret: &Secret, build: &str, name: &[u8], length: u64, payload: &[u8]) -> [u8; 32] {
    let mut h = blake3::Hasher::new_keyed(&secret.0);
    h.update(build.as_bytes());
    h.update(&(name.len() as u64).to_le_bytes());
    h.update(name);
    h.update(&FORMAT.to_le_bytes());
    h.update(&length.to_le_bytes());
    h.update(payload);
    *h.finalize().as_bytes()
}

/// The entry at `path`, or None if there is none, or it is foreign or corrupt (then it is
/// deleted). A sound entry is marked used.
fn read_entry<T: DeserializeOwned>(secret: &Secret, path: &Path) -> Option<T> {
    // Only a regular file, through a size cap: never a link or a device planted in its place.
    let bytes = crate::read::read_capped(path, MAX_ENTRY_BYTES).ok();
    match bytes.and_then(|b| decode(secret, BUILD, name(path), &b)) {
        Some(value) => {
            let now = std::fs::FileTimes::new().set_modified(SystemTime::now());
            if let Ok(f) = std::fs::File::options().write(true).open(path) {
                let _ = f.set_times(now);
            }
            Some(value)
        }
        None => {
            let _ = std::fs::remove_file(path);
            None
        }
    }
}

/// An entry's file name, as its seal covers it.
fn name(path: &Path) -> &[u8] {
    path.file_name().map_or(&[], |n| n.as_encoded_bytes())
}

/// The value in `bytes`, an entry named `name`, if the build `build` wrote it with `secret`.
fn decode<T: DeserializeOwned>(
    secret: &Secret,
    build: &str,
    name: &[u8],
    bytes: &[u8],
) -> Option<T> {
    if bytes.len() < HEADER
        || &bytes[..16] != MAGIC
        || &bytes[16..32] != build.as_bytes()
        || bytes[32..36] != FORMAT.to_le_bytes()
    {
        return None;
    }
    let length = u64::from_le_bytes(bytes[36..44].try_into().ok()?);
    let payload = &bytes[HEADER..];
    // A keyed hash compared in constant time, as a MAC is.
    let expected = seal(secret, build, name, length, payload);
    if !constant_time_eq::constant_time_eq(&bytes[44..HEADER], &expected) {
        return None;
    }
    // Read as it decompresses, up to the recorded length: memory follows the actual data, not
    // a length the header claims.
    let mut raw = Vec::new();
    zstd::stream::read::Decoder::new(payload)
        .ok()?
        .take(length)
        .read_to_end(&mut raw)
        .ok()?;
    postcard::from_bytes(&raw).ok()
}

/// Writes `value` as an entry at `path`. A cache that cannot be written is no error: the next
/// build derives again what it lacks.
fn write_entry<T: Serialize>(secret: &Secret, path: &Path, value: &T) {
    if let Some(bytes) = encode(secret, BUILD, name(path), value) {
        let _ = write_private(path, &bytes);
    }
}

/// `value` as the bytes of an entry named `name`, written by the build `build` with `secret`.
fn encode<T: Serialize>(secret: &Secret, build: &str, name: &[u8], value: &T) -> Option<Vec<u8>> {
    // Serialised straight into the compressor: the texts of a long history are never held
    // uncompressed a second time.
    let mut counted = Counted {
        inner: std::io::BufWriter::with_capacity(
            64 * 1024,
            zstd::stream::write::Encoder::new(Vec::new(), LEVEL).ok()?,
        ),
        bytes: 0,
    };
    postcard::to_io(value, &mut counted).ok()?;
    let length = counted.bytes;
    let payload = counted.inner.into_inner().ok()?.finish().ok()?;
    let mut bytes = Vec::with_capacity(HEADER + payload.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(build.as_bytes());
    bytes.extend_from_slice(&FORMAT.to_le_bytes());
    bytes.extend_from_slice(&length.to_le_bytes());
    bytes.extend_from_slice(&seal(secret, build, name, length, &payload));
    bytes.extend_from_slice(&payload);
    Some(bytes)
}

/// A writer that counts what goes through it.
struct Counted<W> {
    inner: W,
    bytes: u64,
}

impl<W: std::io::Write> std::io::Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disk() -> (tempfile::TempDir, Disk) {
        let root = tempfile::tempdir().unwrap();
        let disk = Disk::open(root.path(), &CacheOptions::default()).unwrap();
        (root, disk)
    }

    #[test]
    fn an_entry_reads_back_as_written() {
        let (_root, disk) = disk();
        let key = Key::of("a document");
        let value = vec!["one".to_string(), "two".repeat(1000)];
        disk.keep_document(key, Part::Texts, &value);
        assert_eq!(disk.document::<Vec<String>>(key, Part::Texts), Some(value));
        assert_eq!(disk.document::<Vec<String>>(key, Part::Summary), None);
    }

    #[test]
    fn a_corrupt_or_foreign_entry_is_deleted_not_trusted() {
        let (_root, disk) = disk();
        let key = Key::of("a document");
        let path = disk.document_path(key, Part::Summary);
        for spoil in [HEADER + 3, 20] {
            disk.keep_document(key, Part::Summary, &"the derived text".repeat(50));
            let mut bytes = std::fs::read(&path).unwrap();
            // A flipped bit in the payload, or another build's fingerprint.
            bytes[spoil] ^= 1;
            std::fs::write(&path, bytes).unwrap();
            assert_eq!(disk.document::<String>(key, Part::Summary), None);
            assert!(!path.exists());
        }
    }

    #[test]
    fn an_entry_of_another_build_or_user_or_under_another_name_is_not_sound() {
        let value = "derived".to_string();
        let (ours, theirs) = (Secret([1; 32]), Secret([2; 32]));
        let bytes = encode(&ours, BUILD, b"a.summary", &value).unwrap();
        assert_eq!(
            decode(&ours, BUILD, b"a.summary", &bytes),
            Some(value.clone())
        );
        assert_eq!(decode::<String>(&ours, BUILD, b"b.summary", &bytes), None);
        // Planted by someone without this user's secret, whatever they put in it.
        let planted = encode(&theirs, BUILD, b"a.summary", &value).unwrap();
        assert_eq!(decode::<String>(&ours, BUILD, b"a.summary", &planted), None);
        let other = "0123456789abcdef";
        assert_ne!(other, BUILD);
        let foreign = encode(&ours, other, b"a.summary", &value).unwrap();
        assert_eq!(decode::<String>(&ours, BUILD, b"a.summary", &foreign), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_place_of_the_cache_folder_or_an_entry_is_never_followed() {
        let root = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), root.path().join(FOLDER)).unwrap();
        assert!(Disk::open(root.path(), &CacheOptions::default()).is_err());
        assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);

        let (_root, disk) = disk();
        let key = Key::of("a document");
        let target = elsewhere.path().join("target");
        std::fs::write(&target, "not an entry").unwrap();
        std::os::unix::fs::symlink(&target, disk.document_path(key, Part::Texts)).unwrap();
        assert_eq!(disk.document::<String>(key, Part::Texts), None);
        disk.keep_document(key, Part::Texts, &"derived".to_string());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "not an entry");
        assert_eq!(
            disk.document::<String>(key, Part::Texts).as_deref(),
            Some("derived")
        );
    }

    #[test]
    fn trimming_deletes_the_least_recently_used_entries_first() {
        let (_root, mut disk) = disk();
        let (old, new) = (Key::of("old"), Key::of("new"));
        let big = "x".repeat(100_000);
        disk.keep_document(old, Part::Texts, &big);
        disk.keep_document(new, Part::Texts, &big);
        let long_ago = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        std::fs::File::options()
            .write(true)
            .open(disk.document_path(old, Part::Texts))
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        let one = std::fs::metadata(disk.document_path(new, Part::Texts))
            .unwrap()
            .len();
        disk.limit = one;
        disk.trim();
        assert!(!disk.document_path(old, Part::Texts).exists());
        assert!(disk.document_path(new, Part::Texts).exists());
    }
}
