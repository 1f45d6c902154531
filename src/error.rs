//! Errors as data: a [`Diagnostic`] says what is wrong ([`Kind`]), where ([`Origin`]) and how
//! serious it is ([`Severity`]); an [`Error`] is what stops a command. `report` prints them.

mod report;

pub use report::Style;

use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One problem found in a site, a theme or a command line.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Whether it stops the command.
    pub severity: Severity,
    /// What is wrong.
    pub kind: Kind,
    /// Where.
    pub origin: Origin,
    /// What is wrong, for the reader.
    pub message: String,
    /// The failure behind the message (an I/O error), shown after it.
    pub source: Option<Arc<dyn std::error::Error + Send + Sync>>,
    /// The text of the line the origin's span points at, quoted under the message; kept here
    /// so the diagnostic shows it wherever it is printed, without reading the file again.
    pub quoted: Option<Box<str>>,
}

/// Whether a diagnostic stops the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The command fails.
    Error,
    /// Reported, but `build` goes on (`check` makes it an error).
    Warning,
}

/// What is wrong, for callers and tests to match on; the message says it to the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Not YAML, or a page without front matter: the file cannot be parsed.
    Syntax,
    /// A key the record does not have.
    UnknownKey,
    /// A required key is absent.
    MissingKey,
    /// A `TODO: …` placeholder left in a value (`clausebook new` writes them).
    Placeholder,
    /// A value of the wrong type or form: empty, not a language tag, not a selector, not a
    /// site path.
    InvalidValue,
    /// A file or folder name that is not an id or a snapshot timestamp.
    InvalidId,
    /// A name that resolves to nothing: a document, provision, regulation, snapshot or theme.
    UnknownReference,
    /// Two snapshots with the same timestamp.
    DuplicateId,
    /// Two claims on one output file, or a file where a folder must be: aliases, page slugs,
    /// theme static files.
    RouteConflict,
    /// A URL that is not an absolute `http(s)` URL.
    InvalidUrl,
    /// A file or folder that has no place where it is.
    UnexpectedEntry,
    /// A platform or document folder without its record.
    MissingFile,
    /// A symbolic link, FIFO, socket or device: never read.
    NotARegularFile,
    /// A file that is not UTF-8 text.
    NotUtf8,
    /// Over a budget: a file's size, a record's nesting or aliases, a list's length.
    TooLarge,
    /// A clause's excerpt is in none of its document's snapshots.
    ExcerptNotFound,
    /// A clause's excerpt is only in older snapshots: the quote is out of date.
    ExcerptChanged,
    /// A template that does not compile or fails to render, or a generated file that cannot
    /// be serialised.
    Render,
    /// A file or folder that could not be read (permissions, a failing disk): exit 2.
    Io,
}

/// Where a diagnostic points. Ordered so a sorted list reads file by file, then by position.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// A command-line flag, by name (`--base-url`).
    Flag(&'static str),
    /// A file of the site or its theme, at a position when one is known.
    File {
        /// The file.
        path: PathBuf,
        /// Where in it.
        span: Option<Span>,
    },
    /// A built-in template, by name (a theme's override is a [`Origin::File`]).
    Template {
        /// Its name, as templates include it.
        name: String,
        /// Where in it.
        span: Option<Span>,
    },
    /// The templates as a whole: an error the template engine does not place in one of them
    /// (its message names the template).
    Templates,
    /// A file the build generates, by its path in the output.
    Output(String),
}

/// A position in a file: 1-based line and column, the column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
}

/// Longest line quoted under a diagnostic: a longer one (a minified file) is not kept.
const MAX_QUOTED_BYTES: usize = 16 * 1024;

impl Origin {
    /// A file, without a position.
    pub fn file(path: impl Into<PathBuf>) -> Origin {
        Origin::File {
            path: path.into(),
            span: None,
        }
    }

    /// The file this origin is in, if it is one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Origin::File { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The position in the file or template, when known.
    pub fn span(&self) -> Option<Span> {
        match self {
            Origin::File { span, .. } | Origin::Template { span, .. } => *span,
            _ => None,
        }
    }
}

impl Diagnostic {
    /// An error of `kind` at `origin`.
    pub fn error(kind: Kind, origin: Origin, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            kind,
            origin,
            message: message.into(),
            source: None,
            quoted: None,
        }
    }

    /// A warning of `kind` at `origin`.
    pub fn warning(kind: Kind, origin: Origin, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(kind, origin, message)
        }
    }

    /// An error of `kind` in the file at `path`.
    pub fn in_file(kind: Kind, path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic::error(kind, Origin::file(path), message)
    }

    /// The same diagnostic at `line` and `column` of its file or template.
    pub fn at(mut self, line: usize, column: usize) -> Self {
        if let Origin::File { span, .. } | Origin::Template { span, .. } = &mut self.origin {
            *span = Some(Span { line, column });
        }
        self
    }

    /// The same diagnostic with the failure behind it.
    pub fn caused_by(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// Keeps the line of `text` (the whole file or template) that the span points at, so it
    /// is quoted under the message: without its carriage return, and not at all when it is
    /// longer than anyone would read (content is untrusted; a minified line can be megabytes).
    pub fn quote_from(&mut self, text: &str) {
        let Some(span) = self.origin.span() else {
            return;
        };
        let line = text.split('\n').nth(span.line.saturating_sub(1));
        self.quoted = line
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .filter(|l| l.len() <= MAX_QUOTED_BYTES)
            .map(Box::from);
    }

    /// The exit code this diagnostic alone would give: 2 for a bad flag or an unreadable file
    /// (the user fixes the command or the machine), 1 for the content.
    pub fn exit_code(&self) -> i32 {
        if self.kind == Kind::Io || matches!(self.origin, Origin::Flag(_)) {
            2
        } else {
            1
        }
    }

    /// What identifies a diagnostic: where, what it says, what kind, how serious. The source
    /// error and the quoted line follow from these.
    fn key(&self) -> (&Origin, &str, Kind, Severity) {
        (&self.origin, &self.message, self.kind, self.severity)
    }
}

impl PartialEq for Diagnostic {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Diagnostic {}

impl PartialOrd for Diagnostic {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Diagnostic {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

/// Everything that can stop a command. Diagnostics are collected, never just the first.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Every problem found in the content (or in a flag checked with it), sorted.
    #[error("{}", report::list(.0, Style::Plain))]
    Content(Vec<Diagnostic>),
    /// A file or folder that could not be read or written, outside the content.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The command line is wrong, or there is no site (exit 2).
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// Diagnostics sorted by origin and position, as the user reads them.
    pub fn content(mut diagnostics: Vec<Diagnostic>) -> Self {
        diagnostics.sort();
        diagnostics.dedup();
        Error::Content(diagnostics)
    }

    /// A problem with a file named on the command line (a link, not UTF-8, too large): the
    /// command is wrong, not the site, so it exits with 2.
    pub(crate) fn of_input(d: Diagnostic) -> Self {
        let source = d.source.map(|s| format!(": {s}")).unwrap_or_default();
        Error::Usage(format!("{}: {}{source}", d.origin, d.message))
    }

    /// An I/O failure on `path`.
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// The error as printed for the user: diagnostics with their quoted lines and a count,
    /// anything else on one line.
    pub fn report(&self, style: Style) -> String {
        match self {
            Error::Content(d) => report::list(d, style),
            _ => report::one_line(&self.to_string(), style),
        }
    }

    /// The process exit code: 1 for content errors, 2 for usage and I/O.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Content(d) => d.iter().map(Diagnostic::exit_code).max().unwrap_or(1),
            Error::Io { .. } | Error::Usage(_) => 2,
        }
    }
}

/// The result of a command or a stage.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_sort_by_file_then_position() {
        let e = Error::content(vec![
            Diagnostic::in_file(Kind::Syntax, "b.yaml", "x").at(1, 1),
            Diagnostic::in_file(Kind::Syntax, "a.yaml", "y").at(9, 1),
            Diagnostic::in_file(Kind::Syntax, "a.yaml", "z").at(2, 3),
            Diagnostic::in_file(Kind::Syntax, "a.yaml", "z").at(2, 3),
        ]);
        let Error::Content(d) = &e else {
            unreachable!()
        };
        let spans: Vec<_> = d.iter().map(|d| d.origin.to_string()).collect();
        assert_eq!(spans, ["a.yaml:2:3", "a.yaml:9:1", "b.yaml:1:1"]);
        assert_eq!(e.exit_code(), 1);
    }

    #[test]
    fn unreadable_files_and_bad_flags_exit_with_2() {
        let io = Diagnostic::in_file(Kind::Io, "a", "cannot read file");
        let flag = Diagnostic::error(Kind::InvalidUrl, Origin::Flag("--base-url"), "bad");
        let content = Diagnostic::in_file(Kind::Syntax, "b", "x");
        assert_eq!(Error::content(vec![content.clone()]).exit_code(), 1);
        assert_eq!(Error::content(vec![content.clone(), io]).exit_code(), 2);
        assert_eq!(Error::content(vec![content, flag]).exit_code(), 2);
    }

    #[test]
    fn the_quoted_line_is_the_spans_without_its_line_ending() {
        let mut d = Diagnostic::in_file(Kind::Syntax, "a.yaml", "x").at(2, 1);
        d.quote_from("one\r\ntwo\r\nthree");
        assert_eq!(d.quoted.as_deref(), Some("two"));
        let mut long = Diagnostic::in_file(Kind::Syntax, "a.yaml", "x").at(1, 1);
        long.quote_from(&"x".repeat(MAX_QUOTED_BYTES + 1));
        assert_eq!(long.quoted, None);
        let mut beyond = Diagnostic::in_file(Kind::Syntax, "a.yaml", "x").at(9, 1);
        beyond.quote_from("one line");
        assert_eq!(beyond.quoted, None);
    }
}
