//! `clausebook import ota` through the binary, from a dataset folder (`tests/fixtures/ota-dataset`)
//! and from a versions git repository made in the test: a platform per service and a document per
//! terms type, every version (two in one second included), the commits in `sources`, nothing
//! added by a second import, `--service`, and a site that checks once its URLs are filled in.

use crate::harness::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `clausebook import ota <source> <extra…> --root <site>`; returns (exit code, stdout, stderr).
fn import(site: &Path, source: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut command = Command::new(bin());
    command.args(["import", "ota"]).arg(source).args(extra);
    command.arg("--root").arg(site);
    outputs(command)
}

/// [`import`], which must succeed; returns its stdout.
#[track_caller]
fn imported(site: &Path, source: &Path, extra: &[&str]) -> String {
    let (code, stdout, stderr) = import(site, source, extra);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("ODC-BY"), "{stdout}");
    stdout
}

fn platform(site: &Path, id: &str) -> PathBuf {
    site.join("content/platforms").join(id)
}

/// The snapshots of a document, by file name.
fn snapshots(site: &Path, document: &str) -> Vec<String> {
    let (platform_id, id) = document.split_once('/').unwrap();
    let dir = platform(site, platform_id)
        .join("documents")
        .join(id)
        .join("snapshots");
    siblings(&dir)
}

/// Replaces the `url` placeholder of every document.yaml below `content/platforms`.
fn fill_urls(site: &Path) {
    for (rel, _) in Tree::read(&site.join("content")).files() {
        if rel.ends_with("/document.yaml") {
            let path = site.join("content").join(rel);
            let text = std::fs::read_to_string(&path).unwrap();
            let url = "url: \"https://example.org/terms\"";
            let filled: Vec<&str> = text
                .lines()
                .map(|l| {
                    if l.starts_with("url: \"TODO:") {
                        url
                    } else {
                        l
                    }
                })
                .collect();
            std::fs::write(&path, filled.join("\n") + "\n").unwrap();
        }
    }
}

/// The site built once its `url` placeholders are filled in, which `check` must pass without a
/// warning.
#[track_caller]
fn filled_and_built(site: &Path) -> Tree {
    fill_urls(site);
    let (code, stderr) = check(site);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    Built::fresh(site, &[]).tree
}

#[test]
fn a_dataset_is_imported_once_and_checks_once_its_urls_are_filled_in() {
    let (_tmp, site) = starter_site();
    let dataset = fixture("ota-dataset");
    let stdout = imported(&site, &dataset, &[]);
    for line in [
        "example-chat/privacy-policy: 1 version added, 0 already there\n",
        "example-chat/terms-of-service: 2 versions added, 0 already there\n",
        "oreilly-cafe/terms-of-service: 1 version added, 0 already there\n",
        "4 versions added to 3 documents.\n",
        "fill in the `url` of each new document.yaml",
    ] {
        assert!(stdout.contains(line), "`{line}` not in:\n{stdout}");
    }
    assert_eq!(
        snapshots(&site, "example-chat/terms-of-service"),
        ["2024-01-10T10-00-00Z.md", "2024-06-01T12-30-00Z.md"]
    );
    let chat = platform(&site, "example-chat");
    let record = std::fs::read_to_string(chat.join("platform.yaml")).unwrap();
    assert!(record.contains("\nname: \"Example Chat\"\n"), "{record}");
    let terms = chat.join("documents/terms-of-service/document.yaml");
    let record = std::fs::read_to_string(&terms).unwrap();
    assert!(
        record.contains("\ntitle: \"Example Chat Terms of Service\"\n"),
        "{record}"
    );
    assert!(
        record.contains("\ntype: \"Terms of Service\"\n"),
        "{record}"
    );
    // A dataset names no commits.
    assert!(!record.contains("\nsources:"), "{record}");
    let cafe = std::fs::read_to_string(platform(&site, "oreilly-cafe").join("platform.yaml"));
    assert!(cafe.unwrap().contains("\nname: \"O'Reilly Café\"\n"));

    // Again: nothing added, nothing changed.
    let before = Tree::read(&site);
    let stdout = imported(&site, &dataset, &[]);
    assert!(
        stdout.contains("0 versions added to 3 documents."),
        "{stdout}"
    );
    assert!(stdout.contains("terms-of-service: 0 versions added, 2 already there"));
    assert!(!stdout.contains("Wrote "), "{stdout}");
    assert_eq!(Tree::read(&site), before);

    // The only errors are the URLs Open Terms Archive does not record.
    let (code, stderr) = check(&site);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.ends_with("3 content errors found\n"), "{stderr}");
    assert_eq!(
        stderr.matches("placeholder left in `url`").count(),
        3,
        "{stderr}"
    );
    let version = "platforms/example-chat/documents/terms-of-service/versions/2024-06-01T12-30-00Z/index.html";
    assert!(
        filled_and_built(&site)
            .page(version)
            .contains("substantive")
    );
}

#[test]
fn service_names_only_what_they_name_and_a_wrong_one_writes_nothing() {
    let (_tmp, site) = starter_site();
    let dataset = fixture("ota-dataset");
    let stdout = imported(&site, &dataset, &["--service", "O'Reilly Café"]);
    assert!(
        stdout.contains("1 version added to 1 document."),
        "{stdout}"
    );
    assert!(!platform(&site, "example-chat").exists());
    let before = Tree::read(&site);
    let (code, stdout, stderr) = import(&site, &dataset, &["--service", "Example chat"]);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(
        stderr.contains(
            "has no versions of a service named `Example chat`, did you mean `Example Chat`?"
        ),
        "{stderr}"
    );
    assert_eq!(Tree::read(&site), before);
    let (code, _, stderr) = import(&site, &site.join("nowhere"), &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("neither an Open Terms Archive dataset folder nor a git repository"),
        "{stderr}"
    );
}

const TERMS: &str = "Example Chat/Terms of Service.md";

/// The repository of the tests below: README.md, three versions of Example Chat's terms of
/// service (the last two in one second), its privacy policy and another service's terms.
/// Returns the commits of the terms of service.
fn versions_repository(dir: &Path) -> (Repository, Vec<String>) {
    let repo = Repository::new(dir);
    repo.record("README.md", "# Example versions\n", "2024-01-01T00:00:00Z");
    let terms = vec![
        repo.record(
            TERMS,
            "# Terms\n\nYou must be 13 or older.\n",
            "2024-01-10T10:00:00Z",
        ),
        repo.record(
            TERMS,
            "# Terms\n\nYou must be 16 or older.\n",
            "2024-06-01T12:30:00Z",
        ),
        repo.record(
            TERMS,
            "# Terms\n\nYou must be 18 or older.\n",
            "2024-06-01T12:30:00Z",
        ),
    ];
    let policy = "Example Chat/Privacy Policy.md";
    repo.record(
        policy,
        "# Privacy\n\nWe keep your messages.\n",
        "2024-02-01T08:00:00Z",
    );
    repo.record(
        "Other/Terms.md",
        "# Other terms\n\nBe kind.\n",
        "2024-03-01T00:00:00+02:00",
    );
    (repo, terms)
}

#[test]
fn a_repository_gives_every_version_with_its_commit_and_only_new_ones_again() {
    let (tmp, site) = starter_site();
    let (repo, commits) = versions_repository(&tmp.path().join("versions"));
    let stdout = imported(&site, &repo.0, &[]);
    assert!(
        stdout.contains("example-chat/terms-of-service: 3 versions added, 0 already there\n"),
        "{stdout}"
    );
    assert!(stdout.contains("other/terms: 1 version added"), "{stdout}");
    assert!(
        stdout.contains("5 versions added to 3 documents."),
        "{stdout}"
    );
    let names = [
        "2024-01-10T10-00-00Z",
        "2024-06-01T12-30-00Z",
        "2024-06-01T12-30-00Z-2",
    ];
    let mut files: Vec<String> = names.iter().map(|n| format!("{n}.md")).collect();
    // As a folder lists them: `-` sorts before `.`.
    files.sort();
    assert_eq!(snapshots(&site, "example-chat/terms-of-service"), files);
    assert_eq!(snapshots(&site, "other/terms"), ["2024-02-29T22-00-00Z.md"]);
    // The two of one second in the order they were recorded.
    let dir = platform(&site, "example-chat").join("documents/terms-of-service/snapshots");
    let read = |name: &str| std::fs::read_to_string(dir.join(format!("{name}.md"))).unwrap();
    assert!(read(names[1]).contains("16 or older"));
    assert!(read(names[2]).contains("18 or older"));
    let record = platform(&site, "example-chat").join("documents/terms-of-service/document.yaml");
    let text = std::fs::read_to_string(&record).unwrap();
    for (name, commit) in names.iter().zip(&commits) {
        let entry = format!("\n  \"{name}\": \"{commit}\"\n");
        assert!(text.contains(&entry), "{entry} not in:\n{text}");
    }

    // Again: nothing. With one more version: that one, its commit added to the others.
    let before = Tree::read(&site);
    assert!(imported(&site, &repo.0, &[]).contains("0 versions added to 3 documents."));
    assert_eq!(Tree::read(&site), before);
    let fourth = repo.record(
        TERMS,
        "# Terms\n\nYou must be 18 or older, or 16 with consent.\n",
        "2024-07-01T09:00:00Z",
    );
    let stdout = imported(&site, &repo.0, &["--service", "Example Chat"]);
    assert!(
        stdout.contains("example-chat/terms-of-service: 1 version added, 3 already there\n"),
        "{stdout}"
    );
    assert!(!stdout.contains("other/"), "{stdout}");
    let text = std::fs::read_to_string(&record).unwrap();
    assert_eq!(text.matches("\n  \"2024-").count(), 4, "{text}");
    assert!(
        text.contains(&format!("\n  \"2024-07-01T09-00-00Z\": \"{fourth}\"\n")),
        "{text}"
    );

    // Every version has its page, the two of one second apart.
    let built = filled_and_built(&site);
    let versions = "platforms/example-chat/documents/terms-of-service/versions";
    for name in names {
        let page = built.page(&format!("{versions}/{name}/index.html"));
        assert!(page.contains("or older"), "{name}");
    }
}

#[test]
fn a_repository_needs_git() {
    let (tmp, site) = starter_site();
    let (repo, _) = versions_repository(&tmp.path().join("versions"));
    let empty = tmp.path().join("no-programs");
    std::fs::create_dir(&empty).unwrap();
    let mut command = Command::new(bin());
    command
        .args(["import", "ota"])
        .arg(&repo.0)
        .arg("--root")
        .arg(&site);
    command.env("PATH", &empty);
    let (code, stdout, stderr) = outputs(command);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(stderr.contains("git is not on PATH"), "{stderr}");
    assert!(!platform(&site, "example-chat").exists());
}
