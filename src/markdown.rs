//! Markdown from content to safe HTML.
//!
//! pulldown-cmark passes raw HTML through, so every result goes through ammonia, which removes
//! scripts, event handlers, `javascript:` URLs, iframes and styles.
//!
//! Content is untrusted, so its cost is bounded before any parser sees it: Markdown nesting by
//! [`crate::markup::cap_nesting`], table cells by [`crate::markup::cap_tables`], raw HTML by [`crate::text::parse_html`]'s
//! limits. html5ever 0.40's serialiser, which ammonia writes its result with, takes time
//! quadratic in the length of a text holding many `&` or U+0080–U+00BF: texts are cut into
//! short pieces ([`Pieces`]) and attribute values are bounded ([`MAX_ATTRIBUTE_VALUE`]).

use crate::markup::{bounded, is_forbidden_in_markup};
use crate::text::{HtmlInput, parse_html};
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};
use std::borrow::Cow;
use std::collections::VecDeque;

/// A text longer than this many bytes, or holding more than [`TEXT_PIECE_ESCAPES`] characters
/// the serialiser escapes, is cut into pieces (see [`Pieces`]).
const TEXT_PIECE_BYTES: usize = 512;
const TEXT_PIECE_ESCAPES: usize = 32;

/// Between two pieces of a text: an empty comment, which ammonia removes, so the pieces are
/// written back to back, each scanned on its own.
const PIECE_BREAK: &str = "<!---->";

/// Longest attribute value kept in rendered Markdown, in bytes; a longer one is dropped.
const MAX_ATTRIBUTE_VALUE: usize = 8 * 1024;

/// Renders content Markdown to sanitised HTML. Root-relative links (`/methodology/`) are
/// prefixed with `root` (the base URL's path) so they keep working when a site lives in a subfolder.
///
/// Raw HTML that nests deeper than the HTML parser's limits is left out: the rest still renders.
pub fn render(markdown: &str, root: &str) -> String {
    let markdown = without_forbidden(markdown);
    let markdown = bounded(&markdown);
    let (mut out, raw_html) = to_html(&markdown, root, true);
    if raw_html {
        // ammonia parses what the bounded parse read: the same source, less what would cost
        // html5ever quadratic time.
        let parsed = parse_html(&out, HtmlInput::Fragment);
        let replaced = if parsed.cut {
            Some(to_html(&markdown, root, false).0)
        } else {
            match parsed.source {
                Cow::Owned(source) => Some(source),
                Cow::Borrowed(_) => None,
            }
        };
        if let Some(replaced) = replaced {
            out = replaced;
        }
    }
    let mut clean = clean(&out);
    // Entity references (`&#1;`) decode to forbidden characters inside ammonia. Replaced, not
    // removed: removing could join `java&#1;script:` into a scheme ammonia never saw.
    if clean.contains(is_forbidden_in_markup) {
        clean = clean
            .chars()
            .map(|c| {
                if is_forbidden_in_markup(c) {
                    '\u{fffd}'
                } else {
                    c
                }
            })
            .collect();
    }
    clean
}

/// The Markdown extensions content may use.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

/// pulldown-cmark's HTML for `markdown`, with or without its raw HTML; and whether it had any.
fn to_html(markdown: &str, root: &str, keep_raw_html: bool) -> (String, bool) {
    let prefix = root.trim_end_matches('/');
    let rebase = |url: CowStr<'static>| -> CowStr<'static> {
        if url.starts_with('/') && !url.starts_with("//") && !prefix.is_empty() {
            format!("{prefix}{url}").into()
        } else {
            url
        }
    };
    let mut raw_html = false;
    let parser = Parser::new_ext(markdown, options()).filter_map(|event| match event {
        Event::Html(_) | Event::InlineHtml(_) => {
            raw_html = true;
            keep_raw_html.then_some(event)
        }
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Some(Event::Start(Tag::Link {
            link_type,
            dest_url: rebase(dest_url.into_static()),
            title,
            id,
        })),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Some(Event::Start(Tag::Image {
            link_type,
            dest_url: rebase(dest_url.into_static()),
            title,
            id,
        })),
        other => Some(other),
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, Pieces::new(parser));
    (out, raw_html)
}

/// Cuts pulldown-cmark's texts and code spans into pieces of at most [`TEXT_PIECE_BYTES`] bytes
/// or [`TEXT_PIECE_ESCAPES`] escaped characters, with a [`PIECE_BREAK`] between two: html5ever
/// makes each piece a text node of its own, and ammonia writes them out back to back, so the
/// result is the same and the serialiser's scans stay within a piece.
///
/// Only until the first raw HTML: after it a text may be inside a `<textarea>` or a comment,
/// where the break would be read as text. [`crate::text::parse_html`] bounds what the
/// serialiser does with a fragment that holds raw HTML. Not in an image either: its text is
/// written into its `alt` attribute.
struct Pieces<'a, I> {
    events: I,
    queue: VecDeque<Event<'a>>,
    raw_html: bool,
    images: usize,
}

impl<'a, I: Iterator<Item = Event<'a>>> Pieces<'a, I> {
    fn new(events: I) -> Self {
        Pieces {
            events,
            queue: VecDeque::new(),
            raw_html: false,
            images: 0,
        }
    }

    /// Queues `text` in pieces, as texts separated by breaks.
    fn queue_pieces(&mut self, text: &str) {
        let mut start = 0;
        let mut escapes = 0;
        for (i, b) in text.bytes().enumerate() {
            if b == b'&' || b == 0xc2 {
                if i > start && (i - start >= TEXT_PIECE_BYTES || escapes >= TEXT_PIECE_ESCAPES) {
                    self.queue
                        .push_back(Event::Text(text[start..i].to_string().into()));
                    self.queue.push_back(Event::InlineHtml(PIECE_BREAK.into()));
                    start = i;
                    escapes = 0;
                }
                escapes += 1;
            }
        }
        self.queue
            .push_back(Event::Text(text[start..].to_string().into()));
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Pieces<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        if let Some(event) = self.queue.pop_front() {
            return Some(event);
        }
        let event = self.events.next()?;
        let long = |text: &str| text.len() > TEXT_PIECE_BYTES;
        match &event {
            Event::Html(_) | Event::InlineHtml(_) => self.raw_html = true,
            Event::Start(Tag::Image { .. }) => self.images += 1,
            Event::End(TagEnd::Image) => self.images -= 1,
            Event::Text(text) if !self.raw_html && self.images == 0 && long(text) => {
                self.queue_pieces(text);
                return self.queue.pop_front();
            }
            // pulldown-cmark writes a code span as `<code>`, its text, `</code>`.
            Event::Code(text) if !self.raw_html && self.images == 0 && long(text) => {
                self.queue.push_back(Event::InlineHtml("<code>".into()));
                self.queue_pieces(text);
                self.queue.push_back(Event::InlineHtml("</code>".into()));
                return self.queue.pop_front();
            }
            _ => {}
        }
        Some(event)
    }
}

/// `text` without the characters [`is_forbidden_in_markup`] rejects; borrowed when it has none.
fn without_forbidden(text: &str) -> Cow<'_, str> {
    if text.contains(is_forbidden_in_markup) {
        Cow::Owned(
            text.chars()
                .filter(|&c| !is_forbidden_in_markup(c))
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

/// Removes everything unsafe from an HTML fragment: scripts, styles, frames, event handlers,
/// `javascript:` URLs.
fn clean(html: &str) -> String {
    ammonia::Builder::default()
        // Only web links: no `mailto:`, `data:`, `ftp:` or any other scheme reaches a page.
        .url_schemes(["http", "https"].into())
        .link_rel(Some("noopener noreferrer"))
        // html5ever's serialiser takes time quadratic in a value's length (see the module).
        .attribute_filter(|_, _, value| {
            (value.len() <= MAX_ATTRIBUTE_VALUE).then_some(value.into())
        })
        .clean(html)
        .to_string()
}

/// The words of content Markdown as plain text on one line, for a page's description: text
/// and code, without markup or raw HTML.
pub fn plain(markdown: &str) -> String {
    let markdown = without_forbidden(markdown);
    let markdown = bounded(&markdown);
    let mut out = String::new();
    for event in Parser::new_ext(&markdown, Options::empty()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            // Inline markup joins its words to their neighbours' (`[the method](/m/).`).
            Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Image,
            ) => {}
            // Blocks, breaks and raw HTML (left out) keep the words around them apart.
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(_)
            | Event::Html(_)
            | Event::InlineHtml(_) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Substitutes `{site}`, `{platform}` and `{owner}` in a Markdown text (docs/reference.md,
/// `content/site.yaml`). The names are plain text, so they are escaped for Markdown: a platform
/// called `<img src=x>` or `[x](https://evil.example/)` reads as written and never becomes
/// markup or a link. A name that ends with a period takes the place of the period after it, so
/// "not affiliated with {owner}." never reads "Acme Corp..".
pub fn substitute(text: &str, site: &str, platform: &str, owner: &str) -> String {
    let names = [
        ("{site}", site),
        ("{platform}", platform),
        ("{owner}", owner),
    ];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        match names.iter().find(|(key, _)| rest.starts_with(key)) {
            Some((key, name)) => {
                out.push_str(&literal(name));
                rest = &rest[key.len()..];
                if name.ends_with('.') {
                    rest = rest.strip_prefix('.').unwrap_or(rest);
                }
            }
            None => {
                out.push('{');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Plain text as Markdown that renders as that text: every ASCII punctuation mark is
/// backslash-escaped and line breaks become spaces, so no block or inline syntax can start.
fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
            out.push(c);
        } else if c.is_control() {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_of_markdown_for_descriptions() {
        assert_eq!(
            plain(
                "Users **must** keep [their keys](/k/) safe.\n\n- one\n- `two`<script>x</script>"
            ),
            "Users must keep their keys safe. one two x"
        );
    }
    use crate::markup::{cap_nesting, cap_tables, escape};

    #[test]
    fn raw_html_and_script_urls_are_removed() {
        let html = render(
            "Hi <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) <iframe src=\"//evil\"></iframe>",
            "/",
        );
        for bad in ["<script", "onerror", "javascript:", "<iframe", "alert(1)</"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
    }

    #[test]
    fn root_relative_links_follow_the_base_path() {
        let html = render(
            "[m](/methodology/) [e](https://e.org/) [r](rel/)",
            "/atlas/",
        );
        assert!(html.contains("href=\"/atlas/methodology/\""), "{html}");
        assert!(html.contains("href=\"https://e.org/\""));
        assert!(html.contains("href=\"rel/\""));
        assert!(render("[m](/m/)", "/").contains("href=\"/m/\""));
    }

    #[test]
    fn forbidden_characters() {
        for c in [
            '\0', '\u{1}', '\u{b}', '\u{c}', '\u{1f}', '\u{7f}', '\u{85}', '\u{9f}',
        ] {
            assert!(is_forbidden_in_markup(c), "{c:?}");
        }
        for c in [
            '\u{fdd0}',
            '\u{fdef}',
            '\u{fffe}',
            '\u{ffff}',
            '\u{1fffe}',
            '\u{10ffff}',
        ] {
            assert!(is_forbidden_in_markup(c), "{c:?}");
        }
        for c in [
            '\t', '\n', '\r', ' ', 'a', '\u{a0}', '\u{fdcf}', '\u{fdf0}', '\u{fffd}',
        ] {
            assert!(!is_forbidden_in_markup(c), "{c:?}");
        }
    }

    #[test]
    fn escape_drops_forbidden_characters() {
        assert_eq!(
            escape("a\u{0}b\u{1b}[31m<c>\u{fffe}\td\u{85}"),
            "ab[31m&lt;c&gt;\td"
        );
    }

    #[test]
    fn rendered_markdown_holds_no_forbidden_character() {
        let html = render(
            "a\u{1}b \u{ffff}*c*\n\n&#1; &#x1F; &#xFFFE; <span title=\"&#8;\">&#127;</span> [l](java&#1;script:alert(1))",
            "/",
        );
        assert!(!html.contains(is_forbidden_in_markup), "{html:?}");
        assert!(html.contains("ab <em>c</em>"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
    }

    #[test]
    fn ordinary_nesting_is_left_as_it_is() {
        let md = "> quote\n> > nested\n\n- a\n  - b\n    1. c\n       * d\n\n\
                  * * * * * * * * * * * * * * * * * * * * * * * * * * * * * * * * * * * * * *\n\n\
                  \t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\tcode, not a list\n";
        assert!(matches!(cap_nesting(md), Cow::Borrowed(_)));
    }

    #[test]
    fn deep_containers_are_escaped() {
        let quotes = ">".repeat(100) + " x";
        assert_eq!(
            cap_nesting(&quotes),
            format!("{}\\{}", ">".repeat(64), ">".repeat(36) + " x")
        );
        let lists = "- ".repeat(40) + "x\r" + &" ".repeat(70) + "12) y\n";
        assert_eq!(
            cap_nesting(&lists),
            "- ".repeat(32) + "\\" + &"- ".repeat(8) + "x\r" + &" ".repeat(70) + "12\\) y\n"
        );
        // The escaped markers read as text.
        let html = render(&quotes, "/");
        assert_eq!(html.matches("<blockquote>").count(), 64);
        assert!(html.contains("&gt;&gt;&gt; x"), "{html}");
    }

    #[test]
    fn deep_raw_html_is_left_out() {
        let md = format!("Before\n\n{}x\n\n*after*", "<div>".repeat(300));
        let html = render(&md, "/");
        assert!(!html.contains("<div>"), "{html}");
        assert!(
            html.contains("<p>Before</p>") && html.contains("<em>after</em>"),
            "{html}"
        );
        let shallow = render("<div><b>x</b></div>", "/");
        assert_eq!(shallow, "<div><b>x</b></div>");
    }

    /// What the pipeline gave before texts were cut into pieces.
    fn unbroken(markdown: &str) -> String {
        let mut out = String::new();
        html::push_html(&mut out, Parser::new_ext(markdown, options()));
        clean(&out)
    }

    #[test]
    fn texts_cut_into_pieces_render_as_before() {
        let long = "Tom &amp; Jerry\u{a0}« 2 » & co. ".repeat(100);
        for md in [
            long.clone(),
            format!("# {long}\n\n- {long}\n\n> `{long}`\n\n| a | b |\n|---|---|\n| {long} | x |\n"),
            format!("```\n{long}\r\n{long}\n```\n\n[{long}](/x \"{long}\") ![{long}](/y)\n"),
            format!("{long}[^1]\n\n[^1]: {long}\n\n*{long}* ~~{long}~~ **`{long}`**\n"),
            "&".repeat(5_000) + "\n\n" + &"\u{a0}".repeat(5_000),
            "a".repeat(5_000) + &"&".repeat(100) + &"b".repeat(5_000),
        ] {
            let rendered = render(&md, "/");
            assert_eq!(rendered, unbroken(&md));
            assert!(!rendered.contains("<!--"));
        }
    }

    #[test]
    fn long_attribute_values_are_dropped() {
        let url = format!("https://e.org/?q={}", "a".repeat(MAX_ATTRIBUTE_VALUE));
        let html = render(&format!("[x]({url}) [y](https://e.org/) ![{url}](/i)"), "/");
        assert!(!html.contains(&url), "{html}");
        assert!(html.contains("href=\"https://e.org/\""), "{html}");
        assert!(html.contains("<img src=\"/i\">"), "{html}");
    }

    #[test]
    fn ordinary_tables_are_left_as_they_are() {
        let md = "| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 |\n| 4 | 5 | 6 |\n\n> | x | y |\n> |---|---|\n> | z |\r\n";
        assert!(matches!(cap_tables(md), Cow::Borrowed(_)));
        assert_eq!(render(md, "/").matches("<td></td>").count(), 2);
    }

    #[test]
    fn tables_lacking_many_cells_read_as_text() {
        let wide = format!(
            "{}|\n{}|\n{}",
            "|a".repeat(1_000),
            "|-".repeat(1_000),
            "x\n".repeat(1_000)
        );
        let md = format!("| a | b |\n|---|---|\n| 1 |\n\n{wide}");
        let capped = cap_tables(&md);
        assert_eq!(capped.matches("\\-").count(), 1, "{capped}");
        let html = render(&md, "/");
        assert_eq!(html.matches("<table>").count(), 1);
        assert_eq!(html.matches("<td></td>").count(), 1);
        assert!(html.contains("|a|a|") && html.contains("|-|-|"));
        // Escaped pipes are not cells: the rows still lack them.
        let escaped = format!(
            "{}|\n{}|\n{}",
            "|a".repeat(1_000),
            "|-".repeat(1_000),
            "\\|\\|\n".repeat(1_000)
        );
        assert!(matches!(cap_tables(&escaped), Cow::Owned(_)));
    }

    #[test]
    fn hostile_raw_html_is_bounded() {
        let attrs: String = (0..1_000).map(|i| format!(" a{i}")).collect();
        assert_eq!(
            render(&format!("<b{attrs}>x</b>"), "/"),
            "<p><b>x</b></p>\n"
        );
        // Text after raw HTML is not cut into pieces: a long run of `&` there costs the
        // serialiser too much, so the raw HTML is left out.
        let md = format!("<div>x</div>\n\n{}", "&".repeat(200_000));
        let html = render(&md, "/");
        assert!(!html.contains("<div>"));
        assert_eq!(html.matches("&amp;").count(), 200_000);
    }

    #[test]
    fn placeholders() {
        assert_eq!(
            substitute("{site} / {owner}'s {platform}", "Atlas", "AWS", "Amazon"),
            "Atlas / Amazon's AWS"
        );
        assert_eq!(
            substitute(
                "{x} not {site}, not affiliated with {owner}.",
                "A",
                "P",
                "Acme Corp."
            ),
            "{x} not A, not affiliated with Acme Corp\\."
        );
    }
}
