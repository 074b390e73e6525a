//! The operations as a library, the way mass actions, mail intake and sync call them:
//! several operations in one transaction make one commit, each sees what the earlier ones
//! staged, and files written in the same second never collide.

use git_desk::context::Context;
use git_desk::model::{Login, Op, Timestamp};
use git_desk::ops::{self, ticket as t};
use git_desk::store::{Desk, DeskRead};

use super::*;

fn open(d: &TestDesk) -> (Desk, Context) {
    let desk = Desk::open(&d.root).unwrap();
    let now: Timestamp = NOW.parse().unwrap();
    (desk, Context::new(now, Some(1)))
}

#[test]
fn many_operations_make_one_commit() {
    let d = TestDesk::example();
    let (desk, ctx) = open(&d);
    let alice = desk
        .reader()
        .unwrap()
        .staff(&"alice".parse().unwrap())
        .unwrap()
        .unwrap();
    let before = d.commit_count();
    let ((), commit) = ops::mutate(&desk, &ctx, &alice, |tx, me| {
        let mut done = Vec::new();
        // Three general tickets closed in the same second: three auto-responses, three keys.
        for id in [1012, 1017, 1023] {
            done.push(t::close(tx, &ctx, me, id.try_into().unwrap())?);
        }
        let bob: Login = "bob".parse().unwrap();
        done.push(t::assign(
            tx,
            me,
            1022.try_into().unwrap(),
            t::AssignInput {
                to: Some(bob),
                ..Default::default()
            },
        )?);
        // A later operation sees an earlier one: close, then delete the same ticket.
        done.push(t::close(tx, &ctx, me, 1038.try_into().unwrap())?);
        done.push(t::delete(tx, me, 1038.try_into().unwrap())?);
        // A refused step inside the batch is an error the caller sees.
        let again = t::close(tx, &ctx, me, 1012.try_into().unwrap()).unwrap_err();
        assert_eq!(again.to_string(), "ticket 1012 is already closed");
        let msg = t::batch_message(
            Op::TicketMass,
            &me.login,
            "mass: close, assign, delete",
            &done,
        );
        Ok(((), msg))
    })
    .unwrap();
    assert!(commit.is_some());
    assert_eq!(d.commit_count(), before + 1);
    let msg = d.last_message();
    assert!(
        msg.starts_with(
            "mass: close, assign, delete\n\nticket 1012: close (auto-response queued)\n"
        ),
        "{msg}"
    );
    let tickets: Vec<&str> = msg
        .lines()
        .filter(|l| l.starts_with("Desk-Ticket: "))
        .collect();
    assert_eq!(
        tickets,
        [
            "Desk-Ticket: 1012",
            "Desk-Ticket: 1017",
            "Desk-Ticket: 1023",
            "Desk-Ticket: 1022",
            "Desk-Ticket: 1038"
        ]
    );
    let outbox: Vec<String> = d
        .last_paths()
        .into_iter()
        .filter(|p| p.starts_with("outbox/"))
        .collect();
    assert_eq!(outbox.len(), 4, "{outbox:?}");
    assert!(!d.path("tickets/001/1038").exists());
    assert_eq!(ticket(&d, "1022")["ticket"]["assignee"], "bob");
    assert_eq!(d.status(), "");
    d.ok(&["verify"]);
}

#[test]
fn mail_intake_records_a_customer_message_with_attachments() {
    let d = TestDesk::example();
    let (desk, ctx) = open(&d);
    let alice = desk
        .reader()
        .unwrap()
        .staff(&"alice".parse().unwrap())
        .unwrap()
        .unwrap();
    let msg = || t::IncomingCustomerMessage {
        from: "marco@trattoria-roma.test".parse().unwrap(),
        body: "Here is a screenshot.".into(),
        message_id: Some("<shot@trattoria-roma.test>".into()),
        at: Some("2026-11-27T11:59:00Z".parse().unwrap()),
        attachments: vec![t::NewAttachment {
            name: "../screen shot.png".into(),
            bytes: vec![1, 2, 3],
            content_type: Some("image/png".into()),
        }],
    };
    let (done, _) = ops::mutate(&desk, &ctx, &alice, |tx, me| {
        let done = t::customer_message(tx, &ctx, 1039.try_into().unwrap(), msg())?;
        let m = done.message(Op::MailIngest, &me.login);
        Ok((done, m))
    })
    .unwrap();
    let key = done.key.unwrap().to_string();
    let m = d.read(&format!("tickets/001/1039/messages/{key}.yaml"));
    for l in [
        "at: 2026-11-27T11:59:00Z\n",
        "kind: customer\n",
        "message_id: <shot@trattoria-roma.test>\n",
        "- name: screen shot.png\n",
        "  content_type: image/png\n",
        "  size: 3\n",
    ] {
        assert!(m.contains(l), "{l:?} in\n{m}");
    }
    assert!(d
        .path(&format!("tickets/001/1039/files/{key}-screen shot.png"))
        .exists());
    // The same mail again is refused with a matchable error and nothing staged.
    let before = d.commit_count();
    let err = ops::mutate(&desk, &ctx, &alice, |tx, me| {
        let done = t::customer_message(tx, &ctx, 1039.try_into().unwrap(), msg())?;
        let m = done.message(Op::MailIngest, &me.login);
        Ok((done, m))
    })
    .unwrap_err();
    assert!(
        matches!(
            err,
            ops::OpError::Exists {
                kind: "message",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(d.commit_count(), before);
}
