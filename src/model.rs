//! The validated model of a site: what `load` produces and every later stage reads.

use crate::ids::Timestamp;
use crate::yaml::{Located, Required};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// `content/site.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub title: Required,
    pub base_url: Located<String>,
    pub description: Option<String>,
    #[serde(default = "default_language")]
    pub language: Located<String>,
    #[serde(default = "default_theme")]
    pub theme: Located<String>,
    #[serde(default = "default_disclaimer")]
    pub disclaimer: String,
    #[serde(default = "default_independence")]
    pub independence: String,
    #[serde(default = "default_related_limit")]
    pub related_limit: usize,
    pub attribution: Option<String>,
}

fn default_language() -> Located<String> {
    Located::new("en".into())
}
fn default_theme() -> Located<String> {
    Located::new("default".into())
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
    pub name: Required,
    pub owner: Option<Required>,
    pub url: Option<Located<String>>,
    pub description: Option<String>,
}

/// `document.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentRecord {
    pub title: Required,
    #[serde(rename = "type")]
    pub doc_type: Required,
    pub url: Located<String>,
    #[serde(default)]
    pub select: Vec<Located<String>>,
    #[serde(default)]
    pub remove: Vec<Located<String>>,
    /// Text patterns of blocks to drop from every snapshot (see [`crate::text::matches_pattern`]);
    /// in `.html` snapshots, those that parse as CSS selectors also remove what they match.
    #[serde(default)]
    pub ignore: Vec<Located<String>>,
    #[serde(default)]
    pub changes: BTreeMap<Located<String>, String>,
}

/// A clause record, `clauses/<clause>.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClauseRecord {
    pub title: Required,
    pub document: Located<String>,
    pub provision: Located<String>,
    pub excerpt: Located<Required>,
    pub summary: Required,
    pub obligations: Option<String>,
    #[serde(default)]
    pub regulations: Vec<Located<String>>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub aliases: Vec<Located<String>>,
}

/// `provisions/<provision>.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provision {
    #[serde(skip)]
    pub id: String,
    pub name: Required,
    pub group: Option<String>,
    pub description: Option<String>,
}

/// `regulations/<regulation>.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regulation {
    #[serde(skip)]
    pub id: String,
    pub name: Required,
    pub jurisdiction: Option<String>,
    pub url: Option<Located<String>>,
    pub description: Option<String>,
}

/// Front matter of `pages/<slug>.md`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageFrontMatter {
    pub title: Required,
    pub description: Option<String>,
}

/// A free page: front matter plus Markdown body.
#[derive(Debug)]
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
#[derive(Debug)]
pub struct Snapshot {
    pub timestamp: Timestamp,
    pub format: SnapshotFormat,
    pub path: PathBuf,
    /// Shared with the snapshot cache, so a rebuild does not copy or re-read it.
    pub source: Arc<str>,
    /// Hash of `source`, to key what is derived from it.
    pub hash: u64,
}

#[derive(Debug)]
pub struct Document {
    pub id: String,
    pub record: DocumentRecord,
    /// Oldest first.
    pub snapshots: Vec<Snapshot>,
}

#[derive(Debug)]
pub struct Clause {
    pub id: String,
    pub platform: String,
    pub record: ClauseRecord,
    pub path: PathBuf,
    /// The output file each of `record.aliases` redirects from, in the same order.
    pub alias_files: Vec<String>,
}

#[derive(Debug)]
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
#[derive(Debug, Default)]
pub struct Theme {
    /// Template name → (source, the file it came from, None for built-in).
    pub templates: BTreeMap<String, (String, Option<PathBuf>)>,
    /// Output path → bytes.
    pub statics: BTreeMap<String, Vec<u8>>,
}

/// A whole validated site. Collections are sorted by id so everything downstream is deterministic.
#[derive(Debug)]
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
