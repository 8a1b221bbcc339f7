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
}
