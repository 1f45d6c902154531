//! Atom 1.0 feeds of substantive changes: the whole site, each platform, each document, and
//! each provision type (the documents its clauses quote). Entry ids are version URLs, stable
//! across builds; dates come from snapshot timestamps, never from the clock.

use super::{all_documents, version_at, versions_of};
use crate::derive::Derived;
use crate::error::Diagnostic;
use crate::history::Class;
use crate::model::DocRef;
use crate::render::engine::{Engine, Rendered};
use crate::render::view::Views;
use crate::routes::Feed;
use crate::urls::route;
use serde::Serialize;
use std::fmt::Write;

/// How many of the newest changes a feed carries.
pub(super) const MAX_ENTRIES: usize = 100;

/// A substantive change in a feed.
#[derive(Serialize)]
pub(super) struct Entry {
    /// Absolute URL of the version page: also the entry's id.
    pub url: String,
    pub title: String,
    /// RFC 3339 date-time.
    pub updated: String,
    /// Words added and removed, the sections changed, and the editor's note.
    pub summary: String,
}

/// `atom.xml`: this context alone, without the site-wide one.
#[derive(Serialize)]
pub(super) struct Atom<'s> {
    pub title: String,
    /// Absolute URL of the feed itself.
    pub self_url: String,
    /// Absolute URL of the page the feed follows.
    pub page_url: String,
    /// The newest entry's date, or the newest version's when the feed has no entry.
    pub updated: String,
    pub author: &'s str,
    /// Newest first, at most [`MAX_ENTRIES`].
    pub entries: Vec<Entry>,
}

/// The feed for `scope`.
pub(super) fn atom(
    v: &Views,
    d: &Derived,
    e: &Engine,
    file: &str,
    scope: Feed,
) -> Result<Rendered, Diagnostic> {
    let site = v.site;
    let title = &site.config.title;
    let (page_route, heading, documents): (String, String, Vec<DocRef>) = match scope {
        Feed::Site => (
            String::new(),
            format!("{title}: policy changes"),
            all_documents(v),
        ),
        Feed::Platform(ix) => (
            route::platform(&site[ix].id),
            format!("{title}: changes to {}'s policies", site[ix].record.name),
            site.documents_of(ix).collect(),
        ),
        Feed::Document(at) => (
            route::document(&site[at.platform].id, &site[at].id),
            format!("{title}: changes to {}", site[at].record.title),
            vec![at],
        ),
        Feed::Provision(ix) => (
            route::provision(&site[ix].id),
            format!(
                "{title}: changes to policies with {} clauses",
                site[ix].record.name
            ),
            all_documents(v)
                .into_iter()
                .filter(|&at| {
                    site[at.platform]
                        .clauses
                        .iter()
                        .any(|c| c.provision == ix && c.document == at)
                })
                .collect(),
        ),
    };
    let versions = versions_of(v, d, &documents);
    let entries: Vec<Entry> = versions
        .iter()
        .filter(|&&l| version_at(d, l).class == Class::Substantive)
        .take(MAX_ENTRIES)
        .map(|&l| entry(v, d, l))
        .collect();
    let updated = match (entries.first(), versions.first()) {
        (Some(entry), _) => entry.updated.clone(),
        (None, Some(&l)) => version_at(d, l).timestamp.rfc3339_datetime(),
        (None, None) => "1970-01-01T00:00:00Z".to_string(),
    };
    let context = Atom {
        title: heading,
        self_url: v.urls.absolute(&route::feed(&page_route)),
        page_url: v.urls.absolute(&page_route),
        updated,
        author: title,
        entries,
    };
    e.page(file, "atom.xml", &context)
}

fn entry(v: &Views, derived: &Derived, (at, i): (DocRef, usize)) -> Entry {
    let (p, d) = (&v.site[at.platform], &v.site[at]);
    let ver = version_at(derived, (at, i));
    let ts = &ver.timestamp;
    let mut summary = format!(
        "{} words added, {} removed",
        ver.words_added, ver.words_removed
    );
    if !ver.sections.is_empty() {
        let _ = write!(summary, ", in: {}", ver.sections.join("; "));
    }
    summary.push('.');
    if let Some(note) = d.record.changes.get(ts.as_str()) {
        let _ = write!(summary, " Note: {note}");
    }
    Entry {
        url: v.urls.absolute(&route::version(&p.id, &d.id, ts.as_str())),
        title: format!(
            "{}: {} changed ({})",
            p.record.name,
            d.record.title,
            ts.display_date()
        ),
        updated: ts.rfc3339_datetime(),
        summary,
    }
}
