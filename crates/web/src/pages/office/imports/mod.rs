//! Each kind's own import pages (issue 18), one implementation for every `ImportKind`:
//! `/office/import/{kind}` uploads a file, matches its columns with the kind's (guessed by
//! name, a preview of its first rows, required columns enforced beside each field), dry
//! runs it and starts it ([`upload`]); `/office/import/{kind}/{id}` follows the import in
//! the background, its progress streamed, and restarts one whose node stopped ([`show`]).
//! The customers' older addresses (`/office/customers/import...`) answer through the same
//! handlers (`customers::import`). The hub, `/office/import`, lists the kinds.
//!
//! A file sent is kept under `{data_dir}/imports/` by a random key until its import ends
//! (the job removes it) or the cleaner finds it old.

pub mod show;
pub mod upload;

use std::path::PathBuf;

use axum::extract::Multipart;
use axum::http::{HeaderMap, header};
use doorstep_app::customers::import;
use doorstep_core::customer_import::{MAX_FILE_BYTES, RowError, import_stopped, too_large};
use doorstep_core::import_kinds::ImportKind;
use doorstep_store::imports::ImportRow;

use crate::security::random_hex;
use crate::uploads::clean_filename;
use crate::{AppState, WebError};

/// The kind a path segment names, or 404.
pub(crate) fn kind_named(slug: &str) -> Result<ImportKind, WebError> {
    ImportKind::parse(slug).ok_or(WebError::NotFound)
}

/// Where the office lists a kind's records, and that page's name: the back link of the
/// kind's import pages. Contacts and sites are listed on their customers' pages; a kind
/// with no list of its own (yet) goes back to the hub.
pub(crate) fn list_of(kind: ImportKind) -> (&'static str, &'static str) {
    match kind.as_str() {
        "customers" | "contacts" | "sites" => ("/office/customers", "Customers"),
        "jobs" => ("/office/jobs", "Jobs"),
        "invoices" => ("/office/invoices", "Invoices"),
        _ => ("/office/import", "Import and export"),
    }
}

/// The page of import `id`, whose file held `kind` (as `imports.kind` names it).
pub(crate) fn page_of(kind: &str, id: i64) -> String {
    format!("/office/import/{kind}/{id}")
}

/// How an import stands, as its page and its stream tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    Checking,
    Importing,
    Stopped,
    Done,
    Failed,
}

impl Stage {
    /// The stage of `r` now (a queued or running import whose heartbeat is older than
    /// the lease has stopped).
    pub(crate) fn of(r: &ImportRow) -> Stage {
        match r.status.as_str() {
            "done" => Stage::Done,
            "failed" => Stage::Failed,
            _ if import_stopped(r.heartbeat(), doorstep_store::now()) => Stage::Stopped,
            "queued" => Stage::Checking,
            _ => Stage::Importing,
        }
    }

    /// The name the page's script reads.
    fn name(self) -> &'static str {
        match self {
            Stage::Checking => "checking",
            Stage::Importing => "running",
            Stage::Stopped => "stopped",
            Stage::Done => "done",
            Stage::Failed => "failed",
        }
    }

    fn running(self) -> bool {
        matches!(self, Stage::Checking | Stage::Importing)
    }

    /// Label and badge class.
    pub(crate) fn badge(self) -> (&'static str, &'static str) {
        match self {
            Stage::Done => ("Imported", "badge success"),
            Stage::Failed => ("Nothing imported", "badge danger"),
            Stage::Stopped => ("Stopped — nothing was imported", "badge warning"),
            Stage::Checking | Stage::Importing => ("Importing", "badge info"),
        }
    }
}

/// Each error as a page lists it (`Row 17: email — …`).
pub(crate) fn lines_of(errors: &[RowError]) -> Vec<String> {
    errors.iter().map(RowError::line).collect()
}

/// What import `r` came to, in a few words for a list.
pub(crate) fn summary(r: &ImportRow) -> String {
    match Stage::of(r) {
        Stage::Done => format!("{} created, {} updated", r.created, r.updated),
        Stage::Failed => format!("{} rows refused", import::errors_of(r).0),
        Stage::Stopped => "Start it again from its page".to_owned(),
        Stage::Checking | Stage::Importing => format!("{} of {} rows", r.done, r.total),
    }
}

/// The sent file: its name and bytes, `Err` with the message when it is missing or
/// larger than [`MAX_FILE_BYTES`] (told by its length before reading when the browser
/// sends one, else while reading).
pub(crate) async fn read_file(
    headers: &HeaderMap,
    mut multipart: Multipart,
) -> Result<Result<(String, Vec<u8>), String>, WebError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    // The form's other fields and the multipart framing take well under 64 KB.
    if declared.is_some_and(|n| n > MAX_FILE_BYTES + 64 * 1024) {
        return Ok(Err(too_large().message));
    }
    let bad = |err: axum::extract::multipart::MultipartError| {
        tracing::info!(error = %err, "unreadable multipart body");
        WebError::Forbidden("The upload could not be read; please try again.")
    };
    while let Some(mut part) = multipart.next_field().await.map_err(bad)? {
        if part.name() != Some("file") {
            continue;
        }
        let name = clean_filename(part.file_name().unwrap_or_default());
        let mut bytes = Vec::new();
        while let Some(chunk) = part.chunk().await.map_err(bad)? {
            if bytes.len() + chunk.len() > MAX_FILE_BYTES {
                return Ok(Err(too_large().message));
            }
            bytes.extend_from_slice(&chunk);
        }
        if bytes.is_empty() {
            break;
        }
        return Ok(Ok((name, bytes)));
    }
    Ok(Err("Choose a CSV file to import.".to_owned()))
}

/// Where the file of `key` is kept; `None` for a key that is not one of ours.
pub(crate) fn stored_path(state: &AppState, key: &str) -> Option<PathBuf> {
    let valid = key.len() == 32 && key.chars().all(|c| c.is_ascii_hexdigit());
    valid.then(|| {
        state
            .config
            .data_dir
            .join("imports")
            .join(format!("{key}.csv"))
    })
}

/// Keeps `bytes` for the import under a new random key (temporary file, fsync, rename).
pub(crate) async fn keep(state: &AppState, bytes: Vec<u8>) -> Result<String, WebError> {
    let key = random_hex(16);
    let path = stored_path(state, &key).ok_or(WebError::NotFound)?;
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        use std::io::Write;
        let dir = path.parent().map(PathBuf::from).unwrap_or_default();
        std::fs::create_dir_all(&dir)?;
        let tmp = path.with_extension("tmp");
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, &path)
    })
    .await
    .map_err(WebError::internal)?
    .map_err(WebError::internal)?;
    Ok(key)
}

/// The file import `r` was started from, while it is still kept.
pub(crate) fn kept_file(state: &AppState, r: &ImportRow) -> Option<PathBuf> {
    let key = r.file_key.as_deref()?;
    stored_path(state, key).filter(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_goes_back_to_where_its_records_are_listed() {
        for kind in ImportKind::ALL {
            let (href, label) = list_of(kind);
            assert!(href.starts_with("/office/"), "{kind:?}");
            assert!(!label.is_empty());
        }
        assert_eq!(list_of(ImportKind::Sites).0, "/office/customers");
        assert_eq!(page_of("sites", 7), "/office/import/sites/7");
        assert!(kind_named("contacts").is_ok());
        assert!(matches!(kind_named("nope"), Err(WebError::NotFound)));
    }
}
