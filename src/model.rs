//! The validated model of a site: what `load` produces and every later stage reads.

use crate::error::{Diagnostic, Kind};
use crate::hash::Key;
use crate::ids::{ClauseId, DocumentId, PlatformId, ProvisionId, RegulationId, Slug, Timestamp};
pub use crate::text::SnapshotFormat;
use crate::yaml::{Located, Required};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `content/site.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The site's name, in every page's title and header.
    pub title: Required,
    /// Where the site is published; links are made under its path.
    pub base_url: Located<String>,
    /// The default meta description.
    pub description: Option<String>,
    /// The pages' `lang`.
    #[serde(default = "default_language")]
    pub language: Located<String>,
    /// The theme: the built-in one with the overrides in `themes/<theme>/`.
    #[serde(default = "default_theme")]
    pub theme: Located<String>,
    /// Shown on clause pages; `{site}`, `{platform}` and `{owner}` are substituted.
    #[serde(default = "default_disclaimer")]
    pub disclaimer: String,
    /// The answer to "is this site affiliated with the owner?" on clause pages.
    #[serde(default = "default_independence")]
    pub independence: String,
    /// How many clauses "How other platforms handle this" lists.
    #[serde(default = "default_related_limit")]
    pub related_limit: usize,
    /// Markdown in every page's footer: the data licence's attribution.
    pub attribution: Option<String>,
    /// The web address of the repository the site's files are kept in, linked from every
    /// page's footer; on a host clausebook knows, it makes the edit links too.
    pub repository: Option<Located<String>>,
    /// The address of the page editing a file, `{path}` standing for the file's path from the
    /// site's folder: the edit links of a host clausebook does not know, or of a site in a
    /// subfolder of its repository.
    pub edit_url: Option<Located<String>>,
    /// Whether pages show when their files last changed in git: by default, when the site's
    /// folder is the top of a git work tree.
    pub git_info: Option<bool>,
    /// Whether the site has search (a search page, the box in every page's header and the
    /// Pagefind index): on unless turned off, as a large archive may, for its cost.
    #[serde(default = "default_search")]
    pub search: bool,
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
fn default_search() -> bool {
    true
}

/// `platform.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformRecord {
    /// The platform's name.
    pub name: Required,
    /// Who the agreements are with, when not the platform's name.
    pub owner: Option<Required>,
    /// The platform's website.
    pub url: Option<Located<String>>,
    /// Markdown.
    pub description: Option<String>,
}

/// `document.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentRecord {
    /// The document's title.
    pub title: Required,
    /// Its kind, as Open Terms Archive names terms types ("Terms of Service").
    #[serde(rename = "type")]
    pub doc_type: Required,
    /// Where the document is published.
    pub url: Located<String>,
    /// CSS selectors of the part of `.html` snapshots that is the document.
    #[serde(default)]
    pub select: Vec<Located<String>>,
    /// CSS selectors of what to drop from `.html` snapshots.
    #[serde(default)]
    pub remove: Vec<Located<String>>,
    /// Text patterns of blocks to drop from every snapshot (see [`crate::text::matches_pattern`]);
    /// in `.html` snapshots, those that parse as CSS selectors also remove what they match.
    #[serde(default)]
    pub ignore: Vec<Located<String>>,
    /// Notes on versions, by snapshot timestamp.
    #[serde(default)]
    pub changes: BTreeMap<Located<String>, String>,
    /// Where versions come from, by snapshot timestamp: the commit of the Open Terms Archive
    /// versions repository that recorded each (`clausebook import ota` writes them, and skips
    /// the commits named here when it imports again).
    #[serde(default)]
    pub sources: BTreeMap<Located<String>, Located<String>>,
}

/// A clause record, `clauses/<clause>.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClauseRecord {
    /// The clause's title.
    pub title: Required,
    /// The id of the document it quotes, on the same platform.
    pub document: Located<String>,
    /// The id of its provision type.
    pub provision: Located<String>,
    /// The verbatim quote, verified against the document's snapshots.
    pub excerpt: Located<Required>,
    /// Markdown.
    pub summary: Required,
    /// Markdown: what it means in plain language.
    pub obligations: Option<String>,
    /// Ids of the regulations it relates to.
    #[serde(default)]
    pub regulations: Vec<Located<String>>,
    /// Free labels.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Left out of builds unless drafts are asked for.
    #[serde(default)]
    pub draft: bool,
    /// Old URLs of the clause page, redirected to it.
    #[serde(default)]
    pub aliases: Vec<Located<String>>,
    /// The key of `excerpt`, made once per record read (`serve` shares records between
    /// rebuilds), not on every rebuild.
    #[serde(skip)]
    excerpt_key: std::sync::OnceLock<Key>,
}

impl ClauseRecord {
    /// The key of the excerpt, which its verification is cached by.
    pub fn excerpt_key(&self) -> Key {
        *self
            .excerpt_key
            .get_or_init(|| Key::of(self.excerpt.as_str()))
    }
}

/// `provisions/<provision>.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvisionRecord {
    /// The provision type's name.
    pub name: Required,
    /// The group it is listed under; ungrouped types come last.
    pub group: Option<String>,
    /// Markdown.
    pub description: Option<String>,
}

/// `regulations/<regulation>.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegulationRecord {
    /// The regulation's name.
    pub name: Required,
    /// Where it applies.
    pub jurisdiction: Option<String>,
    /// Where its text is published.
    pub url: Option<Located<String>>,
    /// Markdown.
    pub description: Option<String>,
}

/// Front matter of `pages/<slug>.md`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageFrontMatter {
    /// The page's title, also its navigation entry.
    pub title: Required,
    /// Its meta description.
    pub description: Option<String>,
}

/// A free page: front matter plus Markdown body.
#[derive(Debug)]
pub struct Page {
    /// Its file name, also its URL.
    pub slug: Slug,
    /// Its front matter.
    pub front: PageFrontMatter,
    /// Its Markdown.
    pub body: String,
}

/// Largest snapshot accepted: far above any real policy page, low enough to never exhaust memory.
pub const MAX_SNAPSHOT_BYTES: u64 = 64 * 1024 * 1024;

/// One archived version of a document, observed at `timestamp`. Its text is not held: it is
/// read when its document is derived, so a build never holds a whole archive.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// When it was observed: its file name.
    pub timestamp: Timestamp,
    /// How it is written, from its extension.
    pub format: SnapshotFormat,
    /// Its file.
    pub path: PathBuf,
    /// Key of its text when the site was loaded, to key what is derived from it.
    pub hash: Key,
}

impl Snapshot {
    /// Its text, read again; an error if the file changed since the site was loaded, since what
    /// was derived from it would not match its key.
    pub fn text(&self) -> Result<String, Diagnostic> {
        let text = crate::read::read_text(&self.path, MAX_SNAPSHOT_BYTES)?;
        if Key::of_bytes(text.as_bytes()) != self.hash {
            return Err(Diagnostic::in_file(
                Kind::Io,
                &self.path,
                "the file changed while the site was being built: build again",
            ));
        }
        Ok(text)
    }
}

/// A policy document and its archived versions.
#[derive(Debug, Clone)]
pub struct Document {
    /// Its folder name.
    pub id: DocumentId,
    /// Its `document.yaml`.
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
    /// The platform it belongs to.
    pub platform: PlatformIx,
    pub(crate) index: usize,
}

/// A clause: its platform and its place in the platform's `clauses`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClauseRef {
    /// The platform it belongs to.
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
#[derive(Debug, Clone)]
pub struct Clause {
    /// Its file name.
    pub id: ClauseId,
    /// Its record, shared with `serve`'s cache of parsed files.
    pub record: std::sync::Arc<ClauseRecord>,
    /// Its file.
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

/// A platform with its documents and resolved clauses.
#[derive(Debug, Clone)]
pub struct Platform {
    /// Its folder name.
    pub id: PlatformId,
    /// Its `platform.yaml`.
    pub record: PlatformRecord,
    /// Its documents, by id.
    pub documents: Vec<Document>,
    /// Its clauses, by id (drafts only when asked for).
    pub clauses: Vec<Clause>,
}

impl Platform {
    /// The owner named in "Amazon's agreement"; the platform name when no owner is given.
    pub fn owner(&self) -> &str {
        self.record.owner.as_deref().unwrap_or(&self.record.name)
    }

    /// How many versions its documents have.
    pub fn versions(&self) -> usize {
        self.documents.iter().map(|d| d.snapshots.len()).sum()
    }
}

/// A provision type: a kind of clause compared across platforms.
#[derive(Debug)]
pub struct Provision {
    /// Its file name.
    pub id: ProvisionId,
    /// Its record.
    pub record: ProvisionRecord,
}

/// A regulation clauses can be mapped to.
#[derive(Debug)]
pub struct Regulation {
    /// Its file name.
    pub id: RegulationId,
    /// Its record.
    pub record: RegulationRecord,
}

/// A whole validated site with every reference resolved. Collections are sorted by id so
/// everything downstream is deterministic.
#[derive(Debug)]
pub struct Site {
    /// `site.yaml`.
    pub config: SiteConfig,
    /// By id.
    pub platforms: Vec<Platform>,
    /// By file name.
    pub provisions: Vec<Provision>,
    /// By file name.
    pub regulations: Vec<Regulation>,
    /// By file name.
    pub pages: Vec<Page>,
    /// The address of the page editing a file, `{path}` standing for its path from the site's
    /// folder, when the site has edit links (`edit_url`, or one made from `repository`).
    pub edit_url: Option<String>,
    /// When each record file last changed in the site's git history, by its path from the
    /// site's folder; empty without git info. Shared by `serve`'s rebuilds, which read the
    /// history once.
    pub changed: std::sync::Arc<std::collections::HashMap<String, Timestamp>>,
}

impl Site {
    /// Every clause, platform by platform.
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

    /// Every provision type with its index.
    pub fn provision_ixs(&self) -> impl Iterator<Item = (ProvisionIx, &Provision)> {
        self.provisions
            .iter()
            .enumerate()
            .map(|(i, p)| (ProvisionIx(i), p))
    }

    /// Every regulation with its index.
    pub fn regulation_ixs(&self) -> impl Iterator<Item = (RegulationIx, &Regulation)> {
        self.regulations
            .iter()
            .enumerate()
            .map(|(i, r)| (RegulationIx(i), r))
    }

    /// Every free page with its index.
    pub fn page_ixs(&self) -> impl Iterator<Item = (PageIx, &Page)> {
        self.pages.iter().enumerate().map(|(i, p)| (PageIx(i), p))
    }
}

/// `site[reference]`: the record a resolved reference names.
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
