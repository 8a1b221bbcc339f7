//! Outgoing webhooks: the company's endpoints (administrators only), the events the use
//! cases emit in their own transactions ([`emit`]), and the worker that posts them
//! signed ([`worker`]).
//!
//! An event is one `evt_…` id: [`emit`] writes one delivery row per subscribed endpoint
//! under that id, in the transaction of the change, so the event exists if and only if
//! the change committed; a retry or a redelivery posts the same body again.

pub mod worker;

use doorstep_core::ids::CompanyId;
use doorstep_core::webhooks::{check_events, check_url};
use doorstep_store::Tx;

use crate::crypto::random_hex;
use crate::error::FieldErrors;
use crate::{Admin, App, AppError};

/// A new endpoint as typed, checked.
#[derive(Debug, Clone)]
pub struct NewEndpoint {
    url: String,
    events: Vec<String>,
}

impl NewEndpoint {
    /// Checks the URL (https, or http to this machine) and the chosen events.
    pub fn parse(url: &str, events: &[String]) -> Result<NewEndpoint, FieldErrors> {
        let mut errors = FieldErrors::default();
        let url = errors.check(check_url(url));
        let events = errors.check(check_events(events.iter().map(String::as_str)));
        match (url, events) {
            (Some(url), Some(events)) => Ok(NewEndpoint { url, events }),
            _ => Err(errors),
        }
    }
}

/// An endpoint just added: its id and its signing secret, shown this once (it can be
/// revealed again with [`reveal_secret`]).
#[derive(Debug, Clone)]
pub struct Added {
    /// The endpoint's id.
    pub id: i64,
    /// The signing secret (`whsec_…`).
    pub secret: String,
}

fn seal_context(company: CompanyId) -> String {
    format!("webhook_endpoint:{}", company.0)
}

/// Opens an endpoint's sealed secret; `None` when it does not open (another key).
pub(crate) fn open_secret(app: &App, company: CompanyId, sealed: &str) -> Option<String> {
    app.secret_key.open(sealed, &seal_context(company))
}

/// Adds an endpoint with a new random signing secret, receiving the chosen events.
pub async fn add(app: &App, admin: Admin<'_>, new: NewEndpoint) -> Result<Added, AppError> {
    let company = admin.company().id;
    let secret = format!("whsec_{}", random_hex(24));
    let sealed = app
        .secret_key
        .seal(&secret, &seal_context(company))
        .map_err(AppError::Internal)?;
    let events = new.events.join(",");
    let mut tx = app.store.begin().await?;
    let id = tx
        .add_webhook_endpoint(company, &new.url, &sealed, &events)
        .await?;
    let detail = serde_json::json!({"url": new.url, "events": new.events});
    tx.audit(
        company,
        &admin.audit("webhook.added", ("webhook_endpoint", id), detail),
    )
    .await?;
    tx.commit().await?;
    Ok(Added { id, secret })
}

/// The chosen events of an endpoint, checked.
pub fn parse_events(events: &[String]) -> Result<Vec<String>, FieldErrors> {
    let mut errors = FieldErrors::default();
    match errors.check(check_events(events.iter().map(String::as_str))) {
        Some(events) => Ok(events),
        None => Err(errors),
    }
}

/// Sets the events endpoint `id` receives (checked by [`parse_events`]).
pub async fn edit_events(
    app: &App,
    admin: Admin<'_>,
    id: i64,
    events: Vec<String>,
) -> Result<(), AppError> {
    let company = admin.company().id;
    let old = app
        .store
        .webhook_endpoint(company, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = app.store.begin().await?;
    if !tx
        .set_webhook_events(company, id, &events.join(","))
        .await?
    {
        return Err(AppError::NotFound);
    }
    let detail =
        serde_json::json!({"url": old.url, "old_events": old.event_list(), "events": events});
    tx.audit(
        company,
        &admin.audit("webhook.events_changed", ("webhook_endpoint", id), detail),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Stops sending to endpoint `id` (`active` false) or starts again. Deliveries still
/// pending for a disabled endpoint are marked failed by the worker. Refused with a
/// `changed` conflict when it already is so.
pub async fn set_active(
    app: &App,
    admin: Admin<'_>,
    id: i64,
    active: bool,
) -> Result<(), AppError> {
    let company = admin.company().id;
    let e = app
        .store
        .webhook_endpoint(company, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = app.store.begin().await?;
    if !tx.set_webhook_active(company, id, active).await? {
        return Err(AppError::changed());
    }
    let action = if active {
        "webhook.enabled"
    } else {
        "webhook.disabled"
    };
    let detail = serde_json::json!({"url": e.url});
    tx.audit(
        company,
        &admin.audit(action, ("webhook_endpoint", id), detail),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes endpoint `id` with its delivery log.
pub async fn delete(app: &App, admin: Admin<'_>, id: i64) -> Result<(), AppError> {
    let company = admin.company().id;
    let e = app
        .store
        .webhook_endpoint(company, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = app.store.begin().await?;
    if !tx.delete_webhook_endpoint(company, id).await? {
        return Err(AppError::NotFound);
    }
    let detail = serde_json::json!({"url": e.url, "events": e.event_list()});
    tx.audit(
        company,
        &admin.audit("webhook.deleted", ("webhook_endpoint", id), detail),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Endpoint `id`'s signing secret, shown to an administrator on request (recorded).
pub async fn reveal_secret(app: &App, admin: Admin<'_>, id: i64) -> Result<String, AppError> {
    let company = admin.company().id;
    let sealed = app
        .store
        .webhook_secret(company, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let secret = open_secret(app, company, &sealed)
        .ok_or_else(|| AppError::Internal("a webhook secret does not open with this key".into()))?;
    let mut tx = app.store.begin().await?;
    tx.audit(
        company,
        &admin.audit(
            "webhook.secret_revealed",
            ("webhook_endpoint", id),
            serde_json::json!({}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(secret)
}

/// Sends delivery `delivery` again, under the same event id, retried for another 24
/// hours; answers its endpoint's id. Refused with a `changed` conflict while it is being
/// sent, `NotFound` for another company's.
pub async fn redeliver(app: &App, admin: Admin<'_>, delivery: i64) -> Result<i64, AppError> {
    let company = admin.company().id;
    if !app.store.webhook_delivery_exists(company, delivery).await? {
        return Err(AppError::NotFound);
    }
    let mut tx = app.store.begin().await?;
    let Some(endpoint) = tx.redeliver_webhook(company, delivery).await? else {
        return Err(AppError::conflict(
            "changed",
            "That delivery is being sent right now; reload the page in a moment.",
        ));
    };
    tx.audit(
        company,
        &admin.audit(
            "webhook.redelivered",
            ("webhook_delivery", delivery),
            serde_json::json!({"endpoint_id": endpoint}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(endpoint)
}

/// Writes event `event_type` with `data` to the webhook outbox in `tx`, for every active
/// endpoint of the company that receives it (nothing when none does): one `evt_…` id,
/// one delivery per endpoint. Call it in the transaction of the change it tells about.
pub(crate) async fn emit(
    tx: &mut Tx,
    company: CompanyId,
    event_type: &'static str,
    data: serde_json::Value,
) -> Result<(), AppError> {
    debug_assert!(doorstep_core::webhooks::is_event(event_type));
    let event_id = format!("evt_{}", random_hex(12));
    let created = doorstep_store::now().unix_timestamp();
    tx.enqueue_webhook_event(company, &event_id, event_type, |slug| {
        serde_json::json!({
            "id": event_id,
            "type": event_type,
            "created": created,
            "company": slug,
            "data": data,
        })
        .to_string()
    })
    .await?;
    Ok(())
}
