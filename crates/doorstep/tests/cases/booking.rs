//! `doorstep_app::booking`: request drafts and submitting them, answering a proposed
//! time, and customers moving or cancelling their visits.

use doorstep_app::booking::checks::Context;
use doorstep_app::booking::drafts::{self, CheckedStep, DraftSaved};
use doorstep_app::booking::form::{Step, read_form};
use doorstep_app::booking::proposals::{self, Answer};
use doorstep_app::booking::submit;
use doorstep_app::booking::visits::{self, NewTime, Rescheduled};
use doorstep_app::files::StoredFile;
use doorstep_app::{AppError, ContactActor};
use doorstep_core::ids::{CompanyId, ServiceRequestId};
use doorstep_core::settings::PortalSettings;
use doorstep_core::status::ScheduleType;
use doorstep_mail::EmailKind;
use doorstep_store::availability::Window;
use doorstep_testkit::{Backend, both_backends};

use crate::local_time::demo_today;
use crate::world::World;

/// What a submission writes.
const REQUEST_TABLES: &[&str] = &[
    "service_requests",
    "estimates",
    "sites",
    "contacts",
    "attachments",
    "request_draft_photos",
];

/// What a visit change writes (besides audit and outbox, which every snapshot counts).
const VISIT_TABLES: &[&str] = &["jobs", "availability_windows"];

fn photo(name: &str) -> StoredFile {
    let hex: String = name.bytes().map(|b| format!("{b:02x}")).collect();
    StoredFile {
        kind: "photo",
        filename: name.into(),
        content_type: "image/jpeg".into(),
        size_bytes: 10,
        storage_key: format!("{hex:0>32}"),
        thumb_key: Some(format!("{hex:f>32}")),
        width: Some(4),
        height: Some(3),
    }
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Answers `step` of `key` (or starts a draft with step 1) as the form posts it.
async fn answer_step(
    w: &World,
    who: &ContactActor,
    key: Option<&str>,
    step: Step,
    posted: &[(&str, &str)],
) -> Result<String, AppError> {
    let ctx = Context::load(&w.app, who).await?;
    let mut answers = match key {
        Some(key) => drafts::load(&w.app, who, key).await?.1,
        None => Default::default(),
    };
    let errors = read_form(step, &mut answers, &pairs(posted));
    let checked = CheckedStep::check(step, &answers, errors, &ctx)
        .map_err(|e| doorstep_core::Invalid::new("step", e.first().unwrap_or("").to_owned()))?;
    match key {
        None => drafts::start(&w.app, who, checked).await,
        Some(key) => {
            drafts::save(&w.app, who, key, checked).await?;
            Ok(key.to_owned())
        }
    }
}

/// A draft of Dana's answered up to the summary, with one photo; `when` is step 1's form.
async fn dana_draft(w: &World, dana: &ContactActor, when: &[(&str, &str)]) -> String {
    let key = answer_step(w, dana, None, Step::When, when).await.unwrap();
    let ctx = Context::load(&w.app, dana).await.unwrap();
    let site = ctx.sites[0].id.to_string();
    answer_step(w, dana, Some(&key), Step::Address, &[("site", &site)])
        .await
        .unwrap();
    let contact = dana.contact().0.to_string();
    answer_step(w, dana, Some(&key), Step::Contact, &[("contact", &contact)])
        .await
        .unwrap();
    answer_step(
        w,
        dana,
        Some(&key),
        Step::What,
        &[("description", "The kitchen tap drips all night.")],
    )
    .await
    .unwrap();
    let done = drafts::add_photos(&w.app, dana, &key, &[photo("tap.jpg")], true)
        .await
        .unwrap();
    assert_eq!(done, DraftSaved::Next(Step::Summary));
    key
}

fn in_days(days: i64) -> String {
    (demo_today() + time::Duration::days(days)).to_string()
}

/// The company's settings changed as `change` says.
async fn set(w: &World, company: CompanyId, change: impl FnOnce(&mut PortalSettings)) {
    let mut tx = w.store.begin().await.unwrap();
    tx.change_company_settings(company, change).await.unwrap();
    tx.commit().await.unwrap();
}

/// A scheduled visit of `who`'s account that may still be changed, optionally only at
/// a site `who` cannot see.
async fn changeable_visit(w: &World, who: &ContactActor, hidden_site: bool) -> String {
    let numbers: Vec<(String, Option<i64>)> =
        doorstep_store::on_pool!(w.store, p => sqlx::query_as(
        "SELECT number, site_id FROM jobs WHERE company_id = $1 AND customer_id = $2 \
         AND status = 'scheduled' ORDER BY scheduled_start DESC")
        .bind(who.company().id.0).bind(who.customer().0).fetch_all(p).await)
        .unwrap();
    for (number, site) in numbers {
        if hidden_site {
            if site.is_some_and(|s| !who.scope().sites.iter().any(|x| x.0 == s)) {
                return number;
            }
            continue;
        }
        let visit = visits::load(&w.app, who, &number).await.unwrap();
        if visits::change_of(who, &visit, doorstep_store::now()).is_allowed() {
            return number;
        }
    }
    panic!("no scheduled visit to change");
}

/// A window `number` may move into, with a place left.
async fn free_window(w: &World, who: &ContactActor, number: &str) -> Window {
    let visit = visits::load(&w.app, who, number).await.unwrap();
    let now = doorstep_store::now();
    w.store
        .office_open_windows(w.acme.id, demo_today(), 60)
        .await
        .unwrap()
        .into_iter()
        .find(|win| {
            let company = who.company();
            visits::may_move_into(&company.time_zone, &company.settings, &visit, win, now)
        })
        .expect("a window to move into")
}

/// The visit's status, held window and cancel reason.
async fn visit_row(w: &World, number: &str) -> (String, Option<i64>, String) {
    doorstep_store::on_pool!(w.store, p => sqlx::query_as(
        "SELECT status, availability_window_id, cancel_reason FROM jobs WHERE company_id = $1 AND number = $2")
        .bind(w.acme.id.0).bind(number).fetch_one(p).await)
    .unwrap()
}

/// Every window's booked count, by id.
async fn bookings(w: &World) -> Vec<(i64, i64)> {
    doorstep_store::on_pool!(w.store, p => sqlx::query_as(
        "SELECT id, booked FROM availability_windows WHERE company_id = $1 ORDER BY id")
        .bind(w.acme.id.0).fetch_all(p).await)
    .unwrap()
}

/// Takes every place left in `window`.
async fn fill(w: &World, window: i64) {
    doorstep_store::on_pool!(w.store, p => sqlx::query(
        "UPDATE availability_windows SET booked = capacity WHERE id = $1")
        .bind(window).execute(p).await.map(|r| r.rows_affected()))
    .unwrap();
}

async fn booked(w: &World, window: i64) -> i64 {
    bookings(w)
        .await
        .into_iter()
        .find(|(id, _)| *id == window)
        .map(|(_, b)| b)
        .unwrap_or(-1)
}

both_backends! {
    /// Dana answers every step, adds a photo and submits: the request, its reserved
    /// estimate and the photo are written, the submission is audited, the office is told
    /// at its notice address and Dana gets a receipt; the draft takes no more changes.
    async fn a_contact_submits_a_request_and_the_office_is_told(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let when = [("date", in_days(3)), ("schedule", "am".into())];
        let when: Vec<(&str, &str)> = when.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let key = dana_draft(&w, &dana, &when).await;
        let requests = w.rows("service_requests").await;
        let attachments = w.rows("attachments").await;
        let done = submit::submit(&w.app, &dana, &key).await.unwrap();
        assert_eq!(w.rows("service_requests").await, requests + 1);
        assert_eq!(w.rows("attachments").await, attachments + 1, "the photo moved to the request");
        assert_eq!(w.rows("request_draft_photos").await, 0);
        let mine = w.store.my_request(w.acme.id, dana.scope(), &done.number).await.unwrap().unwrap();
        assert_eq!(mine.description, "The kitchen tap drips all night.");
        assert_eq!(w.last_audit(&w.acme).await, ("request.submitted".into(), "dana@example.test".into()));
        let emails = w.emails(&w.acme).await;
        let n = emails.len();
        assert_eq!(emails[n - 2], (EmailKind::RequestReceivedCompany.as_str().to_owned(), "requests@acme.test".to_owned()));
        assert_eq!(emails[n - 1], (EmailKind::RequestReceivedCustomer.as_str().to_owned(), "dana@example.test".to_owned()));
        // The draft is gone as a draft: it answers with its request, and takes nothing more.
        let (draft, _) = drafts::load(&w.app, &dana, &key).await.unwrap();
        assert_eq!(draft.request_number.as_deref(), Some(done.number.as_str()));
        let before = w.snapshot(REQUEST_TABLES).await;
        let again = submit::submit(&w.app, &dana, &key).await.unwrap();
        assert_eq!(again, done, "a second submit answers with the same request");
        let more = drafts::add_photos(&w.app, &dana, &key, &[photo("late.jpg")], false).await.unwrap();
        assert_eq!(more, DraftSaved::Submitted(done.number.clone()));
        assert_eq!(w.snapshot(REQUEST_TABLES).await, before);
    }

    /// Another account's contact cannot reach Dana's draft; a window that filled up since
    /// it was picked sends Dana back to step 1; more photos than the company takes are
    /// refused; none of them writes anything.
    async fn refused_submissions_write_nothing(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let window = w.store.open_windows(w.acme.id, demo_today() + time::Duration::days(1), 1)
            .await.unwrap().remove(0);
        let choice = format!("window-{}", window.id);
        let key = dana_draft(&w, &dana, &[("choice", &choice)]).await;
        let before = w.snapshot(REQUEST_TABLES).await;
        let sam = w.sam().await;
        let err = submit::submit(&w.app, &sam, &key).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        let err = drafts::add_photos(&w.app, &sam, &key, &[photo("x.jpg")], false).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        let five: Vec<_> = (0..5).map(|i| photo(&format!("p{i}.jpg"))).collect();
        let err = drafts::add_photos(&w.app, &dana, &key, &five, false).await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("photos"), "{err:?}");
        fill(&w, window.id).await;
        let err = submit::submit(&w.app, &dana, &key).await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some(Step::When.slug()));
        assert_eq!(w.snapshot(REQUEST_TABLES).await, before);
        let (draft, _) = drafts::load(&w.app, &dana, &key).await.unwrap();
        assert!(draft.submitted_at.is_none(), "the draft is not claimed");
    }

    /// Dana moves a demo visit into a free window: the window gains the booking, the one
    /// held gives its place back, the change is audited and the office told.
    async fn a_contact_reschedules_a_visit_into_a_free_window(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let number = changeable_visit(&w, &dana, false).await;
        let held = visit_row(&w, &number).await.1;
        let window = free_window(&w, &dana, &number).await;
        let taken = booked(&w, window.id).await;
        let given = match held { Some(h) => Some((h, booked(&w, h).await)), None => None };
        let moved = visits::reschedule(&w.app, &dana, &number, NewTime::Window(window.id)).await.unwrap();
        assert_eq!(moved, Rescheduled::Moved);
        assert_eq!(visit_row(&w, &number).await.1, Some(window.id));
        assert_eq!(booked(&w, window.id).await, taken + 1);
        if let Some((h, was)) = given {
            assert_eq!(booked(&w, h).await, was - 1);
        }
        assert_eq!(w.last_audit(&w.acme).await, ("visit.rescheduled".into(), "dana@example.test".into()));
        let emails = w.emails(&w.acme).await;
        // The office is told, and Dana gets a confirmation in the same transaction.
        assert_eq!(emails[emails.len() - 2..], [
            (EmailKind::VisitRescheduled.as_str().to_owned(), "requests@acme.test".to_owned()),
            (EmailKind::VisitRescheduledCustomer.as_str().to_owned(), "dana@example.test".to_owned()),
        ]);
        let mail = &w.store.outbox_page(w.acme.id, None, 1).await.unwrap()[0];
        assert!(mail.subject.contains(&number), "{}", mail.subject);
        assert!(mail.body_text.contains(&format!("/jobs/{number}")) && mail.body_text.contains("booked at the new time"), "{}", mail.body_text);
    }

    /// Without a window, Dana asks the office for a date: the visit stays where it is.
    async fn a_contact_asks_for_a_date_and_the_visit_stays(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let number = changeable_visit(&w, &dana, false).await;
        let row = visit_row(&w, &number).await;
        let counts = bookings(&w).await;
        let settings = &dana.company().settings;
        let to = NewTime::parse(&dana.company().time_zone, settings, "date", "", &in_days(5), "pm", doorstep_store::now()).unwrap();
        assert!(matches!(to, NewTime::Date(_, ScheduleType::Pm)));
        let asked = visits::reschedule(&w.app, &dana, &number, to).await.unwrap();
        assert_eq!(asked, Rescheduled::Asked);
        assert_eq!(visit_row(&w, &number).await, row);
        assert_eq!(bookings(&w).await, counts);
        assert_eq!(w.last_audit(&w.acme).await.0, "visit.reschedule_requested");
        let mail = &w.store.outbox_page(w.acme.id, None, 1).await.unwrap()[0];
        assert_eq!((mail.kind.as_str(), mail.to_address.as_str()), (EmailKind::VisitRescheduledCustomer.as_str(), "dana@example.test"));
        assert!(mail.body_text.contains("The office will confirm the new date"), "{}", mail.body_text);
        // The form alone refuses a date that is not one, or an exact time.
        let errors = NewTime::parse(&dana.company().time_zone, settings, "date", "", "soon", "exact", doorstep_store::now()).unwrap_err();
        assert!(errors.get("date").is_some() && errors.get("schedule_type").is_some());
    }

    /// Dana cancels with a reason: the visit is cancelled, its window place given back.
    async fn a_contact_cancels_a_visit_with_a_reason(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let number = changeable_visit(&w, &dana, false).await;
        // Hold a window first, so cancelling has a place to give back.
        let window = free_window(&w, &dana, &number).await;
        visits::reschedule(&w.app, &dana, &number, NewTime::Window(window.id)).await.unwrap();
        let held = booked(&w, window.id).await;
        visits::cancel(&w.app, &dana, &number, "  We are moving house.  ").await.unwrap();
        assert_eq!(visit_row(&w, &number).await, ("cancelled".into(), Some(window.id), "We are moving house.".into()));
        assert_eq!(booked(&w, window.id).await, held - 1);
        assert_eq!(w.last_audit(&w.acme).await, ("visit.cancelled".into(), "dana@example.test".into()));
        let emails = w.emails(&w.acme).await;
        assert_eq!(emails[emails.len() - 2..], [
            (EmailKind::VisitCancelled.as_str().to_owned(), "requests@acme.test".to_owned()),
            (EmailKind::VisitCancelledCustomer.as_str().to_owned(), "dana@example.test".to_owned()),
        ]);
        let mail = &w.store.outbox_page(w.acme.id, None, 1).await.unwrap()[0];
        assert!(mail.body_text.contains("Your reason: We are moving house."), "{}", mail.body_text);
        // Cancelled is final: a second cancel or a move is refused.
        let before = w.snapshot(VISIT_TABLES).await;
        let err = visits::cancel(&w.app, &dana, &number, "Again").await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("not_scheduled"));
        assert_eq!(w.snapshot(VISIT_TABLES).await, before);
    }

    /// A site contact acting on a visit of a site it cannot see, and a contact of another
    /// account, find nothing; a reason left out, an unknown window and a full one are
    /// refused; nothing is written by any of them.
    async fn refused_visit_changes_write_nothing(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let sam = w.sam().await;
        let number = changeable_visit(&w, &dana, false).await;
        assert_ne!(dana.customer(), sam.customer(), "Dana acts for her household here");
        let hidden = changeable_visit(&w, &sam, true).await;
        let window = free_window(&w, &dana, &number).await;
        let before = (w.snapshot(VISIT_TABLES).await, visit_row(&w, &number).await, bookings(&w).await);
        for (who, visit) in [(&sam, &hidden), (&sam, &number)] {
            let err = visits::reschedule(&w.app, who, visit, NewTime::Window(window.id)).await.unwrap_err();
            assert!(matches!(err, AppError::NotFound), "{err:?}");
            let err = visits::cancel(&w.app, who, visit, "Not mine").await.unwrap_err();
            assert!(matches!(err, AppError::NotFound), "{err:?}");
        }
        let err = visits::cancel(&w.app, &dana, &number, "   ").await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("reason"));
        let err = visits::reschedule(&w.app, &dana, &number, NewTime::Window(i64::MAX)).await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("window"));
        fill(&w, window.id).await;
        let full = bookings(&w).await;
        let err = visits::reschedule(&w.app, &dana, &number, NewTime::Window(window.id)).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("full"));
        assert_eq!(bookings(&w).await, full, "the full window and the held one keep their counts");
        assert_eq!(before.0, w.snapshot(VISIT_TABLES).await);
        assert_eq!(before.1, visit_row(&w, &number).await);
    }

    /// Past the cut-off, or with changes switched off by the company, a visit cannot be
    /// moved or cancelled, and nothing is written.
    async fn the_cut_off_and_the_company_switch_refuse_changes(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let number = changeable_visit(&w, &dana, false).await;
        let window = free_window(&w, &dana, &number).await;
        let before = (w.snapshot(VISIT_TABLES).await, visit_row(&w, &number).await, bookings(&w).await);
        set(&w, w.acme.id, |s| s.reschedule_cutoff_hours = 24 * 365).await;
        let late = w.dana().await;
        let err = visits::reschedule(&w.app, &late, &number, NewTime::Window(window.id)).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("too_late"));
        let err = visits::cancel(&w.app, &late, &number, "Too late?").await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("too_late"));
        set(&w, w.acme.id, |s| {
            s.reschedule_cutoff_hours = 24;
            s.allow_reschedule = false;
        }).await;
        let off = w.dana().await;
        let err = visits::reschedule(&w.app, &off, &number, NewTime::Window(window.id)).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("disabled"));
        let err = visits::cancel(&w.app, &off, &number, "Switched off").await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("disabled"));
        assert_eq!(before, (w.snapshot(VISIT_TABLES).await, visit_row(&w, &number).await, bookings(&w).await));
    }

    /// The office proposes a time; Dana declines with a reason, the office is told, and a
    /// second answer (or another account's contact) changes nothing.
    async fn a_contact_answers_a_proposed_time_once(backend: Backend) {
        let w = World::demo(backend).await;
        let dana = w.dana().await;
        let when = [("date", in_days(3)), ("schedule", "am".into())];
        let when: Vec<(&str, &str)> = when.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let key = dana_draft(&w, &dana, &when).await;
        let number = submit::submit(&w.app, &dana, &key).await.unwrap().number;
        let r = proposals::load(&w.app, &dana, &number).await.unwrap();
        let mut tx = w.store.begin().await.unwrap();
        let day = demo_today() + time::Duration::days(6);
        assert!(tx.propose_request_time(w.acme.id, ServiceRequestId(r.id), (day, ScheduleType::Pm), "", doorstep_store::now()).await.unwrap());
        tx.commit().await.unwrap();
        assert_eq!(Answer::parse("maybe", "").unwrap_err().field, "answer");
        assert_eq!(Answer::parse("decline", &"x".repeat(2001)).unwrap_err().field, "reason");
        let before = w.snapshot(&["service_requests"]).await;
        let sam = w.sam().await;
        let err = proposals::answer(&w.app, &sam, &number, Answer::Accept).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        assert_eq!(w.snapshot(&["service_requests"]).await, before);
        let answer = Answer::parse("decline", " Mornings only ").unwrap();
        let r = proposals::answer(&w.app, &dana, &number, answer).await.unwrap();
        assert_eq!(r.number, number);
        assert_eq!(w.last_audit(&w.acme).await, ("request.proposal_declined".into(), "dana@example.test".into()));
        let emails = w.emails(&w.acme).await;
        assert_eq!(emails.last().unwrap(), &(EmailKind::ProposalAnswered.as_str().to_owned(), "requests@acme.test".to_owned()));
        let before = w.snapshot(&["service_requests"]).await;
        let err = proposals::answer(&w.app, &dana, &number, Answer::Accept).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("answered"));
        assert_eq!(w.snapshot(&["service_requests"]).await, before);
    }
}
