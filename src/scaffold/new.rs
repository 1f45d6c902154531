//! `clausebook new`: a record's file, written from the starter site's record of the same kind
//! with its values taken out, its comments kept.

use super::{Starter, write_new};
use crate::error::{Error, Result};
use crate::ids::{ClauseId, DocumentId, PlatformId, ProvisionId, RecordId, RegulationId};
use crate::placeholder::{MARKER, is_plain_key};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A record `clausebook new` can write, as named on the command line.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Record {
    /// A platform: content/platforms/PLATFORM/platform.yaml.
    Platform {
        #[arg(value_name = "PLATFORM")]
        id: String,
    },
    /// A document of a platform: content/platforms/PLATFORM/documents/DOCUMENT/document.yaml.
    Document {
        #[arg(value_name = "PLATFORM/DOCUMENT")]
        id: String,
    },
    /// A clause of a platform: content/platforms/PLATFORM/clauses/CLAUSE.yaml.
    Clause {
        #[arg(value_name = "PLATFORM/CLAUSE")]
        id: String,
        /// The document of the platform it quotes.
        #[arg(long)]
        document: Option<String>,
        /// The provision type it is an instance of.
        #[arg(long)]
        provision: Option<String>,
    },
    /// A provision type: content/provisions/PROVISION.yaml.
    Provision {
        #[arg(value_name = "PROVISION")]
        id: String,
    },
    /// A regulation: content/regulations/REGULATION.yaml.
    Regulation {
        #[arg(value_name = "REGULATION")]
        id: String,
    },
}

// The starter site's record each kind's skeleton is made from.
pub(crate) const PLATFORM: &str = "content/platforms/example-social/platform.yaml";
pub(crate) const DOCUMENT: &str =
    "content/platforms/example-social/documents/terms-of-service/document.yaml";
pub(super) const CLAUSE: &str = "content/platforms/example-social/clauses/account-termination.yaml";
pub(super) const PROVISION: &str = "content/provisions/account-termination.yaml";
pub(super) const REGULATION: &str = "content/regulations/eu-digital-services-act.yaml";

/// What to write: the file (relative to `content/`), the starter record it is made from, and
/// the values the command line gave.
struct Plan {
    file: String,
    source: &'static str,
    fills: Vec<(&'static str, String)>,
}

/// Writes the skeleton of `record` into the site at `root`, refusing to overwrite a file or to
/// name a platform, document or provision type the site does not have; returns its path.
pub(crate) fn create(root: &Path, record: &Record) -> Result<PathBuf> {
    let content = content_of(root, "new")?;
    let plan = plan(&content, record)?;
    let path = content.join(&plan.file);
    write_new(&path, skeleton_of(plan.source, &plan.fills).as_bytes())?;
    Ok(path)
}

/// The `content/` folder of the site at `root`, for `command` to write into; an error unless it
/// holds `site.yaml`.
pub(crate) fn content_of(root: &Path, command: &str) -> Result<PathBuf> {
    let content = root.join("content");
    if !content.join("site.yaml").is_file() {
        return Err(Error::Usage(format!(
            "no site found: {} does not exist. Run clausebook {command} in a site's root folder or pass --root DIR.",
            content.join("site.yaml").display()
        )));
    }
    Ok(content)
}

/// The skeleton of the starter's record `source` ([`PLATFORM`], [`DOCUMENT`]…) with `fills`.
pub(crate) fn skeleton_of(source: &str, fills: &[(&str, String)]) -> String {
    let source = Starter::get(source).expect("a test checks every source is in the starter");
    skeleton(&String::from_utf8_lossy(&source.data), fills)
}

fn plan(content: &Path, record: &Record) -> Result<Plan> {
    let plan = |file: String, source, fills| Plan {
        file,
        source,
        fills,
    };
    Ok(match record {
        Record::Platform { id } => {
            let id: PlatformId = parse(id)?;
            plan(format!("platforms/{id}/platform.yaml"), PLATFORM, vec![])
        }
        Record::Document { id } => {
            let (platform, id) = of_platform::<DocumentId>(content, id, "DOCUMENT")?;
            let file = format!("platforms/{platform}/documents/{id}/document.yaml");
            plan(file, DOCUMENT, vec![])
        }
        Record::Clause {
            id,
            document,
            provision,
        } => {
            let (platform, id) = of_platform::<ClauseId>(content, id, "CLAUSE")?;
            let mut fills = Vec::new();
            if let Some(document) = document {
                let documents = content.join("platforms").join(&*platform).join("documents");
                let document: DocumentId = parse(document)?;
                existing(&document, &documents, "")?;
                fills.push(("document", document.to_string()));
            }
            if let Some(provision) = provision {
                let provision: ProvisionId = parse(provision)?;
                existing(&provision, &content.join("provisions"), ".yaml")?;
                fills.push(("provision", provision.to_string()));
            }
            plan(
                format!("platforms/{platform}/clauses/{id}.yaml"),
                CLAUSE,
                fills,
            )
        }
        Record::Provision { id } => {
            let id: ProvisionId = parse(id)?;
            plan(format!("provisions/{id}.yaml"), PROVISION, vec![])
        }
        Record::Regulation { id } => {
            let id: RegulationId = parse(id)?;
            plan(format!("regulations/{id}.yaml"), REGULATION, vec![])
        }
    })
}

/// An id from the command line.
fn parse<I: RecordId>(id: &str) -> Result<I> {
    I::parse(id).map_err(Error::Usage)
}

/// `PLATFORM/ID`: the platform, which must exist, and the id.
pub(crate) fn of_platform<I: RecordId>(
    content: &Path,
    arg: &str,
    what: &str,
) -> Result<(PlatformId, I)> {
    let Some((platform, id)) = arg.split_once('/') else {
        return Err(Error::Usage(format!(
            "`{arg}` is not PLATFORM/{what}: a {} is named with its platform first, as in `my-platform/{arg}`",
            I::KIND
        )));
    };
    let platform: PlatformId = parse(platform)?;
    existing(&platform, &content.join("platforms"), "")?;
    Ok((platform, parse(id)?))
}

/// Fails unless `dir` holds the record `id` (a folder, or with `suffix` a file), suggesting the
/// nearest id when one is a likely typo.
pub(crate) fn existing<I: RecordId>(id: &I, dir: &Path, suffix: &str) -> Result<()> {
    let mut ignored = Vec::new();
    let entries = crate::read::entries(dir, crate::read::is_ignored_name, &mut ignored);
    let known: Vec<&str> = entries
        .iter()
        .filter(|e| (e.kind == crate::read::Kind::Dir) == suffix.is_empty())
        .filter_map(|e| e.name.strip_suffix(suffix))
        .collect();
    if known.contains(&&**id) {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "unknown {} `{}`: no {}{}",
        I::KIND,
        &**id,
        dir.join(format!("{}{suffix}", &**id)).display(),
        crate::load::did_you_mean(id, known.iter().copied())
    )))
}

/// `source`, a record of the starter site, made the skeleton of a new record: each required
/// key (its comment starts "Required.") holds the value `fills` gives it, else a placeholder
/// saying what it wants, from the comment's first words ("# Required. The clause's title." →
/// `title: "TODO: the clause's title"`); each optional key is commented out, its value kept as
/// an example. Comments, which explain each key, are kept as they are.
pub(super) fn skeleton(source: &str, fills: &[(&str, String)]) -> String {
    let mut out = String::new();
    // The comment just above the line, as one text.
    let mut comment = String::new();
    // Within a key's further (indented) lines: whether to comment them out or drop them.
    let mut comment_out: Option<bool> = None;
    for line in source.lines() {
        if line.starts_with(' ')
            && let Some(comment_out) = comment_out
        {
            if comment_out {
                let _ = writeln!(out, "# {line}");
            }
            continue;
        }
        comment_out = None;
        if let Some(text) = line.strip_prefix('#') {
            comment.push_str(text.trim());
            comment.push(' ');
            let _ = writeln!(out, "{line}");
            continue;
        }
        let key = line
            .split_once(':')
            .map(|(k, _)| k)
            .filter(|k| is_plain_key(k));
        let required = comment.strip_prefix("Required. ");
        let Some(key) = key else {
            let _ = writeln!(out, "{line}");
            comment.clear();
            continue;
        };
        let fill = fills.iter().find(|(k, _)| *k == key).map(|(_, v)| v);
        let _ = match (fill, required) {
            (Some(v), _) => writeln!(out, "{key}: {v}"),
            (None, Some(what)) => writeln!(out, "{key}: \"{MARKER} {}\"", hint(what)),
            (None, None) => writeln!(out, "# {line}"),
        };
        comment_out = Some(fill.is_none() && required.is_none());
        comment.clear();
    }
    out
}

/// The first words of a key's description, up to the first `: ` or `. `, starting in lower
/// case and escaped for a double-quoted YAML string.
fn hint(description: &str) -> String {
    let end = [": ", ". "]
        .iter()
        .filter_map(|stop| description.find(stop))
        .min()
        .unwrap_or(description.len());
    let words = description[..end].trim_end_matches(['.', ' ']);
    let mut chars = words.chars();
    let first = chars.next().map(|c| c.to_lowercase().to_string());
    let words = first.unwrap_or_default() + chars.as_str();
    words.replace('\\', "\\\\").replace('"', "\\\"")
}
