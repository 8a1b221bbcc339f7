//! The company's own wording of its emails (administrators): every kind with its
//! placeholders, a preview, and a way back to the shipped default.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use doorstep_app::settings::email_templates::{self, Wording};
use doorstep_mail::{EmailKind, render};
use serde::Deserialize;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

struct KindRow {
    kind: &'static str,
    label: &'static str,
    customised: bool,
}

#[derive(Template)]
#[template(path = "office/email_templates.html")]
struct ListPage {
    chrome: OfficeChrome,
    rows: Vec<KindRow>,
}

#[derive(Template)]
#[template(path = "office/email_template.html")]
struct EditPage {
    chrome: OfficeChrome,
    kind: &'static str,
    label: &'static str,
    placeholders: Vec<String>,
    subject: String,
    body: String,
    customised: bool,
    subject_error: Option<String>,
    body_error: Option<String>,
    notice: Option<String>,
    preview_subject: String,
    preview_text: String,
}

/// The wording as typed.
#[derive(Deserialize)]
pub struct TemplateForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    action: String,
}

fn admin_only(staff: &SignedInStaff) -> Result<(), WebError> {
    staff.actor.admin()?;
    Ok(())
}

fn html(page: impl Template, status: StatusCode) -> Result<Response, WebError> {
    crate::kit::render::page_with(status, &page)
}

/// `GET /office/email-templates`.
pub async fn list(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, WebError> {
    admin_only(&staff)?;
    let mut rows = Vec::new();
    for kind in EmailKind::ALL {
        let saved = state
            .store
            .email_template(staff.company.id, kind.as_str())
            .await?;
        rows.push(KindRow {
            kind: kind.as_str(),
            label: kind.label(),
            customised: saved.is_some(),
        });
    }
    let page = ListPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        rows,
    };
    html(page, StatusCode::OK)
}

struct Draft {
    subject: String,
    body: String,
    errors: (Option<String>, Option<String>),
    notice: Option<String>,
}

fn edit_page(
    staff: &SignedInStaff,
    csrf: &str,
    kind: EmailKind,
    customised: bool,
    draft: Draft,
) -> EditPage {
    // The preview shows each placeholder by name, so the office sees where values go.
    let names: Vec<String> = kind
        .placeholders()
        .iter()
        .map(|p| format!("[{p}]"))
        .collect();
    let values: Vec<(&str, &str)> = kind
        .placeholders()
        .iter()
        .zip(&names)
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    let preview = render(kind, Some((&draft.subject, &draft.body)), &values);
    EditPage {
        chrome: OfficeChrome::of(staff, csrf),
        kind: kind.as_str(),
        label: kind.label(),
        placeholders: kind
            .placeholders()
            .iter()
            .map(|p| format!("{{{{{p}}}}}"))
            .collect(),
        subject: draft.subject,
        body: draft.body,
        customised,
        subject_error: draft.errors.0,
        body_error: draft.errors.1,
        notice: draft.notice,
        preview_subject: preview.subject,
        preview_text: preview.text,
    }
}

fn kind_of(raw: &str) -> Result<EmailKind, WebError> {
    EmailKind::parse(raw).ok_or(WebError::NotFound)
}

/// `GET /office/email-templates/{kind}`.
pub async fn edit(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(kind): Path<String>,
) -> Result<Response, WebError> {
    admin_only(&staff)?;
    let kind = kind_of(&kind)?;
    let saved = state
        .store
        .email_template(staff.company.id, kind.as_str())
        .await?;
    let customised = saved.is_some();
    let (subject, body) = saved.unwrap_or_else(|| {
        (
            kind.default_subject().to_owned(),
            kind.default_body().to_owned(),
        )
    });
    let draft = Draft {
        subject,
        body,
        errors: (None, None),
        notice: None,
    };
    html(
        edit_page(&staff, &csrf, kind, customised, draft),
        StatusCode::OK,
    )
}

/// `POST /office/email-templates/{kind}`: save the wording, or restore the default.
pub async fn save(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(kind): Path<String>,
    Form(form): Form<TemplateForm>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let kind = kind_of(&kind)?;
    let draft = if form.action == "restore" {
        email_templates::restore(&state.app, admin, kind).await?;
        Draft {
            subject: kind.default_subject().to_owned(),
            body: kind.default_body().to_owned(),
            errors: (None, None),
            notice: Some("The default wording is back.".into()),
        }
    } else {
        match Wording::parse(kind, &form.subject, &form.body) {
            Ok(wording) => {
                email_templates::save(&state.app, admin, kind, wording.clone()).await?;
                Draft {
                    subject: wording.subject().to_owned(),
                    body: wording.body().to_owned(),
                    errors: (None, None),
                    notice: Some("Saved. Emails of this kind now use your wording.".into()),
                }
            }
            Err(errors) => {
                let customised = state
                    .store
                    .email_template(staff.company.id, kind.as_str())
                    .await?
                    .is_some();
                let draft = Draft {
                    errors: (errors.get("subject"), errors.get("body")),
                    subject: form.subject.replace("\r\n", "\n"),
                    body: form.body.replace("\r\n", "\n"),
                    notice: None,
                };
                return html(
                    edit_page(&staff, &csrf, kind, customised, draft),
                    StatusCode::UNPROCESSABLE_ENTITY,
                );
            }
        }
    };
    let customised = form.action != "restore";
    html(
        edit_page(&staff, &csrf, kind, customised, draft),
        StatusCode::OK,
    )
}
