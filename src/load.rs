//! Load: reads a site's `content/` and theme into a validated [`Site`], collecting every error.

use crate::error::{Diagnostic, Error, Result};
use crate::ids::{Timestamp, invalid_id_message, is_valid_id};
use crate::model::*;
use crate::{theme, yaml};
use serde::de::DeserializeOwned;
use std::any::Any;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use walkdir::WalkDir;

/// Largest snapshot accepted: far above any real policy page, low enough to never exhaust memory.
pub const MAX_SNAPSHOT_BYTES: u64 = 64 * 1024 * 1024;

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

    fn entry(&mut self, path: &Path, limit: u64) -> Result<&mut CachedFile, Diagnostic> {
        self.seen.insert(path.to_path_buf());
        let meta = std::fs::metadata(path)
            .map_err(|e| Diagnostic::new(path, format!("cannot read file: {e}")))?;
        let modified = meta.modified().ok();
        let fresh = self
            .files
            .get(path)
            .is_some_and(|c| c.len == meta.len() && c.modified == modified && modified.is_some());
        if !fresh {
            let text: Arc<str> = read_text(path, limit)?.into();
            let mut h = DefaultHasher::new();
            text.hash(&mut h);
            let file = CachedFile {
                modified,
                len: meta.len(),
                text,
                hash: h.finish(),
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

    /// A YAML record and its text, parsed only when the file changed.
    fn record<T: DeserializeOwned + Clone + Send + Sync + 'static>(
        &mut self,
        path: &Path,
    ) -> Result<(T, Arc<str>), Diagnostic> {
        let c = self.entry(path, yaml::MAX_RECORD_BYTES as u64)?;
        if let Some(v) = c.parsed.as_ref().and_then(|p| p.downcast_ref::<T>()) {
            return Ok((v.clone(), c.text.clone()));
        }
        let value: T = yaml::parse(path, &c.text, 1)?;
        c.parsed = Some(Arc::new(value.clone()));
        Ok((value, c.text.clone()))
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
    let content = root.join("content");
    let site_yaml = content.join("site.yaml");
    if !site_yaml.is_file() {
        return Err(Error::Usage(format!(
            "no site found: {} does not exist. Run clausebook in a site's root folder or pass --root DIR.",
            site_yaml.display()
        )));
    }
    let mut loader = Loader {
        diagnostics: Vec::new(),
        present: BTreeSet::new(),
        files: cache,
    };
    let config = loader.site_config(&site_yaml, options);
    let provisions = loader.simple_records(
        &content.join("provisions"),
        "provision",
        |id, mut p: Provision| {
            p.id = id;
            p
        },
    );
    let regulations = loader.simple_records(
        &content.join("regulations"),
        "regulation",
        |id, mut r: Regulation| {
            r.id = id;
            r
        },
    );
    let pages = loader.pages(&content.join("pages"));
    let platforms = loader.platforms(&content.join("platforms"));
    loader.unexpected_top_level(&content);
    let theme = match &config {
        Some(config) => theme::load(root, &config.theme, &site_yaml, &mut loader.diagnostics),
        None => Theme::default(),
    };
    loader.check_references(&platforms);
    loader.files.prune();
    let (Some(config), true) = (config, loader.diagnostics.is_empty()) else {
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
    Ok(site)
}

/// A file's text, refusing huge and non-UTF-8 files with a diagnostic that names them.
pub fn read_text(path: &Path, limit: u64) -> Result<String, Diagnostic> {
    let len = std::fs::metadata(path)
        .map_err(|e| Diagnostic::new(path, format!("cannot read file: {e}")))?
        .len();
    if len > limit {
        return Err(Diagnostic::new(
            path,
            format!("file is too large ({len} bytes; the limit is {limit} bytes)"),
        ));
    }
    let bytes =
        std::fs::read(path).map_err(|e| Diagnostic::new(path, format!("cannot read file: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let (line, column) = position(&e.as_bytes()[..e.utf8_error().valid_up_to()]);
        Diagnostic::new(path, "file is not valid UTF-8 text").at(line, column)
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

fn position(prefix: &[u8]) -> (usize, usize) {
    let line = prefix.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = prefix.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

/// Files editors and operating systems leave behind; never content.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
}

/// Everything below `dir` in sorted order, skipping ignored files and folders.
pub fn walk(dir: &Path) -> impl Iterator<Item = walkdir::Result<walkdir::DirEntry>> {
    WalkDir::new(dir)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !is_ignored_name(&e.file_name().to_string_lossy()))
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

    /// The entries of `dir`, sorted by name, without ignored files. A missing folder is empty.
    fn entries(&mut self, dir: &Path) -> Vec<(String, PathBuf, bool)> {
        if !dir.exists() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for entry in WalkDir::new(dir)
            .min_depth(1)
            .max_depth(1)
            .sort_by_file_name()
        {
            match entry {
                Ok(e) => {
                    let name = e.file_name().to_string_lossy().into_owned();
                    if !is_ignored_name(&name) {
                        out.push((name, e.path().to_path_buf(), e.file_type().is_dir()));
                    }
                }
                Err(e) => self.error(Diagnostic::new(dir, format!("cannot read folder: {e}"))),
            }
        }
        out
    }

    fn record<T: DeserializeOwned + Clone + Send + Sync + 'static>(
        &mut self,
        path: &Path,
    ) -> Option<(T, Arc<str>)> {
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

    fn site_config(&mut self, path: &Path, options: &LoadOptions) -> Option<SiteConfig> {
        let (mut config, text): (SiteConfig, Arc<str>) = self.record(path)?;
        let line = |key| yaml::key_line(&text, key).unwrap_or(1);
        match &options.base_url {
            Some(url) => match normalise_base_url(url) {
                Ok(u) => config.base_url = u,
                Err(m) => self.error(Diagnostic::new("--base-url", m)),
            },
            None => match normalise_base_url(&config.base_url) {
                Ok(u) => config.base_url = u,
                Err(m) => self.error(Diagnostic::new(path, m).at(line("base_url"), 1)),
            },
        }
        if config.title.trim().is_empty() {
            self.error(Diagnostic::new(path, "`title` must not be empty").at(line("title"), 1));
        }
        if !is_valid_id(&config.theme) {
            self.error(
                Diagnostic::new(path, invalid_id_message("theme", &config.theme))
                    .at(line("theme"), 1),
            );
        }
        let language_ok = !config.language.is_empty()
            && config.language.len() <= 35
            && config
                .language
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !language_ok {
            self.error(
                Diagnostic::new(
                    path,
                    format!(
                        "`language` must be a language tag such as `en` or `pt-BR`, not `{}`",
                        config.language
                    ),
                )
                .at(line("language"), 1),
            );
        }
        Some(config)
    }

    /// A folder of `<id>.yaml` records with no sub-structure (provisions, regulations).
    fn simple_records<T: DeserializeOwned + Clone + Send + Sync + 'static>(
        &mut self,
        dir: &Path,
        kind: &'static str,
        with_id: impl Fn(String, T) -> T,
    ) -> Vec<T> {
        let mut out = Vec::new();
        for (name, path, is_dir) in self.entries(dir) {
            let Some(stem) = name.strip_suffix(".yaml").filter(|_| !is_dir) else {
                self.error(Diagnostic::new(
                    &path,
                    format!(
                        "unexpected {}: {kind} records are `<id>.yaml` files",
                        if is_dir { "folder" } else { "file" }
                    ),
                ));
                continue;
            };
            let Some(id) = self.id(kind, stem, &path) else {
                continue;
            };
            self.present.insert((kind, id.clone()));
            if let Some((record, _)) = self.record::<T>(&path) {
                out.push(with_id(id, record));
            }
        }
        out
    }

    fn pages(&mut self, dir: &Path) -> Vec<Page> {
        let mut out = Vec::new();
        for (name, path, is_dir) in self.entries(dir) {
            let Some(stem) = name.strip_suffix(".md").filter(|_| !is_dir) else {
                self.error(Diagnostic::new(
                    &path,
                    "unexpected entry: pages are `<slug>.md` files",
                ));
                continue;
            };
            let Some(slug) = self.id("page", stem, &path) else {
                continue;
            };
            if RESERVED_SLUGS.contains(&slug.as_str()) {
                self.error(Diagnostic::new(&path, format!("page slug `{slug}` is reserved: /{slug}/ is a section of the generated site")));
                continue;
            }
            let text = match read_text(&path, yaml::MAX_RECORD_BYTES as u64) {
                Ok(t) => t,
                Err(d) => {
                    self.error(d);
                    continue;
                }
            };
            let Some((front, body)) = split_front_matter(&text) else {
                self.error(Diagnostic::new(&path, "a page starts with YAML front matter between `---` lines (with at least `title:`)").at(1, 1));
                continue;
            };
            match yaml::parse::<PageFrontMatter>(&path, front, 2) {
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
        for (name, path, is_dir) in self.entries(dir) {
            if !is_dir {
                self.error(Diagnostic::new(
                    &path,
                    "unexpected file: platforms/ holds one folder per platform",
                ));
                continue;
            }
            let Some(id) = self.id("platform", &name, &path) else {
                continue;
            };
            if let Some(p) = self.platform(id, &path) {
                out.push(p);
            }
        }
        out
    }

    fn platform(&mut self, id: String, dir: &Path) -> Option<Platform> {
        let record_path = dir.join("platform.yaml");
        let mut documents = Vec::new();
        let mut clauses = Vec::new();
        for (name, path, is_dir) in self.entries(dir) {
            match (name.as_str(), is_dir) {
                ("platform.yaml", false) => {}
                ("documents", true) => {
                    for (name, path, is_dir) in self.entries(&path) {
                        if !is_dir {
                            self.error(Diagnostic::new(&path, "unexpected file: documents/ holds one folder per document"));
                            continue;
                        }
                        if let Some(doc_id) = self.id("document", &name, &path) {
                            self.present.insert(("document", format!("{id}/{doc_id}")));
                            documents.extend(self.document(doc_id, &path));
                        }
                    }
                }
                ("clauses", true) => {
                    for (name, path, is_dir) in self.entries(&path) {
                        let Some(stem) = name.strip_suffix(".yaml").filter(|_| !is_dir) else {
                            self.error(Diagnostic::new(&path, "unexpected entry: clause records are `<id>.yaml` files"));
                            continue;
                        };
                        let Some(clause_id) = self.id("clause", stem, &path) else { continue };
                        if let Some((record, source)) = self.record::<ClauseRecord>(&path) {
                            clauses.push(Clause { id: clause_id, platform: id.clone(), record, path, source: source.to_string() });
                        }
                    }
                }
                _ => self.error(Diagnostic::new(
                    &path,
                    "unexpected entry: a platform folder holds platform.yaml, documents/ and clauses/",
                )),
            }
        }
        if !record_path.is_file() {
            self.error(Diagnostic::new(dir, "platform folder has no platform.yaml"));
            return None;
        }
        let (record, _) = self.record::<PlatformRecord>(&record_path)?;
        Some(Platform {
            id,
            record,
            documents,
            clauses,
        })
    }

    fn document(&mut self, id: String, dir: &Path) -> Option<Document> {
        let record_path = dir.join("document.yaml");
        let mut snapshots = Vec::new();
        for (name, path, is_dir) in self.entries(dir) {
            match (name.as_str(), is_dir) {
                ("document.yaml", false) => {}
                ("snapshots", true) => snapshots = self.snapshots(&path),
                _ => self.error(Diagnostic::new(
                    &path,
                    "unexpected entry: a document folder holds document.yaml and snapshots/",
                )),
            }
        }
        if !record_path.is_file() {
            self.error(Diagnostic::new(dir, "document folder has no document.yaml"));
            return None;
        }
        let (record, text) = self.record::<DocumentRecord>(&record_path)?;
        let known: BTreeSet<&str> = snapshots
            .iter()
            .map(|s: &Snapshot| s.timestamp.as_str())
            .collect();
        for key in record.changes.keys() {
            if !known.contains(key.as_str()) {
                let line = yaml::item_line(&text, "changes", key).unwrap_or(1);
                self.error(Diagnostic::new(&record_path, format!("`changes` names snapshot `{key}`, but snapshots/ has no file with that timestamp")).at(line, 1));
            }
        }
        for (key, selectors) in [("select", &record.select), ("remove", &record.remove)] {
            for selector in selectors {
                if let Err(message) = crate::text::check_selector(selector) {
                    let line = yaml::item_line(&text, key, selector).unwrap_or(1);
                    self.error(Diagnostic::new(&record_path, message).at(line, 1));
                }
            }
        }
        if record.url.trim().is_empty() {
            let line = yaml::key_line(&text, "url").unwrap_or(1);
            self.error(Diagnostic::new(&record_path, "`url` must not be empty").at(line, 1));
        }
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
        for entry in walk(dir) {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    self.error(Diagnostic::new(dir, format!("cannot read folder: {e}")));
                    continue;
                }
            };
            if entry.file_type().is_dir() {
                continue;
            }
            let path = entry.path().to_path_buf();
            let name = entry.file_name().to_string_lossy().into_owned();
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
                self.error(Diagnostic::new(&path, format!("snapshot name `{stem}` is not a timestamp: use YYYY-MM-DD or YYYY-MM-DDTHH-MM-SSZ")));
                continue;
            };
            let (source, hash) = match self.files.read(&path) {
                Ok(s) => s,
                Err(d) => {
                    self.error(d);
                    continue;
                }
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

    /// Checks every reference between records resolves and every alias is a safe path.
    fn check_references(&mut self, platforms: &[Platform]) {
        let present = |kind: &'static str, id: String| self.present.contains(&(kind, id));
        let mut out = Vec::new();
        let mut aliases: BTreeMap<String, &Path> = BTreeMap::new();
        for platform in platforms {
            for clause in &platform.clauses {
                let text = &clause.source;
                let at = |key: &str, needle: Option<&str>| {
                    let line = match needle {
                        Some(n) => yaml::item_line(text, key, n),
                        None => yaml::key_line(text, key),
                    };
                    Diagnostic::new(&clause.path, "").at(line.unwrap_or(1), 1)
                };
                let r = &clause.record;
                if !present("document", format!("{}/{}", platform.id, r.document)) {
                    let known: Vec<&str> =
                        platform.documents.iter().map(|d| d.id.as_str()).collect();
                    out.push(Diagnostic {
                        message: format!(
                            "unknown document `{}` (platform `{}` has: {})",
                            r.document,
                            platform.id,
                            list_or_none(&known)
                        ),
                        ..at("document", None)
                    });
                }
                if !present("provision", r.provision.clone()) {
                    out.push(Diagnostic {
                        message: format!(
                            "unknown provision `{}`: no content/provisions/{}.yaml",
                            r.provision, r.provision
                        ),
                        ..at("provision", None)
                    });
                }
                for reg in &r.regulations {
                    if !present("regulation", reg.clone()) {
                        out.push(Diagnostic {
                            message: format!(
                                "unknown regulation `{reg}`: no content/regulations/{reg}.yaml"
                            ),
                            ..at("regulations", Some(reg))
                        });
                    }
                }
                for required in [
                    ("title", &r.title),
                    ("excerpt", &r.excerpt),
                    ("summary", &r.summary),
                ] {
                    if required.1.trim().is_empty() {
                        out.push(Diagnostic {
                            message: format!("`{}` must not be empty", required.0),
                            ..at(required.0, None)
                        });
                    }
                }
                for alias in &r.aliases {
                    match alias_path(alias) {
                        Ok(p) => {
                            if let Some(other) = aliases.insert(p.clone(), &clause.path) {
                                out.push(Diagnostic {
                                    message: format!(
                                        "alias `{alias}` is also claimed by {}",
                                        other.display()
                                    ),
                                    ..at("aliases", Some(alias))
                                });
                            }
                        }
                        Err(m) => out.push(Diagnostic {
                            message: m,
                            ..at("aliases", Some(alias))
                        }),
                    }
                }
            }
        }
        self.diagnostics.extend(out);
    }

    fn unexpected_top_level(&mut self, content: &Path) {
        for (name, path, is_dir) in self.entries(content) {
            let known = matches!(
                (name.as_str(), is_dir),
                ("site.yaml", false) | ("provisions" | "regulations" | "pages" | "platforms", true)
            );
            if !known {
                self.error(Diagnostic::new(
                    &path,
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

/// Checks `base_url` is an absolute http(s) URL and gives it a trailing slash.
pub fn normalise_base_url(url: &str) -> Result<String, String> {
    let err = || {
        format!(
            "`base_url` must be an absolute http:// or https:// URL such as https://example.org/ (got `{url}`)"
        )
    };
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(err)?;
    let host = rest.split('/').next().unwrap_or("");
    let bad_char = |c: char| {
        c.is_whitespace() || c.is_control() || matches!(c, '?' | '#' | '"' | '<' | '>' | '\\')
    };
    if host.is_empty() || url.chars().any(bad_char) {
        return Err(err());
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
        ] {
            assert!(alias_path(bad).is_err(), "{bad}");
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

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.yaml");
        std::fs::write(&p, b"title: ok\nname: a\xff\n").unwrap();
        let d = read_text(&p, 100).unwrap_err();
        assert_eq!((d.line, d.column), (Some(2), Some(8)));
    }
}
