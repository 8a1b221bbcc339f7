//! The summary (`GET /requests/new/{draft}/summary`) and submitting it
//! (`POST /requests/new/{draft}/submit`, the use case `doorstep_app::booking::submit`:
//! every answer checked again, then in one transaction the draft claimed so a double click
//! or retry submits once, the request written, audited and both emails queued). A step
//! gone stale sends the customer back to it; a clash shows the summary with why.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::booking::checks::{Context, first_failing, visit_contact, when_text, where_text};
use doorstep_app::booking::submit as submitting;
use doorstep_core::request_form::RequestAnswers;
use doorstep_store::request_portal::RequestDraft;

use super::photos::{PhotoView, photo_views};
use super::steps::confirmation;
use super::{Step, load_draft, photo_limit, step_href};
use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::extract::Path;
use crate::views::PortalChrome;
use crate::{AppState, WebError};

/// One section of the summary with its "Make changes" link.
pub struct SummarySection {
    /// Heading.
    pub title: &'static str,
    /// Lines shown.
    pub lines: Vec<String>,
    /// The step to change it.
    pub change: String,
}

#[derive(Template)]
#[template(path = "portal/requests/summary.html")]
struct SummaryPage {
    chrome: PortalChrome,
    sections: Vec<SummarySection>,
    /// Shown when the company takes photos (or some were added before it stopped).
    photos_offered: bool,
    /// "Make changes" leads to the photos step only while it is offered.
    photos_editable: bool,
    photos: Vec<PhotoView>,
    photos_change: String,
    action: String,
    refusal: Option<String>,
}

fn what_lines(a: &RequestAnswers, ctx: &Context) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(t) = a
        .job_type
        .and_then(|id| ctx.job_types.iter().find(|t| t.id == id))
    {
        lines.push(format!("{}: {}", ctx.settings.job_type_label(), t.name));
    }
    if let Some(i) = a.item.and_then(|id| ctx.items.iter().find(|i| i.id == id)) {
        let kind = if i.kind == "product" {
            "Product"
        } else {
            "Service"
        };
        lines.push(format!("{kind}: {}", i.name));
    }
    lines.push(a.description.clone());
    if !a.po_number.is_empty() {
        lines.push(format!("PO number: {}", a.po_number));
    }
    if a.sub_customer && ctx.offers_sub_customer() {
        lines.push("For a sub-customer".into());
    }
    lines
}

/// Renders the summary of `draft`, with `refusal` above it when the submit was refused.
#[allow(clippy::too_many_arguments)]
pub async fn render_summary(
    state: &AppState,
    contact: &SignedInContact,
    csrf: &str,
    ctx: &Context,
    draft: &RequestDraft,
    a: &RequestAnswers,
    refusal: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let key = &draft.draft_key;
    let (name, email, phone) = visit_contact(a, ctx);
    let reach: Vec<String> = [name, email, phone]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    let sections = vec![
        SummarySection {
            title: "Date and time",
            lines: vec![when_text(a, ctx)],
            change: step_href(key, Step::When),
        },
        SummarySection {
            title: "Address",
            lines: vec![where_text(a, ctx)],
            change: step_href(key, Step::Address),
        },
        SummarySection {
            title: "Contact",
            lines: reach,
            change: step_href(key, Step::Contact),
        },
        SummarySection {
            title: "What needs doing",
            lines: what_lines(a, ctx),
            change: step_href(key, Step::What),
        },
    ];
    let photos = state
        .store
        .draft_photos(contact.portal.company.id, draft.id)
        .await?;
    let view = SummaryPage {
        chrome: PortalChrome::of(contact, csrf).at("/requests"),
        sections,
        photos_offered: photo_limit(contact) > 0 || !photos.is_empty(),
        photos_editable: photo_limit(contact) > 0,
        photos: photo_views(key, &photos),
        photos_change: step_href(key, Step::Photos),
        action: format!("/requests/new/{key}/submit"),
        refusal,
    };
    crate::kit::render::page_with(status, &view)
}

/// `POST /requests/new/{draft}/submit`.
pub async fn submit(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let (draft, a) = load_draft(&state, &contact, &key).await?;
    if let Some(number) = &draft.request_number {
        return Ok(confirmation(number));
    }
    if a.done < Step::What.number() {
        return Ok(Redirect::to(&step_href(&key, Step::When)).into_response());
    }
    let ctx = Context::load(&state.app, &contact.actor).await?;
    if let Some((step, _)) = first_failing(&a, &ctx) {
        // The step shows what is wrong now (a window filled up, an item withdrawn...).
        return Ok(Redirect::to(&step_href(&key, step)).into_response());
    }
    match submitting::submit(&state.app, &contact.actor, &key).await {
        Ok(done) => Ok(confirmation(&done.number)),
        // It went stale between the checks above and the submit: the step shows why.
        Err(AppError::Invalid(e)) => {
            let step = Step::parse(e.field).unwrap_or(Step::When);
            Ok(Redirect::to(&step_href(&key, step)).into_response())
        }
        Err(AppError::Conflict { message, .. }) => {
            render_summary(
                &state,
                &contact,
                &csrf,
                &ctx,
                &draft,
                &a,
                Some(message),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
