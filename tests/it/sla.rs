//! Service levels end to end: a policy with business hours in desk.yaml, due times in
//! `ticket list`/`show`, a breach appearing when `GIT_DESK_NOW` moves past the target (in
//! lists, search, the site), a customer reply resuming a paused clock, the escalation pass
//! (one commit, idempotent, also run by `sync`) and bad policies refused with the place.

use crate::support::*;

/// Berlin business hours, Monday to Friday 09:00–17:00, Christmas off; first response 4h,
/// resolution 16h; a breach raises the priority to 90 and reassigns to bob.
const POLICY: &str = "sla:
- name: standard
  first_response: 4h
  resolution: 16h
  hours:
    time_zone: Europe/Berlin
    days: [mon, tue, wed, thu, fri]
    from: \"09:00\"
    to: \"17:00\"
  holidays: [2026-12-25]
  escalate:
    priority: 90
    assign: bob
";

/// A desk whose answers do not close tickets, with the policy and a technician bob; ticket 1
/// opened Friday 2026-11-27 15:00 Berlin (14:00Z).
pub(crate) fn desk() -> TestDesk {
    let mut d = TestDesk::new();
    d.now = "2026-11-27T14:00:00Z".into();
    // Acting as alice unless told otherwise (git's user.email names the actor).
    d.git(&["config", "user.email", "alice@example.com"]);
    d.git(&["config", "user.name", "Alice Anders"]);
    d.ok(&["settings", "set", "auto_close_days", "-1"]);
    d.ok(&[
        "staff",
        "add",
        "bob",
        "--name",
        "Bob B",
        "--email",
        "bob@example.com",
    ]);
    let mut yaml = d.read("desk.yaml");
    yaml.push_str(POLICY);
    d.write("desk.yaml", &yaml);
    d.git(&["commit", "-qam", "desk.yaml: SLA policy"]);
    d.ok(&[
        "ticket",
        "new",
        "-t",
        "Printer on fire",
        "--email",
        "c@example.org",
        "--body",
        "Help",
    ]);
    d
}

pub(crate) fn target<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["sla"]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"] == name)
        .unwrap_or_else(|| panic!("no {name} in {v}"))
}

#[test]
fn due_times_follow_business_hours_over_the_weekend() {
    let d = desk();
    let show = json(&d.ok(&["--json", "ticket", "show", "1"]));
    // Two hours on Friday, two on Monday from 09:00 Berlin (08:00Z).
    let fr = target(&show, "first_response");
    assert_eq!(fr["due"], "2026-11-30T10:00:00Z");
    assert_eq!(fr["state"], "due");
    // 16h: 2 on Friday, 8 on Monday, 6 on Tuesday.
    assert_eq!(target(&show, "resolution")["due"], "2026-12-01T14:00:00Z");
    assert_eq!(show["sla"]["policy"], "standard");
    let text = d.ok(&["ticket", "list"]);
    assert!(text.contains("due 2026-11-30 10:00"), "{text}");
}

#[test]
fn a_breach_appears_when_the_clock_passes_the_target() {
    let mut d = desk();
    d.now = "2026-11-30T09:59:00Z".into();
    let list = json(&d.ok(&["--json", "ticket", "list", "--all"]));
    assert_eq!(list[0]["tickets"][0]["sla"]["targets"][0]["state"], "due");
    assert!(d.ok(&["search", "sla:breached"]).trim().is_empty());
    let soon = json(&d.ok(&["--json", "search", "sla:due<1h"]));
    assert_eq!(soon["hits"][0]["id"], 1, "{soon}");
    d.now = "2026-11-30T10:01:00Z".into();
    let show = json(&d.ok(&["--json", "ticket", "show", "1"]));
    assert_eq!(target(&show, "first_response")["state"], "breached");
    assert_eq!(target(&show, "resolution")["state"], "due");
    let hits = json(&d.ok(&["--json", "search", "sla:breached"]));
    assert_eq!(hits["hits"][0]["id"], 1, "{hits}");
    assert_eq!(hits["hits"].as_array().unwrap().len(), 1);
    let none = json(&d.ok(&["--json", "search", "NOT sla:breached"]));
    assert!(none["hits"].as_array().unwrap().is_empty(), "{none}");
    // The list puts what is due first; the text shows the breach.
    d.ok(&[
        "ticket",
        "new",
        "-t",
        "Later",
        "--email",
        "e@example.org",
        "--body",
        "x",
    ]);
    let due = json(&d.ok(&["--json", "ticket", "list", "--sort", "due"]));
    let ids: Vec<u64> = due[1]["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [1, 2]);
    assert!(d.ok(&["ticket", "list"]).contains("BREACHED"));
    // The dashboard shows it.
    let out = d.tmp.path().join("site");
    d.ok(&["site", "build", "--out", out.to_str().unwrap()]);
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("SLA breached"), "dashboard lacks the breach");
    let page = std::fs::read_to_string(out.join("tickets/000/1.html")).unwrap();
    assert!(page.contains("first response: breached (due 2026-11-30 10:00 UTC)"));
    // Statistics: the breach counts against the queue (no technician answered yet).
    let stats = std::fs::read_to_string(out.join("stats/index.html")).unwrap();
    assert!(
        stats.contains(r#"<th scope="row">queue general</th><td class="num">0</td><td class="num">1</td><td class="num">0%</td>"#),
        "{stats}"
    );
    // A bad filter names itself.
    let err = d.fails(1, &["search", "sla:soon"]);
    assert!(err.contains("sla is breached, met, paused, due"), "{err}");
}

#[test]
fn a_customer_reply_resumes_the_paused_resolution_clock() {
    let mut d = desk();
    // Answered Monday 10:00 Berlin (2h Friday + 1h Monday counted): met, and the
    // resolution clock waits on the customer.
    d.now = "2026-11-30T09:00:00Z".into();
    d.ok(&["ticket", "pickup", "1"]);
    d.ok(&["ticket", "answer", "1", "--body", "Unplug it"]);
    d.now = "2026-12-01T09:00:00Z".into();
    let show = json(&d.ok(&["--json", "ticket", "show", "1"]));
    assert_eq!(target(&show, "first_response")["state"], "met");
    let r = target(&show, "resolution");
    assert_eq!(
        (r["state"].as_str(), r["elapsed_minutes"].as_i64()),
        (Some("paused"), Some(180))
    );
    // The customer writes Tuesday 10:00 Berlin: the clock runs again from there.
    d.ok(&["ticket", "reply", "1", "--body", "Still smoking"]);
    d.now = "2026-12-01T11:00:00Z".into();
    let show = json(&d.ok(&["--json", "ticket", "show", "1"]));
    let r = target(&show, "resolution");
    assert_eq!(
        (r["state"].as_str(), r["elapsed_minutes"].as_i64()),
        (Some("due"), Some(300))
    );
    // 13h left from Tuesday 10:00: 7h Tuesday, 6h Wednesday → 15:00 Berlin.
    assert_eq!(r["due"], "2026-12-02T14:00:00Z");
}

#[test]
fn escalation_acts_once_in_one_commit() {
    let mut d = desk();
    d.now = "2026-11-30T10:30:00Z".into();
    let before = d.commit_count();
    let out = json(&d.ok(&["--json", "escalate"]));
    assert_eq!(out["escalated"][0]["id"], 1, "{out}");
    assert_eq!(d.commit_count(), before + 1);
    let msg = d.last_message();
    assert!(msg.contains("Desk-Op: ticket.escalate"), "{msg}");
    assert!(msg.contains("Desk-Ticket: 1"), "{msg}");
    let t = d.read("tickets/000/1/ticket.yaml");
    assert!(t.contains("priority: 90"), "{t}");
    assert!(t.contains("assignee: bob"), "{t}");
    assert!(t.contains("escalated:\n- first_response"), "{t}");
    let notes = d.ok(&["ticket", "show", "1"]);
    assert!(notes.contains("SLA breached (standard): first response target passed"));
    assert_eq!(d.status(), "");
    // Again: nothing, no commit.
    assert!(d.ok(&["escalate"]).contains("nothing to escalate"));
    assert_eq!(d.commit_count(), before + 1);
    // The resolution breach (Tuesday 15:00 Berlin) is escalated once more, separately.
    d.now = "2026-12-01T14:30:00Z".into();
    let out = d.ok(&["escalate"]);
    assert!(out.contains("escalate resolution breach"), "{out}");
    assert!(d
        .read("tickets/000/1/ticket.yaml")
        .contains("escalated:\n- first_response\n- resolution"));
    assert!(d.ok(&["escalate"]).contains("nothing to escalate"));
    // From the policy commit on (made by hand with git, by no staff member).
    let policy = d.git(&["rev-list", "-1", "--grep", "SLA policy", "HEAD"]);
    let range = format!("{}..HEAD", policy.trim());
    let v = d.run(&["verify", &range]);
    assert_eq!(v.code, 0, "verify: {}", v.stdout);
}

#[test]
fn a_technician_without_assign_others_escalates_without_reassigning() {
    let mut d = desk();
    d.ok(&[
        "staff",
        "add",
        "carl",
        "--name",
        "Carl C",
        "--email",
        "carl@example.com",
    ]);
    d.now = "2026-11-30T10:30:00Z".into();
    let out = d.ok(&["--as", "carl", "escalate"]);
    assert!(out.contains("not reassigned to bob"), "{out}");
    let t = d.read("tickets/000/1/ticket.yaml");
    assert!(
        t.contains("priority: 90") && !t.contains("assignee: bob"),
        "{t}"
    );
    // From the policy commit on (made by hand with git, by no staff member).
    let policy = d.git(&["rev-list", "-1", "--grep", "SLA policy", "HEAD"]);
    let range = format!("{}..HEAD", policy.trim());
    let v = d.run(&["verify", &range]);
    assert_eq!(v.code, 0, "verify: {}", v.stdout);
}

#[test]
fn sync_runs_the_escalation_pass() {
    let mut d = desk();
    let remote = d.tmp.path().join("remote.git");
    d.git(&["init", "-q", "--bare", remote.to_str().unwrap()]);
    let url = format!("file://{}", remote.display());
    d.git(&["remote", "add", "origin", &url]);
    d.ok(&["sync"]);
    d.now = "2026-11-30T10:30:00Z".into();
    let out = json(&d.ok(&["--json", "sync"]));
    assert_eq!(out["escalated"], 1, "{out}");
    let log = d.git(&["log", "--format=%s", "-3"]);
    assert!(log.contains("escalate: 1 SLA breach"), "{log}");
    let out = json(&d.ok(&["--json", "sync"]));
    assert_eq!(out["escalated"], 0, "{out}");
}

#[test]
fn the_periodic_autoclose_pass_escalates_too() {
    // A desk run from cron with `git desk autoclose` escalates as `sync` does: one commit
    // for the breach, none the next time.
    let mut d = desk();
    d.now = "2026-11-30T10:30:00Z".into();
    let before = d.commit_count();
    let out = d.ok(&["autoclose"]);
    assert!(
        out.contains("ticket 1: escalate first response breach")
            && out.contains("nothing to close"),
        "{out}"
    );
    assert_eq!(d.commit_count(), before + 1);
    assert!(d.last_message().contains("Desk-Op: ticket.escalate"));
    let out = json(&d.ok(&["--json", "autoclose"]));
    assert_eq!(out["escalated"], serde_json::json!([]), "{out}");
    assert_eq!(out["escalate_commit"], serde_json::Value::Null, "{out}");
    assert_eq!(d.commit_count(), before + 1);
}

#[test]
fn bad_policies_are_refused_with_the_file_and_what_is_wrong() {
    let d = TestDesk::new();
    d.git(&["config", "user.email", "alice@example.com"]);
    for (bad, says) in [
        ("sla:\n- name: x\n  first_response: soon\n", "soon"),
        (
            "sla:\n- name: x\n  first_response: 1h\n  hours:\n    time_zone: Mars/Olympus\n",
            "Mars/Olympus",
        ),
        ("sla:\n- name: x\n", "neither first_response nor resolution"),
        (
            "sla:\n- name: x\n  resolution: 1h\n  hours:\n    time_zone: UTC\n    from: \"18:00\"\n    to: \"09:00\"\n",
            "hours.from",
        ),
    ] {
        let base = d.git(&["show", "HEAD:desk.yaml"]);
        d.write("desk.yaml", &format!("{base}{bad}"));
        let err = d.fails(1, &["ticket", "list"]);
        assert!(err.contains("desk.yaml"), "{err}");
        assert!(err.contains(says), "{bad}: {err}");
        let check = d.run(&["check"]);
        assert_eq!(check.code, 1, "{}", check.stdout);
        assert!(check.stdout.contains("desk.yaml"), "{}", check.stdout);
    }
}

#[test]
fn a_snoozed_ticket_stops_the_clock_until_the_snooze_ends() {
    let mut d = desk();
    // Snoozed (by hand here: `snoozed_until` as `ticket snooze` writes it) from Friday
    // 15:00 Berlin to Monday 12:00 Berlin (11:00Z).
    let path = "tickets/000/1/ticket.yaml";
    let t = d.read(path);
    d.write(
        path,
        &format!("{t}snoozed_at: 2026-11-27T14:00:00Z\nsnoozed_until: 2026-11-30T11:00:00Z\n"),
    );
    d.git(&["commit", "-qam", "snooze ticket 1"]);
    d.now = "2026-11-30T10:30:00Z".into();
    let show = json(&d.ok(&["--json", "ticket", "show", "1"]));
    let fr = target(&show, "first_response");
    assert_eq!(
        (fr["state"].as_str(), fr["elapsed_minutes"].as_i64()),
        (Some("paused"), Some(0))
    );
    assert!(d.ok(&["escalate"]).contains("nothing to escalate"));
    // After the snooze: an hour counted by Monday 13:00 Berlin; four from 12:00 Berlin
    // make it due at 16:00 Berlin.
    d.now = "2026-11-30T12:00:00Z".into();
    let show = json(&d.ok(&["--json", "ticket", "show", "1"]));
    let fr = target(&show, "first_response");
    assert_eq!(
        (fr["state"].as_str(), fr["elapsed_minutes"].as_i64()),
        (Some("due"), Some(60))
    );
    assert_eq!(fr["due"], "2026-11-30T15:00:00Z");
    // The list (from the catalog) agrees.
    let list = json(&d.ok(&["--json", "ticket", "list", "--all"]));
    assert_eq!(
        list[0]["tickets"][0]["sla"]["targets"][0]["due"],
        "2026-11-30T15:00:00Z"
    );
}
