//! `doorstep_app::support`: opening, commenting, replying and moving tickets.

use doorstep_app::AppError;
use doorstep_app::files::StoredFile;
use doorstep_app::support::{self, Comment, NewTicket};
use doorstep_core::status::SupportStatus;
use doorstep_testkit::{Backend, both_backends};

use crate::world::World;

fn file(name: &str) -> StoredFile {
    StoredFile {
        kind: "document",
        filename: name.into(),
        content_type: "application/pdf".into(),
        size_bytes: 10,
        storage_key: format!("{:0>32}", name.len()),
        thumb_key: None,
        width: None,
        height: None,
    }
}

const TABLES: &[&str] = &["support_requests", "support_comments", "attachments"];

both_backends! {
    /// A contact opens a ticket with a file; the office is told at its notice address and
    /// the audit log names the login.
    async fn a_contact_opens_a_ticket_and_the_office_is_told(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let ticket = NewTicket::parse("Thermostat blinks", "It blinks twice an hour.").unwrap();
        let opened = support::open(&w.app, &dana, ticket, &[file("manual.pdf")]).await.unwrap();
        assert_eq!(opened.status, SupportStatus::Open);
        let t = w.store.support_ticket_for_customer(w.acme.id, dana.customer(), &opened.number)
            .await.unwrap().unwrap();
        assert_eq!(t.subject, "Thermostat blinks");
        assert_eq!(w.last_audit(&w.acme).await, ("support.opened".into(), "dana@example.test".into()));
        let emails = w.emails(&w.acme).await;
        assert_eq!(emails.last().unwrap(), &("support_customer_wrote".to_owned(), "requests@acme.test".to_owned()));
    }

    /// Bad input, too many files and a site contact (no support) are refused, and none of
    /// them writes a row, an audit record or an email.
    async fn refused_tickets_write_nothing(backend: Backend) {
        let w = World::demo(backend).await;
        let errors = NewTicket::parse("", &"x".repeat(6000)).unwrap_err();
        assert!(errors.get("subject").is_some() && errors.get("description").is_some());
        let before = w.snapshot(TABLES).await;
        let dana = w.dana().await;
        let ticket = NewTicket::parse("Subject", "Body").unwrap();
        let five: Vec<_> = (0..5).map(|i| file(&format!("f{i}.pdf"))).collect();
        let err = support::open(&w.app, &dana, ticket.clone(), &five).await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("files"));
        let sam = w.sam().await;
        let err = support::open(&w.app, &sam, ticket, &[]).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        assert_eq!(w.snapshot(TABLES).await, before);
    }

    /// The office replies and asks the customer; the customer's answer gives the ticket
    /// back to the office; a reply cannot close a ticket.
    async fn replies_and_answers_move_the_ticket(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let oscar = w.oscar().await;
        let opened = support::open(&w.app, &dana, NewTicket::parse("Leak", "Drips").unwrap(), &[])
            .await.unwrap();
        let reply = Comment::parse("Can you send a photo?").unwrap().with_status(Some("waiting_on_customer"));
        let written = support::reply(&w.app, &oscar, &opened.number, reply, &[]).await.unwrap();
        assert_eq!(written.status, SupportStatus::WaitingOnCustomer);
        assert_eq!(w.last_audit(&w.acme).await.0, "support.replied");
        let answer = Comment::parse("Here it is").unwrap();
        let written = support::comment(&w.app, &dana, &opened.number, answer, &[file("p.pdf")]).await.unwrap();
        assert_eq!(written.status, SupportStatus::Open);
        let closing = Comment::parse("Done").unwrap().with_status(Some("closed"));
        let written = support::reply(&w.app, &oscar, &opened.number, closing, &[]).await.unwrap();
        assert_eq!(written.status, SupportStatus::Open, "a reply never closes a ticket");
    }

    /// A closed ticket takes no comment from either side; the status form refuses an
    /// unknown status and a non-move; another company's ticket is not found.
    async fn closed_tickets_and_wrong_moves_are_refused(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let olivia = w.olivia().await;
        let opened = support::open(&w.app, &dana, NewTicket::parse("Leak", "Drips").unwrap(), &[])
            .await.unwrap();
        let err = support::set_status(&w.app, &olivia, &opened.number, "bogus").await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("status"));
        let err = support::set_status(&w.app, &olivia, &opened.number, "open").await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("status"));
        support::set_status(&w.app, &olivia, &opened.number, "closed").await.unwrap();
        let before = w.snapshot(TABLES).await;
        let err = support::comment(&w.app, &dana, &opened.number, Comment::parse("Hi").unwrap(), &[])
            .await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("closed"));
        let err = support::reply(&w.app, &olivia, &opened.number, Comment::parse("Hi").unwrap(), &[])
            .await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("closed"));
        let bolt_staff = w.staff("bolt", "office@bolt.test").await;
        let err = support::set_status(&w.app, &bolt_staff, &opened.number, "open").await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        assert_eq!(w.snapshot(TABLES).await, before);
    }
}
