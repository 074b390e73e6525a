//! Knowledge-base Markdown to HTML, treating the text as untrusted: the HTML pulldown-cmark
//! makes (raw HTML in the Markdown included) goes through the `ammonia` sanitiser, which
//! keeps the harmless tags (`<kbd>`, `<details>`, `<br>`, tables, …) and drops scripts,
//! styles, event handlers and any link or image target other than `http`, `https`,
//! `mailto` and relative ones (a link it drops is left as plain text, never as a dead
//! `#`). A relative link to another article (`other-article.md`) points at its page
//! (`other-article.html`).

use std::collections::HashSet;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};

/// The HTML of `markdown`, safe to insert into a page.
pub fn to_html(markdown: &str) -> String {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(markdown, opts).map(|ev| match ev {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_url(dest_url),
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
            dest_url: safe_url(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    ammonia::Builder::default()
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer"))
        .clean(&html)
        .to_string()
}

fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    // Browsers ignore tabs, newlines and leading spaces in URLs: so must the check.
    let clean: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect();
    let scheme_end = clean.find(':');
    let path_start = clean.find(['/', '?', '#']).unwrap_or(clean.len());
    match scheme_end {
        Some(i) if i < path_start => {
            let scheme = clean[..i].to_ascii_lowercase();
            if ["http", "https", "mailto"].contains(&scheme.as_str()) {
                CowStr::from(clean)
            } else {
                // ammonia removes it (and the link with it).
                CowStr::from("javascript:void(0)")
            }
        }
        _ => {
            // Relative: another article's Markdown file → its page.
            let split = clean.find(['?', '#']).unwrap_or(clean.len());
            let (path, rest) = clean.split_at(split);
            match path.strip_suffix(".md") {
                Some(stem) if !stem.is_empty() && !stem.contains('/') => {
                    CowStr::from(format!("{stem}.html{rest}"))
                }
                _ => CowStr::from(clean),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_sanitised_not_shown_as_text() {
        let html = to_html("Hi <script>alert(1)</script> **there** press <kbd>Ctrl</kbd>\n\n<div onclick=x>y</div>\n\n<img src=x onerror=alert(1)>\n");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("alert(1)"), "{html}");
        assert!(
            !html.contains("onclick") && !html.contains("onerror"),
            "{html}"
        );
        assert!(!html.contains("&lt;kbd&gt;"), "{html}");
        assert!(html.contains("<kbd>Ctrl</kbd>"), "{html}");
        assert!(html.contains("<div>y</div>"), "{html}");
        assert!(html.contains("<strong>there</strong>"), "{html}");
    }

    #[test]
    fn dangerous_links_are_dropped() {
        let html = to_html("[a](javascript:alert(1)) [b]( JaVa\tScRiPt:x) ![c](data:image/png;base64,xx) [d](https://example.com/x) [e](other.md#part) [f](mailto:a@b.example)");
        assert!(!html.to_lowercase().contains("javascript"), "{html}");
        assert!(!html.contains("href=\"#\""), "no dead link: {html}");
        assert!(
            html.contains("<a rel=\"noopener noreferrer\">a</a>") || html.contains(">a</a>"),
            "{html}"
        );
        assert!(!html.contains("data:"), "{html}");
        assert!(html.contains("href=\"https://example.com/x\""), "{html}");
        assert!(html.contains("href=\"other.html#part\""), "{html}");
        assert!(html.contains("href=\"mailto:a@b.example\""), "{html}");
    }
}
