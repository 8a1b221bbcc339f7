//! CSV exports of the office's lists (issue 18): `GET /office/export/{kind}` for
//! customers, contacts and sites, in exactly the columns their import reads
//! ([`ImportKind::columns`]), so an exported file imported again changes nothing.
//! Streamed a page at a time (keyset paged by id), so a large book never sits in
//! memory whole; every cell a spreadsheet would run as a formula is defused
//! ([`csv_line`]), and the import reads it back as it was.

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use doorstep_core::authz::OfficeArea;
use doorstep_core::ids::CompanyId;
use doorstep_core::import_kinds::{ImportKind, csv_line, yes_no};
use doorstep_store::Store;

use crate::auth::session::SignedInStaff;
use crate::extract::Path;
use crate::{AppState, WebError};

/// Rows read per page.
const PAGE: i64 = 500;

/// One page of `kind` after id `after`, as CSV lines, with the last id; `None` at the end.
async fn page(
    store: &Store,
    company: CompanyId,
    kind: ImportKind,
    after: i64,
) -> Result<Option<(String, i64)>, doorstep_store::StoreError> {
    let mut out = String::new();
    let last = match kind {
        ImportKind::Customers => {
            let rows = store.export_customers(company, after, PAGE).await?;
            for c in &rows {
                let terms = c
                    .payment_terms_days
                    .map(|d| d.to_string())
                    .unwrap_or_default();
                out.push_str(&csv_line([
                    c.name.as_str(),
                    &c.kind,
                    &c.email,
                    &c.phone,
                    &c.mobile_phone,
                    &c.billing_line1,
                    &c.billing_line2,
                    &c.billing_city,
                    &c.billing_region,
                    &c.billing_postal_code,
                    &c.external_ref,
                    &c.notes,
                    yes_no(c.tax_exempt),
                    &terms,
                ]));
            }
            rows.last().map(|r| r.id)
        }
        ImportKind::Contacts => {
            let rows = store.export_contacts(company, after, PAGE).await?;
            for c in &rows {
                out.push_str(&csv_line([
                    c.customer.as_str(),
                    &c.first_name,
                    &c.last_name,
                    c.email.as_deref().unwrap_or_default(),
                    &c.phone,
                    &c.role,
                    yes_no(c.is_billing),
                ]));
            }
            rows.last().map(|r| r.id)
        }
        ImportKind::Sites => {
            let rows = store.export_sites(company, after, PAGE).await?;
            for s in &rows {
                out.push_str(&csv_line([
                    s.customer.as_str(),
                    &s.name,
                    &s.line1,
                    &s.line2,
                    &s.city,
                    &s.region,
                    &s.postal_code,
                    &s.access_notes,
                    s.external_ref.as_deref().unwrap_or_default(),
                ]));
            }
            rows.last().map(|r| r.id)
        }
        // import-jobs (issue 18)
        ImportKind::Jobs => {
            let rows = store.export_jobs(company, after, PAGE).await?;
            for j in &rows {
                out.push_str(&csv_line([
                    j.external_ref.as_str(),
                    &j.customer,
                    j.site.as_deref().unwrap_or_default(),
                    &j.summary,
                    &j.description,
                    &j.status,
                    &j.work_order_notes,
                    &j.customer_notes,
                ]));
            }
            rows.last().map(|r| r.id)
        }
        // import-invoices (issue 18)
        ImportKind::Invoices => {
            let page = super::export_invoices::page(store, company, after).await?;
            page.map(|(text, last)| {
                out.push_str(&text);
                last
            })
        }
    };
    Ok(last.map(|id| (out, id)))
}

/// `GET /office/export/{kind}`: the company's `kind` as a CSV file, streamed.
pub async fn csv(
    State(state): State<AppState>,
    staff: SignedInStaff,
    Path(kind): Path<String>,
) -> Result<Response, WebError> {
    staff.actor.require(OfficeArea::DayToDay)?;
    let kind = ImportKind::parse(&kind).ok_or(WebError::NotFound)?;
    let header_line = csv_line(kind.columns().iter().map(|(h, _, _)| *h));
    let (store, company) = (state.store.clone(), staff.company.id);
    // State: the id the next page starts after, `None` once the last page went out.
    let rows = futures_util::stream::unfold(Some(0_i64), move |after| {
        let store = store.clone();
        async move {
            let after = after?;
            match page(&store, company, kind, after).await {
                Ok(Some((text, last))) => Some((Ok::<_, std::io::Error>(text), Some(last))),
                Ok(None) => None,
                Err(err) => {
                    tracing::error!(error = %err, "a CSV export stopped");
                    Some((Err(std::io::Error::other(err.to_string())), None))
                }
            }
        }
    });
    let first = futures_util::stream::once(async move { Ok(header_line) });
    let body = Body::from_stream(futures_util::StreamExt::chain(first, rows));
    let disposition = format!("attachment; filename=\"{}.csv\"", kind.as_str());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}
