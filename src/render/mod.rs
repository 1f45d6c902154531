//! Render: the route table's files, each made by the page kind that owns it from an explicit
//! context, into the ordered map of output files.
//!
//! A page kind is a module of [`pages`]: it builds its documented context type from the model
//! and the derived results and names its template; [`engine`] renders it. To add a page kind,
//! add an [`Owner`] (and its files) to the route table, a module here, and a template.

pub(crate) mod engine;
mod pages;
pub(crate) mod timeline;
pub(crate) mod view;

use crate::derive::{Derived, DocumentDerived, Relations};
use crate::error::{Diagnostic, Error, Result};
use crate::load::Loaded;
use crate::model::DocRef;
use crate::output::Sink;
use crate::routes::Owner;
use crate::search::{self, Gather};
pub(crate) use engine::{Engine, Pages, Templates};
use pages::DocumentPage;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
pub(crate) use view::Views;

/// Renders a build's files into a [`Sink`] as they are made: each document's own pages while
/// its texts are held ([`Renderer::document`]), then every other file from what is kept of all
/// documents ([`Renderer::site`]). Page errors are collected, not returned at once, so a build
/// reports them all; a file the sink cannot take stops the build.
pub(crate) struct Renderer<'a> {
    loaded: &'a Loaded,
    views: Views<'a>,
    engine: Engine<'a>,
    /// The pages of each document.
    documents: HashMap<DocRef, Vec<(&'a str, DocumentPage)>>,
    /// Every other file.
    rest: Vec<(&'a str, Owner)>,
    /// Where the pages search indexes go, when the build makes the index.
    search: Option<&'a Gather>,
    /// Pages whose key the cache keeps for the next build.
    kept: Mutex<Pages>,
    errors: Mutex<Vec<Diagnostic>>,
    rendered: AtomicUsize,
    reused: AtomicUsize,
}

/// What a renderer did, once it is done.
pub(crate) struct Rendered {
    /// Sitemap pages rendered anew, and taken from the previous build.
    pub rendered: usize,
    pub reused: usize,
}

impl<'a> Renderer<'a> {
    /// A renderer for `loaded`. With the `previous` build's pages, a page whose template, theme
    /// and context are the same is taken from it as it was; a build without pays nothing for
    /// their keys. With `search`, every page search indexes is given to it.
    pub(crate) fn new(
        loaded: &'a Loaded,
        relations: &'a Relations,
        previous: Option<&'a Pages>,
        search: Option<&'a Gather>,
    ) -> Result<Renderer<'a>> {
        let engine = Engine::new(&loaded.theme, previous).map_err(Error::content)?;
        let mut documents: HashMap<DocRef, Vec<(&str, DocumentPage)>> = HashMap::new();
        let mut rest = Vec::new();
        for (file, owner) in loaded.routes.iter() {
            match DocumentPage::of(owner) {
                Some((at, which)) => documents.entry(at).or_default().push((file, which)),
                None => rest.push((file, owner)),
            }
        }
        Ok(Renderer {
            loaded,
            views: Views::new(&loaded.site, relations),
            engine,
            documents,
            rest,
            search,
            kept: Mutex::default(),
            errors: Mutex::default(),
            rendered: AtomicUsize::new(0),
            reused: AtomicUsize::new(0),
        })
    }

    /// Renders the pages of the document at `at` from its derivation, into `sink`.
    pub(crate) fn document(
        &self,
        at: DocRef,
        doc: &DocumentDerived,
        sink: &dyn Sink,
    ) -> Result<()> {
        let Some(files) = self.documents.get(&at) else {
            return Ok(());
        };
        files.par_iter().try_for_each(|&(file, which)| {
            let page = pages::document(&self.views, &self.engine, file, at, which, doc);
            self.take(file, which.owner(at), page, sink)
        })
    }

    /// Renders every file but the documents' own pages, from `derived`, into `sink`.
    pub(crate) fn site(&self, derived: &Derived, sink: &dyn Sink) -> Result<()> {
        self.rest.par_iter().try_for_each(|&(file, owner)| {
            let page = pages::render(&self.views, derived, &self.engine, self.loaded, file, owner);
            self.take(file, owner, page, sink)
        })
    }

    /// Hands a rendered file to `sink` (and to the index, if search indexes it), or records
    /// why it could not be rendered.
    fn take(
        &self,
        file: &str,
        owner: Owner,
        page: std::result::Result<engine::Rendered, Diagnostic>,
        sink: &dyn Sink,
    ) -> Result<()> {
        let page = match page {
            Ok(page) => page,
            Err(d) => {
                lock(&self.errors).push(d);
                return Ok(());
            }
        };
        if owner.in_sitemap() {
            let count = if page.reused {
                &self.reused
            } else {
                &self.rendered
            };
            count.fetch_add(1, Ordering::Relaxed);
        }
        match &page.bytes {
            Some(bytes) => sink.put(file, bytes)?,
            None => sink.keep(file)?,
        }
        if let Some(search) = self.search.filter(|_| search::indexed(owner)) {
            search.page(file, page.key);
        }
        if let Some(key) = page.key {
            lock(&self.kept).insert(file.to_string(), key);
        }
        Ok(())
    }

    /// What was rendered, the pages to keep for the next build, or every page error.
    pub(crate) fn finish(self) -> Result<(Rendered, Pages)> {
        let errors = self.errors.into_inner().unwrap_or_else(|e| e.into_inner());
        if !errors.is_empty() {
            return Err(Error::content(errors));
        }
        let rendered = Rendered {
            rendered: self.rendered.into_inner(),
            reused: self.reused.into_inner(),
        };
        let kept = self.kept.into_inner().unwrap_or_else(|e| e.into_inner());
        Ok((rendered, kept))
    }
}

/// The file `file` alone, or None if no route has it: `serve` renders each page when it is asked
/// for, from the same context as a build, with `views` of the site (made for the one page, or
/// shared by many) and `engine` (which may only key it). `document` gives the derivation of a
/// document, with its texts, for its own pages.
pub(crate) fn file<'s>(
    loaded: &'s Loaded,
    views: &Views<'s>,
    derived: &'s Derived,
    engine: &Engine<'_>,
    document: impl FnOnce(DocRef) -> std::result::Result<DocumentDerived<'s>, Diagnostic>,
    file: &str,
) -> Option<std::result::Result<engine::Rendered, Diagnostic>> {
    let owner = loaded.routes.get(file)?;
    Some(match DocumentPage::of(owner) {
        Some((at, which)) => {
            document(at).and_then(|doc| pages::document(views, engine, file, at, which, &doc))
        }
        None => pages::render(views, derived, engine, loaded, file, owner),
    })
}

/// A lock on what the pages rendered in parallel add to; a page that panicked while holding it
/// left it consistent (each addition is one push or insert).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
