//! clausebook: a static site generator for governance comparisons.
//!
//! The data flows one way: [`load`] (content → validated model) → [`derive`] (cross-references)
//! → [`render`] (templates → an ordered map of output files) → [`output`] (atomic swap).

pub mod cli;
pub mod derive;
pub mod diff;
pub mod error;
pub mod history;
pub mod ids;
pub mod load;
pub mod markdown;
pub mod model;
pub mod output;
pub mod render;
pub mod text;
pub mod theme;
pub mod urls;
pub mod verify;
pub mod yaml;

use std::path::Path;

/// A site rendered in memory, with what is worth a warning but does not stop the build.
pub struct Built {
    pub output: output::Output,
    pub warnings: Vec<error::Diagnostic>,
}

/// Loads, derives and renders the site under `root` into memory.
pub fn build(root: &Path, options: &load::LoadOptions) -> error::Result<Built> {
    let site = load::load(root, options)?;
    let derived = derive::Derived::new(&site);
    let output = render::render(&site, &derived)?;
    let mut warnings = derived.not_found(&site);
    warnings.sort();
    Ok(Built { output, warnings })
}
