//! Stored files: the rows that point at bytes kept by random key under the data directory.

use doorstep_core::ids::{AttachmentId, CompanyId, CustomerId};

use crate::insert::Val;
use crate::{StoreError, Tx, now};

/// What it takes to record a stored file.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// The account it belongs to, for access checks.
    pub customer: Option<CustomerId>,
    /// `job`, `estimate`, `invoice`, `service_request`, `support_request`, `support_comment`,
    /// `message`, `asset` or `company`.
    pub owner_kind: &'static str,
    /// The owner's id.
    pub owner_id: i64,
    /// `photo` or `document`.
    pub kind: &'static str,
    /// The name shown and offered on download (never used as a path).
    pub filename: String,
    /// The type decided from the content.
    pub content_type: String,
    /// Size of the stored bytes.
    pub size_bytes: i64,
    /// Random key of the file.
    pub storage_key: String,
    /// Random key of the thumbnail, for photos.
    pub thumb_key: Option<String>,
    /// Pixel width, for photos.
    pub width: Option<i64>,
    /// Pixel height, for photos.
    pub height: Option<i64>,
}

impl Tx {
    /// Records a stored file; call only once its bytes are safely on disk.
    pub async fn insert_attachment(
        &mut self,
        company: CompanyId,
        a: &NewAttachment,
    ) -> Result<AttachmentId, StoreError> {
        self.insert_row(
            "attachments",
            company.0,
            &[
                ("customer_id", Val::Int(a.customer.map(|c| c.0))),
                ("owner_kind", a.owner_kind.into()),
                ("owner_id", a.owner_id.into()),
                ("kind", a.kind.into()),
                ("filename", (&a.filename).into()),
                ("content_type", (&a.content_type).into()),
                ("size_bytes", a.size_bytes.into()),
                ("storage_key", (&a.storage_key).into()),
                ("thumb_key", (&a.thumb_key).into()),
                ("width", a.width.into()),
                ("height", a.height.into()),
                ("created_at", now().into()),
            ],
            true,
        )
        .await
        .map(AttachmentId)
    }
}
