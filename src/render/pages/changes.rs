//! `/changes/`: every version of every document, newest first, [`CHANGES_PER_PAGE`] to a page;
//! the versions between two substantive changes are folded together, still listed and linked.

use super::{ChangeView, change_view, followed, page, version_at};
use crate::derive::Derived;
use crate::error::Diagnostic;
use crate::history::Class;
use crate::render::engine::{Engine, Rendered};
use crate::render::view::Views;
use crate::routes::Feed;
use crate::routes::{CHANGES_PER_PAGE, changes_pages};
use crate::urls::route;
use serde::Serialize;

/// A substantive change, or a fold of the versions between two.
#[derive(Serialize)]
pub(super) struct ChangesItem {
    pub change: Option<ChangeView>,
    pub folded: Vec<ChangeView>,
}

/// Where a page is among the pages of a list.
#[derive(Serialize)]
pub(super) struct Pagination {
    /// From 1.
    pub page: usize,
    pub pages: usize,
    /// The page of newer entries, absent on the first.
    pub previous_url: Option<String>,
    /// The page of older entries, absent on the last.
    pub next_url: Option<String>,
    pub first_url: String,
    pub last_url: String,
}

/// `changes.html`.
#[derive(Serialize)]
pub(super) struct Changes {
    pub items: Vec<ChangesItem>,
    /// Versions on all pages.
    pub versions: usize,
    pub pagination: Pagination,
}

/// The `n`th page (from 0) of `/changes/`.
pub(super) fn render(
    v: &Views,
    d: &Derived,
    e: &Engine,
    file: &str,
    n: usize,
) -> Result<Rendered, Diagnostic> {
    let all = d.all_versions();
    let pages = changes_pages(all.len());
    let mut items: Vec<ChangesItem> = Vec::new();
    for &l in all.iter().skip(n * CHANGES_PER_PAGE).take(CHANGES_PER_PAGE) {
        let view = change_view(v, d, l);
        if version_at(d, l).class == Class::Substantive {
            items.push(ChangesItem {
                change: Some(view),
                folded: Vec::new(),
            });
        } else {
            match items.last_mut() {
                Some(item) if item.change.is_none() => item.folded.push(view),
                _ => items.push(ChangesItem {
                    change: None,
                    folded: vec![view],
                }),
            }
        }
    }
    let href = |n: usize| v.urls.href(&route::changes_page(n));
    let title = match n {
        0 => "Changes".to_string(),
        _ => format!("Changes, page {} of {pages}", n + 1),
    };
    let meta = followed(
        v,
        v.meta(
            &title,
            Some("Every archived version of every document, newest first."),
            &route::changes_page(n),
            "changes",
        ),
        Feed::Site,
    );
    let body = Changes {
        items,
        versions: all.len(),
        pagination: Pagination {
            page: n + 1,
            pages,
            previous_url: n.checked_sub(1).map(href),
            next_url: (n + 1 < pages).then(|| href(n + 1)),
            first_url: href(0),
            last_url: href(pages - 1),
        },
    };
    page(v, e, file, "changes.html", meta, body)
}
