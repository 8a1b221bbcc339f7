//! Small view models shared by several pages.

use doorstep_store::companies::Company;

/// What a page needs to show a company's branding and contact details.
pub struct Brand {
    /// The company's name.
    pub name: String,
    /// Whether a logo was uploaded (served at `/brand/logo`).
    pub has_logo: bool,
    /// Address lines, non-empty ones only.
    pub address: Vec<String>,
    /// Phone, possibly empty.
    pub phone: String,
    /// The phone as a `tel:` target (digits and `+` only).
    pub phone_href: String,
    /// Email, possibly empty.
    pub email: String,
}

impl Brand {
    /// Builds the branding of `company`.
    pub fn of(company: &Company) -> Self {
        let city_line = [company.city.as_str(), company.region.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        let city_line = [city_line, company.postal_code.clone()]
            .iter()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" ");
        let address = [
            company.address_line1.clone(),
            company.address_line2.clone(),
            city_line,
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
        Brand {
            name: company.name.clone(),
            has_logo: company.logo_key.is_some(),
            address,
            phone: company.phone.clone(),
            phone_href: company
                .phone
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect(),
            email: company.email.clone(),
        }
    }
}
