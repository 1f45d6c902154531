//! Word-level diffs between two versions of a document: blocks are aligned first (Patience:
//! blocks found once in their version anchor the alignment, Myers fills the gaps between
//! anchors), then the words of changed regions (Myers), so a 300 KB document with a one-word
//! change costs about as much as reading it.
//!
//! No clock decides anything: every use of Myers is paid for from a `Budget` computed from the
//! size of the input, and what it cannot pay for is shown as a whole removal and insertion. Two
//! machines, however busy, give the same diff.

use crate::text::{BlockKind, DocText};
use serde::Serialize;
use similar::algorithms::{Capture, Compact, DiffHook, NoFinishHook, Replace, myers};
use similar::{Algorithm, DiffOp, capture_diff_slices};
use std::collections::HashMap;
use std::hash::Hash;
use std::ops::Range;

/// The Myers steps one diff may take, whatever its size: enough for any single changed region
/// of thousands of words, even one rewritten throughout.
const WORK_BASE: u64 = 1 << 27;

/// And per byte of the two versions, so a long document with many changes gets its due.
const WORK_PER_BYTE: u64 = 64;

/// Unchanged blocks shown around each change; the rest are collapsed.
const CONTEXT: usize = 1;

/// The token between two blocks of one changed region.
pub const BREAK: &str = "\n";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Equal,
    Insert,
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    pub op: Op,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum DiffBlock {
    /// Unchanged context.
    Same { kind: BlockKind, text: String },
    /// A run of unchanged blocks, collapsed.
    Skipped { count: usize },
    /// A changed region: its words with insertions and deletions marked; [`BREAK`] separates blocks.
    Changed {
        kind: BlockKind,
        segments: Vec<Segment>,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VersionDiff {
    pub words_added: usize,
    pub words_removed: usize,
    /// Headings of the sections a change falls in, in document order.
    pub sections: Vec<String>,
    pub blocks: Vec<DiffBlock>,
}

impl VersionDiff {
    /// No block changed (a formatting-only version): nothing to show.
    pub fn is_empty(&self) -> bool {
        !self
            .blocks
            .iter()
            .any(|b| matches!(b, DiffBlock::Changed { .. }))
    }
}

/// The word-level diff from `old` to `new`.
pub fn diff(old: &DocText, new: &DocText) -> VersionDiff {
    let old_texts: Vec<&str> = old.blocks.iter().map(|b| b.text.as_str()).collect();
    let new_texts: Vec<&str> = new.blocks.iter().map(|b| b.text.as_str()).collect();
    let size = old_texts.iter().chain(&new_texts).map(|t| t.len()).sum();
    let mut budget = Budget::for_size(size);
    let ops = align_blocks(&old_texts, &new_texts, &mut budget);
    let old_sections = section_of_each_block(old);
    let new_sections = section_of_each_block(new);
    let mut out = VersionDiff::default();
    let last = ops.len().saturating_sub(1);
    for (i, op) in ops.iter().enumerate() {
        match *op {
            DiffOp::Equal { new_index, len, .. } => {
                let blocks = &new.blocks[new_index..new_index + len];
                let head = if i == 0 { 0 } else { CONTEXT.min(len) };
                let tail = if i == last {
                    0
                } else {
                    CONTEXT.min(len - head)
                };
                for b in &blocks[..head] {
                    out.blocks.push(DiffBlock::Same {
                        kind: b.kind,
                        text: b.text.clone(),
                    });
                }
                if len > head + tail {
                    out.blocks.push(DiffBlock::Skipped {
                        count: len - head - tail,
                    });
                }
                for b in &blocks[len - tail..] {
                    out.blocks.push(DiffBlock::Same {
                        kind: b.kind,
                        text: b.text.clone(),
                    });
                }
            }
            changed => {
                let (o, n) = (changed.old_range(), changed.new_range());
                // A region's blocks take the kind of its first new block (or old, if deleted).
                let kind = if n.is_empty() {
                    old.blocks[o.start].kind
                } else {
                    new.blocks[n.start].kind
                };
                out.change(
                    &old_texts[o.clone()],
                    &new_texts[n.clone()],
                    kind,
                    &mut budget,
                );
                out.touch(&old_sections[o]);
                out.touch(&new_sections[n]);
            }
        }
    }
    out
}

impl VersionDiff {
    fn change(&mut self, old: &[&str], new: &[&str], kind: BlockKind, budget: &mut Budget) {
        let (segments, added, removed) =
            word_segments_within(&old.join(BREAK), &new.join(BREAK), budget);
        self.words_added += added;
        self.words_removed += removed;
        self.blocks.push(DiffBlock::Changed { kind, segments });
    }

    fn touch(&mut self, sections: &[&str]) {
        for s in sections {
            if !self.sections.iter().any(|x| x == s) {
                self.sections.push(s.to_string());
            }
        }
    }
}

/// The block-level edit script from `old` to `new`, as similar's Patience gives it, but with
/// every use of Myers paid for from `budget`: a gap between anchors the budget cannot pay for is
/// one removal and one insertion (less the blocks it starts and ends with unchanged).
fn align_blocks<'a>(old: &[&'a str], new: &[&'a str], budget: &mut Budget) -> Vec<DiffOp> {
    // Equal texts get equal ids: comparing two blocks then costs one step, however long they are.
    let mut ids: HashMap<&'a str, usize> = HashMap::new();
    let mut id = |t: &'a str| {
        let next = ids.len();
        *ids.entry(t).or_insert(next)
    };
    let old: Vec<usize> = old.iter().map(|t| id(t)).collect();
    let new: Vec<usize> = new.iter().map(|t| id(t)).collect();
    let mut d = Compact::new(Replace::new(Capture::new()), &old, &new);
    let (mut i, mut j) = (0, 0);
    for (a, b) in anchors(&old, &new, ids.len(), budget) {
        let k = common_prefix(&old[i..a], &new[j..b]);
        if k > 0 {
            let Ok(()) = d.equal(i, j, k);
        }
        let Ok(()) = fill_gap(&mut d, &old, i + k..a, &new, j + k..b, budget);
        // The anchor itself is matched at the start of the next gap.
        (i, j) = (a, b);
    }
    let Ok(()) = fill_gap(&mut d, &old, i..old.len(), &new, j..new.len(), budget);
    let Ok(()) = d.finish();
    d.into_inner().into_inner().into_ops()
}

/// The blocks that anchor the alignment, as (old index, new index): of the blocks found once in
/// their version, those Myers matches between the two lists, as similar's Patience does; none
/// if the budget cannot pay for it.
fn anchors(old: &[usize], new: &[usize], ids: usize, budget: &mut Budget) -> Vec<(usize, usize)> {
    let mut count = vec![(0u8, 0u8); ids];
    for &id in old {
        count[id].0 = count[id].0.saturating_add(1);
    }
    for &id in new {
        count[id].1 = count[id].1.saturating_add(1);
    }
    let old_once: Vec<usize> = (0..old.len()).filter(|&i| count[old[i]].0 == 1).collect();
    let new_once: Vec<usize> = (0..new.len()).filter(|&j| count[new[j]].1 == 1).collect();
    let a: Vec<usize> = old_once.iter().map(|&i| old[i]).collect();
    let b: Vec<usize> = new_once.iter().map(|&j| new[j]).collect();
    if !budget.affords(&a, &b) {
        return Vec::new();
    }
    let mut matched = Capture::new();
    let Ok(()) = myers::diff(&mut matched, &a, 0..a.len(), &b, 0..b.len());
    let mut pairs = Vec::new();
    for op in matched.into_ops() {
        if let DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = op
        {
            pairs.extend((0..len).map(|t| (old_once[old_index + t], new_once[new_index + t])));
        }
    }
    pairs
}

/// Diffs `old[o]` against `new[n]` with Myers if the budget pays for it; otherwise emits the
/// changed middle as one removal and one insertion.
fn fill_gap<D: DiffHook>(
    d: &mut D,
    old: &[usize],
    o: Range<usize>,
    new: &[usize],
    n: Range<usize>,
    budget: &mut Budget,
) -> Result<(), D::Error> {
    let (a, b) = (&old[o.clone()], &new[n.clone()]);
    if budget.affords(a, b) {
        return myers::diff(&mut NoFinishHook::new(d), old, o, new, n);
    }
    let head = common_prefix(a, b);
    let tail = common_suffix(&a[head..], &b[head..]);
    let (o_mid, n_mid) = (o.start + head..o.end - tail, n.start + head..n.end - tail);
    if head > 0 {
        d.equal(o.start, n.start, head)?;
    }
    d.delete(o_mid.start, o_mid.len(), n_mid.start)?;
    d.insert(o_mid.end, n_mid.start, n_mid.len())?;
    if tail > 0 {
        d.equal(o_mid.end, n_mid.end, tail)?;
    }
    Ok(())
}

/// The Myers steps a diff may still take. Myers' cost grows with D, the number of items removed
/// or inserted, which only searching reveals: so a pair of sequences is first searched for D
/// with Myers' greedy algorithm, counting its steps, and diffed (at about the same cost) only if
/// that search ended within what is left. One search may take at most half of it, so a
/// pathological region leaves enough for the others.
struct Budget {
    left: u64,
}

impl Budget {
    fn for_size(bytes: usize) -> Budget {
        Budget {
            left: WORK_BASE.saturating_add(WORK_PER_BYTE.saturating_mul(bytes as u64)),
        }
    }

    /// Whether Myers may diff `old` against `new`; charges the search that tells.
    fn affords<T: Hash + Eq>(&mut self, old: &[T], new: &[T]) -> bool {
        let head = common_prefix(old, new);
        let tail = common_suffix(&old[head..], &new[head..]);
        let (a, b) = (&old[head..old.len() - tail], &new[head..new.len() - tail]);
        if a.is_empty() || b.is_empty() {
            return true;
        }
        // The search reaches D only after visiting d + 1 diagonals for every d below it, and D is
        // at least the number of items one side has and the other lacks: no need to search to
        // learn that it would not fit.
        let limit = self.left / 2;
        let fewest = (a.len() + b.len() - 2 * shared_items(a, b)) as u64;
        if fewest.saturating_mul(fewest + 1) / 2 > limit {
            return false;
        }
        let (spent, fits) = myers_search(a, b, limit);
        self.left = self.left.saturating_sub(spent);
        fits
    }
}

/// Myers' greedy search for the shortest edit script from `a` to `b`, given up once it has
/// taken more than `limit` steps (a step is one diagonal visited or one pair of items compared):
/// the steps taken, and whether it reached the end.
fn myers_search<T: PartialEq>(a: &[T], b: &[T], limit: u64) -> (u64, bool) {
    let (n, m) = (a.len() as isize, b.len() as isize);
    // far[k + offset]: how far along `a` the best path found on diagonal k = x − y reaches.
    let offset = n + m + 1;
    let mut far = vec![0isize; 2 * offset as usize + 1];
    let mut steps = 0u64;
    for d in 0..=n + m {
        for k in (-d..=d).step_by(2) {
            let at = |k: isize| (k + offset) as usize;
            let mut x = if k == -d || (k != d && far[at(k - 1)] < far[at(k + 1)]) {
                far[at(k + 1)]
            } else {
                far[at(k - 1)] + 1
            };
            let mut y = x - k;
            steps += 1;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
                steps += 1;
            }
            far[at(k)] = x;
            if x >= n && y >= m {
                return (steps, true);
            }
            if steps > limit {
                return (steps, false);
            }
        }
    }
    (steps, true)
}

/// How many items `a` and `b` have in common, as multisets.
fn shared_items<T: Hash + Eq>(a: &[T], b: &[T]) -> usize {
    let mut unmatched: HashMap<&T, usize> = HashMap::new();
    for x in a {
        *unmatched.entry(x).or_default() += 1;
    }
    b.iter()
        .filter(|x| match unmatched.get_mut(x) {
            Some(left) if *left > 0 => {
                *left -= 1;
                true
            }
            _ => false,
        })
        .count()
}

fn common_prefix<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn common_suffix<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// The heading each block falls under ("Opening text" before the first heading); a heading
/// is its own section.
fn section_of_each_block(doc: &DocText) -> Vec<&str> {
    let mut current = "Opening text";
    doc.blocks
        .iter()
        .map(|b| {
            if matches!(b.kind, BlockKind::Heading(_)) {
                current = &b.text;
            }
            current
        })
        .collect()
}

/// Words, whitespace runs and single punctuation marks, with block breaks as tokens of their
/// own: "something." → "something", "." so adding a word before a full stop is one word added.
fn tokens(text: &str) -> Vec<&str> {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Space,
        Word,
        Mark,
    }
    let class = |c: char| {
        if c.is_whitespace() {
            Class::Space
        } else if c.is_alphanumeric() || matches!(c, '\'' | '\u{2019}' | '_') {
            Class::Word
        } else {
            Class::Mark
        }
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev: Option<Class> = None;
    for (i, c) in text.char_indices() {
        let k = class(c);
        let boundary = c == '\n'
            || prev == Some(Class::Mark)
            || k == Class::Mark
            || prev != Some(k)
            || text[start..i].ends_with('\n');
        if boundary && start < i {
            out.push(&text[start..i]);
            start = i;
        }
        prev = Some(k);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

fn is_word(token: &str) -> bool {
    token.chars().any(char::is_alphanumeric)
}

/// Word-level diff of two texts: merged segments, words added, words removed.
pub fn word_segments(old: &str, new: &str) -> (Vec<Segment>, usize, usize) {
    word_segments_within(old, new, &mut Budget::for_size(old.len() + new.len()))
}

/// [`word_segments`] paid from `budget`: texts it cannot pay for are shown as a whole removal
/// and insertion.
fn word_segments_within(old: &str, new: &str, budget: &mut Budget) -> (Vec<Segment>, usize, usize) {
    let (old_t, new_t) = (tokens(old), tokens(new));
    let mut segments: Vec<Segment> = Vec::new();
    let mut push = |op: Op, text: &str| match segments.last_mut() {
        Some(last) if last.op == op => last.text.push_str(text),
        _ => segments.push(Segment {
            op,
            text: text.to_string(),
        }),
    };
    let words = |t: &[&str]| t.iter().filter(|t| is_word(t)).count();
    if !budget.affords(&old_t, &new_t) {
        push(Op::Delete, old);
        push(Op::Insert, new);
        return (segments, words(&new_t), words(&old_t));
    }
    let ops = capture_diff_slices(Algorithm::Myers, &old_t, &new_t);
    let (mut added, mut removed) = (0, 0);
    for op in ops {
        if let DiffOp::Equal { new_index, len, .. } = op {
            for t in &new_t[new_index..new_index + len] {
                push(Op::Equal, t);
            }
            continue;
        }
        let (o, n) = (&old_t[op.old_range()], &new_t[op.new_range()]);
        if !o.is_empty() {
            removed += words(o);
            push(Op::Delete, &o.concat());
        }
        if !n.is_empty() {
            added += words(n);
            push(Op::Insert, &n.concat());
        }
    }
    (segments, added, removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Block;

    fn doc(blocks: &[&str]) -> DocText {
        DocText {
            blocks: blocks
                .iter()
                .map(|t| match t.strip_prefix("# ") {
                    Some(h) => Block {
                        kind: BlockKind::Heading(1),
                        text: h.into(),
                    },
                    None => Block {
                        kind: BlockKind::Paragraph,
                        text: t.to_string(),
                    },
                })
                .collect(),
        }
    }

    #[test]
    fn tokens_keep_words_spaces_and_breaks() {
        assert_eq!(tokens("a  b\nc"), ["a", "  ", "b", "\n", "c"]);
        assert_eq!(tokens("Don't stop."), ["Don't", " ", "stop", "."]);
        assert_eq!(tokens("a\n\nb"), ["a", "\n", "\n", "b"]);
    }

    #[test]
    fn one_word_change_in_a_long_document() {
        let mut old: Vec<String> = (0..200)
            .map(|i| format!("Paragraph {i} says something."))
            .collect();
        old.insert(50, "# Security".into());
        let mut new = old.clone();
        new[120] = "Paragraph 119 says something else.".into();
        let (old, new): (Vec<&str>, Vec<&str>) = (
            old.iter().map(String::as_str).collect(),
            new.iter().map(String::as_str).collect(),
        );
        let d = diff(&doc(&old), &doc(&new));
        assert_eq!((d.words_added, d.words_removed), (1, 0));
        assert_eq!(d.sections, ["Security"]);
        let kinds: Vec<&str> = d
            .blocks
            .iter()
            .map(|b| match b {
                DiffBlock::Same { .. } => "same",
                DiffBlock::Skipped { .. } => "skipped",
                DiffBlock::Changed { .. } => "changed",
            })
            .collect();
        assert_eq!(kinds, ["skipped", "same", "changed", "same", "skipped"]);
        let DiffBlock::Changed { segments, .. } = &d.blocks[2] else {
            panic!()
        };
        assert_eq!(
            segments
                .iter()
                .filter(|s| s.op == Op::Insert)
                .map(|s| s.text.as_str())
                .collect::<Vec<_>>(),
            [" else"]
        );
    }

    #[test]
    fn inserted_and_deleted_blocks() {
        let d = diff(
            &doc(&["# A", "one two", "three"]),
            &doc(&["# A", "three", "# B", "four five six"]),
        );
        assert_eq!((d.words_added, d.words_removed), (4, 2));
        assert_eq!(d.sections, ["A", "B"]);
    }

    #[test]
    fn identical_texts_have_an_empty_diff() {
        let a = doc(&["x y", "z"]);
        assert!(diff(&a, &a).is_empty());
    }

    /// A deterministic pseudo-random sequence (xorshift), for generated edits.
    fn rng(mut seed: u64) -> impl FnMut(usize) -> usize {
        move |below| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % below as u64) as usize
        }
    }

    #[test]
    fn blocks_align_as_similar_patience_does() {
        let mut random = rng(7);
        for case in 0..1000 {
            // A small vocabulary gives repeated blocks, which are not anchors.
            let old: Vec<String> = (0..random(60))
                .map(|_| format!("b{}", random(40)))
                .collect();
            let mut new = old.clone();
            for _ in 0..random(6) {
                let at = random(new.len() + 1);
                match random(4) {
                    3 if at < new.len() => {
                        let x = new.remove(at);
                        let to = random(new.len() + 1);
                        new.insert(to, x)
                    }
                    0 => new.insert(at, format!("b{}", random(60))),
                    1 if at < new.len() => drop(new.remove(at)),
                    _ if at < new.len() => new[at] = format!("b{}", random(60)),
                    _ => {}
                }
            }
            let old: Vec<&str> = old.iter().map(String::as_str).collect();
            let new: Vec<&str> = new.iter().map(String::as_str).collect();
            assert_eq!(
                align_blocks(&old, &new, &mut Budget::for_size(0)),
                capture_diff_slices(Algorithm::Patience, &old, &new),
                "case {case}: {old:?} → {new:?}"
            );
        }
    }

    #[test]
    fn what_the_budget_cannot_pay_for_is_replaced_whole() {
        let old = ["A", "x1", "x2", "B", "y", "C"];
        let new = ["A", "x2", "x3", "x1", "B", "C", "z"];
        let ops = |budget: &mut Budget| {
            align_blocks(&old, &new, budget)
                .iter()
                .map(|op| format!("{:?} {:?}→{:?}", op.tag(), op.old_range(), op.new_range()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ops(&mut Budget::for_size(0)),
            [
                "Equal 0..1→0..1",
                "Delete 1..2→1..1",
                "Equal 2..3→1..2",
                "Insert 3..3→2..4",
                "Equal 3..4→4..5",
                "Delete 4..5→5..5",
                "Equal 5..6→5..6",
                "Insert 6..6→6..7",
            ]
        );
        // Nothing to spend: no anchors, and the one gap left is replaced less its common ends.
        assert_eq!(
            ops(&mut Budget { left: 0 }),
            ["Equal 0..1→0..1", "Replace 1..6→1..7"]
        );
        // A one-sided gap costs nothing.
        assert_eq!(
            align_blocks(&old, &old[..4], &mut Budget { left: 0 }),
            [
                DiffOp::Equal {
                    old_index: 0,
                    new_index: 0,
                    len: 4
                },
                DiffOp::Delete {
                    old_index: 4,
                    old_len: 2,
                    new_index: 4
                }
            ]
        );
    }

    #[test]
    fn the_search_counts_its_steps_and_stops_at_the_limit() {
        let a: Vec<usize> = (0..100).collect();
        let b: Vec<usize> = (0..100).rev().collect();
        let (steps, done) = myers_search(&a, &b, u64::MAX);
        assert!(done);
        assert!(steps > 5_000, "{steps}");
        assert_eq!(myers_search(&a, &b, steps), (steps, true));
        let (spent, done) = myers_search(&a, &b, steps / 2);
        assert!(!done && spent > steps / 2 && spent < steps, "{spent}");
        assert_eq!(myers_search(&a, &a, 0), (101, true));
    }

    #[test]
    fn huge_rewrites_fall_back_to_replace_whole() {
        let old = "a ".repeat(8000);
        let new = "b ".repeat(8000);
        let (segments, added, removed) = word_segments(&old, &new);
        assert_eq!((added, removed), (8000, 8000));
        assert_eq!(segments.len(), 2);
    }
}
