//! Derive: what the build computes from the validated model before rendering: document
//! histories, excerpt verification and the cross-references between clauses. Everything is
//! indexed by the model's resolved references, so nothing is looked up by id.

use crate::cache::{Disk, Part};
use crate::error::{Diagnostic, Kind};
use crate::hash::Key;
use crate::history::{History, Texts};
use crate::model::{Clause, ClauseRef, DocRef, Document, ProvisionIx, RegulationIx, Site};
use crate::verify::{BlockWords, State, Verification, verify};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

/// What `serve` keeps of earlier builds, by the key of everything each result depends on: a
/// rebuild recomputes only what an edit changed. A clean build keeps nothing, and a result
/// depends on its key's inputs alone, so reuse cannot change the output. The keys depend on
/// content alone, never on where a record is in the site: they name the on-disk cache's
/// entries as well.
#[derive(Debug, Default)]
pub(crate) struct DeriveCache {
    documents: HashMap<Key, Arc<Derivation>>,
    verifications: HashMap<(Key, Key), Arc<Verification>>,
}

/// A document's history, and the texts and diffs only its own pages show: those are made, or
/// read from the on-disk cache, when one of its pages is rendered, and dropped with it (only
/// [`History`] is kept for the site-wide pages).
#[derive(Debug)]
pub(crate) struct Derivation {
    /// The key of everything it depends on ([`document_key`]): it stands for the texts in the
    /// keys of the pages that show them.
    pub key: Key,
    pub history: History,
    /// The texts, when they were made with the history and are kept with it (no on-disk
    /// cache to read them from again).
    texts: Option<Texts>,
}

/// The texts one use of a derivation read or made: a build's rendering of a document's pages,
/// or one page `serve` renders. Dropped with that use, never with the shared [`Derivation`]:
/// `serve`, which indexes every document's page for search, would otherwise end up holding
/// every text of the archive.
#[derive(Debug, Default)]
struct Held {
    texts: OnceLock<Texts>,
    /// Held while the texts are being made, so the document's pages, rendered in parallel,
    /// make them once.
    making: Mutex<()>,
}

/// A document's entry in the on-disk cache, beside its texts: its history and the verification
/// of every excerpt that has quoted it, by the excerpt's key.
#[derive(Serialize, Deserialize)]
struct Stored {
    history: History,
    verifications: Vec<(Key, Arc<Verification>)>,
}

/// One document derived: its versions and the verification of the excerpts quoting it.
pub(crate) struct DocumentDerived<'a> {
    at: DocRef,
    document: &'a Document,
    disk: Option<&'a Disk>,
    pub derivation: Arc<Derivation>,
    /// The texts this use read or made, dropped with it.
    held: Held,
    /// Whether its history or a verification was made by this build, not found in a cache.
    pub fresh: bool,
    /// The clauses quoting the document, each with the key of its excerpt.
    verifications: Vec<(ClauseRef, Key, Arc<Verification>)>,
}

/// Cross-references between records, from the model alone: which clauses are of a provision
/// type or mapped to a regulation, and "how other platforms handle this".
#[derive(Debug)]
pub(crate) struct Relations {
    /// provision → the candidates for "how other platforms handle this" of its clauses, in
    /// display order: clauses of the provision type, then of its group. A clause's own list is
    /// taken from them when asked for, as most pages never show it.
    candidates: Vec<Vec<ClauseRef>>,
    /// How many related clauses a clause shows.
    related_limit: usize,
    /// provision → its clauses, platform by platform.
    provision_clauses: Vec<Vec<ClauseRef>>,
    /// provision → how many platforms have a clause of it.
    provision_reach: Vec<usize>,
    /// regulation → the clauses mapped to it.
    regulation_clauses: Vec<Vec<ClauseRef>>,
}

/// What the site-wide pages need of every document, once each has been derived and its own
/// pages written: histories without texts, and every excerpt's verification.
#[derive(Debug)]
pub(crate) struct Derived {
    /// platform → document → history.
    histories: Vec<Vec<History>>,
    /// platform → clause → verification of its excerpt.
    verifications: Vec<Vec<Arc<Verification>>>,
    /// Every version of every document, newest first ([`Derived::newest_first`]).
    all_versions: Vec<(DocRef, usize)>,
}

/// What a document's history depends on: its HTML selectors, its ignored text and every
/// snapshot.
fn document_key(d: &Document) -> Key {
    let snapshots: Vec<(&str, crate::text::SnapshotFormat, Key)> = d
        .snapshots
        .iter()
        .map(|s| (s.timestamp.as_str(), s.format, s.hash))
        .collect();
    Key::of(&(
        &d.record.select,
        &d.record.remove,
        &d.record.ignore,
        snapshots,
    ))
}

impl Derivation {
    fn new(key: Key, history: History, texts: Option<Texts>) -> Derivation {
        Derivation {
            key,
            history,
            texts,
        }
    }

    /// The texts of `d`'s versions (this derivation's document): kept, else held by this use,
    /// else read from the on-disk cache, else made again from the snapshots (and kept there).
    fn texts<'h>(
        &'h self,
        held: &'h Held,
        d: &Document,
        disk: Option<&Disk>,
    ) -> Result<&'h Texts, Diagnostic> {
        if let Some(t) = self.texts.as_ref().or(held.texts.get()) {
            return Ok(t);
        }
        let _making = held.making.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = held.texts.get() {
            return Ok(t);
        }
        let texts = match disk.and_then(|c| c.document(self.key, Part::Texts)) {
            Some(t) => t,
            None => derive(d, self.key, disk)?.1,
        };
        Ok(held.texts.get_or_init(|| texts))
    }
}

/// Derives `d`, whose key is `key`, from its snapshots, keeping its texts on `disk`.
fn derive(d: &Document, key: Key, disk: Option<&Disk>) -> Result<(History, Texts), Diagnostic> {
    let (history, texts) = History::of(d, |i| d.snapshots[i].text())?;
    if let Some(disk) = disk {
        disk.keep_document(key, Part::Texts, &texts);
    }
    Ok((history, texts))
}

impl DeriveCache {
    /// Derives the document at `at` and verifies the excerpts quoting it, reusing what this
    /// cache and the on-disk cache hold; what is new is kept on disk. The document's snapshots
    /// are read only if it must be derived; an error names the file.
    pub(crate) fn document<'a>(
        &self,
        site: &'a Site,
        at: DocRef,
        clauses: &[&Clause],
        disk: Option<&'a Disk>,
    ) -> Result<DocumentDerived<'a>, Diagnostic> {
        let d = &site[at];
        let key = document_key(d);
        let mut stored = HashMap::new();
        let mut changed = false;
        let derivation = if let Some(known) = self.documents.get(&key) {
            known.clone()
        } else if let Some(s) = disk.and_then(|c| c.document::<Stored>(key, Part::Summary)) {
            stored.extend(s.verifications);
            Arc::new(Derivation::new(key, s.history, None))
        } else {
            let (history, texts) = derive(d, key, disk)?;
            changed = true;
            Arc::new(Derivation::new(key, history, Some(texts)))
        };
        let held = Held::default();
        let mut words = None;
        let mut verifications = Vec::with_capacity(clauses.len());
        for c in clauses {
            let excerpt = c.record.excerpt_key();
            let known = (self.verifications.get(&(key, excerpt))).or(stored.get(&excerpt));
            let v = match known {
                Some(v) => v.clone(),
                None => {
                    let texts = derivation.texts(&held, d, disk)?;
                    let words =
                        words.get_or_insert_with(|| BlockWords::new(&derivation.history, texts));
                    changed = true;
                    Arc::new(verify(&c.record.excerpt, words))
                }
            };
            stored.entry(excerpt).or_insert_with(|| v.clone());
            verifications.push((c.at, excerpt, v));
        }
        drop(words);
        if let (Some(disk), true) = (disk, changed) {
            let entry = Stored {
                history: derivation.history.clone(),
                verifications: stored.into_iter().collect(),
            };
            disk.keep_document(key, Part::Summary, &entry);
        }
        Ok(DocumentDerived {
            at,
            document: d,
            disk,
            derivation,
            held,
            fresh: changed,
            verifications,
        })
    }

    /// Keeps `d` for the next build: without its texts when the on-disk cache holds them, so
    /// that `serve` holds a whole archive's histories, not its texts.
    pub(crate) fn keep(&mut self, d: &DocumentDerived) {
        let derivation = match (d.disk, &d.derivation.texts) {
            (Some(_), Some(_)) => Arc::new(Derivation::new(
                d.derivation.key,
                d.derivation.history.clone(),
                None,
            )),
            _ => d.derivation.clone(),
        };
        self.documents.insert(d.derivation.key, derivation);
        for (_, excerpt, v) in &d.verifications {
            self.verifications
                .insert((d.derivation.key, *excerpt), v.clone());
        }
    }
}

impl DocumentDerived<'_> {
    /// The texts of the document's versions, made or read if not yet held.
    pub(crate) fn texts(&self) -> Result<&Texts, Diagnostic> {
        self.derivation.texts(&self.held, self.document, self.disk)
    }

    /// What the site-wide pages need of it; the texts are dropped with `self`.
    pub(crate) fn summary(&self) -> Summary {
        Summary {
            at: self.at,
            history: self.derivation.history.clone(),
            verifications: self
                .verifications
                .iter()
                .map(|(c, _, v)| (*c, v.clone()))
                .collect(),
        }
    }
}

/// What is kept of a document once its pages are written.
pub(crate) struct Summary {
    at: DocRef,
    history: History,
    verifications: Vec<(ClauseRef, Arc<Verification>)>,
}

/// The clauses quoting each document, by document.
pub(crate) fn clauses_by_document(site: &Site) -> BTreeMap<DocRef, Vec<&Clause>> {
    let mut by_document: BTreeMap<DocRef, Vec<&Clause>> =
        site.documents().map(|(at, _)| (at, Vec::new())).collect();
    for c in site.clauses() {
        by_document.entry(c.document).or_default().push(c);
    }
    by_document
}

/// The clauses quoting the document at `at`: its entry of [`clauses_by_document`], found
/// without listing every document's (a document's clauses are its platform's, in their order).
pub(crate) fn clauses_of(site: &Site, at: DocRef) -> Vec<&Clause> {
    site[at.platform]
        .clauses
        .iter()
        .filter(|c| c.document == at)
        .collect()
}

impl Derived {
    /// Gathers the summaries of every document of `site`, in any order.
    pub(crate) fn new(site: &Site, documents: Vec<Summary>) -> Derived {
        let mut histories: Vec<Vec<History>> = site
            .platforms
            .iter()
            .map(|p| vec![History::default(); p.documents.len()])
            .collect();
        let mut checked: Vec<(ClauseRef, Arc<Verification>)> = Vec::new();
        for d in documents {
            histories[d.at.platform.0][d.at.index] = d.history;
            checked.extend(d.verifications);
        }
        // Every clause quotes one document: sorted, they are the site's clauses in order.
        checked.sort_unstable_by_key(|(c, _)| *c);
        let mut verifications: Vec<Vec<Arc<Verification>>> = site
            .platforms
            .iter()
            .map(|p| Vec::with_capacity(p.clauses.len()))
            .collect();
        for (c, v) in checked {
            verifications[c.platform.0].push(v);
        }
        let mut derived = Derived {
            histories,
            verifications,
            all_versions: Vec::new(),
        };
        let mut all: Vec<(DocRef, usize)> = site
            .documents()
            .flat_map(|(at, d)| (0..d.snapshots.len()).map(move |i| (at, i)))
            .collect();
        derived.newest_first(site, &mut all);
        derived.all_versions = all;
        derived
    }

    /// Orders versions newest first; ties by platform and document id.
    pub(crate) fn newest_first(&self, site: &Site, versions: &mut [(DocRef, usize)]) {
        let order = |&(at, i): &(DocRef, usize)| {
            let ts = &self.history(at).versions[i].timestamp;
            (std::cmp::Reverse(ts), &site[at.platform].id, &site[at].id)
        };
        versions.sort_by(|a, b| order(a).cmp(&order(b)));
    }

    /// Every version of every document, newest first.
    pub(crate) fn all_versions(&self) -> &[(DocRef, usize)] {
        &self.all_versions
    }

    /// The history of a document.
    pub(crate) fn history(&self, d: DocRef) -> &History {
        &self.histories[d.platform.0][d.index]
    }

    /// The verification of a clause's excerpt.
    pub(crate) fn verification(&self, c: ClauseRef) -> &Verification {
        &self.verifications[c.platform.0][c.index]
    }

    /// Clauses whose excerpt is in none of their document's snapshots (a warning in `build`, an
    /// error in `check`), or only in older ones (out of date: a warning in both).
    pub(crate) fn excerpt_warnings(&self, site: &Site) -> Vec<Diagnostic> {
        site.clauses()
            .filter_map(|c| {
                let versions = &self.history(c.document).versions;
                let v = self.verification(c.at);
                let (kind, message) = match (v.state, v.snapshot, versions.last()) {
                    (State::NotFound, ..) => (
                        Kind::ExcerptNotFound,
                        format!(
                            "excerpt not found in {} of document `{}` (compared after normalising quotes, whitespace, soft hyphens and emphasis){}",
                            match versions.len() {
                                1 => "its one snapshot".to_string(),
                                n => format!("any of the {n} snapshots"),
                            },
                            c.record.document,
                            v.closest.as_ref().map_or(String::new(), parting)
                        ),
                    ),
                    (State::Changed, Some(last), Some(latest)) => (
                        Kind::ExcerptChanged,
                        format!(
                            "excerpt out of date: clause `{}` quotes document `{}` as it read until the version of {} (snapshot {}), not as it reads in its latest version, of {}",
                            c.id,
                            c.record.document,
                            versions[last].timestamp.display_date(),
                            versions[last].timestamp.as_str(),
                            latest.timestamp.display_date()
                        ),
                    ),
                    _ => return None,
                };
                Some(Diagnostic::warning(
                    kind,
                    c.record.excerpt.origin(&c.path),
                    message,
                ))
            })
            .collect()
    }
}

/// Where an excerpt found nowhere parts from `closest`, its closest passage in the latest
/// version: the passage itself (its first words), and the first words that differ.
fn parting(closest: &crate::verify::Closest) -> String {
    let few = |text: &str, n: usize| {
        let words: Vec<&str> = text.split_whitespace().collect();
        let more = if words.len() > n { " …" } else { "" };
        format!("{}{more}", words[..words.len().min(n)].join(" "))
    };
    let mut out = format!(
        "; the closest passage of the latest version reads \"{}\"",
        few(&closest.passage, 30)
    );
    if let Some((ours, theirs)) = &closest.parting {
        let difference = match (ours.is_empty(), theirs.is_empty()) {
            (false, false) => format!(
                ", and has \"{}\" where the excerpt has \"{}\"",
                few(theirs, 8),
                few(ours, 8)
            ),
            (false, true) => format!(", and lacks the excerpt's \"{}\"", few(ours, 8)),
            _ => format!(
                ", and has \"{}\" inside the excerpt's words",
                few(theirs, 8)
            ),
        };
        out.push_str(&difference);
    }
    out
}

impl Relations {
    /// The cross-references of `site`'s records.
    pub(crate) fn new(site: &Site) -> Relations {
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
        Relations {
            candidates: candidates(site, &provision_clauses),
            related_limit: site.config.related_limit,
            provision_clauses,
            provision_reach,
            regulation_clauses,
        }
    }

    /// The clauses shown under "How other platforms handle this" for `c`: its candidates from
    /// other platforms only, at most `related_limit`. Leaving out one platform's clauses does
    /// not change the order of the rest (ranks are per platform), so this is the order the
    /// clause's own list would have.
    pub(crate) fn related(&self, c: &Clause) -> impl Iterator<Item = ClauseRef> + '_ {
        let platform = c.at.platform;
        self.candidates[c.provision.0]
            .iter()
            .filter(move |x| x.platform != platform)
            .take(self.related_limit)
            .copied()
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

/// Each provision type's candidates for "how other platforms handle this": clauses of the same
/// provision type first, then of the same group, each list ordered once.
fn candidates(site: &Site, by_provision: &[Vec<ClauseRef>]) -> Vec<Vec<ClauseRef>> {
    let group_of = |p: usize| site.provisions[p].record.group.as_deref();
    (0..by_provision.len())
        .map(|prov| {
            let group = group_of(prov);
            let others: Vec<ClauseRef> = (0..by_provision.len())
                .filter(|&other| other != prov && group.is_some() && group_of(other) == group)
                .flat_map(|other| by_provision[other].iter().copied())
                .collect();
            let mut list = spread_over_platforms(site, by_provision[prov].clone());
            list.extend(spread_over_platforms(site, others));
            list
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
            edit_url: None,
            changed: Default::default(),
        }
    }

    fn ids(d: &Relations, s: &Site, platform: &str, id: &str) -> Vec<String> {
        let c = s
            .clauses()
            .find(|c| *s[c.at.platform].id == *platform && *c.id == *id)
            .unwrap();
        d.related(c)
            .map(|r| format!("{}/{}", s[r.platform].id, s[r].id))
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
        let d = Relations::new(&s);
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
        let d = Relations::new(&s);
        assert_eq!(ids(&d, &s, "c", "z"), ["a/x1", "b/y1"]);
    }
}
