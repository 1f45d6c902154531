//! The model as JSON under `/api/`, every URL absolute.

use crate::derive::Derived;
use crate::error::{Diagnostic, Kind, Origin};
use crate::history::Class;
use crate::render::view::Views;
use crate::routes::Api;
use crate::urls::route;
use crate::verify::State;
use serde::Serialize;

#[derive(Serialize)]
struct ApiVerification<'s> {
    state: State,
    snapshot: Option<&'s str>,
    first_seen: Option<&'s str>,
}

#[derive(Serialize)]
struct ApiClause<'s> {
    platform: &'s str,
    id: &'s str,
    title: &'s str,
    document: &'s str,
    provision: &'s str,
    url: String,
    verification: ApiVerification<'s>,
}

#[derive(Serialize)]
struct ApiVersion<'s> {
    timestamp: &'s str,
    /// The date the version states for itself, `YYYY-MM-DD`.
    effective: Option<String>,
    /// How it words it: `effective`, `updated` or `dated`.
    effective_kind: Option<crate::effective::Kind>,
    class: Class,
    words_added: usize,
    words_removed: usize,
    url: String,
}

#[derive(Serialize)]
struct ApiDocument<'s> {
    platform: &'s str,
    id: &'s str,
    title: &'s str,
    #[serde(rename = "type")]
    doc_type: &'s str,
    url: String,
    source: &'s str,
    versions: Vec<ApiVersion<'s>>,
}

#[derive(Serialize)]
struct ApiPlatform<'s> {
    id: &'s str,
    name: &'s str,
    owner: &'s str,
    url: String,
    website: Option<&'s str>,
    documents: Vec<&'s str>,
    clauses: Vec<&'s str>,
}

#[derive(Serialize)]
struct ClauseRef<'s> {
    platform: &'s str,
    id: &'s str,
}

#[derive(Serialize)]
struct ApiProvision<'s> {
    id: &'s str,
    name: &'s str,
    group: Option<&'s str>,
    url: String,
    clauses: Vec<ClauseRef<'s>>,
}

/// One file of the API, pretty-printed with a final newline.
pub(super) fn json(v: &Views, d: &Derived, api: Api) -> Result<Vec<u8>, Diagnostic> {
    let json = match api {
        Api::Clauses => serde_json::to_vec_pretty(&clauses(v, d)),
        Api::Documents => serde_json::to_vec_pretty(&documents(v, d)),
        Api::Platforms => serde_json::to_vec_pretty(&platforms(v)),
        Api::Provisions => serde_json::to_vec_pretty(&provisions(v)),
    };
    let mut bytes = json.map_err(|e| {
        let origin = Origin::Output(route::api(api.name()));
        Diagnostic::error(Kind::Render, origin, "cannot serialise JSON").caused_by(e)
    })?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn clauses<'s>(v: &Views<'s>, d: &'s Derived) -> Vec<ApiClause<'s>> {
    let site = v.site;
    site.clauses()
        .map(|c| {
            let p = &site[c.at.platform];
            let checked = d.verification(c.at);
            let versions = &d.history(c.document).versions;
            let ts = |i: Option<usize>| i.map(|i| versions[i].timestamp.as_str());
            ApiClause {
                platform: &p.id,
                id: &c.id,
                title: &c.record.title,
                document: &site[c.document].id,
                provision: &site[c.provision].id,
                url: v.urls.absolute(&route::clause(&p.id, &c.id)),
                verification: ApiVerification {
                    state: checked.state,
                    snapshot: ts(checked.snapshot),
                    first_seen: ts(checked.first_seen),
                },
            }
        })
        .collect()
}

fn documents<'s>(v: &Views<'s>, derived: &'s Derived) -> Vec<ApiDocument<'s>> {
    let site = v.site;
    site.documents()
        .map(|(at, d)| {
            let p = &site[at.platform];
            ApiDocument {
                platform: &p.id,
                id: &d.id,
                title: &d.record.title,
                doc_type: &d.record.doc_type,
                url: v.urls.absolute(&route::document(&p.id, &d.id)),
                source: &d.record.url,
                versions: derived
                    .history(at)
                    .versions
                    .iter()
                    .map(|ver| ApiVersion {
                        timestamp: ver.timestamp.as_str(),
                        effective: ver.effective.map(|e| e.date.to_string()),
                        effective_kind: ver.effective.map(|e| e.kind),
                        class: ver.class,
                        words_added: ver.words_added,
                        words_removed: ver.words_removed,
                        url: v
                            .urls
                            .absolute(&route::version(&p.id, &d.id, ver.timestamp.as_str())),
                    })
                    .collect(),
            }
        })
        .collect()
}

fn platforms<'s>(v: &Views<'s>) -> Vec<ApiPlatform<'s>> {
    v.site
        .platforms
        .iter()
        .map(|p| ApiPlatform {
            id: &p.id,
            name: &p.record.name,
            owner: p.owner(),
            url: v.urls.absolute(&route::platform(&p.id)),
            website: p.record.url.as_ref().map(|u| u.value.as_str()),
            documents: p.documents.iter().map(|d| &*d.id).collect(),
            clauses: p.clauses.iter().map(|c| &*c.id).collect(),
        })
        .collect()
}

fn provisions<'s>(v: &Views<'s>) -> Vec<ApiProvision<'s>> {
    let site = v.site;
    site.provision_ixs()
        .map(|(ix, prov)| ApiProvision {
            id: &prov.id,
            name: &prov.record.name,
            group: prov.record.group.as_deref(),
            url: v.urls.absolute(&route::provision(&prov.id)),
            clauses: v
                .relations
                .provision_clauses(ix)
                .iter()
                .map(|&c| ClauseRef {
                    platform: &site[c.platform].id,
                    id: &site[c].id,
                })
                .collect(),
        })
        .collect()
}
