//! The serialisable views templates receive. Each page gets an explicit context built here from
//! the model; templates never reach into global site data.

use crate::derive::Relations;
use crate::diff::{DiffBlock, Segment};
use crate::effective::{Kind, Stated};
use crate::history::{Class, History, Version};
use crate::ids::{Timestamp, display_date};
use crate::markdown;
use crate::model::{
    Clause, ClauseRef, DocRef, Platform, PlatformIx, Provision, ProvisionIx, Regulation,
    RegulationIx, Site,
};
use crate::routes::Owner;
use crate::text::{BlockKind, DocText};
use crate::urls::{Urls, encode_path, route};
use serde::Serialize;
use std::fmt::Write as _;
use std::sync::OnceLock;

/// Site-wide header and footer data, the same on every page.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct SiteView {
    pub title: String,
    pub description: Option<String>,
    pub language: String,
    pub root: String,
    pub attribution: Option<String>,
    /// `repository` of `site.yaml`.
    pub repository: Option<String>,
    pub nav: Vec<NavItem>,
    /// `search` of `site.yaml`: whether pages have the search box.
    pub search: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct NavItem {
    pub title: String,
    pub url: String,
    pub section: String,
}

/// What the `<head>` needs, which navigation entry is current, and where the page's file is
/// edited.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Meta {
    pub title: String,
    pub description: Option<String>,
    pub canonical: String,
    pub section: String,
    /// The Atom feed that follows this page, advertised in its `<head>`.
    pub feed: Option<Link>,
    /// The address of the page editing the file the page is made from, when the site has
    /// edit links.
    pub edit_url: Option<String>,
}

impl Meta {
    /// With the link to edit the file the page of `owner` is made from, when the site has
    /// edit links.
    pub(crate) fn edited(self, v: &Views, owner: Owner) -> Meta {
        Meta {
            edit_url: v.edit_url(owner),
            ..self
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Link {
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct DateView {
    /// "17 December 2024"
    pub date: String,
    /// For `<time datetime>`.
    pub iso: String,
    /// As in the snapshot file name.
    pub timestamp: String,
}

impl From<&Timestamp> for DateView {
    fn from(t: &Timestamp) -> Self {
        DateView {
            date: t.display_date(),
            iso: t.rfc3339(),
            timestamp: t.as_str().to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct PlatformView {
    pub id: String,
    pub name: String,
    pub owner: String,
    pub url: String,
    pub website: Option<String>,
    pub description: Option<String>,
    pub documents: usize,
    pub clauses: usize,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct DocumentView {
    pub id: String,
    pub title: String,
    #[serde(rename = "type")]
    pub doc_type: String,
    pub url: String,
    pub source: String,
    pub versions: usize,
    /// Substantive changes since the first version.
    pub changes: usize,
    pub first_seen: Option<DateView>,
    pub latest: Option<DateView>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ClauseView {
    pub id: String,
    pub title: String,
    pub url: String,
    pub platform: Link,
    pub owner: String,
    pub document: Link,
    pub provision: Link,
    pub excerpt: String,
    pub excerpt_short: String,
}

/// A clause with its analysis, for its own page and the side-by-side comparison. Lists and
/// cards get the lighter [`ClauseView`], so editing a summary re-renders only the pages that
/// show it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ClauseDetail {
    #[serde(flatten)]
    pub clause: ClauseView,
    pub summary: String,
    pub obligations: Option<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ProvisionView {
    /// The provision type itself, for pages that list its clauses.
    #[serde(skip)]
    pub ix: ProvisionIx,
    pub id: String,
    pub name: String,
    pub url: String,
    pub group: Option<String>,
    pub description: Option<String>,
    pub platforms: usize,
    pub clauses: usize,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct RegulationView {
    pub id: String,
    pub name: String,
    pub url: String,
    pub jurisdiction: Option<String>,
    pub source: Option<String>,
    pub description: Option<String>,
    pub clauses: usize,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ProvisionGroup {
    pub name: String,
    pub provisions: Vec<ProvisionView>,
}

/// Builds views for one build: the model, what was derived from it, and the URLs. Views
/// shown on many pages are built once, in parallel.
pub(crate) struct Views<'a> {
    pub site: &'a Site,
    pub relations: &'a Relations,
    pub urls: Urls,
    /// The same on every page.
    pub site_view: SiteView,
    /// Provision types by group, as lists and the comparison show them.
    pub groups: Vec<ProvisionGroup>,
    /// The free page `methodology`, which clause pages link to, if the site has one.
    pub methodology_url: Option<String>,
    regulations: Vec<RegulationView>,
    /// Platform views, with their Markdown rendered: a platform appears on many pages.
    platforms: Vec<PlatformView>,
    /// platform → clause → view, with its Markdown rendered: made when a page first shows it, so
    /// that `serve`, which renders one page at a time, makes only the clauses the page shows.
    clauses: Vec<Vec<OnceLock<ClauseDetail>>>,
}

impl<'a> Views<'a> {
    pub(crate) fn new(site: &'a Site, relations: &'a Relations) -> Views<'a> {
        let mut views = Views {
            site,
            relations,
            urls: Urls::new(&site.config.base_url),
            site_view: SiteView::default(),
            groups: Vec::new(),
            methodology_url: None,
            regulations: Vec::new(),
            platforms: Vec::new(),
            clauses: Vec::new(),
        };
        views.site_view = views.build_site_view();
        views.methodology_url = site
            .pages
            .iter()
            .find(|pg| &*pg.slug == "methodology")
            .map(|pg| views.urls.href(&route::page(&pg.slug)));
        views.regulations = site
            .regulation_ixs()
            .map(|(ix, r)| views.build_regulation(ix, r))
            .collect();
        views.platforms = site
            .platforms
            .iter()
            .map(|p| views.build_platform(p))
            .collect();
        views.clauses = site
            .platforms
            .iter()
            .map(|p| p.clauses.iter().map(|_| OnceLock::new()).collect())
            .collect();
        views.groups = views.build_groups();
        views
    }

    pub(crate) fn markdown(&self, text: &str) -> String {
        markdown::render(text, self.urls.root())
    }

    fn markdown_opt(&self, text: &Option<String>) -> Option<String> {
        text.as_deref().map(|t| self.markdown(t))
    }

    fn build_site_view(&self) -> SiteView {
        let c = &self.site.config;
        let mut nav = vec![
            self.nav("Platforms", &route::platforms(), "platforms"),
            self.nav("Provisions", &route::provisions(), "provisions"),
            self.nav("Compare", &route::compare(), "compare"),
            self.nav("Changes", &route::changes(), "changes"),
        ];
        if !self.site.regulations.is_empty() {
            nav.push(self.nav("Regulations", &route::regulations(), "regulations"));
        }
        for page in &self.site.pages {
            nav.push(self.nav(&page.front.title, &route::page(&page.slug), &page.slug));
        }
        SiteView {
            title: c.title.to_string(),
            description: c.description.clone(),
            language: c.language.value.clone(),
            root: self.urls.root().to_string(),
            attribution: self.markdown_opt(&c.attribution),
            repository: c.repository.as_ref().map(|u| u.value.clone()),
            nav,
            search: c.search,
        }
    }

    fn nav(&self, title: &str, route: &str, section: &str) -> NavItem {
        NavItem {
            title: title.into(),
            url: self.urls.href(route),
            section: section.into(),
        }
    }

    pub(crate) fn meta(
        &self,
        title: &str,
        description: Option<&str>,
        route: &str,
        section: &str,
    ) -> Meta {
        Meta {
            title: title.into(),
            // Plain text from the Markdown as written, at most a search result's length.
            description: description
                .or(self.site.config.description.as_deref())
                .map(|d| shorten(&crate::markdown::plain(d), 160))
                .filter(|d| !d.is_empty()),
            canonical: self.urls.absolute(route),
            section: section.into(),
            feed: None,
            edit_url: None,
        }
    }

    /// The address of the page editing the file `owner`'s page is made from, when the site has
    /// edit links.
    fn edit_url(&self, owner: Owner) -> Option<String> {
        let template = self.site.edit_url.as_deref()?;
        let file = owner.source(self.site)?;
        Some(template.replace("{path}", &encode_path(&file)))
    }

    /// When the file `owner`'s page is made from last changed in git.
    pub(crate) fn changed(&self, owner: Owner) -> Option<&'a Timestamp> {
        self.site.changed.get(&owner.source(self.site)?)
    }

    pub(crate) fn link(&self, title: &str, route: &str) -> Link {
        Link {
            title: title.into(),
            url: self.urls.href(route),
        }
    }

    pub(crate) fn platform(&self, ix: PlatformIx) -> PlatformView {
        self.platforms[ix.0].clone()
    }

    fn build_platform(&self, p: &Platform) -> PlatformView {
        PlatformView {
            id: p.id.to_string(),
            name: p.record.name.to_string(),
            owner: p.owner().to_string(),
            url: self.urls.href(&route::platform(&p.id)),
            website: p.record.url.as_ref().map(|u| u.value.clone()),
            description: self.markdown_opt(&p.record.description),
            documents: p.documents.len(),
            clauses: p.clauses.len(),
        }
    }

    pub(crate) fn document(&self, at: DocRef, history: &History) -> DocumentView {
        let (p, d) = (&self.site[at.platform], &self.site[at]);
        DocumentView {
            id: d.id.to_string(),
            title: d.record.title.to_string(),
            doc_type: d.record.doc_type.to_string(),
            url: self.urls.href(&route::document(&p.id, &d.id)),
            source: d.record.url.value.clone(),
            versions: d.snapshots.len(),
            changes: history.substantive_changes(),
            first_seen: d.snapshots.first().map(|s| (&s.timestamp).into()),
            latest: d.snapshots.last().map(|s| (&s.timestamp).into()),
        }
    }

    pub(crate) fn clause(&self, c: ClauseRef) -> ClauseView {
        self.clause_made(c).clause.clone()
    }

    pub(crate) fn clause_detail(&self, c: ClauseRef) -> ClauseDetail {
        self.clause_made(c).clone()
    }

    fn clause_made(&self, c: ClauseRef) -> &ClauseDetail {
        self.clauses[c.platform.0][c.index].get_or_init(|| self.build_clause(&self.site[c]))
    }

    fn build_clause(&self, c: &Clause) -> ClauseDetail {
        let site = self.site;
        let platform = &site[c.at.platform];
        let document = &site[c.document];
        let provision = &site[c.provision];
        let excerpt = c.record.excerpt.trim().to_string();
        ClauseDetail {
            clause: ClauseView {
                id: c.id.to_string(),
                title: c.record.title.to_string(),
                url: self.urls.href(&route::clause(&platform.id, &c.id)),
                platform: self.link(&platform.record.name, &route::platform(&platform.id)),
                owner: platform.owner().to_string(),
                document: self.link(
                    &document.record.title,
                    &route::document(&platform.id, &document.id),
                ),
                provision: self.link(&provision.record.name, &route::provision(&provision.id)),
                excerpt_short: shorten(&excerpt, 240),
                excerpt,
            },
            summary: self.markdown(&c.record.summary),
            obligations: self.markdown_opt(&c.record.obligations),
            tags: c.record.tags.clone(),
        }
    }

    pub(crate) fn provision(&self, ix: ProvisionIx) -> ProvisionView {
        let p = &self.site[ix];
        ProvisionView {
            ix,
            id: p.id.to_string(),
            name: p.record.name.to_string(),
            url: self.urls.href(&route::provision(&p.id)),
            group: p.record.group.clone(),
            description: self.markdown_opt(&p.record.description),
            platforms: self.relations.provision_reach(ix),
            clauses: self.relations.provision_clauses(ix).len(),
        }
    }

    pub(crate) fn regulation(&self, ix: RegulationIx) -> RegulationView {
        self.regulations[ix.0].clone()
    }

    fn build_regulation(&self, ix: RegulationIx, r: &Regulation) -> RegulationView {
        RegulationView {
            id: r.id.to_string(),
            name: r.record.name.to_string(),
            url: self.urls.href(&route::regulation(&r.id)),
            jurisdiction: r.record.jurisdiction.clone(),
            source: r.record.url.as_ref().map(|u| u.value.clone()),
            description: self.markdown_opt(&r.record.description),
            clauses: self.relations.regulation_clauses(ix).len(),
        }
    }

    /// The provision types' views, in the order of [`Views::groups`].
    pub(crate) fn provisions_in_order(&self) -> impl Iterator<Item = &ProvisionView> {
        self.groups.iter().flat_map(|g| &g.provisions)
    }

    /// Provisions by group, groups by name, ungrouped provisions last under "Other provisions".
    fn build_groups(&self) -> Vec<ProvisionGroup> {
        let mut groups: Vec<ProvisionGroup> = Vec::new();
        let mut provisions: Vec<(ProvisionIx, &Provision)> = self.site.provision_ixs().collect();
        let order = |p: &Provision| {
            let r = &p.record;
            (
                r.group.is_none(),
                r.group.clone(),
                r.name.to_string(),
                p.id.clone(),
            )
        };
        provisions.sort_by_key(|(_, p)| order(p));
        for (ix, p) in provisions {
            let name = p
                .record
                .group
                .clone()
                .unwrap_or_else(|| "Other provisions".into());
            match groups.last_mut() {
                Some(g) if g.name == name => g.provisions.push(self.provision(ix)),
                _ => groups.push(ProvisionGroup {
                    name,
                    provisions: vec![self.provision(ix)],
                }),
            }
        }
        groups
    }
}

/// `text` cut at a word boundary to at most about `max` characters, with an ellipsis.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!(
        "{}…",
        cut.trim_end_matches(|c: char| c.is_whitespace() || c == ',' || c == ';')
    )
}

#[cfg(test)]
mod tests {
    use super::{EffectiveView, shorten};
    use crate::effective::{Kind, Stated};
    use crate::ids::Timestamp;
    use jiff::civil::date;

    #[test]
    fn the_gap_between_stated_and_observed_reads_both_ways() {
        let observed = Timestamp::parse("2026-05-22T22-32-00Z").unwrap();
        let view = |kind, y, m, d| {
            EffectiveView::new(
                Stated {
                    date: date(y, m, d),
                    kind,
                },
                &observed,
            )
        };
        let past = view(Kind::Effective, 2025, 2, 24);
        assert_eq!(
            (
                past.kind,
                past.date.as_str(),
                past.iso.as_str(),
                past.days_before
            ),
            (Kind::Effective, "24 February 2025", "2025-02-24", 452)
        );
        assert_eq!(past.gap, "452 days before it was observed");
        assert_eq!(past.gap_short, "452 days earlier");
        let same = view(Kind::Updated, 2026, 5, 22);
        assert_eq!(
            (same.gap.as_str(), same.gap_short.as_str()),
            ("the day it was observed", "same day")
        );
        let future = view(Kind::Effective, 2026, 6, 3);
        assert_eq!(future.days_before, -12);
        assert_eq!(
            future.gap,
            "so it takes effect 12 days after it was observed"
        );
        assert_eq!(future.gap_short, "takes effect 12 days later");
        let odd = view(Kind::Updated, 2026, 5, 23);
        assert_eq!(
            (odd.gap.as_str(), odd.gap_short.as_str()),
            ("1 day after it was observed", "1 day later")
        );
    }

    #[test]
    fn a_documents_headings_follow_the_page_outline_without_skipping_a_level() {
        use crate::text::{Block, BlockKind, DocText};
        let heading = |level, text: &str| Block {
            kind: BlockKind::Heading(level),
            text: text.into(),
        };
        let text = DocText {
            blocks: vec![
                heading(2, "Terms"),
                heading(4, "Scope"),
                heading(4, "Limits"),
                heading(1, "Annex"),
                heading(6, "Fine print"),
            ],
        };
        assert_eq!(
            super::text_html(&text),
            "<h3>Terms</h3>\n<h4>Scope</h4>\n<h4>Limits</h4>\n<h3>Annex</h3>\n<h4>Fine print</h4>\n"
        );
    }

    #[test]
    fn shorten_cuts_at_words() {
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(shorten("one two three four", 10), "one two…");
        assert_eq!(shorten("ééééééééééééé", 5), "ééééé…");
    }
}

/// One version of a document, as lists and timelines show it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct VersionView {
    /// When the archive observed it; versions are ordered by this.
    pub date: DateView,
    /// The date the version states for itself, if it states one.
    pub effective: Option<EffectiveView>,
    pub url: String,
    pub class: Class,
    pub words_added: usize,
    pub words_removed: usize,
    pub sections: Vec<String>,
    pub note: Option<String>,
}

/// The date a version states for itself, beside the date it was observed (docs/reference.md).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct EffectiveView {
    /// How the version words it: "effective", "updated" or "dated".
    pub kind: Kind,
    /// "24 February 2025"
    pub date: String,
    /// "2025-02-24", for `<time datetime>`.
    pub iso: String,
    /// Days from the stated date to the observation: negative when the stated date was still
    /// to come when the version was observed.
    pub days_before: i64,
    /// The gap as a clause for a sentence: "452 days before it was observed", "the day it was
    /// observed", "so it takes effect 12 days after it was observed".
    pub gap: String,
    /// The gap for lists: "452 days earlier", "same day", "takes effect 12 days later".
    pub gap_short: String,
}

impl EffectiveView {
    pub(crate) fn new(stated: Stated, observed: &Timestamp) -> EffectiveView {
        let days_before = observed
            .date()
            .since(stated.date)
            .map_or(0, |span| i64::from(span.get_days()));
        let n = days_before.unsigned_abs();
        let days = format!("{n} day{}", if n == 1 { "" } else { "s" });
        let takes_effect = stated.kind == Kind::Effective;
        let (gap, gap_short) = match days_before {
            0 => (
                "the day it was observed".to_string(),
                "same day".to_string(),
            ),
            1.. => (
                format!("{days} before it was observed"),
                format!("{days} earlier"),
            ),
            _ if takes_effect => (
                format!("so it takes effect {days} after it was observed"),
                format!("takes effect {days} later"),
            ),
            _ => (
                format!("{days} after it was observed"),
                format!("{days} later"),
            ),
        };
        EffectiveView {
            kind: stated.kind,
            date: display_date(stated.date),
            iso: stated.date.to_string(),
            days_before,
            gap,
            gap_short,
        }
    }
}

/// A block of a version's diff, as `version.html` shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DiffBlockView<'a> {
    /// "same", "skipped", "changed" (words marked in `segments`), or a whole block in `text`:
    /// "inserted", "deleted" or "moved".
    pub kind: &'static str,
    /// "heading", "paragraph", "list-item" or "table-row".
    pub block: &'static str,
    pub text: &'a str,
    /// How many unchanged blocks a "skipped" block stands for.
    pub count: usize,
    /// The words, each with its `op`: "equal", "insert" or "delete".
    pub segments: &'a [Segment],
}

impl Views<'_> {
    /// A version of the document at `at`.
    pub(crate) fn version(&self, at: DocRef, v: &Version) -> VersionView {
        let (p, d) = (&self.site[at.platform], &self.site[at]);
        let ts = &v.timestamp;
        VersionView {
            date: ts.into(),
            effective: v.effective.map(|e| EffectiveView::new(e, ts)),
            url: self.urls.href(&route::version(&p.id, &d.id, ts.as_str())),
            class: v.class,
            words_added: v.words_added,
            words_removed: v.words_removed,
            sections: v.sections.clone(),
            note: d.record.changes.get(ts.as_str()).map(|n| self.markdown(n)),
        }
    }

    /// A link to a version of the document at `at`, named by its date.
    pub(crate) fn version_link(&self, at: DocRef, v: &Version) -> Link {
        let (p, d) = (&self.site[at.platform], &self.site[at]);
        let ts = &v.timestamp;
        self.link(
            &ts.display_date(),
            &route::version(&p.id, &d.id, ts.as_str()),
        )
    }
}

fn block_name(kind: BlockKind) -> &'static str {
    match kind {
        BlockKind::Heading(_) => "heading",
        BlockKind::Paragraph => "paragraph",
        BlockKind::ListItem => "list-item",
        BlockKind::TableRow => "table-row",
    }
}

pub(crate) fn diff_view(diff: &[DiffBlock]) -> Vec<DiffBlockView<'_>> {
    let whole = |kind: &'static str, block: BlockKind, text| DiffBlockView {
        kind,
        block: block_name(block),
        text,
        count: 0,
        segments: &[],
    };
    diff.iter()
        .map(|b| match b {
            DiffBlock::Same { kind, text } => whole("same", *kind, text),
            DiffBlock::Inserted { kind, text } => whole("inserted", *kind, text),
            DiffBlock::Deleted { kind, text } => whole("deleted", *kind, text),
            DiffBlock::Moved { kind, text } => whole("moved", *kind, text),
            DiffBlock::Skipped { count } => DiffBlockView {
                kind: "skipped",
                block: "paragraph",
                text: "",
                count: *count,
                segments: &[],
            },
            DiffBlock::Changed { kind, segments } => DiffBlockView {
                kind: "changed",
                block: block_name(*kind),
                text: "",
                count: 0,
                segments,
            },
        })
        .collect()
}

/// A version's visible text as HTML: headings, paragraphs, lists and table rows, every text
/// escaped. Archived markup never reaches the output.
pub(crate) fn text_html(text: &DocText) -> String {
    let mut out = String::new();
    let mut in_list = false;
    // The open headings, as (level in the document, level on the page).
    let mut open: Vec<(u8, u8)> = Vec::new();
    for b in &text.blocks {
        if in_list && b.kind != BlockKind::ListItem {
            out.push_str("</ul>\n");
            in_list = false;
        }
        let t = crate::markup::escape(&b.text);
        match b.kind {
            BlockKind::Heading(level) => {
                // Page headings are h1/h2; the document's own start at h3, one level below
                // the heading they fall under, so the outline skips no level (siblings stay
                // siblings).
                while open.last().is_some_and(|&(l, _)| l >= level) {
                    open.pop();
                }
                let h = (open.last().map_or(2, |&(_, h)| h) + 1).min(6);
                open.push((level, h));
                let _ = writeln!(out, "<h{h}>{t}</h{h}>");
            }
            BlockKind::Paragraph => {
                let _ = writeln!(out, "<p>{t}</p>");
            }
            BlockKind::TableRow => {
                let _ = writeln!(out, "<p class=\"table-row\">{t}</p>");
            }
            BlockKind::ListItem => {
                if !in_list {
                    out.push_str("<ul>\n");
                    in_list = true;
                }
                let _ = writeln!(out, "<li>{t}</li>");
            }
        }
    }
    if in_list {
        out.push_str("</ul>\n");
    }
    out
}
