//! `clausebook init` and `clausebook new`: a new site, and a new record in a site.
//!
//! The starter site (`starter/` in the repository, embedded as the built-in theme is) is the one
//! source of both: `init` writes it, and `new` writes one of its records with its values taken
//! out, so the comments that explain each key are written once. The sample site (`content/`) is
//! packed by build.rs for `init --sample`.

mod new;

pub(crate) use new::{
    DOCUMENT, PLATFORM, Record, content_of, create, existing, of_platform, skeleton_of,
};

use crate::error::{Error, Result};
use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

/// The starter site, embedded at compile time like the built-in theme (`debug-embed` included).
#[derive(rust_embed::Embed)]
#[folder = "starter/"]
struct Starter;

/// The sample site's files, as build.rs packs them.
static SAMPLE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/sample.zst"));

/// Writes a new site into `dir`, which must be missing or empty (a `.git` folder alone is
/// allowed, as after `git init`): the starter site, or with `sample` the full sample site.
/// Returns how many files were written.
pub(crate) fn init(dir: &Path, sample: bool) -> Result<usize> {
    refuse_non_empty(dir)?;
    let raw;
    let mut files: Vec<(String, Cow<'_, [u8]>)> = Vec::new();
    if sample {
        raw = zstd::stream::decode_all(SAMPLE).map_err(damaged)?;
        for (rel, bytes) in unpack(&raw).map_err(damaged)? {
            files.push((format!("content/{rel}"), Cow::Borrowed(bytes)));
        }
        files.extend(starter(".gitignore").map(|text| (".gitignore".into(), text)));
    } else {
        for rel in Starter::iter() {
            files.extend(starter(&rel).map(|text| (rel.into_owned(), text)));
        }
    }
    for (rel, bytes) in &files {
        write_new(&dir.join(rel), bytes)?;
    }
    Ok(files.len())
}

/// A file of the starter site.
fn starter(rel: &str) -> Option<Cow<'static, [u8]>> {
    Starter::get(rel).map(|file| file.data)
}

/// An error for a folder that holds anything but a `.git` folder.
fn refuse_non_empty(dir: &Path) -> Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        if entry.file_name() != ".git" {
            return Err(Error::Usage(format!(
                "{} is not empty: clausebook init writes a new site into an empty or new folder",
                dir.display()
            )));
        }
    }
    Ok(())
}

/// Writes a file that must not exist yet, with its folders: nothing is ever overwritten.
pub(crate) fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Error::Usage(format!(
                "{} already exists: clausebook never overwrites a file",
                path.display()
            )),
            _ => Error::io(path, e),
        })?;
    file.write_all(bytes).map_err(|e| Error::io(path, e))
}

/// The sample site packed into the binary could not be read: a broken build of clausebook.
fn damaged(e: std::io::Error) -> Error {
    Error::io("the sample site built into clausebook", e)
}

/// The files build.rs packed, as (path relative to `content/`, bytes): each a path and its
/// bytes, each preceded by its length as 8 little-endian bytes. A path that could leave the
/// folder it is written into is refused.
fn unpack(mut raw: &[u8]) -> std::io::Result<Vec<(&str, &[u8])>> {
    let mut files = Vec::new();
    while !raw.is_empty() {
        let name =
            std::str::from_utf8(take(&mut raw)?).map_err(|_| corrupt("a name is not UTF-8"))?;
        if name
            .split('/')
            .any(|c| c.is_empty() || c == "." || c == ".." || c.contains('\\'))
        {
            return Err(corrupt("a path leaves its folder"));
        }
        files.push((name, take(&mut raw)?));
    }
    Ok(files)
}

/// The part at the start of `raw`, after its length; `raw` moves past it.
fn take<'a>(raw: &mut &'a [u8]) -> std::io::Result<&'a [u8]> {
    let (len, rest) = raw
        .split_first_chunk::<8>()
        .ok_or_else(|| corrupt("cut short"))?;
    let len = usize::try_from(u64::from_le_bytes(*len)).map_err(|_| corrupt("too long"))?;
    if rest.len() < len {
        return Err(corrupt("cut short"));
    }
    let (part, rest) = rest.split_at(len);
    *raw = rest;
    Ok(part)
}

fn corrupt(why: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, why.to_string())
}

#[cfg(test)]
mod tests;
