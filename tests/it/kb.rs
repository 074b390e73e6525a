//! The knowledge base: new, edit (fields, text, whole file in the editor), list, show
//! (rendered for the terminal), delete, and the kb.use / kb.admin refusals.

use crate::support::*;

const SLUG: &str = "resetting-a-mailbox-password";

fn new_article(d: &TestDesk) {
    let out = d.ok(&[
        "--as",
        "carol",
        "kb",
        "new",
        "--title",
        "Resetting a mailbox password",
        "--category",
        "Mail",
        "--tag",
        "mail,password",
        "-m",
        "## Steps\n\n1. Open **Mail**.\n2. Click `Reset`.\n",
    ]);
    assert_eq!(out.trim(), format!("article {SLUG} created"));
}

#[test]
fn kb_new_writes_front_matter_and_markdown_in_one_commit() {
    let d = TestDesk::example();
    let before = d.commit_count();
    new_article(&d);
    assert_eq!(d.commit_count(), before + 1);
    assert_eq!(d.last_paths(), [format!("kb/{SLUG}.md")]);
    assert_eq!(
        d.read(&format!("kb/{SLUG}.md")),
        "---\ntitle: Resetting a mailbox password\ncategory: Mail\ntags:\n- mail\n- password\nauthor: carol\nupdated: 2026-11-27T12:00:00Z\n---\n## Steps\n\n1. Open **Mail**.\n2. Click `Reset`.\n"
    );
    let msg = d.last_message();
    assert!(
        msg.starts_with(&format!(
            "kb {SLUG}: new \"Resetting a mailbox password\"\n"
        )),
        "{msg}"
    );
    assert!(
        msg.contains("Desk-Op: kb.new\n") && msg.contains("Desk-Actor: carol\n"),
        "{msg}"
    );
    assert_eq!(d.status(), "");
    d.ok(&["check"]);
    let err = d.fails(
        1,
        &[
            "--as",
            "carol",
            "kb",
            "new",
            "--title",
            "Resetting a mailbox password",
            "-m",
            "again",
        ],
    );
    assert!(err.contains("already exists"), "{err}");
    d.ok(&[
        "--as",
        "alice",
        "kb",
        "new",
        "--title",
        "Other",
        "--slug",
        "other-one",
        "-m",
        "text",
    ]);
    assert!(d.path("kb/other-one.md").exists());
}

#[test]
fn kb_permissions_are_enforced() {
    let d = TestDesk::example();
    let before = d.commit_count();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--as", "bob", "kb", "new", "--title", "x", "-m", "x"],
            "`kb.admin` is needed",
        ),
        (
            &[
                "--as",
                "bob",
                "kb",
                "edit",
                "configure-mail-client-smtp",
                "--title",
                "x",
            ],
            "`kb.admin` is needed",
        ),
        (
            &["--as", "bob", "kb", "edit", "configure-mail-client-smtp"],
            "`kb.admin` is needed",
        ),
        (
            &["--as", "bob", "kb", "delete", "configure-mail-client-smtp"],
            "`kb.admin` is needed",
        ),
        (&["--as", "erin", "kb", "list"], "`kb.use` is needed"),
        (
            &["--as", "erin", "kb", "show", "configure-mail-client-smtp"],
            "`kb.use` is needed",
        ),
        (
            &["--as", "carol", "kb", "show", "no-such-article"],
            "no knowledge-base article `no-such-article`",
        ),
        (
            &["--as", "carol", "kb", "delete", "no-such-article"],
            "no knowledge-base article `no-such-article`",
        ),
        (
            &["--as", "carol", "kb", "new", "--title", "x", "-m", "  "],
            "empty",
        ),
    ];
    for (args, want) in cases {
        let err = d.fails(1, args);
        assert!(err.contains(want), "{args:?}: expected {want:?} in {err}");
    }
    assert_eq!(d.commit_count(), before);
}

#[test]
fn list_filters_by_category_and_tag() {
    let d = TestDesk::example();
    new_article(&d);
    let slugs = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["--as", "bob", "--json", "kb", "list"];
        a.extend_from_slice(args);
        json(&d.ok(&a))
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["slug"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(slugs(&[]).len(), 5);
    assert_eq!(
        slugs(&["--category", "mail"]),
        ["configure-mail-client-smtp", SLUG]
    );
    assert_eq!(slugs(&["--tag", "password"]), [SLUG]);
    assert_eq!(
        slugs(&["--tag", "mail", "--tag", "smtp"]),
        ["configure-mail-client-smtp"]
    );
    let out = d.ok(&["--as", "bob", "kb", "list"]);
    assert!(out.starts_with("Knowledge base (5)\n"), "{out}");
    assert!(out.contains(&format!("  {SLUG}  ")), "{out}");
}

#[test]
fn show_renders_markdown_for_the_terminal() {
    let d = TestDesk::example();
    new_article(&d);
    let out = d.ok(&["--as", "bob", "kb", "show", SLUG]);
    assert_eq!(
        out,
        "Resetting a mailbox password\n============================\nCategory: Mail · Tags: mail, password · By carol · updated 2026-11-27 12:00\n\nSteps\n-----\n\n1. Open Mail.\n2. Click Reset.\n"
    );
    let raw = d.ok(&["--as", "bob", "kb", "show", SLUG, "--raw"]);
    assert_eq!(raw, d.read(&format!("kb/{SLUG}.md")));
    let v = json(&d.ok(&["--as", "bob", "--json", "kb", "show", SLUG]));
    assert_eq!(v["front"]["title"], "Resetting a mailbox password");
    assert!(v["body"].as_str().unwrap().contains("**Mail**"));
    assert!(v["text"].as_str().unwrap().contains("Open Mail."));
    // The sample's table and code block come out aligned and indented.
    let out = d.ok(&["--as", "bob", "kb", "show", "configure-mail-client-smtp"]);
    assert!(
        out.contains("Incoming (IMAP)  mail.<your domain>  993   SSL/TLS\n"),
        "{out}"
    );
    assert!(
        out.contains("\n    openssl s_client -starttls smtp"),
        "{out}"
    );
}

#[test]
fn edit_fields_text_and_whole_file() {
    let d = TestDesk::example();
    new_article(&d);
    d.ok(&[
        "--as",
        "carol",
        "kb",
        "edit",
        SLUG,
        "--title",
        "Reset a mailbox password",
        "--no-category",
        "--tag",
        "mail",
    ]);
    let f = d.read(&format!("kb/{SLUG}.md"));
    assert!(
        f.starts_with(
            "---\ntitle: Reset a mailbox password\ncategory: null\ntags:\n- mail\nauthor: carol\n"
        ),
        "{f}"
    );
    let msg = d.last_message();
    assert!(
        msg.starts_with(&format!("kb {SLUG}: edit title, category, tags\n"))
            && msg.contains("Desk-Op: kb.edit\n"),
        "{msg}"
    );
    let before = d.commit_count();
    let err = d.fails(1, &["--as", "carol", "kb", "edit", SLUG, "--tag", "mail"]);
    assert!(err.contains("nothing to change"), "{err}");
    assert_eq!(d.commit_count(), before);
    // alice (a main admin) rewrites the text; carol stays the author.
    d.ok(&["--as", "alice", "kb", "edit", SLUG, "-m", "Just ask us."]);
    let f = d.read(&format!("kb/{SLUG}.md"));
    assert!(
        f.ends_with("---\nJust ask us.\n") && f.contains("author: carol\n"),
        "{f}"
    );
    // With no option: the editor gets the whole file.
    let r = d
        .cmd_in(&d.root)
        .env(
            "EDITOR",
            "sed -i -e s/ask/e-mail/ -e s/^title:.*/title:\\ Mailbox\\ passwords/",
        )
        .args(["--as", "carol", "kb", "edit", SLUG])
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let f = d.read(&format!("kb/{SLUG}.md"));
    assert!(
        f.contains("title: Mailbox passwords\n") && f.ends_with("Just e-mail us.\n"),
        "{f}"
    );
    // A file that no longer parses is refused, and nothing changes.
    let before = d.commit_count();
    let r = d
        .cmd_in(&d.root)
        .env("EDITOR", "sed -i -e s/^---$/===/")
        .args(["--as", "carol", "kb", "edit", SLUG])
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("front matter"),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert_eq!(d.commit_count(), before);
    assert_eq!(d.status(), "");
}

#[test]
fn delete_removes_the_file() {
    let d = TestDesk::example();
    assert_eq!(
        d.ok(&["--as", "carol", "kb", "delete", "php-version-per-subdomain"])
            .trim(),
        "article php-version-per-subdomain deleted"
    );
    assert_eq!(d.last_paths(), ["kb/php-version-per-subdomain.md"]);
    assert!(!d.path("kb/php-version-per-subdomain.md").exists());
    assert!(d.last_message().contains("Desk-Op: kb.delete\n"));
    assert_eq!(d.status(), "");
}

#[test]
fn an_answer_cites_an_article_before_the_signature() {
    let d = TestDesk::example();
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "answer",
        "1018",
        "--kb",
        "configure-mail-client-smtp",
        "-m",
        "Hello,\n\nplease use port 587, as below.",
    ]);
    let v = json(&d.ok(&["--as", "bob", "--json", "ticket", "show", "1018"]));
    let answer = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|m| m["kind"] == "answer")
        .unwrap();
    let body = answer["body"].as_str().unwrap();
    let cite = body.find("----\nFrom the Example Hosting Support knowledge base: Configuring a mail client: SMTP authentication and ports\n").expect(body);
    assert!(
        body.starts_with("Hello,\n\nplease use port 587, as below.\n\n----\n"),
        "{body}"
    );
    let table = body
        .find("Incoming (IMAP)  mail.<your domain>  993")
        .expect(body);
    let signature = body.find("--\nBob Brennan").expect(body);
    assert!(cite < table && table < signature, "{body}");
    assert!(
        !body.contains("| Incoming"),
        "the Markdown is rendered as text: {body}"
    );
    // The outbox mail carries the same text.
    let key = answer["key"].as_str().unwrap();
    assert!(d
        .read(&format!("outbox/{key}.yaml"))
        .contains("Configuring a mail client"));
    // Citing needs kb.use and an existing article; nothing is committed otherwise.
    let before = d.commit_count();
    let err = d.fails(
        1,
        &[
            "--as", "bob", "ticket", "answer", "1018", "--kb", "no-such", "-m", "x",
        ],
    );
    assert!(err.contains("no knowledge-base article `no-such`"), "{err}");
    assert_eq!(d.commit_count(), before);
    d.ok(&[
        "--as",
        "alice",
        "staff",
        "add",
        "frank",
        "--name",
        "Frank",
        "--email",
        "frank@example.com",
    ]);
    let before = d.commit_count();
    let err = d.fails(
        1,
        &[
            "--as",
            "frank",
            "ticket",
            "answer",
            "1012",
            "--pickup",
            "--kb",
            "configure-mail-client-smtp",
            "-m",
            "x",
        ],
    );
    assert!(
        err.contains("frank may not read the knowledge base: the permission `kb.use` is needed"),
        "{err}"
    );
    assert_eq!(d.commit_count(), before);
}
