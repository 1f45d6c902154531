//! Search: the site's pages indexed by Pagefind, in-process, as they are rendered. The index is
//! a folder of static files (`pagefind/`) that Pagefind's script queries in the reader's
//! browser, so search works on any static host, under any path, and offline.
//!
//! A big site's index is split in shards ([`Shards`]), each a Pagefind index of its own that the
//! search page merges. A build ([`Gather`]) notes each indexed page's key as it renders it, and
//! makes the index once every page is written: a shard none of whose pages changed is kept as it
//! is, and the others are made from their pages read back from the output, two at a time, each
//! by an [`Indexer`] on a thread of its own. Pagefind holds every word of a shard until it writes
//! it: made while the pages were rendered, all shards' words were held beside the rendering.
//! `serve` makes its index the same way, over the last one ([`Indexes`]).

use crate::error::{Diagnostic, Error, Kind, Origin, Result};
use crate::hash::Key;
use crate::output::Sink;
use crate::routes::{Owner, Routes};
use crate::urls::route;
use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use rayon::ThreadPool;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::thread::JoinHandle;

/// Whether the page `owner` makes is indexed: the pages of the things a reader looks for
/// (clauses, platforms, documents, provision types, regulations, free pages). Version pages
/// are not: each repeats its document's text as it was (an archive has tens of thousands), and
/// the document's page has the current text. Lists and the home page only link to pages that
/// are indexed themselves.
pub(crate) fn indexed(owner: Owner) -> bool {
    matches!(
        owner,
        Owner::Clause(_)
            | Owner::Platform(_)
            | Owner::Document(_)
            | Owner::Provision(_)
            | Owner::Regulation(_)
            | Owner::Page(_)
    )
}

/// The files of the pages `routes` has that are indexed, in the order of their paths.
pub(crate) fn pages(routes: &Routes) -> Vec<String> {
    routes
        .iter()
        .filter(|&(_, owner)| indexed(owner))
        .map(|(file, _)| file.to_string())
        .collect()
}

/// The URL the index gives for the page in `file`, from the site's root: Pagefind's script
/// puts it under the folder above `pagefind/`, so the index holds no host or base path.
fn url(file: &str) -> String {
    format!("/{}", file.strip_suffix("index.html").unwrap_or(file))
}

/// Indexed pages a shard is made for, and the most shards an index has (see [`Shards`]).
const PAGES_PER_SHARD: usize = 250;
const MOST_SHARDS: usize = 16;

/// How many shards the index is split in: one per [`PAGES_PER_SHARD`] indexed pages, at most
/// [`MOST_SHARDS`]. Pagefind makes an index whole, from every page, reading one page at a
/// time: a big site's one index would be made on one core, and all of it again after any
/// change. Shards are made side by side, and a build over a previous index makes again only
/// those with a changed page. Each adds a few requests to a search in the reader's browser,
/// hence the cap; a site of up to 250 indexed pages has one index, as Pagefind makes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Shards(usize);

impl Shards {
    /// The shards of the site whose routes are `routes`.
    pub(crate) fn of(routes: &Routes) -> Shards {
        let pages = routes.iter().filter(|&(_, owner)| indexed(owner)).count();
        Shards::for_pages(pages)
    }

    /// The shards of a site of `pages` indexed pages ([`pages`] lists them).
    pub(crate) fn for_pages(pages: usize) -> Shards {
        Shards(pages.div_ceil(PAGES_PER_SHARD).clamp(1, MOST_SHARDS))
    }

    /// The folders of the shards in the output, the first (`pagefind/`, with Pagefind's script,
    /// which the search page loads) first; the others are `pagefind/<k>/`, which it merges.
    pub(crate) fn folders(self) -> impl Iterator<Item = String> {
        (0..self.0).map(folder)
    }

    /// The shard of the page in `file`. Pages under the same two first folders share one: a
    /// platform's pages, several of which change with one of its snapshots.
    fn of_page(self, file: &str) -> usize {
        let group = file
            .match_indices('/')
            .nth(1)
            .map_or(file, |(i, _)| &file[..i]);
        let key = Key::of_bytes(group.as_bytes()).to_le_bytes();
        let n = u64::from_le_bytes(key[..8].try_into().unwrap_or_default());
        (n % self.0 as u64) as usize
    }

    /// The indexed pages of `files` (sorted), by shard.
    fn split(self, files: Vec<String>) -> Vec<Vec<String>> {
        let mut shards = vec![Vec::new(); self.0];
        for file in files {
            shards[self.of_page(&file)].push(file);
        }
        shards
    }
}

/// The folder in the output of the shard `k`.
fn folder(k: usize) -> String {
    match k {
        0 => route::search_index().to_string(),
        k => format!("{}{k}/", route::search_index()),
    }
}

/// The shard whose files include `file`, an output file in the index's folder or not: a
/// number, for a file of this build's shards or of an earlier build's.
fn shard_of_file(file: &str) -> Option<usize> {
    let inside = file.strip_prefix(route::search_index())?;
    match inside.split_once('/') {
        Some((k, _)) if !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()) => k.parse().ok(),
        _ => Some(0),
    }
}

/// The threads Pagefind's own parallel work runs on, shared by a build's shards: they take
/// the priority of the thread that makes them (`serve` lowers it), and never take the pool
/// that renders pages.
fn pool() -> Result<Arc<ThreadPool>> {
    rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("search-{i}"))
        .build()
        .map(Arc::new)
        .map_err(|e| Error::content(vec![failed(route::search_index(), e)]))
}

/// The index of a site's pages as `serve` makes it after each rebuild: a shard at a time, over
/// the index it made last. A shard whose pages all have the keys (of template and context, as a
/// build keys them) that the previous index's pages had is kept from it; only the others are
/// made again, each on its own [`Indexer`], while the next is worked out. An edit to one clause
/// so costs the rendering and indexing of its shards, not the site's.
pub(crate) struct Indexes {
    shards: Shards,
    previous: Option<Arc<Index>>,
    pool: Arc<ThreadPool>,
    /// The shards being made, oldest first, at most [`IN_FLIGHT`].
    making: VecDeque<Indexer>,
    /// How many shards were made again.
    made: usize,
    /// The shards kept from the previous index or made, and the key of every shard's pages.
    index: Index,
}

/// How many shards [`Indexes`] makes at once: two, so that one is read while the other is
/// written, on two cores. Pagefind holds all of a shard's words until it is written: with every
/// shard of a whole archive made at once, `serve` would hold them all.
const IN_FLIGHT: usize = 2;

/// A shard of [`Indexes`] being made: its pages are given to its [`Making::feeder`] as they are
/// rendered or read.
pub(crate) struct Making {
    shard: usize,
    indexer: Indexer,
}

impl Making {
    /// The way in for its pages, from any thread, for as long as it is held.
    pub(crate) fn feeder(&self) -> Feeder {
        self.indexer.feeder()
    }
}

impl Indexes {
    /// An index in `shards`, over the one made before, if any.
    pub(crate) fn start(shards: Shards, previous: Option<Arc<Index>>) -> Result<Indexes> {
        Ok(Indexes {
            shards,
            previous: previous.filter(|p| p.shards == shards.0),
            pool: pool()?,
            making: VecDeque::new(),
            made: 0,
            index: Index {
                shards: shards.0,
                ..Index::default()
            },
        })
    }

    /// The indexed pages of `files` (sorted), by shard: the shards to give, in turn, to
    /// [`Indexes::keep`] and, if not kept, to [`Indexes::make`].
    pub(crate) fn split(&self, files: Vec<String>) -> Vec<Vec<String>> {
        self.shards.split(files)
    }

    /// Whether there is a previous index, whose shards [`Indexes::keep`] may keep.
    pub(crate) fn over_previous(&self) -> bool {
        self.previous.is_some()
    }

    /// The index's threads, which have the priority of the thread that started it: `serve`
    /// renders the pages to index there, so that they never slow its answers.
    pub(crate) fn pool(&self) -> Arc<ThreadPool> {
        self.pool.clone()
    }

    /// Keeps shard `k` from the previous index if its pages, with these `keys` (each output
    /// file, in the order [`Indexes::split`] gives, with its key, None if it has none), are
    /// those it was made from; false if not.
    pub(crate) fn keep(&mut self, k: usize, keys: &[(String, Option<Key>)]) -> bool {
        let Some(previous) = &self.previous else {
            return false;
        };
        let key = shard_key(&keyed(keys), k);
        if key.is_none() || previous.keys.get(&k) != key.as_ref() {
            return false;
        }
        let files = previous.files.iter();
        let files = files.filter(|(file, _)| shard_of_file(file) == Some(k));
        let index = &mut self.index;
        index
            .files
            .extend(files.map(|(f, b)| (f.clone(), b.clone())));
        index.keys.extend(key.map(|key| (k, key)));
        true
    }

    /// Starts making shard `k` of the pages in `files`, in the order [`Indexes::split`] gives,
    /// once fewer than [`IN_FLIGHT`] shards are being made.
    pub(crate) fn make(&mut self, k: usize, files: Vec<String>) -> Result<Making, Diagnostic> {
        while self.making.len() >= IN_FLIGHT {
            self.finish_oldest()?;
        }
        Ok(Making {
            shard: k,
            indexer: Indexer::start(k, files, self.pool.clone()),
        })
    }

    /// Shard `making`, whose pages, with these `keys`, were all given to it.
    pub(crate) fn made(&mut self, making: Making, keys: &[(String, Option<Key>)]) {
        let k = making.shard;
        self.index
            .keys
            .extend(shard_key(&keyed(keys), k).map(|key| (k, key)));
        self.making.push_back(making.indexer);
    }

    /// Waits for the oldest shard being made, and takes its files.
    fn finish_oldest(&mut self) -> Result<(), Diagnostic> {
        if let Some(indexer) = self.making.pop_front() {
            self.index.files.append(&mut indexer.finish()?.files);
            self.made += 1;
        }
        Ok(())
    }

    /// The index: every shard's files, and how many shards were made again.
    pub(crate) fn finish(mut self) -> Result<(Index, usize), Diagnostic> {
        while !self.making.is_empty() {
            self.finish_oldest()?;
        }
        Ok((self.index, self.made))
    }
}

/// Pages with their keys, if every one has one.
fn keyed(keys: &[(String, Option<Key>)]) -> Option<Vec<(&String, Key)>> {
    keys.iter()
        .map(|(file, key)| Some((file, (*key)?)))
        .collect()
}

/// A build's search index, made once its pages are written. Each indexed page's key is noted
/// as it is rendered; at the end a shard none of whose pages changed is kept from the previous
/// output, and the others are made from their pages read back from the output, two at a time
/// ([`Indexes`]). No page is held for the index while the build renders, and Pagefind holds two
/// shards' words at once, never the whole site's.
pub(crate) struct Gather {
    shards: Shards,
    /// Each shard's indexed pages (sorted).
    files: Vec<Vec<String>>,
    /// Each shard's pages rendered or kept, with the key of what each was rendered from (None
    /// when the build keeps no cache).
    noted: Vec<Mutex<BTreeMap<String, Option<Key>>>>,
}

/// The files of an index the build wrote or kept.
#[derive(Default)]
pub(crate) struct Written {
    /// How many.
    pub files: usize,
    /// Each with the key the next build compares, when every page of its shard had one.
    pub keys: Vec<(String, Key)>,
}

/// The previous output's index files and their keys, each shard's by itself.
type Previous<'p> = Vec<Vec<(&'p String, &'p Key)>>;

impl Gather {
    /// For the indexed pages in `files` (sorted) split in `shards`.
    pub(crate) fn start(files: Vec<String>, shards: Shards) -> Gather {
        let files = shards.split(files);
        let noted = files.iter().map(|_| Mutex::default()).collect();
        Gather {
            shards,
            files,
            noted,
        }
    }

    /// The page in `file` is written (or kept); `key`, what it was rendered from.
    pub(crate) fn page(&self, file: &str, key: Option<Key>) {
        let noted = &self.noted[self.shards.of_page(file)];
        let mut noted = noted.lock().unwrap_or_else(PoisonError::into_inner);
        noted.insert(file.to_string(), key);
    }

    /// Writes the index into `sink`, whose pages are all written: each shard the `previous`
    /// output has, kept, when it was made from the same pages, else made from the pages as
    /// `sink` now holds them, two shards at a time.
    pub(crate) fn finish(
        self,
        previous: Option<&HashMap<String, Key>>,
        sink: &dyn Sink,
    ) -> Result<Written> {
        let over = by_shard(self.shards, previous);
        let mut written = Written::default();
        let mut indexes = Indexes::start(self.shards, None)?;
        let mut made = Vec::new();
        let (index, _) = std::thread::scope(|scope| {
            // Each shard's pages are read on a thread of its own, so that the next shard can start
            // while they are read: two shards are read by Pagefind at once, on two cores.
            let mut readers = Vec::new();
            for (k, (files, noted)) in self.files.into_iter().zip(self.noted).enumerate() {
                let keys: Vec<(String, Option<Key>)> = noted
                    .into_inner()
                    .unwrap_or_else(PoisonError::into_inner)
                    .into_iter()
                    .collect();
                let old = &over[k];
                let unchanged = shard_key(&keyed(&keys), old.len());
                if !old.is_empty() && unchanged.is_some_and(|key| old.iter().all(|o| *o.1 == key)) {
                    for (file, _) in old {
                        sink.keep(file)?;
                    }
                    written.files += old.len();
                    written
                        .keys
                        .extend(old.iter().map(|(f, k)| ((*f).clone(), **k)));
                    continue;
                }
                let making = indexes.make(k, files.clone()).map_err(content)?;
                let feeder = making.feeder();
                readers.push(scope.spawn(move || -> Result<()> {
                    for file in &files {
                        feeder.add(file, sink.read(file)?);
                    }
                    Ok(())
                }));
                indexes.made(making, &keys);
                made.push((k, keys));
            }
            for reader in readers {
                // A shard whose pages could not all be read is not written.
                reader.join().unwrap_or_else(|_| {
                    Err(content(failed(
                        route::search_index(),
                        "a page could not be read",
                    )))
                })?;
            }
            indexes.finish().map_err(content)
        })?;
        for (file, bytes) in index.files() {
            sink.put(file, bytes)?;
        }
        written.files += index.files().count();
        for (k, keys) in made {
            let files: Vec<&str> = (index.files())
                .filter(|(f, _)| shard_of_file(f) == Some(k))
                .map(|(f, _)| f)
                .collect();
            if let Some(key) = shard_key(&keyed(&keys), files.len()) {
                written
                    .keys
                    .extend(files.into_iter().map(|f| (f.to_string(), key)));
            }
        }
        Ok(written)
    }
}

/// A diagnostic as the build's error.
fn content(d: Diagnostic) -> Error {
    Error::content(vec![d])
}

/// The key of a shard made from `pages` (each with its key; None if one had none) and `made`,
/// what else decides its files (how many a build made; the shard's number for `serve`): what a
/// build stamps each of its files with, and what `serve`'s index keeps by shard, for the next
/// to compare.
fn shard_key<F: std::hash::Hash>(pages: &Option<Vec<(F, Key)>>, made: usize) -> Option<Key> {
    pages.as_ref().map(|p| Key::of(&(p, made)))
}

/// The `previous` output's index files with their keys, by shard of `shards`; those of shards
/// an earlier build had beyond them are left out (and so not kept).
fn by_shard(shards: Shards, previous: Option<&HashMap<String, Key>>) -> Previous<'_> {
    let mut by_shard = vec![Vec::new(); shards.0];
    for (file, key) in previous.into_iter().flatten() {
        if let Some(old) = shard_of_file(file).and_then(|k| by_shard.get_mut(k)) {
            old.push((file, key));
        }
    }
    by_shard
}

/// A page handed to the indexer: its output path and HTML.
type Page = (String, Arc<[u8]>);

/// How many rendered pages may wait for an indexer.
const BACKLOG: usize = 32;

/// Builds one shard's index from the pages given to it, on a thread of its own; dropped
/// before [`Indexer::finish`], it stops at the next page.
struct Indexer {
    pages: Feeder,
    worker: Option<JoinHandle<Result<Index, Diagnostic>>>,
    stop: Arc<AtomicBool>,
}

/// Where pages are handed to an [`Indexer`], from any thread: the indexer has its last page
/// once it is finished and every feeder is dropped.
pub(crate) struct Feeder(Option<mpsc::SyncSender<Page>>);

impl Feeder {
    /// Adds the page in the output file `file`, whose HTML is `html`.
    pub(crate) fn add(&self, file: &str, html: Arc<[u8]>) {
        if let Some(pages) = &self.0 {
            // A worker that stopped on an error has it ready for `finish`.
            let _ = pages.send((file.to_string(), html));
        }
    }
}

impl Indexer {
    /// An indexer for shard `shard`, of the pages in `files` (sorted), which come in any order;
    /// Pagefind's parallel work runs on `pool`.
    fn start(shard: usize, files: Vec<String>, pool: Arc<ThreadPool>) -> Indexer {
        // Bounded, so that rendering waits for the indexer rather than piling pages up in
        // memory: the indexer reads one page at a time and is the slower of the two.
        let (pages, received) = mpsc::sync_channel(BACKLOG);
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let worker = std::thread::Builder::new()
            .name(format!("search-shard-{shard}"))
            .spawn(move || index(&folder(shard), &files, received, &stopped, &pool));
        Indexer {
            pages: Feeder(Some(pages)),
            worker: worker.ok(),
            stop,
        }
    }

    /// A way in for its pages: the indexer reads them until it is finished and every feeder
    /// is dropped.
    fn feeder(&self) -> Feeder {
        Feeder(self.pages.0.clone())
    }

    /// The index of every page added.
    fn finish(mut self) -> Result<Index, Diagnostic> {
        drop(self.pages.0.take());
        let worker = self.worker.take().map(JoinHandle::join);
        match worker {
            Some(Ok(index)) => index,
            _ => Err(failed(route::search_index(), "the indexer stopped")),
        }
    }
}

impl Drop for Indexer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// A finished index: its files, by path in the output.
#[derive(Debug, Default)]
pub struct Index {
    files: BTreeMap<String, Arc<[u8]>>,
    /// How many shards [`Indexes`] split it in, and the key of each one's pages.
    shards: usize,
    keys: BTreeMap<usize, Key>,
}

impl Index {
    /// Every file, by path in the output (under `pagefind/`).
    pub fn files(&self) -> impl Iterator<Item = (&str, &Arc<[u8]>)> {
        self.files.iter().map(|(p, b)| (p.as_str(), b))
    }

    /// How many shards [`Indexes`] split it in.
    pub fn shards(&self) -> usize {
        self.shards
    }

    /// The file at `path` in the output, if the index has one there.
    pub fn get(&self, path: &str) -> Option<Arc<[u8]>> {
        self.files.get(path).cloned()
    }
}

/// What a shard other than the first holds of Pagefind's bundle: the index itself. The search
/// page's script, its WebAssembly and Pagefind's interfaces are the first shard's.
fn in_merged_shard(name: &str) -> bool {
    name == "pagefind-entry.json"
        || name.ends_with(".pf_meta")
        || ["index/", "fragment/", "filter/"]
            .iter()
            .any(|f| name.starts_with(f))
}

/// An indexer's work: the pages of `files` as they are received, then the index's files, in
/// `folder`; an empty index if told to `stop` first.
fn index(
    folder: &str,
    files: &[String],
    received: mpsc::Receiver<Page>,
    stop: &AtomicBool,
    pool: &ThreadPool,
) -> Result<Index, Diagnostic> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| failed(folder, e))?;
    let mut index = PagefindIndex::new(Some(PagefindServiceConfig::builder().build()))
        .map_err(|e| failed(folder, e))?;
    // Pagefind numbers pages in the order it first meets their URLs, and a page read again
    // keeps its place: each page is first added empty, in the order of the paths, so the index
    // is the same whatever order pages are rendered in. A page left empty is not indexed.
    for file in files {
        let placeholder =
            index.add_custom_record(url(file), String::new(), "unknown".into(), None, None, None);
        runtime.block_on(placeholder).map_err(|e| failed(file, e))?;
    }
    for (file, html) in received {
        if stop.load(Ordering::Relaxed) {
            return Ok(Index::default());
        }
        let html = String::from_utf8_lossy(&html).into_owned();
        runtime
            .block_on(index.add_html_file(None, Some(url(&file)), html))
            .map_err(|e| failed(&file, e))?;
    }
    let files = pool
        .install(|| runtime.block_on(index.get_files()))
        .map_err(|e| failed(folder, e))?;
    let first = folder == route::search_index();
    let files = files
        .into_iter()
        .filter_map(|f| {
            let name: Vec<_> = f
                .filename
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect();
            let name = name.join("/");
            (first || in_merged_shard(&name))
                .then(|| (format!("{folder}{name}"), Arc::from(f.contents)))
        })
        .collect();
    Ok(Index {
        files,
        ..Index::default()
    })
}

/// Pagefind's failure on `file` (a page, or the index as a whole) as a diagnostic.
fn failed(file: &str, e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(
        Kind::Render,
        Origin::Output(file.to_string()),
        format!("the search index could not be built: {e}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(title: &str) -> Arc<[u8]> {
        let html = format!(
            "<!DOCTYPE html><html lang=\"en\"><body><main data-pagefind-body><h1>{title}</h1><p>Clauses on spam.</p></main></body></html>"
        );
        Arc::from(html.into_bytes())
    }

    /// The index of `files` in `shards` over `previous`, as `serve` makes it, each page made by
    /// `html`; and how many shards were made.
    fn index_over(
        files: &[&str],
        shards: Shards,
        previous: Option<Arc<Index>>,
        html: impl Fn(&str) -> Arc<[u8]>,
    ) -> (Index, usize) {
        let files: Vec<String> = files.iter().map(|f| f.to_string()).collect();
        let mut indexes = Indexes::start(shards, previous).unwrap();
        for (k, in_shard) in indexes.split(files).into_iter().enumerate() {
            let pages: Vec<Page> = in_shard
                .into_iter()
                .map(|f| (f.clone(), html(&f)))
                .collect();
            // A page's HTML stands for its context here.
            let keys: Vec<(String, Option<Key>)> = (pages.iter())
                .map(|(f, h)| (f.clone(), Some(Key::of_bytes(h))))
                .collect();
            if !indexes.keep(k, &keys) {
                let files = keys.iter().map(|(f, _)| f.clone()).collect();
                let making = indexes.make(k, files).unwrap();
                let feeder = making.feeder();
                for (file, html) in pages {
                    feeder.add(&file, html);
                }
                indexes.made(making, &keys);
            }
        }
        indexes.finish().unwrap()
    }

    fn index_with(
        files: &[&str],
        shards: Shards,
        html: impl Fn(&str) -> Arc<[u8]>,
    ) -> BTreeMap<String, Arc<[u8]>> {
        index_over(files, shards, None, html).0.files
    }

    /// One indexer's index of `files`, their pages added in the order of `order`.
    fn index_of(files: &[&str], order: &[usize]) -> BTreeMap<String, Arc<[u8]>> {
        let files: Vec<String> = files.iter().map(|f| f.to_string()).collect();
        let indexer = Indexer::start(0, files.clone(), pool().unwrap());
        let feeder = indexer.feeder();
        for &i in order {
            feeder.add(&files[i], page(&files[i]));
        }
        drop(feeder);
        indexer.finish().unwrap().files
    }

    #[test]
    fn the_index_is_the_same_whatever_order_pages_come_in() {
        let files = [
            "a/index.html",
            "b/index.html",
            "c/index.html",
            "d/index.html",
        ];
        let sorted = index_of(&files, &[0, 1, 2, 3]);
        assert!(sorted.contains_key("pagefind/pagefind-entry.json"));
        assert!(sorted.keys().any(|p| p.starts_with("pagefind/fragment/")));
        assert_eq!(index_of(&files, &[3, 1, 0, 2]), sorted);
    }

    /// A sink that records the index files it is given, over a previous output of `previous`;
    /// the pages of the build are in `pages`, as a build writes them before its index.
    #[derive(Default)]
    struct Recorded {
        previous: HashMap<String, Arc<[u8]>>,
        pages: Mutex<HashMap<String, Arc<[u8]>>>,
        put: Mutex<BTreeMap<String, Arc<[u8]>>>,
        kept: Mutex<Vec<String>>,
    }

    impl Sink for Recorded {
        fn put(&self, path: &str, bytes: &Arc<[u8]>) -> Result<()> {
            self.put.lock().unwrap().insert(path.into(), bytes.clone());
            Ok(())
        }

        fn keep(&self, path: &str) -> Result<()> {
            self.kept.lock().unwrap().push(path.into());
            Ok(())
        }

        fn read(&self, path: &str) -> Result<Arc<[u8]>> {
            let page = self.pages.lock().unwrap().get(path).cloned();
            Ok(page.unwrap_or_else(|| self.previous[path].clone()))
        }
    }

    /// Gathers `files` over `previous`, each page given as `page` says (key, HTML if rendered:
    /// else the previous output's is kept).
    fn gather(
        files: &[&str],
        shards: Shards,
        previous: &HashMap<String, Key>,
        sink: &Recorded,
        page: impl Fn(&str) -> (Key, Option<Arc<[u8]>>),
    ) -> Written {
        let gather = Gather::start(files.iter().map(|f| f.to_string()).collect(), shards);
        for file in files {
            let (key, html) = page(file);
            if let Some(html) = html {
                sink.pages.lock().unwrap().insert(file.to_string(), html);
            }
            gather.page(file, Some(key));
        }
        gather.finish(Some(previous), sink).unwrap()
    }

    #[test]
    fn an_index_is_kept_while_its_pages_are_and_made_again_when_one_changes() {
        kept_while_unchanged(&["a/index.html", "b/index.html", "c/index.html"], Shards(1));
    }

    #[test]
    fn only_the_shard_of_a_changed_page_is_made_again() {
        let files: Vec<String> = (0..8)
            .flat_map(|p| {
                [
                    format!("platforms/p{p}/clauses/c/index.html"),
                    format!("platforms/p{p}/index.html"),
                ]
            })
            .collect();
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        kept_while_unchanged(&files, Shards(3));
    }

    /// Builds the index of `files` in `shards`, then again over it with no page changed, then
    /// with `files[1]` changed: checks what is kept and what made again.
    fn kept_while_unchanged(files: &[&str], shards: Shards) {
        let key = |f: &str| Key::of(f);
        let first = Recorded::default();
        let written = gather(files, shards, &HashMap::new(), &first, |f| {
            (key(f), Some(page(f)))
        });
        let all = first.put.lock().unwrap().clone();
        assert_eq!(written.files, all.len());
        assert!(all == index_with(files, shards, page));
        let mut previous: HashMap<String, Key> =
            files.iter().map(|f| (f.to_string(), key(f))).collect();
        previous.extend(written.keys);

        let unchanged = Recorded::default();
        gather(files, shards, &previous, &unchanged, |f| (key(f), None));
        assert!(unchanged.put.lock().unwrap().is_empty());
        assert_eq!(unchanged.kept.lock().unwrap().len(), written.files);

        let edited = files[1];
        let changed = Recorded {
            previous: files.iter().map(|f| (f.to_string(), page(f))).collect(),
            ..Recorded::default()
        };
        let html = |f: &str| page(if f == edited { "edited" } else { f });
        gather(files, shards, &previous, &changed, |f| match f == edited {
            true => (Key::of("edited"), Some(html(f))),
            false => (key(f), None),
        });
        let fresh = index_with(files, shards, html);
        let put = changed.put.lock().unwrap();
        let kept = changed.kept.lock().unwrap();
        // The changed page's shard is made again, as a build from nothing makes it; the
        // others are kept as they were.
        let shard = folder(shards.of_page(edited));
        let in_shard = |p: &str| shard_of_file(p) == Some(shards.of_page(edited));
        assert!(put.keys().all(|p| in_shard(p)), "{shard}");
        assert!(*put == fresh.into_iter().filter(|(p, _)| in_shard(p)).collect());
        assert!(kept.iter().all(|p| !in_shard(p) && all.contains_key(p)));
        let remade = all.keys().filter(|p| in_shard(p)).count();
        assert_eq!(kept.len(), all.len() - remade);
        if shards.0 > 1 {
            assert!(!kept.is_empty(), "the other shards are kept");
        }
    }

    /// The own pages of `n` platforms.
    fn platform_pages(n: usize) -> Vec<String> {
        (0..n)
            .map(|p| format!("platforms/p{p}/index.html"))
            .collect()
    }

    #[test]
    fn serve_makes_again_only_the_shard_of_a_changed_page() {
        let files = platform_pages(12);
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        let shards = Shards(3);
        let (first, made) = index_over(&files, shards, None, page);
        assert_eq!((made, first.shards()), (3, 3));
        let first = Arc::new(first);

        let (same, made) = index_over(&files, shards, Some(first.clone()), page);
        assert_eq!(made, 0);
        assert!(same.files == first.files);

        let edited = files[4];
        let html = |f: &str| page(if f == edited { "edited" } else { f });
        let (changed, made) = index_over(&files, shards, Some(first.clone()), html);
        assert_eq!(made, 1);
        // The same bytes as an index made from nothing; the other shards' files are the very
        // ones of the previous index, not made again.
        assert!(changed.files == index_with(&files, shards, html));
        let in_shard = |p: &str| shard_of_file(p) == Some(shards.of_page(edited));
        let (remade, kept): (Vec<_>, Vec<_>) = changed.files.iter().partition(|(p, _)| in_shard(p));
        assert!(!remade.is_empty() && !kept.is_empty());
        assert!(remade.iter().any(|(p, b)| first.files.get(*p) != Some(*b)));
        for (path, bytes) in kept {
            assert!(Arc::ptr_eq(bytes, &first.files[path]), "{path}");
        }

        // A page whose context could not be keyed never lets its shard be kept.
        let mut indexes = Indexes::start(shards, Some(first.clone())).unwrap();
        let k = shards.of_page(files[0]);
        let unkeyed: Vec<(String, Option<Key>)> = (indexes
            .split(files.iter().map(|f| f.to_string()).collect()))
        .swap_remove(k)
        .into_iter()
        .map(|f| (f, None))
        .collect();
        assert!(!indexes.keep(k, &unkeyed));

        let (regrown, made) = index_over(&files, Shards(4), Some(first), page);
        assert_eq!(
            (made, regrown.shards()),
            (4, 4),
            "a new shard count remakes all"
        );
    }

    #[test]
    fn a_site_has_a_shard_per_250_indexed_pages_at_most_16() {
        assert_eq!(Shards::for_pages(0), Shards(1));
        assert_eq!(Shards::for_pages(250), Shards(1));
        assert_eq!(Shards::for_pages(251), Shards(2));
        assert_eq!(Shards::for_pages(100_000), Shards(16));
    }

    #[test]
    fn a_platforms_pages_share_a_shard_and_each_shard_has_a_folder() {
        let shards = Shards(16);
        let platform = shards.of_page("platforms/aws/index.html");
        for page in [
            "platforms/aws/clauses/spam/index.html",
            "platforms/aws/documents/terms/index.html",
        ] {
            assert_eq!(shards.of_page(page), platform);
        }
        let spread: std::collections::BTreeSet<usize> = (0..200)
            .map(|p| shards.of_page(&format!("platforms/p{p}/index.html")))
            .collect();
        assert_eq!(spread.len(), 16);
        let folders: Vec<String> = Shards(3).folders().collect();
        assert_eq!(folders, ["pagefind/", "pagefind/1/", "pagefind/2/"]);
        assert_eq!(shard_of_file("pagefind/pagefind.js"), Some(0));
        assert_eq!(shard_of_file("pagefind/index/en_1.pf_index"), Some(0));
        assert_eq!(shard_of_file("pagefind/12/pagefind-entry.json"), Some(12));
        assert_eq!(shard_of_file("search/index.html"), None);
    }

    #[test]
    fn merged_shards_hold_the_index_and_not_pagefinds_scripts() {
        let files = platform_pages(8);
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        let index = index_with(&files, Shards(2), page);
        for k in 0..2 {
            let shard = folder(k);
            let names: Vec<&str> = index
                .keys()
                .filter(|p| shard_of_file(p) == Some(k))
                .map(|p| &p[shard.len()..])
                .collect();
            assert!(names.contains(&"pagefind-entry.json"), "{names:?}");
            assert_eq!(names.contains(&"pagefind.js"), k == 0, "{names:?}");
            assert_eq!(names.contains(&"wasm.en.pagefind"), k == 0, "{names:?}");
        }
    }

    #[test]
    fn urls_are_from_the_site_root_without_index_html() {
        assert_eq!(
            url("platforms/a/clauses/b/index.html"),
            "/platforms/a/clauses/b/"
        );
        assert_eq!(url("index.html"), "/");
    }

    #[test]
    fn version_pages_and_lists_are_not_indexed() {
        let doc = crate::model::DocRef {
            platform: crate::model::PlatformIx(0),
            index: 0,
        };
        assert!(indexed(Owner::Document(doc)));
        assert!(!indexed(Owner::Version(doc, 0)));
        for list in [
            Owner::Home,
            Owner::Platforms,
            Owner::Search,
            Owner::Changes(None, 0),
        ] {
            assert!(!indexed(list));
        }
    }
}
