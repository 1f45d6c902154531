//! The page kinds: one module per kind, each building the context its template receives.
//! Contexts are top-level documented types; docs/theme.md lists them per template.

mod api;
mod changes;
mod clause;
mod compare;
mod document;
mod feed;
mod home;
mod page;
mod platform;
mod provision;
mod redirect;
mod regulation;
mod search;
mod sitemap;
mod version;

use super::engine::{Context, Engine, Rendered};
use super::timeline;
use super::view::{Link, Meta, VersionView, Views};
use crate::derive::{Derived, DocumentDerived};
use crate::error::Diagnostic;
use crate::history::{Class, History, Version};
use crate::load::Loaded;
use crate::model::{ClauseRef, DocRef};
use crate::routes::{Feed, Owner};
use crate::urls::route;
use crate::verify::State;
use serde::Serialize;
use std::sync::Arc;

/// Renders `file`, which the route table gives to `owner`: any file but a document's own pages,
/// which [`document`] renders while the document's texts are held.
pub(super) fn render(
    v: &Views,
    d: &Derived,
    e: &Engine,
    loaded: &Loaded,
    file: &str,
    owner: Owner,
) -> Result<Rendered, Diagnostic> {
    match owner {
        Owner::Home => home::render(v, d, e, file),
        Owner::Platforms => platform::list(v, e, file),
        Owner::Platform(ix) => platform::render(v, d, e, file, ix),
        Owner::Document(_) | Owner::Version(..) => {
            unreachable!("a document's pages are rendered with its texts")
        }
        Owner::Clause(c) => clause::render(v, d, e, file, c),
        Owner::Provisions => provision::list(v, e, file),
        Owner::Provision(ix) => provision::render(v, d, e, file, ix),
        Owner::Regulations => regulation::list(v, e, file),
        Owner::Regulation(ix) => regulation::render(v, e, file, ix),
        Owner::Compare => compare::render(v, e, file),
        Owner::Changes(of, n) => changes::render(v, d, e, file, of, n),
        Owner::Page(ix) => page::render(v, e, file, ix),
        Owner::NotFound => page::not_found(v, e, file),
        Owner::Search => search::render(v, e, file, &loaded.routes),
        Owner::Alias(c, _) => redirect::render(v, e, file, c),
        Owner::Feed(scope) => feed::atom(v, d, e, file, scope),
        Owner::Api(api) => api::json(v, d, api).map(raw),
        Owner::Sitemap => sitemap::sitemap(v, e, file, &loaded.routes),
        Owner::Robots => sitemap::robots(v, e, file),
        Owner::Static => Ok(raw(loaded.theme.statics[file].clone())),
    }
}

/// One of a document's own pages.
#[derive(Debug, Clone, Copy)]
pub(super) enum DocumentPage {
    /// Its page.
    Index,
    /// The page of its `i`th version.
    Version(usize),
}

impl DocumentPage {
    /// The document and which of its pages `owner` is, if it is one of them.
    pub(super) fn of(owner: Owner) -> Option<(DocRef, DocumentPage)> {
        match owner {
            Owner::Document(at) => Some((at, DocumentPage::Index)),
            Owner::Version(at, i) => Some((at, DocumentPage::Version(i))),
            _ => None,
        }
    }

    /// The owner of this page of the document at `at`.
    pub(super) fn owner(self, at: DocRef) -> Owner {
        match self {
            DocumentPage::Index => Owner::Document(at),
            DocumentPage::Version(i) => Owner::Version(at, i),
        }
    }
}

/// Renders `file`, one of the pages of the document at `at`, from its derivation.
pub(super) fn document(
    v: &Views,
    e: &Engine,
    file: &str,
    at: DocRef,
    which: DocumentPage,
    doc: &DocumentDerived,
) -> Result<Rendered, Diagnostic> {
    match which {
        DocumentPage::Index => document::render(v, e, file, at, doc),
        DocumentPage::Version(i) => version::render(v, e, file, at, i, doc),
    }
}

/// A file that is not a page: written as it is, never cached (it costs less than its key).
fn raw(bytes: impl Into<Arc<[u8]>>) -> Rendered {
    Rendered {
        bytes: Some(bytes.into()),
        key: None,
        reused: false,
    }
}

/// A page: `body` with the site-wide context and `meta`, through `template`.
fn page<T: Serialize>(
    v: &Views,
    e: &Engine,
    file: &str,
    template: &str,
    meta: Meta,
    body: T,
) -> Result<Rendered, Diagnostic> {
    e.page(file, template, &context(v, meta, body))
}

/// `meta` for a page followed by the feed for `scope`, which its `<head>` advertises.
fn followed(v: &Views, mut meta: Meta, scope: Feed) -> Meta {
    let (page_route, title) = feed::about(v.site, scope);
    meta.feed = Some(v.link(&title, &route::feed(&page_route)));
    meta
}

/// A page's whole context: `body` with the site-wide context and `meta`.
fn context<'v, T: Serialize>(v: &'v Views, meta: Meta, body: T) -> Context<'v, T> {
    Context {
        site: &v.site_view,
        meta,
        page: body,
    }
}

/// Where a clause's excerpt was found in the archive.
#[derive(Serialize)]
pub(super) struct Verification {
    pub state: State,
    /// The latest version that has it.
    pub snapshot: Option<Link>,
    /// The first version that has it.
    pub first_seen: Option<Link>,
}

fn verification(v: &Views, d: &Derived, at: ClauseRef) -> Verification {
    let document = v.site[at].document;
    let history = d.history(document);
    let checked = d.verification(at);
    let link = |i: usize| v.version_link(document, &history.versions[i]);
    Verification {
        state: checked.state,
        snapshot: checked.snapshot.map(link),
        first_seen: checked.first_seen.map(link),
    }
}

/// An entry of a list shown in full, or a fold of the quieter entries between two.
#[derive(Serialize)]
pub(super) struct Fold<T> {
    /// The entry shown in full; None for a fold.
    pub change: Option<T>,
    /// The entries folded together, when `change` is None.
    pub folded: Vec<T>,
}

/// `entries` in order, each that `shown` keeps shown in full, the runs of others between them
/// folded together.
fn fold<T>(entries: impl IntoIterator<Item = T>, shown: impl Fn(&T) -> bool) -> Vec<Fold<T>> {
    let mut out: Vec<Fold<T>> = Vec::new();
    for entry in entries {
        if shown(&entry) {
            out.push(Fold {
                change: Some(entry),
                folded: Vec::new(),
            });
        } else {
            match out.last_mut() {
                Some(f) if f.change.is_none() => f.folded.push(entry),
                _ => out.push(Fold {
                    change: None,
                    folded: vec![entry],
                }),
            }
        }
    }
    out
}

/// A version in a list of changes across documents.
#[derive(Serialize, Clone)]
pub(super) struct ChangeView {
    pub platform: Link,
    pub document: Link,
    pub version: VersionView,
}

/// The versions of `documents`, newest first; ties by platform and document id.
fn versions_of(v: &Views, d: &Derived, documents: &[DocRef]) -> Vec<(DocRef, usize)> {
    let mut out: Vec<(DocRef, usize)> = documents
        .iter()
        .flat_map(|&at| (0..v.site[at].snapshots.len()).map(move |i| (at, i)))
        .collect();
    d.newest_first(v.site, &mut out);
    out
}

fn version_at(d: &Derived, (at, i): (DocRef, usize)) -> &Version {
    &d.history(at).versions[i]
}

fn change_view(v: &Views, d: &Derived, (at, i): (DocRef, usize)) -> ChangeView {
    let (p, doc) = (&v.site[at.platform], &v.site[at]);
    ChangeView {
        platform: v.link(&p.record.name, &route::platform(&p.id)),
        document: v.link(&doc.record.title, &route::document(&p.id, &doc.id)),
        version: v.version(at, version_at(d, (at, i))),
    }
}

/// The substantive changes of `documents`, newest first.
fn substantive_changes(v: &Views, d: &Derived, documents: &[DocRef]) -> Vec<ChangeView> {
    versions_of(v, d, documents)
        .into_iter()
        .filter(|&l| version_at(d, l).class == Class::Substantive)
        .map(|l| change_view(v, d, l))
        .collect()
}

/// Every document of the site.
fn all_documents(v: &Views) -> Vec<DocRef> {
    v.site.documents().map(|(at, _)| at).collect()
}

/// A document's versions as timeline marks.
fn lane(v: &Views, at: DocRef, history: &History, label: Option<String>) -> timeline::Lane {
    let (p, d) = (&v.site[at.platform], &v.site[at]);
    let points = history
        .versions
        .iter()
        .map(|ver| timeline::Point {
            days: ver.timestamp.days(),
            version: timeline::MarkedVersion {
                url: v
                    .urls
                    .href(&route::version(&p.id, &d.id, ver.timestamp.as_str())),
                class: ver.class,
                date: ver.timestamp.display_date(),
                words_added: ver.words_added,
                words_removed: ver.words_removed,
                effective: ver.effective.map(|e| timeline::StatedDate {
                    kind: e.kind,
                    date: crate::ids::display_date(e.date),
                }),
            },
        })
        .collect();
    timeline::Lane { label, points }
}

/// The SVG chart of `lanes` from the `timeline.svg` template; empty without versions.
fn timeline(
    e: &Engine,
    lanes: Vec<timeline::Lane>,
    aria_label: &str,
) -> Result<String, Diagnostic> {
    match timeline::chart(lanes, aria_label) {
        Some(chart) => e.fragment("timeline.svg", &chart),
        None => Ok(String::new()),
    }
}
