//! Document histories: every version's visible text, its class (docs/reference.md, "What the
//! build derives") and its word-level diff. Versions are extracted and diffed in parallel, and
//! each is compared with one earlier version only, so a long history costs linear time.

use crate::diff::{DiffBlock, Op, VersionDiff, WordForms, diff, word_key};
use crate::effective::{self, Stated};
use crate::hash::hash_of;
use crate::ids::Timestamp;
use crate::model::Document;
use crate::text::{self, Block, BlockForms, DocText, Keys};
use crate::yaml::Located;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::ops::Range;

/// What a version is, compared with the document's earlier versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    /// Its name, as pages and the API write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::First => "first",
            Class::Formatting => "formatting",
            Class::Noise => "noise",
            Class::Substantive => "substantive",
        }
    }
}

/// One version of a document as every page but its own shows it: when, what it is and how much
/// changed. It is all a build keeps of a version once the version's pages are written.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Version {
    /// When the archive observed it (its snapshot's name).
    pub timestamp: Timestamp,
    /// What it is.
    pub class: Class,
    /// The version this one is compared with: the previous one, except for a version whose
    /// words changed after noise, which is compared with whichever of the last version that was
    /// not noise and the previous one it differs from least (so a policy that returns from an
    /// error page with new wording is compared with its own earlier wording).
    pub baseline: Option<usize>,
    /// Words added against `baseline`.
    pub words_added: usize,
    /// Words removed against `baseline`.
    pub words_removed: usize,
    /// The headings of the sections that changed.
    pub sections: Vec<String>,
    /// The date the version states for itself, shown beside when it was observed; versions
    /// stay in the order they were observed whatever it says.
    pub effective: Option<Stated>,
}

/// A version's text and diff: what its own page shows and excerpts are looked for in. Held
/// only while the document's pages are made, so a build's memory does not grow with its
/// archive.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VersionText {
    /// Its visible text.
    pub text: DocText,
    /// What changed against the version's baseline, block by block.
    pub diff: Vec<DiffBlock>,
    /// The text in the form excerpts are searched in ([`crate::text::match_form`]): each
    /// block's form, joined by spaces.
    pub search_text: String,
    /// Where each block is in `search_text`, to pick the passage that best matches an excerpt.
    pub block_ranges: Vec<Range<usize>>,
    /// Equal for versions with equal `search_text`: a search is made once per distinct text.
    pub search_key: u64,
}

/// A document's versions, classed and diffed.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct History {
    /// Oldest first, one per snapshot of the document.
    pub versions: Vec<Version>,
}

/// The texts and diffs of a document's versions, in the order of [`History::versions`].
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Texts {
    /// One per version.
    pub versions: Vec<VersionText>,
}

impl History {
    /// Extracts, classes and diffs every snapshot of `document`, in parallel. `source(i)` is
    /// the text of snapshot `i`: each is read when it is extracted and dropped right after, so
    /// only the visible texts are held at once. A page that flaps between a few texts repeats
    /// them: a snapshot is extracted once per content (by its hash, which the caches trust too),
    /// and a text keyed, dated and diffed once however many versions hold it.
    pub fn of<E: Send>(
        document: &Document,
        source: impl Fn(usize) -> Result<String, E> + Sync,
    ) -> Result<(History, Texts), E> {
        let values = |entries: &[Located<String>]| -> Vec<String> {
            entries.iter().map(|e| e.value.clone()).collect()
        };
        let r = &document.record;
        let (select, remove, ignore) = (values(&r.select), values(&r.remove), values(&r.ignore));
        let snapshots = &document.snapshots;
        let same_snapshot = first_equal(snapshots.iter().map(|s| (s.hash, s.format)));
        let texts = snapshots
            .par_iter()
            .enumerate()
            .map(|(i, s)| {
                (same_snapshot[i] == i)
                    .then(|| {
                        let blocks =
                            text::extract(&source(i)?, s.format, &select, &remove, &ignore);
                        Ok(DocText { blocks })
                    })
                    .transpose()
            })
            .collect::<Result<_, E>>()?;
        let texts = spread(texts, &same_snapshot);
        let same = first_equal(texts.iter());
        let (keys, search) = Key::all(&texts, &same);
        let stated = once_each(&texts, &same, effective::stated);
        let flapping = flapping_blocks(&keys);
        let (plan, diffs) = plan_with_diffs(&keys, &texts, &same, &flapping);
        let (versions, texts) = texts
            .into_iter()
            .zip(plan)
            .zip(search)
            .zip(stated)
            .zip(&document.snapshots)
            .enumerate()
            .map(|(i, ((((text, step), k), effective), snapshot))| {
                let diff = step
                    .baseline
                    .and_then(|b| diffs.get(b, i).cloned())
                    .unwrap_or_default();
                let version = Version {
                    timestamp: snapshot.timestamp.clone(),
                    class: step.class,
                    baseline: step.baseline,
                    words_added: diff.words_added,
                    words_removed: diff.words_removed,
                    sections: diff.sections,
                    effective,
                };
                let text = VersionText {
                    text,
                    diff: diff.blocks,
                    search_key: hash_of(&k.search),
                    search_text: k.search,
                    block_ranges: k.block_ranges,
                };
                (version, text)
            })
            .unzip();
        Ok((History { versions }, Texts { versions: texts }))
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

/// What the classifier needs to know of a version's text.
#[derive(Debug, Clone)]
struct Key {
    /// Hash of its words, as diffs compare them ([`word_key`]).
    words: u64,
    /// The same for each of its blocks ([`block_hash`]).
    blocks: Vec<u64>,
    /// The same with dates and counters masked.
    masked: u64,
    count: usize,
    /// The text is the previous version's cut short: its blocks are the previous ones' first
    /// blocks, the last of them possibly cut (a page that stopped loading).
    truncated: bool,
}

/// What the keys need of a block: its words and their key, its word count, its forms, and the
/// words of its folded form where folding changed them.
struct BlockFacts<'a> {
    words: WordForms,
    key: u64,
    count: usize,
    forms: BlockForms<'a>,
    folded_words: Option<WordForms>,
}

impl<'a> BlockFacts<'a> {
    fn of(block: &'a Block) -> BlockFacts<'a> {
        let words = WordForms::of(&block.text);
        let forms = BlockForms::of(&block.text);
        let folded_words = match &forms.folded {
            Cow::Borrowed(_) => None,
            Cow::Owned(folded) => Some(WordForms::of(folded)).filter(|f| *f != words),
        };
        BlockFacts {
            key: words.key(),
            words,
            count: block.word_count(),
            forms,
            folded_words,
        }
    }
}

impl Key {
    /// The key of a version, from the facts of its blocks, and the forms of its text it was
    /// computed from.
    fn of(blocks: &[&BlockFacts]) -> (Key, Keys) {
        let k = Keys::of(blocks.iter().map(|b| &b.forms));
        let words = WordForms::key_of_all(blocks.iter().map(|b| &b.words));
        // Most texts have nothing to mask: the masked text is then the folded blocks joined by
        // spaces, which has the folded blocks' words, so it is not read again.
        let masked = if k.masked == k.visible {
            let folded = blocks
                .iter()
                .map(|b| b.folded_words.as_ref().unwrap_or(&b.words));
            WordForms::key_of_all(folded)
        } else {
            word_key(std::iter::once(k.masked.as_str()))
        };
        let key = Key {
            words,
            blocks: blocks.iter().map(|b| b.key).collect(),
            masked,
            count: blocks.iter().map(|b| b.count).sum(),
            truncated: false,
        };
        (key, k)
    }

    /// The keys of a history's versions, and the forms of their texts; `same[i]` is the first
    /// version with the text of version `i`, whose keys it shares. Most blocks of a version are
    /// its previous version's: each distinct block is read once for all the versions.
    fn all<'t>(texts: &'t [DocText], same: &[usize]) -> (Vec<Key>, Vec<Keys>) {
        let mut index: FxHashMap<&str, usize> = FxHashMap::default();
        let mut distinct: Vec<&Block> = Vec::new();
        let mut id = |b: &'t Block| {
            *index.entry(&b.text).or_insert_with(|| {
                distinct.push(b);
                distinct.len() - 1
            })
        };
        let ids: Vec<Option<Vec<usize>>> = (0..texts.len())
            .map(|t| (same[t] == t).then(|| texts[t].blocks.iter().map(&mut id).collect()))
            .collect();
        let facts: Vec<BlockFacts> = distinct.par_iter().map(|b| BlockFacts::of(b)).collect();
        let prepared: Vec<Option<(Key, Keys)>> = ids
            .par_iter()
            .map(|ids| {
                let ids = ids.as_ref()?;
                Some(Key::of(&ids.iter().map(|&i| &facts[i]).collect::<Vec<_>>()))
            })
            .collect();
        let (mut keys, search): (Vec<Key>, Vec<Keys>) = spread(prepared, same).into_iter().unzip();
        for (k, pair) in keys.iter_mut().skip(1).zip(texts.windows(2)) {
            k.truncated = truncates(&pair[0], &pair[1]);
        }
        (keys, search)
    }
}

/// Whether `new` is `old` cut short: all but its last block are `old`'s first blocks, and its
/// last block begins the next one of `old` (Binance Terms of Service, 2025: pages that stopped
/// loading at "This includes: a.").
fn truncates(old: &DocText, new: &DocText) -> bool {
    let Some((last, whole)) = new.blocks.split_last() else {
        return false;
    };
    new.blocks.len() <= old.blocks.len()
        && whole.iter().zip(&old.blocks).all(|(n, o)| n.text == o.text)
        && old.blocks[whole.len()].text.starts_with(&last.text)
        && (new.blocks.len() < old.blocks.len()
            || last.text.len() < old.blocks[whole.len()].text.len())
}

/// A version's class, the version it is compared with, and whether the class was judged from
/// that comparison (`false`: from the keys alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Step {
    class: Class,
    baseline: Option<usize>,
    /// For a version still to be judged whose previous version is not its baseline (it came
    /// after noise): the previous version, the other text it may be compared with.
    previous: Option<usize>,
    judged: bool,
}

/// Each version's class and baseline, with its diff by (baseline, version). What the keys
/// cannot tell (a version whose words changed) is judged from its diff: a diff that changes no
/// word but moves blocks is formatting, one that only adds or removes flapping blocks is noise.
/// A version judged noise does not become the baseline of the next, so the plan is made again
/// from it on; the diffs already made are kept.
///
/// A version that follows noise is compared with whichever of the last version that was not
/// noise and the previous version it differs from least. A page that flaps between two texts
/// (Xfinity's privacy policy, 2015: a 6,199-word and an 8,420-word variant) shows its
/// returns as noise; when the text it returned to then changes by one word, the change is
/// that word, not the whole difference from the other variant.
fn plan_with_diffs<'s>(
    keys: &[Key],
    texts: &[DocText],
    same: &'s [usize],
    flapping: &Flapping,
) -> (Vec<Step>, Diffs<'s>) {
    let mut judged: Vec<Option<(Class, usize)>> = vec![None; keys.len()];
    let mut diffs = Diffs {
        same,
        made: HashMap::new(),
    };
    loop {
        let plan = classify(keys, &judged);
        diffs.make(
            plan.iter()
                .enumerate()
                .flat_map(|(i, s)| [s.baseline, s.previous].map(|b| b.map(|b| (b, i))))
                .flatten(),
            texts,
        );
        let mut replan = false;
        for (i, step) in plan.iter().enumerate() {
            if !step.judged || judged[i].is_some() {
                continue;
            }
            let Some(mut b) = step.baseline else { continue };
            if let Some(p) = step.previous
                && changed_words(&diffs[(p, i)]) < changed_words(&diffs[(b, i)])
            {
                b = p;
            }
            let class = match judge(&diffs[(b, i)], i, flapping) {
                // The same words as a version before the previous one: a return to it.
                Class::Formatting if b + 1 != i => Class::Noise,
                class => class,
            };
            judged[i] = Some((class, b));
            // Noise moves no baseline: the versions after it are planned again.
            if class == Class::Noise {
                replan = true;
                break;
            }
        }
        if !replan {
            let plan = classify(keys, &judged);
            return (plan, diffs);
        }
    }
}

/// The diffs between versions, each made once per pair of distinct texts: a page that flaps
/// between a few texts (AdSense's acceptable use policy: 2,000 versions of 53 pairs of texts)
/// is diffed once per pair, not once per pair of versions.
struct Diffs<'s> {
    /// For each version, the first version with the same text.
    same: &'s [usize],
    /// By the first versions of the two texts.
    made: HashMap<(usize, usize), VersionDiff>,
}

impl Diffs<'_> {
    fn texts(&self, b: usize, i: usize) -> (usize, usize) {
        (self.same[b], self.same[i])
    }

    /// Makes, in parallel, the diffs of these (baseline, version) pairs not made yet.
    fn make(&mut self, pairs: impl Iterator<Item = (usize, usize)>, texts: &[DocText]) {
        let mut missing: Vec<(usize, usize)> = pairs
            .map(|(b, i)| self.texts(b, i))
            .filter(|pair| !self.made.contains_key(pair))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        let made: Vec<((usize, usize), VersionDiff)> = missing
            .into_par_iter()
            .map(|(b, i)| ((b, i), diff(&texts[b], &texts[i])))
            .collect();
        self.made.extend(made);
    }

    /// The diff from version `b` to version `i`, if it was made.
    fn get(&self, b: usize, i: usize) -> Option<&VersionDiff> {
        self.made.get(&self.texts(b, i))
    }
}

/// The diff from version `b` to version `i`, made before it is asked for.
impl std::ops::Index<(usize, usize)> for Diffs<'_> {
    type Output = VersionDiff;

    fn index(&self, (b, i): (usize, usize)) -> &VersionDiff {
        &self.made[&self.texts(b, i)]
    }
}

/// For each item, the index of the first item equal to it.
fn first_equal<K: Hash + Eq>(items: impl Iterator<Item = K>) -> Vec<usize> {
    let mut seen: FxHashMap<K, usize> = FxHashMap::default();
    items
        .enumerate()
        .map(|(i, item)| *seen.entry(item).or_insert(i))
        .collect()
}

/// What was made for the first of equal items (`made[i]` where `same[i] == i`), given to each.
fn spread<T: Clone>(made: Vec<Option<T>>, same: &[usize]) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(made.len());
    for (i, made) in made.into_iter().enumerate() {
        // `same[i] < i` when nothing was made for `i`.
        let item = made.unwrap_or_else(|| out[same[i]].clone());
        out.push(item);
    }
    out
}

/// `f` of each item, in parallel, computed once for equal items (`same`, as [`first_equal`]).
fn once_each<T: Sync, R: Clone + Send>(
    items: &[T],
    same: &[usize],
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let made = items
        .par_iter()
        .enumerate()
        .map(|(i, item)| (same[i] == i).then(|| f(item)))
        .collect();
    spread(made, same)
}

fn changed_words(d: &VersionDiff) -> usize {
    d.words_added + d.words_removed
}

/// The class of version `i`, whose words changed, from its diff.
fn judge(d: &VersionDiff, i: usize, flapping: &Flapping) -> Class {
    if d.words_added == 0 && d.words_removed == 0 {
        return Class::Formatting;
    }
    let only_flapping = d.blocks.iter().all(|b| match b {
        DiffBlock::Same { .. } | DiffBlock::Skipped { .. } | DiffBlock::Moved { .. } => true,
        // An identifier, or a flapping block that returns, or that goes and comes back later.
        DiffBlock::Inserted { text, .. } => {
            only_identifiers(text) || flapping.get(&block_hash(text)).is_some_and(|s| s.first < i)
        }
        DiffBlock::Deleted { text, .. } => {
            only_identifiers(text) || flapping.get(&block_hash(text)).is_some_and(|s| s.last > i)
        }
        DiffBlock::Changed { segments, .. } => segments
            .iter()
            .filter(|s| s.op != Op::Equal)
            .all(|s| only_identifiers(&s.text)),
    });
    if only_flapping {
        Class::Noise
    } else {
        Class::Substantive
    }
}

/// Whether every word of a text is an identifier, letters and at least four digits in one word
/// ("icburule010177021069": the server that served the page, printed at its foot; Alibaba.com
/// Privacy Policy): not prose, so adding, removing or changing one is noise. Text without
/// words (punctuation) passes too.
fn only_identifiers(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .all(|w| {
            w.chars().any(char::is_alphabetic)
                && w.chars().filter(char::is_ascii_digit).count() >= 4
        })
}

fn block_hash(text: &str) -> u64 {
    word_key(std::iter::once(text))
}

/// The first and last versions a flapping block is in.
#[derive(Debug, Clone, Copy)]
struct Span {
    first: usize,
    last: usize,
}

/// Flapping blocks by their hash.
type Flapping = HashMap<u64, Span>;

/// Blocks that come back after being gone at least twice over the history (navigation links,
/// login bars and banners a page shows on some visits only): adding or removing them is noise,
/// but not their first appearance (Telegram Terms of Service, 2023: a clause added a year
/// before the page began to flap) nor their last removal (Facebook Privacy Policy,
/// 2021-12-14: the face recognition paragraph, gone twice briefly before, removed for good).
/// Versions that are noise by their keys (an error page, a revert) do not count, or every block
/// would come back after each of them. A clause removed and restored once is not flapping.
fn flapping_blocks(keys: &[Key]) -> Flapping {
    let plan = classify(keys, &vec![None; keys.len()]);
    // block → (its span, the last kept version it was in, how many times it came back)
    let mut seen: HashMap<u64, (Span, usize, u32)> = HashMap::new();
    let kept = (0..keys.len()).filter(|&i| plan[i].judged || plan[i].class != Class::Noise);
    for (n, i) in kept.enumerate() {
        let blocks: HashSet<u64> = keys[i].blocks.iter().copied().collect();
        for h in blocks {
            let e = seen.entry(h).or_insert((Span { first: i, last: i }, n, 0));
            if e.1 + 1 < n {
                e.2 += 1;
            }
            e.0.last = i;
            e.1 = n;
        }
    }
    seen.into_iter()
        .filter(|(_, (_, _, returns))| *returns >= 2)
        .map(|(h, (span, _, _))| (h, span))
        .collect()
}

/// Each version's class and baseline, from the keys and the classes judged so far.
fn classify(keys: &[Key], judged: &[Option<(Class, usize)>]) -> Vec<Step> {
    let mut seen: HashSet<u64> = HashSet::new();
    let mut seen_masked: HashSet<u64> = HashSet::new();
    let mut current = 0;
    let mut out = Vec::with_capacity(keys.len());
    for (i, k) in keys.iter().enumerate() {
        let by_keys = if i == 0 {
            Some(Class::First)
        } else if k.words == keys[i - 1].words {
            Some(Class::Formatting)
        } else if seen.contains(&k.words) || seen_masked.contains(&k.masked) {
            // The text returns to an earlier one, or to one apart from its dates and counters.
            Some(Class::Noise)
        } else if keys
            .get(i + 1)
            .is_some_and(|next| next.words == keys[i - 1].words || seen.contains(&next.words))
            && (k.count * 2 < keys[i - 1].count || k.truncated)
        {
            // Replaced by a much shorter text, or the text cut short, that the next version
            // reverts (to the text before it, or to any earlier one): a transient glitch such as
            // a truncated or error page, not a change of the policy.
            Some(Class::Noise)
        } else {
            None
        };
        seen.insert(k.words);
        seen_masked.insert(k.masked);
        let step = match by_keys {
            Some(Class::First) => Step {
                class: Class::First,
                baseline: None,
                previous: None,
                judged: false,
            },
            Some(Class::Formatting) => {
                if current == i - 1 {
                    current = i;
                }
                Step {
                    class: Class::Formatting,
                    baseline: Some(i - 1),
                    previous: None,
                    judged: false,
                }
            }
            Some(class) => Step {
                class,
                baseline: Some(i - 1),
                previous: None,
                judged: false,
            },
            // Compared with the last version that was not noise (so a policy that returns
            // from an error page with new wording is compared with its own earlier wording),
            // or, once judged, with the previous version if that one differs less.
            None => {
                let (class, baseline, previous) = match judged[i] {
                    Some((class, b)) => (class, b, None),
                    None => (
                        Class::Substantive,
                        current,
                        Some(i - 1).filter(|&p| p != current),
                    ),
                };
                if class != Class::Noise {
                    current = i;
                }
                Step {
                    class,
                    baseline: Some(baseline),
                    previous,
                    judged: true,
                }
            }
        };
        out.push(step);
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use Class::*;

    fn keys(spec: &[(u64, u64, usize)]) -> Vec<(Class, Option<usize>)> {
        classify(
            &spec
                .iter()
                .map(|&(words, masked, count)| Key {
                    words,
                    blocks: Vec::new(),
                    masked,
                    count,
                    truncated: false,
                })
                .collect::<Vec<_>>(),
            &vec![None; spec.len()],
        )
        .into_iter()
        .map(|s| (s.class, s.baseline))
        .collect()
    }

    fn paragraphs(texts: &[&str]) -> DocText {
        DocText {
            blocks: texts
                .iter()
                .map(|t| crate::text::Block {
                    kind: crate::text::BlockKind::Paragraph,
                    text: t.to_string(),
                })
                .collect(),
        }
    }

    /// Classes, baselines and counts of a history of paragraph texts.
    fn judged(versions: &[&[&str]]) -> Vec<(Class, Option<usize>, usize, usize)> {
        let texts: Vec<DocText> = versions.iter().map(|b| paragraphs(b)).collect();
        let same = first_equal(texts.iter());
        let keys = Key::all(&texts, &same).0;
        let flapping = flapping_blocks(&keys);
        let (plan, diffs) = plan_with_diffs(&keys, &texts, &same, &flapping);
        plan.iter()
            .enumerate()
            .map(|(i, s)| {
                let d = s.baseline.map(|b| &diffs[(b, i)]);
                (
                    s.class,
                    s.baseline,
                    d.map_or(0, |d| d.words_added),
                    d.map_or(0, |d| d.words_removed),
                )
            })
            .collect()
    }

    #[test]
    fn class_names_are_their_serialised_names() {
        for class in [First, Formatting, Noise, Substantive] {
            assert_eq!(serde_json::to_value(class).unwrap(), class.as_str());
        }
    }

    #[test]
    fn the_masked_key_is_that_of_the_masked_text() {
        for blocks in [
            &["Terms.", "'Rules' apply-now, don't they?", "-", "'"][..],
            &["Updated 2 days ago", "Terms."],
            &["Café’s “terms”", "Updated: 2 days ago"],
            &["ﬁle", "x"],
        ] {
            let t = paragraphs(blocks);
            let masked = t.keys().masked;
            assert_eq!(
                Key::all(std::slice::from_ref(&t), &[0]).0[0].masked,
                word_key(std::iter::once(masked.as_str())),
                "{blocks:?}"
            );
        }
    }

    #[test]
    fn class_and_counts_come_from_one_comparison() {
        // Only punctuation and a block break: formatting, +0 −0 (Disqus Privacy Policy).
        assert_eq!(
            judged(&[
                &["Written by Disqus. Updated over a week ago"],
                &["Written by Disqus", "Updated over a week ago"],
            ])[1],
            (Formatting, Some(0), 0, 0)
        );
        // A page-furniture block that moves from the top to the bottom: formatting, +0 −0.
        assert_eq!(
            judged(&[
                &["Skip to toolbar Log In", "Terms.", "One.", "Two."],
                &["Terms.", "One.", "Two.", "Skip to toolbar Log In"],
            ])[1],
            (Formatting, Some(0), 0, 0)
        );
        // A relative counter: noise.
        assert_eq!(
            judged(&[
                &["Updated 1 week ago", "Terms."],
                &["Updated 2 weeks ago", "Terms."]
            ])[1]
                .0,
            Noise
        );
    }

    #[test]
    fn navigation_that_flaps_is_noise_and_real_changes_stay_substantive() {
        let nav = "Home | Pricing | Log in";
        let v = judged(&[
            &["Terms: one.", nav],
            &["Terms: one, two."],
            &["Terms: one, two.", nav],
            &["Terms: one, two, three."],
            &["Terms: one, two, three.", nav],
        ]);
        let classes: Vec<(Class, Option<usize>)> = v.iter().map(|x| (x.0, x.1)).collect();
        assert_eq!(
            classes,
            [
                (First, None),
                (Substantive, Some(0)),
                (Noise, Some(1)),
                (Substantive, Some(1)),
                (Noise, Some(3)),
            ]
        );
        // The substantive change is compared with the last version that was not noise, and
        // counts the word it added (and the navigation it dropped).
        assert_eq!((v[3].2, v[3].3), (1, 0));
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

    /// Binance Terms of Service, 2025-11-02: the page loses nearly all its text, and the next
    /// version returns to a text seen two versions earlier. The truncated page is noise, so the
    /// version after is compared with the full text, not with the truncated one.
    #[test]
    fn a_truncated_page_followed_by_an_older_text_is_noise() {
        let (a, b, t, c) = ((1, 1, 500), (2, 2, 510), (3, 3, 20), (4, 4, 511));
        assert_eq!(
            keys(&[a, b, t, a, c]),
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

    /// Xfinity Privacy Policy, 2015: the page flaps between two variants; after a return to
    /// the first (noise), the first loses one word. That is the change, not the whole
    /// difference from the other variant the last substantive version showed.
    #[test]
    fn a_change_after_a_return_is_compared_with_the_nearer_text() {
        let a = ["Terms.", "We collect data.", "We share it with partners."];
        let b = [
            "Terms.",
            "We collect data.",
            "Cookies.",
            "Other regions.",
            "Rights.",
        ];
        let a2 = ["Terms.", "We collect data.", "We share it with affiliates."];
        let v = judged(&[&a, &b, &a, &a2]);
        assert_eq!((v[2].0, v[2].1), (Noise, Some(1)));
        assert_eq!(v[3], (Substantive, Some(2), 1, 1));
    }

    /// Snapshots with the same content (hash and format) are read and extracted once, and
    /// each version still gets its own text.
    /// A document of Markdown snapshots, one a day from 2024-01-01, with these content hashes.
    pub(crate) fn markdown_document(hashes: &[u64]) -> Document {
        let snapshots = hashes
            .iter()
            .enumerate()
            .map(|(i, &hash)| crate::model::Snapshot {
                timestamp: Timestamp::parse(&format!("2024-01-{:02}", i + 1)).unwrap(),
                format: text::SnapshotFormat::Markdown,
                path: Default::default(),
                hash: crate::hash::Key::of(&hash),
            })
            .collect();
        let record = crate::yaml::parse(
            std::path::Path::new("document.yaml"),
            "{title: t, type: t, url: 'https://x.org/'}",
            1,
        )
        .unwrap();
        Document {
            id: crate::ids::RecordId::parse("d").unwrap(),
            record,
            snapshots,
        }
    }

    #[test]
    fn a_repeated_snapshot_is_extracted_once() {
        let versions = ["We collect data.", "We sell data.", "We collect data."];
        let document = markdown_document(&[1, 2, 1]);
        let reads = std::sync::atomic::AtomicUsize::new(0);
        let (history, texts) = History::of(&document, |i| {
            reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok::<_, ()>(versions[i].to_string())
        })
        .unwrap();
        assert_eq!(reads.into_inner(), 2);
        let text = |i: usize| texts.versions[i].text.blocks[0].text.clone();
        assert_eq!([text(0), text(1), text(2)], versions);
        assert_eq!(history.versions.len(), 3);
    }

    /// A page that flaps between two texts: each pair of texts is diffed once, whichever
    /// versions hold them, and each version gets the diff of its own pair.
    #[test]
    fn a_pair_of_texts_is_diffed_once() {
        let (a, b): (&[&str], &[&str]) = (&["We collect data."], &["We sell data.", "Cookies."]);
        let texts: Vec<DocText> = [a, b, a, b, a, b].iter().map(|t| paragraphs(t)).collect();
        let same = first_equal(texts.iter());
        assert_eq!(same, [0, 1, 0, 1, 0, 1]);
        let keys = Key::all(&texts, &same).0;
        let (plan, diffs) = plan_with_diffs(&keys, &texts, &same, &flapping_blocks(&keys));
        assert!(
            diffs.made.keys().all(|&(b, i)| b < 2 && i < 2),
            "{:?}",
            diffs.made.keys()
        );
        for (i, step) in plan.iter().enumerate().skip(1) {
            let baseline = step.baseline.unwrap();
            assert_eq!(diffs[(baseline, i)], diff(&texts[baseline], &texts[i]));
        }
    }

    #[test]
    fn a_flapping_block_is_noise_between_its_first_and_last_appearance_only() {
        let flapping =
            Flapping::from([(block_hash("Face recognition."), Span { first: 2, last: 6 })]);
        let (with, without) = (
            paragraphs(&["Terms.", "Face recognition."]),
            paragraphs(&["Terms."]),
        );
        let added = diff(&without, &with);
        let removed = diff(&with, &without);
        assert_eq!(judge(&added, 2, &flapping), Substantive);
        assert_eq!(judge(&added, 4, &flapping), Noise);
        assert_eq!(judge(&removed, 4, &flapping), Noise);
        assert_eq!(judge(&removed, 7, &flapping), Substantive);
    }

    /// Alibaba.com Privacy Policy, 2015: the page's foot names the server that served it.
    #[test]
    fn identifiers_are_not_prose() {
        let none = Flapping::new();
        let (a, b) = (
            paragraphs(&["Terms.", "icburule010177021069"]),
            paragraphs(&["Terms.", "icburule010100096070"]),
        );
        assert_eq!(judge(&diff(&a, &b), 1, &none), Noise);
        assert_eq!(judge(&diff(&paragraphs(&["Terms."]), &a), 1, &none), Noise);
        // A year, a section number or a word with few digits is prose.
        let c = paragraphs(&["Terms.", "Updated in Q3 2025, section 12b."]);
        assert_eq!(judge(&diff(&a, &c), 1, &none), Substantive);
        assert!(!only_identifiers("COVID19 rules"));
        assert!(only_identifiers("a1b2c3d4e5 ·"));
    }

    /// A navigation block X flaps; the text then returns, reordered, to the one before the
    /// last X: a return, so noise, not formatting.
    #[test]
    fn the_same_words_as_a_version_before_the_previous_are_a_return() {
        let v = judged(&[
            &["A.", "B."],
            &["A.", "B.", "X."],
            &["A.", "B.", "Y."],
            &["A.", "B.", "Y.", "X."],
            &["A.", "B.", "Z."],
            &["A.", "B.", "Z.", "X."],
            &["B.", "A.", "Z."],
        ]);
        let classes: Vec<Class> = v.iter().map(|x| x.0).collect();
        assert_eq!(
            classes,
            [
                First,
                Substantive,
                Substantive,
                Noise,
                Substantive,
                Noise,
                Noise
            ]
        );
        assert_eq!((v[6].1, v[6].2, v[6].3), (Some(4), 0, 0));
    }

    /// Binance Terms of Service, 2025: a page that stopped loading part-way, nearly whole, and
    /// restored by the next version.
    #[test]
    fn a_text_cut_short_and_restored_is_noise() {
        let full: &[&str] = &[
            "Terms.",
            "You must comply.",
            "This includes: a. not cheating; b. not lying.",
        ];
        let cut: &[&str] = &["Terms.", "You must comply.", "This includes: a."];
        let v = judged(&[full, cut, full]);
        assert_eq!(v[1].0, Noise);
        // Cut short and not restored: the page may really have lost its end.
        let v = judged(&[full, cut, cut]);
        assert_eq!(v[1].0, Substantive);
    }

    #[test]
    fn a_return_to_an_earlier_text_apart_from_its_dates_is_noise() {
        assert_eq!(
            keys(&[(1, 10, 9), (2, 20, 9), (3, 10, 9)]),
            [(First, None), (Substantive, Some(0)), (Noise, Some(1))]
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
