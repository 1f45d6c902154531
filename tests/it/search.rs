//! Search: the build writes Pagefind's index beside the pages and a search page, with a search
//! box on every page; the index holds the pages a reader looks for, with their filters, and
//! not the version pages; the index's folder and the search page's slug are the build's.

use crate::harness::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

/// Every page in the index of `tree`, by URL: Pagefind's fragment of it (`url`, `content`,
/// `filters`, `meta`), a gzip stream of a marker and JSON.
fn fragments(tree: &Tree) -> BTreeMap<String, Value> {
    const MARKER: &[u8] = b"pagefind_dcd";
    tree.files()
        .filter(|(path, _)| path.starts_with("pagefind/fragment/"))
        .map(|(path, bytes)| {
            let mut json = Vec::new();
            flate2::read::GzDecoder::new(bytes)
                .read_to_end(&mut json)
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            assert!(json.starts_with(MARKER), "{path}");
            let fragment: Value = serde_json::from_slice(&json[MARKER.len()..]).unwrap();
            (fragment["url"].as_str().unwrap().to_string(), fragment)
        })
        .collect()
}

/// The URL the index gives a page written at `file`.
fn url_of(file: &str) -> String {
    format!("/{}", file.trim_end_matches("index.html"))
}

/// Whether the page at `file` is one search indexes: a clause's, a platform's, a document's, a
/// provision type's, a regulation's or a free page.
fn is_indexed(file: &str) -> bool {
    let parts: Vec<&str> = file.split('/').collect();
    match parts.as_slice() {
        ["platforms", _, "index.html"]
        | ["platforms", _, "clauses" | "documents", _, "index.html"]
        | ["provisions" | "regulations", _, "index.html"] => true,
        [slug, "index.html"] => !matches!(
            *slug,
            "platforms" | "provisions" | "regulations" | "compare" | "changes" | "search"
        ),
        _ => false,
    }
}

#[test]
fn the_build_writes_the_index_a_search_page_and_a_search_box_on_every_page() {
    let tree = &built_valid().tree;
    for file in [
        "pagefind/pagefind.js",
        "pagefind/pagefind-worker.js",
        "pagefind/pagefind-entry.json",
        "pagefind/wasm.en.pagefind",
        "search.js",
    ] {
        assert!(tree.has(file), "{file}");
    }
    let search = tree.page("search/index.html");
    assert!(
        search.contains("data-index=\"/atlas/pagefind/\""),
        "{search}"
    );
    assert!(search.contains("<script type=\"module\" src=\"/atlas/search.js\">"));
    assert!(search.contains("<input id=\"search-query\" type=\"search\" name=\"q\""));
    for page in [
        "index.html",
        "404.html",
        "platforms/beta/clauses/spam/index.html",
        "search/index.html",
    ] {
        let html = tree.page(page);
        assert!(
            html.contains("<form class=\"site-search\" role=\"search\" action=\"/atlas/search/\" method=\"get\">"),
            "{page}: the search box, which works without a script"
        );
    }
    assert!(!tree.page("sitemap.xml").contains("/search/"));
}

#[test]
fn the_index_holds_the_pages_readers_look_for_with_their_filters() {
    let tree = &built_valid().tree;
    let index = fragments(tree);
    let expected: BTreeSet<String> = tree
        .files()
        .map(|(file, _)| file)
        .filter(|file| is_indexed(file))
        .map(url_of)
        .collect();
    let indexed: BTreeSet<String> = index.keys().cloned().collect();
    assert_eq!(indexed, expected);
    assert!(indexed.contains("/platforms/beta/clauses/spam/"));
    assert!(indexed.contains("/methodology/"));
    assert!(
        tree.files().any(|(f, _)| f.contains("/versions/")),
        "the fixture has version pages"
    );

    let clause = &index["/platforms/beta/clauses/spam/"];
    assert_eq!(clause["meta"]["title"], "No spam");
    let filters: BTreeMap<String, Vec<String>> =
        serde_json::from_value(clause["filters"].clone()).unwrap();
    let expected = [
        ("Document type", "Terms of Service"),
        ("Platform", "Beta Mail"),
        ("Provision type", "Unsolicited bulk messaging"),
        ("Verification", "Verified"),
    ]
    .map(|(k, v)| (k.to_string(), vec![v.to_string()]));
    assert_eq!(filters, BTreeMap::from(expected));
    let content = clause["content"].as_str().unwrap();
    assert!(content.contains("Beta forbids spam."), "{content}");
    for boilerplate in ["not legal advice", "independent of", "How other platforms"] {
        assert!(!content.contains(boilerplate), "{boilerplate}: {content}");
    }
    let hostile = &index["/platforms/gamma/clauses/child-safety/"];
    assert_eq!(
        hostile["meta"]["title"], "Child safety <script>alert(\"title\")</script>",
        "texts are indexed as text, for the search page to show as text"
    );
    assert_eq!(hostile["filters"]["Platform"][0], "Gamma <Chat>");

    let document = &index["/platforms/beta/documents/terms/"];
    let keys: Vec<&String> = document["filters"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["Document type", "Platform"]);
    assert!(
        document["content"]
            .as_str()
            .unwrap()
            .contains("Do not scrape our pages.")
    );
    let provision = &index["/provisions/spam/"];
    assert_eq!(
        provision["filters"]["Provision type"][0],
        "Unsolicited bulk messaging"
    );
}

#[test]
fn the_index_folder_and_the_search_page_are_the_builds() {
    let site = Site::valid();
    site.write("themes/default/static/pagefind/ui.js", "// a theme's own");
    site.write(
        "content/pages/search.md",
        "---\ntitle: Search\n---\nMine.\n",
    );
    let (code, stderr) = site.check();
    assert_eq!(code, 1, "{stderr}");
    assert_diagnostic(
        "a theme file in the index's folder",
        &stderr,
        "pagefind/ui.js",
        "would write into `pagefind/`, the folder of the search index",
    );
    assert_diagnostic(
        "a free page at /search/",
        &stderr,
        "content/pages/search.md",
        "page slug `search` is reserved",
    );
}

#[test]
fn a_site_with_search_off_has_no_search_page_box_or_index() {
    let site = Site::valid();
    site.append("content/site.yaml", "search: false\n");
    let (code, stderr) = site.build(&[]);
    assert_eq!(code, 0, "{stderr}");
    let tree = site.output();
    assert!(!tree.has("search/index.html"));
    let index: Vec<&str> = tree
        .files()
        .map(|(f, _)| f)
        .filter(|f| f.starts_with("pagefind/"))
        .collect();
    assert!(index.is_empty(), "{index:?}");
    let clause = tree.page("platforms/beta/clauses/spam/index.html");
    assert!(!clause.contains("site-search"), "{clause}");
    assert_eq!(broken_links(&tree, "/atlas/"), Vec::<String>::new());
    // The preview server has no search page either.
    #[cfg(feature = "serve")]
    {
        let server = Server::start(&site.root, &[]);
        assert_eq!(http(server.port, "GET", "/search/").status, 404);
        assert!(!http(server.port, "GET", "/").text().contains("site-search"));
    }
}
