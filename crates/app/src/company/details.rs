//! The company's details: name, address, phone, email, website, the office notice
//! address, time zone, currency and payment terms. Saved field by field on the row as it
//! is now, under its lock, so two administrators changing different fields both keep
//! theirs.

use doorstep_core::company::{
    LINE_MAX, check_currency, check_line, check_name, check_number_prefix, check_payment_terms,
    check_phone, check_time_zone, check_website,
};
use doorstep_core::email::EmailAddress;
use doorstep_core::validation::Invalid;
use doorstep_store::company_details::CompanyDetails;

use crate::error::FieldErrors;
use crate::{Admin, App, AppError};

/// The details form as typed.
#[derive(Debug, Clone, Default)]
pub struct DetailsInput {
    /// Company name.
    pub name: String,
    /// Public contact email.
    pub email: String,
    /// Public phone.
    pub phone: String,
    /// Street address.
    pub address_line1: String,
    /// Second address line.
    pub address_line2: String,
    /// City.
    pub city: String,
    /// State or region.
    pub region: String,
    /// Postal code.
    pub postal_code: String,
    /// Country.
    pub country: String,
    /// Website.
    pub website: String,
    /// Office notice address (empty: the main email).
    pub request_email: String,
    /// IANA time zone.
    pub timezone: String,
    /// ISO 4217 currency code.
    pub currency: String,
    /// Payment terms in days.
    pub payment_terms_days: String,
    /// Prefix of new estimate numbers.
    pub estimate_prefix: String,
    /// Prefix of new invoice numbers.
    pub invoice_prefix: String,
    /// Prefix of new job numbers.
    pub job_prefix: String,
}

impl From<&CompanyDetails> for DetailsInput {
    fn from(d: &CompanyDetails) -> Self {
        DetailsInput {
            name: d.name.clone(),
            email: d.email.clone(),
            phone: d.phone.clone(),
            address_line1: d.address_line1.clone(),
            address_line2: d.address_line2.clone(),
            city: d.city.clone(),
            region: d.region.clone(),
            postal_code: d.postal_code.clone(),
            country: d.country.clone(),
            website: d.website.clone(),
            request_email: d.request_email.clone(),
            timezone: d.timezone.clone(),
            currency: d.currency.clone(),
            payment_terms_days: d.payment_terms_days.to_string(),
            estimate_prefix: d.estimate_prefix.clone(),
            invoice_prefix: d.invoice_prefix.clone(),
            job_prefix: d.job_prefix.clone(),
        }
    }
}

/// The details, checked, with the values the form showed when it was loaded (when the
/// page sent them): only the fields the person changed are saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Details {
    wanted: CompanyDetails,
    loaded: Option<CompanyDetails>,
}

/// An email field: required (`email`) or optional (`request_email`).
fn check_email(field: &'static str, raw: &str, required: bool) -> Result<String, Invalid> {
    if !required && raw.trim().is_empty() {
        return Ok(String::new());
    }
    EmailAddress::parse(raw)
        .map(|e| e.as_str().to_owned())
        .map_err(|e| Invalid::new(field, e.message))
}

impl Details {
    /// Checks every field of `input`, refusing each wrong one; `loaded` is the form as
    /// it was shown (unchecked: only compared).
    pub fn parse(
        input: &DetailsInput,
        loaded: Option<&DetailsInput>,
    ) -> Result<Details, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.check(check_name(&input.name));
        let email = errors.check(check_email("email", &input.email, true));
        let phone = errors.check(check_phone(&input.phone));
        let line1 = errors.check(check_line("address_line1", &input.address_line1, LINE_MAX));
        let line2 = errors.check(check_line("address_line2", &input.address_line2, LINE_MAX));
        let city = errors.check(check_line("city", &input.city, LINE_MAX));
        let region = errors.check(check_line("region", &input.region, LINE_MAX));
        let postal = errors.check(check_line("postal_code", &input.postal_code, 20));
        let country = errors.check(check_line("country", &input.country, LINE_MAX));
        let website = errors.check(check_website(&input.website));
        let request_email = errors.check(check_email("request_email", &input.request_email, false));
        let timezone = errors.check(check_time_zone(&input.timezone));
        let currency = errors.check(check_currency(&input.currency));
        let terms = errors.check(check_payment_terms(&input.payment_terms_days));
        let estimate_prefix = errors.check(check_number_prefix(
            "estimate_prefix",
            &input.estimate_prefix,
        ));
        let invoice_prefix =
            errors.check(check_number_prefix("invoice_prefix", &input.invoice_prefix));
        let job_prefix = errors.check(check_number_prefix("job_prefix", &input.job_prefix));
        let (Some(estimate_prefix), Some(invoice_prefix), Some(job_prefix)) =
            (estimate_prefix, invoice_prefix, job_prefix)
        else {
            return Err(errors);
        };
        match (
            name,
            email,
            phone,
            line1,
            line2,
            city,
            region,
            postal,
            country,
            website,
            request_email,
            timezone,
            currency,
            terms,
        ) {
            (
                Some(name),
                Some(email),
                Some(phone),
                Some(address_line1),
                Some(address_line2),
                Some(city),
                Some(region),
                Some(postal_code),
                Some(country),
                Some(website),
                Some(request_email),
                Some(timezone),
                Some(currency),
                Some(terms),
            ) => Ok(Details {
                loaded: loaded.map(as_loaded),
                wanted: CompanyDetails {
                    name,
                    email,
                    phone,
                    address_line1,
                    address_line2,
                    city,
                    region,
                    postal_code,
                    country,
                    website,
                    request_email,
                    timezone,
                    currency: currency.code().to_owned(),
                    payment_terms_days: i64::from(terms),
                    estimate_prefix,
                    invoice_prefix,
                    job_prefix,
                },
            }),
            _ => Err(errors),
        }
    }

    /// The details as typed and checked.
    pub fn get(&self) -> &CompanyDetails {
        &self.wanted
    }

    /// Applies the fields the person changed (all of them when the form did not say
    /// what it showed) to `current`.
    fn apply(self, current: &mut CompanyDetails) {
        let Details { wanted, loaded } = self;
        let Some(loaded) = loaded else {
            *current = wanted;
            return;
        };
        macro_rules! field {
            ($($f:ident),*) => {$(
                if wanted.$f != loaded.$f {
                    current.$f = wanted.$f;
                }
            )*};
        }
        field!(
            name,
            email,
            phone,
            address_line1,
            address_line2,
            city,
            region,
            postal_code,
            country,
            website,
            request_email,
            timezone,
            currency,
            payment_terms_days,
            estimate_prefix,
            invoice_prefix,
            job_prefix
        );
    }
}

/// The form as it was shown, for comparison only.
fn as_loaded(i: &DetailsInput) -> CompanyDetails {
    CompanyDetails {
        name: i.name.trim().to_owned(),
        email: i.email.trim().to_lowercase(),
        phone: i.phone.trim().to_owned(),
        address_line1: i.address_line1.trim().to_owned(),
        address_line2: i.address_line2.trim().to_owned(),
        city: i.city.trim().to_owned(),
        region: i.region.trim().to_owned(),
        postal_code: i.postal_code.trim().to_owned(),
        country: i.country.trim().to_owned(),
        website: i.website.trim().to_owned(),
        request_email: i.request_email.trim().to_lowercase(),
        timezone: i.timezone.trim().to_owned(),
        currency: i.currency.trim().to_ascii_uppercase(),
        payment_terms_days: i.payment_terms_days.trim().parse().unwrap_or(-1),
        estimate_prefix: i.estimate_prefix.trim().to_owned(),
        invoice_prefix: i.invoice_prefix.trim().to_owned(),
        job_prefix: i.job_prefix.trim().to_owned(),
    }
}

/// The fields whose values differ between `old` and `new`, with both values.
fn changes(old: &CompanyDetails, new: &CompanyDetails) -> serde_json::Value {
    let terms = |d: &CompanyDetails| d.payment_terms_days.to_string();
    let fields: [(&str, String, String); 17] = [
        ("name", old.name.clone(), new.name.clone()),
        ("email", old.email.clone(), new.email.clone()),
        ("phone", old.phone.clone(), new.phone.clone()),
        (
            "address_line1",
            old.address_line1.clone(),
            new.address_line1.clone(),
        ),
        (
            "address_line2",
            old.address_line2.clone(),
            new.address_line2.clone(),
        ),
        ("city", old.city.clone(), new.city.clone()),
        ("region", old.region.clone(), new.region.clone()),
        (
            "postal_code",
            old.postal_code.clone(),
            new.postal_code.clone(),
        ),
        ("country", old.country.clone(), new.country.clone()),
        ("website", old.website.clone(), new.website.clone()),
        (
            "request_email",
            old.request_email.clone(),
            new.request_email.clone(),
        ),
        ("timezone", old.timezone.clone(), new.timezone.clone()),
        ("currency", old.currency.clone(), new.currency.clone()),
        ("payment_terms_days", terms(old), terms(new)),
        (
            "estimate_prefix",
            old.estimate_prefix.clone(),
            new.estimate_prefix.clone(),
        ),
        (
            "invoice_prefix",
            old.invoice_prefix.clone(),
            new.invoice_prefix.clone(),
        ),
        ("job_prefix", old.job_prefix.clone(), new.job_prefix.clone()),
    ];
    let mut map = serde_json::Map::new();
    for (field, from, to) in fields {
        if from != to {
            map.insert(
                field.to_owned(),
                serde_json::json!({"from": from, "to": to}),
            );
        }
    }
    serde_json::Value::Object(map)
}

/// Saves the company's details (the fields the person changed, on the row as it is now),
/// audited as `company.details_saved` with each changed
/// field's old and new value (nothing is written when nothing changed). Refused with a
/// `currency_in_use` conflict when the currency changes after the company has recorded
/// an amount: its estimates, invoices and payments are in the old one. Returns whether
/// anything changed.
pub async fn save(app: &App, admin: Admin<'_>, details: Details) -> Result<bool, AppError> {
    let company = admin.company().id;
    let mut tx = app.store.begin().await?;
    let (old, new) = tx
        .change_company_details(company, |d| details.apply(d))
        .await?;
    if old == new {
        return Ok(false);
    }
    if old.currency != new.currency && tx.company_has_amounts(company).await? {
        return Err(AppError::conflict(
            "currency_in_use",
            format!(
                "The currency stays {}: this company already has estimates, invoices or payments in it.",
                old.currency
            ),
        ));
    }
    let audit = admin.audit(
        "company.details_saved",
        ("company", company.0),
        changes(&old, &new),
    );
    tx.audit(company, &audit).await?;
    tx.commit().await?;
    Ok(true)
}
