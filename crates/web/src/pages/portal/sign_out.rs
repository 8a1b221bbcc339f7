//! Signing out of this browser, or everywhere.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use crate::auth::session::{SignedInLogin, clear_session_cookie};
use crate::{AppState, WebError};

/// `POST /sign-out`: ends this session.
pub async fn this_browser(
    State(state): State<AppState>,
    SignedInLogin(portal): SignedInLogin,
) -> Result<Response, WebError> {
    let mut tx = state.store.begin().await?;
    tx.delete_session(portal.company.id, &portal.session.id_hash)
        .await?;
    tx.commit().await?;
    let mut response = Redirect::to("/").into_response();
    clear_session_cookie(&mut response, &state);
    Ok(response)
}

/// `POST /sign-out/everywhere`: ends every session of this login, this one included.
pub async fn everywhere(
    State(state): State<AppState>,
    SignedInLogin(portal): SignedInLogin,
) -> Result<Response, WebError> {
    let mut tx = state.store.begin().await?;
    tx.delete_sessions_of(portal.company.id, portal.session.owner, None)
        .await?;
    tx.commit().await?;
    let mut response = Redirect::to("/").into_response();
    clear_session_cookie(&mut response, &state);
    Ok(response)
}
