//! What sign-in needs from the web: where each audience's pages are, the browser as the
//! use cases of `doorstep_app::sign_in` see it, and the answer that sets a new session's
//! cookie. The checks and the writes are the application layer's.

use std::net::{IpAddr, Ipv6Addr};

use axum::http::HeaderMap;
use axum::http::header::USER_AGENT;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::sign_in::{self as app, Client, Opened};
use doorstep_store::companies::Company;
use doorstep_store::sessions::SessionOwner;

use crate::auth::return_to;
use crate::auth::session::{session_token, set_session_cookie};
use crate::{AppState, WebError};

pub use doorstep_app::sign_in::Audience;

/// What a person who just signed out is told, on the office and the portal alike.
pub const SIGNED_OUT: &str = "You have signed out. Sign in again whenever you need to.";

/// The pages of each audience's sign-in.
pub trait AudiencePages {
    /// Where a signed-in person lands.
    fn home(self) -> &'static str;
    /// The sign-in page.
    fn sign_in_page(self) -> &'static str;
    /// The page asking for the second factor.
    fn two_factor_page(self) -> &'static str;
    /// The page of one's own security settings.
    fn security_page(self) -> &'static str;
}

impl AudiencePages for Audience {
    /// Where a signed-in person lands.
    fn home(self) -> &'static str {
        match self {
            Audience::Portal => "/",
            Audience::Office => "/office",
        }
    }

    /// The sign-in page.
    fn sign_in_page(self) -> &'static str {
        match self {
            Audience::Portal => "/sign-in",
            Audience::Office => "/office",
        }
    }

    /// The page asking for the second factor.
    fn two_factor_page(self) -> &'static str {
        match self {
            Audience::Portal => "/sign-in/two-factor",
            Audience::Office => "/office/two-factor",
        }
    }

    /// The page of one's own security settings.
    fn security_page(self) -> &'static str {
        match self {
            Audience::Portal => "/security",
            Audience::Office => "/office/security",
        }
    }
}

/// The browser signing in: its address, its self-description and the session it had.
pub fn client(state: &AppState, headers: &HeaderMap, ip: IpAddr) -> Client {
    Client {
        ip,
        user_agent: user_agent(headers),
        session_token: session_token(headers, state.config.https),
    }
}

/// The answer to a sign-in step that opened a session: its cookie, and the way home, or
/// to the code page when a second factor is owed.
pub fn signed_in(
    state: &AppState,
    audience: Audience,
    token: &str,
    owed: bool,
    headers: &HeaderMap,
) -> Response {
    let mut response = if owed {
        // The remembered page waits for the second factor.
        Redirect::to(audience.two_factor_page()).into_response()
    } else {
        home_or_remembered(state, audience, headers)
    };
    set_session_cookie(&mut response, token, state);
    response
}

/// The redirect after a completed sign-in: to the page the person had asked for, if one
/// is remembered, else home.
pub fn home_or_remembered(state: &AppState, audience: Audience, headers: &HeaderMap) -> Response {
    let office = audience == Audience::Office;
    match return_to::remembered(headers, state, office) {
        Some(path) => {
            let mut response = Redirect::to(&path).into_response();
            return_to::forget(&mut response, state);
            response
        }
        None => Redirect::to(audience.home()).into_response(),
    }
}

/// The first factor (a password or an emailed link) is proven: opens a session and
/// answers with its cookie, sending the browser home, or to the code page when `owner`
/// uses a second factor (the session then opens nothing else until the code is given).
pub async fn finish_sign_in(
    state: &AppState,
    company: &Company,
    owner: SessionOwner,
    headers: &HeaderMap,
    ip: &str,
) -> Result<Response, WebError> {
    let client = client(state, headers, parse_ip(ip));
    let opened = app::session::first_factor_proven(&state.app, company, owner, &client).await?;
    Ok(opened_response(state, &opened, headers))
}

/// The answer for a session [`app::session::first_factor_proven`] opened.
pub fn opened_response(state: &AppState, opened: &Opened, headers: &HeaderMap) -> Response {
    signed_in(
        state,
        Audience::of(opened.owner),
        &opened.token,
        opened.second_factor_owed,
        headers,
    )
}

/// The browser's self-description, shortened, for the session list and audit log.
pub fn user_agent(headers: &HeaderMap) -> String {
    headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(300)
        .collect()
}

/// An address written out by `IpAddr`'s `Display`, read back.
fn parse_ip(ip: &str) -> IpAddr {
    ip.parse().unwrap_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED))
}
