//! Word-level diffs between two versions of a document, at three grains: blocks are aligned
//! first (Patience: blocks found once in their version anchor the alignment, Myers fills the
//! gaps between anchors), then, in each changed region, sentences, then the words of changed
//! sentences. So one word deleted from a 6,000-word paragraph is one word deleted, and a document
//! re-serialised into other blocks shows the words that changed, not its whole text.
//!
//! Words are compared by themselves: the spaces and punctuation after a word (its trailer) are
//! shown, and a changed trailer is marked, but never counted. So a version whose words are all
//! the same has a diff of +0 −0, however its blocks, markers or punctuation changed. Each block of
//! the new version is shown as its own block with its own kind; a block of the old version none
//! of whose words remain is shown whole as deleted, and one found word for word elsewhere as moved.
//!
//! No clock decides anything: every use of Myers is paid for from a `Budget` computed from the
//! size of the input, and what it cannot pay for is shown as a whole removal and insertion of
//! the smallest span it could not align (a few sentences, at worst a region). Two machines,
//! however busy, give the same diff.

use crate::hash::hash_of;
use crate::text::{BlockKind, DocText, fold};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use similar::DiffOp;
use similar::algorithms::{Capture, Compact, DiffHook, NoFinishHook, Replace, myers};
use std::borrow::Cow;
use std::hash::Hash;
use std::ops::{ControlFlow, Range};

/// The Myers steps one diff may take, whatever its size: enough for any single changed region
/// of thousands of words, even one rewritten throughout.
const WORK_BASE: u64 = 1 << 27;

/// And per byte of the two versions, so a long document with many changes gets its due.
const WORK_PER_BYTE: u64 = 64;

/// Unchanged blocks shown around each change; the rest are collapsed.
const CONTEXT: usize = 1;

/// What a piece of a word-level diff is; templates read "equal", "insert" or "delete".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// In both versions.
    Equal,
    /// In the new version only.
    Insert,
    /// In the old version only.
    Delete,
}

/// A run of words with the same [`Op`], spaces included as they are in the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// Whether the words are kept, inserted or deleted.
    pub op: Op,
    /// The words.
    pub text: String,
}

/// A block of a version's diff, in the new version's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiffBlock {
    /// Unchanged context.
    Same {
        /// What the block is.
        kind: BlockKind,
        /// Its text.
        text: String,
    },
    /// A run of unchanged blocks, collapsed.
    Skipped {
        /// How many.
        count: usize,
    },
    /// A block of the new version, its inserted and deleted words marked.
    Changed {
        /// What the block is.
        kind: BlockKind,
        /// Its words, kept, inserted and deleted.
        segments: Vec<Segment>,
    },
    /// A block of the new version with no word of the old one in its place.
    Inserted {
        /// What the block is.
        kind: BlockKind,
        /// Its text.
        text: String,
    },
    /// A block of the old version none of whose words remain in its place.
    Deleted {
        /// What the block was.
        kind: BlockKind,
        /// Its text.
        text: String,
    },
    /// A block found word for word elsewhere in the old version: moved here, not changed.
    Moved {
        /// What the block is.
        kind: BlockKind,
        /// Its text.
        text: String,
    },
}

/// What changed from one version to another, word by word and block by block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionDiff {
    /// Words in the new version and not in the old.
    pub words_added: usize,
    /// Words in the old version and not in the new.
    pub words_removed: usize,
    /// Headings of the sections a change falls in, in document order.
    pub sections: Vec<String>,
    /// The blocks to show, unchanged runs collapsed.
    pub blocks: Vec<DiffBlock>,
}

/// No block of a diff changed (a formatting-only version): nothing to show.
pub fn unchanged(blocks: &[DiffBlock]) -> bool {
    blocks
        .iter()
        .all(|b| matches!(b, DiffBlock::Same { .. } | DiffBlock::Skipped { .. }))
}

/// Where an output block goes among the new version's blocks: at new block `at`, and among
/// blocks with the same `at`, deleted ones (0) before the new block (1).
type Place = (usize, u8);

/// A block of the diff in its place, before unchanged blocks are collapsed.
struct Placed {
    place: Place,
    /// `None` for a new block shown unchanged.
    shown: Option<DiffBlock>,
    /// The block it shows: an old one (deleted) or a new one; names the section it is in.
    from: Side,
}

#[derive(Clone, Copy)]
enum Side {
    Old(usize),
    New(usize),
}

/// The word-level diff from `old` to `new`.
pub fn diff(old: &DocText, new: &DocText) -> VersionDiff {
    let old_texts: Vec<&str> = old.blocks.iter().map(|b| b.text.as_str()).collect();
    let new_texts: Vec<&str> = new.blocks.iter().map(|b| b.text.as_str()).collect();
    let size = old_texts.iter().chain(&new_texts).map(|t| t.len()).sum();
    let mut budget = Budget::for_size(size);
    let ops = align_blocks(&old_texts, &new_texts, &mut budget);
    let (moved_old, moved_new) = moves(&ops, &old_texts, &new_texts);
    let old_sections = section_of_each_block(old);
    let new_sections = section_of_each_block(new);
    let mut out = VersionDiff::default();
    // Every block of the new version, with deleted blocks in their places: `None` for a block
    // unchanged (collapsed below), else what to show.
    let mut placed: Vec<Placed> = Vec::with_capacity(new.blocks.len());
    for op in &ops {
        if let DiffOp::Equal { new_index, len, .. } = *op {
            placed.extend((new_index..new_index + len).map(|j| Placed {
                place: (j, 1),
                shown: None,
                from: Side::New(j),
            }));
            continue;
        }
        let olds: Vec<usize> = op.old_range().filter(|&i| !moved_old[i]).collect();
        let news: Vec<usize> = op.new_range().filter(|&j| !moved_new[j]).collect();
        let region = Region::diff(old, &olds, new, &news, op.new_range().end, &mut budget);
        out.words_added += region.added;
        out.words_removed += region.removed;
        placed.extend(region.blocks);
        for j in op.new_range().filter(|&j| moved_new[j]) {
            let b = &new.blocks[j];
            placed.push(Placed {
                place: (j, 1),
                shown: Some(DiffBlock::Moved {
                    kind: b.kind,
                    text: b.text.clone(),
                }),
                from: Side::New(j),
            });
        }
    }
    // Regions come in order; moved blocks were appended after their region's blocks.
    placed.sort_by_key(|p| p.place);
    for p in placed.iter().filter(|p| p.shown.is_some()) {
        out.touch(match p.from {
            Side::Old(i) => old_sections[i],
            Side::New(j) => new_sections[j],
        });
    }
    out.blocks = collapse(placed, new);
    out
}

impl VersionDiff {
    fn touch(&mut self, section: &str) {
        if !self.sections.iter().any(|x| x == section) {
            self.sections.push(section.to_string());
        }
    }
}

/// Unchanged blocks as context: `CONTEXT` blocks on each side of a change, the rest of each run
/// counted in one `Skipped` block.
fn collapse(placed: Vec<Placed>, new: &DocText) -> Vec<DiffBlock> {
    let mut out = Vec::new();
    let mut run: Vec<usize> = Vec::new();
    let mut seen_change = false;
    let flush = |run: &mut Vec<usize>, out: &mut Vec<DiffBlock>, before: bool, after: bool| {
        let len = run.len();
        let head = if before { CONTEXT.min(len) } else { 0 };
        let tail = if after { CONTEXT.min(len - head) } else { 0 };
        let same = |j: usize| DiffBlock::Same {
            kind: new.blocks[j].kind,
            text: new.blocks[j].text.clone(),
        };
        out.extend(run[..head].iter().map(|&j| same(j)));
        if len > head + tail {
            out.push(DiffBlock::Skipped {
                count: len - head - tail,
            });
        }
        out.extend(run[len - tail..].iter().map(|&j| same(j)));
        run.clear();
    };
    for p in placed {
        match p.shown {
            None => run.push(p.place.0),
            Some(b) => {
                flush(&mut run, &mut out, seen_change, true);
                seen_change = true;
                out.push(b);
            }
        }
    }
    if !run.is_empty() {
        flush(&mut run, &mut out, seen_change, false);
    }
    out
}

/// Blocks deleted in one place and inserted word for word in another, paired in document order:
/// whether each old block moved away, and whether each new block moved in.
fn moves(ops: &[DiffOp], old: &[&str], new: &[&str]) -> (Vec<bool>, Vec<bool>) {
    let mut deleted: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for op in ops.iter().filter(|op| !matches!(op, DiffOp::Equal { .. })) {
        for i in op.old_range().rev() {
            deleted.entry(old[i]).or_default().push(i);
        }
    }
    // Earliest first when popped.
    for list in deleted.values_mut() {
        list.sort_unstable_by(|a, b| b.cmp(a));
    }
    let (mut moved_old, mut moved_new) = (vec![false; old.len()], vec![false; new.len()]);
    for op in ops.iter().filter(|op| !matches!(op, DiffOp::Equal { .. })) {
        for j in op.new_range() {
            if let Some(i) = deleted.get_mut(new[j]).and_then(Vec::pop) {
                moved_old[i] = true;
                moved_new[j] = true;
            }
        }
    }
    (moved_old, moved_new)
}

/// A word and what follows it up to the next word (spaces, punctuation): words are compared,
/// trailers only shown. A block that starts with punctuation starts with an empty word.
#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    word: &'a str,
    trailer: &'a str,
    /// Its block, as an index into the blocks being compared.
    block: usize,
    /// The end of a block in a region: matched like a word, so that of alignments that change
    /// as many words, one that keeps blocks whole wins; never shown or counted.
    end: bool,
}

/// The word of a block's end: no block text holds a line break.
const END: &str = "\n";

impl Token<'_> {
    fn end(block: usize) -> Token<'static> {
        Token {
            word: END,
            trailer: "",
            block,
            end: true,
        }
    }
}

/// Whether the word `tokens[i]` has a space or a block's end before it in its version.
fn spaced(tokens: &[Token], i: usize) -> bool {
    i.checked_sub(1)
        .is_none_or(|p| tokens[p].end || tokens[p].trailer.ends_with(char::is_whitespace))
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// An apostrophe, or the replacement character an archive left where it could not decode one
/// ("Cloudflare��s" for "Cloudflare’s": Cloudflare Terms of Service, 2022).
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{fffd}')
}

/// What a character is to the tokenizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CharKind {
    Word,
    Apostrophe,
    Other,
}

/// The kind of each ASCII character.
const ASCII_KINDS: [CharKind; 128] = {
    let mut kinds = [CharKind::Other; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'_' {
            kinds[b] = CharKind::Word;
        } else if c == b'\'' {
            kinds[b] = CharKind::Apostrophe;
        }
        b += 1;
    }
    kinds
};

/// The kind of the character at byte `at` of `text` (a character boundary before its end), and
/// its length: ASCII, most of any text, without decoding it.
#[inline]
fn kind_at(text: &str, at: usize) -> (CharKind, usize) {
    match text.as_bytes()[at] {
        b if b.is_ascii() => (ASCII_KINDS[b as usize], 1),
        _ => kind_of_char_at(text, at),
    }
}

#[inline(never)]
fn kind_of_char_at(text: &str, at: usize) -> (CharKind, usize) {
    let c = text[at..].chars().next().unwrap_or_default();
    let kind = if is_word_char(c) {
        CharKind::Word
    } else if is_apostrophe(c) {
        CharKind::Apostrophe
    } else {
        CharKind::Other
    };
    (kind, c.len_utf8())
}

/// Where the first word at or after byte `at` of `text` starts, or the text's end.
fn next_word(text: &str, mut at: usize) -> usize {
    while at < text.len() {
        let (kind, len) = kind_at(text, at);
        if kind == CharKind::Word {
            break;
        }
        at += len;
    }
    at
}

/// Where the word at byte `start` of `text` ends (`start` if none is there): word characters,
/// and apostrophes between them ("don't", "Meta’s"); quotes around a word are punctuation, so
/// 'x' and "x" are the same word.
fn word_end(text: &str, start: usize) -> usize {
    let (mut at, mut end) = (start, start);
    while at < text.len() {
        match kind_at(text, at) {
            (CharKind::Word, len) => {
                at += len;
                end = at;
            }
            (CharKind::Apostrophe, len) if end > start => {
                // A run of apostrophes joins the words around it only if a word follows.
                let mut next = at + len;
                while next < text.len() && kind_at(text, next).0 == CharKind::Apostrophe {
                    next += kind_at(text, next).1;
                }
                if next == text.len() || kind_at(text, next).0 != CharKind::Word {
                    break;
                }
                at = next;
            }
            _ => break,
        }
    }
    end
}

/// The words of a text with their trailers, in order ([`Token`]): the first word is empty if
/// the text starts with punctuation.
struct Words<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Iterator for Words<'a> {
    /// A word and its trailer.
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let (text, at) = (self.text, self.at);
        if at >= text.len() {
            return None;
        }
        let end = word_end(text, at);
        self.at = next_word(text, end);
        Some((&text[at..end], &text[end..self.at]))
    }
}

fn words(text: &str) -> Words<'_> {
    Words { text, at: 0 }
}

/// The form in which words are compared: folded (curly and straight quotes alike), and any
/// run of apostrophes one straight apostrophe, so an undecodable one is the same word.
fn word_form(word: &str) -> Cow<'_, str> {
    if word.is_ascii() {
        return Cow::Borrowed(word);
    }
    let folded = fold(word);
    if !folded.contains('\u{fffd}') {
        return folded;
    }
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        if !is_apostrophe(c) {
            out.push(c);
        } else if !out.ends_with('\'') {
            out.push('\'');
        }
    }
    Cow::Owned(out)
}

/// Whether a token's word counts as a word: "1" does, a lone apostrophe does not.
fn counts(word: &str) -> bool {
    word.chars().any(char::is_alphanumeric)
}

/// Appends the tokens of a block's text.
fn tokenize<'a>(text: &'a str, block: usize, out: &mut Vec<Token<'a>>) {
    out.extend(words(text).map(|(word, trailer)| Token {
        word,
        trailer,
        block,
        end: false,
    }));
}

/// Equal words get equal ids, compared in their folded form (curly and straight quotes alike).
#[derive(Default)]
struct Ids<'a> {
    ids: FxHashMap<Cow<'a, str>, usize>,
}

impl<'a> Ids<'a> {
    fn of(&mut self, tokens: &[Token<'a>]) -> Vec<usize> {
        tokens
            .iter()
            .map(|t| {
                let next = self.ids.len();
                *self.ids.entry(word_form(t.word)).or_insert(next)
            })
            .collect()
    }
}

/// One step of a word-level edit script, by token index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenOp {
    Equal(usize, usize),
    Delete(usize),
    Insert(usize),
}

/// The sentences of a token list, as ranges: a sentence ends at a block's end, or at a word
/// followed by `.`, `!`, `?`, `;` or `:` and a space ("1.1" does not end one). A lone word
/// never makes a sentence: numbered items ("10. Designated Stablecoin means…") renumbered
/// after an insertion would otherwise align by their numbers, not by their text (Binance
/// Terms of Service, 2023-01-19).
fn sentences(tokens: &[Token]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (k, t) in tokens.iter().enumerate() {
        let block_ends = tokens.get(k + 1).is_none_or(|next| next.block != t.block);
        let stop =
            k > start && t.trailer.ends_with(' ') && t.trailer.contains(['.', '!', '?', ';', ':']);
        if block_ends || stop {
            out.push(start..k + 1);
            start = k + 1;
        }
    }
    out
}

/// The word-level edit script from `old` to `new`: sentences are aligned first, so a long text
/// with a few changes costs about as much as reading it, then the words of changed sentences.
fn token_ops(old: &[Token], new: &[Token], budget: &mut Budget) -> Vec<TokenOp> {
    let mut ids = Ids::default();
    let (old_ids, new_ids) = (ids.of(old), ids.of(new));
    let (old_s, new_s) = (sentences(old), sentences(new));
    let mut sentence_ids: FxHashMap<&[usize], usize> = FxHashMap::default();
    let mut sentence_id = |slice| {
        let next = sentence_ids.len();
        *sentence_ids.entry(slice).or_insert(next)
    };
    let old_sid: Vec<usize> = old_s
        .iter()
        .map(|r| sentence_id(&old_ids[r.clone()]))
        .collect();
    let new_sid: Vec<usize> = new_s
        .iter()
        .map(|r| sentence_id(&new_ids[r.clone()]))
        .collect();
    let span = |s: &[Range<usize>], r: Range<usize>| match (s.get(r.start), r.end.checked_sub(1)) {
        (Some(first), Some(last)) if !r.is_empty() => first.start..s[last].end,
        _ => 0..0,
    };
    let mut out = Vec::with_capacity(old.len().max(new.len()));
    for op in align(&old_sid, &new_sid, budget) {
        if let DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = op
        {
            let (o, n) = (
                span(&old_s, old_index..old_index + len),
                span(&new_s, new_index..new_index + len),
            );
            out.extend(o.zip(n).map(|(i, j)| TokenOp::Equal(i, j)));
            continue;
        }
        let (o, n) = (span(&old_s, op.old_range()), span(&new_s, op.new_range()));
        for w in align(&old_ids[o.clone()], &new_ids[n.clone()], budget) {
            let (wo, wn) = (w.old_range(), w.new_range());
            if let DiffOp::Equal { .. } = w {
                out.extend(
                    wo.zip(wn)
                        .map(|(i, j)| TokenOp::Equal(o.start + i, n.start + j)),
                );
            } else {
                out.extend(wo.map(|i| TokenOp::Delete(o.start + i)));
                out.extend(wn.map(|j| TokenOp::Insert(n.start + j)));
            }
        }
    }
    out
}

/// Segments being built, merged when consecutive ones have the same op.
#[derive(Default)]
struct Segments(Vec<Segment>);

impl Segments {
    fn push(&mut self, op: Op, text: &str) {
        if text.is_empty() {
            return;
        }
        match self.0.last_mut() {
            Some(last) if last.op == op => last.text.push_str(text),
            _ => self.0.push(Segment {
                op,
                text: text.to_string(),
            }),
        }
    }

    /// Before a word of `op` that its own version has a space (or a block's end) before, when
    /// the text so far ends without one: a space. Words meet here that were not next to each
    /// other (the last word of one paragraph and the first of the next, both deleted; a kept
    /// word and a deleted one the new version dropped after it); without it they would run
    /// together ("GuidelinesAdditionally"). A deletion and an insertion side by side are one
    /// replacement, set apart by the theme, and get none.
    fn space_before(&mut self, op: Op, spaced: bool) {
        let Some(last) = self.0.last() else {
            return;
        };
        let replacement = matches!(
            (last.op, op),
            (Op::Delete, Op::Insert) | (Op::Insert, Op::Delete)
        );
        if spaced && !replacement && !last.text.ends_with(char::is_whitespace) {
            let op = if last.op == op { op } else { Op::Equal };
            self.push(op, " ");
        }
    }

    /// A word kept from `old` to `new`, in its new form; a changed trailer (other than in
    /// spaces) is shown as deleted and inserted characters. `spaced`: as [`Segments::token`].
    fn keep(&mut self, old: &Token, new: &Token, spaced: bool) {
        self.space_before(Op::Equal, spaced);
        self.push(Op::Equal, new.word);
        let (a, b) = (old.trailer, new.trailer);
        if a.trim() == b.trim() {
            self.push(Op::Equal, b);
            return;
        }
        // Trailers hold no word characters: their shared marks are their shared ends.
        let head = shared_marks(a.chars().zip(b.chars()));
        let tail = shared_marks(a[head..].chars().rev().zip(b[head..].chars().rev()));
        self.push(Op::Equal, &b[..head]);
        self.push(Op::Delete, &a[head..a.len() - tail]);
        self.push(Op::Insert, &b[head..b.len() - tail]);
        self.push(Op::Equal, &b[b.len() - tail..]);
    }

    /// A word deleted or inserted; `spaced`: whether its version has a space or a block's end
    /// before it ([`spaced`]).
    fn token(&mut self, op: Op, t: &Token, spaced: bool) {
        self.space_before(op, spaced);
        self.push(op, t.word);
        self.push(op, t.trailer);
    }

    fn changed(&self) -> bool {
        self.0.iter().any(|s| s.op != Op::Equal)
    }

    /// The segments, with the spaces and punctuation a deletion and the insertion next to it
    /// share moved out of them: "something[- ][+ else]." reads "something[+ else].".
    fn finish(self) -> Vec<Segment> {
        let mut out = Segments::default();
        let mut rest = self.0.into_iter().peekable();
        while let Some(s) = rest.next() {
            let opposite = |n: &Segment| {
                matches!(
                    (s.op, n.op),
                    (Op::Delete, Op::Insert) | (Op::Insert, Op::Delete)
                )
            };
            let Some(n) = rest.next_if(opposite) else {
                out.push(s.op, &s.text);
                continue;
            };
            let (del, ins) = if s.op == Op::Delete { (s, n) } else { (n, s) };
            let (a, b) = (del.text.as_str(), ins.text.as_str());
            // Spaces a deletion ends with are those the words after it had: not shown.
            let a = a.trim_end();
            let head = shared_marks(a.chars().zip(b.chars()));
            let b_core = b.trim_end();
            let tail = shared_marks(a[head..].chars().rev().zip(b_core[head..].chars().rev()));
            out.push(Op::Equal, &a[..head]);
            out.push(Op::Delete, &a[head..a.len() - tail]);
            out.push(Op::Insert, &b[head..b_core.len() - tail]);
            out.push(Op::Equal, &b[b_core.len() - tail..]);
        }
        out.0
    }
}

/// Bytes of the run of equal characters that are not word characters at the start of `pairs`.
fn shared_marks(pairs: impl Iterator<Item = (char, char)>) -> usize {
    pairs
        .take_while(|(x, y)| x == y && !is_word_char(*x))
        .map(|(x, _)| x.len_utf8())
        .sum()
}

/// A changed region's blocks, each in its place, and its word counts.
struct Region {
    added: usize,
    removed: usize,
    blocks: Vec<Placed>,
}

impl Region {
    /// Diffs old blocks `olds` against new blocks `news` (indices into the versions) as one run
    /// of words, then shows each new block on its own; `end` is where the region ends in `new`.
    fn diff(
        old: &DocText,
        olds: &[usize],
        new: &DocText,
        news: &[usize],
        end: usize,
        budget: &mut Budget,
    ) -> Region {
        let (old, new) = (RegionWords::new(old, olds), RegionWords::new(new, news));
        let ops = token_ops(&old.tokens, &new.tokens, budget);
        let target = delete_targets(&ops, &old.tokens, &new.tokens, olds.len());
        let mut placer = Placer::new(old, new, end, &ops);
        for (at, op) in ops.into_iter().enumerate() {
            match op {
                TokenOp::Equal(_, j) | TokenOp::Insert(j) if placer.new.tokens[j].end => {}
                TokenOp::Delete(i) if placer.old.tokens[i].end => {}
                TokenOp::Equal(_, j) | TokenOp::Insert(j) => placer.new_word(op, j),
                TokenOp::Delete(i) => placer.deleted_word(i, target[at]),
            }
        }
        placer.finish()
    }
}

/// One side of a region: its version, its blocks (indices into the version) and their words,
/// each block followed by its end.
struct RegionWords<'a> {
    doc: &'a DocText,
    blocks: &'a [usize],
    tokens: Vec<Token<'a>>,
}

impl<'a> RegionWords<'a> {
    fn new(doc: &'a DocText, blocks: &'a [usize]) -> Self {
        let mut tokens = Vec::new();
        for (k, &i) in blocks.iter().enumerate() {
            tokenize(&doc.blocks[i].text, k, &mut tokens);
            tokens.push(Token::end(k));
        }
        RegionWords {
            doc,
            blocks,
            tokens,
        }
    }
}

/// A region's blocks placed one by one as its word ops are read in order: a new block that
/// keeps words is built from its segments, a block that keeps none is shown whole (inserted or
/// deleted), each in its place among the new version's blocks.
struct Placer<'a> {
    old: RegionWords<'a>,
    new: RegionWords<'a>,
    /// Where the region ends in the new version.
    end: usize,
    /// Which blocks of each side (indices into its `blocks`) keep some of their words.
    kept_old: Vec<bool>,
    kept_new: Vec<bool>,
    region: Region,
    /// The new block being built (index into `new.blocks`), and its segments.
    current: Option<(usize, Segments)>,
    /// The last new block shown, kept or inserted, and deleted words waiting for a block.
    last_new: Option<usize>,
    waiting: Segments,
    /// Deleted blocks placed before the next new block shown.
    unplaced: Vec<usize>,
    last_deleted: Option<usize>,
}

impl<'a> Placer<'a> {
    fn new(old: RegionWords<'a>, new: RegionWords<'a>, end: usize, ops: &[TokenOp]) -> Self {
        let mut kept_old = vec![false; old.blocks.len()];
        let mut kept_new = vec![false; new.blocks.len()];
        for op in ops {
            if let TokenOp::Equal(i, j) = *op
                && !old.tokens[i].end
            {
                kept_old[old.tokens[i].block] = true;
                kept_new[new.tokens[j].block] = true;
            }
        }
        Placer {
            old,
            new,
            end,
            kept_old,
            kept_new,
            region: Region {
                added: 0,
                removed: 0,
                blocks: Vec::new(),
            },
            current: None,
            last_new: None,
            waiting: Segments::default(),
            unplaced: Vec::new(),
            last_deleted: None,
        }
    }

    /// A word of the new side, `j`, kept (`op` is [`TokenOp::Equal`]) or inserted: it goes to
    /// the segments of its block, which starts here if it keeps words, or is shown whole
    /// (inserted) at its first word if it keeps none.
    fn new_word(&mut self, op: TokenOp, j: usize) {
        let k = self.new.tokens[j].block;
        if let TokenOp::Insert(_) = op
            && counts(self.new.tokens[j].word)
        {
            self.region.added += 1;
        }
        if self.current.as_ref().is_some_and(|(c, _)| *c == k) {
        } else if self.kept_new[k] {
            self.flush();
            self.current = Some((k, std::mem::take(&mut self.waiting)));
        } else if self.last_new != Some(k) {
            self.flush();
            let at = self.new.blocks[k];
            let b = &self.new.doc.blocks[at];
            self.region.blocks.push(Placed {
                place: (at, 1),
                shown: Some(DiffBlock::Inserted {
                    kind: b.kind,
                    text: b.text.clone(),
                }),
                from: Side::New(at),
            });
        }
        if self.last_new != Some(k) {
            for p in self.unplaced.drain(..) {
                self.region.blocks[p].place = (self.new.blocks[k], 0);
            }
            self.last_new = Some(k);
        }
        if let Some((_, segments)) = self.current.as_mut() {
            let (new, spaced) = (&self.new.tokens[j], spaced(&self.new.tokens, j));
            match op {
                TokenOp::Equal(i, _) => segments.keep(&self.old.tokens[i], new, spaced),
                _ => segments.token(Op::Insert, new, spaced),
            }
        }
    }

    /// A deleted word of the old side, `i`, whose block keeps words in the new block `target`
    /// ([`delete_targets`]): it goes to that block's segments; a block that keeps none is shown
    /// whole (deleted) at its first word, after the last new block shown.
    fn deleted_word(&mut self, i: usize, target: Option<usize>) {
        let a = self.old.tokens[i].block;
        if counts(self.old.tokens[i].word) {
            self.region.removed += 1;
        }
        if self.kept_old[a] {
            // With the words of its block kept around it, in whichever new block they went
            // to: now, or when that block starts.
            let (old, spaced) = (&self.old.tokens[i], spaced(&self.old.tokens, i));
            match self.current.as_mut() {
                Some((k, segments)) if target.is_none_or(|t| t <= *k) => {
                    segments.token(Op::Delete, old, spaced)
                }
                _ => self.waiting.token(Op::Delete, old, spaced),
            }
        } else if self.last_deleted != Some(a) {
            self.last_deleted = Some(a);
            let b = &self.old.doc.blocks[self.old.blocks[a]];
            let place = match self.last_new {
                Some(k) => (self.new.blocks[k] + 1, 0),
                None => {
                    self.unplaced.push(self.region.blocks.len());
                    (self.end, 0)
                }
            };
            self.region.blocks.push(Placed {
                place,
                shown: Some(DiffBlock::Deleted {
                    kind: b.kind,
                    text: b.text.clone(),
                }),
                from: Side::Old(self.old.blocks[a]),
            });
        }
    }

    /// Places the new block being built: unchanged, or changed with its segments.
    fn flush(&mut self) {
        if let Some((k, segments)) = self.current.take() {
            let j = self.new.blocks[k];
            let kind = self.new.doc.blocks[j].kind;
            self.region.blocks.push(Placed {
                place: (j, 1),
                shown: segments.changed().then(|| DiffBlock::Changed {
                    kind,
                    segments: segments.finish(),
                }),
                from: Side::New(j),
            });
        }
    }

    /// The region, once every op is read: deleted words with no kept block after them join
    /// the last kept block.
    fn finish(mut self) -> Region {
        self.flush();
        if self.waiting.changed()
            && let Some(p) = self.region.blocks.iter_mut().rev().find(|p| {
                matches!(p.shown, None | Some(DiffBlock::Changed { .. }))
                    && matches!(p.from, Side::New(_))
            })
            && let Side::New(j) = p.from
        {
            let b = &self.new.doc.blocks[j];
            let mut segments = match p.shown.take() {
                Some(DiffBlock::Changed { segments, .. }) => Segments(segments),
                _ => {
                    let mut s = Segments::default();
                    s.push(Op::Equal, &b.text);
                    s
                }
            };
            // After the block's last word: a place of their own.
            for (n, s) in self.waiting.0.into_iter().enumerate() {
                segments.space_before(s.op, n == 0);
                segments.push(s.op, &s.text);
            }
            p.shown = Some(DiffBlock::Changed {
                kind: b.kind,
                segments: segments.finish(),
            });
        }
        self.region
    }
}

/// For each deleted token of `ops` (by position) whose block keeps some words, the new block
/// those words went to: the block of its block's last kept word before it, else of the first
/// after it.
fn delete_targets(
    ops: &[TokenOp],
    old: &[Token],
    new: &[Token],
    blocks: usize,
) -> Vec<Option<usize>> {
    let mut target = vec![None; ops.len()];
    let mut last: Vec<Option<usize>> = vec![None; blocks];
    for (at, op) in ops.iter().enumerate() {
        match *op {
            TokenOp::Equal(i, j) if !old[i].end => last[old[i].block] = Some(new[j].block),
            TokenOp::Delete(i) => target[at] = last[old[i].block],
            _ => {}
        }
    }
    last.iter_mut().for_each(|l| *l = None);
    for (at, op) in ops.iter().enumerate().rev() {
        match *op {
            TokenOp::Equal(i, j) if !old[i].end => last[old[i].block] = Some(new[j].block),
            TokenOp::Delete(i) if target[at].is_none() => target[at] = last[old[i].block],
            _ => {}
        }
    }
    target
}

/// A hash of the words of `blocks` as diffs compare them: equal for two versions exactly when
/// their diff adds and removes no word.
pub fn word_key<'a>(blocks: impl Iterator<Item = &'a str>) -> u64 {
    let mut words = Vec::new();
    for text in blocks {
        push_words(text, &mut words);
    }
    hash_of(words.as_slice())
}

/// The words of a text that count, in the form they are compared in: what [`word_key`] hashes.
/// A block's, read once, make the keys of the versions that hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordForms(Vec<u8>);

impl WordForms {
    /// The words of `text`.
    pub fn of(text: &str) -> WordForms {
        let mut words = Vec::new();
        push_words(text, &mut words);
        WordForms(words)
    }

    /// The [`word_key`] of the text.
    pub fn key(&self) -> u64 {
        hash_of(self.0.as_slice())
    }

    /// The [`word_key`] of texts one after the other.
    pub fn key_of_all<'a>(all: impl Iterator<Item = &'a WordForms>) -> u64 {
        let words: Vec<u8> = all.flat_map(|w| w.0.iter().copied()).collect();
        hash_of(words.as_slice())
    }
}

/// Appends the words of `text` that count, in the form they are compared in, each followed by
/// a byte no text holds: what [`word_key`] hashes, in one piece rather than word by word.
fn push_words(text: &str, out: &mut Vec<u8>) {
    for (word, _) in words(text).filter(|(w, _)| counts(w)) {
        out.extend_from_slice(word_form(word).as_bytes());
        out.push(0xff);
    }
}

/// Word-level diff of two texts: merged segments, words added, words removed.
pub fn word_segments(old: &str, new: &str) -> (Vec<Segment>, usize, usize) {
    let (mut ot, mut nt) = (Vec::new(), Vec::new());
    tokenize(old, 0, &mut ot);
    tokenize(new, 0, &mut nt);
    let mut budget = Budget::for_size(old.len() + new.len());
    let mut segments = Segments::default();
    let (mut added, mut removed) = (0, 0);
    for op in token_ops(&ot, &nt, &mut budget) {
        match op {
            TokenOp::Equal(i, j) => segments.keep(&ot[i], &nt[j], spaced(&nt, j)),
            TokenOp::Delete(i) => {
                removed += usize::from(counts(ot[i].word));
                segments.token(Op::Delete, &ot[i], spaced(&ot, i));
            }
            TokenOp::Insert(j) => {
                added += usize::from(counts(nt[j].word));
                segments.token(Op::Insert, &nt[j], spaced(&nt, j));
            }
        }
    }
    (segments.finish(), added, removed)
}

/// The block-level edit script from `old` to `new`, as similar's Patience gives it, but with
/// every use of Myers paid for from `budget`.
fn align_blocks<'a>(old: &[&'a str], new: &[&'a str], budget: &mut Budget) -> Vec<DiffOp> {
    // Equal texts get equal ids: comparing two blocks then costs one step, however long they are.
    let mut ids: FxHashMap<&'a str, usize> = FxHashMap::default();
    let mut id = |t: &'a str| {
        let next = ids.len();
        *ids.entry(t).or_insert(next)
    };
    let old: Vec<usize> = old.iter().map(|t| id(t)).collect();
    let new: Vec<usize> = new.iter().map(|t| id(t)).collect();
    align(&old, &new, budget)
}

/// The edit script from `old` to `new` (items by id), as similar's Patience gives it, but with
/// every use of Myers paid for from `budget`: a gap between anchors the budget cannot pay for is
/// one removal and one insertion (less the items it starts and ends with unchanged).
fn align(old: &[usize], new: &[usize], budget: &mut Budget) -> Vec<DiffOp> {
    let mut d = Compact::new(Replace::new(Capture::new()), old, new);
    let (mut i, mut j) = (0, 0);
    for (a, b) in anchors(old, new, budget) {
        let k = common_prefix(&old[i..a], &new[j..b]);
        if k > 0 {
            let Ok(()) = d.equal(i, j, k);
        }
        let Ok(()) = fill_gap(&mut d, old, i + k..a, new, j + k..b, budget);
        // The anchor itself is matched at the start of the next gap.
        (i, j) = (a, b);
    }
    let Ok(()) = fill_gap(&mut d, old, i..old.len(), new, j..new.len(), budget);
    let Ok(()) = d.finish();
    d.into_inner().into_inner().into_ops()
}

/// The blocks that anchor the alignment, as (old index, new index): of the blocks found once in
/// their version, those Myers matches between the two lists, as similar's Patience does; none
/// if the budget cannot pay for it.
fn anchors(old: &[usize], new: &[usize], budget: &mut Budget) -> Vec<(usize, usize)> {
    // Counted in a map, not a table of all ids: a gap of a few words costs a few steps.
    let mut count: FxHashMap<usize, (u8, u8)> =
        FxHashMap::with_capacity_and_hasher(old.len() + new.len(), Default::default());
    for &id in old {
        let c = count.entry(id).or_default();
        c.0 = c.0.saturating_add(1);
    }
    for &id in new {
        let c = count.entry(id).or_default();
        c.1 = c.1.saturating_add(1);
    }
    let old_once: Vec<usize> = (0..old.len()).filter(|&i| count[&old[i]].0 == 1).collect();
    let new_once: Vec<usize> = (0..new.len()).filter(|&j| count[&new[j]].1 == 1).collect();
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
///
/// The steps are those of the textbook search, which visits every diagonal −d..=d for each d,
/// but only the diagonals whose furthest point is inside the grid are followed one by one; the
/// others can extend no snake and are counted, not visited. So a region of thousands of words
/// against a few (a policy against an error page) costs about D times the few, not D²/2.
fn myers_search<T: PartialEq>(a: &[T], b: &[T], limit: u64) -> (u64, bool) {
    let mut search = Search::new(a, b, limit);
    for d in 0..=search.n + search.m {
        if let ControlFlow::Break(end) = search.round(d) {
            return end;
        }
    }
    (search.steps, true)
}

/// A diagonal whose furthest point is past the grid (on or beyond its last row or column).
const PAST: isize = -1;

/// The state of [`myers_search`] between its rounds.
///
/// A point past the grid extends no snake, and a diagonal beside one gets a point past the grid
/// at the next round (moving from it reaches furthest along the diagonal): such diagonals are
/// only counted. The end needs no visit either: the best path's first point on the grid's last
/// row or column is one that the followed diagonals' moves reach, and from there each edit is
/// one row or column, so D is the least, over those points, of their round plus the rows and
/// columns they have left; the search ends on diagonal n − m in round D.
struct Search<'s, T> {
    a: &'s [T],
    b: &'s [T],
    n: isize,
    m: isize,
    limit: u64,
    steps: u64,
    /// `far[k + n + m + 1]`: how far along `a` the furthest point on diagonal k = x − y is,
    /// or [`PAST`].
    far: Vec<isize>,
    /// The diagonals followed in the last round (`far` is stale outside them), and the span of
    /// those whose point is inside the grid.
    followed: (isize, isize),
    inside: Option<(isize, isize)>,
    /// The fewest edits of a path to the end found so far: D once the rounds reach it.
    best: isize,
}

impl<'s, T: PartialEq> Search<'s, T> {
    fn new(a: &'s [T], b: &'s [T], limit: u64) -> Self {
        let (n, m) = (a.len() as isize, b.len() as isize);
        Search {
            a,
            b,
            n,
            m,
            limit,
            steps: 0,
            far: vec![PAST; 2 * (n + m + 1) as usize + 1],
            followed: (0, -1),
            inside: Some((0, 0)),
            best: isize::MAX,
        }
    }

    /// Round `d`: the diagonals −d..=d, two apart, in order; breaks with the search's result if
    /// it ends in this round.
    fn round(&mut self, d: isize) -> ControlFlow<(u64, bool)> {
        // Two apart and of d's parity; empty (lo > hi) when no point is inside the grid.
        let (lo, hi) = match self.inside {
            Some((lo, hi)) => ((lo - 1).max(-d), (hi + 1).min(d)),
            None => (d + 2, d),
        };
        self.count_past(d, -d, (lo + d) / 2)?;
        let mut inside = None;
        for k in (lo..=hi).step_by(2) {
            if self.follow(d, k) {
                inside = Some((inside.map_or(k, |(lo, _)| lo), k));
            }
            if k == self.n - self.m && self.best == d {
                return ControlFlow::Break((self.steps, true));
            }
            if self.steps > self.limit {
                return ControlFlow::Break((self.steps, false));
            }
        }
        (self.followed, self.inside) = ((lo, hi), inside);
        self.count_past(d, hi + 2, (d - hi) / 2)
    }

    /// Counts `count` diagonals from `from` on, two apart, whose points are past the grid: one
    /// step each. In round D the search ends at diagonal n − m, if it is one of them.
    fn count_past(&mut self, d: isize, from: isize, count: isize) -> ControlFlow<(u64, bool)> {
        let goal = self.n - self.m;
        if self.best == d && (from..from + 2 * count).contains(&goal) {
            let before = ((goal - from) / 2) as u64;
            if self.steps + before > self.limit {
                return ControlFlow::Break((self.limit + 1, false));
            }
            return ControlFlow::Break((self.steps + before + 1, true));
        }
        self.steps += count as u64;
        if self.steps > self.limit {
            return ControlFlow::Break((self.limit + 1, false));
        }
        ControlFlow::Continue(())
    }

    /// Follows diagonal `k` in round `d`: its furthest point, from the points beside it in the
    /// last round, then its snake. Whether the point is inside the grid.
    fn follow(&mut self, d: isize, k: isize) -> bool {
        let (x, inside) = if d == 0 {
            (Some(0), true)
        } else {
            // `None`: no such neighbour; `Some(None)`: its point is past the grid.
            let right = (k > -d).then(|| self.inside_at(k - 1).map(|x| x + 1));
            let down = (k < d).then(|| self.inside_at(k + 1));
            let inside = right.is_none_or(|r| r.is_some()) && down.is_none_or(|r| r.is_some());
            (right.flatten().max(down.flatten()), inside)
        };
        self.steps += 1;
        let at = (k + self.n + self.m + 1) as usize;
        self.far[at] = PAST;
        let Some(mut x) = x else {
            return false;
        };
        let mut y = x - k;
        if inside {
            while x < self.n && y < self.m && self.a[x as usize] == self.b[y as usize] {
                x += 1;
                y += 1;
                self.steps += 1;
            }
        }
        // When a neighbour's point is past the grid, this point is too and lies further along
        // the diagonal: the rows and columns left from here are then only a bound, which the
        // best path still attains.
        if x <= self.n && y <= self.m {
            self.best = self.best.min(d + (self.n - x) + (self.m - y));
        }
        let inside = inside && x < self.n && y < self.m;
        if inside {
            self.far[at] = x;
        }
        inside
    }

    /// The furthest point of diagonal `k` in the last round, if it is inside the grid.
    fn inside_at(&self, k: isize) -> Option<isize> {
        let (lo, hi) = self.followed;
        (lo..=hi)
            .contains(&k)
            .then(|| self.far[(k + self.n + self.m + 1) as usize])
            .filter(|&x| x != PAST)
    }
}

/// How many items `a` and `b` have in common, as multisets.
fn shared_items<T: Hash + Eq>(a: &[T], b: &[T]) -> usize {
    let mut unmatched: FxHashMap<&T, usize> = FxHashMap::default();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Block;
    use similar::{Algorithm, capture_diff_slices};

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

    fn tokens(text: &str) -> Vec<(&str, &str)> {
        let mut out = Vec::new();
        tokenize(text, 0, &mut out);
        out.iter().map(|t| (t.word, t.trailer)).collect()
    }

    #[test]
    fn tokens_are_words_with_their_trailers() {
        assert_eq!(tokens("a  b"), [("a", "  "), ("b", "")]);
        assert_eq!(tokens("Don't stop."), [("Don't", " "), ("stop", ".")]);
        assert_eq!(
            tokens("(a) 1.1 x"),
            [("", "("), ("a", ") "), ("1", "."), ("1", " "), ("x", "")]
        );
        assert_eq!(tokens("…"), [("", "…")]);
        assert_eq!(
            tokens("'Meta’s' don't"),
            [("", "'"), ("Meta’s", "' "), ("don't", "")]
        );
        assert_eq!(
            tokens("Cloudflare\u{fffd}\u{fffd}s x\u{fffd} y"),
            [
                ("Cloudflare\u{fffd}\u{fffd}s", " "),
                ("x", "\u{fffd} "),
                ("y", "")
            ]
        );
    }

    /// The tokens of a text as a character-by-character reading defines them.
    fn tokens_by_char(text: &str) -> Vec<(&str, &str)> {
        let word_end = |rest: &str| {
            let mut end = 0;
            let mut chars = rest.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                if is_word_char(c) {
                    end = i + c.len_utf8();
                } else if is_apostrophe(c) && end > 0 {
                    let mut after = chars
                        .clone()
                        .map(|(_, n)| n)
                        .skip_while(|&n| is_apostrophe(n));
                    if !after.next().is_some_and(is_word_char) {
                        break;
                    }
                } else {
                    break;
                }
            }
            end
        };
        let mut out = Vec::new();
        let lead = text.find(is_word_char).unwrap_or(text.len());
        if lead > 0 {
            out.push(("", &text[..lead]));
        }
        let mut rest = &text[lead..];
        while !rest.is_empty() {
            let end = word_end(rest);
            let after = &rest[end..];
            let trailer = after.find(is_word_char).unwrap_or(after.len());
            out.push((&rest[..end], &after[..trailer]));
            rest = &after[trailer..];
        }
        out
    }

    #[test]
    fn tokens_are_read_as_character_by_character() {
        let pieces = [
            "a",
            "Z",
            "9",
            "_",
            "é",
            "ß",
            "٣",
            "日",
            "'",
            "\u{2019}",
            "\u{fffd}",
            " ",
            ".",
            "\"",
            "\u{a0}",
            "—",
            "€",
            "x'y",
            "''",
            "\u{1f600}",
        ];
        let mut random = rng(3);
        for case in 0..5000 {
            let text: String = (0..random(12))
                .map(|_| pieces[random(pieces.len())])
                .collect();
            assert_eq!(
                tokens(&text),
                tokens_by_char(&text),
                "case {case}: {text:?}"
            );
        }
    }

    #[test]
    fn word_forms_give_the_keys_of_each_block_and_of_all() {
        let texts = ["One, two.", "Three", "four’s 5"];
        let forms: Vec<WordForms> = texts.iter().map(|t| WordForms::of(t)).collect();
        let all = WordForms::key_of_all(forms.iter());
        assert_eq!(all, word_key(texts.into_iter()));
        for (f, t) in forms.iter().zip(texts) {
            assert_eq!(f.key(), word_key(std::iter::once(t)));
        }
        // Words are compared, not blocks or punctuation.
        assert_eq!(all, word_key(["One two Three", "four's 5!"].into_iter()));
        assert_ne!(all, word_key(["One two Three four 5"].into_iter()));
    }

    /// Cloudflare Terms of Service, 2022-02-23: an apostrophe the archive could not decode is
    /// the same word, so the version is formatting; "its" and "it's" stay two words.
    #[test]
    fn an_undecodable_apostrophe_is_the_same_word() {
        let key = |t: &str| word_key(std::iter::once(t));
        assert_eq!(
            key("without Cloudflare’s consent"),
            key("without Cloudflare\u{fffd}\u{fffd}s consent")
        );
        assert_eq!(key("Cloudflare's"), key("Cloudflare’s"));
        assert_ne!(key("its"), key("it's"));
    }

    /// What each block of a diff is, and its text: "changed" blocks with their marked words.
    fn shown(d: &VersionDiff) -> Vec<String> {
        d.blocks
            .iter()
            .map(|b| match b {
                DiffBlock::Same { text, .. } => format!("same {text}"),
                DiffBlock::Skipped { count } => format!("skipped {count}"),
                DiffBlock::Inserted { text, .. } => format!("inserted {text}"),
                DiffBlock::Deleted { text, .. } => format!("deleted {text}"),
                DiffBlock::Moved { text, .. } => format!("moved {text}"),
                DiffBlock::Changed { segments, kind } => {
                    let words: String = segments
                        .iter()
                        .map(|s| match s.op {
                            Op::Equal => s.text.clone(),
                            Op::Insert => format!("[+{}]", s.text),
                            Op::Delete => format!("[-{}]", s.text),
                        })
                        .collect();
                    format!("changed {kind:?} {words}")
                }
            })
            .collect()
    }

    fn items(texts: &[&str]) -> DocText {
        DocText {
            blocks: texts
                .iter()
                .map(|t| match t.strip_prefix("- ") {
                    Some(item) => Block {
                        kind: BlockKind::ListItem,
                        text: item.into(),
                    },
                    None => doc(&[t]).blocks.remove(0),
                })
                .collect(),
        }
    }

    /// ChatGPT AUP, 2026-05-26: a heading and the paragraph after it rewritten as one
    /// paragraph. Their deleted words used to run together: "Distribution GuidelinesAdditionally".
    #[test]
    fn deleted_words_of_two_blocks_do_not_run_together() {
        let d = diff(
            &doc(&[
                "# 2. Sora Distribution Guidelines",
                "Additionally, content may be removed from the Sora Feed.",
            ]),
            &doc(&["The Sora API will be discontinued."]),
        );
        assert_eq!(
            shown(&d),
            [
                "changed Paragraph [-2.][+The] Sora [-Distribution Guidelines Additionally, \
              content may][+API will] be [-removed from the Sora Feed][+discontinued]."
            ]
        );
    }

    /// A kept word and a deleted one the new version dropped after it, at the end of a text.
    #[test]
    fn a_deleted_word_after_the_last_kept_one_is_apart() {
        let (segments, ..) = word_segments("Updated in 2022 today", "Updated in 2022");
        let shown: Vec<(Op, &str)> = segments.iter().map(|s| (s.op, s.text.as_str())).collect();
        assert_eq!(
            shown,
            [(Op::Equal, "Updated in 2022 "), (Op::Delete, "today")]
        );
    }

    /// Grok AUP, 2026-08-14: two prohibitions changed at once stay two list items.
    #[test]
    fn two_changed_list_items_stay_two_blocks() {
        let d = diff(
            &items(&[
                "- Operating in a regulated industry without a licence.",
                "- Operating the Service in a region where it is not offered.",
            ]),
            &items(&[
                "- Operating in a regulated industry or market without a licence.",
                "- Offering the Service in a region where it is not offered.",
            ]),
        );
        assert_eq!(
            shown(&d),
            [
                "changed ListItem Operating in a regulated industry [+or market ]without a licence.",
                "changed ListItem [-Operating][+Offering] the Service in a region where it is not offered.",
            ]
        );
        assert_eq!((d.words_added, d.words_removed), (3, 1));
    }

    /// An inserted section (heading and paragraph) before a renumbered heading: the new heading
    /// and paragraph are shown whole as inserted, each with its own kind, and the renumbered
    /// heading on its own.
    #[test]
    fn an_inserted_section_is_shown_whole_and_apart() {
        let d = diff(
            &doc(&[
                "# 4. Fees",
                "You pay the fees.",
                "# 5. Security",
                "Keep your keys safe.",
            ]),
            &doc(&[
                "# 4. Fees",
                "You pay the fees.",
                "# 5. Security Violations",
                "Report any breach within 24 hours.",
                "# 6. Security",
                "Keep your keys safe.",
            ]),
        );
        // Of the alignments that change fewest words, Myers keeps "5. Security" in the first
        // new heading: each block is still shown apart, with its kind.
        assert_eq!(
            shown(&d),
            [
                "skipped 1",
                "same You pay the fees.",
                "changed Heading(1) 5. Security [+Violations]",
                "inserted Report any breach within 24 hours.",
                "inserted 6. Security",
                "same Keep your keys safe.",
            ]
        );
        let kinds: Vec<&BlockKind> = d.blocks[3..5]
            .iter()
            .filter_map(|b| match b {
                DiffBlock::Inserted { kind, .. } => Some(kind),
                _ => None,
            })
            .collect();
        assert_eq!(kinds, [&BlockKind::Paragraph, &BlockKind::Heading(1)]);
        assert_eq!((d.words_added, d.words_removed), (9, 0));
    }

    /// Llama API Terms of Service: one word deleted from a 6,000-word paragraph is one word.
    #[test]
    fn one_word_deleted_from_a_very_long_paragraph() {
        let sentence =
            |i: usize| format!("Clause {i} binds you and Meta for the term of this agreement. ");
        let old: String = (0..600).map(sentence).collect();
        let new = old.replacen("binds you and Meta", "binds you Meta", 1);
        let d = diff(&doc(&[old.trim()]), &doc(&[new.trim()]));
        assert_eq!((d.words_added, d.words_removed), (0, 1));
    }

    /// A document re-serialised: one paragraph split into three, one word changed. Counts are
    /// the word changed; the unchanged new blocks are context.
    #[test]
    fn a_paragraph_split_into_blocks_counts_only_changed_words() {
        let d = diff(
            &doc(&[
                "1. Services. You may use them. 2. Fees. You pay monthly. 3. Law. Irish law applies.",
            ]),
            &doc(&[
                "1. Services. You may use them.",
                "2. Fees. You pay yearly.",
                "3. Law. Irish law applies.",
            ]),
        );
        assert_eq!((d.words_added, d.words_removed), (1, 1));
        assert_eq!(
            shown(&d),
            [
                "same 1. Services. You may use them.",
                "changed Paragraph 2. Fees. You pay [-monthly][+yearly].",
                "same 3. Law. Irish law applies."
            ]
        );
    }

    #[test]
    fn punctuation_and_block_breaks_alone_change_no_word() {
        let d = diff(
            &doc(&["Written by Disqus. Updated over a week ago"]),
            &doc(&["Written by Disqus", "Updated over a week ago"]),
        );
        assert_eq!((d.words_added, d.words_removed), (0, 0));
        assert_eq!(
            shown(&d),
            [
                "changed Paragraph Written by Disqus[-. ]",
                "same Updated over a week ago"
            ]
        );
    }

    #[test]
    fn a_block_moved_elsewhere_is_shown_as_moved_and_counts_no_word() {
        let d = diff(
            &doc(&[
                "Skip to toolbar Log In",
                "# Terms",
                "One.",
                "Two.",
                "Three.",
            ]),
            &doc(&[
                "# Terms",
                "One.",
                "Two.",
                "Three.",
                "Skip to toolbar Log In",
            ]),
        );
        // Only the move changed: no word counted, and the block shown as moved.
        assert_eq!((d.words_added, d.words_removed), (0, 0));
        assert!(
            shown(&d).contains(&"moved Skip to toolbar Log In".to_string()),
            "{:?}",
            shown(&d)
        );
    }

    #[test]
    fn a_deleted_block_is_shown_whole_in_its_place() {
        let d = diff(
            &doc(&[
                "# A",
                "Keep this.",
                "Drop this whole paragraph.",
                "And this.",
            ]),
            &doc(&["# A", "Keep this.", "And this."]),
        );
        assert_eq!(
            shown(&d),
            [
                "skipped 1",
                "same Keep this.",
                "deleted Drop this whole paragraph.",
                "same And this."
            ]
        );
        assert_eq!((d.words_added, d.words_removed), (0, 4));
        assert_eq!(d.sections, ["A"]);
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
                _ => "changed",
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
        assert!(unchanged(&diff(&a, &a).blocks));
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

    /// Myers' greedy search as the textbook has it, every diagonal visited in every round: the
    /// steps [`myers_search`] must count.
    fn textbook_search<T: PartialEq>(a: &[T], b: &[T], limit: u64) -> (u64, bool) {
        let (n, m) = (a.len() as isize, b.len() as isize);
        let offset = n + m + 1;
        let at = |k: isize| (k + offset) as usize;
        let mut far = vec![0isize; 2 * offset as usize + 1];
        let mut steps = 0u64;
        for d in 0..=n + m {
            for k in (-d..=d).step_by(2) {
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

    #[test]
    fn the_search_counts_the_steps_of_the_textbook_search() {
        let mut random = rng(11);
        for case in 0..4000 {
            // Few symbols give long snakes; lopsided lengths leave most diagonals past the grid.
            let symbols = 1 + random(5);
            let (n, m) = match case % 3 {
                0 => (random(40), random(40)),
                1 => (random(80), random(6)),
                _ => (random(6), random(80)),
            };
            let a: Vec<usize> = (0..n).map(|_| random(symbols)).collect();
            let b: Vec<usize> = (0..m).map(|_| random(symbols)).collect();
            let (all, done) = textbook_search(&a, &b, u64::MAX);
            assert!(done);
            let cut = random(all as usize + 1) as u64;
            for limit in [u64::MAX, all, all - 1, cut, 0] {
                assert_eq!(
                    myers_search(&a, &b, limit),
                    textbook_search(&a, &b, limit),
                    "case {case}: {a:?} → {b:?}, limit {limit}"
                );
            }
        }
    }

    #[test]
    fn huge_rewrites_fall_back_to_replace_whole() {
        let old = "a ".repeat(8000);
        let new = "b ".repeat(8000);
        let (segments, added, removed) = word_segments(&old, &new);
        assert_eq!((added, removed), (8000, 8000));
        assert!(segments.len() <= 3, "{}", segments.len());
        assert!(
            !segments
                .iter()
                .any(|s| s.op == Op::Equal && is_word_char(s.text.chars().next().unwrap_or(' ')))
        );
    }
}
