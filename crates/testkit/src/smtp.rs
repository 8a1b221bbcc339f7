//! A real SMTP server on loopback for tests: Python's aiosmtpd (Debian's
//! python3-aiosmtpd) as a child process that keeps every message it accepts, byte for
//! byte, with its envelope, in a temp dir.
//!
//! The server binds port 0 (or a given port) itself and reports the port once it listens,
//! so nothing waits on timers. Stop it to play "the SMTP server is down", restart it on the
//! same port to bring it back; the mailbox survives both.

use std::path::Path;
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};

/// The server: an asyncio SMTP server whose handler writes `NNNNNN.env` (envelope sender,
/// then one recipient per line) and then `NNNNNN.eml` (the DATA as received). It exits
/// when its stdin closes, so a crashed test leaves no server behind.
const SERVER_SCRIPT: &str = r#"
import asyncio, os, sys, threading
from aiosmtpd.smtp import SMTP

class Keep:
    def __init__(self, directory, reply_delay):
        self.directory = directory
        self.reply_delay = reply_delay
        self.count = len([f for f in os.listdir(directory) if f.endswith(".eml")])

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, "%06d" % self.count)
        with open(base + ".env", "w") as f:
            f.write(envelope.mail_from + "\n" + "\n".join(envelope.rcpt_tos) + "\n")
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".tmp", base + ".eml")
        # A slow server: the message is kept, but the sender waits for the answer.
        await asyncio.sleep(self.reply_delay)
        return "250 OK"

def exit_when_parent_goes():
    sys.stdin.read()
    os._exit(0)

async def main():
    loop = asyncio.get_running_loop()
    handler = Keep(sys.argv[1], float(sys.argv[3]))
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="smtp.test"), "127.0.0.1", int(sys.argv[2]))
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()

threading.Thread(target=exit_when_parent_goes, daemon=True).start()
asyncio.run(main())
"#;

/// A message as the server received it.
#[derive(Debug, Clone)]
pub struct ReceivedEmail {
    /// Envelope sender (MAIL FROM).
    pub mail_from: String,
    /// Envelope recipients (RCPT TO): who really gets it, Bcc included.
    pub rcpt_to: Vec<String>,
    /// Every header in order, values decoded (RFC 2047).
    pub headers: Vec<(String, String)>,
    /// The `To` header.
    pub to: String,
    /// The `Subject` header.
    pub subject: String,
    /// The `Message-ID` header.
    pub message_id: String,
    /// The text/plain part, transfer-decoded.
    pub text: String,
    /// The text/html part, transfer-decoded, if any.
    pub html: Option<String>,
    /// Every attached file (a part with a file name), transfer-decoded, in order.
    pub attachments: Vec<ReceivedFile>,
    /// The message as received.
    pub raw: String,
}

/// A file attached to a received message.
#[derive(Debug, Clone)]
pub struct ReceivedFile {
    /// Its MIME type, e.g. `application/pdf`.
    pub content_type: String,
    /// Its file name.
    pub filename: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

impl ReceivedEmail {
    /// Every value of the header `name` (case-insensitive).
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// A running SMTP server on 127.0.0.1; dropping it stops it and deletes its mailbox.
pub struct SmtpServer {
    /// The port it listens on (kept across [`SmtpServer::stop`] and restart).
    pub port: u16,
    mailbox: TempDir,
    child: Option<(Child, ChildStdin)>,
    reply_delay: Duration,
}

impl std::fmt::Debug for SmtpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpServer")
            .field("port", &self.port)
            .field("running", &self.child.is_some())
            .finish_non_exhaustive()
    }
}

impl SmtpServer {
    /// Starts a server on a free port.
    pub async fn start() -> SmtpServer {
        Self::start_with_reply_delay(Duration::ZERO).await
    }

    /// Starts a slow server on a free port: it keeps each message as soon as its DATA
    /// ends but answers `250` only `reply_delay` later, so a sender stopped meanwhile has
    /// delivered a message it never heard was accepted.
    pub async fn start_with_reply_delay(reply_delay: Duration) -> SmtpServer {
        let mailbox = tempfile::Builder::new()
            .prefix("doorstep-smtp-")
            .tempdir()
            .expect("temp dir for the SMTP mailbox");
        let (child, port) = spawn(mailbox.path(), 0, reply_delay).await;
        SmtpServer {
            port,
            mailbox,
            child: Some(child),
            reply_delay,
        }
    }

    /// The URL to configure Doorstep with: plain SMTP on loopback.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Stops the server; afterwards connections to its port are refused.
    pub async fn stop(&mut self) {
        if let Some((mut child, stdin)) = self.child.take() {
            drop(stdin);
            let _ = child.kill().await;
        }
    }

    /// Starts the server again on the same port, keeping the messages received so far.
    pub async fn restart(&mut self) {
        self.stop().await;
        let (child, port) = spawn(self.mailbox.path(), self.port, self.reply_delay).await;
        assert_eq!(port, self.port);
        self.child = Some(child);
    }

    /// Every message received so far, oldest first.
    pub fn messages(&self) -> Vec<ReceivedEmail> {
        let mut names: Vec<String> = std::fs::read_dir(self.mailbox.path())
            .expect("read the SMTP mailbox")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".eml"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|name| {
                let stem = name.trim_end_matches(".eml");
                let raw = std::fs::read(self.mailbox.path().join(name)).expect("read a message");
                let envelope =
                    std::fs::read_to_string(self.mailbox.path().join(format!("{stem}.env")))
                        .expect("read an envelope");
                parse(&raw, &envelope)
            })
            .collect()
    }

    /// Waits until at least `n` messages arrived and returns them all; panics with what
    /// did arrive if they do not within `timeout`.
    pub async fn wait_for_messages(&self, n: usize, timeout: Duration) -> Vec<ReceivedEmail> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            if Instant::now() >= deadline {
                panic!(
                    "expected {n} messages within {timeout:?}, got {}: {:?}",
                    messages.len(),
                    messages.iter().map(|m| &m.subject).collect::<Vec<_>>()
                );
            }
            // The files are written by another process, which cannot signal us.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Starts the server process on `port` (0 = any) and waits for the port it bound.
async fn spawn(mailbox: &Path, port: u16, reply_delay: Duration) -> ((Child, ChildStdin), u16) {
    let mut child = Command::new(python())
        .arg("-c")
        .arg(SERVER_SCRIPT)
        .arg(mailbox)
        .arg(port.to_string())
        .arg(reply_delay.as_secs_f64().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("start python3 for the test SMTP server");
    let stdin = child.stdin.take().expect("server stdin");
    let stdout = child.stdout.take().expect("server stdout");
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .expect("the test SMTP server did not report its port within 20 s")
        .expect("read the test SMTP server's port");
    let Some(line) = line else {
        let status = child.wait().await;
        panic!("the test SMTP server exited before listening ({status:?}); see its stderr above");
    };
    let port = line.trim().parse().expect("the test SMTP server's port");
    ((child, stdin), port)
}

/// A Python that has aiosmtpd: `DOORSTEP_TEST_PYTHON`, else Debian's (which the
/// python3-aiosmtpd package installs into, even when another python3 comes first on PATH),
/// else `python3`.
fn python() -> &'static str {
    static FOUND: OnceLock<String> = OnceLock::new();
    FOUND.get_or_init(|| {
        let candidates = std::env::var("DOORSTEP_TEST_PYTHON")
            .into_iter()
            .chain(["/usr/bin/python3".to_owned(), "python3".to_owned()]);
        for candidate in candidates {
            let ok = std::process::Command::new(&candidate)
                .args(["-c", "import aiosmtpd"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if ok {
                return candidate;
            }
        }
        panic!("no python3 with aiosmtpd found: apt-get install -y python3-aiosmtpd");
    })
}

fn parse(raw: &[u8], envelope: &str) -> ReceivedEmail {
    let mut envelope_lines = envelope.lines();
    let mail_from = envelope_lines.next().unwrap_or_default().to_owned();
    let rcpt_to = envelope_lines
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let mail = mailparse::parse_mail(raw).expect("parse a received message");
    let headers: Vec<(String, String)> = mail
        .get_headers()
        .into_iter()
        .map(|h| (h.get_key(), h.get_value()))
        .collect();
    let first = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (to, subject, message_id) = (first("To"), first("Subject"), first("Message-ID"));
    let text = find_part(&mail, "text/plain").unwrap_or_default();
    let html = find_part(&mail, "text/html");
    let mut attachments = Vec::new();
    files(&mail, &mut attachments);
    ReceivedEmail {
        mail_from,
        rcpt_to,
        to,
        subject,
        message_id,
        text,
        html,
        attachments,
        headers,
        raw: String::from_utf8_lossy(raw).into_owned(),
    }
}

fn find_part(part: &mailparse::ParsedMail<'_>, mimetype: &str) -> Option<String> {
    if part.subparts.is_empty() {
        return (part.ctype.mimetype == mimetype)
            .then(|| part.get_body().expect("decode a message part"));
    }
    part.subparts.iter().find_map(|p| find_part(p, mimetype))
}

fn files(part: &mailparse::ParsedMail<'_>, out: &mut Vec<ReceivedFile>) {
    if part.subparts.is_empty() {
        let disposition = part.get_content_disposition();
        if let Some(filename) = disposition.params.get("filename") {
            out.push(ReceivedFile {
                content_type: part.ctype.mimetype.clone(),
                filename: filename.clone(),
                bytes: part.get_body_raw().expect("decode an attachment"),
            });
        }
        return;
    }
    for p in &part.subparts {
        files(p, out);
    }
}
