//! Queue administration: new, show, edit, list, and deleting a queue both ways, with the
//! default-queue and last-queue refusals and the permissions it takes.

use super::*;

#[test]
fn queues_new_show_edit_and_permission() {
    let d = TestDesk::example();
    refused(
        &d,
        &["--as", "bob", "queue", "new", "vip"],
        "bob may not create queues: the permission `queues.admin` is needed",
    );
    refused(
        &d,
        &["--as", "alice", "queue", "new", "sales"],
        "queue `sales` already exists",
    );
    refused(
        &d,
        &[
            "--as",
            "alice",
            "queue",
            "new",
            "vip",
            "--mailbox",
            "../../etc",
        ],
        "must be a path relative to the desk",
    );
    d.ok(&[
        "--as",
        "alice",
        "queue",
        "new",
        "vip",
        "--name",
        "VIP",
        "--email",
        "vip@example.com",
        "--closed-ticket-response",
        "Closed, VIP.",
    ]);
    assert_eq!(trailers(&d), ["Desk-Op: queue.new", "Desk-Actor: alice"]);
    assert_eq!(d.last_paths(), ["queues/vip.yaml"]);
    let v = json(&d.ok(&["--json", "queue", "show", "vip"]));
    assert_eq!(v["name"], "VIP");
    assert_eq!(v["email"], "vip@example.com");
    assert_eq!(v["closed_ticket_response"], "Closed, VIP.");
    d.ok(&[
        "--as",
        "alice",
        "queue",
        "edit",
        "vip",
        "--email",
        "",
        "--mailbox",
        "mail/vip",
        "--new-ticket-response",
        "Welcome, VIP.",
    ]);
    assert_eq!(trailers(&d), ["Desk-Op: queue.edit", "Desk-Actor: alice"]);
    let v = json(&d.ok(&["--json", "queue", "show", "vip"]));
    assert_eq!(v["email"], serde_json::Value::Null);
    assert_eq!(v["mailbox"], "mail/vip");
    assert_eq!(v["new_ticket_response"], "Welcome, VIP.");
    refused(
        &d,
        &["--as", "alice", "queue", "edit", "vip", "--name", "VIP"],
        "queue vip would not change",
    );
    let list = json(&d.ok(&["--json", "queue", "list"]));
    let slugs: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["billing", "general", "sales", "vip"]);
}

#[test]
fn deleting_a_queue_moves_or_deletes_its_tickets() {
    let d = TestDesk::example();
    let sales: Vec<u64> = {
        let v = json(&d.ok(&[
            "--as", "alice", "--json", "ticket", "list", "--all", "--queue", "sales", "--sort",
            "id",
        ]));
        v[0]["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_u64().unwrap())
            .collect()
    };
    assert!(!sales.is_empty());
    let err = d.fails(2, &["--as", "alice", "queue", "delete", "sales"]);
    assert!(err.contains("--move-to"), "{err}");
    refused(
        &d,
        &[
            "--as",
            "bob",
            "queue",
            "delete",
            "sales",
            "--move-to",
            "general",
        ],
        "bob may not delete queues: the permission `queues.admin` is needed",
    );
    refused(
        &d,
        &[
            "--as",
            "alice",
            "queue",
            "delete",
            "general",
            "--move-to",
            "sales",
        ],
        "queue general is the default queue",
    );
    refused(
        &d,
        &[
            "--as",
            "alice",
            "queue",
            "delete",
            "sales",
            "--move-to",
            "nowhere",
        ],
        "no queue `nowhere`",
    );
    refused(
        &d,
        &[
            "--as",
            "alice",
            "queue",
            "delete",
            "sales",
            "--move-to",
            "sales",
        ],
        "the queue being deleted",
    );

    // A queues.admin needs to be entitled to the queue's tickets, and staff.admin to drop the
    // queue from the technicians' lists.
    d.ok(&["--as", "alice", "staff", "grant", "dave", "queues.admin"]);
    refused(&d, &["--as", "dave", "queue", "delete", "sales", "--move-to", "billing"], "dave may not delete queue sales with its 6 tickets: they are in a queue they are not entitled to");
    d.ok(&["--as", "alice", "staff", "edit", "dave", "--queue", "sales"]);
    refused(
        &d,
        &[
            "--as",
            "dave",
            "queue",
            "delete",
            "sales",
            "--move-to",
            "billing",
        ],
        "dave may not drop queue sales from alice's queues: the permission `staff.admin` is needed",
    );

    let out = d.ok(&[
        "--as",
        "alice",
        "queue",
        "delete",
        "sales",
        "--move-to",
        "billing",
    ]);
    assert_eq!(
        out.trim(),
        format!(
            "queue: delete sales, {} tickets moved to billing",
            sales.len()
        )
    );
    let tr = trailers(&d);
    assert_eq!(tr[0], "Desk-Op: queue.delete");
    assert_eq!(
        tr.iter().filter(|t| t.starts_with("Desk-Ticket: ")).count(),
        sales.len()
    );
    assert!(!d.path("queues/sales.yaml").exists());
    for id in &sales {
        assert_eq!(ticket(&d, &id.to_string())["ticket"]["queue"], "billing");
    }
    // carol was entitled to sales only: the entitlement is gone with it.
    assert!(d.read("staff/carol.yaml").contains("queues: []\n"));
    d.ok(&["check"]);
    d.ok(&["verify"]);

    // Deleting tickets needs tickets.delete too (main admins hold it).
    let billing: Vec<String> = {
        let v = json(&d.ok(&[
            "--as", "alice", "--json", "ticket", "list", "--all", "--queue", "billing",
        ]));
        v[0]["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].to_string())
            .collect()
    };
    d.ok(&["--as", "alice", "staff", "grant", "bob", "queues.admin"]);
    refused(
        &d,
        &[
            "--as",
            "bob",
            "queue",
            "delete",
            "billing",
            "--delete-tickets",
        ],
        "bob may not delete the queue's tickets: the permission `tickets.delete` is needed",
    );
    d.ok(&[
        "--as",
        "alice",
        "queue",
        "delete",
        "billing",
        "--delete-tickets",
    ]);
    for id in &billing {
        refused(
            &d,
            &["--as", "alice", "ticket", "show", id],
            &format!("no ticket `{id}`"),
        );
    }
    assert!(d.read("staff/dave.yaml").contains("queues: []\n"));
    // The last queue stays.
    refused(
        &d,
        &[
            "--as",
            "alice",
            "queue",
            "delete",
            "general",
            "--delete-tickets",
        ],
        "queue general is the last queue",
    );
    assert_eq!(d.status(), "");
}
