//! Support tickets on both engines: numbers, lists by account and by status with keyset
//! paging, the thread, status moves that fail when the ticket changed meanwhile, and
//! files that stay inside their account and company.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use doorstep_core::ids::{AttachmentId, CompanyId, ContactId, CustomerId, StaffUserId};
use doorstep_core::status::{ContactRole, StaffRole, SupportStatus};
use doorstep_store::Store;
use doorstep_store::companies::NewCompany;
use doorstep_store::contacts::NewContact;
use doorstep_store::customers::NewCustomer;
use doorstep_store::files::NewAttachment;
use doorstep_store::support::SupportAuthor;
use doorstep_testkit::{Backend, both_backends, fresh_database};

struct World {
    _db: doorstep_testkit::TestDb,
    store: Store,
    company: CompanyId,
    other_company: CompanyId,
    mine: CustomerId,
    other: CustomerId,
    dana: ContactId,
    staff: StaffUserId,
}

async fn world(backend: Backend) -> World {
    let db = fresh_database(backend).await;
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let mut company_ids = Vec::new();
    for slug in ["acme", "bolt"] {
        company_ids.push(
            tx.create_company(&NewCompany {
                slug: slug.into(),
                name: slug.into(),
                currency: "USD".into(),
                email: format!("hello@{slug}.test"),
                ..Default::default()
            })
            .await
            .unwrap(),
        );
    }
    let (company, other_company) = (company_ids[0], company_ids[1]);
    let customer = |number: &str| NewCustomer {
        number: number.into(),
        name: format!("Customer {number}"),
        ..Default::default()
    };
    let mine = tx.insert_customer(company, &customer("C-1")).await.unwrap();
    let other = tx.insert_customer(company, &customer("C-2")).await.unwrap();
    let login = tx
        .insert_login(company, "dana@example.test", None)
        .await
        .unwrap();
    let dana = tx
        .insert_contact(
            company,
            &NewContact {
                customer: mine,
                login: Some(login),
                first_name: "Dana".into(),
                last_name: "Whitaker".into(),
                email: None,
                phone: String::new(),
                role: ContactRole::Company,
                is_primary: true,
                is_billing: true,
                portal_enabled: true,
            },
        )
        .await
        .unwrap();
    let staff = tx
        .create_staff(
            company,
            "olivia@acme.test",
            "Olivia Park",
            StaffRole::Office,
            None,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    World {
        _db: db,
        store,
        company,
        other_company,
        mine,
        other,
        dana,
        staff,
    }
}

fn file(customer: CustomerId, kind: &'static str, owner: i64, key: &str) -> NewAttachment {
    NewAttachment {
        customer: Some(customer),
        owner_kind: kind,
        owner_id: owner,
        kind: "document",
        filename: format!("{key}.pdf"),
        content_type: "application/pdf".into(),
        size_bytes: 10,
        storage_key: key.into(),
        thumb_key: None,
        width: None,
        height: None,
    }
}

both_backends! {
    /// Numbers follow each other per company and start past tickets already there.
    async fn ticket_numbers_are_sequential_per_company_and_skip_existing(backend: Backend) {
        let w = world(backend).await;
        let mut tx = w.store.begin().await.unwrap();
        tx.insert_support_request(w.company, w.mine, None, "S-1001", "Imported", "x",
            SupportStatus::Closed, doorstep_store::now()).await.unwrap();
        tx.insert_support_request(w.company, w.mine, None, "S-1003", "Imported", "x",
            SupportStatus::Closed, doorstep_store::now()).await.unwrap();
        let (_, a) = tx.open_support_request(w.company, w.mine, w.dana, "A", "a").await.unwrap();
        let (_, b) = tx.open_support_request(w.company, w.mine, w.dana, "B", "b").await.unwrap();
        let (_, c) = tx.open_support_request(w.other_company, w.mine, w.dana, "C", "c").await.unwrap();
        tx.commit().await.unwrap();
        // Two tickets existed, so counting starts at 1003, which is taken: 1004, then 1005.
        assert_eq!((a.as_str(), b.as_str()), ("S-1004", "S-1005"));
        assert_eq!(c, "S-1001");
    }

    /// The account's list holds only its tickets, newest change first, page by page.
    async fn customer_list_pages_through_only_its_own_tickets(backend: Backend) {
        let w = world(backend).await;
        let mut tx = w.store.begin().await.unwrap();
        for i in 0..5 {
            tx.open_support_request(w.company, w.mine, w.dana, &format!("Mine {i}"), "x").await.unwrap();
        }
        tx.insert_support_request(w.company, w.other, None, "S-9000", "Theirs", "x",
            SupportStatus::Open, doorstep_store::now()).await.unwrap();
        tx.commit().await.unwrap();
        let first = w.store.support_page_for_customer(w.company, w.mine, None, 3).await.unwrap();
        assert_eq!(first.len(), 3);
        let last = first.last().unwrap();
        let rest = w.store.support_page_for_customer(w.company, w.mine, Some((last.updated_at, last.id)), 3).await.unwrap();
        assert_eq!(rest.len(), 2);
        let subjects: Vec<_> = first.iter().chain(&rest).map(|r| r.subject.as_str()).collect();
        // Same second: the id breaks the tie, newest first.
        assert_eq!(subjects, ["Mine 4", "Mine 3", "Mine 2", "Mine 1", "Mine 0"]);
        assert!(w.store.support_page_for_customer(w.other_company, w.mine, None, 10).await.unwrap().is_empty());
    }

    /// The office filters by several statuses at once; none means all.
    async fn office_list_filters_by_statuses(backend: Backend) {
        let w = world(backend).await;
        let mut tx = w.store.begin().await.unwrap();
        let (open, _) = tx.open_support_request(w.company, w.mine, w.dana, "Open one", "x").await.unwrap();
        let (waiting, _) = tx.open_support_request(w.company, w.other, w.dana, "Waiting one", "x").await.unwrap();
        let (closed, _) = tx.open_support_request(w.company, w.mine, w.dana, "Closed one", "x").await.unwrap();
        assert!(tx.set_support_status(w.company, waiting, SupportStatus::Open, SupportStatus::WaitingOnCustomer).await.unwrap());
        assert!(tx.set_support_status(w.company, closed, SupportStatus::Open, SupportStatus::Closed).await.unwrap());
        tx.open_support_request(w.other_company, w.mine, w.dana, "Elsewhere", "x").await.unwrap();
        tx.commit().await.unwrap();
        let subjects = |rows: Vec<doorstep_store::support::SupportRow>| {
            let mut s: Vec<String> = rows.into_iter().map(|r| r.subject).collect();
            s.sort();
            s
        };
        let some = w.store.support_page_for_office(w.company,
            &[SupportStatus::Open, SupportStatus::WaitingOnCustomer], None, 10).await.unwrap();
        assert_eq!(subjects(some), ["Open one", "Waiting one"]);
        let all = w.store.support_page_for_office(w.company, &[], None, 10).await.unwrap();
        assert_eq!(all.len(), 3);
        let _ = open;
    }

    /// A ticket is found by number only within its account (portal) or company (office).
    async fn a_ticket_is_found_only_inside_its_account_and_company(backend: Backend) {
        let w = world(backend).await;
        let mut tx = w.store.begin().await.unwrap();
        let (_, number) = tx.open_support_request(w.company, w.mine, w.dana, "Mine", "Details").await.unwrap();
        tx.commit().await.unwrap();
        let t = w.store.support_ticket_for_customer(w.company, w.mine, &number).await.unwrap().unwrap();
        assert_eq!((t.subject.as_str(), t.contact_name.as_str(), t.status()), ("Mine", "Dana Whitaker", SupportStatus::Open));
        assert!(w.store.support_ticket_for_customer(w.company, w.other, &number).await.unwrap().is_none());
        assert!(w.store.support_ticket_for_office(w.company, &number).await.unwrap().is_some());
        assert!(w.store.support_ticket_for_office(w.other_company, &number).await.unwrap().is_none());
    }

    /// Comments come oldest first with their authors; a move from a stale status writes nothing.
    async fn comments_name_their_authors_and_stale_moves_change_nothing(backend: Backend) {
        let w = world(backend).await;
        let mut tx = w.store.begin().await.unwrap();
        let (ticket, number) = tx.open_support_request(w.company, w.mine, w.dana, "Help", "x").await.unwrap();
        let reply = tx.add_support_comment(w.company, ticket, SupportAuthor::Staff(w.staff), "We are on it",
            SupportStatus::Open, SupportStatus::WaitingOnCustomer).await.unwrap();
        assert!(reply.is_some());
        let stale = tx.add_support_comment(w.company, ticket, SupportAuthor::Contact(w.dana), "Too late",
            SupportStatus::Open, SupportStatus::Open).await.unwrap();
        assert!(stale.is_none());
        tx.add_support_comment(w.company, ticket, SupportAuthor::Contact(w.dana), "Thanks",
            SupportStatus::WaitingOnCustomer, SupportStatus::Open).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        let thread = w.store.support_comments(w.company, ticket).await.unwrap();
        let seen: Vec<_> = thread.iter().map(|c| (c.by_staff, c.author_name.as_str(), c.body.as_str())).collect();
        assert_eq!(seen, [(true, "Olivia Park", "We are on it"), (false, "Dana Whitaker", "Thanks")]);
        assert!(w.store.support_comments(w.other_company, ticket).await.unwrap().is_empty());
        let t = w.store.support_ticket_for_office(w.company, &number).await.unwrap().unwrap();
        assert_eq!(t.status(), SupportStatus::Open);
    }

    /// Files of a ticket and its comments are listed with it and reachable only from its
    /// account (portal) or its company (office).
    async fn support_files_stay_inside_their_account(backend: Backend) {
        let w = world(backend).await;
        let mut tx = w.store.begin().await.unwrap();
        let (ticket, _) = tx.open_support_request(w.company, w.mine, w.dana, "Help", "x").await.unwrap();
        let comment = tx.add_support_comment(w.company, ticket, SupportAuthor::Staff(w.staff), "See file",
            SupportStatus::Open, SupportStatus::Open).await.unwrap().unwrap();
        let on_ticket = tx.insert_attachment(w.company, &file(w.mine, "support_request", ticket.0, "k1")).await.unwrap();
        let on_comment = tx.insert_attachment(w.company, &file(w.mine, "support_comment", comment, "k2")).await.unwrap();
        // A job's file with the same owner id must never pass for a ticket's.
        let job_file = tx.insert_attachment(w.company, &file(w.mine, "job", ticket.0, "k3")).await.unwrap();
        tx.commit().await.unwrap();
        let listed: Vec<_> = w.store.support_files(w.company, ticket).await.unwrap().into_iter().map(|f| f.storage_key).collect();
        assert_eq!(listed, ["k1", "k2"]);
        for id in [on_ticket, on_comment] {
            assert!(w.store.support_file_for_customer(w.company, w.mine, id).await.unwrap().is_some());
            assert!(w.store.support_file_for_customer(w.company, w.other, id).await.unwrap().is_none());
            assert!(w.store.support_file_for_customer(w.other_company, w.mine, id).await.unwrap().is_none());
            assert!(w.store.support_file_for_office(w.company, id).await.unwrap().is_some());
            assert!(w.store.support_file_for_office(w.other_company, id).await.unwrap().is_none());
        }
        assert!(w.store.support_file_for_customer(w.company, w.mine, job_file).await.unwrap().is_none());
        assert!(w.store.support_file_for_office(w.company, AttachmentId(job_file.0)).await.unwrap().is_none());
    }

    /// Updates go to the contact's own email, else its login's, with its preference; the
    /// office hears at its request address, else its public one.
    async fn recipients_and_office_address(backend: Backend) {
        let w = world(backend).await;
        // Read in the transaction that queues the email (never from a second connection).
        let mut tx = w.store.begin().await.unwrap();
        let r = tx.support_recipient(w.company, w.dana).await.unwrap().unwrap();
        assert_eq!((r.name.as_str(), r.email.as_deref(), r.wants_updates), ("Dana Whitaker", Some("dana@example.test"), true));
        assert!(tx.support_recipient(w.other_company, w.dana).await.unwrap().is_none());
        assert_eq!(tx.office_notice_address(w.company).await.unwrap(), "hello@acme.test");
        drop(tx);
        assert_eq!(w.store.office_notice_address(w.company).await.unwrap(), "hello@acme.test");
    }
}
