//! Use cases of the company's time zone.

use doorstep_app::estimates::{self, Approval};
use doorstep_core::local_time::{self, Zone};
use doorstep_core::status::EstimateStatus;
use doorstep_testkit::{Backend, both_backends};

use crate::world::World;

/// Today on the demo companies' clock (both are in America/Chicago): what their use cases
/// judge windows, dates and expiry by.
pub fn demo_today() -> time::Date {
    Zone::parse("America/Chicago")
        .unwrap()
        .date_of(doorstep_store::now())
}

both_backends! {
    /// The demo's Acme works in America/Chicago, and the office's email about an approval
    /// says when it happened on that clock, in the one date-time format, never a raw UTC
    /// timestamp.
    async fn an_approval_email_tells_the_time_on_the_company_clock(backend: Backend) {
        let w = World::demo(backend).await;
        assert_eq!(w.acme.time_zone.name(), "America/Chicago");
        let dana = w.dana().await;
        let today = demo_today();
        let rows = w.store.estimates_page(w.acme.id, dana.scope(), None, None, 100).await.unwrap();
        let mut pending = None;
        for r in rows {
            let e = w.store.estimate_document(w.acme.id, dana.scope(), &r.number).await.unwrap().unwrap();
            if e.status_seen(today) == EstimateStatus::Pending {
                pending = Some(e);
                break;
            }
        }
        let e = pending.expect("a pending estimate");
        let chosen = e.optional_ids();
        let total = e.totals_with(&chosen).total_minor.to_string();
        let approval = Approval::parse("Dana Whitaker", chosen, &total).unwrap();
        estimates::approve(&w.app, &dana, &e.number, approval).await.unwrap();
        let at = w.store.estimate_document(w.acme.id, dana.scope(), &e.number).await.unwrap().unwrap()
            .approval.unwrap().at;
        let body: String = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT body_text FROM email_outbox WHERE company_id = $1 AND kind = 'estimate_approved' ORDER BY id DESC")
            .bind(w.acme.id.0).fetch_one(p).await)
        .unwrap();
        let shown = local_time::date_time(&w.acme.time_zone, at);
        assert!(body.contains(&format!("Approved at: {shown} from")), "{body}");
        assert!(!body.contains("+00") && !body.contains("UTC"), "{body}");
    }
}
