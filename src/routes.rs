//! The route table: every file the site will write, with what claims it, built from the loaded
//! model before anything renders. An alias or a theme's static file that would land on a
//! generated file (`/atom.xml`, a clause page), on another claim, or on a path another file
//! needs as a folder is a content error naming its file and line, in `check` as in `build`.

use crate::error::Diagnostic;
use crate::model::Site;
use crate::urls::{index_file, route};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Who claims an output file.
#[derive(Debug)]
enum Claim {
    /// A page or file the site generates.
    Generated,
    /// A theme's static file.
    Static(PathBuf),
    /// A clause alias, at its position in the clause file.
    Alias(Diagnostic),
}

/// Every file a build of `site` writes, but aliases and theme static files: the one list the
/// renderer is held to (a test compares it with real builds).
pub fn generated(site: &Site) -> Vec<String> {
    let mut files: Vec<String> = [
        "index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "atom.xml",
    ]
    .map(String::from)
    .to_vec();
    let mut page = |r: String| files.push(index_file(&r));
    page(route::platforms());
    page(route::provisions());
    page(route::compare());
    page(route::changes());
    if !site.regulations.is_empty() {
        page(route::regulations());
    }
    for p in &site.platforms {
        page(route::platform(&p.id));
        for d in &p.documents {
            page(route::document(&p.id, &d.id));
            for s in &d.snapshots {
                page(route::version(&p.id, &d.id, s.timestamp.as_str()));
            }
        }
        for c in &p.clauses {
            page(route::clause(&p.id, &c.id));
        }
    }
    for prov in &site.provisions {
        page(route::provision(&prov.id));
    }
    for r in &site.regulations {
        page(route::regulation(&r.id));
    }
    for pg in &site.pages {
        page(route::page(&pg.slug));
    }
    for p in &site.platforms {
        files.push(route::feed(&route::platform(&p.id)));
        for d in &p.documents {
            files.push(route::feed(&route::document(&p.id, &d.id)));
        }
    }
    for prov in &site.provisions {
        files.push(route::feed(&route::provision(&prov.id)));
    }
    for name in ["clauses", "documents", "platforms", "provisions"] {
        files.push(route::api(name));
    }
    files
}

/// Checks that every output file is claimed once and that no file sits where another needs a
/// folder; every conflict is reported at the claim that caused it.
pub fn check(site: &Site) -> Vec<Diagnostic> {
    let mut table: BTreeMap<String, Claim> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut claim = |file: String, claim: Claim, errors: &mut Vec<Diagnostic>| {
        if let Some(conflict) = conflict(&table, &file) {
            if let Some(d) = report(&claim, &file, &conflict, &table[&conflict]) {
                errors.push(d);
            }
            return;
        }
        table.insert(file, claim);
    };
    for file in generated(site) {
        claim(file, Claim::Generated, &mut errors);
    }
    for file in site.theme.statics.keys() {
        let source = PathBuf::from(format!("themes/{}/static/{file}", site.config.theme.value));
        claim(file.clone(), Claim::Static(source), &mut errors);
    }
    for c in site.clauses() {
        for (alias, file) in c.record.aliases.iter().zip(&c.alias_files) {
            let at = alias.error(&c.path, "");
            claim(file.clone(), Claim::Alias(at), &mut errors);
        }
    }
    errors
}

/// A claimed file that `file` collides with: the same path, a file where `file` needs a
/// folder, or a file below `file` (which would need it to be a folder).
fn conflict(table: &BTreeMap<String, Claim>, file: &str) -> Option<String> {
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

/// The diagnostic for `claim` on `file` colliding with `other`'s claim on `taken`.
fn report(claim: &Claim, file: &str, taken: &str, other: &Claim) -> Option<Diagnostic> {
    let what = match other {
        Claim::Generated => format!("the generated file `{taken}`"),
        Claim::Static(p) => format!("`{taken}` from the theme file {}", p.display()),
        Claim::Alias(d) => format!("`{taken}`, an alias of {}", d.path.display()),
    };
    let how = if file == taken {
        "would overwrite"
    } else {
        "cannot be written beside"
    };
    Some(match claim {
        Claim::Generated => return None,
        Claim::Static(p) => Diagnostic::new(p, format!("theme static file `{file}` {how} {what}")),
        Claim::Alias(at) => Diagnostic {
            message: format!("alias writing `{file}` {how} {what}"),
            ..at.clone()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(files: &[&str]) -> BTreeMap<String, Claim> {
        files
            .iter()
            .map(|f| (f.to_string(), Claim::Generated))
            .collect()
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
