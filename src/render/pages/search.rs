//! The search page: a form that works without a script (the header's search box sends its
//! query here as `?q=`), and the script that queries the search index in the reader's browser.

use super::page;
use crate::error::Diagnostic;
use crate::render::engine::{Engine, Rendered};
use crate::render::view::Views;
use crate::urls::route;
use serde::Serialize;

/// `search.html`.
#[derive(Serialize)]
pub(super) struct SearchPage {
    /// The folder of the search index, which holds `pagefind.js`.
    pub index_url: String,
}

pub(super) fn render(v: &Views, e: &Engine, file: &str) -> Result<Rendered, Diagnostic> {
    let meta = v.meta("Search", None, &route::search(), "search");
    let body = SearchPage {
        index_url: v.urls.href(route::search_index()),
    };
    page(v, e, file, "search.html", meta, body)
}
