//! Snapshot text: every archived version, whatever its format, reduced to the blocks of text a
//! reader sees (headings, paragraphs, list items, table rows), so versions can be compared,
//! classified, diffed and searched the same way.

mod forms;
mod html;
mod html_parse;
mod ignore;
mod markdown;
mod mask;
mod plain;
mod unlink;

pub(crate) use forms::fold;
pub use forms::{clean, match_form};
pub use html::check_selector;
pub(crate) use html_parse::{HtmlInput, parse_html};
pub use ignore::matches_pattern;
pub use mask::mask_dates;
pub(crate) use mask::month_number;

use forms::{clean_owned, unmark};
use html::html_blocks;
use ignore::drop_repeated_sections;
use markdown::markdown_blocks;
use plain::text_blocks;
use std::borrow::Cow;
use std::ops::Range;

/// What a block of visible text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum BlockKind {
    /// Heading level 1–6.
    Heading(u8),
    /// A paragraph, or loose text.
    Paragraph,
    /// An item of a list.
    ListItem,
    /// A row of a table, its cells joined.
    TableRow,
}

/// A block of a version's visible text: the unit versions are aligned by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Block {
    /// What it is.
    pub kind: BlockKind,
    /// Visible text: invisible characters removed, whitespace collapsed.
    pub text: String,
}

/// The visible text of one version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct DocText {
    /// In document order.
    pub blocks: Vec<Block>,
}

/// How an archived version is written, from its file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SnapshotFormat {
    /// `.md`, as Open Terms Archive records versions.
    Markdown,
    /// `.txt`.
    Text,
    /// `.html` or `.htm`, read with the document's selectors.
    Html,
}

impl SnapshotFormat {
    /// The format a snapshot file's extension names, if it names one.
    pub fn of_extension(extension: &str) -> Option<SnapshotFormat> {
        match extension {
            "md" => Some(SnapshotFormat::Markdown),
            "txt" => Some(SnapshotFormat::Text),
            "html" | "htm" => Some(SnapshotFormat::Html),
            _ => None,
        }
    }

    /// The extension a snapshot of this format is written with.
    pub fn extension(self) -> &'static str {
        match self {
            SnapshotFormat::Markdown => "md",
            SnapshotFormat::Text => "txt",
            SnapshotFormat::Html => "html",
        }
    }
}

impl DocText {
    /// The comparison keys of this version, computed in one pass: the visible text (markup,
    /// block breaks, whitespace and quote styles do not count, so a change of only those is
    /// formatting), the same with dates and counters masked, and the searchable form.
    pub fn keys(&self) -> Keys {
        let forms: Vec<BlockForms> = self
            .blocks
            .iter()
            .map(|b| BlockForms::of(&b.text))
            .collect();
        Keys::of(forms.iter())
    }

    /// Number of words, for sizes and change ratios.
    pub fn word_count(&self) -> usize {
        self.blocks.iter().map(Block::word_count).sum()
    }
}

impl Block {
    /// Number of words, for sizes and change ratios.
    pub fn word_count(&self) -> usize {
        self.text.split_whitespace().count()
    }
}

/// What a block gives the [`Keys`] of the versions that hold it: made once per block text, for
/// all of them.
pub struct BlockForms<'a> {
    /// Its text folded ([`fold`]).
    pub folded: Cow<'a, str>,
    /// Its searchable form ([`match_form`]).
    search: Cow<'a, str>,
    /// What each of its folded words is to date masking.
    kinds: Vec<mask::Word>,
}

impl<'a> BlockForms<'a> {
    /// The forms of a block's text.
    pub fn of(text: &'a str) -> BlockForms<'a> {
        let folded = fold(text);
        let search = match &folded {
            Cow::Borrowed(f) => unmark(f),
            Cow::Owned(f) => Cow::Owned(unmark(f).into_owned()),
        };
        let kinds = mask::word_kinds(&folded);
        BlockForms {
            folded,
            search,
            kinds,
        }
    }
}

impl Keys {
    /// The keys of the text made of blocks of these forms.
    pub fn of<'f, 'a: 'f>(forms: impl Iterator<Item = &'f BlockForms<'a>> + Clone) -> Keys {
        let visible = forms
            .clone()
            .map(|f| &*f.folded)
            .collect::<Vec<_>>()
            .join(" ");
        let kinds: Vec<mask::Word> = forms
            .clone()
            .flat_map(|f| f.kinds.iter().copied())
            .collect();
        let masked = mask::mask_words(&visible, &kinds);
        let mut search = String::with_capacity(visible.len());
        let mut block_ranges = Vec::new();
        for f in forms {
            if !search.is_empty() {
                search.push(' ');
            }
            let start = search.len();
            search.push_str(&f.search);
            block_ranges.push(start..search.len());
        }
        Keys {
            visible,
            masked,
            search,
            block_ranges,
        }
    }
}

/// The forms of a version's text that versions and excerpts are compared in.
#[derive(Clone)]
pub struct Keys {
    /// The visible text, folded: equal for versions that differ only in formatting.
    pub visible: String,
    /// `visible` with dates and counters masked: equal for versions that differ only in those.
    pub masked: String,
    /// Each block in [`match_form`], joined by spaces.
    pub search: String,
    /// Where each block is in `search`.
    pub block_ranges: Vec<Range<usize>>,
}

/// The visible text of a snapshot in `format`, as blocks; `.html` keeps only what the `select`
/// selectors match (all of it when there are none) less what the `remove` selectors match.
/// Selectors that do not parse are ignored (`check` reports them). Then the blocks whose whole
/// text an `ignore` pattern matches are dropped ([`matches_pattern`]), and in `.html` the
/// elements matched by those `ignore` entries that parse as selectors, before anything else
/// reads the blocks.
pub fn extract(
    source: &str,
    format: SnapshotFormat,
    select: &[String],
    remove: &[String],
    ignore: &[String],
) -> Vec<Block> {
    let mut blocks = match format {
        SnapshotFormat::Markdown => markdown_blocks(source),
        SnapshotFormat::Text => text_blocks(source),
        SnapshotFormat::Html if ignore.is_empty() => html_blocks(source, select, remove),
        SnapshotFormat::Html => html_blocks(source, select, &[remove, ignore].concat()),
    };
    if !ignore.is_empty() {
        let patterns: Vec<String> = ignore.iter().map(|p| clean(p)).collect();
        blocks.retain(|b| !patterns.iter().any(|p| matches_pattern(p, &b.text)));
    }
    drop_repeated_sections(blocks)
}

/// Accumulates inline text into blocks.
#[derive(Default)]
struct Blocks {
    blocks: Vec<Block>,
    current: Option<(BlockKind, String)>,
}

impl Blocks {
    fn start(&mut self, kind: BlockKind) {
        self.finish();
        self.current = Some((kind, String::new()));
    }

    fn push(&mut self, text: &str) {
        match &mut self.current {
            Some((_, buf)) => buf.push_str(text),
            None => self.current = Some((BlockKind::Paragraph, text.to_string())),
        }
    }

    fn finish(&mut self) {
        if let Some((kind, buf)) = self.current.take() {
            let text = clean_owned(buf);
            if !text.is_empty() {
                self.blocks.push(Block { kind, text });
            }
        }
    }

    fn done(mut self) -> Vec<Block> {
        self.finish();
        self.blocks
    }
}

fn trim_table_separators(mut blocks: Vec<Block>) -> Vec<Block> {
    for b in &mut blocks {
        if b.kind == BlockKind::TableRow {
            b.text = b.text.trim_end_matches(['|', ' ']).to_string();
        }
    }
    blocks.retain(|b| !b.text.is_empty());
    blocks
}

/// "1 word", "2 words": a count in messages and pages.
pub(crate) fn count(n: usize, what: &str) -> String {
    match n {
        1 => format!("1 {what}"),
        _ => format!("{n} {what}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks as `kind:text` lines (a paragraph as its text alone), for assertions.
    pub(super) fn texts(blocks: &[Block]) -> Vec<String> {
        blocks
            .iter()
            .map(|b| match b.kind {
                BlockKind::Heading(n) => format!("h{n}:{}", b.text),
                BlockKind::ListItem => format!("li:{}", b.text),
                BlockKind::TableRow => format!("tr:{}", b.text),
                BlockKind::Paragraph => b.text.clone(),
            })
            .collect()
    }

    /// Masking reads each block's words once; across blocks it masks as in the joined text.
    #[test]
    fn keys_mask_dates_across_blocks_as_in_the_joined_text() {
        for texts in [
            &["Updated 3", "days ago", "Terms."][..],
            &["Effective", "15 September", "2025"],
            &["“Quoted” ﬁle", "", "  ", "Nothing to mask."],
            &[],
        ] {
            let t = DocText {
                blocks: texts
                    .iter()
                    .map(|t| Block {
                        kind: BlockKind::Paragraph,
                        text: t.to_string(),
                    })
                    .collect(),
            };
            let k = t.keys();
            let folded: Vec<String> = texts.iter().map(|t| fold(t).into_owned()).collect();
            assert_eq!(k.visible, folded.join(" "), "{texts:?}");
            assert_eq!(k.masked, mask_dates(&k.visible), "{texts:?}");
            assert_eq!(
                k.search,
                folded
                    .iter()
                    .map(|f| match_form(f))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
        }
    }

    #[test]
    fn ignored_blocks_are_dropped_in_every_format() {
        let ignore = [" Updated:\t * ago".to_string(), ".chat-widget".into()];
        let md = "# Policy\n\nUpdated:   3 days\nago\n\nRules.\n\n- Updated: 2 days ago\n";
        assert_eq!(
            texts(&extract(md, SnapshotFormat::Markdown, &[], &[], &ignore)),
            ["h1:Policy", "Rules."]
        );
        let txt = "Policy\n\nUpdated: 3 days ago\n\n.chat-widget\n";
        assert_eq!(
            texts(&extract(txt, SnapshotFormat::Text, &[], &[], &ignore)),
            ["Policy"]
        );
        // In HTML, an entry that is a selector also removes what it matches.
        let html = "<h1>Policy</h1><p>Updated: 3 days ago</p><div class=chat-widget>Chat with us</div><p>Rules.</p>";
        assert_eq!(
            texts(&extract(html, SnapshotFormat::Html, &[], &[], &ignore)),
            ["h1:Policy", "Rules."]
        );
        // Blocks are dropped before repeated sections are looked for.
        let twice = "# A\n\nUpdated: 1 day ago\n\nText.\n\n# A\n\nUpdated: 2 days ago\n\nText.\n";
        assert_eq!(
            texts(&extract(twice, SnapshotFormat::Markdown, &[], &[], &ignore)),
            ["h1:A", "Text."]
        );
    }
}
