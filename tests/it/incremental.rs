//! Incremental rebuilds (what `serve` does after each edit) must give byte-identical output to
//! a clean build of the same content, and must actually reuse work.

use crate::harness::*;
use clausebook::{Session, build, load::LoadOptions};
use std::path::Path;

/// Rebuilds incrementally and checks the result against a clean build; returns pages rendered.
fn step(session: &mut Session, root: &Path, what: &str) -> usize {
    let options = LoadOptions::default();
    let incremental = session
        .build(root, &options)
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let clean = build(root, &options).unwrap();
    assert!(
        incremental.output == clean.output,
        "{what}: incremental output differs from a clean build"
    );
    assert_eq!(incremental.report.warnings, clean.report.warnings, "{what}");
    incremental.report.pages_rendered
}

#[test]
fn every_kind_of_edit_rebuilds_to_exactly_a_clean_build() {
    let site = Site::valid();
    let root = &site.root;
    let mut session = Session::default();
    let total = step(&mut session, root, "first build");
    assert_eq!(
        step(&mut session, root, "no change"),
        0,
        "nothing changed, nothing rendered"
    );

    let clause = "content/platforms/beta/clauses/spam.yaml";
    site.edit(
        clause,
        "Beta forbids spam.",
        "Beta forbids spam of any kind.",
    );
    let edited = site.read(clause);
    let rendered = step(&mut session, root, "modify a clause");
    assert!(
        rendered > 0 && rendered < total / 2,
        "a clause edit re-renders a few pages, not {rendered} of {total}"
    );

    site.write(
        "content/platforms/beta/clauses/phishing.yaml",
        "title: No phishing\ndocument: terms\nprovision: spam\nexcerpt: Do not scrape our pages.\nsummary: A second clause.\n",
    );
    step(&mut session, root, "add a clause");

    std::fs::rename(
        site.path("content/platforms/beta/clauses/phishing.yaml"),
        site.path("content/platforms/beta/clauses/fishing.yaml"),
    )
    .unwrap();
    step(&mut session, root, "rename a clause");

    site.remove("content/platforms/beta/clauses/fishing.yaml");
    step(&mut session, root, "delete a clause");

    site.write(
        "content/platforms/alpha/documents/aup/snapshots/2024-09-01.md",
        "# Alpha Acceptable Use Policy\n\nYou may not use the services for any illegal purpose or to harm others.\n\n- **Messaging abuse.** Sending bulk unsolicited commercial email is prohibited.\n",
    );
    step(&mut session, root, "add a snapshot");

    site.append(
        "content/platforms/alpha/documents/aup/document.yaml",
        "ignore:\n  - \"Last updated: * ago.\"\n",
    );
    step(&mut session, root, "ignore a block of a document");

    site.write(
        "content/provisions/spam.yaml",
        "name: Spam and bulk messaging\ngroup: Abuse of service\n",
    );
    step(&mut session, root, "edit a provision");

    site.append("content/site.yaml", "theme: house\n");
    site.write("themes/house/templates/page.html", HOUSE_THEME_PAGE);
    step(
        &mut session,
        root,
        "switch to a theme with a template override",
    );
    site.write(
        "themes/house/templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<h1 class=\"home\">{{ title }}</h1>{{ body | safe }}{% endblock content %}",
    );
    step(&mut session, root, "edit a template");

    // A broken edit fails the build but must not poison the caches.
    site.write(clause, "title: [broken\n");
    assert!(session.build(root, &LoadOptions::default()).is_err());
    site.write(clause, &edited);
    step(&mut session, root, "fix the broken clause");
}
