//! The built site in headless Chromium (Debian `chromium`, driven over the DevTools
//! protocol by `cdp`): Quick Search from `file://`, following a result to the ticket page,
//! the escaped title, the statistics charts, and phone width.

use std::path::Path;

use crate::cdp::Browser;
use crate::support::*;

/// `site build --out OUT` of the desk.
pub(crate) fn build(d: &TestDesk, out: &Path) {
    let r = d.run(&["site", "build", "--out", out.to_str().unwrap()]);
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
    build(&d, &out);
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
