//! The blocks of an archived Markdown snapshot, as pulldown-cmark reads it once its links are
//! reduced to their text ([`unlink`]).

use super::html::html_block_kind;
use super::unlink::unlink;
use super::{Block, BlockKind, Blocks, trim_table_separators};
use crate::markup::bounded;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

pub(super) fn markdown_blocks(source: &str) -> Vec<Block> {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let mut b = Blocks::default();
    let mut in_item = 0usize;
    for event in Parser::new_ext(&bounded(&unlink(source)), options) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                b.start(BlockKind::Heading(heading_level(level)))
            }
            Event::Start(Tag::Item) => {
                in_item += 1;
                b.start(BlockKind::ListItem);
            }
            Event::End(TagEnd::Item) => {
                in_item -= 1;
                b.finish();
            }
            // A paragraph inside a list item continues the item.
            Event::Start(Tag::Paragraph) if in_item == 0 => b.start(BlockKind::Paragraph),
            Event::Start(Tag::Paragraph) => b.push(" "),
            Event::Start(Tag::TableHead | Tag::TableRow) => b.start(BlockKind::TableRow),
            Event::End(TagEnd::TableCell) => b.push(" | "),
            Event::Start(Tag::CodeBlock(_) | Tag::BlockQuote(_)) => b.start(BlockKind::Paragraph),
            Event::End(
                TagEnd::Heading(_)
                | TagEnd::Paragraph
                | TagEnd::TableHead
                | TagEnd::TableRow
                | TagEnd::CodeBlock,
            ) if in_item == 0 => b.finish(),
            Event::Text(t) | Event::Code(t) => b.push(&t),
            Event::SoftBreak | Event::HardBreak => b.push(" "),
            // Raw HTML in Markdown is markup, not text a reader sees; but a line break or a
            // block tag separates the words on either side, as it does on the page
            // (`Technologies<br><br>See`: ChatGPT Privacy Policy, 2026-01-21).
            Event::Html(tag) | Event::InlineHtml(tag) if separates_words(&tag) => b.push(" "),
            _ => {}
        }
    }
    trim_table_separators(b.done())
}

fn heading_level(level: HeadingLevel) -> u8 {
    level as u8
}

/// Whether a piece of raw HTML is a tag that separates words: `<br>` or a block element's.
fn separates_words(html: &str) -> bool {
    let name: String = html
        .trim_start()
        .trim_start_matches('<')
        .trim_start_matches('/')
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    name == "br" || html_block_kind(&name).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tests::texts;

    #[test]
    fn markdown_to_visible_blocks() {
        let md = "Title\n=====\n\nSome *emphasis* and a [link](https://x.org/?utm=1).\r\nNext line.\n\n*   **Item** one\n*   Item\u{ad}two\u{a0}x\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<div>raw</div>\n";
        assert_eq!(
            texts(&markdown_blocks(md)),
            [
                "h1:Title",
                "Some emphasis and a link. Next line.",
                "li:Item one",
                "li:Itemtwo x",
                "tr:a | b",
                "tr:1 | 2"
            ]
        );
    }

    /// ChatGPT Privacy Policy, 2026-01-21: table cells went from `<br>    <br>` to `<br>`; the
    /// words on either side stay apart, so the version is formatting.
    #[test]
    fn line_break_and_block_tags_in_markdown_separate_words() {
        let md = "| a |\n|---|\n| Technologies<br><br>See our policy |\n";
        assert_eq!(
            texts(&markdown_blocks(md)),
            ["tr:a", "tr:Technologies See our policy"]
        );
        assert_eq!(
            texts(&markdown_blocks(
                "one<BR/>two</p>three<span>four</span>five\n"
            )),
            ["one two threefourfive"]
        );
        assert_eq!(
            texts(&markdown_blocks("[Reasons](/a)[Restricted](/b) [x](/c)y\n")),
            ["Reasons Restricted xy"]
        );
    }
}
