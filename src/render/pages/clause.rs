//! A clause's page: the analysis, the excerpt verified against the archive, how other
//! platforms handle the same provision, and how the quoted passage changed.

use super::{Verification, followed, page, verification};
use crate::derive::Derived;
use crate::diff::Segment;
use crate::error::Diagnostic;
use crate::markdown;
use crate::model::ClauseRef;
use crate::render::engine::{Engine, Rendered};
use crate::render::view::{ClauseDetail, ClauseView, DateView, Link, RegulationView, Views};
use crate::routes::{Feed, Owner};
use crate::urls::route;
use serde::Serialize;

/// How the clause's document is monitored.
#[derive(Serialize)]
pub(super) struct Monitoring {
    pub owner: String,
    pub versions: usize,
    pub changes: usize,
    pub first_seen: Option<DateView>,
    pub latest: Option<DateView>,
    pub document_url: String,
}

/// A substantive change to the quoted passage.
#[derive(Serialize)]
pub(super) struct PassageChange<'a> {
    pub version: Link,
    pub words_added: usize,
    pub words_removed: usize,
    /// The passage's words, each with its `op`: "equal", "insert" or "delete".
    pub segments: &'a [Segment],
}

/// How many platforms have a clause of the same provision type.
#[derive(Serialize)]
pub(super) struct Reach {
    pub platforms: usize,
    pub url: String,
}

/// A question the page answers.
#[derive(Serialize)]
pub(super) struct Faq {
    pub question: String,
    pub answer: String,
}

/// `clause.html`.
#[derive(Serialize)]
pub(super) struct ClausePage<'a> {
    pub clause: ClauseDetail,
    /// When the clause's file last changed in git, when the site has git info.
    pub analysis_changed: Option<DateView>,
    pub document_title: String,
    /// The document's type, as its record gives it.
    pub document_type: String,
    pub disclaimer: String,
    pub methodology_url: Option<String>,
    pub verification: Verification,
    pub related: Vec<ClauseView>,
    pub monitoring: Monitoring,
    pub passage_changes: Vec<PassageChange<'a>>,
    pub reach: Reach,
    pub regulations: Vec<RegulationView>,
    pub independence: Faq,
}

pub(super) fn render(
    v: &Views,
    d: &Derived,
    e: &Engine,
    file: &str,
    at: ClauseRef,
) -> Result<Rendered, Diagnostic> {
    let site = v.site;
    let config = &site.config;
    let (p, c) = (&site[at.platform], &site[at]);
    let doc = &site[c.document];
    let sub = |text: &str| markdown::substitute(text, &config.title, &p.record.name, p.owner());
    let history = d.history(c.document);
    let version_link = |i: usize| v.version_link(c.document, &history.versions[i]);
    let checked = d.verification(at);
    let owner = Owner::Clause(at);
    let body = ClausePage {
        clause: v.clause_detail(at),
        analysis_changed: v.changed(owner).map(DateView::from),
        document_title: doc.record.title.to_string(),
        document_type: doc.record.doc_type.to_string(),
        disclaimer: v.markdown(&sub(&config.disclaimer)),
        methodology_url: v.methodology_url.clone(),
        verification: verification(v, d, at),
        related: v.relations.related(c).map(|r| v.clause(r)).collect(),
        monitoring: Monitoring {
            owner: p.owner().to_string(),
            versions: doc.snapshots.len(),
            changes: history.substantive_changes(),
            first_seen: doc.snapshots.first().map(|s| (&s.timestamp).into()),
            latest: doc.snapshots.last().map(|s| (&s.timestamp).into()),
            document_url: v.urls.href(&route::document(&p.id, &doc.id)),
        },
        passage_changes: checked
            .changes
            .iter()
            .map(|pc| PassageChange {
                version: version_link(pc.version),
                words_added: pc.words_added,
                words_removed: pc.words_removed,
                segments: &pc.segments,
            })
            .collect(),
        reach: Reach {
            platforms: v.relations.provision_reach(c.provision),
            url: v.urls.href(&route::provision(&site[c.provision].id)),
        },
        regulations: c.regulations.iter().map(|&r| v.regulation(r)).collect(),
        independence: Faq {
            question: format!("Is {} affiliated with {}?", config.title, p.owner()),
            answer: v.markdown(&sub(&config.independence)),
        },
    };
    let route = route::clause(&p.id, &c.id);
    let title = format!("{} — {}", c.record.title, p.record.name);
    let meta = followed(
        v,
        v.meta(&title, Some(&c.record.summary), &route, "platforms"),
        Feed::Clause(at),
    );
    page(v, e, file, "clause.html", meta.edited(v, owner), body)
}
