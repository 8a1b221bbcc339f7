//! Files a use case records: written to disk by the upload adapter (checked by content,
//! random key, fsync) before the use case runs, so a refusal leaves only unreferenced
//! bytes for the sweeper and a commit never points at a missing file.

use doorstep_core::ids::CustomerId;
use doorstep_store::files::NewAttachment;

/// A file safely on disk, ready to be recorded.
#[derive(Debug, Clone)]
pub struct StoredFile {
    /// `photo` or `document`.
    pub kind: &'static str,
    /// The cleaned name to show and offer on download.
    pub filename: String,
    /// The type decided from the content.
    pub content_type: String,
    /// Size of the stored bytes.
    pub size_bytes: i64,
    /// Key of the stored bytes.
    pub storage_key: String,
    /// Key of the thumbnail, for photos.
    pub thumb_key: Option<String>,
    /// Pixel size, for photos.
    pub width: Option<i64>,
    /// Pixel size, for photos.
    pub height: Option<i64>,
}

impl StoredFile {
    /// The row recording this file for `owner_kind` `owner_id` of `customer`.
    pub fn attachment(
        &self,
        customer: Option<CustomerId>,
        owner_kind: &'static str,
        owner_id: i64,
    ) -> NewAttachment {
        NewAttachment {
            customer,
            owner_kind,
            owner_id,
            kind: self.kind,
            filename: self.filename.clone(),
            content_type: self.content_type.clone(),
            size_bytes: self.size_bytes,
            storage_key: self.storage_key.clone(),
            thumb_key: self.thumb_key.clone(),
            width: self.width,
            height: self.height,
        }
    }
}
