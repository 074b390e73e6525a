//! A small client of the Chrome DevTools protocol for the browser tests: starts Debian's
//! headless `chromium` with a fresh profile and the flags this machine needs, finds the
//! page target over the DevTools HTTP endpoint, and talks JSON over a minimal WebSocket
//! (RFC 6455 client frames, masked; no extensions). Std only: nothing to download.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The browser process, killed when dropped (also when a test panics half-way).
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub struct Browser {
    _proc: Proc,
    _profile: tempfile::TempDir,
    ws: TcpStream,
    next_id: u64,
    /// Events received so far (method, params).
    pub events: Vec<(String, Value)>,
}

/// Connects to the DevTools port, retrying while Chromium starts up.
fn connect(port: u16) -> TcpStream {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => return s,
            Err(e) if Instant::now() > deadline => {
                panic!("connect to DevTools on port {port}: {e}")
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

fn http_get(port: u16, path: &str) -> String {
    let mut s = connect(port);
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").unwrap();
    let head = read_head(&mut s);
    let len: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap())
        })
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).unwrap();
    String::from_utf8(body).unwrap()
}

/// Reads an HTTP response head (up to the blank line).
fn read_head(s: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut b = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        s.read_exact(&mut b).unwrap();
        head.push(b[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

impl Browser {
    /// Starts headless Chromium and connects to its first page.
    pub fn start() -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let child = Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--remote-debugging-port=0",
                "--window-size=1200,900",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chromium");
        let mut proc = Proc(child);
        let stderr = proc.0.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("ws://127.0.0.1:").nth(1) {
                    let port: u16 = rest.split('/').next().unwrap().parse().unwrap();
                    let _ = tx.send(port);
                }
            }
        });
        let port = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("chromium printed no DevTools address");
        let mut target = None;
        let deadline = Instant::now() + Duration::from_secs(20);
        while target.is_none() && Instant::now() < deadline {
            let list: Value =
                serde_json::from_str(&http_get(port, "/json/list")).unwrap_or(json!([]));
            target = list
                .as_array()
                .into_iter()
                .flatten()
                .find(|t| t["type"] == "page")
                .cloned();
            if target.is_none() {
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        let url = target.expect("a page target")["webSocketDebuggerUrl"]
            .as_str()
            .unwrap()
            .to_owned();
        let path = url.split_once(&format!(":{port}")).unwrap().1.to_owned();
        let mut ws = connect(port);
        ws.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        write!(
            ws,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        .unwrap();
        let head = read_head(&mut ws);
        assert!(
            head.starts_with("HTTP/1.1 101"),
            "WebSocket upgrade refused: {head}"
        );
        let mut browser = Browser {
            _proc: proc,
            _profile: profile,
            ws,
            next_id: 0,
            events: Vec::new(),
        };
        browser.call("Page.enable", json!({}));
        browser.call("Runtime.enable", json!({}));
        browser
    }

    fn send(&mut self, text: &str) {
        let payload = text.as_bytes();
        let mut frame = vec![0x81u8];
        match payload.len() {
            n if n < 126 => frame.push(0x80 | n as u8),
            n if n <= 0xffff => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        let mask = [0x12u8, 0x34, 0x56, 0x78];
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.ws.write_all(&frame).unwrap();
    }

    fn receive(&mut self) -> Value {
        let mut message = Vec::new();
        loop {
            let mut h = [0u8; 2];
            self.ws
                .read_exact(&mut h)
                .expect("read from DevTools (timed out?)");
            let (fin, opcode) = (h[0] & 0x80 != 0, h[0] & 0x0f);
            let mut len = (h[1] & 0x7f) as u64;
            if len == 126 {
                let mut l = [0u8; 2];
                self.ws.read_exact(&mut l).unwrap();
                len = u16::from_be_bytes(l) as u64;
            } else if len == 127 {
                let mut l = [0u8; 8];
                self.ws.read_exact(&mut l).unwrap();
                len = u64::from_be_bytes(l);
            }
            let mut data = vec![0u8; len as usize];
            self.ws.read_exact(&mut data).unwrap();
            match opcode {
                0x8 => panic!("DevTools closed the connection"),
                0x9 | 0xA => continue,
                _ => message.extend(data),
            }
            if fin {
                return serde_json::from_slice(&message).expect("DevTools sent JSON");
            }
        }
    }

    /// Calls a DevTools method and returns its result; events seen meanwhile are kept.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let m = self.try_call(method, params);
        assert!(m.get("error").is_none(), "{method} failed: {m}");
        m["result"].clone()
    }

    /// Calls a DevTools method and returns its whole answer (`result` or `error`).
    fn try_call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"id": id, "method": method, "params": params}).to_string());
        loop {
            let m = self.receive();
            if m["id"] == id {
                return m;
            }
            if let Some(ev) = m["method"].as_str() {
                self.events.push((ev.to_owned(), m["params"].clone()));
            }
        }
    }

    /// The value of a JavaScript expression (promises awaited).
    pub fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(r.get("exceptionDetails").is_none(), "{expr} threw: {r}");
        r["result"]["value"].clone()
    }

    /// Waits until `expr` is true (up to 15 s).
    pub fn wait_for(&mut self, expr: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        // While the page navigates (after a click on a link), DevTools answers "Inspected
        // target navigated or closed": not yet, ask again.
        let holds = |b: &mut Self| {
            let m = b.try_call(
                "Runtime.evaluate",
                json!({"expression": format!("!!({expr})"), "returnByValue": true}),
            );
            m["result"]["result"]["value"] == json!(true)
        };
        while !holds(self) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {expr}; at {}",
                self.eval("location.href")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn goto(&mut self, url: &str) {
        self.call("Page.navigate", json!({"url": url}));
        self.wait_for(&format!(
            "location.href === {} && document.readyState === 'complete'",
            json!(url)
        ));
    }

    /// Types text into the focused element, one character at a time.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.call("Input.insertText", json!({"text": c.to_string()}));
        }
    }

    /// Clicks the middle of the first element matching `selector` with a real mouse event.
    pub fn click(&mut self, selector: &str) {
        let r = self.eval(&format!(
            "(() => {{ const e = document.querySelector({}); e.scrollIntoView(); const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()",
            json!(selector)
        ));
        let (x, y) = (r[0].as_f64().unwrap(), r[1].as_f64().unwrap());
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            );
        }
    }
}
