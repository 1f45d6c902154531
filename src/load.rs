//! Load: reads a site's `content/` and theme into a validated [`Site`], collecting every error.

use crate::error::{self, Diagnostic, Error, Origin, Result};
use crate::hash::Key;
use crate::ids::{
    ClauseId, DocumentId, PlatformId, ProvisionId, RecordId, RegulationId, Slug, Timestamp,
    invalid_id_message, is_valid_id,
};
use crate::model::*;
use crate::read::{self, Entry, Kind};
use crate::routes::Routes;
use crate::theme::{self, Theme};
use crate::yaml;
use crate::yaml::Located;
use serde::de::DeserializeOwned;
use std::any::Any;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    "search",
    "pagefind",
];

/// How to load a site: the command line's choices.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Keep clauses marked `draft: true`.
    pub drafts: bool,
    /// Replaces `base_url` from site.yaml (e.g. a preview URL).
    pub base_url: Option<String>,
    /// Whether and how `build`, `check` and `serve` use the on-disk cache.
    pub cache: crate::cache::CacheOptions,
}

/// Files and folders read by earlier loads, with what was parsed from them: `serve` keeps one,
/// so a rebuild reads and parses only what changed. An entry is used until it is forgotten: the
/// watcher names every path that changed ([`FileCache::forget`]), and a build keeps none.
///
/// Paths are keyed by their bytes, so that everything below a folder is one range of keys: a
/// rebuild forgets what the watcher named without looking at every file of the site.
#[derive(Default)]
pub struct FileCache {
    files: BTreeMap<PathKey, CachedFile>,
    /// Each folder's entries as listed, with the diagnostics listing it gave.
    dirs: BTreeMap<PathKey, Listing>,
    /// Every file below each folder listed whole, named by its path from the folder.
    deep: BTreeMap<PathKey, Listing>,
    /// Each platform folder as loaded, when `remember`ed.
    platforms: BTreeMap<PathKey, LoadedPlatform>,
    /// Whether platforms as loaded are kept: for a cache used again (`serve`), not by a build.
    remember: bool,
    /// Snapshots' keys from the on-disk cache, each with the stamp of the file it was computed
    /// from: a snapshot whose file has the same stamp is not read again. Once pruned, it holds
    /// only snapshots `files` holds, and is forgotten with them.
    known: crate::cache::SnapshotKeys,
    /// Whether a snapshot was hashed that `known` did not hold.
    learnt: bool,
    /// Whether `known` came from the on-disk cache since the last load, and may name snapshots
    /// that are gone.
    unpruned: bool,
    /// When each record file last changed in git, once read: the watcher does not report
    /// changes to `.git/`, so `serve` reads the history when it starts.
    changed: Option<Arc<HashMap<String, Timestamp>>>,
}

/// A folder's entries as listed, with the diagnostics listing it gave.
type Listing = (Vec<Entry>, Vec<Diagnostic>);

/// A platform folder as loaded: what it gave, every diagnostic found in it, and the ids of its
/// document folders (whose records may have failed), replayed as they were when it is unchanged.
#[derive(Clone)]
struct LoadedPlatform {
    loaded: Option<(Platform, Vec<ClauseFile>)>,
    diagnostics: Vec<Diagnostic>,
    documents: Vec<String>,
}

struct CachedFile {
    /// None for a snapshot: only its hash is kept, as an archive's texts would not fit.
    text: Option<Arc<str>>,
    hash: Key,
    /// The record parsed from `text`, for YAML records.
    parsed: Option<Arc<dyn Any + Send + Sync>>,
    /// The placeholders left in `text`, for YAML records, found when it is first asked for.
    placeholders: Option<Vec<Diagnostic>>,
}

impl std::fmt::Debug for FileCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileCache({} files)", self.files.len())
    }
}

/// A path ordered by its bytes, as a key of the cache's maps: everything below a folder is then
/// one range of keys, from `folder/` to `folder0` (`0` follows `/`).
#[derive(Clone, PartialEq, Eq)]
struct PathKey(PathBuf);

impl Ord for PathKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.bytes().cmp(other.bytes())
    }
}

impl PartialOrd for PathKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PathKey {
    fn of(path: &Path) -> PathKey {
        PathKey(path.to_path_buf())
    }

    fn bytes(&self) -> &[u8] {
        self.0.as_os_str().as_encoded_bytes()
    }

    /// The keys of the paths strictly below `path`.
    fn below(path: &Path) -> std::ops::Range<PathKey> {
        let after = |c: &str| {
            let mut s = path.as_os_str().to_owned();
            s.push(c);
            PathKey(s.into())
        };
        after("/")..after("0")
    }
}

/// Removes the entries at and below `path` from `map`, returning their paths.
fn remove_from<V>(map: &mut BTreeMap<PathKey, V>, path: &Path) -> Vec<PathBuf> {
    let mut gone: Vec<PathKey> = map
        .range(PathKey::below(path))
        .map(|(k, _)| k.clone())
        .collect();
    gone.push(PathKey::of(path));
    gone.into_iter()
        .filter_map(|k| map.remove(&k).map(|_| k.0))
        .collect()
}

impl FileCache {
    /// A cache to be used again, after the watcher's [`FileCache::forget`]: it also keeps each
    /// platform folder as loaded, so a rebuild reads nothing of a platform that did not change.
    pub fn watched() -> FileCache {
        FileCache {
            remember: true,
            ..FileCache::default()
        }
    }

    /// Forgets every file and folder at or below `path`, the listing of the folder holding it
    /// (an entry there was added, removed or renamed), every listing of the files below a
    /// folder holding it, and the platform folder holding it.
    pub fn forget(&mut self, path: &Path) {
        for gone in remove_from(&mut self.files, path) {
            self.known.remove(&gone);
        }
        remove_from(&mut self.platforms, path);
        remove_from(&mut self.dirs, path);
        remove_from(&mut self.deep, path);
        if let Some(parent) = path.parent() {
            self.dirs.remove(&PathKey::of(parent));
        }
        for ancestor in path.ancestors() {
            self.deep.remove(&PathKey::of(ancestor));
            self.platforms.remove(&PathKey::of(ancestor));
        }
    }

    /// The entries of the folder `dir`, or with `deep` every file below it (named by its path
    /// from `dir`), listed unless they are known.
    fn listing(&mut self, dir: &Path, deep: bool, diagnostics: &mut Vec<Diagnostic>) -> Vec<Entry> {
        let listings = if deep { &mut self.deep } else { &mut self.dirs };
        let (entries, listed) = listings.entry(PathKey::of(dir)).or_insert_with(|| {
            let mut listed = Vec::new();
            let skip = read::is_ignored_name;
            let entries = if deep {
                let files = read::files_below(dir, skip, &mut listed).into_iter();
                let file = |(name, path)| Entry {
                    name,
                    path,
                    kind: Kind::File,
                };
                files.map(file).collect()
            } else {
                read::entries(dir, skip, &mut listed)
            };
            (entries, listed)
        });
        diagnostics.extend(listed.iter().cloned());
        entries.clone()
    }

    /// The cached file at `path`, read unless it is known. Only paths listed as regular files
    /// are passed here, and the read itself refuses anything else, so a file swapped for a
    /// link in between is never followed.
    fn entry(
        &mut self,
        path: &Path,
        limit: u64,
        keep_text: bool,
    ) -> Result<&mut CachedFile, Diagnostic> {
        use std::collections::btree_map::Entry as Slot;
        match self.files.entry(PathKey::of(path)) {
            Slot::Occupied(o) if o.get().text.is_some() || !keep_text => Ok(o.into_mut()),
            slot => {
                let text: Arc<str> = read::read_text(path, limit)?.into();
                let file = CachedFile {
                    hash: Key::of_bytes(text.as_bytes()),
                    text: keep_text.then_some(text),
                    parsed: None,
                    placeholders: None,
                };
                Ok(match slot {
                    Slot::Occupied(mut o) => {
                        o.insert(file);
                        o.into_mut()
                    }
                    Slot::Vacant(v) => v.insert(file),
                })
            }
        }
    }

    /// The hash of a snapshot's text, which is not kept.
    fn snapshot_hash(&mut self, path: &Path) -> Result<Key, Diagnostic> {
        if let Some(c) = self.files.get(&PathKey::of(path)) {
            return Ok(c.hash);
        }
        let stamp = crate::cache::Stamp::of(path);
        if let Some((known, key)) = self.known.get(path)
            && stamp.as_ref() == Some(known)
        {
            let file = CachedFile {
                text: None,
                hash: *key,
                parsed: None,
                placeholders: None,
            };
            self.files.insert(PathKey::of(path), file);
            return Ok(*key);
        }
        let key = self.entry(path, MAX_SNAPSHOT_BYTES, false)?.hash;
        if let Some(stamp) = stamp.filter(crate::cache::Stamp::settled) {
            self.known.insert(path.to_path_buf(), (stamp, key));
            self.learnt = true;
        }
        Ok(key)
    }

    /// Takes the snapshots' keys the on-disk cache holds, unless it knows some already (a
    /// `serve` session after its first build).
    pub(crate) fn know(&mut self, keys: impl FnOnce() -> crate::cache::SnapshotKeys) {
        if self.known.is_empty() {
            self.known = keys();
            self.unpruned = true;
        }
    }

    /// The snapshots' keys, if some were learnt since the last call, for the on-disk cache.
    pub(crate) fn learnt(&mut self) -> Option<&crate::cache::SnapshotKeys> {
        std::mem::take(&mut self.learnt).then_some(&self.known)
    }

    /// A file's text (at most `limit` bytes).
    fn text(&mut self, path: &Path, limit: u64) -> Result<Arc<str>, Diagnostic> {
        let c = self.entry(path, limit, true)?;
        Ok(c.text.clone().expect("kept: asked for"))
    }

    /// A YAML record, parsed only when the file changed, shared with the cache rather than
    /// copied: a rebuild of a large site copies no record it did not parse.
    fn record<T: DeserializeOwned + Send + Sync + 'static>(
        &mut self,
        path: &Path,
    ) -> Result<Arc<T>, Diagnostic> {
        let c = self.entry(path, yaml::MAX_RECORD_BYTES as u64, true)?;
        if let Some(v) = c.parsed.clone().and_then(|p| p.downcast::<T>().ok()) {
            return Ok(v);
        }
        let text = c.text.as_deref().expect("kept: asked for");
        let value: Arc<T> = Arc::new(yaml::parse(path, text, 1)?);
        c.parsed = Some(value.clone());
        Ok(value)
    }

    /// The placeholders left in the YAML record at `path`, as read ([`crate::placeholder`]).
    fn placeholders(&mut self, path: &Path) -> Vec<Diagnostic> {
        let Some(c) = self.files.get_mut(&PathKey::of(path)) else {
            return Vec::new();
        };
        let Some(text) = &c.text else {
            return Vec::new();
        };
        c.placeholders
            .get_or_insert_with(|| crate::placeholder::find(path, text, 1))
            .clone()
    }

    /// Quotes, under each diagnostic that has a position, its line from the file as read.
    pub(crate) fn quote(&self, diagnostics: &mut [Diagnostic]) {
        for d in diagnostics {
            if let Some(text) = d
                .origin
                .path()
                .and_then(|p| self.files.get(&PathKey::of(p))?.text.as_deref())
            {
                d.quote_from(text);
            }
        }
    }

    /// When each record file of the site at `root` last changed in git, read unless known.
    fn last_changed(&mut self, root: &Path) -> Arc<HashMap<String, Timestamp>> {
        let read = || Arc::new(crate::git::last_changed(root));
        self.changed.get_or_insert_with(read).clone()
    }

    /// Drops the keys from the on-disk cache of snapshots that are gone, so it does not keep
    /// them; later, the watcher names those that go ([`FileCache::forget`]).
    fn prune(&mut self) {
        if std::mem::take(&mut self.unpruned) {
            self.known
                .retain(|p, _| self.files.contains_key(&PathKey::of(p)));
        }
    }
}

/// What a build starts from: the validated content, the theme it is rendered with, and every
/// output file with what claims it.
#[derive(Debug)]
pub struct Loaded {
    /// The content.
    pub site: Site,
    /// The theme it is rendered with.
    pub theme: Theme,
    /// Every output file and what owns it.
    pub routes: Routes,
}

/// Reads and validates the site under `root`. Every content error is returned at once.
pub fn load(root: &Path, options: &LoadOptions) -> Result<Loaded> {
    load_cached(root, options, &mut FileCache::default())
}

/// [`load`], reading files through `cache`.
pub fn load_cached(root: &Path, options: &LoadOptions, cache: &mut FileCache) -> Result<Loaded> {
    let base_url_override = base_url_flag(options)?;
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
    let records = loader.records(&content, &top);
    loader.unexpected_top_level(&top);
    let theme = match &config {
        Some(config) => theme::load(root, &config.theme, &site_yaml, &mut loader.diagnostics),
        None => Theme::default(),
    };
    let Records {
        provisions,
        regulations,
        pages,
        mut platforms,
        clauses,
    } = records;
    // References are checked only against a site that was read whole: a folder that could not
    // be read would otherwise turn every reference into it into a false "unknown" error.
    let read_whole = !loader.diagnostics.iter().any(|d| d.kind == error::Kind::Io);
    if read_whole {
        let names = Names::of(&provisions, &regulations);
        for (i, clauses) in clauses.into_iter().enumerate() {
            let platform = PlatformIx(i);
            let resolved = loader.resolve(&platforms[i], platform, clauses, &names, options);
            platforms[i].clauses = resolved;
        }
    }
    loader.files.prune();
    let Some(config) = config else {
        return Err(loader.into_error());
    };
    let edit_url = loader.edit_links(&config, &site_yaml);
    let changed = loader.last_changed(root, &config);
    let site = Site {
        config,
        platforms,
        provisions,
        regulations,
        pages,
        edit_url,
        changed,
    };
    // Claims on output paths are checked on what loaded, so they are reported with the rest.
    let (routes, conflicts) = Routes::new(&site, &theme);
    loader.diagnostics.extend(conflicts);
    if loader.diagnostics.is_empty() {
        Ok(Loaded {
            site,
            theme,
            routes,
        })
    } else {
        Err(loader.into_error())
    }
}

/// The document in `dir` read alone, as a build reads it (its record and its snapshots, hashed),
/// with every error found in it: for commands that add versions to one document of a site that
/// need not build as a whole. None when its record cannot be read.
pub(crate) fn document(dir: &Path, id: DocumentId) -> (Option<Document>, Vec<Diagnostic>) {
    let mut files = FileCache::default();
    let mut loader = Loader {
        diagnostics: Vec::new(),
        present: BTreeSet::new(),
        files: &mut files,
    };
    let document = loader.document(id, dir);
    crate::placeholder::supersede(&mut loader.diagnostics);
    loader.files.quote(&mut loader.diagnostics);
    (document, loader.diagnostics)
}

/// `--base-url`, normalised; a bad value is an error on the flag, before any content is read.
fn base_url_flag(options: &LoadOptions) -> Result<Option<String>> {
    let Some(url) = &options.base_url else {
        return Ok(None);
    };
    let bad = |m| {
        let flag = Origin::Flag("--base-url");
        Error::content(vec![Diagnostic::error(error::Kind::InvalidUrl, flag, m)])
    };
    normalise_base_url(url).map(Some).map_err(bad)
}

/// The records of `content/`'s folders, as read; clauses wait, per platform, to be resolved.
struct Records {
    provisions: Vec<Provision>,
    regulations: Vec<Regulation>,
    pages: Vec<Page>,
    platforms: Vec<Platform>,
    clauses: Vec<Vec<ClauseFile>>,
}

/// A clause as read, before its references are resolved.
#[derive(Clone)]
struct ClauseFile {
    id: ClauseId,
    record: Arc<ClauseRecord>,
    path: PathBuf,
}

/// Provision and regulation ids with their places, to resolve clause references.
struct Names<'s> {
    provisions: HashMap<&'s str, ProvisionIx>,
    regulations: HashMap<&'s str, RegulationIx>,
}

impl<'s> Names<'s> {
    fn of(provisions: &'s [Provision], regulations: &'s [Regulation]) -> Names<'s> {
        Names {
            provisions: provisions
                .iter()
                .enumerate()
                .map(|(i, p)| (&*p.id, ProvisionIx(i)))
                .collect(),
            regulations: regulations
                .iter()
                .enumerate()
                .map(|(i, r)| (&*r.id, RegulationIx(i)))
                .collect(),
        }
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

    /// Every diagnostic found, with its line quoted from the file.
    fn into_error(mut self) -> Error {
        crate::placeholder::supersede(&mut self.diagnostics);
        self.files.quote(&mut self.diagnostics);
        Error::content(self.diagnostics)
    }

    /// Reads the record folders among `top`, the entries of `content`.
    fn records(&mut self, content: &Path, top: &[Entry]) -> Records {
        let folder = |name: &str| {
            top.iter()
                .find(|e| e.name == name && e.kind == Kind::Dir)
                .map(|e| e.path.clone())
        };
        let provisions = folder("provisions").map_or_else(Vec::new, |dir| {
            self.simple_records(&dir, |id: ProvisionId, record| Provision { id, record })
        });
        let regulations = folder("regulations").map_or_else(Vec::new, |dir| {
            self.simple_records(&dir, |id: RegulationId, record| Regulation { id, record })
        });
        for r in &regulations {
            let path = content.join("regulations").join(format!("{}.yaml", r.id));
            self.check_url(&path, r.record.url.as_ref());
        }
        let pages = folder("pages").map_or_else(Vec::new, |dir| self.pages(&dir));
        let (platforms, clauses) =
            folder("platforms").map_or_else(Default::default, |dir| self.platforms(&dir));
        Records {
            provisions,
            regulations,
            pages,
            platforms,
            clauses,
        }
    }

    /// The entries of `dir`, sorted by name, without hidden files and editor leftovers.
    fn entries(&mut self, dir: &Path) -> Vec<Entry> {
        self.files.listing(dir, false, &mut self.diagnostics)
    }

    fn record<T: DeserializeOwned + Send + Sync + 'static>(
        &mut self,
        path: &Path,
    ) -> Option<Arc<T>> {
        let record = self.files.record(path).map_err(|d| self.error(d)).ok();
        // A file that cannot be read is reported above, with nothing to look for in it.
        self.diagnostics.extend(self.files.placeholders(path));
        record
    }

    /// A record to own: one that loading changes (`site.yaml`), or one of the few of its kind.
    fn owned_record<T: DeserializeOwned + Clone + Send + Sync + 'static>(
        &mut self,
        path: &Path,
    ) -> Option<T> {
        self.record(path).map(Arc::unwrap_or_clone)
    }

    /// An id from a file or folder name, or a diagnostic.
    fn id<I: RecordId>(&mut self, id: &str, path: &Path) -> Option<I> {
        I::parse(id)
            .map_err(|m| {
                self.error(Diagnostic::in_file(error::Kind::InvalidId, path, m));
            })
            .ok()
    }

    /// A URL from content must be an absolute http(s) URL: anything else could run script in a
    /// reader's browser (`javascript:`, `data:`) or point nowhere.
    fn check_url(&mut self, path: &Path, url: Option<&Located<String>>) {
        let Some(url) = url else { return };
        if let Err(m) = check_http_url(url) {
            self.error(url.error(error::Kind::InvalidUrl, path, m));
        }
    }

    fn site_config(&mut self, path: &Path) -> Option<SiteConfig> {
        let mut config: SiteConfig = self.owned_record(path)?;
        match normalise_base_url(&config.base_url) {
            Ok(u) => config.base_url.value = u,
            Err(m) => self.error(config.base_url.error(error::Kind::InvalidUrl, path, m)),
        }
        if !is_valid_id(&config.theme) {
            let message = invalid_id_message("theme", &config.theme);
            self.error(config.theme.error(error::Kind::InvalidId, path, message));
        }
        let language = &config.language;
        let language_ok = !language.is_empty()
            && language.len() <= 35
            && language
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !language_ok {
            self.error(language.error(
                error::Kind::InvalidValue,
                path,
                format!(
                    "`language` must be a language tag such as `en` or `pt-BR`, not `{}`",
                    language.value
                ),
            ));
        }
        Some(config)
    }

    /// When each record file of the site at `root` last changed in git, if it has git info (by
    /// default, when its folder is the top of a git work tree). Read only for a site that
    /// loads: the dates are shown on its pages alone.
    fn last_changed(
        &mut self,
        root: &Path,
        config: &SiteConfig,
    ) -> Arc<HashMap<String, Timestamp>> {
        let git_info = config
            .git_info
            .unwrap_or_else(|| root.join(".git").exists());
        if git_info && self.diagnostics.is_empty() {
            self.files.last_changed(root)
        } else {
            Arc::default()
        }
    }

    /// The template of the site's edit links (`{path}` in it): `edit_url` as written, else the
    /// one of `repository`'s host. Each key is checked, and an unknown host without `edit_url`
    /// is an error at `repository`.
    fn edit_links(&mut self, config: &SiteConfig, path: &Path) -> Option<String> {
        let repository = config.repository.as_ref().filter(|url| {
            let checked = check_repository(url, path);
            checked.map_err(|d| self.error(d)).is_ok()
        });
        let template = match (&config.edit_url, repository) {
            (Some(template), _) => check_edit_url(template, path).map(|()| template.value.clone()),
            (None, Some(url)) => edit_url_of_host(url, path),
            (None, None) => return None,
        };
        template.map_err(|d| self.error(d)).ok()
    }

    /// The `<id>.yaml` records of `dir` with their ids and parsed records; anything else in
    /// the folder is an error. Records that other records `refer` to are noted as present.
    fn yaml_records<I: RecordId, T>(&mut self, dir: &Path, refer: bool) -> Vec<(I, Arc<T>, PathBuf)>
    where
        T: DeserializeOwned + Send + Sync + 'static,
    {
        let mut out = Vec::new();
        for e in self.entries(dir) {
            let stem = e
                .name
                .strip_suffix(".yaml")
                .filter(|_| e.kind == Kind::File);
            let Some(stem) = stem else {
                self.error(Diagnostic::in_file(
                    error::Kind::UnexpectedEntry,
                    &e.path,
                    format!(
                        "unexpected entry: {} records are `<id>.yaml` files",
                        I::KIND
                    ),
                ));
                continue;
            };
            let Some(id) = self.id::<I>(stem, &e.path) else {
                continue;
            };
            if refer {
                self.present.insert((I::KIND, id.to_string()));
            }
            if let Some(record) = self.record::<T>(&e.path) {
                out.push((id, record, e.path));
            }
        }
        out
    }

    /// A folder of `<id>.yaml` records with no sub-structure (provisions, regulations).
    fn simple_records<I: RecordId, T, R>(
        &mut self,
        dir: &Path,
        with_id: impl Fn(I, T) -> R,
    ) -> Vec<R>
    where
        T: DeserializeOwned + Clone + Send + Sync + 'static,
    {
        self.yaml_records(dir, true)
            .into_iter()
            .map(|(id, record, _)| with_id(id, Arc::unwrap_or_clone(record)))
            .collect()
    }

    fn pages(&mut self, dir: &Path) -> Vec<Page> {
        let mut out = Vec::new();
        for e in self.entries(dir) {
            let Some(stem) = e.name.strip_suffix(".md").filter(|_| e.kind == Kind::File) else {
                self.error(Diagnostic::in_file(
                    error::Kind::UnexpectedEntry,
                    &e.path,
                    "unexpected entry: pages are `<slug>.md` files",
                ));
                continue;
            };
            let Some(slug) = self.id::<Slug>(stem, &e.path) else {
                continue;
            };
            if RESERVED_SLUGS.contains(&&*slug) {
                self.error(Diagnostic::in_file(error::Kind::RouteConflict, &e.path, format!("page slug `{slug}` is reserved: /{slug}/ is a section of the generated site")));
                continue;
            }
            let text = match self.files.text(&e.path, yaml::MAX_RECORD_BYTES as u64) {
                Ok(t) => t,
                Err(d) => {
                    self.error(d);
                    continue;
                }
            };
            let Some((front, body)) = split_front_matter(&text) else {
                self.error(Diagnostic::in_file(error::Kind::Syntax, &e.path, "a page starts with YAML front matter between `---` lines (with at least `title:`)").at(1, 1));
                continue;
            };
            self.diagnostics
                .extend(crate::placeholder::find(&e.path, front, 2));
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

    /// The platforms, and each one's clauses to resolve once everything is read.
    fn platforms(&mut self, dir: &Path) -> (Vec<Platform>, Vec<Vec<ClauseFile>>) {
        let mut out = Vec::new();
        let mut clauses = Vec::new();
        for e in self.entries(dir) {
            if e.kind != Kind::Dir {
                self.error(Diagnostic::in_file(
                    error::Kind::UnexpectedEntry,
                    &e.path,
                    "unexpected file: platforms/ holds one folder per platform",
                ));
                continue;
            }
            let Some(id) = self.id::<PlatformId>(&e.name, &e.path) else {
                continue;
            };
            if let Some((p, c)) = self.remembered_platform(id, &e.path) {
                out.push(p);
                clauses.push(c);
            }
        }
        (out, clauses)
    }

    /// [`Loader::platform`], or what it gave when the platform's folder was last loaded, if
    /// nothing in it was forgotten since.
    fn remembered_platform(
        &mut self,
        id: PlatformId,
        dir: &Path,
    ) -> Option<(Platform, Vec<ClauseFile>)> {
        let documents = |present: &BTreeSet<(&'static str, String)>| {
            let folder = format!("{id}/");
            let from = ("document", folder.clone());
            present
                .range(from..)
                .take_while(|(kind, d)| *kind == "document" && d.starts_with(&folder))
                .map(|(_, d)| d.clone())
                .collect::<Vec<_>>()
        };
        if let Some(known) = self.files.platforms.get(&PathKey::of(dir)) {
            let known = known.clone();
            self.diagnostics.extend(known.diagnostics);
            self.present
                .extend(known.documents.into_iter().map(|d| ("document", d)));
            return known.loaded;
        }
        let start = self.diagnostics.len();
        let loaded = self.platform(id.clone(), dir);
        if self.files.remember {
            let known = LoadedPlatform {
                loaded: loaded.clone(),
                diagnostics: self.diagnostics[start..].to_vec(),
                documents: documents(&self.present),
            };
            self.files.platforms.insert(PathKey::of(dir), known);
        }
        loaded
    }

    fn platform(&mut self, id: PlatformId, dir: &Path) -> Option<(Platform, Vec<ClauseFile>)> {
        let mut record_path = None;
        let mut documents = Vec::new();
        let mut clauses = Vec::new();
        for e in self.entries(dir) {
            match (e.name.as_str(), e.kind) {
                ("platform.yaml", Kind::File) => record_path = Some(e.path),
                ("documents", Kind::Dir) => documents = self.documents(&id, &e.path),
                ("clauses", Kind::Dir) => clauses = self.clauses(&e.path),
                _ => self.error(Diagnostic::in_file(
                    error::Kind::UnexpectedEntry,
                    &e.path,
                    "unexpected entry: a platform folder holds platform.yaml, documents/ and clauses/",
                )),
            }
        }
        let Some(record_path) = record_path else {
            let message = "platform folder has no platform.yaml";
            self.error(Diagnostic::in_file(error::Kind::MissingFile, dir, message));
            return None;
        };
        let record: PlatformRecord = self.owned_record(&record_path)?;
        self.check_url(&record_path, record.url.as_ref());
        let platform = Platform {
            id,
            record,
            documents,
            clauses: Vec::new(),
        };
        Some((platform, clauses))
    }

    fn documents(&mut self, platform: &str, dir: &Path) -> Vec<Document> {
        let mut out = Vec::new();
        for e in self.entries(dir) {
            if e.kind != Kind::Dir {
                self.error(Diagnostic::in_file(
                    error::Kind::UnexpectedEntry,
                    &e.path,
                    "unexpected file: documents/ holds one folder per document",
                ));
                continue;
            }
            if let Some(doc_id) = self.id::<DocumentId>(&e.name, &e.path) {
                self.present
                    .insert(("document", format!("{platform}/{doc_id}")));
                out.extend(self.document(doc_id, &e.path));
            }
        }
        out
    }

    fn clauses(&mut self, dir: &Path) -> Vec<ClauseFile> {
        self.yaml_records::<ClauseId, _>(dir, false)
            .into_iter()
            .map(|(id, record, path)| ClauseFile { id, record, path })
            .collect()
    }

    fn document(&mut self, id: DocumentId, dir: &Path) -> Option<Document> {
        let mut record_path = None;
        let mut snapshots = Vec::new();
        for e in self.entries(dir) {
            match (e.name.as_str(), e.kind) {
                ("document.yaml", Kind::File) => record_path = Some(e.path),
                ("snapshots", Kind::Dir) => snapshots = self.snapshots(&e.path),
                _ => self.error(Diagnostic::in_file(
                    error::Kind::UnexpectedEntry,
                    &e.path,
                    "unexpected entry: a document folder holds document.yaml and snapshots/",
                )),
            }
        }
        let Some(record_path) = record_path else {
            let message = "document folder has no document.yaml";
            self.error(Diagnostic::in_file(error::Kind::MissingFile, dir, message));
            return None;
        };
        let record: DocumentRecord = self.owned_record(&record_path)?;
        let known: BTreeSet<&str> = snapshots
            .iter()
            .map(|s: &Snapshot| s.timestamp.as_str())
            .collect();
        let changes = record.changes.keys().map(|k| ("changes", k));
        for (field, key) in changes.chain(record.sources.keys().map(|k| ("sources", k))) {
            if !known.contains(key.as_str()) {
                self.error(key.error(error::Kind::UnknownReference, &record_path, format!("`{field}` names snapshot `{}`, but snapshots/ has no file with that timestamp", key.value)));
            }
        }
        for commit in record.sources.values() {
            if !is_commit_id(commit) {
                self.error(commit.error(error::Kind::InvalidValue, &record_path, format!("`sources` holds `{}`, which is not a commit id: 40 (or 64) hexadecimal digits", commit.value)));
            }
        }
        self.check_selectors(&record, &record_path);
        self.check_ignore(&record, &record_path);
        self.check_url(&record_path, Some(&record.url));
        Some(Document {
            id,
            record,
            snapshots,
        })
    }

    /// Each selector is matched against every snapshot of the document: their number and
    /// length are bounded so a record cannot multiply the cost of its snapshots.
    fn check_selectors(&mut self, record: &DocumentRecord, record_path: &Path) {
        for (i, selector) in record.select.iter().chain(&record.remove).enumerate() {
            if i == MAX_SELECTORS {
                self.error(selector.error(error::Kind::TooLarge, record_path, format!("too many selectors: `select` and `remove` hold at most {MAX_SELECTORS} together")));
                break;
            }
            let checked = if selector.len() > MAX_SELECTOR_BYTES {
                Err((
                    error::Kind::TooLarge,
                    format!("selector is too long (over {MAX_SELECTOR_BYTES} bytes)"),
                ))
            } else {
                crate::text::check_selector(selector).map_err(|m| (error::Kind::InvalidValue, m))
            };
            if let Err((kind, message)) = checked {
                self.error(selector.error(kind, record_path, message));
            }
        }
    }

    /// Each `ignore` entry is matched against every block of every snapshot, and those that
    /// parse as selectors against every `.html` snapshot, so they are bounded as selectors are.
    fn check_ignore(&mut self, record: &DocumentRecord, record_path: &Path) {
        for (i, entry) in record.ignore.iter().enumerate() {
            let pattern = crate::text::clean(entry);
            let (kind, problem) = if i == MAX_IGNORE {
                (
                    error::Kind::TooLarge,
                    format!("too many `ignore` entries: at most {MAX_IGNORE}"),
                )
            } else if entry.len() > MAX_IGNORE_BYTES {
                (
                    error::Kind::TooLarge,
                    format!("`ignore` entry is too long (over {MAX_IGNORE_BYTES} bytes)"),
                )
            } else if pattern.is_empty() {
                (
                    error::Kind::InvalidValue,
                    "`ignore` entry is blank".to_string(),
                )
            } else if pattern.chars().all(|c| c == '*') {
                (
                    error::Kind::InvalidValue,
                    format!("`ignore` entry `{pattern}` would drop the whole text"),
                )
            } else {
                continue;
            };
            self.error(entry.error(kind, record_path, problem));
            if i == MAX_IGNORE {
                break;
            }
        }
    }

    /// Snapshot files below `dir`, at any depth so an Open Terms Archive dataset folder can be
    /// dropped in as it is. Sorted oldest first.
    fn snapshots(&mut self, dir: &Path) -> Vec<Snapshot> {
        let mut by_time: BTreeMap<Timestamp, Snapshot> = BTreeMap::new();
        for Entry { path, .. } in self.files.listing(dir, true, &mut self.diagnostics) {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, ""));
            let Some(format) = SnapshotFormat::of_extension(ext) else {
                self.error(Diagnostic::in_file(
                    error::Kind::UnexpectedEntry,
                    &path,
                    "unexpected file: snapshots are `<timestamp>.md`, `.txt` or `.html`",
                ));
                continue;
            };
            let Some(timestamp) = Timestamp::parse(stem) else {
                self.error(Diagnostic::in_file(error::Kind::InvalidId, &path, format!("snapshot name `{stem}` is not a timestamp: use YYYY-MM-DD or YYYY-MM-DDTHH-MM-SSZ, with -2, -3… for more versions in the same second")));
                continue;
            };
            if let Some(existing) = by_time.get(&timestamp) {
                self.error(Diagnostic::in_file(
                    error::Kind::DuplicateId,
                    &path,
                    format!(
                        "two snapshots have the timestamp `{timestamp}`: this one and {}",
                        existing.path.display()
                    ),
                ));
                continue;
            }
            let hash = match self.files.snapshot_hash(&path) {
                Ok(h) => h,
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
                    hash,
                },
            );
        }
        by_time.into_values().collect()
    }

    /// Resolves the references of `platform`'s clauses, reporting every one that names no
    /// record, and checks each alias is a safe path. Drafts are dropped here unless kept, once
    /// their references are checked too.
    fn resolve(
        &mut self,
        platform: &Platform,
        at: PlatformIx,
        clauses: Vec<ClauseFile>,
        names: &Names,
        options: &LoadOptions,
    ) -> Vec<Clause> {
        let mut out = Vec::new();
        for file in clauses {
            let index = out.len();
            let Some(clause) = self.resolve_clause(platform, at, file, names, index) else {
                continue;
            };
            if !clause.record.draft || options.drafts {
                out.push(clause);
            }
        }
        out
    }

    /// A clause with its references resolved, to be the `index`th of its platform; None, with
    /// a diagnostic, when its document or provision type is not found.
    fn resolve_clause(
        &mut self,
        platform: &Platform,
        at: PlatformIx,
        ClauseFile { id, record, path }: ClauseFile,
        names: &Names,
        index: usize,
    ) -> Option<Clause> {
        let r = &record;
        let document = platform
            .documents
            .iter()
            .position(|d| *d.id == *r.document.value);
        if document.is_none()
            && self
                .present
                .contains(&("document", format!("{}/{}", platform.id, r.document.value)))
        {
            // The folder is there but its record did not load: reported already.
        } else if document.is_none() {
            let known: Vec<&str> = platform.documents.iter().map(|d| &*d.id).collect();
            self.error(r.document.error(
                error::Kind::UnknownReference,
                &path,
                format!(
                    "unknown document `{}`{} (platform `{}` has: {})",
                    r.document.value,
                    did_you_mean(&r.document.value, known.iter().copied()),
                    platform.id,
                    list_or_none(&known)
                ),
            ));
        }
        let provision = names.provisions.get(r.provision.as_str()).copied();
        if provision.is_none()
            && !self
                .present
                .contains(&("provision", r.provision.value.clone()))
        {
            self.error(r.provision.error(
                error::Kind::UnknownReference,
                &path,
                format!(
                    "unknown provision `{0}`: no content/provisions/{0}.yaml{1}",
                    r.provision.value,
                    did_you_mean(&r.provision.value, names.provisions.keys().copied())
                ),
            ));
        }
        let mut regulations = Vec::new();
        for reg in &r.regulations {
            match names.regulations.get(reg.as_str()) {
                Some(ix) => regulations.push(*ix),
                None if self.present.contains(&("regulation", reg.value.clone())) => {}
                None => self.error(reg.error(
                    error::Kind::UnknownReference,
                    &path,
                    format!(
                        "unknown regulation `{0}`: no content/regulations/{0}.yaml{1}",
                        reg.value,
                        did_you_mean(&reg.value, names.regulations.keys().copied())
                    ),
                )),
            }
        }
        let mut alias_files = Vec::new();
        for alias in &r.aliases {
            match alias_path(alias) {
                Ok(file) => alias_files.push(file),
                Err(m) => self.error(alias.error(error::Kind::InvalidValue, &path, m)),
            }
        }
        Some(Clause {
            at: ClauseRef {
                platform: at,
                index,
            },
            document: DocRef {
                platform: at,
                index: document?,
            },
            provision: provision?,
            regulations,
            alias_files,
            id,
            record,
            path,
        })
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
                self.error(Diagnostic::in_file(
                    error::Kind::UnexpectedEntry,
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

/// Checks `repository` is an absolute http(s) URL that paths can follow.
fn check_repository(url: &Located<String>, path: &Path) -> Result<(), Diagnostic> {
    let problem = match check_http_url(url) {
        Err(m) => m,
        Ok(()) if url.contains(['?', '#']) => format!("`{}` has a query or a fragment", url.value),
        Ok(()) => return Ok(()),
    };
    let message = format!(
        "`repository` must be the web address of the site's repository, such as https://github.com/org/site: {problem}"
    );
    Err(url.error(error::Kind::InvalidUrl, path, message))
}

/// Checks `edit_url` has a `{path}`, and that a file's path in it makes an absolute http(s) URL.
fn check_edit_url(template: &Located<String>, path: &Path) -> Result<(), Diagnostic> {
    let problem = if !template.contains("{path}") {
        "it has no `{path}`, where each file's path from the site's folder goes"
    } else if check_http_url(&template.replace("{path}", "content/site.yaml")).is_err() {
        "it is not an absolute http:// or https:// URL"
    } else {
        return Ok(());
    };
    let message = format!(
        "`edit_url` must be a web address with `{{path}}` in it, such as https://git.example.org/site/edit/main/{{path}}: {problem}"
    );
    Err(template.error(error::Kind::InvalidUrl, path, message))
}

/// The edit links of a repository on a host clausebook knows, on its branch `main`.
fn edit_url_of_host(url: &Located<String>, path: &Path) -> Result<String, Diagnostic> {
    let base = url.trim_end_matches('/');
    let rest = base.split_once("://").map_or("", |(_, rest)| rest);
    let host = rest.split('/').next().unwrap_or("").to_ascii_lowercase();
    let edit = match host.as_str() {
        "github.com" => "edit/main",
        "gitlab.com" => "-/edit/main",
        "codeberg.org" => "_edit/main",
        _ => {
            let message = format!(
                "clausebook does not know how {host} links to the page editing a file: set edit_url, that page's address with `{{path}}` where the file's path goes"
            );
            return Err(url.error(error::Kind::InvalidValue, path, message));
        }
    };
    Ok(format!("{base}/{edit}/{{path}}"))
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

/// Whether `s` is a full git commit id, SHA-1 or SHA-256, as git prints it.
fn is_commit_id(s: &str) -> bool {
    matches!(s.len(), 40 | 64) && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// ", did you mean `x`?" for the known id nearest to `id`, if one is near enough to be a typo
/// (at most a third of its letters differ, and at least one may); empty otherwise.
pub(crate) fn did_you_mean<'k>(id: &str, known: impl Iterator<Item = &'k str>) -> String {
    let nearest = known
        .map(|k| (strsim::damerau_levenshtein(id, k), k))
        .filter(|&(d, _)| d <= (id.chars().count() / 3).max(1))
        .min();
    match nearest {
        Some((_, k)) => format!(", did you mean `{k}`?"),
        None => String::new(),
    }
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

    /// A file added deep below a folder listed whole (an Open Terms Archive dataset dropped into
    /// `snapshots/`) is seen once the watcher names it, and so is one removed from a folder.
    #[test]
    fn forgetting_a_path_forgets_the_listings_that_hold_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let deep = root.join("snapshots/service/terms");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(deep.join("2024-01-01.md"), "a").unwrap();
        let mut cache = FileCache::default();
        let mut diagnostics = Vec::new();
        let mut list = |cache: &mut FileCache, dir: &Path, deep: bool| {
            let entries = cache.listing(dir, deep, &mut diagnostics);
            entries.into_iter().map(|e| e.name).collect::<Vec<_>>()
        };
        let snapshots = root.join("snapshots");
        assert_eq!(
            list(&mut cache, &snapshots, true),
            ["service/terms/2024-01-01.md"]
        );
        assert_eq!(list(&mut cache, &deep, false), ["2024-01-01.md"]);
        std::fs::write(deep.join("2024-02-01.md"), "b").unwrap();
        std::fs::remove_file(deep.join("2024-01-01.md")).unwrap();
        assert_eq!(
            list(&mut cache, &deep, false),
            ["2024-01-01.md"],
            "known until named"
        );
        cache.forget(&deep.join("2024-02-01.md"));
        cache.forget(&deep.join("2024-01-01.md"));
        assert_eq!(
            list(&mut cache, &snapshots, true),
            ["service/terms/2024-02-01.md"]
        );
        assert_eq!(list(&mut cache, &deep, false), ["2024-02-01.md"]);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
    }

    /// Paths below a folder are one range of keys; a sibling whose name starts like the folder's
    /// (`terms-2`, `terms.yaml`) is not below it.
    #[test]
    fn forgetting_a_folder_forgets_only_what_is_below_it() {
        let mut map: BTreeMap<PathKey, ()> = [
            "d/terms",
            "d/terms/a",
            "d/terms/b/c",
            "d/terms-2",
            "d/terms.yaml",
            "d/terms0",
            "d/term",
        ]
        .into_iter()
        .map(|p| (PathKey::of(Path::new(p)), ()))
        .collect();
        let mut gone = remove_from(&mut map, Path::new("d/terms"));
        gone.sort();
        assert_eq!(
            gone,
            ["d/terms", "d/terms/a", "d/terms/b/c"].map(PathBuf::from)
        );
        let left: Vec<_> = map.keys().map(|k| k.0.clone()).collect();
        assert_eq!(
            left,
            ["d/term", "d/terms-2", "d/terms.yaml", "d/terms0"].map(PathBuf::from)
        );
    }

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
