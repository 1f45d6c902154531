//! A version's page: what changed against its baseline, word by word, and its whole text.

use super::page;
use crate::derive::Derivation;
use crate::diff::unchanged;
use crate::error::Diagnostic;
use crate::model::DocRef;
use crate::render::engine::{Engine, Rendered};
use crate::render::view::{
    DiffBlockView, DocumentView, Link, PlatformView, VersionView, Views, diff_view, text_html,
};
use crate::urls::route;
use serde::Serialize;

/// `version.html`.
#[derive(Serialize)]
pub(super) struct VersionPage<'a> {
    pub platform: PlatformView,
    pub document: DocumentView,
    pub version: VersionView,
    /// The version this one is compared with.
    pub baseline: Option<Link>,
    pub previous: Option<Link>,
    pub next: Option<Link>,
    /// Empty for the first version and for a version the same as its baseline.
    pub diff: Vec<DiffBlockView<'a>>,
    /// The version's whole text as HTML.
    pub text: String,
}

pub(super) fn render(
    v: &Views,
    e: &Engine,
    file: &str,
    at: DocRef,
    i: usize,
    doc: &Derivation,
) -> Result<Rendered, Diagnostic> {
    let (p, d) = (&v.site[at.platform], &v.site[at]);
    let versions = &doc.history.versions;
    let (ver, text) = (&versions[i], &doc.texts.versions[i]);
    let link = |i: usize| v.version_link(at, &versions[i]);
    let body = VersionPage {
        platform: v.platform(at.platform),
        document: v.document(at, &doc.history),
        version: v.version(at, ver),
        baseline: ver.baseline.map(link),
        previous: i.checked_sub(1).map(link),
        next: (i + 1 < versions.len()).then(|| link(i + 1)),
        diff: if unchanged(&text.diff) {
            Vec::new()
        } else {
            diff_view(&text.diff)
        },
        text: text_html(&text.text),
    };
    let route = route::version(&p.id, &d.id, ver.timestamp.as_str());
    let title = format!(
        "{} — version of {}",
        d.record.title,
        ver.timestamp.display_date()
    );
    let meta = v.meta(&title, None, &route, "platforms");
    page(v, e, file, "version.html", meta, body)
}
