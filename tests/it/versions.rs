//! Version history on the fixture site: version pages with word-level diffs, timelines,
//! `/changes/`, Atom feeds, `/api`, excerpt verification and `check`.

use crate::harness::*;
use clausebook::error::{Kind, Severity};

const AUP: &str = "platforms/alpha/documents/aup";

#[test]
fn version_page_shows_a_word_level_diff_with_its_class_note_and_neighbours() {
    let out = &built_valid().tree;
    let html = out.page(&format!("{AUP}/versions/2024-06-01T10-00-00Z/index.html"));
    assert!(html.contains("badge-substantive"), "{html}");
    assert!(
        html.contains("<del>illegal purposes</del>") || html.contains("<del>purposes</del>"),
        "{html}"
    );
    assert!(html.contains("<ins>any </ins>"), "{html}");
    assert!(
        html.contains("Added a rule on bulk messages."),
        "human note"
    );
    assert!(html.contains(
        "rel=\"prev\" href=\"/atlas/platforms/alpha/documents/aup/versions/2024-01-01/\""
    ));
    assert!(html.contains(
        "rel=\"next\" href=\"/atlas/platforms/alpha/documents/aup/versions/2024-07-01T10-00-00Z/\""
    ));
    assert!(
        html.contains("href=\"https://alpha.example/aup\""),
        "source URL"
    );
    assert!(html.contains(">+16</span>"), "words added");
    let formatting = out.page(&format!("{AUP}/versions/2024-07-01T10-00-00Z/index.html"));
    assert!(formatting.contains("badge-formatting") && formatting.contains("No words changed."));
    let noise = out.page(&format!("{AUP}/versions/2024-08-01T10-00-00Z/index.html"));
    assert!(
        noise.contains("badge-noise") && noise.contains("<del>3</del><ins>12</ins>"),
        "{noise}"
    );
    let first = out.page(&format!("{AUP}/versions/2024-01-01/index.html"));
    assert!(first.contains("badge-first") && !first.contains("rel=\"prev\""));
}

#[test]
fn document_page_has_an_svg_timeline_and_classed_version_list() {
    let out = &built_valid().tree;
    let html = out.page(&format!("{AUP}/index.html"));
    let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
    assert_eq!(svg.matches("<circle").count(), 4);
    for class in ["v-first", "v-substantive", "v-formatting", "v-noise"] {
        assert!(svg.contains(class), "{class}");
    }
    assert!(
        svg.contains(
            "href=\"/atlas/platforms/alpha/documents/aup/versions/2024-06-01T10-00-00Z/\""
        )
    );
    assert!(html.contains("4 versions archived since"));
    assert!(
        html.contains("1 substantive change, 1 formatting only, 1 noise."),
        "{html}"
    );
    let platform = out.page("platforms/alpha/index.html");
    assert!(
        platform.contains("class=\"timeline-svg\""),
        "governance timeline"
    );
}

/// The valid fixture with snapshots added to its acceptable use policy: `add` makes them, each
/// a timestamp and a text, from the text of the policy's latest version.
fn with_versions(add: impl Fn(&str) -> Vec<(String, String)>) -> Site {
    let site = Site::valid();
    let snapshots = format!("content/{AUP}/snapshots");
    let latest = site.read(&format!("{snapshots}/2024-08-01T10-00-00Z.md"));
    for (timestamp, text) in add(&latest) {
        site.write(&format!("{snapshots}/{timestamp}.md"), text);
    }
    site
}

/// A forum or a status page archived as a policy can have a thousand substantive versions
/// (Xanga's "privacy policy" in Open Terms Archive: 1,200, a list 73,500 px tall on a phone
/// before the text). The newest 20 entries are listed, the older folded, each version once.
#[test]
fn a_long_version_list_shows_the_newest_entries_and_folds_the_older() {
    let site = with_versions(|latest| {
        (1..=25)
            .map(|day| {
                let rule = format!("Rule {day}: members must not post item number {day} twice.");
                (
                    format!("2025-03-{day:02}T10-00-00Z"),
                    format!("{latest}\n{rule}\n"),
                )
            })
            .collect()
    });
    let html = Built::fresh(&site.root, &[])
        .tree
        .page(&format!("{AUP}/index.html"));
    let list = &html[html.find("id=\"versions-heading\"").unwrap()..html.find("</aside>").unwrap()];
    let (shown, older) = list
        .split_once("<details class=\"older-versions\">")
        .unwrap();
    // 29 versions: the 20 newest substantive changes shown; 5 more and the fixture's 4
    // (first, substantive, formatting, noise) folded.
    assert_eq!(shown.matches("<li class=\"v-").count(), 20, "{shown}");
    assert!(
        older.contains("<summary>9 older versions</summary>"),
        "{older}"
    );
    for day in 1..=25 {
        let link = format!("/versions/2025-03-{day:02}T10-00-00Z/\"");
        assert_eq!(list.matches(&link).count(), 1, "{link}");
        assert_eq!(older.contains(&link), day <= 5, "{link}");
    }
    assert!(
        older.contains("/versions/2024-01-01/\""),
        "the first version, folded"
    );
}

/// A page of `/changes/` can hold nothing but noise (a counter ticking for months: pages 85 to
/// 87 of the OTA archive's): its one fold is open, or the page would look empty.
#[test]
fn a_page_of_changes_that_is_one_fold_shows_it_open() {
    let site = with_versions(|latest| {
        (0..300)
            .map(|n| {
                let (day, hour) = (1 + n / 24, n % 24);
                let text = latest.replace("12 days ago", &format!("{} days ago", 13 + n));
                (format!("2025-06-{day:02}T{hour:02}-00-00Z"), text)
            })
            .collect()
    });
    let out = Built::fresh(&site.root, &[]).tree;
    let pages: Vec<String> = (1..)
        .map(|n| match n {
            1 => "changes/index.html".to_string(),
            n => format!("changes/page/{n}/index.html"),
        })
        .take_while(|page| out.has(page))
        .map(|page| out.page(&page))
        .collect();
    assert!(pages.len() >= 2, "{}", pages.len());
    for page in &pages {
        let changes = page.matches("<li class=\"change\"").count();
        let folds = page.matches("<li class=\"fold\">").count();
        let open = page.matches("<li class=\"fold\"><details open>").count();
        assert_eq!(open, usize::from(changes == 0 && folds == 1), "{page}");
    }
    assert!(
        pages
            .iter()
            .any(|p| p.contains("<li class=\"fold\"><details open>")),
        "one page is all noise"
    );
}

#[test]
fn changes_page_lists_every_version_newest_first_with_noise_folded() {
    let out = &built_valid().tree;
    let html = out.page("changes/index.html");
    let versions = [
        "2025-02-03T04-05-06Z",
        "2024-08-01T10-00-00Z",
        "2024-07-01T10-00-00Z",
        "2024-06-01T10-00-00Z",
        "2024-01-01",
        "2023-05-01",
    ];
    let mut last = 0;
    for ts in versions {
        let at = html
            .find(&format!("/versions/{ts}/"))
            .unwrap_or_else(|| panic!("{ts} missing"));
        assert!(at > last, "{ts} out of order");
        last = at;
    }
    assert_eq!(
        html.matches("<li class=\"change\"").count(),
        1,
        "one substantive change"
    );
    assert_eq!(
        html.matches("<details>").count(),
        2,
        "the others folded, before and after it"
    );
}

#[test]
fn feeds_are_valid_atom_with_substantive_entries_only_and_stable_ids() {
    let out = &built_valid().tree;
    let out2 = &Built::fresh(&fixture("valid"), &[]).tree;
    for feed_path in [
        "atom.xml",
        "platforms/alpha/atom.xml",
        &format!("{AUP}/atom.xml"),
        "provisions/spam/atom.xml",
    ] {
        let xml = out.page(feed_path);
        assert_eq!(xml, out2.page(feed_path), "{feed_path} is deterministic");
        let feed =
            feed_rs::parser::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{feed_path}: {e}"));
        assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
        assert_eq!(feed.entries.len(), 1, "{feed_path}");
        let e = &feed.entries[0];
        assert_eq!(
            e.id,
            "https://example.org/atlas/platforms/alpha/documents/aup/versions/2024-06-01T10-00-00Z/"
        );
        assert_eq!(
            e.updated.unwrap().to_rfc3339(),
            "2024-06-01T10:00:00+00:00",
            "date from the snapshot"
        );
        let summary = e.summary.as_ref().unwrap().content.clone();
        assert!(
            summary.contains("16 words added, 1 word removed"),
            "{summary}"
        );
        assert!(
            summary.contains("Note: Added a rule on bulk messages."),
            "{summary}"
        );
    }
    let empty = feed_rs::parser::parse(out.page("platforms/beta/atom.xml").as_bytes()).unwrap();
    assert!(empty.entries.is_empty(), "a first version is not a change");
    assert_eq!(
        empty.updated.unwrap().to_rfc3339(),
        "2023-05-01T00:00:00+00:00"
    );
}

/// A watcher can follow one clause (the passage it quotes) or one regulation (the policies its
/// clauses quote), and every page names the feed that follows it.
#[test]
fn clauses_and_regulations_have_feeds_each_page_advertises_its_own() {
    let out = &built_valid().tree;
    let parse = |path: &str| {
        feed_rs::parser::parse(out.page(path).as_bytes()).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let clause = parse("platforms/alpha/clauses/messaging-abuse/atom.xml");
    assert_eq!(clause.entries.len(), 1, "one change to the quoted passage");
    let e = &clause.entries[0];
    assert_eq!(
        e.id,
        "https://example.org/atlas/platforms/alpha/documents/aup/versions/2024-06-01T10-00-00Z/"
    );
    let summary = &e.summary.as_ref().unwrap().content;
    assert!(
        summary.starts_with("7 words added, 0 words removed, in the passage"),
        "{summary}"
    );
    let unchanged = parse("platforms/beta/clauses/spam/atom.xml");
    assert!(unchanged.entries.is_empty(), "its passage never changed");
    let regulation = parse("regulations/can-spam/atom.xml");
    assert!(regulation.title.unwrap().content.contains("CAN-SPAM"));

    for (page, feed) in [
        (
            "platforms/alpha/clauses/messaging-abuse/index.html",
            "platforms/alpha/clauses/messaging-abuse/atom.xml",
        ),
        (
            "regulations/can-spam/index.html",
            "regulations/can-spam/atom.xml",
        ),
        (&format!("{AUP}/index.html"), &format!("{AUP}/atom.xml")),
        ("provisions/spam/index.html", "provisions/spam/atom.xml"),
        ("platforms/alpha/index.html", "platforms/alpha/atom.xml"),
    ] {
        let html = out.page(page);
        let href = format!("href=\"/atlas/{feed}\"");
        let head = &html[..html.find("</head>").unwrap()];
        assert!(
            head.contains("rel=\"alternate\" type=\"application/atom+xml\" title=")
                && head.contains(&href),
            "{page} advertises {feed} in its head"
        );
        let body = &html[html.find("<body>").unwrap()..];
        assert!(
            body.contains(&format!("class=\"feed-link\" {href}")),
            "{page} links {feed}"
        );
    }
    let home = out.page("index.html");
    assert_eq!(
        home.matches("application/atom+xml").count(),
        1,
        "the site feed once"
    );
}

/// What a link preview, a search engine or a citation needs: the summary (as plain text) for the
/// description, Open Graph and Twitter card tags, and on a clause page a "cite this" block with
/// its permalink and the version its excerpt was verified against.
#[test]
fn pages_carry_publishing_metadata_and_clause_pages_a_citation() {
    let out = &built_valid().tree;
    let html = out.page("platforms/alpha/clauses/messaging-abuse/index.html");
    let head = &html[..html.find("</head>").unwrap()];
    let url = "https://example.org/atlas/platforms/alpha/clauses/messaging-abuse/";
    for tag in [
        "<meta name=\"description\" content=\"This clause prohibits spam sent through Alpha&#39;s services.\">".to_string(),
        "<meta property=\"og:title\" content=\"Messaging abuse — Alpha Cloud\">".to_string(),
        "<meta property=\"og:description\" content=\"This clause prohibits spam".to_string(),
        format!("<meta property=\"og:url\" content=\"{url}\">"),
        "<meta name=\"twitter:card\" content=\"summary\">".to_string(),
        format!("<link rel=\"canonical\" href=\"{url}\">"),
    ] {
        assert!(head.contains(&tag), "{tag} in {head}");
    }
    let cite = &html[html.find("id=\"cite-heading\"").expect("a cite block")..];
    let cite = &cite[..cite.find("</section>").unwrap()];
    assert!(
        cite.contains("excerpt verified against the version of 1 August 2024"),
        "{cite}"
    );
    assert!(
        cite.contains(&format!("<a href=\"{url}\">{url}</a>")),
        "{cite}"
    );
}

/// A theme fills base.html's blocks without copying it: more of the head, scripts, and the
/// footer extended with `super()`.
#[test]
fn a_theme_fills_the_blocks_of_base_html() {
    let site = Site::valid();
    site.append("content/site.yaml", "theme: house\n");
    site.write(
        "themes/house/templates/page.html",
        "{% extends \"base.html\" %}{% block head %}<meta name=\"x-house\" content=\"1\">{% endblock head %}{% block content %}{{ body | safe }}{% endblock content %}{% block footer %}{{ super() }}<p class=\"house-footer\">House</p>{% endblock footer %}{% block scripts %}<script src=\"/atlas/house.js\"></script>{% endblock scripts %}",
    );
    let (code, stderr) = site.build(&[]);
    assert_eq!(code, 0, "{stderr}");
    let html = site.output().page("methodology/index.html");
    let head_end = html.find("</head>").unwrap();
    assert!(html[..head_end].contains("<meta name=\"x-house\" content=\"1\">"));
    assert!(
        html[..head_end].contains("style.css"),
        "the styles block keeps its default"
    );
    let footer = html
        .find("class=\"site-footer\"")
        .expect("the built-in footer, by super()");
    let house = html.find("house-footer").unwrap();
    let script = html.find("house.js").unwrap();
    assert!(footer < house && house < script && script < html.find("</body>").unwrap());
}

#[test]
fn api_lists_clauses_documents_platforms_and_provisions() {
    let out = &built_valid().tree;
    let json = |name: &str| -> serde_json::Value {
        serde_json::from_str(&out.page(&format!("api/{name}.json"))).unwrap()
    };
    let clauses = json("clauses");
    let illegal = clauses
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "illegal-use")
        .unwrap();
    assert_eq!(
        *illegal,
        serde_json::json!({
            "platform": "alpha", "id": "illegal-use", "title": "Illegal use", "document": "aup", "provision": "other",
            "url": "https://example.org/atlas/platforms/alpha/clauses/illegal-use/",
            "verification": {"state": "changed", "snapshot": "2024-01-01", "first_seen": "2024-01-01"}
        })
    );
    let states: Vec<&str> = clauses
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["verification"]["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        ["changed", "verified", "verified", "verified", "verified"]
    );
    let documents = json("documents");
    let aup = &documents[0];
    assert_eq!(aup["type"], "Acceptable Use Policy");
    assert_eq!(aup["source"], "https://alpha.example/aup");
    assert_eq!(
        aup["url"],
        "https://example.org/atlas/platforms/alpha/documents/aup/"
    );
    let classes: Vec<&str> = aup["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["class"].as_str().unwrap())
        .collect();
    assert_eq!(classes, ["first", "substantive", "formatting", "noise"]);
    assert_eq!(aup["versions"][1]["words_added"], 16);
    assert_eq!(
        aup["versions"][1]["url"],
        "https://example.org/atlas/platforms/alpha/documents/aup/versions/2024-06-01T10-00-00Z/"
    );
    assert_eq!(
        json("platforms")[0]["documents"],
        serde_json::json!(["aup"])
    );
    assert_eq!(json("provisions").as_array().unwrap().len(), 4);
}

#[test]
fn clause_page_shows_verification_and_the_passage_history() {
    let out = &built_valid().tree;
    let verified = out.page("platforms/alpha/clauses/messaging-abuse/index.html");
    assert!(verified.contains("verification-verified"));
    assert!(verified.contains("Alpha Corp has changed this document 1 time since"));
    let changed = out.page("platforms/alpha/clauses/illegal-use/index.html");
    assert!(changed.contains("verification-changed"), "{changed}");
    let history = &changed[changed.find("Changes to this clause").unwrap()..];
    assert!(history.contains("Version of 1 June 2024"));
    assert!(history.contains("<ins>any </ins>"), "{history}");
}

#[test]
fn excerpt_not_found_warns_in_build_and_fails_check() {
    let site = Site::valid();
    site.edit(
        "content/platforms/beta/clauses/spam.yaml",
        "Do not send spam",
        "Never ever send spam",
    );
    let built = clausebook::build(&site.root, &Default::default()).unwrap();
    let warnings: Vec<_> = built
        .report
        .warnings
        .iter()
        .map(|w| (w.kind, w.severity))
        .collect();
    // The valid site's `illegal-use` quotes an older version of its document: out of date.
    assert_eq!(
        warnings,
        [
            (Kind::ExcerptChanged, Severity::Warning),
            (Kind::ExcerptNotFound, Severity::Warning)
        ]
    );
    let (code, err) = site.build(&[]);
    assert_eq!(code, 0, "{err}");
    let place = "content/platforms/beta/clauses/spam.yaml:4:10:";
    assert!(
        diagnostic_at(&err, place).is_some_and(|w| w.starts_with("warning: excerpt not found")),
        "{err}"
    );
    let (code, stderr) = site.check();
    assert_eq!(code, 1);
    assert!(
        diagnostic_at(&stderr, place).is_some_and(|e| e.starts_with("error: excerpt not found")),
        "{stderr}"
    );
    let api: serde_json::Value =
        serde_json::from_str(&site.output().page("api/clauses.json")).unwrap();
    assert!(
        api.as_array()
            .unwrap()
            .iter()
            .any(|c| c["verification"]["state"] == "not-found")
    );
}
