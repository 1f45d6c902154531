//! Open Terms Archive datasets: a folder per service, in it a folder per terms type, in it a file
//! per version named by when it was recorded (`Facebook/Privacy Policy/2024-01-10T10-00-00Z.md`),
//! beside a `README.md` and a `LICENSE`.

use super::{Content, Found, Listing, Terms};
use crate::error::{Diagnostic, Error, Result};
use crate::ids::Timestamp;
use crate::model::SnapshotFormat;
use crate::read::{Kind, entries, is_ignored_name, is_real_dir};
use std::path::Path;

/// Lists the versions of the dataset at `source`, of `services` only when some are named. Its
/// files are read, as every file of a site is, without following links.
pub(super) fn list(source: &Path, services: &[String]) -> Result<Listing> {
    if !is_real_dir(source).map_err(Error::of_input)? {
        return Err(Error::Usage(format!(
            "{} is neither an Open Terms Archive dataset folder nor a git repository",
            source.display()
        )));
    }
    let mut listing = Listing {
        terms: Vec::new(),
        services: Vec::new(),
        skipped: Vec::new(),
    };
    let mut problems = Vec::new();
    // The dataset's own files (README.md, LICENSE) sit beside the services' folders.
    let folders = |dir: &Path, problems: &mut Vec<Diagnostic>| {
        let found = entries(dir, is_ignored_name, problems);
        found.into_iter().filter(|e| e.kind == Kind::Dir)
    };
    for service in folders(source, &mut problems) {
        listing.services.push(service.name.clone());
        if !services.is_empty() && !services.contains(&service.name) {
            continue;
        }
        for terms_type in folders(&service.path, &mut problems) {
            let mut versions = Vec::new();
            for file in entries(&terms_type.path, is_ignored_name, &mut problems) {
                match version(&file.name) {
                    Some((at, format)) if file.kind == Kind::File => versions.push(Found {
                        at,
                        format,
                        commit: None,
                        content: Content::File(file.path),
                    }),
                    _ => listing.skipped.push(format!(
                        "{}: not a version (`<timestamp>.md`)",
                        file.path.display()
                    )),
                }
            }
            versions.sort_by(|a, b| a.at.cmp(&b.at));
            listing.terms.push(Terms {
                service: service.name.clone(),
                terms_type: terms_type.name,
                versions,
            });
        }
    }
    listing.skipped.extend(
        problems
            .iter()
            .map(|d| format!("{}: {}", d.origin, d.message)),
    );
    Ok(listing)
}

/// The time and format a version's file name gives.
fn version(name: &str) -> Option<(Timestamp, SnapshotFormat)> {
    let (stem, extension) = name.rsplit_once('.')?;
    Some((
        Timestamp::parse(stem)?,
        SnapshotFormat::of_extension(extension)?,
    ))
}
