//! The route table: every file the site will write, with what owns it, built from the loaded
//! model before anything renders. Render renders exactly these files, each from its owner. An
//! alias or a theme's static file that would land on a generated file (`/atom.xml`, a clause
//! page), on another claim, or on a path another file needs as a folder is a content error
//! naming its file and line, in `check` as in `build`.

use crate::error::{Diagnostic, Kind, Origin};
use crate::model::{ClauseRef, DocRef, PageIx, PlatformIx, ProvisionIx, RegulationIx, Site};
use crate::theme::Theme;
use crate::urls::{index_file, route};
use std::collections::BTreeMap;

/// What an output file is made from: the page kind and the record it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// `index.html`.
    Home,
    /// The list of platforms.
    Platforms,
    /// A platform's page.
    Platform(PlatformIx),
    /// A document's page.
    Document(DocRef),
    /// A version of a document: its place in the document's snapshots.
    Version(DocRef, usize),
    /// A clause's page.
    Clause(ClauseRef),
    /// The list of provision types.
    Provisions,
    /// A provision type's comparison.
    Provision(ProvisionIx),
    /// The list of regulations.
    Regulations,
    /// A regulation's page.
    Regulation(RegulationIx),
    /// The platforms × provision types matrix.
    Compare,
    /// A page, from 0, of `/changes/` or of a platform's changes.
    Changes(Option<PlatformIx>, usize),
    /// A free page.
    Page(PageIx),
    /// `404.html`.
    NotFound,
    /// The search page.
    Search,
    /// An Atom feed.
    Feed(Feed),
    /// A file of the JSON API.
    Api(Api),
    /// `sitemap.xml`.
    Sitemap,
    /// `robots.txt`.
    Robots,
    /// A redirect from a clause's alias: the alias's place in the clause's `aliases`.
    Alias(ClauseRef, usize),
    /// A static file of the theme, published as it is.
    Static,
}

/// The changes an Atom feed follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    /// Every document.
    Site,
    /// A platform's documents.
    Platform(PlatformIx),
    /// One document.
    Document(DocRef),
    /// The documents quoted by the provision type's clauses.
    Provision(ProvisionIx),
    /// The documents quoted by the clauses mapped to the regulation.
    Regulation(RegulationIx),
    /// The changes to the passage a clause quotes.
    Clause(ClauseRef),
}

/// The model as JSON under `/api/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// `clauses.json`.
    Clauses,
    /// `documents.json`, with every version.
    Documents,
    /// `platforms.json`.
    Platforms,
    /// `provisions.json`.
    Provisions,
}

impl Api {
    const ALL: [Api; 4] = [
        Api::Clauses,
        Api::Documents,
        Api::Platforms,
        Api::Provisions,
    ];

    /// The file name, without `.json`.
    pub fn name(self) -> &'static str {
        match self {
            Api::Clauses => "clauses",
            Api::Documents => "documents",
            Api::Platforms => "platforms",
            Api::Provisions => "provisions",
        }
    }
}

impl Owner {
    /// The file the page is made from, by its path from the site's folder: for a record's own
    /// page, the record (a document's page, its `document.yaml`); None for a page made from
    /// several.
    pub fn source(self, site: &Site) -> Option<String> {
        let path = match self {
            Owner::Platform(ix) => format!("platforms/{}/platform.yaml", site[ix].id),
            Owner::Document(at) => {
                let (p, d) = (&site[at.platform].id, &site[at].id);
                format!("platforms/{p}/documents/{d}/document.yaml")
            }
            Owner::Clause(at) => {
                let (p, c) = (&site[at.platform].id, &site[at].id);
                format!("platforms/{p}/clauses/{c}.yaml")
            }
            Owner::Provision(ix) => format!("provisions/{}.yaml", site[ix].id),
            Owner::Regulation(ix) => format!("regulations/{}.yaml", site[ix].id),
            Owner::Page(ix) => format!("pages/{}.md", site[ix].slug),
            _ => return None,
        };
        Some(format!("content/{path}"))
    }

    /// Whether the file is a page the sitemap lists (404, the search page and redirects are
    /// not).
    pub fn in_sitemap(self) -> bool {
        !matches!(
            self,
            Owner::NotFound
                | Owner::Search
                | Owner::Feed(_)
                | Owner::Api(_)
                | Owner::Sitemap
                | Owner::Robots
                | Owner::Alias(..)
                | Owner::Static
        )
    }
}

/// How many versions a page of `/changes/` lists: an archive's changes would be one page of tens
/// of megabytes.
pub const CHANGES_PER_PAGE: usize = 250;

/// How many pages `/changes/` has for `versions` versions: one at least, empty or not.
pub fn changes_pages(versions: usize) -> usize {
    versions.div_ceil(CHANGES_PER_PAGE).max(1)
}

/// Every file a build writes, by output path, with its owner.
#[derive(Debug, Clone, Default)]
pub struct Routes {
    files: BTreeMap<String, Owner>,
}

impl Routes {
    /// The table for `site` rendered with `theme`, and a diagnostic for every claim that
    /// collides with an earlier one: generated files first, then the theme's static files,
    /// then aliases.
    pub fn new(site: &Site, theme: &Theme) -> (Routes, Vec<Diagnostic>) {
        let mut routes = Routes::default();
        let mut errors = Vec::new();
        // The route functions keep generated files apart (ids cannot hold `/`, and free pages
        // cannot take a section's slug): only the theme's files and aliases can collide.
        routes.files.extend(generated(site));
        for file in theme.statics.keys() {
            routes.claim(site, theme, file.clone(), Owner::Static, &mut errors);
        }
        for c in site.clauses() {
            for (i, file) in c.alias_files.iter().enumerate() {
                routes.claim(
                    site,
                    theme,
                    file.clone(),
                    Owner::Alias(c.at, i),
                    &mut errors,
                );
            }
        }
        (routes, errors)
    }

    /// Output path and owner of every file, sorted by path.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Owner)> {
        self.files.iter().map(|(f, o)| (f.as_str(), *o))
    }

    /// The owner of the file `file`, if the site has one.
    pub fn get(&self, file: &str) -> Option<Owner> {
        self.files.get(file).copied()
    }

    /// How many files a build writes.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there is no file (never, for a loaded site).
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    fn claim(
        &mut self,
        site: &Site,
        theme: &Theme,
        file: String,
        owner: Owner,
        errors: &mut Vec<Diagnostic>,
    ) {
        let index = route::search_index();
        if file.starts_with(index) || file == index.trim_end_matches('/') {
            let what = format!("`{index}`, the folder of the search index");
            errors.push(clash(site, theme, owner, &file, "would write into", &what));
            return;
        }
        match conflict(&self.files, &file) {
            Some(taken) => errors.push(report(
                site,
                theme,
                owner,
                &file,
                &taken,
                self.files[&taken],
            )),
            None => {
                self.files.insert(file, owner);
            }
        }
    }
}

/// Every file the site generates, but aliases and theme static files.
fn generated(site: &Site) -> Vec<(String, Owner)> {
    let mut files: Vec<(String, Owner)> = vec![
        ("index.html".into(), Owner::Home),
        ("404.html".into(), Owner::NotFound),
        ("sitemap.xml".into(), Owner::Sitemap),
        ("robots.txt".into(), Owner::Robots),
        (route::feed(""), Owner::Feed(Feed::Site)),
    ];
    let mut page = |r: String, owner: Owner| files.push((index_file(&r), owner));
    page(route::platforms(), Owner::Platforms);
    page(route::provisions(), Owner::Provisions);
    page(route::compare(), Owner::Compare);
    if site.config.search {
        page(route::search(), Owner::Search);
    }
    let versions: usize = site.documents().map(|(_, d)| d.snapshots.len()).sum();
    for n in 0..changes_pages(versions) {
        page(route::changes_page(None, n), Owner::Changes(None, n));
    }
    if !site.regulations.is_empty() {
        page(route::regulations(), Owner::Regulations);
    }
    for (ix, p) in site.platform_ixs() {
        page(route::platform(&p.id), Owner::Platform(ix));
        for n in 0..changes_pages(p.versions()) {
            page(
                route::changes_page(Some(&p.id), n),
                Owner::Changes(Some(ix), n),
            );
        }
        for c in &p.clauses {
            page(route::clause(&p.id, &c.id), Owner::Clause(c.at));
        }
    }
    for (at, d) in site.documents() {
        let p = &site[at.platform].id;
        page(route::document(p, &d.id), Owner::Document(at));
        for (i, s) in d.snapshots.iter().enumerate() {
            page(
                route::version(p, &d.id, s.timestamp.as_str()),
                Owner::Version(at, i),
            );
        }
    }
    for (ix, prov) in site.provision_ixs() {
        page(route::provision(&prov.id), Owner::Provision(ix));
    }
    for (ix, r) in site.regulation_ixs() {
        page(route::regulation(&r.id), Owner::Regulation(ix));
    }
    for (ix, pg) in site.page_ixs() {
        page(route::page(&pg.slug), Owner::Page(ix));
    }
    files.extend(feeds(site));
    for api in Api::ALL {
        files.push((route::api(api.name()), Owner::Api(api)));
    }
    files
}

/// Every feed but the site's.
fn feeds(site: &Site) -> Vec<(String, Owner)> {
    let mut files = Vec::new();
    for (ix, p) in site.platform_ixs() {
        files.push((
            route::feed(&route::platform(&p.id)),
            Owner::Feed(Feed::Platform(ix)),
        ));
    }
    for (at, d) in site.documents() {
        let p = &site[at.platform].id;
        files.push((
            route::feed(&route::document(p, &d.id)),
            Owner::Feed(Feed::Document(at)),
        ));
    }
    for (ix, prov) in site.provision_ixs() {
        files.push((
            route::feed(&route::provision(&prov.id)),
            Owner::Feed(Feed::Provision(ix)),
        ));
    }
    for (ix, r) in site.regulation_ixs() {
        files.push((
            route::feed(&route::regulation(&r.id)),
            Owner::Feed(Feed::Regulation(ix)),
        ));
    }
    for p in &site.platforms {
        for c in &p.clauses {
            files.push((
                route::feed(&route::clause(&p.id, &c.id)),
                Owner::Feed(Feed::Clause(c.at)),
            ));
        }
    }
    files
}

/// A claimed file that `file` collides with: the same path, a file where `file` needs a
/// folder, or a file below `file` (which would need it to be a folder).
fn conflict(table: &BTreeMap<String, Owner>, file: &str) -> Option<String> {
    if table.contains_key(file) {
        return Some(file.to_string());
    }
    let mut prefix = String::new();
    for segment in file.split('/') {
        if !prefix.is_empty() && table.contains_key(&prefix) {
            return Some(prefix);
        }
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(segment);
    }
    let below = format!("{file}/");
    table
        .range(below.clone()..)
        .next()
        .filter(|(k, _)| k.starts_with(&below))
        .map(|(k, _)| k.clone())
}

/// The diagnostic for `owner`'s claim on `file` (a theme static file's or an alias's) colliding
/// with `other`'s claim on `taken`, at the position of the claim that came second.
fn report(
    site: &Site,
    theme: &Theme,
    owner: Owner,
    file: &str,
    taken: &str,
    other: Owner,
) -> Diagnostic {
    let what = match other {
        Owner::Static => format!(
            "`{taken}` from the theme file {}",
            theme.static_source(taken).display()
        ),
        Owner::Alias(c, i) => {
            let clause = &site[c];
            let at = clause.record.aliases[i].origin(&clause.path);
            format!("`{taken}`, an alias at {at}")
        }
        _ => format!("the generated file `{taken}`"),
    };
    let how = if file == taken {
        "would overwrite"
    } else {
        "cannot be written beside"
    };
    clash(site, theme, owner, file, how, &what)
}

/// The diagnostic for `owner`'s claim on `file` (a theme static file's or an alias's): it `how`
/// ("would overwrite") `what`, at the position of the claim.
fn clash(
    site: &Site,
    theme: &Theme,
    owner: Owner,
    file: &str,
    how: &str,
    what: &str,
) -> Diagnostic {
    match owner {
        Owner::Alias(c, i) => {
            let clause = &site[c];
            let alias = &clause.record.aliases[i];
            let message = format!("alias writing `{file}` {how} {what}");
            alias.error(Kind::RouteConflict, &clause.path, message)
        }
        _ => Diagnostic::error(
            Kind::RouteConflict,
            Origin::file(theme.static_source(file)),
            format!("theme static file `{file}` {how} {what}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(files: &[&str]) -> BTreeMap<String, Owner> {
        files.iter().map(|f| (f.to_string(), Owner::Home)).collect()
    }

    #[test]
    fn conflicts_are_same_paths_and_file_folder_clashes() {
        let t = table(&["atom.xml", "platforms/a/index.html", "robots.txt"]);
        assert_eq!(conflict(&t, "atom.xml").as_deref(), Some("atom.xml"));
        assert_eq!(
            conflict(&t, "atom.xml/index.html").as_deref(),
            Some("atom.xml")
        );
        assert_eq!(
            conflict(&t, "platforms/a").as_deref(),
            Some("platforms/a/index.html")
        );
        assert_eq!(
            conflict(&t, "platforms/a/index.html").as_deref(),
            Some("platforms/a/index.html")
        );
        assert_eq!(conflict(&t, "platforms/b/index.html"), None);
        assert_eq!(conflict(&t, "old/index.html"), None);
        assert_eq!(conflict(&t, "robots.txt2/index.html"), None);
    }
}
