//! Where every page lives. Routes are folder paths relative to the site root ("platforms/aws/");
//! [`Urls`] turns them into root-relative links and absolute URLs under `base_url`.

/// Routes of the generated pages, as folder paths relative to the output root.
pub mod route {
    pub fn platforms() -> String {
        "platforms/".into()
    }
    pub fn platform(p: &str) -> String {
        format!("platforms/{p}/")
    }
    pub fn document(p: &str, d: &str) -> String {
        format!("platforms/{p}/documents/{d}/")
    }
    pub fn clause(p: &str, c: &str) -> String {
        format!("platforms/{p}/clauses/{c}/")
    }
    pub fn provisions() -> String {
        "provisions/".into()
    }
    pub fn provision(id: &str) -> String {
        format!("provisions/{id}/")
    }
    pub fn regulations() -> String {
        "regulations/".into()
    }
    pub fn regulation(id: &str) -> String {
        format!("regulations/{id}/")
    }
    pub fn compare() -> String {
        "compare/".into()
    }
    pub fn version(p: &str, d: &str, timestamp: &str) -> String {
        format!("platforms/{p}/documents/{d}/versions/{timestamp}/")
    }
    pub fn changes() -> String {
        "changes/".into()
    }
    pub fn page(slug: &str) -> String {
        format!("{slug}/")
    }
    /// Atom feed files, beside the page they follow.
    pub fn feed(page_route: &str) -> String {
        format!("{page_route}atom.xml")
    }
    pub fn api(name: &str) -> String {
        format!("api/{name}.json")
    }
}

/// Links for one build: `root` is the path of `base_url` ("/" or "/atlas/").
#[derive(Debug)]
pub struct Urls {
    base: String,
    root: String,
}

impl Urls {
    /// `base_url` must already be normalised (absolute, ending in `/`).
    pub fn new(base_url: &str) -> Urls {
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
    pub fn root(&self) -> &str {
        &self.root
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// A root-relative link to `route`.
    pub fn href(&self, route: &str) -> String {
        format!("{}{}", self.root, route)
    }

    /// The absolute URL of `route`, for canonical links and the sitemap.
    pub fn absolute(&self, route: &str) -> String {
        format!("{}{}", self.base, route)
    }
}

/// The file a route's page is written to.
pub fn index_file(route: &str) -> String {
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
}
