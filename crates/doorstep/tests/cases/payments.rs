//! `doorstep_app::payments`: offline payments recorded by the office (partial, across
//! several invoices, the rest to credit), credit applied, receipts, and the refusals —
//! above the balance without credit, a void invoice, another account's or company's,
//! bad input — after which nothing was written; two recordings at once never over-pay.

use doorstep_app::AppError;
use doorstep_app::payments::{self, ApplyCredit, PaymentForm, RecordPayment};
use doorstep_core::ids::CustomerId;
use doorstep_core::money::Currency;
use doorstep_store::invoices::InvoiceRow;
use doorstep_testkit::{Backend, both_backends};
use time::Date;

use crate::world::World;

const USD: Currency = Currency::USD;
const TABLES: &[&str] = &["payments", "payment_allocations"];

fn today() -> Date {
    doorstep_store::now().date()
}

fn form(customer: &str, amount: &str, method: &str, shares: &[(&str, &str)]) -> PaymentForm {
    PaymentForm {
        customer: customer.into(),
        amount: amount.into(),
        method: method.into(),
        reference: if method == "check" {
            "4417".into()
        } else {
            String::new()
        },
        received_on: today().to_string(),
        shares: shares
            .iter()
            .map(|(n, a)| ((*n).into(), (*a).into()))
            .collect(),
        keep_credit: false,
    }
}

fn cmd(f: &PaymentForm) -> RecordPayment {
    RecordPayment::parse(f, USD, today()).unwrap()
}

/// Dana's household at Acme: its number and its unpaid invoices, oldest due first.
async fn household(w: &World) -> (CustomerId, String, Vec<InvoiceRow>) {
    let dana = w.dana().await;
    let c = w
        .store
        .customer_summary(w.acme.id, dana.customer())
        .await
        .unwrap()
        .unwrap();
    let open = w
        .store
        .open_invoices_of_payer(w.acme.id, dana.customer())
        .await
        .unwrap();
    assert!(!open.is_empty(), "the demo household owes something");
    (dana.customer(), c.number, open)
}

fn amount(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

async fn invoice(w: &World, customer: CustomerId, number: &str) -> (String, i64, i64) {
    doorstep_store::on_pool!(w.store, p => sqlx::query_as(
        "SELECT status, paid_minor, total_minor FROM invoices WHERE company_id = $1 AND customer_id = $2 AND number = $3")
        .bind(w.acme.id.0).bind(customer.0).bind(number).fetch_one(p).await)
    .unwrap()
}

async fn credit(w: &World, customer: CustomerId) -> i64 {
    w.store
        .customer_summary(w.acme.id, customer)
        .await
        .unwrap()
        .unwrap()
        .credit_minor
}

async fn last_email_body(w: &World) -> (String, String) {
    doorstep_store::on_pool!(w.store, p => sqlx::query_as(
        "SELECT to_address, body_text FROM email_outbox WHERE company_id = $1 AND kind = 'payment_receipt' ORDER BY id DESC LIMIT 1")
        .bind(w.acme.id.0).fetch_one(p).await)
    .unwrap()
}

both_backends! {
    /// Office staff (not an administrator) record part of an invoice in cash and the rest
    /// by check: the invoice becomes paid, each payment is audited, and each receipt goes
    /// to Dana with the right amounts.
    async fn a_partial_cash_payment_then_the_rest_by_check_pays_the_invoice(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let (customer, number, open) = household(&w).await;
        // The demo's own payments are in the household's history already.
        let demo = w.store.payment_history_page(w.acme.id, customer, (None, None), None, 100).await.unwrap();
        assert!(!demo.is_empty() && demo.iter().any(|p| !p.invoices.is_empty()), "{demo:?}");
        let inv = &open[0];
        let balance = inv.total_minor - inv.paid_minor;
        let part = balance / 2;
        let first = payments::record(&w.app, &oscar, cmd(&form(&number, &amount(part), "cash", &[(&inv.number, &amount(part))])))
            .await.unwrap();
        assert_eq!(first.paid[0].balance_minor, balance - part);
        assert!(first.receipt_queued);
        let (status, paid, _) = invoice(&w, customer, &inv.number).await;
        assert_eq!((status.as_str(), paid), ("unpaid", inv.paid_minor + part));
        assert_eq!(w.last_audit(&w.acme).await, ("payment.recorded".into(), "dispatch@acme.test".into()));
        let (to, body) = last_email_body(&w).await;
        assert_eq!(to, "dana@example.test");
        assert!(body.contains(&format!("${}", amount(part))) && body.contains(&first.number), "{body}");
        let rest = balance - part;
        let second = payments::record(&w.app, &oscar, cmd(&form(&number, &amount(rest), "check", &[(&inv.number, &amount(rest))])))
            .await.unwrap();
        assert_eq!(second.paid[0].balance_minor, 0);
        let (status, paid, total) = invoice(&w, customer, &inv.number).await;
        assert_eq!((status.as_str(), paid), ("paid", total));
        let (_, body) = last_email_body(&w).await;
        assert!(body.contains("paid in full") && body.contains("Check, Check #4417"), "{body}");
        let receipt = w.store.payment_receipt(w.acme.id, None, &second.number).await.unwrap().unwrap();
        assert_eq!(receipt.row.reference, "Check #4417");
        assert_eq!(receipt.recorded_by.as_deref(), Some(oscar.staff().name.as_str()));
        let id = w.store.invoice_id_by_number(w.acme.id, &inv.number).await.unwrap().unwrap();
        let on_invoice = w.store.payments_of_invoice(w.acme.id, id).await.unwrap();
        assert!(on_invoice.iter().any(|p| p.number == first.number && p.amount_minor == part));
        assert!(on_invoice.iter().any(|p| p.number == second.number && p.amount_minor == rest));
        let history = w.store.payment_history_page(w.acme.id, customer, (None, None), None, 100).await.unwrap();
        assert_eq!(history.len(), demo.len() + 2);
        assert_eq!(history[0].number, second.number, "newest first");
    }

    /// One payment across two invoices with the rest kept as credit, then that credit
    /// applied to another invoice.
    async fn a_payment_splits_across_invoices_and_the_rest_becomes_credit_to_apply(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let (customer, number, open) = household(&w).await;
        assert!(open.len() >= 2, "the demo household has two open invoices");
        let (a, b) = (&open[0], &open[1]);
        let credit_before = credit(&w, customer).await;
        let ba = a.total_minor - a.paid_minor;
        let total = ba + 100 + 2_500;
        let mut f = form(&number, &amount(total), "bank_transfer", &[(&a.number, &amount(ba)), (&b.number, "1.00")]);
        f.keep_credit = true;
        let done = payments::record(&w.app, &olivia, cmd(&f)).await.unwrap();
        assert_eq!(done.to_credit, 2_500);
        assert_eq!(credit(&w, customer).await, credit_before + 2_500);
        assert_eq!(invoice(&w, customer, &a.number).await.0, "paid");
        let receipt = w.store.payment_receipt(w.acme.id, None, &done.number).await.unwrap().unwrap();
        assert_eq!((receipt.row.method.as_str(), receipt.row.channel.as_str()), ("ach", "office"));
        assert_eq!(receipt.unapplied_minor(), 2_500);
        let (_, body) = last_email_body(&w).await;
        assert!(body.contains("Kept as account credit: $25.00"), "{body}");

        let applied = payments::apply_credit(&w.app, &olivia, ApplyCredit::parse(&number, &b.number, "10", USD).unwrap())
            .await.unwrap();
        assert_eq!(applied.credit_left, credit_before + 1_500);
        assert_eq!(invoice(&w, customer, &b.number).await.1, b.paid_minor + 100 + 1_000);
        assert_eq!(w.last_audit(&w.acme).await.0, "payment.credit_applied");
        let (_, body) = last_email_body(&w).await;
        assert!(body.contains("Account credit left"), "{body}");
        // More than the credit is refused beside the amount, and writes nothing.
        let before = w.snapshot(TABLES).await;
        let err = payments::apply_credit(&w.app, &olivia, ApplyCredit::parse(&number, &b.number, "100000", USD).unwrap())
            .await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("credit_amount"));
        assert_eq!(w.snapshot(TABLES).await, before);
    }

    /// Each refusal writes nothing: above the balance without credit, a void invoice,
    /// another account's invoice, another company's account, and bad input.
    async fn refused_payments_write_nothing(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let (customer, number, open) = household(&w).await;
        let inv = &open[0];
        let balance = inv.total_minor - inv.paid_minor;
        let before = w.snapshot(TABLES).await;
        let credit_before = credit(&w, customer).await;

        // Above the balance, without "keep the rest as credit": the message is beside the amount.
        let err = payments::record(&w.app, &olivia, cmd(&form(&number, &amount(balance + 1_000), "cash", &[(&inv.number, &amount(balance))])))
            .await.unwrap_err();
        let e = err.invalid().unwrap();
        assert_eq!(e.field, "amount");
        assert!(e.message.contains("more than the balance due"), "{}", e.message);
        // A share above its invoice's balance: beside that invoice.
        let err = payments::record(&w.app, &olivia, cmd(&form(&number, &amount(balance + 1_000), "cash", &[(&inv.number, &amount(balance + 1_000))])))
            .await.unwrap_err();
        let e = err.invalid().unwrap();
        assert_eq!(e.field, "allocation");
        assert!(e.message.starts_with(&format!("{}: At most", inv.number)), "{}", e.message);

        // A void invoice of the same account.
        let void: Option<String> = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT number FROM invoices WHERE company_id = $1 AND customer_id = $2 AND status = 'void'")
            .bind(w.acme.id.0).bind(customer.0).fetch_optional(p).await).unwrap();
        let void = match void {
            Some(n) => n,
            None => {
                doorstep_store::on_pool!(w.store, p => sqlx::query(
                    "UPDATE invoices SET status = 'void' WHERE company_id = $1 AND number = $2")
                    .bind(w.acme.id.0).bind(&open[open.len() - 1].number).execute(p).await.map(|_| ())).unwrap();
                open[open.len() - 1].number.clone()
            }
        };
        let err = payments::record(&w.app, &olivia, cmd(&form(&number, "1", "cash", &[(&void, "1")])))
            .await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("void"), "{err:?}");

        // Another account's invoice (Harbor's) through the household.
        let harbor = w.store.payers_matching(w.acme.id, "Harbor", 5).await.unwrap().remove(0);
        let harbor_invoice = w.store.open_invoices_of_payer(w.acme.id, harbor.customer()).await.unwrap();
        if let Some(other) = harbor_invoice.first() {
            let err = payments::record(&w.app, &olivia, cmd(&form(&number, "1", "cash", &[(&other.number, "1")])))
                .await.unwrap_err();
            assert!(matches!(err, AppError::NotFound), "{err:?}");
        }
        // Another company's staff cannot reach Acme's account.
        let bolt = w.staff("bolt", "office@bolt.test").await;
        let err = payments::record(&w.app, &bolt, cmd(&form(&number, "1", "cash", &[(&inv.number, "1")])))
            .await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        let err = payments::apply_credit(&w.app, &bolt, ApplyCredit::parse(&number, &inv.number, "1", USD).unwrap())
            .await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        assert_eq!(w.snapshot(TABLES).await, before);
        assert_eq!(credit(&w, customer).await, credit_before);
        assert_eq!(invoice(&w, customer, &inv.number).await.1, inv.paid_minor);

        // Bad input never reaches the use case; each message is beside its field.
        let mut bad = form(&number, "12,50", "bitcoin", &[(&inv.number, "-3")]);
        bad.received_on = (today() + time::Duration::days(1)).to_string();
        let errors = RecordPayment::parse(&bad, USD, today()).unwrap_err();
        for field in ["amount", "method", "received_on", "allocation"] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
        let no_check_number = PaymentForm { reference: String::new(), ..form(&number, "5", "check", &[]) };
        assert!(RecordPayment::parse(&no_check_number, USD, today()).unwrap_err().get("reference").is_some());
        // A portal contact has no way in: the use cases take an office actor only (the
        // office routes send a contact to the office sign-in, see it/payments.rs).
    }

    /// Two recordings of the whole balance of one invoice at once: one is recorded, the
    /// other refused; the invoice is paid exactly once.
    async fn two_recordings_at_once_never_over_pay_an_invoice(backend: Backend) {
        let w = World::demo(backend).await;
        let (olivia, oscar) = (w.olivia().await, w.oscar().await);
        let (customer, number, open) = household(&w).await;
        let inv = &open[0];
        let balance = amount(inv.total_minor - inv.paid_minor);
        let payments_before = w.rows("payments").await;
        let one = cmd(&form(&number, &balance, "cash", &[(&inv.number, &balance)]));
        let two = one.clone();
        let (a, b) = tokio::join!(
            payments::record(&w.app, &olivia, one),
            payments::record(&w.app, &oscar, two),
        );
        let refused: Vec<_> = [&a, &b].into_iter().filter_map(|r| r.as_ref().err()).collect();
        assert_eq!(refused.len(), 1, "{a:?} {b:?}");
        assert!(matches!(refused[0].conflict_reason(), Some("changed" | "paid")), "{:?}", refused[0]);
        let (status, paid, total) = invoice(&w, customer, &inv.number).await;
        assert_eq!((status.as_str(), paid), ("paid", total));
        assert_eq!(w.rows("payments").await, payments_before + 1);
    }
}
