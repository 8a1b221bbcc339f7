//! The receipt emailed to the account's billing contacts (else its primary ones) for
//! every payment the office records and every credit it applies.

use doorstep_core::ids::CustomerId;
use doorstep_mail::EmailKind;
use doorstep_store::Tx;
use doorstep_store::companies::Company;
use time::Date;

use super::{Paid, money};
use crate::{App, AppError};

/// What a receipt says.
pub(crate) struct Receipt<'a> {
    pub(crate) number: &'a str,
    pub(crate) amount_minor: i64,
    pub(crate) method: &'static str,
    pub(crate) reference: &'a str,
    pub(crate) received_on: Date,
    pub(crate) paid: &'a [Paid],
    /// Added to credit (a payment's rest), or what is left of it (credit applied).
    pub(crate) credit_line: Option<String>,
}

impl Receipt<'_> {
    /// The lines telling what the payment paid.
    fn applied(&self, company: &Company) -> String {
        let mut lines: Vec<String> = self
            .paid
            .iter()
            .map(|p| {
                let after = if p.balance_minor == 0 {
                    "paid in full".to_owned()
                } else {
                    format!("{} still due", money(company, p.balance_minor))
                };
                format!(
                    "{}: {} applied, {after}",
                    p.number,
                    money(company, p.amount_minor)
                )
            })
            .collect();
        lines.extend(self.credit_line.clone());
        lines.join("\n")
    }

    /// Queues the receipt to each recipient in `tx`; whether any was queued.
    pub(crate) async fn send(
        &self,
        app: &App,
        tx: &mut Tx,
        company: &Company,
        customer: CustomerId,
    ) -> Result<bool, AppError> {
        let to = tx.receipt_recipients(company.id, customer).await?;
        if to.is_empty() {
            return Ok(false);
        }
        let amount = money(company, self.amount_minor);
        let date = self.received_on.to_string();
        let invoices = if self.paid.is_empty() {
            "your account".to_owned()
        } else {
            let numbers: Vec<&str> = self.paid.iter().map(|p| p.number.as_str()).collect();
            format!("invoice {}", numbers.join(", "))
        };
        let method = if self.reference.is_empty() {
            self.method.to_owned()
        } else {
            format!("{}, {}", self.method, self.reference)
        };
        let applied = self.applied(company);
        let link = app.links().portal(&company.slug, "/payments");
        for (email, name) in &to {
            doorstep_mail::enqueue(
                tx,
                company.id,
                EmailKind::PaymentReceipt,
                email,
                name,
                &[
                    ("company_name", company.name.as_str()),
                    ("contact_name", name.as_str()),
                    ("amount", amount.as_str()),
                    ("payment_date", date.as_str()),
                    ("invoice_number", invoices.as_str()),
                    ("payment_number", self.number),
                    ("method", method.as_str()),
                    ("applied", applied.as_str()),
                    ("link", link.as_str()),
                ],
            )
            .await?;
        }
        Ok(true)
    }
}
