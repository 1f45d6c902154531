//! `/changes/`: every version of every document, newest first, [`CHANGES_PER_PAGE`] to a page;
//! the versions between two substantive changes are folded together, still listed and linked.
//! Each platform's changes are paginated the same way under the platform's folder; narrowing
//! by class is left to the page's script, since the route table is made before any version is
//! classed.

use super::{ChangeView, Fold, change_view, fold, followed, page, versions_of};
use crate::derive::Derived;
use crate::error::Diagnostic;
use crate::history::Class;
use crate::model::{DocRef, PlatformIx};
use crate::render::engine::{Engine, Rendered};
use crate::render::view::{Link, Views};
use crate::routes::Feed;
use crate::routes::{CHANGES_PER_PAGE, changes_pages};
use crate::urls::route;
use serde::Serialize;

/// Where a page is among the pages of a list.
#[derive(Serialize)]
pub(super) struct Pagination {
    /// From 1.
    pub page: usize,
    pub pages: usize,
    /// The page of newer entries, absent on the first.
    pub previous_url: Option<String>,
    /// The page of older entries, absent on the last.
    pub next_url: Option<String>,
    pub first_url: String,
    pub last_url: String,
}

/// A list of changes a page can be narrowed to: every platform's, or one platform's.
#[derive(Serialize)]
pub(super) struct Filter {
    pub title: String,
    pub url: String,
    /// How many versions it lists.
    pub versions: usize,
    /// Whether it is the list this page belongs to.
    pub current: bool,
}

/// `changes.html`.
#[derive(Serialize)]
pub(super) struct Changes {
    /// Substantive changes, and folds of the versions between them.
    pub items: Vec<Fold<ChangeView>>,
    /// Versions on all pages.
    pub versions: usize,
    /// The platform whose changes the page lists; None when it lists every platform's.
    pub platform: Option<Link>,
    /// Every platform's changes first, then each platform's.
    pub filters: Vec<Filter>,
    pub pagination: Pagination,
}

/// The `n`th page (from 0) of `/changes/`, or of the changes of the platform `of`.
pub(super) fn render(
    v: &Views,
    d: &Derived,
    e: &Engine,
    file: &str,
    of: Option<PlatformIx>,
    n: usize,
) -> Result<Rendered, Diagnostic> {
    let site = v.site;
    let listed: Vec<(DocRef, usize)>;
    let all = match of {
        None => d.all_versions(),
        Some(ix) => {
            let documents: Vec<DocRef> = site
                .documents()
                .filter(|(at, _)| at.platform == ix)
                .map(|(at, _)| at)
                .collect();
            listed = versions_of(v, d, &documents);
            &listed
        }
    };
    let pages = changes_pages(all.len());
    let items = fold(
        all.iter()
            .skip(n * CHANGES_PER_PAGE)
            .take(CHANGES_PER_PAGE)
            .map(|&l| change_view(v, d, l)),
        |c| c.version.class == Class::Substantive,
    );
    let id = of.map(|ix| &*site[ix].id);
    let href = |n: usize| v.urls.href(&route::changes_page(id, n));
    let name = of.map(|ix| site[ix].record.name.as_str());
    let list = match name {
        Some(name) => format!("Changes: {name}"),
        None => "Changes".to_string(),
    };
    let title = match n {
        0 => list,
        _ => format!("{list}, page {} of {pages}", n + 1),
    };
    let description = match name {
        Some(name) => format!("Every archived version of {name}'s documents, newest first."),
        None => "Every archived version of every document, newest first.".to_string(),
    };
    let meta = followed(
        v,
        v.meta(
            &title,
            Some(&description),
            &route::changes_page(id, n),
            "changes",
        ),
        of.map_or(Feed::Site, Feed::Platform),
    );
    let body = Changes {
        items,
        versions: all.len(),
        platform: of.map(|ix| v.link(&site[ix].record.name, &route::platform(&site[ix].id))),
        filters: filters(v, d, of),
        pagination: Pagination {
            page: n + 1,
            pages,
            previous_url: n.checked_sub(1).map(href),
            next_url: (n + 1 < pages).then(|| href(n + 1)),
            first_url: href(0),
            last_url: href(pages - 1),
        },
    };
    page(v, e, file, "changes.html", meta, body)
}

/// Every platform's changes, then each platform's that has versions.
fn filters(v: &Views, d: &Derived, of: Option<PlatformIx>) -> Vec<Filter> {
    let every = Filter {
        title: "All platforms".into(),
        url: v.urls.href(&route::changes()),
        versions: d.all_versions().len(),
        current: of.is_none(),
    };
    let each = v.site.platform_ixs().map(|(ix, p)| Filter {
        title: p.record.name.to_string(),
        url: v.urls.href(&route::changes_page(Some(&p.id), 0)),
        versions: p.versions(),
        current: of == Some(ix),
    });
    std::iter::once(every)
        .chain(each.filter(|f| f.versions > 0))
        .collect()
}
