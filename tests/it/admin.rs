//! Administration: settings, staff (edit, grant, revoke, "My Profile"), queues (with both
//! ways of deleting one and the last-queue refusal), accounts and resellers with custom
//! prices. Every change is one commit named by its trailers; every refusal names the
//! permission or the reason and leaves no commit.

use crate::lifecycle::{refused, ticket, trailers};
use crate::support::*;

#[test]
fn settings_show_and_set() {
    let d = TestDesk::example();
    let v = json(&d.ok(&["--json", "settings", "show"]));
    assert_eq!(v["auto_close_days"], 3);
    let text = d.ok(&["settings", "show"]);
    assert!(
        text.contains("reseller_support.default_price  5.00\n"),
        "{text}"
    );
    refused(
        &d,
        &["--as", "bob", "settings", "set", "auto_close_days", "0"],
        "bob may not change settings: the permission `settings.admin` is needed",
    );
    refused(
        &d,
        &["--as", "alice", "settings", "set", "auto_close_days", "-5"],
        "auto_close_days must be -1 (never)",
    );
    refused(
        &d,
        &[
            "--as",
            "alice",
            "settings",
            "set",
            "default_queue",
            "nowhere",
        ],
        "default_queue: no queue `nowhere`",
    );
    refused(
        &d,
        &["--as", "alice", "settings", "set", "colour", "blue"],
        "`colour` is not a setting",
    );
    refused(
        &d,
        &[
            "--as",
            "alice",
            "settings",
            "set",
            "support_email",
            "x\r\ny",
        ],
        "not a valid e-mail address",
    );
    refused(
        &d,
        &["--as", "alice", "settings", "set", "auto_close_days", "3"],
        "the settings would not change",
    );
    let out = d.ok(&[
        "--as",
        "alice",
        "settings",
        "set",
        "auto_close_days",
        "7",
        "reseller_support.pricing",
        "per_customer",
        "reseller_support.default_price",
        "4.5",
        "smtp.from",
        "none",
    ]);
    assert!(out.contains("auto_close_days = 7"), "{out}");
    assert_eq!(trailers(&d), ["Desk-Op: settings.set", "Desk-Actor: alice"]);
    assert_eq!(d.last_paths(), ["desk.yaml"]);
    let desk = d.read("desk.yaml");
    for l in [
        "auto_close_days: 7\n",
        "  pricing: per_customer\n",
        "  default_price: '4.50'\n",
        "  from: null\n",
    ] {
        assert!(desk.contains(l), "{l:?} in\n{desk}");
    }
    // Unknown keys of desk.yaml survive the rewrite.
    assert!(d.ok(&["check"]).starts_with("ok"));
}

#[test]
fn staff_profile_edit_grant_and_revoke() {
    let d = TestDesk::example();
    // "My Profile": erin may fill in her own name and e-mail, nothing else.
    d.ok(&[
        "--as",
        "erin",
        "staff",
        "edit",
        "erin",
        "--name",
        "Erin Eriksen",
        "--email",
        "erin@example.com",
        "--signature",
        "-- \nErin",
    ]);
    assert_eq!(trailers(&d), ["Desk-Op: staff.edit", "Desk-Actor: erin"]);
    let s = d.read("staff/erin.yaml");
    assert!(
        s.contains("name: Erin Eriksen\n") && s.contains("email: erin@example.com\n"),
        "{s}"
    );
    refused(&d, &["--as", "erin", "staff", "edit", "erin", "--queue", "billing"], "erin may not change the role, activity or queues of erin: the permission `staff.admin` is needed");
    refused(
        &d,
        &["--as", "erin", "staff", "edit", "bob", "--name", "Bobby"],
        "erin may not edit staff member bob: the permission `staff.admin` is needed",
    );
    refused(
        &d,
        &["--as", "bob", "staff", "grant", "erin", "tickets.delete"],
        "bob may not grant permissions: the permission `staff.admin` is needed",
    );
    // Now erin can answer.
    d.ok(&[
        "--as", "erin", "ticket", "answer", "1039", "--pickup", "-m", "On it.",
    ]);

    d.ok(&[
        "--as",
        "alice",
        "staff",
        "grant",
        "erin",
        "tickets.delete",
        "staff.admin",
    ]);
    assert_eq!(trailers(&d), ["Desk-Op: staff.grant", "Desk-Actor: alice"]);
    assert!(d.read("staff/erin.yaml").contains("- tickets.delete\n"));
    refused(
        &d,
        &["--as", "alice", "staff", "grant", "erin", "tickets.delete"],
        "staff member erin would not change",
    );
    refused(
        &d,
        &["--as", "alice", "staff", "grant", "alice", "kb.use"],
        "alice is a main admin and holds every permission",
    );
    let err = d.fails(
        2,
        &["--as", "alice", "staff", "grant", "erin", "tickets.fly"],
    );
    assert!(err.contains("`tickets.fly` is not a permission"), "{err}");
    // A staff.admin who is not main cannot touch main admins or make one.
    refused(
        &d,
        &["--as", "erin", "staff", "edit", "bob", "--role", "main"],
        "erin may not change main admin settings of bob",
    );
    refused(
        &d,
        &["--as", "erin", "staff", "edit", "alice", "--name", "A"],
        "erin may not change main admin settings of alice",
    );
    d.ok(&[
        "--as",
        "erin",
        "staff",
        "revoke",
        "bob",
        "tickets.assign_others",
    ]);
    assert_eq!(trailers(&d), ["Desk-Op: staff.revoke", "Desk-Actor: erin"]);
    refused(
        &d,
        &["--as", "bob", "ticket", "assign", "1038", "carol"],
        "tickets.assign_others",
    );
    d.ok(&[
        "--as",
        "erin",
        "staff",
        "edit",
        "carol",
        "--queue",
        "billing",
        "--remove-queue",
        "sales",
    ]);
    let c = d.read("staff/carol.yaml");
    assert!(c.contains("queues:\n- billing\n"), "{c}");
    // The last active main admin stays.
    refused(
        &d,
        &[
            "--as", "alice", "staff", "edit", "alice", "--role", "support",
        ],
        "alice is the last active main admin",
    );
    refused(
        &d,
        &["--as", "alice", "staff", "edit", "alice", "--inactive"],
        "alice is the last active main admin",
    );
    d.ok(&["--as", "alice", "staff", "edit", "bob", "--role", "main"]);
    d.ok(&["--as", "alice", "staff", "edit", "alice", "--inactive"]);
    let r = d.run(&["--as", "alice", "ticket", "list"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("staff member `alice` is not active"),
        "{}",
        r.stderr
    );
}

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

#[test]
fn accounts_and_resellers() {
    let d = TestDesk::example();
    refused(
        &d,
        &[
            "--as",
            "bob",
            "account",
            "add",
            "newco",
            "--name",
            "New Co",
            "--email",
            "it@newco.example",
        ],
        "bob may not add accounts: the permission `staff.admin` is needed",
    );
    refused(
        &d,
        &[
            "--as",
            "alice",
            "account",
            "add",
            "newco",
            "--name",
            "New Co",
            "--email",
            "it@newco.example",
            "--reseller",
            "ghost",
        ],
        "no reseller `ghost`",
    );
    refused(
        &d,
        &[
            "--as",
            "alice",
            "account",
            "add",
            "jdoe",
            "--name",
            "J",
            "--email",
            "j@x.example",
        ],
        "account `jdoe` already exists",
    );
    d.ok(&[
        "--as",
        "alice",
        "account",
        "add",
        "newco",
        "--name",
        "New Co",
        "--email",
        "it@newco.example",
        "--reseller",
        "acme",
    ]);
    assert_eq!(trailers(&d), ["Desk-Op: account.add", "Desk-Actor: alice"]);
    let a = json(&d.ok(&["--json", "account", "show", "newco"]));
    assert_eq!(a["reseller"], "acme");
    assert_eq!(a["created_at"], NOW);
    d.ok(&[
        "--as",
        "alice",
        "account",
        "edit",
        "newco",
        "--reseller",
        "none",
        "--name",
        "NewCo Ltd",
    ]);
    assert_eq!(trailers(&d), ["Desk-Op: account.edit", "Desk-Actor: alice"]);
    let a = json(&d.ok(&["--json", "account", "show", "newco"]));
    assert_eq!(a["reseller"], serde_json::Value::Null);
    assert_eq!(a["name"], "NewCo Ltd");
    assert!(d.ok(&["account", "list"]).contains("newco"));
    // A ticket can now be moved to the new owner by search.
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "edit",
        "1039",
        "--account-search",
        "newco ltd",
    ]);
    assert_eq!(ticket(&d, "1039")["ticket"]["account"], "newco");

    d.ok(&[
        "--as",
        "alice",
        "reseller",
        "add",
        "hostco",
        "--name",
        "HostCo",
        "--email",
        "b@hostco.example",
    ]);
    assert_eq!(trailers(&d), ["Desk-Op: reseller.add", "Desk-Actor: alice"]);
    d.ok(&["--as", "alice", "reseller", "edit", "hostco", "--email", ""]);
    assert_eq!(
        json(&d.ok(&["--json", "reseller", "show", "hostco"]))["email"],
        serde_json::Value::Null
    );
    refused(
        &d,
        &[
            "--as",
            "bob",
            "reseller",
            "price",
            "hostco",
            "--unit",
            "per_ticket",
            "--price",
            "3.00",
        ],
        "bob may not set reseller prices",
    );
    let out = d.ok(&[
        "--as",
        "alice",
        "reseller",
        "price",
        "hostco",
        "--unit",
        "per_ticket",
        "--price",
        "3",
    ]);
    assert_eq!(out.trim(), "reseller hostco: custom price 3.00 per_ticket");
    assert_eq!(
        trailers(&d),
        ["Desk-Op: reseller.price", "Desk-Actor: alice"]
    );
    assert!(d
        .read("resellers/hostco.yaml")
        .contains("custom_price:\n  unit: per_ticket\n  price: '3.00'\n"));
    let err = d.fails(
        2,
        &[
            "--as", "alice", "reseller", "price", "hostco", "--unit", "per_hour", "--price", "3",
        ],
    );
    assert!(err.contains("not a pricing unit"), "{err}");
    let err = d.fails(
        2,
        &[
            "--as",
            "alice",
            "reseller",
            "price",
            "hostco",
            "--unit",
            "per_ticket",
            "--price=-1",
        ],
    );
    assert!(err.contains("must not be negative"), "{err}");
    d.ok(&["--as", "alice", "reseller", "price", "hostco", "--clear"]);
    assert!(d
        .read("resellers/hostco.yaml")
        .contains("custom_price: null\n"));
    refused(
        &d,
        &["--as", "alice", "reseller", "price", "hostco", "--clear"],
        "price would not change",
    );
    let list = d.ok(&["reseller", "list"]);
    assert!(
        list.contains("12.50 per_customer") && list.contains("hostco"),
        "{list}"
    );
    d.ok(&["check"]);
}
