//! Atom 1.0 feeds of substantive changes. Entry ids are version URLs, stable across builds;
//! dates come from snapshot timestamps, never from the clock.

use super::{Class, Documents, Located, Pages};
use crate::markdown::escape;
use crate::urls::route;
use std::fmt::Write;

pub struct Entry {
    /// Absolute URL of the version page: also the entry's id.
    pub url: String,
    pub title: String,
    /// RFC 3339 date-time.
    pub updated: String,
    pub summary: String,
}

pub struct Feed<'a> {
    pub title: &'a str,
    /// Absolute URL of the feed itself.
    pub self_url: &'a str,
    /// Absolute URL of the page the feed follows.
    pub page_url: &'a str,
    pub author: &'a str,
    /// Newest first.
    pub entries: &'a [Entry],
    /// When there are no entries: the newest version in the feed's scope (or the epoch).
    pub fallback_updated: &'a str,
}

/// How many of the newest changes a feed carries.
pub const MAX_ENTRIES: usize = 100;

pub fn atom(feed: &Feed) -> String {
    let updated = feed
        .entries
        .first()
        .map_or(feed.fallback_updated, |e| e.updated.as_str());
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n",
    );
    let _ = writeln!(out, "  <title>{}</title>", escape(feed.title));
    let _ = writeln!(out, "  <id>{}</id>", escape(feed.self_url));
    let _ = writeln!(
        out,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
        escape(feed.self_url)
    );
    let _ = writeln!(
        out,
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        escape(feed.page_url)
    );
    let _ = writeln!(out, "  <updated>{}</updated>", escape(updated));
    let _ = writeln!(
        out,
        "  <author><name>{}</name></author>",
        escape(feed.author)
    );
    out.push_str("  <generator>clausebook</generator>\n");
    for e in feed.entries.iter().take(MAX_ENTRIES) {
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

impl<'a> Pages<'a> {
    /// Atom feeds of substantive changes: the whole site, each platform, each document, and
    /// each provision type (the documents its clauses quote).
    pub(super) fn feeds(&mut self) {
        let v = self.views;
        let site = v.site;
        let all = self.all_documents();
        let mut feeds: Vec<(String, String, Documents)> = vec![(
            String::new(),
            format!("{}: policy changes", site.config.title),
            all.clone(),
        )];
        for p in &site.platforms {
            let docs: Vec<_> = p.documents.iter().map(|d| (p, d)).collect();
            feeds.push((
                route::platform(&p.id),
                format!(
                    "{}: changes to {}'s policies",
                    site.config.title, p.record.name
                ),
                docs,
            ));
            for d in &p.documents {
                feeds.push((
                    route::document(&p.id, &d.id),
                    format!("{}: changes to {}", site.config.title, d.record.title),
                    vec![(p, d)],
                ));
            }
        }
        for prov in &site.provisions {
            let docs: Vec<_> = all
                .iter()
                .copied()
                .filter(|(p, d)| {
                    p.clauses
                        .iter()
                        .any(|c| c.record.provision == prov.id && c.record.document == d.id)
                })
                .collect();
            feeds.push((
                route::provision(&prov.id),
                format!(
                    "{}: changes to policies with {} clauses",
                    site.config.title, prov.name
                ),
                docs,
            ));
        }
        for (page_route, title, docs) in feeds {
            let versions = self.versions_of(&docs);
            let entries: Vec<Entry> = versions
                .iter()
                .filter(|l| self.class_of(l) == Class::Substantive)
                .take(MAX_ENTRIES)
                .map(|l| self.feed_entry(l))
                .collect();
            let fallback = versions.first().map_or_else(
                || "1970-01-01T00:00:00Z".to_string(),
                |l| l.document.snapshots[l.index].timestamp.rfc3339_datetime(),
            );
            let feed_route = route::feed(&page_route);
            let xml = atom(&Feed {
                title: &title,
                self_url: &v.urls.absolute(&feed_route),
                page_url: &v.urls.absolute(&page_route),
                author: &site.config.title,
                entries: &entries,
                fallback_updated: &fallback,
            });
            self.add(feed_route, xml.into_bytes(), None);
        }
    }

    fn feed_entry(&self, l: &Located) -> Entry {
        let v = self.views;
        let s = &l.document.snapshots[l.index];
        let ver = &self.history(l.platform, l.document).versions[l.index];
        let mut summary = format!(
            "{} words added, {} removed",
            ver.diff.words_added, ver.diff.words_removed
        );
        if !ver.diff.sections.is_empty() {
            summary.push_str(&format!(", in: {}", ver.diff.sections.join("; ")));
        }
        summary.push('.');
        if let Some(note) = l.document.record.changes.get(s.timestamp.as_str()) {
            summary.push_str(&format!(" Note: {note}"));
        }
        Entry {
            url: v.urls.absolute(&route::version(
                &l.platform.id,
                &l.document.id,
                s.timestamp.as_str(),
            )),
            title: format!(
                "{}: {} changed ({})",
                l.platform.record.name,
                l.document.record.title,
                s.timestamp.display_date()
            ),
            updated: s.timestamp.rfc3339_datetime(),
            summary,
        }
    }
}
