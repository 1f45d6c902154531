//! Atom 1.0 feeds of substantive changes: the whole site, each platform, each document, and
//! each provision type (the documents its clauses quote). Entry ids are version URLs, stable
//! across builds; dates come from snapshot timestamps, never from the clock.

use super::{all_documents, class_of, versions_of};
use crate::history::Class;
use crate::markdown::escape;
use crate::model::DocRef;
use crate::render::view::Views;
use crate::routes::Feed;
use crate::urls::route;
use std::fmt::Write;

/// How many of the newest changes a feed carries.
pub const MAX_ENTRIES: usize = 100;

struct Entry {
    /// Absolute URL of the version page: also the entry's id.
    url: String,
    title: String,
    /// RFC 3339 date-time.
    updated: String,
    summary: String,
}

/// The feed for `scope`.
pub(super) fn atom(v: &Views, scope: Feed) -> String {
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
    let versions = versions_of(v, &documents);
    let entries: Vec<Entry> = versions
        .iter()
        .filter(|&&l| class_of(v, l) == Class::Substantive)
        .take(MAX_ENTRIES)
        .map(|&l| entry(v, l))
        .collect();
    let updated = match (entries.first(), versions.first()) {
        (Some(e), _) => e.updated.clone(),
        (None, Some(&(at, i))) => v.derived.history(at).versions[i]
            .timestamp
            .rfc3339_datetime(),
        (None, None) => "1970-01-01T00:00:00Z".to_string(),
    };
    let self_url = v.urls.absolute(&route::feed(&page_route));
    let page_url = v.urls.absolute(&page_route);
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n",
    );
    let _ = writeln!(out, "  <title>{}</title>", escape(&heading));
    let _ = writeln!(out, "  <id>{}</id>", escape(&self_url));
    let _ = writeln!(
        out,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
        escape(&self_url)
    );
    let _ = writeln!(
        out,
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        escape(&page_url)
    );
    let _ = writeln!(out, "  <updated>{}</updated>", escape(&updated));
    let _ = writeln!(out, "  <author><name>{}</name></author>", escape(title));
    out.push_str("  <generator>clausebook</generator>\n");
    for e in &entries {
        out.push_str("  <entry>\n");
        let _ = writeln!(out, "    <title>{}</title>", escape(&e.title));
        let _ = writeln!(out, "    <id>{}</id>", escape(&e.url));
        let _ = writeln!(
            out,
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            escape(&e.url)
        );
        let _ = writeln!(out, "    <updated>{}</updated>", escape(&e.updated));
        let _ = writeln!(out, "    <summary>{}</summary>", escape(&e.summary));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

fn entry(v: &Views, (at, i): (DocRef, usize)) -> Entry {
    let (p, d) = (&v.site[at.platform], &v.site[at]);
    let ver = &v.derived.history(at).versions[i];
    let ts = &ver.timestamp;
    let mut summary = format!(
        "{} words added, {} removed",
        ver.diff.words_added, ver.diff.words_removed
    );
    if !ver.diff.sections.is_empty() {
        let _ = write!(summary, ", in: {}", ver.diff.sections.join("; "));
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
