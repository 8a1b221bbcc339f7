//! Which company a request is for, decided from its `Host` alone.

use crate::Invalid;

/// Sub-domain labels no company may take, because they name the service itself
/// or would confuse customers and mail filters.
const RESERVED: &[&str] = &[
    "www", "api", "app", "admin", "office", "static", "assets", "mail", "smtp", "status", "help",
    "support", "docs", "login", "portal", "doorstep",
];

/// A company's short name, used as its portal's sub-domain (`acme` in `acme.example.com`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CompanySlug(String);

impl CompanySlug {
    /// Parses a slug: 2–40 lower-case letters, digits and inner hyphens, not reserved.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim().to_ascii_lowercase();
        let shape_ok = (2..=40).contains(&value.len())
            && value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !value.starts_with('-')
            && !value.ends_with('-');
        if !shape_ok {
            return Err(Invalid::new(
                "slug",
                "Use 2 to 40 lower-case letters, digits or hyphens (not at the start or end).",
            ));
        }
        if RESERVED.contains(&value.as_str()) {
            return Err(Invalid::new("slug", format!("\"{value}\" is reserved.")));
        }
        Ok(Self(value))
    }

    /// The slug.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CompanySlug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A company's own domain for its portal (`portal.acmeplumbing.com`), checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CustomDomain(String);

/// The longest domain name DNS allows.
const DOMAIN_MAX: usize = 253;

impl CustomDomain {
    /// Parses a domain as typed: trimmed, lower-cased and without a final dot; refused
    /// with a scheme, port, path, spaces, non-ASCII letters (an internationalised name
    /// must be typed in its `xn--` form), an IP address, fewer than two labels, a label
    /// that is empty, longer than 63 or starts or ends with a hyphen, or the service's
    /// own `base_domain` or a name under it (those are companies' sub-domains).
    pub fn parse(raw: &str, base_domain: &str) -> Result<Self, Invalid> {
        let bad = |m: &str| Err(Invalid::new("domain", m));
        let value = raw.trim().trim_end_matches('.').to_ascii_lowercase();
        if value.is_empty() {
            return bad("Type a domain such as portal.example.com.");
        }
        if value.contains("://") {
            return bad("Type the domain only, without http:// or https://.");
        }
        if value.contains('/') || value.contains('?') || value.contains('#') {
            return bad("Type the domain only, without a path.");
        }
        if value.contains(':') {
            return bad("Type the domain only, without a port.");
        }
        if !value.is_ascii() {
            return bad(
                "Letters outside a–z are not accepted: type an internationalised domain in its xn-- form.",
            );
        }
        if value.parse::<std::net::IpAddr>().is_ok() {
            return bad("Use a domain name, not an IP address.");
        }
        let labels: Vec<&str> = value.split('.').collect();
        let labels_ok = labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && l.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        });
        if !labels_ok || labels.len() < 2 || value.len() > DOMAIN_MAX {
            return bad(
                "Use a domain such as portal.example.com: letters, digits and hyphens, separated by dots.",
            );
        }
        let base = base_domain
            .trim()
            .trim_end_matches('.')
            .to_ascii_lowercase();
        if value == base || value.ends_with(&format!(".{base}")) {
            return bad(&format!(
                "Names under {base} are the service's own; use a domain of your company."
            ));
        }
        Ok(Self(value))
    }

    /// The domain.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CustomDomain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a request's host names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostTarget {
    /// `{slug}.{base-domain}`: a company by its slug.
    Slug(CompanySlug),
    /// Another domain, which may be a company's registered custom domain.
    Custom(String),
    /// The base domain itself, or an IP address: no company is named.
    Bare,
    /// Nothing usable: empty, malformed, or a sub-domain that cannot be a slug.
    Invalid,
}

/// Decides what `host` (a `Host` header value, port allowed) refers to under `base_domain`.
///
/// Only the host decides; paths and query strings never select a tenant, so no link can
/// carry a visitor from one company to another.
pub fn resolve_host(host: &str, base_domain: &str) -> HostTarget {
    let host = strip_port(host.trim())
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let base = base_domain
        .trim()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    if host.is_empty()
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == ':')
    {
        return HostTarget::Invalid;
    }
    if host == base || host.parse::<std::net::IpAddr>().is_ok() {
        return HostTarget::Bare;
    }
    if let Some(label) = host.strip_suffix(&base).and_then(|p| p.strip_suffix('.')) {
        return match CompanySlug::parse(label) {
            Ok(slug) if !label.contains('.') => HostTarget::Slug(slug),
            _ => HostTarget::Invalid,
        };
    }
    if host.contains(':') || !host.contains('.') {
        return HostTarget::Invalid;
    }
    HostTarget::Custom(host)
}

fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        // An IPv6 literal such as `[::1]:8080`.
        return rest.split(']').next().unwrap_or("");
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::{CompanySlug, HostTarget, resolve_host};

    fn slug(s: &str) -> HostTarget {
        match CompanySlug::parse(s) {
            Ok(slug) => HostTarget::Slug(slug),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn a_subdomain_of_the_base_domain_names_a_company() {
        assert_eq!(
            resolve_host("acme.localhost:8080", "localhost"),
            slug("acme")
        );
        assert_eq!(
            resolve_host("ACME.Portal.Example.com.", "portal.example.com"),
            slug("acme")
        );
    }

    #[test]
    fn the_base_domain_and_ip_addresses_name_no_company() {
        assert_eq!(
            resolve_host("localhost:8080", "localhost"),
            HostTarget::Bare
        );
        assert_eq!(
            resolve_host("127.0.0.1:8080", "localhost"),
            HostTarget::Bare
        );
        assert_eq!(resolve_host("[::1]:8080", "localhost"), HostTarget::Bare);
    }

    #[test]
    fn other_domains_may_be_custom_domains() {
        assert_eq!(
            resolve_host("portal.acmeplumbing.com", "localhost"),
            HostTarget::Custom("portal.acmeplumbing.com".into())
        );
    }

    #[test]
    fn nested_reserved_or_malformed_hosts_are_invalid() {
        for host in [
            "",
            "a.b.localhost",
            "www.localhost",
            "-x.localhost",
            "acme_co.localhost",
            "acme.localhost:80:80",
            "intranet",
            "ac<me>.localhost",
        ] {
            assert_eq!(
                resolve_host(host, "localhost"),
                HostTarget::Invalid,
                "{host:?}"
            );
        }
    }

    #[test]
    fn slugs_are_short_lower_case_words() {
        assert!(CompanySlug::parse("acme").is_ok());
        assert!(CompanySlug::parse("bolt-electric-2").is_ok());
        for raw in ["a", "Acme Co", "-acme", "acme-", "office", &"x".repeat(41)] {
            assert!(CompanySlug::parse(raw).is_err(), "{raw:?} was accepted");
        }
    }
    #[test]
    fn custom_domains_are_plain_lower_case_names_outside_the_base_domain() {
        use super::CustomDomain;
        let ok = |raw: &str| CustomDomain::parse(raw, "portal.example.com").map(|d| d.to_string());
        assert_eq!(
            ok(" Portal.AcmePlumbing.com. ").ok().as_deref(),
            Some("portal.acmeplumbing.com")
        );
        assert_eq!(
            ok("xn--bcher-kva.example").ok().as_deref(),
            Some("xn--bcher-kva.example")
        );
        for bad in [
            "",
            "https://portal.acme.com",
            "portal.acme.com:8443",
            "portal.acme.com/login",
            "bücher.example",
            "localhost",
            "10.0.0.1",
            "-acme.com",
            "acme-.com",
            "acme..com",
            "ac me.com",
            "acme_plumbing.com",
            "portal.example.com",
            "acme.portal.example.com",
        ] {
            assert!(ok(bad).is_err(), "{bad:?} accepted");
        }
        assert!(ok(&format!("{}.com", "a".repeat(64))).is_err());
        assert!(ok(&format!("{}.com", vec!["a".repeat(60); 5].join("."))).is_err());
    }
}
