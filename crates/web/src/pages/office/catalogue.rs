//! `/office/catalogue`: the requestable catalogue (seed 004), administrators only like the
//! other portal settings. Items are added, edited, hidden and shown again, never deleted,
//! so old requests keep their names.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use doorstep_core::authz::{OfficeWork, area_of, staff_may};
use doorstep_core::catalogue::{ItemKind, check_description, check_name, parse_price, price_input};
use doorstep_core::ids::CatalogueItemId;
use doorstep_core::money::Currency;
use doorstep_store::StoreError;
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::catalogue::{CatalogueInput, CatalogueItem};
use serde::Deserialize;

use crate::auth::session::SignedInStaff;
use crate::csrf::CsrfToken;
use crate::display::money;
use crate::extract::{Form, Path, Query};
use crate::views::OfficeChrome;
use crate::{AppState, WebError};

const PAGE: i64 = 50;

/// An item as the list shows it.
struct Row {
    item: CatalogueItem,
    kind: &'static str,
    price: String,
}

/// The form's values and the messages next to its fields.
#[derive(Default)]
struct Draft {
    kind: String,
    name: String,
    description: String,
    price: String,
    shown: bool,
    kind_error: Option<String>,
    name_error: Option<String>,
    description_error: Option<String>,
    price_error: Option<String>,
}

#[derive(Template)]
#[template(path = "office/catalogue.html")]
struct ListPage {
    chrome: OfficeChrome,
    rows: Vec<Row>,
    next: Option<String>,
    draft: Draft,
    notice: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "office/catalogue_item.html")]
struct EditPage {
    chrome: OfficeChrome,
    id: i64,
    draft: Draft,
}

/// The list's query string.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    after_name: Option<String>,
    after_id: Option<i64>,
    done: Option<String>,
}

/// An item as posted.
#[derive(Deserialize, Default)]
pub struct ItemForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    price: String,
    #[serde(default)]
    show_in_portal: Option<String>,
}

/// The visibility switch as posted.
#[derive(Deserialize)]
pub struct VisibilityForm {
    #[serde(default)]
    show: String,
}

fn require(staff: &SignedInStaff) -> Result<(), WebError> {
    if staff_may(staff.staff.role, area_of(OfficeWork::Catalogue)) {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

fn currency(staff: &SignedInStaff) -> Currency {
    Currency::parse(&staff.company.currency).unwrap_or(Currency::USD)
}

fn render(page: &impl Template, status: StatusCode) -> Result<Response, WebError> {
    let html = page.render().map_err(WebError::internal)?;
    Ok((status, Html(html)).into_response())
}

/// Checks a posted item: the input to save, or the draft with its messages.
fn check(form: ItemForm, cur: Currency) -> Result<CatalogueInput, Box<Draft>> {
    let kind = ItemKind::parse(&form.kind);
    let name = check_name(&form.name);
    let description = check_description(&form.description);
    let price = parse_price(&form.price, cur);
    match (&kind, &name, &description, &price) {
        (Ok(k), Ok(n), Ok(d), Ok(p)) => Ok(CatalogueInput {
            kind: k.as_str().to_owned(),
            name: n.clone(),
            description: d.clone(),
            unit_price_minor: *p,
            show_in_portal: form.show_in_portal.is_some(),
        }),
        _ => Err(Box::new(Draft {
            kind_error: kind.err().map(|e| e.message),
            name_error: name.err().map(|e| e.message),
            description_error: description.err().map(|e| e.message),
            price_error: price.err().map(|e| e.message),
            kind: form.kind,
            name: form.name,
            description: form.description,
            price: form.price,
            shown: form.show_in_portal.is_some(),
        })),
    }
}

/// The form as posted, with the message for a name another item already has.
fn name_taken(input: &CatalogueInput, price: String) -> Draft {
    Draft {
        kind: input.kind.clone(),
        name: input.name.clone(),
        description: input.description.clone(),
        price,
        shown: input.show_in_portal,
        name_error: Some(format!(
            "There is already an item called “{}”. Edit that one, or choose another name.",
            input.name
        )),
        ..Draft::default()
    }
}

async fn list_page(
    state: &AppState,
    staff: &SignedInStaff,
    csrf: &str,
    query: &ListQuery,
    draft: Draft,
) -> Result<ListPage, WebError> {
    let after = match (&query.after_name, query.after_id) {
        (Some(name), Some(id)) => Some((name.as_str(), id)),
        _ => None,
    };
    let mut items = state
        .store
        .catalogue_page(staff.company.id, after, PAGE + 1)
        .await?;
    let next = if items.len() as i64 > PAGE {
        items.truncate(PAGE as usize);
        items.last().map(|last| {
            let encoded: String = form_urlencoded::Serializer::new(String::new())
                .extend_pairs([
                    ("after_name", last.name.as_str()),
                    ("after_id", &last.id.to_string()),
                ])
                .finish();
            format!("/office/catalogue?{encoded}")
        })
    } else {
        None
    };
    let cur = &staff.company.currency;
    let rows = items
        .into_iter()
        .map(|item| Row {
            kind: ItemKind::parse(&item.kind)
                .map(|k| k.label())
                .unwrap_or("Item"),
            price: money(item.unit_price_minor, cur),
            item,
        })
        .collect();
    let notice = match query.done.as_deref() {
        Some("added") => Some("Added. Customers can now pick it in the portal."),
        Some("added_hidden") => Some("Added, hidden from the portal."),
        Some("saved") => Some("Saved."),
        Some("hidden") => {
            Some("Hidden from the portal. Requests that already name it keep its name.")
        }
        Some("shown") => Some("Shown in the portal again."),
        _ => None,
    };
    Ok(ListPage {
        chrome: OfficeChrome::of(staff, csrf),
        rows,
        next,
        draft,
        notice,
    })
}

fn audit(
    staff: &SignedInStaff,
    peer: SocketAddr,
    action: &'static str,
    id: i64,
    detail: serde_json::Value,
) -> NewAuditEvent {
    NewAuditEvent {
        actor_kind: "staff",
        actor_id: Some(staff.staff.id.0),
        actor_label: staff.staff.email.clone(),
        action,
        subject_kind: "catalogue_item",
        subject_id: Some(id),
        ip: peer.ip().to_string(),
        detail: detail.to_string(),
        at: doorstep_store::now(),
    }
}

/// `GET /office/catalogue`: every item, shown or hidden, and the form to add one.
pub async fn list(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    require(&staff)?;
    let draft = Draft {
        kind: "service".into(),
        shown: true,
        ..Draft::default()
    };
    let page = list_page(&state, &staff, &csrf, &query, draft).await?;
    render(&page, StatusCode::OK)
}

/// `POST /office/catalogue`: adds an item.
pub async fn add(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(form): Form<ItemForm>,
) -> Result<Response, WebError> {
    require(&staff)?;
    let price = form.price.clone();
    let input = match check(form, currency(&staff)) {
        Ok(input) => input,
        Err(draft) => {
            let page = list_page(&state, &staff, &csrf, &ListQuery::default(), *draft).await?;
            return render(&page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let company = staff.company.id;
    let mut tx = state.store.begin().await?;
    let id = match tx.add_catalogue_item(company, &input).await {
        Ok(id) => id,
        // The only unique rule of the catalogue: one item per name (letter case aside).
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            let draft = name_taken(&input, price);
            let page = list_page(&state, &staff, &csrf, &ListQuery::default(), draft).await?;
            return render(&page, StatusCode::CONFLICT);
        }
        Err(e) => return Err(e.into()),
    };
    let detail = serde_json::json!({"kind": input.kind, "name": input.name, "unit_price_minor": input.unit_price_minor, "show_in_portal": input.show_in_portal});
    tx.audit(
        company,
        &audit(&staff, peer, "catalogue_item.added", id.0, detail),
    )
    .await?;
    tx.commit().await?;
    let done = if input.show_in_portal {
        "added"
    } else {
        "added_hidden"
    };
    Ok(Redirect::to(&format!("/office/catalogue?done={done}")).into_response())
}

async fn load(state: &AppState, staff: &SignedInStaff, id: i64) -> Result<CatalogueItem, WebError> {
    state
        .store
        .catalogue_item(staff.company.id, CatalogueItemId(id))
        .await?
        .ok_or(WebError::NotFound)
}

/// `GET /office/catalogue/{id}`: the edit form.
pub async fn edit(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    require(&staff)?;
    let item = load(&state, &staff, id).await?;
    let page = EditPage {
        chrome: OfficeChrome::of(&staff, &csrf),
        id: item.id,
        draft: Draft {
            price: price_input(item.unit_price_minor, currency(&staff)),
            kind: item.kind,
            name: item.name,
            description: item.description,
            shown: item.show_in_portal,
            ..Draft::default()
        },
    };
    render(&page, StatusCode::OK)
}

/// `POST /office/catalogue/{id}`: renames or edits an item.
pub async fn save(
    State(state): State<AppState>,
    staff: SignedInStaff,
    CsrfToken(csrf): CsrfToken,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<i64>,
    Form(form): Form<ItemForm>,
) -> Result<Response, WebError> {
    require(&staff)?;
    let old = load(&state, &staff, id).await?;
    let price = form.price.clone();
    let input = match check(form, currency(&staff)) {
        Ok(input) => input,
        Err(draft) => {
            let page = EditPage {
                chrome: OfficeChrome::of(&staff, &csrf),
                id,
                draft: *draft,
            };
            return render(&page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let company = staff.company.id;
    let mut tx = state.store.begin().await?;
    match tx
        .update_catalogue_item(company, CatalogueItemId(id), &input)
        .await
    {
        Ok(true) => {}
        Ok(false) => return Err(WebError::NotFound),
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            let page = EditPage {
                chrome: OfficeChrome::of(&staff, &csrf),
                id,
                draft: name_taken(&input, price),
            };
            return render(&page, StatusCode::CONFLICT);
        }
        Err(e) => return Err(e.into()),
    }
    let detail = serde_json::json!({"old_name": old.name, "name": input.name, "kind": input.kind, "unit_price_minor": input.unit_price_minor, "show_in_portal": input.show_in_portal});
    tx.audit(
        company,
        &audit(&staff, peer, "catalogue_item.edited", id, detail),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/office/catalogue?done=saved").into_response())
}

/// `POST /office/catalogue/{id}/visibility`: hides an item from the portal or shows it again.
pub async fn visibility(
    State(state): State<AppState>,
    staff: SignedInStaff,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<i64>,
    Form(form): Form<VisibilityForm>,
) -> Result<Response, WebError> {
    require(&staff)?;
    let item = load(&state, &staff, id).await?;
    let shown = form.show == "1";
    let company = staff.company.id;
    let mut tx = state.store.begin().await?;
    if !tx
        .set_catalogue_item_shown(company, CatalogueItemId(id), shown)
        .await?
    {
        return Err(WebError::NotFound);
    }
    let action = if shown {
        "catalogue_item.shown"
    } else {
        "catalogue_item.hidden"
    };
    tx.audit(
        company,
        &audit(
            &staff,
            peer,
            action,
            id,
            serde_json::json!({"name": item.name}),
        ),
    )
    .await?;
    tx.commit().await?;
    let done = if shown { "shown" } else { "hidden" };
    Ok(Redirect::to(&format!("/office/catalogue?done={done}")).into_response())
}
