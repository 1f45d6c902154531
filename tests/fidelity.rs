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

#[test]
fn links_read_as_their_text_and_a_changed_target_is_formatting() {
    let (_tmp, out) = built();
    let versions = versions(&out, "bankid", "terms-of-service");
    // Only the target of a link whose text spans blank lines (not a CommonMark link) changed.
    let second = &versions[1];
    assert_eq!(second["timestamp"], "2026-05-08T12-34-22Z");
    assert_eq!(second["class"], "formatting");
    assert_eq!(
        (&second["words_added"], &second["words_removed"]),
        (&0.into(), &0.into())
    );
    let html = page(
        &out,
        "platforms/bankid/documents/terms-of-service/versions/2026-05-08T12-34-22Z/index.html",
    );
    for text in [
        "<h4>Latest from us</h4>",
        "<h6>BankID renewal with EU passports</h6>",
        "to renew their BankID.</p>",
        "<p>Subscribe</p>",
    ] {
        assert!(html.contains(text), "{text}");
    }
    for syntax in ["](", "[![", "bankid.com/en/about-us", "/assets/stock"] {
        assert!(!html.contains(syntax), "{syntax}");
    }
}

#[test]
fn ignored_artefacts_leave_their_versions_formatting() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    copy_tree(&fixture("fidelity"), &root);
    let record =
        root.join("content/platforms/chatgpt/documents/acceptable-use-policy/document.yaml");
    let with_ignore = std::fs::read_to_string(&record).unwrap();
    let classes = |out: &str| -> Vec<String> {
        let out = tmp.path().join(out);
        let (code, err) = build(&root, &out, &[]);
        assert_eq!(code, 0, "{err}");
        versions(&out, "chatgpt", "acceptable-use-policy")
            .iter()
            .map(|v| v["class"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        classes("with"),
        ["first", "formatting", "formatting", "formatting"]
    );
    let html = page(
        &tmp.path().join("with"),
        "platforms/chatgpt/documents/acceptable-use-policy/versions/2026-07-08T10-30-19Z/index.html",
    );
    assert!(html.contains("Updated: July 17, 2025"));
    assert!(!html.contains("days ago") && !html.contains("Table of contents"));
    let (record_without, _) = with_ignore.split_once("ignore:").unwrap();
    std::fs::write(&record, record_without).unwrap();
    // A day counter is noise, a label that disappears a change.
    assert_eq!(
        classes("without"),
        ["first", "noise", "substantive", "noise"]
    );
}
