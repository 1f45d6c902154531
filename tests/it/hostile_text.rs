//! Hostile Markdown and HTML end quickly with a sane result: no stack overflow, no hang, no
//! panic (bounded cost). Each case runs on a thread with the default stack, as content is read
//! in a build, and must end within the harness's generous deadline; no timing is asserted.

use crate::harness::*;
use clausebook::markdown::render;
use clausebook::markup::is_forbidden_in_markup;
use clausebook::model::SnapshotFormat;
use clausebook::text::{Block, extract};
use std::fmt::Write as _;

fn render_md(what: &str, markdown: String) -> String {
    let html = finishes(what, move || render(&markdown, "/"));
    assert!(!html.contains(is_forbidden_in_markup));
    html
}

fn blocks(what: &str, source: String, format: SnapshotFormat, select: &[&str]) -> Vec<Block> {
    let select: Vec<String> = select.iter().map(|s| s.to_string()).collect();
    finishes(what, move || {
        extract(&source, format, &select, &[".x".into()], &[])
    })
}

fn has_text(blocks: &[Block], text: &str) -> bool {
    blocks.iter().any(|b| b.text.contains(text))
}

#[test]
fn deeply_nested_block_quotes() {
    for quotes in [">".repeat(50_000), "> ".repeat(50_000)] {
        let md = format!("{quotes} deep\nlazy\n\n{quotes}\n\nafter\n");
        let html = render_md("nested quotes", md.clone());
        let depth = html.matches("<blockquote>").count();
        assert!((32..=128).contains(&depth), "{depth} quotes");
        assert!(html.contains("deep") && html.contains("<p>after</p>"));
        let b = blocks("nested quotes", md, SnapshotFormat::Markdown, &[]);
        assert!(has_text(&b, "deep") && has_text(&b, "after"));
    }
}

#[test]
fn deeply_nested_lists() {
    let one_line = "- ".repeat(50_000) + "deep\n";
    let ordered = "1. ".repeat(50_000) + "deep\n";
    let mixed = "> - 1. * ".repeat(12_500) + "deep\n";
    // Each level indented by two more spaces (2,000 levels: 4 MB), then lines that each cost a
    // look at every open list: blank lines and lazy continuations.
    let mut indented: String = (0..2_000)
        .map(|i| format!("{}- deep\n", " ".repeat(2 * i)))
        .collect();
    indented += &"\n".repeat(50_000);
    indented += &"lazy\n".repeat(50_000);
    for md in [one_line, ordered, mixed, indented] {
        let html = render_md("nested lists", md.clone());
        assert!(html.matches("<li>").count() <= 2_000, "too many items");
        assert!(html.contains("deep"));
        let b = blocks("nested lists", md, SnapshotFormat::Markdown, &[]);
        assert!(has_text(&b, "deep"));
    }
}

#[test]
fn long_runs_of_brackets_and_emphasis() {
    let cases = [
        "[".repeat(50_000) + "x",
        "[".repeat(50_000) + "x" + &"](/u)".repeat(50_000),
        "![".repeat(50_000) + "x" + &"](/u)".repeat(50_000),
        "*".repeat(50_000) + "x",
        "*".repeat(50_000) + "x" + &"*".repeat(50_000),
        "_".repeat(50_000) + "x" + &"_".repeat(50_000),
        "*a _b ".repeat(25_000) + "x" + &" c_ d*".repeat(25_000),
        "~~a ".repeat(25_000) + "x" + &" b~~".repeat(25_000),
        "a ".to_string() + &"`".repeat(50_000) + "x",
        "<".repeat(50_000) + "x",
    ];
    let amp = blocks(
        "entity run",
        "&amp;".repeat(100_000),
        SnapshotFormat::Markdown,
        &[],
    );
    assert!(has_text(&amp, "&&"));
    for md in cases {
        let html = render_md("bracket and emphasis runs", md.clone());
        let start: String = html.chars().take(100).collect();
        assert!(html.contains('x') || html.contains("&amp;"), "{start}");
        let b = blocks(
            "bracket and emphasis runs",
            md,
            SnapshotFormat::Markdown,
            &[],
        );
        assert!(!b.is_empty());
    }
}

#[test]
fn deep_raw_html_in_markdown() {
    for md in [
        "<div>".repeat(100_000) + "x",
        "<em>".repeat(100_000) + "x",
        "a <span>".repeat(100_000) + "x",
        (0..20_000).map(|i| format!("<p><b id={i}></p>")).collect(),
    ] {
        let html = render_md("deep raw HTML", format!("*before*\n\n{md}\n\n*after*\n"));
        assert!(html.contains("<em>before</em>") && html.contains("<em>after</em>"));
    }
}

/// Walking, selecting in and dropping a parse of 30,000 and 100,000 nested elements.
#[test]
fn deeply_nested_html() {
    for n in [30_000, 100_000] {
        for (open, close) in [
            ("<div>", "</div>"),
            ("<div class=x>", "</div>"),
            ("<span>", "</span>"),
            ("<b><i>", "</i></b>"),
            ("<table><tr><td>", "</td></tr></table>"),
            ("<ul><li>", "</li></ul>"),
            ("<svg><g>", "</g></svg>"),
            ("<math><mi>", "</mi></math>"),
            ("<p><b id=1><p><i id=2>", ""),
        ] {
            let html = format!(
                "<body><p>before</p>{}deep{}<p>after</p></body>",
                open.repeat(n),
                close.repeat(n)
            );
            for select in [
                &[][..],
                &["div"],
                &["div div div", "body", "td"],
                &["li", "p"],
            ] {
                let b = blocks(open, html.clone(), SnapshotFormat::Html, select);
                if select.is_empty() {
                    assert!(has_text(&b, "before"), "{open}: {b:?}");
                }
            }
        }
    }
}

#[test]
fn misnested_formatting_elements_are_not_re_created_without_end() {
    // Each `<p>` re-opens every `<b>` left open: the parse stays within its node budget.
    let bombs: String = (0..3_000).map(|i| format!("<b id={i}>")).collect();
    let html = format!("<p>start{bombs}</p>{}", "<p>x".repeat(50_000));
    let b = blocks("formatting bomb", html, SnapshotFormat::Html, &[]);
    assert!(has_text(&b, "start"));
    let md = format!(
        "start\n\n{}\n\n{}",
        (0..200).map(|i| format!("<b id={i}>")).collect::<String>(),
        "x\n\n".repeat(50_000)
    );
    let html = render_md("formatting bomb in Markdown", md);
    assert!(html.contains("start"));
}

#[test]
fn hostile_selectors() {
    let html = "<div><p>text</p></div>".to_string();
    let long = "div ".repeat(100_000) + "p";
    let nested = ":not(".repeat(10_000) + "p" + &")".repeat(10_000);
    let is = ":is(".repeat(10_000) + "p" + &")".repeat(10_000);
    for select in [long.as_str(), nested.as_str(), is.as_str()] {
        blocks(
            "hostile selector",
            html.clone(),
            SnapshotFormat::Html,
            &[select],
        );
        let select = select.to_string();
        finishes("hostile selector check", move || {
            let _ = clausebook::text::check_selector(&select);
        });
    }
}

const MIB: usize = 1 << 20;

/// ` a0 a1 …`: `n` distinct attributes.
fn attributes(n: usize) -> String {
    (0..n).map(|i| format!(" a{i}")).collect()
}

/// html5ever 0.40's serialiser, which ammonia writes rendered Markdown with, scans from every
/// `&` and every U+0080–U+00BF to the next `<` or `>`: a megabyte of them in a text or a value.
#[test]
fn rendered_texts_full_of_escaped_characters() {
    let nbsp = "\u{a0}".repeat(MIB / 2);
    for (md, escaped, count) in [
        ("&".repeat(MIB), "&amp;", MIB),
        (nbsp.clone(), "&nbsp;", MIB / 2),
        (format!("`{nbsp}`"), "&nbsp;", MIB / 2),
        // After raw HTML, where texts are not cut into pieces.
        (format!("<i>x</i>\n\n{nbsp}"), "&nbsp;", MIB / 2),
        (
            format!("[x](https://e.org/?{0}) ![{0}](/i)", "&".repeat(MIB / 2)),
            "&amp;",
            0,
        ),
    ] {
        let html = render_md("escaped characters", md);
        assert_eq!(html.matches(escaped).count(), count);
    }
    // In raw text, which cannot be cut: the raw HTML is left out.
    let html = render_md(
        "escaped characters in raw text",
        format!("x\n\n<textarea>{}</textarea>", "&amp;".repeat(MIB / 5)),
    );
    assert_eq!(html, "<p>x</p>\n");
}

/// html5ever's tokenizer checks every attribute of a tag against all the earlier ones.
#[test]
fn tags_with_very_many_attributes() {
    let html = format!("<p{}>x</p><p a b>y</p>", attributes(400_000));
    let b = blocks("attributes", html, SnapshotFormat::Html, &["p"]);
    assert!(has_text(&b, "x") && has_text(&b, "y"), "{b:?}");
    let md = format!("<b{}>x</b> and <i a b>y</i>", attributes(100_000));
    assert_eq!(
        render_md("attributes", md),
        "<p><b>x</b> and <i>y</i></p>\n"
    );
    // 256 attributes a tag, in tags that html5ever merges or compares; names of up to 7 bytes,
    // which html5ever does not intern.
    let html_tags = |name: &str, size: usize| -> String {
        (0..)
            .map(|i| {
                let attributes: String = (0..256).map(|k| format!(" t{:x}", i * 256 + k)).collect();
                format!("<{name}{attributes}>")
            })
            .scan(0, |len, tag| {
                *len += tag.len();
                (*len < size).then_some(tag)
            })
            .collect()
    };
    for name in ["html", "body"] {
        let source = format!("<p>x</p>{}", html_tags(name, 4 * MIB));
        let b = blocks(name, source, SnapshotFormat::Html, &[]);
        assert!(has_text(&b, "x"));
    }
    let html = render_md(
        "merged attributes",
        format!("x\n\n{}", html_tags("html", MIB - 1024)),
    );
    assert!(html.contains("x"));
    // Each new `<b>` is compared with every open `<b>`, copying and sorting their attributes.
    let open: String = (0..120)
        .map(|i| format!("<b id={i}{}>", attributes(250)))
        .collect();
    let source = format!("{open}x{}", "<b></b>".repeat(4 * MIB / 7));
    let b = blocks("formatting elements", source, SnapshotFormat::Html, &[]);
    assert!(has_text(&b, "x"));
}

/// Names html5ever does not know are interned in a global table of 4,096 linked lists, each new
/// one costing a walk of a list as long as the names so far divided by 4,096: past a limit, tags
/// and attributes with new names are left out, their text kept, and class selectors still work.
#[test]
fn very_many_distinct_names() {
    let mut html = String::from("<p>start</p>");
    let mut i = 0;
    while html.len() < 4 * MIB {
        let _ = write!(
            html,
            "<custom-element-{i} data-attribute-{i} class='class-name-{i} y'>t{i} </custom-element-{i}>"
        );
        i += 1;
    }
    let b = blocks(
        "distinct names",
        html.clone(),
        SnapshotFormat::Html,
        &[".y"],
    );
    assert!(has_text(&b, "t1 t2"), "{b:?}");
    let last = format!("custom-element-{}", i - 1);
    let b = blocks(
        "distinct names",
        html.clone(),
        SnapshotFormat::Html,
        &[&last],
    );
    assert!(b.is_empty(), "{b:?}");
    let b = blocks("distinct names", html, SnapshotFormat::Html, &[]);
    let text = format!(" t{}", i - 1);
    assert!(has_text(&b, "start") && has_text(&b, &text), "{b:?}");
}

/// ammonia's own tree finds a node among its siblings by walking them from the first: each
/// element foster-parented before a table walks all the ones before it.
#[test]
fn markdown_with_misplaced_table_content() {
    for md in [
        format!("<table>{}", "<b></b>".repeat(MIB / 7)),
        format!(
            "{}<table>{}",
            "<p>a</p>".repeat(MIB / 16),
            "x</i>".repeat(MIB / 10)
        ),
    ] {
        render_md("foster parenting", md);
    }
}

/// pulldown-cmark adds the cells a table row lacks, up to 262,144 a table.
#[test]
fn tables_lacking_cells() {
    let table = format!(
        "{}|\n{}|\n{}\n",
        "|a".repeat(1_000),
        "|-".repeat(1_000),
        "x\n".repeat(1_000)
    );
    let md = table.repeat(MIB / table.len());
    let html = render_md("tables", md.clone());
    assert!(html.len() < 2 * md.len(), "{} bytes of HTML", html.len());
    let b = blocks("tables", md, SnapshotFormat::Markdown, &[]);
    assert!(has_text(&b, "|a|a|"));
}

/// `check` reads, through the binary, the costliest content of each kind at once.
#[test]
fn check_a_site_with_costly_markup() {
    let site = Site::valid();
    let clause = |name: &str, summary: &str| {
        let yaml = format!(
            "title: {name}\ndocument: aup\nprovision: spam\n\
             excerpt: Sending bulk unsolicited commercial email is prohibited.\n\
             summary: \"{summary}\"\n"
        );
        site.write(
            &format!("content/platforms/alpha/clauses/{name}.yaml"),
            yaml,
        );
    };
    clause("amp", &"&".repeat(MIB - 256));
    clause("attributes", &format!("<b{}>x</b>", attributes(100_000)));
    let table = format!(
        "{}|\n{}|\n{}\n",
        "|a".repeat(1_000),
        "|-".repeat(1_000),
        "x\n".repeat(1_000)
    );
    site.write(
        "content/pages/tables.md",
        format!(
            "---\ntitle: Tables\n---\n{}",
            table.repeat(MIB / table.len() - 1)
        ),
    );
    site.write(
        "content/platforms/gamma/documents/policy/snapshots/2025-06-01.html",
        format!("<p{}>x</p>", attributes(400_000)),
    );
    let (code, stderr) = site.check();
    assert_eq!(code, 0, "{stderr}");
}

/// `check` and `build` read a snapshot of 30,000 nested `<div>`s without aborting.
#[test]
fn check_and_build_a_site_with_a_deep_snapshot() {
    let site = Site::valid();
    site.write(
        "content/platforms/gamma/documents/policy/snapshots/2025-06-01.html",
        format!(
            "<html><body><p>Policy</p>{}deep</body></html>",
            "<div>".repeat(30_000)
        ),
    );
    let (code, stderr) = site.build(&[]);
    assert_eq!(code, 0, "{stderr}");
    let (code, stderr) = site.check();
    assert_eq!(code, 0, "{stderr}");
}
