//! Atom 1.0 feeds of substantive changes: the whole site, each platform, each document, each
//! provision type and regulation (the documents their clauses quote), and each clause (the
//! passage it quotes). Entry ids are version URLs, stable
//! across builds; dates come from snapshot timestamps, never from the clock.

use super::{all_documents, version_at, versions_of};
use crate::derive::Derived;
use crate::error::Diagnostic;
use crate::history::Class;
use crate::ids::Timestamp;
use crate::model::{ClauseRef, DocRef, Site};
use crate::render::engine::{Engine, Rendered};
use crate::render::view::Views;
use crate::routes::Feed;
use crate::urls::route;
use serde::Serialize;
use std::collections::BTreeSet;
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
    let documents = match scope {
        Feed::Site => all_documents(v),
        Feed::Platform(ix) => site.documents_of(ix).collect(),
        Feed::Document(at) => vec![at],
        Feed::Provision(ix) => quoted_by(v, v.relations.provision_clauses(ix)),
        Feed::Regulation(ix) => quoted_by(v, v.relations.regulation_clauses(ix)),
        Feed::Clause(at) => return clause(v, d, e, file, at),
    };
    let (page_route, heading) = about(site, scope);
    let versions = versions_of(v, d, &documents);
    let entries: Vec<Entry> = versions
        .iter()
        .filter(|&&l| version_at(d, l).class == Class::Substantive)
        .take(MAX_ENTRIES)
        .map(|&l| entry(v, d, l))
        .collect();
    let newest = versions.first().map(|&l| &version_at(d, l).timestamp);
    let context = feed(v, &page_route, heading, entries, newest);
    e.page(file, "atom.xml", &context)
}

/// The route of the page a feed follows, and the feed's title.
pub(super) fn about(site: &Site, scope: Feed) -> (String, String) {
    let title = &site.config.title;
    match scope {
        Feed::Site => (String::new(), format!("{title}: policy changes")),
        Feed::Platform(ix) => (
            route::platform(&site[ix].id),
            format!("{title}: changes to {}'s policies", site[ix].record.name),
        ),
        Feed::Document(at) => (
            route::document(&site[at.platform].id, &site[at].id),
            format!("{title}: changes to {}", site[at].record.title),
        ),
        Feed::Provision(ix) => (
            route::provision(&site[ix].id),
            format!(
                "{title}: changes to policies with {} clauses",
                site[ix].record.name
            ),
        ),
        Feed::Regulation(ix) => (
            route::regulation(&site[ix].id),
            format!(
                "{title}: changes to policies with clauses mapped to {}",
                site[ix].record.name
            ),
        ),
        Feed::Clause(at) => {
            let (p, c) = (&site[at.platform], &site[at]);
            (
                route::clause(&p.id, &c.id),
                format!(
                    "{title}: changes to the passage {}'s \"{}\" quotes",
                    p.record.name, c.record.title
                ),
            )
        }
    }
}

/// The documents the `clauses` quote, in the site's order.
fn quoted_by(v: &Views, clauses: &[ClauseRef]) -> Vec<DocRef> {
    let quoted: BTreeSet<DocRef> = clauses.iter().map(|&c| v.site[c].document).collect();
    all_documents(v)
        .into_iter()
        .filter(|at| quoted.contains(at))
        .collect()
}

/// A feed's context; `newest` dates a feed without entries.
fn feed<'s>(
    v: &Views<'s>,
    page_route: &str,
    title: String,
    entries: Vec<Entry>,
    newest: Option<&Timestamp>,
) -> Atom<'s> {
    let updated = match (entries.first(), newest) {
        (Some(entry), _) => entry.updated.clone(),
        (None, Some(t)) => t.rfc3339_datetime(),
        (None, None) => "1970-01-01T00:00:00Z".to_string(),
    };
    Atom {
        title,
        self_url: v.urls.absolute(&route::feed(page_route)),
        page_url: v.urls.absolute(page_route),
        updated,
        author: &v.site.config.title,
        entries,
    }
}

/// A clause's feed: each substantive change to the passage it quotes, and the version from
/// which the excerpt is no longer found (its passage reworded or removed).
fn clause(
    v: &Views,
    d: &Derived,
    e: &Engine,
    file: &str,
    at: ClauseRef,
) -> Result<Rendered, Diagnostic> {
    let site = v.site;
    let (p, c) = (&site[at.platform], &site[at]);
    let doc = &site[c.document];
    let versions = &d.history(c.document).versions;
    let checked = d.verification(at);
    let url = |i: usize| {
        let ts = versions[i].timestamp.as_str();
        v.urls.absolute(&route::version(&p.id, &doc.id, ts))
    };
    let mut entries: Vec<Entry> = checked
        .changes
        .iter()
        .map(|pc| {
            let ts = &versions[pc.version].timestamp;
            Entry {
                url: url(pc.version),
                title: format!(
                    "{}: the passage quoted in \"{}\" changed ({})",
                    p.record.name,
                    c.record.title,
                    ts.display_date()
                ),
                updated: ts.rfc3339_datetime(),
                summary: format!(
                    "{}, {}, in the passage \"{}\" quotes from {}.",
                    words(pc.words_added, "added"),
                    words(pc.words_removed, "removed"),
                    c.record.title,
                    doc.record.title
                ),
            }
        })
        .collect();
    entries.reverse();
    entries.truncate(MAX_ENTRIES);
    let (page_route, heading) = about(site, Feed::Clause(at));
    let newest = versions.last().map(|ver| &ver.timestamp);
    e.page(
        file,
        "atom.xml",
        &feed(v, &page_route, heading, entries, newest),
    )
}

/// "1 word added", "3 words removed".
fn words(n: usize, what: &str) -> String {
    format!("{} {what}", crate::text::count(n, "word"))
}

fn entry(v: &Views, derived: &Derived, (at, i): (DocRef, usize)) -> Entry {
    let (p, d) = (&v.site[at.platform], &v.site[at]);
    let ver = version_at(derived, (at, i));
    let ts = &ver.timestamp;
    let mut summary = format!(
        "{}, {}",
        words(ver.words_added, "added"),
        words(ver.words_removed, "removed")
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
