//! `init`: makes a desk. Runs `git init` where the directory is not yet a repository, then
//! makes the first desk commit: either a fresh desk (desk.yaml, the default queue and the
//! first main admin) or a copy of a sample desk (`--from example-repo`).

use crate::model::Op;
use std::path::{Path, PathBuf};

use crate::context::Context;
use crate::model::{Email, Login, Queue, Role, Settings, Slug, Staff};
use crate::store::{layout, yaml, CommitMessage, Desk, Identity, StoreError};

use super::error::{OpError, Result};

#[derive(Debug, Clone)]
pub struct InitOptions {
    pub dir: PathBuf,
    /// Copy this sample desk instead of making a fresh one.
    pub from: Option<PathBuf>,
    /// Fresh desk: its name, the support address, the first main admin.
    pub name: Option<String>,
    pub support_email: Option<Email>,
    pub admin: Option<Login>,
    pub admin_name: Option<String>,
    pub admin_email: Option<Email>,
    /// The admin's SSH public key (a `.pub` line): their signing key from the first
    /// commit on, so a signed desk verifies from its start.
    pub admin_key: Option<String>,
    /// Make a bare repository (for a server).
    pub bare: bool,
}

pub struct Initialised {
    pub desk: Desk,
    pub files: usize,
}

/// Files bigger than this are not copied from a sample (attachments have their own limit).
const SAMPLE_FILE_MAX: u64 = 50 * 1024 * 1024;

pub fn init(
    ctx: &Context,
    opts: InitOptions,
    git_name: Option<String>,
    git_email: Option<String>,
) -> Result<Initialised> {
    // The sample is read and its settings parsed before anything is made on disk.
    let sample = match &opts.from {
        Some(from) => Some(read_sample(from)?),
        None => None,
    };
    let dir = &opts.dir;
    let made_dir = !dir.exists();
    let made_repo = !opts.bare && !dir.join(".git").exists();
    let r = make(ctx, &opts, sample, git_name, git_email);
    if r.is_err() {
        // A failed init leaves nothing behind that it made: no directory, no `.git`.
        if made_dir {
            let _ = std::fs::remove_dir_all(dir);
        } else if made_repo {
            let _ = std::fs::remove_dir_all(dir.join(".git"));
        }
    }
    r
}

/// Every file of the sample at `from`, once its desk.yaml is known to parse.
fn read_sample(from: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let files = collect_sample(from)?;
    let settings_bytes = files
        .iter()
        .find(|(p, _)| p == layout::DESK_FILE)
        .map(|(_, b)| b.clone())
        .ok_or_else(|| {
            OpError::invalid("--from", format!("{} has no desk.yaml", from.display()))
        })?;
    let path = from.join(layout::DESK_FILE);
    let _: Settings =
        yaml::parse(&path.to_string_lossy(), &settings_bytes).map_err(StoreError::from)?;
    Ok(files)
}

fn make(
    ctx: &Context,
    opts: &InitOptions,
    sample: Option<Vec<(String, Vec<u8>)>>,
    git_name: Option<String>,
    git_email: Option<String>,
) -> Result<Initialised> {
    let dir = &opts.dir;
    std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
    if dir.join(layout::DESK_FILE).exists() && !dir.join(".git").exists() {
        return Err(OpError::State(format!(
            "{} already holds a desk.yaml; run init in a new directory",
            dir.display()
        )));
    }
    let is_repo =
        dir.join(".git").exists() || (dir.join("HEAD").is_file() && dir.join("objects").is_dir());
    if !is_repo {
        let r = if opts.bare {
            gix::init_bare(dir)
        } else {
            gix::init(dir)
        };
        r.map_err(|e| StoreError::git(format!("git init {}", dir.display()), e))?;
        enable_fast_index(dir, opts.bare);
    }
    // Open as a repository even though there is no desk.yaml yet.
    let desk = open_new(dir)?;
    if desk.head_tree()?.is_some_and(|_| has_desk_yaml(&desk)) {
        return Err(OpError::State(format!(
            "{} is already a desk",
            desk.root().display()
        )));
    }

    let mut tx = desk.begin_initial(ctx.now())?;
    let (identity, actor, files) = match sample {
        Some(files) => {
            let n = files.len();
            for (p, b) in files {
                tx.put(p, b);
            }
            let identity = Identity {
                name: git_name.clone().unwrap_or_else(|| "git-desk".into()),
                email: git_email
                    .clone()
                    .unwrap_or_else(|| "git-desk@desk.invalid".into()),
            };
            (identity, "init".to_string(), n)
        }
        None => {
            let admin_email = opts
                .admin_email
                .clone()
                .or_else(|| git_email.as_deref().and_then(|e| e.parse().ok()));
            let admin = match &opts.admin {
                Some(a) => a.clone(),
                None => admin_email
                    .as_ref()
                    .and_then(|e| crate::model::author_tag(e.as_str()).parse().ok())
                    .unwrap_or_else(|| "admin".parse().expect("valid login")),
            };
            let support = opts
                .support_email
                .clone()
                .or_else(|| {
                    admin_email
                        .as_ref()
                        .and_then(|e| format!("support@{}", e.domain()).parse().ok())
                })
                .unwrap_or_else(|| "support@example.com".parse().expect("valid address"));
            let name = opts.name.clone().unwrap_or_else(|| "Help Desk".into());
            let general: Slug = "general".parse().expect("valid slug");
            let settings = Settings::new(name, support.clone(), general.clone());
            let mut queue = Queue::new(general.clone(), "General".into());
            queue.email = Some(support);
            let mut staff = Staff::new(admin.clone(), Role::Main);
            staff.name = opts.admin_name.clone().or(git_name.clone());
            staff.email = admin_email;
            if let Some(k) = &opts.admin_key {
                staff.signing_key = Some(super::staff::ssh_key_line(k)?);
            }
            tx.put_yaml(layout::DESK_FILE, &settings);
            tx.put_yaml(layout::queue(&general), &queue);
            tx.put_yaml(layout::staff(&admin), &staff);
            (Identity::of(&staff), admin.to_string(), 3)
        }
    };
    let subject = match &opts.from {
        Some(s) => format!(
            "desk: init from {}",
            s.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ),
        None => "desk: init".into(),
    };
    tx.commit(
        &identity,
        &CommitMessage::new(Op::DeskInit, &actor, subject),
    )?;
    let desk = Desk::open(dir)?;
    Ok(Initialised { desk, files })
}

fn open_new(dir: &Path) -> Result<Desk> {
    // Desk::open insists on desk.yaml; before the first commit we need the bare handle.
    match Desk::open(dir) {
        Ok(d) => Ok(d),
        Err(StoreError::NotADesk(_)) => Ok(Desk::open_repository(dir)?),
        Err(e) => Err(e.into()),
    }
}

fn has_desk_yaml(desk: &Desk) -> bool {
    desk.reader_at("HEAD")
        .ok()
        .and_then(|t| {
            crate::store::Source::read(&t, layout::DESK_FILE)
                .ok()
                .flatten()
        })
        .is_some()
}

/// `index.skipHash`: git (≥ 2.40) and gix then skip hashing the whole index on every write,
/// which is most of the cost of a commit on a large desk. `splitIndex.maxPercentChange =
/// 100` lets the commit engine keep a large index split (see `store::index`) while git never
/// writes a shared index itself, which it would name wrongly with `skipHash` on.
fn enable_fast_index(dir: &Path, bare: bool) {
    if bare {
        return;
    }
    let config = dir.join(".git").join("config");
    if let Ok(mut text) = std::fs::read_to_string(&config) {
        if !text.contains("skipHash") {
            text.push_str("[index]\n\tskipHash = true\n");
            text.push_str("[splitIndex]\n\tmaxPercentChange = 100\n");
            let _ = std::fs::write(&config, text);
        }
    }
}

/// Every file of a sample desk (hidden files and folders skipped), as desk paths.
fn collect_sample(root: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    if !root.join(layout::DESK_FILE).is_file() {
        return Err(OpError::invalid(
            "--from",
            format!("{} is not a desk (no desk.yaml)", root.display()),
        ));
    }
    let mut out = Vec::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        let rd = std::fs::read_dir(&dir).map_err(|e| StoreError::io(&dir, e))?;
        for entry in rd {
            let entry = entry.map_err(|e| StoreError::io(&dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let path = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let ft = entry
                .file_type()
                .map_err(|e| StoreError::io(entry.path(), e))?;
            if ft.is_dir() {
                stack.push((entry.path(), path));
            } else if ft.is_file() {
                let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
                if len > SAMPLE_FILE_MAX {
                    return Err(OpError::invalid(
                        "--from",
                        format!("{path} is larger than {SAMPLE_FILE_MAX} bytes"),
                    ));
                }
                let bytes =
                    std::fs::read(entry.path()).map_err(|e| StoreError::io(entry.path(), e))?;
                out.push((path, bytes));
            }
        }
    }
    out.sort();
    Ok(out)
}
