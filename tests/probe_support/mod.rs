//! For the probe tests: a tiny HTTP server on 127.0.0.1 that answers what the test says
//! and keeps every request head it received, and a runner for `htguard probe`.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A server answering each request with `respond(head)` (status line and headers, without
/// the final blank line); it closes every connection after one answer.
pub struct Tiny {
    pub port: u16,
    heads: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Tiny {
    pub fn start(respond: impl Fn(&str) -> String + Send + 'static) -> Tiny {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (h, s) = (heads.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                let Ok((mut conn, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                conn.set_nonblocking(false).unwrap();
                conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut raw = Vec::new();
                let mut buf = [0u8; 4096];
                while !raw.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => raw.extend_from_slice(&buf[..n]),
                    }
                }
                if raw.is_empty() {
                    continue;
                }
                let head = String::from_utf8_lossy(&raw).into_owned();
                h.lock().unwrap().push(head.clone());
                let answer = format!(
                    "{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    respond(&head)
                );
                let _ = conn.write_all(answer.as_bytes());
            }
        });
        Tiny {
            port,
            heads,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Every request head received so far.
    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.heads.lock().unwrap().len()
    }
}

impl Drop for Tiny {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// What `htguard probe` did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The `--format json` document.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.stdout, self.stderr))
    }

    /// The codes of the findings in a JSON run, in order.
    pub fn codes(&self) -> Vec<String> {
        self.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    }

    /// The number of requests a JSON run lists.
    pub fn requests(&self) -> usize {
        self.json()["requests"].as_array().unwrap().len()
    }
}

/// `htguard probe ARGS`, with `password` on standard input when given.
pub fn probe(args: &[&str], password: Option<&str>) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_htguard"));
    cmd.arg("probe").args(args);
    if password.is_some() {
        cmd.arg("--password-stdin");
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("NO_COLOR", "1")
        .spawn()
        .expect("start htguard");
    {
        let mut stdin = child.stdin.take().unwrap();
        if let Some(p) = password {
            writeln!(stdin, "{p}").unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every 3-character piece of `secret` absent from `text`.
pub fn assert_no_piece(text: &str, secret: &str, what: &str) {
    let chars: Vec<char> = secret.chars().collect();
    for w in chars.windows(3) {
        let piece: String = w.iter().collect();
        assert!(
            !text.contains(&piece),
            "{what} contains `{piece}` of the password:\n{text}"
        );
    }
}
