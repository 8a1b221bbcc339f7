//! The portal's branded sign-in page.

use askama::Template;
use axum::response::Html;

use crate::views::Brand;
use crate::{Tenant, WebError};

#[derive(Template)]
#[template(path = "portal/sign_in.html")]
struct SignInPage {
    brand: Brand,
    email: String,
}

/// `GET /`: the company's sign-in page.
pub async fn show(Tenant(company): Tenant) -> Result<Html<String>, WebError> {
    let page = SignInPage {
        brand: Brand::of(&company),
        email: String::new(),
    };
    page.render()
        .map(Html)
        .map_err(|e| WebError::Internal(e.to_string()))
}
