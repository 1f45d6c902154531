//! The sample site in `content/`, built from the real Open Terms Archive corpus: it must build
//! cleanly, every link must work under a subpath, and every clause quotes its document verbatim.

use crate::harness::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

#[test]
fn sample_site_builds_with_working_links_under_a_subpath() {
    let out = &built_sample().tree;
    assert_eq!(broken_links(out, "/atlas/"), Vec::<String>::new());
    let clause_pages: Vec<&str> = out
        .files()
        .map(|(k, _)| k)
        .filter(|k| k.contains("/clauses/") && k.ends_with("index.html"))
        .collect();
    assert!(clause_pages.len() >= 20, "{}", clause_pages.len());
    for p in &clause_pages {
        assert_sections_in_order(&out.page(p));
    }
    let home = out.page("index.html");
    assert!(
        home.contains("University of Bremen"),
        "ODC-BY attribution in the footer"
    );
    assert!(
        home.contains("ODC-BY") || home.contains("Open Data Commons"),
        "licence named"
    );
}

/// Markdown emphasis, soft hyphens and line breaks do not change what a quote says.
fn normalise(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '\u{ad}'))
        .map(|c| if c == '\u{a0}' { ' ' } else { c })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn sample_clauses_quote_the_latest_snapshot_verbatim() {
    let loaded = clausebook::load::load(&repo_root(), &Default::default()).unwrap();
    let site = &loaded.site;
    assert!(site.platforms.len() >= 8);
    assert!(site.provisions.len() >= 6);
    let groups: std::collections::BTreeSet<_> = site
        .provisions
        .iter()
        .filter_map(|p| p.record.group.as_deref())
        .collect();
    assert!(groups.len() >= 3);
    assert!(site.regulations.len() >= 2);
    assert!(site.pages.iter().any(|p| &*p.slug == "methodology"));
    let mut checked = 0;
    for p in &site.platforms {
        assert!(!p.documents.is_empty(), "{} has no document", p.id);
        for c in &p.clauses {
            let doc = &site[c.document];
            let latest = doc
                .snapshots
                .last()
                .unwrap_or_else(|| panic!("{} has no snapshot", doc.id));
            assert!(
                normalise(&latest.text().unwrap()).contains(&normalise(&c.record.excerpt)),
                "{}: excerpt not found in {}",
                c.path.display(),
                latest.path.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked}");
}

/// The file name of a path with `/` separators.
fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap()
}

#[test]
fn sample_snapshots_are_the_corpus_files_unchanged() {
    // The sample keeps the real, messy histories: every snapshot is byte-identical to the corpus
    // file of its name, as the corpus manifest records it (name and SHA-256).
    let manifest = std::fs::read_to_string(fixture("corpus/SHA256SUMS")).unwrap();
    let corpus: BTreeSet<(&str, &str)> = manifest
        .lines()
        .map(|line| {
            let (hash, rel) = line.split_once("  ").unwrap();
            (file_name(rel), hash)
        })
        .collect();
    let mut n = 0;
    for (rel, bytes) in Tree::read(&repo_root().join("content/platforms")).files() {
        if rel.contains("/snapshots/") {
            let hash: String = Sha256::digest(bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert!(
                corpus.contains(&(file_name(rel), hash.as_str())),
                "{rel} differs from the corpus file of that name"
            );
            n += 1;
        }
    }
    assert!(n >= 300, "{n}");
}

/// `/changes/` is cut into pages of 250 versions, as Zola and Hugo paginate: the sample's 402
/// versions are on two pages linked both ways, each version on exactly one, and both pages in
/// the sitemap.
#[test]
fn changes_are_paginated_with_every_version_on_one_page() {
    let out = &built_sample().tree;
    let (first, second) = (
        out.page("changes/index.html"),
        out.page("changes/page/2/index.html"),
    );
    assert!(!out.has("changes/page/3/index.html"));
    assert!(!out.has("changes/page/1/index.html"), "page 1 is /changes/");
    assert!(first.contains("rel=\"next\" href=\"/atlas/changes/page/2/\""));
    assert!(!first.contains("rel=\"prev\""));
    assert!(second.contains("rel=\"prev\" href=\"/atlas/changes/\""));
    assert!(!second.contains("rel=\"next\""));
    // Each page says which dates it spans: page 1 ends the day before page 2 starts.
    let span = "Page 2 of 2: <time datetime=\"2026-01-15T23:34:48Z\">15 January 2026</time> to \
                <time datetime=\"2021-08-17T10:46:17Z\">17 August 2021</time> (402 versions)";
    assert!(second.contains(span), "{second}");
    assert!(
        first.contains("to <time datetime=\"2026-01-16T11:31:36Z\">16 January 2026</time> (402")
    );
    let versions: Vec<&str> = out
        .files()
        .map(|(p, _)| p)
        .filter(|p| p.contains("/versions/"))
        .collect();
    assert_eq!(versions.len(), 402);
    for v in versions {
        let href = format!("href=\"/atlas/{}\"", v.trim_end_matches("index.html"));
        let shown = first.matches(&href).count() + second.matches(&href).count();
        assert_eq!(shown, 1, "{v} is listed {shown} times");
    }
    let sitemap = out.page("sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/atlas/changes/page/2/</loc>"));
}

/// Each platform's changes are listed under its folder, paginated as `/changes/` is: every
/// version of its documents on exactly one of its pages, no other platform's; `/changes/`
/// links every platform's list.
#[test]
fn each_platforms_changes_list_its_own_versions_once() {
    let out = &built_sample().tree;
    let all = out.page("changes/index.html");
    let files: Vec<&str> = out.files().map(|(f, _)| f).collect();
    let platforms: Vec<&str> = files
        .iter()
        .filter_map(|f| {
            f.strip_prefix("platforms/")?
                .strip_suffix("/changes/index.html")
        })
        .collect();
    assert!(platforms.len() >= 8, "{platforms:?}");
    for id in &platforms {
        assert!(
            all.contains(&format!("href=\"/atlas/platforms/{id}/changes/\"")),
            "{id}"
        );
        let own = format!("platforms/{id}/changes/");
        let pages: Vec<String> = files
            .iter()
            .filter(|f| f.starts_with(&own) && f.ends_with("index.html"))
            .map(|f| out.page(f))
            .collect();
        let versions = files.iter().filter(|f| {
            f.starts_with(&format!("platforms/{id}/documents/")) && f.contains("/versions/")
        });
        for v in versions {
            let href = format!("href=\"/atlas/{}\"", v.trim_end_matches("index.html"));
            let shown: usize = pages.iter().map(|p| p.matches(&href).count()).sum();
            assert_eq!(shown, 1, "{v} is listed {shown} times");
        }
        for other in platforms.iter().filter(|o| *o != id) {
            let theirs = format!("href=\"/atlas/platforms/{other}/documents/");
            assert!(
                pages.iter().all(|p| !p.contains(&theirs)),
                "{other}'s in {id}'s"
            );
        }
    }
}

/// A document's versions: substantive ones listed, the runs of formatting and noise between
/// them folded, and the list before the document's text (which on a phone, one column, is
/// below it).
#[test]
fn document_pages_fold_quiet_versions_and_list_them_before_the_text() {
    let out = &built_sample().tree;
    let page = out.page("platforms/chatgpt/documents/commercial-terms/index.html");
    let versions = page.find("id=\"versions-heading\"").unwrap();
    assert!(versions < page.find("id=\"text-heading\"").unwrap());
    assert!(page.contains("<li class=\"fold v-noise\"><details>"));
    assert!(
        !page.contains("<li class=\"v-noise\">") && !page.contains("<li class=\"v-formatting\">")
    );
    assert!(page.contains("<li class=\"v-substantive\">"));
}
