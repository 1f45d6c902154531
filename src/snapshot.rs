//! `clausebook snapshot add`: an archived copy of a document made one of its versions, named by
//! when it was observed and classed as the build will class it: the build's own derivation runs
//! on the document with the copy in its place, so what this says is what the site will show.

use crate::error::{Error, Kind, Result};
use crate::hash::Key;
use crate::history::{Class, History, Texts};
use crate::ids::{DocumentId, PlatformId, Timestamp};
use crate::model::{Document, MAX_SNAPSHOT_BYTES, Snapshot, SnapshotFormat};
use crate::text::count;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What `clausebook snapshot` does.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Copy an archived copy of a document into its snapshots/, as the version observed at
    /// --date, and say what the build will make of it.
    Add(Add),
}

/// `clausebook snapshot add`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct Add {
    /// The document.
    #[arg(value_name = "PLATFORM/DOCUMENT")]
    document: String,
    /// The archived copy: a .md (Markdown), .txt (plain text) or .html (web page) file.
    file: PathBuf,
    /// When the copy was observed: YYYY-MM-DD, YYYY-MM-DDTHH-MM-SSZ (UTC) or an RFC 3339 time
    /// (2025-01-16T08:00:00Z, 2025-01-16T10:00:00+02:00). Now, by default.
    #[arg(long, value_name = "TIMESTAMP")]
    date: Option<String>,
    /// Add the copy even when its visible text is the same as the version before it.
    #[arg(long)]
    force: bool,
}

/// What `snapshot add` did.
#[derive(Debug)]
pub(crate) struct Added {
    /// The snapshot written; None when the copy was the same text as the version before it.
    pub written: Option<PathBuf>,
    /// What the build makes of the new version, in a sentence.
    pub summary: String,
}

/// Adds the copy `args` names to its document in the site at `root`. Everything is checked
/// before anything is written: the document, the copy's format and text, the date, and the
/// document's other versions (which must load, though its record may still hold `new`'s
/// placeholders). A copy is never written over a file.
pub(crate) fn add(root: &Path, args: &Add) -> Result<Added> {
    let content = crate::scaffold::content_of(root, "snapshot add")?;
    let (platform, id): (PlatformId, DocumentId) =
        crate::scaffold::of_platform(&content, &args.document, "DOCUMENT")?;
    let documents = content.join("platforms").join(&*platform).join("documents");
    crate::scaffold::existing(&id, &documents, "")?;
    let format = format_of(&args.file)?;
    let observed = observed(args.date.as_deref())?;
    let text = crate::read::read_text(&args.file, MAX_SNAPSHOT_BYTES).map_err(Error::of_input)?;
    let dir = documents.join(&*id);
    let mut document = read_document(&dir, id)?;
    let taken = document.snapshots.iter().map(|s| &s.timestamp);
    let Some(timestamp) = observed.first_free(taken) else {
        return Err(Error::Usage(format!(
            "{} already has the most versions one second can hold ({observed} to {observed}-9999)",
            args.document
        )));
    };
    let path = dir
        .join("snapshots")
        .join(format!("{timestamp}.{}", format.extension()));
    let at = document
        .snapshots
        .partition_point(|s| s.timestamp < timestamp);
    let snapshot = Snapshot {
        timestamp,
        format,
        path: path.clone(),
        hash: Key::of_bytes(text.as_bytes()),
    };
    document.snapshots.insert(at, snapshot);
    let (history, texts) = History::of(&document, |i| {
        if i == at {
            Ok(text.clone())
        } else {
            document.snapshots[i].text()
        }
    })
    .map_err(|d| Error::content(vec![d]))?;
    let version = &history.versions[at];
    let name = format!("{} version {}", args.document, version.timestamp);
    if version.class == Class::Formatting && !args.force {
        let summary = format!(
            "Not added: {} has the same visible text as {}: the same words (only markup, block breaks, punctuation, link targets or invisible characters can differ), so it would be a formatting version. Add it anyway with --force.",
            args.file.display(),
            baseline_name(&args.document, &history, at)
        );
        return Ok(Added {
            written: None,
            summary,
        });
    }
    crate::scaffold::write_new(&path, text.as_bytes())?;
    Ok(Added {
        written: Some(path),
        summary: format!(
            "Added {name}: {}",
            describe(&args.document, &history, &texts, at)
        ),
    })
}

/// The document in `dir`, as the build reads it; an error if it has any error but a placeholder
/// left in its record.
fn read_document(dir: &Path, id: DocumentId) -> Result<Document> {
    let (document, diagnostics) = crate::load::document(dir, id);
    let blocking = diagnostics.iter().any(|d| d.kind != Kind::Placeholder);
    match document {
        Some(document) if !blocking => Ok(document),
        _ => Err(Error::content(diagnostics)),
    }
}

/// The snapshot format of `file`, from its extension in any case.
fn format_of(file: &Path) -> Result<SnapshotFormat> {
    let extension = file.extension().and_then(|e| e.to_str());
    let lower = extension.map(str::to_ascii_lowercase);
    lower
        .as_deref()
        .and_then(SnapshotFormat::of_extension)
        .ok_or_else(|| {
            Error::Usage(format!(
                "{}: not a snapshot: an archived copy is a .md (Markdown), .txt (plain text) or .html (web page) file",
                file.display()
            ))
        })
}

/// When the copy was observed: `--date`, or now. A same-second suffix is clausebook's to choose.
fn observed(date: Option<&str>) -> Result<Timestamp> {
    let Some(date) = date else {
        // The only place clausebook reads the clock: a build depends on its content alone.
        return Timestamp::of_instant(jiff::Timestamp::now())
            .ok_or_else(|| Error::Usage("the system clock is set outside years 1 to 9999".into()));
    };
    let instant = || date.parse::<jiff::Timestamp>().ok();
    match Timestamp::parse(date).or_else(|| instant().and_then(Timestamp::of_instant)) {
        Some(t) if !t.has_suffix() => Ok(t),
        Some(_) => Err(Error::Usage(format!(
            "--date `{date}`: give the time alone; clausebook adds the -2, -3… suffix when a version of that second exists"
        ))),
        None => Err(Error::Usage(format!(
            "--date `{date}` is not a time: write YYYY-MM-DD, YYYY-MM-DDTHH-MM-SSZ (UTC) or an RFC 3339 time such as 2025-01-16T08:00:00Z"
        ))),
    }
}

/// The new version `at` of `history`: its class, what it was compared with and how much
/// changed.
fn describe(document: &str, history: &History, texts: &Texts, at: usize) -> String {
    let version = &history.versions[at];
    let class = version.class.as_str();
    let mut out = match version.class {
        Class::First => {
            let words = texts.versions[at].text.word_count();
            format!("{class}, {}", count(words, "word"))
        }
        _ => format!(
            "{class}, {} added and {} removed against {}",
            count(version.words_added, "word"),
            version.words_removed,
            baseline_name(document, history, at)
        ),
    };
    match version.class {
        Class::Noise => out.push_str(
            " (the text returns to an earlier version's, or only dates and counters changed)",
        ),
        Class::Formatting => out.push_str(" (the same visible text)"),
        _ => {}
    }
    let later = history.versions.len() - at - 1;
    if later > 0 {
        let _ = write!(
            out,
            "; it comes before {} observed later",
            count(later, "version")
        );
    }
    out.push('.');
    out
}

/// The version `at` is compared with, by its name.
fn baseline_name(document: &str, history: &History, at: usize) -> String {
    match history.versions[at].baseline {
        Some(b) => format!("{document} version {}", history.versions[b].timestamp),
        None => "no earlier version".into(),
    }
}
