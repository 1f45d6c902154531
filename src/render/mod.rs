//! Render: templates fed with explicit per-page contexts, producing the ordered map of output files.

pub mod view;

use crate::derive::Derived;
use crate::error::{Diagnostic, Error, Result};
use crate::markdown;
use crate::model::{Site, SnapshotFormat, Theme};
use crate::output::Output;
use crate::urls::{Urls, index_file, route};
use serde::Serialize;
use std::path::PathBuf;
use view::*;

/// The Tera instance for a theme, and where each template came from for error messages.
pub struct Renderer {
    tera: tera::Tera,
    sources: std::collections::BTreeMap<String, PathBuf>,
}

impl Renderer {
    /// Compiles every template of the theme; syntax errors come back as diagnostics.
    pub fn new(theme: &Theme) -> std::result::Result<Renderer, Vec<Diagnostic>> {
        let sources = theme
            .templates
            .iter()
            .map(|(name, (_, path))| {
                let path = path
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(format!("<built-in theme>/templates/{name}")));
                (name.clone(), path)
            })
            .collect();
        let mut tera = tera::Tera::new();
        let renderer_sources = &sources;
        tera.add_raw_templates(
            theme
                .templates
                .iter()
                .map(|(n, (s, _))| (n.as_str(), s.as_str())),
        )
        .map_err(|e| vec![template_diagnostic(&e, renderer_sources)])?;
        Ok(Renderer { tera, sources })
    }

    pub fn render(
        &self,
        template: &str,
        context: &impl Serialize,
    ) -> std::result::Result<String, Diagnostic> {
        let ctx = tera::Context::from_serialize(context)
            .map_err(|e| template_diagnostic(&e, &self.sources))?;
        self.tera
            .render(template, &ctx)
            .map_err(|e| template_diagnostic(&e, &self.sources))
    }
}

/// A Tera error as a diagnostic naming the template file and line.
fn template_diagnostic(
    e: &tera::Error,
    sources: &std::collections::BTreeMap<String, PathBuf>,
) -> Diagnostic {
    let located = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => Some(r),
        _ => None,
    };
    match located {
        Some(r) => {
            let path = sources
                .get(r.filename())
                .cloned()
                .unwrap_or_else(|| PathBuf::from(r.filename()));
            Diagnostic::new(path, format!("template error: {}", r.message()))
                .at(r.span().start_line, r.span().start_col + 1)
        }
        None => {
            let mut msg = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                msg.push_str(&format!(": {s}"));
                source = s.source();
            }
            Diagnostic::new("<templates>", format!("template error: {msg}"))
        }
    }
}

/// Renders every page into an [`Output`], collecting every error.
pub fn render(site: &Site, derived: &Derived) -> Result<Output> {
    let renderer = Renderer::new(&site.theme).map_err(Error::content)?;
    let views = Views {
        site,
        derived,
        urls: Urls::new(&site.config.base_url),
    };
    let mut pages = Pages {
        renderer: &renderer,
        site_view: views.site_view(),
        views: &views,
        output: Output::default(),
        errors: Vec::new(),
        sitemap: Vec::new(),
    };
    pages.all();
    pages.finish()
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

impl<'a> Pages<'a> {
    fn page<T: Serialize>(&mut self, route: &str, template: &str, meta: Meta, page: T) {
        let ctx = Ctx {
            common: Common {
                site: self.site_view.clone(),
                meta,
            },
            page,
        };
        match self.renderer.render(template, &ctx) {
            Ok(html) => {
                self.add(index_file(route), html.into_bytes(), None);
                self.sitemap.push(route.to_string());
            }
            Err(d) => self.errors.push(d),
        }
    }

    /// Adds a file; `source` is the content file named if the path is refused.
    fn add(&mut self, path: String, bytes: Vec<u8>, source: Option<&std::path::Path>) {
        if let Err(message) = self.output.insert(path, bytes) {
            let path = source.map_or_else(|| PathBuf::from("<site>"), |p| p.to_path_buf());
            self.errors.push(Diagnostic::new(path, message));
        }
    }

    fn all(&mut self) {
        self.home();
        self.platforms();
        self.provisions();
        self.regulations();
        self.compare();
        self.free_pages();
        self.not_found();
        self.aliases();
        self.statics();
        self.sitemap_and_robots();
    }

    fn finish(self) -> Result<Output> {
        if self.errors.is_empty() {
            Ok(self.output)
        } else {
            Err(Error::content(self.errors))
        }
    }

    fn home(&mut self) {
        let v = self.views;
        let site = v.site;
        #[derive(Serialize)]
        struct Recent {
            date: DateView,
            platform: Link,
            document: Link,
        }
        let mut recent: Vec<(&crate::ids::Timestamp, &str, &str, Recent)> = Vec::new();
        for p in &site.platforms {
            for d in &p.documents {
                for s in d.snapshots.iter().rev().take(RECENT_VERSIONS) {
                    recent.push((
                        &s.timestamp,
                        &p.id,
                        &d.id,
                        Recent {
                            date: (&s.timestamp).into(),
                            platform: v.link(&p.record.name, &route::platform(&p.id)),
                            document: v.link(&d.record.title, &route::document(&p.id, &d.id)),
                        },
                    ));
                }
            }
        }
        recent.sort_by(|a, b| (b.0, a.1, a.2).cmp(&(a.0, b.1, b.2)));
        recent.truncate(RECENT_VERSIONS);
        #[derive(Serialize)]
        struct Home {
            platforms: Vec<PlatformView>,
            groups: Vec<ProvisionGroup>,
            recent: Vec<Recent>,
            clauses: usize,
            documents: usize,
            versions: usize,
            compare_url: String,
        }
        let page = Home {
            platforms: site.platforms.iter().map(|p| v.platform(p)).collect(),
            groups: v.provision_groups(),
            recent: recent.into_iter().map(|r| r.3).collect(),
            clauses: site.clauses().count(),
            documents: site.platforms.iter().map(|p| p.documents.len()).sum(),
            versions: site
                .platforms
                .iter()
                .flat_map(|p| &p.documents)
                .map(|d| d.snapshots.len())
                .sum(),
            compare_url: v.urls.href(&route::compare()),
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
            let page = PlatformPage {
                platform: v.platform(p),
                documents: p.documents.iter().map(|d| v.document(p, d)).collect(),
                provisions,
            };
            let meta = v.meta(
                &p.record.name,
                p.record.description.as_deref(),
                &route::platform(&p.id),
                "platforms",
            );
            self.page(&route::platform(&p.id), "platform.html", meta, page);
            self.documents(p);
            self.clauses(p);
        }
    }

    fn documents(&mut self, p: &crate::model::Platform) {
        let v = self.views;
        #[derive(Serialize)]
        struct Version {
            date: DateView,
            note: Option<String>,
        }
        #[derive(Serialize)]
        struct DocumentPage {
            platform: PlatformView,
            document: DocumentView,
            versions: Vec<Version>,
            clauses: Vec<ClauseView>,
            text: Option<String>,
        }
        for d in &p.documents {
            let text = d.snapshots.last().map(|s| match s.format {
                SnapshotFormat::Markdown => markdown::render_snapshot(&s.source, &d.record.url),
                SnapshotFormat::Text => markdown::text_to_html(&s.source),
                SnapshotFormat::Html => markdown::sanitize_snapshot(&s.source, &d.record.url),
            });
            let page = DocumentPage {
                platform: v.platform(p),
                document: v.document(p, d),
                versions: d
                    .snapshots
                    .iter()
                    .rev()
                    .map(|s| Version {
                        date: (&s.timestamp).into(),
                        note: d
                            .record
                            .changes
                            .get(s.timestamp.as_str())
                            .map(|n| v.markdown(n)),
                    })
                    .collect(),
                clauses: p
                    .clauses
                    .iter()
                    .filter(|c| c.record.document == d.id)
                    .map(|c| v.clause(c))
                    .collect(),
                text,
            };
            let title = format!("{} — {}", d.record.title, p.record.name);
            let route = route::document(&p.id, &d.id);
            self.page(
                &route,
                "document.html",
                v.meta(&title, None, &route, "platforms"),
                page,
            );
        }
    }

    fn clauses(&mut self, p: &crate::model::Platform) {
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
            clause: ClauseView,
            document_title: String,
            disclaimer: String,
            methodology_url: Option<String>,
            related: Vec<ClauseView>,
            monitoring: Monitoring,
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
            let page = ClausePage {
                clause: v.clause(c),
                document_title: document
                    .map_or_else(|| c.record.document.clone(), |d| d.record.title.clone()),
                disclaimer: v.markdown(&sub(&config.disclaimer)),
                methodology_url: methodology_url.clone(),
                related: v.derived.related(c).iter().map(|r| v.clause(r)).collect(),
                monitoring: Monitoring {
                    owner: p.owner().to_string(),
                    versions: snapshots.len(),
                    changes: snapshots.len().saturating_sub(1),
                    first_seen: snapshots.first().map(|s| (&s.timestamp).into()),
                    latest: snapshots.last().map(|s| (&s.timestamp).into()),
                    document_url: v.urls.href(&route::document(&p.id, &c.record.document)),
                },
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
                    question: sub("Is {site} affiliated with {owner}?"),
                    answer: v.markdown(&sub(&config.independence)),
                },
            };
            let route = route::clause(&p.id, &c.id);
            let title = format!("{} — {}", c.record.title, p.record.name);
            let description = crate::render::view::shorten(&c.record.excerpt, 160);
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
            clauses: Vec<ClauseView>,
        }
        #[derive(Serialize)]
        struct ProvisionPage {
            provision: ProvisionView,
            entries: Vec<Entry>,
            missing: Vec<Link>,
            siblings: Vec<Link>,
        }
        for prov in &site.provisions {
            let mut entries = Vec::new();
            let mut missing = Vec::new();
            for p in &site.platforms {
                let clauses: Vec<ClauseView> = p
                    .clauses
                    .iter()
                    .filter(|c| c.record.provision == prov.id)
                    .map(|c| v.clause(c))
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
            self.page(
                &route,
                "provision.html",
                meta,
                ProvisionPage {
                    provision: v.provision(prov),
                    entries,
                    missing,
                    siblings,
                },
            );
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
                .filter(|c| c.record.regulations.contains(&r.id))
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
                    title: pg.front.title.clone(),
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
            for alias in &c.record.aliases {
                let Ok(path) = crate::load::alias_path(alias) else {
                    continue;
                };
                let route = route::clause(&c.platform, &c.id);
                let page = Redirect {
                    target: v.urls.href(&route),
                    canonical: v.urls.absolute(&route),
                    title: c.record.title.clone(),
                };
                match self.renderer.render("redirect.html", &page) {
                    Ok(html) => self.add(path, html.into_bytes(), Some(&c.path)),
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

/// How many recent versions the home page lists.
const RECENT_VERSIONS: usize = 10;
