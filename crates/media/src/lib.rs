//! Uploaded files, judged by their bytes and never by their name or the browser's word.
//!
//! Photos are decoded and encoded again, so nothing but pixels survives: no EXIF location,
//! no embedded scripts, no trailing payloads. Documents are accepted only in a few formats
//! (PDF, plain text, office documents), and only when content and name agree. No I/O here;
//! the web crate stores what this crate returns.

mod documents;
mod error;
mod photo;
mod sniff;

pub use error::MediaError;
pub use photo::{
    LOGO_EDGE, MAX_LOGO_BYTES, MAX_LOGO_PIXELS, MAX_PIXELS, Photo, THUMB_CONTENT_TYPE, THUMB_EDGE,
    process_logo, process_photo,
};
pub use sniff::{Sniffed, sniff};

/// The largest file anyone may upload, in bytes (10 MiB).
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// A checked upload: a re-encoded photo or a document kept byte for byte.
#[derive(Debug, Clone)]
pub enum Upload {
    /// An image, re-encoded without metadata, with its thumbnail.
    Photo(Photo),
    /// A PDF, plain-text or office file, stored as sent.
    Document {
        /// The type decided from the content.
        content_type: &'static str,
    },
}

/// Checks any upload named `filename`: images become [`Photo`]s whatever their name;
/// PDFs, plain text and office documents stay documents when their content and their
/// extension agree; everything else (HTML, SVG, scripts, archives...) is refused.
pub fn check_upload(bytes: &[u8], filename: &str) -> Result<Upload, MediaError> {
    check_size(bytes)?;
    match sniff(bytes) {
        Sniffed::Jpeg | Sniffed::Png | Sniffed::Webp => process_photo(bytes).map(Upload::Photo),
        Sniffed::Heic => Err(MediaError::Heic),
        sniffed => documents::document_type(bytes, sniffed, filename)
            .map(|content_type| Upload::Document { content_type }),
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
