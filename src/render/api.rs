//! The model as JSON under `/api/` (SPEC §4).

use super::{Pages, State};
use crate::error::{Diagnostic, Kind, Origin};
use crate::urls::route;
use serde::Serialize;

impl<'a> Pages<'a> {
    /// The model as JSON (SPEC §4), every URL absolute.
    pub(super) fn api(&mut self) {
        let v = self.views;
        let site = v.site;
        let urls = &v.urls;
        #[derive(Serialize)]
        struct ApiVerification {
            state: &'static str,
            snapshot: Option<String>,
            first_seen: Option<String>,
        }
        #[derive(Serialize)]
        struct ApiClause<'s> {
            platform: &'s str,
            id: &'s str,
            title: &'s str,
            document: &'s str,
            provision: &'s str,
            url: String,
            verification: ApiVerification,
        }
        let clauses: Vec<ApiClause> = site
            .clauses()
            .map(|c| {
                let checked = v.derived.verification(c);
                let snapshots = site
                    .platform(&c.platform)
                    .and_then(|p| p.document(&c.record.document))
                    .map_or(&[][..], |d| d.snapshots.as_slice());
                let ts = |i: Option<usize>| i.map(|i| snapshots[i].timestamp.as_str().to_string());
                ApiClause {
                    platform: &c.platform,
                    id: &c.id,
                    title: &c.record.title,
                    document: &c.record.document,
                    provision: &c.record.provision,
                    url: urls.absolute(&route::clause(&c.platform, &c.id)),
                    verification: ApiVerification {
                        state: checked.map_or(State::NoSnapshots, |x| x.state).as_str(),
                        snapshot: ts(checked.and_then(|x| x.snapshot)),
                        first_seen: ts(checked.and_then(|x| x.first_seen)),
                    },
                }
            })
            .collect();
        #[derive(Serialize)]
        struct ApiVersion<'s> {
            timestamp: &'s str,
            /// The date the version states for itself, `YYYY-MM-DD`.
            effective: Option<String>,
            /// How it words it: `effective`, `updated` or `dated`.
            effective_kind: Option<&'static str>,
            class: &'static str,
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
        let documents: Vec<ApiDocument> = self
            .all_documents()
            .into_iter()
            .map(|(p, d)| ApiDocument {
                platform: &p.id,
                id: &d.id,
                title: &d.record.title,
                doc_type: &d.record.doc_type,
                url: urls.absolute(&route::document(&p.id, &d.id)),
                source: &d.record.url,
                versions: d
                    .snapshots
                    .iter()
                    .zip(&self.history(p, d).versions)
                    .map(|(s, ver)| ApiVersion {
                        timestamp: s.timestamp.as_str(),
                        effective: ver.effective.map(|e| e.date.to_string()),
                        effective_kind: ver.effective.map(|e| e.kind.as_str()),
                        class: ver.class.as_str(),
                        words_added: ver.diff.words_added,
                        words_removed: ver.diff.words_removed,
                        url: urls.absolute(&route::version(&p.id, &d.id, s.timestamp.as_str())),
                    })
                    .collect(),
            })
            .collect();
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
        let platforms: Vec<ApiPlatform> = site
            .platforms
            .iter()
            .map(|p| ApiPlatform {
                id: &p.id,
                name: &p.record.name,
                owner: p.owner(),
                url: urls.absolute(&route::platform(&p.id)),
                website: p.record.url.as_ref().map(|u| u.value.as_str()),
                documents: p.documents.iter().map(|d| d.id.as_str()).collect(),
                clauses: p.clauses.iter().map(|c| c.id.as_str()).collect(),
            })
            .collect();
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
        let provisions: Vec<ApiProvision> = site
            .provisions
            .iter()
            .map(|prov| ApiProvision {
                id: &prov.id,
                name: &prov.name,
                group: prov.group.as_deref(),
                url: urls.absolute(&route::provision(&prov.id)),
                clauses: site
                    .clauses()
                    .filter(|c| c.record.provision == prov.id)
                    .map(|c| ClauseRef {
                        platform: &c.platform,
                        id: &c.id,
                    })
                    .collect(),
            })
            .collect();
        let files = [
            ("clauses", serde_json::to_vec_pretty(&clauses)),
            ("documents", serde_json::to_vec_pretty(&documents)),
            ("platforms", serde_json::to_vec_pretty(&platforms)),
            ("provisions", serde_json::to_vec_pretty(&provisions)),
        ];
        for (name, json) in files {
            match json {
                Ok(mut bytes) => {
                    bytes.push(b'\n');
                    self.add(route::api(name), bytes, None);
                }
                Err(e) => {
                    let origin = Origin::Output(route::api(name));
                    let d = Diagnostic::error(Kind::Render, origin, "cannot serialise JSON");
                    self.errors.push(d.caused_by(e));
                }
            }
        }
    }
}
