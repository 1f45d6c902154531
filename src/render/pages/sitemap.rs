//! `sitemap.xml` (every page of the route table) and `robots.txt`.

use crate::error::Diagnostic;
use crate::render::engine::{Engine, Rendered};
use crate::render::view::Views;
use crate::routes::Routes;
use serde::Serialize;

/// `sitemap.xml`.
#[derive(Serialize)]
pub(super) struct Sitemap {
    /// Absolute URLs of the pages, by route.
    pub urls: Vec<String>,
}

pub(super) fn sitemap(
    v: &Views,
    e: &Engine,
    file: &str,
    routes: &Routes,
) -> Result<Rendered, Diagnostic> {
    // By route, so a section comes before its pages.
    let mut pages: Vec<&str> = routes
        .iter()
        .filter(|(_, owner)| owner.in_sitemap())
        .map(|(file, _)| file.strip_suffix("index.html").unwrap_or(file))
        .collect();
    pages.sort_unstable();
    let urls = pages.into_iter().map(|r| v.urls.absolute(r)).collect();
    e.page(file, "sitemap.xml", &Sitemap { urls })
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
