//! What could attack a reader: a hostile attachment in the site (inert in Chromium, from
//! `file://` and a web server) and formula cells in CSV exports.

use crate::support::*;

#[test]
fn csv_cells_cannot_start_a_formula() {
    let d = TestDesk::example();
    d.ok(&[
        "--as",
        "alice",
        "reseller",
        "edit",
        "acme",
        "--name",
        "=HYPERLINK(\"http://evil.example\",\"x\")",
    ]);
    let csv = d.ok(&[
        "--as",
        "alice",
        "billing",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--csv",
    ]);
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\""),
        "{csv}"
    );
    for line in csv.lines() {
        for cell in line.split(',') {
            let c = cell.trim_start_matches('"');
            assert!(!c.starts_with(['=', '+', '@', '\t', '\r']), "{line}");
        }
    }
}

const HOSTILE: &str = "<html><body><script>document.title = 'pwned';</script>\
<img src=x onerror=\"document.title='pwned'\"><svg onload=\"document.title='pwned'\"></svg>CV</body></html>";

#[test]
fn a_hostile_attachment_is_inert_in_the_browser() {
    let test = "a_hostile_attachment_is_inert_in_the_browser";
    if !have_program("chromium", test) {
        return;
    }
    let d = TestDesk::example();
    let files = d.tmp.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    for name in ["resume.html", "logo.svg", "cv.xhtml"] {
        let text = if name.ends_with("svg") {
            "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"document.title='pwned'\"><script>document.title='pwned'</script></svg>"
        } else {
            HOSTILE
        };
        std::fs::write(files.join(name), text).unwrap();
    }
    let mut args = vec!["--as", "alice", "ticket", "reply", "1001", "-m", "My CV"];
    let paths: Vec<String> = ["resume.html", "logo.svg", "cv.xhtml"]
        .iter()
        .map(|n| files.join(n).display().to_string())
        .collect();
    for p in &paths {
        args.extend(["--attach", p.as_str()]);
    }
    d.ok(&args);
    let site = d.tmp.path().join("site");
    crate::site::build(&d, &site, &[]);
    let mut b = crate::cdp::Browser::start();
    check_attachment_links(&mut b, &format!("file://{}/", site.display()));
    // The same from a web server, which types files by their extension.
    if have_program("python3", test) {
        let mut server = std::process::Command::new("python3")
            .args([
                "-u",
                "-m",
                "http.server",
                "0",
                "--bind",
                "127.0.0.1",
                "--directory",
            ])
            .arg(&site)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(server.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let port = line
            .split(" port ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .map(str::to_owned);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let port = port.expect("http.server's port");
            check_attachment_links(&mut b, &format!("http://127.0.0.1:{port}/"));
        }));
        let _ = server.kill();
        let _ = server.wait();
        if let Err(e) = result {
            std::panic::resume_unwind(e);
        }
    }
    assert!(
        !b.events
            .iter()
            .any(|(m, _)| m == "Page.javascriptDialogOpening"),
        "a script ran"
    );
}

/// Opens each attachment link of ticket 1001's page under `base`: none runs a script.
fn check_attachment_links(b: &mut crate::cdp::Browser, base: &str) {
    b.goto(&format!("{base}tickets/001/1001.html"));
    let links = b.eval("[...document.querySelectorAll('ul.attachments a')].map(a => a.href)");
    let links: Vec<String> = links
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(links.len(), 3, "{links:?}");
    for link in &links {
        b.goto(link);
        assert_ne!(b.eval("document.title"), "pwned", "{link}");
        assert_eq!(b.eval("document.scripts.length"), 0, "{link}");
        assert_eq!(b.eval("document.contentType"), "text/plain", "{link}");
        assert!(link.ends_with(".txt"), "{link}");
    }
}
