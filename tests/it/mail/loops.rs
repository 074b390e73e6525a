//! Loops and abuse: the hourly auto-response limit per sender, and a robot answering our
//! auto-response.

use super::*;

fn mail_from(sender: &str, n: usize) -> Vec<u8> {
    format!(
        "From: {sender}\nTo: support@example.com\nSubject: Question number {n}\nMessage-ID: <q{n}.{sender}>\n\nQuestion {n}.\n"
    )
    .into_bytes()
}

#[test]
fn a_sender_gets_at_most_the_hourly_limit_of_auto_responses() {
    let (mut d, md) = desk_with_maildir();
    edit_settings(&d, |s| {
        s.replace(
            "autoresponse_limit_per_hour: 3",
            "autoresponse_limit_per_hour: 2",
        )
    });
    for n in 1..=3 {
        md.deliver(&format!("{n}.mx"), &mail_from("flood@spam.test", n));
    }
    md.deliver("4.mx", &mail_from("calm@customer.test", 4));
    let r = ingest(&d, &md.root);
    let why: Vec<Option<&str>> = r["mails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["no_autoresponse"].as_str())
        .collect();
    assert_eq!(why[..2], [None, None]);
    assert_eq!(
        why[2],
        Some("the sender had 2 auto-responses in the last hour")
    );
    assert_eq!(why[3], None);
    assert_eq!(outbox(&d).len(), 3);

    // Half an hour later the limit still holds (counted from the desk, not from memory);
    // after an hour the sender may get one again.
    d.now = "2026-11-27T12:30:00Z".into();
    md.deliver("5.mx", &mail_from("flood@spam.test", 5));
    let r = ingest(&d, &md.root);
    assert_eq!(
        r["mails"][0]["no_autoresponse"],
        "the sender had 2 auto-responses in the last hour"
    );
    d.now = "2026-11-27T13:00:01Z".into();
    md.deliver("6.mx", &mail_from("flood@spam.test", 6));
    let r = ingest(&d, &md.root);
    assert_eq!(r["mails"][0]["no_autoresponse"], serde_json::Value::Null);
    assert_eq!(outbox(&d).len(), 4);
}

#[test]
fn a_robot_answering_our_auto_response_gets_no_answer() {
    let (d, md) = desk_with_maildir();
    md.deliver("1.mx", &fixture("plain.eml"));
    ingest(&d, &md.root);
    let ob = outbox(&d);
    let our_id = ob[0].1["message_id"].as_str().unwrap().to_owned();
    // Our auto-response comes back from a vacation robot, then again and again.
    for n in 0..3 {
        let reply = format!(
            "From: john@doe.example\nTo: support@example.com\nSubject: Auto: [#1041] Re: Cannot log in to webmail\nMessage-ID: <robot-{n}@doe.example>\nIn-Reply-To: {our_id}\nAuto-Submitted: auto-replied\n\nI am away.\n"
        );
        md.deliver(&format!("{}.robot.mx", n + 2), reply.as_bytes());
    }
    // And our own auto-response, looped back through an alias, is already in the desk.
    let ours = format!(
        "From: Example Hosting Support <support@example.com>\nTo: support@example.com\nSubject: [#1041] Re: Cannot log in to webmail\nMessage-ID: {our_id}\nAuto-Submitted: auto-replied\n\nThank you\n"
    );
    md.deliver("9.loop.mx", ours.as_bytes());
    let r = ingest(&d, &md.root);
    let outcomes: Vec<&str> = r["mails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["note", "note", "note", "duplicate"]);
    assert_eq!(outbox(&d).len(), 1, "no new outgoing mail");
    assert_eq!(ticket(&d, 1041)["status"], "new");
}
