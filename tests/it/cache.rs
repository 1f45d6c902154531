//! The on-disk cache: a build that reuses it writes exactly what a build without it writes,
//! whatever was edited, and a corrupt, misplaced or foreign entry is never trusted.

use crate::harness::*;
use clausebook::load::LoadOptions;
use clausebook::progress::Progress;
use clausebook::{Report, cache::CacheOptions};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds `site` with the cache into its output folder, and without it into another; the two
/// outputs must be byte-identical, with the same folders. Returns the cached build's report.
#[track_caller]
fn step(site: &Site, what: &str) -> Report {
    let cached = clausebook::write(&site.root, &LoadOptions::default(), &site.out(), &hidden())
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    let clean_dir = site.dir().join("clean");
    let (code, stderr) = build(&site.root, &clean_dir, &["--no-cache"]);
    assert_eq!(code, 0, "{what}: {stderr}");
    let (with, without) = (site.output(), Tree::read(&clean_dir));
    let differ: Vec<&str> = with
        .files()
        .zip(without.files())
        .filter(|(a, b)| a != b)
        .map(|((file, _), _)| file)
        .collect();
    assert!(
        with.len() == without.len() && differ.is_empty(),
        "{what}: the output differs from a build without the cache: {differ:?}"
    );
    assert_eq!(folders(&site.out()), folders(&clean_dir), "{what}");
    cached
}

/// Every folder under `dir`, by path relative to it.
fn folders(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_dir())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_path_buf())
        .collect()
}

fn hidden() -> Progress {
    Progress::hidden()
}

/// The cache's entries of derived documents.
fn entries(site: &Site) -> Vec<PathBuf> {
    let dir = site.path(".clausebook-cache/documents");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

/// Dates every snapshot of `site` an hour back: the cache remembers the keys of snapshots
/// modified a while before they were read ([`clausebook::cache`]).
fn settle(site: &Site) {
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in walkdir::WalkDir::new(site.path("content/platforms")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file()
            && entry
                .path()
                .parent()
                .is_some_and(|p| p.ends_with("snapshots"))
        {
            let file = std::fs::File::options()
                .write(true)
                .open(entry.path())
                .unwrap();
            file.set_modified(an_hour_ago).unwrap();
        }
    }
}

#[test]
fn every_kind_of_edit_builds_with_the_cache_to_exactly_a_build_without_it() {
    let site = Site::valid();
    settle(&site);
    let first = step(&site, "first build");
    assert_eq!(first.pages_reused, 0, "nothing to reuse yet");
    let again = step(&site, "no change");
    assert_eq!(
        (again.pages_rendered, again.pages_reused),
        (0, first.pages_rendered),
        "nothing changed: every page kept"
    );

    let clause = "content/platforms/beta/clauses/spam.yaml";
    site.edit(
        clause,
        "Beta forbids spam.",
        "Beta forbids spam of any kind.",
    );
    let edited = step(&site, "modify a clause");
    assert!(
        edited.pages_rendered > 0 && edited.pages_rendered < first.pages_rendered / 2,
        "a clause edit renders a few pages, not {}",
        edited.pages_rendered
    );
    site.edit(clause, "bulk email to people", "bulk mail to people");
    step(&site, "change an excerpt");

    site.write(
        "content/platforms/beta/clauses/phishing.yaml",
        "title: No phishing\ndocument: terms\nprovision: spam\nexcerpt: Do not scrape our pages.\nsummary: A second clause.\n",
    );
    step(&site, "add a clause");
    site.remove("content/platforms/beta/clauses/phishing.yaml");
    step(&site, "delete a clause");

    let before = entries(&site);
    site.write(
        "content/platforms/alpha/documents/aup/snapshots/2024-09-01.md",
        "# Alpha Acceptable Use Policy\n\nYou may not use the services for any illegal purpose or to harm others.\n\n- **Messaging abuse.** Sending bulk unsolicited commercial email is prohibited.\n",
    );
    step(&site, "add a snapshot");
    let added: Vec<_> = entries(&site)
        .into_iter()
        .filter(|e| !before.contains(e))
        .collect();
    assert_eq!(
        added.len(),
        2,
        "only the document with a new snapshot is derived again (its summary and texts): {added:?}"
    );

    let snapshot = "content/platforms/beta/documents/terms/snapshots/2023-05-01.txt";
    let text = site.read(snapshot);
    site.write(snapshot, text.replacen("spam", "SPAM", 1));
    step(&site, "edit a snapshot in place, keeping its length");

    site.append(
        "content/platforms/alpha/documents/aup/document.yaml",
        "ignore:\n  - \"Last updated: * ago.\"\n",
    );
    step(&site, "ignore a block of a document");
    site.write(
        "content/provisions/spam.yaml",
        "name: Spam and bulk messaging\ngroup: Abuse of service\n",
    );
    step(&site, "edit a provision");
    site.append("content/site.yaml", "theme: house\n");
    site.write("themes/house/templates/page.html", HOUSE_THEME_PAGE);
    step(&site, "switch to a theme with a template override");
    site.write(
        "themes/house/templates/document.html",
        "{% extends \"base.html\" %}{% block content %}<h1>{{ document.title }}</h1>{{ text | safe }}{% endblock content %}",
    );
    step(&site, "override the template of document pages");
}

#[test]
fn an_output_file_changed_since_the_last_build_is_written_again() {
    let site = Site::valid();
    step(&site, "first build");
    let page = site.out().join("platforms/alpha/index.html");
    std::fs::write(&page, "edited by hand").unwrap();
    step(&site, "after a hand edit of the output");
    std::fs::remove_file(site.out().join("platforms/alpha/documents/aup/index.html")).unwrap();
    step(&site, "after a file of the output was deleted");
}

/// Spoils every entry of the cache: a flipped byte in each texts entry and output manifest,
/// and each summary replaced by another document's (sound, but under the wrong name).
fn spoil(site: &Site) {
    let summaries: Vec<_> = entries(site)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "summary"))
        .collect();
    assert!(summaries.len() > 1, "{summaries:?}");
    let first = std::fs::read(&summaries[0]).unwrap();
    for pair in summaries.windows(2) {
        std::fs::copy(&pair[1], &pair[0]).unwrap();
    }
    std::fs::write(summaries.last().unwrap(), first).unwrap();
    let manifests = std::fs::read_dir(site.path(".clausebook-cache/outputs")).unwrap();
    let others = manifests.map(|e| e.unwrap().path());
    for path in entries(site)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "texts"))
        .chain(others)
    {
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x40;
        std::fs::write(&path, bytes).unwrap();
    }
}

#[test]
fn a_corrupt_or_misplaced_cache_entry_is_discarded_not_trusted() {
    let site = Site::valid();
    step(&site, "first build");
    spoil(&site);
    // A new clause makes every quoted document's texts needed again, from the spoilt entries.
    site.write(
        "content/platforms/alpha/clauses/second.yaml",
        "title: Second\ndocument: aup\nprovision: spam\nexcerpt: for any illegal purpose\nsummary: Another clause.\n",
    );
    let report = step(&site, "after the cache was spoilt");
    assert_eq!(report.pages_reused, 0, "a spoilt manifest is not used");
    let again = step(&site, "once the cache is sound again");
    assert_eq!(again.pages_rendered, 0, "the cache was made again");
}

#[test]
fn no_cache_reads_and_writes_no_cache() {
    let site = Site::valid();
    let (code, stderr) = site.build(&["--no-cache"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!site.path(".clausebook-cache").exists());
    let (code, stderr) = run("check", &site.root, &["--no-cache"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!site.path(".clausebook-cache").exists());
    let (code, stderr) = site.build(&[]);
    assert_eq!(code, 0, "{stderr}");
    let ignore = std::fs::read_to_string(site.path(".clausebook-cache/.gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "*"), "the cache ignores itself");
}

#[test]
fn a_cache_over_its_size_cap_is_trimmed() {
    let site = Site::valid();
    let options = LoadOptions {
        cache: CacheOptions {
            enabled: true,
            limit: 1,
        },
        ..LoadOptions::default()
    };
    clausebook::write(&site.root, &options, &site.out(), &hidden()).unwrap();
    assert!(entries(&site).is_empty(), "{:?}", entries(&site));
    assert!(Path::new(&site.out()).join("index.html").exists());
}

/// Builds `site` with the cache, as the user whose own cache folder is `home`; returns stderr.
fn build_as(site: &Site, home: &Path) -> String {
    let mut command = Command::new(bin());
    command
        .args(["build", "--root"])
        .arg(&site.root)
        .arg("--output")
        .arg(site.out())
        .env("XDG_CACHE_HOME", home);
    let (code, stderr) = run_to_end(command);
    assert_eq!(code, 0, "{stderr}");
    stderr
}

#[test]
fn a_cache_planted_in_the_site_or_made_by_another_user_is_not_trusted() {
    let site = Site::valid();
    let (ours, theirs) = (site.dir().join("ours"), site.dir().join("theirs"));
    build_as(&site, &theirs);
    // Their entries, as a pull request could commit them, and an output already in place.
    let built = build_as(&site, &ours);
    assert!(
        !built.contains("unchanged"),
        "nothing of theirs kept: {built}"
    );
    let again = build_as(&site, &ours);
    assert!(
        again.contains("; 0 rendered,"),
        "our own entries are: {again}"
    );
    assert!(
        theirs.join("clausebook/secret").exists() && ours.join("clausebook/secret").exists(),
        "each user's secret is in their own cache folder, not in the site"
    );
}

/// The trees the cache keeps for the next build to write over.
fn kept_trees(site: &Site) -> Vec<PathBuf> {
    let trees = std::fs::read_dir(site.path(".clausebook-cache/trees")).unwrap();
    trees.map(|e| e.unwrap().path()).collect()
}

#[cfg(unix)]
fn inode(path: &Path) -> u64 {
    std::os::unix::fs::MetadataExt::ino(&std::fs::symlink_metadata(path).unwrap())
}

#[cfg(unix)]
#[test]
fn each_build_writes_over_the_tree_the_build_before_last_retired() {
    let site = Site::valid();
    settle(&site);
    let snapshot = "content/platforms/alpha/documents/aup/snapshots/2024-09-01.md";
    let mut roots = Vec::new();
    let mut build = |what: &str| {
        step(&site, what);
        roots.push(inode(&site.out()));
        assert_eq!(siblings(site.dir()), ["clean", "out", "site"], "{what}");
        assert!(
            kept_trees(&site).len() <= 1,
            "{what}: {:?}",
            kept_trees(&site)
        );
    };
    build("first build");
    build("no change");
    site.write(
        snapshot,
        "# Alpha Acceptable Use Policy\n\nA new version.\n",
    );
    build("add a snapshot: a version's folder the tree lacks");
    build("no change");
    site.remove(snapshot);
    build("remove it: its folder, in the tree from two builds ago, is stale");
    build("no change");
    let recycled = (2..roots.len()).all(|n| roots[n] == roots[n - 2]);
    assert!(
        recycled,
        "every build from the third writes over a kept tree: {roots:?}"
    );
}

#[cfg(unix)]
#[test]
fn nothing_planted_in_or_for_the_kept_tree_is_followed_or_published() {
    use std::os::unix::fs::symlink;
    let site = Site::valid();
    let elsewhere = site.dir().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("secret.html"), "not the site's").unwrap();
    step(&site, "first build");
    step(&site, "second build, which keeps a tree");
    let [tree] = &kept_trees(&site)[..] else {
        panic!("one tree kept: {:?}", kept_trees(&site));
    };
    // Inside the kept tree, as a checkout of committed files could put them: links in place
    // of a folder and of a page, and a page the site does not have.
    std::fs::remove_dir_all(tree.join("platforms")).unwrap();
    symlink(&elsewhere, tree.join("platforms")).unwrap();
    std::fs::remove_file(tree.join("index.html")).unwrap();
    symlink(elsewhere.join("secret.html"), tree.join("index.html")).unwrap();
    std::fs::write(tree.join("planted.html"), "planted").unwrap();
    step(&site, "after files were planted in the kept tree");
    // In place of the kept tree: a link to a folder outside, then a folder of planted files.
    for planted in ["a link", "a folder"] {
        let [tree] = &kept_trees(&site)[..] else {
            panic!("one tree kept: {:?}", kept_trees(&site));
        };
        std::fs::remove_dir_all(tree).unwrap();
        if planted == "a link" {
            symlink(&elsewhere, tree).unwrap();
        } else {
            std::fs::create_dir_all(tree.join("platforms")).unwrap();
            std::fs::write(tree.join("planted.html"), "planted").unwrap();
            symlink(&elsewhere, tree.join("platforms/alpha")).unwrap();
        }
        step(
            &site,
            &format!("after {planted} was planted in place of the kept tree"),
        );
    }
    assert_eq!(siblings(&elsewhere), ["secret.html"]);
    assert_eq!(
        std::fs::read_to_string(elsewhere.join("secret.html")).unwrap(),
        "not the site's"
    );
}

#[test]
fn an_index_in_shards_over_the_cache_is_a_clean_builds_and_an_edit_changes_one_shard() {
    let site = Site::valid();
    // More indexed pages than one shard holds (250).
    site.write_notes(300);
    step(&site, "first build");
    let before = site.output();
    site.edit(
        "content/pages/note-007.md",
        "number 7.",
        "number 7, edited.",
    );
    step(&site, "one page edited");
    let after = site.output();
    let shard = |file: &str| match file["pagefind/".len()..].split_once('/') {
        Some((k, _)) if k.bytes().all(|b| b.is_ascii_digit()) => k.to_string(),
        _ => "0".to_string(),
    };
    let index: Vec<(&str, &[u8])> = after
        .files()
        .filter(|(f, _)| f.starts_with("pagefind/"))
        .collect();
    let remade: std::collections::BTreeSet<String> = index
        .iter()
        .filter(|(f, bytes)| before.bytes(f) != Some(bytes))
        .map(|(f, _)| shard(f))
        .collect();
    assert_eq!(remade.len(), 1, "one shard made again: {remade:?}");
    let kept = index.iter().filter(|(f, _)| !remade.contains(&shard(f)));
    assert!(kept.count() > 0, "the other shards are kept as they were");
}
