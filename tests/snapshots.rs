//! Snapshot tests (insta) of rendered pages of the fixture site: any change to a page's HTML is
//! reviewed as a diff.

mod common;
use common::*;

fn built() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, err) = build(&fixture("valid"), &out, &[]);
    assert_eq!(code, 0, "{err}");
    (tmp, out)
}

#[test]
fn clause_page() {
    let (_tmp, out) = built();
    insta::assert_snapshot!(page(
        &out,
        "platforms/alpha/clauses/messaging-abuse/index.html"
    ));
}

#[test]
fn provision_comparison_page() {
    let (_tmp, out) = built();
    insta::assert_snapshot!(page(&out, "provisions/spam/index.html"));
}

#[test]
fn compare_matrix_page() {
    let (_tmp, out) = built();
    insta::assert_snapshot!(page(&out, "compare/index.html"));
}
