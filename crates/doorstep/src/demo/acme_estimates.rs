//! Acme's estimates in every status, for Dana's household and Harbor.

use doorstep_core::ids::{ContactId, CustomerId, EstimateId, SiteId};
use doorstep_core::status::EstimateStatus;
use doorstep_store::billing::{Approval, NewEstimate};
use time::{Date, OffsetDateTime};

use super::acme::Acme;
use super::lines::{Item, labour, lines_of, optional, taxed, untaxed};
use super::seeder::{Seeder, at};

/// The estimates other records point at.
pub(crate) struct Open {
    /// Opened with Dana's new service request.
    pub(crate) dana_draft: EstimateId,
    /// Opened with Sam's new service request.
    pub(crate) harbor_draft: EstimateId,
    /// Awaiting Dana's answer on her household.
    pub(crate) dana_pending: EstimateId,
    /// Awaiting Harbor's answer, with a deposit.
    pub(crate) harbor_pending: EstimateId,
}

/// An estimate with no answer yet; set the fields that differ.
fn estimate(
    customer: CustomerId,
    site: SiteId,
    title: &str,
    scope: &str,
    status: EstimateStatus,
    issued_on: Date,
    expires_on: Option<Date>,
) -> NewEstimate {
    NewEstimate {
        customer,
        site: Some(site),
        number: String::new(),
        title: title.into(),
        scope: scope.into(),
        status,
        issued_on,
        expires_on,
        deposit_minor: 0,
        total_minor: 0,
        approval: None,
        decline: None,
        converted_job: None,
    }
}

/// An approval signed by `name` as `contact` at `when`, from the documentation address.
fn approval(name: &str, contact: ContactId, when: OffsetDateTime) -> Option<Approval> {
    Some(Approval {
        signed_name: name.into(),
        contact: Some(contact),
        at: when,
        ip: "203.0.113.7".into(),
        total_minor: 0,
    })
}

/// Estimates in every status for Dana's household and Harbor, in the order they were
/// issued.
pub(crate) async fn estimates(s: &mut Seeder<'_>, a: &Acme) -> anyhow::Result<Open> {
    use EstimateStatus::*;
    let (home, dana) = (a.household, a.household.contact);
    let rate = s.hourly_rate;
    let valve = |qty| taxed("material", "Quarter-turn shut-off valve", qty, 1_850);

    let job = s.job("harbor-tankless")?.clone();
    let mut e = estimate(
        a.harbor,
        a.lofts,
        "Tankless water heater, Harbor Lofts laundry room",
        "Replace the 100-gallon tank heater with a condensing tankless unit.",
        Converted,
        s.day(-175),
        Some(s.day(-145)),
    );
    e.approval = approval("Dana Whitaker", a.dana_harbor, at(s.day(-170), 15, 32));
    e.converted_job = Some(job.id);
    s.estimate(e, &job.lines).await?;

    let e = estimate(
        a.harbor,
        a.pier,
        "Storm drain camera survey, Pier Offices",
        "Camera survey of the parking-lot storm drains, with a written report.",
        Expired,
        s.day(-150),
        Some(s.day(-120)),
    );
    s.estimate(
        e,
        &[untaxed(
            "service",
            "Storm drain camera survey",
            1_000,
            65_000,
        )],
    )
    .await?;

    let e = estimate(
        home.customer,
        home.site,
        "Whole-house humidifier",
        "Install a bypass humidifier on the furnace plenum.",
        Expired,
        s.day(-120),
        Some(s.day(-90)),
    );
    let lines = lines_of(
        &[
            Item::Product("Aprilaire 600 humidifier", 1_000, 42_900),
            Item::Labour("Installation labour", 3_000),
        ],
        rate,
    );
    s.estimate(e, &lines).await?;

    let job = s.job("softener")?.clone();
    let mut e = estimate(
        home.customer,
        home.site,
        "Water softener installation",
        "Install a 48,000-grain softener with bypass on the main line.",
        Converted,
        s.day(-80),
        Some(s.day(-50)),
    );
    e.approval = approval("Dana Whitaker", dana, at(s.day(-76), 10, 12));
    e.converted_job = Some(job.id);
    s.estimate(e, &job.lines).await?;

    let mut e = estimate(
        home.customer,
        home.site,
        "Re-pipe the master bathroom",
        "Replace the galvanized supply lines to the master bathroom with PEX.",
        Declined,
        s.day(-70),
        Some(s.day(-40)),
    );
    e.decline = Some((
        at(s.day(-60), 18, 40),
        "We've decided to wait until after the holidays.".into(),
    ));
    let lines = vec![
        labour("Labour", 16_000, rate),
        taxed("material", "PEX pipe, manifold and fittings", 1_000, 38_500),
        untaxed("fee", "Drywall patching", 1_000, 45_000),
    ];
    s.estimate(e, &lines).await?;

    let mut e = estimate(
        a.harbor,
        a.bayview,
        "Replace all unit shut-off valves, Bayview",
        "Replace the 48 units' fixture shut-off valves with quarter-turn valves.",
        Declined,
        s.day(-50),
        Some(s.day(-20)),
    );
    e.decline = Some((
        at(s.day(-40), 11, 5),
        "Over budget this quarter; please quote again in January.".into(),
    ));
    s.estimate(e, &[valve(96_000), labour("Labour", 48_000, rate)])
        .await?;

    let mut e = estimate(
        a.harbor,
        a.lofts,
        "Re-pipe hot water risers, Harbor Lofts",
        "Replace the corroded copper hot-water risers A and B, floors 1-5.",
        Approved,
        s.day(-30),
        Some(s.day(0)),
    );
    e.approval = approval("Dana Whitaker", a.dana_harbor, at(s.day(-21), 9, 47));
    let lines = vec![
        labour("Labour", 40_000, rate),
        taxed(
            "material",
            "Copper pipe, fittings and insulation",
            1_000,
            286_000,
        ),
    ];
    s.estimate(e, &lines).await?;

    let mut e = estimate(
        home.customer,
        home.site,
        "Replace kitchen shut-off valves",
        "Swap the two seized multi-turn valves under the kitchen sink.",
        Approved,
        s.day(-14),
        Some(s.day(16)),
    );
    e.approval = approval("Dana Whitaker", dana, at(s.day(-9), 20, 5));
    s.estimate(e, &[valve(2_000), labour("Labour", 1_000, rate)])
        .await?;

    let mut e = estimate(
        a.harbor,
        a.pier,
        "Boiler replacement, Pier Offices",
        "Replace the 2018 boiler, whose heat exchanger is failing, with a high-efficiency unit. A deposit secures the equipment order.",
        Pending,
        s.day(-7),
        Some(s.day(23)),
    );
    e.deposit_minor = 150_000;
    let lines = lines_of(
        &[
            Item::Product("Weil-McLain Evergreen EVG 299 boiler", 1_000, 689_000),
            Item::Labour("Installation labour", 16_000),
            Item::Part("Piping, valves and venting", 1_000, 85_000),
            Item::Fee("City mechanical permit", 35_000),
        ],
        rate,
    );
    let harbor_pending = s.estimate(e, &lines).await?;

    let e = estimate(
        home.customer,
        home.site,
        "Tankless water heater upgrade",
        "Replace the tank water heater with a tankless unit. Tick the options you would like.",
        Pending,
        s.day(-5),
        Some(s.day(25)),
    );
    let mut lines = lines_of(
        &[
            Item::Product("Navien NPE-180A2 tankless water heater", 1_000, 164_900),
            Item::Part("Concentric venting kit", 1_000, 24_500),
            Item::Labour("Installation labour", 6_000),
        ],
        rate,
    );
    lines.push(optional(taxed(
        "product",
        "Recirculation pump",
        1_000,
        34_900,
    )));
    lines.push(optional(untaxed(
        "service",
        "Extended 10-year labour warranty",
        1_000,
        29_900,
    )));
    let dana_pending = s.estimate(e, &lines).await?;

    let e = estimate(
        a.brooks.customer,
        a.brooks.site,
        "Bathroom remodel: rough-in plumbing",
        "Move the vanity drain and supply, add a shower valve.",
        Pending,
        s.day(-3),
        Some(s.day(27)),
    );
    s.estimate(
        e,
        &[
            labour("Labour", 10_000, rate),
            taxed(
                "material",
                "Shower valve and rough-in materials",
                1_000,
                31_000,
            ),
        ],
    )
    .await?;

    let e = estimate(
        home.customer,
        home.site,
        "Loose, dripping kitchen faucet",
        "Opened with service request; to be priced by the office.",
        Draft,
        s.day(-1),
        None,
    );
    let dana_draft = s
        .estimate(e, &[untaxed("fee", "Service call", 1_000, 8_900)])
        .await?;
    let e = estimate(
        a.harbor,
        a.bayview,
        "Ceiling leak in unit 2B, Bayview",
        "Opened with service request; to be priced by the office.",
        Draft,
        s.day(0),
        None,
    );
    let harbor_draft = s
        .estimate(e, &[untaxed("fee", "Leak investigation", 1_000, 9_900)])
        .await?;
    Ok(Open {
        dana_draft,
        harbor_draft,
        dana_pending,
        harbor_pending,
    })
}
