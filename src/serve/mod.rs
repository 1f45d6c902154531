//! `clausebook serve`: builds the site into memory, serves it, watches the content, rebuilds
//! what an edit changed, swaps the new site in whole and tells browsers to reload.

pub mod respond;
pub mod watch;

use crate::error::{Error, Result};
use crate::load::LoadOptions;
use crate::{Built, Session};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use respond::{EVENTS_PATH, Served, respond};
use std::convert::Infallible;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, mpsc};
use std::time::Instant;
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

/// `clausebook serve`'s options (SPEC §5).
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
}

/// What request handlers share: the site being served and the reload channel.
struct Shared {
    served: RwLock<Arc<Served>>,
    reload: broadcast::Sender<()>,
}

impl Shared {
    fn current(&self) -> Arc<Served> {
        self.served
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the served site in one step: a request sees the old site or the new one.
    fn swap(&self, next: Served) {
        *self.served.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(next);
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
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
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
    };
    let (reload, _) = broadcast::channel(16);
    let shared = Arc::new(Shared {
        served: RwLock::new(Arc::new(Served::default())),
        reload,
    });

    // Watch before the first build, so an edit made while it runs is not missed.
    let (changes, batches) = mpsc::channel();
    let mut watch = watch::Watch::start(&options.root, options.poll, changes)?;
    let mut session = Session::default();
    let start = Instant::now();
    let first = session.build(&options.root, &load);
    if let Err(e @ (Error::Usage(_) | Error::Io { .. })) = first {
        // No site here at all: nothing to watch for.
        return Err(e);
    }
    report(&shared, first, &[], start, &options.root);
    println!(
        "Serving {} at {url} (Ctrl-C to stop)",
        options.root.display()
    );
    let _ = std::io::stdout().flush();
    let rebuild_shared = shared.clone();
    let root = options.root.clone();
    std::thread::spawn(move || {
        while let Ok(mut changed) = batches.recv() {
            // Batches that queued up during the last rebuild are one rebuild.
            while let Ok(more) = batches.try_recv() {
                changed.extend(more);
            }
            changed.sort();
            changed.dedup();
            let start = Instant::now();
            session.forget(&changed);
            let built = session.build(&root, &load);
            report(&rebuild_shared, built, &changed, start, &root);
            if let Err(e) = watch.ensure(&root) {
                eprintln!("{e}");
            }
        }
    });

    if options.open {
        open_browser(&url);
    }
    let app = Router::new()
        .route(EVENTS_PATH, axum::routing::get(events))
        .fallback(page)
        .with_state(shared);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| Error::io(format!("{addr}"), e))
}

/// Swaps in a rebuild's result (or keeps the last good site, with the error), prints what
/// happened and tells the browsers.
fn report(shared: &Shared, built: Result<Built>, changed: &[PathBuf], start: Instant, root: &Path) {
    let ms = start.elapsed().as_millis();
    // Paths relative to the site, as the user wrote them.
    let prefix = format!("{}/", root.display());
    let changed: Vec<PathBuf> = changed
        .iter()
        .map(|p| p.strip_prefix(root).unwrap_or(p).to_path_buf())
        .collect();
    let what = describe(&changed);
    match built {
        Ok(built) => {
            for w in &built.warnings {
                println!("warning: {}", w.to_string().replace(&prefix, ""));
            }
            println!(
                "{}{what} in {ms} ms: {} pages rendered, {} unchanged",
                if changed.is_empty() {
                    "Built"
                } else {
                    "Rebuilt after "
                },
                built.pages_rendered,
                built.pages_reused
            );
            shared.swap(Served {
                output: built.output,
                error: None,
            });
        }
        Err(e) => {
            let message = e.to_string().replace(&prefix, "");
            eprintln!(
                "{}{what}, still serving the last good site:\n{message}",
                if changed.is_empty() {
                    "Build failed"
                } else {
                    "Build failed after "
                }
            );
            let last_good = shared.current().output.clone();
            shared.swap(Served {
                output: last_good,
                error: Some(message),
            });
        }
    }
    let _ = std::io::stdout().flush();
    let _ = shared.reload.send(());
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
    let length = r.body.len();
    let body = if method == Method::HEAD {
        axum::body::Body::empty()
    } else {
        axum::body::Body::from(axum::body::Bytes::from_owner(r.body))
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
async fn events(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl tokio_stream::Stream<Item = std::result::Result<Event, Infallible>>> {
    // A client that lagged behind missed rebuilds: that too is a reason to reload.
    let stream = BroadcastStream::new(shared.reload.subscribe())
        .map(|_| Ok(Event::default().data("reload")));
    Sse::new(stream).keep_alive(KeepAlive::default())
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
