//! Incremental rebuilds (what `serve` does after each edit) must give byte-identical output to
//! a clean build of the same content, and must actually reuse work.

mod common;
use clausebook::{Session, build, load::LoadOptions};
use common::*;
use std::path::Path;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

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
    assert_eq!(incremental.warnings, clean.warnings, "{what}");
    incremental.pages_rendered
}

#[test]
fn every_kind_of_edit_rebuilds_to_exactly_a_clean_build() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    copy_tree(&fixture("valid"), &root);
    let mut session = Session::default();
    let total = step(&mut session, &root, "first build");
    assert_eq!(
        step(&mut session, &root, "no change"),
        0,
        "nothing changed, nothing rendered"
    );

    let clause = "content/platforms/beta/clauses/spam.yaml";
    let text = std::fs::read_to_string(root.join(clause))
        .unwrap()
        .replace("Beta forbids spam.", "Beta forbids spam of any kind.");
    write(&root, clause, &text);
    let rendered = step(&mut session, &root, "modify a clause");
    assert!(
        rendered > 0 && rendered < total / 2,
        "a clause edit re-renders a few pages, not {rendered} of {total}"
    );

    write(
        &root,
        "content/platforms/beta/clauses/phishing.yaml",
        "title: No phishing\ndocument: terms\nprovision: spam\nexcerpt: Do not scrape our pages.\nsummary: A second clause.\n",
    );
    step(&mut session, &root, "add a clause");

    std::fs::rename(
        root.join("content/platforms/beta/clauses/phishing.yaml"),
        root.join("content/platforms/beta/clauses/fishing.yaml"),
    )
    .unwrap();
    step(&mut session, &root, "rename a clause");

    std::fs::remove_file(root.join("content/platforms/beta/clauses/fishing.yaml")).unwrap();
    step(&mut session, &root, "delete a clause");

    write(
        &root,
        "content/platforms/alpha/documents/aup/snapshots/2024-09-01.md",
        "# Alpha Acceptable Use Policy\n\nYou may not use the services for any illegal purpose or to harm others.\n\n- **Messaging abuse.** Sending bulk unsolicited commercial email is prohibited.\n",
    );
    step(&mut session, &root, "add a snapshot");

    let document = "content/platforms/alpha/documents/aup/document.yaml";
    let record = std::fs::read_to_string(root.join(document)).unwrap();
    write(
        &root,
        document,
        &format!("{record}ignore:\n  - \"Last updated: * ago.\"\n"),
    );
    step(&mut session, &root, "ignore a block of a document");

    write(
        &root,
        "content/provisions/spam.yaml",
        "name: Spam and bulk messaging\ngroup: Abuse of service\n",
    );
    step(&mut session, &root, "edit a provision");

    write(
        &root,
        "content/site.yaml",
        &(std::fs::read_to_string(root.join("content/site.yaml")).unwrap() + "theme: house\n"),
    );
    write(
        &root,
        "themes/house/templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<h1 class=\"house\">{{ title }}</h1>{% endblock content %}",
    );
    step(
        &mut session,
        &root,
        "switch to a theme with a template override",
    );
    write(
        &root,
        "themes/house/templates/page.html",
        "{% extends \"base.html\" %}{% block content %}<h1 class=\"home\">{{ title }}</h1>{{ body | safe }}{% endblock content %}",
    );
    step(&mut session, &root, "edit a template");

    // A broken edit fails the build but must not poison the caches.
    write(&root, clause, "title: [broken\n");
    assert!(session.build(&root, &LoadOptions::default()).is_err());
    write(&root, clause, &text);
    step(&mut session, &root, "fix the broken clause");
}
