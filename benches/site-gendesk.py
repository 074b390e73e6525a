#!/usr/bin/env python3
"""Generates a large git desk for measuring `git desk stats` and `site build` (written by helper "stats", reused by "site2").

Usage: stats-gendesk.py DIR [TICKETS] [--pickups]
Makes DIR a bare git repository (a server's desk: commands read HEAD) whose history has one data commit per day of 2026 adding that
day's tickets (ticket.yaml + 2-4 messages each, closed or open), and with --pickups also one
empty `ticket.pickup` commit per ticket (trailers only), so the history has ~TICKETS events.
Written as a `git fast-import` stream; a minute or two for 100k tickets.
"""
import random
import subprocess
import sys

out_dir = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 100_000
pickups = "--pickups" in sys.argv
rnd = random.Random(7)
staff = ["alice", "bob", "carol", "dave", "erin"]
queues = ["general", "billing", "sales"]
resellers = ["acme", "webhost"]
accounts = [f"user{i}" for i in range(5000)]
reseller_of = {a: (resellers[i % 2] if i % 3 == 0 else None) for i, a in enumerate(accounts)}

subprocess.run(["git", "init", "-q", "--bare", "-b", "main", out_dir], check=True)
p = subprocess.Popen(["git", "--git-dir", out_dir, "fast-import", "--quiet"], stdin=subprocess.PIPE)
w = p.stdin
mark = 0


def data(b):
    w.write(b"data %d\n" % len(b))
    w.write(b)
    w.write(b"\n")


def commit(t, msg, files, author="alice"):
    w.write(b"commit refs/heads/main\n")
    w.write(b"committer %s <%s@example.com> %d +0000\n" % (author.encode(), author.encode(), t))
    data(msg.encode())
    for path, content in files:
        w.write(b"M 100644 inline %s\n" % path.encode())
        data(content.encode())


def iso(t):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def compact(t):
    import time
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))


start = 1767225600  # 2026-01-01
files = [
    ("desk.yaml", "format: 1\nname: Big\nsupport_email: support@example.com\ndefault_queue: general\n"
     "reseller_support:\n  offered: true\n  pricing: per_ticket\n  default_price: \"5.00\"\n  currency: USD\n"),
]
for s in staff:
    role = "main" if s == "alice" else "support"
    files.append((f"staff/{s}.yaml", f"login: {s}\nname: {s.title()}\nemail: {s}@example.com\nrole: {role}\n"
                  "active: true\npermissions: [stats.view, billing.view]\nqueues: [general, billing, sales]\n"))
for q in queues:
    files.append((f"queues/{q}.yaml", f"slug: {q}\nname: {q.title()}\n"))
for r in resellers:
    files.append((f"resellers/{r}.yaml", f"login: {r}\nname: {r.title()}\ncustom_price: null\n"))
for a in accounts:
    r = reseller_of[a] or "null"
    files.append((f"accounts/{a}.yaml", f"login: {a}\nname: {a}\nemail: {a}@cust.example\nreseller: {r}\n"
                  "created_at: 2025-01-01T00:00:00Z\n"))
commit(start - 3600, "setup\n\nDesk-Op: desk.init\nDesk-Actor: alice\n", files)

BODY = "Hello,\n\n" + ("this is a line of a realistic support message body. " * 5 + "\n") * 4
per_day = n // 365 + 1
tid = 1000
for day in range(365):
    day_start = start + day * 86400
    files = []
    ids = []
    for _ in range(per_day):
        if tid >= 1000 + n:
            break
        tid += 1
        ids.append(tid)
        acc = rnd.choice(accounts)
        created = day_start + rnd.randrange(0, 80000)
        who = rnd.choice(staff)
        answered = created + rnd.randrange(300, 200000)
        closed = rnd.random() < 0.8
        status = "closed" if closed else "answered"
        closed_at = iso(answered + 60) if closed else "null"
        closed_by = who if closed else "null"
        d = f"tickets/{tid // 1000:03d}/{tid}"
        files.append((f"{d}/ticket.yaml",
                      f"id: {tid}\ntitle: Ticket {tid}\nemail: {acc}@cust.example\naccount: {acc}\n"
                      f"queue: {rnd.choice(queues)}\nstatus: {status}\npriority: 50\nassignee: {who}\n"
                      f"sticky: false\ncreated_at: {iso(created)}\nupdated_at: {iso(answered)}\n"
                      f"first_answered_at: {iso(answered)}\nanswered_at: {iso(answered)}\n"
                      f"closed_at: {closed_at}\nclosed_by: {closed_by}\nmerged_from: []\n"))
        msgs = [(created, f"{acc}@cust.example", "customer", acc), (answered, who, "answer", who)]
        if rnd.random() < 0.5:
            msgs.append((answered + 3600, who, "note", who))
        if rnd.random() < 0.3:
            msgs.append((answered + 7200, f"{acc}@cust.example", "customer", acc))
        for i, (t, author, kind, tag) in enumerate(msgs):
            files.append((f"{d}/messages/{compact(t)}-{tag}-{i:04x}.yaml",
                          f"at: {iso(t)}\nauthor: {author}\nkind: {kind}\nmessage_id: null\n"
                          f"body: |\n  " + BODY.replace("\n", "\n  ").rstrip() + "\nattachments: []\n"))
    if not ids:
        break
    commit(day_start + 86000, f"day {day}\n\nDesk-Op: mail.ingest\nDesk-Actor: alice\n", files)
    if pickups:
        for i in ids:
            who = rnd.choice(staff)
            commit(day_start + 86100, f"ticket {i}: pick up\n\nDesk-Op: ticket.pickup\nDesk-Ticket: {i}\n"
                   f"Desk-Actor: {who}\n", [], author=who)
w.close()
p.wait()
print(f"{out_dir}: {tid - 1000} tickets")
