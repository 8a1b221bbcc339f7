//! Session cookies and the extractors that state, in a handler's signature, who must be
//! signed in: [`PortalLogin`] (any account), [`SignedInContact`] (acting for one account)
//! and [`SignedInStaff`].

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::{COOKIE, HeaderValue, SET_COOKIE};
use axum::http::request::Parts;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, SameSite};
use doorstep_core::authz::ContactScope;
use doorstep_core::ids::LoginId;
use doorstep_core::status::ContactRole;
use doorstep_store::companies::Company;
use doorstep_store::contacts::AccountAccess;
use doorstep_store::sessions::{Session, SessionOwner};
use doorstep_store::staff::StaffUser;

use crate::auth::token::hash_token;
use crate::{AppState, Tenant, WebError};

/// How often a session's last use is written (idle timeout granularity).
const TOUCH_EVERY: time::Duration = time::Duration::minutes(1);

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
    let now = doorstep_store::now();
    let session = state
        .store
        .live_session(
            company.id,
            &hash_token(&token),
            now - state.config.session_idle,
        )
        .await?;
    if let Some(s) = session
        .as_ref()
        .filter(|s| now - s.last_seen_at >= TOUCH_EVERY)
    {
        state.store.touch_session(company.id, &s.id_hash).await?;
    }
    Ok(session)
}

/// A signed-in portal login, whichever account it acts for.
pub struct PortalLogin {
    /// The company.
    pub company: Company,
    /// The login.
    pub login: LoginId,
    /// Its session.
    pub session: Session,
    /// Every account it may act for (at least one).
    pub accounts: Vec<AccountAccess>,
}

impl FromRequestParts<AppState> for PortalLogin {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let Tenant(company) = Tenant::from_request_parts(parts, state).await?;
        let token = session_token(&parts.headers, state.config.https)
            .ok_or(WebError::SignInRequired("/sign-in"))?;
        let now = doorstep_store::now();
        // One query for the session and its accounts, re-read every request: access the
        // office disables ends at once.
        let (session, accounts) = state
            .store
            .live_portal_session(
                company.id,
                &hash_token(&token),
                now - state.config.session_idle,
            )
            .await?
            .ok_or(WebError::SignInRequired("/sign-in"))?;
        let SessionOwner::Login(login) = session.owner else {
            return Err(WebError::SignInRequired("/sign-in"));
        };
        if session.two_factor_pending {
            return Err(WebError::SignInRequired("/sign-in/two-factor"));
        }
        if now - session.last_seen_at >= TOUCH_EVERY {
            state
                .store
                .touch_session(company.id, &session.id_hash)
                .await?;
        }
        if accounts.is_empty() {
            return Err(WebError::SignInRequired("/sign-in"));
        }
        Ok(PortalLogin {
            company,
            login,
            session,
            accounts,
        })
    }
}

/// A signed-in contact acting for one customer account.
pub struct SignedInContact {
    /// The company, login, session and accounts.
    pub portal: PortalLogin,
    /// The account acted for now.
    pub active: AccountAccess,
    /// What the authorization rules need to know.
    pub scope: ContactScope,
}

impl FromRequestParts<AppState> for SignedInContact {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let portal = PortalLogin::from_request_parts(parts, state).await?;
        let chosen = portal
            .session
            .active_customer
            .and_then(|c| portal.accounts.iter().find(|a| a.customer == c))
            .or_else(|| (portal.accounts.len() == 1).then(|| &portal.accounts[0]))
            .cloned();
        let Some(active) = chosen else {
            return Err(WebError::SignInRequired("/accounts"));
        };
        let sites = match active.role {
            ContactRole::Company => Vec::new(),
            ContactRole::Site => {
                state
                    .store
                    .sites_of_contact(portal.company.id, active.contact)
                    .await?
            }
        };
        let scope = ContactScope {
            customer: active.customer,
            role: active.role,
            sites,
        };
        Ok(SignedInContact {
            portal,
            active,
            scope,
        })
    }
}

/// A signed-in member of the office staff.
pub struct SignedInStaff {
    /// The company.
    pub company: Company,
    /// The staff member.
    pub staff: StaffUser,
    /// Their session.
    pub session: Session,
}

impl FromRequestParts<AppState> for SignedInStaff {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let Tenant(company) = Tenant::from_request_parts(parts, state).await?;
        let session = current_session(parts, state, &company)
            .await?
            .ok_or(WebError::SignInRequired("/office"))?;
        let SessionOwner::Staff(id) = session.owner else {
            return Err(WebError::SignInRequired("/office"));
        };
        if session.two_factor_pending {
            return Err(WebError::SignInRequired("/office/two-factor"));
        }
        let staff = state
            .store
            .staff_by_id(company.id, id)
            .await?
            .ok_or(WebError::SignInRequired("/office"))?;
        // A company that requires a second factor lets its staff do nothing but set one up.
        if company.settings.require_staff_two_factor
            && !is_setup_path(parts.uri.path())
            && !state
                .store
                .two_factor(company.id, session.owner)
                .await?
                .enabled
        {
            return Err(WebError::SignInRequired("/office/security"));
        }
        Ok(SignedInStaff {
            company,
            staff,
            session,
        })
    }
}

/// Pages a staff member still owing a second factor may use: its setup, and signing out.
fn is_setup_path(path: &str) -> bool {
    path == "/office/sign-out"
        || path == "/office/security"
        || path.starts_with("/office/security/")
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
