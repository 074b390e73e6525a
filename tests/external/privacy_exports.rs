//! What could attack a reader (issue 14): a hostile attachment in the built site is inert in
//! headless Chromium, opened from `file://` and from a web server (Python's `http.server`).
//! Formula cells in CSV exports are tested in `tests/it/privacy/exports.rs`.

use crate::support::*;

const HOSTILE: &str = "<html><body><script>document.title = 'pwned';</script>\
<img src=x onerror=\"document.title='pwned'\"><svg onload=\"document.title='pwned'\"></svg>CV</body></html>";

pub fn a_hostile_attachment_is_inert_in_the_browser() {
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
    crate::browser::build(&d, &site, &[]);
    let mut b = crate::cdp::Browser::start();
    check_attachment_links(&mut b, &format!("file://{}/", site.display()));
    // The same from a web server, which types files by their extension.
    {
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
