//! The engine every page kind renders through: the theme's compiled templates, the context all
//! pages share, and the cache of pages from the previous build, keyed by the very context a
//! page is rendered from.

use super::view::{Meta, SiteView};
use crate::error::{Diagnostic, Kind, Origin};
use crate::hash::{Key, KeyHasher};
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
    /// The key of the theme's templates, part of every page's key.
    key: Key,
}

impl Templates {
    /// Compiles every template of the theme; syntax errors come back as diagnostics.
    pub(crate) fn new(theme: &Theme) -> Result<Templates, Vec<Diagnostic>> {
        let sources = theme.templates.clone();
        let key = Key::of(&theme.templates);
        let mut tera = tera::Tera::new();
        tera.autoescape_on([".html", ".htm", ".xml", ".svg"]);
        // One escaper for every text from content, in templates as in the HTML built in Rust.
        tera.set_escape_fn(|text, out| out.write_all(markup::escape(text).as_bytes()));
        // Counts in the thousands read as such ("42,627 archived versions"); a theme in another
        // language passes its own separator.
        tera.register_filter(
            "number",
            |n: i64, kwargs: tera::Kwargs, _: &tera::State| -> tera::TeraResult<String> {
                Ok(grouped(n, kwargs.get("separator")?.unwrap_or(",")))
            },
        );
        tera.add_raw_templates(
            theme
                .templates
                .iter()
                .map(|(n, (s, _))| (n.as_str(), s.as_str())),
        )
        .map_err(|e| vec![template_diagnostic(e, &sources)])?;
        Ok(Templates { tera, sources, key })
    }

    /// `theme`'s templates: `last` if they were compiled from the same sources, else compiled.
    pub(crate) fn reuse(
        last: Option<&Arc<Templates>>,
        theme: &Theme,
    ) -> Result<Arc<Templates>, Vec<Diagnostic>> {
        match last {
            Some(t) if t.key == Key::of(&theme.templates) => Ok(t.clone()),
            _ => Templates::new(theme).map(Arc::new),
        }
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

/// `n` with `separator` between each group of three digits.
fn grouped(n: i64, separator: &str) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::from(if n < 0 { "-" } else { "" });
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(digit);
    }
    out
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

/// Pages' keys by output path: what a build into a folder rendered there, by the theme, template
/// and context of each page. The on-disk cache keeps them as the folder's manifest; the next
/// build into it keeps a page whose key is unchanged ([`crate::output::Sink::keep`]).
pub(crate) type Pages = HashMap<String, Key>;

/// No pages: what a page is compared with to be keyed and always rendered.
fn no_pages() -> &'static Pages {
    static NONE: std::sync::LazyLock<Pages> = std::sync::LazyLock::new(Pages::new);
    &NONE
}

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
    /// None when the previous output's file is kept as it is, or only keys are asked for.
    pub bytes: Option<Arc<[u8]>>,
    pub key: Option<Key>,
    /// Taken from the previous build rather than rendered.
    pub reused: bool,
}

/// Renders pages; shared by the page kinds, and safe to use from several threads at once.
pub(crate) struct Engine<'c> {
    templates: Arc<Templates>,
    /// The previous build's pages, when this build keeps a cache.
    previous: Option<&'c Pages>,
    /// Whether pages are only keyed, never rendered.
    keys_only: bool,
}

impl<'c> Engine<'c> {
    /// An engine for `theme`, keeping the `previous` build's pages whose keys are unchanged.
    pub(crate) fn new(
        theme: &Theme,
        previous: Option<&'c Pages>,
    ) -> Result<Engine<'c>, Vec<Diagnostic>> {
        Ok(Engine {
            templates: Arc::new(Templates::new(theme)?),
            previous,
            keys_only: false,
        })
    }

    /// An engine rendering every page anew with `templates`, already compiled.
    pub(crate) fn of(templates: Arc<Templates>) -> Engine<'static> {
        Engine {
            templates,
            previous: None,
            keys_only: false,
        }
    }

    /// An engine rendering every page anew with `templates`, and keying it as a build does.
    pub(crate) fn keyed(templates: Arc<Templates>) -> Engine<'static> {
        Engine {
            templates,
            previous: Some(no_pages()),
            keys_only: false,
        }
    }

    /// An engine that only keys pages, as a build does, and renders none: what a page is made
    /// from, without the cost of making it.
    pub(crate) fn keys(templates: Arc<Templates>) -> Engine<'static> {
        Engine {
            keys_only: true,
            ..Engine::keyed(templates)
        }
    }

    /// `file` rendered from `template` and `context`; with a cache, the previous build's page
    /// when the template, the theme and the serialised context are the same.
    pub(crate) fn page(
        &self,
        file: &str,
        template: &str,
        context: &impl Serialize,
    ) -> Result<Rendered, Diagnostic> {
        let key = self.key(template, None, context);
        self.unless_unchanged(file, key, || self.templates.render(template, context))
    }

    /// Like [`Engine::page`], for a page showing a document's texts: `context` is given without
    /// them, and `texts` (the key of the document's derivation) stands for them in the page's
    /// key, so an unchanged page is found without the texts being read. `fill` adds them when
    /// the page must be rendered.
    pub(crate) fn page_with_texts<C: Serialize>(
        &self,
        file: &str,
        template: &str,
        mut context: C,
        texts: Key,
        fill: impl FnOnce(&mut C) -> Result<(), Diagnostic>,
    ) -> Result<Rendered, Diagnostic> {
        let key = self.key(template, Some(texts), &context);
        self.unless_unchanged(file, key, || {
            fill(&mut context)?;
            self.templates.render(template, &context)
        })
    }

    /// The previous build's page at `file` if its key is `key`, else the page `render` makes.
    fn unless_unchanged(
        &self,
        file: &str,
        key: Option<Key>,
        render: impl FnOnce() -> Result<String, Diagnostic>,
    ) -> Result<Rendered, Diagnostic> {
        let previous = self.previous.and_then(|p| p.get(file));
        if self.keys_only || (key.is_some() && key.as_ref() == previous) {
            return Ok(Rendered {
                bytes: None,
                key,
                reused: !self.keys_only,
            });
        }
        Ok(Rendered {
            bytes: Some(render()?.into_bytes().into()),
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

    /// The key of the theme, the template, the serialised context and what stands for what it
    /// leaves out; None without a cache, or when the context cannot be serialised (the page is
    /// then rendered every time, never reused).
    fn key(&self, template: &str, texts: Option<Key>, context: &impl Serialize) -> Option<Key> {
        self.previous?;
        let mut h = KeyHasher::default();
        h.write(&self.templates.key.to_le_bytes());
        h.write(template.as_bytes());
        h.write(&texts.map_or([0; 16], Key::to_le_bytes));
        serde_json::to_writer(&mut h, context).ok()?;
        Some(h.key())
    }
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(0, ","), "0");
        assert_eq!(grouped(999, ","), "999");
        assert_eq!(grouped(1000, ","), "1,000");
        assert_eq!(grouped(42627, ","), "42,627");
        assert_eq!(grouped(-1234567, "\u{202f}"), "-1\u{202f}234\u{202f}567");
        assert_eq!(grouped(i64::MIN, ","), "-9,223,372,036,854,775,808");
    }
}
