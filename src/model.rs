//! The validated model of a site: what `load` produces and every later stage reads.

use crate::ids::{ClauseId, DocumentId, PlatformId, ProvisionId, RegulationId, Slug, Timestamp};
pub use crate::text::SnapshotFormat;
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
pub struct ProvisionRecord {
    pub name: Required,
    pub group: Option<String>,
    pub description: Option<String>,
}

/// `regulations/<regulation>.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegulationRecord {
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
    pub slug: Slug,
    pub front: PageFrontMatter,
    pub body: String,
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

/// A policy document and its archived versions.
#[derive(Debug)]
pub struct Document {
    pub id: DocumentId,
    pub record: DocumentRecord,
    /// Oldest first; each owns its timestamp, format and text.
    pub snapshots: Vec<Snapshot>,
}

/// Where a platform is in [`Site::platforms`]. The references below are made by `load` once
/// every record is validated, and the site is never changed afterwards, so they cannot dangle:
/// later stages index with them and never look an id up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PlatformIx(pub(crate) usize);

/// A document: its platform and its place in the platform's `documents`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocRef {
    pub platform: PlatformIx,
    pub(crate) index: usize,
}

/// A clause: its platform and its place in the platform's `clauses`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClauseRef {
    pub platform: PlatformIx,
    pub(crate) index: usize,
}

/// Where a provision type is in [`Site::provisions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProvisionIx(pub(crate) usize);

/// Where a regulation is in [`Site::regulations`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegulationIx(pub(crate) usize);

/// Where a free page is in [`Site::pages`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PageIx(pub(crate) usize);

/// A clause with its references resolved.
#[derive(Debug)]
pub struct Clause {
    pub id: ClauseId,
    pub record: ClauseRecord,
    pub path: PathBuf,
    /// The clause itself, for lists that span platforms.
    pub at: ClauseRef,
    /// The document `record.document` names.
    pub document: DocRef,
    /// The provision type `record.provision` names.
    pub provision: ProvisionIx,
    /// The regulations `record.regulations` names, in the same order.
    pub regulations: Vec<RegulationIx>,
    /// The output file each of `record.aliases` redirects from, in the same order.
    pub alias_files: Vec<String>,
}

#[derive(Debug)]
pub struct Platform {
    pub id: PlatformId,
    pub record: PlatformRecord,
    pub documents: Vec<Document>,
    pub clauses: Vec<Clause>,
}

impl Platform {
    /// The owner named in "Amazon's agreement"; the platform name when no owner is given.
    pub fn owner(&self) -> &str {
        self.record.owner.as_deref().unwrap_or(&self.record.name)
    }
}

#[derive(Debug)]
pub struct Provision {
    pub id: ProvisionId,
    pub record: ProvisionRecord,
}

#[derive(Debug)]
pub struct Regulation {
    pub id: RegulationId,
    pub record: RegulationRecord,
}

/// A whole validated site with every reference resolved. Collections are sorted by id so
/// everything downstream is deterministic.
#[derive(Debug)]
pub struct Site {
    pub config: SiteConfig,
    pub platforms: Vec<Platform>,
    pub provisions: Vec<Provision>,
    pub regulations: Vec<Regulation>,
    pub pages: Vec<Page>,
}

impl Site {
    pub fn clauses(&self) -> impl Iterator<Item = &Clause> {
        self.platforms.iter().flat_map(|p| p.clauses.iter())
    }

    /// Every document with its reference, platform by platform.
    pub fn documents(&self) -> impl Iterator<Item = (DocRef, &Document)> {
        self.platforms.iter().enumerate().flat_map(|(p, platform)| {
            platform
                .documents
                .iter()
                .enumerate()
                .map(move |(index, d)| {
                    let at = DocRef {
                        platform: PlatformIx(p),
                        index,
                    };
                    (at, d)
                })
        })
    }

    /// The documents of a platform.
    pub fn documents_of(&self, p: PlatformIx) -> impl Iterator<Item = DocRef> + use<> {
        let n = self[p].documents.len();
        (0..n).map(move |index| DocRef { platform: p, index })
    }

    /// Every platform with its index.
    pub fn platform_ixs(&self) -> impl Iterator<Item = (PlatformIx, &Platform)> {
        self.platforms
            .iter()
            .enumerate()
            .map(|(i, p)| (PlatformIx(i), p))
    }

    pub fn provision_ixs(&self) -> impl Iterator<Item = (ProvisionIx, &Provision)> {
        self.provisions
            .iter()
            .enumerate()
            .map(|(i, p)| (ProvisionIx(i), p))
    }

    pub fn regulation_ixs(&self) -> impl Iterator<Item = (RegulationIx, &Regulation)> {
        self.regulations
            .iter()
            .enumerate()
            .map(|(i, r)| (RegulationIx(i), r))
    }

    pub fn page_ixs(&self) -> impl Iterator<Item = (PageIx, &Page)> {
        self.pages.iter().enumerate().map(|(i, p)| (PageIx(i), p))
    }
}

/// The platform a document or clause reference belongs to.
macro_rules! index {
    ($ix:ty => $out:ty, |$site:ident, $i:ident| $e:expr) => {
        impl std::ops::Index<$ix> for Site {
            type Output = $out;
            fn index(&self, $i: $ix) -> &$out {
                let $site = self;
                $e
            }
        }
    };
}

index!(PlatformIx => Platform, |s, i| &s.platforms[i.0]);
index!(DocRef => Document, |s, r| &s[r.platform].documents[r.index]);
index!(ClauseRef => Clause, |s, r| &s[r.platform].clauses[r.index]);
index!(ProvisionIx => Provision, |s, i| &s.provisions[i.0]);
index!(RegulationIx => Regulation, |s, i| &s.regulations[i.0]);
index!(PageIx => Page, |s, i| &s.pages[i.0]);
