//! Bounded fuzzing on stable Rust, run by every `cargo test`: the YAML record loader, the
//! Markdown renderer and the snapshot text extractor get hostile, structure-aware inputs
//! (nesting, HTML tags, YAML anchors and aliases, Markdown containers) and must end with a
//! result, never a panic, stack overflow or hang.
//!
//! Each target first replays its seed corpus, `tests/fuzz-corpus/<target>/`, then runs random
//! inputs from proptest for a bounded time. Every input runs on a worker thread with the
//! default stack and must end within the harness's deadline.
//!
//! - `CLAUSEBOOK_FUZZ_SECONDS`: seconds of random inputs per target (default 20).
//! - `CLAUSEBOOK_FUZZ_SEED`: the seed of the random inputs (default: a new one each run). A
//!   failure names its seed; with the seed given, each input is also printed before it runs,
//!   so `CLAUSEBOOK_FUZZ_SEED=<seed> cargo test --test it fuzz::<target> -- --nocapture` shows the
//!   input that crashed (a stack overflow aborts the test binary, naming the worker thread,
//!   which names the seed and the case).
//!
//! A failing input, shrunk by proptest, is printed with the failure: save it as a file under
//! the target's corpus folder (for `html`, the extension picks the format) so every run
//! replays it.

use crate::harness::{HUNG, Unfinished, repo_root, within};
use clausebook::markdown::render;
use clausebook::markup::is_forbidden_in_markup;
use clausebook::model::{
    ClauseRecord, DocumentRecord, PageFrontMatter, PlatformRecord, ProvisionRecord,
    RegulationRecord, SiteConfig, SnapshotFormat,
};
use clausebook::text::extract;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use std::cell::RefCell;
use std::fmt::Debug;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

#[test]
fn records() {
    fuzz("records", yaml_document(), |text: &String| {
        check_records(text);
        Ok(())
    });
}

#[test]
fn markdown() {
    fuzz("markdown", markdown_document(), |md: &String| {
        check_render(md)
    });
}

#[test]
fn html() {
    fuzz("html", extraction(), |input: &Extraction| {
        check_extraction(input)
    });
}

/// Parses `text` as every kind of record: the result does not matter, only that there is one.
fn check_records(text: &str) {
    let path = Path::new("content/fuzz.yaml");
    let _ = clausebook::yaml::parse::<SiteConfig>(path, text, 1);
    let _ = clausebook::yaml::parse::<PlatformRecord>(path, text, 1);
    let _ = clausebook::yaml::parse::<DocumentRecord>(path, text, 1);
    let _ = clausebook::yaml::parse::<ClauseRecord>(path, text, 1);
    let _ = clausebook::yaml::parse::<ProvisionRecord>(path, text, 1);
    let _ = clausebook::yaml::parse::<RegulationRecord>(path, text, 1);
    let _ = clausebook::yaml::parse::<PageFrontMatter>(path, text, 2);
}

/// Renders `md` and checks the HTML is safe: no script, style or frame element, no event
/// handler, no script scheme in an attribute a browser may follow (any but the text ones),
/// no character HTML or XML may not hold.
fn check_render(md: &str) -> Result<(), String> {
    for root in ["/", "/sub/"] {
        let html = render(md, root);
        if let Some(c) = html.chars().find(|&c| is_forbidden_in_markup(c)) {
            return Err(format!("{c:?} in {html:?}"));
        }
        if html.to_ascii_lowercase().contains("<script") {
            return Err(format!("<script in {html:?}"));
        }
        let fragment = scraper::Html::parse_fragment(&html);
        for node in fragment.tree.nodes() {
            let Some(element) = node.value().as_element() else {
                continue;
            };
            let name = element.name();
            if [
                "script", "style", "iframe", "object", "embed", "form", "base",
            ]
            .contains(&name)
            {
                return Err(format!("<{name}> in {html:?}"));
            }
            for (attribute, value) in element.attrs() {
                if attribute.to_ascii_lowercase().starts_with("on") {
                    return Err(format!("{attribute}= in {html:?}"));
                }
                // Text attributes are shown, never followed: `![<javascript:x>](u)` rightly
                // puts the words `javascript:x` in `alt`.
                let attribute = attribute.to_ascii_lowercase();
                if attribute == "alt" || attribute == "title" || attribute.starts_with("aria-") {
                    continue;
                }
                let url: String = value
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                if ["javascript:", "vbscript:", "data:"]
                    .iter()
                    .any(|s| url.starts_with(s))
                {
                    return Err(format!("{attribute}={value:?} in {html:?}"));
                }
            }
        }
    }
    Ok(())
}

/// A snapshot source with its format and the document's selectors.
#[derive(Clone, Debug)]
struct Extraction {
    source: String,
    format: SnapshotFormat,
    select: Vec<String>,
    remove: Vec<String>,
}

/// Extracts the blocks and checks they are clean text.
fn check_extraction(input: &Extraction) -> Result<(), String> {
    let blocks = extract(
        &input.source,
        input.format,
        &input.select,
        &input.remove,
        &[],
    );
    for b in &blocks {
        let t = &b.text;
        if t.is_empty() || t.starts_with(' ') || t.ends_with(' ') || t.contains("  ") {
            return Err(format!("unclean block text {t:?}"));
        }
        if let Some(c) = t.chars().find(|&c| is_forbidden_in_markup(c)) {
            return Err(format!("{c:?} in block text {t:?}"));
        }
    }
    Ok(())
}

/// Replays the corpus, then runs random inputs until the time is up; panics with the seed and
/// the (shrunk) input at the first failure.
fn fuzz<S>(target: &str, strategy: S, check: fn(&S::Value) -> Result<(), String>)
where
    S: Strategy,
    S::Value: Clone + Debug + Send + 'static,
    Corpus: Replay<S::Value>,
{
    for (name, input) in Corpus::inputs(target) {
        if let Err(message) = run_case(&format!("{target} corpus {name}"), &input, check) {
            panic!("{target}: corpus file {name} fails: {message}");
        }
    }

    let seed = std::env::var("CLAUSEBOOK_FUZZ_SEED")
        .ok()
        .map(|s| parse_seed(&s));
    let verbose = seed.is_some();
    let seed = seed.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let seconds = std::env::var("CLAUSEBOOK_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let config = Config {
        failure_persistence: None,
        max_shrink_time: 60_000,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[seed.to_le_bytes(); 4].concat());
    let mut runner = TestRunner::new_with_rng(config, rng);
    // A hang is reported at once, not shrunk: each try would take the whole time-out.
    let hung: RefCell<Option<String>> = RefCell::new(None);
    let mut case = 0u64;
    while Instant::now() < deadline && hung.borrow().is_none() {
        case += 1;
        let tree = strategy
            .new_tree(&mut runner)
            .unwrap_or_else(|e| panic!("{target}: cannot generate an input: {e}"));
        let name = format!("fuzz {target} seed {seed:#x} case {case}");
        let result = runner.run_one(tree, |input| {
            if hung.borrow().is_some() {
                return Ok(());
            }
            if verbose {
                eprintln!("{name}: {input:?}");
            }
            match run_case(&name, &input, check) {
                Ok(()) => Ok(()),
                Err(message) if message.starts_with(HUNG) => {
                    *hung.borrow_mut() = Some(format!("{message}: {input:?}"));
                    Ok(())
                }
                Err(message) => Err(TestCaseError::fail(message)),
            }
        });
        match result {
            Ok(_) => {}
            Err(TestError::Fail(reason, input)) => panic!(
                "{target}: seed {seed:#x} (CLAUSEBOOK_FUZZ_SEED) case {case} fails: {reason}\n\
                 minimal input: {input:?}"
            ),
            Err(TestError::Abort(reason)) => panic!("{target}: aborted: {reason}"),
        }
    }
    if let Some(message) = hung.into_inner() {
        panic!("{target}: seed {seed:#x} (CLAUSEBOOK_FUZZ_SEED) case {case}: {message}");
    }
}

/// Runs `check` on a worker thread named `name`; its error, its panic, or a hang (a message
/// that starts with [`HUNG`]).
fn run_case<T: Clone + Send + 'static>(
    name: &str,
    input: &T,
    check: fn(&T) -> Result<(), String>,
) -> Result<(), String> {
    let input = input.clone();
    within(name, move || check(&input)).unwrap_or_else(|e: Unfinished| Err(e.to_string()))
}

fn parse_seed(s: &str) -> u64 {
    let parsed = match s.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    };
    parsed.unwrap_or_else(|_| panic!("CLAUSEBOOK_FUZZ_SEED `{s}` is not a number"))
}

/// The seed corpus of a target, as its inputs.
struct Corpus;

trait Replay<T> {
    fn inputs(target: &str) -> Vec<(String, T)>;
}

impl Corpus {
    /// Every file of `tests/fuzz-corpus/<target>/`, sorted, with its name and text.
    fn files(target: &str) -> Vec<(String, String)> {
        let dir = repo_root().join("tests/fuzz-corpus").join(target);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("corpus entry").path())
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|path| {
                let bytes = std::fs::read(&path).expect("corpus file");
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, String::from_utf8_lossy(&bytes).into_owned())
            })
            .collect()
    }
}

impl Replay<String> for Corpus {
    fn inputs(target: &str) -> Vec<(String, String)> {
        Corpus::files(target)
    }
}

impl Replay<Extraction> for Corpus {
    /// Each file in the format its extension names, once whole and once with selectors.
    fn inputs(target: &str) -> Vec<(String, Extraction)> {
        let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut inputs = Vec::new();
        for (name, source) in Corpus::files(target) {
            let format = match name.rsplit('.').next() {
                Some("md") => SnapshotFormat::Markdown,
                Some("txt") => SnapshotFormat::Text,
                _ => SnapshotFormat::Html,
            };
            for (select, remove) in [(&[][..], &[][..]), (&["main", "p", "td"], &[".x", "nav"])] {
                inputs.push((
                    format!("{name} select {select:?}"),
                    Extraction {
                        source: source.clone(),
                        format,
                        select: strings(select),
                        remove: strings(remove),
                    },
                ));
            }
        }
        inputs
    }
}

// ---- Generators ----

/// Text with what breaks parsers: controls, noncharacters, quotes, escapes, any Unicode.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9 .,:;!?'\"()/-]{0,16}",
        1 => "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\u{fdd0}\\u{fffe}\\u{ffff}\\u{10ffff} ]{1,4}",
        1 => any::<String>().prop_map(|s| s.chars().take(12).collect()),
        1 => prop::sample::select(vec![
            "&amp;", "&#0;", "&#1;", "&#x1F;", "&#xFFFE;", "&#x10FFFF;", "&#xD800;", "&notin",
            "{site}", "{owner}", "\\", "\"", "'", "`", "\u{ad}", "\u{200b}", "\u{feff}",
            "\u{a0}", "\r", "\r\n", "\t", "é", "ﬁ", "“q”",
        ])
        .prop_map(String::from),
    ]
}

/// Repeats a piece up to a few thousand times: deep nesting and long runs.
fn repeated(piece: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    (piece, 1usize..3000).prop_map(|(p, n)| p.repeat(n))
}

/// A YAML document: a mapping with the records' keys (and others), whose values are
/// scalars, sequences, mappings, flow collections, anchors, aliases, tags and merge keys,
/// sometimes after directives or within several documents.
fn yaml_document() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        4 => prop::sample::select(vec![
            "title", "document", "provision", "excerpt", "summary", "obligations", "regulations",
            "tags", "draft", "aliases", "base_url", "name", "owner", "url", "description",
            "select", "remove", "changes", "type", "group", "jurisdiction", "language", "theme",
            "disclaimer", "independence", "related_limit", "attribution", "<<", "? x",
        ])
        .prop_map(String::from),
        1 => hostile_text().prop_map(|t| format!("{t:?}")),
    ];
    let scalar = prop_oneof![
        3 => hostile_text().prop_map(|t| format!("{t:?}")),
        2 => "[a-z0-9 ]{0,12}",
        1 => prop::sample::select(vec![
            "~", "null", "true", "yes", "0x1F", "1e999", ".inf", "-.nan", "18446744073709551616",
            "!!binary aGVsbG8=", "!!str 1", "!custom x", "*a", "*b", "&a x", "&b [1]",
            "|\n  block\n  text", ">-\n  folded\n", "'single ''quoted'''", "\"\\x00\\u0001\\U0010FFFF\"",
            "[", "]", "{", "}", ":", "- ", "? ", "%", "@", "`", "#", "\t",
        ])
        .prop_map(String::from),
        1 => repeated(prop::sample::select(vec!["[", "{", "[a, ", "- ", "*a, ", "&x [", "!!seq ["]).prop_map(String::from)),
    ];
    let value = scalar.prop_recursive(6, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5)
                .prop_map(|items| format!("[{}]", items.join(", "))),
            prop::collection::vec((key_plain(), inner.clone()), 0..5).prop_map(|entries| {
                let body: Vec<String> = entries.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                format!("{{{}}}", body.join(", "))
            }),
            (
                prop::sample::select(vec!["&a ", "&b ", "!!map ", "!!seq ", "!!set ", ""]),
                inner.clone()
            )
                .prop_map(|(prefix, v)| format!("{prefix}{v}")),
            prop::collection::vec(inner.clone(), 1..4).prop_map(|items| {
                items
                    .iter()
                    .map(|v| format!("\n  - {v}"))
                    .collect::<String>()
            }),
            prop::collection::vec((key_plain(), inner), 1..4).prop_map(|entries| {
                entries
                    .iter()
                    .map(|(k, v)| format!("\n  {k}: {v}"))
                    .collect::<String>()
            }),
        ]
    });
    let entry = (key, value).prop_map(|(k, v)| format!("{k}: {v}\n"));
    let prefix = prop::sample::select(vec![
        "",
        "",
        "",
        "---\n",
        "%YAML 1.2\n---\n",
        "%TAG ! tag:x:\n---\n",
    ]);
    let suffix = prop::sample::select(vec!["", "", "", "...\n", "---\ntitle: second\n", "#"]);
    (prefix, prop::collection::vec(entry, 0..12), suffix)
        .prop_map(|(p, entries, s)| format!("{p}{}{s}", entries.concat()))
}

fn key_plain() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["a", "b", "title", "<<", "x y", "1"]).prop_map(String::from),
        "[a-z]{1,6}",
    ]
}

/// Inline Markdown: text, emphasis, code, links and images (with script URLs too), raw HTML,
/// entities, footnote and reference uses, autolinks.
fn markdown_inline() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => hostile_text(),
        8 => prop::sample::select(vec![
            "*", "**", "_", "__", "~~", "`", "``", "[", "]", "](", ")", "![", "\\", "<", ">", "&",
            "[x](/root/rel)", "[x](https://e.org/?a=1&b=2 \"t\")", "[x](javascript:alert(1))",
            "[x](JaVaScRiPt&#58;alert(1))", "![i](/img.png)", "![i](javascript:alert(1))",
            "<https://e.org>", "<javascript:alert(1)>", "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>", "<a href=\"javascript:alert(1)\">a</a>",
            "<b>", "</b>", "<div>", "</div>", "<em>", "<span title=\"&#1;\">", "<!-- c -->",
            "<svg onload=alert(1)>", "<iframe src=//e>", "<style>*{}</style>", "<textarea>",
            "<p>", "</p>", "<table><td>", "[^1]", "[ref]", "[ref][]", "  \n", "\\\n",
        ])
        .prop_map(String::from),
        1 => repeated(prop::sample::select(vec![
            "*", "_", "**a ", "[", "![", "](u)", "<div>", "<b id=1>", "`", "~~", "&amp;", "<",
        ]).prop_map(String::from)),
    ]
}

/// A Markdown line: container markers (quotes, bullets, numbers, indentation, sometimes
/// thousands deep), then a block start or inline content.
fn markdown_line() -> impl Strategy<Value = String> {
    let container = prop::sample::select(vec![
        "> ", ">", "- ", "* ", "+ ", "1. ", "2) ", "  ", "    ", "\t", "- [ ] ",
    ])
    .prop_map(String::from);
    let prefix = prop_oneof![
        8 => prop::collection::vec(container.clone(), 0..6).prop_map(|c| c.concat()),
        1 => repeated(container),
    ];
    let block = prop::sample::select(vec![
        "",
        "",
        "",
        "# ",
        "###### ",
        "```",
        "~~~",
        "---",
        "* * *",
        "| a | b |",
        "|---|---|",
        "[^1]: ",
        "[ref]: /u \"t\"",
        "<div>",
        "</div>",
        "<pre>",
        "<script>",
        "<!--",
        "-->",
        "===",
        "    ",
    ]);
    (
        prefix,
        block,
        prop::collection::vec(markdown_inline(), 0..8),
    )
        .prop_map(|(p, b, inline)| format!("{p}{b}{}", inline.concat()))
}

fn markdown_document() -> impl Strategy<Value = String> {
    let ending = prop::sample::select(vec!["\n", "\n", "\n\n", "\r\n", "\r"]);
    prop::collection::vec((markdown_line(), ending), 0..40).prop_map(|lines| {
        lines
            .into_iter()
            .map(|(line, end)| line + end)
            .collect::<String>()
    })
}

/// HTML: tags of every insertion mode (tables, lists, formatting, foreign content, raw text,
/// templates, frames), hostile attributes, comments, doctypes, CDATA, entities and text, with
/// sometimes thousands of tags in a row.
fn html_document() -> impl Strategy<Value = String> {
    let name = prop::sample::select(
        "div p span b i a font nobr table tbody tr td th caption colgroup col ul ol li dl \
         dt dd h1 h6 pre br img hr input select option optgroup textarea title script \
         style template noscript iframe xmp plaintext svg math mi foreignObject desc \
         annotation-xml frameset frame body html head main nav form button object embed \
         applet marquee"
            .split(' ')
            .collect::<Vec<_>>(),
    );
    let attribute = prop_oneof![
        prop::sample::select(vec![
            "",
            "",
            " class=x",
            " id=a",
            " id=b",
            " class=\"x y\"",
            " onclick=alert(1)",
            " href=\"javascript:alert(1)\"",
            " src=x",
            " style=\"x:y\"",
            " a=\">\"",
            " /",
            " encoding=\"text/html\"",
            " xlink:href=#x",
            " selected",
            " type=hidden",
        ])
        .prop_map(String::from),
        hostile_text().prop_map(|t| format!(" data-x=\"{}\"", t.replace('"', ""))),
    ];
    let tag = prop_oneof![
        3 => (name.clone(), attribute).prop_map(|(n, a)| format!("<{n}{a}>")),
        2 => name.prop_map(|n| format!("</{n}>")),
        1 => prop::sample::select(vec![
            "<!DOCTYPE html>", "<!-- c -->", "<!--", "-->", "<![CDATA[x]]>", "<?php ?>", "</>",
            "<", "&", "&amp;", "&#1;", "&#0;", "&#x110000;", "&notin", "&#128;", "\r\n", "\0",
        ])
        .prop_map(String::from),
    ];
    let piece = prop_oneof![
        8 => tag.clone(),
        6 => hostile_text(),
        1 => repeated(tag),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|pieces| pieces.concat())
}

fn extraction() -> impl Strategy<Value = Extraction> {
    let selectors = prop::collection::vec(
        prop::sample::select(vec![
            "main",
            "p",
            "div",
            "td",
            ".x",
            "#a",
            "*",
            "div div",
            "body > *",
            ":not(p)",
            "li:first-child",
            "a[href]",
            "svg",
            "[[",
            "",
            "p,",
            "::before",
        ])
        .prop_map(String::from),
        0..3,
    );
    let source = prop_oneof![
        (html_document(), Just(SnapshotFormat::Html)),
        (markdown_document(), Just(SnapshotFormat::Markdown)),
        (
            prop_oneof![markdown_document(), html_document()],
            Just(SnapshotFormat::Text)
        ),
    ];
    (source, selectors.clone(), selectors).prop_map(|((source, format), select, remove)| {
        Extraction {
            source,
            format,
            select,
            remove,
        }
    })
}
