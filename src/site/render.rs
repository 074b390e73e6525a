//! One build: decide which pages changed (ticket pages by content, shared-input and history
//! keys; every other page by a key of its template and context), render and write only
//! those, remove what is gone, write the quick-search index (sharded, see `search`), and record it all in the
//! manifest. A full build (no trusted manifest) also clears files it did not write.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::audit::Audit;
use super::data::Shared;
use super::manifest::{self, Manifest, TicketRecord};
use super::output::{OutDir, MARKER};
use super::pages;
use super::search_store;
use super::stats;
use super::ticket_page::{self, Job};
use super::{Progress, Result, Site, SiteError, GENERATOR_VERSION};
use crate::model::Login;
use crate::store::history::content_hash;
use crate::store::{layout, FileError};

/// What a build did.
#[derive(Debug, Clone)]
pub struct BuildSummary {
    /// Pages rendered and written (attachments not counted).
    pub written: usize,
    /// Pages whose inputs had not changed: neither rendered nor written.
    pub unchanged: usize,
    /// Files removed (pages of deleted tickets and their attachments, pages that are gone).
    pub removed: usize,
    /// Ticket pages in the site.
    pub tickets: usize,
    /// No usable manifest: everything was rendered.
    pub full: bool,
    pub out: PathBuf,
    pub elapsed: Duration,
    /// Files that could not be read (their pages are missing or incomplete).
    pub problems: Vec<FileError>,
}

/// The context every page gets: the site, the way back to the site's root, the page, and
/// the `--for` technician.
pub fn page_context(
    shared: &Shared,
    me: Option<&Login>,
    path: &str,
    title: &str,
    section: &str,
    ctx: Value,
) -> Value {
    let mut ctx = match ctx {
        Value::Object(m) => m,
        other => {
            let mut m = serde_json::Map::new();
            m.insert("data".into(), other);
            m
        }
    };
    let s = &shared.settings;
    ctx.insert(
        "root".into(),
        json!("../".repeat(path.matches('/').count())),
    );
    ctx.insert(
        "site".into(),
        json!({"title": s.site.title.clone().unwrap_or_else(|| s.name.clone()), "name": s.name,
               "support_email": s.support_email.to_string()}),
    );
    ctx.insert(
        "page".into(),
        json!({"path": path, "title": title, "section": section}),
    );
    ctx.insert("for_login".into(), json!(me.map(|l| l.as_str())));
    ctx.insert(
        "for_name".into(),
        json!(me
            .and_then(|l| shared.staff(l.as_str()))
            .map(|s| s.display_name())),
    );
    Value::Object(ctx)
}

/// Files under `dir` (site-relative), for the clean-up after a full build.
fn files_below(dir: &Path, rel: &str, out: &mut Vec<String>) -> Result<()> {
    let rd = std::fs::read_dir(dir).map_err(|e| SiteError::io(dir, e))?;
    for e in rd {
        let e = e.map_err(|e| SiteError::io(dir, e))?;
        let name = e.file_name().to_string_lossy().into_owned();
        let r = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            files_below(&e.path(), &r, out)?;
        } else if r != MARKER {
            out.push(r);
        }
    }
    Ok(())
}

/// One build; `full` ignores the last build's manifest.
pub fn build(site: &Site<'_>, full: bool, progress: &dyn Progress) -> Result<BuildSummary> {
    let started = Instant::now();
    let out = OutDir::prepare(&site.options.out, site.desk)?;
    let cache = manifest::cache_dir(site.desk, out.path());
    let old = if full {
        None
    } else {
        Manifest::load(&cache, out.marker.as_deref())
            .filter(|m| search_store::trusted(&cache, m.search.as_deref()))
    };
    let full = old.is_none();
    let mut old = old.unwrap_or_default();
    // The records of unchanged tickets move to this build's; what stays in `before` is
    // the last build's record of every ticket rendered again or gone.
    let mut before = std::mem::take(&mut old.tickets);
    let me = site.options.for_login.as_ref();
    let shared_key = content_hash([
        GENERATOR_VERSION.as_bytes(),
        super::ticket_page::ATTACHMENT_NAMING.as_bytes(),
        site.shared.shared_key.as_bytes(),
        site.templates.key.as_bytes(),
        me.map_or("", |l| l.as_str()).as_bytes(),
    ]);
    let mut problems = site.shared.problems.clone();
    let keys = site.input.ticket_keys(&mut problems)?;
    let mut audit = Audit::update(&site.input, &cache, (!full).then_some(&old))?;

    // Ticket pages.
    let mut records: BTreeMap<u64, TicketRecord> = BTreeMap::new();
    let mut jobs = Vec::new();
    for (id, key) in &keys {
        let rec = before.get(&id.get());
        let audit_key = audit.key(*id, rec.map(|r| r.audit.as_str()))?;
        // The SLA state changes with the clock, not the files: part of the page's key.
        let sla = site
            .shared
            .sla
            .get(&id.get())
            .map(|c| c.key())
            .unwrap_or_default();
        let page = content_hash([
            key.as_bytes(),
            shared_key.as_bytes(),
            audit_key.as_bytes(),
            sla.as_bytes(),
        ]);
        match rec {
            Some(r) if r.page == page => {
                if let Some(p) = &r.problem {
                    problems.push(FileError {
                        path: layout::ticket_file(*id),
                        line: None,
                        column: None,
                        message: p.clone(),
                    });
                }
                if let Some(r) = before.remove(&id.get()) {
                    records.insert(id.get(), r);
                }
            }
            _ => jobs.push(Job {
                id: *id,
                key: key.clone(),
                page,
                audit: audit_key,
            }),
        }
    }
    let mut unchanged = records.values().filter(|r| r.ticket.is_some()).count();
    audit.preload(jobs.iter().map(|j| j.id))?;
    progress.start(jobs.len() as u64);
    let (rendered, ticket_problems) = ticket_page::render_all(
        &ticket_page::Renderer {
            input: &site.input,
            shared: &site.shared,
            templates: &site.templates,
            me,
        },
        &jobs,
        &audit,
        &out,
        progress,
    )?;
    problems.extend(ticket_problems);
    // Every history is in memory after a full build: free them before the lists.
    drop(audit);
    let mut written = 0;
    let mut removed = 0;
    let rendered_ids: Vec<u64> = rendered.iter().map(|(id, _)| id.get()).collect();
    for (id, rec) in rendered {
        if rec.ticket.is_some() {
            written += 1;
        }
        if let Some(last) = before.get(&id.get()) {
            let now: BTreeSet<&String> = rec.files.iter().collect();
            for f in last.files.iter().filter(|f| !now.contains(f)) {
                removed += usize::from(out.remove(f)?);
            }
        }
        records.insert(id.get(), rec);
    }
    for (id, r) in &before {
        if !records.contains_key(id) {
            for f in &r.files {
                removed += usize::from(out.remove(f)?);
            }
        }
    }

    // The Quick Search index (its files are written with the other pages below).
    let search_token = content_hash([
        out.path().to_string_lossy().as_bytes(),
        format!("{:?}", std::time::SystemTime::now()).as_bytes(),
        std::process::id().to_string().as_bytes(),
        b"search",
    ]);
    let rendered_ids: BTreeSet<u64> = rendered_ids.into_iter().collect();
    let present = |path: &str| old.pages.contains_key(path) && out.exists(path);
    let (search_files, search_token) = search_store::update(&search_store::Update {
        cache: &cache,
        everything: full || records.keys().all(|id| rendered_ids.contains(id)),
        old: &before,
        records: &records,
        rendered: &rendered_ids,
        shared: &site.shared,
        present: &present,
        token: &search_token,
    })?;
    // The words served their purpose: the rest of the build does not need them.
    for r in records.values_mut() {
        r.words = String::new();
    }

    // Every other page.
    let tickets: Vec<super::rows::Item> = records
        .values()
        .filter_map(|r| r.ticket.as_ref().map(|t| (t, r.thread.as_ref())))
        .collect();
    let today = site.options.now.date();
    let page_key = |id: crate::model::TicketId| -> &str {
        records.get(&id.get()).map_or("", |r| r.page.as_str())
    };
    let mut data = crate::ops::stats::load(site.desk)?;
    // Running SLA targets breach by the build's moment, not by the end of today.
    data.now = Some(site.options.now);
    let (mut pages, mut lazy) = pages::all(&site.shared, &tickets, me, site.options.now, &page_key);
    let (stats_pages, stats_lazy) = stats::pages(&site.shared, &data, today, site.options.now);
    pages.extend(stats_pages);
    lazy.extend(stats_lazy);
    progress.start((jobs.len() + pages.len() + lazy.len()) as u64);
    let mut new_pages: BTreeMap<String, String> = BTreeMap::new();
    let mut emit = |path: String, key: String, make: &dyn Fn() -> Result<Vec<u8>>| -> Result<()> {
        if old.pages.get(&path) == Some(&key) && out.exists(&path) {
            unchanged += 1;
        } else {
            out.write(&path, &make()?)?;
            written += 1;
            crate::failpoint::hit("site.page");
        }
        new_pages.insert(path, key);
        Ok(())
    };
    for p in pages {
        let ctx = page_context(&site.shared, me, &p.path, &p.title, p.section, p.ctx);
        let bytes = serde_json::to_vec(&ctx).unwrap_or_default();
        let key = content_hash([p.template.as_bytes(), site.templates.key.as_bytes(), &bytes]);
        emit(p.path, key, &|| {
            Ok(site.templates.render(p.template, &ctx)?.into_bytes())
        })?;
        progress.advance(1);
    }
    for p in lazy {
        let key = content_hash([
            p.template.as_bytes(),
            site.templates.key.as_bytes(),
            shared_key.as_bytes(),
            p.path.as_bytes(),
            p.title.as_bytes(),
            p.key.as_bytes(),
        ]);
        emit(p.path.clone(), key, &|| {
            let ctx = page_context(&site.shared, me, &p.path, &p.title, p.section, (p.make)());
            Ok(site.templates.render(p.template, &ctx)?.into_bytes())
        })?;
        progress.advance(1);
    }
    for (name, bytes) in &site.templates.assets {
        emit(
            format!("assets/{name}"),
            content_hash([bytes.as_slice()]),
            &|| Ok(bytes.clone()),
        )?;
    }
    // The build time, for the "as of" line of pages that are not rendered on every build.
    let built = super::dashboard::built_script(site.options.now);
    emit(
        "assets/built.js".into(),
        content_hash([built.as_slice()]),
        &|| Ok(built.clone()),
    )?;
    for f in search_files {
        match f.bytes {
            Some(bytes) => emit(f.path, content_hash([bytes.as_slice()]), &|| {
                Ok(bytes.clone())
            })?,
            // Checked present above: kept with its key (gone since, it is an error).
            None => {
                if let Some(key) = old.pages.get(&f.path).cloned() {
                    let missing = out.path().join(&f.path);
                    emit(f.path, key, &|| {
                        Err(SiteError::io(&missing, std::io::ErrorKind::NotFound.into()))
                    })?;
                }
            }
        }
    }
    progress.finish();
    for path in old.pages.keys() {
        if !new_pages.contains_key(path) {
            removed += usize::from(out.remove(path)?);
        }
    }

    // Record the build; a full build also clears files it did not write.
    let build_id = if full {
        content_hash([
            out.path().to_string_lossy().as_bytes(),
            format!("{:?}", std::time::SystemTime::now()).as_bytes(),
            std::process::id().to_string().as_bytes(),
        ])
    } else {
        old.build_id.clone()
    };
    if full && out.marker.is_some() {
        let keep: BTreeSet<&str> = new_pages
            .keys()
            .map(String::as_str)
            .chain(
                records
                    .values()
                    .flat_map(|r| r.files.iter().map(String::as_str)),
            )
            .collect();
        let mut present = Vec::new();
        files_below(out.path(), "", &mut present)?;
        for f in present.iter().filter(|f| !keep.contains(f.as_str())) {
            removed += usize::from(out.remove(f)?);
        }
    }
    let tickets = records.values().filter(|r| r.ticket.is_some()).count();
    let head = site.input.head().map(|h| h.to_string());
    // Nothing rendered, removed or moved on: the recorded manifest is still exact (and at
    // 100k tickets writing it again is a good part of a no-op build).
    let same = !full
        && written == 0
        && removed == 0
        && head == old.head
        && new_pages == old.pages
        && Some(&search_token) == old.search.as_ref();
    if !same {
        crate::failpoint::hit("site.manifest");
        let dirty: BTreeSet<String> = if full {
            records
                .keys()
                .filter_map(|id| crate::model::TicketId::new(*id).ok())
                .map(|id| id.bucket())
                .collect()
        } else {
            rendered_ids
                .iter()
                .chain(before.keys())
                .filter_map(|id| crate::model::TicketId::new(*id).ok())
                .map(|id| id.bucket())
                .collect()
        };
        let manifest = Manifest {
            version: GENERATOR_VERSION.into(),
            build_id: build_id.clone(),
            head,
            tickets: records,
            pages: new_pages,
            search: Some(search_token.clone()),
            buckets: if full { BTreeMap::new() } else { old.buckets },
        };
        let records_token = content_hash([
            build_id.as_bytes(),
            search_token.as_bytes(),
            format!("{:?}", std::time::SystemTime::now()).as_bytes(),
        ]);
        manifest.save(&cache, &dirty, &records_token)?;
        out.set_marker(&build_id)?;
    }
    Ok(BuildSummary {
        written,
        unchanged,
        removed,
        tickets,
        full,
        out: out.path().to_path_buf(),
        elapsed: started.elapsed(),
        problems,
    })
}
