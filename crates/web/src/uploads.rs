//! Uploaded files: read from a multipart form with a per-file cap, checked by content
//! (`doorstep-media`), written to the file store, and described for the database.
//!
//! Handlers read the form with [`read_form`], give each [`FilePart`] to [`store_photo`] or
//! [`store_file`], show a [`UploadError::Rejected`] message next to the field, and record the
//! returned [`StoredFile`] with [`StoredFile::attachment`] in the same transaction as its owner.

use std::time::Duration;

use axum::extract::Multipart;
use doorstep_media::{MAX_UPLOAD_BYTES, MediaError, Upload};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::WebError;
use crate::files::FileStore;

/// The largest multipart body an upload route accepts: four files at the cap plus the
/// form's text fields. Routes opt in through `UPLOAD_PATHS` in the router.
pub const UPLOAD_BODY_LIMIT: usize = 4 * MAX_UPLOAD_BYTES + 1024 * 1024;
/// The longest filename kept; longer names are cut (the extension is kept).
const MAX_FILENAME: usize = 120;

/// How many upload bodies the whole server reads at once (each up to
/// [`UPLOAD_BODY_LIMIT`], so at most about 250 MB of uploads are held in memory).
pub const UPLOAD_SLOTS: usize = 6;
/// How long an upload waits for a slot before it is told to try again.
const UPLOAD_SLOT_WAIT: Duration = Duration::from_secs(5);
/// How many pictures the whole server decodes at once (each up to 256 MB decoded).
pub const DECODE_SLOTS: usize = 2;

// Memory is the process's, so the bounds are too: one count for every company and route.
static UPLOAD_BODIES: Semaphore = Semaphore::const_new(UPLOAD_SLOTS);
static DECODES: Semaphore = Semaphore::const_new(DECODE_SLOTS);

/// A place among the [`UPLOAD_SLOTS`] upload bodies read at once, held until the response;
/// waits a little for one, then answers "busy".
pub(crate) async fn upload_slot() -> Result<SemaphorePermit<'static>, WebError> {
    match tokio::time::timeout(UPLOAD_SLOT_WAIT, UPLOAD_BODIES.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        Ok(Err(_)) | Err(_) => {
            tracing::warn!("refused an upload: every upload slot is busy");
            Err(WebError::Busy(
                "Many files are being sent right now. Please wait a minute and try again.",
            ))
        }
    }
}

/// Runs `check` (which may decode a picture) off the async threads, at most
/// [`DECODE_SLOTS`] at once, so a burst of large photos cannot exhaust memory.
async fn decoding<T: Send + 'static>(
    check: impl FnOnce() -> T + Send + 'static,
) -> Result<T, UploadError> {
    let _slot = DECODES
        .acquire()
        .await
        .map_err(|err| UploadError::Io(err.to_string()))?;
    blocking(check).await
}

/// A multipart form: its text fields in order, and its files.
#[derive(Debug, Default)]
pub struct UploadForm {
    /// Text fields, as sent (a name may repeat).
    pub fields: Vec<(String, String)>,
    /// Files with content; empty file inputs are left out.
    pub files: Vec<FilePart>,
}

impl UploadForm {
    /// The first value of text field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One uploaded file as sent.
#[derive(Debug)]
pub struct FilePart {
    /// The form field it came in.
    pub field: String,
    /// The browser's name for it, cleaned for display.
    pub filename: String,
    /// The bytes, or why they were not kept (too large).
    pub content: Result<Vec<u8>, MediaError>,
}

/// Why an upload was not stored.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The content was refused; the message is for the person who sent it.
    #[error("{0}")]
    Rejected(#[from] MediaError),
    /// Writing the file failed.
    #[error("could not store the file: {0}")]
    Io(String),
}

impl From<UploadError> for WebError {
    fn from(err: UploadError) -> Self {
        WebError::internal(err)
    }
}

pub use doorstep_app::files::StoredFile;

/// Reads a whole multipart form, keeping at most [`MAX_UPLOAD_BYTES`] of any one file
/// (a larger file is read through and reported, so the form can say which one).
pub async fn read_form(mut multipart: Multipart) -> Result<UploadForm, WebError> {
    let mut form = UploadForm::default();
    while let Some(mut field) = multipart.next_field().await.map_err(bad_body)? {
        let name = field.name().unwrap_or_default().to_owned();
        let Some(filename) = field.file_name().map(str::to_owned) else {
            let text = field.text().await.map_err(bad_body)?;
            form.fields.push((name, text));
            continue;
        };
        let mut bytes = Vec::new();
        let mut too_large = false;
        while let Some(chunk) = field.chunk().await.map_err(bad_body)? {
            if too_large || bytes.len() + chunk.len() > MAX_UPLOAD_BYTES {
                too_large = true;
                bytes = Vec::new();
            } else {
                bytes.extend_from_slice(&chunk);
            }
        }
        // An empty file input still sends a part, with no name and no bytes.
        if filename.is_empty() && bytes.is_empty() && !too_large {
            continue;
        }
        let content = if too_large {
            Err(MediaError::TooLarge {
                limit_mb: MAX_UPLOAD_BYTES / (1024 * 1024),
            })
        } else {
            Ok(bytes)
        };
        form.files.push(FilePart {
            field: name,
            filename: clean_filename(&filename),
            content,
        });
    }
    Ok(form)
}

fn bad_body(err: axum::extract::multipart::MultipartError) -> WebError {
    tracing::info!(error = %err, "unreadable multipart body");
    WebError::Forbidden("The upload could not be read; please try again.")
}

/// Checks `part` as a photo (JPEG, PNG or WebP), re-encodes it without metadata and stores
/// it with its thumbnail.
pub async fn store_photo(files: &FileStore, part: &FilePart) -> Result<StoredFile, UploadError> {
    let bytes = part.content.clone()?;
    let photo = decoding(move || doorstep_media::process_photo(&bytes)).await??;
    store_checked(files, &part.filename, Upload::Photo(photo), Vec::new()).await
}

/// Checks `part` as a company logo (JPEG, PNG or WebP, at most 2 MB and 16 megapixels,
/// judged before decoding), re-encodes it as a PNG without metadata and stores it.
pub async fn store_logo(
    files: &FileStore,
    part: &FilePart,
) -> Result<doorstep_app::setup::branding::StoredLogo, UploadError> {
    let bytes = part.content.clone()?;
    let png = decoding(move || doorstep_media::process_logo(&bytes)).await??;
    let files = files.clone();
    blocking(move || {
        let storage_key = files.put(&png).map_err(io)?;
        Ok(doorstep_app::setup::branding::StoredLogo {
            storage_key,
            size_bytes: png.len(),
        })
    })
    .await?
}

/// Checks `part` as any accepted file: photos are re-encoded like [`store_photo`]; PDFs,
/// plain text and office documents whose name matches their content are stored as sent.
pub async fn store_file(files: &FileStore, part: &FilePart) -> Result<StoredFile, UploadError> {
    let bytes = part.content.clone()?;
    let filename = part.filename.clone();
    let (checked, bytes) = decoding(move || {
        let checked = doorstep_media::check_upload(&bytes, &filename);
        (checked, bytes)
    })
    .await?;
    store_checked(files, &part.filename, checked?, bytes).await
}

async fn store_checked(
    files: &FileStore,
    filename: &str,
    upload: Upload,
    original: Vec<u8>,
) -> Result<StoredFile, UploadError> {
    let files = files.clone();
    let filename = filename.to_owned();
    blocking(move || match upload {
        Upload::Photo(photo) => {
            let storage_key = files.put(&photo.bytes).map_err(io)?;
            let thumb_key = files.put(&photo.thumbnail).map_err(io)?;
            Ok(StoredFile {
                kind: "photo",
                filename: with_extension(&filename, photo.extension),
                content_type: photo.content_type.to_owned(),
                size_bytes: photo.bytes.len() as i64,
                storage_key,
                thumb_key: Some(thumb_key),
                width: Some(i64::from(photo.width)),
                height: Some(i64::from(photo.height)),
            })
        }
        Upload::Document { content_type } => Ok(StoredFile {
            kind: "document",
            filename,
            content_type: content_type.to_owned(),
            size_bytes: original.len() as i64,
            storage_key: files.put(&original).map_err(io)?,
            thumb_key: None,
            width: None,
            height: None,
        }),
    })
    .await?
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, UploadError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| UploadError::Io(err.to_string()))
}

fn io(err: std::io::Error) -> UploadError {
    UploadError::Io(err.to_string())
}

/// A filename fit to show: no path, no control characters, bounded length.
pub fn clean_filename(raw: &str) -> String {
    // Old browsers send the whole client path.
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .to_owned();
    let cleaned = if cleaned.is_empty() {
        "file".to_owned()
    } else {
        cleaned
    };
    if cleaned.chars().count() <= MAX_FILENAME {
        return cleaned;
    }
    let (stem, extension) = split_extension(&cleaned);
    let keep = MAX_FILENAME.saturating_sub(extension.len() + 1);
    let stem: String = stem.chars().take(keep).collect();
    if extension.is_empty() {
        stem
    } else {
        format!("{stem}.{extension}")
    }
}

/// `name` with its extension made `extension`: a re-encoded WebP is named `.jpg`.
fn with_extension(name: &str, extension: &str) -> String {
    let (stem, current) = split_extension(name);
    let same = current.eq_ignore_ascii_case(extension)
        || (extension == "jpg" && current.eq_ignore_ascii_case("jpeg"));
    if same {
        name.to_owned()
    } else {
        format!("{stem}.{extension}")
    }
}

fn split_extension(name: &str) -> (&str, &str) {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.len() <= 8 => (stem, ext),
        _ => (name, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames_lose_paths_and_control_characters() {
        assert_eq!(clean_filename(r"C:\Users\dana\leak.jpg"), "leak.jpg");
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("bad\u{0}\nname.png"), "badname.png");
        assert_eq!(clean_filename("   "), "file");
        assert_eq!(clean_filename(".hidden"), "hidden");
        let long = format!("{}.jpeg", "a".repeat(300));
        let cleaned = clean_filename(&long);
        assert_eq!(cleaned.chars().count(), MAX_FILENAME);
        assert!(cleaned.ends_with(".jpeg"));
    }

    #[test]
    fn re_encoded_photos_get_a_matching_extension() {
        assert_eq!(with_extension("boiler.webp", "jpg"), "boiler.jpg");
        assert_eq!(with_extension("boiler.JPEG", "jpg"), "boiler.JPEG");
        assert_eq!(with_extension("boiler", "png"), "boiler.png");
    }
}
