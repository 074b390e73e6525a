//! Completion through the shells' own machinery: git's bash completion script calling
//! `_git_desk` for `git desk …`, zsh's completion system (`_git` calling `_git-desk`) in a
//! real interactive zsh on a pseudo-terminal, and fish's `complete -C`, each for both
//! spellings. The bash script alone is tested in the `it` binary (`cli::bash_completion_…`).

use std::path::{Path, PathBuf};

use crate::support::*;

/// Where Debian's git package installs git's bash completion (git-completion.bash).
pub const GIT_BASH_COMPLETION: &str = "/usr/share/bash-completion/completions/git";

/// Writes `git desk completions SHELL` to `path`.
fn script(d: &TestDesk, shell: &str, path: &Path) {
    let r = d.run_in(d.tmp.path(), &["completions", shell]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::write(path, r.stdout).unwrap();
}

/// A directory holding only `git-desk`, to put on PATH.
fn bin_dir(d: &TestDesk) -> PathBuf {
    let dir = d.tmp.path().join("bin");
    std::fs::create_dir_all(&dir).unwrap();
    let link = dir.join("git-desk");
    if !link.exists() {
        std::os::unix::fs::symlink(BIN, &link).unwrap();
    }
    dir
}

pub fn git_desk_completes_through_gits_own_bash_completion() {
    let d = TestDesk::empty();
    let desk_script = d.tmp.path().join("git-desk.bash");
    script(&d, "bash", &desk_script);
    // What bash does on TAB: COMP_WORDS/COMP_CWORD from the line, then the function that
    // `complete -p` registered for its first word (git's __git_wrap__git_main for `git`).
    let program = format!(
        r#"
source {git}
source {desk}
complete_line() {{
    local line=$1 f
    read -ra COMP_WORDS <<< "$line"
    [[ $line == *' ' ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
    COMP_LINE=$line
    COMP_POINT=${{#line}}
    COMPREPLY=()
    f=$(complete -p "${{COMP_WORDS[0]}}" | sed -E 's/.* -F ([^ ]+) .*/\1/')
    "$f" "${{COMP_WORDS[0]}}" "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}" 2>/dev/null
    echo "$line => ${{COMPREPLY[*]}}"
}}
complete_line 'git desk ticket a'
complete_line 'git -C somewhere desk ticket a'
complete_line 'git desk ti'
complete_line 'git desk ticket answer --bo'
"#,
        git = GIT_BASH_COMPLETION,
        desk = desk_script.display()
    );
    let o = isolated("bash", &d.home(), d.tmp.path())
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let lines: Vec<&str> = out.lines().collect();
    // git's completion is registered with -o nospace: the words carry their own space.
    assert_eq!(
        lines,
        [
            "git desk ticket a => answer  assign ",
            "git -C somewhere desk ticket a => answer  assign ",
            "git desk ti => ticket ",
            "git desk ticket answer --bo => --body  --body-file ",
        ],
        "{out}"
    );
}

pub fn fish_completes_both_spellings() {
    let d = TestDesk::empty();
    let home = d.home();
    let conf = home.join(".config/fish/conf.d");
    std::fs::create_dir_all(&conf).unwrap();
    script(&d, "fish", &conf.join("git-desk.fish"));
    let path = format!(
        "{}:{}",
        bin_dir(&d).display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let complete = |line: &str| -> Vec<String> {
        let o = isolated("fish", &home, d.tmp.path())
            .env("PATH", &path)
            .args(["-c", &format!("complete -C '{line}'")])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(|l| l.split('\t').next().unwrap().to_owned())
            .collect()
    };
    for line in [
        "git-desk ticket a",
        "git desk ticket a",
        "git -C /tmp desk ticket a",
    ] {
        assert_eq!(complete(line), ["answer", "assign"], "{line}");
    }
    assert_eq!(complete("git desk ti"), ["ticket"]);
    assert!(complete("git desk ticket answer --bo").contains(&"--body".to_owned()));
    // git's own completion is still there.
    assert!(complete("git chec").contains(&"checkout".to_owned()));
}

/// Types `line` and TAB into an interactive zsh (on a pseudo-terminal, zsh/zpty) whose
/// completion system has the script as `_git-desk` in $fpath; every word offered to
/// `compadd` is appended to the file in $HITS, which this prints once it has not grown for
/// a second.
const ZSH_CAPTURE: &str = r#"
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PROMPT= ; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -d $HOME/.zcompdump"
zpty -w z 'compadd() { local -a h; builtin compadd -O h "$@"; (( $#h )) && print -rl -- $h >> $HITS; builtin compadd "$@"; }'
zpty -w z 'bindkey "^I" complete-word'
zpty -w z "$2"$'\t'
local size=-1 same=0 n
for n in {1..150}; do
    sleep 0.2
    [[ -s $HITS ]] || continue
    if [[ $(wc -c < $HITS) == $size ]]; then
        (( ++same == 5 )) && break
    else
        size=$(wc -c < $HITS) same=0
    fi
done
zpty -d z
sort -u $HITS
"#;

pub fn zsh_completes_both_spellings() {
    let d = TestDesk::empty();
    let home = d.home();
    let functions = home.join("zfunc");
    std::fs::create_dir_all(&functions).unwrap();
    script(&d, "zsh", &functions.join("_git-desk"));
    let path = format!(
        "{}:{}",
        bin_dir(&d).display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let complete = |line: &str| -> Vec<String> {
        let hits = d.tmp.path().join("hits");
        let _ = std::fs::remove_file(&hits);
        let o = isolated("zsh", &home, d.tmp.path())
            .env("PATH", &path)
            .env("HITS", &hits)
            .args(["-f", "-c", ZSH_CAPTURE, "zsh"])
            .arg(&functions)
            .arg(line)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(str::to_owned)
            .collect()
    };
    for line in [
        "git-desk ticket a",
        "git desk ticket a",
        "git -C /tmp desk ticket a",
    ] {
        assert_eq!(complete(line), ["answer", "assign"], "{line}");
    }
    assert_eq!(complete("git desk ti"), ["ticket"]);
    assert_eq!(
        complete("git desk ticket answer --bo"),
        ["--body", "--body-file"]
    );
}
