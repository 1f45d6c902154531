//! clausebook: a static site generator for governance comparisons.
//!
//! The data flows one way: [`load`] (content → validated, resolved model and route table) →
//! [`derive`] (histories, verification, cross-references) → [`render`] (a context per route,
//! through templates → an ordered map of output files) → [`output`] (atomic swap) or `serve`.

pub mod cache;
pub mod cli;
pub(crate) mod derive;
pub mod diff;
pub mod effective;
pub mod error;
pub mod hash;
pub mod history;
pub mod ids;
pub mod load;
pub mod markdown;
pub mod markup;
pub mod model;
pub mod output;
pub mod progress;
pub(crate) mod read;
pub(crate) mod render;
pub mod routes;
#[cfg(feature = "serve")]
pub mod serve;
pub mod text;
pub mod theme;
pub(crate) mod urls;
pub(crate) mod verify;
pub mod yaml;

use output::{Discard, Memory, Sink, Staging};
use progress::{Counted, Progress};
use rayon::prelude::*;
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

/// What a build can reuse from the previous build of the same site: `serve` keeps one across
/// rebuilds, so an edit costs only what it changed. Every cache is keyed by a hash of all the
/// inputs of what it holds, so a rebuild gives the same bytes as a clean build.
#[derive(Default)]
pub struct Session {
    files: load::FileCache,
    derive: derive::DeriveCache,
    render: render::RenderCache,
    /// The last build's files, which the next keeps where its pages' keys are unchanged.
    previous: std::sync::Arc<output::Output>,
}

impl Session {
    /// Forgets what was read from these paths (or below them): the watcher says they changed.
    pub fn forget(&mut self, paths: &[std::path::PathBuf]) {
        for p in paths {
            self.files.forget(p);
        }
    }

    /// Loads, derives and renders the site under `root` into memory.
    pub fn build(&mut self, root: &Path, options: &load::LoadOptions) -> error::Result<Built> {
        let memory = Memory::after(self.previous.clone());
        let (disk, unusable) = open_cache(root, options);
        let caches = Caches {
            files: &mut self.files,
            derive: Some(&mut self.derive),
            render: Some(&mut self.render),
            disk: disk.as_ref(),
        };
        let mut report = run(root, options, caches, &memory, &Progress::hidden())?;
        report.warnings.extend(unusable);
        let output = memory.into_output();
        self.previous = std::sync::Arc::new(output.clone());
        Ok(Built { output, report })
    }
}

/// A clean build of the site under `root` into memory, keeping no cache.
pub fn build(root: &Path, options: &load::LoadOptions) -> error::Result<Built> {
    let memory = Memory::default();
    let report = once(root, options, None, None, &memory, &Progress::hidden())?;
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
    let mut pages = disk
        .as_ref()
        .map(|d| render::RenderCache::of_folder(d.manifest(&folder)));
    let mut report = once(
        root,
        options,
        disk.as_ref(),
        pages.as_mut(),
        &staging,
        progress,
    )?;
    staging.commit()?;
    if let (Some(disk), Some(pages)) = (&disk, &pages) {
        disk.keep_manifest(&folder, pages.keys().collect());
        disk.trim();
    }
    report.warnings.extend(unusable);
    Ok(report)
}

/// All of a build's work but writing: every page is rendered, then dropped. With the on-disk
/// cache, only documents whose inputs changed are derived.
pub fn check(
    root: &Path,
    options: &load::LoadOptions,
    progress: &Progress,
) -> error::Result<Report> {
    let (disk, unusable) = open_cache(root, options);
    let mut report = once(root, options, disk.as_ref(), None, &Discard, progress)?;
    if let Some(disk) = &disk {
        disk.trim();
    }
    report.warnings.extend(unusable);
    Ok(report)
}

/// A build that keeps nothing in memory for a next one: what it reuses comes from `disk` and,
/// for a build into a folder, that folder's pages (`render`).
fn once(
    root: &Path,
    options: &load::LoadOptions,
    disk: Option<&cache::Disk>,
    render: Option<&mut render::RenderCache>,
    sink: &dyn Sink,
    progress: &Progress,
) -> error::Result<Report> {
    let mut files = load::FileCache::default();
    let caches = Caches {
        files: &mut files,
        derive: None,
        render,
        disk,
    };
    let result = run(root, options, caches, sink, progress);
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

/// The caches a build reads and updates; a clean build has none but the loader's own.
struct Caches<'c> {
    files: &'c mut load::FileCache,
    derive: Option<&'c mut derive::DeriveCache>,
    render: Option<&'c mut render::RenderCache>,
    disk: Option<&'c cache::Disk>,
}

/// The pipeline: load, then each document derived and its pages rendered (its texts dropped
/// once they are written), then the site-wide pages from what is kept of every document.
fn run(
    root: &Path,
    options: &load::LoadOptions,
    caches: Caches<'_>,
    sink: &dyn Sink,
    progress: &Progress,
) -> error::Result<Report> {
    let Caches {
        files,
        derive,
        mut render,
        disk,
    } = caches;
    if let Some(disk) = disk {
        files.know(|| disk.snapshot_keys());
    }
    let loaded = load::load_cached(root, options, files);
    if let (Some(disk), Some(keys)) = (disk, files.learnt()) {
        disk.keep_snapshot_keys(keys);
    }
    let loaded = loaded?;
    let site = &loaded.site;
    let relations = derive::Relations::new(site);
    let renderer = render::Renderer::new(&loaded, &relations, render.as_deref_mut())?;
    let empty = derive::DeriveCache::default();
    let known = derive.as_deref().unwrap_or(&empty);
    let next = derive
        .is_some()
        .then(|| Mutex::new(derive::DeriveCache::default()));
    let by_document: Vec<_> = derive::clauses_by_document(site).into_iter().collect();
    progress.start(by_document.len(), loaded.routes.len());
    let sink = &Counted { sink, progress };
    let done: Vec<Result<_, error::Diagnostic>> = by_document
        .par_iter()
        .map(|(at, clauses)| {
            let doc = match known.document(site, *at, clauses, disk) {
                Ok(doc) => doc,
                Err(d) => return Ok(Err(d)),
            };
            renderer.document(*at, &doc, sink)?;
            if let Some(next) = &next {
                next.lock().unwrap_or_else(|e| e.into_inner()).keep(&doc);
            }
            progress.document_done();
            Ok(Ok(doc.summary()))
        })
        .collect::<error::Result<_>>()?;
    let (summaries, errors): (Vec<_>, Vec<_>) = done.into_iter().partition(Result::is_ok);
    if !errors.is_empty() {
        return Err(error::Error::content(
            errors.into_iter().filter_map(Result::err).collect(),
        ));
    }
    let derived = derive::Derived::new(site, summaries.into_iter().flatten().collect());
    renderer.site(&derived, sink)?;
    let (rendered, kept) = renderer.finish()?;
    if let Some(cache) = render {
        cache.keep(kept);
    }
    if let (Some(cache), Some(next)) = (derive, next) {
        *cache = next.into_inner().unwrap_or_else(|e| e.into_inner());
    }
    let mut warnings = derived.excerpt_warnings(site);
    warnings.sort();
    files.quote(&mut warnings);
    Ok(Report {
        warnings,
        files: loaded.routes.len(),
        pages: loaded
            .routes
            .iter()
            .filter(|(f, _)| f.ends_with(".html"))
            .count(),
        pages_rendered: rendered.rendered,
        pages_reused: rendered.reused,
    })
}
