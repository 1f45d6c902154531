//! `clausebook serve`: builds the site into memory, serves it, watches the content, rebuilds
//! what an edit changed, swaps the new site in whole and tells browsers to reload.

pub mod respond;
mod search;
pub mod watch;

use crate::error::{Error, Result};
use crate::load::LoadOptions;
use crate::{Session, Updated};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use respond::{EVENTS_PATH, Served, respond};
use search::{Searchable, Searches};
use std::collections::BTreeSet;
use std::convert::Infallible;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::pin::{Pin, pin};
use std::sync::{Arc, RwLock, mpsc};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, broadcast};
use tokio::time::Sleep;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

/// `clausebook serve`'s options.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// The site's root folder (holding content/).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub interface: IpAddr,
    /// The port (0 picks a free one).
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Include clauses marked `draft: true`.
    #[arg(long)]
    pub drafts: bool,
    /// Look for changes by polling, for file systems without change notifications.
    #[arg(long)]
    pub poll: bool,
    /// Open the site in a browser.
    #[arg(long)]
    pub open: bool,
    /// The on-disk cache.
    #[command(flatten)]
    pub cache: crate::cli::CacheArgs,
}

// What a client can hold. Connections past `MAX_CONNECTIONS` wait in the listen queue until
// one closes, so every connection must end on its own: one that sends no complete request
// within `HEADER_READ_TIMEOUT` (idle, trickling bytes, or kept alive after its last answer)
// is closed, and so is one whose client stops reading an answer for `WRITE_TIMEOUT`. The
// only connections meant to last are the reload streams, capped at `MAX_EVENT_STREAMS`:
// the other places turn over at least every `HEADER_READ_TIMEOUT`, each time letting in as
// many waiting connections. So 300 idle connections, more than the cap, delay a page by one
// time-out at most; a flood of thousands by a few.

/// How long a client has to send a request's headers, counted from when the server starts
/// waiting for them: on a new connection, or on a kept-alive one after its last answer.
/// Total, not per byte, so a client trickling header bytes is cut as well.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a write may wait for the client to read before the connection is closed: a
/// client that asks for a large page and never reads it holds no connection for long.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections served at once: a browser needs a handful. Each holds a file descriptor and
/// at most hyper's read buffer (about 400 KiB, its cap on request headers).
pub const MAX_CONNECTIONS: usize = 256;

/// Reload streams open at once (one per browser tab). Streams never time out: this keeps
/// most connections for pages. Past it a stream is refused with 503.
pub const MAX_EVENT_STREAMS: usize = MAX_CONNECTIONS / 4;

/// How long Ctrl-C waits for answers under way; open reload streams never end by themselves.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// How long to wait before accepting again after the listener failed (out of file
/// descriptors, say): connections closing in the meantime free some.
const ACCEPT_BACKOFF: Duration = Duration::from_secs(1);

/// What request handlers share: the site being served, the reload channel, the places left
/// for reload streams, and the search index.
struct Shared {
    served: RwLock<Arc<Served>>,
    reload: broadcast::Sender<()>,
    streams: Arc<Semaphore>,
    searches: Arc<Searches>,
}

impl Shared {
    fn current(&self) -> Arc<Served> {
        self.served
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the served site in one step: a request sees the old site or the new one. The
    /// old one is given back, to be dropped once browsers are told to reload: dropping a large
    /// site takes a while.
    fn swap(&self, next: Served) -> Arc<Served> {
        let mut served = self.served.write().unwrap_or_else(|e| e.into_inner());
        std::mem::replace(&mut *served, Arc::new(next))
    }
}

/// What rebuilds the site after each batch of changes, on a thread of its own.
struct Rebuilds {
    shared: Arc<Shared>,
    root: PathBuf,
    load: LoadOptions,
    session: Session,
    warned: Warned<crate::error::Diagnostic>,
    watch: watch::Watch,
}

/// How long a failed rebuild waits for more changes before it is shown: a save written in two
/// steps further apart than the watcher's quiet period (a shell's `>` empties the file before
/// the command writes it) fails on the half-written file, and is shown only if nothing follows.
const FAILURE_GRACE: Duration = Duration::from_millis(100);

impl Rebuilds {
    fn run(mut self, batches: &mpsc::Receiver<Vec<PathBuf>>) {
        // The changes not shown yet, since when, and the failure waiting for its grace to end.
        let mut pending: Vec<PathBuf> = Vec::new();
        let mut start = Instant::now();
        let mut failed: Option<Error> = None;
        loop {
            let batch = match &failed {
                None => batches
                    .recv()
                    .map_err(|_| mpsc::RecvTimeoutError::Disconnected),
                Some(_) => batches.recv_timeout(FAILURE_GRACE),
            };
            let mut changed = match batch {
                Ok(changed) => changed,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Some(e) = failed.take() {
                        self.report(Err(e), &mut pending, start);
                    }
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            };
            // Batches that queued up during the last rebuild are one rebuild.
            while let Ok(more) = batches.try_recv() {
                changed.extend(more);
            }
            if pending.is_empty() {
                start = Instant::now();
            }
            self.session.forget(&changed);
            pending.extend(changed);
            pending.sort();
            pending.dedup();
            match self.session.update(&self.root, &self.load) {
                // Shown once the grace is over, unless a change fixes it first.
                Err(e) => failed = Some(e),
                Ok(updated) => {
                    failed = None;
                    self.report(Ok(updated), &mut pending, start);
                }
            }
        }
    }

    /// Shows a rebuild's result for the `pending` changes, which are then shown.
    fn report(&mut self, updated: Result<Updated>, pending: &mut Vec<PathBuf>, start: Instant) {
        let changed = std::mem::take(pending);
        report(
            &self.shared,
            updated,
            &changed,
            start,
            &self.root,
            &mut self.warned,
        );
        if let Err(e) = self.watch.ensure(&self.root) {
            eprintln!("{e}");
        }
    }
}

/// Runs the preview server until interrupted.
pub fn run(options: Options) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("<runtime>", e))?;
    runtime.block_on(serve(options))
}

async fn serve(mut options: Options) -> Result<()> {
    // Watchers report absolute paths: compare them with an absolute root.
    options.root = options
        .root
        .canonicalize()
        .map_err(|e| Error::io(&options.root, e))?;
    let addr = SocketAddr::new(options.interface, options.port);
    let listener = TcpListener::bind(addr).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            Error::Usage(format!("port {} on {} is already in use: stop the other server or choose another with --port", options.port, options.interface))
        } else {
            Error::io(format!("{addr}"), e)
        }
    })?;
    let local = listener
        .local_addr()
        .map_err(|e| Error::io(format!("{addr}"), e))?;
    let host = match local.ip() {
        ip if ip.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    let url = format!("http://{host}:{}/", local.port());
    let load = LoadOptions {
        drafts: options.drafts,
        base_url: Some(url.clone()),
        cache: options.cache.options(),
    };
    let (reload, _) = broadcast::channel(16);
    let shared = Arc::new(Shared {
        served: RwLock::new(Arc::new(Served::default())),
        reload,
        streams: Arc::new(Semaphore::new(MAX_EVENT_STREAMS)),
        searches: Arc::default(),
    });

    // Watch before the first build, so an edit made while it runs is not missed.
    let (changes, batches) = mpsc::channel();
    let watch = watch::Watch::start(&options.root, options.poll, changes)?;
    let mut session = Session::default();
    let start = Instant::now();
    let first = session.update(&options.root, &load);
    if let Err(e @ (Error::Usage(_) | Error::Io { .. })) = first {
        // No site here at all: nothing to watch for.
        return Err(e);
    }
    let mut warned = Warned::default();
    report(&shared, first, &[], start, &options.root, &mut warned);
    println!(
        "Serving {} at {url} (Ctrl-C to stop)",
        options.root.display()
    );
    let _ = std::io::stdout().flush();
    let rebuilds = Rebuilds {
        shared: shared.clone(),
        root: options.root.clone(),
        load,
        session,
        warned,
        watch,
    };
    std::thread::spawn(move || rebuilds.run(&batches));

    if options.open {
        open_browser(&url);
    }
    let app = Router::new()
        .route(EVENTS_PATH, axum::routing::get(events))
        .fallback(page)
        .with_state(shared);
    listen(listener, app, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    Ok(())
}

/// Serves `app` on `listener` until `shutdown`, within the limits above; then waits up to
/// `SHUTDOWN_GRACE` for answers under way.
async fn listen(listener: TcpListener, app: Router, shutdown: impl Future<Output = ()>) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let graceful = GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    loop {
        let next = async {
            let permit = permits.clone().acquire_owned().await;
            (permit, listener.accept().await)
        };
        let (permit, accepted) = tokio::select! {
            next = next => next,
            () = &mut shutdown => break,
        };
        // The semaphore is never closed.
        let Ok(permit) = permit else { break };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                if !is_connection_error(&e) {
                    eprintln!("could not accept a connection: {e}");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
                continue;
            }
        };
        let io = TokioIo::new(WriteTimeout::new(stream, WRITE_TIMEOUT));
        let connection =
            graceful.watch(http.serve_connection(io, TowerToHyperService::new(app.clone())));
        tokio::spawn(async move {
            // A connection's errors (timeouts, resets) concern only that client.
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await;
}

/// Errors of one incoming connection, not of the listener.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(
        e.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    )
}

/// A TCP stream whose writes fail with `TimedOut` once one has made no progress for
/// `limit`. hyper has no write timeout; reads need none beyond its header timeout, as no
/// handler reads a request body.
struct WriteTimeout<S> {
    inner: S,
    limit: Duration,
    /// Armed when a write is first left pending, disarmed by any progress.
    deadline: Pin<Box<Sleep>>,
    armed: bool,
}

impl<S> WriteTimeout<S> {
    fn new(inner: S, limit: Duration) -> Self {
        WriteTimeout {
            inner,
            limit,
            deadline: Box::pin(tokio::time::sleep(limit)),
            armed: false,
        }
    }

    fn watch<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<std::io::Result<T>>,
    ) -> Poll<std::io::Result<T>> {
        if poll.is_ready() {
            self.armed = false;
            return poll;
        }
        if !self.armed {
            self.armed = true;
            self.deadline
                .as_mut()
                .reset(tokio::time::Instant::now() + self.limit);
        }
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the client stopped reading",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteTimeout<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteTimeout<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.watch(cx, poll)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.watch(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_flush(cx);
        this.watch(cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_shutdown(cx);
        this.watch(cx, poll)
    }
}

/// The warnings of the last successful build: a rebuild prints only the warnings that are new
/// and those that are gone, so an edit's effect is not lost among thousands. Only those are
/// formatted, so thousands unchanged cost a rebuild little.
struct Warned<T>(BTreeSet<T>);

impl<T> Default for Warned<T> {
    fn default() -> Self {
        Warned(BTreeSet::new())
    }
}

impl<T: Ord> Warned<T> {
    /// What to print for `now`'s warnings after the last build's, each shown by `show`: the new
    /// ones in full, a line for each one gone, and how many there are.
    fn update(&mut self, now: BTreeSet<T>, show: impl Fn(&T) -> String) -> Vec<String> {
        let mut out: Vec<String> = now
            .difference(&self.0)
            .map(|w| format!("{}\n", show(w)))
            .collect();
        let new = out.len();
        let gone: Vec<String> = self
            .0
            .difference(&now)
            .map(|w| format!("resolved: {}", show(w).lines().next().unwrap_or_default()))
            .collect();
        let resolved = gone.len();
        out.extend(gone);
        if !now.is_empty() || resolved > 0 {
            let n = now.len();
            let s = if n == 1 { "" } else { "s" };
            out.push(format!("{n} warning{s} ({new} new, {resolved} resolved)"));
        }
        self.0 = now;
        out
    }
}

/// Swaps in a rebuild's result (or keeps the last good site, with the error), prints what
/// happened and tells the browsers.
fn report(
    shared: &Shared,
    updated: Result<Updated>,
    changed: &[PathBuf],
    start: Instant,
    root: &Path,
    warned: &mut Warned<crate::error::Diagnostic>,
) {
    let ms = start.elapsed().as_millis();
    // Paths relative to the site, as the user wrote them.
    let prefix = format!("{}/", root.display());
    let changed: Vec<PathBuf> = changed
        .iter()
        .map(|p| p.strip_prefix(root).unwrap_or(p).to_path_buf())
        .collect();
    let what = describe(&changed);
    // Browsers are told first: what is printed, the old site dropped and the new one indexed
    // for search, come after.
    let mut indexed = None;
    let (next, printed) = match updated {
        Ok(updated) => {
            let now = updated.warnings.into_iter().collect();
            let mut lines = warned.update(now, |w| w.to_string().replace(&prefix, ""));
            let n = updated.documents_derived;
            lines.push(format!(
                "{}{what} in {ms} ms: {n} document{} derived",
                if changed.is_empty() {
                    "Built"
                } else {
                    "Rebuilt after "
                },
                if n == 1 { "" } else { "s" }
            ));
            let site = Searchable {
                site: updated.site.clone(),
                searches: shared.searches.clone(),
            };
            indexed = Some(updated.site);
            let next = Served {
                files: Arc::new(site),
                error: None,
            };
            (next, Ok(lines))
        }
        Err(e) => {
            let message = e.to_string().replace(&prefix, "");
            let failed = format!(
                "{}{what}, still serving the last good site:\n{message}",
                if changed.is_empty() {
                    "Build failed"
                } else {
                    "Build failed after "
                }
            );
            let next = Served {
                files: shared.current().files.clone(),
                error: Some(message),
            };
            (next, Err(failed))
        }
    };
    let old = shared.swap(next);
    let _ = shared.reload.send(());
    match printed {
        Ok(lines) => lines.iter().for_each(|l| println!("{l}")),
        Err(failed) => eprintln!("{failed}"),
    }
    let _ = std::io::stdout().flush();
    drop(old);
    if let Some(site) = indexed.filter(|s| s.searched()) {
        shared.searches.start(site);
    }
}

fn describe(changed: &[PathBuf]) -> String {
    match changed {
        [] => String::new(),
        [one] => format!("a change to {}", one.display()),
        [first, rest @ ..] => format!("changes to {} and {} more", first.display(), rest.len()),
    }
}

async fn page(State(shared): State<Arc<Shared>>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
            "Method not allowed\n",
        )
            .into_response();
    }
    let served = shared.current();
    let r = respond(&served, uri.path());
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let length = r.content_length();
    let body = if method == Method::HEAD {
        axum::body::Body::empty()
    } else {
        let pieces = r.body.into_iter().map(Ok::<_, Infallible>);
        axum::body::Body::from_stream(tokio_stream::iter(pieces))
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(r.content_type),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(location) = r.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LOCATION, location);
    }
    response
}

/// Server-sent events: one message after every rebuild, failed or not.
async fn events(State(shared): State<Arc<Shared>>) -> Response {
    let Ok(place) = shared.streams.clone().try_acquire_owned() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "Too many live reload connections: close some tabs\n",
        )
            .into_response();
    };
    // A client that lagged behind missed rebuilds: that too is a reason to reload. The
    // stream holds its place until the client goes and the stream is dropped.
    let stream = BroadcastStream::new(shared.reload.subscribe()).map(move |_| {
        let _place = &place;
        Ok::<_, Infallible>(Event::default().data("reload"))
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        eprintln!("could not open a browser ({opener}); open {url} yourself");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebuilds_print_only_warnings_that_are_new_or_gone() {
        let set = |ws: &[&str]| ws.iter().map(|w| w.to_string()).collect();
        let mut warned = Warned::default();
        let show = |w: &String| w.clone();
        assert_eq!(
            warned.update(set(&["a: x", "b: y"]), show),
            ["a: x\n", "b: y\n", "2 warnings (2 new, 0 resolved)"]
        );
        assert_eq!(
            warned.update(set(&["a: x", "b: y"]), show),
            ["2 warnings (0 new, 0 resolved)"]
        );
        assert_eq!(
            warned.update(set(&["b: y", "c: z\n --> f:1:1"]), show),
            [
                "c: z\n --> f:1:1\n",
                "resolved: a: x",
                "2 warnings (1 new, 1 resolved)"
            ]
        );
        assert_eq!(
            warned.update(set(&[]), show),
            [
                "resolved: b: y",
                "resolved: c: z",
                "0 warnings (0 new, 2 resolved)"
            ]
        );
        assert!(warned.update(set(&[]), show).is_empty());
    }
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    const ANSWER: [u8; 1024] = [b'x'; 1024];

    #[tokio::test(start_paused = true)]
    async fn a_write_the_client_never_reads_times_out() {
        let (server, _client) = tokio::io::duplex(64);
        let mut server = WriteTimeout::new(server, WRITE_TIMEOUT);
        // Bounded, so a missing time-out fails the test instead of hanging it.
        let error = tokio::time::timeout(WRITE_TIMEOUT * 10, server.write_all(&ANSWER))
            .await
            .expect("the write ends")
            .unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::TimedOut);
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_reader_that_keeps_reading_gets_everything() {
        let (server, mut client) = tokio::io::duplex(64);
        let mut server = WriteTimeout::new(server, WRITE_TIMEOUT);
        // 64 bytes every half time-out: the whole answer takes eight time-outs.
        let reader = tokio::spawn(async move {
            let mut received = Vec::new();
            let mut chunk = [0u8; 64];
            while received.len() < ANSWER.len() {
                tokio::time::sleep(WRITE_TIMEOUT / 2).await;
                let n = client.read(&mut chunk).await.unwrap();
                received.extend_from_slice(&chunk[..n]);
            }
            received
        });
        server.write_all(&ANSWER).await.unwrap();
        assert_eq!(reader.await.unwrap(), ANSWER);
    }
}
