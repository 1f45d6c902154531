//! `clausebook snapshot add` through the binary: a copy is added under the name of when it was
//! observed, with the class and word counts the build then shows; a copy with the latest text is
//! added only with `--force`; and nothing is written when the command is wrong.

use crate::harness::*;
use std::path::Path;
use std::process::Command;

const DOCUMENT: &str = "example-social/terms-of-service";
const SNAPSHOTS: &str = "content/platforms/example-social/documents/terms-of-service/snapshots";
const LATEST: &str = "2025-01-16T08-00-00Z.md";

/// `clausebook snapshot add <args…> --root <site>`; returns (exit code, stdout, stderr).
fn add(site: &Path, args: &[&str]) -> (i32, String, String) {
    let mut command = Command::new(bin());
    command
        .args(["snapshot", "add"])
        .args(args)
        .arg("--root")
        .arg(site);
    outputs(command)
}

/// The latest version of the starter's document with `from` replaced by `to`, written to `name`
/// beside the site.
fn copy(site: &Path, name: &str, from: &str, to: &str) -> String {
    let latest = std::fs::read_to_string(site.join(SNAPSHOTS).join(LATEST)).unwrap();
    assert!(latest.contains(from), "{from}");
    let path = site.parent().unwrap().join(name);
    std::fs::write(&path, latest.replace(from, to)).unwrap();
    path.to_str().unwrap().to_string()
}

/// The document's versions in the built API: (timestamp, class, words added, words removed).
fn api_versions(tree: &Tree) -> Vec<(String, String, u64, u64)> {
    let api: serde_json::Value = serde_json::from_str(&tree.page("api/documents.json")).unwrap();
    let document = api
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "terms-of-service")
        .unwrap();
    let versions = document["versions"].as_array().unwrap();
    versions
        .iter()
        .map(|v| {
            (
                v["timestamp"].as_str().unwrap().to_string(),
                v["class"].as_str().unwrap().to_string(),
                v["words_added"].as_u64().unwrap(),
                v["words_removed"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_changed_copy_is_added_with_the_class_and_counts_the_build_shows() {
    let (_tmp, site) = starter_site();
    let changed = copy(
        &site,
        "changed.md",
        "can be sent to legal@example.com.",
        "can be sent to legal@example.com or by post to our registered office.",
    );
    let (code, stdout, stderr) = add(
        &site,
        &[DOCUMENT, &changed, "--date", "2025-06-01T09-30-00Z"],
    );
    assert_eq!(code, 0, "{stderr}");
    let written = site.join(SNAPSHOTS).join("2025-06-01T09-30-00Z.md");
    assert_eq!(stdout, format!("{}\n", written.display()));
    assert_eq!(
        std::fs::read_to_string(&written).unwrap(),
        std::fs::read_to_string(&changed).unwrap()
    );
    let (code, check_stderr) = check(&site);
    assert_eq!(code, 0, "{check_stderr}");
    assert!(!check_stderr.contains("warning"), "{check_stderr}");
    let built = Built::fresh(&site, &[]);
    let versions = api_versions(&built.tree);
    let (timestamp, class, added, removed) = versions.last().unwrap();
    assert_eq!(
        (timestamp.as_str(), class.as_str()),
        ("2025-06-01T09-30-00Z", "substantive")
    );
    assert!(*added > 0, "{versions:?}");
    let said = format!(
        "Added {DOCUMENT} version 2025-06-01T09-30-00Z: substantive, {added} words added and {removed} removed against {DOCUMENT} version 2025-01-16T08-00-00Z.\n"
    );
    assert_eq!(stderr, said);
    let page = "platforms/example-social/documents/terms-of-service/versions/2025-06-01T09-30-00Z/index.html";
    assert!(built.tree.page(page).contains("registered office"));

    // Without --date, the copy is named by the current time, in UTC, to the second.
    let again = copy(&site, "again.md", "legal@example.com.", "the Help Centre.");
    let (code, stdout, stderr) = add(&site, &[DOCUMENT, &again]);
    assert_eq!(code, 0, "{stderr}");
    let name = Path::new(stdout.trim_end())
        .file_name()
        .unwrap()
        .to_str()
        .unwrap();
    let stem = name.strip_suffix(".md").unwrap();
    assert!(clausebook::ids::Timestamp::parse(stem).is_some(), "{name}");
    assert_eq!(stem.len(), "2025-06-01T09-30-00Z".len(), "{name}");
    assert!(stderr.contains(": substantive, "), "{stderr}");
}

#[test]
fn a_copy_with_the_latest_text_is_added_only_with_force() {
    let (_tmp, site) = starter_site();
    let before = siblings(&site.join(SNAPSHOTS));
    // Lines wrapped elsewhere and emphasis added: the visible text is the same.
    let same = copy(
        &site,
        "same.md",
        "Welcome to Example Social. These",
        "Welcome to *Example Social*.\nThese",
    );
    let (code, stdout, stderr) = add(&site, &[DOCUMENT, &same, "--date", "2025-02-01"]);
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    assert!(stderr.starts_with("Not added: "), "{stderr}");
    assert!(
        stderr.contains(
            "same visible text as example-social/terms-of-service version 2025-01-16T08-00-00Z"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(siblings(&site.join(SNAPSHOTS)), before);

    // Forced, in the same second as the latest version (an RFC 3339 time, in another zone):
    // it takes the next suffix and sorts after it.
    let forced = ["--date", "2025-01-16T09:00:00+01:00", "--force"];
    let (code, stdout, stderr) = add(&site, &[&[DOCUMENT, same.as_str()][..], &forced].concat());
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.ends_with("/2025-01-16T08-00-00Z-2.md\n"), "{stdout}");
    assert!(
        stderr.contains(": formatting, 0 words added and 0 removed against"),
        "{stderr}"
    );
    let built = Built::fresh(&site, &[]);
    let last = api_versions(&built.tree).pop().unwrap();
    assert_eq!(
        last,
        ("2025-01-16T08-00-00Z-2".into(), "formatting".into(), 0, 0)
    );
}

#[test]
fn a_new_document_takes_its_first_version_before_its_placeholders_are_replaced() {
    let (_tmp, site) = starter_site();
    let mut command = Command::new(bin());
    command
        .args(["new", "document", "example-social/privacy"])
        .arg("--root")
        .arg(&site);
    let (code, stderr) = run_to_end(command);
    assert_eq!(code, 0, "{stderr}");
    let file = site.parent().unwrap().join("privacy.TXT");
    std::fs::write(&file, "Privacy Policy\n\nWe collect what you post.\n").unwrap();
    let (code, stdout, stderr) = add(
        &site,
        &[
            "example-social/privacy",
            file.to_str().unwrap(),
            "--date",
            "2025-03-01",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.ends_with("/documents/privacy/snapshots/2025-03-01.txt\n"),
        "{stdout}"
    );
    assert_eq!(
        stderr,
        "Added example-social/privacy version 2025-03-01: first, 7 words.\n"
    );
}

#[test]
fn a_wrong_command_writes_nothing() {
    let (tmp, site) = starter_site();
    let good = copy(&site, "good.md", "legal@example.com.", "the Help Centre.");
    let dir = tmp.path();
    std::fs::write(dir.join("policy.pdf"), "%PDF").unwrap();
    std::fs::write(dir.join("latin1.md"), b"Caf\xe9 terms").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&good, dir.join("link.md")).unwrap();
    // `@` stands for the folder beside the site.
    let refused: &[(&[&str], &str)] = &[
        (
            &["exmple-social/terms-of-service", "@/good.md"],
            "did you mean `example-social`?",
        ),
        (
            &["example-social/term-of-service", "@/good.md"],
            "unknown document `term-of-service`",
        ),
        (
            &["example-social/term-of-service", "@/good.md"],
            "did you mean `terms-of-service`?",
        ),
        (&["example-social", "@/good.md"], "is not PLATFORM/DOCUMENT"),
        (
            &[DOCUMENT, "@/good.md", "--date", "2025-13-01"],
            "is not a time",
        ),
        (
            &[DOCUMENT, "@/good.md", "--date", "2025-01-16T08:00:00"],
            "is not a time",
        ),
        (&[DOCUMENT, "@/good.md", "--date", "2025-01-16-2"], "suffix"),
        (
            &[DOCUMENT, "@/policy.pdf"],
            "not a snapshot: an archived copy is a .md",
        ),
        (&[DOCUMENT, "@/latin1.md"], "not valid UTF-8"),
        (&[DOCUMENT, "@/missing.md"], "cannot read file"),
        #[cfg(unix)]
        (&[DOCUMENT, "@/link.md"], "symbolic link"),
    ];
    let before = Tree::read(&site);
    for (args, message) in refused {
        let here = dir.to_str().unwrap();
        let args: Vec<String> = args.iter().map(|a| a.replace('@', here)).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = add(&site, &args);
        assert_eq!((code, stdout.as_str()), (2, ""), "{args:?}: {stderr}");
        assert!(
            stderr.contains(message),
            "{args:?}: `{message}` not in {stderr}"
        );
    }
    assert_eq!(Tree::read(&site), before);
}

#[test]
fn nothing_is_written_outside_a_site_or_beside_versions_that_do_not_load() {
    let (tmp, site) = starter_site();
    let good = copy(&site, "good.md", "legal@example.com.", "the Help Centre.");
    let (code, _, stderr) = add(tmp.path(), &[DOCUMENT, &good]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no site found"), "{stderr}");
    std::fs::write(site.join(SNAPSHOTS).join("yesterday.md"), "x").unwrap();
    let (code, _, stderr) = add(&site, &[DOCUMENT, &good, "--date", "2025-06-01"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("yesterday.md"), "{stderr}");
    assert!(!site.join(SNAPSHOTS).join("2025-06-01.md").exists());
}
