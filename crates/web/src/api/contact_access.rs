//! `POST /api/v1/contacts/{id}/access`: the office's portal-access controls on a contact
//! (`doorstep_app::access`): enable (inviting a person without a password), resend the
//! invitation, lock, unlock, disable, force a password reset. The answer is the contact
//! with its new access state; the emails and audit records are the office's.
#![allow(clippy::disallowed_types)]

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use doorstep_app::access;
use doorstep_core::ids::ContactId;
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::Api;
use super::contacts::{Contact, read, refusal};
use super::kit::{id_of, json, json_body, write};
use super::problem::{Clash, Problem, Writing};
use crate::AppState;

/// What to do with a contact's portal access.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessInput {
    /// `enable` (invites a person who has no password yet; needs an email), `invite`
    /// (sends the invitation again), `lock` (ends the person's sessions), `unlock`,
    /// `disable`, or `reset` (clears the password, ends the sessions and emails a link to
    /// choose a new one).
    pub action: String,
}

/// Change a contact's portal access.
#[utoipa::path(post, path = "/api/v1/contacts/{id}/access", tag = "contacts",
    params(
        ("id" = i64, Path, description = "The contact's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer"),
    ),
    request_body = AccessInput,
    responses(
        (status = 200, description = "Done: the contact with its access now", body = Contact),
        Writing,
        (status = 404, description = "No such contact of this company", body = Problem, content_type = "application/problem+json"),
        Clash,
    ),
    security(("bearer" = [])))]
pub async fn change(
    State(state): State<AppState>,
    Api(actor): Api,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/api/v1/contacts/{raw}/access");
    write(
        &state,
        &actor,
        &headers,
        Method::POST,
        &path,
        &body,
        || async {
            let id = id_of(&raw, ContactId)?;
            let office = actor.writer()?;
            // A wrong id is 404 whatever the body says.
            read(&state, &actor, id).await?;
            let input: AccessInput = json_body(&body)?;
            let app = &state.app;
            let done = match input.action.as_str() {
                "enable" => access::enable(app, office, id).await.map(|_| ()),
                "invite" => access::invite(app, office, id).await,
                "lock" => access::set_locked(app, office, id, true).await,
                "unlock" => access::set_locked(app, office, id, false).await,
                "disable" => access::disable(app, office, id).await,
                "reset" => access::force_reset(app, office, id).await,
                _ => {
                    return Err(Problem::field(
                        "validation",
                        "action",
                        "`action` is one of enable, invite, lock, unlock, disable, reset.",
                    ));
                }
            };
            done.map_err(refusal)?;
            let c = read(&state, &actor, id).await?;
            Ok(json(StatusCode::OK, &c))
        },
    )
    .await
}
