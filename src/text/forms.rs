//! The forms text is kept and compared in: the visible text of a block ([`clean`]), the form
//! versions are compared in ([`fold`]) and the one excerpts are searched in ([`match_form`]).

use super::unlink::LINK_SYNTAX;
use crate::markup::is_forbidden_in_markup;
use std::borrow::Cow;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Cleans extracted text: drops invisible characters (soft hyphens, zero-width spaces, BOMs) and
/// those no HTML or XML output may hold ([`is_forbidden_in_markup`]), turns no-break spaces and
/// other whitespace (form feeds too) into spaces and collapses whitespace runs.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        // Visible ASCII characters, most of any text, are kept: copied a run at a time.
        let visible = rest
            .bytes()
            .take_while(|b| (b'!'..=b'~').contains(b))
            .count();
        let (kept, len) = if visible > 0 {
            (&rest[..visible], visible)
        } else if c.is_whitespace() {
            space = !out.is_empty();
            ("", c.len_utf8())
        } else if is_dropped(c) {
            ("", c.len_utf8())
        } else {
            (&rest[..c.len_utf8()], c.len_utf8())
        };
        if !kept.is_empty() {
            if space {
                out.push(' ');
                space = false;
            }
            out.push_str(kept);
        }
        rest = &rest[len..];
    }
    out
}

/// Characters [`clean`] drops: invisible ones, the placeholder of an embedded object (which is
/// [`LINK_SYNTAX`] too), and those no output may hold.
fn is_dropped(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{200b}'
            | '\u{200c}'
            | '\u{200d}'
            | '\u{2060}'
            | '\u{feff}'
            | '\u{180e}'
            | LINK_SYNTAX
    ) || is_forbidden_in_markup(c)
}

/// Compatibility-normalised text with one style of quotes: the comparison form of visible text
/// (borrowed when it is ASCII, which is its own form).
pub(crate) fn fold(text: &str) -> Cow<'_, str> {
    let quotes = |c| match c {
        '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' => '\'',
        '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' => '"',
        c => c,
    };
    // Most text is already in NFKC (ASCII always is): skip the costly normalisation then.
    if text.is_ascii() {
        Cow::Borrowed(text)
    } else if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Owned(text.chars().map(quotes).collect())
    } else {
        Cow::Owned(text.nfkc().map(quotes).collect())
    }
}

/// The form in which an excerpt is looked for in a snapshot (docs/reference.md, "Excerpt
/// verification"): NFKC, quotes, soft hyphens, NBSP, Markdown emphasis markers and whitespace
/// runs do not matter.
pub fn match_form(text: &str) -> String {
    unmark(&fold(text)).into_owned()
}

/// A folded text without emphasis markers, whitespace collapsed (borrowed when that changes
/// nothing).
pub(super) fn unmark(folded: &str) -> Cow<'_, str> {
    if !folded.contains(['*', '_']) {
        // Block texts are clean already, and folding adds no whitespace runs.
        return clean_if_needed(folded);
    }
    let without_markers: String = folded.chars().filter(|c| !matches!(c, '*' | '_')).collect();
    Cow::Owned(clean(&without_markers))
}

/// `clean`, skipped when the text has nothing to clean (the common case).
fn clean_if_needed(text: &str) -> Cow<'_, str> {
    if is_clean(text) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(clean(text))
    }
}

/// `clean` of a text it may take, kept as it is when it has nothing to clean (no bigger than
/// it is: it is kept as long as its version).
pub(super) fn clean_owned(mut text: String) -> String {
    if is_clean(&text) {
        text.shrink_to_fit();
        text
    } else {
        clean(&text)
    }
}

/// Whether `clean` would leave `text` as it is: no space at either end or next to another, and
/// no character `clean` drops or turns into a space. ASCII is read byte by byte: its characters
/// of either sort are the controls.
fn is_clean(text: &str) -> bool {
    let bytes = text.as_bytes();
    !(bytes.first() == Some(&b' ')
        || bytes.last() == Some(&b' ')
        || bytes.windows(2).any(|pair| pair == b"  ")
        || bytes.iter().any(|&b| b < 0x20 || b == 0x7f)
        || (!text.is_ascii()
            && text
                .chars()
                .any(|c| !c.is_ascii() && (is_dropped(c) || c.is_whitespace()))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::html::html_blocks;
    use crate::text::markdown::markdown_blocks;
    use crate::text::plain::text_blocks;
    use crate::text::tests::texts;

    #[test]
    fn forbidden_characters_are_dropped_and_control_spaces_kept() {
        assert_eq!(
            clean("a\u{0}b\u{7}c\u{c}d\u{b}e\u{85}f\u{fdd0}\u{10ffff}g"),
            "abc d e fg"
        );
        let md = "# T\u{1}itle\n\nBody\u{1b} &#1; text\n";
        assert_eq!(texts(&markdown_blocks(md)), ["h1:Title", "Body text"]);
        let html = "<p>a&#1;b\u{2}c&#xFFFF;d</p>";
        assert_eq!(texts(&html_blocks(html, &[], &[])), ["abcd"]);
        assert_eq!(texts(&text_blocks("a\u{0}b\u{c}c")), ["ab c"]);
    }

    #[test]
    fn clean_collapses_whitespace_and_drops_invisible_characters() {
        assert_eq!(
            clean("  Terms\u{a0} of\u{3000}\u{3000}use,\tsoft\u{ad}ware\u{200b}. \n"),
            "Terms of use, software."
        );
        assert_eq!(clean("\u{feff}é  ü\u{fffc}"), "é ü");
        assert_eq!(clean(" \t\n"), "");
    }

    #[test]
    fn a_clean_text_is_what_clean_leaves_as_it_is() {
        for text in [
            "",
            " ",
            "a",
            "a b",
            " a",
            "a ",
            "a  b",
            "a\tb",
            "a\u{7f}",
            "é",
            "a\u{a0}b",
            "x\u{ad}y",
            "日本 語",
        ] {
            assert_eq!(is_clean(text), clean(text) == text, "{text:?}");
            assert_eq!(clean_owned(text.to_string()), clean(text));
        }
    }

    #[test]
    fn match_form_ignores_what_excerpt_verification_ignores() {
        assert_eq!(
            match_form("“Don’t”  **spam**\u{ad}\u{a0}now"),
            "\"Don't\" spam now"
        );
        assert_eq!(match_form("ﬁle"), "file");
    }
}
