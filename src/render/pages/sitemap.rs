//! `sitemap.xml` (every page of the route table) and `robots.txt`.

use crate::markdown;
use crate::render::view::Views;
use crate::routes::Routes;
use std::fmt::Write;

pub(super) fn sitemap(v: &Views, routes: &Routes) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    // By route, so a section comes before its pages.
    let mut pages: Vec<&str> = routes
        .iter()
        .filter(|(_, owner)| owner.in_sitemap())
        .map(|(file, _)| file.strip_suffix("index.html").unwrap_or(file))
        .collect();
    pages.sort_unstable();
    for route in pages {
        let _ = writeln!(
            xml,
            "  <url><loc>{}</loc></url>",
            markdown::escape(&v.urls.absolute(route))
        );
    }
    xml.push_str("</urlset>\n");
    xml
}

pub(super) fn robots(v: &Views) -> String {
    format!(
        "User-agent: *\nAllow: /\nSitemap: {}\n",
        v.urls.absolute("sitemap.xml")
    )
}
