//! The public addresses emails link to.

/// How a company's portal is reached from outside.
#[derive(Debug, Clone)]
pub struct Links {
    /// Companies live at `{slug}.{base_domain}`.
    pub base_domain: String,
    /// The port the public URLs carry, when not the scheme's default (e.g. `8080`).
    pub public_port: Option<u16>,
    /// Whether public URLs use https.
    pub https: bool,
    /// The company served on the bare base domain (`--single-company`): its links name
    /// that host, the one the deployment serves, not `{slug}.{base_domain}`.
    pub single_company: Option<String>,
}

impl Links {
    /// The public base URL of a company's portal, e.g. `http://acme.localhost:8080`.
    pub fn portal_url(&self, slug: &str) -> String {
        let scheme = if self.https { "https" } else { "http" };
        let port = match (self.public_port, self.https) {
            (Some(443), true) | (Some(80), false) | (None, _) => String::new(),
            (Some(p), _) => format!(":{p}"),
        };
        if self.single_company.as_deref() == Some(slug) {
            return format!("{scheme}://{}{port}", self.base_domain);
        }
        format!("{scheme}://{slug}.{}{port}", self.base_domain)
    }

    /// `path` under a company's portal; `path` starts with `/`.
    pub fn portal(&self, slug: &str, path: &str) -> String {
        format!("{}{path}", self.portal_url(slug))
    }
}

/// Percent-encodes one path segment (numbers are the company's own and may hold anything),
/// so a record number can never change a link's path.
pub fn path_segment(segment: &str) -> String {
    form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[cfg(test)]
mod tests {
    use super::{Links, path_segment};

    #[test]
    fn portal_urls_carry_the_port_only_when_it_is_not_the_default() {
        let mut links = Links {
            base_domain: "localhost".into(),
            public_port: Some(8080),
            https: false,
            single_company: None,
        };
        assert_eq!(links.portal_url("acme"), "http://acme.localhost:8080");
        links.public_port = Some(80);
        assert_eq!(
            links.portal("acme", "/support/S-1"),
            "http://acme.localhost/support/S-1"
        );
        links.https = true;
        links.public_port = Some(443);
        assert_eq!(links.portal_url("acme"), "https://acme.localhost");
        links.single_company = Some("acme".into());
        assert_eq!(
            links.portal("acme", "/invite/t"),
            "https://localhost/invite/t"
        );
        assert_eq!(links.portal_url("bolt"), "https://bolt.localhost");
    }

    #[test]
    fn a_path_segment_cannot_leave_its_place() {
        assert_eq!(path_segment("S-1042"), "S-1042");
        assert_eq!(path_segment("../x y?#"), "..%2Fx%20y%3F%23");
    }
}
