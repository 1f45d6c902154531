//! Change fidelity on real archives (issue 8): each test builds the fixture site of small cuts of
//! real Open Terms Archive versions (`tests/fixtures/fidelity/`) and checks what a reader of
//! the version pages and the API is told.

mod common;
use common::*;
use std::path::PathBuf;

fn built() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, err) = build(&fixture("fidelity"), &out, &[]);
    assert_eq!(code, 0, "{err}");
    (tmp, out)
}

/// The versions of a document in `/api/documents.json`.
fn versions(out: &std::path::Path, platform: &str, document: &str) -> Vec<serde_json::Value> {
    let api: serde_json::Value = serde_json::from_str(&page(out, "api/documents.json")).unwrap();
    api.as_array()
        .unwrap()
        .iter()
        .find(|d| d["platform"] == platform && d["id"] == document)
        .unwrap_or_else(|| panic!("{platform}/{document} not in the API"))["versions"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn versions_recorded_in_the_same_second_each_keep_their_page_in_recorded_order() {
    let (_tmp, out) = built();
    let names: Vec<String> = versions(&out, "claude-ai", "dpa")
        .iter()
        .map(|v| v["timestamp"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "2026-05-16T10-30-40Z",
            "2026-05-16T10-30-40Z-2",
            "2026-05-22T22-32-00Z",
            "2026-05-22T22-32-00Z-2",
            "2026-05-22T22-32-00Z-3",
        ]
    );
    for name in &names {
        let html = page(
            &out,
            &format!("platforms/claude-ai/documents/dpa/versions/{name}/index.html"),
        );
        assert!(html.contains("Data Processing Addendum"), "{name}");
    }
    let second = page(
        &out,
        "platforms/claude-ai/documents/dpa/versions/2026-05-22T22-32-00Z-2/index.html",
    );
    assert!(
        second
            .contains("href=\"/platforms/claude-ai/documents/dpa/versions/2026-05-22T22-32-00Z/\""),
        "the previous version is the one recorded first in the same second"
    );
}

/// Class and counts of every version of a document, in order.
fn classes(out: &std::path::Path, platform: &str, document: &str) -> Vec<(String, u64, u64)> {
    versions(out, platform, document)
        .iter()
        .map(|v| {
            (
                v["class"].as_str().unwrap().to_string(),
                v["words_added"].as_u64().unwrap(),
                v["words_removed"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The blocks of a version page's diff: (class attribute, inner HTML).
fn diff_blocks(html: &str) -> Vec<(String, String)> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(".diff > p").unwrap();
    doc.select(&sel)
        .map(|p| {
            (
                p.value().attr("class").unwrap_or("").to_string(),
                p.inner_html(),
            )
        })
        .collect()
}

/// Grok AUP, 2026-08-14: "Operating in a regulated industry…" and "~~Operating~~ Offering the
/// Service in a region…" are separate prohibitions, each shown as its own list item.
#[test]
fn separate_changed_list_items_stay_separate_blocks() {
    let (_tmp, out) = built();
    let html = page(
        &out,
        "platforms/grok/documents/aup/versions/2026-08-14T22-32-23Z/index.html",
    );
    let blocks = diff_blocks(&html);
    assert!(
        blocks.iter().all(|(_, inner)| !inner.contains("<br")),
        "{blocks:?}"
    );
    let region = blocks
        .iter()
        .position(|(_, inner)| {
            inner.contains("<del>Operating</del><ins>Offering the Service</ins> in a region")
        })
        .unwrap_or_else(|| panic!("{blocks:?}"));
    assert_eq!(blocks[region].0, "diff-changed diff-list-item");
    let before = &blocks[region - 1];
    assert_eq!(before.0, "diff-changed diff-list-item");
    assert!(
        before.1.starts_with("Operating in a regulated industry"),
        "{before:?}"
    );
    let heading = blocks
        .iter()
        .find(|(c, _)| c.contains("diff-heading"))
        .unwrap();
    assert!(
        heading
            .1
            .contains("<del>xAI</del><ins>SpaceXAI</ins> Acceptable Use Policy")
    );
    assert_eq!(
        classes(&out, "grok", "aup")[1],
        ("substantive".into(), 11, 8)
    );
}

/// Llama API Terms of Service, 2026-05-27: "and" deleted from a paragraph of thousands of words
/// is one word removed, not the whole paragraph replaced.
#[test]
fn one_word_deleted_from_a_long_paragraph_is_one_word() {
    let (_tmp, out) = built();
    assert_eq!(
        classes(&out, "llama-api", "terms-of-service")[1],
        ("substantive".into(), 0, 1)
    );
    let html = page(
        &out,
        "platforms/llama-api/documents/terms-of-service/versions/2026-05-27T22-31-55Z/index.html",
    );
    let blocks = diff_blocks(&html);
    let changed: Vec<_> = blocks
        .iter()
        .filter(|(c, _)| c.contains("diff-changed"))
        .collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_eq!(changed[0].1.matches("<del>").count(), 1);
    assert!(changed[0].1.contains("<del>and </del>"), "{}", changed[0].1);
    assert!(!changed[0].1.contains("<ins>"));
}

/// Disqus Privacy Policy, 2023: a line split in two (its full stop dropped) is formatting with no
/// word counted; "over a week ago", "yesterday", "this week" are counters, not changes.
#[test]
fn punctuation_is_formatting_and_relative_counters_are_noise() {
    let (_tmp, out) = built();
    let got = classes(&out, "disqus", "privacy-policy");
    assert_eq!(got[1], ("formatting".into(), 0, 0));
    for v in &got[2..] {
        assert_eq!(v.0, "noise", "{got:?}");
    }
    // Every substantive version of the fixture counts at least one word, and every
    // formatting one none: class and counts come from one comparison.
    for (platform, document) in [
        ("claude-ai", "dpa"),
        ("disqus", "privacy-policy"),
        ("grok", "aup"),
        ("llama-api", "terms-of-service"),
    ] {
        for (class, added, removed) in classes(&out, platform, document) {
            match class.as_str() {
                "substantive" => assert!(added + removed > 0, "{platform}/{document}"),
                "formatting" => assert_eq!(added + removed, 0, "{platform}/{document}"),
                _ => {}
            }
        }
    }
}
