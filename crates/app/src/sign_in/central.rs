//! The central sign-in on the service's base domain (issue 18): a person who does not
//! know their company's address types their email, and every company where that email
//! has a portal login that may sign in emails it that company's own one-time sign-in
//! link ([`links::request`]: the same link, limits and checks as the company's "email me
//! a link" form). The page answers the same words whoever asks; the web layer runs this
//! after answering, so the time taken tells nothing either.

use std::net::IpAddr;

use doorstep_core::email::EmailAddress;

use super::links;
use crate::mail_links::claim;
use crate::{App, AppError};

/// Sends `email` the sign-in link of each company where it may sign in to the portal,
/// each counted against that company's limits for the asking address (`ip`) and for the
/// email address; does nothing for an email that is malformed or nobody's.
pub async fn request(app: &App, email: &str, ip: IpAddr) -> Result<(), AppError> {
    let Ok(email) = EmailAddress::parse(email) else {
        return Ok(());
    };
    for company in app.store.companies_with_login(email.as_str()).await? {
        if claim(app, &company, &format!("central:{ip}")).await? {
            links::request(app, &company, email.as_str()).await?;
        }
    }
    Ok(())
}
