//! The validated model of a site: what `load` produces and every later stage reads.

use crate::ids::Timestamp;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// `content/site.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub title: String,
    pub base_url: String,
    pub description: Option<String>,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default = "default_disclaimer")]
    pub disclaimer: String,
    #[serde(default = "default_independence")]
    pub independence: String,
    #[serde(default = "default_related_limit")]
    pub related_limit: usize,
    pub attribution: Option<String>,
}

fn default_language() -> String {
    "en".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_disclaimer() -> String {
    "This analysis describes what {owner}'s agreement states, permits, or reserves. \
     It does not constitute a legal determination about enforceability."
        .into()
}
fn default_independence() -> String {
    "No. {site} is an independent monitoring service, not affiliated with {owner}.".into()
}
fn default_related_limit() -> usize {
    3
}

/// `platform.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformRecord {
    pub name: String,
    pub owner: Option<String>,
    pub url: Option<String>,
    pub description: Option<String>,
}

/// `document.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentRecord {
    pub title: String,
    #[serde(rename = "type")]
    pub doc_type: String,
    pub url: String,
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub remove: Vec<String>,
    #[serde(default)]
    pub changes: BTreeMap<String, String>,
}

/// A clause record, `clauses/<clause>.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClauseRecord {
    pub title: String,
    pub document: String,
    pub provision: String,
    pub excerpt: String,
    pub summary: String,
    pub obligations: Option<String>,
    #[serde(default)]
    pub regulations: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// `provisions/<provision>.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provision {
    #[serde(skip)]
    pub id: String,
    pub name: String,
    pub group: Option<String>,
    pub description: Option<String>,
}

/// `regulations/<regulation>.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regulation {
    #[serde(skip)]
    pub id: String,
    pub name: String,
    pub jurisdiction: Option<String>,
    pub url: Option<String>,
    pub description: Option<String>,
}

/// Front matter of `pages/<slug>.md`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageFrontMatter {
    pub title: String,
    pub description: Option<String>,
}

/// A free page: front matter plus Markdown body.
#[derive(Debug, Clone)]
pub struct Page {
    pub slug: String,
    pub front: PageFrontMatter,
    pub body: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotFormat {
    Markdown,
    Text,
    Html,
}

/// One archived version of a document, observed at `timestamp`.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub timestamp: Timestamp,
    pub format: SnapshotFormat,
    pub path: PathBuf,
    /// Shared with the snapshot cache, so a rebuild does not copy or re-read it.
    pub source: Arc<str>,
    /// Hash of `source`, to key what is derived from it.
    pub hash: u64,
}

#[derive(Debug, Clone)]
pub struct Document {
    pub id: String,
    pub record: DocumentRecord,
    /// Oldest first.
    pub snapshots: Vec<Snapshot>,
}

#[derive(Debug, Clone)]
pub struct Clause {
    pub id: String,
    pub platform: String,
    pub record: ClauseRecord,
    pub path: PathBuf,
    /// The YAML as written, to point reference errors at their line.
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct Platform {
    pub id: String,
    pub record: PlatformRecord,
    pub documents: Vec<Document>,
    pub clauses: Vec<Clause>,
}

impl Platform {
    /// The owner named in "Amazon's agreement"; the platform name when no owner is given.
    pub fn owner(&self) -> &str {
        self.record.owner.as_deref().unwrap_or(&self.record.name)
    }

    pub fn document(&self, id: &str) -> Option<&Document> {
        self.documents.iter().find(|d| d.id == id)
    }
}

/// Theme templates and static files: the built-in theme with the site's overrides applied.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    /// Template name → (source, the file it came from, None for built-in).
    pub templates: BTreeMap<String, (String, Option<PathBuf>)>,
    /// Output path → bytes.
    pub statics: BTreeMap<String, Vec<u8>>,
}

/// A whole validated site. Collections are sorted by id so everything downstream is deterministic.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: SiteConfig,
    pub platforms: Vec<Platform>,
    pub provisions: Vec<Provision>,
    pub regulations: Vec<Regulation>,
    pub pages: Vec<Page>,
    pub theme: Theme,
}

impl Site {
    pub fn provision(&self, id: &str) -> Option<&Provision> {
        self.provisions.iter().find(|p| p.id == id)
    }

    pub fn regulation(&self, id: &str) -> Option<&Regulation> {
        self.regulations.iter().find(|r| r.id == id)
    }

    pub fn platform(&self, id: &str) -> Option<&Platform> {
        self.platforms.iter().find(|p| p.id == id)
    }

    pub fn clauses(&self) -> impl Iterator<Item = &Clause> {
        self.platforms.iter().flat_map(|p| p.clauses.iter())
    }
}
