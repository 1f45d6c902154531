//! One fixture folder per class of invalid input: each must fail with exit 1 (2 for usage) and a
//! message naming the file and, for YAML and front matter, line and column.

use crate::harness::*;

fn fails(name: &str) -> (i32, String) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, err) = build(&fixture(&format!("invalid/{name}")), &out, &[]);
    assert!(!out.exists(), "{name}: a failed build wrote output");
    (code, err)
}

fn assert_error(name: &str, file_and_position: &str, message: &str) {
    let (code, err) = fails(name);
    assert_eq!(code, 1, "{name}: {err}");
    assert_diagnostic(name, &err, file_and_position, message);
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn unknown_key() {
    assert_error(
        "unknown-key",
        "content/platforms/acme/clauses/spam.yaml:4:1:",
        "unknown field `excerp`",
    );
}

#[test]
fn yaml_syntax() {
    assert_error(
        "yaml-syntax",
        "content/platforms/acme/clauses/spam.yaml:3:12:",
        "expected string",
    );
}

#[test]
fn invalid_id() {
    assert_error(
        "bad-id",
        "content/platforms/acme/clauses/No_Spam.yaml:",
        "invalid clause id `No_Spam`",
    );
}

#[test]
fn invalid_snapshot_timestamp() {
    assert_error(
        "bad-timestamp",
        "snapshots/2024-13-45.md:",
        "is not a timestamp",
    );
}

#[test]
fn unresolved_references_are_all_reported() {
    let (code, err) = fails("unresolved-reference");
    assert_eq!(code, 1);
    for (at, msg) in [
        ("clauses/spam.yaml:2:11:", "unknown document `terms`"),
        ("clauses/spam.yaml:3:12:", "unknown provision `spam-rules`"),
        ("clauses/spam.yaml:7:5:", "unknown regulation `gdpr`"),
        (
            "documents/tos/document.yaml:5:3:",
            "`changes` names snapshot `2023-01-01`",
        ),
    ] {
        assert!(
            err.lines().any(|l| l.contains(at) && l.contains(msg)),
            "{at} {msg} not in:\n{err}"
        );
    }
    assert!(err.ends_with("4 content errors found\n"), "{err}");
}

#[test]
fn missing_required_field() {
    assert_error(
        "missing-field",
        "clauses/spam.yaml:1:1:",
        "missing field `summary`",
    );
}

#[test]
fn alias_escaping_the_output_folder() {
    assert_error(
        "alias-escape",
        "clauses/spam.yaml:6:11:",
        "alias `/../../outside/` is not a site path",
    );
}

#[test]
fn page_without_front_matter() {
    assert_error(
        "page-front-matter",
        "content/pages/about.md:1:1:",
        "front matter",
    );
}

#[test]
fn base_url_not_absolute() {
    assert_error(
        "bad-base-url",
        "content/site.yaml:2:11:",
        "`base_url` must be an absolute",
    );
}

#[test]
fn template_syntax_error_names_the_override() {
    assert_error(
        "template-syntax",
        "themes/custom/templates/page.html:3:",
        "template error",
    );
}

#[test]
fn invalid_css_selector() {
    assert_error(
        "bad-selector",
        "documents/tos/document.yaml:7:5:",
        "`div[[oops` is not a valid CSS selector",
    );
}

#[test]
fn missing_site_yaml_is_a_usage_error() {
    let (code, err) = fails("missing-site");
    assert_eq!(code, 2);
    assert!(err.contains("content/site.yaml does not exist"), "{err}");
}

#[test]
fn many_errors_in_many_files_are_reported_sorted() {
    let (code, err) = fails("many-errors");
    assert_eq!(code, 1);
    let files: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(files.len(), 3, "{err}");
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted);
    assert!(err.contains("clauses/spam.yaml:6:1: unknown field `colour`"));
    assert!(err.contains("document.yaml:1:1: missing field `type`"));
    assert!(err.contains("provisions/spam.yaml:1:1: unknown field `nmae`"));
}

/// Regression (e3475f6): messages quote content, and a control character in it (an escape
/// sequence) reached the reader's terminal raw.
#[test]
fn diagnostics_print_control_characters_escaped() {
    let site = Site::valid();
    site.edit(
        "content/platforms/alpha/clauses/messaging-abuse.yaml",
        "document: aup",
        "document: \"aup\\e[31mred\"",
    );
    let (code, err) = site.check();
    assert_eq!(code, 1, "{err}");
    assert_diagnostic(
        "check",
        &err,
        "alpha/clauses/messaging-abuse.yaml:2:11:",
        "unknown document `aup\\u{1b}[31mred`",
    );
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

/// A record that fails to parse is one error: the clauses that name it are not also reported
/// as naming an unknown document.
#[test]
fn a_record_that_fails_to_parse_causes_no_unknown_reference_cascade() {
    let site = Site::valid();
    site.write(
        "content/platforms/beta/documents/terms/document.yaml",
        "title: [broken\n",
    );
    let (code, err) = site.check();
    assert_eq!(code, 1, "{err}");
    assert_diagnostic("check", &err, "terms/document.yaml:1:", "expected");
    assert!(!err.contains("unknown document"), "a cascade: {err}");
    assert!(err.ends_with("1 content error found\n"), "{err}");
}
