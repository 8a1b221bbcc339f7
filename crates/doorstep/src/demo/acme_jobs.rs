//! Acme's 75 jobs: Dana's household (15) written out one by one, Harbor Property Co.'s
//! (35, in `acme_harbor`) and the other customers' (25) generated from the work templates
//! with the fixed-seed generator. Past visits are mostly completed and billed, a few are
//! cancelled; some are today, some ahead, a few not yet scheduled.

use doorstep_core::ids::{CustomerId, SiteId};
use doorstep_core::status::{JobKind, JobStatus, PaymentMethodKind as Pay, ScheduleType};

use super::acme::Acme;
use super::acme_assets::Gear;
use super::acme_harbor;
use super::acme_texts as texts;
use super::acme_work::*;
use super::json;
use super::lines::lines_of;
use super::seeder::Seeder;
use super::work::{Bill, JobSpec};

/// A visit doing `work` at `site`, `offset` days from today: completed when past, in
/// progress today, scheduled ahead.
pub(crate) fn visit(
    s: &mut Seeder<'_>,
    a: &Acme,
    (customer, site): (CustomerId, SiteId),
    work: &Work,
    offset: i64,
) -> JobSpec {
    const SLOTS: [(ScheduleType, u8); 6] = [
        (ScheduleType::Am, 0),
        (ScheduleType::Am, 0),
        (ScheduleType::Pm, 0),
        (ScheduleType::AllDay, 0),
        (ScheduleType::Exact, 9),
        (ScheduleType::Exact, 14),
    ];
    let status = match offset {
        o if o < 0 => JobStatus::Completed,
        0 => JobStatus::InProgress,
        _ => JobStatus::Scheduled,
    };
    let mut j = JobSpec::new(customer, Some(site), s.day(offset), status);
    j.job_type = a.job_type(work.job_type);
    j.summary = work.summary.into();
    j.description = work.description.into();
    j.work_order_notes = work.notes.into();
    j.slot = s.rng.pick(&SLOTS).copied();
    j.lines = lines_of(work.items, s.hourly_rate);
    for line in j.lines.iter_mut().filter(|l| l.kind == "labour") {
        line.quantity_milli += 500 * s.rng.between(0, 2);
    }
    let first = s.rng.below(a.techs.len());
    j.technicians = a.techs.get(first).copied().into_iter().collect();
    if s.rng.chance(30) {
        let second = (first + 1) % a.techs.len();
        j.technicians.extend(a.techs.get(second).copied());
    }
    j.invoice_notes = s.rng.pick(&INVOICE_NOTES).copied().unwrap_or("").into();
    j
}

/// A counter sale of `work`, picked up at `site`.
pub(crate) fn sale(
    s: &Seeder<'_>,
    a: &Acme,
    (customer, site): (CustomerId, SiteId),
    work: &Work,
    offset: i64,
) -> JobSpec {
    let mut j = JobSpec::new(customer, Some(site), s.day(offset), JobStatus::Completed);
    j.kind = JobKind::Sale;
    j.job_type = a.job_type(work.job_type);
    j.summary = work.summary.into();
    j.description = work.description.into();
    j.lines = lines_of(work.items, s.hourly_rate);
    j.invoice_notes = INVOICE_NOTES[0].into();
    j
}

/// One of `works`, chosen by the generator.
pub(crate) fn any(s: &mut Seeder<'_>, works: &[Work]) -> Work {
    s.rng.pick(works).copied().unwrap_or(FAUCET)
}

/// `n` past offsets spread between `from` and `to` (both days before today).
pub(crate) fn spread(s: &mut Seeder<'_>, n: i64, from: i64, to: i64) -> Vec<i64> {
    let step = ((to - from) / n.max(1)).max(1);
    (0..n)
        .map(|i| (from + step * i + s.rng.between(0, step / 2)).min(to))
        .collect()
}

/// `n` past visits of randomly chosen `works` at one place, about one in ten cancelled.
pub(crate) fn history(
    s: &mut Seeder<'_>,
    a: &Acme,
    place: (CustomerId, SiteId),
    works: &[Work],
    (n, from, to): (i64, i64, i64),
) -> Vec<JobSpec> {
    let mut out = Vec::new();
    for offset in spread(s, n, from, to) {
        let work = any(s, works);
        let mut j = visit(s, a, place, &work, offset);
        if s.rng.chance(10) {
            j.status = JobStatus::Cancelled;
            j.work_order_notes = "Cancelled by the customer the day before.".into();
        }
        out.push(j);
    }
    out
}

/// Bills every completed job not billed yet: recent ones unpaid, older ones paid by `method`.
pub(crate) fn settle(s: &mut Seeder<'_>, jobs: &mut [JobSpec], method: Pay) {
    for j in jobs.iter_mut() {
        if j.status != JobStatus::Completed || !matches!(j.bill, Bill::None) {
            continue;
        }
        let age = (s.today - j.day).whole_days();
        j.bill = if age <= 20 {
            Bill::Unpaid
        } else {
            Bill::Paid {
                method,
                after: s.rng.between(2, 12),
                group: None,
            }
        };
    }
}

/// Makes all of Acme's jobs.
pub(crate) async fn add(s: &mut Seeder<'_>, a: &Acme, gear: &Gear) -> anyhow::Result<()> {
    let mut all = household(s, a, gear);
    all.extend(acme_harbor::jobs(s, a, gear));
    all.extend(others(s, a));
    s.add_jobs(all).await
}

/// Dana's household: 15 jobs over four years, with the water heater and furnace history.
fn household(s: &mut Seeder<'_>, a: &Acme, gear: &Gear) -> Vec<JobSpec> {
    let home = (a.household.customer, a.household.site);
    let dana = a.household.contact;
    let mut v = Vec::new();

    let mut j = visit(s, a, home, &WATER_HEATER_INSTALL, -1461);
    j.asset = Some(gear.water_heater);
    j.custom_fields = json::object(&[("permit_number", "P-21-0433")]);
    j.document = Some((
        "warranty-certificate.txt",
        texts::warranty("Dana Whitaker", "14 Elm Street"),
    ));
    v.push(j);
    let mut j = visit(s, a, home, &WH_FLUSH, -710);
    j.asset = Some(gear.water_heater);
    v.push(j);
    let mut j = visit(s, a, home, &FURNACE_INSPECTION, -525);
    j.asset = Some(gear.furnace);
    j.form = Some(("Furnace safety checklist", texts::furnace_form()));
    v.push(j);
    v.push(visit(s, a, home, &FAUCET, -430));
    let mut j = visit(s, a, home, &WH_FLUSH, -345);
    j.asset = Some(gear.water_heater);
    j.photos = 1;
    j.form = Some((
        "Water heater flush checklist",
        json::answers(&[
            ("Sediment level", "Moderate"),
            ("T&P valve tested", "Pass"),
            ("Anode rod", "About 50% remaining"),
            ("Gas leak test", "Pass"),
        ]),
    ));
    v.push(j);
    let mut j = visit(s, a, home, &MAIN_LINE, -300);
    j.photos = 3;
    j.document = Some(("camera-inspection-report.txt", texts::camera_report()));
    j.rating = Some((
        5,
        "Jenna showed us the camera footage and explained everything. Very thorough.",
        dana,
    ));
    v.push(j);
    v.push(sale(s, a, home, &FILTER_SALE, -240));
    let mut j = visit(s, a, home, &FURNACE_INSPECTION, -160);
    j.asset = Some(gear.furnace);
    j.form = Some(("Furnace safety checklist", texts::furnace_form()));
    j.invoice_notes = "Voided: this visit is included in your Comfort Club membership.".into();
    j.bill = Bill::Void;
    v.push(j);
    let mut j = visit(s, a, home, &TOILET, -120);
    j.status = JobStatus::Cancelled;
    j.work_order_notes = "Customer fixed it herself; cancelled the day before.".into();
    v.push(j);
    let mut j = visit(s, a, home, &DISPOSAL, -95);
    j.tag = "disposal";
    j.bill = Bill::Overdue;
    v.push(j);
    let mut j = visit(s, a, home, &SOFTENER, -60);
    j.tag = "softener";
    j.photos = 2;
    j.rating = Some((
        5,
        "The water tastes so much better. Clean, tidy install.",
        dana,
    ));
    j.bill = Bill::paid(Pay::Card);
    v.push(j);
    let mut j = visit(s, a, home, &SPIGOT, -12);
    j.tag = "spigot";
    v.push(j);
    let mut j = visit(s, a, home, &FURNACE_TUNE_UP, 0);
    j.tag = "dana-today";
    j.status = JobStatus::OnTheWay;
    j.slot = Some((ScheduleType::Am, 0));
    v.push(j);
    let mut j = visit(s, a, home, &SUMP_CHECK, 6);
    j.slot = Some((ScheduleType::Pm, 0));
    v.push(j);
    let mut j = visit(s, a, home, &SLOW_DRAIN, -3);
    j.status = JobStatus::Unscheduled;
    j.slot = None;
    j.technicians.clear();
    v.push(j);
    settle(s, &mut v, Pay::Card);
    v
}

/// The HOA's and the five other customers' 25 jobs.
fn others(s: &mut Seeder<'_>, a: &Acme) -> Vec<JobSpec> {
    let mut all = Vec::new();

    let hoa = (a.hoa.customer, a.hoa.site);
    let mut v = history(s, a, hoa, BUILDING_WORK, (2, -380, -40));
    v.push(visit(s, a, hoa, &FREEZE_INSPECTION, 21));
    settle(s, &mut v, Pay::Check);
    all.extend(v);

    let brooks = (a.brooks.customer, a.brooks.site);
    let mut v = history(s, a, brooks, HOME_WORK, (4, -500, -25));
    v.push(visit(s, a, brooks, &FAUCET, 9));
    if let Some(j) = v.iter_mut().find(|j| j.status == JobStatus::Completed) {
        j.photos = 2;
        j.rating = Some((
            5,
            "On time, friendly and fair. Will use again.",
            a.brooks.contact,
        ));
    }
    settle(s, &mut v, Pay::Card);
    all.extend(v);

    let diner = (a.diner.customer, a.diner.site);
    let grease = GREASE_TRAP;
    let mut v: Vec<JobSpec> = [-270, -180, -90]
        .into_iter()
        .map(|o| visit(s, a, diner, &grease, o))
        .collect();
    v[2].bill = Bill::Overdue;
    v.push(sale(s, a, diner, &ENZYME_SALE, -45));
    v.push(visit(s, a, diner, &grease, 2));
    settle(s, &mut v, Pay::Check);
    all.extend(v);

    let fontaine = (a.fontaine.customer, a.fontaine.site);
    let mut v: Vec<JobSpec> = [(-600, NO_HOT_WATER), (-200, TOILET)]
        .into_iter()
        .map(|(o, w)| visit(s, a, fontaine, &w, o))
        .collect();
    let mut j = visit(s, a, fontaine, &SUMP_CHECK, -2);
    j.status = JobStatus::Unscheduled;
    j.slot = None;
    j.technicians.clear();
    v.push(j);
    settle(s, &mut v, Pay::Cash);
    all.extend(v);

    let dental = (a.dental.customer, a.dental.site);
    let mut v = history(s, a, dental, BUILDING_WORK, (4, -360, -30));
    let mut j = visit(s, a, dental, &BACKFLOW, 5);
    j.slot = Some((ScheduleType::Exact, 7));
    j.work_order_notes = "Before the clinic opens at 8 am.".into();
    v.push(j);
    let done: Vec<usize> = (0..v.len())
        .filter(|&i| v[i].status == JobStatus::Completed)
        .collect();
    if let &[first, second, ..] = done.as_slice() {
        v[first].form = Some(("Quarterly inspection checklist", texts::clinic_form()));
        v[first].document = Some(("inspection-report.txt", texts::clinic_report()));
        v[second].photos = 1;
        v[second].rating = Some((
            2,
            "The technician arrived 40 minutes late and we had to move patients.",
            a.dental.contact,
        ));
    }
    settle(s, &mut v, Pay::Ach);
    all.extend(v);

    let nguyen = (a.nguyen.customer, a.nguyen.site);
    let mut v = history(s, a, nguyen, HOME_WORK, (3, -330, -8));
    v.push(visit(s, a, nguyen, &WH_FLUSH, 11));
    settle(s, &mut v, Pay::Card);
    all.extend(v);
    all
}
