//! The static site: every page of the example desk with no broken link, escaping of hostile
//! ticket and KB text, incremental rebuilds (an answer, a delete, a template change),
//! `--for` privacy, and where the output may go. The browser test is in
//! `tests/external/browser.rs`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::*;

/// `site build --out OUT --json` run in `cwd`; the summary.
fn build_in(d: &TestDesk, cwd: &Path, desk: &Path, out: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "--json",
        "-C",
        desk.to_str().unwrap(),
        "site",
        "build",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let r = d.run_in(cwd, &args);
    assert_eq!(r.code, 0, "site build failed:\n{}\n{}", r.stdout, r.stderr);
    json(&r.stdout)
}

pub fn build(d: &TestDesk, out: &Path, extra: &[&str]) -> Value {
    build_in(d, d.tmp.path(), &d.root, out, extra)
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// HTML-escaped as minijinja does it.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

/// The values of every `href="…"` and `src="…"` attribute of a page.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in [" href=\"", " src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap();
            out.push(rest[..end].replace("&amp;", "&").replace("&#x2f;", "/"));
        }
    }
    out
}

/// Every link of every page resolves to a file of the site; all of them are relative.
fn check_links(site: &Path) -> usize {
    let mut checked = 0;
    for page in files(site)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
    {
        let html = read(&page);
        assert!(
            html.starts_with("<!DOCTYPE html>\n<html lang=\"en\""),
            "{}",
            page.display()
        );
        for link in links(&html) {
            if link.starts_with("https://")
                || link.starts_with("http://")
                || link.starts_with("mailto:")
                || link.starts_with('#')
            {
                continue;
            }
            assert!(
                !link.starts_with('/') && !link.contains("://"),
                "{}: not relative: {link}",
                page.display()
            );
            let path = link.split(['#', '?']).next().unwrap();
            let target = page.parent().unwrap().join(path);
            assert!(target.is_file(), "{}: broken link {link}", page.display());
            checked += 1;
        }
    }
    checked
}

#[test]
fn the_example_site_has_every_page_and_no_broken_link() {
    let d = TestDesk::empty();
    let out = d.tmp.path().join("site");
    let s = build_in(&d, d.tmp.path(), &example_repo(), &out, &[]);
    assert_eq!(s["full"], true);
    assert_eq!(s["tickets"], 40);
    assert_eq!(s["problems"].as_array().unwrap().len(), 0, "{s}");
    for page in [
        "index.html",
        "tickets/001/1004.html",
        "tickets/001/1040.html",
        "queues/general.html",
        "queues/billing.html",
        "staff/bob.html",
        "tasks/index.html",
        "tasks/1.html",
        "kb/index.html",
        "kb/external-mail-provider.html",
        "closed/index.html",
        "closed/2026-10.html",
        "stats/index.html",
        "stats/all.html",
        "stats/2026-11.html",
        "assets/style.css",
        "assets/search.js",
        "assets/search/t-100.js",
        "assets/search/d-31.js",
    ] {
        assert!(out.join(page).is_file(), "missing {page}");
    }
    assert!(!out.join("inbox.html").exists());
    let checked = check_links(&out);
    assert!(checked > 1000, "only {checked} links checked");
    // The attachment is copied next to its ticket, byte for byte, and linked.
    let original = example_repo()
        .join("tickets/001/1004/files/20261005T075831Z-paulamartins-3c9a-error-log.txt");
    let copy = out.join("tickets/001/1004/f-20261005T075831Z-paulamartins-3c9a-error-log.txt");
    assert_eq!(
        std::fs::read(copy).unwrap(),
        std::fs::read(original).unwrap()
    );
    let ticket = read(&out.join("tickets/001/1004.html"));
    assert!(ticket.contains("href=\"..&#x2f;..&#x2f;tickets&#x2f;001&#x2f;1004&#x2f;f-20261005T075831Z-paulamartins-3c9a-error-log.txt\""), "{ticket}");
    // The thread tells customer messages, answers and notes apart; metadata is there.
    for class in ["kind-customer", "kind-answer", "kind-note"] {
        assert!(
            ticket.contains(&format!("class=\"message {class}\"")),
            "{class}"
        );
    }
    assert!(ticket.contains("WebHost Partners"), "reseller shown");
    assert!(
        ticket.contains("not a git repository"),
        "a plain desk has no history"
    );
    // The dashboard lists the unassigned tickets and every queue.
    let index = read(&out.join("index.html"));
    assert!(index.contains("New Unassigned Tickets"));
    assert!(index.contains("SSL certificate renewal failed"));
    assert!(index.contains("queues&#x2f;sales.html"));
    // Statistics carry SVG charts.
    let stats = read(&out.join("stats/all.html"));
    assert!(
        stats.contains("<svg viewBox=")
            && stats.contains("<polyline points=")
            && stats.contains("<rect x=")
    );
    // The quick-search index: scripts safe inside <script>, a ticket's record and its id.
    let docs = read(&out.join("assets/search/d-31.js"));
    assert!(docs.starts_with("GIT_DESK_QS(\"d\", \"31\", ["));
    assert!(docs.contains("[1004,\"500 Internal Server Error after PHP upgrade\",\"paula.martins@martins-law.test\",\"resolved\"]"));
    assert!(read(&out.join("assets/search/t-100.js")).contains("\"1004\":["));
    for f in files(&out.join("assets/search")) {
        assert!(!read(&f).contains('<'), "{}", f.display());
    }
    // Nothing lands in the example desk itself.
    assert!(!example_repo().join("site").exists());
}

#[test]
fn ticket_and_kb_text_is_escaped() {
    let d = TestDesk::new();
    let title = "<script>alert(1)</script> & \"quotes\"";
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "new",
        "--title",
        title,
        "--email",
        "x@y.example",
        "-m",
        "<img src=x onerror=alert(2)>",
    ]);
    d.write(
        "kb/evil.md",
        "---\ntitle: <b>Evil</b>\ncategory: Tests\n---\nHi <script>alert(3)</script> [x](javascript:alert(4)) [ok](https://example.com/) press <kbd>Enter</kbd>\n",
    );
    d.git(&["add", "-A"]);
    d.git(&["commit", "-qm", "kb by hand"]);
    let out = d.tmp.path().join("site");
    build(&d, &out, &[]);
    let page = read(&out.join("tickets/000/1.html"));
    assert!(page.contains(&esc(title)), "{page}");
    assert!(page.contains(&esc("<img src=x onerror=alert(2)>")));
    for f in files(&out) {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        assert!(!text.contains("<script>alert"), "{}", f.display());
        assert!(!text.contains("<img src=x"), "{}", f.display());
        assert!(
            !text.to_lowercase().contains("javascript:"),
            "{}",
            f.display()
        );
    }
    let kb = read(&out.join("kb/evil.html"));
    // Raw HTML in KB Markdown is sanitised: the script is gone, not shown as text.
    assert!(!kb.contains("alert(3)"), "{kb}");
    assert!(!kb.contains("href=\"#\""), "no dead link: {kb}");
    assert!(kb.contains("href=\"https://example.com/\""), "{kb}");
    assert!(kb.contains("&lt;b&gt;Evil&lt;&#x2f;b&gt;"), "{kb}");
    assert!(
        kb.contains("<kbd>Enter</kbd>"),
        "allowed HTML is kept: {kb}"
    );
    check_links(&out);
}

fn mtime(p: &Path) -> std::time::SystemTime {
    std::fs::metadata(p).unwrap().modified().unwrap()
}

#[test]
fn a_rebuild_renders_only_what_changed() {
    let d = TestDesk::example();
    let out = d.tmp.path().join("site");
    let first = build(&d, &out, &[]);
    assert_eq!(first["full"], true);
    let total = first["written"].as_u64().unwrap();
    assert!(total > 70, "{first}");
    let again = build(&d, &out, &[]);
    assert_eq!(
        (
            again["written"].as_u64(),
            again["removed"].as_u64(),
            again["full"].as_bool()
        ),
        (Some(0), Some(0), Some(false)),
        "{again}"
    );
    assert_eq!(again["unchanged"].as_u64(), Some(total));

    // An answer (committed by hand, as a technician may): that ticket's page and the lists.
    let other = out.join("tickets/001/1004.html");
    let before = (mtime(&other), read(&other));
    std::thread::sleep(std::time::Duration::from_millis(20));
    d.write(
        "tickets/001/1012/messages/20261127T110000Z-bob-aaaa.yaml",
        "at: 2026-11-27T11:00:00Z\nauthor: bob\nkind: answer\nmessage_id: null\nbody: |\n  The certificate is renewed now.\nattachments: []\n",
    );
    d.git(&["add", "-A"]);
    d.git(&[
        "commit",
        "-qm",
        "ticket 1012: answer\n\nDesk-Op: ticket.answer\nDesk-Ticket: 1012\nDesk-Actor: bob",
    ]);
    let s = build(&d, &out, &[]);
    let written = s["written"].as_u64().unwrap();
    assert!((1..20).contains(&written), "{s}");
    let page = read(&out.join("tickets/001/1012.html"));
    assert!(page.contains("The certificate is renewed now."));
    assert!(
        page.contains("ticket 1012: answer"),
        "the history shows the commit"
    );
    assert!(page.contains("ticket.answer"));
    assert_eq!(
        (mtime(&other), read(&other)),
        before,
        "an unchanged ticket's page is not rewritten"
    );

    // A delete: the page goes, and so does the ticket from the index and the lists.
    d.git(&["rm", "-rq", "tickets/001/1039"]);
    d.git(&[
        "commit",
        "-qm",
        "ticket 1039: delete\n\nDesk-Op: ticket.delete\nDesk-Ticket: 1039\nDesk-Actor: alice",
    ]);
    let s = build(&d, &out, &[]);
    assert!(s["removed"].as_u64().unwrap() >= 1, "{s}");
    // The list pages, and the Quick Search shards of the ticket's words and its id.
    assert!(s["written"].as_u64().unwrap() < 50, "{s}");
    assert!(!out.join("tickets/001/1039.html").exists());
    assert!(!read(&out.join("assets/search/d-32.js")).contains("[1039,"));
    assert!(!read(&out.join("assets/search/t-103.js")).contains("\"1039\""));
    assert!(!read(&out.join("index.html")).contains("tickets&#x2f;001&#x2f;1039.html"));
    check_links(&out);

    // A template of the desk's own: every page that uses it is rendered again.
    d.write("site-templates/ticket.html", "{% extends \"base.html\" %}{% block content %}<p class=\"custom\">Custom {{ ticket.id }}</p>{% endblock %}\n");
    let s = build(&d, &out, &[]);
    assert!(s["written"].as_u64().unwrap() >= 39, "{s}");
    assert!(
        read(&out.join("tickets/001/1004.html")).contains("<p class=\"custom\">Custom 1004</p>")
    );
    let s = build(&d, &out, &[]);
    assert_eq!(s["written"].as_u64(), Some(0), "{s}");
    // --full renders everything again.
    let s = build(&d, &out, &["--full"]);
    assert!(s["written"].as_u64().unwrap() >= 70, "{s}");
}

#[test]
fn only_the_for_copy_has_private_messages_and_only_its_owners() {
    let d = TestDesk::example();
    let mut subjects = Vec::new();
    for who in ["alice", "bob", "carol", "dave", "erin"] {
        for e in std::fs::read_dir(example_repo().join("inbox").join(who)).unwrap() {
            let y: serde_yaml::Value = serde_yaml::from_str(&read(&e.unwrap().path())).unwrap();
            subjects.push((
                who,
                y["subject"].as_str().unwrap().to_owned(),
                y["body"]
                    .as_str()
                    .unwrap()
                    .lines()
                    .nth(2)
                    .unwrap_or("")
                    .to_owned(),
            ));
        }
    }
    let shared = d.tmp.path().join("shared");
    build(&d, &shared, &[]);
    let all: String = files(&shared)
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap_or_default())
        .collect();
    for (_, subject, line) in &subjects {
        assert!(!all.contains(&esc(subject)), "shared site leaks {subject}");
        assert!(
            line.is_empty() || !all.contains(&esc(line)),
            "shared site leaks {line}"
        );
    }
    let mine = d.tmp.path().join("bob");
    build(&d, &mine, &["--as", "bob", "--for", "bob"]);
    let inbox = read(&mine.join("inbox.html"));
    for (who, subject, _) in &subjects {
        let owned_by_bob = subjects.iter().any(|(w, s, _)| *w == "bob" && s == subject);
        assert_eq!(
            inbox.contains(&esc(subject)),
            owned_by_bob,
            "{who}: {subject}"
        );
    }
    let others: String = files(&mine)
        .iter()
        .filter(|f| !f.ends_with("inbox.html"))
        .map(|f| std::fs::read_to_string(f).unwrap_or_default())
        .collect();
    for (_, subject, _) in &subjects {
        assert!(
            !others.contains(&esc(subject)),
            "a page other than the inbox shows {subject}"
        );
    }
    // bob's tickets are marked, and his dashboard starts with them.
    let index = read(&mine.join("index.html"));
    assert!(index.contains("My Assigned Tickets") && index.contains("badge-mine"));
    assert!(!read(&shared.join("index.html")).contains("badge-mine"));
    check_links(&mine);
    // Only one's own copy: carol may not build bob's, nor anyone a non-staff login's.
    for (actor, login) in [("carol", "bob"), ("alice", "bob"), ("alice", "nobody")] {
        let out = d.tmp.path().join(format!("x-{actor}-{login}"));
        let err = d.run(&[
            "--as",
            actor,
            "site",
            "build",
            "--out",
            out.to_str().unwrap(),
            "--for",
            login,
        ]);
        assert_eq!(err.code, 1, "{}", err.stderr);
        assert!(
            err.stderr.contains(&format!(
                "--for {login}: a personal site holds private messages, so it is built only for yourself (you are {actor})"
            )),
            "{}",
            err.stderr
        );
        assert!(!out.exists(), "nothing written for a refused --for");
    }
}

#[test]
fn the_output_goes_where_asked_and_never_over_the_desk() {
    let d = TestDesk::example();
    // -C changes the desk, a relative --out is taken from where git-desk was started.
    let start = d.tmp.path().join("elsewhere");
    std::fs::create_dir_all(&start).unwrap();
    let r = d.run_in(&start, &["-C", "../desk", "site", "build", "--out", "out"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(start.join("out/index.html").is_file());
    assert!(!d.path("out").exists());
    assert!(r.stderr.contains("pages written"), "{}", r.stderr);
    for bad in [".", "tickets", "staff/x", ".."] {
        let err = d.fails(1, &["site", "build", "--out", bad]);
        assert!(err.contains("refusing to build the site"), "{bad}: {err}");
    }
    std::fs::create_dir_all(d.tmp.path().join("mine")).unwrap();
    std::fs::write(d.tmp.path().join("mine/notes.txt"), "mine").unwrap();
    let err = d.fails(1, &["site", "build", "--out", "../mine"]);
    assert!(err.contains("not empty"), "{err}");
    assert_eq!(read(&d.tmp.path().join("mine/notes.txt")), "mine");
    assert_eq!(d.status(), "");
}

#[test]
fn a_broken_ticket_does_not_stop_the_build() {
    let d = TestDesk::example();
    d.write("tickets/001/1005/ticket.yaml", "id: [not valid\n");
    d.git(&["commit", "-qam", "break a ticket"]);
    let out = d.tmp.path().join("site");
    let s = build(&d, &out, &[]);
    assert_eq!(s["tickets"], 39);
    let problems = s["problems"].to_string();
    assert!(
        problems.contains("tickets/001/1005/ticket.yaml"),
        "{problems}"
    );
    assert!(!out.join("tickets/001/1005.html").exists());
    check_links(&out);
}

/// The text of the element with `id` (up to its first tag).
fn by_id<'a>(html: &'a str, id: &str) -> &'a str {
    let open = format!("id=\"{id}\">");
    let at = html.find(&open).unwrap_or_else(|| panic!("no #{id}")) + open.len();
    &html[at..at + html[at..].find('<').unwrap()]
}

/// The numbers of the table row with `id`, in order.
fn row_numbers(html: &str, id: &str) -> Vec<u64> {
    let open = format!("<tr id=\"{id}\">");
    let at = html.find(&open).unwrap_or_else(|| panic!("no row {id}"));
    let row = &html[at..at + html[at..].find("</tr>").unwrap()];
    row.split("<td class=\"num\">")
        .skip(1)
        .filter_map(|c| c[..c.find('<').unwrap()].parse().ok())
        .collect()
}

#[test]
fn the_statistics_pages_show_the_figures_of_git_desk_stats() {
    let d = TestDesk::example();
    // History the stats library reads from trailers: a pick-up.
    d.ok(&["--as", "bob", "ticket", "pickup", "1039"]);
    let out = d.tmp.path().join("out");
    build(&d, &out, &[]);
    let pages = [
        ("stats/all.html", vec!["--all"]),
        ("stats/index.html", vec![]),
        (
            "stats/2026-10.html",
            vec!["--from", "2026-10-01", "--to", "2026-10-31"],
        ),
    ];
    for (page, range) in pages {
        let html = read(&out.join(page));
        let mut args = vec!["--as", "alice", "--json", "stats"];
        args.extend(range);
        let r = json(&d.ok(&args));
        let basic = &r["basic"];
        for (id, v) in [
            ("fig-new-tickets", &basic["new_tickets"]),
            ("fig-closed", &basic["closed"]),
            ("fig-answers", &basic["answers"]),
            ("fig-unanswered", &r["averages"]["unanswered"]),
        ] {
            assert_eq!(by_id(&html, id), v.to_string(), "{page} #{id}");
        }
        assert!(basic["new_tickets"].as_u64().unwrap() > 0, "{page}");
        let bob = r["per_admin"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["login"] == "bob")
            .unwrap();
        let want: Vec<u64> = [
            "picked_up",
            "assigned",
            "released",
            "answers",
            "notes",
            "closed",
        ]
        .iter()
        .map(|k| bob[k].as_u64().unwrap())
        .chain([bob["first_response"]["count"].as_u64().unwrap()])
        .collect();
        assert_eq!(row_numbers(&html, "admin-bob"), want, "{page}");
        let acme = &r["resellers"][0];
        assert_eq!(acme["login"], "acme");
        let want: Vec<u64> = [
            "tickets",
            "customers",
            "customer_messages",
            "answers",
            "accounts",
        ]
        .iter()
        .map(|k| acme[k].as_u64().unwrap())
        .collect();
        assert_eq!(row_numbers(&html, "reseller-acme"), want, "{page}");
    }
    // The pick-up counted on the site's last 30 days, as in `stats`.
    let html = read(&out.join("stats/index.html"));
    assert_eq!(row_numbers(&html, "admin-bob")[0], 1);
}

/// Every term of the Quick Search shards of the site in `out`.
fn search_terms(out: &Path) -> std::collections::BTreeSet<String> {
    let mut terms = std::collections::BTreeSet::new();
    for f in files(&out.join("assets/search")) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("t-") {
            continue;
        }
        let text = read(&f);
        let open = text.find('{').unwrap();
        let close = text.rfind('}').unwrap();
        let v: Value = serde_json::from_str(&text[open..=close]).unwrap();
        terms.extend(v.as_object().unwrap().keys().cloned());
    }
    terms
}

#[test]
fn quick_search_shards_hold_public_words_only_and_stay_small() {
    let d = TestDesk::example();
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "new",
        "--title",
        "Mailbox quota",
        "--email",
        "zed@zoo.example",
        "-m",
        "The xylophonic mailbox is full.",
    ]);
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "answer",
        "1041",
        "--pickup",
        "-m",
        "Quokkaform sent.",
    ]);
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "note",
        "1041",
        "-m",
        "Notewordzz is internal only.",
    ]);
    // A private message in clear, as the example desk's inbox holds them.
    d.write(
        "inbox/bob/20261125T100000Z-alice-9f9f.yaml",
        "from: alice\nto: [bob]\nsubject: Pmsubjectzz\nat: 2026-11-25T10:00:00Z\nread: false\nbody: |\n  Pmbodywordzz stays private.\n",
    );
    d.git(&["add", "inbox"]);
    d.git(&["commit", "-qm", "a private message"]);
    let out = d.tmp.path().join("site");
    build(&d, &out, &[]);
    let terms = search_terms(&out);
    for found in [
        "xylophonic",
        "quokkaform",
        "mailbox",
        "zed",
        "1041",
        "landscaping",
        "jdoe",
        "smtp",
    ] {
        assert!(terms.contains(found), "{found} is not indexed");
    }
    for hidden in ["notewordzz", "pmbodywordzz", "pmsubjectzz"] {
        assert!(!terms.contains(hidden), "{hidden} is indexed");
    }
    // Not in the copy for bob either, whose pages show his private messages.
    let mine = d.tmp.path().join("site-bob");
    build(&d, &mine, &["--as", "bob", "--for", "bob"]);
    assert!(files(&mine).iter().any(|f| std::fs::read_to_string(f)
        .unwrap_or_default()
        .contains("Pmbodywordzz")));
    let bobs = search_terms(&mine);
    assert!(bobs.contains("quokkaform"));
    for hidden in ["notewordzz", "pmbodywordzz", "pmsubjectzz"] {
        assert!(!bobs.contains(hidden), "{hidden} is indexed for bob");
    }
    // No internal note of the example desk reaches the index: a word found only in notes
    // (nowhere in titles, public messages, e-mail addresses or names) is not a term.
    let all = files(&out.join("assets/search"))
        .iter()
        .map(|f| read(f))
        .collect::<String>();
    assert!(!all.contains("notewordzz") && !all.contains("pmbodywordzz"));
    // Small files: no shard of the example desk near 64 KB, the whole index well under
    // the old single script.
    let mut total = 0;
    for f in files(&out.join("assets/search")) {
        let n = std::fs::metadata(&f).unwrap().len();
        assert!(n < 16 * 1024, "{} is {n} bytes", f.display());
        total += n;
    }
    assert!(total < 100 * 1024, "{total} bytes");
    // A rebuild with nothing changed rewrites no shard.
    let s = build(&d, &out, &[]);
    assert_eq!(s["written"].as_u64(), Some(0), "{s}");
}
