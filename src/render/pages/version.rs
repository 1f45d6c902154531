//! A version's page: what changed against its baseline, word by word, and its whole text.

use super::context;
use crate::derive::DocumentDerived;
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
    doc: &DocumentDerived,
) -> Result<Rendered, Diagnostic> {
    let (p, d) = (&v.site[at.platform], &v.site[at]);
    let history = &doc.derivation.history;
    let versions = &history.versions;
    let ver = &versions[i];
    let link = |i: usize| v.version_link(at, &versions[i]);
    let body = VersionPage {
        platform: v.platform(at.platform),
        document: v.document(at, history),
        version: v.version(at, ver),
        baseline: ver.baseline.map(link),
        previous: i.checked_sub(1).map(link),
        next: (i + 1 < versions.len()).then(|| link(i + 1)),
        // Filled only if the page is rendered (below).
        diff: Vec::new(),
        text: String::new(),
    };
    let route = route::version(&p.id, &d.id, ver.timestamp.as_str());
    let title = format!(
        "{} — version of {}",
        d.record.title,
        ver.timestamp.display_date()
    );
    let meta = v.meta(&title, None, &route, "platforms");
    let context = context(v, meta, body);
    e.page_with_texts(file, "version.html", context, doc.derivation.key, |c| {
        let text = &doc.texts()?.versions[i];
        if !unchanged(&text.diff) {
            c.page.diff = diff_view(&text.diff);
        }
        c.page.text = text_html(&text.text);
        Ok(())
    })
}
