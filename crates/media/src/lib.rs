//! Uploaded files, judged by their bytes and never by their name or the browser's word.
//!
//! Photos are decoded and encoded again, so nothing but pixels survives: no EXIF location,
//! no embedded scripts, no trailing payloads. Documents are accepted only in a few plain
//! formats. No I/O here; the web crate stores what this crate returns.

mod error;
mod photo;
mod sniff;

pub use error::MediaError;
pub use photo::{Photo, THUMB_CONTENT_TYPE, THUMB_EDGE, process_photo};
pub use sniff::{Sniffed, sniff};

/// The largest file anyone may upload, in bytes (10 MiB).
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// A checked upload: a re-encoded photo or a document kept byte for byte.
#[derive(Debug, Clone)]
pub enum Upload {
    /// An image, re-encoded without metadata, with its thumbnail.
    Photo(Photo),
    /// A PDF or plain-text file, stored as sent.
    Document {
        /// The type decided from the content.
        content_type: &'static str,
    },
}

/// Checks any upload: images become [`Photo`]s, PDFs and plain text stay documents,
/// everything else is refused.
pub fn check_upload(bytes: &[u8]) -> Result<Upload, MediaError> {
    check_size(bytes)?;
    match sniff(bytes) {
        Sniffed::Jpeg | Sniffed::Png | Sniffed::Webp => process_photo(bytes).map(Upload::Photo),
        Sniffed::Heic => Err(MediaError::Heic),
        Sniffed::Pdf => Ok(Upload::Document {
            content_type: "application/pdf",
        }),
        Sniffed::Text => Ok(Upload::Document {
            content_type: "text/plain; charset=utf-8",
        }),
        Sniffed::Other => Err(MediaError::NotAccepted),
    }
}

fn check_size(bytes: &[u8]) -> Result<(), MediaError> {
    if bytes.is_empty() {
        return Err(MediaError::Empty);
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(MediaError::TooLarge {
            limit_mb: MAX_UPLOAD_BYTES / (1024 * 1024),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
