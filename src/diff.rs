//! Word-level diffs between two versions of a document: blocks are aligned first (Patience),
//! then the words of changed regions (Myers), so a 300 KB document with a one-word change costs
//! about as much as reading it.

use crate::text::{BlockKind, DocText};
use serde::Serialize;
use similar::{Algorithm, DiffOp, capture_diff_slices_deadline};
use std::time::{Duration, Instant};

/// Generous: with the size bound below no real diff comes near it, so output never depends on
/// the machine's speed; it only guards against the pathological.
const DEADLINE: Duration = Duration::from_secs(10);

/// A word-level diff of a changed region costs about (n + m) × d steps (Myers), and d is at
/// least |n − m|: regions whose bound exceeds this (a whole policy replaced by an error page,
/// say) are shown as a whole removal and insertion, which keeps the cost bounded and
/// deterministic.
const MAX_WORD_DIFF_COST: usize = 4_000_000;

/// Regions whose token product exceeds this are shown whole too (Myers needs (n + m) × d).
const MAX_WORD_DIFF_CELLS: usize = 40_000_000;

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
    let ops = capture_diff_slices_deadline(
        Algorithm::Patience,
        &old_texts,
        &new_texts,
        Some(Instant::now() + DEADLINE),
    );
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
                out.change(&old_texts[o.clone()], &new_texts[n.clone()], kind);
                out.touch(&old_sections[o]);
                out.touch(&new_sections[n]);
            }
        }
    }
    out
}

impl VersionDiff {
    fn change(&mut self, old: &[&str], new: &[&str], kind: BlockKind) {
        let (segments, added, removed) = word_segments(&old.join(BREAK), &new.join(BREAK));
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
    let (n, m) = (old_t.len(), new_t.len());
    if n.saturating_mul(m) > MAX_WORD_DIFF_CELLS
        || (n + m).saturating_mul(n.abs_diff(m)) > MAX_WORD_DIFF_COST
    {
        push(Op::Delete, old);
        push(Op::Insert, new);
        return (segments, words(&new_t), words(&old_t));
    }
    let ops = capture_diff_slices_deadline(
        Algorithm::Myers,
        &old_t,
        &new_t,
        Some(Instant::now() + DEADLINE),
    );
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

    #[test]
    fn huge_rewrites_fall_back_to_replace_whole() {
        let old = "a ".repeat(8000);
        let new = "b ".repeat(8000);
        let (segments, added, removed) = word_segments(&old, &new);
        assert_eq!((added, removed), (8000, 8000));
        assert_eq!(segments.len(), 2);
    }
}
