//! Redirects from a clause's aliases to its page.

use crate::error::Diagnostic;
use crate::model::ClauseRef;
use crate::render::engine::{Engine, Rendered};
use crate::render::view::Views;
use crate::urls::route;
use serde::Serialize;

/// `redirect.html`: this context alone, without the site-wide one.
#[derive(Serialize)]
pub(super) struct Redirect {
    pub target: String,
    pub canonical: String,
    pub title: String,
}

pub(super) fn render(
    v: &Views,
    e: &Engine,
    file: &str,
    at: ClauseRef,
) -> Result<Rendered, Diagnostic> {
    let (p, c) = (&v.site[at.platform], &v.site[at]);
    let route = route::clause(&p.id, &c.id);
    let context = Redirect {
        target: v.urls.href(&route),
        canonical: v.urls.absolute(&route),
        title: c.record.title.to_string(),
    };
    e.page(file, "redirect.html", &context)
}
