//! Emailed links, through `doorstep_app::sign_in::links`: issued in the transaction of
//! the change that caused them and delivered through the outbox.

use doorstep_core::ids::LoginId;
use doorstep_store::Tx;
use doorstep_store::companies::Company;
use doorstep_store::tokens::TokenPurpose;

use crate::{AppState, WebError};

pub use doorstep_app::sign_in::links::human;

/// Whether a visitor's form may send another email to `address` now, counting this one
/// (see [`doorstep_app::sign_in::links::may_email`]).
pub async fn may_email(
    state: &AppState,
    company: &Company,
    address: &str,
) -> Result<bool, WebError> {
    Ok(doorstep_app::sign_in::links::may_email(&state.app, company, address).await?)
}

/// Counts one use of the decaying limit `key` (see
/// [`doorstep_app::sign_in::links::claim`]); false when `key` is blocked now.
pub async fn claim(state: &AppState, company: &Company, key: &str) -> Result<bool, WebError> {
    Ok(doorstep_app::sign_in::links::claim(&state.app, company, key).await?)
}

/// Issues a link of `purpose` for `login` and queues its email, all in `tx` (see
/// [`doorstep_app::sign_in::links::send_link`]).
pub async fn send_link(
    state: &AppState,
    tx: &mut Tx,
    company: &Company,
    login: LoginId,
    purpose: TokenPurpose,
    to_address: &str,
    to_name: &str,
) -> Result<(), WebError> {
    doorstep_app::sign_in::links::send_link(
        &state.app, tx, company, login, purpose, to_address, to_name,
    )
    .await?;
    Ok(())
}
