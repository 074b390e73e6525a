//! Mail that real customers send, through `git desk mail ingest` into the example desk:
//! CJK charsets, raw 8-bit headers, an undecodable sender address, subject-only and
//! forwarded-only mails, an mbox `From ` line, a non-conforming Message-ID, the mail size
//! limit, Cc recipients, spam and the ignore list, and MAILDIR taken from the directory
//! git-desk was started in.

use super::*;

const CJK: [(&str, &str, &str, &str); 8] = [
    (
        "cjk-shift_jis",
        "請求書について",
        "請求書の金額が違います。",
        "請求書.txt",
    ),
    (
        "cjk-iso-2022-jp",
        "ログインできません",
        "ウェブメールにログインできません。",
        "画面.txt",
    ),
    (
        "cjk-euc-jp",
        "サーバーが遅い",
        "昨日からサーバーがとても遅いです。",
        "ログ.txt",
    ),
    (
        "cjk-gb2312",
        "无法登录邮箱",
        "我无法登录我的邮箱。",
        "截图.txt",
    ),
    ("cjk-gbk", "发票问题", "发票金额有误，请核实。", "发票.txt"),
    (
        "cjk-gb18030",
        "网站打不开",
        "我的网站从今天早上开始打不开。𠀀",
        "错误.txt",
    ),
    ("cjk-big5", "帳單問題", "我的帳單金額不正確。", "帳單.txt"),
    (
        "cjk-euc-kr",
        "로그인이 안 됩니다",
        "웹메일에 로그인이 안 됩니다.",
        "화면.txt",
    ),
];

fn ticket_id(report: &serde_json::Value, stem: &str) -> u64 {
    let e = entry(report, stem);
    e["ticket"]
        .as_u64()
        .unwrap_or_else(|| panic!("{stem}: no ticket in {e}"))
}

fn customer_message(d: &TestDesk, id: u64) -> serde_json::Value {
    messages(d, id)
        .into_iter()
        .find(|(_, m)| m["kind"] == "customer")
        .map(|(_, m)| m)
        .expect("a customer message")
}

#[test]
fn cjk_mails_become_readable_tickets_with_their_file_names() {
    let (d, md) = desk_with_maildir();
    for (stem, ..) in CJK {
        md.deliver_fixture(&format!("{stem}.eml"));
    }
    let r = ingest(&d, &md.root);
    for (stem, subject, body, file) in CJK {
        assert_eq!(entry(&r, stem)["outcome"], "new_ticket", "{stem}: {r}");
        let id = ticket_id(&r, stem);
        assert_eq!(ticket(&d, id)["title"], subject, "{stem}");
        let m = customer_message(&d, id);
        let text = m["body"].as_str().unwrap();
        assert!(text.contains(body), "{stem}: {text}");
        assert!(!text.contains('\u{fffd}'), "{stem}: {text}");
        assert_eq!(m["attachments"][0]["name"], file, "{stem}: {m}");
    }
    // What git-desk shows a technician.
    let id = ticket_id(&r, "cjk-shift_jis");
    let shown = d.ok(&["--as", "alice", "ticket", "show", &id.to_string()]);
    assert!(shown.contains("請求書について"), "{shown}");
    assert!(shown.contains("請求書の金額が違います。"), "{shown}");
    assert_eq!(d.status(), "");
}

#[test]
fn eight_bit_headers_and_an_undecodable_sender() {
    let (d, md) = desk_with_maildir();
    md.deliver_fixture("8bit-name.eml");
    md.deliver_fixture("8bit-address.eml");
    let r = ingest(&d, &md.root);

    let id = ticket_id(&r, "8bit-name");
    let t = ticket(&d, id);
    assert_eq!(t["title"], "Problème de facturation");
    assert_eq!(t["email"], "renee@doe.example");
    assert!(customer_message(&d, id)["body"]
        .as_str()
        .unwrap()
        .contains("La facture est erronée."));

    // The address is not guessed: the ticket is there, nobody is written to.
    let e = entry(&r, "8bit-address");
    assert_eq!(e["outcome"], "new_ticket", "{r}");
    assert!(
        e["no_autoresponse"]
            .as_str()
            .unwrap()
            .contains("the sender's address `Tomé?@football.example.com` could not be decoded"),
        "{e}"
    );
    let id = e["ticket"].as_u64().unwrap();
    let t = ticket(&d, id);
    assert_eq!(t["email"], "unknown-sender@address.invalid");
    let note = messages(&d, id)
        .into_iter()
        .find(|(_, m)| m["kind"] == "note")
        .expect("a note")
        .1;
    assert!(
        note["body"]
            .as_str()
            .unwrap()
            .contains("could not be decoded")
            && note["body"]
                .as_str()
                .unwrap()
                .contains(&format!("git desk ticket edit {id} --email ADDRESS")),
        "{note}"
    );
    // Only the well-formed sender got an auto-response; none went to a mangled address.
    let out = outbox(&d);
    let to: Vec<String> = out.iter().map(|(_, m)| m["to"][0].to_string()).collect();
    assert_eq!(to, ["\"renee@doe.example\""], "{to:?}");
    // An answer cannot go to the unknown address: it is refused when composed, with a note.
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "answer",
        &id.to_string(),
        "--pickup",
        "-m",
        "Yes.",
    ]);
    let server = super::smtp_server::SmtpServer::start(Default::default());
    edit_settings(&d, |s| {
        s.replace("port: 25\n", &format!("port: {}\n", server.port))
    });
    let r = json(&d.ok(&["--json", "mail", "send"]));
    let mails = r["mails"].as_array().unwrap();
    let bad = mails.iter().find(|m| m["ticket"] == id).unwrap();
    assert_eq!(bad["outcome"], "rejected", "{r}");
    assert!(bad["error"]
        .as_str()
        .unwrap()
        .contains("the customer's address is unknown"));
    assert_eq!(server.received().len(), 1, "the other mail went out");
}

#[test]
fn subject_only_forwarded_only_and_mbox_mails_become_tickets() {
    let (d, md) = desk_with_maildir();
    for f in ["subject-only.eml", "forwarded-only.eml", "mbox-from.eml"] {
        md.deliver_fixture(f);
    }
    let r = ingest(&d, &md.root);
    for stem in ["subject-only", "forwarded-only", "mbox-from"] {
        assert_eq!(entry(&r, stem)["outcome"], "new_ticket", "{stem}: {r}");
    }
    assert!(md.files("quarantine").is_empty());

    let id = ticket_id(&r, "subject-only");
    assert_eq!(
        ticket(&d, id)["title"],
        "Please call me back about order 4711"
    );
    assert_eq!(customer_message(&d, id)["body"], "");

    let id = ticket_id(&r, "forwarded-only");
    let body = customer_message(&d, id)["body"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        body.starts_with("---------- Forwarded message ----------\nFrom: Accounting <accounting@vendor.example>\n"),
        "{body}"
    );
    assert!(
        body.contains("invoice 2026-118 is 30 days overdue"),
        "{body}"
    );

    let id = ticket_id(&r, "mbox-from");
    assert_eq!(ticket(&d, id)["email"], "mboxuser@doe.example");
    assert_eq!(
        customer_message(&d, id)["body"],
        "This mail was saved from an mbox file.\n"
    );
    d.ok(&["check"]);
    assert_eq!(d.status(), "");
}

#[test]
fn an_odd_message_id_threads_but_never_reaches_the_headers_sent() {
    let (d, md) = desk_with_maildir();
    md.deliver_fixture("alpha-id.eml");
    let r = ingest(&d, &md.root);
    let id = ticket_id(&r, "alpha-id");
    assert_eq!(customer_message(&d, id)["message_id"], "<alpha>");
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "answer",
        &id.to_string(),
        "--pickup",
        "-m",
        "Thanks, we will look.",
    ]);
    let server = super::smtp_server::SmtpServer::start(Default::default());
    edit_settings(&d, |s| {
        s.replace("port: 25\n", &format!("port: {}\n", server.port))
    });
    let r = json(&d.ok(&["--json", "mail", "send"]));
    for m in r["mails"].as_array().unwrap() {
        assert_eq!(m["outcome"], "sent", "{r}");
    }
    let got = server.received();
    assert_eq!(got.len(), 2, "auto-response and answer");
    for m in &got {
        assert!(!m.data.contains("<alpha>"), "{}", m.data);
        assert!(m.data.contains("\r\nMessage-ID: <ticket-"), "{}", m.data);
    }
    // The customer's reply quoting <alpha> still finds the ticket.
    md.deliver(
        "2.reply.mx",
        b"From: old@legacy.example\nTo: support@example.com\nSubject: Re: Mailer without proper ids\nIn-Reply-To: <alpha>\nMessage-ID: <beta>\n\nStill broken.\n",
    );
    let r = ingest(&d, &md.root);
    assert_eq!(r["mails"][0]["outcome"], "reply", "{r}");
    assert_eq!(r["mails"][0]["ticket"], id);
    assert_eq!(r["mails"][0]["threaded_by"], "reference");
}

#[test]
fn mail_max_bytes_quarantines_larger_mails() {
    let (d, md) = desk_with_maildir();
    // 10 MiB by default: an 11 MiB mail is refused, whatever the attachment limit.
    let mut big = b"From: a@b.example\nTo: support@example.com\nSubject: big\n\n".to_vec();
    big.extend(std::iter::repeat_n(b'x', 11 << 20));
    md.deliver("1.big.mx", &big);
    md.deliver(
        "2.small.mx",
        b"From: a@b.example\nTo: support@example.com\nSubject: small\n\nhello\n",
    );
    let r = ingest(&d, &md.root);
    assert_eq!(r["mails"][0]["outcome"], "quarantined");
    assert_eq!(
        r["mails"][0]["reason"],
        format!(
            "the mail is {} bytes, more than the limit of 10485760 (mail_max_bytes)",
            big.len()
        )
    );
    assert_eq!(r["mails"][1]["outcome"], "new_ticket");
    assert_eq!(md.files("quarantine"), ["1.big.mx", "1.big.mx.reason"]);

    d.ok(&["--as", "alice", "settings", "set", "mail_max_bytes", "2048"]);
    assert!(d.read("desk.yaml").contains("mail_max_bytes: 2048\n"));
    md.deliver("3.mid.mx", &big[..4000]);
    let r = ingest(&d, &md.root);
    assert!(
        r["mails"][0]["reason"]
            .as_str()
            .unwrap()
            .ends_with("more than the limit of 2048 (mail_max_bytes)"),
        "{r}"
    );
    let err = d.fails(
        1,
        &["--as", "alice", "settings", "set", "mail_max_bytes", "10"],
    );
    assert!(err.contains("mail_max_bytes must be between 1024"), "{err}");
}

#[test]
fn cc_is_kept_copied_on_answers_edited_and_a_cc_reply_threads() {
    let (d, md) = desk_with_maildir();
    md.deliver_fixture("cc.eml");
    let r = ingest(&d, &md.root);
    let id = ticket_id(&r, "cc");
    let ids = id.to_string();
    let t = ticket(&d, id);
    assert_eq!(t["email"], "john@doe.example");
    // The desk's own address is not a Cc.
    assert_eq!(
        t["cc"],
        serde_json::json!(["ann@doe.example", "billing@doe.example"])
    );
    assert!(d
        .read(&format!("tickets/001/{id}/ticket.yaml"))
        .contains("cc:\n- ann@doe.example\n- billing@doe.example\n"));
    let shown = d.ok(&["--as", "alice", "ticket", "show", &ids]);
    assert!(
        shown.contains("ann@doe.example, billing@doe.example"),
        "{shown}"
    );
    // The site's ticket page names them.
    let site = d.tmp.path().join("site");
    d.ok(&[
        "--as",
        "alice",
        "site",
        "build",
        "--out",
        site.to_str().unwrap(),
    ]);
    let page = std::fs::read_to_string(site.join(format!("tickets/001/{id}.html"))).unwrap();
    assert!(
        page.contains("<dt>Cc</dt><dd>ann@doe.example, billing@doe.example</dd>"),
        "{page}"
    );
    // The auto-response goes to the customer only.
    let (_, auto) = outbox(&d).remove(0);
    assert_eq!(auto["to"], serde_json::json!(["john@doe.example"]));
    assert!(auto.get("cc").is_none(), "{auto}");

    // ticket edit: remove one, add one; the customer cannot be a Cc.
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "edit",
        &ids,
        "--remove-cc",
        "billing@doe.example",
        "--cc",
        "cto@doe.example",
    ]);
    assert_eq!(
        ticket(&d, id)["cc"],
        serde_json::json!(["ann@doe.example", "cto@doe.example"])
    );
    assert!(d
        .last_message()
        .contains("cc ann@doe.example cto@doe.example"));
    let err = d.fails(
        1,
        &[
            "--as",
            "alice",
            "ticket",
            "edit",
            &ids,
            "--cc",
            "john@doe.example",
        ],
    );
    assert!(err.contains("nothing to do"), "{err}");
    let err = d.fails(
        1,
        &[
            "--as",
            "alice",
            "ticket",
            "edit",
            &ids,
            "--remove-cc",
            "nobody@doe.example",
        ],
    );
    assert!(err.contains("not in the ticket's cc"), "{err}");

    // The answer copies them.
    d.ok(&[
        "--as", "alice", "ticket", "answer", &ids, "--pickup", "-m", "Renewed.",
    ]);
    let answer = outbox(&d)
        .into_iter()
        .map(|(_, m)| m)
        .find(|m| m["kind"] == "answer")
        .unwrap();
    assert_eq!(answer["to"], serde_json::json!(["john@doe.example"]));
    assert_eq!(
        answer["cc"],
        serde_json::json!(["ann@doe.example", "cto@doe.example"])
    );
    let server = super::smtp_server::SmtpServer::start(Default::default());
    edit_settings(&d, |s| {
        s.replace("port: 25\n", &format!("port: {}\n", server.port))
    });
    d.ok(&["mail", "send"]);
    let got = server.received();
    let sent = got.iter().find(|m| m.data.contains("Renewed.")).unwrap();
    assert_eq!(
        sent.to,
        ["john@doe.example", "ann@doe.example", "cto@doe.example"]
    );
    assert!(
        sent.data
            .contains("\r\nCc: ann@doe.example, cto@doe.example\r\n"),
        "{}",
        sent.data
    );
    let auto = got.iter().find(|m| !m.data.contains("Renewed.")).unwrap();
    assert_eq!(auto.to, ["john@doe.example"]);

    // Ann answers the answer: it threads in, John stays the customer.
    let answer_id = answer["message_id"].as_str().unwrap();
    md.deliver(
        "2.ann.mx",
        format!(
            "From: Ann Doe <ann@doe.example>\nTo: support@example.com\nCc: john@doe.example, dave@doe.example\nSubject: Re: [#{id}] Re: Our domain expires next week\nIn-Reply-To: {answer_id}\nReferences: <cc-1@doe.example> {answer_id}\nMessage-ID: <cc-2@doe.example>\n\nThank you!\n"
        )
        .as_bytes(),
    );
    let r = ingest(&d, &md.root);
    assert_eq!(r["mails"][0]["outcome"], "reply", "{r}");
    assert_eq!(r["mails"][0]["ticket"], id);
    let t = ticket(&d, id);
    assert_eq!(t["email"], "john@doe.example");
    assert_eq!(
        t["cc"],
        serde_json::json!(["ann@doe.example", "cto@doe.example", "dave@doe.example"])
    );
    assert_eq!(t["status"], "open");
    // No auto-response to anyone for a reply.
    assert!(outbox(&d).is_empty());
    d.ok(&["check"]);
    assert_eq!(d.status(), "");
}

#[test]
fn spam_goes_to_the_spam_folder_and_can_be_released() {
    let (d, md) = desk_with_maildir();
    for f in [
        "spamassassin.eml",
        "rspamd.eml",
        "dmarc-fail.eml",
        "plain.eml",
    ] {
        md.deliver_fixture(f);
    }
    let before = d.commit_count();
    let r = d.run(&["mail", "ingest", md.root.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("spam"), "{}", r.stdout);
    assert!(
        r.stderr.contains(
            "4 mails: 1 new ticket, 0 replies, 0 notes, 0 skipped, 0 quarantined, 3 spam (commit "
        ),
        "{}",
        r.stderr
    );
    assert_eq!(d.commit_count(), before + 1);
    // Spam made no ticket and no auto-response.
    assert_eq!(outbox(&d).len(), 1);
    let spam = md.files("spam");
    assert_eq!(spam.len(), 6, "{spam:?}");
    assert_eq!(
        std::fs::read_to_string(md.root.join("spam/1795800000.spamassassin.mx.reason")).unwrap(),
        "X-Spam-Flag: YES\n"
    );
    assert_eq!(
        std::fs::read_to_string(md.root.join("spam/1795800000.rspamd.mx.reason")).unwrap(),
        "X-Rspamd-Action: add header\n"
    );
    assert!(
        std::fs::read_to_string(md.root.join("spam/1795800000.dmarc-fail.mx.reason"))
            .unwrap()
            .contains("dmarc=fail (p=REJECT"),
    );

    // `mail spam` lists them (the desk's Maildir by default).
    edit_settings(&d, |s| s.replace("maildir: null", "maildir: ../mail/inbox"));
    let list = json(&d.ok(&["--json", "mail", "spam"]));
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3, "{list:?}");
    let sa = list
        .iter()
        .find(|e| e["from"] == "winner@lottery.example")
        .unwrap();
    assert_eq!(sa["subject"], "You have won 1,000,000 EUR");
    assert_eq!(sa["reason"], "X-Spam-Flag: YES");
    let text = d.ok(&["mail", "spam"]);
    assert!(text.contains("You have won 1,000,000 EUR"), "{text}");

    // Released by its file name: into the desk, not screened again.
    let r = json(&d.ok(&["--json", "mail", "release", "1795800000.dmarc-fail.mx"]));
    assert_eq!(r["mails"][0]["outcome"], "new_ticket", "{r}");
    assert!(r["mails"][0]["file"]
        .as_str()
        .unwrap()
        .ends_with("new/1795800000.dmarc-fail.mx.released"));
    assert_eq!(md.files("spam").len(), 4);
    assert!(md
        .files("cur")
        .contains(&"1795800000.dmarc-fail.mx.released:2,S".to_owned()));
    let err = d.fails(1, &["mail", "release", "no-such-file"]);
    assert!(
        err.contains("no Maildir of the desk has it in spam/"),
        "{err}"
    );

    // Each filter can be turned off.
    d.ok(&[
        "--as",
        "alice",
        "settings",
        "set",
        "mail.spamassassin",
        "false",
    ]);
    let mut sa = fixture("spamassassin.eml");
    sa = String::from_utf8(sa)
        .unwrap()
        .replace("<spam-sa@", "<spam-sa-2@")
        .into_bytes();
    md.deliver("5.sa.mx", &sa);
    let r = ingest(&d, &md.root);
    assert_eq!(r["mails"][0]["outcome"], "new_ticket", "{r}");
    assert!(d
        .read("desk.yaml")
        .contains("mail:\n  spamassassin: false\n"));
    assert_eq!(d.status(), "");
}

#[test]
fn ignored_senders_are_kept_or_dropped() {
    let (d, md) = desk_with_maildir();
    edit_settings(&d, |s| {
        format!("{s}mail:\n  ignore:\n  - address: '*@newsletter.example'\n    keep: true\n  - address: 'NOREPLY@*'\n")
    });
    md.deliver("1.news.mx", b"From: News <weekly@newsletter.example>\nTo: support@example.com\nSubject: This week\n\nnews\n");
    md.deliver(
        "2.noreply.mx",
        b"From: noreply@shop.example\nTo: support@example.com\nSubject: Your order\n\norder\n",
    );
    md.deliver(
        "3.real.mx",
        b"From: real@doe.example\nTo: support@example.com\nSubject: Real\n\nhelp\n",
    );
    let r = d.run(&["--json", "mail", "ingest", md.root.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = json(&r.stdout);
    assert_eq!(r["mails"][0]["outcome"], "ignored");
    assert_eq!(r["mails"][0]["pattern"], "*@newsletter.example");
    assert_eq!(r["mails"][0]["kept"], true);
    assert_eq!(r["mails"][1]["outcome"], "ignored");
    assert_eq!(r["mails"][1]["kept"], false);
    assert_eq!(r["mails"][2]["outcome"], "new_ticket");
    // Kept: seen in cur/. Dropped: gone.
    assert_eq!(md.files("cur"), ["1.news.mx:2,S", "3.real.mx:2,S"]);
    assert!(md.files("new").is_empty());
    assert_eq!(outbox(&d).len(), 1);
}

#[test]
fn a_relative_maildir_is_taken_from_where_git_desk_was_started() {
    let (d, md) = desk_with_maildir();
    md.deliver_fixture("plain.eml");
    // Started in the temporary directory, with -C pointing at the desk: `mail/inbox` is
    // beside the desk, not inside it.
    let r = d.run_in(
        d.tmp.path(),
        &["-C", "desk", "--json", "mail", "ingest", "mail/inbox"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(json(&r.stdout)["mails"][0]["outcome"], "new_ticket");
}
