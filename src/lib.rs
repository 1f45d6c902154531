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

/// Loads, derives and renders the site under `root` into memory.
pub fn build(root: &Path, options: &load::LoadOptions) -> error::Result<output::Output> {
    let site = load::load(root, options)?;
    let derived = derive::Derived::new(&site);
    render::render(&site, &derived)
}
