//! Atom 1.0 feeds of substantive changes. Entry ids are version URLs, stable across builds;
//! dates come from snapshot timestamps, never from the clock.

use crate::markdown::escape;
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
