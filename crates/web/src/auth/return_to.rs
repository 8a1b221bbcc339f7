//! Where to go after signing in: the page a signed-out visitor asked for is remembered in
//! a short-lived cookie when the guard sends them to sign in, and taken back by whichever
//! way they then sign in (password, emailed link, second factor). Only a path on this host
//! of the same audience is ever followed (`core::sign_in::return_path`).

use axum::http::HeaderMap;
use axum::http::header::{COOKIE, HeaderValue, SET_COOKIE};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};
use doorstep_core::sign_in::return_path;

use crate::AppState;

/// Long enough to type a password or fetch a code; short enough not to surprise later.
const REMEMBER_FOR: time::Duration = time::Duration::minutes(15);

fn cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-doorstep_return"
    } else {
        "doorstep_return"
    }
}

fn cookie(state: &AppState, value: String, max_age: time::Duration) -> Option<HeaderValue> {
    let https = state.config.https;
    let cookie = Cookie::build((cookie_name(https), value))
        .path("/")
        .http_only(true)
        .secure(https)
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .build();
    HeaderValue::from_str(&cookie.to_string()).ok()
}

/// The redirect to `sign_in` for a visitor who asked for `asked` (path and query),
/// remembering it when it is a page worth returning to.
pub fn send_to_sign_in(state: &AppState, sign_in: &str, asked: &str) -> Response {
    let mut response = Redirect::to(sign_in).into_response();
    let office = sign_in.starts_with("/office");
    if let Some(path) = return_path(asked, office) {
        let encoded: String = form_urlencoded::byte_serialize(path.as_bytes()).collect();
        if let Some(value) = cookie(state, encoded, REMEMBER_FOR) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

/// The remembered page for the audience signing in (`office` or not), if any and safe.
pub fn remembered(headers: &HeaderMap, state: &AppState, office: bool) -> Option<String> {
    let name = cookie_name(state.config.https);
    let raw = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())?;
    let decoded: String = form_urlencoded::parse(format!("p={raw}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())?;
    return_path(&decoded, office).map(str::to_owned)
}

/// Adds a header that forgets the remembered page, once it has been used.
pub fn forget(response: &mut Response, state: &AppState) {
    if let Some(value) = cookie(state, String::new(), time::Duration::ZERO) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}
