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
mod sitemap;
mod version;

use super::engine::{Context, Engine, Rendered};
use super::timeline;
use super::view::{Link, Meta, VersionView, Views};
use crate::error::Diagnostic;
use crate::history::Class;
use crate::load::Loaded;
use crate::model::DocRef;
use crate::routes::Owner;
use crate::urls::route;
use serde::Serialize;
use std::sync::Arc;

/// Renders `file`, which the route table gives to `owner`.
pub(super) fn render(
    v: &Views,
    e: &Engine,
    loaded: &Loaded,
    file: &str,
    owner: Owner,
) -> Result<Rendered, Diagnostic> {
    match owner {
        Owner::Home => home::render(v, e, file),
        Owner::Platforms => platform::list(v, e, file),
        Owner::Platform(ix) => platform::render(v, e, file, ix),
        Owner::Document(at) => document::render(v, e, file, at),
        Owner::Version(at, i) => version::render(v, e, file, at, i),
        Owner::Clause(c) => clause::render(v, e, file, c),
        Owner::Provisions => provision::list(v, e, file),
        Owner::Provision(ix) => provision::render(v, e, file, ix),
        Owner::Regulations => regulation::list(v, e, file),
        Owner::Regulation(ix) => regulation::render(v, e, file, ix),
        Owner::Compare => compare::render(v, e, file),
        Owner::Changes => changes::render(v, e, file),
        Owner::Page(ix) => page::render(v, e, file, ix),
        Owner::NotFound => page::not_found(v, e, file),
        Owner::Alias(c, _) => redirect::render(v, e, file, c),
        Owner::Feed(scope) => feed::atom(v, e, file, scope),
        Owner::Api(api) => api::json(v, api).map(raw),
        Owner::Sitemap => sitemap::sitemap(v, e, file, &loaded.routes),
        Owner::Robots => sitemap::robots(v, e, file),
        Owner::Static => Ok(raw(loaded.theme.statics[file].clone())),
    }
}

/// A file that is not a page: written as it is, never cached (it costs less than its key).
fn raw(bytes: impl Into<Arc<[u8]>>) -> Rendered {
    Rendered {
        bytes: bytes.into(),
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
    let context = Context {
        site: &v.site_view,
        meta,
        page: body,
    };
    e.page(file, template, &context)
}

/// A version in a list of changes across documents.
#[derive(Serialize, Clone)]
pub(super) struct ChangeView {
    pub platform: Link,
    pub document: Link,
    pub version: VersionView,
}

/// The versions of `documents`, newest first; ties by platform and document id.
fn versions_of(v: &Views, documents: &[DocRef]) -> Vec<(DocRef, usize)> {
    let mut out: Vec<(DocRef, usize)> = documents
        .iter()
        .flat_map(|&at| (0..v.site[at].snapshots.len()).map(move |i| (at, i)))
        .collect();
    let order = |&(at, i): &(DocRef, usize)| {
        let ts = &v.derived.history(at).versions[i].timestamp;
        (
            std::cmp::Reverse(ts),
            &v.site[at.platform].id,
            &v.site[at].id,
        )
    };
    out.sort_by(|a, b| order(a).cmp(&order(b)));
    out
}

fn class_of(v: &Views, (at, i): (DocRef, usize)) -> Class {
    v.derived.history(at).versions[i].class
}

fn change_view(v: &Views, (at, i): (DocRef, usize)) -> ChangeView {
    let (p, d) = (&v.site[at.platform], &v.site[at]);
    ChangeView {
        platform: v.link(&p.record.name, &route::platform(&p.id)),
        document: v.link(&d.record.title, &route::document(&p.id, &d.id)),
        version: v.version(at, i),
    }
}

/// The substantive changes of `documents`, newest first.
fn substantive_changes(v: &Views, documents: &[DocRef]) -> Vec<ChangeView> {
    versions_of(v, documents)
        .into_iter()
        .filter(|&l| class_of(v, l) == Class::Substantive)
        .map(|l| change_view(v, l))
        .collect()
}

/// Every document of the site.
fn all_documents(v: &Views) -> Vec<DocRef> {
    v.site.documents().map(|(at, _)| at).collect()
}

/// A document's versions as timeline marks.
fn lane(v: &Views, at: DocRef, label: Option<String>) -> timeline::Lane {
    let (p, d) = (&v.site[at.platform], &v.site[at]);
    let points = v
        .derived
        .history(at)
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
                words_added: ver.diff.words_added,
                words_removed: ver.diff.words_removed,
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
