//! clausebook: a static site generator for governance comparisons.
//!
//! The data flows one way: [`load`] (content → validated, resolved model and route table) →
//! [`derive`] (histories, verification, cross-references) → [`render`] (a context per route,
//! through templates → an ordered map of output files) → [`output`] (atomic swap) or `serve`.

/// A build allocates and frees millions of small strings on both cores: glibc's allocator took
/// about a tenth of an L build's CPU time, mimalloc half that. Set here rather than in the
/// binary, as `serve` asks this allocator to give back what its search indexer freed.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod cache;
pub mod cli;
pub(crate) mod derive;
pub mod diff;
pub mod effective;
pub mod error;
pub(crate) mod git;
pub mod hash;
pub mod history;
pub mod ids;
pub(crate) mod import;
pub mod load;
pub mod markdown;
pub mod markup;
pub mod model;
pub mod output;
pub(crate) mod placeholder;
pub mod progress;
pub(crate) mod read;
pub(crate) mod render;
pub mod routes;
pub(crate) mod scaffold;
pub mod search;
#[cfg(feature = "serve")]
pub mod serve;
mod session;
pub(crate) mod snapshot;
pub mod text;
pub mod theme;
pub(crate) mod urls;
pub(crate) mod verify;
pub mod yaml;

use output::{Discard, Memory, Sink, Staging};
use progress::{Counted, Progress};
use rayon::prelude::*;
pub use session::{Generation, Session, Updated};
use std::path::Path;
use std::sync::Mutex;

/// What a build did, and what is worth a warning but does not stop it.
#[derive(Debug)]
pub struct Report {
    /// Diagnostics of [`error::Severity::Warning`], sorted.
    pub warnings: Vec<error::Diagnostic>,
    /// Files written (or that would be).
    pub files: usize,
    /// HTML pages among them.
    pub pages: usize,
    /// Pages rendered by this build; the others were reused from the previous one.
    pub pages_rendered: usize,
    /// Pages taken as they were from the previous build.
    pub pages_reused: usize,
}

/// A site rendered in memory.
pub struct Built {
    /// Every output file.
    pub output: output::Output,
    /// What the build did.
    pub report: Report,
}

/// A clean build of the site under `root` into memory, keeping no cache.
pub fn build(root: &Path, options: &load::LoadOptions) -> error::Result<Built> {
    let memory = Memory::default();
    let (report, _) = once(
        root,
        options,
        None,
        None,
        &memory,
        &Progress::hidden(),
        true,
    )?;
    Ok(Built {
        output: memory.into_output(),
        report,
    })
}

/// A build of the site under `root` into the folder `dir`, replaced only once every file is
/// written. Files are written as they are rendered, so the build never holds its output. With
/// the on-disk cache, only documents whose inputs changed are derived, and only pages whose
/// context changed are rendered: the others are the previous output's files, kept as they are.
pub fn write(
    root: &Path,
    options: &load::LoadOptions,
    dir: &Path,
    progress: &Progress,
) -> error::Result<Report> {
    let (disk, unusable) = open_cache(root, options);
    let staging = match &disk {
        Some(disk) => Staging::recycling(dir, disk)?,
        None => Staging::begin(dir)?,
    };
    let folder = std::path::absolute(staging.folder()).map_err(|e| error::Error::io(dir, e))?;
    let previous = disk.as_ref().map(|d| d.manifest(&folder));
    let (mut report, pages) = once(
        root,
        options,
        disk.as_ref(),
        previous.as_ref(),
        &staging,
        progress,
        true,
    )?;
    staging.commit()?;
    if let Some(disk) = &disk {
        disk.keep_manifest(&folder, pages.into_iter().collect());
        disk.trim();
    }
    report.warnings.extend(unusable);
    Ok(report)
}

/// All of a build's work but writing and the search index: every page is rendered, then
/// dropped. With the on-disk cache, only documents whose inputs changed are derived.
pub fn check(
    root: &Path,
    options: &load::LoadOptions,
    progress: &Progress,
) -> error::Result<Report> {
    let (disk, unusable) = open_cache(root, options);
    let (mut report, _) = once(
        root,
        options,
        disk.as_ref(),
        None,
        &Discard,
        progress,
        false,
    )?;
    if let Some(disk) = &disk {
        disk.trim();
    }
    report.warnings.extend(unusable);
    Ok(report)
}

/// A build that keeps nothing in memory for a next one: what it reuses comes from `disk` and,
/// for a build into a folder, the `previous` build's pages there. With `search`, the search
/// index is built and written with the pages. Returns the keys of the pages for the next build
/// into that folder.
fn once(
    root: &Path,
    options: &load::LoadOptions,
    disk: Option<&cache::Disk>,
    previous: Option<&render::Pages>,
    sink: &dyn Sink,
    progress: &Progress,
    search: bool,
) -> error::Result<(Report, render::Pages)> {
    let result = run(root, options, disk, previous, sink, progress, search);
    // Cleared whether the build succeeded or not, so what is printed next starts on its line.
    progress.finish();
    result
}

/// The on-disk cache of the site under `root` when it is on, or the warning saying why it
/// cannot be used.
fn open_cache(
    root: &Path,
    options: &load::LoadOptions,
) -> (Option<cache::Disk>, Option<error::Diagnostic>) {
    if !options.cache.enabled {
        return (None, None);
    }
    match cache::Disk::open(root, &options.cache) {
        Ok(disk) => (Some(disk), None),
        Err(warning) => (None, Some(warning)),
    }
}

/// The pipeline: load, then each document derived and its pages rendered (its texts dropped
/// once they are written), then the site-wide pages from what is kept of every document; the
/// search index is built from the pages as they are rendered, and written last.
fn run(
    root: &Path,
    options: &load::LoadOptions,
    disk: Option<&cache::Disk>,
    previous: Option<&render::Pages>,
    sink: &dyn Sink,
    progress: &Progress,
    search: bool,
) -> error::Result<(Report, render::Pages)> {
    let mut files = load::FileCache::default();
    let loaded = load_with(root, options, &mut files, disk)?;
    let site = &loaded.site;
    let relations = derive::Relations::new(site);
    let gather = match search && site.config.search {
        true => {
            let pages = search::pages(&loaded.routes);
            let shards = search::Shards::for_pages(pages.len());
            Some(search::Gather::start(pages, shards))
        }
        false => None,
    };
    let renderer = render::Renderer::new(&loaded, &relations, previous, gather.as_ref())?;
    progress.start(site.documents().count(), loaded.routes.len());
    let counted = &Counted { sink, progress };
    let empty = derive::DeriveCache::default();
    let derived = derive_all(site, &empty, None, disk, |at, doc| {
        renderer.document(at, doc, counted)?;
        progress.document_done();
        Ok(())
    })?;
    renderer.site(&derived, counted)?;
    let (rendered, mut kept) = renderer.finish()?;
    let mut report = Report {
        warnings: warnings(site, &derived, &files),
        files: loaded.routes.len(),
        pages: loaded
            .routes
            .iter()
            .filter(|(f, _)| f.ends_with(".html"))
            .count(),
        pages_rendered: rendered.rendered,
        pages_reused: rendered.reused,
    };
    // The index is made from the pages as written: the site as loaded and derived is dropped
    // first, so that Pagefind's words are not held beside it.
    drop((relations, derived, files, loaded));
    if let Some(gather) = gather {
        let written = gather.finish(previous, sink)?;
        report.files += written.files;
        kept.extend(written.keys);
    }
    Ok((report, kept))
}

/// Loads the site under `root` through `files`, which learns snapshots' keys from `disk` and
/// gives it those it learnt.
fn load_with(
    root: &Path,
    options: &load::LoadOptions,
    files: &mut load::FileCache,
    disk: Option<&cache::Disk>,
) -> error::Result<load::Loaded> {
    if let Some(disk) = disk {
        files.know(|| disk.snapshot_keys());
    }
    let loaded = load::load_cached(root, options, files);
    if let (Some(disk), Some(keys)) = (disk, files.learnt()) {
        disk.keep_snapshot_keys(keys);
    }
    loaded
}

/// Derives every document of `site` in parallel, reusing what `known` and `disk` hold, and
/// hands each to `then` while its texts are held (a build renders its own pages there). Each
/// is kept in `next` if given. Returns what the site-wide pages need of every document, or
/// every document's error.
fn derive_all(
    site: &model::Site,
    known: &derive::DeriveCache,
    next: Option<&Mutex<derive::DeriveCache>>,
    disk: Option<&cache::Disk>,
    then: impl Fn(model::DocRef, &derive::DocumentDerived) -> error::Result<()> + Sync,
) -> error::Result<derive::Derived> {
    let by_document: Vec<_> = derive::clauses_by_document(site).into_iter().collect();
    let done: Vec<Result<_, error::Diagnostic>> = by_document
        .par_iter()
        .map(|(at, clauses)| {
            let doc = match known.document(site, *at, clauses, disk) {
                Ok(doc) => doc,
                Err(d) => return Ok(Err(d)),
            };
            then(*at, &doc)?;
            if let Some(next) = next {
                next.lock().unwrap_or_else(|e| e.into_inner()).keep(&doc);
            }
            Ok(Ok(doc.summary()))
        })
        .collect::<error::Result<_>>()?;
    let (summaries, errors): (Vec<_>, Vec<_>) = done.into_iter().partition(Result::is_ok);
    if !errors.is_empty() {
        return Err(error::Error::content(
            errors.into_iter().filter_map(Result::err).collect(),
        ));
    }
    Ok(derive::Derived::new(
        site,
        summaries.into_iter().flatten().collect(),
    ))
}

/// The warnings of a site whose documents are derived, sorted, each quoting its line.
fn warnings(
    site: &model::Site,
    derived: &derive::Derived,
    files: &load::FileCache,
) -> Vec<error::Diagnostic> {
    let mut warnings = derived.excerpt_warnings(site);
    warnings.sort();
    files.quote(&mut warnings);
    warnings
}
