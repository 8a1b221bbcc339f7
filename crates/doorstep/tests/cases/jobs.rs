//! `doorstep_app::jobs`: creating, editing, scheduling, crewing and moving jobs, the
//! customer's emails, and the visit reminder sent exactly once.

use doorstep_app::jobs::{
    self, JobEdit, JobEditForm, NewJob, NewJobForm, NewTechnician, ScheduleOrder,
};
use doorstep_app::{AppError, StaffActor};
use doorstep_core::ids::JobId;
use doorstep_core::local_time::Zone;
use doorstep_core::status::JobStatus;
use doorstep_testkit::{Backend, both_backends};
use time::{Duration, OffsetDateTime};

use crate::world::World;

const TABLES: &[&str] = &[
    "jobs",
    "job_status_changes",
    "job_technicians",
    "technicians",
];

/// A new unscheduled job for Dana's account, made by `staff`; its number.
async fn new_job(w: &World, staff: &StaffActor) -> String {
    let dana = w.dana().await;
    let customer = dana.customer().0.to_string();
    let f = NewJobForm {
        customer: &customer,
        summary: "Replace the water heater",
        description: "50 gallon, gas",
        work_order_notes: "Gate code 4321",
        customer_notes: "Please clear the way to the garage.",
        ..NewJobForm::default()
    };
    jobs::create(&w.app, staff, NewJob::parse(&f).unwrap())
        .await
        .unwrap()
        .number
}

/// The day after tomorrow as the schedule form types it.
fn day(offset: i64) -> String {
    (OffsetDateTime::now_utc().date() + Duration::days(offset)).to_string()
}

async fn moves(w: &World, number: &str) -> Vec<JobStatus> {
    let j = w
        .store
        .office_job(w.acme.id, number)
        .await
        .unwrap()
        .unwrap();
    w.store
        .job_status_history(w.acme.id, JobId(j.id))
        .await
        .unwrap()
        .iter()
        .map(|h| h.status())
        .collect()
}

both_backends! {
    /// Office staff (not an administrator) create a job: unscheduled, numbered, its first
    /// status on the timeline with who, both kinds of notes kept apart, audited.
    async fn office_staff_create_a_job(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let number = new_job(&w, &oscar).await;
        assert!(number.starts_with("J-"), "{number}");
        let j = w.store.office_job(w.acme.id, &number).await.unwrap().unwrap();
        assert_eq!(j.status(), JobStatus::Unscheduled);
        assert_eq!(j.work_order_notes, "Gate code 4321");
        assert_eq!(j.customer_notes, "Please clear the way to the garage.");
        assert_eq!(moves(&w, &number).await, [JobStatus::Unscheduled]);
        assert_eq!(w.last_audit(&w.acme).await, ("job.created".into(), "dispatch@acme.test".into()));
        // The customer sees the customer notes, never the internal ones.
        let dana = w.dana().await;
        let seen = w.store.job_for_contact(w.acme.id, dana.scope(), &number).await.unwrap().unwrap();
        assert_eq!(seen.customer_notes, j.customer_notes);
    }

    /// Bad input names each field; another company's customer, site or job type is refused;
    /// nothing is written by any refusal.
    async fn bad_new_jobs_write_nothing(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let errors = NewJob::parse(&NewJobForm { customer: "", summary: "", description: &"x".repeat(5001), ..NewJobForm::default() }).unwrap_err();
        for field in ["customer", "summary", "description"] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
        let before = w.snapshot(TABLES).await;
        // Bolt's customer, seen from Acme.
        let bolt = w.staff("bolt", "office@bolt.test").await;
        let bolt_number = new_job(&w, &w.olivia().await).await;
        let after_own = w.snapshot(TABLES).await;
        assert_ne!(before, after_own);
        let before = after_own;
        let acme_customer = w.dana().await.customer().0.to_string();
        let f = NewJobForm { customer: &acme_customer, summary: "Fix", ..NewJobForm::default() };
        let err = jobs::create(&w.app, &bolt, NewJob::parse(&f).unwrap()).await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("customer"), "{err:?}");
        let f = NewJobForm { customer: &acme_customer, site: "999999", summary: "Fix", ..NewJobForm::default() };
        let err = jobs::create(&w.app, &oscar, NewJob::parse(&f).unwrap()).await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("site"), "{err:?}");
        let f = NewJobForm { customer: &acme_customer, job_type: "999999", summary: "Fix", ..NewJobForm::default() };
        let err = jobs::create(&w.app, &oscar, NewJob::parse(&f).unwrap()).await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("job_type"), "{err:?}");
        // Another company's job is not found, whatever the use case.
        let order = ScheduleOrder::parse(&Zone::utc(), &day(3), "am", "", "").unwrap();
        assert!(matches!(jobs::schedule(&w.app, &bolt, &bolt_number, order).await, Err(AppError::NotFound)));
        assert!(matches!(jobs::move_status(&w.app, &bolt, &bolt_number, "cancelled").await, Err(AppError::NotFound)));
        assert!(matches!(jobs::set_crew(&w.app, &bolt, &bolt_number, &[]).await, Err(AppError::NotFound)));
        let edit = JobEdit::parse(&JobEditForm { summary: "Mine", ..JobEditForm::default() }).unwrap();
        assert!(matches!(jobs::edit(&w.app, &bolt, &bolt_number, edit).await, Err(AppError::NotFound)));
        assert_eq!(w.snapshot(TABLES).await, before);
    }

    /// Scheduling an unscheduled job makes it scheduled (the hours from core's windows);
    /// a new time keeps it scheduled; unscheduling takes the visit away. Bad schedules
    /// name their fields and write nothing.
    async fn schedule_and_unschedule(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let number = new_job(&w, &oscar).await;
        let errors = ScheduleOrder::parse(&Zone::utc(), "", "noon", "", "").unwrap_err();
        assert!(errors.get("date").is_some() && errors.get("schedule_type").is_some());
        let errors = ScheduleOrder::parse(&Zone::utc(), &day(2), "exact", "11:00", "09:00").unwrap_err();
        assert!(errors.get("end_time").is_some());
        let order = ScheduleOrder::parse(&Zone::utc(), &day(2), "exact", "09:30", "11:00").unwrap();
        let done = jobs::schedule(&w.app, &oscar, &number, order).await.unwrap();
        assert_eq!(done.status, JobStatus::Scheduled);
        let j = w.store.office_job(w.acme.id, &number).await.unwrap().unwrap();
        let start = j.scheduled_start.unwrap();
        assert_eq!((start.hour(), start.minute()), (9, 30));
        assert_eq!(j.schedule_type.as_deref(), Some("exact"));
        assert_eq!(w.last_audit(&w.acme).await.0, "job.scheduled");
        let order = ScheduleOrder::parse(&Zone::utc(), &day(3), "all_day", "", "").unwrap();
        jobs::schedule(&w.app, &oscar, &number, order).await.unwrap();
        assert_eq!(moves(&w, &number).await, [JobStatus::Unscheduled, JobStatus::Scheduled]);
        let done = jobs::unschedule(&w.app, &oscar, &number).await.unwrap();
        assert_eq!(done.status, JobStatus::Unscheduled);
        let j = w.store.office_job(w.acme.id, &number).await.unwrap().unwrap();
        assert_eq!(j.scheduled_start, None);
        assert_eq!(moves(&w, &number).await.len(), 3);
    }

    /// scheduled → on the way → completed: each move timed, by whom, audited, and the
    /// two the customer hears of emailed to Dana; completed is final and a refused move
    /// says why and writes nothing.
    async fn status_moves_are_recorded_and_emailed(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let number = new_job(&w, &oscar).await;
        let order = ScheduleOrder::parse(&Zone::utc(), &day(2), "am", "", "").unwrap();
        jobs::schedule(&w.app, &oscar, &number, order).await.unwrap();
        let emails = w.emails(&w.acme).await.len();
        let done = jobs::move_status(&w.app, &oscar, &number, "on_the_way").await.unwrap();
        assert!(done.emailed);
        let all = w.emails(&w.acme).await;
        assert_eq!(all.last().unwrap(), &("job_on_the_way".to_owned(), "dana@example.test".to_owned()));
        let before = w.snapshot(TABLES).await;
        let err = jobs::move_status(&w.app, &oscar, &number, "scheduled").await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("status"));
        assert_eq!(w.snapshot(TABLES).await, before);
        jobs::move_status(&w.app, &oscar, &number, "completed").await.unwrap();
        let all = w.emails(&w.acme).await;
        assert_eq!(all.last().unwrap().0, "job_completed");
        assert!(all.len() >= emails + 2);
        assert_eq!(w.last_audit(&w.acme).await, ("job.status_changed".into(), "dispatch@acme.test".into()));
        let j = w.store.office_job(w.acme.id, &number).await.unwrap().unwrap();
        assert!(j.completed_at.is_some());
        let history = w.store.job_status_history(w.acme.id, JobId(j.id)).await.unwrap();
        assert_eq!(history.iter().map(|h| h.status()).collect::<Vec<_>>(),
            [JobStatus::Unscheduled, JobStatus::Scheduled, JobStatus::OnTheWay, JobStatus::Completed]);
        assert!(history.iter().all(|h| h.staff_name.as_deref() == Some("Oscar Reyes")));
        // Completed → on the way is refused with a clear message; nothing written.
        let before = w.snapshot(TABLES).await;
        let err = jobs::move_status(&w.app, &oscar, &number, "on_the_way").await.unwrap_err();
        let message = err.invalid().unwrap().message.clone();
        assert!(message.contains("final"), "{message}");
        let order = ScheduleOrder::parse(&Zone::utc(), &day(4), "am", "", "").unwrap();
        assert_eq!(jobs::schedule(&w.app, &oscar, &number, order).await.unwrap_err().conflict_reason(), Some("not_schedulable"));
        assert!(jobs::move_status(&w.app, &oscar, &number, "cancelled").await.is_err());
        assert!(jobs::move_status(&w.app, &oscar, &number, "bogus").await.is_err());
        assert_eq!(w.snapshot(TABLES).await, before);
    }

    /// Edits keep both kinds of notes apart; a crew is added and put on the job; a
    /// technician of nobody's crew is refused.
    async fn edit_and_crew(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let number = new_job(&w, &oscar).await;
        let errors = JobEdit::parse(&JobEditForm { summary: "a\nb", ..JobEditForm::default() }).unwrap_err();
        assert!(errors.get("summary").is_some());
        let edit = JobEdit::parse(&JobEditForm {
            summary: "Replace the heater", description: "Gas", work_order_notes: "Dog in yard",
            customer_notes: "We bring the part", ..JobEditForm::default()
        }).unwrap();
        jobs::edit(&w.app, &oscar, &number, edit).await.unwrap();
        let j = w.store.office_job(w.acme.id, &number).await.unwrap().unwrap();
        assert_eq!((j.summary.as_str(), j.work_order_notes.as_str(), j.customer_notes.as_str()),
            ("Replace the heater", "Dog in yard", "We bring the part"));
        assert_eq!(w.last_audit(&w.acme).await.0, "job.edited");
        assert!(NewTechnician::parse(" ", "").is_err());
        let ray = jobs::add_technician(&w.app, &oscar, NewTechnician::parse("Ray Zed", "555").unwrap()).await.unwrap();
        jobs::set_crew(&w.app, &oscar, &number, &[ray.0]).await.unwrap();
        assert_eq!(w.store.job_technicians(w.acme.id, JobId(j.id)).await.unwrap(), ["Ray Zed"]);
        assert_eq!(w.last_audit(&w.acme).await.0, "job.crew_set");
        let before = w.snapshot(TABLES).await;
        let err = jobs::set_crew(&w.app, &oscar, &number, &[ray.0, 999_999]).await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("crew"));
        assert_eq!(w.snapshot(TABLES).await, before);
    }

    /// The reminder of tomorrow's visit is queued once: a second sweep (another node, or
    /// the next minute) finds it claimed; a visit the day after is not due yet.
    async fn visit_reminders_are_sent_exactly_once(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let number = new_job(&w, &oscar).await;
        let later = new_job(&w, &oscar).await;
        // The clock: a day in 2030, so the demo's own visits are not due.
        let now = time::macros::datetime!(2030-06-10 18:00 UTC);
        for (n, d) in [(&number, "2030-06-11"), (&later, "2030-06-12")] {
            let order = ScheduleOrder::parse(&Zone::utc(), d, "am", "", "").unwrap();
            jobs::schedule(&w.app, &oscar, n, order).await.unwrap();
        }
        let before = w.emails(&w.acme).await.len();
        assert_eq!(jobs::send_visit_reminders(&w.app, now).await.unwrap(), 1);
        let after = w.emails(&w.acme).await;
        assert_eq!(after.len(), before + 1);
        assert_eq!(after.last().unwrap(), &("visit_reminder".to_owned(), "dana@example.test".to_owned()));
        assert_eq!(jobs::send_visit_reminders(&w.app, now).await.unwrap(), 0);
        assert_eq!(w.emails(&w.acme).await.len(), before + 1);
        // The next day the later visit is due, once.
        let next = now + Duration::days(1);
        assert_eq!(jobs::send_visit_reminders(&w.app, next).await.unwrap(), 1);
        assert_eq!(jobs::send_visit_reminders(&w.app, next).await.unwrap(), 0);
        let j = w.store.office_job(w.acme.id, &later).await.unwrap().unwrap();
        assert!(j.reminder_sent_at.is_some());
    }
}

/// Two sweeps racing on one PostgreSQL (two server processes): each reminder is queued
/// exactly once between them.
#[tokio::test]
async fn two_concurrent_sweeps_on_postgres_send_each_reminder_once() {
    let w = World::demo(Backend::Postgres).await;
    let oscar = w.oscar().await;
    let mut numbers = Vec::new();
    for _ in 0..6 {
        numbers.push(new_job(&w, &oscar).await);
    }
    for n in &numbers {
        let order = ScheduleOrder::parse(&Zone::utc(), "2031-01-15", "pm", "", "").unwrap();
        jobs::schedule(&w.app, &oscar, n, order).await.unwrap();
    }
    let now = time::macros::datetime!(2031-01-14 07:00 UTC);
    let before = w.emails(&w.acme).await.len();
    let (a, b) = tokio::join!(
        jobs::send_visit_reminders(&w.app, now),
        jobs::send_visit_reminders(&w.app, now)
    );
    assert_eq!(a.unwrap() + b.unwrap(), numbers.len());
    let after = w.emails(&w.acme).await;
    assert_eq!(after.len(), before + numbers.len());
    assert!(
        after[before..]
            .iter()
            .all(|(kind, _)| kind == "visit_reminder")
    );
}
