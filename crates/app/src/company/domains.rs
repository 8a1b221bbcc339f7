//! A company's custom domains (issue 18): added and removed by an administrator in the
//! office, or by the operator with `doorstep company domain add|remove`. A domain belongs
//! to one company at most (a unique index; a clash is refused with nothing written) and a
//! removed domain stops resolving as soon as the change commits. Audited as
//! `company.domain_added` / `company.domain_removed`.

use std::net::{IpAddr, Ipv4Addr};

use doorstep_core::ids::CompanyId;
use doorstep_core::tenancy::{CompanySlug, CustomDomain};
use doorstep_store::company_domains::DOMAINS_MAX;
use doorstep_store::{Store, StoreError, Tx};
use serde_json::json;

use crate::{Admin, App, AppError};

/// Who the operator's changes are recorded as.
const OPERATOR: &str = "doorstep company domain";

/// Parses a domain as typed, for a deployment whose companies live under `base_domain`.
pub fn parse(raw: &str, base_domain: &str) -> Result<CustomDomain, AppError> {
    Ok(CustomDomain::parse(raw, base_domain)?)
}

fn taken(domain: &CustomDomain, ours: bool) -> AppError {
    if ours {
        AppError::conflict(
            "domain_added",
            format!("{domain} is already one of this company's domains."),
        )
    } else {
        AppError::conflict(
            "domain_taken",
            format!("{domain} is already used by another company; nothing was changed."),
        )
    }
}

/// Adds `domain` in `tx` for `company`, refusing one any company has (named as ours or
/// another's) and more than [`DOMAINS_MAX`] domains.
async fn insert(
    store: &Store,
    tx: &mut Tx,
    company: CompanyId,
    domain: &CustomDomain,
) -> Result<(), AppError> {
    if let Some((owner, _)) = store.domain_owner(domain.as_str()).await? {
        return Err(taken(domain, owner == company));
    }
    if tx.count_company_domains(company).await? >= DOMAINS_MAX {
        return Err(AppError::conflict(
            "too_many_domains",
            format!("A company may have at most {DOMAINS_MAX} domains; remove one first."),
        ));
    }
    match tx.add_company_domain(company, domain.as_str()).await {
        // Added by someone else since the check above.
        Err(StoreError::Conflict(_)) => {
            let ours = store
                .domain_owner(domain.as_str())
                .await?
                .is_some_and(|(owner, _)| owner == company);
            Err(taken(domain, ours))
        }
        other => Ok(other?),
    }
}

/// Adds a custom domain to the administrator's company.
pub async fn add(app: &App, admin: Admin<'_>, domain: &CustomDomain) -> Result<(), AppError> {
    let company = admin.company().id;
    let mut tx = app.store.begin().await?;
    insert(&app.store, &mut tx, company, domain).await?;
    let audit = admin.audit(
        "company.domain_added",
        ("company", company.0),
        json!({ "domain": domain.as_str() }),
    );
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes the company's custom domain with row id `id`; another company's or an unknown
/// id is [`AppError::NotFound`]. Answers the domain removed.
pub async fn remove(app: &App, admin: Admin<'_>, id: i64) -> Result<String, AppError> {
    let company = admin.company().id;
    let row = app
        .store
        .company_domain(company, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = app.store.begin().await?;
    if !tx.remove_company_domain(company, &row.domain).await? {
        return Err(AppError::NotFound);
    }
    let audit = admin.audit(
        "company.domain_removed",
        ("company", company.0),
        json!({ "domain": row.domain }),
    );
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(row.domain)
}

fn operator_audit(
    action: &'static str,
    company: CompanyId,
    domain: &CustomDomain,
) -> doorstep_store::audit::NewAuditEvent {
    crate::audit::record(
        ("system", None, OPERATOR),
        action,
        ("company", company.0),
        IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        json!({ "domain": domain.as_str() }),
    )
}

async fn company_of(store: &Store, slug: &CompanySlug) -> Result<CompanyId, AppError> {
    Ok(store
        .company_by_slug(slug.as_str())
        .await?
        .ok_or(AppError::NotFound)?
        .id)
}

/// The operator adds `domain` to the company `slug` (the CLI). An unknown slug is
/// [`AppError::NotFound`].
pub async fn add_by_operator(
    store: &Store,
    slug: &CompanySlug,
    domain: &CustomDomain,
) -> Result<(), AppError> {
    let company = company_of(store, slug).await?;
    let mut tx = store.begin().await?;
    insert(store, &mut tx, company, domain).await?;
    tx.audit(
        company,
        &operator_audit("company.domain_added", company, domain),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The operator removes `domain` from the company `slug` (the CLI); a domain the company
/// does not have is refused with a `not_ours` conflict.
pub async fn remove_by_operator(
    store: &Store,
    slug: &CompanySlug,
    domain: &CustomDomain,
) -> Result<(), AppError> {
    let company = company_of(store, slug).await?;
    let mut tx = store.begin().await?;
    if !tx.remove_company_domain(company, domain.as_str()).await? {
        return Err(AppError::conflict(
            "not_ours",
            format!("{slug} has no domain {domain}; nothing was changed."),
        ));
    }
    tx.audit(
        company,
        &operator_audit("company.domain_removed", company, domain),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
