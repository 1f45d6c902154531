//! Render: templates fed with explicit per-page contexts, producing the ordered map of output files.

mod api;
pub mod feeds;
pub mod timeline;
pub mod view;

use crate::derive::Derived;
use crate::error::{Diagnostic, Error, Kind, Origin, Result};
use crate::history::{Class, History};
use crate::ids::display_date;
use crate::markdown;
use crate::model::{Document, Platform, Site, Theme};
use crate::output::Output;
use crate::urls::{Urls, index_file, route};
use crate::verify::State;
use serde::Serialize;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;
use view::*;

/// The Tera instance for a theme, and each template's source and file for error messages.
pub struct Renderer {
    tera: tera::Tera,
    sources: std::collections::BTreeMap<String, (String, Option<PathBuf>)>,
}

impl Renderer {
    /// Compiles every template of the theme; syntax errors come back as diagnostics.
    pub fn new(theme: &Theme) -> std::result::Result<Renderer, Vec<Diagnostic>> {
        let sources = theme.templates.clone();
        let mut tera = tera::Tera::new();
        // One escaper for every text from content, in templates as in the HTML built in Rust.
        tera.set_escape_fn(|text, out| out.write_all(markdown::escape(text).as_bytes()));
        tera.add_raw_templates(
            theme
                .templates
                .iter()
                .map(|(n, (s, _))| (n.as_str(), s.as_str())),
        )
        .map_err(|e| vec![template_diagnostic(e, &sources)])?;
        Ok(Renderer { tera, sources })
    }

    pub fn render(
        &self,
        template: &str,
        context: &impl Serialize,
    ) -> std::result::Result<String, Diagnostic> {
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
    sources: &std::collections::BTreeMap<String, (String, Option<PathBuf>)>,
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

/// Pages and compiled templates from the previous build, for `serve`'s rebuilds.
#[derive(Default)]
pub struct RenderCache {
    /// The theme's templates hash and their compiled form.
    renderer: Option<(u64, Arc<Renderer>)>,
    /// Output path → (hash of the page's template, theme and context; rendered bytes).
    pages: HashMap<String, (u64, Arc<[u8]>)>,
}

/// A rendered site and how much of it was rendered anew.
pub struct Rendered {
    pub output: Output,
    pub rendered: usize,
    pub reused: usize,
}

/// Renders every page into an [`Output`], collecting every error. A page whose template,
/// theme and context are the same as in the previous build is taken from `cache` as it was.
pub fn render(site: &Site, derived: &Derived, cache: &mut RenderCache) -> Result<Rendered> {
    let theme_key = {
        let mut h = DefaultHasher::new();
        site.theme
            .templates
            .iter()
            .for_each(|(name, (source, _))| (name, source).hash(&mut h));
        h.finish()
    };
    let renderer = match &cache.renderer {
        Some((key, r)) if *key == theme_key => r.clone(),
        _ => Arc::new(Renderer::new(&site.theme).map_err(Error::content)?),
    };
    cache.renderer = Some((theme_key, renderer.clone()));
    let views = Views::new(site, derived, Urls::new(&site.config.base_url));
    let mut pages = Pages {
        renderer: &renderer,
        site_view: views.site_view(),
        views: &views,
        output: Output::default(),
        errors: Vec::new(),
        sitemap: Vec::new(),
        theme_key,
        previous: std::mem::take(&mut cache.pages),
        next: HashMap::new(),
        rendered: 0,
        reused: 0,
    };
    pages.all();
    cache.pages = std::mem::take(&mut pages.next);
    let (rendered, reused) = (pages.rendered, pages.reused);
    let output = pages.finish()?;
    Ok(Rendered {
        output,
        rendered,
        reused,
    })
}

/// Feeds serialised JSON straight into a hasher: a page's key without building the JSON.
struct HashWriter<'h>(&'h mut DefaultHasher);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Pages<'a> {
    renderer: &'a Renderer,
    /// The same on every page: built once.
    site_view: SiteView,
    views: &'a Views<'a>,
    output: Output,
    errors: Vec<Diagnostic>,
    /// Routes listed in the sitemap.
    sitemap: Vec<String>,
    theme_key: u64,
    /// Pages of the previous build, and of this one as it is rendered.
    previous: HashMap<String, (u64, Arc<[u8]>)>,
    next: HashMap<String, (u64, Arc<[u8]>)>,
    rendered: usize,
    reused: usize,
}

/// Every page's context has these, flattened beside its own fields.
#[derive(Serialize)]
struct Common {
    site: SiteView,
    meta: Meta,
}

#[derive(Serialize)]
struct Ctx<T: Serialize> {
    #[serde(flatten)]
    common: Common,
    #[serde(flatten)]
    page: T,
}

/// A version of a document with where it belongs, for lists that span documents.
#[derive(Clone, Copy)]
struct Located<'s> {
    platform: &'s Platform,
    document: &'s Document,
    index: usize,
}

/// A version in a list of changes across documents.
#[derive(Serialize, Clone)]
struct ChangeView {
    platform: Link,
    document: Link,
    version: VersionView,
}

/// One entry of `/changes/`: a substantive change, or a fold of the versions between two.
#[derive(Serialize)]
struct ChangesItem {
    change: Option<ChangeView>,
    folded: Vec<ChangeView>,
}

/// A list of documents with their platforms.
type Documents<'s> = Vec<(&'s Platform, &'s Document)>;

/// How many recent substantive changes the home page lists.
const RECENT_CHANGES: usize = 10;

impl<'a> Pages<'a> {
    /// A page keyed by its whole context: reused when template, theme and context are the same.
    fn page<T: Serialize>(&mut self, route: &str, template: &str, meta: Meta, page: T) {
        let ctx = Ctx {
            common: Common {
                site: self.site_view.clone(),
                meta,
            },
            page,
        };
        let key = {
            let mut h = DefaultHasher::new();
            (self.theme_key, template).hash(&mut h);
            // Not hashable: rendered every time, never reused.
            serde_json::to_writer(HashWriter(&mut h), &ctx)
                .ok()
                .map(|()| h.finish())
        };
        self.emit(route, template, key, || ctx);
    }

    /// A page keyed by `inputs`, a hash of everything its context is made from, for pages whose
    /// context is large (a version's whole text): the context is built only if the page must
    /// be rendered again.
    fn page_keyed<T: Serialize>(
        &mut self,
        route: &str,
        template: &str,
        meta: Meta,
        inputs: u64,
        page: impl FnOnce() -> T,
    ) {
        let mut h = DefaultHasher::new();
        (self.theme_key, template, inputs).hash(&mut h);
        let hashable = serde_json::to_writer(HashWriter(&mut h), &(&self.site_view, &meta)).is_ok();
        let key = hashable.then(|| h.finish());
        let site = self.site_view.clone();
        self.emit(route, template, key, || Ctx {
            common: Common { site, meta },
            page: page(),
        });
    }

    fn emit<C: Serialize>(
        &mut self,
        route: &str,
        template: &str,
        key: Option<u64>,
        ctx: impl FnOnce() -> C,
    ) {
        let path = index_file(route);
        let reused = key.and_then(|k| {
            self.previous
                .get(&path)
                .filter(|(pk, _)| *pk == k)
                .map(|(_, b)| b.clone())
        });
        let bytes: Arc<[u8]> = match reused {
            Some(bytes) => {
                self.reused += 1;
                bytes
            }
            None => match self.renderer.render(template, &ctx()) {
                Ok(html) => {
                    self.rendered += 1;
                    html.into_bytes().into()
                }
                Err(d) => {
                    self.errors.push(d);
                    return;
                }
            },
        };
        if let Some(k) = key {
            self.next.insert(path.clone(), (k, bytes.clone()));
        }
        self.add(path, bytes, None);
        self.sitemap.push(route.to_string());
    }

    /// Adds a file; `source` is the content file named if the path is refused.
    fn add(&mut self, path: String, bytes: impl Into<Arc<[u8]>>, source: Option<&std::path::Path>) {
        if let Err(message) = self.output.insert(path.clone(), bytes) {
            let origin = source.map_or(Origin::Output(path), Origin::file);
            self.errors
                .push(Diagnostic::error(Kind::RouteConflict, origin, message));
        }
    }

    fn all(&mut self) {
        self.home();
        self.platforms();
        self.provisions();
        self.regulations();
        self.compare();
        self.changes();
        self.free_pages();
        self.not_found();
        self.aliases();
        self.statics();
        self.feeds();
        self.api();
        self.sitemap_and_robots();
    }

    fn finish(self) -> Result<Output> {
        if self.errors.is_empty() {
            Ok(self.output)
        } else {
            Err(Error::content(self.errors))
        }
    }

    fn history(&self, p: &Platform, d: &Document) -> &'a History {
        self.views.derived.history(&p.id, &d.id)
    }

    /// Versions of the given documents, newest first; ties by platform and document id.
    fn versions_of(&self, documents: &Documents<'a>) -> Vec<Located<'a>> {
        let mut out: Vec<Located<'a>> = documents
            .iter()
            .flat_map(|&(platform, document)| {
                (0..document.snapshots.len()).map(move |index| Located {
                    platform,
                    document,
                    index,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            let ta = &a.document.snapshots[a.index].timestamp;
            let tb = &b.document.snapshots[b.index].timestamp;
            (tb, &a.platform.id, &a.document.id).cmp(&(ta, &b.platform.id, &b.document.id))
        });
        out
    }

    fn all_documents(&self) -> Documents<'a> {
        self.views
            .site
            .platforms
            .iter()
            .flat_map(|p| p.documents.iter().map(move |d| (p, d)))
            .collect()
    }

    fn class_of(&self, l: &Located) -> Class {
        self.history(l.platform, l.document).versions[l.index].class
    }

    fn change_view(&self, l: &Located) -> ChangeView {
        let v = self.views;
        ChangeView {
            platform: v.link(&l.platform.record.name, &route::platform(&l.platform.id)),
            document: v.link(
                &l.document.record.title,
                &route::document(&l.platform.id, &l.document.id),
            ),
            version: v.version(
                l.platform,
                l.document,
                self.history(l.platform, l.document),
                l.index,
            ),
        }
    }

    fn substantive_changes(&self, documents: &Documents<'a>) -> Vec<ChangeView> {
        self.versions_of(documents)
            .iter()
            .filter(|l| self.class_of(l) == Class::Substantive)
            .map(|l| self.change_view(l))
            .collect()
    }

    fn home(&mut self) {
        let v = self.views;
        let site = v.site;
        let documents = self.all_documents();
        let changes = self.substantive_changes(&documents);
        #[derive(Serialize)]
        struct Home {
            platforms: Vec<PlatformView>,
            groups: Vec<ProvisionGroup>,
            recent: Vec<ChangeView>,
            changes: usize,
            clauses: usize,
            documents: usize,
            versions: usize,
            compare_url: String,
            changes_url: String,
            feed_url: String,
        }
        let page = Home {
            platforms: site.platforms.iter().map(|p| v.platform(p)).collect(),
            groups: v.provision_groups(),
            changes: changes.len(),
            recent: changes.into_iter().take(RECENT_CHANGES).collect(),
            clauses: site.clauses().count(),
            documents: documents.len(),
            versions: documents.iter().map(|(_, d)| d.snapshots.len()).sum(),
            compare_url: v.urls.href(&route::compare()),
            changes_url: v.urls.href(&route::changes()),
            feed_url: v.urls.href(&route::feed("")),
        };
        let meta = v.meta(&site.config.title, None, "", "home");
        self.page("", "index.html", meta, page);
    }

    fn platforms(&mut self) {
        let v = self.views;
        let site = v.site;
        #[derive(Serialize)]
        struct List {
            platforms: Vec<PlatformView>,
        }
        let meta = v.meta("Platforms", None, &route::platforms(), "platforms");
        self.page(
            &route::platforms(),
            "platforms.html",
            meta,
            List {
                platforms: site.platforms.iter().map(|p| v.platform(p)).collect(),
            },
        );

        #[derive(Serialize)]
        struct ByProvision {
            provision: Link,
            group: Option<String>,
            clauses: Vec<ClauseView>,
        }
        #[derive(Serialize)]
        struct PlatformPage {
            platform: PlatformView,
            documents: Vec<DocumentView>,
            provisions: Vec<ByProvision>,
            timeline: String,
            changes: Vec<ChangeView>,
            feed_url: String,
        }
        let groups = v.provision_groups();
        for p in &site.platforms {
            let mut provisions: Vec<ByProvision> = Vec::new();
            for group in &groups {
                for prov in &group.provisions {
                    let clauses: Vec<ClauseView> = p
                        .clauses
                        .iter()
                        .filter(|c| c.record.provision == prov.id)
                        .map(|c| v.clause(c))
                        .collect();
                    if !clauses.is_empty() {
                        provisions.push(ByProvision {
                            provision: Link {
                                title: prov.name.clone(),
                                url: prov.url.clone(),
                            },
                            group: prov.group.clone(),
                            clauses,
                        });
                    }
                }
            }
            let documents: Vec<(&Platform, &Document)> =
                p.documents.iter().map(|d| (p, d)).collect();
            let lanes: Vec<timeline::Lane> = p
                .documents
                .iter()
                .map(|d| lane(v, p, d, Some(d.record.title.to_string())))
                .collect();
            let route = route::platform(&p.id);
            let page = PlatformPage {
                platform: v.platform(p),
                documents: p.documents.iter().map(|d| v.document(p, d)).collect(),
                provisions,
                timeline: timeline::svg(
                    &lanes,
                    &format!("Versions of {}'s documents over time", p.owner()),
                ),
                changes: self.substantive_changes(&documents),
                feed_url: v.urls.href(&route::feed(&route)),
            };
            let meta = v.meta(
                &p.record.name,
                p.record.description.as_deref(),
                &route,
                "platforms",
            );
            self.page(&route, "platform.html", meta, page);
            self.documents(p);
            self.clauses(p);
        }
    }

    /// A document's versions as timeline marks.
    fn documents(&mut self, p: &'a Platform) {
        let v = self.views;
        #[derive(Serialize, Default)]
        struct Counts {
            first: usize,
            formatting: usize,
            noise: usize,
            substantive: usize,
        }
        #[derive(Serialize)]
        struct DocumentPage {
            platform: PlatformView,
            document: DocumentView,
            timeline: String,
            counts: Counts,
            versions: Vec<VersionView>,
            clauses: Vec<ClauseView>,
            text: Option<String>,
            text_date: Option<DateView>,
            feed_url: String,
        }
        for d in &p.documents {
            let history = self.history(p, d);
            let mut counts = Counts::default();
            for ver in &history.versions {
                match ver.class {
                    Class::First => counts.first += 1,
                    Class::Formatting => counts.formatting += 1,
                    Class::Noise => counts.noise += 1,
                    Class::Substantive => counts.substantive += 1,
                }
            }
            let current = history.current();
            let route = route::document(&p.id, &d.id);
            let platform_view = v.platform(p);
            let document_view = v.document(p, d);
            let clauses: Vec<ClauseView> = p
                .clauses
                .iter()
                .filter(|c| c.record.document == d.id)
                .map(|c| v.clause(c))
                .collect();
            // Everything the page shows: the views, and the history with the notes.
            let inputs = {
                let mut h = DefaultHasher::new();
                let hashed = serde_json::to_writer(
                    HashWriter(&mut h),
                    &(&platform_view, &document_view, &clauses),
                )
                .is_ok();
                (
                    hashed,
                    v.derived.history_key(&p.id, &d.id),
                    &d.record.changes,
                )
                    .hash(&mut h);
                h.finish()
            };
            let title = format!("{} — {}", d.record.title, p.record.name);
            let meta = v.meta(&title, None, &route, "platforms");
            let feed_url = v.urls.href(&route::feed(&route));
            self.page_keyed(&route, "document.html", meta, inputs, || DocumentPage {
                platform: platform_view,
                document: document_view,
                timeline: timeline::svg(
                    &[lane(v, p, d, None)],
                    &format!("Versions of {} over time", d.record.title),
                ),
                counts,
                versions: (0..d.snapshots.len())
                    .rev()
                    .map(|i| v.version(p, d, history, i))
                    .collect(),
                clauses,
                text: current.map(|i| text_html(&history.versions[i].text)),
                text_date: current.map(|i| (&d.snapshots[i].timestamp).into()),
                feed_url,
            });
            self.version_pages(p, d);
        }
    }

    fn version_pages(&mut self, p: &'a Platform, d: &'a Document) {
        let v = self.views;
        #[derive(Serialize)]
        struct VersionPage {
            platform: PlatformView,
            document: DocumentView,
            version: VersionView,
            baseline: Option<Link>,
            previous: Option<Link>,
            next: Option<Link>,
            diff: Vec<DiffBlockView>,
            text: String,
        }
        let history = self.history(p, d);
        let link = |i: usize| {
            let ts = &d.snapshots[i].timestamp;
            v.link(
                &ts.display_date(),
                &route::version(&p.id, &d.id, ts.as_str()),
            )
        };
        let platform_view = v.platform(p);
        let document_view = v.document(p, d);
        let views_key = {
            let mut h = DefaultHasher::new();
            let hashed =
                serde_json::to_writer(HashWriter(&mut h), &(&platform_view, &document_view))
                    .is_ok();
            (hashed, v.derived.history_key(&p.id, &d.id)).hash(&mut h);
            h.finish()
        };
        for (i, ver) in history.versions.iter().enumerate() {
            let ts = &d.snapshots[i].timestamp;
            let route = route::version(&p.id, &d.id, ts.as_str());
            // Everything the page shows: the history (texts, classes, diffs, neighbours' dates),
            // this version's note and the two views.
            let inputs = {
                let mut h = DefaultHasher::new();
                (views_key, i, d.record.changes.get(ts.as_str())).hash(&mut h);
                h.finish()
            };
            let title = format!("{} — version of {}", d.record.title, ts.display_date());
            let meta = v.meta(&title, None, &route, "platforms");
            let (platform_view, document_view) = (&platform_view, &document_view);
            self.page_keyed(&route, "version.html", meta, inputs, || VersionPage {
                platform: platform_view.clone(),
                document: document_view.clone(),
                version: v.version(p, d, history, i),
                baseline: ver.baseline.map(link),
                previous: i.checked_sub(1).map(link),
                next: (i + 1 < d.snapshots.len()).then(|| link(i + 1)),
                diff: if ver.diff.is_empty() {
                    Vec::new()
                } else {
                    diff_view(&ver.diff)
                },
                text: text_html(&ver.text),
            });
        }
    }

    fn clauses(&mut self, p: &Platform) {
        let v = self.views;
        let site = v.site;
        let config = &site.config;
        #[derive(Serialize)]
        struct Monitoring {
            owner: String,
            versions: usize,
            changes: usize,
            first_seen: Option<DateView>,
            latest: Option<DateView>,
            document_url: String,
        }
        #[derive(Serialize)]
        struct Verification {
            state: &'static str,
            snapshot: Option<Link>,
            first_seen: Option<Link>,
        }
        #[derive(Serialize)]
        struct PassageChange {
            version: Link,
            words_added: usize,
            words_removed: usize,
            segments: Vec<SegmentView>,
        }
        #[derive(Serialize)]
        struct Reach {
            platforms: usize,
            url: String,
        }
        #[derive(Serialize)]
        struct Faq {
            question: String,
            answer: String,
        }
        #[derive(Serialize)]
        struct ClausePage {
            clause: ClauseDetail,
            document_title: String,
            disclaimer: String,
            methodology_url: Option<String>,
            verification: Verification,
            related: Vec<ClauseView>,
            monitoring: Monitoring,
            passage_changes: Vec<PassageChange>,
            reach: Reach,
            regulations: Vec<RegulationView>,
            independence: Faq,
        }
        let methodology_url = site
            .pages
            .iter()
            .find(|pg| pg.slug == "methodology")
            .map(|pg| v.urls.href(&route::page(&pg.slug)));
        for c in &p.clauses {
            let sub =
                |text: &str| markdown::substitute(text, &config.title, &p.record.name, p.owner());
            let document = p.document(&c.record.document);
            let snapshots = document.map_or(&[][..], |d| d.snapshots.as_slice());
            let history = v.derived.history(&p.id, &c.record.document);
            let version_link = |i: usize| {
                let ts = &snapshots[i].timestamp;
                v.link(
                    &ts.display_date(),
                    &route::version(&p.id, &c.record.document, ts.as_str()),
                )
            };
            let checked = v.derived.verification(c);
            let page = ClausePage {
                clause: v.clause_detail(c),
                document_title: document.map_or_else(
                    || c.record.document.to_string(),
                    |d| d.record.title.to_string(),
                ),
                disclaimer: v.markdown(&sub(&config.disclaimer)),
                methodology_url: methodology_url.clone(),
                verification: Verification {
                    state: checked.map_or(State::NoSnapshots, |x| x.state).as_str(),
                    snapshot: checked.and_then(|x| x.snapshot).map(version_link),
                    first_seen: checked.and_then(|x| x.first_seen).map(version_link),
                },
                related: v.derived.related(c).iter().map(|r| v.clause(r)).collect(),
                monitoring: Monitoring {
                    owner: p.owner().to_string(),
                    versions: snapshots.len(),
                    changes: history.substantive_changes(),
                    first_seen: snapshots.first().map(|s| (&s.timestamp).into()),
                    latest: snapshots.last().map(|s| (&s.timestamp).into()),
                    document_url: v.urls.href(&route::document(&p.id, &c.record.document)),
                },
                passage_changes: checked
                    .map(|x| x.changes.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .map(|pc| PassageChange {
                        version: version_link(pc.version),
                        words_added: pc.words_added,
                        words_removed: pc.words_removed,
                        segments: segments_view(&pc.segments),
                    })
                    .collect(),
                reach: Reach {
                    platforms: v.derived.provision_reach(&c.record.provision),
                    url: v.urls.href(&route::provision(&c.record.provision)),
                },
                regulations: c
                    .record
                    .regulations
                    .iter()
                    .filter_map(|r| site.regulation(r))
                    .map(|r| v.regulation(r))
                    .collect(),
                independence: Faq {
                    question: format!("Is {} affiliated with {}?", config.title, p.owner()),
                    answer: v.markdown(&sub(&config.independence)),
                },
            };
            let route = route::clause(&p.id, &c.id);
            let title = format!("{} — {}", c.record.title, p.record.name);
            let description = shorten(&c.record.excerpt, 160);
            self.page(
                &route,
                "clause.html",
                v.meta(&title, Some(&description), &route, "platforms"),
                page,
            );
        }
    }

    fn provisions(&mut self) {
        let v = self.views;
        let site = v.site;
        #[derive(Serialize)]
        struct List {
            groups: Vec<ProvisionGroup>,
        }
        let meta = v.meta("Provision types", None, &route::provisions(), "provisions");
        self.page(
            &route::provisions(),
            "provisions.html",
            meta,
            List {
                groups: v.provision_groups(),
            },
        );

        #[derive(Serialize)]
        struct Entry {
            platform: PlatformView,
            clauses: Vec<ClauseDetail>,
        }
        #[derive(Serialize)]
        struct ProvisionPage {
            provision: ProvisionView,
            entries: Vec<Entry>,
            missing: Vec<Link>,
            siblings: Vec<Link>,
            feed_url: String,
        }
        for prov in &site.provisions {
            let mut entries = Vec::new();
            let mut missing = Vec::new();
            for p in &site.platforms {
                let clauses: Vec<ClauseDetail> = p
                    .clauses
                    .iter()
                    .filter(|c| c.record.provision == prov.id)
                    .map(|c| v.clause_detail(c))
                    .collect();
                if clauses.is_empty() {
                    missing.push(v.link(&p.record.name, &route::platform(&p.id)));
                } else {
                    entries.push(Entry {
                        platform: v.platform(p),
                        clauses,
                    });
                }
            }
            let siblings = site
                .provisions
                .iter()
                .filter(|o| o.id != prov.id && o.group.is_some() && o.group == prov.group)
                .map(|o| v.link(&o.name, &route::provision(&o.id)))
                .collect();
            let route = route::provision(&prov.id);
            let meta = v.meta(
                &prov.name,
                prov.description.as_deref(),
                &route,
                "provisions",
            );
            let page = ProvisionPage {
                provision: v.provision(prov),
                entries,
                missing,
                siblings,
                feed_url: v.urls.href(&route::feed(&route)),
            };
            self.page(&route, "provision.html", meta, page);
        }
    }

    fn regulations(&mut self) {
        let v = self.views;
        let site = v.site;
        if site.regulations.is_empty() {
            return;
        }
        #[derive(Serialize)]
        struct List {
            regulations: Vec<RegulationView>,
        }
        let meta = v.meta("Regulations", None, &route::regulations(), "regulations");
        self.page(
            &route::regulations(),
            "regulations.html",
            meta,
            List {
                regulations: site.regulations.iter().map(|r| v.regulation(r)).collect(),
            },
        );
        #[derive(Serialize)]
        struct RegulationPage {
            regulation: RegulationView,
            clauses: Vec<ClauseView>,
        }
        for r in &site.regulations {
            let clauses = site
                .clauses()
                .filter(|c| c.record.regulations.iter().any(|reg| *reg == r.id))
                .map(|c| v.clause(c))
                .collect();
            let route = route::regulation(&r.id);
            let meta = v.meta(&r.name, r.description.as_deref(), &route, "regulations");
            self.page(
                &route,
                "regulation.html",
                meta,
                RegulationPage {
                    regulation: v.regulation(r),
                    clauses,
                },
            );
        }
    }

    fn compare(&mut self) {
        let v = self.views;
        let site = v.site;
        #[derive(Serialize)]
        struct Row {
            platform: Link,
            cells: Vec<Vec<Link>>,
        }
        #[derive(Serialize)]
        struct Compare {
            groups: Vec<ProvisionGroup>,
            rows: Vec<Row>,
        }
        let groups = v.provision_groups();
        let columns: Vec<&ProvisionView> = groups.iter().flat_map(|g| &g.provisions).collect();
        let rows = site
            .platforms
            .iter()
            .map(|p| Row {
                platform: v.link(&p.record.name, &route::platform(&p.id)),
                cells: columns
                    .iter()
                    .map(|prov| {
                        p.clauses
                            .iter()
                            .filter(|c| c.record.provision == prov.id)
                            .map(|c| v.link(&c.record.title, &route::clause(&p.id, &c.id)))
                            .collect()
                    })
                    .collect(),
            })
            .collect();
        let meta = v.meta("Compare platforms", None, &route::compare(), "compare");
        self.page(
            &route::compare(),
            "compare.html",
            meta,
            Compare { groups, rows },
        );
    }

    /// Every version of every document, newest first; the versions between two substantive
    /// changes are folded together, still listed and linked.
    fn changes(&mut self) {
        let v = self.views;
        let documents = self.all_documents();
        let mut items: Vec<ChangesItem> = Vec::new();
        for l in self.versions_of(&documents) {
            let view = self.change_view(&l);
            if self.class_of(&l) == Class::Substantive {
                items.push(ChangesItem {
                    change: Some(view),
                    folded: Vec::new(),
                });
            } else {
                match items.last_mut() {
                    Some(item) if item.change.is_none() => item.folded.push(view),
                    _ => items.push(ChangesItem {
                        change: None,
                        folded: vec![view],
                    }),
                }
            }
        }
        #[derive(Serialize)]
        struct Changes {
            items: Vec<ChangesItem>,
            feed_url: String,
        }
        let meta = v.meta(
            "Changes",
            Some("Every archived version of every document, newest first."),
            &route::changes(),
            "changes",
        );
        let page = Changes {
            items,
            feed_url: v.urls.href(&route::feed("")),
        };
        self.page(&route::changes(), "changes.html", meta, page);
    }

    fn free_pages(&mut self) {
        let v = self.views;
        #[derive(Serialize)]
        struct FreePage {
            title: String,
            body: String,
        }
        for pg in &v.site.pages {
            let route = route::page(&pg.slug);
            let meta = v.meta(
                &pg.front.title,
                pg.front.description.as_deref(),
                &route,
                &pg.slug,
            );
            self.page(
                &route,
                "page.html",
                meta,
                FreePage {
                    title: pg.front.title.to_string(),
                    body: v.markdown(&pg.body),
                },
            );
        }
    }

    fn not_found(&mut self) {
        let v = self.views;
        #[derive(Serialize)]
        struct NotFound {}
        let ctx = Ctx {
            common: Common {
                site: self.site_view.clone(),
                meta: v.meta("Page not found", None, "404.html", ""),
            },
            page: NotFound {},
        };
        match self.renderer.render("404.html", &ctx) {
            Ok(html) => self.add("404.html".into(), html.into_bytes(), None),
            Err(d) => self.errors.push(d),
        }
    }

    fn aliases(&mut self) {
        let v = self.views;
        #[derive(Serialize)]
        struct Redirect {
            target: String,
            canonical: String,
            title: String,
        }
        for c in v.site.clauses() {
            for path in &c.alias_files {
                let route = route::clause(&c.platform, &c.id);
                let page = Redirect {
                    target: v.urls.href(&route),
                    canonical: v.urls.absolute(&route),
                    title: c.record.title.to_string(),
                };
                match self.renderer.render("redirect.html", &page) {
                    Ok(html) => self.add(path.clone(), html.into_bytes(), Some(&c.path)),
                    Err(d) => self.errors.push(d),
                }
            }
        }
    }

    fn statics(&mut self) {
        let theme = &self.views.site.theme;
        for (path, bytes) in &theme.statics {
            let source = PathBuf::from(format!(
                "themes/{}/static/{path}",
                self.views.site.config.theme
            ));
            self.add(path.clone(), bytes.clone(), Some(&source));
        }
    }

    fn sitemap_and_robots(&mut self) {
        let urls = &self.views.urls;
        let mut routes = self.sitemap.clone();
        routes.sort();
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for r in &routes {
            xml.push_str(&format!(
                "  <url><loc>{}</loc></url>\n",
                markdown::escape(&urls.absolute(r))
            ));
        }
        xml.push_str("</urlset>\n");
        self.add("sitemap.xml".into(), xml.into_bytes(), None);
        let robots = format!(
            "User-agent: *\nAllow: /\nSitemap: {}\n",
            urls.absolute("sitemap.xml")
        );
        self.add("robots.txt".into(), robots.into_bytes(), None);
    }
}

/// A document's versions as timeline marks.
fn lane(v: &Views, p: &Platform, d: &Document, label: Option<String>) -> timeline::Lane {
    let history = v.derived.history(&p.id, &d.id);
    let points = d
        .snapshots
        .iter()
        .zip(&history.versions)
        .map(|(s, ver)| timeline::Point {
            days: s.timestamp.days(),
            class: ver.class,
            size: ver.diff.words_added + ver.diff.words_removed,
            url: v
                .urls
                .href(&route::version(&p.id, &d.id, s.timestamp.as_str())),
            title: format!(
                "{} — {}{}{}",
                s.timestamp.display_date(),
                ver.class.as_str(),
                if ver.class == Class::First {
                    String::new()
                } else {
                    format!(
                        ", +{} −{} words",
                        ver.diff.words_added, ver.diff.words_removed
                    )
                },
                ver.effective.map_or(String::new(), |e| format!(
                    "; {} {}",
                    e.kind.as_str(),
                    display_date(e.date)
                ))
            ),
        })
        .collect();
    timeline::Lane { label, points }
}
