//! Snapshot text: every archived version, whatever its format, reduced to the blocks of text a
//! reader sees (headings, paragraphs, list items, table rows), so versions can be compared,
//! classified, diffed and searched the same way.

use crate::markdown::{cap_nesting, is_forbidden_in_markup};
use crate::model::{Document, Snapshot, SnapshotFormat};
use ego_tree::NodeId;
use ego_tree::iter::Edge;
use html5ever::interface::Tracer;
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::{ParseOpts, QualName, local_name, ns};
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use scraper::{ElementRef, Html, HtmlTreeSink, Node, Selector};
use serde::Serialize;
use std::cell::Cell;
use std::collections::HashSet;
use std::ops::Range;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BlockKind {
    /// Heading level 1–6.
    Heading(u8),
    Paragraph,
    ListItem,
    TableRow,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Block {
    pub kind: BlockKind,
    /// Visible text: invisible characters removed, whitespace collapsed.
    pub text: String,
}

/// The visible text of one version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocText {
    pub blocks: Vec<Block>,
}

impl DocText {
    /// Extracts a snapshot's visible text; `.html` uses the document's `select`/`remove`.
    pub fn of(snapshot: &Snapshot, document: &Document) -> DocText {
        DocText {
            blocks: extract(
                &snapshot.source,
                snapshot.format,
                &values(&document.record.select),
                &values(&document.record.remove),
            ),
        }
    }

    /// The comparison keys of this version, computed in one pass: the visible text (markup,
    /// block breaks, whitespace and quote styles do not count, so a change of only those is
    /// formatting), the same with dates and counters masked, and the searchable form.
    pub fn keys(&self) -> Keys {
        let folded: Vec<String> = self.blocks.iter().map(|b| fold(&b.text)).collect();
        let visible = folded.join(" ");
        let masked = mask_dates(&visible);
        let mut search = String::with_capacity(visible.len());
        let mut block_ranges = Vec::with_capacity(folded.len());
        for f in &folded {
            if !search.is_empty() {
                search.push(' ');
            }
            let start = search.len();
            search.push_str(&unmark(f));
            block_ranges.push(start..search.len());
        }
        Keys {
            visible,
            masked,
            search,
            block_ranges,
        }
    }

    /// Number of words, for sizes and change ratios.
    pub fn word_count(&self) -> usize {
        self.blocks
            .iter()
            .map(|b| b.text.split_whitespace().count())
            .sum()
    }
}

fn values(selectors: &[crate::yaml::Located<String>]) -> Vec<String> {
    selectors.iter().map(|s| s.value.clone()).collect()
}

/// The forms of a version's text that versions and excerpts are compared in.
pub struct Keys {
    pub visible: String,
    pub masked: String,
    /// Each block in [`match_form`], joined by spaces.
    pub search: String,
    /// Where each block is in `search`.
    pub block_ranges: Vec<Range<usize>>,
}

/// The visible text of a snapshot in `format`, as blocks; `.html` keeps only what the `select`
/// selectors match (all of it when there are none) less what the `remove` selectors match.
/// Selectors that do not parse are ignored (`check` reports them).
pub fn extract(
    source: &str,
    format: SnapshotFormat,
    select: &[String],
    remove: &[String],
) -> Vec<Block> {
    let blocks = match format {
        SnapshotFormat::Markdown => markdown_blocks(source),
        SnapshotFormat::Text => text_blocks(source),
        SnapshotFormat::Html => html_blocks(source, select, remove),
    };
    drop_repeated_sections(blocks)
}

/// Cleans extracted text: drops invisible characters (soft hyphens, zero-width spaces, BOMs) and
/// those no HTML or XML output may hold ([`is_forbidden_in_markup`]), turns no-break spaces and
/// other whitespace (form feeds too) into spaces and collapses whitespace runs.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if is_dropped(c) {
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
    out
}

/// Characters [`clean`] drops: invisible ones, and those no output may hold.
fn is_dropped(c: char) -> bool {
    matches!(
        c,
        '\u{ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{180e}'
    ) || is_forbidden_in_markup(c)
}

/// Compatibility-normalised text with one style of quotes: the comparison form of visible text.
fn fold(text: &str) -> String {
    let quotes = |c| match c {
        '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' => '\'',
        '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' => '"',
        c => c,
    };
    // Most text is already in NFKC (ASCII always is): skip the costly normalisation then.
    if text.is_ascii() {
        text.to_string()
    } else if is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        text.chars().map(quotes).collect()
    } else {
        text.nfkc().map(quotes).collect()
    }
}

/// The normalisation SPEC §3 prescribes for finding an excerpt in a snapshot: NFKC, quotes,
/// soft hyphens, NBSP, Markdown emphasis markers and whitespace runs do not matter.
pub fn match_form(text: &str) -> String {
    unmark(&fold(text))
}

/// A folded text without emphasis markers, whitespace collapsed.
fn unmark(folded: &str) -> String {
    if !folded.contains(['*', '_']) {
        // Block texts are clean already, and folding adds no whitespace runs.
        return clean_if_needed(folded);
    }
    let without_markers: String = folded.chars().filter(|c| !matches!(c, '*' | '_')).collect();
    clean(&without_markers)
}

/// `clean`, skipped when the text has nothing to clean (the common case).
fn clean_if_needed(text: &str) -> String {
    let needs = text.starts_with(' ')
        || text.ends_with(' ')
        || text.contains("  ")
        || text
            .chars()
            .any(|c| is_dropped(c) || (c.is_whitespace() && c != ' '));
    if needs { clean(text) } else { text.to_string() }
}

/// What a word can be in a date or a counter.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Word {
    /// 1–4 digits: a day, a year, a count.
    Number,
    Month,
    /// second, minute, hour, day, week, month, year (singular or plural).
    Unit,
    /// "a" or "an", as in "a day ago".
    Article,
    Ago,
    /// "yesterday", "today", or a numeric date such as 2025-09-15.
    Date,
    Other,
}

/// Classifies a word (already stripped of surrounding punctuation) without allocating:
/// dispatch on its first letter, then compare against the few candidates.
fn word_kind(w: &str) -> Word {
    let b = w.as_bytes();
    let Some(&first) = b.first() else {
        return Word::Other;
    };
    if first.is_ascii_digit() {
        if b.len() <= 4 && b.iter().all(u8::is_ascii_digit) {
            return Word::Number;
        }
        return if is_numeric_date(w) {
            Word::Date
        } else {
            Word::Other
        };
    }
    if b.len() > 9 {
        return Word::Other;
    }
    let is = |list: &[&str]| list.iter().any(|x| x.eq_ignore_ascii_case(w));
    let (months, units, others): (&[&str], &[&str], &[(&str, Word)]) =
        match first.to_ascii_lowercase() {
            b'j' => (&["january", "jan", "june", "jun", "july", "jul"], &[], &[]),
            b'f' => (&["february", "feb"], &[], &[]),
            b'm' => (
                &["march", "mar", "may"],
                &["minute", "minutes", "month", "months"],
                &[],
            ),
            b'a' => (
                &["april", "apr", "august", "aug"],
                &[],
                &[
                    ("a", Word::Article),
                    ("an", Word::Article),
                    ("ago", Word::Ago),
                ],
            ),
            b's' => (&["september", "sep", "sept"], &["second", "seconds"], &[]),
            b'o' => (&["october", "oct"], &[], &[]),
            b'n' => (&["november", "nov"], &[], &[]),
            b'd' => (&["december", "dec"], &["day", "days"], &[]),
            b'h' => (&[], &["hour", "hours"], &[]),
            b'w' => (&[], &["week", "weeks"], &[]),
            b'y' => (&[], &["year", "years"], &[("yesterday", Word::Date)]),
            b't' => (&[], &[], &[("today", Word::Date)]),
            _ => return Word::Other,
        };
    if is(months) {
        Word::Month
    } else if is(units) {
        Word::Unit
    } else {
        others
            .iter()
            .find(|(x, _)| x.eq_ignore_ascii_case(w))
            .map_or(Word::Other, |(_, k)| *k)
    }
}

/// Replaces dates and relative counters by placeholders, word by word: a month name next to a
/// day or year (in any order), numeric dates (2025-09-15, 15/09/2025), and "N days ago",
/// "yesterday", "today" counters. A duration that is not a counter ("within 30 days") is
/// kept: changing it is substantive. A run of masked words becomes one placeholder, so
/// "15 days ago" and "yesterday" are alike. Linear, and allocates only the output.
pub fn mask_dates(text: &str) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let kinds: Vec<Word> = words
        .iter()
        .map(|w| word_kind(w.trim_matches(|c: char| !c.is_alphanumeric())))
        .collect();
    let kind = |i: usize| kinds.get(i).copied().unwrap_or(Word::Other);
    let mut masked = vec![false; words.len()];
    for i in 0..words.len() {
        match kind(i) {
            Word::Month
                if kind(i.wrapping_sub(1)) == Word::Number || kind(i + 1) == Word::Number =>
            {
                masked[i] = true;
                for j in [i.wrapping_sub(1), i + 1, i + 2] {
                    if kind(j) == Word::Number {
                        masked[j] = true;
                    }
                }
            }
            Word::Number | Word::Article
                if kind(i + 1) == Word::Unit && kind(i + 2) == Word::Ago =>
            {
                masked[i] = true;
                masked[i + 1] = true;
            }
            Word::Ago | Word::Date => masked[i] = true,
            _ => {}
        }
    }
    let mut out = String::with_capacity(text.len());
    for (i, w) in words.iter().enumerate() {
        if masked[i] && i > 0 && masked[i - 1] {
            continue;
        }
        if i > 0 {
            out.push(' ');
        }
        out.push_str(if masked[i] { "#" } else { w });
    }
    out
}

/// `2025-09-15`, `15/09/2025`, `09.15.25`: digits in three groups.
fn is_numeric_date(w: &str) -> bool {
    let mut groups = 0;
    for g in w.split(['-', '/', '.']) {
        groups += 1;
        if g.is_empty() || g.len() > 4 || !g.bytes().all(|b| b.is_ascii_digit()) || groups > 3 {
            return false;
        }
    }
    groups == 3
}

/// Drops a section (a heading and the blocks up to the next heading, or the text before the
/// first heading) that repeats an earlier section word for word: extraction artefacts such as
/// a page that holds its whole text twice.
fn drop_repeated_sections(blocks: Vec<Block>) -> Vec<Block> {
    let mut sections: Vec<Vec<Block>> = Vec::new();
    for b in blocks {
        match sections.last_mut() {
            Some(s) if !matches!(b.kind, BlockKind::Heading(_)) => s.push(b),
            _ => sections.push(vec![b]),
        }
    }
    let mut seen: HashSet<Vec<String>> = HashSet::new();
    let mut out = Vec::new();
    for s in sections {
        let key: Vec<String> = s.iter().map(|b| fold(&b.text)).collect();
        // A lone heading or paragraph may legitimately repeat; a whole section may not.
        if s.len() > 1 && !seen.insert(key) {
            continue;
        }
        out.extend(s);
    }
    out
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
            let text = clean(&buf);
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

fn markdown_blocks(source: &str) -> Vec<Block> {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let mut b = Blocks::default();
    let mut in_item = 0usize;
    for event in Parser::new_ext(&cap_nesting(source), options) {
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
            // Raw HTML in Markdown is markup, not text a reader sees.
            _ => {}
        }
    }
    trim_table_separators(b.done())
}

fn heading_level(level: HeadingLevel) -> u8 {
    level as u8
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

fn text_blocks(source: &str) -> Vec<Block> {
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

/// Elements whose content is never text a reader of the policy sees.
const DROPPED: &[&str] = &[
    "script", "style", "nav", "noscript", "template", "iframe", "svg", "canvas", "head", "object",
    "embed",
];

fn html_blocks(source: &str, select: &[String], remove: &[String]) -> Vec<Block> {
    let doc = parse_html(source, false).html;
    let removed: HashSet<_> = remove
        .iter()
        .filter_map(|s| Selector::parse(s).ok())
        .flat_map(|sel| doc.select(&sel).map(|e| e.id()).collect::<Vec<_>>())
        .collect();
    let roots: Vec<ElementRef> = if select.is_empty() {
        vec![doc.root_element()]
    } else {
        let mut roots = Vec::new();
        for sel in select.iter().filter_map(|s| Selector::parse(s).ok()) {
            roots.extend(doc.select(&sel));
        }
        // An element matched twice, or inside another match, is read once, with the outermost:
        // reading it again would repeat its text, once per level of a deep nest.
        let ids: HashSet<NodeId> = roots.iter().map(|r| r.id()).collect();
        let mut seen = HashSet::new();
        roots.retain(|r| seen.insert(r.id()) && !r.ancestors().any(|a| ids.contains(&a.id())));
        roots
    };
    let mut b = Blocks::default();
    for root in roots {
        walk_html(root, &removed, &mut b);
    }
    trim_table_separators(b.done())
}

/// Block kinds of the HTML elements that start a block of text.
fn html_block_kind(name: &str) -> Option<BlockKind> {
    match name {
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
            Some(BlockKind::Heading(name.as_bytes()[1] - b'0'))
        }
        "li" | "dt" | "dd" => Some(BlockKind::ListItem),
        "tr" => Some(BlockKind::TableRow),
        "p" | "div" | "section" | "article" | "main" | "header" | "footer" | "aside"
        | "blockquote" | "pre" | "figure" | "figcaption" | "address" | "form" | "fieldset"
        | "details" | "summary" | "ul" | "ol" | "dl" | "table" | "thead" | "tbody" | "tfoot"
        | "caption" | "body" | "html" => Some(BlockKind::Paragraph),
        _ => None,
    }
}

/// Reads the text under `root` into blocks, in one pass over its open and close edges (no
/// recursion: a parse is as deep as the document's nesting). A block element ends the text
/// before it and the text after it starts a new block; a table cell's content is inline text
/// followed by ` | `; dropped and removed elements are skipped whole.
fn walk_html(root: ElementRef, removed: &HashSet<NodeId>, b: &mut Blocks) {
    // The element being skipped, and whether a ` | ` follows it (a removed cell).
    let mut skip: Option<(NodeId, bool)> = None;
    // The table cell being read as inline text.
    let mut cell: Option<NodeId> = None;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) => {
                if skip.is_some() {
                    continue;
                }
                let element = match node.value() {
                    Node::Text(t) => {
                        b.push(t);
                        continue;
                    }
                    Node::Element(e) => e,
                    _ => continue,
                };
                let name = element.name();
                if cell.is_none() && node.id() != root.id() {
                    match name {
                        "br" => {
                            b.push(" ");
                            skip = Some((node.id(), false));
                            continue;
                        }
                        "td" | "th" if removed.contains(&node.id()) => {
                            skip = Some((node.id(), true));
                            continue;
                        }
                        "td" | "th" => {
                            cell = Some(node.id());
                            continue;
                        }
                        _ => {}
                    }
                }
                if DROPPED.contains(&name) || removed.contains(&node.id()) {
                    skip = Some((node.id(), false));
                } else if cell.is_none()
                    && let Some(kind) = html_block_kind(name)
                {
                    b.start(kind);
                }
            }
            Edge::Close(node) => {
                if let Some((id, bar)) = skip {
                    if id == node.id() {
                        skip = None;
                        if bar {
                            b.push(" | ");
                        }
                    }
                } else if cell == Some(node.id()) {
                    cell = None;
                    b.push(" | ");
                } else if cell.is_none()
                    && let Node::Element(e) = node.value()
                    && html_block_kind(e.name()).is_some()
                {
                    b.finish();
                }
            }
        }
    }
}

/// Most elements an HTML parse may hold open, counting the misnested formatting elements it
/// re-opens at the next text. html5ever's work per tag grows with their number (a nest of 20,000
/// `<div>`s takes seconds, a deeper one hangs), and real pages stay far below.
const MAX_OPEN_ELEMENTS: usize = 256;

/// Nodes a parse may create beyond one per byte of its source: misnested formatting elements
/// are re-created at every paragraph, so a few bytes could otherwise create thousands of nodes.
const EXTRA_NODES: usize = 1 << 16;

/// Bytes given to the parser between two checks of its limits.
const PARSE_CHUNK: usize = 512;

/// An HTML parse that [`parse_html`] may have cut short.
pub(crate) struct ParsedHtml {
    pub html: Html,
    /// Whether the parse stopped at its limits, before the end of its source.
    pub cut: bool,
}

/// Parses HTML as a document, or as ammonia does a fragment (in a `<div>`), feeding html5ever
/// a chunk at a time and stopping at the first chunk that leaves more than [`MAX_OPEN_ELEMENTS`]
/// open or more nodes than the budget: what was read before is kept, the rest is dropped.
pub(crate) fn parse_html(source: &str, fragment: bool) -> ParsedHtml {
    let mut parser = if fragment {
        html5ever::parse_fragment(
            HtmlTreeSink::new(Html::new_fragment()),
            ParseOpts::default(),
            QualName::new(None, ns!(html), local_name!("div")),
            Vec::new(),
            false,
        )
    } else {
        html5ever::parse_document(
            HtmlTreeSink::new(Html::new_document()),
            ParseOpts::default(),
        )
    };
    let max_nodes = source.len().saturating_add(EXTRA_NODES);
    let mut rest = source;
    let mut cut = false;
    while !rest.is_empty() {
        let mut end = rest.len().min(PARSE_CHUNK);
        while !rest.is_char_boundary(end) {
            end += 1;
        }
        let (chunk, tail) = rest.split_at(end);
        parser.process(StrTendril::from_slice(chunk));
        rest = tail;
        let open = Counter::default();
        parser.tokenizer.sink.trace_handles(&open);
        let nodes = parser.tokenizer.sink.sink.0.borrow().tree.nodes().len();
        if open.0.get() > MAX_OPEN_ELEMENTS || nodes > max_nodes {
            cut = true;
            break;
        }
    }
    ParsedHtml {
        html: parser.finish(),
        cut,
    }
}

/// Counts the handles html5ever's tree builder holds: its open elements and its list of
/// formatting elements (plus the document, and `<head>` and `<form>` once seen).
#[derive(Default)]
struct Counter(Cell<usize>);

impl Tracer for Counter {
    type Handle = NodeId;

    fn trace_handle(&self, _: &NodeId) {
        self.0.set(self.0.get() + 1);
    }
}

/// Checks a CSS selector from `document.yaml`; the error message when it does not parse.
pub fn check_selector(selector: &str) -> Result<(), String> {
    Selector::parse(selector)
        .map(|_| ())
        // scraper's messages are about its parser's internals; the selector itself says more.
        .map_err(|_| format!("`{selector}` is not a valid CSS selector"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(blocks: &[Block]) -> Vec<String> {
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

    #[test]
    fn html_drops_scripts_navigation_and_removed_parts() {
        let html = r#"<html><head><title>T</title><script>var x=1;</script></head><body>
            <nav>Menu</nav><div class="banner">Cookies!</div>
            <main><h2>Rules</h2><p>Do <b>not</b> spam.<br>Ever.</p><ul><li>One</li><li>Two</li></ul>
            <table><tr><th>A</th><td>B</td></tr></table><style>p{}</style></main>
            <footer>Footer</footer></body></html>"#;
        let all = html_blocks(html, &[], &[".banner".into()]);
        assert_eq!(
            texts(&all),
            [
                "h2:Rules",
                "Do not spam. Ever.",
                "li:One",
                "li:Two",
                "tr:A | B",
                "Footer"
            ]
        );
        let main_only = html_blocks(html, &["main".into()], &[]);
        assert_eq!(
            texts(&main_only),
            [
                "h2:Rules",
                "Do not spam. Ever.",
                "li:One",
                "li:Two",
                "tr:A | B"
            ]
        );
    }

    #[test]
    fn html_cells_breaks_and_removed_parts() {
        let html = "<table><tr><td>A<br>a</td><td class=x>B</td><th><p>C</p><style>s</style>c</th></tr></table>\
                    <p>one<br class=x>two</p><div class=x>gone</div><div><div>in</div>out</div>";
        assert_eq!(
            texts(&html_blocks(html, &[], &[".x".into()])),
            ["tr:Aa | | Cc", "one two", "in", "out"]
        );
        // A root inside another root is read once.
        assert_eq!(
            texts(&html_blocks(html, &["div".into(), "td".into()], &[])),
            ["gone", "in", "out", "A aB"]
        );
    }

    #[test]
    fn html_parse_in_chunks_is_the_plain_parse() {
        let mut page = String::from("<!DOCTYPE html><html><head><title>T</title></head><body>");
        for i in 0..200 {
            page += &format!(
                "<p class=\"p{i}\">Été {i}\r\n<b>bold <i>both</b> italic</i> &amp; &eacute; <a href=\"/x?a=1&b=2\">l</a></p>\r\n<table><td>{i}</table><!-- c --><script>if (a<b) x = '</p>';</script>"
            );
        }
        let parsed = parse_html(&page, false);
        assert!(!parsed.cut);
        assert_eq!(parsed.html.html(), Html::parse_document(&page).html());
    }

    #[test]
    fn html_parse_stops_at_its_limits() {
        let deep = "<div>".repeat(1000) + "deep";
        let parsed = parse_html(&deep, false);
        assert!(parsed.cut);
        let depth = parsed
            .html
            .tree
            .nodes()
            .map(|n| n.ancestors().count())
            .max();
        assert!(depth < Some(MAX_OPEN_ELEMENTS + PARSE_CHUNK), "{depth:?}");
        // Misnested formatting elements re-opened at every paragraph.
        let bombs: String = (0..300).map(|i| format!("<b id={i}>")).collect();
        let amplified = format!("<p>{bombs}</p>{}", "<p>x".repeat(20_000));
        let parsed = parse_html(&amplified, false);
        assert!(parsed.cut);
        assert!(parsed.html.tree.nodes().len() <= amplified.len() + EXTRA_NODES + 100_000);
    }

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
    fn plain_text_paragraphs_with_crlf() {
        assert_eq!(texts(&text_blocks("A\r\nb\r\n\r\nC\r\n")), ["A b", "C"]);
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

    #[test]
    fn dates_and_counters_are_masked() {
        assert_eq!(
            mask_dates("Updated: 7 days ago\n"),
            mask_dates("Updated: 8 days ago\n")
        );
        assert_eq!(
            mask_dates("Effective September 15, 2025[Prev]"),
            mask_dates("Effective 15 September 2025[Prev]")
        );
        assert_eq!(mask_dates("on 2025-09-15."), mask_dates("on 15/09/2025."));
        assert_ne!(
            mask_dates("We may suspend you."),
            mask_dates("We will suspend you.")
        );
        assert_ne!(mask_dates("within 30 days"), mask_dates("within 60 days"));
        assert_eq!(
            mask_dates("Updated: a day ago"),
            mask_dates("Updated: 2 days ago")
        );
        assert_eq!(
            mask_dates("Updated: yesterday"),
            mask_dates("Updated: 15 days ago")
        );
        assert_eq!(mask_dates("We may suspend you."), "We may suspend you.");
    }

    #[test]
    fn match_form_ignores_what_spec_says() {
        assert_eq!(
            match_form("“Don’t”  **spam**\u{ad}\u{a0}now"),
            "\"Don't\" spam now"
        );
        assert_eq!(match_form("ﬁle"), "file");
    }
}
