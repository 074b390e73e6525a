//! The index patcher against git as the oracle: a real repository in a temporary directory,
//! changes written through [`Index`] in each form (plain, split, re-split), then `git
//! ls-files`, `git status`, `git fsck` and gix must all agree with the expected entries.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use gix::ObjectId;

use super::{Change, Index, Options, Staged};

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .env("GIT_AUTHOR_NAME", "T")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "T")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn blob(bytes: &[u8]) -> ObjectId {
    gix::objs::compute_hash(gix::hash::Kind::Sha1, gix::objs::Kind::Blob, bytes).unwrap()
}

/// A repository with `n` committed files `d/NNN.yaml`, and the expected index.
fn repo(n: usize) -> (tempfile::TempDir, BTreeMap<String, ObjectId>) {
    repo_with(n, true)
}

fn repo_with(n: usize, skip_hash: bool) -> (tempfile::TempDir, BTreeMap<String, ObjectId>) {
    let t = tempfile::tempdir().unwrap();
    git(t.path(), &["init", "-q"]);
    git(
        t.path(),
        &["config", "index.skipHash", &skip_hash.to_string()],
    );
    git(t.path(), &["config", "splitIndex.maxPercentChange", "100"]);
    let mut expected = BTreeMap::new();
    for i in 0..n {
        let path = format!("d/{i:03}.yaml");
        let text = format!("n: {i}\n");
        std::fs::create_dir_all(t.path().join("d")).unwrap();
        std::fs::write(t.path().join(&path), &text).unwrap();
        expected.insert(path, blob(text.as_bytes()));
    }
    git(t.path(), &["add", "."]);
    git(t.path(), &["commit", "-qm", "files"]);
    (t, expected)
}

/// Writes or removes the files, then records the change through [`Index`].
fn apply(
    dir: &Path,
    expected: &mut BTreeMap<String, ObjectId>,
    changes: &[(&str, Option<&str>)],
    opts: Options,
) {
    let mut stats = Vec::new();
    for (path, text) in changes {
        let abs = dir.join(path);
        match text {
            Some(t) => {
                std::fs::create_dir_all(abs.parent().unwrap()).unwrap();
                std::fs::write(&abs, t).unwrap();
                git(dir, &["hash-object", "-w", path]);
                let meta = gix::index::fs::Metadata::from_path_no_follow(&abs).unwrap();
                stats.push(gix::index::entry::Stat::from_fs(&meta).unwrap());
                expected.insert(path.to_string(), blob(t.as_bytes()));
            }
            None => {
                let _ = std::fs::remove_file(&abs);
                stats.push(Default::default());
                expected.remove(*path);
            }
        }
    }
    let index_path = dir.join(".git/index");
    let index = Index::open(&index_path)
        .unwrap()
        .expect("a patchable index");
    let mut sorted: Vec<(&str, Change<'_>)> = changes
        .iter()
        .zip(&stats)
        .map(|((p, t), s)| match t {
            Some(t) => (*p, Change::Put(blob(t.as_bytes()), s)),
            None => (*p, Change::Remove),
        })
        .collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = Vec::new();
    index.write(&mut out, &sorted, opts).unwrap();
    std::fs::write(dir.join(".git/index.lock"), out).unwrap();
    std::fs::rename(dir.join(".git/index.lock"), &index_path).unwrap();
}

/// git, gix and [`Index::staged`] all see exactly `expected`, and nothing unstaged.
fn agree(dir: &Path, expected: &BTreeMap<String, ObjectId>) {
    let listed: BTreeMap<String, ObjectId> = git(dir, &["ls-files", "-s"])
        .lines()
        .map(|l| {
            let (meta, path) = l.split_once('\t').unwrap();
            let id = meta.split(' ').nth(1).unwrap().parse().unwrap();
            (path.to_owned(), id)
        })
        .collect();
    assert_eq!(&listed, expected, "git ls-files");
    let status = git(dir, &["status", "--porcelain"]);
    assert!(status.lines().all(|l| l.as_bytes()[1] == b' '), "{status}");
    git(dir, &["fsck", "--no-progress"]);
    let repo = gix::open(dir).unwrap();
    let index = repo.open_index().unwrap();
    let seen: BTreeMap<String, ObjectId> = index
        .entries()
        .iter()
        .map(|e| (e.path(&index).to_string(), e.id))
        .collect();
    assert_eq!(&seen, expected, "gix");
    let paths: Vec<&str> = expected.keys().map(String::as_str).collect();
    let staged = Index::open(&dir.join(".git/index"))
        .unwrap()
        .unwrap()
        .staged(&paths)
        .unwrap();
    let want: Vec<Staged> = expected.values().map(|id| Staged::Blob(*id)).collect();
    assert_eq!(staged, want);
}

fn opts(split: bool, resplit_min: usize) -> Options {
    Options {
        split_above: if split { 0 } else { usize::MAX },
        resplit_min,
        ..Options::new(true, true)
    }
}

fn is_split(dir: &Path) -> bool {
    let bytes = std::fs::read(dir.join(".git/index")).unwrap();
    bytes.windows(4).any(|w| w == b"link")
}

#[test]
fn plain_index_is_patched_in_place() {
    let (t, mut expected) = repo(20);
    let dir = t.path();
    apply(
        dir,
        &mut expected,
        &[
            ("d/005.yaml", Some("changed\n")),
            ("d/010.yaml", None),
            ("e/new.yaml", Some("new\n")),
            ("a.yaml", Some("first\n")),
        ],
        opts(false, usize::MAX),
    );
    assert!(!dir.join(".git").read_dir().unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with("sharedindex.")));
    agree(dir, &expected);
    let staged = Index::open(&dir.join(".git/index")).unwrap().unwrap();
    assert_eq!(
        staged.staged(&["d/010.yaml", "zz"]).unwrap(),
        [Staged::Absent, Staged::Absent]
    );
}

#[test]
fn split_index_is_written_and_kept_split() {
    split_round_trip(true);
}

#[test]
fn split_index_with_checksums() {
    split_round_trip(false);
}

fn split_round_trip(skip_hash: bool) {
    let (t, mut expected) = repo_with(30, skip_hash);
    let dir = t.path();
    let o = Options {
        skip_hash,
        ..opts(true, usize::MAX)
    };
    apply(
        dir,
        &mut expected,
        &[
            ("d/003.yaml", Some("three\n")),
            ("d/004.yaml", None),
            ("n/1.yaml", Some("one\n")),
        ],
        o,
    );
    let shared: Vec<_> = std::fs::read_dir(dir.join(".git"))
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().to_string_lossy().into_owned();
            n.starts_with("sharedindex.").then_some(n)
        })
        .collect();
    assert_eq!(shared.len(), 1, "{shared:?}");
    assert!(is_split(dir));
    agree(dir, &expected);
    // Replace a replacement, remove an added entry, re-add a deleted path, delete another.
    apply(
        dir,
        &mut expected,
        &[
            ("d/003.yaml", Some("three again\n")),
            ("n/1.yaml", None),
            ("d/004.yaml", Some("back\n")),
            ("d/020.yaml", None),
            ("n/2.yaml", Some("two\n")),
        ],
        o,
    );
    agree(dir, &expected);
    // git writes the split index after us and keeps our shared index; we read its result.
    std::fs::write(dir.join("g.yaml"), "by git\n").unwrap();
    git(dir, &["add", "g.yaml"]);
    expected.insert("g.yaml".into(), blob(b"by git\n"));
    assert!(is_split(dir));
    agree(dir, &expected);
    assert!(git(dir, &["ls-files", "--debug", "g.yaml"]).contains("g.yaml"));
    apply(
        dir,
        &mut expected,
        &[
            ("g.yaml", Some("by desk\n")),
            ("d/000.yaml", Some("zero\n")),
        ],
        o,
    );
    agree(dir, &expected);
    git(dir, &["commit", "-qm", "all of it"]);
    assert_eq!(git(dir, &["status", "--porcelain"]), "");
}

#[test]
fn many_changes_write_a_new_shared_index() {
    let (t, mut expected) = repo(40);
    let dir = t.path();
    apply(
        dir,
        &mut expected,
        &[("d/001.yaml", Some("x\n"))],
        opts(true, usize::MAX),
    );
    let before = std::fs::metadata(dir.join(".git/index")).unwrap().len();
    let changes: Vec<(String, Option<&str>)> = (10..20)
        .map(|i| (format!("d/{i:03}.yaml"), Some("many\n")))
        .collect();
    let changes: Vec<(&str, Option<&str>)> =
        changes.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    apply(dir, &mut expected, &changes, opts(true, 0));
    // Everything moved into the new shared index: the split file holds no entries.
    let after = std::fs::read(dir.join(".git/index")).unwrap();
    assert_eq!(&after[8..12], &0u32.to_be_bytes(), "{before} bytes before");
    agree(dir, &expected);
}
