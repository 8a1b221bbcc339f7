//! The JSON API's storage (issue 20): API keys (stored as the SHA-256 of the secret, found
//! by that hash), `Idempotency-Key` records, and the customer reads the API lists by
//! change time.

use doorstep_core::ids::{CompanyId, CustomerId, StaffUserId};
use time::OffsetDateTime;

use crate::insert::{Sql, bind_vals};
use crate::{Store, StoreError, Tx, db_time, now, on_pool, on_tx};

/// An API key as the office lists it (never its secret, which is not stored).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiKey {
    /// Id.
    pub id: i64,
    /// The name the office gave it.
    pub name: String,
    /// The start of the secret, to recognise it (`dsk_live_ab12cd34`).
    pub prefix: String,
    /// `read` or `read write`.
    pub scopes: String,
    /// Who made it.
    pub created_by_staff_id: Option<i64>,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it was last used (updated at most once a minute).
    pub last_used_at: Option<OffsetDateTime>,
    /// When it was revoked; a revoked key is refused.
    pub revoked_at: Option<OffsetDateTime>,
}

const KEY_COLUMNS: &str =
    "id, name, prefix, scopes, created_by_staff_id, created_at, last_used_at, revoked_at";

/// The key whose secret hashes to `$1`, of company `$2`; the columns [`ApiKey::from_sqlite`]
/// reads by position.
const KEY_BY_HASH: &str = "SELECT id, name, prefix, scopes, created_by_staff_id, created_at, \
    last_used_at, revoked_at FROM api_keys WHERE key_hash = $1 AND company_id = $2";

impl ApiKey {
    /// Reads a row of [`KEY_BY_HASH`] from a plain SQLite connection.
    fn from_sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<ApiKey> {
        use crate::sqlite_reads::{maybe_time_at, time_at};
        Ok(ApiKey {
            id: r.get(0)?,
            name: r.get(1)?,
            prefix: r.get(2)?,
            scopes: r.get(3)?,
            created_by_staff_id: r.get(4)?,
            created_at: time_at(r, 5)?,
            last_used_at: maybe_time_at(r, 6)?,
            revoked_at: maybe_time_at(r, 7)?,
        })
    }
}

/// A new key's row.
#[derive(Debug, Clone)]
pub struct NewApiKey<'a> {
    /// Name.
    pub name: &'a str,
    /// Shown start of the secret.
    pub prefix: &'a str,
    /// Hex SHA-256 of the whole secret.
    pub key_hash: &'a str,
    /// `read` or `read write`.
    pub scopes: &'a str,
    /// Who made it.
    pub created_by: StaffUserId,
}

/// What an `Idempotency-Key` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// The key is new: it is now held for this request.
    New,
    /// The key was used before with the request hashed `request_hash`; `response` is the
    /// first answer's status and body, `None` while that request is still running.
    Seen {
        /// The first request's hash.
        request_hash: String,
        /// The first answer.
        response: Option<(u16, String)>,
    },
}

/// A customer as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiCustomer {
    /// Id.
    pub id: i64,
    /// Number (`C-1001`).
    pub number: String,
    /// Name.
    pub name: String,
    /// `residential` or `commercial`.
    pub kind: String,
    /// The parent account's number, for a sub-customer.
    pub parent_number: Option<String>,
    /// Email.
    pub email: String,
    /// Phone.
    pub phone: String,
    /// Second phone.
    pub mobile_phone: String,
    /// Billing street.
    pub billing_line1: String,
    /// Billing street, second line.
    pub billing_line2: String,
    /// City.
    pub billing_city: String,
    /// State or region.
    pub billing_region: String,
    /// Postal code.
    pub billing_postal_code: String,
    /// Office notes.
    pub notes: String,
    /// Exempt from sales tax.
    pub tax_exempt: bool,
    /// Days an invoice is due; `None` = the company's terms.
    pub payment_terms_days: Option<i64>,
    /// Id in another system.
    pub external_ref: Option<String>,
    /// Whether it is active.
    pub active: bool,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it last changed.
    pub updated_at: OffsetDateTime,
}

const CUSTOMER_COLUMNS: &str = "c.id, c.number, c.name, c.kind, p.number AS parent_number, \
    c.email, c.phone, c.mobile_phone, c.billing_line1, c.billing_line2, c.billing_city, \
    c.billing_region, c.billing_postal_code, c.notes, c.tax_exempt, c.payment_terms_days, \
    c.external_ref, (c.deactivated_at IS NULL) AS active, c.created_at, c.updated_at \
    FROM customers c LEFT JOIN customers p ON p.company_id = c.company_id AND p.id = c.parent_customer_id";

impl Store {
    /// The company's API keys, newest first (revoked ones too).
    pub async fn api_keys(&self, company: CompanyId) -> Result<Vec<ApiKey>, StoreError> {
        let sql = format!(
            "SELECT {KEY_COLUMNS} FROM api_keys WHERE company_id = $1 ORDER BY created_at DESC, id DESC"
        );
        let rows = on_pool!(self, p => sqlx::query_as(&sql).bind(company.0).fetch_all(p).await)?;
        Ok(rows)
    }

    /// The company's key whose secret hashes to `key_hash` (a unique index), revoked or not.
    pub async fn api_key_by_hash(
        &self,
        company: CompanyId,
        key_hash: &str,
    ) -> Result<Option<ApiKey>, StoreError> {
        // Every API request starts here: read as the portal's session is (`hot_rows`).
        let vals = [key_hash.into(), company.0.into()];
        let rows = self
            .hot_rows(KEY_BY_HASH, &vals, ApiKey::from_sqlite)
            .await?;
        Ok(rows.into_iter().next())
    }

    /// Records that key `id` was used now, unless that was recorded in the last minute
    /// (so a busy key costs one write a minute, not one a request).
    pub async fn touch_api_key(&self, company: CompanyId, id: i64) -> Result<(), StoreError> {
        let at = now();
        let before = at - time::Duration::minutes(1);
        on_pool!(self, p => sqlx::query(
            "UPDATE api_keys SET last_used_at = $1 WHERE company_id = $2 AND id = $3 \
             AND (last_used_at IS NULL OR last_used_at < $4)")
            .bind(db_time(at)).bind(company.0).bind(id).bind(db_time(before))
            .execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Holds `Idempotency-Key` `key` of `company` for a request hashed `request_hash`, or
    /// tells what the key was first used for.
    pub async fn claim_idempotency_key(
        &self,
        company: CompanyId,
        key: &str,
        request_hash: &str,
    ) -> Result<IdempotencyClaim, StoreError> {
        let inserted = on_pool!(self, p => sqlx::query(
            "INSERT INTO idempotency_keys (company_id, idem_key, request_hash, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (company_id, idem_key) DO NOTHING")
            .bind(company.0).bind(key).bind(request_hash).bind(db_time(now()))
            .execute(p).await.map(|r| r.rows_affected()))?;
        if inserted == 1 {
            return Ok(IdempotencyClaim::New);
        }
        let row: Option<(String, Option<i64>, Option<String>)> = on_pool!(self, p => sqlx::query_as(
            "SELECT request_hash, response_status, response_body FROM idempotency_keys \
             WHERE company_id = $1 AND idem_key = $2")
            .bind(company.0).bind(key).fetch_optional(p).await)?;
        let (request_hash, status, body) = row.ok_or(StoreError::NotFound)?;
        let response = match (status, body) {
            (Some(s), Some(b)) => Some((u16::try_from(s).unwrap_or(500), b)),
            _ => None,
        };
        Ok(IdempotencyClaim::Seen {
            request_hash,
            response,
        })
    }

    /// Keeps the first answer to the request holding `key`.
    pub async fn keep_idempotent_response(
        &self,
        company: CompanyId,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<(), StoreError> {
        on_pool!(self, p => sqlx::query(
            "UPDATE idempotency_keys SET response_status = $1, response_body = $2 \
             WHERE company_id = $3 AND idem_key = $4")
            .bind(i64::from(status)).bind(body).bind(company.0).bind(key)
            .execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Lets `key` go when its request failed on the server's side, so a retry runs again.
    pub async fn release_idempotency_key(
        &self,
        company: CompanyId,
        key: &str,
    ) -> Result<(), StoreError> {
        on_pool!(self, p => sqlx::query(
            "DELETE FROM idempotency_keys WHERE company_id = $1 AND idem_key = $2 \
             AND response_status IS NULL")
            .bind(company.0).bind(key).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// A page of the company's customers by change time, after the `(updated_at, id)`
    /// cursor, changed at or after `since`.
    pub async fn api_customers(
        &self,
        company: CompanyId,
        since: Option<OffsetDateTime>,
        after: Option<(OffsetDateTime, i64)>,
        limit: i64,
    ) -> Result<Vec<ApiCustomer>, StoreError> {
        let mut sql = Sql::default();
        sql.push(&format!("SELECT {CUSTOMER_COLUMNS} WHERE c.company_id = "))
            .val(company.0);
        sql.keyset_page(("c.", "updated_at"), since, after, limit);
        let rows = on_pool!(self, p => bind_vals!(sqlx::query_as(&sql.text), sql.vals).fetch_all(p).await)?;
        Ok(rows)
    }

    /// Customer `id` of the company.
    pub async fn api_customer(
        &self,
        company: CompanyId,
        id: CustomerId,
    ) -> Result<Option<ApiCustomer>, StoreError> {
        let sql = format!("SELECT {CUSTOMER_COLUMNS} WHERE c.company_id = $1 AND c.id = $2");
        let row = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(company.0).bind(id.0).fetch_optional(p).await)?;
        Ok(row)
    }

    /// The company's customer whose external reference is `reference`.
    pub async fn customer_by_external_ref(
        &self,
        company: CompanyId,
        reference: &str,
    ) -> Result<Option<CustomerId>, StoreError> {
        let id: Option<i64> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT id FROM customers WHERE company_id = $1 AND external_ref = $2")
            .bind(company.0).bind(reference).fetch_optional(p).await)?;
        Ok(id.map(CustomerId))
    }
}

impl Tx {
    /// Stores a new API key.
    pub async fn insert_api_key(
        &mut self,
        company: CompanyId,
        key: &NewApiKey<'_>,
    ) -> Result<i64, StoreError> {
        self.insert_row(
            "api_keys",
            company.0,
            &[
                ("name", key.name.into()),
                ("prefix", key.prefix.into()),
                ("key_hash", key.key_hash.into()),
                ("scopes", key.scopes.into()),
                ("created_by_staff_id", Some(key.created_by.0).into()),
                ("created_at", now().into()),
            ],
            true,
        )
        .await
    }

    /// Revokes the company's key `id`; answers its name, or `None` when it is not the
    /// company's or is already revoked.
    pub async fn revoke_api_key(
        &mut self,
        company: CompanyId,
        id: i64,
        by: StaffUserId,
    ) -> Result<Option<String>, StoreError> {
        let name: Option<String> = on_tx!(self, c => sqlx::query_scalar(
            "UPDATE api_keys SET revoked_at = $1, revoked_by_staff_id = $2 \
             WHERE company_id = $3 AND id = $4 AND revoked_at IS NULL RETURNING name")
            .bind(db_time(now())).bind(by.0).bind(company.0).bind(id)
            .fetch_optional(&mut *c).await)?;
        Ok(name)
    }
}
