//! The list of platforms, and each platform's page: its documents, its clauses by provision
//! type, a timeline of its documents' versions and its substantive changes.

use super::{ChangeView, followed, lane, page, substantive_changes, timeline};
use crate::derive::Derived;
use crate::error::Diagnostic;
use crate::model::{DocRef, PlatformIx};
use crate::render::engine::{Engine, Rendered};
use crate::render::view::{ClauseView, DocumentView, Link, PlatformView, Views};
use crate::routes::{Feed, Owner};
use crate::urls::route;
use serde::Serialize;

/// `platforms.html`.
#[derive(Serialize)]
pub(super) struct Platforms {
    pub platforms: Vec<PlatformView>,
}

pub(super) fn list(v: &Views, e: &Engine, file: &str) -> Result<Rendered, Diagnostic> {
    let meta = v.meta("Platforms", None, &route::platforms(), "platforms");
    let body = Platforms {
        platforms: v
            .site
            .platform_ixs()
            .map(|(ix, _)| v.platform(ix))
            .collect(),
    };
    page(v, e, file, "platforms.html", meta, body)
}

/// A platform's clauses of one provision type.
#[derive(Serialize)]
pub(super) struct ByProvision {
    pub provision: Link,
    pub group: Option<String>,
    pub clauses: Vec<ClauseView>,
}

/// `platform.html`.
#[derive(Serialize)]
pub(super) struct PlatformPage {
    pub platform: PlatformView,
    pub documents: Vec<DocumentView>,
    /// In the order of the provision groups.
    pub provisions: Vec<ByProvision>,
    /// An SVG chart with one lane per document.
    pub timeline: String,
    pub changes: Vec<ChangeView>,
}

pub(super) fn render(
    v: &Views,
    d: &Derived,
    e: &Engine,
    file: &str,
    ix: PlatformIx,
) -> Result<Rendered, Diagnostic> {
    let p = &v.site[ix];
    let mut provisions: Vec<ByProvision> = Vec::new();
    for prov in v.provisions_in_order() {
        let clauses: Vec<ClauseView> = p
            .clauses
            .iter()
            .filter(|c| c.provision == prov.ix)
            .map(|c| v.clause(c.at))
            .collect();
        if !clauses.is_empty() {
            provisions.push(ByProvision {
                provision: Link {
                    title: prov.name.clone(),
                    url: prov.url.clone(),
                },
                group: prov.group.clone(),
                clauses,
            });
        }
    }
    let documents: Vec<DocRef> = v.site.documents_of(ix).collect();
    let lanes: Vec<crate::render::timeline::Lane> = documents
        .iter()
        .map(|&at| {
            let title = v.site[at].record.title.to_string();
            lane(v, at, d.history(at), Some(title))
        })
        .collect();
    let route = route::platform(&p.id);
    let body = PlatformPage {
        platform: v.platform(ix),
        documents: documents
            .iter()
            .map(|&at| v.document(at, d.history(at)))
            .collect(),
        provisions,
        timeline: timeline(
            e,
            lanes,
            &format!("Versions of {}'s documents over time", p.owner()),
        )?,
        changes: substantive_changes(v, d, &documents),
    };
    let meta = followed(
        v,
        v.meta(
            &p.record.name,
            p.record.description.as_deref(),
            &route,
            "platforms",
        ),
        Feed::Platform(ix),
    );
    let meta = meta.edited(v, Owner::Platform(ix));
    page(v, e, file, "platform.html", meta, body)
}
