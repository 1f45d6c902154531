use super::new::{CLAUSE, DOCUMENT, PLATFORM, PROVISION, REGULATION, skeleton};
use super::*;
use crate::model::{
    ClauseRecord, DocumentRecord, PlatformRecord, ProvisionRecord, RegulationRecord,
};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The starter record each kind's skeleton is made from.
const SOURCES: [&str; 5] = [PLATFORM, DOCUMENT, CLAUSE, PROVISION, REGULATION];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file below `dir` in the source tree, hidden ones included.
fn on_disk(dir: &str) -> BTreeMap<String, Vec<u8>> {
    let mut diagnostics = Vec::new();
    let files = crate::read::files_below(&repo().join(dir), |_| false, &mut diagnostics);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    files
        .into_iter()
        .map(|(rel, path)| (rel, std::fs::read(path).unwrap()))
        .collect()
}

fn starter_text(rel: &str) -> String {
    String::from_utf8(starter(rel).unwrap().into_owned()).unwrap()
}

/// A file added to or edited in `starter/` reaches the binary with no code change.
#[test]
fn the_starter_site_is_every_file_of_the_starter_folder() {
    let embedded: BTreeMap<_, _> = Starter::iter()
        .map(|rel| (rel.to_string(), starter(&rel).unwrap().into_owned()))
        .collect();
    assert_eq!(embedded, on_disk("starter"));
    assert!(embedded.contains_key(".gitignore"));
}

/// build.rs packs `content/` whole, and `unpack` reads back what it packed.
#[test]
fn the_sample_site_is_every_file_of_content() {
    let raw = zstd::stream::decode_all(SAMPLE).unwrap();
    let unpacked: BTreeMap<_, _> = unpack(&raw)
        .unwrap()
        .into_iter()
        .map(|(rel, bytes)| (rel.to_string(), bytes.to_vec()))
        .collect();
    assert_eq!(unpacked, on_disk("content"));
    // Snapshots of one document compress together: the sample stays small in the binary.
    assert!(
        SAMPLE.len() * 20 < raw.len(),
        "{} of {}",
        SAMPLE.len(),
        raw.len()
    );
}

#[test]
fn a_damaged_pack_is_an_error_not_a_panic() {
    let entry = |name: &str, bytes: &[u8]| {
        let mut raw = Vec::new();
        for part in [name.as_bytes(), bytes] {
            raw.extend_from_slice(&(part.len() as u64).to_le_bytes());
            raw.extend_from_slice(part);
        }
        raw
    };
    assert_eq!(
        unpack(&entry("a/b.md", b"x")).unwrap(),
        [("a/b.md", &b"x"[..])]
    );
    for name in ["../a", "a//b", "/a", "a/./b", "a\\..\\b"] {
        assert!(unpack(&entry(name, b"x")).is_err(), "{name}");
    }
    let whole = entry("a", b"xyz");
    for cut in 1..whole.len() {
        assert!(unpack(&whole[..cut]).is_err(), "{cut}");
    }
    assert!(unpack(&u64::MAX.to_le_bytes()).is_err());
}

/// Lines starting with `#`.
fn comments(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.starts_with('#')).collect()
}

/// A skeleton is a valid record of its kind once parsed (every key known, every required one
/// there), keeps every comment and key of its source, and holds a placeholder exactly where
/// a required key is.
#[test]
fn each_skeleton_is_its_source_with_placeholders_for_required_values() {
    fn parses<T: serde::de::DeserializeOwned>(path: &str, text: &str) {
        if let Err(d) = crate::yaml::parse::<T>(Path::new(path), text, 1) {
            panic!("{path}: {d:?}\n{text}");
        }
    }
    let parsers: [fn(&str, &str); 5] = [
        parses::<PlatformRecord>,
        parses::<DocumentRecord>,
        parses::<ClauseRecord>,
        parses::<ProvisionRecord>,
        parses::<RegulationRecord>,
    ];
    for (source, parses) in SOURCES.iter().zip(parsers) {
        let text = starter_text(source);
        let made = skeleton(&text, &[]);
        parses(source, &made);
        let keys = |text: &str| -> Vec<String> {
            text.lines()
                .map(|l| l.trim_start_matches("# "))
                .filter_map(|l| l.split_once(':').map(|(k, _)| k))
                .filter(|k| crate::placeholder::is_plain_key(k))
                .map(str::to_string)
                .collect()
        };
        assert_eq!(keys(&made), keys(&text), "{source}");
        for line in comments(&text) {
            assert!(made.lines().any(|l| l == line), "{source}: {line}");
        }
        let placeholders: Vec<usize> = crate::placeholder::find(Path::new(source), &made, 1)
            .iter()
            .map(|d| d.origin.span().unwrap().line)
            .collect();
        let required: Vec<usize> = made
            .lines()
            .zip(1..)
            .filter(|(l, _)| l.contains(": \"TODO: "))
            .map(|(_, n)| n)
            .collect();
        assert!(!required.is_empty(), "{source}");
        assert_eq!(placeholders, required, "{source}");
    }
}

#[test]
fn a_provision_skeleton_reads_as_intended() {
    let made = skeleton(&starter_text(SOURCES[3]), &[]);
    let body: Vec<&str> = made
        .lines()
        .filter(|l| !l.starts_with("# ") || l.starts_with("# group"))
        .collect();
    assert_eq!(
        body,
        [
            "",
            "name: \"TODO: the provision type's name\"",
            "# group: Enforcement",
        ]
    );
    assert!(
        made.contains("# description: >-\n#   When and how"),
        "{made}"
    );
}

#[test]
fn given_values_take_the_place_of_placeholders() {
    let made = skeleton(
        &starter_text(SOURCES[2]),
        &[("document", "tos".into()), ("provision", "spam".into())],
    );
    assert!(made.contains("\ndocument: tos\n# Required."), "{made}");
    assert!(made.contains("\nprovision: spam\n"), "{made}");
    assert!(made.contains("\nexcerpt: \"TODO: the clause's words, copied verbatim from the latest version of the document\"\n"), "{made}");
    assert!(!made.contains("We may suspend"), "{made}");
}

/// The starter's second clause and provision explain their keys as the first ones do.
#[test]
fn records_of_a_kind_share_their_comments() {
    for (first, second) in [
        (
            SOURCES[2],
            "content/platforms/example-social/clauses/content-licence.yaml",
        ),
        (SOURCES[3], "content/provisions/content-licence.yaml"),
    ] {
        assert_eq!(
            comments(&starter_text(first)),
            comments(&starter_text(second)),
            "{second}"
        );
    }
}

/// The content guide shows each record as the starter site writes it, word for word, and the
/// version and page it needs to be a site of its own (the guides' test checks it as one).
#[test]
fn the_content_guide_quotes_each_starter_record() {
    let doc = std::fs::read_to_string(repo().join("docs/content.md")).unwrap();
    let others = [
        "content/site.yaml",
        "content/platforms/example-social/documents/terms-of-service/snapshots/2025-01-16T08-00-00Z.md",
        "content/pages/methodology.md",
    ];
    for rel in others.into_iter().chain(SOURCES) {
        let language = if rel.ends_with(".md") {
            "markdown"
        } else {
            "yaml"
        };
        let block = format!(
            "<!-- file: {rel} -->\n```{language}\n{}```\n",
            starter_text(rel)
        );
        assert!(
            doc.contains(&block),
            "docs/content.md does not quote {rel} as:\n{block}"
        );
    }
}
