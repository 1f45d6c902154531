//! The only module that parses YAML (serde-saphyr), so the parser and its budgets live in one file.
//!
//! Records come from untrusted pull requests: every parse runs under a budget (size, nesting,
//! aliases, nodes, scalar bytes) so no input within the size limit costs unbounded time or memory.

use crate::error::{Diagnostic, Kind, Origin, Span};
use serde::de::{Deserialize, DeserializeOwned, Deserializer};
use serde_saphyr::{MessageFormatter, UserMessageFormatter};
use std::borrow::Borrow;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::path::Path;

/// Largest YAML record or front matter accepted; records are small, a larger file is a mistake.
pub const MAX_RECORD_BYTES: usize = 1024 * 1024;

/// Deepest nesting of sequences and mappings: records are at most three levels deep.
const MAX_DEPTH: usize = 16;

/// Total scalar bytes after alias replay: a record whose aliases repeat a long string many times
/// is refused before it is expanded, however small its file.
const MAX_SCALAR_BYTES: usize = 4 * MAX_RECORD_BYTES;

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_reader_input_bytes: Some(MAX_RECORD_BYTES),
            max_depth: MAX_DEPTH,
            flow_nesting_limit: MAX_DEPTH,
            max_events: 200_000,
            max_nodes: 100_000,
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_total_scalar_bytes: MAX_SCALAR_BYTES,
            max_recorded_anchor_bytes: MAX_SCALAR_BYTES,
            max_documents: 1,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 10_000,
            max_replay_stack_depth: MAX_DEPTH,
            max_alias_expansions_per_anchor: 100,
        },
        duplicate_keys: serde_saphyr::options::DuplicateKeyPolicy::Error,
    }
}

/// Parses one YAML record into `T`, turning any failure into a diagnostic at its line and column.
///
/// `first_line` is the file line where `text` starts (front matter starts on line 2).
pub fn parse<T: DeserializeOwned>(
    path: &Path,
    text: &str,
    first_line: usize,
) -> Result<T, Diagnostic> {
    if text.len() > MAX_RECORD_BYTES {
        return Err(Diagnostic::in_file(
            Kind::TooLarge,
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
    serde_saphyr::from_str_with_options(text, options()).map_err(|e| {
        let e = e.without_snippet();
        let kind = kind(e);
        let d = Diagnostic::in_file(kind, path, UserMessageFormatter.format_message(e));
        // The parser places a missing field where the mapping ends; every record is one
        // top-level mapping, so the record's first line is where the reader looks.
        if kind == Kind::MissingKey {
            return d.at(first_line, 1);
        }
        match e.location() {
            Some(loc) if loc.line() > 0 => {
                d.at(loc.line() as usize + first_line - 1, loc.column() as usize)
            }
            _ => d,
        }
    })
}

/// What a parse error says is wrong with the record.
fn kind(e: &serde_saphyr::Error) -> Kind {
    use serde_saphyr::Error as E;
    match e {
        E::AliasError { error, .. } | E::WithSnippet { error, .. } => kind(error),
        E::SerdeUnknownField { .. } => Kind::UnknownKey,
        E::SerdeMissingField { .. } => Kind::MissingKey,
        E::Budget { .. }
        | E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. } => Kind::TooLarge,
        // Custom errors are the records' own checks (a required text left empty).
        E::Message { .. }
        | E::SerdeInvalidType { .. }
        | E::SerdeInvalidValue { .. }
        | E::SerdeInvalidLength { .. }
        | E::SerdeUnknownVariant { .. }
        | E::InvalidScalar { .. }
        | E::NullIntoString { .. } => Kind::InvalidValue,
        _ => Kind::Syntax,
    }
}

/// A value with the position it was written at, so later checks (references, URLs, aliases)
/// point at the value itself. Compared, ordered and hashed by value alone.
#[derive(Debug, Clone)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// 1-based; 0 for a default value.
    pub line: usize,
    /// 1-based; 0 for a default value.
    pub column: usize,
}

impl<T> Located<T> {
    /// A value that was not written in the file (a default): it has no position.
    pub fn new(value: T) -> Self {
        Located {
            value,
            line: 0,
            column: 0,
        }
    }

    /// Where this value is written in `path` (a default is placed at the file's start).
    pub fn origin(&self, path: &Path) -> Origin {
        Origin::File {
            path: path.to_path_buf(),
            span: Some(Span {
                line: self.line.max(1),
                column: self.column.max(1),
            }),
        }
    }

    /// An error of `kind` in `path` at this value.
    pub fn error(&self, kind: Kind, path: &Path, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(kind, self.origin(path), message)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Located<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        Ok(Located {
            value: s.value,
            line: s.referenced.line() as usize,
            column: s.referenced.column() as usize,
        })
    }
}

impl<T> std::ops::Deref for Located<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: PartialEq> PartialEq for Located<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}
impl<T: Eq> Eq for Located<T> {}
impl<T: Ord> PartialOrd for Located<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T: Ord> Ord for Located<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.value.cmp(&other.value)
    }
}
impl<T: Hash> Hash for Located<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}
/// Values made in code (tools, tests) rather than read from a file have no position.
impl From<&str> for Located<String> {
    fn from(value: &str) -> Self {
        Located::new(value.to_string())
    }
}

impl PartialEq<String> for Located<String> {
    fn eq(&self, other: &String) -> bool {
        &self.value == other
    }
}
impl PartialEq<str> for Located<String> {
    fn eq(&self, other: &str) -> bool {
        self.value == other
    }
}
impl<T: std::fmt::Display> std::fmt::Display for Located<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.value.fmt(f)
    }
}
impl Borrow<str> for Located<String> {
    fn borrow(&self) -> &str {
        &self.value
    }
}

/// A required text: blank, whitespace-only and null values are refused at their position.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Required(pub String);

impl<'de> Deserialize<'de> for Required {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = Required;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a text that is not empty")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Required, E> {
                if v.trim().is_empty() {
                    Err(E::custom("this value must not be empty"))
                } else {
                    Ok(Required(v.to_string()))
                }
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Required, E> {
                Err(E::custom("this value must not be empty (it is null)"))
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<Required, E> {
                self.visit_unit()
            }
        }
        // Through `deserialize_string`, so a missing key is still reported as missing.
        deserializer.deserialize_string(Text)
    }
}

impl From<&str> for Required {
    fn from(value: &str) -> Self {
        Required(value.to_string())
    }
}

impl std::fmt::Display for Required {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::ops::Deref for Required {
    type Target = String;
    fn deref(&self) -> &String {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::fmt::Write as _;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Rec {
        title: Required,
        tags: Option<Vec<String>>,
        url: Option<Located<String>>,
    }

    fn p(text: &str) -> Result<Rec, Diagnostic> {
        parse(Path::new("r.yaml"), text, 1)
    }

    /// (line, column) of a diagnostic.
    fn at(d: &Diagnostic) -> Option<(usize, usize)> {
        d.origin.span().map(|s| (s.line, s.column))
    }

    #[test]
    fn unknown_key_names_its_line() {
        let e = p("title: a\ntilte: b\n").unwrap_err();
        assert_eq!(e.kind, Kind::UnknownKey);
        assert_eq!(at(&e), Some((2, 1)));
        assert!(e.message.contains("tilte"), "{}", e.message);
        assert!(!e.message.contains("line 2"), "{}", e.message);
    }

    #[test]
    fn duplicate_key_names_the_second_one() {
        let e = p("title: a\ntags: []\ntitle: b\n").unwrap_err();
        assert_eq!(e.kind, Kind::Syntax);
        assert_eq!(at(&e).map(|(line, _)| line), Some(3), "{e}");
        assert!(e.message.contains("duplicate"), "{}", e.message);
    }

    #[test]
    fn front_matter_offset_shifts_lines() {
        let e = parse::<Rec>(Path::new("p.md"), "title: a\nbad: 1\n", 2).unwrap_err();
        assert_eq!(at(&e), Some((3, 1)));
    }

    #[test]
    fn empty_file_reports_missing_field() {
        let e = p("").unwrap_err();
        assert_eq!((e.kind, at(&e)), (Kind::MissingKey, Some((1, 1))));
        assert!(e.message.contains("title"), "{e}");
    }

    #[test]
    fn blank_and_null_required_values_are_refused_at_their_line() {
        for text in [
            "tags: []\ntitle: \"\"\n",
            "tags: []\ntitle: ~\n",
            "tags: []\ntitle: \"  \"\n",
            "tags: []\ntitle:\n",
        ] {
            let e = p(text).unwrap_err();
            assert_eq!(e.kind, Kind::InvalidValue, "{text:?}: {e}");
            assert_eq!(at(&e).map(|(line, _)| line), Some(2), "{text:?}: {e}");
            assert!(
                e.message.contains("must not be empty") || e.message.contains("null"),
                "{e}"
            );
        }
    }

    #[test]
    fn located_values_carry_their_position() {
        let r = p("title: a\n\nurl:   https://x.org/\n").unwrap();
        let url = r.url.unwrap();
        assert_eq!(
            (url.value.as_str(), url.line, url.column),
            ("https://x.org/", 3, 8)
        );
    }

    #[test]
    fn alias_bomb_is_refused_without_expanding() {
        // A billion-laughs document: nine levels of ten-fold aliases.
        let mut y = String::from("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
        for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
        {
            let refs = vec![format!("*{prev}"); 10].join(",");
            let _ = writeln!(y, "{name}: &{name} [{refs}]");
        }
        let inside = y.replace("a: &a", "title: t\ntags: &a");
        assert!(p(&inside).is_err());
    }

    #[test]
    fn a_long_string_repeated_through_aliases_is_refused_quickly() {
        // 900 KB behind one anchor, replayed 1,000 times: 900 MB if expanded.
        let mut y = format!("title: &big {}\ntags: [", "x".repeat(900_000));
        y.push_str(&vec!["*big"; 1000].join(","));
        y.push_str("]\n");
        let e = p(&y).unwrap_err();
        assert_eq!(e.kind, Kind::TooLarge, "{e}");
        assert!(at(&e).is_some(), "{e}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        for y in [
            format!(
                "title: t\ntags: {}{}\n",
                "[".repeat(80_000),
                "]".repeat(80_000)
            ),
            format!("title: t\ntags: {}\n", "[".repeat(80_000)),
            format!(
                "title: t\ntags:\n{}",
                (0..1_000)
                    .map(|i| format!("{}- \n", " ".repeat(i * 2)))
                    .collect::<String>()
            ),
        ] {
            let e = p(&y).unwrap_err();
            assert!(at(&e).is_some(), "{e}");
        }
    }

    #[test]
    fn oversized_record_is_refused() {
        let big = format!("title: {}\n", "x".repeat(MAX_RECORD_BYTES));
        let e = p(&big).unwrap_err();
        assert_eq!(e.kind, Kind::TooLarge);
        assert!(e.message.contains("too large"));
    }
}
