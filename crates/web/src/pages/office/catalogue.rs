//! `/office/catalogue`: the requestable catalogue (seed 004), administrators only like the
//! other portal settings. Items are added, edited, hidden and shown again, never deleted,
//! so old requests keep their names.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use doorstep_app::AppError;
use doorstep_app::settings::catalogue::{self, Item};
use doorstep_core::authz::{OfficeWork, area_of};
use doorstep_core::catalogue::{ItemKind, price_input};
use doorstep_core::ids::CatalogueItemId;
use doorstep_core::money::Currency;
use doorstep_store::catalogue::CatalogueItem;
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
    Ok(staff.actor.require(area_of(OfficeWork::Catalogue))?)
}

fn currency(staff: &SignedInStaff) -> Currency {
    Currency::parse(&staff.company.currency).unwrap_or(Currency::USD)
}

fn render(page: &impl Template, status: StatusCode) -> Result<Response, WebError> {
    crate::kit::render::page_with(status, &page)
}

impl ItemForm {
    /// The item to save, or the form as posted with the messages next to its fields.
    fn check(&self, cur: Currency) -> Result<Item, Box<Draft>> {
        let shown = self.show_in_portal.is_some();
        Item::parse(
            &self.kind,
            &self.name,
            &self.description,
            &self.price,
            shown,
            cur,
        )
        .map_err(|errors| {
            Box::new(Draft {
                kind_error: errors.get("kind"),
                name_error: errors.get("name"),
                description_error: errors.get("description"),
                price_error: errors.get("price"),
                ..self.draft()
            })
        })
    }

    /// The form as posted.
    fn draft(&self) -> Draft {
        Draft {
            kind: self.kind.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            price: self.price.clone(),
            shown: self.show_in_portal.is_some(),
            ..Draft::default()
        }
    }

    /// The form as posted, with the message for a name another item already has.
    fn name_taken(&self, item: &Item) -> Draft {
        Draft {
            name_error: Some(format!(
                "There is already an item called “{}”. Edit that one, or choose another name.",
                item.input().name
            )),
            ..self.draft()
        }
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
    Form(form): Form<ItemForm>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let (st, me, token) = (&state, &staff, &csrf);
    let refuse = |draft, status| async move {
        let page = list_page(st, me, token, &ListQuery::default(), draft).await?;
        render(&page, status)
    };
    let item = match form.check(currency(&staff)) {
        Ok(item) => item,
        Err(draft) => return refuse(*draft, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let shown = item.input().show_in_portal;
    match catalogue::add(&state.app, admin, item.clone()).await {
        Ok(_) => {}
        // The only unique rule of the catalogue: one item per name (letter case aside).
        Err(AppError::Duplicate(_)) => {
            return refuse(form.name_taken(&item), StatusCode::CONFLICT).await;
        }
        Err(e) => return Err(e.into()),
    }
    let done = if shown { "added" } else { "added_hidden" };
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
    Path(id): Path<i64>,
    Form(form): Form<ItemForm>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    load(&state, &staff, id).await?;
    let refuse = |draft, status| {
        let page = EditPage {
            chrome: OfficeChrome::of(&staff, &csrf),
            id,
            draft,
        };
        render(&page, status)
    };
    let item = match form.check(currency(&staff)) {
        Ok(item) => item,
        Err(draft) => return refuse(*draft, StatusCode::UNPROCESSABLE_ENTITY),
    };
    match catalogue::edit(&state.app, admin, CatalogueItemId(id), item.clone()).await {
        Ok(()) => Ok(Redirect::to("/office/catalogue?done=saved").into_response()),
        Err(AppError::Duplicate(_)) => refuse(form.name_taken(&item), StatusCode::CONFLICT),
        Err(e) => Err(e.into()),
    }
}

/// `POST /office/catalogue/{id}/visibility`: hides an item from the portal or shows it again.
pub async fn visibility(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(id): Path<i64>,
    Form(form): Form<VisibilityForm>,
) -> Result<Response, WebError> {
    let admin = staff.actor.admin()?;
    let shown = form.show == "1";
    catalogue::set_shown(&state.app, admin, CatalogueItemId(id), shown).await?;
    let done = if shown { "shown" } else { "hidden" };
    Ok(Redirect::to(&format!("/office/catalogue?done={done}")).into_response())
}
