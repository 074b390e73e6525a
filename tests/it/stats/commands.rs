//! The statistics of work done with the real ticket commands (not hand-made commits): the
//! trailers `ticket pickup|release|assign|answer --pickup|reply|close|delete|merge` write
//! are read back as the figures say. One day, 2026-11-28, on a copy of example-repo
//! (auto_close_days 3, so answers leave tickets `answered`).

use super::stats;
use crate::support::*;

#[test]
fn the_ticket_commands_are_counted() {
    let mut d = TestDesk::example();
    let at = |d: &mut TestDesk, time: &str, who: &str, args: &[&str]| {
        d.now = format!("2026-11-28T{time}:00Z");
        let mut all = vec!["--as", who];
        all.extend(args);
        d.ok(&all);
    };
    let new = [
        "ticket",
        "new",
        "--title",
        "Mail",
        "--email",
        "john@doe.example",
        "-m",
        "Help",
    ];
    at(&mut d, "09:00", "bob", &new); // 1041
    at(&mut d, "09:05", "bob", &new); // 1042
    at(&mut d, "09:10", "bob", &["ticket", "pickup", "1041"]);
    at(
        &mut d,
        "09:15",
        "bob",
        &["ticket", "answer", "1042", "--pickup", "-m", "Done."],
    );
    at(&mut d, "09:20", "bob", &["ticket", "release", "1041"]);
    at(
        &mut d,
        "09:30",
        "bob",
        &["ticket", "assign", "1041", "carol"],
    );
    at(
        &mut d,
        "09:40",
        "carol",
        &["ticket", "answer", "1041", "-m", "Try this."],
    );
    at(
        &mut d,
        "09:50",
        "alice",
        &["ticket", "reply", "1041", "-m", "Still broken."],
    );
    at(
        &mut d,
        "10:00",
        "dave",
        &["ticket", "answer", "1041", "--pickup", "-m", "Fixed."],
    );
    at(&mut d, "10:10", "dave", &["ticket", "close", "1041"]);
    at(&mut d, "10:20", "dave", &["ticket", "delete", "1042"]);
    at(&mut d, "10:30", "bob", &new); // 1043: the id of the deleted 1042 is not reused
                                      // Merging an open ticket reopens the closed 1041; dave closes it again: one close.
    at(
        &mut d,
        "10:40",
        "carol",
        &["ticket", "merge", "1043", "--into", "1041"],
    );
    at(&mut d, "10:50", "dave", &["ticket", "close", "1041"]);

    let r = stats(&d, "alice", &["--from", "2026-11-28", "--to", "2026-11-28"]);
    let admin = |login: &str| {
        let a = r["per_admin"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["login"] == login);
        let a = a.unwrap();
        let get = |f: &str| a.pointer(f).unwrap().as_i64().unwrap_or(-1);
        [
            get("/picked_up"),
            get("/assigned"),
            get("/released"),
            get("/answers"),
            get("/closed"),
            get("/first_response/count"),
            get("/first_response/mean_seconds"),
        ]
    };
    // bob: picked up 1041 and (answering) the first 1042, released 1041; his answer on the
    // deleted 1042 came 10 minutes after it was opened.
    assert_eq!(admin("bob"), [2, 0, 1, 1, 0, 1, 600]);
    // carol: assigned 1041 by bob; first answer of 1041, 40 minutes after it was opened.
    assert_eq!(admin("carol"), [0, 1, 0, 1, 0, 1, 2400]);
    // dave: picked up 1041 while answering it, and closed it (twice, counted once).
    assert_eq!(admin("dave"), [1, 0, 0, 1, 1, 0, -1]);

    let b = &r["basic"];
    let get = |f: &str| b[f].as_i64().unwrap();
    // New: 1041 only (1042 deleted, 1043 merged into 1041). Customer messages on 1041: its
    // opening, the reply and the merged-in opening of 1043.
    let counts = [
        "new_tickets",
        "customer_messages",
        "answers",
        "closed",
        "deleted",
        "merged",
    ];
    assert_eq!(counts.map(get), [1, 3, 2, 1, 1, 1]);
}
