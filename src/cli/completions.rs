//! `git desk completions SHELL`: a completion script that completes both spellings,
//! `git-desk …` and `git desk …`, past the first word.
//!
//! The script is clap_complete's for the program `git-desk` (the help keeps the usage
//! `git desk …`, but a completion script needs one word: with the space, and with the
//! hyphen too, its bash function names disagreed past the first word). `git desk` reaches
//! it through git's own completion: git's bash completion calls `_git_desk` with the whole
//! command line (bash-completion loads the file `git-desk` to find it), zsh's `_git` calls
//! `_git-desk`, and for fish the script adds a completion of `git` that asks `git-desk`'s
//! completions.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;

/// Print a shell completion script for `git-desk …` and `git desk …`.
///
/// Install it where the shell loads it (make the directory first): for bash
/// ~/.local/share/bash-completion/completions/git-desk; for zsh a file _git-desk in a
/// directory of $fpath, e.g. ~/.zfunc/_git-desk; for fish ~/.config/fish/conf.d/git-desk.fish.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: Shell,
}

/// The program name the script completes.
const PROGRAM: &str = "git-desk";

/// git's bash completion (git-completion.bash) completes `git desk …` by calling `_git_desk`
/// with the whole line in COMP_WORDS (`git [OPTIONS] desk ARGS…`; `__git_cmd_idx` is where
/// git found the command). Re-cut the line as `git-desk ARGS…` and call clap's function; git
/// registers its completion with `-o nospace`, so the words get their space as git's own do.
const BASH_GIT_SUBCOMMAND: &str = r#"
# `git desk …`: git's completion calls _git_desk with the whole line; complete it as `git-desk …`.
_git_desk() {
    local i=${__git_cmd_idx:-1}
    while [[ $i -lt $COMP_CWORD && ${COMP_WORDS[i]} != desk ]]; do
        i=$((i + 1))
    done
    local -a COMP_WORDS=(git-desk "${COMP_WORDS[@]:i+1}")
    local COMP_CWORD=$((COMP_CWORD - i))
    _git__desk git-desk "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    # git's completion is registered with -o nospace: end each word but a directory with one.
    for i in "${!COMPREPLY[@]}"; do
        [[ -d ${COMPREPLY[i]} ]] || COMPREPLY[i]+=" "
    done
}
"#;

/// fish completes `git desk …` with `git-desk`'s completions: its git completion forwards
/// to `git-*` programs itself only in some versions (3.6 looks for `git-git-desk`), so the
/// script says so itself. Loaded from fish's conf.d, it is there before `git` is completed.
const FISH_GIT_SUBCOMMAND: &str = r#"
# `git desk …`: complete it as `git-desk …`.
function __git_desk_complete_as_git_desk
    set -l words (commandline -opc)
    set -l i (contains -i -- desk $words)
    set -e words[1..$i]
    complete -C "git-desk $words "(commandline -ct)
end
complete -c git -f -n '__fish_git_using_command desk' -a '(__git_desk_complete_as_git_desk)'
"#;

pub fn run(args: CompletionsArgs, out: &mut dyn Write) -> Result<i32> {
    write_script(args.shell, out)?;
    Ok(0)
}

/// What clap_complete's bash script is generated for: its bash generator spells the
/// subcommand states of a program name with a hyphen two ways (clap issue 6421), so the
/// script is made for this name and registered for `git-desk`.
const BASH_NAME: &str = "git__desk";

/// The script for `shell`.
pub fn write_script(shell: Shell, out: &mut dyn Write) -> std::io::Result<()> {
    if shell != Shell::Bash {
        clap_complete::generate(shell, &mut Cli::command(), PROGRAM, out);
        if shell == Shell::Fish {
            out.write_all(FISH_GIT_SUBCOMMAND.as_bytes())?;
        }
        return Ok(());
    }
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BASH_NAME, &mut script);
    let script = String::from_utf8_lossy(&script).replace(
        &format!(" -o default {BASH_NAME}\n"),
        &format!(" -o default {PROGRAM}\n"),
    );
    out.write_all(script.as_bytes())?;
    out.write_all(BASH_GIT_SUBCOMMAND.as_bytes())
}
