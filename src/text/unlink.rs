//! Markdown links and images reduced to the text a reader sees, before pulldown-cmark reads an
//! archived snapshot: Open Terms Archive's Markdown holds links CommonMark does not read as links.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

/// What [`unlink`] leaves where the syntax of a link within a paragraph was: a character that
/// CommonMark counts as punctuation, as the brackets were, so emphasis markers next to a link
/// open and close as before, and that [`clean`](super::clean) drops.
pub(super) const LINK_SYNTAX: char = '\u{fffc}';

/// What replaces a piece of link syntax.
#[derive(Clone, Copy)]
enum Unlinked {
    Nothing,
    /// [`LINK_SYNTAX`].
    Mark,
    /// A paragraph break.
    Break,
}

impl Unlinked {
    /// What replaces a piece of syntax of a link that holds blocks or not, at the edge of its
    /// line or not, in a line that starts with a container or not. At a line's edge (an
    /// opening bracket with only a container prefix before it and text after it, a target with
    /// text before it and only spaces after it), the syntax is removed, so a heading or list
    /// marker after the bracket starts its line and a setext underline before the target
    /// underlines. Within a line, the syntax of a link that holds blocks becomes a paragraph
    /// break, so its text and what follows it are blocks of their own, as on the page; but not
    /// within a container, which a break would end. Other syntax becomes a mark, which leaves
    /// the Markdown's structure as it was.
    fn new(block: bool, at_line_edge: bool, plain_line: bool) -> Unlinked {
        match (block, at_line_edge, plain_line) {
            (_, true, _) => Unlinked::Nothing,
            (true, false, true) => Unlinked::Break,
            _ => Unlinked::Mark,
        }
    }
}

/// A `[` not yet closed, while [`unlink`] reads a source.
struct OpenBracket {
    /// Where its syntax starts (at the `!` of an image, at the backslash of `\[`) and ends.
    syntax: Range<usize>,
    /// Blank lines before it.
    blank_lines: usize,
    /// Whether only a container prefix is before it on its line.
    after_prefix: bool,
    /// Whether its line starts with no container.
    plain_line: bool,
    /// Set at the first byte after it that is not a space: whether its text starts with a
    /// heading or list marker, and whether that byte is on its line.
    block: bool,
    text_on_its_line: bool,
}

/// A target removed, until the first byte after it that is not a space tells whether it ends
/// its line.
struct LastTarget {
    edit: usize,
    /// Whether its link holds blocks, its line starts with no container, and there is text
    /// before its `]` on its line.
    block: bool,
    plain_line: bool,
    text_before: bool,
}

/// Markdown links and images reduced to the text a reader sees, before pulldown-cmark reads a
/// snapshot: `[text](target)` becomes `text`, `![alt](source)` becomes `alt`. Open Terms
/// Archive's Markdown is not CommonMark: a link whose target holds spaces or unbalanced
/// parentheses, or whose text spans a blank line, is no link to pulldown-cmark, which would
/// show its syntax and target as text and count a changed target as changed words. So here
/// every `](` (escaped or not) ends a link:
/// - its target runs to the `)` that balances its `(` on the same line, else to the first
///   whitespace;
/// - its text starts at the innermost `[` (escaped or not) still open, on any earlier line; a
///   `]` not followed by `(` closes a `[` as literal text;
/// - a link whose text spans a blank line or starts with a heading or list marker holds blocks
///   (a card of a web page); what replaces the syntax is [`Unlinked::new`]'s choice.
///
/// Two passes with constant work a byte (one loop over the bytes each, looking ahead a few at
/// most) and a sort of the edits; a source without `](` is returned as it is.
pub(super) fn unlink(source: &str) -> Cow<'_, str> {
    if !source.contains("](") {
        return Cow::Borrowed(source);
    }
    let bytes = source.as_bytes();
    let mut reader = LinkReader::new(bytes);
    let mut i = 0;
    while i < bytes.len() {
        reader.read(i, bytes[i]);
        i += 1;
        if reader.is_quiet(i) {
            i = next_of(bytes, i, |c| matches!(c, b'\\' | b'\n' | b'[' | b']'));
        }
    }
    Cow::Owned(apply_edits(source, reader.finish()))
}

/// Where the first byte from `i` on that `wanted` accepts is, or the end.
fn next_of(bytes: &[u8], i: usize, wanted: impl Fn(u8) -> bool) -> usize {
    bytes[i..]
        .iter()
        .position(|&c| wanted(c))
        .map_or(bytes.len(), |at| i + at)
}

/// A piece of link syntax to replace, and what replaces it.
type Edit = (Range<usize>, Unlinked);

/// [`unlink`]'s first pass: reads a source byte by byte and records the edits that remove its
/// link syntax. What is known of the line, the brackets still open and the last target lives
/// here between bytes, so each byte costs constant work.
struct LinkReader<'a> {
    bytes: &'a [u8],
    /// Where each target with balanced parentheses ends ([`balanced_target_ends`]).
    target_ends: HashMap<usize, usize>,
    open: Vec<OpenBracket>,
    /// Whether the last `[` awaits its first byte that is not a space.
    open_unsettled: bool,
    edits: Vec<Edit>,
    last_target: Option<LastTarget>,
    blank_lines: usize,
    line_is_blank: bool,
    /// Whether the line starts with no container (no indent, quote or list marker), whether
    /// only its container prefix is read yet, and whether it was before this byte and the last.
    plain_line: bool,
    in_prefix: bool,
    prefix_before: bool,
    escaped: bool,
    /// Bytes up to here are a target already removed.
    skip_to: usize,
    /// A target without balanced parentheses, removed up to the next whitespace: its start and
    /// whether its link holds blocks and there is text before its `]` on its line.
    bare_target: Option<(usize, bool, bool)>,
}

impl<'a> LinkReader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        LinkReader {
            bytes,
            target_ends: balanced_target_ends(bytes),
            open: Vec::new(),
            open_unsettled: false,
            edits: Vec::new(),
            last_target: None,
            blank_lines: 0,
            line_is_blank: true,
            plain_line: true,
            in_prefix: true,
            prefix_before: true,
            escaped: false,
            skip_to: 0,
            bare_target: None,
        }
    }

    /// Reads the byte `c` at `i`.
    fn read(&mut self, i: usize, c: u8) {
        let after_backslash = self.escaped;
        self.escaped = c == b'\\' && !after_backslash;
        let prefix_before_previous = self.track_prefix(i);
        if i < self.skip_to {
            return;
        }
        if let Some((start, block, text_before)) = self.bare_target {
            if !c.is_ascii_whitespace() {
                return;
            }
            self.remove_target(start..i, block, text_before);
            self.bare_target = None;
        }
        if !matches!(c, b' ' | b'\t') {
            self.settle(i, c);
        }
        match c {
            b'\n' => {
                self.blank_lines += usize::from(self.line_is_blank);
                self.line_is_blank = true;
                return;
            }
            b' ' | b'\t' | b'\r' | b'\x0c' => return,
            _ => self.line_is_blank = false,
        }
        // An image's syntax starts at its `!`, an escaped bracket's at its backslash.
        let (start, at_prefix) =
            if after_backslash || c == b'[' && i > 0 && self.bytes[i - 1] == b'!' {
                (i - 1, prefix_before_previous)
            } else {
                (i, self.prefix_before)
            };
        match c {
            b'[' => self.open_bracket(start..i + 1, at_prefix),
            b']' => self.close_bracket(i, start, at_prefix),
            _ => {}
        }
    }

    /// Whether reading the bytes from `i` on changes nothing up to the next backslash, line
    /// break or bracket: no escape, container prefix, target or bracket awaits a byte, and the
    /// line is not blank. Most of a source is read so, in runs.
    fn is_quiet(&self, i: usize) -> bool {
        !self.escaped
            && !self.in_prefix
            && !self.prefix_before
            && !self.line_is_blank
            && i >= self.skip_to
            && self.bare_target.is_none()
            && self.last_target.is_none()
            && !self.open_unsettled
    }

    /// Follows the container prefix of the line at byte `i`; whether only that prefix was
    /// before the byte before `i`.
    fn track_prefix(&mut self, i: usize) -> bool {
        if i == 0 || self.bytes[i - 1] == b'\n' {
            self.plain_line = !starts_container(&self.bytes[i..]);
            self.in_prefix = true;
        }
        let prefix_before_previous = self.prefix_before;
        self.prefix_before = self.in_prefix;
        self.in_prefix = self.in_prefix && in_container_prefix(self.bytes, i);
        prefix_before_previous
    }

    /// At the first byte after a target or a `[` that is not a space: settles what replaces the
    /// target, and whether the bracket's text starts with a heading or list marker on its line.
    fn settle(&mut self, i: usize, c: u8) {
        let line_end = matches!(c, b'\n' | b'\r');
        self.settle_target(line_end);
        if let Some(t) = self.open.last_mut().filter(|_| self.open_unsettled) {
            t.block = c == b'#'
                || matches!(c, b'*' | b'-' | b'+')
                    && matches!(self.bytes.get(i + 1), Some(b' ' | b'\t'));
            t.text_on_its_line = !line_end;
            self.open_unsettled = false;
        }
    }

    fn open_bracket(&mut self, syntax: Range<usize>, after_prefix: bool) {
        self.open.push(OpenBracket {
            syntax,
            blank_lines: self.blank_lines,
            after_prefix,
            plain_line: self.plain_line,
            block: false,
            text_on_its_line: false,
        });
        self.open_unsettled = true;
    }

    /// A `]` at `i` whose syntax starts at `start`: when a `(` follows, the link it ends loses
    /// its opening bracket and its target; else it closes a `[` as literal text.
    fn close_bracket(&mut self, i: usize, start: usize, at_prefix: bool) {
        let text = self.open.pop();
        if self.bytes.get(i + 1) != Some(&b'(') {
            return;
        }
        let block = text
            .as_ref()
            .is_some_and(|t| t.block || t.blank_lines != self.blank_lines);
        if let Some(t) = text {
            let at_edge = t.after_prefix && t.text_on_its_line;
            self.edits
                .push((t.syntax, Unlinked::new(block, at_edge, t.plain_line)));
        }
        match self.target_ends.get(&(i + 1)) {
            Some(&end) => {
                self.remove_target(start..end + 1, block, !at_prefix);
                self.skip_to = end + 1;
            }
            None => {
                self.bare_target = Some((start, block, !at_prefix));
                self.skip_to = i + 2;
            }
        }
    }

    /// Removes the target at `range`; what replaces it is settled at the next byte that is not
    /// a space.
    fn remove_target(&mut self, range: Range<usize>, block: bool, text_before: bool) {
        self.edits.push((range, Unlinked::Mark));
        self.last_target = Some(LastTarget {
            edit: self.edits.len() - 1,
            block,
            plain_line: self.plain_line,
            text_before,
        });
    }

    /// Sets what replaces the last target, now that whether it ends its line is known.
    fn settle_target(&mut self, at_line_end: bool) {
        if let Some(t) = self.last_target.take() {
            let at_edge = at_line_end && t.text_before;
            self.edits[t.edit].1 = Unlinked::new(t.block, at_edge, t.plain_line);
        }
    }

    /// The edits, once the source's end has ended a bare target and settled the last target.
    fn finish(mut self) -> Vec<Edit> {
        if let Some((start, block, text_before)) = self.bare_target {
            self.remove_target(start..self.bytes.len(), block, text_before);
        }
        self.settle_target(true);
        self.edits
    }
}

/// [`unlink`]'s second pass: the source with each edit made, in order of their starts.
fn apply_edits(source: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_unstable_by_key(|(range, _)| range.start);
    let mut out = String::with_capacity(source.len() + 2 * edits.len());
    let mut copied = 0;
    let mut edits = edits.into_iter().peekable();
    while let Some((range, replacement)) = edits.next() {
        out.push_str(&source[copied..range.start]);
        match replacement {
            Unlinked::Nothing => {}
            Unlinked::Mark => out.push(LINK_SYNTAX),
            Unlinked::Break => out.push_str("\n\n"),
        }
        // Links side by side are separate items, as on the page they were captured from
        // (`[Reasons](…)[Restricted](…)`: Taboola Acceptable Use Policy, 2026).
        let is_target = source[range.start..]
            .trim_start_matches('\\')
            .starts_with("](");
        let word_before = || {
            out.chars()
                .rev()
                .find(|&c| c != LINK_SYNTAX)
                .is_some_and(char::is_alphanumeric)
        };
        let word_after = edits.peek().is_some_and(|(next, _)| {
            next.start == range.end && source[next.end..].starts_with(char::is_alphanumeric)
        });
        if is_target && word_after && word_before() {
            out.push(' ');
        }
        copied = range.end;
    }
    out.push_str(&source[copied..]);
    out
}

/// Where the target of each `](` ends: at the `)` that balances the `(` after the `]` on the
/// same line (escaped parentheses do not count), keyed by where that `(` is. One pass.
fn balanced_target_ends(bytes: &[u8]) -> HashMap<usize, usize> {
    let mut ends = HashMap::new();
    let mut open = Vec::new();
    let mut escaped = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let after_backslash = escaped;
        escaped = c == b'\\' && !after_backslash;
        match c {
            _ if after_backslash => {}
            b'(' => open.push(i),
            b')' => {
                if let Some(start) = open.pop()
                    && start > 0
                    && bytes[start - 1] == b']'
                {
                    ends.insert(start, i);
                }
            }
            b'\n' | b'\r' => open.clear(),
            _ => {}
        }
        i += 1;
        if !escaped {
            // Other bytes change nothing.
            i = next_of(bytes, i, |c| {
                matches!(c, b'\\' | b'(' | b')' | b'\n' | b'\r')
            });
        }
    }
    ends
}

/// Whether a line starting with `line` starts with a container: an indent, a block quote or a
/// list item.
fn starts_container(line: &[u8]) -> bool {
    match line {
        [b' ' | b'\t' | b'>', ..] => true,
        [b'*' | b'-' | b'+', b' ' | b'\t', ..] => true,
        _ => {
            let digits = line
                .iter()
                .take(10)
                .take_while(|b| b.is_ascii_digit())
                .count();
            digits > 0 && matches!(line[digits..], [b'.' | b')', b' ' | b'\t', ..])
        }
    }
}

/// Whether the byte at `i` can belong to the container prefix of its line (indent, `>` and list
/// markers), the bytes before it on the line being such a prefix.
fn in_container_prefix(bytes: &[u8], i: usize) -> bool {
    let next_is_space = matches!(bytes.get(i + 1), Some(b' ' | b'\t'));
    match bytes[i] {
        b' ' | b'\t' | b'>' => true,
        b'*' | b'-' | b'+' => next_is_space,
        // Part of an ordered list marker: digits, then `.` or `)`, then a space.
        b'0'..=b'9' => {
            let rest = &bytes[i..];
            let digits = rest
                .iter()
                .take(10)
                .take_while(|b| b.is_ascii_digit())
                .count();
            matches!(rest[digits..], [b'.' | b')', b' ' | b'\t', ..])
        }
        b'.' | b')' => next_is_space && i > 0 && bytes[i - 1].is_ascii_digit(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::markdown::markdown_blocks;
    use crate::text::tests::texts;
    use proptest::prelude::*;

    /// Links in Open Terms Archive's Markdown that CommonMark does not read as links, each with
    /// the text a reader of the page sees.
    #[test]
    fn links_show_their_text_and_never_their_syntax() {
        for (md, want) in [
            (
                "See [our rights](#Your privacy rights) now.",
                "See our rights now.",
            ),
            (
                "Email [(email protected, dpo@gitlab.com)](mailto:(email protected, dpo@gitlab.com)).",
                "Email (email protected, dpo@gitlab.com).",
            ),
            ("[a](https://x.org/a_(b) and more", "a and more"),
            ("[a b](<https://x.org/a b>) c", "a b c"),
            (
                "[What’s \"this\"?](#8d3b \"What’s \"this\"?\") next",
                "What’s \"this\"? next",
            ),
            (
                "-2.70%](https://www.coindesk.com/price/chainlink \"View price details\")",
                "-2.70%",
            ),
            (
                "[Your\nprivacy](#Your privacy) rights",
                "Your privacy rights",
            ),
            ("a [](https://x.org/a b) b", "a b"),
            ("Updated: ![](data:image/png;base64, null)", "Updated:"),
            (
                "![Magazine Cover](/img/a b.jpg) text",
                "Magazine Cover text",
            ),
            (
                "see \\[digg.se\\](https://www.digg.se/). By",
                "see digg.se. By",
            ),
            ("[Sign Up](/reg/ x)[Log In](/login/ x)", "Sign Up Log In"),
            ("Section [1] and \\[2\\] stay.", "Section [1] and [2] stay."),
            (
                "Mistral AI Logo White](https://mistral.ai/)",
                "Mistral AI Logo White",
            ),
            (
                "Emailing [[email protected]](https://about.gitlab.com/cdn-cgi/l/email-protection) is",
                "Emailing [email protected] is",
            ),
            (
                "Officer (\\[[privacy@bolt.eu](mailto:privacy@bolt.eu)\\]([](mailto:privacy@bolt.eu)[privacy@bolt.eu](mailto:privacy@bolt.eu))).",
                "Officer (privacy@bolt.eu).",
            ),
            (
                "    1. Contact [us](mailto:a@b.c x) now",
                "1. Contact us now",
            ),
            ("[x](https://x.org/(((", "x"),
            // Emphasis next to a link opens and closes as it would next to its brackets.
            (
                "**Appeal by emailing** [**privacy@deepseek.com**](mailto:privacy@deepseek.com)**. If not, complain.**",
                "Appeal by emailing privacy@deepseek.com. If not, complain.",
            ),
            (
                "_Not any_ [_Cloud services_](https://cloud.google.com/terms/services)_, including_ [_Gemini_](https://x.org/g).",
                "Not any Cloud services, including Gemini.",
            ),
        ] {
            assert_eq!(texts(&markdown_blocks(md)), [want], "{md:?}");
        }
    }

    /// A link that holds blocks (a card of a web page) is read as those blocks, separate from
    /// what precedes and follows it, as on the page.
    #[test]
    fn links_holding_blocks_become_blocks() {
        for (md, want) in [
            (
                "[Mistral AI Logo\n\nMistral AI Logo White](https://mistral.ai/)\n\nProducts",
                &["Mistral AI Logo", "Mistral AI Logo White", "Products"][..],
            ),
            (
                "[BTC\n\n$95,000\n\n+4.86%](https://www.coindesk.com/price/bitcoin \"View price details\")[ETH\n\n$1,895.36\n\n\\-\n\n1.76%](https://www.coindesk.com/price/ethereum \"View price details\")",
                &["BTC", "$95,000", "+4.86%", "ETH", "$1,895.36", "-", "1.76%"],
            ),
            (
                "[*   Introduction](#Introduction)[*   Your agreement](#Your agreement)",
                &["li:Introduction", "li:Your agreement"],
            ),
            (
                "*   [### Blogger](https://support.google.com/blogger?hl=en-GB)\n*   [### Finance](https://x.org/f)",
                &["h3:Blogger", "h3:Finance"],
            ),
            (
                "*   [Who we are](https://www.hsbc.com/who-we-are)\n    \n    [Who we are\n    \n    Founded in 1865.\n    \n    Go to this section](https://www.hsbc.com/who-we-are)\n    \n    *   [Main menu](#main-menu)\n",
                &[
                    "li:Who we are Who we are Founded in 1865. Go to this section",
                    "li:Main menu",
                ],
            ),
            (
                "[Latest from us\n--------------](https://www.bankid.com/en/news-press/news)\n\n[Subscribe](https://x.org/s)",
                &["h2:Latest from us", "Subscribe"],
            ),
            (
                "*   [\n    \n    What does Verizon collect?\n    ----------\n    \n    ](#acc-item-30)\n\nAfter",
                &["h2:What does Verizon collect?", "After"],
            ),
            (
                "[### AgentKit\n\nA wallet.](https://docs.cdp.coinbase.com/agentkit)[### Paymaster\n\nNo gas.](https://docs.base.org/go-gasless)",
                &["h3:AgentKit", "A wallet.", "h3:Paymaster", "No gas."],
            ),
        ] {
            assert_eq!(texts(&markdown_blocks(md)), want, "{md:?}");
        }
    }

    #[test]
    fn unlink_leaves_sources_without_links_as_they_are() {
        let md = "# Terms\n\nSee [1] and (2).\n";
        assert!(matches!(unlink(md), Cow::Borrowed(_)));
    }

    /// The edits [`LinkReader`] makes reading every byte of `source` in turn, none skipped.
    fn edits_byte_by_byte(source: &str) -> String {
        let bytes = source.as_bytes();
        let mut reader = LinkReader::new(bytes);
        for (i, &c) in bytes.iter().enumerate() {
            reader.read(i, c);
        }
        apply_edits(source, reader.finish())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Skipping the bytes that change nothing gives what reading each of them gives.
        #[test]
        fn runs_of_plain_bytes_are_skipped_without_changing_the_result(
            pieces in proptest::collection::vec(
                prop::sample::select(vec![
                    "[", "]", "](", "(", ")", "\\", "!", "\n", "\n\n", "\r", " ", "\t", "#",
                    "- ", "* ", "1. ", "> ", "a", "word ", "é", "](a b)", "[x](y)",
                ]),
                0..40,
            )
        ) {
            let md: String = pieces.concat();
            let expected = if md.contains("](") { edits_byte_by_byte(&md) } else { md.clone() };
            prop_assert_eq!(unlink(&md).into_owned(), expected);
        }
    }

    /// Hostile megabytes of link syntax: each of [`unlink`]'s passes does constant work a byte
    /// (one loop over the bytes, looking ahead a few at most), its result is at most half as
    /// large again as the source, and no link syntax is left.
    #[test]
    fn hostile_link_syntax_is_read_in_one_pass() {
        let n = 1 << 20;
        for (piece, kept) in [
            ("[", "["),
            ("](", ""),
            ("[](", ""),
            ("](a (", "( ("),
            ("[# a](b)", "a"),
            ("[a\n\n](b)", "a"),
            ("\\[a\\](b c) ", "a a"),
            ("![a](b c)", "a a"),
            ("[]()", ""),
            ("](((", ""),
            ("1. [a](b)\n", "a"),
        ] {
            let md = piece.repeat(n / piece.len());
            // A mark is three bytes; the syntax of a link at least four.
            let out = unlink(&md);
            assert!(out.len() <= md.len() * 3 / 2, "{piece:?}: {}", out.len());
            let blocks = markdown_blocks(&md);
            let text: usize = blocks.iter().map(|b| b.text.len()).sum();
            assert!(text <= md.len(), "{piece:?}");
            assert!(!blocks.iter().any(|b| b.text.contains("](")), "{piece:?}");
            if kept.is_empty() {
                assert!(blocks.is_empty(), "{piece:?}");
            } else {
                assert!(blocks.iter().any(|b| b.text.contains(kept)), "{piece:?}");
            }
        }
    }
}
