//! Search: the site's pages indexed by Pagefind, in-process, as they are rendered. The index is
//! a folder of static files (`pagefind/`) that Pagefind's script queries in the reader's
//! browser, so search works on any static host, under any path, and offline.
//!
//! A build hands each indexed page to an [`Indexer`] as soon as it has its HTML; the indexer
//! reads it on a thread of its own while the build goes on rendering, and makes the index's
//! files once the last page is in. A build over a previous output with an index ([`Gather`])
//! only notes each page's key: when none changed, the previous index is kept as it is.

use crate::error::{Diagnostic, Error, Kind, Origin, Result};
use crate::hash::Key;
use crate::output::Sink;
use crate::routes::{Owner, Routes};
use crate::urls::route;
use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use std::collections::{BTreeMap, HashMap};
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

/// A build's search index, from its pages as they are rendered. Without a previous index to
/// keep, each page goes to an [`Indexer`] at once; over one, each page's key is noted (and the
/// HTML of a page rendered anew kept), and the index is made after the last page only if one
/// changed. A page kept from the previous output is read back from it when it must be indexed.
pub(crate) struct Gather {
    files: Vec<String>,
    indexer: Option<Indexer>,
    noted: Mutex<BTreeMap<String, Noted>>,
}

/// An indexed page of the build: the key of what it was rendered from, when the build keeps a
/// cache, and its HTML when it must be kept for the index (rendered anew, over an index).
struct Noted {
    key: Option<Key>,
    html: Option<Arc<[u8]>>,
}

/// The files of an index the build wrote or kept.
pub(crate) struct Written {
    /// How many.
    pub files: usize,
    /// Each with the key the next build compares, when every page had one.
    pub keys: Vec<(String, Key)>,
}

impl Gather {
    /// For the indexed pages in `files` (sorted), over the `previous` output's pages' keys.
    pub(crate) fn start(files: Vec<String>, previous: Option<&HashMap<String, Key>>) -> Gather {
        let over_an_index = previous.is_some_and(|p| p.keys().any(|f| in_index(f)));
        let indexer = (!over_an_index).then(|| Indexer::start(files.clone()));
        Gather {
            files,
            indexer,
            noted: Mutex::default(),
        }
    }

    /// The page in `file`: its `html` when rendered anew, None when the previous output's is
    /// kept (in `sink`); `key`, what it was rendered from.
    pub(crate) fn page(
        &self,
        file: &str,
        key: Option<Key>,
        html: Option<Arc<[u8]>>,
        sink: &dyn Sink,
    ) -> Result<()> {
        let html = match &self.indexer {
            Some(indexer) => {
                indexer.add(file, html_of(file, html, sink)?);
                None
            }
            None => html,
        };
        let mut noted = self.noted.lock().unwrap_or_else(PoisonError::into_inner);
        noted.insert(file.to_string(), Noted { key, html });
        Ok(())
    }

    /// Writes the index into `sink`: the `previous` output's, kept, when it was made from the
    /// same pages, else the index of the pages as they are now.
    pub(crate) fn finish(
        self,
        previous: Option<&HashMap<String, Key>>,
        sink: &dyn Sink,
    ) -> Result<Written> {
        let noted = self
            .noted
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let pages: Option<Vec<(&String, Key)>> =
            noted.iter().map(|(file, n)| Some((file, n.key?))).collect();
        let key = |files: usize| pages.as_ref().map(|p| Key::of(&(p, files)));
        let old: Vec<(&String, &Key)> = previous
            .into_iter()
            .flatten()
            .filter(|(f, _)| in_index(f))
            .collect();
        let unchanged = key(old.len());
        if self.indexer.is_none() && unchanged.is_some_and(|k| old.iter().all(|o| *o.1 == k)) {
            for (file, _) in &old {
                sink.keep(file)?;
            }
            let files = old.len();
            let keys = old.into_iter().map(|(f, k)| (f.clone(), *k)).collect();
            return Ok(Written { files, keys });
        }
        let indexer = match self.indexer {
            Some(indexer) => indexer,
            None => {
                let indexer = Indexer::start(self.files);
                for (file, n) in &noted {
                    indexer.add(file, html_of(file, n.html.clone(), sink)?);
                }
                indexer
            }
        };
        let index = indexer.finish().map_err(|d| Error::content(vec![d]))?;
        for (file, bytes) in index.files() {
            sink.put(file, bytes)?;
        }
        let files = index.files().count();
        let keys = match key(files) {
            Some(k) => index.files().map(|(f, _)| (f.to_string(), k)).collect(),
            None => Vec::new(),
        };
        Ok(Written { files, keys })
    }
}

/// Whether the output file `file` is one of the search index's.
fn in_index(file: &str) -> bool {
    file.starts_with(route::search_index())
}

/// The HTML of the page in `file`: `html` if it was rendered, else the previous output's.
fn html_of(file: &str, html: Option<Arc<[u8]>>, sink: &dyn Sink) -> Result<Arc<[u8]>> {
    match html {
        Some(html) => Ok(html),
        None => sink.kept(file),
    }
}

/// A page handed to the indexer: its output path and HTML.
type Page = (String, Arc<[u8]>);

/// How many rendered pages may wait for the indexer.
const BACKLOG: usize = 32;

/// Builds the index of the pages given to it, on a thread of its own; dropped before
/// [`Indexer::finish`], it stops at the next page.
pub(crate) struct Indexer {
    pages: Option<mpsc::SyncSender<Page>>,
    worker: Option<JoinHandle<Result<Index, Diagnostic>>>,
    stop: Arc<AtomicBool>,
}

impl Indexer {
    /// An indexer for the pages in `files` (sorted), which come in any order.
    pub(crate) fn start(files: Vec<String>) -> Indexer {
        // Bounded, so that rendering waits for the indexer rather than piling pages up in
        // memory: the indexer reads one page at a time and is the slower of the two.
        let (pages, received) = mpsc::sync_channel(BACKLOG);
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let worker = std::thread::spawn(move || {
            // Pagefind's parallel work runs on threads of the indexer's own, which take its
            // priority (`serve` lowers it), never on the pool that renders pages.
            let pool = rayon::ThreadPoolBuilder::new()
                .thread_name(|i| format!("search-{i}"))
                .build()
                .map_err(|e| failed(route::search_index(), e))?;
            pool.install(|| index(&files, received, &stopped))
        });
        Indexer {
            pages: Some(pages),
            worker: Some(worker),
            stop,
        }
    }

    /// Adds the page in the output file `file`, whose HTML is `html`.
    pub(crate) fn add(&self, file: &str, html: Arc<[u8]>) {
        if let Some(pages) = &self.pages {
            // A worker that stopped on an error has it ready for `finish`.
            let _ = pages.send((file.to_string(), html));
        }
    }

    /// The index of every page added.
    pub(crate) fn finish(mut self) -> Result<Index, Diagnostic> {
        drop(self.pages.take());
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
}

impl Index {
    /// Every file, by path in the output (under `pagefind/`).
    pub fn files(&self) -> impl Iterator<Item = (&str, &Arc<[u8]>)> {
        self.files.iter().map(|(p, b)| (p.as_str(), b))
    }

    /// The file at `path` in the output, if the index has one there.
    pub fn get(&self, path: &str) -> Option<Arc<[u8]>> {
        self.files.get(path).cloned()
    }
}

/// The indexer's work: the pages of `files` as they are received, then the index; an empty
/// index if told to `stop` first.
fn index(
    files: &[String],
    received: mpsc::Receiver<Page>,
    stop: &AtomicBool,
) -> Result<Index, Diagnostic> {
    let folder = route::search_index();
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
    let files = runtime
        .block_on(index.get_files())
        .map_err(|e| failed(folder, e))?;
    let files = files
        .into_iter()
        .map(|f| {
            let name: Vec<_> = f
                .filename
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect();
            (format!("{folder}{}", name.join("/")), Arc::from(f.contents))
        })
        .collect();
    Ok(Index { files })
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

    /// The index of `files`, their pages added in the order of `order`.
    fn index_of(files: &[&str], order: &[usize]) -> Vec<(String, Arc<[u8]>)> {
        let indexer = Indexer::start(files.iter().map(|f| f.to_string()).collect());
        for &i in order {
            indexer.add(files[i], page(files[i]));
        }
        let index = indexer.finish().unwrap();
        index
            .files()
            .map(|(p, b)| (p.to_string(), b.clone()))
            .collect()
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
        assert!(
            sorted
                .iter()
                .any(|(p, _)| p == "pagefind/pagefind-entry.json")
        );
        assert!(
            sorted
                .iter()
                .any(|(p, _)| p.starts_with("pagefind/fragment/"))
        );
        assert_eq!(index_of(&files, &[3, 1, 0, 2]), sorted);
    }

    /// A sink that records what it is given, over a previous output of `previous`.
    #[derive(Default)]
    struct Recorded {
        previous: HashMap<String, Arc<[u8]>>,
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

        fn kept(&self, path: &str) -> Result<Arc<[u8]>> {
            Ok(self.previous[path].clone())
        }
    }

    /// Gathers `files` over `previous`, each page given as `page` says (key, HTML if rendered).
    fn gather(
        files: &[&str],
        previous: &HashMap<String, Key>,
        sink: &Recorded,
        page: impl Fn(&str) -> (Key, Option<Arc<[u8]>>),
    ) -> Written {
        let gather = Gather::start(
            files.iter().map(|f| f.to_string()).collect(),
            Some(previous),
        );
        for file in files {
            let (key, html) = page(file);
            gather.page(file, Some(key), html, sink).unwrap();
        }
        gather.finish(Some(previous), sink).unwrap()
    }

    #[test]
    fn an_index_is_kept_while_its_pages_are_and_made_again_when_one_changes() {
        let files = ["a/index.html", "b/index.html", "c/index.html"];
        let key = |f: &str| Key::of(f);
        let first = Recorded::default();
        let written = gather(&files, &HashMap::new(), &first, |f| (key(f), Some(page(f))));
        assert_eq!(written.files, first.put.lock().unwrap().len());
        let mut previous: HashMap<String, Key> =
            files.iter().map(|f| (f.to_string(), key(f))).collect();
        previous.extend(written.keys);

        let unchanged = Recorded::default();
        gather(&files, &previous, &unchanged, |f| (key(f), None));
        assert!(unchanged.put.lock().unwrap().is_empty());
        assert_eq!(unchanged.kept.lock().unwrap().len(), written.files);

        let changed = Recorded {
            previous: files.iter().map(|f| (f.to_string(), page(f))).collect(),
            ..Recorded::default()
        };
        gather(&files, &previous, &changed, |f| match f {
            "b/index.html" => (Key::of("b, edited"), Some(page("b, edited"))),
            _ => (key(f), None),
        });
        assert!(changed.kept.lock().unwrap().is_empty());
        let indexer = Indexer::start(files.iter().map(|f| f.to_string()).collect());
        for f in files {
            indexer.add(f, page(if f == "b/index.html" { "b, edited" } else { f }));
        }
        let fresh: BTreeMap<String, Arc<[u8]>> = indexer
            .finish()
            .unwrap()
            .files()
            .map(|(p, b)| (p.to_string(), b.clone()))
            .collect();
        assert!(*changed.put.lock().unwrap() == fresh);
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
