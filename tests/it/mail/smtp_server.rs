//! A small but real SMTP server on 127.0.0.1 (std only, a thread per connection), for the
//! mail tests and the mail benchmark (`benches/desk/mail.rs` includes this file). It speaks
//! RFC 5321 over TCP — greeting, EHLO with 8BITMIME (and SMTPUTF8 only if asked), MAIL,
//! RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT — and refuses recipients by local part:
//! `refuse*` gets `553`, `reject*` `550`, `busy*` `451`. With `drop_after`, it closes the
//! connection without a word once that many messages were accepted, as a crashing server
//! would. Every accepted message is kept with its envelope.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A message as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Options {
    pub smtputf8: bool,
    /// Close every connection abruptly after this many accepted messages in all.
    pub drop_after: Option<usize>,
}

pub struct SmtpServer {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl SmtpServer {
    pub fn start(options: Options) -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local address").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (r, c, s) = (received.clone(), connections.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                c.fetch_add(1, Ordering::SeqCst);
                let r = r.clone();
                std::thread::spawn(move || {
                    let _ = session(stream, &r, options);
                });
            }
        });
        SmtpServer {
            port,
            received,
            connections,
            stop,
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn session(
    stream: TcpStream,
    received: &Mutex<Vec<Received>>,
    options: Options,
) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut input = BufReader::new(stream);
    out.write_all(b"220 localhost ESMTP test server\r\n")?;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_owned();
        let upper = cmd.to_ascii_uppercase();
        let reply: String = if upper.starts_with("EHLO") {
            let mut r = String::from("250-localhost\r\n250-8BITMIME\r\n");
            if options.smtputf8 {
                r.push_str("250-SMTPUTF8\r\n");
            }
            r.push_str("250 SIZE 52428800\r\n");
            r
        } else if upper.starts_with("HELO") {
            "250 localhost\r\n".into()
        } else if upper.starts_with("MAIL FROM:") {
            from = Some(path_of(&cmd["MAIL FROM:".len()..]));
            to.clear();
            "250 2.1.0 OK\r\n".into()
        } else if upper.starts_with("RCPT TO:") {
            let addr = path_of(&cmd["RCPT TO:".len()..]);
            let local = addr.split('@').next().unwrap_or("").to_ascii_lowercase();
            if from.is_none() {
                "503 5.5.1 MAIL first\r\n".into()
            } else if local.starts_with("refuse") {
                format!("553 5.1.3 <{addr}>: mailbox name not allowed\r\n")
            } else if local.starts_with("reject") {
                format!("550 5.1.1 <{addr}>: Recipient address rejected: User unknown\r\n")
            } else if local.starts_with("busy") {
                format!("451 4.2.0 <{addr}>: Mailbox busy, try again later\r\n")
            } else {
                to.push(addr);
                "250 2.1.5 OK\r\n".into()
            }
        } else if upper == "DATA" {
            if to.is_empty() {
                "554 5.5.1 no valid recipients\r\n".into()
            } else {
                out.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if input.read_line(&mut line)? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                let mut all = received.lock().unwrap();
                all.push(Received {
                    from: from.take().unwrap_or_default(),
                    to: std::mem::take(&mut to),
                    data,
                });
                if options.drop_after.is_some_and(|n| all.len() >= n) {
                    // Gone without a reply, like a server that crashed.
                    let _ = out.shutdown(std::net::Shutdown::Both);
                    return Ok(());
                }
                "250 2.0.0 OK: queued\r\n".into()
            }
        } else if upper == "RSET" {
            from = None;
            to.clear();
            "250 2.0.0 OK\r\n".into()
        } else if upper == "NOOP" {
            "250 2.0.0 OK\r\n".into()
        } else if upper == "QUIT" {
            out.write_all(b"221 2.0.0 Bye\r\n")?;
            return Ok(());
        } else {
            "502 5.5.2 command not recognised\r\n".into()
        };
        out.write_all(reply.as_bytes())?;
    }
}

/// `<a@b> SIZE=…` → `a@b`.
fn path_of(arg: &str) -> String {
    let arg = arg.trim();
    match (arg.find('<'), arg.find('>')) {
        (Some(a), Some(b)) if a < b => arg[a + 1..b].to_owned(),
        _ => arg.split_whitespace().next().unwrap_or("").to_owned(),
    }
}
