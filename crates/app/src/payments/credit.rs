//! The office applies an account's credit to one of its open invoices: recorded as a
//! payment by account credit, so the invoice and the portal show it like any other.

use doorstep_core::authz::OfficeArea;
use doorstep_core::ids::InvoiceId;
use doorstep_core::money::Currency;
use doorstep_core::payments::{self as rules};
use doorstep_core::status::PaymentMethodKind;
use doorstep_core::validation::Invalid;
use doorstep_store::payments::OfficePayment;
use doorstep_store::request_inbox::Numbered;

use super::receipt::Receipt;
use super::{Paid, currency, money, payable, settle};
use crate::error::FieldErrors;
use crate::{App, AppError, StaffActor};

/// Credit to apply, checked.
#[derive(Debug, Clone)]
pub struct ApplyCredit {
    customer: String,
    invoice: String,
    amount_minor: i64,
}

impl ApplyCredit {
    /// Checks the form: the account, the invoice chosen and the amount (`credit_amount`).
    pub fn parse(
        customer: &str,
        invoice: &str,
        amount: &str,
        currency: Currency,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let amount_minor = errors.check(
            rules::parse_amount(amount, currency)
                .map_err(|e| Invalid::new("credit_amount", e.message)),
        );
        if invoice.trim().is_empty() {
            errors.0.push(Invalid::new(
                "credit_invoice",
                "Choose the invoice to pay with credit.",
            ));
        }
        match amount_minor {
            Some(amount_minor) if errors.is_empty() => Ok(ApplyCredit {
                customer: customer.trim().to_owned(),
                invoice: invoice.trim().to_owned(),
                amount_minor,
            }),
            _ => Err(errors),
        }
    }
}

/// Credit applied.
#[derive(Debug, Clone)]
pub struct CreditApplied {
    /// The receipt number of the credit payment.
    pub number: String,
    /// The invoice paid.
    pub paid: Paid,
    /// The account's credit left, minor units.
    pub credit_left: i64,
}

/// Pays invoice `cmd.invoice` of the account with `cmd.amount` of its credit (at most the
/// credit, at most the balance; both guarded by conditional UPDATEs), audited, with a
/// receipt. Refused as [`super::record`] is, and with `credit_amount`'s message for more
/// than the credit or the balance.
pub async fn apply_credit(
    app: &App,
    actor: &StaffActor,
    cmd: ApplyCredit,
) -> Result<CreditApplied, AppError> {
    actor.require(OfficeArea::DayToDay)?;
    let company = actor.company();
    let cur = currency(company);
    let mut tx = app.store.begin().await?;
    let payer = tx
        .payer(company.id, &cmd.customer)
        .await?
        .ok_or(AppError::NotFound)?;
    let invoice = tx
        .invoice_to_pay(company.id, payer.customer(), &cmd.invoice)
        .await?
        .ok_or(AppError::NotFound)?;
    payable(&invoice.number, &invoice.status)?;
    let amount = rules::credit_to_apply(
        cmd.amount_minor,
        payer.credit_minor,
        invoice.balance_minor(),
        cur,
    )?;
    let Some(credit_left) = tx
        .change_credit(company.id, payer.customer(), -amount)
        .await?
    else {
        return Err(AppError::changed());
    };
    let at = doorstep_store::now();
    let id = InvoiceId(invoice.id);
    let balance_minor = settle(&mut tx, company.id, payer.customer(), (id, amount), at).await?;
    let number = tx.next_number(company.id, Numbered::Payment).await?;
    let reference = "Account credit applied".to_owned();
    let payment = tx
        .insert_office_payment(
            company.id,
            &OfficePayment {
                customer: payer.customer(),
                number: number.clone(),
                amount_minor: amount,
                method: PaymentMethodKind::Credit,
                reference: reference.clone(),
                received_at: at,
                recorded_by: actor.id(),
                allocations: vec![(id, amount)],
            },
        )
        .await?;
    let detail = serde_json::json!({
        "number": number, "customer": payer.number, "invoice": invoice.number,
        "amount_minor": amount, "credit_left_minor": credit_left,
    });
    tx.audit(
        company.id,
        &actor.audit("payment.credit_applied", ("payment", payment.0), detail),
    )
    .await?;
    let paid = Paid {
        number: invoice.number.clone(),
        amount_minor: amount,
        balance_minor,
    };
    let receipt = Receipt {
        number: &number,
        amount_minor: amount,
        method: "Account credit",
        reference: "",
        received_on: at.date(),
        paid: std::slice::from_ref(&paid),
        credit_line: Some(format!(
            "Account credit left: {}",
            money(company, credit_left)
        )),
    };
    let queued = receipt
        .send(app, &mut tx, company, payer.customer())
        .await?;
    app.commit(tx, queued).await?;
    Ok(CreditApplied {
        number,
        paid,
        credit_left,
    })
}
