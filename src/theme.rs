//! The theme: the built-in templates and static files embedded in the binary, overridden file by
//! file from `<root>/themes/<name>/`.

use crate::error::Diagnostic;
use crate::load::{read_text, walk};
use crate::model::Theme;
use crate::yaml;
use std::path::Path;

macro_rules! embedded {
    ($dir:literal: $($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../themes/default/", $dir, "/", $name)))),*]
    };
}

/// The built-in templates, by name.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = embedded!("templates":
    "base.html",
    "index.html",
    "platforms.html",
    "platform.html",
    "document.html",
    "version.html",
    "changes.html",
    "clause.html",
    "provisions.html",
    "provision.html",
    "regulations.html",
    "regulation.html",
    "compare.html",
    "page.html",
    "404.html",
    "redirect.html",
    "partials/clause_card.html",
    "partials/segments.html",
    "partials/class_badge.html",
);

/// The built-in static files, by output path.
pub const BUILTIN_STATIC: &[(&str, &str)] = embedded!("static": "style.css");

/// Largest theme file accepted.
const MAX_THEME_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The built-in theme with the overrides found in `<root>/themes/<name>/`.
/// `site_yaml` is named in the error when a non-default theme folder is missing.
pub fn load(root: &Path, name: &str, site_yaml: &Path, diagnostics: &mut Vec<Diagnostic>) -> Theme {
    let mut theme = Theme::default();
    for (name, source) in BUILTIN_TEMPLATES {
        theme
            .templates
            .insert(name.to_string(), (source.to_string(), None));
    }
    for (name, source) in BUILTIN_STATIC {
        theme
            .statics
            .insert(name.to_string(), source.as_bytes().to_vec());
    }
    let dir = root.join("themes").join(name);
    if !dir.is_dir() {
        if name != "default" {
            let text = std::fs::read_to_string(site_yaml).unwrap_or_default();
            let line = yaml::key_line(&text, "theme").unwrap_or(1);
            diagnostics.push(
                Diagnostic::new(
                    site_yaml,
                    format!(
                        "theme `{name}` not found: there is no folder {}",
                        dir.display()
                    ),
                )
                .at(line, 1),
            );
        }
        return theme;
    }
    for (rel, path) in files(&dir.join("templates"), diagnostics) {
        match read_text(&path, MAX_THEME_FILE_BYTES) {
            Ok(source) => {
                theme.templates.insert(rel, (source, Some(path)));
            }
            Err(d) => diagnostics.push(d),
        }
    }
    for (rel, path) in files(&dir.join("static"), diagnostics) {
        match std::fs::read(&path) {
            Ok(bytes) => {
                theme.statics.insert(rel, bytes);
            }
            Err(e) => diagnostics.push(Diagnostic::new(&path, format!("cannot read file: {e}"))),
        }
    }
    theme
}

/// Every file below `dir` as (path relative to `dir` with `/` separators, full path), sorted.
fn files(dir: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vec<(String, std::path::PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for entry in walk(dir) {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let rel = e.path().strip_prefix(dir).unwrap_or(e.path());
                let rel: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push((rel.join("/"), e.path().to_path_buf()));
            }
            Ok(_) => {}
            Err(e) => diagnostics.push(Diagnostic::new(dir, format!("cannot read folder: {e}"))),
        }
    }
    out
}
