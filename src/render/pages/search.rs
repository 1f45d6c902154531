//! The search page: a form that works without a script (the header's search box sends its
//! query here as `?q=`), and the script that queries the search index in the reader's browser.

use super::page;
use crate::error::Diagnostic;
use crate::render::engine::{Engine, Rendered};
use crate::render::view::Views;
use crate::routes::Routes;
use crate::search::Shards;
use crate::urls::route;
use serde::Serialize;

/// `search.html`.
#[derive(Serialize)]
pub(super) struct SearchPage {
    /// The folder of the search index, which holds `pagefind.js`.
    pub index_url: String,
    /// The folders of the index's other shards, which the search merges into the first
    /// (Pagefind's `mergeIndex`): empty on a site of up to 250 indexed pages.
    pub merged_index_urls: Vec<String>,
}

pub(super) fn render(
    v: &Views,
    e: &Engine,
    file: &str,
    routes: &Routes,
) -> Result<Rendered, Diagnostic> {
    let meta = v.meta("Search", None, &route::search(), "search");
    let mut folders = Shards::of(routes).folders().map(|f| v.urls.href(&f));
    let body = SearchPage {
        index_url: folders.next().unwrap_or_default(),
        merged_index_urls: folders.collect(),
    };
    page(v, e, file, "search.html", meta, body)
}
