//! The comparison matrix: platforms by provision types, each cell the platform's clauses.

use super::page;
use crate::error::Diagnostic;
use crate::render::engine::{Engine, Rendered};
use crate::render::view::{Link, ProvisionGroup, Views};
use crate::urls::route;
use serde::Serialize;

/// A platform's row: one cell per provision type, in the order of the groups.
#[derive(Serialize)]
pub(super) struct Row {
    pub platform: Link,
    pub cells: Vec<Vec<Link>>,
}

/// `compare.html`.
#[derive(Serialize)]
pub(super) struct Compare<'v> {
    pub groups: &'v [ProvisionGroup],
    pub rows: Vec<Row>,
}

pub(super) fn render(v: &Views, e: &Engine, file: &str) -> Result<Rendered, Diagnostic> {
    let rows = v
        .site
        .platforms
        .iter()
        .map(|p| Row {
            platform: v.link(&p.record.name, &route::platform(&p.id)),
            cells: v
                .provisions_in_order()
                .map(|prov| {
                    p.clauses
                        .iter()
                        .filter(|c| c.provision == prov.ix)
                        .map(|c| v.link(&c.record.title, &route::clause(&p.id, &c.id)))
                        .collect()
                })
                .collect(),
        })
        .collect();
    let meta = v.meta("Compare platforms", None, &route::compare(), "compare");
    let body = Compare {
        groups: &v.groups,
        rows,
    };
    page(v, e, file, "compare.html", meta, body)
}
