//! `sitemap.xml` (every page of the route table) and `robots.txt`.

use crate::error::Diagnostic;
use crate::ids::Timestamp;
use crate::render::engine::{Engine, Rendered};
use crate::render::view::Views;
use crate::routes::{Owner, Routes};
use serde::Serialize;

/// `sitemap.xml`.
#[derive(Serialize)]
pub(super) struct Sitemap {
    /// The pages, by route.
    pub urls: Vec<SitemapUrl>,
}

/// A page of the sitemap.
#[derive(Serialize)]
pub(super) struct SitemapUrl {
    /// Its absolute URL.
    pub loc: String,
    /// When it last changed (W3C datetime: a date, or a date and time in UTC), when known.
    pub lastmod: Option<String>,
}

pub(super) fn sitemap(
    v: &Views,
    e: &Engine,
    file: &str,
    routes: &Routes,
) -> Result<Rendered, Diagnostic> {
    // By route, so a section comes before its pages.
    let mut pages: Vec<(&str, Owner)> = routes
        .iter()
        .filter(|(_, owner)| owner.in_sitemap())
        .map(|(file, owner)| (file.strip_suffix("index.html").unwrap_or(file), owner))
        .collect();
    pages.sort_unstable_by_key(|&(route, _)| route);
    let urls = pages
        .into_iter()
        .map(|(route, owner)| SitemapUrl {
            loc: v.urls.absolute(route),
            lastmod: lastmod(v, owner).map(Timestamp::rfc3339),
        })
        .collect();
    e.page(file, "sitemap.xml", &Sitemap { urls })
}

/// When the page of `owner` last changed: the later of when its file last changed in git and,
/// for a clause or a document, when the document's latest version was observed.
fn lastmod<'v>(v: &Views<'v>, owner: Owner) -> Option<&'v Timestamp> {
    let document = match owner {
        Owner::Clause(at) => Some(v.site[at].document),
        Owner::Document(at) => Some(at),
        _ => None,
    };
    let observed = document.and_then(|at| v.site[at].snapshots.last());
    v.changed(owner).max(observed.map(|s| &s.timestamp))
}

/// `robots.txt`.
#[derive(Serialize)]
pub(super) struct Robots {
    pub sitemap_url: String,
}

pub(super) fn robots(v: &Views, e: &Engine, file: &str) -> Result<Rendered, Diagnostic> {
    let sitemap_url = v.urls.absolute("sitemap.xml");
    e.page(file, "robots.txt", &Robots { sitemap_url })
}
