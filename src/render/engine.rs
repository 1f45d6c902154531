//! The engine every page kind renders through: the theme's compiled templates, the context all
//! pages share, and the cache of pages from the previous build, keyed by the very context a
//! page is rendered from.

use super::view::{Meta, SiteView};
use crate::error::{Diagnostic, Kind, Origin};
use crate::hash::{KeyHasher, hash_of};
use crate::markup;
use crate::theme::Theme;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::hash::Hasher;
use std::path::PathBuf;
use std::sync::Arc;

/// The Tera instance for a theme, and each template's source and file for error messages.
pub(crate) struct Templates {
    tera: tera::Tera,
    sources: BTreeMap<String, (String, Option<PathBuf>)>,
}

impl Templates {
    /// Compiles every template of the theme; syntax errors come back as diagnostics.
    pub(crate) fn new(theme: &Theme) -> Result<Templates, Vec<Diagnostic>> {
        let sources = theme.templates.clone();
        let mut tera = tera::Tera::new();
        tera.autoescape_on([".html", ".htm", ".xml", ".svg"]);
        // One escaper for every text from content, in templates as in the HTML built in Rust.
        tera.set_escape_fn(|text, out| out.write_all(markup::escape(text).as_bytes()));
        tera.add_raw_templates(
            theme
                .templates
                .iter()
                .map(|(n, (s, _))| (n.as_str(), s.as_str())),
        )
        .map_err(|e| vec![template_diagnostic(e, &sources)])?;
        Ok(Templates { tera, sources })
    }

    /// `template` rendered with `context`.
    pub(crate) fn render(
        &self,
        template: &str,
        context: &impl Serialize,
    ) -> Result<String, Diagnostic> {
        let ctx = tera::Context::from_serialize(context)
            .map_err(|e| template_diagnostic(e, &self.sources))?;
        self.tera
            .render(template, &ctx)
            .map_err(|e| template_diagnostic(e, &self.sources))
    }
}

/// A Tera error as a diagnostic at the template's file (or built-in name) and line, quoting it.
fn template_diagnostic(
    e: tera::Error,
    sources: &BTreeMap<String, (String, Option<PathBuf>)>,
) -> Diagnostic {
    let (tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r)) = e.kind() else {
        // Errors Tera does not place (an unknown filter, a missing parent) name the template
        // in their own text.
        return Diagnostic::error(Kind::Render, Origin::Templates, "template error").caused_by(e);
    };
    let source = sources.get(r.filename());
    let origin = match source {
        Some((_, Some(path))) => Origin::file(path),
        _ => Origin::Template {
            name: r.filename().to_string(),
            span: None,
        },
    };
    let message = format!("template error: {}", r.message());
    let mut d = Diagnostic::error(Kind::Render, origin, message)
        .at(r.span().start_line, r.span().start_col + 1);
    if let Some((text, _)) = source {
        d.quote_from(text);
    }
    d
}

/// What the previous build rendered, for `serve`'s rebuilds: the compiled templates and every
/// page by output path with the key of the context it was rendered from.
#[derive(Default)]
pub(crate) struct RenderCache {
    templates: Option<(u64, Arc<Templates>)>,
    pages: Pages,
}

/// Rendered pages by output path, with the key of the context each was rendered from.
pub(crate) type Pages = HashMap<String, (u64, Arc<[u8]>)>;

/// Every page's context: the site-wide part, the page's `<head>`, and the page's own fields
/// flattened beside them (templates read `site.title`, `meta.title`, `clause.title`).
#[derive(Serialize)]
pub(crate) struct Context<'v, T: Serialize> {
    pub site: &'v SiteView,
    pub meta: Meta,
    #[serde(flatten)]
    pub page: T,
}

/// A rendered file, and the key of its context when a cache is kept.
pub(crate) struct Rendered {
    pub bytes: Arc<[u8]>,
    pub key: Option<u64>,
    /// Taken from the previous build rather than rendered.
    pub reused: bool,
}

/// Renders pages; shared by the page kinds, and safe to use from several threads at once.
pub(crate) struct Engine<'c> {
    templates: Arc<Templates>,
    theme_key: u64,
    /// The previous build's pages, when this build keeps a cache.
    previous: Option<&'c Pages>,
}

impl<'c> Engine<'c> {
    /// An engine for `theme`, reusing the compiled templates and pages of `cache` if given.
    pub(crate) fn new(
        theme: &Theme,
        cache: Option<&'c mut RenderCache>,
    ) -> Result<Engine<'c>, Vec<Diagnostic>> {
        let theme_key = hash_of(&theme.templates);
        let Some(cache) = cache else {
            return Ok(Engine {
                templates: Arc::new(Templates::new(theme)?),
                theme_key,
                previous: None,
            });
        };
        let templates = match &cache.templates {
            Some((key, t)) if *key == theme_key => t.clone(),
            _ => Arc::new(Templates::new(theme)?),
        };
        cache.templates = Some((theme_key, templates.clone()));
        Ok(Engine {
            templates,
            theme_key,
            previous: Some(&cache.pages),
        })
    }

    /// `file` rendered from `template` and `context`; with a cache, the previous build's bytes
    /// when the template, the theme and the serialised context are the same.
    pub(crate) fn page(
        &self,
        file: &str,
        template: &str,
        context: &impl Serialize,
    ) -> Result<Rendered, Diagnostic> {
        let key = self.previous.and_then(|_| self.key(template, context));
        let previous = self.previous.and_then(|p| p.get(file));
        if let (Some(k), Some((pk, bytes))) = (key, previous)
            && k == *pk
        {
            return Ok(Rendered {
                bytes: bytes.clone(),
                key,
                reused: true,
            });
        }
        let html = self.templates.render(template, context)?;
        Ok(Rendered {
            bytes: html.into_bytes().into(),
            key,
            reused: false,
        })
    }

    /// A fragment for a page's context (a timeline), rendered from a template of its own. The
    /// fragment's final line break is dropped, so its template file can end with one.
    pub(crate) fn fragment(
        &self,
        template: &str,
        context: &impl Serialize,
    ) -> Result<String, Diagnostic> {
        let mut text = self.templates.render(template, context)?;
        if text.ends_with('\n') {
            text.pop();
        }
        Ok(text)
    }

    /// The hash of the theme, the template and the serialised context; None when the context
    /// cannot be serialised (the page is then rendered every time, never reused).
    fn key(&self, template: &str, context: &impl Serialize) -> Option<u64> {
        let mut h = KeyHasher::default();
        h.write_u64(self.theme_key);
        h.write(template.as_bytes());
        serde_json::to_writer(HashWriter(&mut h), context).ok()?;
        Some(h.finish())
    }
}

impl RenderCache {
    /// Keeps this build's pages for the next.
    pub(crate) fn keep(&mut self, pages: Pages) {
        self.pages = pages;
    }
}

/// Feeds serialised JSON straight into a hasher: a page's key without building the JSON.
struct HashWriter<'h>(&'h mut KeyHasher);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
