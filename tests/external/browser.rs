//! The built site in headless Chromium (Debian `chromium`, driven over the DevTools
//! protocol by `cdp`): Quick Search from `file://` (ids, account names, answer words, KB
//! titles, never note words), following a result to the ticket page,
//! the escaped title, the statistics charts; the dashboard's urgency order and ages, the
//! customer page, and at phone width (390 px) no element wider than the screen and no
//! word broken inside a table cell.

use std::path::Path;

use crate::cdp::Browser;
use crate::support::*;

/// `site build --out OUT EXTRA…` of the desk.
pub(crate) fn build(d: &TestDesk, out: &Path, extra: &[&str]) {
    let mut args = vec!["site", "build", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let r = d.run(&args);
    assert_eq!(r.code, 0, "site build failed:\n{}\n{}", r.stdout, r.stderr);
}

pub fn browser_quick_search_reaches_the_escaped_ticket_and_the_charts() {
    let d = TestDesk::example();
    let title = "<img src=x onerror=alert(1)><script>alert(2)</script> Zebra printer & fire";
    d.ok(&[
        "--as",
        "alice",
        "ticket",
        "new",
        "--title",
        title,
        "--email",
        "zed@zoo.example",
        "-m",
        "It burns.",
    ]);
    let out = d.tmp.path().join("site");
    build(&d, &out, &[]);
    let base = format!("file://{}/", out.display());
    let mut b = Browser::start();
    b.goto(&format!("{base}index.html"));
    b.click("#quick-search");
    b.type_text("zebra");
    b.wait_for("document.querySelector('#quick-search-results a')");
    let first = b.eval("document.querySelector('#quick-search-results a').textContent");
    assert_eq!(first.as_str().unwrap(), format!("#1041 {title}"));
    b.click("#quick-search-results a");
    b.wait_for(
        "location.href.endsWith('/tickets/001/1041.html') && document.readyState === 'complete'",
    );
    assert_eq!(
        b.eval("document.querySelector('.ticket-title').textContent")
            .as_str(),
        Some(title)
    );
    assert_eq!(
        b.eval("document.querySelectorAll('main img, main script').length"),
        0
    );
    assert!(
        !b.events
            .iter()
            .any(|(m, _)| m == "Page.javascriptDialogOpening"),
        "a dialog opened"
    );
    // From a page two folders down, searching by e-mail and by id works too.
    b.click("#quick-search");
    b.type_text("1004");
    b.wait_for("document.querySelector('#quick-search-results a')");
    b.click("#quick-search-results a");
    b.wait_for(
        "location.href.endsWith('/tickets/001/1004.html') && document.readyState === 'complete'",
    );
    // The statistics page draws its charts (static SVG in the page, no script involved).
    b.goto(&format!("{base}stats/all.html"));
    assert_eq!(
        b.eval("document.querySelectorAll('#chart-series polyline').length"),
        2
    );
    assert!(
        b.eval("document.querySelector('#chart-series').getBoundingClientRect().width")
            .as_f64()
            .unwrap()
            > 300.0
    );
    let bars = b.eval("[...document.querySelectorAll('#chart-first-response rect')].filter(r => r.getBBox().height > 0).length");
    assert!(bars.as_u64().unwrap() > 0, "{bars}");
    // Phone width: nothing wider than the screen.
    b.call(
        "Emulation.setDeviceMetricsOverride",
        serde_json::json!({"width": 375, "height": 800, "deviceScaleFactor": 2, "mobile": true}),
    );
    for page in [
        "index.html",
        "tickets/001/1041.html",
        "tickets/001/1004.html",
        "stats/index.html",
        "tasks/index.html",
    ] {
        b.goto(&format!("{base}{page}"));
        let w = b
            .eval("document.documentElement.scrollWidth")
            .as_u64()
            .unwrap();
        assert!(w <= 375, "{page} is {w}px wide on a 375px screen");
    }
}

/// What is wrong with the layout of the page shown: the page scrolling sideways, an element
/// reaching past the screen's edge (outside a horizontally scrolling box), or a word broken
/// across lines inside a table cell.
const LAYOUT_PROBLEMS: &str = r#"(() => {
  const vw = document.documentElement.clientWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > vw) {
    problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + vw);
  }
  const clipped = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') { return true; }
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) { continue; }
    if ((r.right > vw + 0.5 || r.left < -0.5) && !clipped(el)) {
      problems.push('wider than the screen: <' + el.tagName.toLowerCase() + ' class="' + el.className + '"> ' + Math.round(r.left) + '..' + Math.round(r.right));
    }
  }
  for (const cell of document.querySelectorAll('td, th')) {
    const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const re = /[^\s\-–]+/g;
      let m;
      while ((m = re.exec(n.data))) {
        const range = document.createRange();
        range.setStart(n, m.index);
        range.setEnd(n, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) { problems.push('word broken in a table cell: ' + m[0]); }
      }
    }
  }
  return problems.slice(0, 15);
})()"#;

pub fn browser_dashboard_order_phone_layout_and_customer_page() {
    let d = TestDesk::example();
    let out = d.tmp.path().join("site");
    let status = d.tmp.path().join("status");
    build(
        &d,
        &out,
        &[
            "--as",
            "bob",
            "--for",
            "bob",
            "--customers",
            status.to_str().unwrap(),
        ],
    );
    let base = format!("file://{}/", out.display());
    let mut b = Browser::start();

    // The dashboard: most urgent first (wait × (1 + priority / 50)), the age of each wait
    // shown, who spoke last, and the build time.
    b.goto(&format!("{base}index.html"));
    let order = b.eval(
        r#"(() => {
        const now = Date.parse(document.getElementById('built-at').getAttribute('datetime'));
        return ['unassigned-work', 'mine-work'].map(id => {
          const rows = [...document.querySelectorAll('#' + id + ' + .table-wrap tr.ticket-row')];
          const score = rows.map(r => (now - Date.parse(r.querySelector('td.age time').getAttribute('datetime')))
              * (1 + Number(r.querySelector('td.prio').textContent.replace(/\D/g, '')) / 50));
          return {rows: rows.length, sorted: score.every((s, i) => i === 0 || score[i - 1] >= s),
                  ages: rows.every(r => /^waiting \d+ (min|h|d)( \d+ h)?$/.test(r.querySelector('td.age').textContent.trim())),
                  last: rows.every(r => r.querySelector('.last .who') !== null)};
        });
      })()"#,
    );
    for v in order.as_array().unwrap() {
        assert!(v["rows"].as_u64().unwrap() > 0, "{order}");
        assert_eq!(v["sorted"], true, "{order}");
        assert_eq!(v["ages"], true, "{order}");
        assert_eq!(v["last"], true, "{order}");
    }
    assert_eq!(
        b.eval("document.querySelector('.as-of').textContent.trim()"),
        "As of 2026-11-27 12:00 UTC"
    );
    // A queue list's rows say since when each customer waits; assets/built.js turns that
    // into the age at the build time, the one the dashboard shows.
    b.goto(&format!("{base}queues/general.html"));
    b.wait_for(
        "(document.querySelector('tr[data-id=\"1022\"] td.age time') || {}).textContent === '7 d 13 h'",
    );
    // A ticket page gets the time from assets/built.js.
    b.goto(&format!("{base}tickets/001/1004.html"));
    b.wait_for("!document.querySelector('[data-built-at]').hidden");
    assert_eq!(
        b.eval("document.querySelector('.as-of').textContent.trim()"),
        "As of 2026-11-27 12:00 UTC"
    );
    // Prose in a proportional font, code in a monospace one.
    let fonts = b.eval("[getComputedStyle(document.querySelector('.message .body p')).fontFamily, getComputedStyle(document.querySelector('.message .body pre.code')).fontFamily]");
    assert!(!fonts[0].as_str().unwrap().contains("monospace"), "{fonts}");
    assert!(fonts[1].as_str().unwrap().contains("monospace"), "{fonts}");

    // The customer page, from file://: title, status and the thread, no note.
    let page = std::fs::read_dir(&status)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            std::fs::read_to_string(p)
                .unwrap_or_default()
                .contains("Request #1004,")
        })
        .expect("the page of 1004");
    let customer = format!("file://{}", page.display());
    b.goto(&customer);
    assert_eq!(
        b.eval("document.querySelector('h1').textContent"),
        "500 Internal Server Error after PHP upgrade"
    );
    assert_eq!(
        b.eval("document.getElementById('status').textContent"),
        "Resolved"
    );
    assert_eq!(
        b.eval("document.querySelectorAll('article.message').length"),
        3
    );
    assert_eq!(
        b.eval("document.body.textContent.includes('php_value lines are fatal')"),
        false,
        "the note is not shown"
    );

    // Phone width: nothing wider than the screen, no word broken inside a table cell.
    b.call(
        "Emulation.setDeviceMetricsOverride",
        serde_json::json!({"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": true}),
    );
    let pages = [
        "index.html",
        "queues/index.html",
        "queues/general.html",
        "staff/index.html",
        "staff/bob.html",
        "tickets/001/1004.html",
        "tickets/001/1025.html",
        "stats/index.html",
        "stats/all.html",
        "tasks/index.html",
        "kb/index.html",
        "kb/external-mail-provider.html",
        "closed/2026-10.html",
    ];
    for url in pages
        .iter()
        .map(|p| format!("{base}{p}"))
        .chain([customer.clone()])
    {
        b.goto(&url);
        let problems = b.eval(LAYOUT_PROBLEMS);
        assert_eq!(problems, serde_json::json!([]), "{url} at 390 px");
    }
    // Chart text stays legible on a phone (at least 10 CSS pixels high).
    b.goto(&format!("{base}stats/all.html"));
    let smallest = b.eval("Math.min(...[...document.querySelectorAll('#chart-series text, .hbar-label, .xlabels span')].map(t => t.getBoundingClientRect().height).filter(h => h > 0))");
    assert!(
        smallest.as_f64().unwrap() >= 10.0,
        "chart text {smallest} px high"
    );
}

/// Puts `q` in the Quick Search box of the page shown (as typing does: an input event) and
/// waits for its answer; returns the links of the results and the status line.
fn quick_search(b: &mut Browser, q: &str) -> (Vec<String>, String) {
    b.eval(&format!(
        "(() => {{ document.querySelector('#quick-search-status').textContent = ''; const i = document.querySelector('#quick-search'); i.value = {}; i.dispatchEvent(new Event('input')); }})()",
        serde_json::json!(q)
    ));
    b.wait_for("document.querySelector('#quick-search-status').textContent !== ''");
    let links = b.eval("[...document.querySelectorAll('#quick-search-results a')].map(a => a.getAttribute('href'))");
    let status = b.eval("document.querySelector('#quick-search-status').textContent");
    (
        links
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().to_owned())
            .collect(),
        status.as_str().unwrap().to_owned(),
    )
}

pub fn browser_quick_search_finds_customers_message_words_and_kb_titles_but_not_notes() {
    let d = TestDesk::example();
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "answer",
        "1039",
        "--pickup",
        "-m",
        "A quokkaform is on its way.",
    ]);
    d.ok(&[
        "--as",
        "bob",
        "ticket",
        "note",
        "1039",
        "-m",
        "Notewordzz: for us only.",
    ]);
    let out = d.tmp.path().join("site");
    build(&d, &out, &[]);
    let base = format!("file://{}/", out.display());
    let mut b = Browser::start();
    b.goto(&format!("{base}tickets/001/1004.html"));
    // Only the script of the box is loaded before a search.
    assert_eq!(
        b.eval("document.querySelectorAll('script[src*=\"assets/search/\"]').length"),
        0
    );
    // A customer's account name finds their tickets, newest first.
    let (links, status) = quick_search(&mut b, "landscaping");
    assert_eq!(
        links,
        ["../../tickets/001/1029.html", "../../tickets/001/1006.html"],
        "{status}"
    );
    // A word only in an answer finds its ticket.
    let (links, status) = quick_search(&mut b, "quokkaform");
    assert_eq!(links, ["../../tickets/001/1039.html"], "{status}");
    // A prefix of it too, while typing.
    let (links, _) = quick_search(&mut b, "quokka");
    assert_eq!(links, ["../../tickets/001/1039.html"]);
    // A KB article by its title, the title match ranked above message text.
    let (links, status) = quick_search(&mut b, "smtp authentication");
    assert_eq!(
        links.first().map(String::as_str),
        Some("../../kb/configure-mail-client-smtp.html"),
        "{links:?} {status}"
    );
    // An exact id first.
    let (links, _) = quick_search(&mut b, "1004");
    assert_eq!(
        links.first().map(String::as_str),
        Some("../../tickets/001/1004.html")
    );
    // A word only in an internal note finds nothing.
    let (links, status) = quick_search(&mut b, "notewordzz");
    assert!(links.is_empty(), "{links:?}");
    assert_eq!(status, "No ticket matches.");
    // Only the shards those queries needed were loaded (one per prefix, plus the records).
    let loaded = b.eval("[...document.querySelectorAll('script[src*=\"assets/search/\"]')].map(s => s.getAttribute('src').replace(/.*\\//, '')).sort().join(' ')");
    let loaded = loaded.as_str().unwrap();
    for shard in [
        "t-lan.js", "t-quo.js", "t-smt.js", "t-aut.js", "t-100.js", "t-not.js",
    ] {
        assert!(loaded.contains(shard), "{loaded}");
    }
    assert!(loaded.split(' ').count() < 15, "{loaded}");
    // Following a result works from the page two folders down.
    quick_search(&mut b, "quokkaform");
    b.click("#quick-search-results a");
    b.wait_for(
        "location.href.endsWith('/tickets/001/1039.html') && document.readyState === 'complete'",
    );
}
