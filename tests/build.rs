//! Integration tests of `clausebook build` on the valid fixture site.

mod common;
use common::*;

#[test]
fn builds_every_page_of_the_fixture() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, err) = build(&fixture("valid"), &out, &[]);
    assert_eq!(code, 0, "{err}");
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
        assert!(out.join(page).is_file(), "missing {page}");
    }
    // Drafts only with --drafts.
    assert!(!out.join("platforms/alpha/clauses/unreleased").exists());
    // The live reload client belongs to `serve` responses only.
    for (file, bytes) in read_tree(&out) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("EventSource") && !text.contains("__clausebook"),
            "{file}"
        );
    }
    assert!(err.contains("Built"), "{err}");
}

#[test]
fn drafts_are_built_with_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, err) = build(&fixture("valid"), &out, &["--drafts"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.join("platforms/alpha/clauses/unreleased/index.html")
            .is_file()
    );
}

#[test]
fn all_links_work_under_a_subpath_base_url() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_eq!(build(&fixture("valid"), &out, &[]).0, 0);
    assert_eq!(broken_links(&out, "/atlas/"), Vec::<String>::new());
    let clause = page(&out, "platforms/alpha/clauses/messaging-abuse/index.html");
    assert!(clause.contains("href=\"/atlas/style.css\""));
    assert!(clause.contains("<link rel=\"canonical\" href=\"https://example.org/atlas/platforms/alpha/clauses/messaging-abuse/\">"));
    // Markdown links written root-relative in content follow the subpath too.
    let provision = page(&out, "provisions/spam/index.html");
    assert!(
        provision.contains("href=\"/atlas/methodology/\""),
        "{provision}"
    );
    let sitemap = page(&out, "sitemap.xml");
    assert!(
        sitemap.contains(
            "<loc>https://example.org/atlas/platforms/alpha/clauses/messaging-abuse/</loc>"
        )
    );
    assert!(
        !sitemap.contains("old/messaging"),
        "redirects are not in the sitemap"
    );
    assert!(page(&out, "robots.txt").contains("Sitemap: https://example.org/atlas/sitemap.xml"));
}

#[test]
fn base_url_flag_overrides_site_yaml() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_eq!(
        build(
            &fixture("valid"),
            &out,
            &["--base-url", "http://localhost:8000"]
        )
        .0,
        0
    );
    assert_eq!(broken_links(&out, "/"), Vec::<String>::new());
    assert!(page(&out, "index.html").contains("href=\"http://localhost:8000/\""));
    let (code, err) = build(
        &fixture("valid"),
        &tmp.path().join("o2"),
        &["--base-url", "localhost"],
    );
    // A bad flag is a usage error (exit 2), not a content error.
    assert_eq!(code, 2);
    assert!(err.contains("--base-url"), "{err}");
}

#[test]
fn build_twice_is_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    assert_eq!(build(&fixture("valid"), &a, &[]).0, 0);
    assert_eq!(build(&fixture("valid"), &b, &[]).0, 0);
    let (ta, tb) = (read_tree(&a), read_tree(&b));
    assert!(ta.len() > 20);
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (k, v) in &ta {
        assert!(tb[k] == *v, "{k} differs between two builds");
    }
}

#[test]
fn content_text_is_escaped_and_markdown_sanitised() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_eq!(build(&fixture("valid"), &out, &[]).0, 0);
    for (file, bytes) in read_tree(&out) {
        if file.ends_with(".html") {
            assert_no_active_content(&file, &String::from_utf8_lossy(&bytes));
        }
    }
    let clause = page(&out, "platforms/gamma/clauses/child-safety/index.html");
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
    let doc = page(&out, "platforms/gamma/documents/policy/index.html");
    assert!(
        doc.contains("Never share content that sexualises minors."),
        "HTML snapshot text is shown"
    );
}

/// No element or attribute of `html` can run code: no script, iframe, object or embed, no event
/// handler attribute, no `javascript:` URL. Checked on the parsed document, so escaped text that
/// merely mentions them passes.
fn assert_no_active_content(file: &str, html: &str) {
    let doc = scraper::Html::parse_document(html);
    for el in doc
        .root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
    {
        let name = el.value().name();
        assert!(
            !matches!(
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
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_eq!(build(&fixture("valid"), &out, &[]).0, 0);
    let html = page(&out, "platforms/alpha/clauses/messaging-abuse/index.html");
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
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_eq!(build(&fixture("valid"), &out, &[]).0, 0);
    let html = page(&out, "old/messaging/index.html");
    assert!(
        html.contains("content=\"0; url=/atlas/platforms/alpha/clauses/messaging-abuse/\""),
        "{html}"
    );
}

#[test]
fn theme_overrides_templates_and_static_files_one_by_one() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    copy_tree(&fixture("valid"), &root);
    let yaml = std::fs::read_to_string(root.join("content/site.yaml")).unwrap() + "theme: house\n";
    std::fs::write(root.join("content/site.yaml"), yaml).unwrap();
    let theme = root.join("themes/house");
    std::fs::create_dir_all(theme.join("templates")).unwrap();
    std::fs::create_dir_all(theme.join("static/img")).unwrap();
    std::fs::write(theme.join("templates/page.html"), "{% extends \"base.html\" %}{% block content %}<h1 class=\"house\">{{ title }}</h1>{% endblock content %}").unwrap();
    std::fs::write(theme.join("static/img/logo.svg"), "<svg/>").unwrap();
    let out = tmp.path().join("out");
    let (code, err) = build(&root, &out, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(page(&out, "methodology/index.html").contains("<h1 class=\"house\">Methodology</h1>"));
    assert!(
        page(&out, "index.html").contains("class=\"hero\""),
        "other templates stay built-in"
    );
    assert_eq!(page(&out, "img/logo.svg"), "<svg/>");
    assert!(out.join("style.css").is_file());
}
