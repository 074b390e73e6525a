//! The site's templates and static assets: the defaults from the project's
//! `site-templates/` folder are compiled into the binary, and a desk's own
//! `site-templates/` folder overrides any of them by file name (a `.html` file is a
//! template, anything else an asset copied to `assets/`). HTML templates are autoescaped;
//! the filters here format times, durations and sizes.

use std::collections::BTreeMap;

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;

use super::{Result, SiteError};
use crate::store::history::content_hash;
use crate::store::Source;

/// The folder of a desk (and of this project) that holds templates and assets.
pub const DIR: &str = "site-templates";

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../site-templates/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = embedded![
    "base.html",
    "macros.html",
    "index.html",
    "ticket.html",
    "queue.html",
    "staff.html",
    "queues.html",
    "staff-index.html",
    "customer.html",
    "tasks.html",
    "task.html",
    "kb.html",
    "kb-article.html",
    "closed.html",
    "closed-month.html",
    "stats.html",
    "inbox.html",
];

const ASSETS: &[(&str, &str)] = embedded!["style.css", "search.js"];

pub struct Templates {
    env: Environment<'static>,
    /// A key of every template and asset: a change to any re-renders everything.
    pub key: String,
    /// Asset file name → bytes.
    pub assets: BTreeMap<String, Vec<u8>>,
}

impl Templates {
    /// The defaults, overridden by the files of `desk`'s `site-templates/` folder.
    pub fn load(desk: &dyn Source) -> Result<Templates> {
        let mut templates: BTreeMap<String, String> = TEMPLATES
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect();
        let mut assets: BTreeMap<String, Vec<u8>> = ASSETS
            .iter()
            .map(|(n, s)| (n.to_string(), s.as_bytes().to_vec()))
            .collect();
        for e in desk.list(DIR)? {
            if e.is_dir {
                continue;
            }
            let path = format!("{DIR}/{}", e.name);
            let Some(bytes) = desk.read(&path)? else {
                continue;
            };
            if e.name.ends_with(".html") {
                let text = String::from_utf8(bytes).map_err(|_| SiteError::Template {
                    name: path.clone(),
                    message: "not UTF-8 text".into(),
                })?;
                templates.insert(e.name, text);
            } else {
                assets.insert(e.name, bytes);
            }
        }
        let mut parts: Vec<&[u8]> = Vec::new();
        for (n, s) in &templates {
            parts.push(n.as_bytes());
            parts.push(s.as_bytes());
        }
        for (n, b) in &assets {
            parts.push(n.as_bytes());
            parts.push(b);
        }
        let key = content_hash(parts);
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
        {
            env.set_syntax(syntax);
        }
        env.add_filter("when", when);
        env.add_filter("day", day);
        env.add_filter("duration", duration);
        env.add_filter("size", size);
        for (name, source) in templates {
            let n = format!("{DIR}/{name}");
            env.add_template_owned(name, source)
                .map_err(|e| SiteError::template(&n, e))?;
        }
        Ok(Templates { env, key, assets })
    }

    /// Renders template `name` with `ctx`.
    pub fn render(&self, name: &str, ctx: &impl Serialize) -> Result<String> {
        let t = self
            .env
            .get_template(name)
            .map_err(|e| SiteError::template(name, e))?;
        t.render(minijinja::value::Serde(ctx))
            .map_err(|e| SiteError::template(name, e))
    }
}

/// `2026-11-27T17:45:01Z` → `2026-11-27 17:45`
fn when(ts: Option<String>) -> String {
    match ts {
        Some(s) if s.len() >= 16 => format!("{} {}", &s[..10], &s[11..16]),
        Some(s) => s,
        None => String::new(),
    }
}

/// `2026-11-27T17:45:01Z` → `2026-11-27`
fn day(ts: Option<String>) -> String {
    ts.map(|s| s.chars().take(10).collect()).unwrap_or_default()
}

/// Seconds → `45 min`, `3 h 20 min`, `2 d 4 h`.
pub fn duration(secs: Option<i64>) -> String {
    let Some(s) = secs else {
        return "–".into();
    };
    let m = s.max(0) / 60;
    let (d, h, m) = (m / 1440, (m / 60) % 24, m % 60);
    if d > 0 {
        format!("{d} d {h} h")
    } else if h > 0 {
        format!("{h} h {m} min")
    } else {
        format!("{m} min")
    }
}

/// Bytes → `767 B`, `48.2 KiB`, `3.1 MiB`.
fn size(n: u64) -> String {
    if n < 1024 {
        format!("{n} B")
    } else if n < 1024 * 1024 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", n as f64 / (1024.0 * 1024.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_format_values() {
        assert_eq!(
            when(Some("2026-11-27T17:45:01Z".into())),
            "2026-11-27 17:45"
        );
        assert_eq!(day(Some("2026-11-27T17:45:01Z".into())), "2026-11-27");
        assert_eq!(duration(Some(45 * 60)), "45 min");
        assert_eq!(duration(Some(3 * 3600 + 20 * 60)), "3 h 20 min");
        assert_eq!(duration(Some(2 * 86400 + 4 * 3600)), "2 d 4 h");
        assert_eq!(duration(None), "–");
        assert_eq!(size(767), "767 B");
        assert_eq!(size(49357), "48.2 KiB");
    }

    #[test]
    fn values_are_escaped_and_overrides_win() {
        struct Over;
        impl Source for Over {
            fn read(&self, path: &str) -> crate::store::Result<Option<Vec<u8>>> {
                Ok((path == "site-templates/inbox.html").then(|| b"<p>{{ x }}</p>".to_vec()))
            }
            fn list(&self, dir: &str) -> crate::store::Result<Vec<crate::store::DirEntry>> {
                Ok(if dir == DIR {
                    vec![crate::store::DirEntry {
                        name: "inbox.html".into(),
                        is_dir: false,
                    }]
                } else {
                    vec![]
                })
            }
        }
        let t = Templates::load(&Over).unwrap();
        let out = t
            .render(
                "inbox.html",
                &serde_json::json!({"x": "<script>alert(1)</script>"}),
            )
            .unwrap();
        assert_eq!(out, "<p>&lt;script&gt;alert(1)&lt;&#x2f;script&gt;</p>");
    }
}
