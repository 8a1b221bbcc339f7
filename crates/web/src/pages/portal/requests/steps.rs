//! The steps of the request form: `GET /requests/new` (step 1 before any draft exists),
//! `POST /requests/new` (step 1's answers start a draft), and
//! `GET|POST /requests/new/{draft}/{step}`. Each POST checks its step and either shows the
//! page again with messages next to the fields (nothing lost) or saves and moves on.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::booking::checks::{Context, first_failing};
use doorstep_app::booking::drafts::{self, CheckedStep, DraftSaved};
use doorstep_app::booking::form::{Errors, read_form};
use doorstep_core::authz::PortalAction;
use doorstep_core::request_form::RequestAnswers;
use doorstep_core::status::ScheduleType;
use doorstep_core::visits::slot_and_hours;
use doorstep_store::request_portal::RequestDraft;

use super::{Step, answered, load_draft, photo_limit, step_href, step_total};
use crate::auth::session::SignedInContact;
use crate::csrf::CsrfToken;
use crate::extract::{Form, Path};
use crate::pages::portal::billing::require;
use crate::pages::portal::requests::submit::render_summary;
use crate::views::PortalChrome;
use crate::{AppState, WebError};

/// One radio button or select option.
pub struct OptionView {
    /// Its value.
    pub value: String,
    /// What it says.
    pub label: String,
    /// Picked now.
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "portal/requests/step.html")]
struct StepPage {
    chrome: PortalChrome,
    step: &'static str,
    title: &'static str,
    number: u8,
    total: u8,
    action: String,
    back: Option<String>,
    a: RequestAnswers,
    errors: Errors,
    earliest: String,
    /// The same, as people read it.
    earliest_text: String,
    windows: Vec<OptionView>,
    other_date: bool,
    schedules: Vec<OptionView>,
    sites: Vec<OptionView>,
    may_add_address: bool,
    contacts: Vec<OptionView>,
    job_type_label: String,
    job_types: Vec<OptionView>,
    products: Vec<OptionView>,
    services: Vec<OptionView>,
    offers_sub_customer: bool,
    address_fields: Vec<(&'static str, &'static str, String)>,
    contact_fields: Vec<(&'static str, &'static str, &'static str, String)>,
}

fn option(value: String, label: String, checked: bool) -> OptionView {
    OptionView {
        value,
        label,
        checked,
    }
}

/// Renders `step` with `answers` and `errors`.
#[allow(clippy::too_many_arguments)]
fn render(
    contact: &SignedInContact,
    csrf: &str,
    ctx: &Context,
    key: Option<&str>,
    step: Step,
    a: RequestAnswers,
    errors: Errors,
    status: StatusCode,
) -> Result<Response, WebError> {
    let action = match key {
        Some(key) => step_href(key, step),
        None => "/requests/new".to_owned(),
    };
    let back = match (key, step) {
        (_, Step::When) | (None, _) => None,
        (Some(key), step) => Step::ALL
            .get(step.number() as usize - 2)
            .map(|prev| step_href(key, *prev)),
    };
    let windows = ctx
        .windows
        .iter()
        .map(|w| {
            let slot = slot_and_hours(&w.slot, &w.start_time, &w.end_time);
            let free = w.free();
            let places = if free == 1 { "place" } else { "places" };
            option(
                format!("window-{}", w.id),
                format!(
                    "{} · {slot} · {free} {places} left",
                    crate::display::weekday_date(w.window_date)
                ),
                a.window == Some(w.id),
            )
        })
        .collect();
    let schedules = ScheduleType::ALL
        .iter()
        .map(|s| {
            option(
                s.as_str().into(),
                s.label().into(),
                a.schedule == s.as_str(),
            )
        })
        .collect();
    let sites = ctx
        .sites
        .iter()
        .map(|s| {
            let place = [s.line1.as_str(), s.city.as_str()]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            option(
                s.id.to_string(),
                format!("{} — {place}", s.name),
                !a.new_address && a.site == Some(s.id),
            )
        })
        .collect();
    let contacts = ctx
        .contacts
        .iter()
        .map(|c| {
            let reach = [c.email.clone().unwrap_or_default(), c.phone.clone()]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            let name = format!("{} {}", c.first_name, c.last_name)
                .trim()
                .to_owned();
            let label = if reach.is_empty() {
                name
            } else {
                format!("{name} ({reach})")
            };
            option(
                c.id.to_string(),
                label,
                !a.new_contact && a.contact == Some(c.id),
            )
        })
        .collect();
    let pick = |kind: &str, chosen: Option<i64>| -> Vec<OptionView> {
        let list = if kind == "job_type" {
            &ctx.job_types
        } else {
            &ctx.items
        };
        list.iter()
            .filter(|c| c.kind == kind)
            .map(|c| option(c.id.to_string(), c.name.clone(), chosen == Some(c.id)))
            .collect()
    };
    let view = StepPage {
        chrome: PortalChrome::of(contact, csrf).at("/requests"),
        step: step.slug(),
        title: step.title(),
        number: step.number(),
        total: step_total(photo_limit(contact)),
        action,
        back,
        earliest: crate::display::iso_date(ctx.earliest),
        earliest_text: crate::display::date(ctx.earliest),
        windows,
        other_date: a.window.is_none(),
        schedules,
        sites,
        may_add_address: ctx.may_add_address(),
        contacts,
        job_type_label: ctx.settings.job_type_label().to_owned(),
        job_types: pick("job_type", a.job_type),
        products: pick("product", a.item),
        services: pick("service", a.item),
        offers_sub_customer: ctx.offers_sub_customer(),
        address_fields: vec![
            ("line1", "Street address", a.line1.clone()),
            ("city", "City", a.city.clone()),
            ("region", "Region", a.region.clone()),
            ("postal_code", "Postal code", a.postal_code.clone()),
        ],
        contact_fields: vec![
            ("contact_name", "Name", "text", a.contact_name.clone()),
            ("contact_email", "Email", "email", a.contact_email.clone()),
            ("contact_phone", "Phone", "tel", a.contact_phone.clone()),
        ],
        a,
        errors,
    };
    crate::kit::render::page_with(status, &view)
}

/// Fresh answers: the signed-in contact as the visit contact, the sub-customer default,
/// and the only site when there is just one.
fn fresh(contact: &SignedInContact, ctx: &Context) -> RequestAnswers {
    RequestAnswers {
        contact: Some(contact.active.contact.0),
        sub_customer: ctx.offers_sub_customer() && ctx.settings.sub_customer_checked_on_requests,
        site: (ctx.sites.len() == 1).then(|| ctx.sites[0].id),
        ..RequestAnswers::default()
    }
}

/// `GET /requests/new`: step 1, before anything is saved.
pub async fn start(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::RequestService)?;
    let ctx = Context::load(&state.app, &contact.actor).await?;
    let answers = fresh(&contact, &ctx);
    render(
        &contact,
        &csrf,
        &ctx,
        None,
        Step::When,
        answers,
        Errors::default(),
        StatusCode::OK,
    )
}

/// `POST /requests/new`: step 1's answers, checked, start a draft.
pub async fn begin(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    require(&contact, PortalAction::RequestService)?;
    let ctx = Context::load(&state.app, &contact.actor).await?;
    let mut answers = fresh(&contact, &ctx);
    let errors = read_form(Step::When, &mut answers, &pairs);
    let first = match CheckedStep::check(Step::When, &answers, errors, &ctx) {
        Ok(first) => first,
        Err(errors) => {
            return render(
                &contact,
                &csrf,
                &ctx,
                None,
                Step::When,
                answers,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let key = drafts::start(&state.app, &contact.actor, first).await?;
    Ok(Redirect::to(&step_href(&key, Step::Address)).into_response())
}

/// Where a submitted draft's pages lead: its request's confirmation.
pub fn submitted(draft: &RequestDraft) -> Option<Response> {
    draft.request_number.as_deref().map(confirmation)
}

/// `GET /requests/new/{draft}/{step}`.
pub async fn show(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path((key, step)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (draft, answers) = load_draft(&state, &contact, &key).await?;
    let step = Step::parse(&step).ok_or(WebError::NotFound)?;
    if let Some(done) = submitted(&draft) {
        return Ok(done);
    }
    // A step is open once the ones before it were answered.
    let limit = photo_limit(&contact);
    let done = answered(&answers, limit);
    if step.number() > done + 1 {
        let open = Step::ALL
            .get(done as usize)
            .copied()
            .unwrap_or(Step::Summary);
        return Ok(Redirect::to(&step_href(&key, open)).into_response());
    }
    if step == Step::Photos {
        if limit == 0 {
            return Ok(Redirect::to(&step_href(&key, Step::Summary)).into_response());
        }
        return super::photos::render_page(
            &state,
            &contact,
            &csrf,
            &draft,
            Default::default(),
            StatusCode::OK,
        )
        .await;
    }
    let ctx = Context::load(&state.app, &contact.actor).await?;
    if step == Step::Summary {
        if let Some((failing, errors)) = first_failing(&answers, &ctx) {
            return render(
                &contact,
                &csrf,
                &ctx,
                Some(&key),
                failing,
                answers,
                errors,
                StatusCode::OK,
            );
        }
        return render_summary(
            &state,
            &contact,
            &csrf,
            &ctx,
            &draft,
            &answers,
            None,
            StatusCode::OK,
        )
        .await;
    }
    render(
        &contact,
        &csrf,
        &ctx,
        Some(&key),
        step,
        answers,
        Errors::default(),
        StatusCode::OK,
    )
}

/// `POST /requests/new/{draft}/{step}`: check, save, move on (to the summary once every
/// step was answered, so "Make changes" returns there).
pub async fn save(
    State(state): State<AppState>,
    contact: SignedInContact,
    CsrfToken(csrf): CsrfToken,
    Path((key, step)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (draft, mut answers) = load_draft(&state, &contact, &key).await?;
    let step = Step::parse(&step).ok_or(WebError::NotFound)?;
    if let Some(done) = submitted(&draft) {
        return Ok(done);
    }
    // Photos are posted as an upload to their own route (`photos.rs`).
    let limit = photo_limit(&contact);
    if step == Step::Summary
        || step == Step::Photos
        || step.number() > answered(&answers, limit) + 1
    {
        return Err(WebError::NotFound);
    }
    let ctx = Context::load(&state.app, &contact.actor).await?;
    let errors = read_form(step, &mut answers, &pairs);
    let checked = match CheckedStep::check(step, &answers, errors, &ctx) {
        Ok(checked) => checked,
        Err(errors) => {
            return render(
                &contact,
                &csrf,
                &ctx,
                Some(&key),
                step,
                answers,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    saved(
        &key,
        drafts::save(&state.app, &contact.actor, &key, checked).await?,
    )
}

/// Where a saved change leads: the next step, or the request the draft became.
pub fn saved(key: &str, outcome: DraftSaved) -> Result<Response, WebError> {
    Ok(match outcome {
        DraftSaved::Next(step) => Redirect::to(&step_href(key, step)).into_response(),
        DraftSaved::Submitted(number) => confirmation(&number),
    })
}

/// The confirmation page of request `number`.
pub fn confirmation(number: &str) -> Response {
    Redirect::to(&format!(
        "/requests/{}?submitted=1",
        crate::kit::urls::path_segment(number)
    ))
    .into_response()
}
