//! Custom fields: declared in desk.yaml, set on `ticket new`/`ticket edit`, validated there,
//! by `check`, by `verify` and by the pre-receive hook; searchable; shown by `ticket show` and
//! on the site.

use super::{declare_fields, git_as, new_ticket, ticket_path};
use crate::support::*;

#[test]
fn values_are_checked_on_new_and_edit_and_bad_ones_leave_no_commit() {
    let d = TestDesk::example();
    declare_fields(&d.home(), &d.root);
    let before = d.commit_count();
    let base = [
        "--as",
        "bob",
        "ticket",
        "new",
        "-t",
        "Router",
        "--email",
        "c@cust.example",
        "-m",
        "Hi",
    ];
    let refuse = |extra: &[&str], expect: &str| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let err = d.fails(1, &args);
        assert!(err.contains(expect), "{extra:?}: {err}");
        assert_eq!(d.commit_count(), before, "{extra:?} made a commit");
        assert_eq!(d.status(), "", "{extra:?} left files behind");
    };
    refuse(
        &[],
        "queue `general` requires product (choice): give --field product=VALUE",
    );
    refuse(
        &["--field", "product=toaster"],
        "`toaster` is not one of the choices (router, modem, hosting)",
    );
    refuse(
        &["--field", "product=router", "--field", "colour=red"],
        "field `colour` is not declared in desk.yaml",
    );
    refuse(
        &["--field", "product=router", "--field", "size=twelve"],
        "field `size`: `twelve` is not a number",
    );
    refuse(
        &[
            "--field",
            "product=router",
            "--field",
            "contract-end=2027-02-30",
        ],
        "is not a date",
    );
    refuse(
        &["--field", "product=router", "--field", "size=1\u{7}"],
        "not a number",
    );
    let err = d.fails(2, &[&base[..], &["--field", "product"]].concat());
    assert!(err.contains("is not NAME=VALUE"), "{err}");
    let err = d.fails(2, &[&base[..], &["--field", "Pro duct=x"]].concat());
    assert!(err.contains("field name"), "{err}");

    let id = new_ticket(
        &d,
        "Router",
        &["--field", "product=router", "--field", "size=12.0"],
    );
    let yaml = d.read(&ticket_path(&id));
    assert!(
        yaml.contains("fields:\n  product: router\n  size: '12'\n"),
        "{yaml}"
    );
    assert!(d.last_message().contains("Desk-Op: ticket.new"));

    // Clearing a required field is refused; other fields change in one commit.
    let n = d.commit_count();
    let err = d.fails(
        1,
        &["--as", "bob", "ticket", "edit", &id, "--field", "product="],
    );
    assert!(err.contains("requires product"), "{err}");
    assert_eq!(d.commit_count(), n);
    let out = d.ok(&[
        "--as",
        "bob",
        "ticket",
        "edit",
        &id,
        "--field",
        "contract-end=2027-03-31",
        "--field",
        "size=",
    ]);
    assert!(
        out.contains("field contract-end=2027-03-31, field size cleared"),
        "{out}"
    );
    assert_eq!(d.commit_count(), n + 1);
    let yaml = d.read(&ticket_path(&id));
    assert!(
        yaml.contains("contract-end: 2027-03-31") || yaml.contains("contract-end: '2027-03-31'"),
        "{yaml}"
    );
    assert!(!yaml.contains("size:"), "{yaml}");

    // Moving to a queue where a field does not apply needs it cleared in the same edit.
    let err = d.fails(
        1,
        &["--as", "alice", "ticket", "edit", &id, "--queue", "sales"],
    );
    assert!(
        err.contains("fields.product: the field does not apply to queue `sales`"),
        "{err}"
    );
    d.ok(&[
        "--as", "alice", "ticket", "edit", &id, "--queue", "sales", "--field", "product=",
    ]);
    let err = d.fails(
        1,
        &[
            "--as",
            "alice",
            "ticket",
            "edit",
            &id,
            "--field",
            "product=modem",
        ],
    );
    assert!(
        err.contains("does not apply to queue `sales` (only to general)"),
        "{err}"
    );

    // Other writes do not ask for the required fields: a note, a priority, a mass action
    // on an old ticket without product all work (check lists it as a notice).
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "edit",
        "1038",
        "--priority",
        "80",
    ]);
    d.ok(&[
        "--as",
        "alice",
        "search",
        "id:1038",
        "--mass",
        "priority=70",
        "--yes",
    ]);
    let err = d.fails(
        1,
        &[
            "--as", "alice", "ticket", "edit", "1038", "--field", "size=2",
        ],
    );
    assert!(
        err.contains("ticket 1038: queue `general` requires product"),
        "{err}"
    );
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "note",
        "1038",
        "-m",
        "still fine",
    ]);
    assert_eq!(d.status(), "");
    assert!(d.ok(&["verify"]).starts_with("ok:"));
}

#[test]
fn show_and_json_carry_the_values_with_their_labels() {
    let d = TestDesk::example();
    declare_fields(&d.home(), &d.root);
    let id = new_ticket(
        &d,
        "Modem",
        &[
            "--field",
            "product=modem",
            "--field",
            "contract-end=2027-01-15",
        ],
    );
    let out = d.ok(&["--as", "bob", "ticket", "show", &id]);
    assert!(out.contains("Product") && out.contains("modem"), "{out}");
    assert!(
        out.contains("Contract end") && out.contains("2027-01-15"),
        "{out}"
    );
    let v = json(&d.ok(&["--as", "bob", "--json", "ticket", "show", &id]));
    assert_eq!(v["ticket"]["fields"]["product"], "modem");
    assert_eq!(v["ticket"]["fields"]["contract-end"], "2027-01-15");
    let v = json(&d.ok(&[
        "--as", "bob", "--json", "ticket", "edit", &id, "--field", "size=3",
    ]));
    assert_eq!(v["id"].as_u64().unwrap().to_string(), id);
    assert!(
        v["summary"].as_str().unwrap().contains("field size=3"),
        "{v}"
    );
    assert!(v["commit"].as_str().is_some());
}

#[test]
fn check_names_the_file_and_field_and_notices_missing_required_values() {
    let d = TestDesk::example();
    declare_fields(&d.home(), &d.root);
    // Tickets made by mail before the declaration lack product: notices, exit 0.
    let out = d.ok(&["check"]);
    assert!(
        out.contains("notice: tickets/001/1038/ticket.yaml: fields.product: required in queue `general` but not set"),
        "{out}"
    );
    assert!(out.contains("ok:"), "{out}");
    let v = json(&d.ok(&["--json", "check"]));
    assert_eq!(v["ok"], true);
    assert!(!v["notices"].as_array().unwrap().is_empty());

    // Hand edits with bad values are problems naming the file and the field.
    let path = ticket_path("1038");
    let t = d.read(&path);
    d.write(&path, &format!("{t}fields:\n  size: abc\n  colour: red\n"));
    let r = d.run(&["check"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains(&format!(
            "{path}: fields.size: field `size`: `abc` is not a number"
        )),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!(
            "{path}: fields.colour: no such field is declared in desk.yaml"
        )),
        "{}",
        r.stdout
    );

    // A hostile value and malformed YAML are reported, not trusted.
    d.write(
        &path,
        &format!("{t}fields:\n  product: \"router\\u0007<script>\"\n"),
    );
    let r = d.run(&["check"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("fields.product: field `product`"),
        "{}",
        r.stdout
    );
    d.write(&path, &format!("{t}fields: [a, b]\n"));
    let r = d.run(&["check"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains(&format!("{path}:")) && r.stdout.contains("fields"),
        "{}",
        r.stdout
    );

    // Declarations are checked too.
    d.write(&path, &t);
    let s = d.read("desk.yaml");
    d.write(
        "desk.yaml",
        &format!("{s}- name: colour\n  type: choice\n  queues: [nowhere]\n"),
    );
    let r = d.run(&["check"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("desk.yaml: fields: `colour` is a choice field without choices"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("desk.yaml: fields: `colour` names queue `nowhere`"),
        "{}",
        r.stdout
    );
}

#[test]
fn verify_flags_commits_that_write_bad_values() {
    let d = TestDesk::example();
    declare_fields(&d.home(), &d.root);
    let id = new_ticket(&d, "Router", &["--field", "product=router"]);
    assert!(d.ok(&["verify"]).starts_with("ok:"));
    // bob writes a number field by hand with text in it.
    let path = ticket_path(&id);
    let t = d
        .read(&path)
        .replace("product: router\n", "product: router\n  size: lots\n");
    d.write(&path, &t);
    git_as(
        &d.home(),
        &d.root,
        "bob@example.com",
        &["commit", "-qam", "size by hand"],
    );
    let r = d.run(&["verify"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains(&format!(
            "ticket {id}: fields.size: field `size`: `lots` is not a number"
        )),
        "{}",
        r.stdout
    );
    // A later commit that leaves the values alone is not blamed for them.
    d.ok(&["--as", "bob", "ticket", "note", &id, "-m", "n"]);
    let v = json(&d.ok(&["--json", "verify", "HEAD~1..HEAD"]));
    assert_eq!(v["violations"].as_array().unwrap().len(), 0, "{v}");
}

#[test]
fn the_hook_refuses_a_push_with_a_bad_field_and_accepts_a_good_one() {
    let d = TestDesk::empty();
    let from = example_repo();
    let server = d.tmp.path().join("server.git");
    let r = d.run_in(
        d.tmp.path(),
        &[
            "init",
            "--bare",
            "server.git",
            "--from",
            from.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let hook = server.join("hooks/pre-receive");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(&hook, format!("#!/bin/sh\nexec '{BIN}' hook pre-receive\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let git = |cwd: &std::path::Path, args: &[&str]| {
        isolated("git", &d.home(), cwd).args(args).output().unwrap()
    };
    let url = format!("file://{}", server.display());
    assert!(git(d.tmp.path(), &["clone", "-q", &url, "desk"])
        .status
        .success());
    let clone = d.tmp.path().join("desk");
    declare_fields(&d.home(), &clone);
    assert!(git(&clone, &["push", "-q", "origin", "HEAD"])
        .status
        .success());
    let server_head = || String::from_utf8(git(&server, &["rev-parse", "HEAD"]).stdout).unwrap();

    // bob sets a choice that does not exist, by hand: refused, the server does not move.
    let path = clone.join(ticket_path("1038"));
    let t = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{t}fields:\n  product: toaster\n")).unwrap();
    git_as(
        &d.home(),
        &clone,
        "bob@example.com",
        &["commit", "-qam", "toaster"],
    );
    let before = server_head();
    let o = git(&clone, &["push", "origin", "HEAD"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "push should fail: {err}");
    assert!(
        err.contains("git-desk: push rejected")
            && err.contains("fields.product: field `product`: `toaster` is not one of the choices"),
        "{err}"
    );
    assert_eq!(server_head(), before);

    // The same change through git desk is accepted.
    git(&clone, &["reset", "-q", "--hard", "origin/main"]);
    let r = d.run_in(
        &clone,
        &[
            "--as",
            "bob",
            "ticket",
            "edit",
            "1038",
            "--field",
            "product=modem",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let o = git(&clone, &["push", "origin", "HEAD"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_ne!(server_head(), before);
}

#[test]
fn search_finds_values_and_ranges_of_numbers_and_dates() {
    let d = TestDesk::example();
    declare_fields(&d.home(), &d.root);
    let a = new_ticket(
        &d,
        "A",
        &[
            "--field",
            "product=router",
            "--field",
            "size=5",
            "--field",
            "contract-end=2027-01-10",
        ],
    );
    let b = new_ticket(
        &d,
        "B",
        &[
            "--field",
            "product=modem",
            "--field",
            "size=12.5",
            "--field",
            "contract-end=2027-06-01",
        ],
    );
    let c = new_ticket(
        &d,
        "C",
        &["--field", "product=hosting", "--field", "size=-3"],
    );
    let hits = |q: &str| {
        let mut h = crate::search::hits(&d, "alice", &[q]);
        h.sort();
        h
    };
    assert_eq!(hits("field.product:router"), vec![a.clone()]);
    assert_eq!(
        hits("field.product:router,modem"),
        vec![a.clone(), b.clone()]
    );
    assert_eq!(hits("field.size:5.0"), vec![a.clone()]);
    assert_eq!(hits("field.size:>=5"), vec![a.clone(), b.clone()]);
    assert_eq!(hits("field.size:<5"), vec![c.clone()]);
    assert_eq!(hits("field.size:-10..10"), vec![a.clone(), c.clone()]);
    assert_eq!(
        hits("field.contract-end:2027-01-01..2027-03-31"),
        vec![a.clone()]
    );
    assert_eq!(hits("field.contract-end:>2027-01-10"), vec![b.clone()]);
    assert_eq!(hits("field.size:>0 -field.product:router"), vec![b.clone()]);
    assert!(hits("field.product:toaster").is_empty());
    let err = d.fails(1, &["--as", "alice", "search", "field.size:1..2027-01-01"]);
    assert!(
        err.contains("a range is of numbers or of dates, not both"),
        "{err}"
    );
    let err = d.fails(1, &["--as", "alice", "search", "field.size:>abc"]);
    assert!(err.contains("a range needs numbers"), "{err}");
    let err = d.fails(1, &["--as", "alice", "search", "field.product: x"]);
    assert!(err.contains("`field.product:` needs a value"), "{err}");
    // A name desk.yaml does not declare is an error, not an empty result.
    let err = d.fails(
        1,
        &["--as", "alice", "search", "status:new field.colour:red"],
    );
    assert!(
        err.contains("unknown custom field `colour` (desk.yaml declares: ")
            && err.contains("product"),
        "{err}"
    );
    let err = d.fails(1, &["--as", "alice", "search", "field.colour:>3"]);
    assert!(err.contains("unknown custom field `colour`"), "{err}");
    // The index follows an edit.
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "edit",
        &a,
        "--field",
        "product=modem",
    ]);
    assert_eq!(hits("field.product:modem"), vec![a.clone(), b.clone()]);
}

#[test]
fn the_site_shows_the_fields_on_the_ticket_page() {
    let d = TestDesk::example();
    declare_fields(&d.home(), &d.root);
    let id = new_ticket(
        &d,
        "Site",
        &[
            "--field",
            "product=hosting",
            "--field",
            "contract-end=2027-05-05",
            "--field",
            "serial=<script>alert(1)</script>",
        ],
    );
    // Text that reorders the display is refused; markup is kept as text.
    let err = d.fails(
        1,
        &[
            "--as",
            "bob",
            "ticket",
            "edit",
            &id,
            "--field",
            "serial=abc\u{202e}fed",
        ],
    );
    assert!(
        err.contains("without control or text-direction characters"),
        "{err}"
    );
    let out = d.tmp.path().join("site");
    d.ok(&[
        "--as",
        "alice",
        "site",
        "build",
        "--out",
        out.to_str().unwrap(),
    ]);
    let n: u64 = id.parse().unwrap();
    let page =
        std::fs::read_to_string(out.join(format!("tickets/{:03}/{id}.html", n / 1000))).unwrap();
    assert!(
        page.contains(
            r#"<dt class="field" data-field="product">Product</dt><dd class="field">hosting</dd>"#
        ),
        "{page}"
    );
    assert!(page.contains(
        r#"data-field="contract-end">Contract end</dt><dd class="field">2027-05-05</dd>"#
    ));
    assert!(
        !page.contains("<script>alert"),
        "the value reaches the page unescaped"
    );
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
        "{page}"
    );
}

#[test]
fn values_set_in_two_clones_at_once_both_survive_sync() {
    let c = crate::sync::Cluster::new(2);
    declare_fields(&c.d.home(), &c.clone(0));
    c.desk_ok(0, &["--as", "alice", "sync", "--no-mail"]);
    c.desk_ok(1, &["--as", "alice", "sync", "--no-mail"]);
    c.desk_ok(
        0,
        &[
            "--as",
            "bob",
            "ticket",
            "edit",
            "1038",
            "--field",
            "product=router",
        ],
    );
    c.desk_ok(
        1,
        &[
            "--as",
            "bob",
            "ticket",
            "edit",
            "1038",
            "--field",
            "product=router",
            "--field",
            "size=4",
        ],
    );
    c.desk_ok(
        0,
        &[
            "--as",
            "bob",
            "ticket",
            "edit",
            "1038",
            "--field",
            "contract-end=2027-01-01",
        ],
    );
    c.desk_ok(0, &["--as", "bob", "sync", "--no-mail"]);
    let out = c.desk_ok(1, &["--as", "bob", "sync", "--no-mail"]);
    assert!(!out.contains("not applied"), "{out}");
    let t = c.server_file(&ticket_path("1038"));
    assert!(
        t.contains("fields:\n  contract-end: 2027-01-01\n  product: router\n  size: '4'\n"),
        "{t}"
    );
    assert!(c.desk_ok(1, &["verify"]).starts_with("ok:"));
}
