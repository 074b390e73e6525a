//! Settings and administrator security: `settings show|set`, `staff edit|grant|revoke`,
//! "My Profile", and the guards around main admins.

use super::*;

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
    // Every commit, erin's first one without an e-mail included, passes verify.
    d.ok(&["verify"]);
}
