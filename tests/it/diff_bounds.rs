//! Diffs are bounded by the size of their input, never by the clock: the same two versions give
//! the same diff on any machine, however busy, and pathological ones fall back to a whole
//! replacement of what could not be aligned, deterministically.

use crate::harness::busy;
use clausebook::diff::{DiffBlock, Op, Segment, VersionDiff, diff, word_segments};
use clausebook::text::{Block, BlockKind, DocText};

const BLOCKS: usize = 20_000;

fn doc(texts: impl IntoIterator<Item = String>) -> DocText {
    DocText {
        blocks: texts
            .into_iter()
            .map(|text| Block {
                kind: BlockKind::Paragraph,
                text,
            })
            .collect(),
    }
}

/// Words as the diff counts them: runs of letters and digits.
fn words(text: &str) -> usize {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .count()
}

/// 11 words, every one unique by its number.
fn clause(i: usize) -> String {
    format!("Clause {i}: the provider may suspend the service at any time.")
}

/// A long policy, and a version with thousands of scattered edits: every tenth clause gains a
/// word, every tenth loses itself, every fiftieth is followed by a new one; a repeated block
/// (not an anchor) every hundred.
fn scattered() -> (DocText, DocText) {
    let old = (0..BLOCKS).flat_map(|i| {
        let contact = (i % 100 == 0).then(|| "Contact us for details.".to_string());
        contact.into_iter().chain([clause(i)])
    });
    let new = (0..BLOCKS).flat_map(|i| {
        let contact = (i % 100 == 0).then(|| "Contact us for details.".to_string());
        let this = match i % 10 {
            3 => Some(clause(i).replace("any time", "any reasonable time")),
            7 => None,
            _ => Some(clause(i)),
        };
        let added = (i % 50 == 25)
            .then(|| format!("New clause {i}: users must keep their password secret."));
        contact.into_iter().chain(this).chain(added)
    });
    (doc(old), doc(new))
}

/// Every block replaced by another.
fn rewritten() -> (DocText, DocText) {
    let new = (0..BLOCKS)
        .map(|i| format!("Artikel {i}: Der Anbieter darf den Dienst jederzeit einstellen."));
    (doc((0..BLOCKS).map(clause)), doc(new))
}

/// The same words in the opposite order: nothing gives away, before searching, that the
/// search will not fit.
fn reversed() -> (String, String) {
    let old: Vec<String> = (0..BLOCKS).map(|i| format!("w{i}")).collect();
    let new: Vec<String> = old.iter().rev().cloned().collect();
    (old.join(" "), new.join(" "))
}

type Results = (VersionDiff, VersionDiff, (Vec<Segment>, usize, usize));

fn all_diffs() -> Results {
    let (a, b) = scattered();
    let (c, d) = rewritten();
    let (e, f) = reversed();
    (diff(&a, &b), diff(&c, &d), word_segments(&e, &f))
}

#[test]
fn large_diffs_are_the_same_on_a_busy_machine() {
    let quiet = all_diffs();
    let busy: Vec<Results> = busy(2, || {
        std::thread::scope(|s| {
            let runs: Vec<_> = (0..2).map(|_| s.spawn(all_diffs)).collect();
            runs.into_iter().map(|r| r.join().unwrap()).collect()
        })
    });
    for run in &busy {
        assert!(run == &quiet, "a diff changed under load");
    }

    // Nothing in the scattered edits fell back: each counts exactly what was edited.
    let (scattered, ..) = &quiet;
    let (modified, deleted, inserted) = (BLOCKS / 10, BLOCKS / 10, BLOCKS / 50);
    assert_eq!(
        (scattered.words_added, scattered.words_removed),
        (
            modified + inserted * words("New clause 1 users must keep their password secret"),
            deleted * words(&clause(1))
        )
    );
    // Each edited block is shown on its own: changed, deleted or inserted whole.
    let shown = |f: fn(&DiffBlock) -> bool| scattered.blocks.iter().filter(|b| f(b)).count();
    assert_eq!(shown(|b| matches!(b, DiffBlock::Changed { .. })), modified);
    assert_eq!(shown(|b| matches!(b, DiffBlock::Deleted { .. })), deleted);
    assert_eq!(shown(|b| matches!(b, DiffBlock::Inserted { .. })), inserted);
}

/// A whole removal of `old` and insertion of `new`.
fn replaced(old: &str, new: &str) -> [Segment; 2] {
    [
        Segment {
            op: Op::Delete,
            text: old.to_string(),
        },
        Segment {
            op: Op::Insert,
            text: new.to_string(),
        },
    ]
}

#[test]
fn pathological_diffs_are_bounded_and_proportional() {
    // Every block rewritten but its number, which anchors it: each block is shown changed on its
    // own, its number kept, every other word replaced.
    let (old, new) = rewritten();
    let d = diff(&old, &new);
    assert_eq!(d.blocks.len(), BLOCKS);
    let DiffBlock::Changed { segments, .. } = &d.blocks[7] else {
        panic!("expected a changed block, got {:?}", d.blocks[7]);
    };
    let kept: String = segments
        .iter()
        .filter(|s| s.op == Op::Equal)
        .map(|s| s.text.as_str())
        .collect();
    assert_eq!(
        kept.chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>(),
        "7"
    );
    assert_eq!(d.words_removed, BLOCKS * (words(&clause(1)) - 1));
    assert_eq!(
        d.words_added,
        BLOCKS * (words("Artikel 1 Der Anbieter darf den Dienst jederzeit einstellen") - 1)
    );

    // The same words reordered: found when the search runs out of budget.
    let (old, new) = reversed();
    let (segments, added, removed) = word_segments(&old, &new);
    assert!(segments[..] == replaced(&old, &new));
    assert_eq!((added, removed), (BLOCKS, BLOCKS));
}
