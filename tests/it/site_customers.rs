//! Customer status pages (`site build --customers DIR`): one page per ticket at an
//! unguessable address, the customer-visible thread only, no other customer's data, and a
//! rotated secret moves every page.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::site::build;
use crate::support::*;

/// HTML-escaped as minijinja does it.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

/// The customer pages of `dir`: file name → ticket id (from "Request #N") and text.
fn pages(dir: &Path) -> BTreeMap<String, (u64, String)> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p: PathBuf = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let html = std::fs::read_to_string(&p).unwrap();
        let at = html.find("Request #").expect("the page names its request") + 9;
        let id: u64 = html[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap();
        out.insert(name, (id, html));
    }
    out
}

/// Every ticket of example-repo: id → (customer e-mail, [(kind, body)]).
fn example_tickets() -> BTreeMap<u64, (String, Vec<(String, String)>)> {
    let mut out = BTreeMap::new();
    for bucket in std::fs::read_dir(example_repo().join("tickets")).unwrap() {
        for t in std::fs::read_dir(bucket.unwrap().path()).unwrap() {
            let dir = t.unwrap().path();
            let y: serde_yaml::Value =
                serde_yaml::from_str(&std::fs::read_to_string(dir.join("ticket.yaml")).unwrap())
                    .unwrap();
            let mut messages = Vec::new();
            if let Ok(rd) = std::fs::read_dir(dir.join("messages")) {
                for m in rd {
                    let m: serde_yaml::Value =
                        serde_yaml::from_str(&std::fs::read_to_string(m.unwrap().path()).unwrap())
                            .unwrap();
                    messages.push((
                        m["kind"].as_str().unwrap().to_owned(),
                        m["body"].as_str().unwrap().to_owned(),
                    ));
                }
            }
            out.insert(
                y["id"].as_u64().unwrap(),
                (y["email"].as_str().unwrap().to_owned(), messages),
            );
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn customer_pages_show_only_their_own_customer_visible_thread() {
    let d = TestDesk::example();
    let site = d.tmp.path().join("site");
    let customers = d.tmp.path().join("status");
    let s = build(&d, &site, &["--customers", customers.to_str().unwrap()]);
    assert_eq!(s["customers"]["written"], 40, "{s}");
    let pages = pages(&customers);
    let tickets = example_tickets();
    assert_eq!(pages.len(), 40);
    let ids: std::collections::BTreeSet<u64> = pages.values().map(|(id, _)| *id).collect();
    assert_eq!(ids.len(), 40, "one page per ticket");
    let notes: Vec<String> = tickets
        .values()
        .flat_map(|(_, m)| m.iter().filter(|(k, _)| k == "note"))
        .flat_map(|(_, body)| body.lines().filter(|l| l.trim().len() > 20))
        .map(|l| esc(l.trim()))
        .collect();
    assert!(notes.len() > 10, "the example has notes");
    for (name, (id, html)) in &pages {
        // An unguessable name: 128 bits of hex, not the id, not a plain hash of it.
        let stem = name.strip_suffix(".html").unwrap();
        assert_eq!(stem.len(), 32, "{name}");
        assert!(stem.bytes().all(|b| b.is_ascii_hexdigit()), "{name}");
        assert!(!stem.contains(&id.to_string()), "{name} holds the id");
        assert!(
            !hex(&Sha256::digest(id.to_string())).starts_with(stem),
            "{name} is sha256 of the id"
        );
        let (email, messages) = &tickets[id];
        // No internal note of any ticket, no other customer's address or messages.
        for n in &notes {
            assert!(
                !html.contains(n.as_str()),
                "ticket {id}'s page shows a note: {n}"
            );
        }
        for (other, (other_email, other_messages)) in &tickets {
            // (A ticket's own messages may name another address of the same customer.)
            let own = messages
                .iter()
                .any(|(_, b)| b.contains(other_email.as_str()));
            if other == id || other_email == email || own {
                continue;
            }
            assert!(
                !html.contains(&esc(other_email)),
                "ticket {id}'s page shows {other_email} of ticket {other}"
            );
            for (_, body) in other_messages {
                let line = body.lines().find(|l| l.trim().len() > 40);
                if let Some(l) = line {
                    let mine = messages.iter().any(|(_, b)| b.contains(l));
                    assert!(
                        mine || !html.contains(&esc(l.trim())),
                        "ticket {id}'s page shows ticket {other}'s text: {l}"
                    );
                }
            }
        }
        // Its own customer messages and answers are there.
        for (kind, body) in messages {
            let Some(l) = body.lines().find(|l| l.trim().len() > 20) else {
                continue;
            };
            if kind == "customer" || kind == "answer" {
                assert!(
                    html.contains(&esc(l.trim()))
                        || html.contains(&esc(l.split_whitespace().next().unwrap())),
                    "ticket {id}: missing {kind} text {l}"
                );
            }
        }
        // Nothing from the staff site: no assignee, no queue, no links but mail.
        assert!(
            !html.contains("assignee") && !html.contains("Assignee"),
            "{id}"
        );
        assert!(!html.contains("Internal note"), "{id}");
        for link in html.split(" href=\"").skip(1) {
            assert!(link.starts_with("mailto:"), "ticket {id} links {link}");
        }
        assert!(!html.contains(" src=\""), "ticket {id} loads something");
        assert!(html.contains("Example Hosting Support"), "the desk's name");
    }
    // The staff site does not know these addresses.
    let staff_index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(!pages.keys().any(|n| staff_index.contains(n.as_str())));

    // The secret is outside the work tree and the commits; rotating it moves every page.
    assert_eq!(d.status(), "");
    assert!(!d.git(&["ls-files"]).contains("customer-secret"));
    d.ok(&["site", "rotate-secret"]);
    let s = build(&d, &site, &["--customers", customers.to_str().unwrap()]);
    assert_eq!(s["customers"]["removed"], 40, "{s}");
    let after = pages_names(&customers);
    assert_eq!(after.len(), 40);
    assert!(
        after.iter().all(|n| !pages.contains_key(n)),
        "every old link is dead"
    );
}

fn pages_names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect()
}

#[test]
fn another_desk_gets_other_addresses_and_the_setting_is_honoured() {
    let a = TestDesk::example();
    let b = TestDesk::example();
    let out_a = a.tmp.path().join("status");
    build(
        &a,
        &a.tmp.path().join("site"),
        &["--customers", out_a.to_str().unwrap()],
    );
    // b: from the `site.customers` setting, relative to the desk.
    b.ok(&[
        "--as",
        "alice",
        "settings",
        "set",
        "site.customers",
        "../status",
    ]);
    build(&b, &b.tmp.path().join("site"), &[]);
    let names_a = pages_names(&out_a);
    let names_b = pages_names(&b.tmp.path().join("status"));
    assert_eq!((names_a.len(), names_b.len()), (40, 40));
    assert!(
        names_a.iter().all(|n| !names_b.contains(n)),
        "another secret, other addresses"
    );
    // The customer pages may not go into the staff site.
    let site = a.tmp.path().join("site");
    let r = a.run(&[
        "site",
        "build",
        "--out",
        site.to_str().unwrap(),
        "--customers",
        site.join("c").to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("must not share"), "{}", r.stderr);
}

#[test]
fn answers_carry_the_link_to_the_customer_page_when_the_desk_publishes_them() {
    let d = TestDesk::example();
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "answer",
        "1039",
        "--pickup",
        "-m",
        "Before the setting.",
    ]);
    d.ok(&[
        "--as",
        "alice",
        "settings",
        "set",
        "site.customer_url",
        "https://status.example.com/desk/",
    ]);
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "answer",
        "1039",
        "-m",
        "The site is back.",
    ]);
    let outbox: Vec<String> = std::fs::read_dir(d.path("outbox"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    let with_link: Vec<&String> = outbox
        .iter()
        .filter(|m| m.contains("https://status.example.com/desk/"))
        .collect();
    assert_eq!(
        with_link.len(),
        1,
        "only the answer after the setting: {outbox:?}"
    );
    let m = with_link[0];
    assert!(m.contains("The site is back."), "{m}");
    let at = m.find("https://status.example.com/desk/").unwrap() + 32;
    let name: String = m[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    assert_eq!(name.len(), 37, "{name}");
    // The thread keeps the answer as written; the staff site does not show the link.
    let thread = d.ok(&["--as", "bob", "ticket", "show", "1039"]);
    assert!(!thread.contains("status.example.com"), "{thread}");
    let status = d.tmp.path().join("status");
    build(
        &d,
        &d.tmp.path().join("site"),
        &["--customers", status.to_str().unwrap()],
    );
    let page = std::fs::read_to_string(status.join(&name)).expect("the linked page exists");
    assert!(page.contains("Request #1039,"));
    assert!(page.contains("The site is back."));
}
