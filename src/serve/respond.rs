//! What the preview server answers for a path: only files the site has, with the live reload
//! client and, after a failed rebuild or for a page that cannot be rendered, the error overlay
//! injected into HTML responses. A pure function of the served site, so it is tested without
//! a network.

use crate::markup::escape;
use crate::output::Output;
use axum::body::Bytes;
use std::fmt::Write as _;
use std::sync::Arc;

/// The path of the reload channel; no site page can live under it.
pub const EVENTS_PATH: &str = "/__clausebook/events";

/// A site's files as the server finds them: rendered when asked for ([`crate::Generation`]),
/// or built beforehand ([`Output`]).
pub trait Files: Send + Sync {
    /// The file at `path`, or why it cannot be made; None if the site has none there.
    fn file(&self, path: &str) -> Option<Result<Arc<[u8]>, String>>;
    /// Whether the site has a file at `path`.
    fn has(&self, path: &str) -> bool;
    /// Whether the site has no file at all (no build has succeeded yet).
    fn is_empty(&self) -> bool;
}

impl Files for Output {
    fn file(&self, path: &str) -> Option<Result<Arc<[u8]>, String>> {
        self.shared(path).map(Ok)
    }

    fn has(&self, path: &str) -> bool {
        self.contains(path)
    }

    fn is_empty(&self) -> bool {
        Output::is_empty(self)
    }
}

impl Files for crate::Generation {
    fn file(&self, path: &str) -> Option<Result<Arc<[u8]>, String>> {
        crate::Generation::file(self, path).map(|page| page.map_err(|d| d.to_string()))
    }

    fn has(&self, path: &str) -> bool {
        crate::Generation::has(self, path)
    }

    fn is_empty(&self) -> bool {
        false
    }
}

/// What the server shows: the last good site, and the error of the last rebuild if it failed.
pub struct Served {
    /// The site of the last good build.
    pub files: Arc<dyn Files>,
    /// The failed rebuild's errors, one per line (file:line:column: message).
    pub error: Option<String>,
}

impl Default for Served {
    fn default() -> Self {
        Served {
            files: Arc::new(Output::default()),
            error: None,
        }
    }
}

/// An HTTP response, before it is written.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// The `Location` of a redirect.
    pub location: Option<String>,
    /// The body in pieces: a served file's bytes are shared with the site, never copied, so
    /// that requests for a large page cost no memory each; the reload client goes between
    /// two of its slices.
    pub body: Vec<Bytes>,
}

impl Response {
    /// The length of the body, for `Content-Length`.
    pub fn content_length(&self) -> usize {
        self.body.iter().map(Bytes::len).sum()
    }
}

/// Answers `raw_path` (the request path as sent, still percent-encoded).
pub fn respond(served: &Served, raw_path: &str) -> Response {
    let Some(path) = decode(raw_path) else {
        return text(400, "Bad request: this path cannot be served.\n");
    };
    let rel = path.trim_start_matches('/');
    let file = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    };
    match served.files.file(&file) {
        Some(Ok(bytes)) => return file_response(served, 200, &file, bytes),
        Some(Err(error)) => return failed(served, &error),
        None => {}
    }
    if served.files.has(&format!("{rel}/index.html")) {
        // Like static hosts: a folder without its slash redirects to it.
        return Response {
            status: 301,
            content_type: "text/plain; charset=utf-8",
            location: Some(format!("/{rel}/")),
            body: vec![Bytes::from_static(b"Moved\n")],
        };
    }
    match served.files.file("404.html") {
        Some(Ok(bytes)) => file_response(served, 404, "404.html", bytes),
        Some(Err(error)) => failed(served, &error),
        // No site yet: the first build failed. Show the error on an empty page.
        None => Response {
            status: if served.error.is_some() { 500 } else { 404 },
            content_type: "text/html; charset=utf-8",
            location: None,
            body: inject(served, EMPTY_PAGE.into(), None),
        },
    }
}

/// The page shown when there is none to show: only the overlay goes in it.
const EMPTY_PAGE: &[u8] = b"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>clausebook</title></head><body></body></html>";

/// A page that cannot be rendered (a template error): the overlay says why.
fn failed(served: &Served, error: &str) -> Response {
    Response {
        status: 500,
        content_type: "text/html; charset=utf-8",
        location: None,
        body: inject(served, EMPTY_PAGE.into(), Some(error)),
    }
}

/// Percent-decodes a request path and refuses anything that is not a plain path inside the
/// site: `..` or `.` segments (sent plainly or encoded), backslashes, NUL, invalid UTF-8.
fn decode(raw: &str) -> Option<String> {
    let raw = raw.split(['?', '#']).next().unwrap_or("");
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let path = String::from_utf8(out).ok()?;
    let unsafe_segment = path.split('/').any(|s| s == ".." || s == ".");
    if !path.starts_with('/')
        || unsafe_segment
        || path.contains(['\\', '\0'])
        || path.contains("//")
    {
        return None;
    }
    Some(path)
}

fn text(status: u16, body: &'static str) -> Response {
    Response {
        status,
        content_type: "text/plain; charset=utf-8",
        location: None,
        body: vec![Bytes::from_static(body.as_bytes())],
    }
}

fn file_response(served: &Served, status: u16, file: &str, bytes: Arc<[u8]>) -> Response {
    let content_type = content_type(file);
    let bytes = Bytes::from_owner(bytes);
    let body = if content_type.starts_with("text/html") {
        inject(served, bytes, None)
    } else {
        vec![bytes]
    };
    Response {
        status,
        content_type,
        location: None,
        body,
    }
}

/// The `Content-Type` of an output file, from its extension.
pub fn content_type(file: &str) -> &'static str {
    let ext = file.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" if file.ends_with("atom.xml") => "application/atom+xml",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// The reload client, and the overlay when the last rebuild failed or `page_error` says why
/// this page cannot be shown, before `</body>`. Only served responses get them: files `build`
/// writes never do.
fn inject(served: &Served, html: Bytes, page_error: Option<&str>) -> Vec<Bytes> {
    let mut snippet = format!(
        "<script>(function(){{var s=new EventSource(location.protocol+\"//\"+location.host+\"{EVENTS_PATH}\");s.onmessage=function(){{location.reload();}};}})();</script>"
    );
    let overlay = match (page_error, &served.error) {
        (Some(error), _) => Some(("clausebook: this page cannot be rendered.", error)),
        (None, Some(error)) if served.files.is_empty() => {
            Some(("clausebook: the site does not build yet.", error.as_str()))
        }
        (None, Some(error)) => Some((
            "clausebook: the last edit does not build. Still showing the last good version.",
            error.as_str(),
        )),
        (None, None) => None,
    };
    if let Some((heading, error)) = overlay {
        let _ = write!(
            snippet,
            "<div id=\"clausebook-error\" role=\"alert\" style=\"position:fixed;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;z-index:2147483647;margin:0;background:#2b0d0d;color:#fde2e2;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace;padding:16px 20px;border-top:4px solid #e5484d;white-space:pre-wrap\"><strong>{heading}</strong>\n{}</div>",
            escape(error)
        );
    }
    let at = find_last(&html, b"</body>").unwrap_or(html.len());
    vec![html.slice(..at), Bytes::from(snippet), html.slice(at..)]
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Served {
        let mut output = Output::default();
        output
            .insert(
                "index.html".into(),
                b"<html><body>home</body></html>".to_vec(),
            )
            .unwrap();
        output
            .insert(
                "platforms/index.html".into(),
                b"<html><body>list</body></html>".to_vec(),
            )
            .unwrap();
        output
            .insert(
                "404.html".into(),
                b"<html><body>missing</body></html>".to_vec(),
            )
            .unwrap();
        output
            .insert("style.css".into(), b"body{}".to_vec())
            .unwrap();
        output
            .insert("atom.xml".into(), b"<feed/>".to_vec())
            .unwrap();
        Served {
            files: Arc::new(output),
            error: None,
        }
    }

    #[test]
    fn pages_types_and_404() {
        let s = site();
        let home = respond(&s, "/");
        assert_eq!(
            (home.status, home.content_type),
            (200, "text/html; charset=utf-8")
        );
        let body = String::from_utf8(home.body.concat()).unwrap();
        assert!(
            body.contains("EventSource") && body.ends_with("</script></body></html>"),
            "{body}"
        );
        assert_eq!(
            home.body[0].as_ptr(),
            s.files.file("index.html").unwrap().unwrap().as_ptr(),
            "a page is served from the site's bytes, not a copy"
        );
        assert_eq!(
            respond(&s, "/style.css").content_type,
            "text/css; charset=utf-8"
        );
        assert_eq!(
            respond(&s, "/style.css").body.concat(),
            b"body{}",
            "only HTML gets the client"
        );
        assert_eq!(
            respond(&s, "/atom.xml").content_type,
            "application/atom+xml"
        );
        let missing = respond(&s, "/nope/");
        assert_eq!(missing.status, 404);
        assert!(String::from_utf8_lossy(&missing.body.concat()).contains("missing"));
        let redirect = respond(&s, "/platforms");
        assert_eq!(
            (redirect.status, redirect.location.as_deref()),
            (301, Some("/platforms/"))
        );
        assert_eq!(respond(&s, "/platforms/?x=1#y").status, 200);
    }

    #[test]
    fn traversal_is_refused_in_every_spelling() {
        let s = site();
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/..%2fetc%2fpasswd",
            "/a/%2E%2E/%2E%2E/x",
            "/./index.html",
            "//etc/passwd",
            "/a\\..\\b",
            "/%00",
            "/%ff",
            "/%2",
        ] {
            assert_eq!(respond(&s, bad).status, 400, "{bad}");
        }
    }

    #[test]
    fn overlay_shows_the_error_escaped_on_every_page() {
        let mut s = site();
        s.error = Some("content/x.yaml:3:1: unknown field `<b>`".into());
        for path in ["/", "/nope/"] {
            let body = String::from_utf8(respond(&s, path).body.concat()).unwrap();
            assert!(body.contains("id=\"clausebook-error\""), "{path}");
            assert!(body.contains("content/x.yaml:3:1: unknown field `&lt;b&gt;`"));
        }
        let empty = respond(
            &Served {
                files: Arc::new(Output::default()),
                error: Some("boom".into()),
            },
            "/",
        );
        assert_eq!(empty.status, 500);
        assert!(String::from_utf8_lossy(&empty.body.concat()).contains("boom"));
    }
}
