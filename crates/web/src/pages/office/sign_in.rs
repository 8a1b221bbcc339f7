//! The office's sign-in page.

use askama::Template;
use axum::extract::Query;
use axum::response::Html;
use serde::Deserialize;

use crate::views::Brand;
use crate::{Tenant, WebError};

#[derive(Template)]
#[template(path = "office/sign_in.html")]
struct OfficeSignInPage {
    brand: Brand,
    email: String,
    notice: Option<&'static str>,
}

/// Query flags other pages redirect here with.
#[derive(Deserialize)]
pub struct Flags {
    password_set: Option<String>,
}

/// `GET /office`: staff sign-in.
pub async fn show(
    Tenant(company): Tenant,
    Query(flags): Query<Flags>,
) -> Result<Html<String>, WebError> {
    let page = OfficeSignInPage {
        brand: Brand::of(&company),
        email: String::new(),
        notice: flags
            .password_set
            .map(|_| "Your password is set. Sign in with it below."),
    };
    page.render()
        .map(Html)
        .map_err(|e| WebError::Internal(e.to_string()))
}
