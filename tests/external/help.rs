//! `git desk --help` after the README's install lines, run on a fresh HOME: git answers it
//! with `man git-desk`, which finds the pages that `git desk man --dir
//! ~/.cargo/share/man/man1` wrote because man looks in `../share/man` beside each directory
//! of PATH (~/.cargo/bin).

use crate::support::*;

pub fn git_desk_help_shows_the_installed_man_page() {
    let d = TestDesk::empty();
    let home = d.home();
    // A fresh HOME, as after `cargo install`: the binary in ~/.cargo/bin, nothing else.
    let bin = home.join(".cargo/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(BIN, bin.join("git-desk")).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |program: &str, args: &[&str]| {
        let o = isolated(program, &home, d.tmp.path())
            .env("PATH", &path)
            .env_remove("MANPATH")
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .env("GIT_PAGER", "cat")
            .env("MANWIDTH", "100")
            .args(args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(o.status.success(), "{program} {args:?}: {stdout}\n{stderr}");
        stdout
    };
    // The README's install lines after `cargo install`, as written.
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let block = readme
        .split("## Install and help\n")
        .nth(1)
        .and_then(|rest| rest.split("```sh\n").nth(1))
        .and_then(|rest| rest.split("```").next())
        .expect("README: a sh block under ## Install and help");
    let lines: Vec<&str> = block
        .lines()
        .filter(|l| !l.starts_with("cargo install"))
        .collect();
    assert!(lines.len() >= 3, "{block}");
    run("bash", &["-euc", &lines.join("\n")]);
    assert!(home.join(".cargo/share/man/man1/git-desk.1").is_file());
    assert!(home
        .join(".local/share/bash-completion/completions/git-desk")
        .is_file());
    for args in [&["desk", "--help"][..], &["help", "desk"]] {
        let page = run("git", args);
        assert!(page.contains("git-desk"), "git {args:?}: {page}");
        assert!(page.contains("SYNOPSIS"), "git {args:?}: {page}");
        assert!(page.contains("git-desk-ticket(1)"), "git {args:?}: {page}");
    }
    let answer = run("man", &["git-desk-ticket-answer"]);
    assert!(answer.contains("git desk ticket answer"), "{answer}");
    // `git desk help X` and `git desk X --help` reach git-desk, which prints the help.
    let help = run("git", &["desk", "help", "ticket"]);
    assert!(help.contains("Usage: git desk ticket"), "{help}");
    assert_eq!(run("git", &["desk", "ticket", "--help"]), help);
}
