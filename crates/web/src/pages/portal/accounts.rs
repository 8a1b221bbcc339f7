//! Choosing, and switching, the account a login acts for (seed 000).

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::sign_in::session;
use doorstep_core::ids::CustomerId;
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
    crate::kit::render::page(&AccountsPage {
        brand: Brand::of(&portal.company),
        accounts,
        csrf,
    })
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
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(choice): Form<Choice>,
) -> Result<Response, WebError> {
    let customer = CustomerId(choice.customer);
    session::choose_account(&state.app, &portal, peer.ip(), customer).await?;
    Ok(Redirect::to("/").into_response())
}
