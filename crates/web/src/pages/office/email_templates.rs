//! The company's own wording of its emails (administrators): every kind with its
//! placeholders, a preview, and a way back to the shipped default.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use doorstep_core::authz::{OfficeArea, staff_may};
use doorstep_mail::templates::check_template;
use doorstep_mail::{EmailKind, render};
use doorstep_store::audit::NewAuditEvent;
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
    if staff_may(staff.staff.role, OfficeArea::Administration) {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

fn html(page: impl Template, status: StatusCode) -> Result<Response, WebError> {
    let body = page.render().map_err(WebError::internal)?;
    Ok((status, Html(body)).into_response())
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
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(kind): Path<String>,
    Form(form): Form<TemplateForm>,
) -> Result<Response, WebError> {
    admin_only(&staff)?;
    let kind = kind_of(&kind)?;
    let company = staff.company.id;
    let restore = form.action == "restore";
    let subject = form.subject.replace("\r\n", "\n");
    let body = form.body.replace("\r\n", "\n");
    if !restore {
        let problems = check_template(kind, &subject, &body);
        if !problems.is_empty() {
            let pick = |field: &str| {
                let msgs: Vec<&str> = problems
                    .iter()
                    .filter(|(f, _)| *f == field)
                    .map(|(_, m)| m.as_str())
                    .collect();
                (!msgs.is_empty()).then(|| msgs.join(" "))
            };
            let customised = state
                .store
                .email_template(company, kind.as_str())
                .await?
                .is_some();
            let draft = Draft {
                errors: (pick("subject"), pick("body")),
                subject,
                body,
                notice: None,
            };
            return html(
                edit_page(&staff, &csrf, kind, customised, draft),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    }
    let mut tx = state.store.begin().await?;
    if restore {
        tx.delete_email_template(company, kind.as_str()).await?;
    } else {
        tx.save_email_template(company, kind.as_str(), subject.trim(), &body)
            .await?;
    }
    tx.audit(
        company,
        &NewAuditEvent {
            actor_kind: "staff",
            actor_id: Some(staff.staff.id.0),
            actor_label: String::new(),
            action: if restore {
                "email_template.restored"
            } else {
                "email_template.saved"
            },
            subject_kind: "email_template",
            subject_id: None,
            ip: peer.ip().to_string(),
            detail: format!(r#"{{"kind":"{}"}}"#, kind.as_str()),
            at: doorstep_store::now(),
        },
    )
    .await?;
    tx.commit().await?;
    let (subject, body, notice) = if restore {
        (
            kind.default_subject().to_owned(),
            kind.default_body().to_owned(),
            "The default wording is back.",
        )
    } else {
        (
            subject.trim().to_owned(),
            body,
            "Saved. Emails of this kind now use your wording.",
        )
    };
    let draft = Draft {
        subject,
        body,
        errors: (None, None),
        notice: Some(notice.into()),
    };
    html(
        edit_page(&staff, &csrf, kind, !restore, draft),
        StatusCode::OK,
    )
}
