//! `/changes/`: every version of every document, newest first; the versions between two
//! substantive changes are folded together, still listed and linked.

use super::{ChangeView, all_documents, change_view, class_of, page, versions_of};
use crate::error::Diagnostic;
use crate::history::Class;
use crate::render::engine::{Engine, Rendered};
use crate::render::view::Views;
use crate::urls::route;
use serde::Serialize;

/// A substantive change, or a fold of the versions between two.
#[derive(Serialize)]
pub(super) struct ChangesItem {
    pub change: Option<ChangeView>,
    pub folded: Vec<ChangeView>,
}

/// `changes.html`.
#[derive(Serialize)]
pub(super) struct Changes {
    pub items: Vec<ChangesItem>,
    pub feed_url: String,
}

pub(super) fn render(v: &Views, e: &Engine, file: &str) -> Result<Rendered, Diagnostic> {
    let mut items: Vec<ChangesItem> = Vec::new();
    for l in versions_of(v, &all_documents(v)) {
        let view = change_view(v, l);
        if class_of(v, l) == Class::Substantive {
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
    let meta = v.meta(
        "Changes",
        Some("Every archived version of every document, newest first."),
        &route::changes(),
        "changes",
    );
    let body = Changes {
        items,
        feed_url: v.urls.href(&route::feed("")),
    };
    page(v, e, file, "changes.html", meta, body)
}
