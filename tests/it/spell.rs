//! `spell [FILE|-]`: misspellings with line:column and suggestions, JSON, the desk's words,
//! and what is never flagged (code, URLs, addresses).

use crate::support::*;

#[test]
fn misspellings_are_listed_with_positions_and_suggestions() {
    let d = TestDesk::new();
    let r = d.run_stdin(
        &["spell"],
        "Hello,\nwe did not recieve your payment tomorow.\n",
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", r.stdout);
    assert!(
        lines[0].starts_with("<stdin>:2:12: recieve -> receive"),
        "{}",
        r.stdout
    );
    assert!(
        lines[1].starts_with("<stdin>:2:33: tomorow -> tomorrow"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("2 misspelled words"), "{}", r.stderr);
    // JSON, from a file.
    d.write("answer.txt", "Thanks for you're pateince.\n");
    let r = d.run(&["--json", "spell", "answer.txt"]);
    assert_eq!(r.code, 1);
    let v = json(&r.stdout);
    assert_eq!(v[0]["word"], "pateince");
    assert_eq!(
        (v[0]["line"].as_u64(), v[0]["column"].as_u64()),
        (Some(1), Some(19))
    );
    let s = v[0]["suggestions"].as_array().unwrap();
    assert!(!s.is_empty() && s.len() <= 5 && s[0] == "patience", "{s:?}");
}

#[test]
fn clean_text_code_urls_and_addresses_pass() {
    let d = TestDesk::new();
    let text = "Please run `chmod 644 wp-confg.php` and open https://exmple.com/wp-admin/fliez,\n\
                or write to jdoe@exmple.com.\n\n```\nmispeled code\n```\n> the custmer wrote this\n";
    let r = d.run_stdin(&["spell", "-"], text);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("no misspelled words"), "{}", r.stderr);
}

#[test]
fn the_desk_words_and_extra_words_are_accepted() {
    let d = TestDesk::example();
    // desk.yaml of the sample lists cPanel, phpMyAdmin and WordPress.
    let text = "Open cPanel, then phpMyAdmin; update WordPress. Ask Zorblax.\n";
    let r = d.run_stdin(&["--json", "spell"], text);
    assert_eq!(r.code, 1);
    let words: Vec<String> = json(&r.stdout)
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["word"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(words, ["Zorblax"]);
    let r = d.run_stdin(&["spell", "--word", "Zorblax"], text);
    assert_eq!(r.code, 0, "{}", r.stdout);
    // Outside a desk only the dictionary counts.
    let plain = TestDesk::empty();
    let r = plain.run_in(plain.tmp.path(), &["--json", "spell", "-"]);
    assert_eq!(r.code, 0, "empty input is clean: {}", r.stderr);
    std::fs::write(plain.tmp.path().join("t.txt"), text).unwrap();
    let r = plain.run_in(plain.tmp.path(), &["--json", "spell", "t.txt"]);
    let words: Vec<String> = json(&r.stdout)
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["word"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        words.contains(&"cPanel".to_owned()) && words.contains(&"Zorblax".to_owned()),
        "{words:?}"
    );
}

#[test]
fn a_missing_file_is_an_error() {
    let d = TestDesk::new();
    let err = d.fails(1, &["spell", "no-such-file.txt"]);
    assert!(err.contains("no-such-file.txt"), "{err}");
}

#[test]
fn answer_spellcheck_refuses_misspellings_unless_forced() {
    let d = TestDesk::example();
    let before = d.commit_count();
    let err = d.fails(
        1,
        &[
            "--as",
            "bob",
            "ticket",
            "answer",
            "1018",
            "--spellcheck",
            "-m",
            "We did not recieve your payment.",
        ],
    );
    assert!(
        err.contains("1 misspelled word(s); nothing was sent"),
        "{err}"
    );
    assert!(err.contains("1:12: recieve -> receive"), "{err}");
    assert_eq!(d.commit_count(), before);
    assert_eq!(d.status(), "");
    // Clean text, and the desk's words (WordPress), go through.
    let r = d.run(&[
        "--as",
        "bob",
        "ticket",
        "answer",
        "1018",
        "--spellcheck",
        "-m",
        "We received your payment; WordPress is updated.",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("spellcheck: no misspelled words"),
        "{}",
        r.stderr
    );
    assert_eq!(d.commit_count(), before + 1);
    // --force sends it as it is, with a warning.
    let r = d.run(&[
        "--as",
        "bob",
        "ticket",
        "answer",
        "1025",
        "--spellcheck",
        "--force",
        "-m",
        "We did not recieve it.",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("warning: spellcheck: sending with 1 misspelled word(s) (--force)"),
        "{}",
        r.stderr
    );
    assert_eq!(d.commit_count(), before + 2);
    // --force means nothing without --spellcheck.
    d.fails(
        2,
        &[
            "--as", "bob", "ticket", "answer", "1025", "--force", "-m", "x",
        ],
    );
}
