//! What `doorstep demo` needs beyond the aggregates: the stored files of a company it is
//! about to delete, so their bytes can be removed from disk once the rows are gone.

use crate::{Store, StoreError, on_pool};

impl Store {
    /// The storage keys of every file the company `slug` owns: its attachments' files and
    /// thumbnails, and its logo. Empty when no such company exists.
    pub async fn storage_keys_of_company(&self, slug: &str) -> Result<Vec<String>, StoreError> {
        let sql = "SELECT a.storage_key FROM attachments a \
                   JOIN companies c ON c.id = a.company_id WHERE c.slug = $1 \
                   UNION ALL \
                   SELECT a.thumb_key FROM attachments a \
                   JOIN companies c ON c.id = a.company_id \
                   WHERE c.slug = $1 AND a.thumb_key IS NOT NULL \
                   UNION ALL \
                   SELECT logo_key FROM companies WHERE slug = $1 AND logo_key IS NOT NULL";
        let keys: Vec<String> =
            on_pool!(self, p => sqlx::query_scalar(sql).bind(slug).fetch_all(p).await)?;
        Ok(keys)
    }
}
