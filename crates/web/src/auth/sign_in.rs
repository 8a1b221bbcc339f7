//! Checking a sign-in attempt and opening a session: shared by the portal and the office.

use std::sync::OnceLock;

use doorstep_core::email::EmailAddress;
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::companies::Company;
use doorstep_store::sessions::{NewSession, SessionOwner};
use time::OffsetDateTime;

use axum::http::HeaderMap;
use axum::http::header::USER_AGENT;
use axum::response::{IntoResponse, Redirect, Response};

use crate::auth::locked_notice;
use crate::auth::password::{hash_password, verify_password};
use crate::auth::session::{session_token, set_session_cookie};
use crate::auth::token::{hash_token, new_token};
use crate::security::random_hex;
use crate::{AppState, WebError};
use doorstep_app::PasswordCost;

/// Who is signing in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// A customer's contact, at the portal.
    Portal,
    /// Office staff.
    Office,
}

impl Audience {
    /// The audience a session owner belongs to.
    pub fn of(owner: SessionOwner) -> Self {
        match owner {
            SessionOwner::Staff(_) => Audience::Office,
            SessionOwner::Login(_) => Audience::Portal,
        }
    }

    /// Where a signed-in person lands.
    pub fn home(self) -> &'static str {
        match self {
            Audience::Portal => "/",
            Audience::Office => "/office",
        }
    }

    /// The sign-in page.
    pub fn sign_in_page(self) -> &'static str {
        match self {
            Audience::Portal => "/sign-in",
            Audience::Office => "/office",
        }
    }

    /// The page asking for the second factor.
    pub fn two_factor_page(self) -> &'static str {
        match self {
            Audience::Portal => "/sign-in/two-factor",
            Audience::Office => "/office/two-factor",
        }
    }

    /// The page of one's own security settings.
    pub fn security_page(self) -> &'static str {
        match self {
            Audience::Portal => "/security",
            Audience::Office => "/office/security",
        }
    }
}

/// How an attempt ended.
#[derive(Debug)]
pub enum Outcome {
    /// Right credentials: open a session for this owner.
    Success(SessionOwner),
    /// Wrong email or password, or a locked login (deliberately not saying which).
    Invalid,
    /// Too many failures: try again after this time.
    Throttled(OffsetDateTime),
}

/// A hash to verify against when the email is unknown, so a miss costs the same time as
/// a hit and response times do not reveal which emails have logins.
fn decoy_hash(cost: PasswordCost) -> &'static str {
    static STANDARD: OnceLock<String> = OnceLock::new();
    static TEST: OnceLock<String> = OnceLock::new();
    let cell = match cost {
        PasswordCost::Standard => &STANDARD,
        PasswordCost::TestOnly => &TEST,
    };
    cell.get_or_init(|| hash_password("decoy password, never valid", cost).unwrap_or_default())
}

fn throttle_keys(audience: Audience, email: &str, ip: &str) -> [String; 2] {
    let who = match audience {
        Audience::Portal => "login",
        Audience::Office => "staff",
    };
    [format!("{who}:{email}"), format!("ip:{ip}")]
}

/// Checks an attempt: it is counted against the login and the client address first
/// (atomically, so parallel attempts never get more checks than the throttle allows),
/// then the password is verified, always at full cost. A locked login answers exactly
/// as a wrong password does, whatever the password; the right one only queues, at most
/// once a day, an email telling the contact whom to call. Every outcome is audited.
pub async fn attempt(
    state: &AppState,
    company: &Company,
    audience: Audience,
    email_raw: &str,
    password: &str,
    ip: &str,
) -> Result<Outcome, WebError> {
    let email = EmailAddress::parse(email_raw)
        .map(|e| e.to_string())
        .unwrap_or_else(|_| email_raw.trim().to_lowercase());
    let keys = throttle_keys(audience, &email, ip);
    let mut tx = state.store.begin().await?;
    let blocked = tx
        .claim_sign_in_attempt(company.id, &[&keys[0], &keys[1]])
        .await?;
    tx.commit().await?;
    if let Some(until) = blocked {
        audit(state, company, "sign_in.throttled", &email, ip, None).await?;
        return Ok(Outcome::Throttled(until));
    }
    let credentials = match audience {
        Audience::Portal => state.store.login_credentials(company.id, &email).await?,
        Audience::Office => state.store.staff_credentials(company.id, &email).await?,
    };
    let stored = credentials
        .as_ref()
        .and_then(|c| c.password_hash.clone())
        .unwrap_or_else(|| decoy_hash(state.config.password_cost).to_owned());
    let password = password.to_owned();
    let matches = tokio::task::spawn_blocking(move || verify_password(&password, &stored))
        .await
        .map_err(WebError::internal)?;
    let has_access = match (&credentials, audience) {
        (Some(c), Audience::Portal) => match c.owner {
            SessionOwner::Login(login) => !state
                .store
                .accounts_of_login(company.id, login)
                .await?
                .is_empty(),
            SessionOwner::Staff(_) => false,
        },
        (Some(_), Audience::Office) => true,
        (None, _) => false,
    };
    match credentials {
        Some(c) if matches && has_access && c.password_hash.is_some() && !c.locked => {
            // The attempt was counted as a failure before the check: take it back.
            let mut tx = state.store.begin().await?;
            tx.clear_sign_in_failures(company.id, &keys[0]).await?;
            tx.refund_sign_in_attempt(company.id, &keys[1]).await?;
            tx.commit().await?;
            Ok(Outcome::Success(c.owner))
        }
        Some(c) if matches && has_access && c.password_hash.is_some() => {
            // Locked: counted as a failure (it stays counted), answered as one.
            locked_notice::refused(state, company, c.owner, &email, ip).await?;
            Ok(Outcome::Invalid)
        }
        _ => {
            audit(state, company, "sign_in.failed", &email, ip, None).await?;
            Ok(Outcome::Invalid)
        }
    }
}

pub(crate) fn owner_id(owner: SessionOwner) -> i64 {
    match owner {
        SessionOwner::Staff(s) => s.0,
        SessionOwner::Login(l) => l.0,
    }
}

async fn audit(
    state: &AppState,
    company: &Company,
    action: &'static str,
    email: &str,
    ip: &str,
    actor: Option<i64>,
) -> Result<(), WebError> {
    write_audit(state, company, ("system", actor), email, action, ip, "{}").await
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
    let pending = state.store.two_factor(company.id, owner).await?.enabled;
    let previous = session_token(headers, state.config.https);
    let token = open_session(
        state,
        company,
        owner,
        previous.as_deref(),
        ip,
        &user_agent(headers),
        pending,
    )
    .await?;
    let audience = Audience::of(owner);
    let to = if pending {
        audience.two_factor_page()
    } else {
        audience.home()
    };
    let mut response = Redirect::to(to).into_response();
    set_session_cookie(&mut response, &token, state);
    Ok(response)
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

/// Opens a fresh session for `owner` (never reusing an earlier id, so a planted cookie
/// is worthless), ends the one the browser had, and returns the new cookie's token.
/// A `two_factor_pending` session waits for the second factor.
pub async fn open_session(
    state: &AppState,
    company: &Company,
    owner: SessionOwner,
    previous_token: Option<&str>,
    ip: &str,
    user_agent: &str,
    two_factor_pending: bool,
) -> Result<String, WebError> {
    let token = new_token();
    let mut tx = state.store.begin().await?;
    if let Some(previous) = previous_token {
        tx.delete_session(company.id, &hash_token(previous)).await?;
    }
    tx.create_session(
        company.id,
        &NewSession {
            id_hash: hash_token(&token),
            owner,
            active_customer: None,
            csrf_secret: random_hex(16),
            ip: ip.to_owned(),
            user_agent: user_agent.chars().take(300).collect(),
            expires_at: doorstep_store::now() + state.config.session_lifetime,
            two_factor_pending,
        },
    )
    .await?;
    let kind = match owner {
        SessionOwner::Staff(_) => "staff",
        SessionOwner::Login(_) => "contact",
    };
    let action = if two_factor_pending {
        "sign_in.second_factor_required"
    } else {
        "sign_in.succeeded"
    };
    tx.audit(
        company.id,
        &NewAuditEvent {
            actor_kind: kind,
            actor_id: Some(owner_id(owner)),
            actor_label: String::new(),
            action,
            subject_kind: "",
            subject_id: None,
            ip: ip.to_owned(),
            detail: "{}".into(),
            at: doorstep_store::now(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// Records something `owner` did to their own sign-in (second factor, settings).
pub async fn audit_owner(
    state: &AppState,
    company: &Company,
    owner: SessionOwner,
    action: &'static str,
    ip: &str,
    detail: &str,
) -> Result<(), WebError> {
    let kind = match owner {
        SessionOwner::Staff(_) => "staff",
        SessionOwner::Login(_) => "contact",
    };
    let actor = (kind, Some(owner_id(owner)));
    write_audit(state, company, actor, "", action, ip, detail).await
}

async fn write_audit(
    state: &AppState,
    company: &Company,
    (actor_kind, actor_id): (&'static str, Option<i64>),
    label: &str,
    action: &'static str,
    ip: &str,
    detail: &str,
) -> Result<(), WebError> {
    let mut tx = state.store.begin().await?;
    tx.audit(
        company.id,
        &NewAuditEvent {
            actor_kind,
            actor_id,
            actor_label: label.chars().take(254).collect(),
            action,
            subject_kind: "",
            subject_id: None,
            ip: ip.to_owned(),
            detail: detail.to_owned(),
            at: doorstep_store::now(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
