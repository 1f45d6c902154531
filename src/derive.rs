//! Derive: what the build computes from the validated model before rendering: document
//! histories, excerpt verification and the cross-references between clauses. Everything is
//! indexed by the model's resolved references, so nothing is looked up by id.

use crate::error::{Diagnostic, Kind};
use crate::hash::hash_of;
use crate::history::History;
use crate::model::{Clause, ClauseRef, DocRef, Document, ProvisionIx, RegulationIx, Site};
use crate::verify::{BlockWords, State, Verification, verify};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// Histories and verifications of earlier builds, by the hash of everything they depend on:
/// a rebuild recomputes only what an edit changed. A clean build starts from an empty cache,
/// and a result depends on its key's inputs alone, so reuse cannot change the output. The keys
/// depend on content alone, never on where a record is in the site, so they can key a cache
/// kept on disk as well.
#[derive(Debug, Default)]
pub(crate) struct DeriveCache {
    histories: HashMap<u64, Arc<History>>,
    verifications: HashMap<(u64, u64), Arc<Verification>>,
}

/// Everything computed from the model, once per build. Per-document results (a history, the
/// verifications of the clauses quoting it) depend on that document and those clauses alone.
#[derive(Debug)]
pub(crate) struct Derived {
    /// platform → document → history.
    histories: Vec<Vec<Arc<History>>>,
    /// platform → clause → verification of its excerpt.
    verifications: Vec<Vec<Arc<Verification>>>,
    /// platform → clause → "how other platforms handle this", in display order.
    related: Vec<Vec<Vec<ClauseRef>>>,
    /// provision → its clauses, platform by platform.
    provision_clauses: Vec<Vec<ClauseRef>>,
    /// provision → how many platforms have a clause of it.
    provision_reach: Vec<usize>,
    /// regulation → the clauses mapped to it.
    regulation_clauses: Vec<Vec<ClauseRef>>,
}

/// What a document's history depends on: its HTML selectors, its ignored text and every
/// snapshot.
fn document_key(d: &Document) -> u64 {
    let snapshots: Vec<(&str, crate::text::SnapshotFormat, u64)> = d
        .snapshots
        .iter()
        .map(|s| (s.timestamp.as_str(), s.format, s.hash))
        .collect();
    hash_of(&(
        &d.record.select,
        &d.record.remove,
        &d.record.ignore,
        snapshots,
    ))
}

impl Derived {
    /// Derives everything for `site`, reusing and then updating `cache`.
    pub(crate) fn new(site: &Site, cache: &mut DeriveCache) -> Derived {
        let mut next = DeriveCache::default();
        let documents: Vec<(DocRef, &Document)> = site.documents().collect();
        let computed: Vec<(u64, Arc<History>)> = documents
            .par_iter()
            .map(|(_, d)| {
                let key = document_key(d);
                let history = cache.histories.get(&key).cloned();
                (key, history.unwrap_or_else(|| Arc::new(History::of(d))))
            })
            .collect();
        let mut histories: Vec<Vec<Arc<History>>> = site
            .platforms
            .iter()
            .map(|p| Vec::with_capacity(p.documents.len()))
            .collect();
        let mut keys: HashMap<DocRef, u64> = HashMap::new();
        for ((at, _), (key, history)) in documents.iter().zip(computed) {
            next.histories.insert(key, history.clone());
            keys.insert(*at, key);
            histories[at.platform.0].push(history);
        }
        let verifications = verify_clauses(site, &histories, &keys, cache, &mut next);
        *cache = next;
        let mut provision_clauses = vec![Vec::new(); site.provisions.len()];
        let mut regulation_clauses = vec![Vec::new(); site.regulations.len()];
        for c in site.clauses() {
            provision_clauses[c.provision.0].push(c.at);
            for r in &c.regulations {
                // A clause naming a regulation twice is listed once.
                let list: &mut Vec<ClauseRef> = &mut regulation_clauses[r.0];
                if list.last() != Some(&c.at) {
                    list.push(c.at);
                }
            }
        }
        let provision_reach = provision_clauses
            .iter()
            .map(|list: &Vec<ClauseRef>| {
                list.iter()
                    .map(|c| c.platform)
                    .collect::<BTreeSet<_>>()
                    .len()
            })
            .collect();
        Derived {
            histories,
            verifications,
            related: related(site, &provision_clauses),
            provision_clauses,
            provision_reach,
            regulation_clauses,
        }
    }

    /// The history of a document.
    pub(crate) fn history(&self, d: DocRef) -> &History {
        &self.histories[d.platform.0][d.index]
    }

    /// The verification of a clause's excerpt.
    pub(crate) fn verification(&self, c: ClauseRef) -> &Verification {
        &self.verifications[c.platform.0][c.index]
    }

    /// Clauses whose excerpt is in none of their document's snapshots: a warning in `build`,
    /// an error in `check`.
    pub(crate) fn not_found(&self, site: &Site) -> Vec<Diagnostic> {
        site.clauses()
            .filter(|c| self.verification(c.at).state == State::NotFound)
            .map(|c| {
                let versions = self.history(c.document).versions.len();
                Diagnostic::warning(
                    Kind::ExcerptNotFound,
                    c.record.excerpt.origin(&c.path),
                    format!(
                        "excerpt not found in any of the {versions} snapshots of document `{}` (compared after normalising quotes, whitespace, soft hyphens and emphasis)",
                        c.record.document
                    ),
                )
            })
            .collect()
    }

    /// The clauses shown under "How other platforms handle this" for `clause`.
    pub(crate) fn related(&self, c: ClauseRef) -> &[ClauseRef] {
        &self.related[c.platform.0][c.index]
    }

    /// The clauses of a provision type, platform by platform.
    pub(crate) fn provision_clauses(&self, p: ProvisionIx) -> &[ClauseRef] {
        &self.provision_clauses[p.0]
    }

    /// How many platforms have a clause of a provision type.
    pub(crate) fn provision_reach(&self, p: ProvisionIx) -> usize {
        self.provision_reach[p.0]
    }

    /// The clauses mapped to a regulation, platform by platform.
    pub(crate) fn regulation_clauses(&self, r: RegulationIx) -> &[ClauseRef] {
        &self.regulation_clauses[r.0]
    }
}

/// Verifies every clause's excerpt, reusing `cache` and recording into `next`. The clauses of
/// one document are verified together, sharing the document's word index, which is dropped once
/// they are done.
fn verify_clauses(
    site: &Site,
    histories: &[Vec<Arc<History>>],
    keys: &HashMap<DocRef, u64>,
    cache: &DeriveCache,
    next: &mut DeriveCache,
) -> Vec<Vec<Arc<Verification>>> {
    let mut by_document: BTreeMap<DocRef, Vec<&Clause>> = BTreeMap::new();
    for c in site.clauses() {
        by_document.entry(c.document).or_default().push(c);
    }
    let by_document: Vec<(DocRef, Vec<&Clause>)> = by_document.into_iter().collect();
    let mut checked: Vec<(ClauseRef, (u64, u64), Arc<Verification>)> = by_document
        .par_iter()
        .flat_map_iter(|(at, clauses)| {
            let blocks = BlockWords::new(&histories[at.platform.0][at.index]);
            clauses
                .iter()
                .map(|c| {
                    let key = (keys[at], hash_of::<str>(&c.record.excerpt));
                    let v = cache.verifications.get(&key).cloned();
                    let v = v.unwrap_or_else(|| Arc::new(verify(&c.record.excerpt, &blocks)));
                    (c.at, key, v)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    // Back in the site's order of clauses, platform by platform.
    checked.sort_unstable_by_key(|(at, _, _)| *at);
    let mut verifications: Vec<Vec<Arc<Verification>>> = site
        .platforms
        .iter()
        .map(|p| Vec::with_capacity(p.clauses.len()))
        .collect();
    for (at, key, v) in checked {
        next.verifications.insert(key, v.clone());
        verifications[at.platform.0].push(v);
    }
    verifications
}

/// "How other platforms handle this" for every clause: clauses of the same provision type
/// first, then of the same group, from other platforms only, at most `related_limit`.
fn related(site: &Site, by_provision: &[Vec<ClauseRef>]) -> Vec<Vec<Vec<ClauseRef>>> {
    let group_of = |p: usize| site.provisions[p].record.group.as_deref();
    // Each candidate list is ordered once; a clause then takes the first `limit` entries of
    // other platforms. Leaving out one platform's clauses does not change the order of the
    // rest (ranks are per platform), so this is the order each clause's own list would have.
    let same: Vec<Vec<ClauseRef>> = by_provision
        .iter()
        .map(|clauses| spread_over_platforms(site, clauses.clone()))
        .collect();
    let same_group: Vec<Vec<ClauseRef>> = (0..by_provision.len())
        .map(|prov| {
            let group = group_of(prov);
            let others: Vec<ClauseRef> = (0..by_provision.len())
                .filter(|&other| other != prov && group.is_some() && group_of(other) == group)
                .flat_map(|other| by_provision[other].iter().copied())
                .collect();
            spread_over_platforms(site, others)
        })
        .collect();
    let limit = site.config.related_limit;
    site.platforms
        .iter()
        .map(|p| {
            p.clauses
                .iter()
                .map(|c| {
                    let prov = c.provision.0;
                    same[prov]
                        .iter()
                        .chain(&same_group[prov])
                        .filter(|x| x.platform != c.at.platform)
                        .take(limit)
                        .copied()
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// Orders clauses so each platform appears once before any appears twice: a short list then
/// shows as many platforms as it can. Platforms, then clause ids, give a stable order.
fn spread_over_platforms(site: &Site, mut clauses: Vec<ClauseRef>) -> Vec<ClauseRef> {
    let name = |c: &ClauseRef| (&site[c.platform].id, &site[*c].id);
    clauses.sort_by(|a, b| name(a).cmp(&name(b)));
    let mut rank: BTreeMap<crate::model::PlatformIx, usize> = BTreeMap::new();
    let mut keyed: Vec<(usize, ClauseRef)> = clauses
        .into_iter()
        .map(|c| {
            let r = rank.entry(c.platform).or_insert(0);
            *r += 1;
            (*r, c)
        })
        .collect();
    keyed.sort_by(|a, b| (a.0, name(&a.1)).cmp(&(b.0, name(&b.1))));
    keyed.into_iter().map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ClauseId, DocumentId, PlatformId, ProvisionId, RecordId};
    use crate::model::*;

    fn record<T: serde::de::DeserializeOwned>(yaml: &str) -> T {
        crate::yaml::parse(std::path::Path::new("t.yaml"), yaml, 1).unwrap()
    }

    const PROVISIONS: [(&str, &str); 3] =
        [("csam", "harm"), ("scraping", "abuse"), ("spam", "abuse")];

    /// A resolved site with one empty document per platform and `clauses` as
    /// (platform, clause, provision), platforms in the order they first appear.
    fn site(clauses: &[(&str, &str, &str)], limit: usize) -> Site {
        let mut platforms: Vec<Platform> = Vec::new();
        for (platform, id, provision) in clauses {
            let p = match platforms.iter().position(|p| *p.id == **platform) {
                Some(p) => p,
                None => {
                    platforms.push(Platform {
                        id: PlatformId::parse(platform).unwrap(),
                        record: record("name: n"),
                        documents: vec![Document {
                            id: DocumentId::parse("d").unwrap(),
                            record: record("{title: d, type: t, url: 'https://x.org/'}"),
                            snapshots: vec![],
                        }],
                        clauses: vec![],
                    });
                    platforms.len() - 1
                }
            };
            let clauses = &mut platforms[p].clauses;
            let at = ClauseRef {
                platform: PlatformIx(p),
                index: clauses.len(),
            };
            let prov = PROVISIONS
                .iter()
                .position(|(id, _)| id == provision)
                .unwrap();
            clauses.push(Clause {
                id: ClauseId::parse(id).unwrap(),
                record: record(&format!(
                    "{{title: {id}, document: d, provision: {provision}, excerpt: e, summary: s}}"
                )),
                path: Default::default(),
                at,
                document: DocRef {
                    platform: PlatformIx(p),
                    index: 0,
                },
                provision: ProvisionIx(prov),
                regulations: vec![],
                alias_files: vec![],
            });
        }
        Site {
            config: record(&format!(
                "title: t\nbase_url: https://x.org/\nrelated_limit: {limit}"
            )),
            platforms,
            provisions: PROVISIONS
                .iter()
                .map(|(id, group)| Provision {
                    id: ProvisionId::parse(id).unwrap(),
                    record: record(&format!("{{name: {id}, group: {group}}}")),
                })
                .collect(),
            regulations: vec![],
            pages: vec![],
        }
    }

    fn ids(d: &Derived, s: &Site, platform: &str, id: &str) -> Vec<String> {
        let c = s
            .clauses()
            .find(|c| *s[c.at.platform].id == *platform && *c.id == *id)
            .unwrap();
        d.related(c.at)
            .iter()
            .map(|&r| format!("{}/{}", s[r.platform].id, s[r].id))
            .collect()
    }

    #[test]
    fn same_provision_first_then_same_group_other_platforms_only() {
        let s = site(
            &[
                ("aws", "spam", "spam"),
                ("aws", "spam2", "spam"),
                ("b", "scrape", "scraping"),
                ("c", "spam", "spam"),
                ("c", "csam", "csam"),
            ],
            3,
        );
        let d = Derived::new(&s, &mut DeriveCache::default());
        assert_eq!(ids(&d, &s, "aws", "spam"), ["c/spam", "b/scrape"]);
        assert_eq!(
            ids(&d, &s, "c", "spam"),
            ["aws/spam", "aws/spam2", "b/scrape"]
        );
        assert!(ids(&d, &s, "c", "csam").is_empty());
        assert_eq!(d.provision_reach(ProvisionIx(2)), 2);
        assert_eq!(d.provision_reach(ProvisionIx(0)), 1);
    }

    #[test]
    fn limit_prefers_one_clause_per_platform() {
        let s = site(
            &[
                ("a", "x1", "spam"),
                ("a", "x2", "spam"),
                ("b", "y1", "spam"),
                ("b", "y2", "spam"),
                ("c", "z", "spam"),
            ],
            2,
        );
        let d = Derived::new(&s, &mut DeriveCache::default());
        assert_eq!(ids(&d, &s, "c", "z"), ["a/x1", "b/y1"]);
    }
}
