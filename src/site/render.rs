//! One build, in its steps: decide which ticket pages changed (by content, shared-input,
//! history and SLA keys: [`plan_tickets`]), render and write only those and remove what is
//! gone ([`render_tickets`]), bring the Quick Search index up to date (sharded, see
//! `search_store`), make every other page whose key changed ([`other_pages`]: lists,
//! statistics, assets), and record it all in the manifest ([`record_build`]). A full build
//! (no trusted manifest) also clears files it did not write.

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

/// What a build has done so far.
#[derive(Default)]
struct Tally {
    written: usize,
    unchanged: usize,
    removed: usize,
}

/// The tickets to render: their jobs, and the last build's records of the tickets
/// rendered again or gone (taken out of the records, where the unchanged ones stay).
struct Plan {
    jobs: Vec<Job>,
    before: BTreeMap<u64, TicketRecord>,
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
    // The records of unchanged tickets stay; those of tickets rendered again or gone move
    // to the plan's `before`.
    let mut records = std::mem::take(&mut old.tickets);
    let me = site.options.for_login.as_ref();
    let shared_key = content_hash([
        GENERATOR_VERSION.as_bytes(),
        super::ticket_page::ATTACHMENT_NAMING.as_bytes(),
        site.shared.shared_key.as_bytes(),
        site.templates.key.as_bytes(),
        me.map_or("", |l| l.as_str()).as_bytes(),
    ]);
    let mut problems = site.shared.problems.clone();
    let mut audit = Audit::update(&site.input, &cache, (!full).then_some(&old))?;
    let Plan { jobs, before } =
        plan_tickets(site, &shared_key, &mut audit, &mut records, &mut problems)?;
    let mut tally = Tally {
        unchanged: records.values().filter(|r| r.ticket.is_some()).count(),
        ..Tally::default()
    };
    let rendered_ids = render_tickets(
        site,
        jobs.as_slice(),
        audit,
        &out,
        &before,
        &mut records,
        &mut problems,
        &mut tally,
        progress,
    )?;

    // The Quick Search index (its files are written with the other pages below).
    let search_token = content_hash([
        out.path().to_string_lossy().as_bytes(),
        format!("{:?}", std::time::SystemTime::now()).as_bytes(),
        std::process::id().to_string().as_bytes(),
        b"search",
    ]);
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
    for id in &rendered_ids {
        if let Some(r) = records.get_mut(id) {
            r.words = String::new();
        }
    }

    let new_pages = other_pages(
        site,
        &records,
        &shared_key,
        &old.pages,
        search_files,
        &out,
        &mut tally,
        progress,
        jobs.len(),
    )?;
    for path in old.pages.keys() {
        if !new_pages.contains_key(path) {
            tally.removed += usize::from(out.remove(path)?);
        }
    }
    let tickets = records.values().filter(|r| r.ticket.is_some()).count();
    record_build(
        site,
        &out,
        &cache,
        old,
        Built {
            full,
            records,
            pages: new_pages,
            rendered: &rendered_ids,
            before: &before,
            search_token,
        },
        &mut tally,
    )?;
    Ok(BuildSummary {
        written: tally.written,
        unchanged: tally.unchanged,
        removed: tally.removed,
        tickets,
        full,
        out: out.path().to_path_buf(),
        elapsed: started.elapsed(),
        problems,
    })
}

/// Which tickets to render: those whose page key (content, shared inputs, history, SLA
/// cell) differs from the last build's record. Their records, and those of tickets gone
/// since, move out of `records` into the plan.
fn plan_tickets(
    site: &Site<'_>,
    shared_key: &str,
    audit: &mut Audit,
    records: &mut BTreeMap<u64, TicketRecord>,
    problems: &mut Vec<FileError>,
) -> Result<Plan> {
    let keys = site.input.ticket_keys(problems)?;
    let mut before = BTreeMap::new();
    let mut jobs = Vec::new();
    for (id, key) in &keys {
        let rec = records.get(&id.get());
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
            }
            _ => {
                if let Some(r) = records.remove(&id.get()) {
                    before.insert(id.get(), r);
                }
                jobs.push(Job {
                    id: *id,
                    key: key.clone(),
                    page,
                    audit: audit_key,
                });
            }
        }
    }
    let gone: Vec<u64> = records
        .keys()
        .copied()
        .filter(|id| crate::model::TicketId::new(*id).map_or(true, |t| !keys.contains_key(&t)))
        .collect();
    for id in gone {
        if let Some(r) = records.remove(&id) {
            before.insert(id, r);
        }
    }
    audit.preload(jobs.iter().map(|j| j.id))?;
    Ok(Plan { jobs, before })
}

/// Renders the planned ticket pages, puts their records in `records` and removes the
/// files they no longer have (and every file of a ticket gone). Returns the ids rendered.
#[allow(clippy::too_many_arguments)]
fn render_tickets(
    site: &Site<'_>,
    jobs: &[Job],
    audit: Audit,
    out: &OutDir,
    before: &BTreeMap<u64, TicketRecord>,
    records: &mut BTreeMap<u64, TicketRecord>,
    problems: &mut Vec<FileError>,
    tally: &mut Tally,
    progress: &dyn Progress,
) -> Result<BTreeSet<u64>> {
    progress.start(jobs.len() as u64);
    let (rendered, ticket_problems) = ticket_page::render_all(
        &ticket_page::Renderer {
            input: &site.input,
            shared: &site.shared,
            templates: &site.templates,
            me: site.options.for_login.as_ref(),
        },
        jobs,
        &audit,
        out,
        progress,
    )?;
    problems.extend(ticket_problems);
    // Every history is in memory after a full build: free them before the lists.
    drop(audit);
    let mut ids = BTreeSet::new();
    for (id, rec) in rendered {
        if rec.ticket.is_some() {
            tally.written += 1;
        }
        if let Some(last) = before.get(&id.get()) {
            let now: BTreeSet<&String> = rec.files.iter().collect();
            for f in last.files.iter().filter(|f| !now.contains(f)) {
                tally.removed += usize::from(out.remove(f)?);
            }
        }
        ids.insert(id.get());
        records.insert(id.get(), rec);
    }
    for (id, r) in before {
        if !records.contains_key(id) {
            for f in &r.files {
                tally.removed += usize::from(out.remove(f)?);
            }
        }
    }
    Ok(ids)
}

/// Every page but the tickets': lists, statistics, tasks, KB, assets, the Quick Search
/// files. A page whose key is the last build's, and whose file is still there, is neither
/// made nor written. Returns every page's key by path.
#[allow(clippy::too_many_arguments)]
fn other_pages(
    site: &Site<'_>,
    records: &BTreeMap<u64, TicketRecord>,
    shared_key: &str,
    old_pages: &BTreeMap<String, String>,
    search_files: Vec<search_store::SearchFile>,
    out: &OutDir,
    tally: &mut Tally,
    progress: &dyn Progress,
    ticket_jobs: usize,
) -> Result<BTreeMap<String, String>> {
    let me = site.options.for_login.as_ref();
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
    progress.start((ticket_jobs + pages.len() + lazy.len()) as u64);
    let mut new_pages: BTreeMap<String, String> = BTreeMap::new();
    let mut emit = |path: String, key: String, make: &dyn Fn() -> Result<Vec<u8>>| -> Result<()> {
        if old_pages.get(&path) == Some(&key) && out.exists(&path) {
            tally.unchanged += 1;
        } else {
            out.write(&path, &make()?)?;
            tally.written += 1;
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
                if let Some(key) = old_pages.get(&f.path).cloned() {
                    let missing = out.path().join(&f.path);
                    emit(f.path, key, &|| {
                        Err(SiteError::io(&missing, std::io::ErrorKind::NotFound.into()))
                    })?;
                }
            }
        }
    }
    progress.finish();
    Ok(new_pages)
}

/// What a build made, for its manifest.
struct Built<'b> {
    full: bool,
    records: BTreeMap<u64, TicketRecord>,
    pages: BTreeMap<String, String>,
    rendered: &'b BTreeSet<u64>,
    before: &'b BTreeMap<u64, TicketRecord>,
    search_token: String,
}

/// Records the build in its manifest (unless nothing changed); a full build also clears
/// the files it did not write.
fn record_build(
    site: &Site<'_>,
    out: &OutDir,
    cache: &Path,
    old: Manifest,
    b: Built<'_>,
    tally: &mut Tally,
) -> Result<()> {
    let full = b.full;
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
        let keep: BTreeSet<&str> = b
            .pages
            .keys()
            .map(String::as_str)
            .chain(
                b.records
                    .values()
                    .flat_map(|r| r.files.iter().map(String::as_str)),
            )
            .collect();
        let mut present = Vec::new();
        files_below(out.path(), "", &mut present)?;
        for f in present.iter().filter(|f| !keep.contains(f.as_str())) {
            tally.removed += usize::from(out.remove(f)?);
        }
    }
    let head = site.input.head().map(|h| h.to_string());
    // Nothing rendered, removed or moved on: the recorded manifest is still exact (and at
    // 100k tickets writing it again is a good part of a no-op build).
    let same = !full
        && tally.written == 0
        && tally.removed == 0
        && head == old.head
        && b.pages == old.pages
        && Some(&b.search_token) == old.search.as_ref();
    if same {
        return Ok(());
    }
    crate::failpoint::hit("site.manifest");
    let bucket = |id: &u64| crate::model::TicketId::new(*id).ok().map(|t| t.bucket());
    let dirty: BTreeSet<String> = if full {
        b.records.keys().filter_map(bucket).collect()
    } else {
        b.rendered
            .iter()
            .chain(b.before.keys())
            .filter_map(bucket)
            .collect()
    };
    let manifest = Manifest {
        version: GENERATOR_VERSION.into(),
        build_id: build_id.clone(),
        head,
        tickets: b.records,
        pages: b.pages,
        search: Some(b.search_token.clone()),
        buckets: if full { BTreeMap::new() } else { old.buckets },
    };
    let records_token = content_hash([
        build_id.as_bytes(),
        b.search_token.as_bytes(),
        format!("{:?}", std::time::SystemTime::now()).as_bytes(),
    ]);
    manifest.save(cache, &dirty, &records_token)?;
    out.set_marker(&build_id)
}
