//! The portal's job queries on both engines: scope, filters, search, dates and keyset pages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use doorstep_core::authz::ContactScope;
use doorstep_core::ids::{AttachmentId, CompanyId, CustomerId, SiteId};
use doorstep_core::status::{ContactRole, JobKind, JobStatus};
use doorstep_store::Store;
use doorstep_store::companies::NewCompany;
use doorstep_store::customers::{NewCustomer, NewSite};
use doorstep_store::files::NewAttachment;
use doorstep_store::job_list::{Cursor, DateOrder, JobFilter};
use doorstep_store::jobs::{LineOwner, NewJob, NewLine};
use doorstep_testkit::{Backend, both_backends, fresh_database};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

struct Fixture {
    _db: doorstep_testkit::TestDb,
    store: Store,
    acme: CompanyId,
    home: CustomerId,
    harbor: CustomerId,
    bayview: SiteId,
    pier: SiteId,
}

const DAY0: OffsetDateTime = datetime!(2025-01-01 09:00 UTC);

fn job(customer: CustomerId, site: SiteId, number: &str, day: i64, status: JobStatus) -> NewJob {
    NewJob {
        customer,
        site: Some(site),
        asset: None,
        job_type: None,
        number: number.into(),
        kind: JobKind::Service,
        status,
        summary: format!("Visit {number}"),
        description: String::new(),
        schedule_type: None,
        scheduled_start: Some(DAY0 + Duration::days(day)),
        scheduled_end: None,
        arrival_window_start: None,
        arrival_window_end: None,
        completed_at: None,
        work_order_notes: String::new(),
        customer_notes: String::new(),
        external_ref: None,
        invoice_notes: String::new(),
        po_number: String::new(),
        custom_fields: "{}".into(),
        total_minor: 0,
        created_at: DAY0,
    }
}

/// Acme: the household (one site, 3 jobs) and Harbor (Bayview: 30 jobs, two per day so
/// dates tie; Pier: 5 jobs), and Bolt with a job of the same number as Harbor's first.
async fn fixture(backend: Backend) -> Fixture {
    let db = fresh_database(backend).await;
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let mut ids = Vec::new();
    for slug in ["acme", "bolt"] {
        ids.push(
            tx.create_company(&NewCompany {
                slug: slug.into(),
                name: slug.into(),
                currency: "USD".into(),
                brand_primary: "#0b5cad".into(),
                brand_accent: "#f5a623".into(),
                ..NewCompany::default()
            })
            .await
            .unwrap(),
        );
    }
    let (acme, bolt) = (ids[0], ids[1]);
    let customer = |number: &str| NewCustomer {
        number: number.into(),
        name: number.into(),
        ..Default::default()
    };
    let home = tx.insert_customer(acme, &customer("C-1")).await.unwrap();
    let harbor = tx.insert_customer(acme, &customer("C-2")).await.unwrap();
    let bolt_customer = tx.insert_customer(bolt, &customer("B-1")).await.unwrap();
    let site = |customer, name: &str, line1: &str| NewSite {
        customer: Some(customer),
        name: name.into(),
        line1: line1.into(),
        city: "Springfield".into(),
        ..Default::default()
    };
    let elm = tx
        .insert_site(acme, &site(home, "Home", "14 Elm Street"))
        .await
        .unwrap();
    let bayview = tx
        .insert_site(acme, &site(harbor, "Bayview Apartments", "45 Bayview Road"))
        .await
        .unwrap();
    let pier = tx
        .insert_site(acme, &site(harbor, "Pier Offices", "9 Pier Street"))
        .await
        .unwrap();
    let bolt_site = tx
        .insert_site(bolt, &site(bolt_customer, "Shop", "1 Volt Way"))
        .await
        .unwrap();
    for (i, status) in [
        JobStatus::Completed,
        JobStatus::Scheduled,
        JobStatus::Cancelled,
    ]
    .into_iter()
    .enumerate()
    {
        let mut j = job(home, elm, &format!("H-{i}"), i as i64, status);
        j.description = "Kitchen faucet dripping".into();
        tx.insert_job(acme, &j).await.unwrap();
    }
    for i in 0..30 {
        let status = if i % 3 == 0 {
            JobStatus::Completed
        } else {
            JobStatus::Scheduled
        };
        let mut j = job(harbor, bayview, &format!("B-{i:02}"), i / 2, status);
        if i == 7 {
            j.summary = "Boiler pressure drop".into();
            j.description = "Leaking valve in the basement".into();
        }
        if i == 8 {
            j.kind = JobKind::Sale;
        }
        tx.insert_job(acme, &j).await.unwrap();
    }
    for i in 0..5 {
        tx.insert_job(
            acme,
            &job(
                harbor,
                pier,
                &format!("P-{i}"),
                100 + i,
                JobStatus::Completed,
            ),
        )
        .await
        .unwrap();
    }
    let mut other = job(bolt_customer, bolt_site, "B-00", 3, JobStatus::Completed);
    other.description = "Leaking valve".into();
    tx.insert_job(bolt, &other).await.unwrap();
    tx.commit().await.unwrap();
    Fixture {
        _db: db,
        store,
        acme,
        home,
        harbor,
        bayview,
        pier,
    }
}

fn company_contact(customer: CustomerId) -> ContactScope {
    ContactScope {
        customer,
        role: ContactRole::Company,
        sites: vec![],
    }
}

fn site_contact(customer: CustomerId, sites: Vec<SiteId>) -> ContactScope {
    ContactScope {
        customer,
        role: ContactRole::Site,
        sites,
    }
}

async fn numbers(f: &Fixture, scope: &ContactScope, filter: &JobFilter) -> Vec<String> {
    let page = f
        .store
        .job_page(f.acme, scope, filter, None, 100)
        .await
        .unwrap();
    page.rows.into_iter().map(|r| r.number).collect()
}

/// Every row of `filter`'s list in pages of `size`: forwards through "next", then back from
/// the last page through "previous" (put back in list order), which must agree.
async fn walk(f: &Fixture, scope: &ContactScope, filter: &JobFilter, size: i64) -> Vec<String> {
    let numbers_of = |p: &doorstep_store::job_list::JobPage| {
        p.rows.iter().map(|r| r.number.clone()).collect::<Vec<_>>()
    };
    let mut pages = Vec::new();
    let mut cursor = None;
    loop {
        let page = f
            .store
            .job_page(f.acme, scope, filter, cursor, size)
            .await
            .unwrap();
        pages.push(numbers_of(&page));
        match page.next {
            Some(next) => cursor = Some(next),
            None => {
                cursor = page.prev;
                break;
            }
        }
    }
    let mut back = vec![pages.last().cloned().unwrap_or_default()];
    while let Some(before) = cursor {
        let page = f
            .store
            .job_page(f.acme, scope, filter, Some(before), size)
            .await
            .unwrap();
        back.push(numbers_of(&page));
        cursor = page.prev;
    }
    back.reverse();
    assert_eq!(back, pages, "previous pages are the next pages, in reverse");
    pages.concat()
}

both_backends! {
    async fn portal_settings_are_replaced_whole(backend: Backend) {
        let f = fixture(backend).await;
        let settings = doorstep_core::settings::PortalSettings {
            show_sales_history: false,
            hidden_job_columns: vec!["location".into()],
            ..Default::default()
        };
        let mut tx = f.store.begin().await.unwrap();
        tx.set_company_settings(f.acme, &settings).await.unwrap();
        tx.commit().await.unwrap();
        let acme = f.store.company_by_slug("acme").await.unwrap().unwrap();
        assert_eq!(acme.settings, settings);
        let bolt = f.store.company_by_slug("bolt").await.unwrap().unwrap();
        assert!(bolt.settings.show_sales_history, "another company keeps its own");
    }

    async fn each_account_sees_only_its_own_jobs_and_site_contacts_only_their_sites(backend: Backend) {
        let f = fixture(backend).await;
        let all = JobFilter::default();
        let home = numbers(&f, &company_contact(f.home), &all).await;
        assert_eq!(home, ["H-2", "H-1", "H-0"]);
        let harbor = numbers(&f, &company_contact(f.harbor), &all).await;
        assert_eq!(harbor.len(), 35);
        let sam = numbers(&f, &site_contact(f.harbor, vec![f.bayview]), &all).await;
        assert_eq!(sam.len(), 30);
        assert!(sam.iter().all(|n| n.starts_with("B-")));
        let nobody = numbers(&f, &site_contact(f.harbor, vec![]), &all).await;
        assert!(nobody.is_empty());
        // Another account's site in the scope's list shows nothing of that account.
        let stray = numbers(&f, &site_contact(f.home, vec![f.pier]), &all).await;
        assert!(stray.is_empty());
    }

    async fn statuses_kinds_and_dates_narrow_the_list(backend: Backend) {
        let f = fixture(backend).await;
        let scope = site_contact(f.harbor, vec![f.bayview]);
        let completed = JobFilter { statuses: vec![JobStatus::Completed], ..JobFilter::default() };
        assert_eq!(numbers(&f, &scope, &completed).await.len(), 10);
        let both = JobFilter { statuses: vec![JobStatus::Completed, JobStatus::Scheduled], ..JobFilter::default() };
        assert_eq!(numbers(&f, &scope, &both).await.len(), 30);
        let sales = JobFilter { kind: Some(JobKind::Sale), ..JobFilter::default() };
        assert_eq!(numbers(&f, &scope, &sales).await, ["B-08"]);
        // Days 2 and 3 (from inclusive, until exclusive): jobs 4..=7.
        let dates = JobFilter {
            from: Some(datetime!(2025-01-03 00:00 UTC)),
            until: Some(datetime!(2025-01-05 00:00 UTC)),
            order: DateOrder::Oldest,
            ..JobFilter::default()
        };
        assert_eq!(numbers(&f, &scope, &dates).await, ["B-04", "B-05", "B-06", "B-07"]);
    }

    async fn search_finds_number_description_and_location_within_the_scope(backend: Backend) {
        let f = fixture(backend).await;
        let harbor = company_contact(f.harbor);
        let search = |s: &str| JobFilter { search: s.into(), ..JobFilter::default() };
        assert_eq!(numbers(&f, &harbor, &search("leaking VALVE")).await, ["B-07"]);
        assert_eq!(numbers(&f, &harbor, &search("leak")).await, ["B-07"], "no job has the whole word, so words match by their start");
        assert_eq!(numbers(&f, &harbor, &search("boiler")).await, ["B-07"]);
        assert_eq!(numbers(&f, &harbor, &search("B-07")).await, ["B-07"]);
        assert_eq!(numbers(&f, &harbor, &search("pier street")).await.len(), 5);
        assert!(numbers(&f, &harbor, &search("faucet")).await.is_empty(), "another account's words");
        assert!(numbers(&f, &site_contact(f.harbor, vec![f.pier]), &search("leaking")).await.is_empty());
        // Query syntax is only text.
        assert!(numbers(&f, &harbor, &search("\"NEAR(* OR ' ; --")).await.is_empty());
        let home = company_contact(f.home);
        assert_eq!(numbers(&f, &home, &search("faucet")).await.len(), 3);
        // A search pages like the list: every match once, forwards and back, by the same rule.
        let visit = search("visit");
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = f.store.job_page(f.acme, &harbor, &visit, cursor, 10).await.unwrap();
            seen.extend(page.rows.iter().map(|r| r.number.clone()));
            match page.next {
                Some(next) => cursor = Some(next),
                None => {
                    let back = f.store.job_page(f.acme, &harbor, &visit, page.prev, 10).await.unwrap();
                    assert_eq!(back.rows.len(), 10, "the page before the last is full");
                    break;
                }
            }
        }
        let all = numbers(&f, &harbor, &visit).await;
        assert!(all.len() > 30, "{}", all.len());
        let total = seen.len();
        seen.sort();
        seen.dedup();
        assert_eq!((total, seen.len()), (all.len(), all.len()));
        assert_eq!(numbers(&f, &harbor, &search("visi")).await.len(), all.len(), "word starts when no whole word matches");
    }

    async fn a_search_that_matches_a_site_also_lists_the_jobs_with_its_words(backend: Backend) {
        // PostgreSQL's first query of a search reads the jobs by their own words and learns
        // in the same statement whether a site matches: when one does, those rows are not
        // the page, the site's jobs belong beside them.
        let f = fixture(backend).await;
        let mut tx = f.store.begin().await.unwrap();
        let mut railing = job(f.harbor, f.bayview, "B-99", 50, JobStatus::Scheduled);
        railing.description = "Checked the pier railings".into();
        tx.insert_job(f.acme, &railing).await.unwrap();
        tx.commit().await.unwrap();
        let pier = JobFilter { search: "pier".into(), ..JobFilter::default() };
        let expected = ["P-4", "P-3", "P-2", "P-1", "P-0", "B-99"];
        assert_eq!(numbers(&f, &company_contact(f.harbor), &pier).await, expected);
        assert_eq!(walk(&f, &company_contact(f.harbor), &pier, 2).await, expected, "every page follows the same rule");
        // Sam sees Bayview only: the site matching is not a way to see Pier's jobs.
        let sam = site_contact(f.harbor, vec![f.bayview]);
        assert_eq!(numbers(&f, &sam, &pier).await, ["B-99"]);
        assert_eq!(walk(&f, &sam, &pier, 1).await, ["B-99"]);
        // A word no site has: the jobs with it, and only those.
        let railings = JobFilter { search: "railings".into(), ..JobFilter::default() };
        assert_eq!(walk(&f, &company_contact(f.harbor), &railings, 1).await, ["B-99"]);
    }

    async fn search_pages_are_the_filtered_list_in_either_order_for_either_contact(backend: Backend) {
        // SQLite reads a search from its index in list order (0013) and PostgreSQL from its word
        // table (0012), each beside the plain list's index walk: with the same filter, a
        // search for a word every job has must page exactly like the list, tied dates and
        // the date range's ends included.
        let f = fixture(backend).await;
        let scopes = [company_contact(f.harbor), site_contact(f.harbor, vec![f.bayview])];
        let narrowings = [
            JobFilter::default(),
            JobFilter { statuses: vec![JobStatus::Completed], ..JobFilter::default() },
            JobFilter {
                from: Some(DAY0 + Duration::days(2)),
                until: Some(DAY0 + Duration::days(9)),
                ..JobFilter::default()
            },
        ];
        for scope in &scopes {
            for narrowing in &narrowings {
                for order in [DateOrder::Newest, DateOrder::Oldest] {
                    let list = JobFilter { order, ..narrowing.clone() };
                    let mut expected = walk(&f, scope, &list, 4).await;
                    // B-07's summary is about a boiler; every other job says "Visit".
                    expected.retain(|n| n != "B-07");
                    assert!(expected.len() > 4, "{expected:?}");
                    let searched = JobFilter { search: "visit".into(), ..list.clone() };
                    assert_eq!(walk(&f, scope, &searched, 4).await, expected, "{scope:?} {list:?}");
                }
            }
        }
    }

    async fn a_job_the_sqlite_search_index_cannot_place_is_refused_whole(backend: Backend) {
        // SQLite's search index keys a job by its date and id in one integer (0013), which
        // holds 1970 to 2106: a job outside is refused, not indexed out of order.
        let f = fixture(backend).await;
        let home = company_contact(f.home);
        let before = numbers(&f, &home, &JobFilter::default()).await;
        let site: SiteId = doorstep_store::on_pool!(f.store, p => sqlx::query_scalar(
            "SELECT id FROM sites WHERE company_id = $1 AND customer_id = $2")
            .bind(f.acme.0).bind(f.home.0).fetch_one(p).await).map(SiteId).unwrap();
        let mut old = job(f.home, site, "H-1960", 0, JobStatus::Completed);
        old.scheduled_start = Some(datetime!(1960-05-01 09:00 UTC));
        old.created_at = datetime!(1960-04-01 09:00 UTC);
        let mut tx = f.store.begin().await.unwrap();
        let inserted = tx.insert_job(f.acme, &old).await;
        match backend {
            Backend::Sqlite => assert!(inserted.is_err(), "refused"),
            Backend::Postgres => assert!(inserted.is_ok(), "PostgreSQL's word table has no such bound"),
        }
        drop(tx);
        assert_eq!(numbers(&f, &home, &JobFilter::default()).await, before, "nothing half-written");
    }

    async fn search_follows_a_jobs_words_date_and_account_as_they_change(backend: Backend) {
        // PostgreSQL keeps a word table beside the jobs (0012) and SQLite an FTS5 index
        // (0011), both by triggers: every change a job's words, date or account can see must
        // reach the search at once, and a removed job must leave no word behind.
        let f = fixture(backend).await;
        let (harbor, home) = (company_contact(f.harbor), company_contact(f.home));
        let search = |s: &str| JobFilter { search: s.into(), ..JobFilter::default() };
        let run = |sql: &'static str, a: i64, b: &'static str| {
            let store = f.store.clone();
            async move {
                doorstep_store::on_pool!(store, p => sqlx::query(sql).bind(a).bind(b).execute(p).await.map(|_| ())).unwrap();
            }
        };
        let acme = f.acme.0;
        run("UPDATE jobs SET summary = 'Zebra damper check' WHERE company_id = $1 AND number = $2", acme, "B-03").await;
        run("UPDATE jobs SET summary = 'Zebra flue check' WHERE company_id = $1 AND number = $2", acme, "B-20").await;
        assert_eq!(numbers(&f, &harbor, &search("zebra")).await, ["B-20", "B-03"], "new words, newest first");
        assert!(!numbers(&f, &harbor, &search("visit")).await.contains(&"B-03".to_string()), "the old words are gone");
        assert_eq!(numbers(&f, &harbor, &search("zebra damper")).await, ["B-03"], "every word counts");
        // "zebra" is the word read from the index ("flue" is shorter): the job's row says
        // whether it has "flue" too.
        assert_eq!(numbers(&f, &harbor, &search("zebra flue")).await, ["B-20"], "every word counts, whichever is read");
        // Rescheduled: the order follows the new date, and a status change alone keeps the words.
        doorstep_store::on_pool!(f.store, p => sqlx::query(
            "UPDATE jobs SET job_date = $1 WHERE company_id = $2 AND number = 'B-03'")
            .bind(DAY0 + Duration::days(400)).bind(acme).execute(p).await.map(|_| ())).unwrap();
        run("UPDATE jobs SET status = 'cancelled' WHERE company_id = $1 AND number = $2", acme, "B-03").await;
        assert_eq!(numbers(&f, &harbor, &search("zebra")).await, ["B-03", "B-20"]);
        // Moved to another account: found only there.
        let home_site: i64 = doorstep_store::on_pool!(f.store, p => sqlx::query_scalar(
            "SELECT id FROM sites WHERE company_id = $1 AND customer_id = $2")
            .bind(acme).bind(f.home.0).fetch_one(p).await).unwrap();
        doorstep_store::on_pool!(f.store, p => sqlx::query(
            "UPDATE jobs SET customer_id = $1, site_id = $2 WHERE company_id = $3 AND number = 'B-20'")
            .bind(f.home.0).bind(home_site).bind(acme).execute(p).await.map(|_| ())).unwrap();
        assert_eq!(numbers(&f, &harbor, &search("zebra")).await, ["B-03"]);
        assert_eq!(numbers(&f, &home, &search("zebra")).await, ["B-20"]);
        // Removed: no longer found, and nothing of it left in the word table.
        run("DELETE FROM jobs WHERE company_id = $1 AND number = $2", acme, "B-03").await;
        assert!(numbers(&f, &harbor, &search("zebra")).await.is_empty());
        if backend == Backend::Postgres {
            let left: i64 = doorstep_store::on_pool!(f.store, p => sqlx::query_scalar(
                "SELECT COUNT(*) FROM job_words w WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = w.job_id \
                 AND j.customer_id = w.customer_id AND j.job_date = w.job_date)")
                .fetch_one(p).await).unwrap();
            assert_eq!(left, 0, "every word row belongs to a job as it is now");
        }
    }

    async fn many_readers_at_once_see_every_committed_job_at_once(backend: Backend) {
        // On SQLite the list reads through the plain-connection pool, beside sqlx's writers:
        // each commit must be visible to the very next read, and readers must not trip
        // over each other or over a writer holding the write lock.
        let f = fixture(backend).await;
        let home = company_contact(f.home);
        let all = JobFilter::default();
        let before = numbers(&f, &home, &all).await.len();
        let home_site: SiteId = doorstep_store::on_pool!(f.store, p => sqlx::query_scalar(
            "SELECT id FROM sites WHERE company_id = $1 AND customer_id = $2")
            .bind(f.acme.0).bind(f.home.0).fetch_one(p).await).map(SiteId).unwrap();
        for n in 0..5 {
            let readers: Vec<_> = (0..20)
                .map(|_| {
                    let store = f.store.clone();
                    let scope = home.clone();
                    let acme = f.acme;
                    tokio::spawn(async move {
                        store.job_page(acme, &scope, &JobFilter::default(), None, 100).await.unwrap().rows.len()
                    })
                })
                .collect();
            let mut tx = f.store.begin().await.unwrap();
            tx.insert_job(f.acme, &job(f.home, home_site, &format!("N-{n}"), 400 + n, JobStatus::Scheduled)).await.unwrap();
            tx.commit().await.unwrap();
            assert_eq!(numbers(&f, &home, &all).await.len(), before + n as usize + 1, "the commit is seen at once");
            for reader in readers {
                let seen = reader.await.unwrap();
                assert!(seen == before + n as usize || seen == before + n as usize + 1, "{seen}");
            }
        }
        let found = numbers(&f, &home, &JobFilter { search: "N-4".into(), ..JobFilter::default() }).await;
        assert_eq!(found, ["N-4"], "and searched at once");
    }

    async fn reads_cancelled_midway_leave_the_read_connections_sound(backend: Backend) {
        // The hottest reads go through the store's own connections (SQLite: plain rusqlite
        // ones; PostgreSQL: plain sqlx connections without the pool's ping on release). A
        // request dropped while its query is on the wire must not leave a connection that
        // answers the next request with the dropped one's rows, nor keep its slot.
        let f = fixture(backend).await;
        let harbor = company_contact(f.harbor);
        let home = company_contact(f.home);
        let search = JobFilter { search: "visit".into(), ..JobFilter::default() };
        let expected_harbor = numbers(&f, &harbor, &search).await;
        let expected_home = numbers(&f, &home, &JobFilter::default()).await;
        for i in 0..60u64 {
            let read = f.store.job_page(f.acme, &harbor, &search, None, 100);
            // From not polled at all to well into the answer.
            let _ = tokio::time::timeout(std::time::Duration::from_micros(i * 25), read).await;
            if i % 3 == 0 {
                let store = f.store.clone();
                let (acme, scope) = (f.acme, harbor.clone());
                let task = tokio::spawn(async move {
                    store.job_page(acme, &scope, &JobFilter::default(), None, 100).await
                });
                tokio::task::yield_now().await;
                task.abort();
            }
            let answer = tokio::time::timeout(
                std::time::Duration::from_secs(10),
                numbers(&f, &home, &JobFilter::default()),
            )
            .await
            .expect("a cancelled read gave its connection back or let it go");
            assert_eq!(answer, expected_home, "after {i} cancelled reads");
        }
        assert_eq!(numbers(&f, &harbor, &search).await, expected_harbor);
    }

    async fn keyset_pages_walk_every_job_once_both_ways_despite_tied_dates(backend: Backend) {
        let f = fixture(backend).await;
        let scope = site_contact(f.harbor, vec![f.bayview]);
        for order in [DateOrder::Newest, DateOrder::Oldest] {
            let filter = JobFilter { order, ..JobFilter::default() };
            let mut seen = Vec::new();
            let mut pages = Vec::new();
            let mut cursor = None;
            loop {
                let page = f.store.job_page(f.acme, &scope, &filter, cursor, 7).await.unwrap();
                assert!(page.rows.len() <= 7);
                seen.extend(page.rows.iter().map(|r| r.number.clone()));
                pages.push(page.clone());
                match page.next {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
            let mut expected: Vec<String> = (0..30).map(|i| format!("B-{i:02}")).collect();
            if order == DateOrder::Newest {
                expected.reverse();
            }
            assert_eq!(seen, expected, "{order:?}");
            assert_eq!(pages.len(), 5);
            assert!(pages[0].prev.is_none());
            // Previous from the last page gives back the page before it, exactly.
            let back = f.store.job_page(f.acme, &scope, &filter, pages[4].prev, 7).await.unwrap();
            let numbers_of = |p: &doorstep_store::job_list::JobPage| p.rows.iter().map(|r| r.number.clone()).collect::<Vec<_>>();
            assert_eq!(numbers_of(&back), numbers_of(&pages[3]));
            assert!(matches!(back.next, Some(Cursor::After(_))));
            let first = f.store.job_page(f.acme, &scope, &filter, pages[1].prev, 7).await.unwrap();
            assert_eq!(numbers_of(&first), numbers_of(&pages[0]));
            assert!(first.prev.is_none(), "nothing before the first page");
        }
    }

    async fn a_job_and_its_files_are_found_only_within_the_scope(backend: Backend) {
        let f = fixture(backend).await;
        let mut tx = f.store.begin().await.unwrap();
        let job = f.store.job_for_contact(f.acme, &company_contact(f.harbor), "B-07").await.unwrap().unwrap();
        tx.insert_lines(f.acme, LineOwner::Job(doorstep_core::ids::JobId(job.id)), &[NewLine {
            catalogue_item: None, kind: "service".into(), description: "Valve".into(),
            quantity_milli: 1500, unit_price_minor: 2000, tax_name: Some("Sales tax".into()),
            tax_rate_bp: 825, is_optional: false, is_selected: true,
        }]).await.unwrap();
        let file = tx.insert_attachment(f.acme, &NewAttachment {
            customer: Some(f.harbor), owner_kind: "job", owner_id: job.id, kind: "photo",
            filename: "a.png".into(), content_type: "image/png".into(), size_bytes: 3,
            storage_key: "0".repeat(32), thumb_key: Some("1".repeat(32)), width: Some(1), height: Some(1),
        }).await.unwrap();
        tx.commit().await.unwrap();

        let sam = site_contact(f.harbor, vec![f.bayview]);
        let pier_only = site_contact(f.harbor, vec![f.pier]);
        assert!(f.store.job_for_contact(f.acme, &sam, "B-07").await.unwrap().is_some());
        assert!(f.store.job_for_contact(f.acme, &pier_only, "B-07").await.unwrap().is_none());
        assert!(f.store.job_for_contact(f.acme, &company_contact(f.home), "B-07").await.unwrap().is_none());
        assert!(f.store.job_for_contact(f.acme, &company_contact(f.harbor), "NOPE").await.unwrap().is_none());

        let lines = f.store.job_lines(f.acme, doorstep_core::ids::JobId(job.id)).await.unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].priced().amount_minor(), 3000);
        let files = f.store.job_files(f.acme, doorstep_core::ids::JobId(job.id)).await.unwrap();
        assert_eq!(files.iter().map(|x| x.id).collect::<Vec<_>>(), [file.0]);

        assert!(f.store.job_file_for_contact(f.acme, &sam, file).await.unwrap().is_some());
        assert!(f.store.job_file_for_contact(f.acme, &pier_only, file).await.unwrap().is_none());
        assert!(f.store.job_file_for_contact(f.acme, &company_contact(f.home), file).await.unwrap().is_none());
        assert!(f.store.job_file_for_contact(f.acme, &sam, AttachmentId(file.0 + 1000)).await.unwrap().is_none());
    }
}
