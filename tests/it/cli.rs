//! The command line around the commands: `help`, completion scripts loaded into a real bash,
//! man pages, and output into a pipe whose reader has gone (`| head -1`). Completion through
//! git's own bash completion and fish, and `git desk --help` through git and man, are in
//! `tests/external/` (they need those programs).

use std::path::Path;
use std::process::Stdio;

use crate::support::*;

/// `git-desk ARGS` run in `cwd` with standard output into a pipe nobody reads any more.
fn into_closed_pipe(d: &TestDesk, cwd: &Path, args: &[&str]) -> Run {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let o = d
        .cmd_in(cwd)
        .args(args)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

#[test]
fn a_reader_that_went_away_is_not_an_error() {
    let d = TestDesk::empty();
    let example = example_repo();
    for args in [
        &["completions", "bash"][..],
        &["completions", "zsh"],
        &["man"],
        &["--help"],
        &["help", "ticket"],
        &["--as", "bob", "ticket", "list"],
        &["--as", "bob", "--json", "ticket", "show", "1004"],
    ] {
        let r = into_closed_pipe(&d, &example, args);
        assert_eq!(r.code, 0, "git-desk {args:?}: {}", r.stderr);
        assert!(
            !r.stderr.contains("panicked"),
            "git-desk {args:?}: {}",
            r.stderr
        );
    }
    // The same through a shell pipeline whose failures count (pipefail).
    let o = isolated("bash", &d.home(), d.tmp.path())
        .args([
            "-o",
            "pipefail",
            "-c",
            r#""$0" completions bash | head -1"#,
            BIN,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 1);
}

#[test]
fn help_prints_a_commands_help_as_its_help_flag_does() {
    let d = TestDesk::empty();
    let cwd = d.tmp.path();
    let help = d.run_in(cwd, &["help", "ticket"]);
    assert_eq!(help.code, 0, "{}", help.stderr);
    assert!(
        help.stdout.contains("Usage: git desk ticket"),
        "{}",
        help.stdout
    );
    for verb in ["answer", "assign", "pickup", "close"] {
        assert!(help.stdout.contains(verb), "{verb}: {}", help.stdout);
    }
    let flag = d.run_in(cwd, &["ticket", "--help"]);
    assert_eq!(flag.code, 0);
    assert_eq!(flag.stdout, help.stdout);
    let answer = d.run_in(cwd, &["help", "ticket", "answer"]);
    assert!(
        answer.stdout.contains("Usage: git desk ticket answer"),
        "{}",
        answer.stdout
    );
    let top = d.run_in(cwd, &["help"]);
    assert!(top.stdout.contains("Usage: git desk"), "{}", top.stdout);
    assert!(top.stdout.contains("completions"), "{}", top.stdout);
}

/// Completes `line` in a real bash with the script of `git desk completions bash` loaded,
/// as bash does on TAB: COMP_WORDS/COMP_CWORD from the line, then `function`, or the
/// function `complete -p` registered for the line's first word. Returns COMPREPLY.
fn bash_complete(d: &TestDesk, line: &str, function: Option<&str>) -> Vec<String> {
    let script = d.tmp.path().join("git-desk.bash");
    if !script.exists() {
        let r = d.run_in(d.tmp.path(), &["completions", "bash"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        std::fs::write(&script, r.stdout).unwrap();
    }
    let program = r#"
source "$1"
line=$2
read -ra COMP_WORDS <<< "$line"
[[ $line == *' ' ]] && COMP_WORDS+=("")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE=$line
COMP_POINT=${#line}
f=${3:-$(complete -p "${COMP_WORDS[0]}" | sed -E 's/.* -F ([^ ]+) .*/\1/')}
eval "$f"' "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"' 2>/dev/null
printf '%s\n' "${COMPREPLY[@]}"
"#;
    let o = isolated("bash", &d.home(), d.tmp.path())
        .args(["--norc", "--noprofile", "-c", program, "bash"])
        .arg(&script)
        .arg(line)
        .arg(function.unwrap_or(""))
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{line}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completion_completes_both_spellings_past_the_first_word() {
    let d = TestDesk::empty();
    assert_eq!(
        bash_complete(&d, "git-desk ticket a", None),
        ["answer", "assign"]
    );
    assert!(bash_complete(&d, "git-desk ti", None).contains(&"ticket".to_owned()));
    let opts = bash_complete(&d, "git-desk --as bob ticket answer --bo", None);
    assert!(opts.contains(&"--body".to_owned()), "{opts:?}");
    // `git desk …`: git's completion calls _git_desk with the whole line, after setting
    // __git_cmd_idx where it found the command (older versions do not set it).
    assert_eq!(
        bash_complete(&d, "git desk ticket a", Some("__git_cmd_idx=1 _git_desk")),
        ["answer ", "assign "]
    );
    assert_eq!(
        bash_complete(&d, "git -C some/where desk ticket a", Some("_git_desk")),
        ["answer ", "assign "]
    );
    assert_eq!(
        bash_complete(&d, "git desk task ", Some("_git_desk"))
            .iter()
            .filter(|w| w.as_str() == "done ")
            .count(),
        1
    );
}

#[test]
fn zsh_and_fish_scripts_complete_the_program_git_desk() {
    let d = TestDesk::empty();
    let zsh = d.run_in(d.tmp.path(), &["completions", "zsh"]).stdout;
    // zsh's _git calls _git-desk for `git desk`; compinit finds it by this first line.
    assert!(zsh.starts_with("#compdef git-desk\n"), "{}", &zsh[..80]);
    assert!(zsh.contains("\n_git-desk() {"));
    let fish = d.run_in(d.tmp.path(), &["completions", "fish"]).stdout;
    assert!(fish.contains("\ncomplete -c git-desk "));
    assert!(!fish.contains("complete -c 'git desk'"));
    // `git desk …` is handed to git-desk's completions.
    assert!(fish.contains(
        "\ncomplete -c git -f -n '__fish_git_using_command desk' -a '(__git_desk_complete_as_git_desk)'\n"
    ));
}

#[test]
fn man_writes_every_page_into_a_directory_it_makes() {
    let d = TestDesk::empty();
    let page = d.run_in(d.tmp.path(), &["man"]);
    assert_eq!(page.code, 0);
    assert!(page.stdout.contains(".TH git-desk 1"));
    let dir = d.home().join(".cargo/share/man/man1");
    let r = d.run_in(d.tmp.path(), &["man", "--dir", dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for name in [
        "git-desk.1",
        "git-desk-ticket.1",
        "git-desk-ticket-answer.1",
    ] {
        assert!(dir.join(name).is_file(), "{name} is missing");
    }
    let count = std::fs::read_dir(&dir).unwrap().count();
    assert!(count > 50, "{count} pages");
    assert_eq!(
        r.stdout,
        format!("{count} man pages in {}\n", dir.display())
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("git-desk.1")).unwrap(),
        page.stdout
    );
}
