//! Watching a site's content and themes: debounced events, editor leftovers and the output
//! folder ignored, `--poll` for file systems without change notifications.

use crate::error::{Error, Result};
use crate::read::{is_editor_leftover, is_ignored_name};
use notify::event::{EventKind, MetadataKind, ModifyKind};
use notify::{PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};
use notify_debouncer_full::{
    DebounceEventResult, Debouncer, FileIdCache, NoCache, RecommendedCache, new_debouncer_opt,
};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

/// How long the file system must be quiet before a rebuild: an editor's save (write a
/// temporary file, rename it over the original) takes well under a millisecond and is one
/// change, not three. A save written in pieces further apart is two rebuilds, the second
/// correct: this is part of every edit's delay.
pub const DEBOUNCE: Duration = Duration::from_millis(5);

/// How often the debouncer looks for quiet paths: the delay it adds beyond `DEBOUNCE`.
const TICK: Duration = Duration::from_millis(5);

/// How often `--poll` looks at the files.
const POLL_INTERVAL: Duration = Duration::from_millis(300);

/// Keeps the watcher alive; dropping it stops watching.
pub struct Watch {
    debouncer: Debouncers,
    /// The folders watched recursively. Watching one again would make a polling watcher take
    /// its files as they are now as the baseline, losing a change not yet seen.
    watched: Vec<PathBuf>,
}

enum Debouncers {
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<PollWatcher, NoCache>),
}

impl Watch {
    /// Watches `root`'s `content/` and `themes/` (and `root` itself, for those folders being
    /// created or replaced). Each debounced batch of relevant paths is sent to `changes`.
    pub fn start(root: &Path, poll: bool, changes: Sender<Vec<PathBuf>>) -> Result<Watch> {
        let filter_root = root.to_path_buf();
        let handler = move |result: DebounceEventResult| {
            // What was read is trusted until the watcher names it as changed: when it cannot
            // say what changed (its queue overflowed, say), everything is read again.
            let events = match result {
                Ok(events) if !events.iter().any(|e| e.need_rescan()) => events,
                _ => {
                    let _ = changes.send(vec![filter_root.clone()]);
                    return;
                }
            };
            let mut paths: Vec<PathBuf> = events
                .iter()
                .filter(|e| changes_content(&e.kind))
                .flat_map(|e| e.paths.iter())
                .filter(|p| relevant(&filter_root, p))
                .cloned()
                .collect();
            paths.sort();
            paths.dedup();
            if !paths.is_empty() {
                let _ = changes.send(paths);
            }
        };
        // Links are never followed: one pointing at `/` would have the watcher walk (and the
        // poller read) the whole machine; the build refuses links anyway.
        let base = notify::Config::default().with_follow_symlinks(false);
        let debouncer = if poll {
            // Modification times are compared to the second: compare contents so two saves within
            // one second are both seen. Only regular files are read (never a FIFO or device).
            let config = base
                .with_poll_interval(POLL_INTERVAL)
                .with_compare_contents(true);
            Debouncers::Poll(
                new_debouncer_opt(DEBOUNCE, Some(TICK), handler, NoCache, config)
                    .map_err(watch_error)?,
            )
        } else {
            Debouncers::Native(
                new_debouncer_opt(DEBOUNCE, Some(TICK), handler, RecommendedCache::new(), base)
                    .map_err(watch_error)?,
            )
        };
        let mut watch = Watch {
            debouncer,
            watched: Vec::new(),
        };
        watch.add(root, RecursiveMode::NonRecursive)?;
        watch.ensure(root)?;
        Ok(watch)
    }

    fn add(&mut self, path: &Path, mode: RecursiveMode) -> Result<()> {
        match &mut self.debouncer {
            Debouncers::Native(d) => watch_with(d, path, mode),
            Debouncers::Poll(d) => watch_with(d, path, mode),
        }
    }

    /// Watches `content/` and `themes/` recursively, those not watched yet (a `themes/`
    /// created after the start, say).
    pub fn ensure(&mut self, root: &Path) -> Result<()> {
        for dir in ["content", "themes"] {
            let dir = root.join(dir);
            // A linked `content/` (refused by the build) is not watched either: the watcher
            // would follow it to wherever it points.
            if crate::read::is_real_dir(&dir).unwrap_or(false) && !self.watched.contains(&dir) {
                self.add(&dir, RecursiveMode::Recursive)?;
                self.watched.push(dir);
            }
        }
        Ok(())
    }
}

fn watch_with<W: Watcher, C: FileIdCache>(
    d: &mut Debouncer<W, C>,
    path: &Path,
    mode: RecursiveMode,
) -> Result<()> {
    d.watch(path, mode).map_err(watch_error)
}

/// Whether an event can change a file's content: reading a file (which every build does) or
/// touching its access time cannot, and must not trigger a rebuild.
fn changes_content(kind: &EventKind) -> bool {
    !matches!(
        kind,
        EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime))
    )
}

/// Whether a changed path can change the site: under `content/` or `themes/`, and not an
/// editor's temporary or backup file. Hidden files count only in a theme's `static/`, which
/// publishes them (`.nojekyll`, `.well-known/`).
pub fn relevant(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let names: Vec<_> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    let published_as_is =
        names.first().is_some_and(|n| n == "themes") && names.get(2).is_some_and(|n| n == "static");
    let skipped = |name: &str| {
        is_editor_scratch(name)
            || if published_as_is {
                is_editor_leftover(name)
            } else {
                is_ignored_name(name)
            }
    };
    matches!(
        names.first().map(|n| n.as_ref()),
        Some("content" | "themes")
    ) && !names.iter().any(|n| skipped(n))
}

/// Vim's `4913` write test and other scratch names editors create beside the file they save.
fn is_editor_scratch(name: &str) -> bool {
    name == "4913" || name.ends_with(".swo") || name.ends_with(".bak") || name.ends_with(".orig")
}

fn watch_error(e: notify::Error) -> Error {
    let limit = matches!(e.kind, notify::ErrorKind::MaxFilesWatch)
        || matches!(&e.kind, notify::ErrorKind::Io(io) if io.raw_os_error() == Some(28));
    if limit {
        Error::Usage(
            "cannot watch the site: the system's limit on watched files is reached. Raise it (for example `sudo sysctl fs.inotify.max_user_watches=524288`) or run `clausebook serve --poll`.".into(),
        )
    } else {
        Error::Usage(format!(
            "cannot watch the site for changes: {e}. Try `clausebook serve --poll`."
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_watch_limit_error_says_what_to_raise_or_to_poll() {
        for e in [
            notify::Error::new(notify::ErrorKind::MaxFilesWatch),
            notify::Error::io(std::io::Error::from_raw_os_error(28)),
        ] {
            let message = watch_error(e).to_string();
            assert!(
                message.contains("fs.inotify.max_user_watches") && message.contains("--poll"),
                "{message}"
            );
        }
    }

    #[test]
    fn only_content_and_theme_files_that_are_not_editor_leftovers() {
        let root = Path::new("/site");
        for yes in [
            "/site/content/site.yaml",
            "/site/content/platforms/a/clauses/x.yaml",
            "/site/themes/t/templates/base.html",
            "/site/themes/t/static/.nojekyll",
            "/site/themes/t/static/.well-known/security.txt",
            "/site/content",
        ] {
            assert!(relevant(root, Path::new(yes)), "{yes}");
        }
        for no in [
            "/site/output/index.html",
            "/site/Cargo.toml",
            "/site/content/platforms/a/clauses/.x.yaml.swp",
            "/site/content/platforms/a/clauses/x.yaml~",
            "/site/content/platforms/a/clauses/.#x.yaml",
            "/site/content/platforms/a/clauses/4913",
            "/site/content/.git/index",
            "/site/themes/t/templates/.hidden.html",
            "/site/themes/t/static/style.css~",
            "/elsewhere/content/x.yaml",
        ] {
            assert!(!relevant(root, Path::new(no)), "{no}");
        }
    }
}
