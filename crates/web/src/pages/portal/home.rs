//! The signed-in contact's home page: the account and its service locations.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use doorstep_core::status::ContactRole;
use doorstep_store::customers::{CustomerSummary, SiteSummary};

use crate::auth::session::SignedInContact;
use crate::views::PortalChrome;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    chrome: PortalChrome,
    customer: CustomerSummary,
    sites: Vec<SiteSummary>,
    site_contact: bool,
}

/// Renders the home page of `contact`'s active account.
pub async fn render(
    state: &AppState,
    contact: &SignedInContact,
    csrf: &str,
) -> Result<Response, WebError> {
    let company = &contact.portal.company;
    let customer = state
        .store
        .customer_summary(company.id, contact.scope.customer)
        .await?
        .ok_or(WebError::NotFound)?;
    let site_contact = contact.scope.role == ContactRole::Site;
    let only = site_contact.then_some(contact.scope.sites.as_slice());
    let sites = state
        .store
        .sites_of_customer(company.id, contact.scope.customer, only)
        .await?;
    let html = HomePage {
        chrome: PortalChrome::of(contact, csrf).at("/"),
        customer,
        sites,
        site_contact,
    }
    .render()
    .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(Html(html).into_response())
}
