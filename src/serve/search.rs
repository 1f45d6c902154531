//! The search index `serve` serves under `/pagefind/`: made after each rebuild from the new
//! generation's pages, on a thread of its own at the lowest priority (an edit's reload never
//! waits for it), and served once finished. Until then the last finished index is served; a
//! newer generation stops the indexing of an older one.

use super::respond::Files;
use crate::Generation;
use crate::search::Index;
use crate::urls::route;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// The newest finished index, and which generation is being indexed.
#[derive(Default)]
pub(super) struct Searches {
    /// How many generations were given to [`Searches::start`]: the last is the one to index.
    started: AtomicU64,
    finished: RwLock<Option<Arc<Index>>>,
}

impl Searches {
    /// Indexes `site` in the background, in place of any generation being indexed.
    pub(super) fn start(self: &Arc<Self>, site: Arc<Generation>) {
        let mine = self.started.fetch_add(1, Ordering::SeqCst) + 1;
        let searches = self.clone();
        std::thread::spawn(move || {
            lower_priority();
            let start = std::time::Instant::now();
            let superseded = || searches.started.load(Ordering::SeqCst) != mine;
            let previous = searches.finished();
            match site.index(previous, superseded) {
                Ok(Some((index, made))) if !superseded() => {
                    let (ms, parts) = (start.elapsed().as_millis(), index.shards());
                    let mut finished = searches.finished.write().unwrap_or_else(|e| e.into_inner());
                    *finished = Some(Arc::new(index));
                    match parts - made {
                        0 => println!("Search index made in {ms} ms"),
                        same => println!(
                            "Search index made in {ms} ms: {made} of {parts} parts indexed, {same} unchanged"
                        ),
                    }
                }
                Ok(_) => {}
                Err(e) => eprintln!("The search index was not updated:\n{e}"),
            }
            give_back_memory();
        });
    }

    /// The newest finished index.
    fn finished(&self) -> Option<Arc<Index>> {
        let finished = self.finished.read().unwrap_or_else(|e| e.into_inner());
        finished.clone()
    }

    fn get(&self, path: &str) -> Option<Arc<[u8]>> {
        self.finished()?.get(path)
    }
}

/// The calling thread, and the threads it starts, run only when nothing else wants the CPU.
/// On Linux a thread's priority is its own; elsewhere it would be the whole server's, so it is
/// left as it is.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    let _ = rustix::process::setpriority_process(None, 19);
}

/// Returns the memory freed since to the system. Pagefind's work takes hundreds of megabytes
/// at a time on threads that end with it; the allocator keeps what they freed for reuse, where
/// the server, which runs for hours, would hold it for good.
fn give_back_memory() {
    // SAFETY: `mi_collect` takes no pointer and may be called from any thread at any time.
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
}

/// A generation's files, with the newest finished search index under `pagefind/`.
pub(super) struct Searchable {
    pub site: Arc<Generation>,
    pub searches: Arc<Searches>,
}

impl Files for Searchable {
    fn file(&self, path: &str) -> Option<Result<Arc<[u8]>, String>> {
        if path.starts_with(route::search_index()) {
            return self.searches.get(path).map(Ok);
        }
        Files::file(&*self.site, path)
    }

    fn has(&self, path: &str) -> bool {
        self.site.has(path)
    }

    fn is_empty(&self) -> bool {
        false
    }
}
