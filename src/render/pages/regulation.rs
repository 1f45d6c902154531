//! The list of regulations, and each regulation's page with the clauses mapped to it.

use super::{followed, page};
use crate::error::Diagnostic;
use crate::model::RegulationIx;
use crate::render::engine::{Engine, Rendered};
use crate::render::view::{ClauseView, RegulationView, Views};
use crate::routes::{Feed, Owner};
use crate::urls::route;
use serde::Serialize;

/// `regulations.html`.
#[derive(Serialize)]
pub(super) struct Regulations {
    pub regulations: Vec<RegulationView>,
}

pub(super) fn list(v: &Views, e: &Engine, file: &str) -> Result<Rendered, Diagnostic> {
    let meta = v.meta("Regulations", None, &route::regulations(), "regulations");
    let body = Regulations {
        regulations: v
            .site
            .regulation_ixs()
            .map(|(ix, _)| v.regulation(ix))
            .collect(),
    };
    page(v, e, file, "regulations.html", meta, body)
}

/// `regulation.html`.
#[derive(Serialize)]
pub(super) struct RegulationPage {
    pub regulation: RegulationView,
    pub clauses: Vec<ClauseView>,
}

pub(super) fn render(
    v: &Views,
    e: &Engine,
    file: &str,
    ix: RegulationIx,
) -> Result<Rendered, Diagnostic> {
    let r = &v.site[ix];
    let route = route::regulation(&r.id);
    let meta = followed(
        v,
        v.meta(
            &r.record.name,
            r.record.description.as_deref(),
            &route,
            "regulations",
        ),
        Feed::Regulation(ix),
    );
    let meta = meta.edited(v, Owner::Regulation(ix));
    let body = RegulationPage {
        regulation: v.regulation(ix),
        clauses: v
            .relations
            .regulation_clauses(ix)
            .iter()
            .map(|&c| v.clause(c))
            .collect(),
    };
    page(v, e, file, "regulation.html", meta, body)
}
