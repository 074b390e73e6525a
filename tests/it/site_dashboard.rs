//! The dashboard's views (order by urgency, waits, who spoke last, waiting on the customer
//! apart, "as of"), the navigation, and every ticket page's history — also for tickets
//! that came with the desk's first commit — in the thread's order.

use crate::site::build;
use crate::support::*;

fn read(p: &std::path::Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The part of `html` from the element with `id` to the next `</table>`.
fn table_after<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let rest = &html[at..];
    let next_h = rest[1..].find("<h").map_or(rest.len(), |i| i + 1);
    let end = rest.find("</table>").unwrap_or(rest.len()).min(next_h);
    &rest[..end]
}

/// (id, waiting-since or answered-since, priority, status) of each row.
fn rows(part: &str) -> Vec<(u64, String, u64, String)> {
    part.split("<tr class=\"ticket-row")
        .skip(1)
        .map(|r| {
            let attr = |name: &str| {
                let at = r.find(name).unwrap() + name.len();
                r[at..at + r[at..].find('"').unwrap()].to_owned()
            };
            let prio_at = r.find("priority </span>").unwrap() + 16;
            let prio = r[prio_at..prio_at + r[prio_at..].find('<').unwrap()]
                .parse()
                .unwrap();
            let st_at = r.find("class=\"status status-").unwrap() + 21;
            let status = r[st_at..st_at + r[st_at..].find('"').unwrap()].to_owned();
            (
                attr("data-id=\"").parse().unwrap(),
                attr("datetime=\""),
                prio,
                status,
            )
        })
        .collect()
}

fn unix(ts: &str) -> i64 {
    let out = std::process::Command::new("date")
        .args(["-u", "-d", ts, "+%s"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn the_dashboard_lists_what_needs_work_most_urgent_first() {
    let d = TestDesk::example();
    let out = d.tmp.path().join("site");
    build(&d, &out, &["--as", "bob", "--for", "bob"]);
    let index = read(&out.join("index.html"));
    assert!(
        index.contains("As of <time datetime=\"2026-11-27T12:00:00Z\""),
        "as of"
    );
    let now = unix(NOW);
    for view in ["unassigned", "mine"] {
        let work = rows(table_after(&index, &format!("{view}-work")));
        assert!(!work.is_empty(), "{view}: no rows");
        let scores: Vec<f64> = work
            .iter()
            .map(|(id, since, prio, status)| {
                assert!(status == "new" || status == "open", "#{id} is {status}");
                let wait = (now - unix(since)) as f64;
                assert!(wait >= 0.0, "#{id}");
                wait * (1.0 + *prio as f64 / 50.0)
            })
            .collect();
        assert!(
            scores.windows(2).all(|w| w[0] >= w[1]),
            "{view} not in urgency order: {work:?}"
        );
        for (id, _, _, status) in rows(table_after(&index, &format!("{view}-waiting"))) {
            assert_eq!(status, "answered", "#{id} waits on the customer");
        }
    }
    // Ticket 1022 has waited since 2026-11-19T22:xx — and who spoke last with what they
    // said (the line after the greeting).
    let unassigned = table_after(&index, "unassigned-work");
    let ticket_1022 = &unassigned[unassigned.find("data-id=\"1022\"").expect("1022 listed")..];
    assert!(ticket_1022.contains(">7 d 13 h<"), "{ticket_1022}");
    assert!(
        ticket_1022.contains("who-customer\">Customer:</span> I would like to use git"),
        "{}",
        &ticket_1022[..1500.min(ticket_1022.len())]
    );
    // Views with counts; queues and technicians in the navigation, marked when current.
    assert!(index.contains("<table class=\"views\">"));
    assert!(index.contains("href=\"queues/index.html\">Queues"));
    assert!(index.contains("href=\"staff/index.html\">Technicians"));
    assert!(index.contains("href=\"index.html\" aria-current=\"page\">Dashboard"));
    let queue = read(&out.join("queues/general.html"));
    assert!(queue.contains("href=\"..&#x2f;queues/index.html\" aria-current=\"page\">Queues"));
    assert!(!queue.contains("aria-current=\"page\">Dashboard"));
    let staff = read(&out.join("staff/bob.html"));
    assert!(staff.contains("aria-current=\"page\">Technicians"));
    assert!(read(&out.join("staff/index.html")).contains("staff&#x2f;bob.html"));
    // Pages not rendered on every build take the time from assets/built.js.
    assert!(read(&out.join("assets/built.js")).contains("2026-11-27T12:00:00Z"));
    assert!(read(&out.join("tickets/001/1004.html")).contains("data-built-at"));
}

#[test]
fn every_ticket_page_has_its_history_oldest_first() {
    let d = TestDesk::example();
    d.ok(&["--as", "bob", "ticket", "pickup", "1012"]);
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "note",
        "1012",
        "-m",
        "Looking at it.",
    ]);
    let out = d.tmp.path().join("site");
    build(&d, &out, &[]);
    // A ticket untouched since the desk's first commit.
    let page = read(&out.join("tickets/001/1004.html"));
    assert!(!page.contains("No commit"), "1004 has history");
    let history = &page[page.find("id=\"history\"").unwrap()..];
    assert!(history.contains("desk.init"), "{history}");
    // A ticket worked on since: the first commit first, then the pick-up, then the note.
    let page = read(&out.join("tickets/001/1012.html"));
    let history = &page[page.find("id=\"history\"").unwrap()..];
    let at = |s: &str| {
        history
            .find(s)
            .unwrap_or_else(|| panic!("{s} in {history}"))
    };
    assert!(at("desk.init") < at("ticket.pickup"));
    assert!(at("ticket.pickup") < at("ticket.note"));
    // The thread comes before the details, prose is not preformatted, code is.
    assert!(page.find("id=\"h-thread\"").unwrap() < page.find("id=\"h-details\"").unwrap());
    let t = read(&out.join("tickets/001/1004.html"));
    assert!(t.contains("<pre class=\"code\">php_value upload_max_filesize 32M"));
    assert!(t.contains(
        "<p>The site loads again. Could you please check that the contact form works?</p>"
    ));
    assert!(!t.contains("<pre class=\"body\">"));
}

fn inode(p: &std::path::Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .ino()
}

#[test]
fn queue_and_technician_lists_say_when_waits_began_and_stay_put_while_the_clock_moves() {
    let mut d = TestDesk::example();
    let out = d.tmp.path().join("site");
    build(&d, &out, &[]);
    let (queue, staff, index) = (
        out.join("queues/general.html"),
        out.join("staff/bob.html"),
        out.join("index.html"),
    );
    // Without script, the row says since when the customer waits; the page's script
    // (assets/built.js) turns it into the age at the build time, as the dashboard says.
    let html = read(&queue);
    let row = &html[html.find("data-id=\"1022\"").expect("1022 listed")..];
    assert!(
        row.contains(
            "<time datetime=\"2026-11-19T22:47:05Z\" data-age=\"wait\" title=\"waiting since 2026-11-19 22:47\">since 2026-11-19 22:47</time>"
        ),
        "{}",
        &row[..600.min(row.len())]
    );
    assert!(read(&index)
        .contains("data-age=\"wait\" title=\"waiting since 2026-11-19 22:47\">7 d 13 h</time>"));
    let built = read(&out.join("assets/built.js"));
    assert!(built.contains("time[data-age]") && built.contains("2026-11-27T12:00:00Z"));
    assert!(
        !html.contains("As of <time"),
        "the build time comes from assets/built.js"
    );
    assert!(
        read(&staff).contains("data-age=\"ago\""),
        "bob waits on a customer"
    );

    // A minute later: the dashboard shows new ages, the lists are not written again.
    let (q, s, i) = (inode(&queue), inode(&staff), inode(&index));
    d.now = "2026-11-27T12:01:00Z".into();
    let summary = build(&d, &out, &[]);
    assert_eq!(summary["full"], false, "{summary}");
    assert_eq!((inode(&queue), inode(&staff)), (q, s), "lists unchanged");
    assert_ne!(inode(&index), i, "the dashboard shows ages");
    assert!(read(&out.join("assets/built.js")).contains("2026-11-27T12:01:00Z"));

    // A row of the list changes (a customer-visible answer with hostile text): the list
    // is written again, escaped.
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "answer",
        "1022",
        "--pickup",
        "-m",
        "<script>alert(1)</script> done",
    ]);
    build(&d, &out, &[]);
    assert_ne!(inode(&staff), s, "bob's list now holds 1022");
    let html = read(&staff);
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("&lt;script&gt;alert(1)"));
}
