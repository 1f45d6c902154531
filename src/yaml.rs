//! The only module that parses YAML, so replacing serde_yaml (archived upstream) touches one file.

use crate::error::Diagnostic;
use serde::de::DeserializeOwned;
use std::path::Path;

/// Largest YAML record or front matter accepted; records are small, a larger file is a mistake.
pub const MAX_RECORD_BYTES: usize = 1024 * 1024;

/// Parses one YAML record into `T`, turning any failure into a diagnostic at its line and column.
///
/// `first_line` is the file line where `text` starts (front matter starts on line 2).
pub fn parse<T: DeserializeOwned>(
    path: &Path,
    text: &str,
    first_line: usize,
) -> Result<T, Diagnostic> {
    if text.len() > MAX_RECORD_BYTES {
        return Err(Diagnostic::new(
            path,
            format!(
                "file is too large for a YAML record ({} bytes; the limit is {} bytes)",
                text.len(),
                MAX_RECORD_BYTES
            ),
        ));
    }
    // An empty document is an empty mapping, so a blank file reports its missing fields.
    let text = if text.trim().is_empty() { "{}" } else { text };
    serde_yaml::from_str(text).map_err(|e| {
        let message = strip_location(&e.to_string());
        let d = Diagnostic::new(path, message);
        match e.location() {
            Some(loc) => d.at(loc.line() + first_line - 1, loc.column()),
            None => d,
        }
    })
}

/// serde_yaml appends " at line L column C" to its messages; the diagnostic carries that itself.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The line (1-based) where top-level `key:` is written, to point reference errors at it.
pub fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}

/// The line (1-based) of the first line that mentions `needle` after `key:`, for list items.
pub fn item_line(text: &str, key: &str, needle: &str) -> Option<usize> {
    let start = key_line(text, key)?;
    text.lines()
        .enumerate()
        .skip(start - 1)
        .find(|(_, line)| line.contains(needle))
        .map(|(i, _)| i + 1)
        .or(Some(start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Rec {
        title: String,
        tags: Option<Vec<String>>,
    }

    fn p(text: &str) -> Result<Rec, Diagnostic> {
        parse(Path::new("r.yaml"), text, 1)
    }

    #[test]
    fn unknown_key_names_its_line() {
        let e = p("title: a\ntilte: b\n").unwrap_err();
        assert_eq!((e.line, e.column), (Some(2), Some(1)));
        assert!(e.message.contains("unknown field `tilte`"), "{}", e.message);
        assert!(!e.message.contains(" at line "));
    }

    #[test]
    fn front_matter_offset_shifts_lines() {
        let e = parse::<Rec>(Path::new("p.md"), "title: a\nbad: 1\n", 2).unwrap_err();
        assert_eq!(e.line, Some(3));
    }

    #[test]
    fn empty_file_reports_missing_field() {
        assert!(p("").unwrap_err().message.contains("missing field `title`"));
    }

    #[test]
    fn alias_bomb_is_refused_without_expanding() {
        // A billion-laughs document: nine levels of ten-fold aliases. Typed parsing stops at the
        // first value that does not fit the record, so nothing is ever expanded.
        let mut y = String::from("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
        for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
        {
            let refs = vec![format!("*{prev}"); 10].join(",");
            y.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        y.push_str("title: *i\n");
        assert!(p(&y).is_err());
        let inside = y
            .replace("title: *i\n", "")
            .replace("a: &a", "title: t\ntags: &a");
        assert!(p(&inside).is_err());
    }

    #[test]
    fn oversized_record_is_refused() {
        let big = format!("title: {}\n", "x".repeat(MAX_RECORD_BYTES));
        assert!(p(&big).unwrap_err().message.contains("too large"));
    }

    #[test]
    fn key_and_item_lines() {
        let t = "title: a\nregulations:\n  - gdpr\n  - dsa\n";
        assert_eq!(key_line(t, "regulations"), Some(2));
        assert_eq!(item_line(t, "regulations", "dsa"), Some(4));
        assert_eq!(key_line(t, "missing"), None);
    }
}
