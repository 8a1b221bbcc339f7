//! The second step of signing in, for contacts and staff alike: the code from an
//! authenticator app, or a recovery code.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use doorstep_app::AppError;
use doorstep_app::credentials::two_factor::{self, Challenge, SignInCode};

use crate::auth::session::{PendingSignIn, set_session_cookie};
use crate::auth::sign_in::{Audience, AudiencePages, home_or_remembered, user_agent};
use crate::csrf::CsrfToken;
use crate::extract::Form;
use crate::views::Brand;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "two_factor/challenge.html")]
struct ChallengePage {
    brand: Brand,
    action: &'static str,
    restart: &'static str,
    csrf: String,
    error: Option<String>,
}

/// The typed code.
#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

fn page(
    pending: &PendingSignIn,
    csrf: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let audience = Audience::of(pending.session.owner);
    crate::kit::render::page_with(
        status,
        &ChallengePage {
            brand: Brand::of(&pending.company),
            action: audience.two_factor_page(),
            restart: audience.sign_in_page(),
            csrf,
            error,
        },
    )
}

/// `GET /sign-in/two-factor` and `GET /office/two-factor`.
pub async fn show(
    pending: PendingSignIn,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, WebError> {
    page(&pending, csrf, None, StatusCode::OK)
}

/// `POST /sign-in/two-factor` and `POST /office/two-factor`: a right code replaces the
/// waiting session with a full one (a new id again).
pub async fn submit(
    State(state): State<AppState>,
    pending: PendingSignIn,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    let challenge = Challenge {
        company: &pending.company,
        pending: &pending.session,
        ip: peer.ip(),
        user_agent: &user_agent(&headers),
    };
    let refused = |msg: String, status| page(&pending, csrf.clone(), Some(msg), status);
    match two_factor::pass_sign_in(&state.app, challenge, &form.code).await {
        Ok(SignInCode::Passed { token, .. }) => {
            let audience = Audience::of(pending.session.owner);
            let mut response = home_or_remembered(&state, audience, &headers);
            set_session_cookie(&mut response, &token, &state);
            Ok(response)
        }
        Ok(SignInCode::Wrong) => {
            let msg = "That code isn't right. Use the current code from your authenticator app, or one of your unused recovery codes.";
            refused(msg.into(), StatusCode::UNPROCESSABLE_ENTITY)
        }
        Ok(SignInCode::Throttled(until)) => {
            let minutes = ((until - doorstep_store::now()).whole_seconds().max(1) + 59) / 60;
            let msg =
                format!("Too many wrong codes. Please wait {minutes} minute(s) and try again.");
            refused(msg, StatusCode::TOO_MANY_REQUESTS)
        }
        Err(AppError::Invalid(e)) => refused(e.message, StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => Err(e.into()),
    }
}
