//! The list of provision types, and each provision type's comparison: one row per clause, its
//! analysis and its standing in the archive in aligned columns.

use super::{Verification, followed, page, verification};
use crate::derive::Derived;
use crate::error::Diagnostic;
use crate::history::Class;
use crate::model::{ClauseRef, ProvisionIx};
use crate::render::engine::{Engine, Rendered};
use crate::render::view::{ClauseDetail, Link, PlatformView, ProvisionGroup, ProvisionView, Views};
use crate::routes::{Feed, Owner};
use crate::urls::route;
use serde::Serialize;

/// `provisions.html`.
#[derive(Serialize)]
pub(super) struct Provisions<'v> {
    pub groups: &'v [ProvisionGroup],
}

pub(super) fn list(v: &Views, e: &Engine, file: &str) -> Result<Rendered, Diagnostic> {
    let meta = v.meta("Provision types", None, &route::provisions(), "provisions");
    page(
        v,
        e,
        file,
        "provisions.html",
        meta,
        Provisions { groups: &v.groups },
    )
}

/// A clause in the comparison: its analysis, where its excerpt stands, and when its document
/// last changed.
#[derive(Serialize)]
pub(super) struct Compared {
    #[serde(flatten)]
    pub clause: ClauseDetail,
    pub verification: Verification,
    /// The latest substantive change of the document it quotes.
    pub last_change: Option<Link>,
    /// The latest version that changed the passage it quotes.
    pub passage_changed: Option<Link>,
}

/// A platform's clauses of the provision type.
#[derive(Serialize)]
pub(super) struct Entry {
    pub platform: PlatformView,
    pub clauses: Vec<Compared>,
}

/// `provision.html`.
#[derive(Serialize)]
pub(super) struct ProvisionPage {
    pub provision: ProvisionView,
    /// The platforms with a clause of this type, in platform order.
    pub entries: Vec<Entry>,
    /// The platforms without one.
    pub missing: Vec<Link>,
    /// The other provision types of the same group.
    pub siblings: Vec<Link>,
}

pub(super) fn render(
    v: &Views,
    d: &Derived,
    e: &Engine,
    file: &str,
    ix: ProvisionIx,
) -> Result<Rendered, Diagnostic> {
    let site = v.site;
    let prov = &site[ix];
    let mut entries = Vec::new();
    let mut missing = Vec::new();
    for (pix, p) in site.platform_ixs() {
        let clauses: Vec<Compared> = p
            .clauses
            .iter()
            .filter(|c| c.provision == ix)
            .map(|c| compared(v, d, c.at))
            .collect();
        if clauses.is_empty() {
            missing.push(v.link(&p.record.name, &route::platform(&p.id)));
        } else {
            entries.push(Entry {
                platform: v.platform(pix),
                clauses,
            });
        }
    }
    let group = &prov.record.group;
    let siblings = site
        .provision_ixs()
        .filter(|(other, o)| *other != ix && group.is_some() && o.record.group == *group)
        .map(|(_, o)| v.link(&o.record.name, &route::provision(&o.id)))
        .collect();
    let route = route::provision(&prov.id);
    let meta = followed(
        v,
        v.meta(
            &prov.record.name,
            prov.record.description.as_deref(),
            &route,
            "provisions",
        ),
        Feed::Provision(ix),
    );
    let meta = meta.edited(v, Owner::Provision(ix));
    let body = ProvisionPage {
        provision: v.provision(ix),
        entries,
        missing,
        siblings,
    };
    page(v, e, file, "provision.html", meta, body)
}

fn compared(v: &Views, d: &Derived, at: ClauseRef) -> Compared {
    let document = v.site[at].document;
    let versions = &d.history(document).versions;
    let link = |i: usize| v.version_link(document, &versions[i]);
    Compared {
        clause: v.clause_detail(at),
        verification: verification(v, d, at),
        last_change: versions
            .iter()
            .rposition(|ver| ver.class == Class::Substantive)
            .map(link),
        passage_changed: d.verification(at).changes.last().map(|pc| link(pc.version)),
    }
}
