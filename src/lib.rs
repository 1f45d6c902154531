//! clausebook: a static site generator for governance comparisons.
//!
//! The data flows one way: [`load`] (content → validated, resolved model and route table) →
//! [`derive`] (histories, verification, cross-references) → [`render`] (a context per route,
//! through templates → an ordered map of output files) → [`output`] (atomic swap) or `serve`.

pub mod cli;
pub(crate) mod derive;
pub mod diff;
pub mod effective;
pub mod error;
pub(crate) mod hash;
pub mod history;
pub mod ids;
pub mod load;
pub mod markdown;
pub mod markup;
pub mod model;
pub mod output;
pub(crate) mod read;
pub(crate) mod render;
pub mod routes;
#[cfg(feature = "serve")]
pub mod serve;
pub mod text;
pub mod theme;
pub(crate) mod urls;
pub(crate) mod verify;
pub mod yaml;

use std::path::Path;

/// A site rendered in memory, with what is worth a warning but does not stop the build.
pub struct Built {
    /// Every output file.
    pub output: output::Output,
    /// Diagnostics of [`error::Severity::Warning`], sorted.
    pub warnings: Vec<error::Diagnostic>,
    /// Pages rendered by this build; the others were reused from the previous one.
    pub pages_rendered: usize,
    /// Pages taken as they were from the previous build.
    pub pages_reused: usize,
}

/// What a build can reuse from the previous build of the same site: `serve` keeps one across
/// rebuilds, so an edit costs only what it changed. Every cache is keyed by a hash of all the
/// inputs of what it holds, so a rebuild gives the same bytes as a clean build.
#[derive(Default)]
pub struct Session {
    files: load::FileCache,
    derive: derive::DeriveCache,
    render: render::RenderCache,
}

impl Session {
    /// Forgets what was read from these paths (or below them): the watcher says they changed.
    pub fn forget(&mut self, paths: &[std::path::PathBuf]) {
        for p in paths {
            self.files.forget(p);
        }
    }

    /// Loads, derives and renders the site under `root` into memory.
    pub fn build(&mut self, root: &Path, options: &load::LoadOptions) -> error::Result<Built> {
        run(
            root,
            options,
            &mut self.files,
            &mut self.derive,
            Some(&mut self.render),
        )
    }
}

/// A clean build of the site under `root`, keeping no cache.
pub fn build(root: &Path, options: &load::LoadOptions) -> error::Result<Built> {
    let mut files = load::FileCache::default();
    run(
        root,
        options,
        &mut files,
        &mut derive::DeriveCache::default(),
        None,
    )
}

/// The pipeline: load → derive → render.
fn run(
    root: &Path,
    options: &load::LoadOptions,
    files: &mut load::FileCache,
    derive: &mut derive::DeriveCache,
    render: Option<&mut render::RenderCache>,
) -> error::Result<Built> {
    let loaded = load::load_cached(root, options, files)?;
    let derived = derive::Derived::new(&loaded.site, derive);
    let rendered = render::render(&loaded, &derived, render)?;
    let mut warnings = derived.not_found(&loaded.site);
    warnings.sort();
    files.quote(&mut warnings);
    Ok(Built {
        output: rendered.output,
        warnings,
        pages_rendered: rendered.rendered,
        pages_reused: rendered.reused,
    })
}
