//! Render: the route table's files, each made by the page kind that owns it from an explicit
//! context, into the ordered map of output files.
//!
//! A page kind is a module of [`pages`]: it builds its documented context type from the model
//! and the derived results and names its template; [`engine`] renders it. To add a page kind,
//! add an [`Owner`] (and its files) to the route table, a module here, and a template.

pub(crate) mod engine;
mod pages;
pub(crate) mod timeline;
pub(crate) mod view;

use crate::derive::Derived;
use crate::error::{Diagnostic, Error, Kind, Origin, Result};
use crate::load::Loaded;
use crate::output::Output;
use crate::routes::Owner;
use engine::Engine;
pub(crate) use engine::RenderCache;
use rayon::prelude::*;
use std::collections::HashMap;
use view::Views;

/// A rendered site and how many of its pages were rendered anew.
pub(crate) struct Rendered {
    pub output: Output,
    pub rendered: usize,
    pub reused: usize,
}

/// Renders every file of the route table, in parallel, collecting every error. With `cache`,
/// a page whose template, theme and context are the same as in the previous build is taken
/// from it as it was; `build` and `check` keep no cache and pay nothing for one.
pub(crate) fn render(
    loaded: &Loaded,
    derived: &Derived,
    mut cache: Option<&mut RenderCache>,
) -> Result<Rendered> {
    let views = Views::new(&loaded.site, derived);
    let engine = Engine::new(&loaded.theme, cache.as_deref_mut()).map_err(Error::content)?;
    let files: Vec<(&str, Owner)> = loaded.routes.iter().collect();
    let results: Vec<(
        &str,
        Owner,
        std::result::Result<engine::Rendered, Diagnostic>,
    )> = files
        .into_par_iter()
        .map(|(file, owner)| {
            (
                file,
                owner,
                pages::render(&views, &engine, loaded, file, owner),
            )
        })
        .collect();
    drop(engine);
    let mut output = Output::default();
    let mut errors = Vec::new();
    let mut kept = HashMap::new();
    let (mut rendered, mut reused) = (0, 0);
    for (file, owner, result) in results {
        let page = match result {
            Ok(page) => page,
            Err(d) => {
                errors.push(d);
                continue;
            }
        };
        if owner.in_sitemap() {
            if page.reused {
                reused += 1;
            } else {
                rendered += 1;
            }
        }
        if let Some(key) = page.key {
            kept.insert(file.to_string(), (key, page.bytes.clone()));
        }
        if let Err(message) = output.insert(file.to_string(), page.bytes) {
            let origin = Origin::Output(file.to_string());
            errors.push(Diagnostic::error(Kind::RouteConflict, origin, message));
        }
    }
    if let Some(cache) = cache {
        cache.keep(kept);
    }
    if !errors.is_empty() {
        return Err(Error::content(errors));
    }
    Ok(Rendered {
        output,
        rendered,
        reused,
    })
}
