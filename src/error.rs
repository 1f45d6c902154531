//! Errors: content diagnostics that carry a file and position, and the error a command returns.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem found in a site's content, named by file and, where known, line and column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    pub kind: Kind,
}

/// What a diagnostic is about: the content itself, or the machine failing to read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// The content is wrong: the user fixes a file (exit 1).
    Content,
    /// A file or folder could not be read (permissions, a failing disk): exit 2.
    Io,
}

impl Diagnostic {
    pub fn new(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            line: None,
            column: None,
            message: message.into(),
            kind: Kind::Content,
        }
    }

    /// A file or folder that could not be read.
    pub fn io(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            kind: Kind::Io,
            ..Diagnostic::new(path, message)
        }
    }

    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.strip_prefix("./").unwrap_or(&self.path);
        write!(f, "{}", path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        // Messages quote content; a control character (an escape sequence) would drive the
        // reader's terminal. Line breaks stay: template errors show the line with a caret.
        f.write_str(": ")?;
        for c in self.message.chars() {
            if c.is_control() && !matches!(c, '\n' | '\t') {
                write!(f, "{}", c.escape_default())?;
            } else {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

/// Everything that can stop a command. Content errors are collected, never just the first.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}", list(.0))]
    Content(Vec<Diagnostic>),
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
}

fn list(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&format!("error: {d}\n"));
    }
    let n = diagnostics.len();
    let io = diagnostics.iter().any(|d| d.kind == Kind::Io);
    out.push_str(&format!(
        "{n} {}error{} found{}",
        if io { "" } else { "content " },
        if n == 1 { "" } else { "s" },
        if io {
            " (some files or folders could not be read)"
        } else {
            ""
        }
    ));
    out
}

impl Error {
    /// Content errors sorted by file and position, as the user reads them.
    pub fn content(mut diagnostics: Vec<Diagnostic>) -> Self {
        diagnostics.sort();
        diagnostics.dedup();
        Error::Content(diagnostics)
    }

    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// The process exit code SPEC §5 assigns: 1 for content errors, 2 for usage and I/O.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Content(d) if d.iter().any(|d| d.kind == Kind::Io) => 2,
            Error::Content(_) => 1,
            Error::Io { .. } | Error::Usage(_) => 2,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_in_messages_are_shown_escaped() {
        let d = Diagnostic::new("a.yaml", "`https://x\u{1b}[2J` is bad").at(1, 2);
        assert_eq!(d.to_string(), "a.yaml:1:2: `https://x\\u{1b}[2J` is bad");
    }

    #[test]
    fn diagnostics_sort_by_file_then_position() {
        let e = Error::content(vec![
            Diagnostic::new("b.yaml", "x").at(1, 1),
            Diagnostic::new("a.yaml", "y").at(9, 1),
            Diagnostic::new("a.yaml", "z").at(2, 3),
        ]);
        let text = e.to_string();
        let a2 = text.find("a.yaml:2:3").unwrap();
        let a9 = text.find("a.yaml:9:1").unwrap();
        let b1 = text.find("b.yaml:1:1").unwrap();
        assert!(a2 < a9 && a9 < b1, "{text}");
        assert!(text.ends_with("3 content errors found"));
        assert_eq!(e.exit_code(), 1);
    }
}
