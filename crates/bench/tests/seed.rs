//! The benchmark seeder: the rows it plans, and what it writes on both engines.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};

use doorstep_bench::generate::{Cursor, CustomerRows};
use doorstep_bench::{BENCH_SLUG, Plan, SEARCH_WORD, SeedOptions, Sizes, seed};
use doorstep_core::status::JobStatus;
use doorstep_store::Store;
use doorstep_store::customers::NewCustomer;
use doorstep_testkit::{Backend, both_backends, fresh_database};
use doorstep_web::PasswordCost;
use doorstep_web::auth::password::verify_password;
use time::macros::date;

const SMALL: Sizes = Sizes {
    companies: 3,
    customers: 31,
    jobs: 1_000,
    bench_jobs: 120,
};

/// Every row of the plan, in the order the loader writes them.
fn all_rows(plan: &Plan) -> Vec<CustomerRows> {
    let mut cursor = Cursor::new();
    let mut out = Vec::new();
    for company in 0..plan.sizes().companies {
        let company_id = i64::try_from(company).unwrap() + 1;
        for index in plan.customers_of(company) {
            out.push(plan.customer(company, company_id, index, &mut cursor, "hash"));
        }
    }
    out
}

#[test]
fn the_same_seed_gives_the_same_rows_and_another_seed_other_rows() {
    let day = date!(2026 - 11 - 23);
    let first = all_rows(&Plan::new(SMALL, 7, day));
    let again = all_rows(&Plan::new(SMALL, 7, day));
    let other = all_rows(&Plan::new(SMALL, 8, day));
    assert_eq!(first, again);
    assert_ne!(first, other);
}

#[test]
fn the_plan_has_exactly_the_asked_sizes_with_every_status_and_unique_numbers() {
    let plan = Plan::new(SMALL, 7, date!(2026 - 11 - 23));
    let rows = all_rows(&plan);
    assert_eq!(rows.len(), SMALL.customers);
    assert_eq!(rows.iter().map(|r| r.jobs.len()).sum::<usize>(), SMALL.jobs);
    assert_eq!(rows[0].jobs.len(), SMALL.bench_jobs);
    // Accounts differ in size, yet every other customer has at least one job.
    let sizes: HashSet<usize> = rows[1..].iter().map(|r| r.jobs.len()).collect();
    assert!(sizes.len() > 3, "job counts all alike: {sizes:?}");
    assert!(!sizes.contains(&0));

    let statuses: HashSet<JobStatus> = rows
        .iter()
        .flat_map(|r| &r.jobs)
        .map(|j| j.status)
        .collect();
    assert_eq!(statuses.len(), 6, "every status occurs: {statuses:?}");

    let mut numbers: HashMap<i64, HashSet<&str>> = HashMap::new();
    for job in rows.iter().flat_map(|r| &r.jobs) {
        let fresh = numbers
            .entry(job.company_id)
            .or_default()
            .insert(&job.number);
        assert!(
            fresh,
            "job number {} repeats in company {}",
            job.number, job.company_id
        );
        assert!(job.number.starts_with("J-1"));
    }
    let ids: Vec<i64> = rows.iter().flat_map(|r| &r.jobs).map(|j| j.id).collect();
    assert_eq!(
        ids,
        (1..=i64::try_from(SMALL.jobs).unwrap()).collect::<Vec<_>>()
    );

    let bench = &rows[0];
    assert!(bench.login.is_some(), "the benchmark contact can sign in");
    assert!(bench.jobs.iter().any(|j| j.summary.contains(SEARCH_WORD)));
    let years: HashSet<i32> = bench.jobs.iter().map(|j| j.created_at.year()).collect();
    assert!(years.len() >= 4, "dates spread over years: {years:?}");
    for job in rows.iter().flat_map(|r| &r.jobs) {
        let lines: Vec<_> = rows
            .iter()
            .flat_map(|r| &r.lines)
            .filter(|l| l.job_id == job.id)
            .collect();
        assert!((1..=3).contains(&lines.len()));
        assert!(job.total_minor > 0);
    }
}

both_backends! {
    async fn seeding_writes_the_planned_rows_and_the_benchmark_contact_can_sign_in(backend: Backend) {
        let db = fresh_database(backend).await;
        let options = SeedOptions {
            sizes: SMALL,
            seed: 7,
            today: date!(2026 - 11 - 23),
            password: "bench-password-1".into(),
            cost: PasswordCost::TestOnly,
            progress: false,
        };
        let report = seed(&db.url, &options).await.unwrap();
        let planned = all_rows(&Plan::new(SMALL, 7, options.today));
        let c = report.counts;
        assert_eq!(c.companies, 3);
        assert_eq!(c.customers, 31);
        assert_eq!(c.sites, 31);
        assert_eq!(c.contacts, 31);
        assert_eq!(c.logins, 3, "one login per company");
        assert_eq!(c.jobs, 1_000);
        let lines: usize = planned.iter().map(|r| r.lines.len()).sum();
        assert_eq!(c.lines, i64::try_from(lines).unwrap());
        assert_eq!(report.slug, BENCH_SLUG);
        assert_eq!(report.email, planned[0].contact.email.clone().unwrap());
        assert_eq!(report.job_number, "J-100001");

        let store = Store::connect(&db.url).await.unwrap();
        let company = store.company_by_slug(BENCH_SLUG).await.unwrap().unwrap();
        let creds = store.login_credentials(company.id, &report.email).await.unwrap().unwrap();
        assert!(verify_password("bench-password-1", &creds.password_hash.unwrap()));

        // The app's own inserts still work after the explicit ids (PostgreSQL's sequences).
        let mut tx = store.begin().await.unwrap();
        let added = NewCustomer { number: "C-99999".into(), name: "Late Arrival".into(), ..NewCustomer::default() };
        let id = tx.insert_customer(company.id, &added).await.unwrap();
        tx.commit().await.unwrap();
        assert!(id.0 > 31);

        // A second seed into the same database is refused rather than colliding.
        let again = seed(&db.url, &options).await;
        assert!(again.is_err());
    }
}
