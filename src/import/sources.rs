//! A document's `sources`: the commit that recorded each version, added to its `document.yaml`
//! as text, so that the file's comments and layout stay as its author left them.

use crate::error::{Error, Result};
use crate::ids::Timestamp;
use crate::model::DocumentRecord;
use std::fmt::Write as _;
use std::path::Path;

/// What heads a `sources` map that an import adds to a record.
const COMMENT: &str = "\
# Where each version comes from, by snapshot: the commit of the Open Terms Archive versions
# repository that recorded it. Written by `clausebook import ota`, which skips the commits named
# here when it imports again.";

/// `record`, the text of the `document.yaml` at `path`, with `entries` (snapshot, commit) added
/// to its `sources`: after the last line of its block map, or in a new map at its end. An
/// error, naming the file, if the result is not a valid record (a `sources` written as a flow
/// map, `sources: {…}`, cannot be added to).
pub(super) fn added(path: &Path, record: &str, entries: &[(Timestamp, String)]) -> Result<String> {
    if entries.is_empty() {
        return Ok(record.to_string());
    }
    let mut lines: Vec<&str> = record.lines().collect();
    let mut entries_text = String::new();
    for (timestamp, commit) in entries {
        let _ = write!(entries_text, "\n  \"{timestamp}\": \"{commit}\"");
    }
    match lines.iter().position(|l| l.trim_end() == "sources:") {
        Some(start) => {
            // The map's entries are the indented lines after it; comments and blank lines
            // among them may be followed by more.
            let block = lines[start + 1..]
                .iter()
                .take_while(|l| l.starts_with([' ', '\t', '#']) || l.trim().is_empty())
                .count();
            let end = lines[start + 1..start + 1 + block]
                .iter()
                .rposition(|l| l.starts_with([' ', '\t']))
                .map_or(start, |last| start + 1 + last);
            lines.insert(end + 1, entries_text.trim_start_matches('\n'));
        }
        None => {
            lines.push("");
            lines.push(COMMENT);
            lines.push("sources:");
            lines.push(entries_text.trim_start_matches('\n'));
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    crate::yaml::parse::<DocumentRecord>(path, &text, 1).map_err(|d| {
        Error::Usage(format!(
            "{}: cannot add the versions' commits to its `sources` ({}); write `sources` as a block map, one `snapshot: commit` a line",
            path.display(),
            d.message
        ))
    })?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(pairs: &[(&str, &str)]) -> Vec<(Timestamp, String)> {
        pairs
            .iter()
            .map(|(t, c)| (Timestamp::parse(t).unwrap(), c.to_string()))
            .collect()
    }

    const A: &str = "0123456789abcdef0123456789abcdef01234567";
    const B: &str = "89abcdef0123456789abcdef0123456789abcdef";

    fn sources(text: &str) -> Vec<(String, String)> {
        let record: DocumentRecord = crate::yaml::parse(Path::new("d.yaml"), text, 1).unwrap();
        record
            .sources
            .into_iter()
            .map(|(k, v)| (k.value, v.value))
            .collect()
    }

    #[test]
    fn a_record_without_sources_gets_a_commented_map_at_its_end() {
        let record = "title: T\ntype: Terms\nurl: https://x.org/ # where\n";
        let text = added(Path::new("d.yaml"), record, &entries(&[("2024-01-01", A)])).unwrap();
        assert!(text.starts_with(record), "{text}");
        assert!(text.contains(&format!("{COMMENT}\nsources:\n  \"2024-01-01\": \"{A}\"\n")));
        assert_eq!(sources(&text), [("2024-01-01".to_string(), A.to_string())]);
    }

    #[test]
    fn entries_go_after_the_last_entry_of_the_map_whatever_follows_it() {
        let record = format!(
            "title: T\nsources:\n  \"2024-01-01\": \"{A}\"\n  # a note\n\n  2024-01-02: {B}\n\n# The url.\nurl: https://x.org/\ntype: Terms\n"
        );
        let text = added(
            Path::new("d.yaml"),
            &record,
            &entries(&[("2024-01-03T10-00-00Z", A), ("2024-01-03T10-00-00Z-2", B)]),
        )
        .unwrap();
        let want = format!(
            "  2024-01-02: {B}\n  \"2024-01-03T10-00-00Z\": \"{A}\"\n  \"2024-01-03T10-00-00Z-2\": \"{B}\"\n\n# The url."
        );
        assert!(text.contains(&want), "{text}");
        assert_eq!(sources(&text).len(), 4);
        // An empty map at the end of the file.
        let text = added(
            Path::new("d.yaml"),
            "title: T\ntype: Terms\nurl: https://x.org/\nsources:\n",
            &entries(&[("2024-01-01", A)]),
        )
        .unwrap();
        assert_eq!(sources(&text).len(), 1, "{text}");
    }

    #[test]
    fn a_flow_map_is_an_error_naming_the_file() {
        let record = format!(
            "title: T\ntype: Terms\nurl: https://x.org/\nsources: {{\"2024-01-01\": \"{A}\"}}\n"
        );
        let e = added(Path::new("d.yaml"), &record, &entries(&[("2024-01-02", B)])).unwrap_err();
        assert!(e.to_string().starts_with("d.yaml: cannot add"), "{e}");
    }
}
