//! Session cookies and the extractors that state, in a handler's signature, who must be
//! signed in: [`PortalLogin`] (any account), [`SignedInContact`] (acting for one account)
//! and [`SignedInStaff`].

use axum::extract::ConnectInfo;
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::{COOKIE, HeaderValue, SET_COOKIE};
use axum::http::request::Parts;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, SameSite};
use doorstep_app::sessions::NotSignedIn;
use doorstep_app::{ContactActor, StaffActor};
use doorstep_core::authz::ContactScope;
use doorstep_store::companies::Company;
use doorstep_store::contacts::AccountAccess;
use doorstep_store::sessions::{Session, SessionOwner};
use doorstep_store::staff::StaffUser;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use crate::auth::token::hash_token;
use crate::{AppState, Tenant, WebError};

/// The session cookie's name: `__Host-` prefixed (Secure, host-only, path /) over https.
pub fn session_cookie_name(https: bool) -> &'static str {
    if https { "__Host-doorstep" } else { "doorstep" }
}

/// The raw session token from the request's cookies.
pub fn session_token(headers: &HeaderMap, https: bool) -> Option<String> {
    let name = session_cookie_name(https);
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Adds the cookie that carries a new session's token.
pub fn set_session_cookie(response: &mut Response, token: &str, state: &AppState) {
    let https = state.config.https;
    let max_age = time::Duration::seconds(state.config.session_lifetime.whole_seconds());
    let cookie = Cookie::build((session_cookie_name(https), token.to_owned()))
        .path("/")
        .http_only(true)
        .secure(https)
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .build();
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

/// Adds a header that removes the session cookie.
pub fn clear_session_cookie(response: &mut Response, state: &AppState) {
    let https = state.config.https;
    let cookie = Cookie::build((session_cookie_name(https), ""))
        .path("/")
        .http_only(true)
        .secure(https)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::ZERO)
        .build();
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

/// The live session of this request at `company`, if any; refreshes its last use.
pub async fn current_session(
    parts: &Parts,
    state: &AppState,
    company: &Company,
) -> Result<Option<Session>, WebError> {
    let Some(token) = session_token(&parts.headers, state.config.https) else {
        return Ok(None);
    };
    Ok(state
        .app
        .live_session(company, &hash_token(&token), state.config.session_idle)
        .await?)
}

/// Where a request that is not signed in as its page needs is sent.
fn sign_in_at(refusal: NotSignedIn, office: bool) -> WebError {
    WebError::SignInRequired(match (refusal, office) {
        (NotSignedIn::SignIn, false) => "/sign-in",
        (NotSignedIn::SecondFactorOwed, false) => "/sign-in/two-factor",
        (NotSignedIn::ChooseAccount, _) => "/accounts",
        (NotSignedIn::SignIn, true) => "/office",
        (NotSignedIn::SecondFactorOwed, true) => "/office/two-factor",
        (NotSignedIn::SetUpSecondFactor, _) => "/office/security",
    })
}

/// The client's address, as the connection reported it.
fn peer_ip(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED))
}

/// A signed-in portal login, whichever account it acts for.
pub type PortalLogin = doorstep_app::sessions::PortalLogin;

/// The extractor of a [`PortalLogin`].
#[derive(Clone)]
pub struct SignedInLogin(pub PortalLogin);

impl FromRequestParts<AppState> for SignedInLogin {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        // The route's access guard resolved it already (see `auth::guard`).
        if let Some(login) = parts.extensions.remove::<SignedInLogin>() {
            return Ok(login);
        }
        Self::resolve(parts, state).await
    }
}

impl SignedInLogin {
    /// Reads the request's portal session.
    pub(crate) async fn resolve(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let Tenant(company) = Tenant::from_request_parts(parts, state).await?;
        let token = session_token(&parts.headers, state.config.https)
            .ok_or(WebError::SignInRequired("/sign-in"))?;
        state
            .app
            .portal_login(company, &hash_token(&token), state.config.session_idle)
            .await?
            .map(SignedInLogin)
            .map_err(|r| sign_in_at(r, false))
    }
}

/// A signed-in contact acting for one customer account.
#[derive(Clone)]
pub struct SignedInContact {
    /// The company, login, session and accounts.
    pub portal: PortalLogin,
    /// The account acted for now.
    pub active: AccountAccess,
    /// What the authorization rules need to know.
    pub scope: ContactScope,
    /// The actor the use cases take.
    pub actor: ContactActor,
    /// The contact's name when this is a staff member viewing the portal as them (read
    /// only: the router refuses every portal write, the actor every write use case).
    pub viewing: Option<String>,
}

impl FromRequestParts<AppState> for SignedInContact {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        // The route's access guard resolved it already (see `auth::guard`).
        if let Some(contact) = parts.extensions.remove::<SignedInContact>() {
            return Ok(contact);
        }
        Self::resolve(parts, state).await
    }
}

impl SignedInContact {
    /// Reads the request's portal session and the account it acts for.
    pub(crate) async fn resolve(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let portal = match SignedInLogin::resolve(parts, state).await {
            Ok(SignedInLogin(portal)) => portal,
            // No portal session: a staff member's session may be viewing as a contact.
            Err(err @ WebError::SignInRequired(_)) => {
                return Self::viewing(parts, state).await?.ok_or(err);
            }
            Err(err) => return Err(err),
        };
        let signed_in = state
            .app
            .signed_in_contact(portal, peer_ip(parts))
            .await?
            .map_err(|r| sign_in_at(r, false))?;
        Ok(SignedInContact {
            portal: signed_in.portal,
            active: signed_in.active,
            scope: signed_in.scope,
            actor: signed_in.actor,
            viewing: None,
        })
    }

    /// The contact this request's staff session views the portal as, if it does.
    pub(crate) async fn viewing(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, WebError> {
        let Tenant(company) = Tenant::from_request_parts(parts, state).await?;
        let Some(token) = session_token(&parts.headers, state.config.https) else {
            return Ok(None);
        };
        let viewing = state
            .app
            .viewing_as(
                company,
                &hash_token(&token),
                state.config.session_idle,
                peer_ip(parts),
            )
            .await?;
        Ok(viewing.map(|v| SignedInContact {
            portal: v.contact.portal,
            active: v.contact.active,
            scope: v.contact.scope,
            actor: v.contact.actor,
            viewing: Some(v.contact_name),
        }))
    }
}

/// A signed-in member of the office staff.
#[derive(Clone)]
pub struct SignedInStaff {
    /// The company.
    pub company: Company,
    /// The staff member.
    pub staff: StaffUser,
    /// Their session.
    pub session: Session,
    /// The actor the use cases take.
    pub actor: StaffActor,
    /// How many requests nobody in the office has opened yet (the navigation's badge).
    pub new_requests: i64,
    /// The path asked for, so the navigation marks the current section.
    pub path: String,
}

impl FromRequestParts<AppState> for SignedInStaff {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        // The route's access guard resolved it already (see `auth::guard`); a handler of
        // a route without one (a sign-in page asking whether someone is signed in) gets the
        // strict answer.
        if let Some(staff) = parts.extensions.remove::<SignedInStaff>() {
            return Ok(staff);
        }
        Self::resolve(parts, state, false).await
    }
}

impl SignedInStaff {
    /// Reads the request's office session. With `setting_up`, a member who still owes the
    /// second factor their company requires passes (its setup pages and signing out).
    pub(crate) async fn resolve(
        parts: &mut Parts,
        state: &AppState,
        setting_up: bool,
    ) -> Result<Self, WebError> {
        let Tenant(company) = Tenant::from_request_parts(parts, state).await?;
        let token = session_token(&parts.headers, state.config.https)
            .ok_or(WebError::SignInRequired("/office"))?;
        let signed_in = state
            .app
            .signed_in_staff(
                company,
                &hash_token(&token),
                state.config.session_idle,
                setting_up,
                peer_ip(parts),
            )
            .await?
            .map_err(|r| sign_in_at(r, true))?;
        let new_requests = state.store.new_request_count(signed_in.company.id).await?;
        Ok(SignedInStaff {
            company: signed_in.company,
            staff: signed_in.staff,
            session: signed_in.session,
            actor: signed_in.actor,
            new_requests,
            path: parts.uri.path().to_owned(),
        })
    }
}

/// A browser whose password (or emailed link) was right and which now owes its second factor.
pub struct PendingSignIn {
    /// The company.
    pub company: Company,
    /// The session waiting for the code.
    pub session: Session,
}

impl FromRequestParts<AppState> for PendingSignIn {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let Tenant(company) = Tenant::from_request_parts(parts, state).await?;
        let office = parts.uri.path().starts_with("/office");
        let start = if office { "/office" } else { "/sign-in" };
        let session = current_session(parts, state, &company)
            .await?
            .filter(|s| s.two_factor_pending)
            .filter(|s| matches!(s.owner, SessionOwner::Staff(_)) == office)
            .ok_or(WebError::SignInRequired(start))?;
        Ok(PendingSignIn { company, session })
    }
}
