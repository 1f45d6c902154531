//! Hostile content (SECURITY.md): each case is a fixture site — the valid fixture with the files
//! of `tests/fixtures/hostile/<case>/` laid over it — or, for what git cannot hold (links,
//! FIFOs, huge generated records), the valid fixture altered at run time. Every case must end
//! with a clear content error naming the file (exit 1), or a clean and safe build.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

/// The valid fixture with `hostile/<case>` laid over it, in a temporary folder.
fn site(case: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    copy_tree(&fixture("valid"), &root);
    if let Some(case) = case {
        copy_tree(&fixture(&format!("hostile/{case}")), &root);
    }
    (tmp, root)
}

/// Runs the binary with a generous time-out, so a hang fails the test instead of the suite.
fn run(args: &[&str], root: &Path) -> Output {
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("clausebook"))
        .args(args)
        .arg("--root")
        .arg(root)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = std::process::Command::new("kill")
                .args(["-9", &id.to_string()])
                .status();
            panic!("clausebook {args:?} did not finish in 30 s (a hang)");
        }
    }
}

/// `check` and `build` both fail with exit 1 and name every `(file:line:col, words)`.
fn both_fail_naming(root: &Path, expected: &[(&str, &str)]) {
    let out_dir = root.parent().unwrap().join("out");
    for args in [
        vec!["check"],
        vec!["build", "--output", out_dir.to_str().unwrap()],
    ] {
        let out = run(&args, root);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        for (position, words) in expected {
            let found = diagnostic_at(&err, position)
                .unwrap_or_else(|| panic!("{args:?}: nothing at `{position}` in:\n{err}"));
            assert!(
                found.contains(words),
                "{args:?}: `{words}` not in `{found}`"
            );
        }
        assert!(!err.contains("panicked"), "{err}");
        assert!(!out_dir.exists(), "a failed build wrote output");
    }
}

#[test]
fn executable_and_relative_urls_are_content_errors() {
    let (_tmp, root) = site(Some("urls"));
    both_fail_naming(
        &root,
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

fn assert_only_web_links(out: &Path) {
    let selector = scraper::Selector::parse("[href], [src], [action], [formaction]").unwrap();
    let mut checked = 0;
    for (rel, bytes) in read_tree(out) {
        if !rel.ends_with(".html") {
            continue;
        }
        let html = scraper::Html::parse_document(&String::from_utf8_lossy(&bytes));
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
    assert!(
        checked > 100,
        "only {checked} links found in {}",
        out.display()
    );
}

#[test]
fn no_output_link_has_a_scheme_other_than_http() {
    for (name, root) in [
        ("fixture", fixture("valid")),
        ("plain-text", site(Some("plain-text")).1),
        ("sample", repo_root()),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let (code, err) = build(&root, &out, &[]);
        assert_eq!(code, 0, "{name}: {err}");
        assert_only_web_links(&out);
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
    let (tmp, root) = site(None);
    let secret_dir = tmp.path().join("outside");
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
    both_fail_naming(&root, &expected);
    let out = run(&["check"], &root);
    let err = String::from_utf8_lossy(&out.stderr);
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
    let (_tmp, root) = site(None);
    mkfifo(&root.join("content/platforms/alpha/documents/aup/snapshots/2025-01-05.md"));
    // A link to the whole machine: the watcher must not follow it.
    std::os::unix::fs::symlink("/", root.join("content/platforms/alpha/everything")).unwrap();
    for extra in [&[][..], &["--poll"][..]] {
        let server = Server::start(&root, extra);
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
    let (tmp, root) = site(None);
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::rename(root.join("content"), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, root.join("content")).unwrap();
    let out = run(&["check"], &root);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("content: is a symbolic link"), "{err}");
    assert_eq!(
        err.lines().count(),
        3,
        "one error, a blank line and the count: nothing below the link was read: {err}"
    );
    #[cfg(feature = "serve")]
    {
        let server = Server::start(&root, &[]);
        let page = http(server.port, "GET", "/");
        assert_eq!(page.status, 500, "{}", page.text());
        assert!(page.text().contains("symbolic link"), "{}", page.text());
    }
}

#[test]
fn yaml_alias_bombs_and_deep_nesting_end_quickly_with_a_position() {
    let (_tmp, root) = site(None);
    // 900 KB behind one anchor, replayed 1,000 times: 900 MB if it were expanded.
    let clause = root.join("content/platforms/alpha/clauses/bomb.yaml");
    let mut yaml = format!(
        "title: Bomb\ndocument: aup\nprovision: spam\nexcerpt: &big {}\nsummary: s\ntags: [",
        "x".repeat(900_000)
    );
    yaml.push_str(&vec!["*big"; 1000].join(","));
    yaml.push_str("]\n");
    std::fs::write(&clause, yaml).unwrap();
    // 80,000 brackets deep.
    let provision = root.join("content/provisions/deep.yaml");
    std::fs::write(
        &provision,
        format!("name: {}{}\n", "[".repeat(80_000), "]".repeat(80_000)),
    )
    .unwrap();
    both_fail_naming(
        &root,
        &[
            ("clauses/bomb.yaml:6:", ""),
            ("provisions/deep.yaml:1:", ""),
        ],
    );
}

#[test]
fn selector_lists_are_bounded() {
    let (_tmp, root) = site(None);
    let mut yaml =
        String::from("title: T\ntype: Terms of Service\nurl: https://gamma.example/\nremove:\n");
    yaml.push_str(&format!("  - \"{}\"\n", "div ".repeat(200)));
    for i in 0..70 {
        yaml.push_str(&format!("  - .c{i}\n"));
    }
    std::fs::write(
        root.join("content/platforms/gamma/documents/policy/document.yaml"),
        yaml,
    )
    .unwrap();
    both_fail_naming(
        &root,
        &[
            ("policy/document.yaml:5:5:", "selector is too long"),
            ("policy/document.yaml:69:5:", "too many selectors"),
        ],
    );
}

#[test]
fn ignore_lists_are_bounded_and_hold_text() {
    let (_tmp, root) = site(None);
    let mut yaml =
        String::from("title: T\ntype: Terms of Service\nurl: https://gamma.example/\nignore:\n");
    yaml.push_str(&format!("  - \"{}\"\n", "x".repeat(600)));
    yaml.push_str("  - \" \\t \"\n  - \"**\"\n  - \"Last updated *\"\n");
    for i in 0..70 {
        yaml.push_str(&format!("  - Banner {i}\n"));
    }
    std::fs::write(
        root.join("content/platforms/gamma/documents/policy/document.yaml"),
        yaml,
    )
    .unwrap();
    both_fail_naming(
        &root,
        &[
            ("policy/document.yaml:5:5:", "`ignore` entry is too long"),
            ("policy/document.yaml:6:5:", "`ignore` entry is blank"),
            ("policy/document.yaml:7:5:", "would drop the whole text"),
            ("policy/document.yaml:69:5:", "too many `ignore` entries"),
        ],
    );
    let err = String::from_utf8_lossy(&run(&["check"], &root).stderr).into_owned();
    assert!(
        diagnostic_at(&err, "policy/document.yaml:8:5:").is_none(),
        "a valid pattern was refused: {err}"
    );
}

#[test]
fn aliases_onto_generated_files_are_content_errors_at_their_line() {
    let (_tmp, root) = site(Some("aliases"));
    let clause = "alpha/clauses/messaging-abuse.yaml";
    both_fail_naming(
        &root,
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
    let out = run(&["check"], &root);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        diagnostic_at(&err, &format!("{clause}:14:")).is_none(),
        "a valid alias was refused: {err}"
    );
}

#[test]
fn names_stay_text_and_control_characters_never_reach_html_or_xml() {
    let (tmp, root) = site(Some("plain-text"));
    let out = tmp.path().join("out");
    let (code, err) = build(&root, &out, &[]);
    assert_eq!(code, 0, "{err}");
    let clause = page(&out, "platforms/alpha/clauses/messaging-abuse/index.html");
    let disclaimer = &clause[clause.find("class=\"disclaimer").expect("a disclaimer")..];
    let disclaimer = &disclaimer[..disclaimer.find("</div>").unwrap()];
    assert!(!disclaimer.contains("<img"), "{disclaimer}");
    assert!(!disclaimer.contains("evil.example/\""), "{disclaimer}");
    assert!(
        disclaimer.contains("[x](https://evil.example/) Corp"),
        "{disclaimer}"
    );
    // The same name in plain-text places carries no Markdown escapes.
    assert!(
        clause.contains("affiliated with [x](https://evil.example/) Corp?"),
        "{clause}"
    );
    let forbidden = |c: char| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
            || matches!(c, '\u{fdd0}'..='\u{fdef}')
            || (c as u32 & 0xfffe) == 0xfffe
    };
    let mut xml_files = 0;
    for (rel, bytes) in read_tree(&out) {
        let text = String::from_utf8(bytes).unwrap_or_default();
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

#[test]
fn blank_and_null_required_values_are_content_errors() {
    let (_tmp, root) = site(Some("blank-required"));
    both_fail_naming(
        &root,
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
fn check_unprivileged(root: &Path) -> Output {
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
        let bin = assert_cmd::cargo::cargo_bin("clausebook");
        std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(bin)
            .arg("check")
            .arg("--root")
            .arg(root)
            .output()
            .unwrap()
    } else {
        run(&["check"], root)
    }
}

#[cfg(unix)]
#[test]
fn an_unreadable_folder_is_an_io_error_without_a_cascade() {
    use std::os::unix::fs::PermissionsExt;
    let (_tmp, root) = site(None);
    std::process::Command::new("chmod")
        .args(["-R", "a+rX"])
        .arg(&root)
        .status()
        .unwrap();
    let regulations = root.join("content/regulations");
    std::fs::set_permissions(&regulations, std::fs::Permissions::from_mode(0o000)).unwrap();
    let unreadable_clause = root.join("content/platforms/beta/clauses/spam.yaml");
    std::fs::set_permissions(&unreadable_clause, std::fs::Permissions::from_mode(0o000)).unwrap();
    let out = check_unprivileged(&root);
    std::fs::set_permissions(&regulations, std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("content/regulations: cannot read folder"),
        "{err}"
    );
    assert!(err.contains("clauses/spam.yaml: cannot read file"), "{err}");
    assert!(!err.contains("unknown regulation"), "a cascade: {err}");
}

#[test]
fn theme_static_dot_files_are_published() {
    let (tmp, root) = site(None);
    let statics = root.join("themes/default/static");
    std::fs::create_dir_all(statics.join(".well-known")).unwrap();
    std::fs::write(statics.join(".nojekyll"), "").unwrap();
    std::fs::write(
        statics.join(".well-known/security.txt"),
        "Contact: mailto:security@example.org\n",
    )
    .unwrap();
    std::fs::write(statics.join("notes.txt~"), "an editor's backup").unwrap();
    let out = tmp.path().join("out");
    let (code, err) = build(&root, &out, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.join(".nojekyll").is_file());
    assert!(out.join(".well-known/security.txt").is_file());
    assert!(!out.join("notes.txt~").exists());
}

/// Two large versions with scattered and wholesale changes build to the same bytes whether the
/// machine is idle or both cores are busy: no clock decides a diff.
#[test]
fn large_version_pages_are_the_same_on_a_busy_machine() {
    let (tmp, root) = site(None);
    let snaps = root.join("content/platforms/beta/documents/terms/snapshots");
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
    std::fs::write(snaps.join("2024-01-01.txt"), old).unwrap();
    std::fs::write(snaps.join("2024-02-01.txt"), new).unwrap();
    let quiet = tmp.path().join("quiet");
    let (code, err) = build(&root, &quiet, &[]);
    assert_eq!(code, 0, "{err}");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let burners: Vec<_> = (0..4)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut x = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
                }
            })
        })
        .collect();
    let busy = tmp.path().join("busy");
    let (code, err) = build(&root, &busy, &[]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    burners.into_iter().for_each(|b| b.join().unwrap());
    assert_eq!(code, 0, "{err}");
    assert!(read_tree(&quiet) == read_tree(&busy), "outputs differ");
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
        let (_tmp, root) = site(None);
        let templates = root.join("themes/default/templates");
        std::fs::create_dir_all(&templates).unwrap();
        std::fs::write(
            templates.join("page.html"),
            format!(
                "{{% extends \"base.html\" %}}{{% block content %}}{{{{ {call} }}}}{{% endblock %}}"
            ),
        )
        .unwrap();
        let out = run(&["check"], &root);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{call}: {err}");
        assert!(err.contains("Unknown function"), "{call}: {err}");
        assert!(!err.contains("root:x:") && !err.contains("/root"), "{err}");
    }
}
