//! Acme Plumbing & Heating: the company, its office, crew and catalogue. Its customers
//! are in `acme_customers`, their equipment in `acme_assets`, the jobs in `acme_jobs`
//! and `acme_harbor`, and the rest in `acme_estimates`, `acme_extras` and `acme_messages`.

use doorstep_core::ids::{
    CatalogueItemId, ContactId, CustomerId, LoginId, SiteId, StaffUserId, TechnicianId,
};
use doorstep_core::settings::PortalSettings;
use doorstep_core::status::StaffRole;
use doorstep_store::Store;
use doorstep_store::companies::NewCompany;
use doorstep_web::{FileStore, PasswordCost};
use time::Date;

use super::accounts::Account;
use super::acme_work::JOB_TYPES;
use super::images::{self, Mark};
use super::seeder::Seeder;
use super::{CompanySummary, acme_assets, acme_customers, acme_extras, acme_jobs};

/// The ids the rest of the Acme demo refers to.
#[derive(Debug, Clone)]
pub(crate) struct Acme {
    pub(crate) admin: StaffUserId,
    pub(crate) dispatch: StaffUserId,
    pub(crate) techs: Vec<TechnicianId>,
    /// Job type ids, in the order of [`JOB_TYPES`].
    pub(crate) types: Vec<i64>,
    pub(crate) dehumidifier: CatalogueItemId,
    pub(crate) pipe_thaw: CatalogueItemId,
    pub(crate) dana_login: LoginId,
    /// Dana Whitaker's household (C-1001): site "Home", contact Dana.
    pub(crate) household: Account,
    /// Harbor Property Co. (C-1002) and its four sites.
    pub(crate) harbor: CustomerId,
    pub(crate) lofts: SiteId,
    pub(crate) bayview: SiteId,
    pub(crate) pier: SiteId,
    pub(crate) yard: SiteId,
    /// Dana as a contact of Harbor Property Co.
    pub(crate) dana_harbor: ContactId,
    /// Sam Ortega, site contact of Bayview Apartments.
    pub(crate) sam: ContactId,
    pub(crate) hoa: Account,
    pub(crate) brooks: Account,
    pub(crate) diner: Account,
    pub(crate) fontaine: Account,
    pub(crate) dental: Account,
    pub(crate) nguyen: Account,
}

impl Acme {
    /// The id of job type `index` (see `acme_work`).
    pub(crate) fn job_type(&self, index: usize) -> Option<i64> {
        self.types.get(index).copied()
    }
}

/// Builds Acme in one transaction.
pub(crate) async fn build(
    store: &Store,
    files: &FileStore,
    cost: PasswordCost,
    today: Date,
) -> anyhow::Result<CompanySummary> {
    let company = NewCompany {
        slug: "acme".into(),
        name: "Acme Plumbing & Heating".into(),
        email: "hello@acme.test".into(),
        phone: "(555) 010-2000".into(),
        address_line1: "120 Main Street".into(),
        city: "Springfield".into(),
        region: "IL".into(),
        postal_code: "62701".into(),
        country: "US".into(),
        website: "https://acme.test".into(),
        currency: "USD".into(),
        brand_primary: "#0b5cad".into(),
        brand_accent: "#f5a623".into(),
        time_zone: super::seeder::demo_zone(),
        request_email: "requests@acme.test".into(),
        // Acme takes new customers online; Bolt (the default) does not.
        settings: PortalSettings {
            allow_self_sign_up: true,
            ..PortalSettings::default()
        },
    };
    let mut s = Seeder::begin(store, files, cost, today, 0x00AC_3E01, &company).await?;
    let result = fill(&mut s).await;
    s.finish(result).await
}

async fn fill(s: &mut Seeder<'_>) -> anyhow::Result<()> {
    let o = office(s).await?;
    let c = acme_customers::add(s).await?;
    let a = Acme {
        admin: o.admin,
        dispatch: o.dispatch,
        techs: o.techs,
        types: o.types,
        dehumidifier: o.dehumidifier,
        pipe_thaw: o.pipe_thaw,
        dana_login: c.dana_login,
        household: c.household,
        harbor: c.harbor,
        lofts: c.lofts,
        bayview: c.bayview,
        pier: c.pier,
        yard: c.yard,
        dana_harbor: c.dana_harbor,
        sam: c.sam,
        hoa: c.hoa,
        brooks: c.brooks,
        diner: c.diner,
        fontaine: c.fontaine,
        dental: c.dental,
        nguyen: c.nguyen,
    };
    let gear = acme_assets::add(s, &a).await?;
    acme_jobs::add(s, &a, &gear).await?;
    acme_extras::add(s, &a).await?;
    // Acme takes card payments online with the built-in test processor (issue 19).
    s.tx.set_payment_settings(
        s.company,
        &doorstep_store::online_payments::PaymentSettingsRow {
            processor: "test".into(),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

struct Office {
    admin: StaffUserId,
    dispatch: StaffUserId,
    techs: Vec<TechnicianId>,
    types: Vec<i64>,
    dehumidifier: CatalogueItemId,
    pipe_thaw: CatalogueItemId,
}

/// Logo, staff, crew, job types, custom fields and the requestable catalogue.
async fn office(s: &mut Seeder<'_>) -> anyhow::Result<Office> {
    #[rustfmt::skip]
    const CATALOGUE: [(&str, &str, &str, i64); 9] = [
        ("service", "Drain cleaning", "Clear a clogged sink, tub or floor drain.", 14_900),
        ("service", "Water heater flush", "Flush sediment and test the relief valve.", 14_900),
        ("service", "Furnace tune-up", "Seasonal cleaning and safety check.", 12_900),
        ("service", "Leak investigation", "Find the source of a leak; repair quoted on site.", 9_900),
        ("service", "Backflow test", "Annual test and certificate for the water utility.", 11_500),
        ("product", "Whole-house filter cartridge", "Sediment cartridge, 10 in.", 3_450),
        ("product", "Sump pump", "Zoeller M53, installed or for pickup.", 28_900),
        ("product", "Dehumidifier rental", "Commercial dehumidifier, per week.", 8_500),
        ("product", "Pipe-thaw heater rental", "Portable pipe-thaw heater, per week.", 4_500),
    ];
    let co = s.company;
    let logo = images::logo([0x0b, 0x5c, 0xad], [255, 255, 255], Mark::House)?;
    let key = s.put_file(&logo)?;
    s.tx.set_company_logo(co, &key).await?;

    let admin = s
        .staff("office@acme.test", "Olivia Park", StaffRole::Admin)
        .await?;
    let dispatch = s
        .staff("dispatch@acme.test", "Oscar Reyes", StaffRole::Office)
        .await?;
    let mut techs = Vec::new();
    for (name, phone) in [
        ("Mike Alvarez", "(555) 010-2101"),
        ("Jenna Torres", "(555) 010-2102"),
        ("Dev Patel", "(555) 010-2103"),
        ("Chris Novak", "(555) 010-2104"),
    ] {
        techs.push(s.tx.insert_technician(co, name, phone).await?);
    }
    let mut types = Vec::new();
    for (order, name) in (1_i64..).zip(JOB_TYPES) {
        types.push(s.tx.insert_job_type(co, name, true, order).await?);
    }
    s.tx.insert_custom_job_field(co, "gate_code", "Gate code")
        .await?;
    s.tx.insert_custom_job_field(co, "permit_number", "Permit number")
        .await?;

    let mut items = Vec::new();
    for (kind, name, description, price) in CATALOGUE {
        let item =
            s.tx.insert_catalogue_item(co, kind, name, description, price, true);
        items.push(item.await?);
    }
    // Hidden from the portal, kept for the history of old jobs.
    let retired = "Retired: cast-iron steam boilers are no longer serviced.";
    s.tx.insert_catalogue_item(
        co,
        "service",
        "Legacy boiler service",
        retired,
        22_500,
        false,
    )
    .await?;
    let (Some(&dehumidifier), Some(&pipe_thaw)) = (items.get(7), items.get(8)) else {
        anyhow::bail!("the catalogue lost its rental items");
    };
    Ok(Office {
        admin,
        dispatch,
        techs,
        types,
        dehumidifier,
        pipe_thaw,
    })
}
