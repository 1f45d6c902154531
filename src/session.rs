//! What `serve` keeps between rebuilds: the site loaded and derived, whose pages are rendered
//! when a browser asks for them. An edit costs loading what changed and deriving the documents
//! it touched, never the rendering of pages nobody looks at; each page is rendered from the
//! same context as in a build, so what is served is what `build` writes.

use crate::derive::{DeriveCache, Derived, Relations, clauses_of};
use crate::error::{Diagnostic, Error, Result};
use crate::hash::Key;
use crate::load::{FileCache, LoadOptions, Loaded};
use crate::output::{Memory, Output, Sink};
use crate::render::engine::Rendered;
use crate::render::{self, Engine, Templates};
use crate::search;
use crate::{cache, derive_all, load_with, open_cache, warnings};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A site being served, across its rebuilds: the files read and parsed, and the last good
/// [`Generation`], whose derivations and compiled templates the next reuses where their inputs
/// are unchanged (every cache is keyed by a hash of all its inputs).
pub struct Session {
    files: FileCache,
    last: Option<Arc<Generation>>,
}

impl Default for Session {
    fn default() -> Session {
        Session {
            files: FileCache::watched(),
            last: None,
        }
    }
}

/// The site as it was at one rebuild, loaded and derived: it renders any of its files on
/// request, and is shared by the requests answered from it.
pub struct Generation {
    loaded: Loaded,
    relations: Relations,
    derived: Derived,
    /// Every document's derivation, with its texts unless the on-disk cache holds them.
    derivations: DeriveCache,
    disk: Option<cache::Disk>,
    templates: Arc<Templates>,
}

/// A rebuild's result.
pub struct Updated {
    /// The site to serve.
    pub site: Arc<Generation>,
    /// Diagnostics of [`crate::error::Severity::Warning`], sorted.
    pub warnings: Vec<Diagnostic>,
    /// Documents derived anew: the others' derivations were reused.
    pub documents_derived: usize,
}

impl Session {
    /// Forgets what was read from these paths (or below them): the watcher says they changed.
    pub fn forget(&mut self, paths: &[PathBuf]) {
        for p in paths {
            self.files.forget(p);
        }
    }

    /// Loads the site under `root` and derives what changed since the last good generation.
    /// A failed update keeps the last good generation for the next.
    pub fn update(&mut self, root: &Path, options: &LoadOptions) -> Result<Updated> {
        let (disk, unusable) = open_cache(root, options);
        let loaded = load_with(root, options, &mut self.files, disk.as_ref())?;
        let last = self.last.as_deref();
        let templates =
            Templates::reuse(last.map(|g| &g.templates), &loaded.theme).map_err(Error::content)?;
        let site = &loaded.site;
        let relations = Relations::new(site);
        let empty = DeriveCache::default();
        let known = last.map_or(&empty, |g| &g.derivations);
        let next = Mutex::new(DeriveCache::default());
        let fresh = AtomicUsize::new(0);
        let derived = derive_all(site, known, Some(&next), disk.as_ref(), |_, doc| {
            if doc.fresh {
                fresh.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        })?;
        let mut warnings = warnings(site, &derived, &self.files);
        warnings.extend(unusable);
        let generation = Arc::new(Generation {
            derivations: next.into_inner().unwrap_or_else(|e| e.into_inner()),
            loaded,
            relations,
            derived,
            disk,
            templates,
        });
        self.last = Some(generation.clone());
        Ok(Updated {
            site: generation,
            warnings,
            documents_derived: fresh.into_inner(),
        })
    }
}

impl Generation {
    /// The file at `path` (relative to the site's root URL), rendered now; None if the site has
    /// no such file.
    pub fn file(&self, path: &str) -> Option<std::result::Result<Arc<[u8]>, Diagnostic>> {
        let engine = Engine::of(self.templates.clone());
        let page = self.page(&self.views(), &engine, path)?;
        // An engine without pages to compare with renders every page.
        Some(page.map(|p| p.bytes.unwrap_or_default()))
    }

    /// The views of the site, which its pages' contexts are made of.
    fn views(&self) -> render::Views<'_> {
        render::Views::new(&self.loaded.site, &self.relations)
    }

    /// The file at `path`, from `views`, through `engine`.
    fn page(
        &self,
        views: &render::Views<'_>,
        engine: &Engine<'_>,
        path: &str,
    ) -> Option<std::result::Result<Rendered, Diagnostic>> {
        let site = &self.loaded.site;
        let document = |at| {
            let clauses = clauses_of(site, at);
            self.derivations
                .document(site, at, &clauses, self.disk.as_ref())
        };
        render::file(&self.loaded, views, &self.derived, engine, document, path)
    }

    /// The search index of this generation's pages, one shard at a time, over the `previous`
    /// index, and how many shards were made again; None if `superseded` says so before the
    /// last shard (a newer generation is to be indexed instead). Over a previous index, each
    /// shard's pages are first only keyed, as a build keys them: a shard whose pages have the
    /// keys the previous index's had is kept from it. The others' pages are rendered on every
    /// core and handed to their shard's indexer as they come, so that only a few are held at
    /// once.
    pub fn index(
        &self,
        previous: Option<Arc<search::Index>>,
        superseded: impl Fn() -> bool,
    ) -> Result<Option<(search::Index, usize)>> {
        let pages = search::pages(&self.loaded.routes);
        let shards = search::Shards::for_pages(pages.len());
        let mut indexes = search::Indexes::start(shards, previous)?;
        let (views, pool) = (&self.views(), indexes.pool());
        let errors = |d| Error::content(vec![d]);
        // The keys of the pages in `files`, through `engine`; each page it renders goes to
        // `feeder`.
        let keys_of = |engine: &Engine<'_>, files: &[String], feeder: Option<&search::Feeder>| {
            let keyed = |file: &String| {
                let page = self.page(views, engine, file)?;
                Some(page.map(|p| {
                    if let (Some(feeder), Some(html)) = (feeder, p.bytes) {
                        feeder.add(file, html);
                    }
                    (file.clone(), p.key)
                }))
            };
            let keys: std::result::Result<Vec<(String, Option<Key>)>, Diagnostic> =
                pool.install(|| files.par_iter().filter_map(keyed).collect());
            keys.map_err(errors)
        };
        let (keys_only, rendered) = (
            Engine::keys(self.templates.clone()),
            Engine::keyed(self.templates.clone()),
        );
        for (k, files) in indexes.split(pages).into_iter().enumerate() {
            if superseded() {
                return Ok(None);
            }
            if indexes.over_previous() && indexes.keep(k, &keys_of(&keys_only, &files, None)?) {
                continue;
            }
            let making = indexes.make(k, files.clone()).map_err(errors)?;
            let keys = keys_of(&rendered, &files, Some(&making.feeder()))?;
            indexes.made(making, &keys);
        }
        let index = indexes.finish().map_err(errors)?;
        Ok(Some(index))
    }

    /// Whether the site has search, and so an index to make.
    pub fn searched(&self) -> bool {
        self.loaded.site.config.search
    }

    /// Whether the site has a file at `path`.
    pub fn has(&self, path: &str) -> bool {
        self.loaded.routes.get(path).is_some()
    }

    /// Every file, rendered, and the search index: what a build of the same content writes.
    pub fn output(&self) -> Result<Output> {
        let files: Vec<&str> = self.loaded.routes.iter().map(|(f, _)| f).collect();
        let memory = Memory::default();
        let errors: Vec<Diagnostic> = files
            .par_iter()
            .filter_map(|f| match self.file(f)? {
                Ok(bytes) => memory.put(f, &bytes).err().map(Err),
                Err(d) => Some(Ok(d)),
            })
            .collect::<Result<_>>()?;
        if !errors.is_empty() {
            return Err(Error::content(errors));
        }
        let index = match self.searched() {
            true => self.index(None, || false)?.unwrap_or_default().0,
            false => search::Index::default(),
        };
        for (file, bytes) in index.files() {
            memory.put(file, bytes)?;
        }
        Ok(memory.into_output())
    }
}
