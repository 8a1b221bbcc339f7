#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

const FROM: &str = "no-reply@portal.example";

#[test]
fn plain_smtp_url_for_a_loopback_relay() {
    let c = SmtpConfig::parse("smtp://127.0.0.1:2525", FROM).unwrap();
    assert_eq!(
        (c.host.as_str(), c.port, c.tls),
        ("127.0.0.1", 2525, SmtpTls::None)
    );
    assert!(c.credentials.is_none());
    assert_eq!(c.timeout, DEFAULT_TIMEOUT);
    let c = SmtpConfig::parse("smtp://relay.internal", FROM).unwrap();
    assert_eq!(c.port, 25);
}

#[test]
fn starttls_and_implicit_tls_urls_with_encoded_credentials() {
    let c = SmtpConfig::parse(
        "smtp://apikey:s%40cret%2Fx@smtp.provider.example?tls=starttls",
        FROM,
    )
    .unwrap();
    assert_eq!((c.port, c.tls), (587, SmtpTls::StartTls));
    assert_eq!(
        c.credentials,
        Some(("apikey".to_owned(), "s@cret/x".to_owned()))
    );
    let c = SmtpConfig::parse("smtps://u:p@smtp.provider.example", FROM).unwrap();
    assert_eq!((c.port, c.tls), (465, SmtpTls::Implicit));
    let c = SmtpConfig::parse("smtp://mx.example:2587?tls=opportunistic", FROM).unwrap();
    assert_eq!((c.port, c.tls), (2587, SmtpTls::Opportunistic));
    let c = SmtpConfig::parse("smtp://[::1]:2525", FROM).unwrap();
    assert_eq!(c.host, "::1");
}

#[test]
fn a_password_in_plain_text_to_a_remote_host_is_refused() {
    let err = SmtpConfig::parse("smtp://u:p@smtp.provider.example", FROM).unwrap_err();
    assert!(err.to_string().contains("plain text"), "{err}");
    let err =
        SmtpConfig::parse("smtp://u:p@smtp.provider.example?tls=opportunistic", FROM).unwrap_err();
    assert!(err.to_string().contains("plain text"), "{err}");
    assert!(SmtpConfig::parse("smtp://u:p@localhost:25", FROM).is_ok());
}

#[test]
fn bad_urls_fail_with_one_clear_line() {
    for url in [
        "http://example.com",
        "smtp://",
        "not a url",
        "smtp://h?tls=maybe",
        "smtps://h?tls=starttls",
        "smtp://h?port=1",
    ] {
        let err = SmtpConfig::parse(url, FROM).unwrap_err();
        let line = err.to_string();
        assert!(line.starts_with("DOORSTEP_SMTP_URL: "), "{url}: {line}");
        assert!(!line.contains('\n'));
    }
    assert!(SmtpConfig::parse("smtp://h", "not an address").is_err());
}

#[test]
fn debug_and_describe_never_show_the_password() {
    let c = SmtpConfig::parse("smtps://user:hunter2@smtp.provider.example", FROM).unwrap();
    assert!(!format!("{c:?}").contains("hunter2"));
    assert_eq!(c.describe(), "smtp.provider.example:465 (TLS)");
    let sender = SmtpSender::new(&c).unwrap();
    assert!(!format!("{sender:?}").contains("hunter2"));
}

#[test]
fn from_address_may_carry_a_display_name() {
    let c = SmtpConfig::parse("smtp://h", "Doorstep <no-reply@portal.example>").unwrap();
    assert_eq!(c.from.name.as_deref(), Some("Doorstep"));
    assert_eq!(c.from.email.to_string(), "no-reply@portal.example");
}
