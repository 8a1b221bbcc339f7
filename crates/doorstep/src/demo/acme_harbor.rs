//! Harbor Property Co.'s 35 jobs across Bayview Apartments, Harbor Lofts, Pier Offices
//! and the Harbor yard (rentals and counter sales), with its billing mix.

use doorstep_core::status::{JobKind, JobStatus, PaymentMethodKind as Pay, ScheduleType};

use super::acme::Acme;
use super::acme_assets::Gear;
use super::acme_jobs::{any, history, sale, settle, visit};
use super::acme_texts as texts;
use super::acme_work::*;
use super::json;
use super::lines::{taxed, untaxed};
use super::seeder::Seeder;
use super::work::{Bill, JobSpec};

/// Harbor's jobs, each with a PO number.
pub(crate) fn jobs(s: &mut Seeder<'_>, a: &Acme, gear: &Gear) -> Vec<JobSpec> {
    let bayview = (a.harbor, a.bayview);
    let lofts = (a.harbor, a.lofts);
    let pier = (a.harbor, a.pier);
    let yard = (a.harbor, a.yard);
    let mut v = Vec::new();

    // Bayview Apartments: the site Sam looks after.
    let mut bay = history(s, a, bayview, BUILDING_WORK, (8, -420, -5));
    let mut j = visit(s, a, bayview, &BACKFLOW, -200);
    j.form = Some(("Backflow test report", texts::backflow_form()));
    j.document = Some((
        "backflow-test-certificate.txt",
        texts::backflow_certificate("45 Bayview Road"),
    ));
    bay.push(j);
    let mut j = visit(s, a, bayview, &UNIT_LEAK, 0);
    j.tag = "bayview-today";
    j.summary = "Leak under the kitchen sink, unit 4C".into();
    bay.push(j);
    for offset in [3, 17] {
        let work = any(s, BUILDING_WORK);
        bay.push(visit(s, a, bayview, &work, offset));
    }
    for j in &mut bay {
        j.custom_fields = json::object(&[("gate_code", "#4410")]);
    }
    v.extend(bay);

    // Harbor Lofts.
    v.extend(history(s, a, lofts, BUILDING_WORK, (5, -480, -12)));
    let mut j = visit(s, a, lofts, &BOILER_SERVICE, -330);
    j.asset = Some(gear.boiler_lofts);
    j.form = Some((
        "Boiler inspection checklist",
        texts::boiler_form("9.1%", "18"),
    ));
    v.push(j);
    let mut j = visit(s, a, lofts, &TANKLESS, -150);
    j.tag = "harbor-tankless";
    j.custom_fields = json::object(&[("permit_number", "P-24-0187")]);
    v.push(j);
    let mut j = visit(s, a, lofts, &FREEZE_INSPECTION, -5);
    j.status = JobStatus::Unscheduled;
    j.slot = None;
    j.technicians.clear();
    v.push(j);
    for offset in [9, 40] {
        let work = any(s, BUILDING_WORK);
        v.push(visit(s, a, lofts, &work, offset));
    }

    // Pier Offices.
    v.extend(history(s, a, pier, BUILDING_WORK, (5, -450, -7)));
    let mut j = visit(s, a, pier, &BOILER_SERVICE, -300);
    j.asset = Some(gear.boiler_pier);
    j.form = Some((
        "Boiler inspection checklist",
        texts::boiler_form("8.7%", "24"),
    ));
    v.push(j);
    let mut j = visit(s, a, pier, &RESTROOM_TOILET, 0);
    j.status = JobStatus::OnTheWay;
    j.slot = Some((ScheduleType::Exact, 10));
    v.push(j);
    let mut j = visit(s, a, pier, &UNIT_LEAK, 12);
    j.tag = "pier-request";
    j.summary = "Low water pressure in the 2nd-floor restrooms".into();
    j.description =
        "Requested in the portal: both 2nd-floor restrooms have weak flow since last week.".into();
    j.slot = Some((ScheduleType::Am, 0));
    v.push(j);
    let work = any(s, BUILDING_WORK);
    v.push(visit(s, a, pier, &work, 30));

    // Harbor yard: rentals and counter sales, and a rental pickup ahead.
    let mut j = sale(s, a, yard, &FILTER_SALE, -300);
    j.summary = "Pipe-thaw heater rental, 2 weeks".into();
    j.description = "Portable pipe-thaw heater for the Pier Offices' frozen sprinkler line.".into();
    let mut line = taxed(
        "product",
        "Pipe-thaw heater rental (per week)",
        2_000,
        4_500,
    );
    line.catalogue_item = Some(a.pipe_thaw);
    j.lines = vec![line, untaxed("fee", "Delivery and pickup", 1_000, 4_500)];
    v.push(j);
    v.push(sale(s, a, yard, &SUMP_SALE, -200));
    let mut j = sale(s, a, yard, &FILTER_SALE, -12);
    j.tag = "dehumidifier";
    j.summary = "Dehumidifier rental, 4 weeks (unit D-07)".into();
    j.description = "Dehumidifier for the Bayview basement after it flooded.".into();
    let mut line = taxed("product", "Dehumidifier rental (per week)", 4_000, 8_500);
    line.catalogue_item = Some(a.dehumidifier);
    j.lines = vec![line];
    v.push(j);
    let mut j = JobSpec::new(a.harbor, Some(a.yard), s.day(18), JobStatus::Scheduled);
    j.summary = "Rental pickup: dehumidifier D-07".into();
    j.description = "Collect the rented dehumidifier at the end of the rental.".into();
    j.slot = Some((ScheduleType::AllDay, 0));
    j.lines = vec![untaxed("fee", "Rental pickup", 1_000, 4_500)];
    v.push(j);

    for (n, j) in (4400..).zip(v.iter_mut()) {
        j.po_number = format!("HPC-{n}");
    }
    harbor_extras(s, a, &mut v);
    v
}

/// Harbor's billing mix (part-paid, overdue, one check for two invoices, autopay ACH
/// for the rest), photos on a few visits and two ratings.
fn harbor_extras(s: &mut Seeder<'_>, a: &Acme, v: &mut [JobSpec]) {
    let today = s.today;
    let mut older: Vec<usize> = (0..v.len())
        .filter(|&i| v[i].status == JobStatus::Completed && (today - v[i].day).whole_days() > 20)
        .collect();
    older.sort_by_key(|&i| std::cmp::Reverse(v[i].day));
    let plans = [
        Bill::Partial {
            method: Pay::Check,
            percent: 40,
        },
        Bill::Overdue,
        Bill::Paid {
            method: Pay::Check,
            after: 9,
            group: Some(1),
        },
        Bill::Paid {
            method: Pay::Check,
            after: 9,
            group: Some(1),
        },
    ];
    for (&i, plan) in older.iter().zip(plans) {
        v[i].bill = plan;
    }
    let visits: Vec<usize> = (0..v.len())
        .filter(|&i| v[i].status == JobStatus::Completed && v[i].kind == JobKind::Service)
        .collect();
    for (k, &i) in visits.iter().enumerate() {
        match k {
            1 | 4 | 7 | 10 => v[i].photos = 1 + k % 3,
            2 => v[i].rating = Some((5, "Great communication with our tenants.", a.dana_harbor)),
            6 => {
                v[i].rating = Some((
                    3,
                    "Work was fine, but the crew left debris in the hallway.",
                    a.dana_harbor,
                ))
            }
            _ => {}
        }
    }
    settle(s, v, Pay::Ach);
}
