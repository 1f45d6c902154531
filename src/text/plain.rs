//! The blocks of a plain-text snapshot: its paragraphs, as blank lines separate them.

use super::{Block, BlockKind, clean};

pub(super) fn text_blocks(source: &str) -> Vec<Block> {
    let source = source.replace("\r\n", "\n").replace('\r', "\n");
    source
        .split("\n\n")
        .map(clean)
        .filter(|t| !t.is_empty())
        .map(|text| Block {
            kind: BlockKind::Paragraph,
            text,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tests::texts;

    #[test]
    fn plain_text_paragraphs_with_crlf() {
        assert_eq!(texts(&text_blocks("A\r\nb\r\n\r\nC\r\n")), ["A b", "C"]);
    }
}
