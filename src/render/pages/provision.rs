//! The list of provision types, and each provision type's side-by-side comparison.

use super::{followed, page};
use crate::error::Diagnostic;
use crate::model::ProvisionIx;
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

/// A platform's clauses of the provision type.
#[derive(Serialize)]
pub(super) struct Entry {
    pub platform: PlatformView,
    pub clauses: Vec<ClauseDetail>,
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
    e: &Engine,
    file: &str,
    ix: ProvisionIx,
) -> Result<Rendered, Diagnostic> {
    let site = v.site;
    let prov = &site[ix];
    let mut entries = Vec::new();
    let mut missing = Vec::new();
    for (pix, p) in site.platform_ixs() {
        let clauses: Vec<ClauseDetail> = p
            .clauses
            .iter()
            .filter(|c| c.provision == ix)
            .map(|c| v.clause_detail(c.at))
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
