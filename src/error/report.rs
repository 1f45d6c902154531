//! Diagnostics printed as cargo prints them: the message, ` --> file:line:column` and the
//! offending line with a caret under the column; one line where there is no line to quote.

use super::{Diagnostic, Kind, Origin, Severity};
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use std::fmt;
use std::fmt::Write as _;
use std::io::IsTerminal;

/// Whether printed diagnostics carry terminal colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// No escape sequences: not a terminal, or `NO_COLOR`.
    Plain,
    /// Colours, as cargo prints them.
    Colour,
}

impl Style {
    /// Colours only when stderr is a terminal and `NO_COLOR` is not set: a log file or a pipe
    /// gets plain text.
    pub fn for_stderr() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if std::io::stderr().is_terminal() && !no_color {
            Style::Colour
        } else {
            Style::Plain
        }
    }

    fn renderer(self) -> Renderer {
        match self {
            Style::Plain => Renderer::plain(),
            Style::Colour => Renderer::styled(),
        }
    }
}

impl Diagnostic {
    /// The diagnostic as printed: with its quoted line under the message when it has one,
    /// else on one line.
    pub fn render(&self, style: Style) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let mut message = self.message.clone();
        let mut source = self.source.as_deref().map(|s| s as &dyn std::error::Error);
        while let Some(s) = source {
            let _ = write!(message, ": {s}");
            source = s.source();
        }
        let message = escape(&message);
        let report = match (self.origin.span(), &self.quoted) {
            (Some(span), Some(line)) => {
                let (line, caret) = caret(line, span.column);
                level.primary_title(message).element(
                    Snippet::source(line)
                        .line_start(span.line)
                        .path(place(&self.origin))
                        .annotation(AnnotationKind::Primary.span(caret)),
                )
            }
            _ => Group::with_title(level.primary_title(format!("{}: {message}", self.origin))),
        };
        style.renderer().render(&[report])
    }
}

/// Every diagnostic, a blank line after each as cargo leaves, then how many errors there are.
pub(super) fn list(diagnostics: &[Diagnostic], style: Style) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&d.render(style));
        out.push_str("\n\n");
    }
    let n = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let io = diagnostics.iter().any(|d| d.kind == Kind::Io);
    let flag = diagnostics
        .iter()
        .any(|d| matches!(d.origin, Origin::Flag(_)));
    let _ = write!(
        out,
        "{n} {}error{} found{}",
        if io || flag { "" } else { "content " },
        if n == 1 { "" } else { "s" },
        if io {
            " (some files or folders could not be read)"
        } else {
            ""
        }
    );
    out
}

/// An error that is not a diagnostic (a usage or I/O error), as one line.
pub(super) fn one_line(message: &str, style: Style) -> String {
    let title = Level::ERROR.primary_title(escape(message));
    style.renderer().render(&[Group::with_title(title)])
}

/// The quoted line with every control character but a tab replaced by one visible character,
/// so none reaches the terminal and the columns stay, and the byte range of the character at
/// `column` (an empty range past the end of the line).
fn caret(line: &str, column: usize) -> (String, std::ops::Range<usize>) {
    let line: String = line
        .chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect();
    let start = line
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i);
    let end = line[start..]
        .chars()
        .next()
        .map_or(start, |c| start + c.len_utf8());
    (line, start..end)
}

/// Where an origin is, without its position.
fn place(origin: &Origin) -> String {
    let place = match origin {
        Origin::Flag(name) => (*name).to_string(),
        Origin::File { path, .. } => path
            .strip_prefix("./")
            .unwrap_or(path)
            .display()
            .to_string(),
        Origin::Template { name, .. } => format!("built-in templates/{name}"),
        Origin::Templates => "templates".to_string(),
        Origin::Output(path) => format!("generated file {path}"),
    };
    escape(&place)
}

/// Messages quote content; a control character (an escape sequence) would drive the reader's
/// terminal, so it is shown escaped. Line breaks and tabs stay.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && !matches!(c, '\n' | '\t') {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&place(self))?;
        match self.span() {
            Some(span) => write!(f, ":{}:{}", span.line, span.column),
            None => Ok(()),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Style::Plain))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(mut d: Diagnostic, text: &str) -> Diagnostic {
        d.quote_from(text);
        d
    }

    #[test]
    fn a_span_quotes_its_line_with_a_caret_under_the_column() {
        let d = Diagnostic::in_file(Kind::UnknownKey, "./content/a.yaml", "unknown field `x`");
        let d = quoted(d.at(2, 3), "title: T\nx: 1\n");
        assert_eq!(
            d.to_string(),
            "error: unknown field `x`\n --> content/a.yaml:2:3\n  |\n2 | x: 1\n  |   ^"
        );
    }

    #[test]
    fn a_column_past_the_end_of_the_line_points_just_after_it() {
        let d = Diagnostic::in_file(Kind::MissingKey, "a.yaml", "missing field `x`").at(1, 9);
        let text = quoted(d, "title: T").to_string();
        assert!(text.ends_with("1 | title: T\n  |         ^"), "{text}");
    }

    #[test]
    fn without_a_span_or_a_quoted_line_a_diagnostic_is_one_line() {
        let d = Diagnostic::in_file(Kind::InvalidId, "content/A b", "invalid id");
        assert_eq!(d.to_string(), "error: content/A b: invalid id");
        let unquoted = Diagnostic::in_file(Kind::NotUtf8, "a.md", "not UTF-8").at(3, 4);
        assert_eq!(unquoted.to_string(), "error: a.md:3:4: not UTF-8");
    }

    #[test]
    fn a_flag_is_named_as_on_the_command_line() {
        let d = Diagnostic::error(Kind::InvalidUrl, Origin::Flag("--base-url"), "not a URL");
        assert_eq!(d.to_string(), "error: --base-url: not a URL");
        let e = crate::error::Error::content(vec![d]);
        assert!(e.to_string().ends_with("\n\n1 error found"), "{e}");
    }

    #[test]
    fn control_characters_in_messages_and_quoted_lines_are_shown_escaped() {
        let d = Diagnostic::in_file(Kind::InvalidUrl, "a.yaml", "`https://x\u{1b}[2J` is bad");
        assert_eq!(
            d.clone().at(1, 2).to_string(),
            "error: a.yaml:1:2: `https://x\\u{1b}[2J` is bad"
        );
        let text = quoted(d.at(1, 8), "url: a\u{1b}\u{9b}b").to_string();
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text}");
        assert!(text.contains(" --> a.yaml:1:8\n"), "{text}");
        assert!(
            text.ends_with("1 | url: a\u{fffd}\u{fffd}b\n  |        ^"),
            "{text}"
        );
    }

    #[test]
    fn warnings_and_the_failure_behind_a_message_are_shown() {
        let io = std::io::Error::other("disk on fire");
        let d = Diagnostic::in_file(Kind::Io, "a.yaml", "cannot read file").caused_by(io);
        assert_eq!(
            d.to_string(),
            "error: a.yaml: cannot read file: disk on fire"
        );
        let w = Diagnostic::warning(Kind::ExcerptNotFound, Origin::file("c.yaml"), "not found");
        assert_eq!(w.to_string(), "warning: c.yaml: not found");
    }

    #[test]
    fn colour_only_when_asked() {
        let d = Diagnostic::in_file(Kind::Syntax, "a.yaml", "x").at(1, 1);
        let d = quoted(d, "y");
        assert!(!d.render(Style::Plain).contains('\u{1b}'));
        assert!(d.render(Style::Colour).contains('\u{1b}'));
    }

    #[test]
    fn a_list_ends_with_its_count() {
        let d = |path: &str, kind| Diagnostic::in_file(kind, path, "x");
        let content = list(&[d("a", Kind::Syntax), d("b", Kind::Syntax)], Style::Plain);
        assert_eq!(
            content,
            "error: a: x\n\nerror: b: x\n\n2 content errors found"
        );
        let io = list(&[d("a", Kind::Io)], Style::Plain);
        assert!(io.ends_with("\n1 error found (some files or folders could not be read)"));
    }
}
