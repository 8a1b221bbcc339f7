//! Sessions: opened once the first factor is proven (and again after the second), each
//! time under a new id; ended by signing out; pointed at the account a login acts for.

use std::net::IpAddr;

use doorstep_core::ids::CustomerId;
use doorstep_store::Tx;
use doorstep_store::companies::Company;
use doorstep_store::contacts::AccountAccess;
use doorstep_store::sessions::{NewSession, Session, SessionOwner};

use super::{Client, owner_record};
use crate::crypto::random_hex;
use crate::crypto::token::{hash_token, new_token};
use crate::sessions::PortalLogin;
use crate::{App, AppError};

/// Longest browser description kept.
const USER_AGENT_MAX: usize = 300;

/// A session just opened.
#[derive(Debug, Clone)]
pub struct Opened {
    /// The new session's secret, for the browser's cookie (only its hash is stored).
    pub token: String,
    /// Whose it is.
    pub owner: SessionOwner,
    /// The owner uses a second factor: the session opens nothing but the code page
    /// until it is given.
    pub second_factor_owed: bool,
}

/// Opens a fresh session for `owner`, one that waits for the second factor when
/// `second_factor_owed`, and ends the one `client` had; returns the new token. For the
/// second factor's step, which replaces its waiting session with a full one.
pub async fn open(
    app: &App,
    company: &Company,
    owner: SessionOwner,
    client: &Client,
    second_factor_owed: bool,
) -> Result<String, AppError> {
    let mut tx = app.store.begin().await?;
    let token = open_in(app, &mut tx, company, owner, client, second_factor_owed).await?;
    tx.commit().await?;
    Ok(token)
}

/// The first factor (a password or an emailed link) of `owner` is proven: opens a full
/// session, or a waiting one when `owner` uses a second factor.
pub async fn first_factor_proven(
    app: &App,
    company: &Company,
    owner: SessionOwner,
    client: &Client,
) -> Result<Opened, AppError> {
    let second_factor_owed = app.store.two_factor(company.id, owner).await?.enabled;
    let token = open(app, company, owner, client, second_factor_owed).await?;
    Ok(Opened {
        token,
        owner,
        second_factor_owed,
    })
}

/// Opens the session in `tx` (never reusing an earlier id, so a planted cookie is
/// worthless), ends the one the browser had and audits the step.
pub(crate) async fn open_in(
    app: &App,
    tx: &mut Tx,
    company: &Company,
    owner: SessionOwner,
    client: &Client,
    second_factor_owed: bool,
) -> Result<String, AppError> {
    let token = new_token();
    if let Some(previous) = &client.session_token {
        tx.delete_session(company.id, &hash_token(previous)).await?;
    }
    tx.create_session(
        company.id,
        &NewSession {
            id_hash: hash_token(&token),
            owner,
            active_customer: None,
            csrf_secret: random_hex(16),
            ip: client.ip.to_string(),
            user_agent: client.user_agent.chars().take(USER_AGENT_MAX).collect(),
            expires_at: doorstep_store::now() + app.config().session_lifetime,
            two_factor_pending: second_factor_owed,
        },
    )
    .await?;
    let action = if second_factor_owed {
        "sign_in.second_factor_required"
    } else {
        "sign_in.succeeded"
    };
    let audit = owner_record(owner, action, client.ip, serde_json::json!({}));
    tx.audit(company.id, &audit).await?;
    Ok(token)
}

/// Ends `session` (signing out of this browser). Not audited, as before.
pub async fn sign_out(app: &App, company: &Company, session: &Session) -> Result<(), AppError> {
    let mut tx = app.store.begin().await?;
    tx.delete_session(company.id, &session.id_hash).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends every session of `session`'s owner, that one included.
pub async fn sign_out_everywhere(
    app: &App,
    company: &Company,
    session: &Session,
) -> Result<(), AppError> {
    let mut tx = app.store.begin().await?;
    tx.delete_sessions_of(company.id, session.owner, None)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Makes `login` act for `customer` from now on, without signing in again; refused with
/// [`AppError::NotFound`] unless it is one of the login's own accounts. Returns the
/// account chosen.
pub async fn choose_account(
    app: &App,
    login: &PortalLogin,
    ip: IpAddr,
    customer: CustomerId,
) -> Result<AccountAccess, AppError> {
    // Only an account of this very login: anything else is simply not found.
    let access = login
        .accounts
        .iter()
        .find(|a| a.customer == customer)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let company = &login.company;
    let mut tx = app.store.begin().await?;
    tx.set_active_customer(company.id, &login.session.id_hash, customer)
        .await?;
    let audit = crate::audit::record(
        ("contact", Some(access.contact.0), ""),
        "account.switched",
        ("customer", customer.0),
        ip,
        serde_json::json!({}),
    );
    tx.audit(company.id, &audit).await?;
    tx.commit().await?;
    Ok(access)
}
