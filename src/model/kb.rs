//! Knowledge-base articles (`kb/<slug>.md`): YAML front matter, then a Markdown body.

use serde::{Deserialize, Serialize};

use super::{Extra, Login, Timestamp};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KbFront {
    pub title: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub author: Option<Login>,
    #[serde(default)]
    pub updated: Option<Timestamp>,
    #[serde(skip)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KbArticle {
    pub slug: super::Slug,
    pub front: KbFront,
    pub body: String,
}
