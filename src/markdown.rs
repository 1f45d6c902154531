//! Markdown from content to safe HTML, and escaping for the HTML built in Rust.
//!
//! pulldown-cmark passes raw HTML through, so every result goes through ammonia, which removes
//! scripts, event handlers, `javascript:` URLs, iframes and styles.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

/// Renders content Markdown to sanitised HTML. Root-relative links (`/methodology/`) are
/// prefixed with `root` (the base URL's path) so they keep working when a site lives in a subfolder.
pub fn render(markdown: &str, root: &str) -> String {
    let prefix = root.trim_end_matches('/');
    let rebase = |url: CowStr<'static>| -> CowStr<'static> {
        if url.starts_with('/') && !url.starts_with("//") && !prefix.is_empty() {
            format!("{prefix}{url}").into()
        } else {
            url
        }
    };
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let parser = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: rebase(dest_url.into_static()),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: rebase(dest_url.into_static()),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, parser);
    clean(&out)
}

/// Removes everything unsafe from an HTML fragment: scripts, styles, frames, event handlers,
/// `javascript:` URLs.
fn clean(html: &str) -> String {
    ammonia::Builder::default()
        // Only web links: no `mailto:`, `data:`, `ftp:` or any other scheme reaches a page.
        .url_schemes(["http", "https"].into())
        .link_rel(Some("noopener noreferrer"))
        .clean(html)
        .to_string()
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Substitutes `{site}`, `{platform}` and `{owner}` in a Markdown text (SPEC §2). The names are
/// plain text, so they are escaped for Markdown: a platform called `<img src=x>` or
/// `[x](https://evil.example/)` reads as written and never becomes markup or a link.
pub fn substitute(text: &str, site: &str, platform: &str, owner: &str) -> String {
    text.replace("{site}", &literal(site))
        .replace("{platform}", &literal(platform))
        .replace("{owner}", &literal(owner))
}

/// Plain text as Markdown that renders as that text: every ASCII punctuation mark is
/// backslash-escaped and line breaks become spaces, so no block or inline syntax can start.
fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
            out.push(c);
        } else if c.is_control() {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_and_script_urls_are_removed() {
        let html = render(
            "Hi <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) <iframe src=\"//evil\"></iframe>",
            "/",
        );
        for bad in ["<script", "onerror", "javascript:", "<iframe", "alert(1)</"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
    }

    #[test]
    fn root_relative_links_follow_the_base_path() {
        let html = render(
            "[m](/methodology/) [e](https://e.org/) [r](rel/)",
            "/atlas/",
        );
        assert!(html.contains("href=\"/atlas/methodology/\""), "{html}");
        assert!(html.contains("href=\"https://e.org/\""));
        assert!(html.contains("href=\"rel/\""));
        assert!(render("[m](/m/)", "/").contains("href=\"/m/\""));
    }

    #[test]
    fn placeholders() {
        assert_eq!(
            substitute("{site} / {owner}'s {platform}", "Atlas", "AWS", "Amazon"),
            "Atlas / Amazon's AWS"
        );
    }
}
