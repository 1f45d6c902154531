//! The progress line of a long build: documents derived and files written, drawn on stderr only
//! when it is a terminal and only once the build has run for a second, so a quick build and a
//! build in CI print nothing but their summary.

use crate::error::Result;
use crate::output::Sink;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long a build runs before it shows its progress.
const QUIET_FOR: Duration = Duration::from_secs(1);

/// A build's progress, shown or not.
pub struct Progress {
    /// Drawn nowhere until the build has run for [`QUIET_FOR`]; None when stderr is not a
    /// terminal, so nothing is ever drawn.
    bar: Option<ProgressBar>,
    started: Instant,
    shown: AtomicBool,
    documents: AtomicUsize,
    total_documents: AtomicUsize,
}

impl Progress {
    /// Progress drawn on stderr if it is a terminal.
    pub fn on_stderr() -> Progress {
        Progress::new(std::io::stderr().is_terminal())
    }

    /// Progress never shown.
    pub fn hidden() -> Progress {
        Progress::new(false)
    }

    fn new(terminal: bool) -> Progress {
        let bar = terminal.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            let style = ProgressStyle::with_template("{bar:30} {pos}/{len} files · {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
            shown: AtomicBool::new(false),
            documents: AtomicUsize::new(0),
            total_documents: AtomicUsize::new(0),
        }
    }

    /// The work ahead: `documents` to derive, `files` to write.
    pub(crate) fn start(&self, documents: usize, files: usize) {
        self.total_documents.store(documents, Ordering::Relaxed);
        if let Some(bar) = &self.bar {
            bar.set_length(files as u64);
            bar.set_message(format!("0/{documents} documents"));
        }
    }

    /// A document was derived and its pages written.
    pub(crate) fn document_done(&self) {
        let done = self.documents.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(bar) = self.visible() {
            let total = self.total_documents.load(Ordering::Relaxed);
            bar.set_message(format!("{done}/{total} documents"));
        }
    }

    /// A file was written.
    fn file_done(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            self.visible();
        }
    }

    /// Clears the line, so the build's summary is printed where it was.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    /// The bar, drawn on stderr from the first event after [`QUIET_FOR`].
    fn visible(&self) -> Option<&ProgressBar> {
        let bar = self.bar.as_ref()?;
        if !self.shown.load(Ordering::Relaxed)
            && self.started.elapsed() >= QUIET_FOR
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        Some(bar)
    }
}

/// A sink that counts the files it passes on.
pub(crate) struct Counted<'a> {
    pub sink: &'a dyn Sink,
    pub progress: &'a Progress,
}

impl Sink for Counted<'_> {
    fn put(&self, path: &str, bytes: &Arc<[u8]>) -> Result<()> {
        self.sink.put(path, bytes)?;
        self.progress.file_done();
        Ok(())
    }

    fn keep(&self, path: &str) -> Result<()> {
        self.sink.keep(path)?;
        self.progress.file_done();
        Ok(())
    }

    fn read(&self, path: &str) -> Result<Arc<[u8]>> {
        self.sink.read(path)
    }
}
