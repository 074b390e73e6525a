//! `git desk spell [FILE|-]`: lists misspelled words with `line:column` and up to five
//! suggestions each, and exits 1 when there are any (0 when the text is clean). Inside a
//! desk its `spelling.words` are accepted too. Also the interactive review that `ticket
//! answer --spellcheck` runs on a terminal: for each misspelling, pick a suggestion, type a
//! replacement, keep the word, or add it to the desk's words.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::PathBuf;

use anyhow::{bail, Context as _, Result};

use super::body::MAX_BODY;
use super::output::cell;
use super::Env;
use crate::spell::{self, Fix, Misspelling};
use crate::store::DeskRead;

/// Check the spelling of a text (en_US, plus the desk's `spelling.words`).
///
/// Words in code spans and fenced code blocks, URLs, e-mail addresses, file and host names,
/// quoted lines (`> …`), words with digits and all-capital abbreviations are not flagged.
/// Exits 1 when a word is misspelled.
#[derive(Debug, clap::Args)]
pub struct SpellArgs {
    /// The file to check; `-` or nothing reads standard input.
    pub file: Option<PathBuf>,
    /// Accept this word too (repeatable, or comma-separated).
    #[arg(long = "word", value_name = "WORD", value_delimiter = ',')]
    pub words: Vec<String>,
}

pub fn run(env: &Env, a: SpellArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let (name, text) = read_input(a.file.as_deref())?;
    let mut words = a.words;
    words.extend(desk_words(env, err)?);
    let found = spell::check(&text, &words);
    if env.printer.json {
        env.printer.json(out, &found)?;
    } else {
        for m in &found {
            writeln!(out, "{name}:{}", describe(m))?;
        }
        match found.len() {
            0 => writeln!(err, "no misspelled words")?,
            1 => writeln!(err, "1 misspelled word")?,
            n => writeln!(err, "{n} misspelled words")?,
        }
    }
    Ok(if found.is_empty() { 0 } else { 1 })
}

/// `3:14: recieve -> receive, relieve, reverie`
pub fn describe(m: &Misspelling) -> String {
    let suggestions = if m.suggestions.is_empty() {
        "(no suggestions)".to_owned()
    } else {
        format!("-> {}", m.suggestions.join(", "))
    };
    format!(
        "{}:{}: {} {suggestions}",
        m.line,
        m.column,
        cell(&m.word, 60)
    )
}

fn read_input(file: Option<&std::path::Path>) -> Result<(String, String)> {
    match file {
        Some(p) if p.as_os_str() != "-" => {
            let meta = std::fs::metadata(p).with_context(|| format!("reading {}", p.display()))?;
            if meta.len() > MAX_BODY as u64 {
                bail!("{}: larger than {MAX_BODY} bytes", p.display());
            }
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("{}: not readable as UTF-8 text", p.display()))?;
            Ok((p.display().to_string(), text))
        }
        _ => {
            if file.is_none() && std::io::stdin().is_terminal() {
                bail!("give a FILE to check, or `-` to type the text on standard input");
            }
            let mut buf = Vec::new();
            std::io::stdin()
                .take(MAX_BODY as u64 + 1)
                .read_to_end(&mut buf)
                .context("reading standard input")?;
            if buf.len() > MAX_BODY {
                bail!("standard input is larger than {MAX_BODY} bytes");
            }
            let text = String::from_utf8(buf).context("standard input is not UTF-8 text")?;
            Ok(("<stdin>".into(), text))
        }
    }
}

/// The desk's `spelling.words` when run inside a desk; none elsewhere.
fn desk_words(env: &Env, err: &mut dyn Write) -> Result<Vec<String>> {
    let Ok(desk) = env.desk() else {
        return Ok(vec![]);
    };
    match desk.reader()?.settings() {
        Ok(s) => {
            if s.spelling.language != spell::dictionary::LANGUAGE {
                writeln!(
                    err,
                    "warning: desk.yaml asks for spelling.language `{}`; only {} is built in",
                    s.spelling.language,
                    spell::dictionary::LANGUAGE
                )?;
            }
            Ok(s.spelling.words)
        }
        Err(e) => {
            writeln!(err, "warning: the desk's words are not used: {e}")?;
            Ok(vec![])
        }
    }
}

/// What the technician decided for the misspellings of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// The text with the chosen replacements made.
    pub text: String,
    /// Words to add to the desk's `spelling.words`.
    pub add_words: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Choice {
    Replace(String),
    Keep,
    Add,
}

/// What `ticket answer --spellcheck` does before committing: nothing when the text is
/// clean; with `terminal` (the technician's keyboard), the interactive [`review`] (prompts
/// on `prompt`); otherwise a refusal listing the misspellings, unless `force`, which lists
/// them as warnings and goes on. `can_add` offers adding words to desk.yaml (it needs
/// settings.admin).
pub fn check_before_commit(
    text: &str,
    desk_words: &[String],
    force: bool,
    can_add: bool,
    terminal: Option<&mut dyn BufRead>,
    prompt: &mut dyn Write,
) -> Result<Review> {
    let found = spell::check(text, desk_words);
    let unchanged = Review {
        text: text.to_owned(),
        add_words: vec![],
    };
    if found.is_empty() {
        writeln!(prompt, "spellcheck: no misspelled words")?;
        return Ok(unchanged);
    }
    if let Some(input) = terminal.filter(|_| !force) {
        return match review(text, &found, can_add, input, prompt)? {
            Some(r) => Ok(r),
            None => bail!("spellcheck: quit; nothing was sent or changed"),
        };
    }
    let list: Vec<String> = found.iter().map(|m| format!("  {}", describe(m))).collect();
    if force {
        writeln!(
            prompt,
            "warning: spellcheck: sending with {} misspelled word(s) (--force):\n{}",
            found.len(),
            list.join("\n")
        )?;
        return Ok(unchanged);
    }
    bail!(
        "spellcheck: {} misspelled word(s); nothing was sent (correct them, or use --force to send as it is):\n{}",
        found.len(),
        list.join("\n")
    )
}

/// Asks, for each misspelling, what to do; a decision for a word holds for its later
/// occurrences. Returns `None` when the technician quits (or input ends).
pub fn review(
    text: &str,
    found: &[Misspelling],
    can_add: bool,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<Option<Review>> {
    let mut decided: Vec<(String, Choice)> = Vec::new();
    let mut fixes = Vec::new();
    let mut add_words: Vec<String> = Vec::new();
    for m in found {
        let choice = match decided.iter().find(|(w, _)| *w == m.word) {
            Some((_, c)) => c.clone(),
            None => {
                let Some(c) = ask(text, m, can_add, input, out)? else {
                    return Ok(None);
                };
                decided.push((m.word.clone(), c.clone()));
                c
            }
        };
        match choice {
            Choice::Replace(r) => fixes.push(Fix::of(m, r)),
            Choice::Keep => {}
            Choice::Add => {
                if !add_words.contains(&m.word) {
                    add_words.push(m.word.clone());
                }
            }
        }
    }
    Ok(Some(Review {
        text: spell::apply(text, &fixes),
        add_words,
    }))
}

fn ask(
    text: &str,
    m: &Misspelling,
    can_add: bool,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<Option<Choice>> {
    let line = text.lines().nth(m.line - 1).unwrap_or("");
    writeln!(out)?;
    writeln!(out, "line {}, column {}: {}", m.line, m.column, m.word)?;
    writeln!(out, "  {}", cell(line, 200))?;
    let width = m.word.chars().count();
    writeln!(out, "  {}{}", " ".repeat(m.column - 1), "^".repeat(width))?;
    for (i, s) in m.suggestions.iter().enumerate() {
        write!(out, "  {}) {s}", i + 1)?;
    }
    if !m.suggestions.is_empty() {
        writeln!(out)?;
    }
    let add = if can_add {
        "[a]dd to the desk's words, "
    } else {
        ""
    };
    loop {
        write!(
            out,
            "[number] use a suggestion, [k]eep, {add}[q]uit, or type the word: "
        )?;
        out.flush()?;
        let mut answer = String::new();
        if input.read_line(&mut answer)? == 0 {
            return Ok(None);
        }
        let answer = answer.trim();
        let choice = match answer {
            "" | "k" => Choice::Keep,
            "a" if can_add => Choice::Add,
            "a" => {
                writeln!(out, "adding to the desk's words needs settings.admin")?;
                continue;
            }
            "q" => return Ok(None),
            n if n.parse::<usize>().is_ok() => {
                match m
                    .suggestions
                    .get(n.parse::<usize>().unwrap_or(0).wrapping_sub(1))
                {
                    Some(s) => Choice::Replace(s.clone()),
                    None => {
                        writeln!(out, "there is no suggestion {n}")?;
                        continue;
                    }
                }
            }
            word => Choice::Replace(word.to_owned()),
        };
        return Ok(Some(choice));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_review(text: &str, answers: &str) -> Option<Review> {
        let found = spell::check(text, &[]);
        let mut input = std::io::Cursor::new(answers.as_bytes().to_vec());
        let mut out = Vec::new();
        review(text, &found, true, &mut input, &mut out).unwrap()
    }

    #[test]
    fn picking_keeping_typing_and_adding() {
        let text = "We recieve it tomorow, Zorblax said; we recieve more.\nTeh end.";
        // recieve -> 1st suggestion (and again later, unasked); tomorow kept; Zorblax added;
        // "Teh" replaced by a typed word.
        let r = run_review(text, "1\nk\na\nThe\n").unwrap();
        assert_eq!(
            r.text,
            "We receive it tomorow, Zorblax said; we receive more.\nThe end."
        );
        assert_eq!(r.add_words, ["Zorblax"]);
    }

    #[test]
    fn quitting_or_end_of_input_aborts() {
        assert_eq!(run_review("We recieve it", "q\n"), None);
        assert_eq!(run_review("We recieve it", ""), None);
        // A number with no suggestion asks again.
        let r = run_review("We recieve it", "9\n1\n").unwrap();
        assert_eq!(r.text, "We receive it");
    }

    #[test]
    fn adding_is_offered_only_to_those_who_may() {
        let text = "Ask Zorblax";
        let found = spell::check(text, &[]);
        let mut input = std::io::Cursor::new(b"a\nk\n".to_vec());
        let mut out = Vec::new();
        let r = review(text, &found, false, &mut input, &mut out)
            .unwrap()
            .unwrap();
        assert!(r.add_words.is_empty());
        let shown = String::from_utf8(out).unwrap();
        assert!(
            shown.contains("needs settings.admin") && !shown.contains("[a]dd"),
            "{shown}"
        );
    }

    #[test]
    fn non_interactive_refuses_unless_forced() {
        let words = vec![];
        let mut err = Vec::new();
        let e =
            check_before_commit("We recieve it", &words, false, true, None, &mut err).unwrap_err();
        assert!(e.to_string().contains("1:4: recieve -> receive"), "{e}");
        let r = check_before_commit("We recieve it", &words, true, true, None, &mut err).unwrap();
        assert_eq!(r.text, "We recieve it");
        assert!(String::from_utf8(err).unwrap().contains("--force"));
        // On a terminal the technician picks.
        let mut keys = std::io::Cursor::new(b"1\n".to_vec());
        let r = check_before_commit(
            "We recieve it",
            &words,
            false,
            true,
            Some(&mut keys),
            &mut Vec::new(),
        )
        .unwrap();
        assert_eq!(r.text, "We receive it");
        let r = check_before_commit("We receive it", &words, false, true, None, &mut Vec::new())
            .unwrap();
        assert_eq!(
            r,
            Review {
                text: "We receive it".into(),
                add_words: vec![]
            }
        );
    }
}
