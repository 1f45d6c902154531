//! The version classifier on real histories (Open Terms Archive data, held unchanged by the
//! sample site: `tests/fixtures/corpus/`): each named case is one of the kinds of noise real
//! archives are full of.

use crate::harness::repo_root;
use clausebook::diff::DiffBlock;
use clausebook::history::{Class, History, Version, VersionText};
use clausebook::ids::Timestamp;
use clausebook::model::{Document, DocumentRecord, Snapshot, SnapshotFormat};

/// The history of the sample site's document `platform/document`, with no record of its own
/// (no notes, no `ignore:`): the archive as it is.
fn corpus_document(rel: &str) -> Document {
    let (platform, document) = rel.split_once('/').unwrap();
    let dir = repo_root()
        .join("content/platforms")
        .join(platform)
        .join("documents")
        .join(document)
        .join("snapshots");
    let mut snapshots: Vec<Snapshot> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|path| Snapshot {
            timestamp: Timestamp::parse(path.file_stem().unwrap().to_str().unwrap()).unwrap(),
            format: SnapshotFormat::Markdown,
            hash: content_hash(&path),
            path,
        })
        .collect();
    snapshots.sort_by(|a, b| a.timestamp.cmp(&b.timestamp));
    Document {
        id: clausebook::ids::RecordId::parse("d").unwrap(),
        record: DocumentRecord {
            title: rel.into(),
            doc_type: "t".into(),
            url: "https://example.org/".into(),
            select: vec![],
            remove: vec![],
            ignore: vec![],
            changes: Default::default(),
            sources: Default::default(),
        },
        snapshots,
    }
}

/// A hash of the file's bytes: equal snapshots are extracted once.
fn content_hash(path: &std::path::Path) -> clausebook::hash::Key {
    clausebook::hash::Key::of_bytes(&std::fs::read(path).unwrap())
}

/// (first, formatting, noise, substantive) counts, and each version with its text and diff.
fn classify(rel: &str) -> ([usize; 4], Vec<(Version, VersionText)>) {
    let doc = corpus_document(rel);
    let read = |i: usize| std::fs::read_to_string(&doc.snapshots[i].path);
    let (history, texts) = History::of(&doc, read).unwrap();
    let mut counts = [0; 4];
    for v in &history.versions {
        counts[v.class as usize] += 1;
    }
    eprintln!(
        "{rel}: first {}, formatting {}, noise {}, substantive {}",
        counts[0], counts[1], counts[2], counts[3]
    );
    let h = history.versions.into_iter().zip(texts.versions).collect();
    (counts, h)
}

#[test]
fn chatgpt_aup_day_counters_are_noise() {
    let ([_, _, noise, substantive], h) = classify("chatgpt/acceptable-use-policy");
    assert!(noise >= 45, "{noise}");
    assert!(substantive <= 5, "{substantive}");
    // The November 2025 rewording of the likeness rule is a real change.
    let v = &h[1].0;
    assert_eq!(v.class, Class::Substantive);
    assert!(v.words_added > 5);
}

#[test]
fn claude_aup_date_format_flapping_is_noise() {
    let ([first, _, noise, substantive], h) = classify("claude/acceptable-use-policy");
    assert_eq!(first, 1);
    assert_eq!(noise, 8, "every 15 September ↔ September 15 flip");
    assert_eq!(substantive, 1, "only the August 2026 additions");
    assert_eq!(h.last().unwrap().0.class, Class::Substantive);
}

#[test]
fn llama_api_error_page_flapping_is_noise() {
    let ([_, _, noise, substantive], h) = classify("llama-api/acceptable-use-policy");
    assert!(noise >= 80, "{noise}");
    assert!(substantive <= 5, "{substantive}");
    for (_, t) in h.iter().filter(|(v, _)| v.class == Class::Substantive) {
        assert!(
            t.text.word_count() > 200,
            "a substantive version is the policy, never the error page"
        );
    }
    // The August 2026 rewrite is compared with the policy's earlier wording, not the error page.
    let (rewrite, _) = h
        .iter()
        .rev()
        .find(|(v, _)| v.class == Class::Substantive && v.words_added > 100)
        .unwrap();
    let (_, baseline) = &h[rewrite.baseline.unwrap()];
    assert!(
        baseline.text.word_count() > 200,
        "baseline is the policy, not the error page"
    );
}

#[test]
fn chatgpt_commercial_terms_tracking_ids_are_formatting() {
    let ([_, formatting, noise, substantive], _) = classify("chatgpt/commercial-terms");
    assert!(formatting >= 50, "{formatting}");
    assert!(substantive < 20, "{substantive}, noise {noise}");
}

#[test]
fn aws_aup_changes_are_formatting() {
    let ([_, formatting, _, substantive], _) = classify("aws/acceptable-use-policy");
    assert_eq!(substantive, 0);
    assert_eq!(formatting, 5);
}

#[test]
fn le_chat_security_violations_section_is_substantive() {
    let ([_, _, _, substantive], h) = classify("le-chat/acceptable-use-policy");
    assert!(substantive >= 1);
    let (v, t) = h
        .iter()
        .find(|(_, t)| {
            t.diff.iter().any(|b| {
                matches!(b, DiffBlock::Inserted { text, .. } if text.starts_with("Security Violations."))
            })
        })
        .expect("a version adds the Security Violations rule");
    assert_eq!(v.class, Class::Substantive);
    assert!(
        v.sections
            .iter()
            .any(|s| s == "Prohibited content and activities")
    );
    // The whole text is held twice in the snapshot; the duplicate is dropped.
    let headings: Vec<&str> = t
        .text
        .blocks
        .iter()
        .map(|b| b.text.as_str())
        .filter(|t| *t == "Scope")
        .collect();
    assert_eq!(headings.len(), 1);
}

#[test]
fn grok_renaming_and_new_wording_are_substantive() {
    let ([_, _, _, substantive], h) = classify("grok/acceptable-use-policy");
    assert!(substantive >= 2, "{substantive}");
    assert!(h.iter().any(|(v, t)| {
        v.class == Class::Substantive
            && t.diff.iter().any(|b| format!("{b:?}").contains("SpaceXAI"))
    }));
}
