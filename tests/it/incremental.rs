//! Incremental rebuilds (what `serve` does after each edit) must give byte-identical output to
//! a clean build of the same content, and must actually reuse work: only the documents an edit
//! touched are derived again.

use crate::harness::*;
use clausebook::{Session, build, load::LoadOptions};
use std::path::PathBuf;

/// Rebuilds incrementally after the watcher reported `changed` (paths in the site) and checks
/// every file against a clean build; returns how many documents were derived again.
fn step(session: &mut Session, site: &Site, what: &str, changed: &[&str]) -> usize {
    let (root, options) = (&site.root, LoadOptions::default());
    let changed: Vec<PathBuf> = changed.iter().map(|p| site.path(p)).collect();
    session.forget(&changed);
    let updated = session
        .update(root, &options)
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let served = updated.site.output().unwrap();
    let clean = build(root, &options).unwrap();
    assert!(
        served == clean.output,
        "{what}: incremental output differs from a clean build"
    );
    assert_eq!(updated.warnings, clean.report.warnings, "{what}");
    updated.documents_derived
}

const PHISHING: &str = "content/platforms/beta/clauses/phishing.yaml";
const FISHING: &str = "content/platforms/beta/clauses/fishing.yaml";
const SNAPSHOT: &str = "content/platforms/alpha/documents/aup/snapshots/2024-09-01.md";
const AUP: &str = "content/platforms/alpha/documents/aup/document.yaml";
const SPAM: &str = "content/provisions/spam.yaml";
const HOUSE_PAGE: &str = "themes/house/templates/page.html";

#[test]
fn every_kind_of_edit_rebuilds_to_exactly_a_clean_build() {
    let site = Site::valid();
    let mut session = Session::default();
    let documents = step(&mut session, &site, "first build", &[]);
    assert!(documents > 1, "every document is derived at first");
    assert_eq!(
        step(&mut session, &site, "no change", &[]),
        0,
        "nothing changed, nothing derived"
    );

    let clause = "content/platforms/beta/clauses/spam.yaml";
    site.edit(
        clause,
        "Beta forbids spam.",
        "Beta forbids spam of any kind.",
    );
    assert_eq!(
        step(&mut session, &site, "modify a clause's summary", &[clause]),
        0,
        "nothing is derived from a summary"
    );
    site.edit(clause, "Do not send spam", "Do not send");
    assert_eq!(
        step(&mut session, &site, "modify a clause's excerpt", &[clause]),
        1,
        "only the quoted document verifies the new excerpt"
    );
    let edited = site.read(clause);

    site.write(
        PHISHING,
        "title: No phishing\ndocument: terms\nprovision: spam\nexcerpt: Do not scrape our pages.\nsummary: A second clause.\n",
    );
    step(&mut session, &site, "add a clause", &[PHISHING]);

    std::fs::rename(site.path(PHISHING), site.path(FISHING)).unwrap();
    step(&mut session, &site, "rename a clause", &[PHISHING, FISHING]);

    site.remove(FISHING);
    step(&mut session, &site, "delete a clause", &[FISHING]);

    site.write(
        SNAPSHOT,
        "# Alpha Acceptable Use Policy\n\nYou may not use the services for any illegal purpose or to harm others.\n\n- **Messaging abuse.** Sending bulk unsolicited commercial email is prohibited.\n",
    );
    assert_eq!(
        step(&mut session, &site, "add a snapshot", &[SNAPSHOT]),
        1,
        "only the document with a new snapshot is derived again"
    );

    site.append(AUP, "ignore:\n  - \"Last updated: * ago.\"\n");
    step(&mut session, &site, "ignore a block of a document", &[AUP]);

    site.write(
        SPAM,
        "name: Spam and bulk messaging\ngroup: Abuse of service\n",
    );
    step(&mut session, &site, "edit a provision", &[SPAM]);

    site.append("content/site.yaml", "theme: house\n");
    site.write(HOUSE_PAGE, HOUSE_THEME_PAGE);
    step(
        &mut session,
        &site,
        "switch to a theme with a template override",
        &["content/site.yaml", "themes"],
    );
    site.write(
        HOUSE_PAGE,
        "{% extends \"base.html\" %}{% block content %}<h1 class=\"home\">{{ title }}</h1>{{ body | safe }}{% endblock content %}",
    );
    step(&mut session, &site, "edit a template", &[HOUSE_PAGE]);

    // A broken edit fails the build but must not poison the caches.
    site.write(clause, "title: [broken\n");
    session.forget(&[site.path(clause)]);
    assert!(session.update(&site.root, &LoadOptions::default()).is_err());
    site.write(clause, &edited);
    step(&mut session, &site, "fix the broken clause", &[clause]);
}

/// What a platform folder gave is remembered until something below it changes: its errors too,
/// while another platform is edited.
#[test]
fn a_platform_folder_is_remembered_until_something_below_it_changes() {
    let site = Site::valid();
    let mut session = Session::default();
    step(&mut session, &site, "first build", &[]);
    let alpha = "content/platforms/alpha/clauses/illegal-use.yaml";
    let fine = site.read(alpha);
    site.write(alpha, "title: [broken\n");
    session.forget(&[site.path(alpha)]);
    assert!(session.update(&site.root, &LoadOptions::default()).is_err());
    let beta = "content/platforms/beta/clauses/spam.yaml";
    site.edit(beta, "Beta forbids spam.", "Beta forbids all spam.");
    session.forget(&[site.path(beta)]);
    let still = session.update(&site.root, &LoadOptions::default());
    assert!(
        still.is_err_and(|e| e.to_string().contains("illegal-use.yaml")),
        "an edit elsewhere does not hide a platform's error"
    );
    site.write(alpha, &fine);
    step(&mut session, &site, "fix the other platform", &[alpha]);

    // A platform folder moved away and back is named by the watcher as a folder only.
    let (gamma, moved) = ("content/platforms/gamma", "gamma-elsewhere");
    std::fs::rename(site.path(gamma), site.dir().join(moved)).unwrap();
    step(&mut session, &site, "remove a platform folder", &[gamma]);
    std::fs::rename(site.dir().join(moved), site.path(gamma)).unwrap();
    step(&mut session, &site, "add a platform folder", &[gamma]);
}
