//! Editing in git, through the binary: a site in a repository made in the test (commits at fixed
//! times) dates its clause pages and sitemap from its history, a later commit moves them, a site
//! in a subfolder needs `git_info: true`, a build without git gives the same pages without
//! dates; `repository` and `edit_url` give every record's page its edit link, and bad values are
//! errors at their line.

use crate::harness::*;
use std::process::Command;

const CLAUSE: &str = "content/platforms/example-social/clauses/account-termination.yaml";
const CLAUSE_PAGE: &str = "platforms/example-social/clauses/account-termination/index.html";
const OTHER_CLAUSE_PAGE: &str = "platforms/example-social/clauses/content-licence/index.html";

/// The starter site in a git repository of its own, with `extra` appended to its `site.yaml`,
/// every file committed on 1 March 2024 at 10:00 UTC.
fn committed_starter(extra: &str) -> (tempfile::TempDir, Repository) {
    let (tmp, site) = starter_site();
    let site_yaml = site.join("content/site.yaml");
    let text = std::fs::read_to_string(&site_yaml).unwrap();
    std::fs::write(&site_yaml, text + extra).unwrap();
    let repo = Repository::new(&site);
    repo.commit(".", "2024-03-01T10:00:00Z");
    (tmp, repo)
}

/// The `<lastmod>` of the page at `route` (under `https://example.org/`) in a sitemap.
#[track_caller]
fn lastmod(sitemap: &str, route: &str) -> Option<String> {
    let loc = format!("<loc>https://example.org/{route}</loc>");
    let Some(entry) = sitemap.lines().find(|l| l.contains(&loc)) else {
        panic!("{route} is not in the sitemap:\n{sitemap}");
    };
    let (_, rest) = entry.split_once("<lastmod>")?;
    rest.split('<').next().map(str::to_string)
}

/// The clause page's "Analysis last changed" date: its `datetime` and the date shown.
fn analysis_changed(page: &str) -> Option<(&str, &str)> {
    let (_, rest) = page.split_once("Analysis last changed on <time datetime=\"")?;
    let (iso, rest) = rest.split_once("\">")?;
    Some((iso, rest.split_once("</time>")?.0))
}

#[test]
fn a_site_in_git_dates_its_clause_pages_and_sitemap_from_its_history() {
    let (_tmp, repo) = committed_starter("repository: \"https://github.com/example/watch\"\n");
    let out = Built::fresh(&repo.0, &[]).tree;
    let first = Some(("2024-03-01T10:00:00Z", "1 March 2024"));
    assert_eq!(analysis_changed(&out.page(CLAUSE_PAGE)), first);
    insta::assert_snapshot!("clause_page_in_git", out.page(CLAUSE_PAGE));
    let sitemap = out.page("sitemap.xml");
    let committed = Some("2024-03-01T10:00:00Z".to_string());
    // The document's latest version, observed after the commit, dates its clauses and itself.
    let observed = Some("2025-01-16T08:00:00Z".to_string());
    for (route, expected) in [
        (
            "platforms/example-social/clauses/account-termination/",
            &observed,
        ),
        (
            "platforms/example-social/documents/terms-of-service/",
            &observed,
        ),
        ("platforms/example-social/", &committed),
        ("provisions/content-licence/", &committed),
        ("regulations/eu-digital-services-act/", &committed),
        ("methodology/", &committed),
        ("", &None),
        (
            "platforms/example-social/documents/terms-of-service/versions/2025-01-16T08-00-00Z/",
            &None,
        ),
    ] {
        assert_eq!(&lastmod(&sitemap, route), expected, "{route}");
    }

    // A later commit to one clause moves its dates, and only its.
    let text = std::fs::read_to_string(repo.0.join(CLAUSE)).unwrap();
    std::fs::write(
        repo.0.join(CLAUSE),
        text + "# Reviewed again in June 2025.\n",
    )
    .unwrap();
    repo.commit(CLAUSE, "2025-06-01T09:30:00Z");
    let out = Built::fresh(&repo.0, &[]).tree;
    let later = Some(("2025-06-01T09:30:00Z", "1 June 2025"));
    assert_eq!(analysis_changed(&out.page(CLAUSE_PAGE)), later);
    assert_eq!(analysis_changed(&out.page(OTHER_CLAUSE_PAGE)), first);
    let sitemap = out.page("sitemap.xml");
    let clauses = "platforms/example-social/clauses";
    assert_eq!(
        lastmod(&sitemap, &format!("{clauses}/account-termination/")).as_deref(),
        Some("2025-06-01T09:30:00Z")
    );
    assert_eq!(
        lastmod(&sitemap, &format!("{clauses}/content-licence/")),
        observed
    );
}

#[test]
fn a_site_in_a_subfolder_of_a_repository_has_dates_with_git_info() {
    let (tmp, site) = starter_site();
    let repo = Repository::new(tmp.path());
    repo.commit("site", "2024-03-01T10:00:00Z");
    let out = Built::fresh(&site, &[]).tree;
    assert_eq!(
        analysis_changed(&out.page(CLAUSE_PAGE)),
        None,
        "not the top"
    );
    assert_eq!(
        lastmod(&out.page("sitemap.xml"), "platforms/example-social/"),
        None
    );

    let site_yaml = site.join("content/site.yaml");
    let text = std::fs::read_to_string(&site_yaml).unwrap();
    let keys =
        "git_info: true\nedit_url: \"https://git.example.org/watch/_edit/main/site/{path}\"\n";
    std::fs::write(&site_yaml, text + keys).unwrap();
    let out = Built::fresh(&site, &[]).tree;
    let page = out.page(CLAUSE_PAGE);
    assert_eq!(
        analysis_changed(&page),
        Some(("2024-03-01T10:00:00Z", "1 March 2024"))
    );
    let edit = format!("https://git.example.org/watch/_edit/main/site/{CLAUSE}");
    assert!(
        page.contains(&format!("<a href=\"{edit}\">Suggest a correction</a>")),
        "{page}"
    );
    assert!(
        !page.contains(">Source</a>"),
        "no repository, no footer link"
    );
}

#[test]
fn without_git_on_path_a_site_in_git_builds_the_same_pages_without_dates() {
    let (tmp, repo) = committed_starter("");
    let empty = tmp.path().join("no-programs");
    std::fs::create_dir(&empty).unwrap();
    let out = tmp.path().join("out");
    let mut command = Command::new(bin());
    command
        .arg("build")
        .arg("--root")
        .arg(&repo.0)
        .arg("--output")
        .arg(&out);
    command.env("PATH", &empty);
    let (code, stderr) = run_to_end(command);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !stderr.contains("warning") && !stderr.contains("git"),
        "{stderr}"
    );
    let without_git = Tree::read(&out);
    assert_eq!(analysis_changed(&without_git.page(CLAUSE_PAGE)), None);

    let with_git = Built::fresh(&repo.0, &[]).tree;
    assert!(analysis_changed(&with_git.page(CLAUSE_PAGE)).is_some());
    let text = std::fs::read_to_string(repo.0.join("content/site.yaml")).unwrap();
    std::fs::write(repo.0.join("content/site.yaml"), text + "git_info: false\n").unwrap();
    assert!(
        Built::fresh(&repo.0, &[]).tree == without_git,
        "git_info: false"
    );
}

/// The valid fixture's pages made from one file, each with its file under `content/`.
const RECORD_PAGES: [(&str, &str); 6] = [
    (
        "platforms/alpha/clauses/messaging-abuse/index.html",
        "platforms/alpha/clauses/messaging-abuse.yaml",
    ),
    (
        "platforms/alpha/index.html",
        "platforms/alpha/platform.yaml",
    ),
    (
        "platforms/alpha/documents/aup/index.html",
        "platforms/alpha/documents/aup/document.yaml",
    ),
    ("provisions/spam/index.html", "provisions/spam.yaml"),
    (
        "regulations/can-spam/index.html",
        "regulations/can-spam.yaml",
    ),
    ("methodology/index.html", "pages/methodology.md"),
];

#[test]
fn repository_and_edit_url_give_each_record_page_its_edit_link() {
    let site = Site::valid();
    let site_yaml = site.read("content/site.yaml");
    // The keys, the edit link of the file `F`, and the repository the footer links.
    for (keys, edit, source) in [
        (
            "repository: https://github.com/org/atlas\n",
            "https://github.com/org/atlas/edit/main/content/F",
            Some("https://github.com/org/atlas"),
        ),
        (
            "repository: https://gitlab.com/org/atlas/\n",
            "https://gitlab.com/org/atlas/-/edit/main/content/F",
            Some("https://gitlab.com/org/atlas/"),
        ),
        (
            "repository: https://codeberg.org/org/atlas\n",
            "https://codeberg.org/org/atlas/_edit/main/content/F",
            Some("https://codeberg.org/org/atlas"),
        ),
        (
            "repository: https://git.example.org/atlas\nedit_url: https://git.example.org/atlas/edit/{path}?ref=draft\n",
            "https://git.example.org/atlas/edit/content/F?ref=draft",
            Some("https://git.example.org/atlas"),
        ),
        (
            "edit_url: https://example.org/edit?file={path}\n",
            "https://example.org/edit?file=content/F",
            None,
        ),
    ] {
        site.write("content/site.yaml", format!("{site_yaml}{keys}"));
        let (code, stderr) = site.build(&[]);
        assert_eq!(code, 0, "{keys}: {stderr}");
        let out = site.output();
        for (page, file) in RECORD_PAGES {
            let link = format!(
                "<a href=\"{}\">Suggest a correction</a>",
                edit.replace('F', file)
            );
            assert!(
                out.page(page).contains(&link),
                "{keys}: {page} lacks {link}"
            );
        }
        let versions = "platforms/alpha/documents/aup/versions";
        for page in [
            "index.html",
            "compare/index.html",
            &format!("{versions}/2024-01-01/index.html"),
        ] {
            assert!(
                !out.page(page).contains("Suggest a correction"),
                "{keys}: {page}"
            );
        }
        let footer = out.page("index.html");
        match source {
            Some(url) => assert!(
                footer.contains(&format!("<a href=\"{url}\">Source</a>")),
                "{keys}"
            ),
            None => assert!(!footer.contains(">Source</a>"), "{keys}"),
        }
    }
}

#[test]
fn an_unknown_host_without_edit_url_and_a_bad_edit_url_are_errors_at_their_line() {
    let site = Site::valid();
    let site_yaml = site.read("content/site.yaml");
    let line = site_yaml.lines().count() + 1;
    for (keys, words) in [
        (
            "repository: https://git.example.org/atlas\n",
            "set edit_url",
        ),
        (
            "repository: \"https://github.com/org/atlas?tab=readme\"\n",
            "query",
        ),
        (
            "edit_url: \"javascript:alert('{path}')\"\n",
            "it is not an absolute http:// or https:// URL",
        ),
        (
            "edit_url: https://github.com/org/atlas/edit/main/\n",
            "has no `{path}`",
        ),
    ] {
        site.write("content/site.yaml", format!("{site_yaml}{keys}"));
        let (code, stderr) = site.check();
        assert_eq!(code, 1, "{keys}: {stderr}");
        assert_diagnostic(keys, &stderr, &format!("site.yaml:{line}:"), words);
    }
}

#[cfg(feature = "serve")]
#[test]
fn serve_shows_the_dates_of_a_site_in_git() {
    let (_tmp, repo) = committed_starter("");
    let server = Server::start(&repo.0, &[]);
    let page = http(
        server.port,
        "GET",
        "/platforms/example-social/clauses/account-termination/",
    );
    assert_eq!(
        analysis_changed(&page.text()),
        Some(("2024-03-01T10:00:00Z", "1 March 2024"))
    );
}
