//! The theme: the built-in templates and static files embedded in the binary, overridden file by
//! file from `<root>/themes/<name>/`.

use crate::error::{Diagnostic, Kind};
use crate::read;
use crate::yaml::Located;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Theme templates and static files: the built-in theme with the site's overrides applied.
/// An input of render beside the content, never part of the content model.
#[derive(Debug, Default)]
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

/// The built-in templates, embedded in the binary at compile time. `debug-embed` (set in
/// Cargo.toml) makes debug builds embed too, instead of reading the source tree at run time;
/// build.rs rebuilds the crate when a file is added to or removed from the folder.
#[derive(rust_embed::Embed)]
#[folder = "themes/default/templates/"]
struct BuiltinTemplates;

/// The built-in static files, embedded like [`BuiltinTemplates`].
#[derive(rust_embed::Embed)]
#[folder = "themes/default/static/"]
struct BuiltinStatic;

/// The embedded files of `E` as (relative path, bytes), skipping those whose path has a
/// component `skip` names: the built-in theme follows the rules of a theme folder on disk.
fn embedded<E: rust_embed::Embed>(
    skip: fn(&str) -> bool,
) -> impl Iterator<Item = (String, Vec<u8>)> {
    E::iter()
        .filter(move |rel| !rel.split('/').any(skip))
        .filter_map(|rel| Some((rel.to_string(), E::get(&rel)?.data.into_owned())))
}

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
    for (rel, bytes) in embedded::<BuiltinTemplates>(read::is_ignored_name) {
        // Built-in templates are UTF-8: a test checks it.
        let source = String::from_utf8_lossy(&bytes).into_owned();
        theme.templates.insert(rel, (source, None));
    }
    theme
        .statics
        .extend(embedded::<BuiltinStatic>(is_not_published));
    let themes = root.join("themes");
    let dir = themes.join(&name.value);
    let found = read::is_real_dir(&themes).and_then(|t| Ok(t && read::is_real_dir(&dir)?));
    match found {
        Ok(true) => {}
        Ok(false) => {
            if name.value != "default" {
                diagnostics.push(name.error(
                    Kind::UnknownReference,
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
    use super::*;
    use std::borrow::Cow;
    use std::collections::BTreeMap;

    /// The folder's files as the embedding reads them, from the source tree.
    fn on_disk(folder: &str, skip: fn(&str) -> bool) -> BTreeMap<String, Vec<u8>> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("themes/default")
            .join(folder);
        let mut diagnostics = Vec::new();
        let files = read::files_below(&dir, skip, &mut diagnostics);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        files
            .into_iter()
            .map(|(rel, path)| (rel, std::fs::read(path).unwrap()))
            .collect()
    }

    /// A file added to, edited in or removed from `themes/default/` reaches the binary with no
    /// code change: were build.rs or the compiler's tracking missing, this test binary would
    /// hold the old files.
    #[test]
    fn the_builtin_theme_is_every_file_of_themes_default() {
        let templates: BTreeMap<_, _> =
            embedded::<BuiltinTemplates>(read::is_ignored_name).collect();
        assert_eq!(templates, on_disk("templates", read::is_ignored_name));
        assert!(templates.contains_key("partials/clause_card.html"));
        let statics: BTreeMap<_, _> = embedded::<BuiltinStatic>(is_not_published).collect();
        assert_eq!(statics, on_disk("static", is_not_published));
        for source in templates.values() {
            assert!(std::str::from_utf8(source).is_ok());
        }
    }

    /// Without rust-embed's `debug-embed`, a debug build reads the files from the source tree
    /// at run time (and hands out owned copies): a binary moved off the checkout loses its theme.
    #[test]
    fn the_builtin_theme_is_in_the_binary_not_read_at_run_time() {
        for name in BuiltinTemplates::iter() {
            let file = BuiltinTemplates::get(&name).unwrap();
            assert!(matches!(file.data, Cow::Borrowed(_)), "{name}");
        }
        for name in BuiltinStatic::iter() {
            let file = BuiltinStatic::get(&name).unwrap();
            assert!(matches!(file.data, Cow::Borrowed(_)), "{name}");
        }
    }

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
