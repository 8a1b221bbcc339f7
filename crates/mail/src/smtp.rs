//! Sending one outbox email over SMTP with lettre.
//!
//! The server is given as a URL (`DOORSTEP_SMTP_URL`):
//!
//! | URL | connection | default port |
//! |---|---|---|
//! | `smtp://host[:port]` | plain text, no TLS (a relay on loopback or a trusted network) | 25 |
//! | `smtp://user:pass@host[:port]?tls=starttls` | STARTTLS, required | 587 |
//! | `smtp://host[:port]?tls=opportunistic` | STARTTLS when the server offers it | 587 |
//! | `smtps://user:pass@host[:port]` | implicit TLS from the first byte | 465 |
//!
//! User and password are percent-encoded in the URL (`@` as `%40`). A password over a
//! plain-text connection is refused unless the host is loopback, so credentials never
//! cross a network in the clear by mistake. Every send is bounded by a timeout.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use doorstep_store::outbox::OutboxEmail;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::MailError;
use crate::templates::single_line;

/// How long one send may take, connection included, before it counts as failed.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text (`smtp://`).
    None,
    /// STARTTLS if the server offers it (`?tls=opportunistic`).
    Opportunistic,
    /// STARTTLS, failing if the server does not offer it (`?tls=starttls`).
    StartTls,
    /// TLS from the start (`smtps://`).
    Implicit,
}

/// Where and how to send email, parsed from `DOORSTEP_SMTP_URL`.
#[derive(Clone)]
pub struct SmtpConfig {
    /// Server host name or address.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Connection protection.
    pub tls: SmtpTls,
    /// The address mail comes from, e.g. `no-reply@portal.example`; the display name is
    /// the company's, or this mailbox's own name if the company has none.
    pub from: Mailbox,
    /// Bound on one send.
    pub timeout: Duration,
    credentials: Option<(String, String)>,
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("from", &self.from.to_string())
            .field("timeout", &self.timeout)
            .field("user", &self.credentials.as_ref().map(|(u, _)| u))
            .finish_non_exhaustive()
    }
}

impl SmtpConfig {
    /// Parses an SMTP URL (see the module docs) and the from-address (`addr` or
    /// `Name <addr>`); the error is one line fit for a startup failure.
    pub fn parse(url: &str, from_address: &str) -> Result<SmtpConfig, MailError> {
        let bad = |why: &str| MailError::InvalidConfig(format!("DOORSTEP_SMTP_URL: {why}"));
        let parsed = url::Url::parse(url.trim())
            .map_err(|e| bad(&format!("not a URL ({e}); expected smtp://host:port")))?;
        let mut tls = match parsed.scheme() {
            "smtp" => SmtpTls::None,
            "smtps" => SmtpTls::Implicit,
            other => return Err(bad(&format!("scheme {other:?} is neither smtp nor smtps"))),
        };
        for (key, value) in parsed.query_pairs() {
            match (key.as_ref(), value.as_ref(), tls) {
                ("tls", "none", SmtpTls::None) => {}
                ("tls", "starttls", SmtpTls::None) => tls = SmtpTls::StartTls,
                ("tls", "opportunistic", SmtpTls::None) => tls = SmtpTls::Opportunistic,
                ("tls", _, SmtpTls::Implicit) => {
                    return Err(bad("smtps:// is always implicit TLS; drop ?tls="));
                }
                ("tls", v, _) => {
                    return Err(bad(&format!(
                        "tls={v:?} is not one of none, starttls, opportunistic"
                    )));
                }
                (k, _, _) => return Err(bad(&format!("unknown parameter {k:?}"))),
            }
        }
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = parsed.port().unwrap_or(match tls {
            SmtpTls::None => 25,
            SmtpTls::Opportunistic | SmtpTls::StartTls => 587,
            SmtpTls::Implicit => 465,
        });
        let user = percent_decode(parsed.username()).ok_or_else(|| bad("bad user encoding"))?;
        let password = percent_decode(parsed.password().unwrap_or(""))
            .ok_or_else(|| bad("bad password encoding"))?;
        let credentials = (!user.is_empty()).then_some((user, password));
        if credentials.is_some() && tls != SmtpTls::StartTls && tls != SmtpTls::Implicit {
            let loopback = host == "localhost"
                || host
                    .parse::<IpAddr>()
                    .map(|ip| ip.is_loopback())
                    .unwrap_or(false);
            if !loopback {
                return Err(bad(
                    "a password would travel in plain text; add ?tls=starttls or use smtps://",
                ));
            }
        }
        let from: Mailbox = from_address.trim().parse().map_err(|e| {
            MailError::InvalidConfig(format!(
                "from-address {from_address:?} is not an email address ({e})"
            ))
        })?;
        Ok(SmtpConfig {
            host,
            port,
            tls,
            from,
            timeout: DEFAULT_TIMEOUT,
            credentials,
        })
    }

    /// The server as safe to log: no user or password.
    pub fn describe(&self) -> String {
        let tls = match self.tls {
            SmtpTls::None => "no TLS",
            SmtpTls::Opportunistic => "STARTTLS if offered",
            SmtpTls::StartTls => "STARTTLS",
            SmtpTls::Implicit => "TLS",
        };
        format!("{}:{} ({tls})", self.host, self.port)
    }
}

/// Decodes `%XX` escapes; `None` when they do not make UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Why a send failed, and whether trying again could help.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    /// True when retrying cannot help (a refused recipient, an unusable address).
    pub permanent: bool,
    /// What happened, for the outbox's `last_error`.
    pub message: String,
}

impl SendError {
    fn permanent(message: impl Into<String>) -> Self {
        SendError {
            permanent: true,
            message: message.into(),
        }
    }
}

/// Sends outbox emails to one SMTP server; cheap to clone.
#[derive(Clone)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    timeout: Duration,
}

impl fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSender")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpSender {
    /// Prepares a sender; it connects only when it sends.
    pub fn new(config: &SmtpConfig) -> Result<SmtpSender, MailError> {
        let tls_params = || {
            TlsParameters::new(config.host.clone())
                .map_err(|e| MailError::InvalidConfig(format!("cannot set up TLS: {e}")))
        };
        let tls = match config.tls {
            SmtpTls::None => Tls::None,
            SmtpTls::Opportunistic => Tls::Opportunistic(tls_params()?),
            SmtpTls::StartTls => Tls::Required(tls_params()?),
            SmtpTls::Implicit => Tls::Wrapper(tls_params()?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(config.port)
            .tls(tls)
            .timeout(Some(config.timeout));
        if let Some((user, password)) = &config.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(SmtpSender {
            transport: builder.build(),
            from: config.from.clone(),
            timeout: config.timeout,
        })
    }

    /// Sends one email: text with an HTML alternative, then its attachments, its
    /// Message-ID derived from the event id so that a retried send can be recognised as
    /// the same message.
    pub async fn send(&self, email: &OutboxEmail) -> Result<(), SendError> {
        let message = self.message(email)?;
        match tokio::time::timeout(self.timeout, self.transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(SendError {
                permanent: e.is_permanent(),
                message: single_line(&e.to_string()),
            }),
            Err(_) => Err(SendError {
                permanent: false,
                message: format!("no answer within {} s", self.timeout.as_secs()),
            }),
        }
    }

    fn message(&self, email: &OutboxEmail) -> Result<Message, SendError> {
        let to: Address = email
            .to_address
            .trim()
            .parse()
            .map_err(|e| SendError::permanent(format!("unusable recipient address: {e}")))?;
        // The names and subject are flattened again here, whoever queued the row, so no
        // value can end a header line.
        let to_name = single_line(&email.to_name);
        let company_name = single_line(&email.company_name);
        let from_name = if company_name.is_empty() {
            self.from.name.clone()
        } else {
            Some(company_name)
        };
        let builder = Message::builder()
            .from(Mailbox::new(from_name, self.from.email.clone()))
            .to(Mailbox::new((!to_name.is_empty()).then_some(to_name), to))
            .subject(single_line(&email.subject))
            .message_id(Some(format!(
                "<{}@{}>",
                email
                    .event_id
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>(),
                self.from.email.domain()
            )));
        let text = SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(email.body_text.clone());
        let built = match (email.body_html.is_empty(), email.attachments.is_empty()) {
            (true, true) => builder.singlepart(text),
            (false, true) => builder.multipart(MultiPart::alternative_plain_html(
                email.body_text.clone(),
                email.body_html.clone(),
            )),
            (no_html, false) => {
                // The message, then each file: multipart/mixed.
                let mut mixed = if no_html {
                    MultiPart::mixed().singlepart(text)
                } else {
                    MultiPart::mixed().multipart(MultiPart::alternative_plain_html(
                        email.body_text.clone(),
                        email.body_html.clone(),
                    ))
                };
                for file in &email.attachments {
                    let kind = ContentType::parse(&file.content_type).map_err(|e| {
                        SendError::permanent(format!("unusable attachment type: {e}"))
                    })?;
                    mixed = mixed.singlepart(
                        Attachment::new(single_line(&file.filename)).body(file.bytes.clone(), kind),
                    );
                }
                builder.multipart(mixed)
            }
        };
        built.map_err(|e| SendError::permanent(format!("cannot build the message: {e}")))
    }
}

#[cfg(test)]
mod tests;
