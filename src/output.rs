//! Write: where a build's files go as they are rendered (a staging folder swapped in atomically,
//! memory, or nowhere), and the in-memory map of a build's files.

use crate::error::{Diagnostic, Error, Kind, Origin, Result};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

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

    /// The bytes of the file at `path` as this build put or kept it: the search index reads
    /// the pages it indexes once they are all written, so that none is held for it meanwhile.
    fn read(&self, path: &str) -> Result<Arc<[u8]>>;
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
        Err(no_previous(path))
    }

    fn read(&self, path: &str) -> Result<Arc<[u8]>> {
        let files = self.files.lock();
        let files = files.unwrap_or_else(std::sync::PoisonError::into_inner);
        files.shared(path).ok_or_else(|| not_written(path))
    }
}

/// Why `path` cannot be read back: this build did not write it.
fn not_written(path: &str) -> Error {
    Error::Usage(format!(
        "`{path}` cannot be read back: this build did not write it"
    ))
}

/// Why `path` cannot be kept by a build into memory.
fn no_previous(path: &str) -> Error {
    Error::Usage(format!(
        "`{path}` cannot be kept: a build into memory has no previous output"
    ))
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

    /// `check` writes nothing: nothing can be read back.
    fn read(&self, path: &str) -> Result<Arc<[u8]>> {
        Err(not_written(path))
    }
}

/// Keeps the tree a build retires from its output folder, for the next build to write over
/// instead of making every folder anew and deleting the old ones: on a site with a folder a
/// page, making and deleting folders is most of a warm build. The on-disk cache is one.
///
/// What a kept tree holds is never trusted (it lies in the site's working tree): the build
/// writing over it writes each of its files anew or links it from the output, removes whatever
/// else it finds, and never follows a link in it. The recorded identity tells the tree this
/// clausebook retired from a folder put in its place, which is removed unused.
pub trait Recycler: Sync {
    /// Where the tree retired from the output folder `output` (absolute, links followed) is
    /// kept. Every output's tree is kept in the same folder, which holds nothing else.
    fn place(&self, output: &Path) -> PathBuf;

    /// The identity recorded for the tree kept for `output`, if one is.
    fn identity(&self, output: &Path) -> Option<Identity>;

    /// Records the identity of the tree now kept for `output`, or that none is.
    fn record(&self, output: &Path, identity: Option<Identity>);
}

/// A folder's device, inode and creation time (nanoseconds since the epoch, 0 where the file
/// system does not record it): a tree moved by a rename keeps them all; a folder put in its
/// place has another creation time, even where it is given the inode number the tree freed.
pub type Identity = (u64, u64, u128);

/// A new output folder being written beside the one it replaces. Files are written into it as
/// they come; [`Staging::commit`] swaps it in only once every file is written (see `swap`),
/// so a failure or an interruption leaves the previous output as it was. Dropped without a
/// commit, it removes what it wrote (a recycled tree is left for the next build to write over).
///
/// It refuses to replace a non-empty folder that clausebook did not create, and fails at once if
/// another build is writing to the same output (see `OutputLock`). The new folder takes the
/// permissions of the one it replaces. An output that is a symbolic link is followed: the folder
/// it points to is replaced and the link stays a link, so a layout such as
/// `public -> /srv/www/site` keeps working. A link to nothing is refused.
///
/// With a [`Recycler`] ([`Staging::recycling`]), the tree the swap retires is kept instead of
/// deleted, and the next build writes over it rather than into a new folder.
pub struct Staging<'r> {
    dir: PathBuf,
    /// Where a new staging folder is made: beside the output.
    new: PathBuf,
    retired: PathBuf,
    /// The permissions of the folder replaced, None if there is none.
    existing: Option<std::fs::Permissions>,
    tree: RwLock<Tree>,
    recycling: Option<Recycling<'r>>,
    committed: bool,
    #[cfg(unix)]
    _lock: OutputLock,
}

/// The folder a build writes into.
enum Tree {
    /// A new folder, empty when the build began, and the folders made in it so far: most
    /// pages share their folder with another file (a clause's feed) or their parent with many
    /// pages, and asking the file system again for each costs two calls.
    New(PathBuf, Mutex<rustc_hash::FxHashSet<String>>),
    /// A tree an earlier build retired, written over.
    Recycled(Box<Recycled>),
}

/// A tree an earlier build retired, as this build writes over it.
struct Recycled {
    root: PathBuf,
    /// Its device: a file in it is the output's own if it has the same inode on this device.
    device: u64,
    /// What it held when the build began, each entry marked with what this build made there.
    listing: Listing,
    /// What this build made where the tree held nothing.
    added: Mutex<Added>,
}

/// The files and folders a build made where a recycled tree held nothing, by path relative to
/// its root.
#[derive(Default)]
struct Added {
    files: HashSet<String>,
    folders: HashSet<String>,
}

/// What a recycled tree held when the build began: listed on a thread of its own while the
/// build loads, and waited for before the first file is put in the tree, so that the build
/// neither waits for a walk of its tens of thousands of folders nor checks each file's place.
struct Listing {
    lister: Mutex<Option<std::thread::JoinHandle<std::io::Result<Entries>>>>,
    /// None if the tree could not be listed.
    entries: std::sync::OnceLock<Option<Entries>>,
}

/// A tree's entries, by path relative to its root, and those whose names are not UTF-8 (no
/// build writes one), by the path of their folder.
#[derive(Default)]
struct Entries {
    by_path: HashMap<String, Listed>,
    strays: Vec<(String, PathBuf)>,
}

/// An entry of a recycled tree: what it was when the build began, and what the build made
/// there ([`Made`]; marked as it goes, by whichever thread puts the file).
struct Listed {
    entry: Entry,
    made: std::sync::atomic::AtomicU8,
}

/// What a build made at a path of a recycled tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Made {
    Nothing,
    File,
    Folder,
}

impl Made {
    /// The mark stored as `raw` in a [`Listed`].
    fn of(raw: u8) -> Made {
        [Made::File, Made::Folder]
            .into_iter()
            .find(|made| *made as u8 == raw)
            .unwrap_or(Made::Nothing)
    }
}

/// What an entry of a tree is, a link never followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Folder,
    /// A regular file, and its inode.
    File(u64),
    /// A link or a special file.
    Other,
}

/// Where a build keeps the tree it retires, and holds the kept tree it writes over.
struct Recycling<'r> {
    recycler: &'r dyn Recycler,
    /// The output folder, absolute: what the recycler knows it by.
    output: PathBuf,
    place: PathBuf,
    /// The kept tree, locked while this build writes over it (see `lock_tree`).
    held: Option<std::fs::File>,
}

impl<'r> Staging<'r> {
    /// Starts a new output for `dir`: locks it and creates the empty staging folder.
    pub fn begin(dir: &Path) -> Result<Staging<'static>> {
        Staging::start(dir, None)
    }

    /// Starts a new output for `dir` as [`Staging::begin`] does, but writes over the tree
    /// `recycler` kept for it, if it kept one and the output exists, and has the tree this
    /// build retires kept.
    pub fn recycling(dir: &Path, recycler: &'r dyn Recycler) -> Result<Staging<'r>> {
        Staging::start(dir, Some(recycler))
    }

    fn start(dir: &Path, recycler: Option<&'r dyn Recycler>) -> Result<Staging<'r>> {
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
        let new = parent.join(format!(".{name}.clausebook-new"));
        let retired = parent.join(format!(".{name}.clausebook-old"));
        for leftover in [&new, &retired] {
            // Both names are ours: left behind only by an interrupted earlier build.
            if std::fs::symlink_metadata(leftover).is_ok() {
                remove_tree(leftover).map_err(|e| Error::io(leftover, e))?;
            }
        }
        let mut recycling = recycler.and_then(|r| Recycling::of(r, &dir));
        let kept = match &mut recycling {
            Some(r) if existing.is_some() => r.take(),
            _ => None,
        };
        let tree = match kept {
            Some((root, (device, ..))) => Tree::Recycled(Box::new(Recycled {
                listing: Listing::start(root.clone()),
                root,
                device,
                added: Mutex::default(),
            })),
            None => {
                std::fs::create_dir(&new).map_err(|e| Error::io(&new, e))?;
                Tree::New(new.clone(), Mutex::default())
            }
        };
        Ok(Staging {
            dir,
            new,
            retired,
            existing,
            tree: RwLock::new(tree),
            recycling,
            committed: false,
            #[cfg(unix)]
            _lock: lock,
        })
    }

    /// The output folder being replaced (the target of a link given as the output).
    pub fn folder(&self) -> &Path {
        &self.dir
    }

    /// Swaps the staging folder in for the output.
    pub fn commit(mut self) -> Result<()> {
        // Unless the site publishes a file of that name itself (a theme's static file).
        let published = read(&self.tree).has(MARKER);
        if !published {
            self.put(MARKER, &Arc::from(MARKER_TEXT.as_bytes()))?;
        }
        // A recycled tree must hold this build's files alone. Where it cannot be made to, or
        // cannot be swapped in, the build goes on in a new folder.
        if self.prune().is_err() {
            self.give_up()?;
        }
        let swapped = match self.swap_in() {
            Err(_) if read(&self.tree).is_recycled() => {
                self.give_up()?;
                self.swap_in()
            }
            swapped => swapped,
        }?;
        self.committed = true;
        self.retire(swapped)
    }

    /// Swaps the staging tree in for the output; where the tree it replaced now is, if any.
    fn swap_in(&self) -> Result<Option<PathBuf>> {
        let tree = read(&self.tree);
        let staging = tree.root();
        let Some(permissions) = &self.existing else {
            return std::fs::rename(staging, &self.dir)
                .map(|()| None)
                .map_err(|e| Error::io(&self.dir, e));
        };
        std::fs::set_permissions(staging, permissions.clone())
            .map_err(|e| Error::io(staging, e))?;
        swap(staging, &self.dir, &self.retired).map(Some)
    }

    /// Keeps the tree the swap retired, at `old`, for the next build, or deletes it.
    fn retire(&self, old: Option<PathBuf>) -> Result<()> {
        let Some(old) = old else {
            return Ok(());
        };
        match &self.recycling {
            Some(recycling) => recycling.keep(&old),
            None => remove_tree(&old),
        }
        .map_err(|e| Error::io(&old, e))
    }

    /// Removes from a recycled tree whatever this build did not put in it.
    fn prune(&self) -> std::io::Result<()> {
        match &*read(&self.tree) {
            Tree::Recycled(tree) => remove_trees(&tree.stale()?),
            Tree::New(..) => Ok(()),
        }
    }

    /// Gives the recycled tree up for a new staging folder, into which every file put so far
    /// is linked: the build goes on as if it had begun with a new folder. The tree is
    /// forgotten, so the next build removes it.
    fn give_up(&self) -> Result<()> {
        let mut tree = write(&self.tree);
        let (root, files) = match &*tree {
            Tree::Recycled(tree) => (tree.root.clone(), tree.files()),
            Tree::New(..) => return Ok(()),
        };
        if let Some(r) = &self.recycling {
            r.recycler.record(&r.output, None);
        }
        let new = &self.new;
        std::fs::create_dir(new).map_err(|e| Error::io(new, e))?;
        // One at a time, as every other writer waits on the lock held here.
        for file in files {
            let target = new.join(&file);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            link_or_copy(&root.join(&file), &target).map_err(|e| Error::io(&target, e))?;
        }
        *tree = Tree::New(new.clone(), Mutex::default());
        Ok(())
    }

    /// Makes the file at `path` in the staging tree, its folders made, by `how`, given the
    /// tree, the output's file at `path` and the file to make. A failure in a recycled tree
    /// gives the tree up (see `give_up`) and makes the file again in the new folder.
    fn make(
        &self,
        path: &str,
        how: impl Fn(&Tree, &Path, &Path) -> std::io::Result<()>,
    ) -> Result<()> {
        inside(path).map_err(|message| refused(path, message))?;
        let old = self.dir.join(path);
        let attempt = || {
            let tree = read(&self.tree);
            let target = tree.root().join(path);
            let made = tree.folders(path).and_then(|()| how(&tree, &old, &target));
            if made.is_ok() {
                tree.touch(path);
            }
            (tree.is_recycled(), target, made)
        };
        let (recycled, mut target, mut made) = attempt();
        if recycled && made.is_err() {
            self.give_up()?;
            (_, target, made) = attempt();
        }
        made.map_err(|e| Error::io(&target, e))
    }
}

impl Sink for Staging<'_> {
    fn put(&self, path: &str, bytes: &Arc<[u8]>) -> Result<()> {
        self.make(path, |tree, old, target| {
            // A file whose bytes did not change is the output's own, linked: it is not written
            // again and keeps its modification time, so a deploy that syncs by date (rsync, a
            // bucket sync) uploads only what changed.
            let unchanged = self.existing.is_some() && same_bytes(old, bytes);
            if unchanged && tree.holds(path, old) {
                return Ok(());
            }
            tree.clear(path)?;
            if unchanged && std::fs::hard_link(old, target).is_ok() {
                return Ok(());
            }
            write_new(target, bytes)
        })
    }

    fn keep(&self, path: &str) -> Result<()> {
        self.make(path, |tree, old, target| {
            if tree.holds(path, old) {
                return Ok(());
            }
            tree.clear(path)?;
            link_or_copy(old, target)
        })
    }

    fn read(&self, path: &str) -> Result<Arc<[u8]>> {
        inside(path).map_err(|message| refused(path, message))?;
        let file = read(&self.tree).root().join(path);
        std::fs::read(&file)
            .map(Arc::from)
            .map_err(|e| Error::io(&file, e))
    }
}

impl Drop for Staging<'_> {
    fn drop(&mut self) {
        // A recycled tree is left as it is: the next build writes over it again.
        if !self.committed {
            let _ = remove_tree(&self.new);
        }
    }
}

impl Tree {
    fn root(&self) -> &Path {
        match self {
            Tree::New(root, _) => root,
            Tree::Recycled(tree) => &tree.root,
        }
    }

    fn is_recycled(&self) -> bool {
        matches!(self, Tree::Recycled(_))
    }

    /// Makes the folders of the file at `path`. In a recycled tree, what is in a folder's place
    /// (a file, a link) is removed, never followed.
    fn folders(&self, path: &str) -> std::io::Result<()> {
        let Some((parent, _)) = path.rsplit_once('/') else {
            return Ok(());
        };
        let tree = match self {
            Tree::New(root, made) => {
                if lock(made).contains(parent) {
                    return Ok(());
                }
                std::fs::create_dir_all(root.join(parent))?;
                lock(made).insert(parent.to_string());
                return Ok(());
            }
            Tree::Recycled(tree) => tree,
        };
        let listed = tree.listing.entries()?;
        if tree.made(listed, parent) == Made::Folder {
            return Ok(());
        }
        for (end, _) in path.match_indices('/') {
            let folder = &path[..end];
            if tree.made(listed, folder) == Made::Folder {
                continue;
            }
            if listed.by_path.get(folder).map(|l| l.entry) != Some(Entry::Folder) {
                folder_at(&tree.root.join(folder))?;
            }
            tree.mark(listed, folder, Made::Folder);
        }
        Ok(())
    }

    /// Whether a recycled tree's file at `path` is the output's file `old` itself (the same
    /// inode), as it is when unchanged since the build before last.
    fn holds(&self, path: &str, old: &Path) -> bool {
        let Tree::Recycled(tree) = self else {
            return false;
        };
        let Some(Entry::File(listed)) = tree
            .listing
            .entries()
            .ok()
            .and_then(|listed| Some(listed.by_path.get(path)?.entry))
        else {
            return false;
        };
        std::fs::symlink_metadata(old)
            .is_ok_and(|m| m.is_file() && inode(&m) == Some((tree.device, listed)))
    }

    /// Removes whatever a recycled tree holds at `path`, so that the file made there is a new
    /// one: never written through a link, nor into a file the output shares.
    fn clear(&self, path: &str) -> std::io::Result<()> {
        let Tree::Recycled(tree) = self else {
            return Ok(());
        };
        let target = tree.root.join(path);
        gone(
            match tree.listing.entries()?.by_path.get(path).map(|l| l.entry) {
                None => return Ok(()),
                // One thread (a folder in a file's place is rare): a thread pool entered here, with
                // the tree's lock held, could start another file's work on this thread.
                Some(Entry::Folder) => std::fs::remove_dir_all(&target),
                Some(_) => std::fs::remove_file(&target),
            },
        )
    }

    /// Whether this build has put a file at `path`.
    fn has(&self, path: &str) -> bool {
        match self {
            // What a new folder holds, this build put there.
            Tree::New(root, _) => std::fs::symlink_metadata(root.join(path)).is_ok(),
            Tree::Recycled(tree) => tree
                .listing
                .entries()
                .is_ok_and(|listed| tree.made(listed, path) == Made::File),
        }
    }

    /// Records that the file at `path` holds what this build put there.
    fn touch(&self, path: &str) {
        if let Tree::Recycled(tree) = self
            && let Ok(listed) = tree.listing.entries()
        {
            tree.mark(listed, path, Made::File);
        }
    }
}

impl Recycled {
    /// What this build made at `path`.
    fn made(&self, listed: &Entries, path: &str) -> Made {
        match listed.by_path.get(path) {
            Some(l) => Made::of(l.made.load(std::sync::atomic::Ordering::Relaxed)),
            None if lock(&self.added).folders.contains(path) => Made::Folder,
            None if lock(&self.added).files.contains(path) => Made::File,
            None => Made::Nothing,
        }
    }

    /// Records what this build made at `path`.
    fn mark(&self, listed: &Entries, path: &str, made: Made) {
        if let Some(l) = listed.by_path.get(path) {
            l.made
                .store(made as u8, std::sync::atomic::Ordering::Relaxed);
            return;
        }
        let mut added = lock(&self.added);
        match made {
            Made::Folder => added.folders.insert(path.to_owned()),
            _ => added.files.insert(path.to_owned()),
        };
    }

    /// The files this build has put in the tree.
    fn files(&self) -> Vec<String> {
        let listed = self.listing.entries().ok();
        let made = listed.iter().flat_map(|listed| {
            listed
                .by_path
                .keys()
                .filter(|path| self.made(listed, path) == Made::File)
        });
        let added = lock(&self.added).files.clone();
        made.cloned().chain(added).collect()
    }

    /// What the tree held when the build began and this build did not make: files it no
    /// longer writes, folders holding none it wrote, links, special files. Only the outermost
    /// of each: a folder is removed with everything in it.
    fn stale(&self) -> std::io::Result<Vec<PathBuf>> {
        let listed = self.listing.entries()?;
        let kept = |folder: &str| folder.is_empty() || self.made(listed, folder) == Made::Folder;
        let named = listed.by_path.keys().filter(|path| {
            let folder = path.rsplit_once('/').map_or("", |(folder, _)| folder);
            kept(folder) && self.made(listed, path) == Made::Nothing
        });
        let strays = listed.strays.iter().filter(|(folder, _)| kept(folder));
        Ok(named
            .map(|path| self.root.join(path))
            .chain(strays.map(|(_, path)| path.clone()))
            .collect())
    }
}

impl Listing {
    /// Starts listing the tree at `root`.
    fn start(root: PathBuf) -> Listing {
        let lister = std::thread::Builder::new()
            .name("clausebook-list".into())
            .spawn(move || {
                let listers = rayon::ThreadPoolBuilder::new()
                    .num_threads(LISTERS)
                    .build()
                    .map_err(std::io::Error::other)?;
                let entries = Mutex::default();
                listers.install(|| list(&root, "", &entries))?;
                Ok(entries
                    .into_inner()
                    .unwrap_or_else(std::sync::PoisonError::into_inner))
            });
        Listing {
            lister: Mutex::new(lister.ok()),
            entries: std::sync::OnceLock::new(),
        }
    }

    /// The tree's entries, once listed; an error if it could not be listed.
    fn entries(&self) -> std::io::Result<&Entries> {
        self.entries
            .get_or_init(|| {
                let lister = lock(&self.lister).take()?;
                lister.join().ok()?.ok()
            })
            .as_ref()
            .ok_or_else(|| std::io::Error::other("the recycled tree could not be listed"))
    }
}

impl Drop for Listing {
    fn drop(&mut self) {
        if let Some(lister) = lock(&self.lister).take() {
            let _ = lister.join();
        }
    }
}

/// How many threads list a recycled tree: more than there are cores, as they mostly wait on
/// the disk for folders no build read lately.
const LISTERS: usize = 8;

impl<'r> Recycling<'r> {
    fn of(recycler: &'r dyn Recycler, dir: &Path) -> Option<Recycling<'r>> {
        let output = std::path::absolute(dir).ok()?;
        let place = recycler.place(&output);
        // Neither may hold the other, or the swap could not trade them.
        let (a, b) = (resolved(&output).ok()?, resolved(&place).ok()?);
        if a.starts_with(&b) || b.starts_with(&a) {
            return None;
        }
        Some(Recycling {
            recycler,
            output,
            place,
            held: None,
        })
    }

    /// The tree kept for the output, locked, if it is the one an earlier build retired there;
    /// anything else in its place is removed.
    fn take(&mut self) -> Option<(PathBuf, Identity)> {
        std::fs::symlink_metadata(&self.place).ok()?;
        let recorded = self.recycler.identity(&self.output);
        let tree = lock_tree(&self.place);
        let found = tree.as_ref().and_then(|t| identity(&t.metadata().ok()?));
        if let Some(identity) = recorded
            && found == recorded
        {
            self.held = tree;
            return Some((self.place.clone(), identity));
        }
        drop(tree);
        let _ = remove_tree(&self.place);
        self.recycler.record(&self.output, None);
        None
    }

    /// Moves the tree the swap retired, at `old`, to where it is kept and records it, then
    /// removes the trees kept for other outputs; deletes it where it cannot be kept.
    fn keep(&self, old: &Path) -> std::io::Result<()> {
        let moved = old == self.place || std::fs::rename(old, &self.place).is_ok();
        let kept = moved
            .then(|| std::fs::symlink_metadata(&self.place).ok())
            .flatten()
            .and_then(|m| identity(&m));
        self.recycler.record(&self.output, kept);
        match (kept, moved) {
            (Some(_), _) => {
                self.sweep();
                Ok(())
            }
            (None, true) => gone(remove_tree(&self.place)),
            (None, false) => remove_tree(old),
        }
    }

    /// Removes what else is in the trees' folder: only the output built last keeps a tree, so
    /// a site built into many folders keeps one, not one a folder. A tree another build is
    /// writing over is left to it.
    fn sweep(&self) {
        let Some(Ok(entries)) = self.place.parent().map(std::fs::read_dir) else {
            return;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path == self.place {
                continue;
            }
            match std::fs::symlink_metadata(&path) {
                // Locked while it is removed: no build starts writing over it meanwhile.
                Ok(m) if m.is_dir() => {
                    if let Some(_tree) = lock_tree(&path) {
                        let _ = remove_tree(&path);
                    }
                }
                _ => {
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
    }
}

/// The folder at `path` opened and locked (`flock`, exclusive, non-blocking), never through a
/// link: held by a build writing over a kept tree and by one removing it, so neither pulls it
/// from under the other. None if it is not a folder or another build holds it, and always
/// where there are no such locks (no tree is then kept).
fn lock_tree(path: &Path) -> Option<std::fs::File> {
    #[cfg(unix)]
    {
        use rustix::fs::{FlockOperation, OFlags, flock};
        use std::os::unix::fs::OpenOptionsExt;
        let folder = std::fs::File::options()
            .read(true)
            .custom_flags((OFlags::DIRECTORY | OFlags::NOFOLLOW).bits() as i32)
            .open(path)
            .ok()?;
        flock(&folder, FlockOperation::NonBlockingLockExclusive).ok()?;
        Some(folder)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// A folder's [`Identity`]; None where there are no inodes (no tree is then kept).
fn identity(metadata: &std::fs::Metadata) -> Option<Identity> {
    let created = metadata
        .created()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    inode(metadata).map(|(device, inode)| (device, inode, created))
}

/// A file's device and inode; None where there are none.
fn inode(metadata: &std::fs::Metadata) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((metadata.dev(), metadata.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        None
    }
}

/// Makes `path` a folder in a recycled tree: a file, link or special file there is removed,
/// never followed.
fn folder_at(path: &Path) -> std::io::Result<()> {
    let removed = match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => return Ok(()),
        Ok(_) => std::fs::remove_file(path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => return Err(e),
    };
    match std::fs::create_dir(path) {
        Ok(()) => Ok(()),
        // Made by another thread meanwhile.
        Err(_) if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) => Ok(()),
        Err(e) => removed.and(Err(e)),
    }
}

/// Lists the folder `folder`, at `rel` in its tree, into `entries`, and its subfolders in
/// parallel, never following a link.
fn list(folder: &Path, rel: &str, entries: &Mutex<Entries>) -> std::io::Result<()> {
    let (mut found, mut strays, mut below) = (Vec::new(), Vec::new(), Vec::new());
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        let Some(path) = entry.file_name().to_str().map(|name| match rel {
            "" => name.to_owned(),
            _ => format!("{rel}/{name}"),
        }) else {
            strays.push((rel.to_owned(), entry.path()));
            continue;
        };
        let kind = entry.file_type()?;
        let what = if kind.is_dir() {
            below.push((entry.path(), path.clone()));
            Entry::Folder
        } else if kind.is_file() {
            Entry::File(entry_inode(&entry))
        } else {
            Entry::Other
        };
        found.push((path, what));
    }
    {
        let mut entries = lock(entries);
        entries.strays.append(&mut strays);
        for (path, entry) in found {
            let made = (Made::Nothing as u8).into();
            entries.by_path.insert(path, Listed { entry, made });
        }
    }
    below
        .par_iter()
        .try_for_each(|(folder, rel)| list(folder, rel, entries))
}

/// The inode of a folder's entry, as the folder lists it; 0 where there are none.
fn entry_inode(entry: &std::fs::DirEntry) -> u64 {
    #[cfg(unix)]
    {
        std::os::unix::fs::DirEntryExt::ino(entry)
    }
    #[cfg(not(unix))]
    {
        let _ = entry;
        0
    }
}

/// Whether the regular file at `path` holds exactly `bytes`.
fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| {
        m.is_file()
            && m.len() == bytes.len() as u64
            && std::fs::read(path).is_ok_and(|b| b == bytes)
    })
}

/// A removal's result, where nothing left to remove is no error.
fn gone(removed: std::io::Result<()>) -> std::io::Result<()> {
    match removed {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        removed => removed,
    }
}

/// Writes `bytes` into a new file at `target`; fails if anything is there.
fn write_new(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::File::options()
        .write(true)
        .create_new(true)
        .open(target)?;
    std::io::Write::write_all(&mut file, bytes)
}

/// Links the file `from` at `to`, as an unchanged file is; copies it where the file system has
/// no links.
fn link_or_copy(from: &Path, to: &Path) -> std::io::Result<()> {
    if std::fs::hard_link(from, to).is_err() {
        std::fs::copy(from, to)?;
    }
    Ok(())
}

fn read(tree: &RwLock<Tree>) -> std::sync::RwLockReadGuard<'_, Tree> {
    tree.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write(tree: &RwLock<Tree>) -> std::sync::RwLockWriteGuard<'_, Tree> {
    tree.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
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

/// Puts the staging tree at `dir`; where the tree it replaced now is. On Linux the two trade
/// places in one atomic `renameat2(RENAME_EXCHANGE)`: `dir` always holds a complete site, for a
/// reader polling it and after a kill alike. Elsewhere, or on a file system without the exchange
/// (EINVAL, or ENOSYS from an old kernel), it falls back to [`swap_by_renames`].
fn swap(staging: &Path, dir: &Path, retired: &Path) -> Result<PathBuf> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        use rustix::io::Errno;
        match renameat_with(CWD, staging, CWD, dir, RenameFlags::EXCHANGE) {
            // The staging name now holds the previous tree.
            Ok(()) => return Ok(staging.to_path_buf()),
            Err(Errno::INVAL | Errno::NOSYS) => {}
            Err(e) => return Err(Error::io(dir, e.into())),
        }
    }
    swap_by_renames(staging, dir, retired).map(|()| retired.to_path_buf())
}

/// The swap without an atomic exchange: `dir` is renamed to `retired`, then the staging tree to
/// `dir`. Between the two renames `dir` does not exist, and a kill there leaves the previous
/// site in `retired` and no output until the next build (which clears `retired`).
fn swap_by_renames(staging: &Path, dir: &Path, retired: &Path) -> Result<()> {
    std::fs::rename(dir, retired).map_err(|e| Error::io(dir, e))?;
    if let Err(e) = std::fs::rename(staging, dir) {
        let _ = std::fs::rename(retired, dir);
        return Err(Error::io(dir, e));
    }
    Ok(())
}

/// Deletes the folder `path` and everything in it, or the file or link at `path`.
fn remove_tree(path: &Path) -> std::io::Result<()> {
    remove_trees(std::slice::from_ref(&path.to_path_buf()))
}

/// Deletes each of `paths`, a folder and everything in it or a file or link. On Linux the
/// folders are deleted by several threads side by side: deleting a folder mostly waits on the
/// disk (on a file system mounted with `discard`, for its freed block to be trimmed), so the
/// ten thousand folders of a retired site go several times faster than one at a time.
fn remove_trees(paths: &[PathBuf]) -> std::io::Result<()> {
    if paths.is_empty() {
        return Ok(());
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if let Ok(removers) = rayon::ThreadPoolBuilder::new()
        .num_threads(REMOVERS)
        .build()
    {
        return removers.install(|| paths.par_iter().try_for_each(|p| remove(p)));
    }
    paths.iter().try_for_each(|p| remove(p))
}

/// Deletes the folder `path` and everything in it, or the file or link at `path`, never
/// following a link.
fn remove(path: &Path) -> std::io::Result<()> {
    if std::fs::symlink_metadata(path)?.is_dir() {
        remove_folder(path)
    } else {
        std::fs::remove_file(path)
    }
}

/// Like `std::fs::remove_dir_all`, never follows a link: each folder is opened relative to its
/// parent, refusing a link.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn remove_folder(dir: &Path) -> std::io::Result<()> {
    let folder = rustix::fs::openat(rustix::fs::CWD, dir, FOLDER, rustix::fs::Mode::empty())?;
    empty_folder(folder)?;
    std::fs::remove_dir(dir)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn remove_folder(dir: &Path) -> std::io::Result<()> {
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
    fn the_swap_without_exchange_leaves_the_old_tree_retired() {
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
        assert!(retired.join("old.html").is_file() && !staging.exists());
    }

    /// Keeps trees in a folder of its own, their identities in memory.
    struct Bin {
        folder: PathBuf,
        identities: Mutex<BTreeMap<PathBuf, Identity>>,
    }

    impl Bin {
        fn in_folder(folder: PathBuf) -> Bin {
            std::fs::create_dir(&folder).unwrap();
            Bin {
                folder,
                identities: Mutex::default(),
            }
        }
    }

    impl Recycler for Bin {
        fn place(&self, output: &Path) -> PathBuf {
            self.folder.join(output.file_name().unwrap())
        }

        fn identity(&self, output: &Path) -> Option<Identity> {
            lock(&self.identities).get(output).copied()
        }

        fn record(&self, output: &Path, identity: Option<Identity>) {
            let mut identities = lock(&self.identities);
            match identity {
                Some(identity) => identities.insert(output.to_path_buf(), identity),
                None => identities.remove(output),
            };
        }
    }

    /// A temporary folder, an output folder in it, and a [`Bin`] beside it.
    fn out_and_bin() -> (PathBuf, Bin, tempfile::TempDir) {
        let tmp = tempfile::tempdir().unwrap();
        let bin = Bin::in_folder(tmp.path().join("bin"));
        (tmp.path().join("out"), bin, tmp)
    }

    /// Writes `files` (path and text) into `out` through a staging folder that recycles the
    /// tree `bin` kept.
    fn recycle(out: &Path, bin: &Bin, files: &[(&str, &str)]) {
        let staging = Staging::recycling(out, bin).unwrap();
        for (path, text) in files {
            staging.put(path, &text.as_bytes().into()).unwrap();
        }
        staging.commit().unwrap();
    }

    /// Every entry under `dir` but the marker: a file's text, or what else it is.
    fn entries(dir: &Path) -> BTreeMap<String, String> {
        walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| !e.file_type().is_dir() && e.file_name() != MARKER)
            .map(|e| {
                let path = e.path().strip_prefix(dir).unwrap();
                let what = match e.file_type().is_file() {
                    true => std::fs::read_to_string(e.path()).unwrap(),
                    false => "not a file".into(),
                };
                (path.to_string_lossy().into_owned(), what)
            })
            .collect()
    }

    /// The files `files` as [`entries`] lists them.
    fn expected(files: &[(&str, &str)]) -> BTreeMap<String, String> {
        files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()
    }

    /// The [`Identity`] of the folder at `path`.
    fn identity_of(path: &Path) -> Option<Identity> {
        identity(&std::fs::symlink_metadata(path).unwrap())
    }

    #[cfg(unix)]
    #[test]
    fn a_recycled_tree_is_written_over_to_exactly_the_new_output() {
        let (out, bin, tmp) = out_and_bin();
        let builds: [&[(&str, &str)]; 5] = [
            &[
                ("index.html", "1"),
                ("gone.html", "1"),
                ("a/b.html", "1"),
                ("c/d.html", "1"),
            ],
            &[("index.html", "2"), ("a/b.html", "1"), ("c/d.html", "2")],
            // A folder becomes a file, a file a folder; `c/d.html` is unchanged since build 2.
            &[
                ("index.html", "3"),
                ("a", "3"),
                ("gone.html/e.html", "3"),
                ("c/d.html", "2"),
            ],
            &[("index.html", "4"), ("a/b.html", "4")],
            &[("index.html", "5")],
        ];
        let mut roots = Vec::new();
        for (n, files) in builds.iter().enumerate() {
            recycle(&out, &bin, files);
            assert_eq!(entries(&out), expected(files), "build {}", n + 1);
            assert_eq!(
                names(tmp.path()),
                ["bin", "out"],
                "nothing beside the output"
            );
            roots.push(identity_of(&out));
        }
        assert_eq!(roots[2], roots[0], "build 3 wrote over the tree of build 1");
        assert_eq!(roots[4], roots[2]);
        assert_eq!(names(&bin.folder), ["out"], "one tree kept");
    }

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[cfg(unix)]
    #[test]
    fn nothing_planted_in_a_kept_tree_or_in_its_place_is_followed_or_kept() {
        use std::os::unix::fs::symlink;
        let (out, bin, tmp) = out_and_bin();
        let outside = tmp.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join("index.html"), "outside").unwrap();
        let files: &[(&str, &str)] = &[("index.html", "new"), ("a/b/c.html", "new")];
        recycle(&out, &bin, files);
        recycle(&out, &bin, files);
        let kept = bin.place(&std::path::absolute(&out).unwrap());
        // In the kept tree itself: links in place of a file and of a folder, a stray file.
        std::fs::remove_file(kept.join("index.html")).unwrap();
        symlink(outside.join("index.html"), kept.join("index.html")).unwrap();
        std::fs::remove_dir_all(kept.join("a/b")).unwrap();
        symlink(&outside, kept.join("a/b")).unwrap();
        std::fs::write(kept.join("a/planted.html"), "planted").unwrap();
        let tree = identity_of(&kept);
        recycle(&out, &bin, files);
        assert_eq!(identity_of(&out), tree, "the kept tree was written over");
        assert_eq!(entries(&out), expected(files));
        // In its place: a link to a folder, then a folder that is not the tree kept.
        for planted in ["link", "folder"] {
            std::fs::remove_dir_all(&kept).unwrap();
            match planted {
                "link" => symlink(&outside, &kept).unwrap(),
                _ => std::fs::create_dir(&kept).unwrap(),
            }
            let planted = identity_of(&kept);
            recycle(&out, &bin, files);
            assert_eq!(entries(&out), expected(files));
            assert_ne!(identity_of(&out), planted);
        }
        assert_eq!(names(&outside), ["index.html"]);
        assert_eq!(
            std::fs::read(outside.join("index.html")).unwrap(),
            b"outside"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_file_the_site_publishes_in_place_of_the_marker_is_kept() {
        let (out, bin, _tmp) = out_and_bin();
        for text in ["mine", "mine", "mine, edited"] {
            recycle(&out, &bin, &[(MARKER, text), ("index.html", "page")]);
            assert_eq!(std::fs::read_to_string(out.join(MARKER)).unwrap(), text);
        }
        recycle(&out, &bin, &[("index.html", "page")]);
        assert_eq!(
            std::fs::read_to_string(out.join(MARKER)).unwrap(),
            MARKER_TEXT
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_recycled_tree_given_up_mid_build_leaves_a_whole_output() {
        let (out, bin, tmp) = out_and_bin();
        let files: &[(&str, &str)] = &[("index.html", "1"), ("a/b.html", "1"), ("c/d.html", "1")];
        recycle(&out, &bin, files);
        recycle(&out, &bin, files);
        let staging = Staging::recycling(&out, &bin).unwrap();
        assert!(read(&staging.tree).is_recycled());
        staging.put("index.html", &b"2"[..].into()).unwrap();
        staging.keep("a/b.html").unwrap();
        staging.give_up().unwrap();
        staging.put("c/d.html", &b"2"[..].into()).unwrap();
        staging.commit().unwrap();
        let now = [("index.html", "2"), ("a/b.html", "1"), ("c/d.html", "2")];
        assert_eq!(entries(&out), expected(&now));
        assert_eq!(names(tmp.path()), ["bin", "out"]);
        recycle(&out, &bin, files);
        assert_eq!(entries(&out), expected(files));
    }
}
