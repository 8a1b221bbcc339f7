//! The web layer extracts, parses, calls one use case and renders: it never opens a
//! transaction, builds an audit record or queues email itself. Those belong to
//! `doorstep_app`, so the office, the portal, the API and background jobs share one copy
//! of every write. The check reads this crate's sources (comments and strings included,
//! so a commented-out `begin()` is refused too: there is no reason to keep one).

use std::path::Path;

use crate::pages::audiences::rust_files;

/// What only the application layer may write: a transaction, an audit record, an outbox
/// row, a wake-up of the mail worker or of the request inbox.
const APP_ONLY: &[&str] = &[
    ".begin()",
    "NewAuditEvent",
    ".audit(",
    "doorstep_mail::enqueue",
    "enqueue(",
    "mail_wake.wake",
    "request_events.notify",
];

/// The lines of `source` that do the application layer's work, with their numbers.
fn offending(source: &str) -> Vec<(usize, String)> {
    source
        .lines()
        .enumerate()
        .filter(|(_, line)| APP_ONLY.iter().any(|p| line.contains(p)))
        .map(|(n, line)| (n + 1, line.trim().to_owned()))
        .collect()
}

#[test]
fn the_web_layer_writes_only_through_use_cases() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for file in rust_files(&src) {
        // This file names the patterns it looks for.
        if file.ends_with("layers.rs") {
            continue;
        }
        let source = std::fs::read_to_string(&file).unwrap();
        for (line, text) in offending(&source) {
            found.push(format!("{}:{line}: {text}", file.display()));
        }
    }
    assert!(
        found.is_empty(),
        "the web layer does an application-layer write; move it into a use case of doorstep_app:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_sees_each_kind_of_write() {
    for line in [
        "let mut tx = state.store.begin().await?;",
        "tx.audit(company, &event).await?;",
        "doorstep_mail::enqueue(&mut tx, company, kind, to, name, &[]).await?;",
        "state.mail_wake.wake();",
        "state.request_events.notify(company);",
    ] {
        assert_eq!(offending(line).len(), 1, "{line}");
    }
    assert!(offending("let rows = state.store.support_page(company).await?;").is_empty());
}
