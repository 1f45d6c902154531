//! `clausebook init` and `clausebook new` through the binary: the starter site checks and builds
//! without a warning, the sample site is copied whole, and a new record is reported, at each
//! placeholder's line, until its placeholders are replaced.

use crate::harness::*;
use std::path::Path;
use std::process::Command;

/// `clausebook init <dir> <extra…>`, which must succeed; returns its stdout.
#[track_caller]
fn init(dir: &Path, extra: &[&str]) -> String {
    let mut command = Command::new(bin());
    command.arg("init").arg(dir).args(extra);
    let (code, stdout, stderr) = outputs(command);
    assert_eq!(code, 0, "{stderr}");
    stdout
}

/// `clausebook new <args…> --root <root>`; returns (exit code, stdout, stderr).
fn new(root: &Path, args: &[&str]) -> (i32, String, String) {
    let mut command = Command::new(bin());
    command.arg("new").args(args).arg("--root").arg(root);
    outputs(command)
}

#[test]
fn init_writes_a_commented_starter_site_that_checks_and_builds_without_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("my site");
    let stdout = init(&dir, &[]);
    let quoted = format!("cd '{}'\n", dir.display());
    for next in [
        quoted.as_str(),
        "clausebook new platform",
        "clausebook build",
    ] {
        assert!(stdout.contains(next), "`{next}` not in:\n{stdout}");
    }
    let (code, stderr) = check(&dir);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    let built = Built::fresh(&dir, &[]);
    assert!(!built.stderr.contains("warning"), "{}", built.stderr);
    let out = &built.tree;
    assert_eq!(broken_links(out, "/"), Vec::<String>::new());
    for clause in ["account-termination", "content-licence"] {
        let page = out.page(&format!(
            "platforms/example-social/clauses/{clause}/index.html"
        ));
        assert!(page.contains("verification-verified"), "{clause}");
    }
    let versions = "platforms/example-social/documents/terms-of-service/versions";
    assert!(
        out.page(&format!("{versions}/2025-01-16T08-00-00Z/index.html"))
            .contains("substantive")
    );
    for page in [
        "methodology/index.html",
        "regulations/eu-digital-services-act/index.html",
    ] {
        assert!(out.has(page), "{page}");
    }
    let files = Tree::read(&dir);
    assert!(files.page(".gitignore").contains("\noutput/\n"));
    for (rel, _) in files.files().filter(|(rel, _)| rel.ends_with(".yaml")) {
        let text = files.page(rel);
        assert!(
            text.starts_with("# ") && text.contains("\n# Required."),
            "{rel}"
        );
    }
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("site");
    std::fs::create_dir_all(dir.join("notes")).unwrap();
    let mut command = Command::new(bin());
    command.arg("init").arg(&dir);
    let (code, stdout, stderr) = outputs(command);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(stderr.contains("is not empty"), "{stderr}");
    assert_eq!(siblings(&dir), ["notes"]);
    // An empty folder, or one that only `git init` has been run in, is fine.
    std::fs::remove_dir(dir.join("notes")).unwrap();
    std::fs::create_dir(dir.join(".git")).unwrap();
    init(&dir, &[]);
    assert_eq!(siblings(&dir), [".git", ".gitignore", "content"]);
}

#[test]
fn init_sample_copies_the_sample_site_which_checks() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("atlas");
    let stdout = init(&dir, &["--sample"]);
    assert!(stdout.contains("cd "), "{stdout}");
    assert_eq!(
        Tree::read(&dir.join("content")),
        Tree::read(&repo_root().join("content"))
    );
    assert!(dir.join(".gitignore").is_file());
    let (code, stderr) = check(&dir);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
}

/// A record `clausebook new` writes: its arguments, its file under `content/`, and the value
/// of each of its required keys.
struct NewRecord {
    args: &'static [&'static str],
    file: &'static str,
    values: &'static [(&'static str, &'static str)],
}

const NEW_RECORDS: [NewRecord; 5] = [
    NewRecord {
        args: &["platform", "acme"],
        file: "platforms/acme/platform.yaml",
        values: &[("name", "Acme")],
    },
    NewRecord {
        args: &["document", "acme/aup"],
        file: "platforms/acme/documents/aup/document.yaml",
        values: &[
            ("title", "Acme Acceptable Use Policy"),
            ("type", "Acceptable Use Policy"),
            ("url", "https://acme.example/aup"),
        ],
    },
    NewRecord {
        args: &["provision", "spam"],
        file: "provisions/spam.yaml",
        values: &[("name", "Spam")],
    },
    NewRecord {
        args: &["regulation", "can-spam"],
        file: "regulations/can-spam.yaml",
        values: &[("name", "CAN-SPAM Act")],
    },
    NewRecord {
        args: &[
            "clause",
            "acme/no-spam",
            "--document",
            "aup",
            "--provision",
            "spam",
        ],
        file: "platforms/acme/clauses/no-spam.yaml",
        values: &[
            ("title", "No spam"),
            ("excerpt", "You may not send spam."),
            ("summary", "Spam is forbidden."),
        ],
    },
];

/// Fails the test unless `check` reports each placeholder of `text`, the file `file`, at its
/// line and column.
#[track_caller]
fn assert_placeholders_reported(site: &Path, file: &str, text: &str) {
    let (code, stderr) = check(site);
    assert_eq!(code, 1, "{stderr}");
    for (line, n) in text.lines().zip(1..) {
        if let Some(column) = line.find("\"TODO: ") {
            let at = format!("{file}:{n}:{}:", column + 2);
            assert_diagnostic(file, &stderr, &at, "placeholder left in");
        }
    }
}

/// Replaces the placeholder of each key in `values` with its value.
#[track_caller]
fn fill(path: &Path, values: &[(&str, &str)]) {
    let mut text = std::fs::read_to_string(path).unwrap();
    for (key, value) in values {
        let prefix = format!("{key}: \"TODO: ");
        let Some(line) = text.lines().find(|l| l.starts_with(&prefix)) else {
            panic!("{}: no placeholder for `{key}`", path.display());
        };
        text = text.replace(&line.to_string(), &format!("{key}: {value}"));
    }
    std::fs::write(path, text).unwrap();
}

#[test]
fn each_new_record_is_reported_at_its_placeholders_until_they_are_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    init(&site, &[]);
    let content = site.join("content");
    for record in &NEW_RECORDS {
        let (code, stdout, stderr) = new(&site, record.args);
        assert_eq!(code, 0, "{:?}: {stderr}", record.args);
        let path = content.join(record.file);
        assert_eq!(stdout, format!("{}\n", path.display()));
        let text = std::fs::read_to_string(&path).unwrap();
        assert_placeholders_reported(&site, record.file, &text);
    }
    for record in &NEW_RECORDS {
        fill(&content.join(record.file), record.values);
    }
    let snapshot = content.join("platforms/acme/documents/aup/snapshots/2025-01-01.md");
    std::fs::create_dir_all(snapshot.parent().unwrap()).unwrap();
    std::fs::write(&snapshot, "# Acme AUP\n\nYou may not send spam.\n").unwrap();
    let (code, stderr) = check(&site);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[test]
fn new_refuses_to_overwrite_and_says_what_is_wrong() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    init(&site, &[]);
    let existing = site.join("content/provisions/account-termination.yaml");
    let before = std::fs::read(&existing).unwrap();
    let refused: [(&[&str], &str); 9] = [
        (&["provision", "account-termination"], "already exists"),
        (
            &["provision", "Spam"],
            "invalid provision id `Spam`: ids are lowercase letters, digits and hyphens",
        ),
        (
            &["clause", "example-social/No_Spam"],
            "invalid clause id `No_Spam`",
        ),
        (
            &["document", "exmple-social/aup"],
            "unknown platform `exmple-social`",
        ),
        (
            &["document", "exmple-social/aup"],
            "did you mean `example-social`?",
        ),
        (
            &[
                "clause",
                "example-social/x",
                "--document",
                "term-of-service",
            ],
            "did you mean `terms-of-service`?",
        ),
        (
            &[
                "clause",
                "example-social/x",
                "--provision",
                "content-license",
            ],
            "unknown provision `content-license`",
        ),
        (
            &[
                "clause",
                "example-social/x",
                "--provision",
                "content-license",
            ],
            "did you mean `content-licence`?",
        ),
        (&["clause", "example-social"], "is not PLATFORM/CLAUSE"),
    ];
    for (args, message) in refused {
        let (code, stdout, stderr) = new(&site, args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(
            stderr.contains(message),
            "{args:?}: `{message}` not in {stderr}"
        );
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
    }
    assert_eq!(std::fs::read(&existing).unwrap(), before);
    assert!(
        !site
            .join("content/platforms/example-social/clauses/x.yaml")
            .exists()
    );
    // Outside a site, nothing is written.
    let (code, _, stderr) = new(tmp.path(), &["platform", "acme"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no site found"), "{stderr}");
    assert!(!tmp.path().join("content").exists());
}

/// `--root` may come before the record, as `build --root` does, or after it.
#[test]
fn new_takes_the_root_before_or_after_the_record() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    init(&site, &[]);
    let mut command = Command::new(bin());
    command
        .args(["new", "--root"])
        .arg(&site)
        .args(["provision", "spam"]);
    let (code, _, stderr) = outputs(command);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = new(&site, &["regulation", "gdpr"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(site.join("content/provisions/spam.yaml").is_file());
    assert!(site.join("content/regulations/gdpr.yaml").is_file());
}
