//! Markup safety shared by content Markdown and archived snapshots: escaping for the HTML and
//! XML clausebook writes, and bounds on Markdown applied before any parser sees it (content is
//! untrusted, so its cost is bounded first).

use std::borrow::Cow;

/// A line may open a block quote or list item only before this column. pulldown-cmark matches
/// every line against all open containers, so a deep nest costs time quadratic in its depth;
/// each open container takes at least one column of the line that opened the innermost one, so
/// this also bounds the depth (to 64 quotes or 32 lists, deeper than any real document).
const MAX_CONTAINER_COLUMN: usize = 64;

/// Empty cells pulldown-cmark may add to table rows, per byte of Markdown, plus a fixed number.
const EMPTY_CELLS_PER_BYTE: usize = 8;
const EXTRA_EMPTY_CELLS: usize = 4096;

/// Whether a character must never reach HTML or XML output: C0 controls other than tab, line
/// feed and carriage return (XML 1.0 rejects them, so one would break every feed and sitemap),
/// DEL and the C1 controls (HTML parse errors), and the Unicode noncharacters.
pub fn is_forbidden_in_markup(c: char) -> bool {
    matches!(
        c,
        '\0'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{fdd0}'..='\u{fdef}'
    ) || (c as u32 & 0xfffe) == 0xfffe
}

/// Escapes text for HTML and XML element content and attribute values, dropping the
/// characters neither may hold ([`is_forbidden_in_markup`]). The runs of characters kept as
/// they are (nearly all of any text) are copied whole. Every page's text passes through here,
/// so it looks at bytes, decoding a character only after a byte that may begin a forbidden one.
pub fn escape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        // What replaces the character at `i`, and how many bytes it takes.
        let (replacement, width) = match bytes[i] {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            b'\'' => ("&#39;", 1),
            b'\t' | b'\n' | b'\r' | b' '..=b'~' => {
                i += 1;
                continue;
            }
            0..=0x1f | 0x7f => ("", 1),
            // The lead bytes of the C1 controls (U+0080–U+009F), of U+FDD0–U+FDEF and U+FFFE–
            // U+FFFF, and of the other planes' noncharacters; every other byte of a multi-byte
            // character is kept, so it is skipped alone.
            0xc2 | 0xef | 0xf0..=0xf4 => match text[i..].chars().next() {
                Some(c) if is_forbidden_in_markup(c) => ("", c.len_utf8()),
                Some(c) => {
                    i += c.len_utf8();
                    continue;
                }
                None => break,
            },
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&text[copied..i]);
        out.push_str(replacement);
        i += width;
        copied = i;
    }
    out.push_str(&text[copied..]);
    out
}

/// `markdown` with its nesting ([`cap_nesting`]) and its tables' empty cells ([`cap_tables`])
/// bounded; borrowed when both are within their limits.
pub(crate) fn bounded(markdown: &str) -> Cow<'_, str> {
    match cap_nesting(markdown) {
        Cow::Borrowed(markdown) => cap_tables(markdown),
        Cow::Owned(markdown) => Cow::Owned(cap_tables(&markdown).into_owned()),
    }
}

/// Bounds the nesting of Markdown containers in one linear pass, before pulldown-cmark sees it:
/// a block quote or list marker at or beyond [`MAX_CONTAINER_COLUMN`] is escaped with a
/// backslash, so it reads as text. A document that nests less is returned as it is.
pub(crate) fn cap_nesting(markdown: &str) -> Cow<'_, str> {
    let bytes = markdown.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut line = 0;
    while line < bytes.len() {
        let rest = &bytes[line..];
        // CommonMark ends a line at LF, CR or CR LF.
        let end = rest
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .unwrap_or(rest.len());
        if let Some(at) = deep_marker(&rest[..end]) {
            let out = out.get_or_insert_with(|| String::with_capacity(markdown.len() + 64));
            out.push_str(&markdown[copied..line + at]);
            out.push('\\');
            copied = line + at;
        }
        line += end + 1;
    }
    match out {
        None => Cow::Borrowed(markdown),
        Some(mut out) => {
            out.push_str(&markdown[copied..]);
            Cow::Owned(out)
        }
    }
}

/// Where to put a backslash in `line` so it opens no container at or beyond
/// [`MAX_CONTAINER_COLUMN`]: before the first such marker (`>`, `-`, `+`, `*`, or the `.` or `)`
/// of `1.`), unless the rest of the line is a thematic break (`* * *`), which opens nothing.
fn deep_marker(line: &[u8]) -> Option<usize> {
    let mut column = 0;
    let mut i = 0;
    loop {
        while let Some(&b) = line.get(i) {
            match b {
                b' ' => column += 1,
                b'\t' => column += 4 - column % 4,
                _ => break,
            }
            i += 1;
        }
        let ends_marker = |at: usize| matches!(line.get(at), None | Some(b' ' | b'\t'));
        let (escape_at, len) = match line.get(i)? {
            b'>' => (i, 1),
            b'-' | b'+' | b'*' if ends_marker(i + 1) => (i, 1),
            b'0'..=b'9' => {
                let digits = line[i..].iter().take_while(|b| b.is_ascii_digit()).count();
                let delimiter = i + digits;
                if digits > 9 || !matches!(line.get(delimiter), Some(b'.' | b')')) {
                    return None;
                }
                if !ends_marker(delimiter + 1) {
                    return None;
                }
                (delimiter, digits + 1)
            }
            _ => return None,
        };
        if column >= MAX_CONTAINER_COLUMN {
            return (!is_thematic_break(&line[i..])).then_some(escape_at);
        }
        i += len;
        column += len;
    }
}

/// `* * *`, `---`, `_ _ _`: three or more of one of these characters, and spaces or tabs.
fn is_thematic_break(line: &[u8]) -> bool {
    let Some(&c) = line.first() else {
        return false;
    };
    matches!(c, b'*' | b'-' | b'_')
        && line.iter().all(|&b| b == c || b == b' ' || b == b'\t')
        && line.iter().filter(|&&b| b == c).count() >= 3
}

/// Bounds the empty cells pulldown-cmark adds to table rows shorter than their header row: up
/// to 262,144 per table, so a table of a few kilobytes can make megabytes of HTML. In one
/// linear pass, before pulldown-cmark sees it: a paragraph (lines up to a blank one) whose
/// rows may lack more cells than the document has left of [`EMPTY_CELLS_PER_BYTE`] per byte
/// has the delimiter rows (`|---|---|`) it may hold escaped with a backslash, so it holds no
/// table and reads as text. A document within the limit is returned as it is.
///
/// The count is an upper bound: any line after a delimiter row counts as a row of a table as
/// wide as the widest delimiter row so far, and holds at least one cell per unescaped `|` but
/// one.
pub(crate) fn cap_tables(markdown: &str) -> Cow<'_, str> {
    let bytes = markdown.as_bytes();
    let mut left = (markdown.len() / EMPTY_CELLS_PER_BYTE).saturating_add(EXTRA_EMPTY_CELLS);
    // Where to put a backslash: before the first `-` of each delimiter row left out.
    let mut escapes = Vec::new();
    // The paragraph's delimiter rows, the widest, and the cells its rows may lack.
    let mut delimiters = Vec::new();
    let mut columns = 0usize;
    let mut lacking = 0usize;
    let mut line = 0;
    loop {
        let rest = &bytes[line..];
        // CommonMark ends a line at LF, CR or CR LF.
        let end = rest
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .unwrap_or(rest.len());
        let start = rest[..end]
            .iter()
            .position(|&b| !matches!(b, b' ' | b'\t' | b'>'))
            .unwrap_or(end);
        let content = &rest[start..end];
        if content.is_empty() {
            if lacking > left {
                escapes.append(&mut delimiters);
            } else {
                left -= lacking;
                delimiters.clear();
            }
            columns = 0;
            lacking = 0;
        } else {
            let pipes = content
                .iter()
                .enumerate()
                .filter(|&(i, &b)| b == b'|' && (i == 0 || content[i - 1] != b'\\'))
                .count();
            if columns > 0 {
                lacking = lacking.saturating_add(columns.saturating_sub(pipes.max(2) - 1));
            }
            if let Some(dash) = content.iter().position(|&b| b == b'-')
                && pipes > 0
                && content
                    .iter()
                    .all(|b| matches!(b, b' ' | b'\t' | b':' | b'-' | b'|'))
            {
                delimiters.push(line + start + dash);
                columns = columns.max(pipes + 1);
            }
        }
        if end == rest.len() {
            if content.is_empty() {
                break;
            }
            // A last paragraph without a blank line after it.
            line = bytes.len();
            continue;
        }
        line += end
            + if rest[end..].starts_with(b"\r\n") {
                2
            } else {
                1
            };
    }
    if escapes.is_empty() {
        return Cow::Borrowed(markdown);
    }
    let mut out = String::with_capacity(markdown.len() + escapes.len());
    let mut copied = 0;
    for at in escapes {
        out.push_str(&markdown[copied..at]);
        out.push('\\');
        copied = at;
    }
    out.push_str(&markdown[copied..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_replaces_markup_drops_forbidden_characters_and_keeps_the_rest() {
        assert_eq!(escape(""), "");
        assert_eq!(escape("plain text, été"), "plain text, été");
        assert_eq!(
            escape("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
        assert_eq!(escape("\u{0}a\u{85}b\u{fffe}\tc\u{10ffff}"), "ab\tc");
        assert_eq!(escape("&&é<"), "&amp;&amp;é&lt;");
    }

    /// The byte scan skips most bytes unread: every character, alone and between others, is
    /// escaped, dropped or kept as a character-by-character reading says it must be.
    #[test]
    fn escape_treats_every_character_as_a_character_by_character_reading_does() {
        let expected = |c: char| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&#39;".to_string(),
            c if is_forbidden_in_markup(c) => String::new(),
            c => c.to_string(),
        };
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let text = format!("a{c}\u{fdd0}é{c}");
            let wanted: String = text.chars().map(expected).collect();
            assert_eq!(escape(&text), wanted, "U+{:04X}", c as u32);
        }
    }
}
