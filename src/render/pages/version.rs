//! A version's page: what changed against its baseline, word by word, and its whole text.

use super::page;
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
) -> Result<Rendered, Diagnostic> {
    let (p, d) = (&v.site[at.platform], &v.site[at]);
    let versions = &v.derived.history(at).versions;
    let ver = &versions[i];
    let body = VersionPage {
        platform: v.platform(at.platform),
        document: v.document(at),
        version: v.version(at, i),
        baseline: ver.baseline.map(|b| v.version_link(at, b)),
        previous: i.checked_sub(1).map(|b| v.version_link(at, b)),
        next: (i + 1 < versions.len()).then(|| v.version_link(at, i + 1)),
        diff: if ver.diff.is_empty() {
            Vec::new()
        } else {
            diff_view(&ver.diff)
        },
        text: text_html(&ver.text),
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
