//! Load: reads a site's `content/` and theme into a validated [`Site`], collecting every error.

use crate::error::{Diagnostic, Error, Result};
use crate::hash::hash_of;
use crate::ids::{Timestamp, invalid_id_message, is_valid_id};
use crate::model::*;
use crate::read::{self, Entry, Kind};
use crate::yaml::Located;
use crate::{routes, theme, yaml};
use serde::de::DeserializeOwned;
use std::any::Any;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Largest snapshot accepted: far above any real policy page, low enough to never exhaust memory.
pub const MAX_SNAPSHOT_BYTES: u64 = 64 * 1024 * 1024;

/// Most `select` and `remove` selectors a document may have, together.
const MAX_SELECTORS: usize = 64;

/// Longest selector accepted.
const MAX_SELECTOR_BYTES: usize = 512;

/// Most `ignore` entries a document may have, and the longest accepted.
const MAX_IGNORE: usize = 64;
const MAX_IGNORE_BYTES: usize = 512;

/// Page slugs that would shadow a section of the generated site.
const RESERVED_SLUGS: &[&str] = &[
    "platforms",
    "provisions",
    "regulations",
    "compare",
    "changes",
    "api",
];

#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Keep clauses marked `draft: true`.
    pub drafts: bool,
    /// Replaces `base_url` from site.yaml (e.g. a preview URL).
    pub base_url: Option<String>,
}

/// Files read by earlier loads, with what was parsed from them: `serve` keeps one, so a
/// rebuild reads and parses only the files that changed. An entry is used only while its file's
/// size and modification time are unchanged, and the watcher's changed paths are forgotten
/// explicitly as well, so a file system with coarse modification times cannot serve a stale text.
#[derive(Default)]
pub struct FileCache {
    files: HashMap<PathBuf, CachedFile>,
    seen: HashSet<PathBuf>,
}

struct CachedFile {
    modified: Option<std::time::SystemTime>,
    len: u64,
    text: Arc<str>,
    hash: u64,
    /// The record parsed from `text`, for YAML records.
    parsed: Option<Arc<dyn Any + Send + Sync>>,
}

impl std::fmt::Debug for FileCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileCache({} files)", self.files.len())
    }
}

impl FileCache {
    /// Forgets every file at or below `path`.
    pub fn forget(&mut self, path: &Path) {
        self.files.retain(|p, _| !p.starts_with(path));
    }

    /// The cached file at `path`, read anew unless its size and modification time are the
    /// same. Only paths listed as regular files are passed here, and the read itself refuses
    /// anything else, so a file swapped for a link in between is never followed.
    fn entry(&mut self, path: &Path, limit: u64) -> Result<&mut CachedFile, Diagnostic> {
        self.seen.insert(path.to_path_buf());
        let meta = std::fs::symlink_metadata(path)
            .map_err(|e| Diagnostic::io(path, format!("cannot read file: {e}")))?;
        let modified = meta.modified().ok();
        let fresh = meta.is_file()
            && self.files.get(path).is_some_and(|c| {
                c.len == meta.len() && c.modified == modified && modified.is_some()
            });
        if !fresh {
            let text: Arc<str> = read::read_text(path, limit)?.into();
            let file = CachedFile {
                modified,
                len: meta.len(),
                hash: hash_of(&*text),
                text,
                parsed: None,
            };
            self.files.insert(path.to_path_buf(), file);
        }
        Ok(self.files.get_mut(path).expect("just inserted"))
    }

    /// A snapshot's text and its hash.
    fn read(&mut self, path: &Path) -> Result<(Arc<str>, u64), Diagnostic> {
        let c = self.entry(path, MAX_SNAPSHOT_BYTES)?;
        Ok((c.text.clone(), c.hash))
    }

    /// A YAML record, parsed only when the file changed.
    fn record<T: DeserializeOwned + Clone + Send + Sync + 'static>(
        &mut self,
        path: &Path,
    ) -> Result<T, Diagnostic> {
        let c = self.entry(path, yaml::MAX_RECORD_BYTES as u64)?;
        if let Some(v) = c.parsed.as_ref().and_then(|p| p.downcast_ref::<T>()) {
            return Ok(v.clone());
        }
        let value: T = yaml::parse(path, &c.text, 1)?;
        c.parsed = Some(Arc::new(value.clone()));
        Ok(value)
    }

    /// Drops the files the last load did not read (deleted or moved away).
    fn prune(&mut self) {
        let seen = std::mem::take(&mut self.seen);
        self.files.retain(|p, _| seen.contains(p));
    }
}

/// Reads and validates the site under `root`. Every content error is returned at once.
pub fn load(root: &Path, options: &LoadOptions) -> Result<Site> {
    load_cached(root, options, &mut FileCache::default())
}

/// [`load`], reading files through `cache`.
pub fn load_cached(root: &Path, options: &LoadOptions, cache: &mut FileCache) -> Result<Site> {
    // A bad command-line value is a usage error, reported before any content.
    let base_url_override = match &options.base_url {
        Some(url) => {
            Some(normalise_base_url(url).map_err(|m| Error::Usage(format!("--base-url: {m}")))?)
        }
        None => None,
    };
    let content = root.join("content");
    let mut loader = Loader {
        diagnostics: Vec::new(),
        present: BTreeSet::new(),
        files: cache,
    };
    let top = match read::is_real_dir(&content) {
        Ok(true) => loader.entries(&content),
        Ok(false) => Vec::new(),
        // A linked content/ is never entered: everything below it is outside the site.
        Err(d) => return Err(Error::content(vec![d])),
    };
    let site_yaml = content.join("site.yaml");
    let has_site_yaml = top
        .iter()
        .any(|e| e.name == "site.yaml" && e.kind == Kind::File);
    if !has_site_yaml && loader.diagnostics.is_empty() {
        return Err(Error::Usage(format!(
            "no site found: {} does not exist. Run clausebook in a site's root folder or pass --root DIR.",
            site_yaml.display()
        )));
    }
    let mut config = has_site_yaml
        .then(|| loader.site_config(&site_yaml))
        .flatten();
    if let (Some(config), Some(url)) = (&mut config, base_url_override) {
        config.base_url.value = url;
    }
    let folder = |name: &str| top.iter().find(|e| e.name == name && e.kind == Kind::Dir);
    let provisions = match folder("provisions") {
        Some(e) => loader.simple_records(&e.path, "provision", |id, mut p: Provision| {
            p.id = id;
            p
        }),
        None => Vec::new(),
    };
    let regulations = match folder("regulations") {
        Some(e) => loader.simple_records(&e.path, "regulation", |id, mut r: Regulation| {
            r.id = id;
            r
        }),
        None => Vec::new(),
    };
    for r in &regulations {
        loader.check_url(
            &content.join("regulations").join(format!("{}.yaml", r.id)),
            r.url.as_ref(),
        );
    }
    let pages = folder("pages").map_or_else(Vec::new, |e| loader.pages(&e.path));
    let mut platforms = folder("platforms").map_or_else(Vec::new, |e| loader.platforms(&e.path));
    loader.unexpected_top_level(&top);
    let theme = match &config {
        Some(config) => theme::load(root, &config.theme, &site_yaml, &mut loader.diagnostics),
        None => Theme::default(),
    };
    // References are checked only against a site that was read whole: a folder that could not
    // be read would otherwise turn every reference into it into a false "unknown" error.
    let read_whole = !loader
        .diagnostics
        .iter()
        .any(|d| d.kind == crate::error::Kind::Io);
    if read_whole {
        loader.check_references(&mut platforms);
    }
    loader.files.prune();
    let Some(config) = config else {
        return Err(Error::content(loader.diagnostics));
    };
    let mut site = Site {
        config,
        platforms,
        provisions,
        regulations,
        pages,
        theme,
    };
    if !options.drafts {
        for p in &mut site.platforms {
            p.clauses.retain(|c| !c.record.draft);
        }
    }
    // Claims on output paths are checked on what loaded, so they are reported with the rest.
    loader.diagnostics.extend(routes::check(&site));
    if loader.diagnostics.is_empty() {
        Ok(site)
    } else {
        Err(Error::content(loader.diagnostics))
    }
}

struct Loader<'c> {
    diagnostics: Vec<Diagnostic>,
    /// (kind, id) of every record whose file exists with a valid name, parsed or not: a reference
    /// to a record that failed to parse is not reported again as unresolved.
    present: BTreeSet<(&'static str, String)>,
    files: &'c mut FileCache,
}

impl Loader<'_> {
    fn error(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    /// The entries of `dir`, sorted by name, without hidden files and editor leftovers.
    fn entries(&mut self, dir: &Path) -> Vec<Entry> {
        read::entries(dir, read::is_ignored_name, &mut self.diagnostics)
    }

    fn record<T: DeserializeOwned + Clone + Send + Sync + 'static>(
        &mut self,
        path: &Path,
    ) -> Option<T> {
        self.files.record(path).map_err(|d| self.error(d)).ok()
    }

    /// An id from a file or folder name, or a diagnostic.
    fn id(&mut self, kind: &str, id: &str, path: &Path) -> Option<String> {
        if is_valid_id(id) {
            Some(id.to_string())
        } else {
            self.error(Diagnostic::new(path, invalid_id_message(kind, id)));
            None
        }
    }

    /// A URL from content must be an absolute http(s) URL: anything else could run script in a
    /// reader's browser (`javascript:`, `data:`) or point nowhere.
    fn check_url(&mut self, path: &Path, url: Option<&Located<String>>) {
        let Some(url) = url else { return };
        if let Err(m) = check_http_url(url) {
            self.error(url.error(path, m));
        }
    }

    fn site_config(&mut self, path: &Path) -> Option<SiteConfig> {
        let mut config: SiteConfig = self.record(path)?;
        match normalise_base_url(&config.base_url) {
            Ok(u) => config.base_url.value = u,
            Err(m) => self.error(config.base_url.error(path, m)),
        }
        if !is_valid_id(&config.theme) {
            self.error(
                config
                    .theme
                    .error(path, invalid_id_message("theme", &config.theme)),
            );
        }
        let language = &config.language;
        let language_ok = !language.is_empty()
            && language.len() <= 35
            && language
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !language_ok {
            self.error(language.error(
                path,
                format!(
                    "`language` must be a language tag such as `en` or `pt-BR`, not `{}`",
                    language.value
                ),
            ));
        }
        Some(config)
    }

    /// The `<id>.yaml` records of `dir` with their ids and parsed records; anything else in
    /// the folder is an error.
    fn yaml_records<T: DeserializeOwned + Clone + Send + Sync + 'static>(
        &mut self,
        dir: &Path,
        kind: &'static str,
    ) -> Vec<(String, T, PathBuf)> {
        let mut out = Vec::new();
        for e in self.entries(dir) {
            let stem = e
                .name
                .strip_suffix(".yaml")
                .filter(|_| e.kind == Kind::File);
            let Some(stem) = stem else {
                self.error(Diagnostic::new(
                    &e.path,
                    format!("unexpected entry: {kind} records are `<id>.yaml` files"),
                ));
                continue;
            };
            let Some(id) = self.id(kind, stem, &e.path) else {
                continue;
            };
            self.present.insert((kind, id.clone()));
            if let Some(record) = self.record::<T>(&e.path) {
                out.push((id, record, e.path));
            }
        }
        out
    }

    /// A folder of `<id>.yaml` records with no sub-structure (provisions, regulations).
    fn simple_records<T: DeserializeOwned + Clone + Send + Sync + 'static>(
        &mut self,
        dir: &Path,
        kind: &'static str,
        with_id: impl Fn(String, T) -> T,
    ) -> Vec<T> {
        self.yaml_records(dir, kind)
            .into_iter()
            .map(|(id, record, _)| with_id(id, record))
            .collect()
    }

    fn pages(&mut self, dir: &Path) -> Vec<Page> {
        let mut out = Vec::new();
        for e in self.entries(dir) {
            let Some(stem) = e.name.strip_suffix(".md").filter(|_| e.kind == Kind::File) else {
                self.error(Diagnostic::new(
                    &e.path,
                    "unexpected entry: pages are `<slug>.md` files",
                ));
                continue;
            };
            let Some(slug) = self.id("page", stem, &e.path) else {
                continue;
            };
            if RESERVED_SLUGS.contains(&slug.as_str()) {
                self.error(Diagnostic::new(&e.path, format!("page slug `{slug}` is reserved: /{slug}/ is a section of the generated site")));
                continue;
            }
            let text = match read::read_text(&e.path, yaml::MAX_RECORD_BYTES as u64) {
                Ok(t) => t,
                Err(d) => {
                    self.error(d);
                    continue;
                }
            };
            let Some((front, body)) = split_front_matter(&text) else {
                self.error(Diagnostic::new(&e.path, "a page starts with YAML front matter between `---` lines (with at least `title:`)").at(1, 1));
                continue;
            };
            match yaml::parse::<PageFrontMatter>(&e.path, front, 2) {
                Ok(front) => out.push(Page {
                    slug,
                    front,
                    body: body.to_string(),
                }),
                Err(d) => self.error(d),
            }
        }
        out
    }

    fn platforms(&mut self, dir: &Path) -> Vec<Platform> {
        let mut out = Vec::new();
        for e in self.entries(dir) {
            if e.kind != Kind::Dir {
                self.error(Diagnostic::new(
                    &e.path,
                    "unexpected file: platforms/ holds one folder per platform",
                ));
                continue;
            }
            let Some(id) = self.id("platform", &e.name, &e.path) else {
                continue;
            };
            if let Some(p) = self.platform(id, &e.path) {
                out.push(p);
            }
        }
        out
    }

    fn platform(&mut self, id: String, dir: &Path) -> Option<Platform> {
        let mut record_path = None;
        let mut documents = Vec::new();
        let mut clauses = Vec::new();
        for e in self.entries(dir) {
            match (e.name.as_str(), e.kind) {
                ("platform.yaml", Kind::File) => record_path = Some(e.path),
                ("documents", Kind::Dir) => documents = self.documents(&id, &e.path),
                ("clauses", Kind::Dir) => clauses = self.clauses(&id, &e.path),
                _ => self.error(Diagnostic::new(
                    &e.path,
                    "unexpected entry: a platform folder holds platform.yaml, documents/ and clauses/",
                )),
            }
        }
        let Some(record_path) = record_path else {
            self.error(Diagnostic::new(dir, "platform folder has no platform.yaml"));
            return None;
        };
        let record: PlatformRecord = self.record(&record_path)?;
        self.check_url(&record_path, record.url.as_ref());
        Some(Platform {
            id,
            record,
            documents,
            clauses,
        })
    }

    fn documents(&mut self, platform: &str, dir: &Path) -> Vec<Document> {
        let mut out = Vec::new();
        for e in self.entries(dir) {
            if e.kind != Kind::Dir {
                self.error(Diagnostic::new(
                    &e.path,
                    "unexpected file: documents/ holds one folder per document",
                ));
                continue;
            }
            if let Some(doc_id) = self.id("document", &e.name, &e.path) {
                self.present
                    .insert(("document", format!("{platform}/{doc_id}")));
                out.extend(self.document(doc_id, &e.path));
            }
        }
        out
    }

    fn clauses(&mut self, platform: &str, dir: &Path) -> Vec<Clause> {
        self.yaml_records(dir, "clause")
            .into_iter()
            .map(|(id, record, path)| Clause {
                id,
                platform: platform.to_string(),
                record,
                path,
                alias_files: Vec::new(),
            })
            .collect()
    }

    fn document(&mut self, id: String, dir: &Path) -> Option<Document> {
        let mut record_path = None;
        let mut snapshots = Vec::new();
        for e in self.entries(dir) {
            match (e.name.as_str(), e.kind) {
                ("document.yaml", Kind::File) => record_path = Some(e.path),
                ("snapshots", Kind::Dir) => snapshots = self.snapshots(&e.path),
                _ => self.error(Diagnostic::new(
                    &e.path,
                    "unexpected entry: a document folder holds document.yaml and snapshots/",
                )),
            }
        }
        let Some(record_path) = record_path else {
            self.error(Diagnostic::new(dir, "document folder has no document.yaml"));
            return None;
        };
        let record: DocumentRecord = self.record(&record_path)?;
        let known: BTreeSet<&str> = snapshots
            .iter()
            .map(|s: &Snapshot| s.timestamp.as_str())
            .collect();
        for key in record.changes.keys() {
            if !known.contains(key.as_str()) {
                self.error(key.error(&record_path, format!("`changes` names snapshot `{}`, but snapshots/ has no file with that timestamp", key.value)));
            }
        }
        // Each selector is matched against every snapshot of the document: their number and
        // length are bounded so a record cannot multiply the cost of its snapshots.
        for (i, selector) in record.select.iter().chain(&record.remove).enumerate() {
            if i == MAX_SELECTORS {
                self.error(selector.error(&record_path, format!("too many selectors: `select` and `remove` hold at most {MAX_SELECTORS} together")));
                break;
            }
            let checked = if selector.len() > MAX_SELECTOR_BYTES {
                Err(format!(
                    "selector is too long (over {MAX_SELECTOR_BYTES} bytes)"
                ))
            } else {
                crate::text::check_selector(selector)
            };
            if let Err(message) = checked {
                self.error(selector.error(&record_path, message));
            }
        }
        // Each entry is matched against every block of every snapshot, and those that parse as
        // selectors against every `.html` snapshot, so they are bounded as selectors are.
        for (i, entry) in record.ignore.iter().enumerate() {
            let pattern = crate::text::clean(entry);
            let problem = if i == MAX_IGNORE {
                format!("too many `ignore` entries: at most {MAX_IGNORE}")
            } else if entry.len() > MAX_IGNORE_BYTES {
                format!("`ignore` entry is too long (over {MAX_IGNORE_BYTES} bytes)")
            } else if pattern.is_empty() {
                "`ignore` entry is blank".to_string()
            } else if pattern.chars().all(|c| c == '*') {
                format!("`ignore` entry `{pattern}` would drop the whole text")
            } else {
                continue;
            };
            self.error(entry.error(&record_path, problem));
            if i == MAX_IGNORE {
                break;
            }
        }
        self.check_url(&record_path, Some(&record.url));
        Some(Document {
            id,
            record,
            snapshots,
        })
    }

    /// Snapshot files below `dir`, at any depth so an Open Terms Archive dataset folder can be
    /// dropped in as it is. Sorted oldest first.
    fn snapshots(&mut self, dir: &Path) -> Vec<Snapshot> {
        let mut by_time: BTreeMap<Timestamp, Snapshot> = BTreeMap::new();
        for (_, path) in read::files_below(dir, read::is_ignored_name, &mut self.diagnostics) {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, ""));
            let format = match ext {
                "md" => SnapshotFormat::Markdown,
                "txt" => SnapshotFormat::Text,
                "html" | "htm" => SnapshotFormat::Html,
                _ => {
                    self.error(Diagnostic::new(
                        &path,
                        "unexpected file: snapshots are `<timestamp>.md`, `.txt` or `.html`",
                    ));
                    continue;
                }
            };
            let Some(timestamp) = Timestamp::parse(stem) else {
                self.error(Diagnostic::new(&path, format!("snapshot name `{stem}` is not a timestamp: use YYYY-MM-DD or YYYY-MM-DDTHH-MM-SSZ, with -2, -3… for more versions in the same second")));
                continue;
            };
            if let Some(existing) = by_time.get(&timestamp) {
                self.error(Diagnostic::new(
                    &path,
                    format!(
                        "two snapshots have the timestamp `{timestamp}`: this one and {}",
                        existing.path.display()
                    ),
                ));
                continue;
            }
            let (source, hash) = match self.files.read(&path) {
                Ok(s) => s,
                Err(d) => {
                    self.error(d);
                    continue;
                }
            };
            by_time.insert(
                timestamp.clone(),
                Snapshot {
                    timestamp,
                    format,
                    path,
                    source,
                    hash,
                },
            );
        }
        by_time.into_values().collect()
    }

    /// Checks every reference between records resolves and every alias is a safe path, and
    /// records the file each alias writes.
    fn check_references(&mut self, platforms: &mut [Platform]) {
        let mut out = Vec::new();
        for platform in platforms.iter_mut() {
            let known: Vec<&str> = platform.documents.iter().map(|d| d.id.as_str()).collect();
            for clause in &mut platform.clauses {
                let (r, path) = (&clause.record, &clause.path);
                if !self
                    .present
                    .contains(&("document", format!("{}/{}", platform.id, r.document.value)))
                {
                    out.push(r.document.error(
                        path,
                        format!(
                            "unknown document `{}` (platform `{}` has: {})",
                            r.document.value,
                            platform.id,
                            list_or_none(&known)
                        ),
                    ));
                }
                if !self
                    .present
                    .contains(&("provision", r.provision.value.clone()))
                {
                    out.push(r.provision.error(
                        path,
                        format!(
                            "unknown provision `{0}`: no content/provisions/{0}.yaml",
                            r.provision.value
                        ),
                    ));
                }
                for reg in &r.regulations {
                    if !self.present.contains(&("regulation", reg.value.clone())) {
                        out.push(reg.error(
                            path,
                            format!(
                                "unknown regulation `{0}`: no content/regulations/{0}.yaml",
                                reg.value
                            ),
                        ));
                    }
                }
                let mut files = Vec::new();
                for alias in &r.aliases {
                    match alias_path(alias) {
                        Ok(file) => files.push(file),
                        Err(m) => out.push(alias.error(path, m)),
                    }
                }
                clause.alias_files = files;
            }
        }
        self.diagnostics.extend(out);
    }

    fn unexpected_top_level(&mut self, top: &[Entry]) {
        for e in top {
            let known = matches!(
                (e.name.as_str(), e.kind),
                ("site.yaml", Kind::File)
                    | (
                        "provisions" | "regulations" | "pages" | "platforms",
                        Kind::Dir
                    )
            );
            if !known {
                self.error(Diagnostic::new(
                    &e.path,
                    "unexpected entry: content/ holds site.yaml, platforms/, provisions/, regulations/ and pages/",
                ));
            }
        }
    }
}

/// Splits `---\nfront\n---\nbody`; None when the file has no front matter.
fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some((&rest[..offset], &rest[offset + line.len()..]));
        }
        offset += line.len();
    }
    None
}

/// Checks a URL from content is an absolute `http://` or `https://` URL with a host, and
/// nothing a browser or a template could read otherwise (spaces, quotes, angle brackets).
pub fn check_http_url(url: &str) -> Result<(), String> {
    let err = || {
        format!("`{url}` is not an absolute http:// or https:// URL (such as https://example.org/)")
    };
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(err)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let bad_char =
        |c: char| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\' | '`');
    if host.is_empty() || host.starts_with('@') || url.chars().any(bad_char) {
        return Err(err());
    }
    Ok(())
}

/// Checks `base_url` is an absolute http(s) URL without query or fragment and gives it a
/// trailing slash.
pub fn normalise_base_url(url: &str) -> Result<String, String> {
    if check_http_url(url).is_err() || url.contains(['?', '#']) {
        return Err(format!(
            "`base_url` must be an absolute http:// or https:// URL such as https://example.org/ (got `{url}`)"
        ));
    }
    Ok(if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    })
}

fn list_or_none(items: &[&str]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

/// The output file an alias redirects from: `/old/url/` → `old/url/index.html`.
/// Refuses anything that could leave the output folder or is not a plain site path.
pub fn alias_path(alias: &str) -> Result<String, String> {
    let bad = |why: &str| {
        Err(format!(
            "alias `{alias}` is not a site path ({why}); write it like /old/url/"
        ))
    };
    if alias.contains("://") || alias.starts_with("//") {
        return bad("it is a full URL");
    }
    let trimmed = alias.trim_start_matches('/');
    let segments: Vec<&str> = trimmed.split('/').filter(|s| !s.is_empty()).collect();
    if segments.is_empty() {
        return bad("it is the site root");
    }
    for s in &segments {
        if *s == "." || *s == ".." {
            return bad("it contains `.` or `..`");
        }
        if s.chars().any(|c| {
            c.is_control()
                || matches!(
                    c,
                    '\\' | '?' | '#' | '%' | ':' | '"' | '<' | '>' | '|' | '*'
                )
        }) {
            return bad("it contains a character that is not allowed in a path");
        }
    }
    if trimmed.contains("//") {
        return bad("it contains an empty segment");
    }
    // File systems refuse longer names; refused here so `check` says so, not the write.
    if segments.iter().any(|s| s.len() > 200) || trimmed.len() > 1000 {
        return bad("it is too long");
    }
    let joined = segments.join("/");
    Ok(if !alias.ends_with('/') && joined.ends_with(".html") {
        joined
    } else {
        format!("{joined}/index.html")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_stay_inside_the_output() {
        assert_eq!(alias_path("/old/url/").unwrap(), "old/url/index.html");
        assert_eq!(alias_path("old").unwrap(), "old/index.html");
        assert_eq!(alias_path("/a/b.html").unwrap(), "a/b.html");
        for bad in [
            "/",
            "",
            "/../x/",
            "/a/../../b",
            "https://x.org/a",
            "//x.org/a",
            "/a\\..\\b",
            "/a/%2e%2e/",
            "/a//b/",
            "/./a",
            &format!("/{}/", "x".repeat(300)),
            &"/abc".repeat(300),
        ] {
            assert!(alias_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn content_urls_are_absolute_http() {
        for ok in [
            "https://x.org",
            "http://x.org/a?b=c#d",
            "https://x.org:8080/",
        ] {
            assert!(check_http_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<script>",
            "vbscript:msgbox",
            " https://x.org/",
            "https://x.org/ ",
            "/relative/",
            "relative",
            "//x.org/",
            "https://",
            "https:///a",
            "https://x.org/\"><script>",
            "",
        ] {
            assert!(check_http_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            normalise_base_url("https://x.org").unwrap(),
            "https://x.org/"
        );
        assert_eq!(
            normalise_base_url("https://x.org/atlas").unwrap(),
            "https://x.org/atlas/"
        );
        for bad in [
            "x.org",
            "/atlas/",
            "ftp://x.org/",
            "javascript:alert(1)",
            " https://x.org/",
            "HTTPS://x.org/",
            "https:///a",
            "https://x.org/?q=1",
            "https://x .org/",
        ] {
            assert!(normalise_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn front_matter() {
        assert_eq!(
            split_front_matter("---\ntitle: a\n---\nbody\n"),
            Some(("title: a\n", "body\n"))
        );
        assert_eq!(
            split_front_matter("---\ntitle: a\n---"),
            Some(("title: a\n", ""))
        );
        assert_eq!(split_front_matter("no front matter"), None);
        assert_eq!(split_front_matter("---\ntitle: a\n"), None);
    }
}
