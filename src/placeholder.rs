//! Placeholders: the `TODO: …` values `clausebook new` writes in place of the required values
//! it cannot know. A placeholder left in is an error at its line, so a half-filled record never
//! reaches a published site.

use crate::error::{Diagnostic, Kind};
use std::collections::HashSet;
use std::path::Path;

/// What a placeholder value starts with.
pub(crate) const MARKER: &str = "TODO:";

/// A diagnostic for each value of the YAML `text` (a record, or a page's front matter starting
/// at line `first_line` of its file) that starts with [`MARKER`]: a `key: TODO: …` line, a
/// `- TODO: …` list item, or a line of a multi-line text, quoted or not. Comments are not values.
pub(crate) fn find(path: &Path, text: &str, first_line: usize) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let body = line.trim_start();
        if body.starts_with('#') {
            continue;
        }
        let mut value = body;
        while let Some(rest) = value.strip_prefix("- ") {
            value = rest.trim_start();
        }
        let key = match value.split_once(':') {
            Some((key, rest)) if is_plain_key(key) => {
                value = rest.trim_start();
                Some(key)
            }
            _ => None,
        };
        let value = value.strip_prefix(['"', '\'']).unwrap_or(value);
        if !value.starts_with(MARKER) {
            continue;
        }
        let offset = line.len() - value.len();
        let shown = value.trim_end().trim_end_matches(['"', '\'']);
        let message = match key {
            Some(key) => format!("placeholder left in `{key}`: replace `{shown}` with its value"),
            None => format!("placeholder left in: replace `{shown}` with its value"),
        };
        let column = line[..offset].chars().count() + 1;
        let d = Diagnostic::in_file(Kind::Placeholder, path, message);
        found.push(d.at(first_line + i, column));
    }
    found
}

/// A key as records write them (`title`, `related_limit`).
pub(crate) fn is_plain_key(key: &str) -> bool {
    !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

/// Drops every other diagnostic on a line that holds a placeholder: the value is not written
/// yet, so that it is no URL or names no record says nothing more.
pub(crate) fn supersede(diagnostics: &mut Vec<Diagnostic>) {
    let lines: HashSet<_> = diagnostics
        .iter()
        .filter(|d| d.kind == Kind::Placeholder)
        .filter_map(|d| Some((d.origin.path()?.to_path_buf(), d.origin.span()?.line)))
        .collect();
    if lines.is_empty() {
        return;
    }
    diagnostics.retain(|d| {
        d.kind == Kind::Placeholder
            || !d
                .origin
                .path()
                .zip(d.origin.span())
                .is_some_and(|(path, span)| lines.contains(&(path.to_path_buf(), span.line)))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places(text: &str) -> Vec<(usize, usize, String)> {
        find(Path::new("a.yaml"), text, 1)
            .into_iter()
            .map(|d| {
                let span = d.origin.span().unwrap();
                (span.line, span.column, d.message)
            })
            .collect()
    }

    #[test]
    fn a_placeholder_is_found_at_its_value_quoted_or_not() {
        let text = "# TODO: a comment is no value\ntitle: \"TODO: the title\"\nname: Real\nsummary: >-\n  TODO: write it\ntags:\n  - 'TODO: a tag'\nurl: TODO: where\n";
        assert_eq!(
            places(text),
            [
                (
                    2,
                    9,
                    "placeholder left in `title`: replace `TODO: the title` with its value".into()
                ),
                (
                    5,
                    3,
                    "placeholder left in: replace `TODO: write it` with its value".into()
                ),
                (
                    7,
                    6,
                    "placeholder left in: replace `TODO: a tag` with its value".into()
                ),
                (
                    8,
                    6,
                    "placeholder left in `url`: replace `TODO: where` with its value".into()
                ),
            ]
        );
    }

    #[test]
    fn text_mentioning_the_marker_later_is_no_placeholder() {
        assert!(places("summary: Leave no TODO: behind.\nname: TODOS\n").is_empty());
        let front = find(Path::new("p.md"), "title: \"TODO: x\"\n", 2);
        assert_eq!(front[0].origin.span().unwrap().line, 2);
    }

    #[test]
    fn other_diagnostics_on_a_placeholders_line_are_dropped() {
        let at = |kind, line| Diagnostic::in_file(kind, "a.yaml", "m").at(line, 1);
        let mut d = vec![
            at(Kind::Placeholder, 3),
            at(Kind::InvalidUrl, 3),
            at(Kind::InvalidUrl, 4),
            Diagnostic::in_file(Kind::InvalidUrl, "b.yaml", "m").at(3, 1),
        ];
        supersede(&mut d);
        let kept: Vec<_> = d.iter().map(|d| d.origin.to_string()).collect();
        assert_eq!(kept, ["a.yaml:3:1", "a.yaml:4:1", "b.yaml:3:1"]);
    }
}
