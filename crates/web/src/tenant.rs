//! The company a request is for, resolved once per request from its Host.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri};
use doorstep_core::tenancy::{HostTarget, resolve_host};
use doorstep_store::companies::Company;

use crate::{AppState, WebError};

/// The company whose portal or office this request is addressed to.
///
/// Only the `Host` decides: no path segment, query or form field can select another
/// company, so a handler that takes `Tenant` can only ever see its own company's data.
pub struct Tenant(pub Company);

impl FromRequestParts<AppState> for Tenant {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        // Several extractors of one request need the company: resolve it once.
        if let Some(company) = parts.extensions.get::<Company>() {
            return Ok(Tenant(company.clone()));
        }
        let company = company_of_host(state, host_of(&parts.headers, &parts.uri))
            .await?
            .ok_or(WebError::UnknownHost)?;
        tracing::Span::current().record("company", company.id.0);
        parts.extensions.insert(company.clone());
        Ok(Tenant(company))
    }
}

/// The host a request is addressed to, as sent.
pub fn host_of<'a>(headers: &'a HeaderMap, uri: &'a Uri) -> &'a str {
    headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()))
        .unwrap_or("")
}

/// The company served at `host`, if any.
pub async fn company_of_host(state: &AppState, host: &str) -> Result<Option<Company>, WebError> {
    Ok(match resolve_host(host, &state.config.base_domain) {
        HostTarget::Slug(slug) => state.store.company_for_slug(slug.as_str()).await?,
        HostTarget::Custom(domain) => state.store.company_for_domain(&domain).await?,
        // A deployment of one company serves it on the bare host too.
        HostTarget::Bare => match &state.config.single_company {
            Some(slug) => state.store.company_for_slug(slug).await?,
            None => None,
        },
        HostTarget::Invalid => None,
    })
}
