//! Hostile content (SECURITY.md): each case is a fixture site — the valid fixture with the files
//! of `tests/fixtures/hostile/<case>/` laid over it — or, for what git cannot hold (links,
//! FIFOs, huge generated records), the valid fixture altered at run time. Every case must end
//! with a clear content error naming the file (exit 1), or a clean and safe build.

use crate::harness::*;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::LazyLock;

/// The valid fixture with `tests/fixtures/hostile/<case>` laid over it.
fn hostile(case: &str) -> Site {
    Site::valid_with(&format!("hostile/{case}"))
}

/// `check` and `build` both fail with exit 1 and name every `(file:line:col, words)`.
fn both_fail_naming(site: &Site, expected: &[(&str, &str)]) {
    for (what, (code, err)) in [("check", site.check()), ("build", site.build(&[]))] {
        assert_eq!(code, 1, "{what}: {err}");
        for (position, words) in expected {
            assert_diagnostic(what, &err, position, words);
        }
        assert!(!err.contains("panicked"), "{err}");
        assert!(!site.out().exists(), "a failed build wrote output");
    }
}

/// The valid fixture with the `plain-text` case laid over it, built once per test run.
fn built_plain_text() -> &'static Built {
    static BUILT: LazyLock<Built> =
        LazyLock::new(|| Built::fresh(&hostile("plain-text").root, &[]));
    &BUILT
}

#[test]
fn executable_and_relative_urls_are_content_errors() {
    both_fail_naming(
        &hostile("urls"),
        &[
            (
                "alpha/platform.yaml:3:6:",
                "`javascript:alert(document.cookie)` is not an absolute http",
            ),
            (
                "alpha/documents/aup/document.yaml:3:6:",
                "JavaScript:alert(1)",
            ),
            ("beta/platform.yaml:2:6:", "data:text/html"),
            (
                "gamma/documents/policy/document.yaml:3:6:",
                "/relative/policy",
            ),
            ("regulations/can-spam.yaml:3:6:", "not an absolute http"),
        ],
    );
}

/// Every `href` and `src` in every HTML file, and every link in every XML file.
fn scheme_of(url: &str) -> Option<String> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let is_scheme = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    // A colon after a slash, `?` or `#` is part of a path, not a scheme.
    (is_scheme && !scheme.contains(['/', '?', '#'])).then(|| scheme.to_ascii_lowercase())
}

fn assert_only_web_links(name: &str, out: &Tree) {
    let selector = scraper::Selector::parse("[href], [src], [action], [formaction]").unwrap();
    let mut checked = 0;
    for (rel, bytes) in out.files() {
        if !rel.ends_with(".html") {
            continue;
        }
        let html = scraper::Html::parse_document(&String::from_utf8_lossy(bytes));
        for el in html.select(&selector) {
            for attr in ["href", "src", "action", "formaction"] {
                let Some(url) = el.value().attr(attr) else {
                    continue;
                };
                checked += 1;
                let url = url.trim();
                if let Some(scheme) = scheme_of(url) {
                    assert!(
                        scheme == "http" || scheme == "https",
                        "{rel}: {attr}=\"{url}\" has the scheme `{scheme}`"
                    );
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} links found in {name}");
}

#[test]
fn no_output_link_has_a_scheme_other_than_http() {
    for (name, built) in [
        ("fixture", built_valid()),
        ("plain-text", built_plain_text()),
        ("sample", built_sample()),
    ] {
        assert_only_web_links(name, &built.tree);
    }
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    assert!(made.unwrap().success(), "mkfifo {}", path.display());
}

#[cfg(unix)]
#[test]
fn links_fifos_and_devices_in_a_site_are_refused_unread() {
    use std::os::unix::fs::symlink;
    let site = Site::valid();
    let root = &site.root;
    let secret_dir = site.dir().join("outside");
    std::fs::create_dir(&secret_dir).unwrap();
    let secret = secret_dir.join("secret.txt");
    std::fs::write(&secret, "CI_DEPLOY_TOKEN=hunter2\n").unwrap();
    let snaps = root.join("content/platforms/alpha/documents/aup/snapshots");
    symlink("/proc/self/environ", snaps.join("2025-01-01.txt")).unwrap();
    symlink("/etc/passwd", snaps.join("2025-01-02.txt")).unwrap();
    symlink("/dev/zero", snaps.join("2025-01-03.txt")).unwrap();
    symlink(&secret, snaps.join("2025-01-04.md")).unwrap();
    // A FIFO: opening it would block the build forever.
    mkfifo(&snaps.join("2025-01-05.md"));
    // A linked folder, a linked clause and a linked theme template.
    symlink(
        &secret_dir,
        root.join("content/platforms/beta/documents/outside"),
    )
    .unwrap();
    symlink(
        &secret,
        root.join("content/platforms/gamma/clauses/linked.yaml"),
    )
    .unwrap();
    let templates = root.join("themes/default/templates");
    std::fs::create_dir_all(&templates).unwrap();
    symlink(&secret, templates.join("page.html")).unwrap();
    let expected = [
        ("2025-01-01.txt", "symbolic link"),
        ("2025-01-02.txt", "symbolic link"),
        ("2025-01-03.txt", "symbolic link"),
        ("2025-01-04.md", "symbolic link"),
        ("2025-01-05.md", "FIFO"),
        ("beta/documents/outside", "symbolic link"),
        ("gamma/clauses/linked.yaml", "symbolic link"),
        ("templates/page.html", "symbolic link"),
    ];
    both_fail_naming(&site, &expected);
    let (_, err) = site.check();
    for leak in [
        "hunter2",
        "/etc/passwd",
        "root:x:",
        "/proc/self",
        "outside/secret",
    ] {
        assert!(!err.contains(leak), "`{leak}` leaked into: {err}");
    }
}

#[cfg(all(unix, feature = "serve"))]
#[test]
fn serve_refuses_a_fifo_without_freezing() {
    let site = Site::valid();
    mkfifo(&site.path("content/platforms/alpha/documents/aup/snapshots/2025-01-05.md"));
    // A link to the whole machine: the watcher must not follow it.
    std::os::unix::fs::symlink("/", site.path("content/platforms/alpha/everything")).unwrap();
    for extra in [&[][..], &["--poll"][..]] {
        let server = Server::start(&site.root, extra);
        let page = http(server.port, "GET", "/");
        assert_eq!(page.status, 500, "{extra:?}: {}", page.text());
        for words in ["2025-01-05.md", "FIFO", "alpha/everything", "symbolic link"] {
            assert!(page.text().contains(words), "{extra:?}: {}", page.text());
        }
    }
}

#[cfg(unix)]
#[test]
fn a_linked_content_folder_is_refused_and_never_entered() {
    let site = Site::valid();
    let elsewhere = site.dir().join("elsewhere");
    std::fs::rename(site.path("content"), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, site.path("content")).unwrap();
    let (code, err) = site.check();
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("content: is a symbolic link"), "{err}");
    assert_eq!(
        err.lines().count(),
        3,
        "one error, a blank line and the count: nothing below the link was read: {err}"
    );
    #[cfg(feature = "serve")]
    {
        let server = Server::start(&site.root, &[]);
        let page = http(server.port, "GET", "/");
        assert_eq!(page.status, 500, "{}", page.text());
        assert!(page.text().contains("symbolic link"), "{}", page.text());
    }
}

#[test]
fn yaml_alias_bombs_and_deep_nesting_end_quickly_with_a_position() {
    let site = Site::valid();
    // 900 KB behind one anchor, replayed 1,000 times: 900 MB if it were expanded.
    let mut yaml = format!(
        "title: Bomb\ndocument: aup\nprovision: spam\nexcerpt: &big {}\nsummary: s\ntags: [",
        "x".repeat(900_000)
    );
    yaml.push_str(&vec!["*big"; 1000].join(","));
    yaml.push_str("]\n");
    site.write("content/platforms/alpha/clauses/bomb.yaml", yaml);
    // 80,000 brackets deep.
    site.write(
        "content/provisions/deep.yaml",
        format!("name: {}{}\n", "[".repeat(80_000), "]".repeat(80_000)),
    );
    both_fail_naming(
        &site,
        &[
            ("clauses/bomb.yaml:6:", ""),
            ("provisions/deep.yaml:1:", ""),
        ],
    );
}

/// The valid fixture whose gamma policy has a `key` list of `entries`, the first on line 5.
fn gamma_policy_listing(key: &str, entries: impl IntoIterator<Item = String>) -> Site {
    let site = Site::valid();
    let mut yaml =
        format!("title: T\ntype: Terms of Service\nurl: https://gamma.example/\n{key}:\n");
    for entry in entries {
        let _ = writeln!(yaml, "  - {entry}");
    }
    site.write(
        "content/platforms/gamma/documents/policy/document.yaml",
        yaml,
    );
    site
}

#[test]
fn selector_lists_are_bounded() {
    let long = format!("\"{}\"", "div ".repeat(200));
    let site = gamma_policy_listing(
        "remove",
        std::iter::once(long).chain((0..70).map(|i| format!(".c{i}"))),
    );
    both_fail_naming(
        &site,
        &[
            ("policy/document.yaml:5:5:", "selector is too long"),
            ("policy/document.yaml:69:5:", "too many selectors"),
        ],
    );
}

#[test]
fn ignore_lists_are_bounded_and_hold_text() {
    let first = [
        format!("\"{}\"", "x".repeat(600)),
        "\" \\t \"".into(),
        "\"**\"".into(),
        "\"Last updated *\"".into(),
    ];
    let site = gamma_policy_listing(
        "ignore",
        first
            .into_iter()
            .chain((0..70).map(|i| format!("Banner {i}"))),
    );
    both_fail_naming(
        &site,
        &[
            ("policy/document.yaml:5:5:", "`ignore` entry is too long"),
            ("policy/document.yaml:6:5:", "`ignore` entry is blank"),
            ("policy/document.yaml:7:5:", "would drop the whole text"),
            ("policy/document.yaml:69:5:", "too many `ignore` entries"),
        ],
    );
    let (_, err) = site.check();
    assert!(
        diagnostic_at(&err, "policy/document.yaml:8:5:").is_none(),
        "a valid pattern was refused: {err}"
    );
}

#[test]
fn aliases_onto_generated_files_are_content_errors_at_their_line() {
    let site = hostile("aliases");
    let clause = "alpha/clauses/messaging-abuse.yaml";
    both_fail_naming(
        &site,
        &[
            (&format!("{clause}:9:5:"), "the generated file `atom.xml`"),
            (
                &format!("{clause}:10:5:"),
                "the generated file `robots.txt`",
            ),
            (&format!("{clause}:11:5:"), "`platforms/alpha/index.html`"),
            (&format!("{clause}:12:5:"), "`sitemap.xml`"),
            (
                &format!("{clause}:13:5:"),
                "`platforms/beta/clauses/spam/index.html`",
            ),
            (&format!("{clause}:15:5:"), "too long"),
        ],
    );
    let (_, err) = site.check();
    assert!(
        diagnostic_at(&err, &format!("{clause}:14:")).is_none(),
        "a valid alias was refused: {err}"
    );
}

#[test]
fn names_stay_text_and_control_characters_never_reach_html_or_xml() {
    let out = &built_plain_text().tree;
    let clause = out.page("platforms/alpha/clauses/messaging-abuse/index.html");
    let disclaimer = &clause[clause.find("class=\"disclaimer").expect("a disclaimer")..];
    let disclaimer = &disclaimer[..disclaimer.find("</div>").unwrap()];
    assert!(!disclaimer.contains("<img"), "{disclaimer}");
    assert!(!disclaimer.contains("evil.example/\""), "{disclaimer}");
    assert!(
        disclaimer.contains("[x](https://evil.example/) Corp"),
        "{disclaimer}"
    );
    let forbidden = |c: char| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
            || matches!(c, '\u{fdd0}'..='\u{fdef}')
            || (c as u32 & 0xfffe) == 0xfffe
    };
    let mut xml_files = 0;
    for (rel, bytes) in out.files() {
        let text = String::from_utf8(bytes.to_vec()).unwrap_or_default();
        if (rel.ends_with(".html") || rel.ends_with(".xml"))
            && let Some(c) = text.chars().find(|&c| forbidden(c))
        {
            panic!("{rel} contains U+{:04X}", c as u32);
        }
        if rel.ends_with(".xml") {
            roxmltree::Document::parse(&text)
                .unwrap_or_else(|e| panic!("{rel} is not well-formed XML: {e}"));
            xml_files += 1;
        }
    }
    assert!(xml_files >= 5, "{xml_files} XML files");
}

/// Regression (e32b7d3): a name escaped for Markdown kept its backslashes in the independence
/// question, which is plain text.
#[test]
fn the_independence_question_carries_no_markdown_escapes() {
    let clause = built_plain_text()
        .tree
        .page("platforms/alpha/clauses/messaging-abuse/index.html");
    assert!(
        clause.contains("affiliated with [x](https://evil.example/) Corp?"),
        "{clause}"
    );
}

#[test]
fn blank_and_null_required_values_are_content_errors() {
    both_fail_naming(
        &hostile("blank-required"),
        &[
            ("provisions/other.yaml:1:7:", "must not be empty"),
            ("gamma/platform.yaml:1:7:", "null"),
            ("pages/methodology.md:2:8:", "must not be empty"),
            ("beta/clauses/scraping.yaml:4:10:", "must not be empty"),
        ],
    );
}

/// Runs `check` as an unprivileged user where the tests run as root (root reads everything).
#[cfg(unix)]
fn check_unprivileged(root: &Path) -> (i32, String) {
    let uid = std::process::Command::new("id").arg("-u").output().unwrap();
    if String::from_utf8_lossy(&uid.stdout).trim() == "0" {
        // The temporary folders must be reachable by that user.
        let mut dir = root.to_path_buf();
        while let Some(parent) = dir.parent() {
            let _ = std::process::Command::new("chmod")
                .arg("o+rx")
                .arg(&dir)
                .status();
            dir = parent.to_path_buf();
        }
        let mut setpriv = std::process::Command::new("setpriv");
        setpriv
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin())
            .arg("check")
            .arg("--root")
            .arg(root);
        run_to_end(setpriv)
    } else {
        check(root)
    }
}

#[cfg(unix)]
#[test]
fn an_unreadable_folder_is_an_io_error_without_a_cascade() {
    use std::os::unix::fs::PermissionsExt;
    let site = Site::valid();
    std::process::Command::new("chmod")
        .args(["-R", "a+rX"])
        .arg(&site.root)
        .status()
        .unwrap();
    let regulations = site.path("content/regulations");
    std::fs::set_permissions(&regulations, std::fs::Permissions::from_mode(0o000)).unwrap();
    let unreadable_clause = site.path("content/platforms/beta/clauses/spam.yaml");
    std::fs::set_permissions(&unreadable_clause, std::fs::Permissions::from_mode(0o000)).unwrap();
    let (code, err) = check_unprivileged(&site.root);
    std::fs::set_permissions(&regulations, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("content/regulations: cannot read folder"),
        "{err}"
    );
    assert!(err.contains("clauses/spam.yaml: cannot read file"), "{err}");
    assert!(!err.contains("unknown regulation"), "a cascade: {err}");
}

#[test]
fn theme_static_dot_files_are_published() {
    let site = Site::valid();
    site.write("themes/default/static/.nojekyll", "");
    site.write(
        "themes/default/static/.well-known/security.txt",
        "Contact: mailto:security@example.org\n",
    );
    site.write("themes/default/static/notes.txt~", "an editor's backup");
    let (code, err) = site.build(&[]);
    assert_eq!(code, 0, "{err}");
    let out = site.output();
    assert!(out.has(".nojekyll"));
    assert!(out.has(".well-known/security.txt"));
    assert!(!out.has("notes.txt~"));
}

/// Two large versions with scattered and wholesale changes build to the same bytes whether the
/// machine is idle or both cores are busy: no clock decides a diff.
#[test]
fn large_version_pages_are_the_same_on_a_busy_machine() {
    let site = Site::valid();
    let snaps = "content/platforms/beta/documents/terms/snapshots";
    let old: String = (0..4000)
        .map(|i| format!("Rule {i}: do not send spam or scrape pages at any time.\n\n"))
        .collect();
    let new: String = (0..4000)
        .map(|i| match i % 7 {
            0 => format!("Rule {i}: do not send spam at any reasonable time.\n\n"),
            3 => format!(
                "Completely new text number {} replaces this rule.\n\n",
                i * 31
            ),
            _ => format!("Rule {i}: do not send spam or scrape pages at any time.\n\n"),
        })
        .collect();
    site.write(&format!("{snaps}/2024-01-01.txt"), old);
    site.write(&format!("{snaps}/2024-02-01.txt"), new);
    let quiet = Built::fresh(&site.root, &[]);
    let on_a_busy_machine = busy(4, || Built::fresh(&site.root, &[]));
    assert!(quiet.tree == on_a_busy_machine.tree, "outputs differ");
}

/// Templates are code a reviewer reads, but even so they can reach no file and no environment
/// variable: Tera 2 registers no such function, and clausebook registers none.
#[test]
fn templates_cannot_read_the_environment_or_files() {
    for call in [
        "get_env(name=\"HOME\")",
        "load_data(path=\"/etc/passwd\")",
        "read_file(path=\"/etc/passwd\")",
    ] {
        let site = Site::valid();
        site.write(
            "themes/default/templates/page.html",
            format!(
                "{{% extends \"base.html\" %}}{{% block content %}}{{{{ {call} }}}}{{% endblock %}}"
            ),
        );
        let (code, err) = site.check();
        assert_eq!(code, 1, "{call}: {err}");
        assert!(err.contains("Unknown function"), "{call}: {err}");
        assert!(!err.contains("root:x:") && !err.contains("/root"), "{err}");
    }
}
