//! Where every page lives. Routes are folder paths relative to the site root ("platforms/aws/");
//! [`Urls`] turns them into root-relative links and absolute URLs under `base_url`.

/// Routes of the generated pages, as folder paths relative to the output root.
pub(crate) mod route {
    pub(crate) fn platforms() -> String {
        "platforms/".into()
    }
    pub(crate) fn platform(p: &str) -> String {
        format!("platforms/{p}/")
    }
    pub(crate) fn document(p: &str, d: &str) -> String {
        format!("platforms/{p}/documents/{d}/")
    }
    pub(crate) fn clause(p: &str, c: &str) -> String {
        format!("platforms/{p}/clauses/{c}/")
    }
    pub(crate) fn provisions() -> String {
        "provisions/".into()
    }
    pub(crate) fn provision(id: &str) -> String {
        format!("provisions/{id}/")
    }
    pub(crate) fn regulations() -> String {
        "regulations/".into()
    }
    pub(crate) fn regulation(id: &str) -> String {
        format!("regulations/{id}/")
    }
    pub(crate) fn compare() -> String {
        "compare/".into()
    }
    pub(crate) fn version(p: &str, d: &str, timestamp: &str) -> String {
        format!("platforms/{p}/documents/{d}/versions/{timestamp}/")
    }
    pub(crate) fn changes() -> String {
        "changes/".into()
    }
    /// The `n`th page, from 0, of `/changes/` or, given a platform, of the platform's changes:
    /// the first is the list's own folder, as Zola and Hugo paginate (`/changes/page/2/`…).
    pub(crate) fn changes_page(platform: Option<&str>, n: usize) -> String {
        let first = match platform {
            Some(p) => format!("{}changes/", self::platform(p)),
            None => changes(),
        };
        match n {
            0 => first,
            _ => format!("{first}page/{}/", n + 1),
        }
    }
    pub(crate) fn page(slug: &str) -> String {
        format!("{slug}/")
    }
    /// Atom feed files, beside the page they follow.
    pub(crate) fn feed(page_route: &str) -> String {
        format!("{page_route}atom.xml")
    }
    pub(crate) fn api(name: &str) -> String {
        format!("api/{name}.json")
    }
    pub(crate) fn search() -> String {
        "search/".into()
    }
    /// The folder of the search index's files (Pagefind's bundle), which no other file may
    /// take: their names are known only once the index is built.
    pub(crate) fn search_index() -> &'static str {
        "pagefind/"
    }
}

/// Links for one build: `root` is the path of `base_url` ("/" or "/atlas/").
#[derive(Debug)]
pub(crate) struct Urls {
    base: String,
    root: String,
}

impl Urls {
    /// `base_url` must already be normalised (absolute, ending in `/`).
    pub(crate) fn new(base_url: &str) -> Urls {
        let after_scheme = base_url
            .split_once("://")
            .map_or(base_url, |(_, rest)| rest);
        let root = match after_scheme.find('/') {
            Some(i) => after_scheme[i..].to_string(),
            None => "/".to_string(),
        };
        Urls {
            base: base_url.to_string(),
            root,
        }
    }

    /// The base URL's path, "/" or "/atlas/".
    pub(crate) fn root(&self) -> &str {
        &self.root
    }

    /// A root-relative link to `route`.
    pub(crate) fn href(&self, route: &str) -> String {
        format!("{}{}", self.root, route)
    }

    /// The absolute URL of `route`, for canonical links and the sitemap.
    pub(crate) fn absolute(&self, route: &str) -> String {
        format!("{}{}", self.base, route)
    }
}

/// `path` with each `/`-separated segment percent-encoded: all but letters, digits and `-._~`,
/// byte by byte, so that a file's path can go into a URL.
pub(crate) fn encode_path(path: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The file a route's page is written to.
pub(crate) fn index_file(route: &str) -> String {
    format!("{route}index.html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subpath_base_url() {
        let u = Urls::new("https://example.org/atlas/");
        assert_eq!(u.root(), "/atlas/");
        assert_eq!(
            u.href(&route::clause("aws", "spam")),
            "/atlas/platforms/aws/clauses/spam/"
        );
        assert_eq!(
            u.absolute(&route::compare()),
            "https://example.org/atlas/compare/"
        );
        assert_eq!(Urls::new("http://127.0.0.1:1111/").root(), "/");
        assert_eq!(index_file(""), "index.html");
    }

    #[test]
    fn paths_are_encoded_segment_by_segment() {
        assert_eq!(
            encode_path("content/platforms/a-b/clauses/x_y.yaml"),
            "content/platforms/a-b/clauses/x_y.yaml"
        );
        assert_eq!(
            encode_path("my site/pages/é?#%.md"),
            "my%20site/pages/%C3%A9%3F%23%25.md"
        );
    }
}
