//! Helpers shared by the integration tests: run the real binary, read and copy output trees.
#![allow(dead_code)]

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn clausebook() -> Command {
    Command::cargo_bin("clausebook").unwrap()
}

/// Builds `root` into `out` with extra arguments; returns (exit code, stderr).
pub fn build(root: &Path, out: &Path, extra: &[&str]) -> (i32, String) {
    let result = clausebook()
        .arg("build")
        .arg("--root")
        .arg(root)
        .arg("--output")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    (
        result.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&result.stderr).into_owned(),
    )
}

/// Every file below `dir`, by relative path with `/` separators.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap();
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.insert(rel, std::fs::read(entry.path()).unwrap());
        }
    }
    out
}

pub fn copy_tree(from: &Path, to: &Path) {
    for (rel, bytes) in read_tree(from) {
        let path = to.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

pub fn page(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every `href="…"` and `src="…"` value in an HTML text.
pub fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap();
            out.push(rest[..end].replace("&amp;", "&"));
            rest = &rest[end..];
        }
    }
    out
}

/// Checks every internal link of every HTML page resolves to a file of the output, and that no
/// root-relative link escapes the site's `root` path. Returns the broken ones.
pub fn broken_links(out: &Path, root: &str) -> Vec<String> {
    let tree = read_tree(out);
    let mut broken = Vec::new();
    for (file, bytes) in &tree {
        if !file.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        for link in links(&html) {
            if link.starts_with("http://")
                || link.starts_with("https://")
                || link.starts_with("mailto:")
                || link.starts_with('#')
            {
                continue;
            }
            let Some(rel) = link.strip_prefix(root) else {
                broken.push(format!("{file}: {link} (outside {root})"));
                continue;
            };
            let rel = rel.split('#').next().unwrap();
            let target = if rel.is_empty() || rel.ends_with('/') {
                format!("{rel}index.html")
            } else {
                rel.to_string()
            };
            if !tree.contains_key(&target) {
                broken.push(format!("{file}: {link}"));
            }
        }
    }
    broken
}

/// The model page's sections (shared/seeds) in SPEC §4's order.
pub fn assert_sections_in_order(html: &str) {
    let markers = [
        "class=\"disclaimer\"",
        "<h1>",
        "id=\"summary-heading\"",
        "id=\"obligations-heading\"",
        "class=\"excerpt\"",
        "— Excerpt from",
        "id=\"related-heading\"",
        "id=\"monitoring-heading\"",
        "id=\"reach-heading\"",
        "See the full comparison.",
        "id=\"faq-heading\"",
    ];
    let mut last = 0;
    for m in markers {
        let at = html[last..]
            .find(m)
            .unwrap_or_else(|| panic!("section `{m}` missing or out of order"));
        last += at;
    }
}
