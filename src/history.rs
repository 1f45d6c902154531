//! Document histories: every version's visible text, its class (SPEC §3) and its word-level
//! diff. Versions are extracted and diffed in parallel, and each is compared with one earlier
//! version only, so a long history costs linear time.

use crate::diff::{VersionDiff, diff};
use crate::model::Document;
use crate::text::{DocText, match_form};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

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
    /// The text in the form excerpts are searched in (SPEC §3 normalisation).
    pub search_text: String,
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
        let keys: Vec<(u64, u64)> = texts
            .par_iter()
            .map(|t| (hash(&t.visible_key()), hash(&t.masked_key())))
            .collect();
        let plan = classify(&keys);
        let diffs: Vec<VersionDiff> = plan
            .par_iter()
            .enumerate()
            .map(|(i, (_, baseline))| {
                baseline.map_or_else(VersionDiff::default, |b| diff(&texts[b], &texts[i]))
            })
            .collect();
        let search: Vec<String> = texts.par_iter().map(search_form).collect();
        let versions = texts
            .into_iter()
            .zip(plan)
            .zip(diffs)
            .zip(search)
            .map(|(((text, (class, baseline)), diff), search_text)| Version {
                class,
                baseline,
                diff,
                text,
                search_text,
            })
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

fn search_form(text: &DocText) -> String {
    let joined: Vec<&str> = text.blocks.iter().map(|b| b.text.as_str()).collect();
    match_form(&joined.join(" "))
}

fn hash(s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// Each version's class and baseline from its (visible, masked) text keys.
fn classify(keys: &[(u64, u64)]) -> Vec<(Class, Option<usize>)> {
    let mut out = Vec::with_capacity(keys.len());
    let mut seen: HashMap<u64, usize> = HashMap::new();
    let mut current = 0;
    for (i, &(visible, masked)) in keys.iter().enumerate() {
        let entry = if i == 0 {
            (Class::First, None)
        } else if visible == keys[i - 1].0 {
            if current == i - 1 {
                current = i;
            }
            (Class::Formatting, Some(i - 1))
        } else if seen.contains_key(&visible) || masked == keys[i - 1].1 {
            (Class::Noise, Some(i - 1))
        } else {
            let baseline = current;
            current = i;
            (Class::Substantive, Some(baseline))
        };
        seen.entry(visible).or_insert(i);
        out.push(entry);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use Class::*;

    fn classes(keys: &[(u64, u64)]) -> Vec<(Class, Option<usize>)> {
        classify(keys)
    }

    #[test]
    fn flapping_returns_are_noise_and_changes_compare_with_the_last_real_text() {
        // policy A, error page E, A again, E again, then a new policy B.
        let (a, e, b) = ((1, 1), (2, 2), (3, 3));
        assert_eq!(
            classes(&[a, e, a, e, b]),
            [
                (First, None),
                (Substantive, Some(0)),
                (Noise, Some(1)),
                (Noise, Some(2)),
                (Substantive, Some(1))
            ]
        );
    }

    #[test]
    fn dates_only_and_formatting() {
        // same masked key (dates only), same visible key (formatting)
        assert_eq!(
            classes(&[(1, 10), (2, 10), (2, 10), (3, 11)]),
            [
                (First, None),
                (Noise, Some(0)),
                (Formatting, Some(1)),
                (Substantive, Some(0))
            ]
        );
    }
}
