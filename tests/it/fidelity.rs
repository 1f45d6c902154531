//! Change fidelity on real archives (issue 8): each test builds the fixture site of small cuts of
//! real Open Terms Archive versions (`tests/fixtures/fidelity/`) and checks what a reader of
//! the version pages and the API is told.

use crate::harness::*;

/// The versions of a document in `/api/documents.json`.
fn versions(out: &Tree, platform: &str, document: &str) -> Vec<serde_json::Value> {
    let api: serde_json::Value = serde_json::from_str(&out.page("api/documents.json")).unwrap();
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
    let out = &built_fidelity().tree;
    let names: Vec<String> = versions(out, "claude-ai", "dpa")
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
        let html = out.page(&format!(
            "platforms/claude-ai/documents/dpa/versions/{name}/index.html"
        ));
        assert!(html.contains("Data Processing Addendum"), "{name}");
    }
    let second =
        out.page("platforms/claude-ai/documents/dpa/versions/2026-05-22T22-32-00Z-2/index.html");
    assert!(
        second
            .contains("href=\"/platforms/claude-ai/documents/dpa/versions/2026-05-22T22-32-00Z/\""),
        "the previous version is the one recorded first in the same second"
    );
}

/// Class and counts of every version of a document, in order.
fn classes(out: &Tree, platform: &str, document: &str) -> Vec<(String, u64, u64)> {
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

/// The blocks of the diff on the version page `rel`: (class attribute, inner HTML).
fn diff_blocks(out: &Tree, rel: &str) -> Vec<(String, String)> {
    let doc = scraper::Html::parse_document(&out.page(rel));
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

/// Regression (42061f2): the diff joined neighbouring changed blocks with `<br>`. Grok AUP,
/// 2026-08-14: "Operating in a regulated industry…" and "~~Operating~~ Offering the Service in a
/// region…" are separate prohibitions, each shown as its own list item.
#[test]
fn the_diff_never_merges_separate_list_items_into_one_block() {
    let out = &built_fidelity().tree;
    let blocks = diff_blocks(
        out,
        "platforms/grok/documents/aup/versions/2026-08-14T22-32-23Z/index.html",
    );
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
        classes(out, "grok", "aup")[1],
        ("substantive".into(), 11, 8)
    );
}

/// Xfinity Privacy Policy, 2015: the page flaps between two variants (the archived 2011
/// policy and the 2015 one); after the return to the first (noise), one word of it changes.
/// The change is that word, compared with the text just before it, not the whole difference
/// from the other variant.
#[test]
fn a_change_after_a_page_flaps_back_is_compared_with_the_nearer_text() {
    let out = &built_fidelity().tree;
    let c = classes(out, "xfinity", "privacy-policy");
    assert_eq!(c[2].0, "noise");
    assert_eq!(c[3], ("substantive".to_string(), 0, 1));
    let version =
        "platforms/xfinity/documents/privacy-policy/versions/2015-11-25T05-31-45Z/index.html";
    let html = out.page(version);
    assert!(html.contains(
        "Compared with the <a href=\"/platforms/xfinity/documents/privacy-policy/versions/2015-10-23T04-33-23Z/\">"
    ));
    let changed: Vec<String> = diff_blocks(out, version)
        .into_iter()
        .filter(|(c, _)| c.starts_with("diff-changed"))
        .map(|(_, inner)| inner.trim().to_string())
        .collect();
    assert_eq!(changed, ["Subscriber <del>Web </del>Portal"]);
}

/// Binance Terms of Service, 2023-01-19: a definition is deleted and the ones after it are
/// renumbered ("10. Designated Stablecoin means…" becomes "9. …"). Each definition is matched
/// with its own text, so only the deleted one and the numbers change.
#[test]
fn renumbered_items_align_by_their_text_not_their_numbers() {
    let out = &built_fidelity().tree;
    assert_eq!(
        classes(out, "binance", "terms-of-service")[1],
        ("substantive".to_string(), 5, 23)
    );
    let blocks = diff_blocks(
        out,
        "platforms/binance/documents/terms-of-service/versions/2023-01-19T06-34-28Z/index.html",
    );
    let stablecoin = blocks
        .iter()
        .find(|(_, inner)| inner.contains("Designated Stablecoin means each of USD Coin"))
        .unwrap_or_else(|| panic!("{blocks:?}"));
    assert!(
        stablecoin
            .1
            .contains("<del>Conversion Inception Date means the date"),
        "{stablecoin:?}"
    );
    for (_, inner) in &blocks {
        if inner.contains("Digital Currencies") && inner.contains("refer to encrypted") {
            assert!(inner.starts_with("<del>12</del><ins>11</ins>."), "{inner}");
        }
    }
}

/// Llama API Terms of Service, 2026-05-27: "and" deleted from a paragraph of thousands of words
/// is one word removed, not the whole paragraph replaced.
#[test]
fn one_word_deleted_from_a_long_paragraph_is_one_word() {
    let out = &built_fidelity().tree;
    assert_eq!(
        classes(out, "llama-api", "terms-of-service")[1],
        ("substantive".into(), 0, 1)
    );
    let blocks = diff_blocks(
        out,
        "platforms/llama-api/documents/terms-of-service/versions/2026-05-27T22-31-55Z/index.html",
    );
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
    let out = &built_fidelity().tree;
    let got = classes(out, "disqus", "privacy-policy");
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
        for (class, added, removed) in classes(out, platform, document) {
            match class.as_str() {
                "substantive" => assert!(added + removed > 0, "{platform}/{document}"),
                "formatting" => assert_eq!(added + removed, 0, "{platform}/{document}"),
                _ => {}
            }
        }
    }
}

/// `(effective, effective_kind)` of each version of a document in the API.
fn stated(out: &Tree, platform: &str, document: &str) -> Vec<(String, String)> {
    versions(out, platform, document)
        .iter()
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap_or("null").to_string();
            (s("effective"), s("effective_kind"))
        })
        .collect()
}

fn pair(date: &str, kind: &str) -> (String, String) {
    (date.into(), kind.into())
}

#[test]
fn the_date_a_version_states_is_shown_beside_the_date_it_was_observed() {
    let out = &built_fidelity().tree;
    // Claude.ai: "Effective 24 February 2025" and "Effective February 24, 2025" are one date.
    assert_eq!(
        stated(out, "claude-ai", "dpa"),
        vec![pair("2025-02-24", "effective"); 5]
    );
    let claude =
        out.page("platforms/claude-ai/documents/dpa/versions/2026-05-22T22-32-00Z-2/index.html");
    assert!(
        claude.contains("Stated date: effective <time datetime=\"2025-02-24\">24 February 2025</time>, 452 days before it was observed."),
        "{claude}"
    );
    // ChatGPT: last updated long before it was observed, then a new version stating a date
    // still to come (and when it was updated, which the effective date wins over).
    assert_eq!(
        stated(out, "chatgpt", "dpa"),
        [
            pair("2024-02-15", "updated"),
            pair("2026-01-01", "effective"),
            pair("2026-01-01", "effective"),
        ]
    );
    let first =
        out.page("platforms/chatgpt/documents/dpa/versions/2025-11-11T15-21-34Z/index.html");
    assert!(
        first.contains("Stated date: updated <time datetime=\"2024-02-15\">15 February 2024</time>, 635 days before it was observed."),
        "{first}"
    );
    let to_come =
        out.page("platforms/chatgpt/documents/dpa/versions/2025-12-01T23-30-52Z/index.html");
    assert!(
        to_come.contains("Stated date: effective <time datetime=\"2026-01-01\">1 January 2026</time>, so it takes effect 31 days after it was observed."),
        "{to_come}"
    );
    // Lists: the document's versions, the platform's timeline and /changes/.
    let later = "effective <time datetime=\"2026-01-01\">1 January 2026</time> (takes effect 31 days later)";
    let document = out.page("platforms/chatgpt/documents/dpa/index.html");
    for shown in [
        "updated <time datetime=\"2024-02-15\">15 February 2024</time> (635 days earlier)",
        later,
        "effective <time datetime=\"2026-01-01\">1 January 2026</time> (179 days earlier)",
    ] {
        assert!(document.contains(shown), "{shown}: {document}");
    }
    assert!(document.contains("<title>11 November 2025 — first; updated 15 February 2024</title>"));
    let platform = out.page("platforms/chatgpt/index.html");
    assert!(platform.contains(later), "{platform}");
    let changes = out.page("changes/index.html");
    let head = changes
        .lines()
        .find(|l| l.contains("change-head") && l.contains("ChatGPT"))
        .unwrap_or_else(|| panic!("no ChatGPT change: {changes}"));
    assert!(head.contains(later), "{head}");
    assert!(
        changes.contains("(452 days earlier)"),
        "folded versions show their date too: {changes}"
    );
}

#[test]
fn versions_stay_in_observed_order_whatever_date_they_state() {
    let out = &built_fidelity().tree;
    // Le Chat stated April 7, 2026 (5 days ahead), then March 25, 2026 in the next version.
    let api = versions(out, "le-chat", "terms-of-service");
    let names: Vec<&str> = api
        .iter()
        .map(|v| v["timestamp"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["2026-04-02T22-33-32Z", "2026-04-16T10-30-48Z"]);
    assert_eq!(
        stated(out, "le-chat", "terms-of-service"),
        [
            pair("2026-04-07", "effective"),
            pair("2026-03-25", "effective")
        ]
    );
    let dir = "platforms/le-chat/documents/terms-of-service";
    let first = out.page(&format!("{dir}/versions/2026-04-02T22-33-32Z/index.html"));
    assert!(
        first.contains("so it takes effect 5 days after it was observed"),
        "{first}"
    );
    let second = out.page(&format!("{dir}/versions/2026-04-16T10-30-48Z/index.html"));
    assert!(
        second.contains(&format!(
            "rel=\"prev\" href=\"/{dir}/versions/2026-04-02T22-33-32Z/\""
        )),
        "{second}"
    );
    // Newest observed first in the list, although it states the earlier date.
    let document = out.page(&format!("{dir}/index.html"));
    let at = |s: &str| {
        document
            .find(s)
            .unwrap_or_else(|| panic!("{s}: {document}"))
    };
    assert!(at("datetime=\"2026-03-25\"") < at("datetime=\"2026-04-07\""));
}

#[test]
fn links_read_as_their_text_and_a_changed_target_is_formatting() {
    let out = &built_fidelity().tree;
    let versions = versions(out, "bankid", "terms-of-service");
    // Only the target of a link whose text spans blank lines (not a CommonMark link) changed.
    let second = &versions[1];
    assert_eq!(second["timestamp"], "2026-05-08T12-34-22Z");
    assert_eq!(second["class"], "formatting");
    assert_eq!(
        (&second["words_added"], &second["words_removed"]),
        (&0.into(), &0.into())
    );
    let html = out.page(
        "platforms/bankid/documents/terms-of-service/versions/2026-05-08T12-34-22Z/index.html",
    );
    for text in [
        "<h4>Latest from us</h4>",
        // Under "Latest from us", one level down: the outline skips no level.
        "<h5>BankID renewal with EU passports</h5>",
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
    let site = Site::of("fidelity");
    let record = "content/platforms/chatgpt/documents/acceptable-use-policy/document.yaml";
    let with_ignore = site.read(record);
    let classes = |out: &Tree| -> Vec<String> {
        versions(out, "chatgpt", "acceptable-use-policy")
            .iter()
            .map(|v| v["class"].as_str().unwrap().to_string())
            .collect()
    };
    let with = Built::fresh(&site.root, &[]).tree;
    assert_eq!(
        classes(&with),
        ["first", "formatting", "formatting", "formatting"]
    );
    let html = with.page(
        "platforms/chatgpt/documents/acceptable-use-policy/versions/2026-07-08T10-30-19Z/index.html",
    );
    assert!(html.contains("Updated: July 17, 2025"));
    assert!(!html.contains("days ago") && !html.contains("Table of contents"));
    let (record_without, _) = with_ignore.split_once("ignore:").unwrap();
    site.write(record, record_without);
    // A day counter is noise, a label that disappears a change.
    assert_eq!(
        classes(&Built::fresh(&site.root, &[]).tree),
        ["first", "noise", "substantive", "noise"]
    );
}
