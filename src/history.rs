//! Document histories: every version's visible text, its class (SPEC §3) and its word-level
//! diff. Versions are extracted and diffed in parallel, and each is compared with one earlier
//! version only, so a long history costs linear time.

use crate::diff::{VersionDiff, diff};
use crate::effective::{self, Stated};
use crate::model::Document;
use crate::text::{DocText, Keys};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// The first snapshot.
    First,
    /// The visible text is the same as the previous version's.
    Formatting,
    /// The text returns to an earlier version's, or only dates and counters changed.
    Noise,
    /// Anything else: a change a reader should know about.
    Substantive,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::First => "first",
            Class::Formatting => "formatting",
            Class::Noise => "noise",
            Class::Substantive => "substantive",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Version {
    pub class: Class,
    /// The version this one is compared with: the previous one, except for a substantive
    /// change, which is compared with the last version that was not noise (so a policy that
    /// returns from an error page with new wording is compared with its own earlier wording).
    pub baseline: Option<usize>,
    pub diff: VersionDiff,
    pub text: DocText,
    /// The text in the form excerpts are searched in (SPEC §3 normalisation): each block's
    /// form, joined by spaces.
    pub search_text: String,
    /// Where each block is in `search_text`, to pick the passage that best matches an excerpt.
    pub block_ranges: Vec<Range<usize>>,
    /// Equal for versions with equal `search_text`: a search is made once per distinct text.
    pub search_key: u64,
    /// The date the version states for itself, shown beside when it was observed; versions
    /// stay in the order they were observed whatever it says.
    pub effective: Option<Stated>,
}

#[derive(Debug, Clone, Default)]
pub struct History {
    /// Oldest first, one per snapshot of the document.
    pub versions: Vec<Version>,
}

impl History {
    pub fn of(document: &Document) -> History {
        let texts: Vec<DocText> = document
            .snapshots
            .par_iter()
            .map(|s| DocText::of(s, document))
            .collect();
        let prepared: Vec<(Key, Keys)> = texts
            .par_iter()
            .map(|t| {
                let k = t.keys();
                let key = Key {
                    visible: hash(&k.visible),
                    masked: hash(&k.masked),
                    words: t.word_count(),
                };
                (key, k)
            })
            .collect();
        let (keys, search): (Vec<Key>, Vec<Keys>) = prepared.into_iter().unzip();
        let stated: Vec<Option<Stated>> = texts.par_iter().map(effective::stated).collect();
        let plan = classify(&keys);
        let diffs: Vec<VersionDiff> = plan
            .par_iter()
            .enumerate()
            .map(|(i, (_, baseline))| {
                baseline.map_or_else(VersionDiff::default, |b| diff(&texts[b], &texts[i]))
            })
            .collect();
        let versions = texts
            .into_iter()
            .zip(plan)
            .zip(diffs)
            .zip(search)
            .zip(stated)
            .map(
                |((((text, (class, baseline)), diff), k), effective)| Version {
                    class,
                    baseline,
                    diff,
                    text,
                    search_key: hash(&k.search),
                    search_text: k.search,
                    block_ranges: k.block_ranges,
                    effective,
                },
            )
            .collect();
        History { versions }
    }

    /// How many times the document changed in substance since its first snapshot.
    pub fn substantive_changes(&self) -> usize {
        self.versions
            .iter()
            .filter(|v| v.class == Class::Substantive)
            .count()
    }

    /// The latest version that is not noise: what the document says now.
    pub fn current(&self) -> Option<usize> {
        self.versions.iter().rposition(|v| v.class != Class::Noise)
    }
}

fn hash(s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// What the classifier needs to know of a version's text.
#[derive(Debug, Clone, Copy)]
struct Key {
    /// Hash of the visible text.
    visible: u64,
    /// Hash of the visible text with dates and counters masked.
    masked: u64,
    words: usize,
}

/// Each version's class and baseline.
fn classify(keys: &[Key]) -> Vec<(Class, Option<usize>)> {
    let mut classes = Vec::with_capacity(keys.len());
    let mut seen: HashSet<u64> = HashSet::new();
    for (i, k) in keys.iter().enumerate() {
        let class = if i == 0 {
            Class::First
        } else if k.visible == keys[i - 1].visible {
            Class::Formatting
        } else if seen.contains(&k.visible) || k.masked == keys[i - 1].masked {
            Class::Noise
        } else if i >= 1
            && keys
                .get(i + 1)
                .is_some_and(|next| next.visible == keys[i - 1].visible)
            && k.words * 2 < keys[i - 1].words
        {
            // Replaced by a much shorter text that the next version reverts: a transient
            // glitch such as an error page, not a change of the policy.
            Class::Noise
        } else {
            Class::Substantive
        };
        seen.insert(k.visible);
        classes.push(class);
    }
    let mut current = 0;
    classes
        .into_iter()
        .enumerate()
        .map(|(i, class)| {
            let baseline = match class {
                Class::First => None,
                Class::Substantive => {
                    let b = current;
                    current = i;
                    Some(b)
                }
                Class::Formatting => {
                    if current == i - 1 {
                        current = i;
                    }
                    Some(i - 1)
                }
                Class::Noise => Some(i - 1),
            };
            (class, baseline)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Class::*;

    fn keys(spec: &[(u64, u64, usize)]) -> Vec<(Class, Option<usize>)> {
        classify(
            &spec
                .iter()
                .map(|&(visible, masked, words)| Key {
                    visible,
                    masked,
                    words,
                })
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn flapping_returns_are_noise_and_changes_compare_with_the_last_real_text() {
        // error page E first, then policy A, alternating, then a new policy B.
        let (a, e, b) = ((1, 1, 500), (2, 2, 5), (3, 3, 520));
        assert_eq!(
            keys(&[e, a, e, a, e, b]),
            [
                (First, None),
                (Substantive, Some(0)),
                (Noise, Some(1)),
                (Noise, Some(2)),
                (Noise, Some(3)),
                (Substantive, Some(1))
            ]
        );
    }

    #[test]
    fn a_short_transient_text_reverted_at_once_is_noise() {
        let (a, e) = ((1, 1, 500), (2, 2, 5));
        assert_eq!(
            keys(&[a, e, a]),
            [(First, None), (Noise, Some(0)), (Noise, Some(1))]
        );
        // A real change reverted later is not a glitch: it is as long as the text it replaced.
        let (b, c) = ((3, 3, 480), (4, 4, 510));
        assert_eq!(
            keys(&[a, b, a, c]),
            [
                (First, None),
                (Substantive, Some(0)),
                (Noise, Some(1)),
                (Substantive, Some(1))
            ]
        );
    }

    #[test]
    fn dates_only_and_formatting() {
        assert_eq!(
            keys(&[(1, 10, 9), (2, 10, 9), (2, 10, 9), (3, 11, 9)]),
            [
                (First, None),
                (Noise, Some(0)),
                (Formatting, Some(1)),
                (Substantive, Some(0))
            ]
        );
    }
}
