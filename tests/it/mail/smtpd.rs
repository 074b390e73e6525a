#![allow(dead_code)]
//! A real SMTP server for the tests: Python's aiosmtpd on 127.0.0.1 with the `Picky`
//! handler of `tests/fixtures/mail/picky_smtpd.py` (accepts into a Maildir, 550 for
//! `reject*@`, 451 for `busy*@`). The server is killed when the guard is dropped.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{have_program, ENV_REQUIRE};

pub struct Smtpd {
    child: Child,
    pub maildir: PathBuf,
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// True when python3 with aiosmtpd is there; else SKIPPED (or a failure under CI). Prefer a
/// test in `tests/external/` with the need `AIOSMTPD`: see `support::have_program`.
pub fn have_aiosmtpd(test: &str) -> bool {
    if !have_program("python3", test) {
        return false;
    }
    let ok = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        if std::env::var_os(ENV_REQUIRE).is_some() {
            panic!("{test}: the Python module aiosmtpd is required ({ENV_REQUIRE} is set) but not installed");
        }
        eprintln!(
            "SKIPPED {test}: the Python module aiosmtpd is not installed (pip install aiosmtpd)"
        );
    }
    ok
}

impl Smtpd {
    /// Starts the server on `port`, storing accepted mail in `maildir`; waits until it
    /// accepts connections.
    pub fn start(port: u16, maildir: &Path) -> Smtpd {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mail");
        let child = Command::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "picky_smtpd.Picky",
            ])
            .arg(maildir)
            .env("PYTHONPATH", &fixtures)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let mut server = Smtpd {
            child,
            maildir: maildir.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("aiosmtpd exited at start: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not listen on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// The messages received so far, as text, in arrival order.
    pub fn received(&self) -> Vec<String> {
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(rd) = std::fs::read_dir(self.maildir.join(sub)) {
                for e in rd {
                    let e = e.unwrap();
                    files.push((e.metadata().unwrap().modified().unwrap(), e.path()));
                }
            }
        }
        files.sort();
        files
            .into_iter()
            .map(|(_, p)| std::fs::read_to_string(p).unwrap())
            .collect()
    }
}

impl Drop for Smtpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of header `name` in a received message (unfolded), if present.
pub fn header(message: &str, name: &str) -> Option<String> {
    let head = message.split("\n\n").next().unwrap_or("");
    let mut value: Option<String> = None;
    for line in head.lines() {
        if let Some(v) = value.as_mut() {
            if line.starts_with([' ', '\t']) {
                v.push(' ');
                v.push_str(line.trim());
                continue;
            }
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            if k.eq_ignore_ascii_case(name) {
                value = Some(v.trim().to_owned());
            }
        }
    }
    value
}
