//! One fixture folder per class of invalid input: each must fail with diagnostics of the right
//! kind at the right file and position (line and column for YAML and front matter), and the
//! command line must print them all, sorted, with exit 1 (2 for usage).

use crate::harness::*;
use clausebook::error::{Diagnostic, Error, Kind, Origin, Severity, Span};
use clausebook::load::LoadOptions;

/// The diagnostics the library fails with on `invalid/<name>`.
fn diagnostics(name: &str, options: &LoadOptions) -> Vec<Diagnostic> {
    match clausebook::build(&fixture(&format!("invalid/{name}")), options) {
        Err(Error::Content(d)) => d,
        Err(e) => panic!("{name}: not a content error: {e}"),
        Ok(_) => panic!("{name}: built without an error"),
    }
}

/// Whether `d` is in a file whose path ends with `file`, at (line, column) if given.
fn is_at(d: &Diagnostic, file: &str, span: Option<(usize, usize)>) -> bool {
    let span = span.map(|(line, column)| Span { line, column });
    matches!(&d.origin, Origin::File { path, span: s } if path.ends_with(file) && *s == span)
}

/// `invalid/<name>` fails with one error: `kind`, at `file` and `span`, saying `words`.
fn assert_error(name: &str, kind: Kind, file: &str, span: Option<(usize, usize)>, words: &str) {
    let d = diagnostics(name, &LoadOptions::default());
    assert_eq!(d.len(), 1, "{name}: {d:?}");
    let d = &d[0];
    assert_eq!((d.kind, d.severity), (kind, Severity::Error), "{name}: {d}");
    assert!(is_at(d, file, span), "{name}: not at {file} {span:?}: {d}");
    assert!(d.message.contains(words), "{name}: `{words}` not in `{d}`");
}

#[test]
fn unknown_key() {
    let clause = "content/platforms/acme/clauses/spam.yaml";
    let excerp = "unknown field `excerp`";
    assert_error(
        "unknown-key",
        Kind::UnknownKey,
        clause,
        Some((4, 1)),
        excerp,
    );
}

#[test]
fn yaml_syntax() {
    let clause = "content/platforms/acme/clauses/spam.yaml";
    assert_error(
        "yaml-syntax",
        Kind::Syntax,
        clause,
        Some((3, 12)),
        "expected string",
    );
}

#[test]
fn invalid_id() {
    let clause = "content/platforms/acme/clauses/No_Spam.yaml";
    let message = "invalid clause id `No_Spam`";
    assert_error("bad-id", Kind::InvalidId, clause, None, message);
}

#[test]
fn invalid_snapshot_timestamp() {
    let snapshot = "snapshots/2024-13-45.md";
    let message = "is not a timestamp";
    assert_error("bad-timestamp", Kind::InvalidId, snapshot, None, message);
}

#[test]
fn unresolved_references_are_all_reported() {
    let d = diagnostics("unresolved-reference", &LoadOptions::default());
    let expected = [
        ("clauses/spam.yaml", (2, 11), "unknown document `terms`"),
        (
            "clauses/spam.yaml",
            (3, 12),
            "unknown provision `spam-rules`",
        ),
        ("clauses/spam.yaml", (7, 5), "unknown regulation `gdpr`"),
        (
            "tos/document.yaml",
            (5, 3),
            "`changes` names snapshot `2023-01-01`",
        ),
        (
            "tos/document.yaml",
            (7, 15),
            "`sources` holds `0123456789abcdef0123456789abcdef0123456`, which is not a commit id",
        ),
        (
            "tos/document.yaml",
            (8, 3),
            "`sources` names snapshot `2023-06-01`",
        ),
    ];
    assert_eq!(d.len(), expected.len(), "{d:?}");
    for (d, (file, span, words)) in d.iter().zip(expected) {
        let kind = if words.contains("not a commit id") {
            Kind::InvalidValue
        } else {
            Kind::UnknownReference
        };
        assert_eq!(d.kind, kind, "{d}");
        assert!(
            is_at(d, file, Some(span)) && d.message.contains(words),
            "{d}"
        );
    }
}

#[test]
fn missing_required_field() {
    let clause = "clauses/spam.yaml";
    let summary = "missing field `summary`";
    assert_error(
        "missing-field",
        Kind::MissingKey,
        clause,
        Some((1, 1)),
        summary,
    );
}

#[test]
fn alias_escaping_the_output_folder() {
    let message = "alias `/../../outside/` is not a site path";
    let clause = "clauses/spam.yaml";
    assert_error(
        "alias-escape",
        Kind::InvalidValue,
        clause,
        Some((6, 11)),
        message,
    );
}

#[test]
fn page_without_front_matter() {
    let page = "content/pages/about.md";
    assert_error(
        "page-front-matter",
        Kind::Syntax,
        page,
        Some((1, 1)),
        "front matter",
    );
}

#[test]
fn base_url_not_absolute() {
    let message = "`base_url` must be an absolute";
    let site = "content/site.yaml";
    assert_error(
        "bad-base-url",
        Kind::InvalidUrl,
        site,
        Some((2, 11)),
        message,
    );
}

#[test]
fn a_bad_base_url_flag_is_a_usage_error() {
    let options = LoadOptions {
        base_url: Some("localhost".into()),
        ..LoadOptions::default()
    };
    let d = diagnostics("bad-base-url", &options);
    assert_eq!(d.len(), 1, "the flag is checked before the content: {d:?}");
    assert_eq!(
        (d[0].kind, &d[0].origin),
        (Kind::InvalidUrl, &Origin::Flag("--base-url"))
    );
    assert_eq!(Error::Content(d).exit_code(), 2);
}

#[test]
fn template_syntax_error_names_the_override() {
    let template = "themes/custom/templates/page.html";
    let message = "template error";
    assert_error(
        "template-syntax",
        Kind::Render,
        template,
        Some((3, 7)),
        message,
    );
}

#[test]
fn invalid_css_selector() {
    let message = "`div[[oops` is not a valid CSS selector";
    let document = "documents/tos/document.yaml";
    assert_error(
        "bad-selector",
        Kind::InvalidValue,
        document,
        Some((7, 5)),
        message,
    );
}

#[test]
fn missing_site_yaml_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, err) = build(
        &fixture("invalid/missing-site"),
        &tmp.path().join("out"),
        &[],
    );
    assert_eq!(code, 2);
    assert!(err.contains("content/site.yaml does not exist"), "{err}");
}

#[test]
fn many_errors_in_many_files_are_printed_sorted_with_their_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, err) = build(&fixture("invalid/many-errors"), &out, &[]);
    assert_eq!(code, 1);
    assert!(!out.exists(), "a failed build wrote output");
    let places: Vec<&str> = err
        .lines()
        .filter_map(|l| l.strip_prefix(" --> "))
        .collect();
    assert_eq!(places.len(), 3, "{err}");
    assert!(places.is_sorted(), "{err}");
    for (place, words, line) in [
        (
            "clauses/spam.yaml:6:1:",
            "unknown field `colour`",
            "6 | colour: red",
        ),
        (
            "document.yaml:1:1:",
            "missing field `type`",
            "1 | title: Acme Terms",
        ),
        (
            "provisions/spam.yaml:1:1:",
            "unknown field `nmae`",
            "1 | nmae: Spam",
        ),
    ] {
        let d = diagnostic_at(&err, place).unwrap_or_else(|| panic!("no {place} in {err}"));
        assert!(d.starts_with(&format!("error: {words}")), "{d}");
        assert!(d.contains(line), "the line is quoted: {d}");
    }
    assert!(err.ends_with("\n\n3 content errors found\n"), "{err}");
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

/// The valid site with the file at `rel` written as `contents`, and the errors `check` prints,
/// which it must find.
#[track_caller]
fn failing_check(rel: &str, contents: &str) -> (Site, String) {
    let site = Site::valid();
    site.write(rel, contents);
    let (code, err) = site.check();
    assert_eq!(code, 1, "{err}");
    (site, err)
}

/// A record that fails to parse is one error: the clauses that name it are not also reported
/// as naming an unknown document.
#[test]
fn a_record_that_fails_to_parse_causes_no_unknown_reference_cascade() {
    let (_site, err) = failing_check(
        "content/platforms/beta/documents/terms/document.yaml",
        "title: [broken\n",
    );
    assert_diagnostic("check", &err, "terms/document.yaml:1:", "expected");
    assert!(!err.contains("unknown document"), "a cascade: {err}");
    assert!(err.ends_with("1 content error found\n"), "{err}");
}

#[test]
fn a_misspelt_reference_suggests_the_nearest_id() {
    let (site, err) = failing_check(
        "content/platforms/beta/clauses/scraping.yaml",
        "title: No scraping\ndocument: term\nprovision: scrapping\nregulations: [can-spma]\nexcerpt: Do not scrape our pages.\nsummary: Beta forbids scraping.\n",
    );
    for suggestion in [
        "unknown document `term`, did you mean `terms`?",
        "unknown provision `scrapping`: no content/provisions/scrapping.yaml, did you mean `scraping`?",
        "unknown regulation `can-spma`: no content/regulations/can-spma.yaml, did you mean `can-spam`?",
    ] {
        assert!(err.contains(suggestion), "{suggestion}\n{err}");
    }
    site.edit(
        "content/platforms/beta/clauses/scraping.yaml",
        "provision: scrapping",
        "provision: privacy",
    );
    let (_, err) = site.check();
    assert!(
        err.contains("unknown provision `privacy`")
            && !err.contains("`privacy`: no content/provisions/privacy.yaml, did you mean"),
        "nothing near enough, no guess: {err}"
    );
}

#[test]
fn an_excerpt_not_found_shows_the_closest_passage_and_the_first_differing_words() {
    let site = Site::valid();
    let clause = "content/platforms/beta/clauses/spam.yaml";
    let at = "beta/clauses/spam.yaml:4:";
    site.edit(clause, "spam or bulk email", "spam or junk email");
    let (_, err) = site.check();
    let closest = "the closest passage of the latest version reads \"Do not send spam or bulk email to people who did not ask for it.";
    assert_diagnostic("check", &err, at, closest);
    assert_diagnostic(
        "check",
        &err,
        at,
        "has \"bulk\" where the excerpt has \"junk\"",
    );
    site.edit(
        clause,
        "Do not send spam or junk",
        "Do not ever send spam or bulk",
    );
    let (_, err) = site.check();
    assert_diagnostic("check", &err, at, "lacks the excerpt's \"ever\"");
}

#[test]
fn an_excerpt_only_in_older_snapshots_is_a_warning_naming_the_last_version_with_it() {
    let site = Site::valid();
    site.write(
        "content/platforms/beta/documents/terms/snapshots/2024-02-01.txt",
        "Beta Terms\n\nDo not send unsolicited messages.\nDo not scrape our pages.\n",
    );
    let expected = "excerpt out of date: clause `spam` quotes document `terms` as it read until the version of";
    let (code, err) = site.check();
    assert_eq!(code, 0, "a warning, not an error: {err}");
    assert_diagnostic("check", &err, "beta/clauses/spam.yaml:4:", expected);
    assert!(err.contains("(snapshot 2023-05-01)"), "{err}");
    let (code, err) = site.build(&[]);
    assert_eq!(code, 0, "{err}");
    assert_diagnostic("build", &err, "beta/clauses/spam.yaml:4:", expected);
}
