//! Derive: what the build computes from the validated model before rendering: document
//! histories, excerpt verification and the cross-references between clauses.

use crate::error::Diagnostic;
use crate::hash::{KeyHasher, hash_of};
use crate::history::History;
use crate::model::{Clause, Document, Site};
use crate::verify::{State, Verification, verify};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Histories and verifications of earlier builds, by the hash of everything they depend on:
/// a rebuild recomputes only what an edit changed. A clean build starts from an empty cache,
/// and a result depends on its key's inputs alone, so reuse cannot change the output.
#[derive(Debug, Default)]
pub struct DeriveCache {
    histories: HashMap<u64, Arc<History>>,
    verifications: HashMap<(u64, u64), Arc<Verification>>,
}

/// Everything computed from the model, once per build.
#[derive(Debug)]
pub struct Derived<'a> {
    /// platform → document → history.
    histories: BTreeMap<&'a str, BTreeMap<&'a str, Arc<History>>>,
    /// (platform, document) → the key its history is cached under: what a page derived from
    /// the history alone can be keyed by.
    history_keys: BTreeMap<(&'a str, &'a str), u64>,
    /// platform → clause → verification of its excerpt.
    verifications: BTreeMap<&'a str, BTreeMap<&'a str, Arc<Verification>>>,
    /// platform → clause → "how other platforms handle this", in display order.
    related: BTreeMap<&'a str, BTreeMap<&'a str, Vec<&'a Clause>>>,
    /// provision → the platforms with at least one clause of it.
    provision_platforms: BTreeMap<&'a str, BTreeSet<&'a str>>,
    /// provision → how many clauses it has.
    provision_clauses: BTreeMap<&'a str, usize>,
    /// regulation → how many clauses are mapped to it.
    regulation_clauses: BTreeMap<&'a str, usize>,
}

/// What a document's history depends on: its HTML selectors, its ignored text and every
/// snapshot.
fn document_key(d: &Document) -> u64 {
    let mut h = KeyHasher::default();
    (&d.record.select, &d.record.remove, &d.record.ignore).hash(&mut h);
    for s in &d.snapshots {
        (s.timestamp.as_str(), s.format as u8, s.hash).hash(&mut h);
    }
    h.finish()
}

impl<'a> Derived<'a> {
    /// Derives everything for `site`, reusing and then updating `cache`.
    pub fn new(site: &'a Site, cache: &mut DeriveCache) -> Derived<'a> {
        let documents: Vec<(&str, &Document, u64)> = site
            .platforms
            .iter()
            .flat_map(|p| p.documents.iter().map(move |d| (p.id.as_str(), d)))
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|(p, d)| (p, d, document_key(d)))
            .collect();
        let computed: Vec<Arc<History>> = documents
            .par_iter()
            .map(|(_, d, key)| {
                cache
                    .histories
                    .get(key)
                    .cloned()
                    .unwrap_or_else(|| Arc::new(History::of(d)))
            })
            .collect();
        let mut histories: BTreeMap<&str, BTreeMap<&str, Arc<History>>> = BTreeMap::new();
        let mut history_keys: BTreeMap<(&str, &str), u64> = BTreeMap::new();
        let mut next = DeriveCache::default();
        for ((p, d, key), h) in documents.iter().zip(computed) {
            next.histories.insert(*key, h.clone());
            history_keys.insert((p, d.id.as_str()), *key);
            histories.entry(p).or_default().insert(d.id.as_str(), h);
        }
        let clauses: Vec<&Clause> = site.clauses().collect();
        let empty = Arc::new(History::default());
        let checked: Vec<((u64, u64), Arc<Verification>)> = clauses
            .par_iter()
            .map(|c| {
                let h = histories
                    .get(c.platform.as_str())
                    .and_then(|m| m.get(c.record.document.as_str()))
                    .unwrap_or(&empty);
                let doc_key = history_keys
                    .get(&(c.platform.as_str(), c.record.document.as_str()))
                    .copied()
                    .unwrap_or(0);
                let key = (doc_key, hash_of::<str>(&c.record.excerpt));
                let v = cache
                    .verifications
                    .get(&key)
                    .cloned()
                    .unwrap_or_else(|| Arc::new(verify(&c.record.excerpt, h)));
                (key, v)
            })
            .collect();
        let mut verifications: BTreeMap<&str, BTreeMap<&str, Arc<Verification>>> = BTreeMap::new();
        for (c, (key, v)) in clauses.iter().zip(checked) {
            next.verifications.insert(key, v.clone());
            verifications
                .entry(c.platform.as_str())
                .or_default()
                .insert(c.id.as_str(), v);
        }
        *cache = next;
        let mut by_provision: BTreeMap<&str, Vec<&Clause>> = BTreeMap::new();
        let mut provision_platforms: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        let mut provision_clauses: BTreeMap<&str, usize> = BTreeMap::new();
        let mut regulation_clauses: BTreeMap<&str, usize> = BTreeMap::new();
        for c in site.clauses() {
            *provision_clauses.entry(&c.record.provision).or_default() += 1;
            for r in &c.record.regulations {
                *regulation_clauses.entry(r).or_default() += 1;
            }
            by_provision.entry(&c.record.provision).or_default().push(c);
            provision_platforms
                .entry(&c.record.provision)
                .or_default()
                .insert(&c.platform);
        }
        let group_of = |provision: &str| site.provision(provision).and_then(|p| p.group.as_deref());
        // Each candidate list is ordered once; a clause then takes the first `limit` entries of
        // other platforms. Leaving out one platform's clauses does not change the order of the
        // rest (ranks are per platform), so this is the order each clause's own list would have.
        let same: BTreeMap<&str, Vec<&Clause>> = by_provision
            .iter()
            .map(|(prov, clauses)| (*prov, spread_over_platforms(clauses.clone())))
            .collect();
        let same_group: BTreeMap<&str, Vec<&Clause>> = by_provision
            .keys()
            .map(|prov| {
                let group = group_of(prov);
                let others: Vec<&Clause> = by_provision
                    .iter()
                    .filter(|(other, _)| {
                        *other != prov && group.is_some() && group_of(other) == group
                    })
                    .flat_map(|(_, clauses)| clauses.iter().copied())
                    .collect();
                (*prov, spread_over_platforms(others))
            })
            .collect();
        let limit = site.config.related_limit;
        let mut related: BTreeMap<&str, BTreeMap<&str, Vec<&Clause>>> = BTreeMap::new();
        for c in site.clauses() {
            let prov = c.record.provision.as_str();
            let list = same[prov]
                .iter()
                .chain(&same_group[prov])
                .filter(|x| x.platform != c.platform)
                .take(limit)
                .copied()
                .collect();
            related
                .entry(c.platform.as_str())
                .or_default()
                .insert(c.id.as_str(), list);
        }
        Derived {
            histories,
            history_keys,
            verifications,
            related,
            provision_platforms,
            provision_clauses,
            regulation_clauses,
        }
    }

    /// How many clauses `provision` has.
    pub fn provision_clauses(&self, provision: &str) -> usize {
        self.provision_clauses.get(provision).copied().unwrap_or(0)
    }

    /// How many clauses are mapped to `regulation`.
    pub fn regulation_clauses(&self, regulation: &str) -> usize {
        self.regulation_clauses
            .get(regulation)
            .copied()
            .unwrap_or(0)
    }

    /// The hash of everything a document's history depends on.
    pub fn history_key(&self, platform: &str, document: &str) -> u64 {
        self.history_keys
            .get(&(platform, document))
            .copied()
            .unwrap_or(0)
    }

    /// The history of a document (empty for an unknown one).
    pub fn history(&self, platform: &str, document: &str) -> &History {
        static EMPTY: History = History {
            versions: Vec::new(),
        };
        self.histories
            .get(platform)
            .and_then(|m| m.get(document))
            .map_or(&EMPTY, |h| h)
    }

    pub fn verification(&self, clause: &Clause) -> Option<&Verification> {
        self.verifications
            .get(clause.platform.as_str())?
            .get(clause.id.as_str())
            .map(|v| &**v)
    }

    /// Clauses whose excerpt is in none of their document's snapshots: a warning in `build`,
    /// an error in `check`.
    pub fn not_found(&self, site: &Site) -> Vec<Diagnostic> {
        site.clauses()
            .filter(|c| self.verification(c).is_some_and(|v| v.state == State::NotFound))
            .map(|c| {
                let versions = self.history(&c.platform, &c.record.document).versions.len();
                c.record.excerpt.error(
                    &c.path,
                    format!(
                        "excerpt not found in any of the {versions} snapshots of document `{}` (compared after normalising quotes, whitespace, soft hyphens and emphasis)",
                        c.record.document
                    ),
                )
            })
            .collect()
    }

    /// The clauses shown under "How other platforms handle this" for `clause`.
    pub fn related(&self, clause: &Clause) -> &[&'a Clause] {
        self.related
            .get(clause.platform.as_str())
            .and_then(|m| m.get(clause.id.as_str()))
            .map_or(&[], Vec::as_slice)
    }

    /// How many platforms have a clause of `provision`.
    pub fn provision_reach(&self, provision: &str) -> usize {
        self.provision_platforms
            .get(provision)
            .map_or(0, BTreeSet::len)
    }
}

/// Orders clauses so each platform appears once before any appears twice: a short list then
/// shows as many platforms as it can. Platforms, then clause ids, give a stable order.
fn spread_over_platforms(mut clauses: Vec<&Clause>) -> Vec<&Clause> {
    clauses.sort_by(|a, b| (&a.platform, &a.id).cmp(&(&b.platform, &b.id)));
    let mut rank: BTreeMap<&str, usize> = BTreeMap::new();
    let mut keyed: Vec<(usize, &Clause)> = clauses
        .into_iter()
        .map(|c| {
            let r = rank.entry(c.platform.as_str()).or_insert(0);
            *r += 1;
            (*r, c)
        })
        .collect();
    keyed.sort_by(|a, b| (a.0, &a.1.platform, &a.1.id).cmp(&(b.0, &b.1.platform, &b.1.id)));
    keyed.into_iter().map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn record<T: serde::de::DeserializeOwned>(yaml: &str) -> T {
        crate::yaml::parse(std::path::Path::new("t.yaml"), yaml, 1).unwrap()
    }

    fn clause(platform: &str, id: &str, provision: &str) -> Clause {
        Clause {
            id: id.into(),
            platform: platform.into(),
            path: Default::default(),
            alias_files: vec![],
            record: record(&format!(
                "{{title: {id}, document: d, provision: {provision}, excerpt: e, summary: s}}"
            )),
        }
    }

    fn site(clauses: Vec<Clause>, limit: usize) -> Site {
        let mut platforms: BTreeMap<String, Vec<Clause>> = BTreeMap::new();
        for c in clauses {
            platforms.entry(c.platform.clone()).or_default().push(c);
        }
        let provision = |id: &str, group: &str| Provision {
            id: id.into(),
            ..record(&format!("{{name: {id}, group: {group}}}"))
        };
        Site {
            config: record(&format!(
                "title: t\nbase_url: https://x.org/\nrelated_limit: {limit}"
            )),
            platforms: platforms
                .into_iter()
                .map(|(id, clauses)| Platform {
                    id,
                    record: record("name: n"),
                    documents: vec![],
                    clauses,
                })
                .collect(),
            provisions: vec![
                provision("spam", "abuse"),
                provision("scraping", "abuse"),
                provision("csam", "harm"),
            ],
            regulations: vec![],
            pages: vec![],
            theme: Theme::default(),
        }
    }

    fn ids(d: &Derived, s: &Site, platform: &str, id: &str) -> Vec<String> {
        let c = s
            .clauses()
            .find(|c| c.platform == platform && c.id == id)
            .unwrap();
        d.related(c)
            .iter()
            .map(|c| format!("{}/{}", c.platform, c.id))
            .collect()
    }

    #[test]
    fn same_provision_first_then_same_group_other_platforms_only() {
        let s = site(
            vec![
                clause("aws", "spam", "spam"),
                clause("aws", "spam2", "spam"),
                clause("b", "scrape", "scraping"),
                clause("c", "spam", "spam"),
                clause("c", "csam", "csam"),
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
        assert_eq!(d.provision_reach("spam"), 2);
        assert_eq!(d.provision_reach("csam"), 1);
    }

    #[test]
    fn limit_prefers_one_clause_per_platform() {
        let s = site(
            vec![
                clause("a", "x1", "spam"),
                clause("a", "x2", "spam"),
                clause("b", "y1", "spam"),
                clause("b", "y2", "spam"),
                clause("c", "z", "spam"),
            ],
            2,
        );
        let d = Derived::new(&s, &mut DeriveCache::default());
        assert_eq!(ids(&d, &s, "c", "z"), ["a/x1", "b/y1"]);
    }
}
