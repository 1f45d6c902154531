//! The theme: the built-in templates and static files embedded in the binary, overridden file by
//! file from `<root>/themes/<name>/`.

use crate::error::Diagnostic;
use crate::read;
use crate::yaml::Located;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Theme templates and static files: the built-in theme with the site's overrides applied.
/// An input of render beside the content, never part of the content model.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    /// Template name → (source, the file it came from, None for built-in).
    pub templates: BTreeMap<String, (String, Option<PathBuf>)>,
    /// Output path → bytes.
    pub statics: BTreeMap<String, Vec<u8>>,
    /// The theme's name in `site.yaml`: its overrides are in `themes/<name>/`.
    pub name: String,
}

impl Theme {
    /// Where a static file of the theme is, as messages name it.
    pub fn static_source(&self, file: &str) -> PathBuf {
        PathBuf::from(format!("themes/{}/static/{file}", self.name))
    }
}

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
    "partials/effective.html",
    "atom.xml",
    "sitemap.xml",
    "robots.txt",
    "timeline.svg",
);

/// The built-in static files, by output path.
pub const BUILTIN_STATIC: &[(&str, &str)] = embedded!("static": "style.css");

/// Largest theme file accepted.
const MAX_THEME_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The built-in theme with the overrides found in `<root>/themes/<name>/`.
/// `site_yaml` is named in the error when a non-default theme folder is missing.
pub fn load(
    root: &Path,
    name: &Located<String>,
    site_yaml: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Theme {
    let mut theme = Theme {
        name: name.value.clone(),
        ..Theme::default()
    };
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
    let themes = root.join("themes");
    let dir = themes.join(&name.value);
    let found = read::is_real_dir(&themes).and_then(|t| Ok(t && read::is_real_dir(&dir)?));
    match found {
        Ok(true) => {}
        Ok(false) => {
            if name.value != "default" {
                diagnostics.push(name.error(
                    site_yaml,
                    format!(
                        "theme `{}` not found: there is no folder {}",
                        name.value,
                        dir.display()
                    ),
                ));
            }
            return theme;
        }
        Err(d) => {
            diagnostics.push(d);
            return theme;
        }
    }
    for (rel, path) in files(&dir.join("templates"), read::is_ignored_name, diagnostics) {
        match read::read_text(&path, MAX_THEME_FILE_BYTES) {
            Ok(source) => {
                theme.templates.insert(rel, (source, Some(path)));
            }
            Err(d) => diagnostics.push(d),
        }
    }
    // Static files are published as they are, hidden ones included (`.nojekyll`,
    // `.well-known/`): only editor leftovers and version-control folders are skipped.
    for (rel, path) in files(&dir.join("static"), is_not_published, diagnostics) {
        match read::read_capped(&path, MAX_THEME_FILE_BYTES) {
            Ok(bytes) => {
                theme.statics.insert(rel, bytes);
            }
            Err(d) => diagnostics.push(d),
        }
    }
    theme
}

/// Names in a theme's `static/` that are never published.
fn is_not_published(name: &str) -> bool {
    read::is_editor_leftover(name) || matches!(name, ".git" | ".hg" | ".svn")
}

/// Every file below `dir` (a real folder, or none) as (relative path, full path), sorted.
fn files(
    dir: &Path,
    skip: fn(&str) -> bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(String, std::path::PathBuf)> {
    match read::is_real_dir(dir) {
        Ok(true) => read::files_below(dir, skip, diagnostics),
        Ok(false) => Vec::new(),
        Err(d) => {
            diagnostics.push(d);
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::read;
    use std::path::Path;

    /// A template added, renamed or removed without its entry in the theme reference would
    /// leave theme authors guessing: the table of templates lists exactly the built-in ones.
    #[test]
    fn the_theme_reference_lists_every_builtin_template() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut diagnostics = Vec::new();
        let mut builtin: Vec<String> = read::files_below(
            &root.join("themes/default/templates"),
            read::is_ignored_name,
            &mut diagnostics,
        )
        .into_iter()
        .map(|(name, _)| name)
        .collect();
        assert!(diagnostics.is_empty());
        let doc = std::fs::read_to_string(root.join("docs/theme.md")).unwrap();
        let table = doc
            .split("\n## Templates\n")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .expect("docs/theme.md has a section `## Templates`");
        let mut listed: Vec<String> = table
            .lines()
            .filter_map(|row| Some(row.strip_prefix("| `")?.split('`').next()?.to_string()))
            .collect();
        listed.sort();
        builtin.sort();
        assert_eq!(listed, builtin);
    }
}
