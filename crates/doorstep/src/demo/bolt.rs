//! Bolt Electric: a second, smaller tenant. Its customer Dana Whitaker signs in with the
//! same email as at Acme, but it is a separate login that sees nothing of Acme.

use doorstep_core::settings::PortalSettings;
use doorstep_core::status::{
    EstimateStatus, JobStatus, PaymentMethodKind, ScheduleType, StaffRole,
};
use doorstep_store::Store;
use doorstep_store::audit::NewAuditEvent;
use doorstep_store::billing::NewEstimate;
use doorstep_store::companies::NewCompany;
use doorstep_web::{FileStore, PasswordCost};
use time::Date;

use super::CompanySummary;
use super::accounts::{Account, account, simple_account};
use super::acme_work::{Work, work};
use super::images::{self, Mark};
use super::lines::{Item, lines_of};
use super::seeder::Seeder;
use super::work::{Bill, JobSpec};

const JOB_TYPES: [&str; 3] = ["Service call", "Installation", "Inspection"];

const EV_CHARGER: Work = work(
    1,
    "Install Level 2 EV charger",
    "Install a 48 A wall charger in the garage on a new 60 A circuit.",
    "Panel is in the garage; permit is on file.",
    &[
        Item::Product("ChargePoint Home Flex charger", 1_000, 69_900),
        Item::Part("60 A breaker and #6 copper wire", 1_000, 18_500),
        Item::Labour("Installation labour", 4_000),
    ],
);
const TRIPPING: Work = work(
    0,
    "Breaker keeps tripping",
    "The kitchen circuit trips whenever the microwave and kettle run together.",
    "Check for a shared neutral.",
    &[
        Item::Fee("Service call", 9_500),
        Item::Labour("Labour", 1_000),
        Item::Part("20 A AFCI breaker", 1_000, 5_400),
    ],
);
const CEILING_FAN: Work = work(
    1,
    "Ceiling fan installation",
    "Replace the bedroom light fixture with a customer-supplied ceiling fan.",
    "Customer has the fan; bring a fan-rated box.",
    &[
        Item::Labour("Labour", 1_500),
        Item::Part("Fan-rated ceiling box", 1_000, 2_900),
    ],
);
const PANEL: Work = work(
    2,
    "Electrical panel inspection",
    "Inspect the main panel, torque the lugs and check the grounding.",
    "",
    &[Item::Service("Electrical panel inspection", 14_900)],
);
const GFCI: Work = work(
    0,
    "Replace outlets with GFCI",
    "Kitchen and bathroom outlets need GFCI protection.",
    "Four outlets; label them.",
    &[
        Item::Part("GFCI outlet, 20 A", 4_000, 2_450),
        Item::Labour("Labour", 1_500),
    ],
);
const GENERATOR: Work = work(
    2,
    "Standby generator inspection",
    "Annual inspection and load test of the standby generator.",
    "",
    &[Item::Service("Standby generator inspection", 18_900)],
);
const SHOP_LIGHTS: Work = work(
    1,
    "Install LED high-bay lighting",
    "Replace the bakery's six fluorescent fixtures with LED high-bays.",
    "Work after 2 pm, once baking is done.",
    &[
        Item::Product("LED high-bay fixture", 6_000, 14_900),
        Item::Labour("Installation labour", 4_000),
    ],
);

/// Builds Bolt in one transaction.
pub(crate) async fn build(
    store: &Store,
    files: &FileStore,
    cost: PasswordCost,
    today: Date,
) -> anyhow::Result<CompanySummary> {
    let company = NewCompany {
        slug: "bolt".into(),
        name: "Bolt Electric".into(),
        email: "hello@bolt.test".into(),
        phone: "(555) 010-4100".into(),
        address_line1: "77 Volta Avenue".into(),
        city: "Springfield".into(),
        region: "IL".into(),
        postal_code: "62703".into(),
        country: "US".into(),
        website: "https://bolt.test".into(),
        currency: "USD".into(),
        brand_primary: "#5b2a86".into(),
        brand_accent: "#ffd23f".into(),
        time_zone: super::seeder::demo_zone(),
        request_email: "requests@bolt.test".into(),
        settings: PortalSettings::default(),
    };
    let mut s = Seeder::begin(store, files, cost, today, 0x00B0_17E1, &company).await?;
    s.hourly_rate = 11_000;
    let result = fill(&mut s).await;
    s.finish(result).await
}

async fn fill(s: &mut Seeder<'_>) -> anyhow::Result<()> {
    let co = s.company;
    let logo = images::logo([0x5b, 0x2a, 0x86], [0xff, 0xd2, 0x3f], Mark::Bolt)?;
    let key = s.put_file(&logo)?;
    s.tx.set_company_logo(co, &key).await?;
    s.staff("office@bolt.test", "Brenda Cole", StaffRole::Admin)
        .await?;
    let ray =
        s.tx.insert_technician(co, "Ray Kim", "(555) 010-4201")
            .await?;
    let tasha =
        s.tx.insert_technician(co, "Tasha Green", "(555) 010-4202")
            .await?;
    let mut types = Vec::new();
    for (order, name) in (1_i64..).zip(JOB_TYPES) {
        types.push(s.tx.insert_job_type(co, name, true, order).await?);
    }
    for (kind, name, price) in [
        ("service", "EV charger installation", 129_900),
        ("service", "Electrical panel inspection", 14_900),
        ("service", "Ceiling fan installation", 18_900),
        ("product", "Whole-house surge protector", 34_900),
    ] {
        s.tx.insert_catalogue_item(co, kind, name, "", price, true)
            .await?;
    }

    let login = s.login("dana@example.test").await?;
    let dana = simple_account(
        s,
        account(
            "Dana Whitaker",
            "residential",
            "dana@example.test",
            "(555) 010-3344",
            "14 Elm Street",
        ),
        "Home",
        ("Dana", "Whitaker", Some("dana@example.test")),
        Some(login),
    )
    .await?;
    let bakery = simple_account(
        s,
        account(
            "Riverside Bakery",
            "commercial",
            "tom@riversidebakery.test",
            "(555) 010-4630",
            "410 River Road",
        ),
        "Bakery",
        ("Tom", "Becker", Some("tom@riversidebakery.test")),
        None,
    )
    .await?;
    let price = simple_account(
        s,
        account(
            "Alan Price",
            "residential",
            "alan.price@example.test",
            "(555) 010-4777",
            "61 Maple Drive",
        ),
        "Home",
        ("Alan", "Price", Some("alan.price@example.test")),
        None,
    )
    .await?;

    let plan: [(Account, &Work, i64, Bill); 12] = [
        (dana, &PANEL, -400, Bill::None),
        (dana, &GFCI, -200, Bill::None),
        (dana, &TRIPPING, -35, Bill::paid(PaymentMethodKind::Card)),
        (dana, &EV_CHARGER, 5, Bill::None),
        (dana, &CEILING_FAN, -4, Bill::None),
        (bakery, &SHOP_LIGHTS, -300, Bill::None),
        (bakery, &GENERATOR, -120, Bill::None),
        (bakery, &TRIPPING, -20, Bill::Unpaid),
        (bakery, &PANEL, 10, Bill::None),
        (price, &CEILING_FAN, -250, Bill::None),
        (price, &GFCI, -60, Bill::None),
        (price, &GENERATOR, 2, Bill::None),
    ];
    let mut specs = Vec::new();
    for (i, (acct, w, offset, bill)) in plan.into_iter().enumerate() {
        let status = if offset > 0 {
            JobStatus::Scheduled
        } else {
            JobStatus::Completed
        };
        let mut j = JobSpec::new(acct.customer, Some(acct.site), s.day(offset), status);
        j.job_type = types.get(w.job_type).copied();
        j.summary = w.summary.into();
        j.description = w.description.into();
        j.work_order_notes = w.notes.into();
        j.lines = lines_of(w.items, s.hourly_rate);
        j.slot = Some(if i % 2 == 0 {
            (ScheduleType::Am, 0)
        } else {
            (ScheduleType::Pm, 0)
        });
        j.technicians = vec![if i % 3 == 0 { tasha } else { ray }];
        j.invoice_notes = "Thank you for choosing Bolt Electric.".into();
        j.bill = bill;
        if i == 4 {
            // Waiting for the customer to pick a date.
            j.status = JobStatus::Unscheduled;
            j.slot = None;
            j.technicians.clear();
        }
        specs.push(j);
    }
    s.add_jobs(specs).await?;

    let lines = lines_of(
        &[
            Item::Product("Whole-house surge protector", 1_000, 34_900),
            Item::Labour("Installation labour", 1_500),
        ],
        s.hourly_rate,
    );
    let estimate = NewEstimate {
        customer: dana.customer,
        site: Some(dana.site),
        number: String::new(),
        title: "Whole-house surge protection".into(),
        scope: "Install a type 2 surge protector at the main panel.".into(),
        status: EstimateStatus::Pending,
        issued_on: s.day(-4),
        expires_on: Some(s.day(26)),
        deposit_minor: 0,
        total_minor: 0,
        approval: None,
        decline: None,
        converted_job: None,
    };
    s.estimate(estimate, &lines).await?;

    s.tx.audit(
        co,
        &NewAuditEvent {
            actor_kind: "system",
            actor_id: None,
            actor_label: "doorstep demo".into(),
            action: "demo.seeded",
            subject_kind: "company",
            subject_id: Some(co.0),
            ip: String::new(),
            detail: format!("{{\"jobs\":{}}}", s.summary.jobs),
            at: time::OffsetDateTime::now_utc(),
        },
    )
    .await?;
    Ok(())
}
