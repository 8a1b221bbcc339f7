//! Choosing, and switching, the account a login acts for (seed 000).

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use doorstep_core::ids::CustomerId;
use doorstep_store::audit::NewAuditEvent;
use serde::Deserialize;

use crate::auth::session::SignedInLogin;
use crate::csrf::CsrfToken;
use crate::extract::Form;
use crate::views::Brand;
use crate::{AppState, WebError};

struct AccountChoice {
    id: i64,
    name: String,
    role: &'static str,
    active: bool,
}

#[derive(Template)]
#[template(path = "portal/accounts.html")]
struct AccountsPage {
    brand: Brand,
    accounts: Vec<AccountChoice>,
    csrf: String,
}

/// `GET /accounts`: the accounts this login may act for.
pub async fn show(
    SignedInLogin(portal): SignedInLogin,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, WebError> {
    let accounts = portal
        .accounts
        .iter()
        .map(|a| AccountChoice {
            id: a.customer.0,
            name: a.customer_name.clone(),
            role: a.role.label(),
            active: portal.session.active_customer == Some(a.customer),
        })
        .collect();
    let html = AccountsPage {
        brand: Brand::of(&portal.company),
        accounts,
        csrf,
    }
    .render()
    .map_err(WebError::internal)?;
    Ok(Html(html).into_response())
}

/// The chosen account.
#[derive(Deserialize)]
pub struct Choice {
    customer: i64,
}

/// `POST /accounts`: act for another of this login's accounts, without signing in again.
pub async fn choose(
    State(state): State<AppState>,
    SignedInLogin(portal): SignedInLogin,
    Form(choice): Form<Choice>,
) -> Result<Response, WebError> {
    let customer = CustomerId(choice.customer);
    // Only an account of this very login: anything else is simply not found.
    if !portal.accounts.iter().any(|a| a.customer == customer) {
        return Err(WebError::NotFound);
    }
    let mut tx = state.store.begin().await?;
    tx.set_active_customer(portal.company.id, &portal.session.id_hash, customer)
        .await?;
    tx.audit(
        portal.company.id,
        &NewAuditEvent {
            actor_kind: "contact",
            actor_id: Some(portal.login.0),
            actor_label: String::new(),
            action: "account.switched",
            subject_kind: "customer",
            subject_id: Some(customer.0),
            ip: String::new(),
            detail: "{}".into(),
            at: doorstep_store::now(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/").into_response())
}
