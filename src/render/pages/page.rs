//! Free pages from `pages/<slug>.md`, and the page for a missing URL.

use super::page;
use crate::error::Diagnostic;
use crate::model::PageIx;
use crate::render::engine::{Engine, Rendered};
use crate::render::view::Views;
use crate::routes::Owner;
use crate::urls::route;
use serde::Serialize;

/// `page.html`.
#[derive(Serialize)]
pub(super) struct FreePage {
    pub title: String,
    /// The Markdown body as HTML.
    pub body: String,
}

pub(super) fn render(
    v: &Views,
    e: &Engine,
    file: &str,
    ix: PageIx,
) -> Result<Rendered, Diagnostic> {
    let pg = &v.site[ix];
    let route = route::page(&pg.slug);
    let meta = v.meta(
        &pg.front.title,
        pg.front.description.as_deref(),
        &route,
        &pg.slug,
    );
    let meta = meta.edited(v, Owner::Page(ix));
    let body = FreePage {
        title: pg.front.title.to_string(),
        body: v.markdown(&pg.body),
    };
    page(v, e, file, "page.html", meta, body)
}

/// `404.html`: the common context alone.
#[derive(Serialize)]
pub(super) struct NotFound {}

pub(super) fn not_found(v: &Views, e: &Engine, file: &str) -> Result<Rendered, Diagnostic> {
    let meta = v.meta("Page not found", None, "404.html", "");
    page(v, e, file, "404.html", meta, NotFound {})
}
