//! The sample site in `content/`, built from the real Open Terms Archive corpus: it must build
//! cleanly, every link must work under a subpath, and every clause quotes its document verbatim.

mod common;
use common::*;
use std::path::Path;

#[test]
fn sample_site_builds_with_working_links_under_a_subpath() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, err) = build(
        &repo_root(),
        &out,
        &["--base-url", "https://example.org/atlas/"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(broken_links(&out, "/atlas/"), Vec::<String>::new());
    let clause_pages: Vec<String> = read_tree(&out)
        .into_keys()
        .filter(|k| k.contains("/clauses/") && k.ends_with("index.html"))
        .collect();
    assert!(clause_pages.len() >= 20, "{}", clause_pages.len());
    for p in &clause_pages {
        assert_sections_in_order(&page(&out, p));
    }
    let home = page(&out, "index.html");
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
                normalise(&latest.source).contains(&normalise(&c.record.excerpt)),
                "{}: excerpt not found in {}",
                c.path.display(),
                latest.path.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked}");
}

#[test]
fn sample_snapshots_are_the_corpus_files_unchanged() {
    // The sample keeps the real, messy histories: every snapshot is byte-identical to the corpus.
    let corpus = repo_root().join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("shared/corpus not beside the checkout; skipping");
        return;
    }
    let mut corpus_files: std::collections::BTreeMap<String, Vec<Vec<u8>>> = Default::default();
    for (rel, bytes) in read_tree(&corpus) {
        let name = Path::new(&rel)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        corpus_files.entry(name).or_default().push(bytes);
    }
    let mut n = 0;
    for (rel, bytes) in read_tree(&repo_root().join("content/platforms")) {
        if rel.contains("/snapshots/") {
            let name = Path::new(&rel)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let same = corpus_files
                .get(&name)
                .is_some_and(|versions| versions.contains(&bytes));
            assert!(same, "{rel} differs from the corpus file of that name");
            n += 1;
        }
    }
    assert!(n >= 300, "{n}");
}
