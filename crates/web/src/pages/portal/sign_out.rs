//! Signing out of this browser, or everywhere.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::sign_in::session;

use crate::auth::session::{SignedInLogin, clear_session_cookie};
use crate::{AppState, WebError};

/// `POST /sign-out`: ends this session.
pub async fn this_browser(
    State(state): State<AppState>,
    SignedInLogin(portal): SignedInLogin,
) -> Result<Response, WebError> {
    session::sign_out(&state.app, &portal.company, &portal.session).await?;
    let mut response = Redirect::to("/sign-in?signed_out=1").into_response();
    clear_session_cookie(&mut response, &state);
    Ok(response)
}

/// `POST /sign-out/everywhere`: ends every session of this login, this one included.
pub async fn everywhere(
    State(state): State<AppState>,
    SignedInLogin(portal): SignedInLogin,
) -> Result<Response, WebError> {
    session::sign_out_everywhere(&state.app, &portal.company, &portal.session).await?;
    let mut response = Redirect::to("/sign-in?signed_out=1").into_response();
    clear_session_cookie(&mut response, &state);
    Ok(response)
}
