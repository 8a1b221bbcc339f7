//! API keys (issue 20): made and revoked by an administrator in the office, each audited;
//! the secret is shown once and only its SHA-256 is stored. [`authenticate`] turns a
//! `Bearer` secret into an [`ApiActor`] — the only way to build one — and refuses a
//! revoked key at once (no cache stands between the key and the database).
//!
//! The API's `Idempotency-Key` records are kept here too ([`claim`], [`keep`],
//! [`release`]): bookkeeping of the API's answers, scoped by the key's company.

use std::net::IpAddr;

use doorstep_core::api_keys::{Scopes, key_from_random, looks_like_key, shown_prefix};
use doorstep_core::customers::check_name;
use doorstep_store::api::{IdempotencyClaim, NewApiKey};
use doorstep_store::companies::Company;

use crate::crypto::random_hex;
use crate::crypto::token::hash_token;
use crate::error::FieldErrors;
use crate::{Admin, ApiActor, App, AppError};

/// A key as the office asks for it, checked.
#[derive(Debug, Clone)]
pub struct NewKey {
    name: String,
    scopes: Scopes,
}

impl NewKey {
    /// Checks the name and the scopes (`read` or `write`).
    pub fn parse(name: &str, scopes: &str) -> Result<NewKey, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = e.check(check_name("name", name, "key's name"));
        let scopes = e.check(Scopes::parse(scopes));
        match (name, scopes) {
            (Some(name), Some(scopes)) => Ok(NewKey { name, scopes }),
            _ => Err(e),
        }
    }
}

/// A key made: the secret, shown this once.
#[derive(Debug, Clone)]
pub struct Made {
    /// Its id.
    pub id: i64,
    /// The whole secret; never stored, never shown again.
    pub secret: String,
}

/// Who the operator's keys are recorded as.
const OPERATOR: &str = "doorstep api-key create";

/// Writes `key` for `company`, made on behalf of `maker` (whom the key acts as), in
/// `tx`; answers the key made and the audit detail.
async fn insert(
    tx: &mut doorstep_store::Tx,
    company: doorstep_core::ids::CompanyId,
    maker: doorstep_core::ids::StaffUserId,
    key: &NewKey,
) -> Result<(Made, serde_json::Value), AppError> {
    let secret = key_from_random(&random_hex(32));
    let prefix = shown_prefix(&secret);
    let hash = hash_token(&secret);
    let id = tx
        .insert_api_key(
            company,
            &NewApiKey {
                name: &key.name,
                prefix: &prefix,
                key_hash: &hash,
                scopes: key.scopes.as_str(),
                created_by: maker,
            },
        )
        .await?;
    let d = serde_json::json!({"name": key.name, "prefix": prefix, "scopes": key.scopes.as_str()});
    Ok((Made { id, secret }, d))
}

/// Makes an API key for the administrator's company.
pub async fn create(app: &App, admin: Admin<'_>, key: NewKey) -> Result<Made, AppError> {
    let company = admin.company().id;
    let mut tx = app.store.begin().await?;
    let (made, d) = insert(&mut tx, company, admin.id(), &key).await?;
    let audit = admin.audit("api_key.created", ("api_key", made.id), d);
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(made)
}

/// The operator makes an API key for the company `slug` (`doorstep api-key create`). The
/// key acts as the company's first active administrator (the longest-standing one), as a
/// key made in the office acts as the administrator who made it. An unknown slug is
/// [`AppError::NotFound`]; a company without an active administrator is refused with a
/// `no_admin` conflict. Audited as `api_key.created` by the operator.
pub async fn create_by_operator(
    store: &doorstep_store::Store,
    slug: &doorstep_core::tenancy::CompanySlug,
    key: NewKey,
) -> Result<Made, AppError> {
    let company = store
        .company_by_slug(slug.as_str())
        .await?
        .ok_or(AppError::NotFound)?
        .id;
    let maker = store
        .staff_of(company)
        .await?
        .into_iter()
        .filter(|s| s.role == doorstep_core::status::StaffRole::Admin && !s.deactivated)
        .map(|s| s.id)
        .min_by_key(|id| id.0)
        .ok_or_else(|| {
            AppError::conflict(
                "no_admin",
                format!("{slug} has no active administrator for the key to act as."),
            )
        })?;
    let mut tx = store.begin().await?;
    let (made, d) = insert(&mut tx, company, maker, &key).await?;
    let audit = crate::audit::record(
        ("system", None, OPERATOR),
        "api_key.created",
        ("api_key", made.id),
        IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        d,
    );
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(made)
}

/// Revokes key `id`: every request with it is refused from now on. `NotFound` for
/// another company's key or one already revoked.
pub async fn revoke(app: &App, admin: Admin<'_>, id: i64) -> Result<(), AppError> {
    let company = admin.company().id;
    let mut tx = app.store.begin().await?;
    let name = tx
        .revoke_api_key(company, id, admin.id())
        .await?
        .ok_or(AppError::NotFound)?;
    let audit = admin.audit(
        "api_key.revoked",
        ("api_key", id),
        serde_json::json!({"name": name}),
    );
    tx.audit(company, &audit).await?;
    app.commit(tx, false).await?;
    Ok(())
}

/// The API actor for `secret` presented to `company`'s host, or `NotFound` for an
/// unknown, malformed or revoked key, another company's key, or a key whose maker no
/// longer works there. Records the use at most once a minute.
pub async fn authenticate(
    app: &App,
    company: &Company,
    secret: &str,
    ip: IpAddr,
) -> Result<ApiActor, AppError> {
    if !looks_like_key(secret) {
        return Err(AppError::NotFound);
    }
    let key = app
        .store
        .api_key_by_hash(company.id, &hash_token(secret))
        .await?
        .filter(|k| k.revoked_at.is_none())
        .ok_or(AppError::NotFound)?;
    let maker = match key.created_by_staff_id {
        Some(id) => {
            app.store
                .staff_by_id(company.id, doorstep_core::ids::StaffUserId(id))
                .await?
        }
        None => None,
    }
    .filter(|s| !s.deactivated)
    .ok_or(AppError::NotFound)?;
    let scopes = Scopes::parse(&key.scopes).unwrap_or(Scopes { write: false });
    let stale = key
        .last_used_at
        .is_none_or(|t| doorstep_store::now() - t >= time::Duration::minutes(1));
    if stale {
        app.store.touch_api_key(company.id, key.id).await?;
    }
    Ok(ApiActor::new(
        company.clone(),
        maker,
        ip,
        key.id,
        &key.name,
        scopes.write,
    ))
}

/// Holds `Idempotency-Key` `key` for the request hashed `request_hash`.
pub async fn claim(
    app: &App,
    actor: &ApiActor,
    key: &str,
    request_hash: &str,
) -> Result<IdempotencyClaim, AppError> {
    Ok(app
        .store
        .claim_idempotency_key(actor.company().id, key, request_hash)
        .await?)
}

/// Keeps the first answer to the request holding `key`, for replays.
pub async fn keep(
    app: &App,
    actor: &ApiActor,
    key: &str,
    status: u16,
    body: &str,
) -> Result<(), AppError> {
    Ok(app
        .store
        .keep_idempotent_response(actor.company().id, key, status, body)
        .await?)
}

/// Lets `key` go after a failure on the server's side, so a retry runs again.
pub async fn release(app: &App, actor: &ApiActor, key: &str) -> Result<(), AppError> {
    Ok(app
        .store
        .release_idempotency_key(actor.company().id, key)
        .await?)
}
