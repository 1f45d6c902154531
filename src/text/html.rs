//! The blocks of an HTML snapshot, read element by element from what the `select` selectors match
//! less what the `remove` selectors match; and the check of a selector.

use super::html_parse::{HtmlInput, parse_html};
use super::{Block, BlockKind, Blocks, trim_table_separators};
use ego_tree::NodeId;
use ego_tree::iter::Edge;
use scraper::{ElementRef, Node, Selector};
use std::collections::HashSet;

/// Elements whose content is never text a reader of the policy sees.
const DROPPED: &[&str] = &[
    "script", "style", "nav", "noscript", "template", "iframe", "svg", "canvas", "head", "object",
    "embed",
];

pub(super) fn html_blocks(source: &str, select: &[String], remove: &[String]) -> Vec<Block> {
    let doc = parse_html(source, HtmlInput::Document).html;
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
pub(super) fn html_block_kind(name: &str) -> Option<BlockKind> {
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
    use crate::text::tests::texts;

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
}
