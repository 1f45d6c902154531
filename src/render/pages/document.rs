//! A document's page: its versions on a timeline and in a list, the clauses quoting it, and
//! its current text.

use super::{Fold, context, fold, followed, lane, timeline};
use crate::derive::DocumentDerived;
use crate::error::Diagnostic;
use crate::history::Class;
use crate::model::DocRef;
use crate::render::engine::{Engine, Rendered};
use crate::render::view::{
    ClauseView, DateView, DocumentView, PlatformView, VersionView, Views, text_html,
};
use crate::routes::{Feed, Owner};
use crate::urls::route;
use serde::Serialize;

/// How many versions of each class a document has.
#[derive(Serialize, Default)]
pub(super) struct Counts {
    pub first: usize,
    pub formatting: usize,
    pub noise: usize,
    pub substantive: usize,
}

/// `document.html`.
#[derive(Serialize)]
pub(super) struct DocumentPage {
    pub platform: PlatformView,
    pub document: DocumentView,
    /// An SVG chart of the versions.
    pub timeline: String,
    pub counts: Counts,
    /// Newest first: substantive changes and the first version, the runs of formatting and
    /// noise between them folded.
    pub versions: Vec<Fold<VersionView>>,
    pub clauses: Vec<ClauseView>,
    /// The current text (the latest version that is not noise) as HTML.
    pub text: Option<String>,
    pub text_date: Option<DateView>,
}

pub(super) fn render(
    v: &Views,
    e: &Engine,
    file: &str,
    at: DocRef,
    doc: &DocumentDerived,
) -> Result<Rendered, Diagnostic> {
    let (p, d) = (&v.site[at.platform], &v.site[at]);
    let history = &doc.derivation.history;
    let mut counts = Counts::default();
    for ver in &history.versions {
        match ver.class {
            Class::First => counts.first += 1,
            Class::Formatting => counts.formatting += 1,
            Class::Noise => counts.noise += 1,
            Class::Substantive => counts.substantive += 1,
        }
    }
    let current = history.current();
    let route = route::document(&p.id, &d.id);
    let body = DocumentPage {
        platform: v.platform(at.platform),
        document: v.document(at, history),
        timeline: timeline(
            e,
            vec![lane(v, at, history, None)],
            &format!("Versions of {} over time", d.record.title),
        )?,
        counts,
        versions: fold(
            history.versions.iter().rev().map(|ver| v.version(at, ver)),
            |ver| matches!(ver.class, Class::Substantive | Class::First),
        ),
        clauses: p
            .clauses
            .iter()
            .filter(|c| c.document == at)
            .map(|c| v.clause(c.at))
            .collect(),
        // Filled only if the page is rendered (below).
        text: None,
        text_date: current.map(|i| (&history.versions[i].timestamp).into()),
    };
    let title = format!("{} — {}", d.record.title, p.record.name);
    let meta = followed(
        v,
        v.meta(&title, None, &route, "platforms"),
        Feed::Document(at),
    );
    let meta = meta.edited(v, Owner::Document(at));
    let context = context(v, meta, body);
    e.page_with_texts(file, "document.html", context, doc.derivation.key, |c| {
        if let Some(i) = current {
            c.page.text = Some(text_html(&doc.texts()?.versions[i].text));
        }
        Ok(())
    })
}
