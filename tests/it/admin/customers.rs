//! Customer accounts and resellers, with custom reseller prices.

use super::*;

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
            "--as", "alice", "reseller", "price", "hostco", "--unit", "per_day", "--price", "3",
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
    d.ok(&["verify"]);
}
