//! `doorstep_app::requests`: the office's inbox — reading, converting, declining and
//! proposing times for the demo's requests, and the refusals that write nothing.
//!
//! Acme's demo inbox: R-1001 Declined, R-1002 Completed (a job), R-1003 Read (Harbor
//! Lofts), R-1004 New (Dana's household), R-1005 New (Sam's Bayview site). Bolt has none.

use doorstep_app::AppError;
use doorstep_app::requests::{
    self, Decline, EstimateForm, EstimateOrder, JobForm, JobOrder, NOT_OPEN, Proposal, RentalForm,
    RentalOrder,
};
use doorstep_core::request_form::PO_NUMBER_MAX;
use doorstep_core::status::RequestStatus;
use doorstep_testkit::{Backend, both_backends};
use time::{Duration, Time};

use crate::local_time::demo_today;
use crate::world::World;

const TABLES: &[&str] = &["jobs", "estimates", "assets", "service_requests"];

fn today() -> time::Date {
    demo_today()
}

fn day(ahead: i64) -> String {
    (today() + Duration::days(ahead)).to_string()
}

fn job_order(summary: &str, date: &str, schedule: &str, po: &str) -> JobOrder {
    JobOrder::parse(&JobForm {
        summary,
        description: "Tighten the handle, replace the cartridge.",
        date,
        schedule_type: schedule,
        po_number: po,
        ..JobForm::default()
    })
    .unwrap()
}

async fn status(w: &World, number: &str) -> RequestStatus {
    w.store
        .request_detail(w.acme.id, number)
        .await
        .unwrap()
        .unwrap()
        .status()
}

both_backends! {
    /// Oscar converts Dana's new request to a job: the request completes and links the job,
    /// the visit reads core's afternoon (12:00–17:00), the customer's 200-character PO is
    /// kept, the audit log names him, the inbox streams are told, and the customer is told
    /// the request was accepted (issue 17: one email, "request accepted").
    async fn converting_a_request_to_a_job_completes_and_links_it(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let dana = w.dana().await;
        let (mut changed, _) = w.app.request_events().subscribe();
        let emails = w.emails(&w.acme).await;
        let po = "P".repeat(PO_NUMBER_MAX);
        let order = job_order("Fix the faucet", &day(7), "pm", &po);
        let made = requests::to_job(&w.app, &oscar, "R-1004", order).await.unwrap();
        assert_eq!(made.request, "R-1004");
        let r = w.store.request_detail(w.acme.id, "R-1004").await.unwrap().unwrap();
        assert_eq!(r.status(), RequestStatus::Completed);
        assert_eq!(r.converted_job_number.as_deref(), Some(made.made.as_str()));
        let job = w.store.job_for_contact(w.acme.id, dana.scope(), &made.made).await.unwrap().unwrap();
        assert_eq!(job.summary, "Fix the faucet");
        assert_eq!(job.po_number, po);
        let visit_day = today() + Duration::days(7);
        // Afternoon on Acme's clock (America/Chicago).
        let at = |h| w.acme.time_zone.instant(visit_day, Time::from_hms(h, 0, 0).unwrap());
        assert_eq!((job.scheduled_start, job.scheduled_end), (Some(at(12)), Some(at(17))));
        assert_eq!(w.last_audit(&w.acme).await, ("request.converted_to_job".into(), "dispatch@acme.test".into()));
        assert_eq!(changed.try_recv().unwrap(), w.acme.id);
        let after = w.emails(&w.acme).await;
        assert_eq!(after.len(), emails.len() + 1);
        assert_eq!(after.last().unwrap().0, "request_accepted");
        // A job like any other: its first status is on its timeline.
        let history = w.store.job_status_history(w.acme.id, doorstep_core::ids::JobId(job.id)).await.unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].staff_name.as_deref(), Some("Oscar Reyes"));
    }

    /// An exact time is a one-hour visit; converting to an estimate fills the draft the
    /// request was sent with; a rental records the product for the account.
    async fn estimates_rentals_and_exact_visits(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let form = EstimateForm { title: "Leak repair", scope: "Find and fix", expires_on: &day(30) };
        let order = EstimateOrder::parse(&form, today()).unwrap();
        let made = requests::to_estimate(&w.app, &olivia, "R-1005", order).await.unwrap();
        assert!(made.made.starts_with("E-"), "{}", made.made);
        assert_eq!(w.last_audit(&w.acme).await.0, "request.converted_to_estimate");
        assert_eq!(status(&w, "R-1005").await, RequestStatus::Completed);
        let assets = w.rows("assets").await;
        let form = RentalForm { name: "Dehumidifier", serial_number: "SN-9", start_on: &day(2), end_on: "" };
        let made = requests::to_rental(&w.app, &olivia, "R-1003", RentalOrder::parse(&form).unwrap()).await.unwrap();
        assert_eq!(made.made, "Dehumidifier");
        assert_eq!(w.rows("assets").await, assets + 1);
        assert_eq!(w.last_audit(&w.acme).await.0, "request.converted_to_rental");
        let order = JobOrder::parse(&JobForm {
            summary: "Exact", date: &day(3), schedule_type: "exact", time: "14:30", ..JobForm::default()
        }).unwrap();
        let made = requests::to_job(&w.app, &olivia, "R-1004", order).await.unwrap();
        let dana = w.dana().await;
        let job = w.store.job_for_contact(w.acme.id, dana.scope(), &made.made).await.unwrap().unwrap();
        let start = job.scheduled_start.unwrap();
        let local = w.acme.time_zone.local(start);
        assert_eq!((local.hour(), local.minute()), (14, 30), "2:30 PM on Acme's clock");
        assert_eq!(job.scheduled_end.unwrap() - start, Duration::hours(1));
    }

    /// Opening a New request marks it Read once, audited; the second opening changes
    /// nothing.
    async fn opening_a_new_request_marks_it_read_once(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let new = w.store.new_request_count(w.acme.id).await.unwrap();
        assert!(requests::mark_read(&w.app, &oscar, "R-1004").await.unwrap());
        assert_eq!(status(&w, "R-1004").await, RequestStatus::Read);
        assert_eq!(w.store.new_request_count(w.acme.id).await.unwrap(), new - 1);
        assert_eq!(w.last_audit(&w.acme).await.0, "request.read");
        let before = w.snapshot(TABLES).await;
        assert!(!requests::mark_read(&w.app, &oscar, "R-1004").await.unwrap());
        assert!(!requests::mark_read(&w.app, &oscar, "R-1002").await.unwrap());
        assert_eq!(w.snapshot(TABLES).await, before);
    }

    /// Declining keeps the reason and emails the request's contact in the same
    /// transaction.
    async fn declining_emails_the_customer_the_reason(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let decline = Decline::parse("  We do not serve\r\nthat area.  ").unwrap();
        assert_eq!(decline.reason(), "We do not serve\nthat area.");
        let done = requests::decline(&w.app, &oscar, "R-1005", decline).await.unwrap();
        assert!(done.emailed);
        let r = w.store.request_detail(w.acme.id, "R-1005").await.unwrap().unwrap();
        assert_eq!(r.status(), RequestStatus::Declined);
        assert_eq!(r.decline_reason, "We do not serve\nthat area.");
        assert_eq!(w.last_audit(&w.acme).await, ("request.declined".into(), "dispatch@acme.test".into()));
        let emails = w.emails(&w.acme).await;
        assert_eq!(emails.last().unwrap(), &("request_declined".to_owned(), "sam@example.test".to_owned()));
    }

    /// Proposing a time records it on the request and emails the customer a link to
    /// answer; the request stays open.
    async fn proposing_a_time_emails_the_customer(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let proposal = Proposal::parse(&day(3), "am", "Our first free morning.", today()).unwrap();
        let done = requests::propose(&w.app, &oscar, "R-1004", proposal).await.unwrap();
        assert!(done.emailed);
        let p = w.store.request_proposal_for_office(w.acme.id, "R-1004").await.unwrap().unwrap();
        assert_eq!(p.proposed_date, Some(today() + Duration::days(3)));
        assert_eq!(p.proposed_schedule_type.as_deref(), Some("am"));
        assert_eq!(p.proposal_status.as_deref(), Some("proposed"));
        assert_eq!(p.proposal_note, "Our first free morning.", "kept for the portal");
        assert_eq!(status(&w, "R-1004").await, RequestStatus::New);
        assert_eq!(w.last_audit(&w.acme).await.0, "request.time_proposed");
        let emails = w.emails(&w.acme).await;
        assert_eq!(emails.last().unwrap(), &("time_proposed".to_owned(), "dana@example.test".to_owned()));
    }

    /// Another company's staff find none of Acme's requests: every answer is NotFound
    /// and nothing is written.
    async fn another_companys_staff_cannot_answer_a_request(backend: Backend) {
        let w = World::demo(backend).await;
        let bolt = w.staff("bolt", "office@bolt.test").await;
        let before = w.snapshot(TABLES).await;
        let results = [
            requests::to_job(&w.app, &bolt, "R-1004", job_order("Fix", "", "", "")).await.err(),
            requests::decline(&w.app, &bolt, "R-1004", Decline::parse("No").unwrap()).await.err(),
            requests::propose(&w.app, &bolt, "R-1004", Proposal::parse(&day(3), "pm", "", today()).unwrap()).await.err(),
            requests::mark_read(&w.app, &bolt, "R-1004").await.err(),
        ];
        for err in results {
            assert!(matches!(err, Some(AppError::NotFound)), "{err:?}");
        }
        assert_eq!(w.snapshot(TABLES).await, before);
        assert_eq!(status(&w, "R-1004").await, RequestStatus::New);
    }

    /// A declined or converted request takes no answer: every one is a `not_open`
    /// conflict and nothing is written.
    async fn declined_and_converted_requests_take_no_answer(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let before = w.snapshot(TABLES).await;
        for number in ["R-1001", "R-1002"] {
            let estimate = EstimateOrder::parse(&EstimateForm { title: "Quote", ..EstimateForm::default() }, today()).unwrap();
            let rental = RentalOrder::parse(&RentalForm { name: "Heater", start_on: &day(1), ..RentalForm::default() }).unwrap();
            let results = [
                requests::to_job(&w.app, &olivia, number, job_order("Fix", &day(2), "am", "")).await.err(),
                requests::to_estimate(&w.app, &olivia, number, estimate).await.err(),
                requests::to_rental(&w.app, &olivia, number, rental).await.err(),
                requests::decline(&w.app, &olivia, number, Decline::parse("Again").unwrap()).await.err(),
                requests::propose(&w.app, &olivia, number, Proposal::parse(&day(3), "pm", "", today()).unwrap()).await.err(),
            ];
            for err in results {
                assert_eq!(err.as_ref().and_then(AppError::conflict_reason), Some(NOT_OPEN), "{number}: {err:?}");
            }
        }
        assert_eq!(w.snapshot(TABLES).await, before);
        assert_eq!(status(&w, "R-1001").await, RequestStatus::Declined);
    }

    /// Bad input is refused field by field before anything is written; a job type of
    /// another company (or none) is refused by the use case, writing nothing.
    async fn bad_input_is_refused_and_writes_nothing(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let before = w.snapshot(TABLES).await;
        let too_long = "P".repeat(PO_NUMBER_MAX + 1);
        let errors = JobOrder::parse(&JobForm {
            summary: " ", date: "31/02/2030", schedule_type: "noon", time: "25:00", job_type: "x",
            po_number: &too_long, ..JobForm::default()
        }).unwrap_err();
        for field in ["summary", "date", "schedule_type", "time", "job_type", "po_number"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let errors = EstimateOrder::parse(&EstimateForm { title: "", scope: "", expires_on: &day(-1) }, today()).unwrap_err();
        assert!(errors.get("title").is_some() && errors.get("expires_on").is_some());
        let errors = RentalOrder::parse(&RentalForm { name: "Heater", serial_number: "", start_on: &day(5), end_on: &day(1) }).unwrap_err();
        assert!(errors.get("end_on").unwrap().contains("before the first"));
        assert_eq!(Decline::parse(" \r\n ").unwrap_err().field, "reason");
        let errors = Proposal::parse(&day(-1), "exact", &"n".repeat(2001), today()).unwrap_err();
        for field in ["date", "schedule_type", "note"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let foreign_type = JobOrder::parse(&JobForm { summary: "Fix", job_type: "999999", ..JobForm::default() }).unwrap();
        let err = requests::to_job(&w.app, &oscar, "R-1004", foreign_type).await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("job_type"));
        assert_eq!(w.snapshot(TABLES).await, before);
        assert_eq!(status(&w, "R-1004").await, RequestStatus::New);
    }
}
