//! Excerpt verification and clause histories (docs/reference.md, "What the build derives"): is
//! the quoted excerpt in the document as it reads now, since when, and how did the passage it
//! quotes change?

use crate::diff::{Op, Segment, word_segments};
use crate::history::{Class, History, Texts, VersionText};
use crate::text::match_form;
use memchr::memmem::Finder;
use rustc_hash::FxHasher;
use serde::{Deserialize, Serialize};
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::hash::Hasher;
use std::rc::Rc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum State {
    /// In the latest snapshot, or, when that is noise, in the latest version that is not.
    Verified,
    /// Only in older versions: the clause's wording has changed since.
    Changed,
    /// In no version.
    NotFound,
    /// The document has no snapshots.
    NoSnapshots,
}

/// A change of the quoted passage, at a version that changed the document in substance.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct PassageChange {
    pub version: usize,
    pub segments: Vec<Segment>,
    pub words_added: usize,
    pub words_removed: usize,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Verification {
    pub state: State,
    /// The version the excerpt was verified against (or, when changed, last found in).
    pub snapshot: Option<usize>,
    /// The first version that holds the excerpt.
    pub first_seen: Option<usize>,
    /// How the passage changed, oldest first.
    pub changes: Vec<PassageChange>,
    /// For an excerpt found nowhere: the passage of the current version holding most of its
    /// words, to show where the quote and the document part.
    pub closest: Option<Closest>,
}

/// The passage closest to an excerpt found nowhere, and where the excerpt first parts from it
/// ([`first_difference`]): found once, when the excerpt is verified, for every warning.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Closest {
    pub passage: String,
    pub parting: Option<(String, String)>,
}

/// Share of the excerpt's words a passage must hold to count as the same passage reworded.
const MIN_OVERLAP: f64 = 0.5;

/// The words of a text, without punctuation and case, for comparing passages: each word's
/// hash, sorted and without repeats, so two texts are compared by merging two short lists
/// instead of building a set of strings for every block of every version for every clause.
/// The hashes are compared only with each other, in memory: a fast hash serves.
fn words(text: &str) -> Vec<u64> {
    // Each word in small letters, in one buffer rather than a string per word.
    let mut lower = Vec::new();
    let mut keys: Vec<u64> = text
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(|w| {
            lower.clear();
            if w.is_ascii() {
                lower.extend(w.bytes().map(|b| b.to_ascii_lowercase()));
            } else {
                lower.extend_from_slice(w.to_lowercase().as_bytes());
            }
            let mut h = FxHasher::default();
            h.write(&lower);
            h.finish()
        })
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Appends the positions in `excerpt` (sorted keys) of the keys of `block` (sorted keys) it
/// holds.
fn hits(excerpt: &[u64], block: &[u64], out: &mut Vec<u32>) {
    let (mut i, mut j) = (0, 0);
    while i < excerpt.len() && j < block.len() {
        match excerpt[i].cmp(&block[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(i as u32);
                i += 1;
                j += 1;
            }
        }
    }
}

/// How many distinct positions two sorted lists of positions hold together.
fn union_len(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => (i, j) = (i + 1, j + 1),
            (Some(x), Some(y)) if x < y => i += 1,
            (Some(_), None) => i += 1,
            _ => j += 1,
        }
        n += 1;
    }
    n
}

/// Each version's blocks as word keys ([`words`]), made the first time an excerpt is looked
/// for in that version: shared by the clauses quoting one document, and dropped with them. A
/// block's keys are made once for all the versions that hold its text (most of a version's
/// blocks are its previous version's).
pub(crate) struct BlockWords<'h> {
    history: &'h History,
    texts: &'h Texts,
    versions: Vec<OnceCell<Vec<Rc<[u64]>>>>,
    by_text: RefCell<HashMap<&'h str, Rc<[u64]>>>,
}

impl<'h> BlockWords<'h> {
    /// An empty index of `history`'s versions, whose texts are `texts`.
    pub(crate) fn new(history: &'h History, texts: &'h Texts) -> BlockWords<'h> {
        BlockWords {
            history,
            texts,
            versions: history.versions.iter().map(|_| OnceCell::new()).collect(),
            by_text: RefCell::default(),
        }
    }

    /// The word keys of each block of version `i`.
    fn of(&self, i: usize) -> &[Rc<[u64]>] {
        self.versions[i].get_or_init(|| {
            let v: &'h VersionText = &self.texts.versions[i];
            let mut by_text = self.by_text.borrow_mut();
            v.block_ranges
                .iter()
                .map(|r| {
                    let text = &v.search_text[r.clone()];
                    by_text
                        .entry(text)
                        .or_insert_with(|| words(text).into())
                        .clone()
                })
                .collect()
        })
    }
}

/// Where `excerpt` is in `blocks`' history, and how its passage changed.
pub(crate) fn verify(excerpt: &str, blocks: &BlockWords) -> Verification {
    let history = blocks.history;
    let needle = match_form(excerpt);
    let (Some(latest), Some(current)) = (history.versions.len().checked_sub(1), history.current())
    else {
        return Verification {
            state: State::NoSnapshots,
            snapshot: None,
            first_seen: None,
            changes: Vec::new(),
            closest: None,
        };
    };
    // One searcher for every version's text (SIMD, quicker than `str::contains`).
    let finder = Finder::new(&needle);
    let mut found_in: HashMap<u64, bool> = HashMap::new();
    let found: Vec<bool> = blocks
        .texts
        .versions
        .iter()
        .map(|v| {
            *found_in.entry(v.search_key).or_insert_with(|| {
                !needle.is_empty() && finder.find(v.search_text.as_bytes()).is_some()
            })
        })
        .collect();
    let first_seen = found.iter().position(|&f| f);
    // The latest snapshot, or when that is noise (an error page, say) the latest one that is not.
    let (state, snapshot) = if found[latest] {
        (State::Verified, Some(latest))
    } else if found[current] {
        (State::Verified, Some(current))
    } else if let Some(last) = found.iter().rposition(|&f| f) {
        (State::Changed, Some(last))
    } else {
        (State::NotFound, None)
    };
    Verification {
        state,
        snapshot,
        first_seen,
        changes: passage_changes(&needle, blocks, &found),
        closest: (state == State::NotFound)
            .then(|| {
                let texts = &blocks.texts.versions[current];
                best_passage(&words(&needle), texts, blocks.of(current))
            })
            .flatten()
            .map(|passage| Closest {
                parting: first_difference(excerpt, &passage),
                passage,
            }),
    }
}

/// Where `excerpt` first parts from `passage` (its closest passage), word by word: the words the
/// excerpt has there, and those the passage has instead (either may be empty). The passage's
/// words before the excerpt's first word are its context, not a difference.
fn first_difference(excerpt: &str, passage: &str) -> Option<(String, String)> {
    let (segments, ..) = word_segments(&match_form(excerpt), passage);
    let (mut started, mut ours, mut theirs) = (false, String::new(), String::new());
    for s in segments {
        match s.op {
            // The excerpt goes on past a run of words only one of the two has: that run is it.
            Op::Equal if !ours.is_empty() || (started && !theirs.is_empty()) => {
                return Some((ours.trim().to_string(), theirs.trim().to_string()));
            }
            Op::Equal => {
                started = true;
                theirs.clear();
            }
            Op::Delete => ours.push_str(&s.text),
            Op::Insert => theirs.push_str(&s.text),
        }
    }
    // At the end, the passage's words after the excerpt's last are context; the excerpt's
    // own are a difference.
    (!ours.trim().is_empty()).then(|| (ours.trim().to_string(), theirs.trim().to_string()))
}

/// Follows the passage through the versions that are not noise or formatting.
fn passage_changes(needle: &str, blocks: &BlockWords, found: &[bool]) -> Vec<PassageChange> {
    let words = words(needle);
    let history = blocks.history;
    let mut changes = Vec::new();
    let mut previous: Option<String> = None;
    let mut started = false;
    for (i, v) in history.versions.iter().enumerate() {
        if !matches!(v.class, Class::First | Class::Substantive) {
            continue;
        }
        let passage = if found[i] {
            Some(needle.to_string())
        } else {
            best_passage(&words, &blocks.texts.versions[i], blocks.of(i))
        };
        if started && passage != previous {
            let (segments, words_added, words_removed) = word_segments(
                previous.as_deref().unwrap_or(""),
                passage.as_deref().unwrap_or(""),
            );
            changes.push(PassageChange {
                version: i,
                segments,
                words_added,
                words_removed,
            });
        }
        started = true;
        previous = passage;
    }
    changes
}

/// The block, or pair of adjacent blocks, holding most of the excerpt's words.
fn best_passage(excerpt: &[u64], v: &VersionText, blocks: &[Rc<[u64]>]) -> Option<String> {
    if excerpt.is_empty() {
        return None;
    }
    let text = |r: std::ops::Range<usize>| &v.search_text[r];
    // Each block's hits, one after the other in one list: block i's end at `ends[i]`.
    let (mut all, mut ends) = (Vec::new(), Vec::with_capacity(blocks.len()));
    for b in blocks {
        hits(excerpt, b, &mut all);
        ends.push(all.len());
    }
    let hits = |i: usize| &all[i.checked_sub(1).map_or(0, |p| ends[p])..ends[i]];
    let score = |n: usize| n as f64 / excerpt.len() as f64;
    let mut best: Option<(f64, std::ops::Range<usize>)> = None;
    for (i, r) in v.block_ranges.iter().enumerate() {
        // The pair's text has a space between the two blocks, so its words are the union of
        // theirs.
        let pair = v.block_ranges.get(i + 1).map(|next| {
            let both = union_len(hits(i), hits(i + 1));
            (score(both), r.start..next.end)
        });
        let single = (score(hits(i).len()), r.clone());
        for (s, c) in std::iter::once(single).chain(pair) {
            // Better by score, and on a tie the shorter passage: no heading or neighbour more.
            let better = best
                .as_ref()
                .is_none_or(|(b, r)| s > *b || (s == *b && c.len() < r.len()));
            if better {
                best = Some((s, c));
            }
        }
    }
    best.filter(|(s, _)| *s >= MIN_OVERLAP)
        .map(|(_, r)| text(r).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(versions: &[&str]) -> (History, Texts) {
        let hashes: Vec<u64> = (0..versions.len() as u64).collect();
        let document = crate::history::tests::markdown_document(&hashes);
        History::of(&document, |i| Ok::<_, ()>(versions[i].to_string())).unwrap()
    }

    fn check(excerpt: &str, (history, texts): &(History, Texts)) -> Verification {
        verify(excerpt, &BlockWords::new(history, texts))
    }

    #[test]
    fn verified_changed_not_found_no_snapshots() {
        let h = history(&[
            "# P\n\nYou must not send spam.\n\nOther rule.",
            "# P\n\nYou must never send **spam** or junk.\n\nOther rule.",
        ]);
        let v = check("You must never send spam or junk.", &h);
        assert_eq!(
            (v.state, v.snapshot, v.first_seen),
            (State::Verified, Some(1), Some(1))
        );
        let c = check("You must not send spam.", &h);
        assert_eq!(
            (c.state, c.snapshot, c.first_seen),
            (State::Changed, Some(0), Some(0))
        );
        assert_eq!(check("Nothing like this.", &h).state, State::NotFound);
        assert_eq!(check("x", &Default::default()).state, State::NoSnapshots);
    }

    #[test]
    fn history_follows_the_reworded_passage() {
        let h = history(&[
            "# P\n\nYou must not send spam.\n\nOther rule.",
            "# P\n\nYou must not send spam.\n\nOther rule changed a lot here.",
            "# P\n\nYou must never send spam or junk.\n\nOther rule changed a lot here.",
        ]);
        let v = check("You must never send spam or junk.", &h);
        assert_eq!(v.changes.len(), 1, "{:?}", v.changes);
        let c = &v.changes[0];
        assert_eq!(c.version, 2);
        assert_eq!(
            (c.words_added, c.words_removed),
            (3, 1),
            "not → never, + or junk"
        );
    }

    #[test]
    fn noise_versions_do_not_count_as_passage_changes() {
        let policy = "# Policy\n\nYou must not send spam. You must not attack our systems or scrape our pages.";
        let error = "This page isn't available";
        let h = history(&[policy, error, policy, error]);
        let v = check("You must not send spam.", &h);
        assert_eq!(v.state, State::Verified);
        assert_eq!(
            v.snapshot,
            Some(0),
            "the latest snapshot is an error page: the policy as it was"
        );
        assert!(v.changes.is_empty(), "{:?}", v.changes);
    }
}
