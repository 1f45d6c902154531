//! The home page: platforms, provision types and the latest substantive changes.

use super::{ChangeView, all_documents, followed, page, substantive_changes};
use crate::derive::Derived;
use crate::error::Diagnostic;
use crate::render::engine::{Engine, Rendered};
use crate::render::view::{PlatformView, ProvisionGroup, Views};
use crate::routes::Feed;
use crate::urls::route;
use serde::Serialize;

/// How many recent substantive changes the home page lists.
const RECENT_CHANGES: usize = 10;

/// `index.html`.
#[derive(Serialize)]
pub(super) struct Home<'v> {
    pub platforms: Vec<PlatformView>,
    pub groups: &'v [ProvisionGroup],
    /// The latest substantive changes, newest first.
    pub recent: Vec<ChangeView>,
    /// How many substantive changes there are in all.
    pub changes: usize,
    pub clauses: usize,
    pub documents: usize,
    pub versions: usize,
    pub compare_url: String,
    pub changes_url: String,
}

pub(super) fn render(
    v: &Views,
    d: &Derived,
    e: &Engine,
    file: &str,
) -> Result<Rendered, Diagnostic> {
    let site = v.site;
    let documents = all_documents(v);
    let changes = substantive_changes(v, d, &documents);
    let body = Home {
        platforms: site.platform_ixs().map(|(ix, _)| v.platform(ix)).collect(),
        groups: &v.groups,
        changes: changes.len(),
        recent: changes.into_iter().take(RECENT_CHANGES).collect(),
        clauses: site.clauses().count(),
        documents: documents.len(),
        versions: documents.iter().map(|&at| site[at].snapshots.len()).sum(),
        compare_url: v.urls.href(&route::compare()),
        changes_url: v.urls.href(&route::changes()),
    };
    let meta = followed(v, v.meta(&site.config.title, None, "", "home"), Feed::Site);
    page(v, e, file, "index.html", meta, body)
}
