//! `clausebook build` on the valid fixture site.

use crate::harness::*;

#[test]
fn builds_every_page_of_the_fixture() {
    let built = built_valid();
    for page in [
        "index.html",
        "404.html",
        "platforms/index.html",
        "platforms/alpha/index.html",
        "platforms/alpha/documents/aup/index.html",
        "platforms/alpha/clauses/messaging-abuse/index.html",
        "platforms/beta/documents/terms/index.html",
        "platforms/gamma/documents/policy/index.html",
        "provisions/index.html",
        "provisions/spam/index.html",
        "regulations/index.html",
        "regulations/can-spam/index.html",
        "compare/index.html",
        "methodology/index.html",
        "old/messaging/index.html",
        "sitemap.xml",
        "robots.txt",
        "style.css",
        ".clausebook",
    ] {
        assert!(built.tree.has(page), "missing {page}");
    }
    // Drafts only with --drafts.
    assert!(
        !built
            .tree
            .files()
            .any(|(file, _)| file.starts_with("platforms/alpha/clauses/unreleased"))
    );
    assert!(built.stderr.contains("Built"), "{}", built.stderr);
}

/// Regression (29a80af): the live reload client belongs to `serve` responses only; built files
/// once carried it.
#[test]
fn built_pages_never_carry_the_live_reload_client() {
    for (file, bytes) in built_valid().tree.files() {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("EventSource") && !text.contains("__clausebook"),
            "{file}"
        );
    }
}

#[test]
fn drafts_are_built_with_the_flag() {
    let built = Built::fresh(&fixture("valid"), &["--drafts"]);
    assert!(
        built
            .tree
            .has("platforms/alpha/clauses/unreleased/index.html")
    );
}

#[test]
fn all_links_work_under_a_subpath_base_url() {
    let out = &built_valid().tree;
    assert_eq!(broken_links(out, "/atlas/"), Vec::<String>::new());
    let clause = out.page("platforms/alpha/clauses/messaging-abuse/index.html");
    assert!(clause.contains("href=\"/atlas/style.css\""));
    assert!(clause.contains("<link rel=\"canonical\" href=\"https://example.org/atlas/platforms/alpha/clauses/messaging-abuse/\">"));
    // Markdown links written root-relative in content follow the subpath too.
    let provision = out.page("provisions/spam/index.html");
    assert!(
        provision.contains("href=\"/atlas/methodology/\""),
        "{provision}"
    );
    let sitemap = out.page("sitemap.xml");
    assert!(
        sitemap.contains(
            "<loc>https://example.org/atlas/platforms/alpha/clauses/messaging-abuse/</loc>"
        )
    );
    assert!(
        !sitemap.contains("old/messaging"),
        "redirects are not in the sitemap"
    );
    assert!(
        out.page("robots.txt")
            .contains("Sitemap: https://example.org/atlas/sitemap.xml")
    );
}

#[test]
fn base_url_flag_overrides_site_yaml() {
    let out = Built::fresh(&fixture("valid"), &["--base-url", "http://localhost:8000"]).tree;
    assert_eq!(broken_links(&out, "/"), Vec::<String>::new());
    assert!(
        out.page("index.html")
            .contains("href=\"http://localhost:8000/\"")
    );
}

/// Regression (9129a47): a bad `--base-url` was reported as a content error (exit 1).
#[test]
fn a_bad_base_url_flag_is_a_usage_error_not_a_content_error() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, err) = build(
        &fixture("valid"),
        &tmp.path().join("out"),
        &["--base-url", "localhost"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("--base-url"), "{err}");
}

#[test]
fn build_twice_is_byte_identical() {
    let a = &built_valid().tree;
    let b = Built::fresh(&fixture("valid"), &[]).tree;
    assert!(a.len() > 20);
    let names = |t: &Tree| t.files().map(|(k, _)| k.to_string()).collect::<Vec<_>>();
    assert_eq!(names(a), names(&b));
    for ((k, v), (_, w)) in a.files().zip(b.files()) {
        assert!(v == w, "{k} differs between two builds");
    }
}

#[test]
fn content_text_is_escaped_and_markdown_sanitised() {
    let out = &built_valid().tree;
    for (file, bytes) in out.files() {
        if file.ends_with(".html") {
            // The search page's one script is the theme's own file, the same on every site.
            let html = String::from_utf8_lossy(bytes).replace(
                "<script type=\"module\" src=\"/atlas/search.js\"></script>",
                "",
            );
            assert_no_active_content(file, &html);
        }
    }
    let clause = out.page("platforms/gamma/clauses/child-safety/index.html");
    let doc = scraper::Html::parse_document(&clause);
    let h1 = doc
        .select(&scraper::Selector::parse("h1").unwrap())
        .next()
        .unwrap();
    assert_eq!(
        h1.text().collect::<String>(),
        "Child safety <script>alert(\"title\")</script>",
        "title shown as text"
    );
    assert!(
        clause.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "excerpt is escaped text"
    );
    assert!(
        clause.contains("<b>bold</b>"),
        "harmless markup survives sanitising"
    );
    assert!(clause.contains("Gamma &amp; Sons"), "owner is escaped");
    let doc = out.page("platforms/gamma/documents/policy/index.html");
    assert!(
        doc.contains("Never share content that sexualises minors."),
        "HTML snapshot text is shown"
    );
}

/// Regression (b8b0c91): the platform name `Gamma <Chat>` vanished from the independence
/// answer, read as a tag; names are text wherever they are substituted.
#[test]
fn a_platform_name_with_a_less_than_sign_stays_in_the_independence_answer() {
    let clause = built_valid()
        .tree
        .page("platforms/gamma/clauses/child-safety/index.html");
    assert!(
        clause.contains(
            "No. Test Atlas is independent of Gamma &amp; Sons and of Gamma &lt;Chat&gt;."
        ),
        "{clause}"
    );
}

/// No element or attribute of `html` can run code but the theme's own scripts, files of the
/// site's own (`changes.js`): no other script, no iframe, object or embed, no event handler
/// attribute, no `javascript:` URL. Checked on the parsed document, so escaped text that merely
/// mentions them passes.
fn assert_no_active_content(file: &str, html: &str) {
    let doc = scraper::Html::parse_document(html);
    for el in doc
        .root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
    {
        let name = el.value().name();
        let themes_own = name == "script"
            && el.text().next().is_none()
            && el
                .value()
                .attr("src")
                .is_some_and(|src| src.starts_with("/atlas/") && src.ends_with(".js"));
        assert!(
            themes_own
                || !matches!(
                    name,
                    "script" | "iframe" | "object" | "embed" | "frame" | "style"
                ),
            "{file}: <{name}>"
        );
        for (attr, value) in el.value().attrs() {
            assert!(
                !attr.to_ascii_lowercase().starts_with("on"),
                "{file}: <{name} {attr}=…>"
            );
            assert!(
                !value.trim().to_ascii_lowercase().starts_with("javascript:"),
                "{file}: {attr}={value}"
            );
        }
    }
}

#[test]
fn clause_page_has_every_section_in_order() {
    let html = built_valid()
        .tree
        .page("platforms/alpha/clauses/messaging-abuse/index.html");
    assert_sections_in_order(&html);
    assert!(
        html.contains("This analysis describes what Alpha Corp's agreement states."),
        "owner substituted"
    );
    assert!(html.contains("— Excerpt from Alpha Corp's <a href=\"/atlas/platforms/alpha/documents/aup/\">Alpha Acceptable Use Policy</a>"), "{html}");
    assert!(html.contains("Alpha Corp has changed this document 1 time since <time datetime=\"2024-01-01\">1 January 2024</time>"), "{html}");
    assert!(html.contains("across 2 platforms"));
    assert!(html.contains("Is Test Atlas affiliated with Alpha Corp?"));
    assert!(html.contains("No. Test Atlas is independent of Alpha Corp and of Alpha Cloud."));
    // Related: same provision first (beta's spam clause), then same group (beta's scraping).
    let related = &html[html.find("How other platforms handle this").unwrap()
        ..html.find("id=\"monitoring-heading\"").unwrap()];
    let spam = related.find("/atlas/platforms/beta/clauses/spam/").unwrap();
    let scraping = related
        .find("/atlas/platforms/beta/clauses/scraping/")
        .unwrap();
    assert!(spam < scraping);
    assert!(
        !related.contains("/platforms/alpha/"),
        "only other platforms"
    );
    assert!(
        html.contains("Snapshots from <a href=\"https://opentermsarchive.org/\""),
        "footer attribution"
    );
}

#[test]
fn aliases_redirect_to_the_clause() {
    let html = built_valid().tree.page("old/messaging/index.html");
    assert!(
        html.contains("content=\"0; url=/atlas/platforms/alpha/clauses/messaging-abuse/\""),
        "{html}"
    );
}

#[test]
fn theme_overrides_templates_and_static_files_one_by_one() {
    let site = Site::valid();
    site.append("content/site.yaml", "theme: house\n");
    site.write("themes/house/templates/page.html", HOUSE_THEME_PAGE);
    site.write("themes/house/static/img/logo.svg", "<svg/>");
    let (code, err) = site.build(&[]);
    assert_eq!(code, 0, "{err}");
    let out = site.output();
    assert!(
        out.page("methodology/index.html")
            .contains("<h1 class=\"house\">Methodology</h1>")
    );
    assert!(
        out.page("index.html").contains("class=\"hero\""),
        "other templates stay built-in"
    );
    assert_eq!(out.page("img/logo.svg"), "<svg/>");
    assert!(out.has("style.css"));
}

/// The progress line is for terminals only: a build whose stderr is a pipe (CI, a log) prints
/// its summary and nothing else, though the sample site takes long enough to show progress.
#[test]
fn a_build_not_on_a_terminal_prints_no_progress_line() {
    let stderr = &built_sample().stderr;
    assert!(stderr.starts_with("Built "), "{stderr}");
    assert!(
        !stderr.contains('\r') && !stderr.contains('\u{1b}') && !stderr.contains("documents"),
        "{stderr:?}"
    );
}

/// A site that only follows documents (an Open Terms Archive import: no provision type, no
/// clause, platforms without an owner of their own) once got a comparison of 384 empty rows, a
/// button to it on its home page, and cards reading "AdMob · AdMob · 0 clauses".
#[test]
fn a_site_of_documents_only_says_so_instead_of_an_empty_comparison() {
    let out = &built_fidelity().tree;
    let compare = out.page("compare/index.html");
    assert!(!compare.contains("<table"), "{compare}");
    assert!(
        compare.contains("No provision types defined yet"),
        "{compare}"
    );
    let home = out.page("index.html");
    assert!(!home.contains("Compare platforms side by side"), "{home}");
    assert!(home.contains("No provision types defined yet."), "{home}");
    // A platform with no owner of its own is its own owner: named once on its card.
    assert!(home.contains("<p class=\"muted\">OpenAI · "), "{home}");
    assert!(!home.contains("<p class=\"muted\">Binance · "), "{home}");
    let platforms = out.page("platforms/index.html");
    assert!(
        !platforms.contains("<p class=\"muted\">Binance</p>"),
        "{platforms}"
    );
    let valid = built_valid().tree.page("compare/index.html");
    assert!(
        valid.contains("<table class=\"matrix\">"),
        "a site with provision types"
    );
}

/// A home page lists the first 24 platforms and links to them all: the archive's 384 cards came
/// before its latest changes, 40,000 px down on a phone.
#[test]
fn the_home_page_shows_24_platforms_and_links_to_all() {
    let site = Site::valid();
    for n in 0..30 {
        site.write(
            &format!("content/platforms/extra-{n:02}/platform.yaml"),
            format!("name: Extra {n:02}\nurl: https://extra{n}.example/\n"),
        );
    }
    let home = Built::fresh(&site.root, &[]).tree.page("index.html");
    assert_eq!(home.matches("<li class=\"card\">").count(), 24, "{home}");
    assert!(
        home.contains("<a href=\"/atlas/platforms/\">All 33 platforms</a>"),
        "{home}"
    );
    let small = built_valid().tree.page("index.html");
    assert_eq!(small.matches("<li class=\"card\">").count(), 3, "{small}");
    assert!(!small.contains("All 3 platforms"), "{small}");
}
