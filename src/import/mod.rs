//! `clausebook import ota`: versions recorded by Open Terms Archive, from a dataset folder or a
//! versions git repository, added to the site's documents: a platform per service, a document
//! per terms type, and every version the document does not have yet.
//!
//! Everything that can be wrong with the command or the site is found before anything is
//! written: the source is listed whole (its versions' texts are read later, one at a time), and
//! every document it maps to is read. A version is already there when its commit is named in
//! the document's `sources`, or when a snapshot of the same second has the same text; so
//! importing again adds nothing.

mod dataset;
mod git;
mod sources;

use crate::error::{Diagnostic, Error, Result};
use crate::ids::{DocumentId, PlatformId, RecordId, Timestamp, slug};
use crate::model::{DocumentRecord, MAX_SNAPSHOT_BYTES, SnapshotFormat};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What `clausebook import` reads.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Source {
    /// Versions recorded by Open Terms Archive: a dataset folder
    /// (`<service>/<terms type>/<timestamp>.md`) or a versions git repository (a file
    /// `<service>/<terms type>.md`, a commit per version).
    Ota {
        /// The dataset folder, or the repository (a clone, or a bare repository).
        source: PathBuf,
        /// Import only this service, named as Open Terms Archive names it ("Facebook");
        /// repeat it for more.
        #[arg(long = "service", value_name = "NAME")]
        services: Vec<String>,
    },
}

/// One version in the source.
struct Found {
    /// When it was recorded: its commit's author time, or its dataset file's name.
    at: Timestamp,
    format: SnapshotFormat,
    /// The commit that recorded it, for a repository.
    commit: Option<String>,
    /// Where its text is.
    content: Content,
}

/// Where a version's text is in the source.
enum Content {
    /// A dataset's file.
    File(PathBuf),
    /// A repository's blob, by its id.
    Blob(String),
}

/// A service's terms of one type, as the source has them: its versions, oldest first.
struct Terms {
    service: String,
    terms_type: String,
    versions: Vec<Found>,
}

/// What a source holds: the terms asked for, every service's name (to suggest one for a name
/// that is not there), and what was skipped.
struct Listing {
    terms: Vec<Terms>,
    services: Vec<String>,
    skipped: Vec<String>,
}

/// Reads the versions' texts: a dataset's files, or a repository's blobs through one
/// `git cat-file` process.
struct Reader(Option<git::Blobs>);

impl Reader {
    /// The text of `content`: an error if the source cannot be read, or, inside, why this
    /// version cannot be a snapshot.
    fn read(&mut self, content: &Content) -> Result<std::result::Result<String, String>> {
        Ok(match (content, &mut self.0) {
            (Content::File(path), _) => {
                crate::read::read_text(path, MAX_SNAPSHOT_BYTES).map_err(|d| d.message)
            }
            (Content::Blob(id), Some(blobs)) => blobs.read(id)?,
            (Content::Blob(id), None) => Err(format!("blob {id} is outside a repository")),
        })
    }
}

/// What an import did, to report it.
#[derive(Debug, Default)]
pub(crate) struct Imported {
    /// Per document, `platform/document`: versions added and versions already there.
    documents: BTreeMap<String, (usize, usize)>,
    /// The records written for platforms and documents new to the site.
    created: Vec<PathBuf>,
    /// Versions and files of the source left out, and why.
    skipped: Vec<String>,
}

/// Imports the versions of `source` (of `services` only, when some are named) into the site at
/// `root`.
pub(crate) fn ota(root: &Path, source: &Path, services: &[String]) -> Result<Imported> {
    let content = crate::scaffold::content_of(root, "import ota")?;
    let (listing, mut reader) = if git::is_repository(source) {
        let (listing, blobs) = git::list(source, services)?;
        (listing, Reader(Some(blobs)))
    } else {
        (dataset::list(source, services)?, Reader(None))
    };
    for name in services {
        if !listing.terms.iter().any(|t| t.service == *name) {
            let others = listing.services.iter().filter(|s| *s != name);
            return Err(Error::Usage(format!(
                "{} has no versions of a service named `{name}`{}",
                source.display(),
                crate::load::did_you_mean(name, others.map(String::as_str))
            )));
        }
    }
    let mut skipped = listing.skipped;
    let targets = plan(&content, listing.terms, &mut skipped)?;
    let mut imported = Imported {
        skipped,
        ..Imported::default()
    };
    for target in targets {
        target.import(&mut reader, &mut imported)?;
    }
    Ok(imported)
}

/// One document of the site that versions go to, as it is before the import.
struct Target {
    platform: PlatformId,
    id: DocumentId,
    /// The service and terms type it was made from, for new records.
    names: (String, String),
    /// `content/platforms/<platform>`.
    platform_dir: PathBuf,
    /// `…/documents/<document>`.
    dir: PathBuf,
    /// Its `document.yaml`, if it has one.
    record: Option<String>,
    /// The commits its `sources` names.
    commits: HashSet<String>,
    /// Its snapshots, by timestamp.
    snapshots: Vec<(Timestamp, PathBuf)>,
    /// The versions to import into it, in the order they were recorded.
    versions: Vec<Found>,
}

/// The documents the terms go to, each read as it is: an error, with nothing written, if one
/// cannot be read. Terms whose names give the same ids (a service renamed from "Tp-link" to
/// "TP-Link") go to the same document; terms whose names give no id are skipped.
fn plan(content: &Path, terms: Vec<Terms>, skipped: &mut Vec<String>) -> Result<Vec<Target>> {
    let mut targets: BTreeMap<(PlatformId, DocumentId), Target> = BTreeMap::new();
    let mut errors = Vec::new();
    for t in terms {
        let (Some(platform), Some(id)) = (
            id_of::<PlatformId>(&t.service),
            id_of::<DocumentId>(&t.terms_type),
        ) else {
            skipped.push(format!(
                "{}/{}: no letters or digits to make ids of",
                t.service, t.terms_type
            ));
            continue;
        };
        if let Some(target) = targets.get_mut(&(platform.clone(), id.clone())) {
            target.versions.extend(t.versions);
            continue;
        }
        match Target::read(content, platform, id) {
            Ok(mut target) => {
                target.names = (t.service, t.terms_type);
                target.versions = t.versions;
                targets.insert((target.platform.clone(), target.id.clone()), target);
            }
            Err(d) => errors.extend(d),
        }
    }
    if !errors.is_empty() {
        return Err(Error::content(errors));
    }
    Ok(targets.into_values().collect())
}

fn id_of<I: RecordId>(name: &str) -> Option<I> {
    I::parse(&slug(name)?).ok()
}

impl Target {
    /// The document `platform/id` of the site whose `content/` folder is `content`, which may
    /// not exist yet. Its folders may not be links: nothing is written through one.
    fn read(
        content: &Path,
        platform: PlatformId,
        id: DocumentId,
    ) -> std::result::Result<Target, Vec<Diagnostic>> {
        let platform_dir = content.join("platforms").join(&*platform);
        let dir = platform_dir.join("documents").join(&*id);
        let snapshots_dir = dir.join("snapshots");
        let folders = [&platform_dir, &platform_dir.join("documents"), &dir];
        for folder in folders {
            crate::read::is_real_dir(folder).map_err(|d| vec![d])?;
        }
        let has_snapshots = crate::read::is_real_dir(&snapshots_dir).map_err(|d| vec![d])?;
        let record_path = dir.join("document.yaml");
        let mut record = None;
        let mut commits = HashSet::new();
        if record_path.exists() {
            let limit = crate::yaml::MAX_RECORD_BYTES as u64;
            let text = crate::read::read_text(&record_path, limit).map_err(|d| vec![d])?;
            let parsed: DocumentRecord =
                crate::yaml::parse(&record_path, &text, 1).map_err(|d| vec![d])?;
            commits.extend(parsed.sources.into_values().map(|c| c.value));
            record = Some(text);
        }
        let mut diagnostics = Vec::new();
        let skip = crate::read::is_ignored_name;
        let files = match has_snapshots {
            true => crate::read::files_below(&snapshots_dir, skip, &mut diagnostics),
            false => Vec::new(),
        };
        if !diagnostics.is_empty() {
            return Err(diagnostics);
        }
        let snapshots = files
            .into_iter()
            .filter_map(|(rel, path)| {
                let name = rel.rsplit('/').next()?;
                let (stem, _) = name.rsplit_once('.')?;
                Some((Timestamp::parse(stem)?, path))
            })
            .collect();
        Ok(Target {
            platform,
            id,
            names: Default::default(),
            platform_dir,
            dir,
            record,
            commits,
            snapshots,
            versions: Vec::new(),
        })
    }

    /// Writes the versions it does not have, then its record (and its platform's, if new) with
    /// their commits in `sources`: a run cut short leaves versions its next run finds by their
    /// text.
    fn import(mut self, reader: &mut Reader, imported: &mut Imported) -> Result<()> {
        let name = format!("{}/{}", self.platform, self.id);
        let (mut added, mut present) = (0, 0);
        let mut recorded = Vec::new();
        for found in std::mem::take(&mut self.versions) {
            if found
                .commit
                .as_ref()
                .is_some_and(|c| self.commits.contains(c))
            {
                present += 1;
                continue;
            }
            let text = match reader.read(&found.content)? {
                Ok(text) => text,
                Err(why) => {
                    imported
                        .skipped
                        .push(format!("{name}: version of {}: {why}", found.at));
                    continue;
                }
            };
            if self.has(&found.at, &text)? {
                present += 1;
                continue;
            }
            let taken = self.snapshots.iter().map(|(t, _)| t);
            let Some(timestamp) = found.at.first_free(taken) else {
                let why = "that second already has the most versions it can hold";
                imported
                    .skipped
                    .push(format!("{name}: version of {}: {why}", found.at));
                continue;
            };
            let file = format!("{timestamp}.{}", found.format.extension());
            let path = self.dir.join("snapshots").join(file);
            crate::scaffold::write_new(&path, text.as_bytes())?;
            if let Some(commit) = found.commit {
                recorded.push((timestamp.clone(), commit));
            }
            self.snapshots.push((timestamp, path));
            added += 1;
        }
        self.write_records(&recorded, imported)?;
        imported.documents.insert(name, (added, present));
        Ok(())
    }

    /// Whether a snapshot observed in the same second as `at` has `text`.
    fn has(&self, at: &Timestamp, text: &str) -> Result<bool> {
        for (t, path) in &self.snapshots {
            if t.same_time(at) {
                let existing = crate::read::read_text(path, MAX_SNAPSHOT_BYTES)
                    .map_err(|d| Error::content(vec![d]))?;
                if existing == text {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// The platform's record if it has none, and the document's, new or with `recorded` added
    /// to its `sources`.
    fn write_records(
        &self,
        recorded: &[(Timestamp, String)],
        imported: &mut Imported,
    ) -> Result<()> {
        let (service, terms_type) = &self.names;
        let platform_record = self.platform_dir.join("platform.yaml");
        if !platform_record.exists() {
            let fills = [("name", quoted(service))];
            let text = crate::scaffold::skeleton_of(crate::scaffold::PLATFORM, &fills);
            crate::scaffold::write_new(&platform_record, text.as_bytes())?;
            imported.created.push(platform_record);
        }
        let path = self.dir.join("document.yaml");
        match &self.record {
            None => {
                let fills = [
                    ("title", quoted(&format!("{service} {terms_type}"))),
                    ("type", quoted(terms_type)),
                ];
                let skeleton = crate::scaffold::skeleton_of(crate::scaffold::DOCUMENT, &fills);
                let text = sources::added(&path, &skeleton, recorded)?;
                crate::scaffold::write_new(&path, text.as_bytes())?;
                imported.created.push(path);
            }
            Some(_) if recorded.is_empty() => {}
            Some(record) => {
                let text = sources::added(&path, record, recorded)?;
                replace(&path, &text)?;
            }
        }
        Ok(())
    }
}

/// `value` as a double-quoted YAML string.
fn quoted(value: &str) -> String {
    serde_json::to_string(value).expect("a string serialises")
}

/// Writes `text` over the file at `path` in one step: through a hidden file beside it, which a
/// build ignores if it is left behind, renamed over it.
fn replace(path: &Path, text: &str) -> Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let temporary = path.with_file_name(format!(".{}.clausebook-new", name.unwrap_or_default()));
    std::fs::write(&temporary, text).map_err(|e| Error::io(&temporary, e))?;
    std::fs::rename(&temporary, path).map_err(|e| Error::io(path, e))
}

impl Imported {
    /// What was imported, per document, then what to do next.
    pub(crate) fn report(&self) -> String {
        let mut out = String::new();
        for (document, (added, present)) in &self.documents {
            let _ = writeln!(
                out,
                "{document}: {} added, {present} already there",
                versions(*added)
            );
        }
        for path in &self.created {
            let _ = writeln!(out, "Wrote {}", path.display());
        }
        for skipped in &self.skipped {
            let _ = writeln!(out, "Skipped {skipped}");
        }
        let added: usize = self.documents.values().map(|(a, _)| a).sum();
        let documents = crate::text::count(self.documents.len(), "document");
        let _ = writeln!(out, "{} added to {documents}.", versions(added));
        if self.created.iter().any(|p| p.ends_with("document.yaml")) {
            out.push_str("Open Terms Archive does not record where a document is published: fill in the `url` of each new document.yaml (`clausebook check` lists them).\n");
        }
        out.push_str("Open Terms Archive data is under the Open Data Commons Attribution License (ODC-BY 1.0): credit it in `attribution` in content/site.yaml (its comment has an example) so every page says where the versions come from.");
        out
    }
}

fn versions(n: usize) -> String {
    crate::text::count(n, "version")
}
