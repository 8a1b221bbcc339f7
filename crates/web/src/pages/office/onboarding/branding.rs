//! `/office/branding` (administrators): the brand colour and the text drawn on it
//! (a pair failing WCAG AA contrast is refused with its ratio, next to the field), with
//! a preview, and the logo (uploaded, checked by content and re-encoded; removing it asks
//! first). The portal's header, its sign-in page and the emails' header use them.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::setup::branding::{self, Colours};
use doorstep_core::theme::{HexColour, contrast_ratio, ratio_text};
use doorstep_media::{LOGO_EDGE, MAX_LOGO_BYTES, MAX_LOGO_PIXELS};
use serde::Deserialize;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Query};
use crate::uploads::{UploadError, read_form, store_logo, upload_slot};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

#[derive(Template)]
#[template(path = "office/onboarding/branding.html")]
struct BrandingPage {
    chrome: OfficeChrome,
    colour: String,
    text: String,
    colour_error: Option<String>,
    text_error: Option<String>,
    /// The saved pair, for the preview, and its contrast ratio.
    preview: (String, String, String),
    has_logo: bool,
    logo_error: Option<String>,
    limits: String,
    notice: Option<&'static str>,
}

/// The page's query string.
#[derive(Debug, Deserialize, Default)]
pub struct BrandingQuery {
    done: Option<String>,
}

/// The colours form as posted.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
pub struct ColoursForm {
    brand_primary: String,
    brand_text: String,
}

/// The pair as saved: the text colour chosen, or the readable one when none was.
fn saved_pair(staff: &SignedInStaff) -> (String, String) {
    let company = &staff.company;
    let colour = HexColour::parse(&company.brand_primary)
        .map(|c| c.as_str().to_owned())
        .unwrap_or_else(|_| "#0b5cad".to_owned());
    let text = HexColour::parse(&company.brand_text)
        .map(|t| t.as_str().to_owned())
        .or_else(|_| HexColour::parse(&colour).map(|c| c.readable_text().to_owned()))
        .unwrap_or_else(|_| "#ffffff".to_owned());
    (colour, text)
}

fn page(staff: &SignedInStaff, csrf: &str) -> BrandingPage {
    let (colour, text) = saved_pair(staff);
    let ratio = match (HexColour::parse(&colour), HexColour::parse(&text)) {
        (Ok(c), Ok(t)) => ratio_text(contrast_ratio(&c, &t)),
        _ => String::new(),
    };
    BrandingPage {
        chrome: OfficeChrome::of(staff, csrf),
        preview: (colour.clone(), text.clone(), ratio),
        colour,
        text,
        colour_error: None,
        text_error: None,
        has_logo: staff.company.logo_key.is_some(),
        logo_error: None,
        limits: format!(
            "PNG, JPEG or WebP, at most {} MB and {} megapixels; shown at most {LOGO_EDGE} pixels wide.",
            MAX_LOGO_BYTES / (1024 * 1024),
            MAX_LOGO_PIXELS.div_ceil(1_000_000)
        ),
        notice: None,
    }
}

fn render(page: &BrandingPage, status: StatusCode) -> Result<Response, WebError> {
    crate::kit::render::page_with(status, page)
}

/// `GET /office/branding`.
pub async fn show(
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<BrandingQuery>,
) -> Result<Response, WebError> {
    staff.actor.admin()?;
    let mut p = page(&staff, &csrf);
    p.notice = match query.done.as_deref() {
        Some("colours") => Some("Colours saved."),
        Some("unchanged") => Some("Nothing was changed."),
        Some("logo") => Some("Logo uploaded."),
        Some("removed") => Some("Logo removed."),
        _ => None,
    };
    render(&p, StatusCode::OK)
}

/// `POST /office/branding/colours`.
pub async fn save_colours(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Form(form): Form<ColoursForm>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let colours = match Colours::parse(&form.brand_primary, &form.brand_text) {
        Ok(colours) => colours,
        Err(errors) => {
            let mut p = page(&staff, &csrf);
            p.colour = form.brand_primary;
            p.text = form.brand_text;
            p.colour_error = errors.get("brand_primary");
            p.text_error = errors.get("brand_text");
            return render(&p, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let changed = branding::set_colours(&state.app, admin, colours).await?;
    let done = if changed { "colours" } else { "unchanged" };
    Ok(Redirect::to(&format!("/office/branding?done={done}")).into_response())
}

/// `POST /office/branding/logo` (multipart): checks, re-encodes and stores the logo.
pub async fn upload_logo(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let _slot = upload_slot().await?;
    let form = read_form(multipart).await?;
    let refuse = |message: String| {
        let mut p = page(&staff, &csrf);
        p.logo_error = Some(message);
        render(&p, StatusCode::UNPROCESSABLE_ENTITY)
    };
    let Some(part) = form.files.iter().find(|f| f.field == "logo") else {
        return refuse("Choose a logo to upload.".to_owned());
    };
    let logo = match store_logo(&state.files, part).await {
        Ok(logo) => logo,
        Err(UploadError::Rejected(e)) => return refuse(logo_message(e)),
        Err(e) => return Err(e.into()),
    };
    branding::set_logo(&state.app, admin, logo).await?;
    Ok(Redirect::to("/office/branding?done=logo").into_response())
}

/// The refusal in a logo's words.
fn logo_message(e: doorstep_media::MediaError) -> String {
    use doorstep_media::MediaError as M;
    match e {
        M::NotAPhoto | M::NotAccepted => {
            "The file is not a PNG, JPEG or WebP picture (SVG is not accepted).".to_owned()
        }
        M::TooManyPixels { limit_mp } => format!(
            "The logo has too many pixels (at most {limit_mp} megapixels); please send a smaller one."
        ),
        other => other.to_string(),
    }
}

#[derive(Template)]
#[template(path = "office/confirm.html")]
struct ConfirmPage {
    chrome: OfficeChrome,
    title: String,
    message: String,
    action: String,
    button: String,
    back: String,
}

/// `GET /office/branding/logo/remove`: asks first.
pub async fn confirm_remove(
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, WebError> {
    staff.actor.admin()?;
    if staff.company.logo_key.is_none() {
        return Ok(Redirect::to("/office/branding").into_response());
    }
    let page = ConfirmPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        title: "Remove the logo?".into(),
        message: "The portal, its sign-in page, emails and documents show your company's name instead. You can upload a logo again at any time.".into(),
        action: "/office/branding/logo/remove".into(),
        button: "Remove the logo".into(),
        back: "/office/branding".into(),
    };
    crate::kit::render::page_with(StatusCode::OK, &page)
}

/// `POST /office/branding/logo/remove`.
pub async fn remove_logo(
    State(state): State<AppState>,
    staff: SignedInStaff,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let removed = branding::remove_logo(&state.app, admin).await?;
    let done = if removed { "removed" } else { "unchanged" };
    Ok(Redirect::to(&format!("/office/branding?done={done}")).into_response())
}
