//! What is dropped from a version's blocks before anything else reads them: the blocks an
//! `ignore:` pattern matches, and sections that repeat an earlier one.

use super::{Block, BlockKind, fold};
use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;

/// Whether an `ignore:` pattern matches the whole of a block's text (both with whitespace
/// collapsed), case included; `*` stands for any run of characters, empty or not. Linear in
/// the text for each part of the pattern, with no backtracking: the part before the first `*`
/// must start the text and the part after the last end it, and the parts between are found
/// left to right, each at its first place after the one before (which finds a match whenever
/// there is one, as a `*` may take any run).
pub fn matches_pattern(pattern: &str, text: &str) -> bool {
    let Some((first, rest)) = pattern.split_once('*') else {
        return text == pattern;
    };
    let (middle, last) = rest.rsplit_once('*').unwrap_or(("", rest));
    if text.len() < first.len() + last.len() || !text.starts_with(first) || !text.ends_with(last) {
        return false;
    }
    let mut between = &text[first.len()..text.len() - last.len()];
    for part in middle.split('*') {
        match between.find(part) {
            Some(at) => between = &between[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Drops a section (a heading and the blocks up to the next heading, or the text before the
/// first heading) that repeats an earlier section word for word: extraction artefacts such as
/// a page that holds its whole text twice.
pub(super) fn drop_repeated_sections(mut blocks: Vec<Block>) -> Vec<Block> {
    let starts: Vec<usize> = (0..blocks.len())
        .filter(|&i| i == 0 || matches!(blocks[i].kind, BlockKind::Heading(_)))
        .chain([blocks.len()])
        .collect();
    let sections = starts.windows(2).map(|w| w[0]..w[1]);
    // A lone heading or paragraph may legitimately repeat; a whole section may not. With fewer
    // than two whole sections (a text without headings), none is compared and no block moves.
    let whole = |s: &Range<usize>| s.len() > 1;
    if sections.clone().filter(whole).nth(1).is_none() {
        return blocks;
    }
    let mut repeated = vec![false; blocks.len()];
    let mut seen: HashSet<Vec<Cow<str>>> = HashSet::new();
    for s in sections.filter(whole) {
        if !seen.insert(blocks[s.clone()].iter().map(|b| fold(&b.text)).collect()) {
            repeated[s].fill(true);
        }
    }
    drop(seen);
    let mut repeated = repeated.into_iter();
    blocks.retain(|_| !repeated.next().unwrap_or(false));
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::markdown::markdown_blocks;
    use crate::text::tests::texts;

    #[test]
    fn ignore_patterns_match_whole_block_texts() {
        for (pattern, text, want) in [
            // No star: the whole text, case included.
            ("Table of contents", "Table of contents", true),
            ("Table of contents", "Table of contents.", false),
            ("Table of contents", "table of contents", false),
            // A prefix, a suffix, both.
            ("Skip to toolbar*", "Skip to toolbar", true),
            ("Skip to toolbar*", "Skip to toolbar Log In", true),
            ("Skip to toolbar*", "Please Skip to toolbar", false),
            ("* days ago", "Updated: 3 days ago", true),
            ("* days ago", "3 days ago now", false),
            ("Updated: * ago", "Updated: 14 days ago", true),
            ("Updated: * ago", "Updated: July 17, 2025", false),
            // A prefix and suffix may not overlap.
            ("ab*ba", "aba", false),
            ("ab*ba", "abba", true),
            // Middle parts in order, each after the one before.
            (
                "Last updated * by * team",
                "Last updated today by the team",
                true,
            ),
            (
                "Last updated * by * team",
                "Last updated today team by",
                false,
            ),
            ("a*b*c*d", "a-c-b-c-d", true),
            ("a*b*c*d", "a-c-b-d", false),
            ("a*aa*a", "aaaa", true),
            ("a*aa*a", "aaa", false),
            // Empty parts, stars alone.
            ("a**b", "ab", true),
            ("*", "anything", true),
            ("**", "", true),
            ("", "", true),
            ("", "x", false),
            // Characters, not bytes.
            (
                "Mise à jour : * jours",
                "Mise à jour : il y a 3 jours",
                true,
            ),
            ("*ü", "Grüß dich ü", true),
            ("é*é", "é", false),
            ("日本*語", "日本の言語", true),
        ] {
            assert_eq!(matches_pattern(pattern, text), want, "{pattern:?} {text:?}");
        }
    }

    #[test]
    fn repeated_sections_are_dropped_once() {
        let md = "# Policy\n\nEffective: June 11\n\n# Policy\n\nEffective: June 11\n\n## Scope\n\nApplies to all.\n\n## Scope\n\nApplies to all.\n\n## End\n\nBye.\n";
        assert_eq!(
            texts(&drop_repeated_sections(markdown_blocks(md))),
            [
                "h1:Policy",
                "Effective: June 11",
                "h2:Scope",
                "Applies to all.",
                "h2:End",
                "Bye."
            ]
        );
    }
}
