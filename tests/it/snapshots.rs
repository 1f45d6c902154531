//! Snapshot tests (insta) of rendered pages of the fixture site: any change to a page's HTML is
//! reviewed as a diff.

use crate::harness::*;

#[test]
fn clause_page() {
    let out = &built_valid().tree;
    insta::assert_snapshot!(out.page("platforms/alpha/clauses/messaging-abuse/index.html"));
}

#[test]
fn provision_comparison_page() {
    let out = &built_valid().tree;
    insta::assert_snapshot!(out.page("provisions/spam/index.html"));
}

#[test]
fn compare_matrix_page() {
    let out = &built_valid().tree;
    insta::assert_snapshot!(out.page("compare/index.html"));
}
