//! The second factor as pages show it: the `otpauth://` address authenticator apps read
//! and its QR code. The codes themselves and every change to a factor are the application
//! layer's (`doorstep_app::credentials`).

pub use doorstep_app::credentials::totp::{STEP, code_at};

/// The `otpauth://` address authenticator apps read from the QR code.
pub fn otpauth_url(issuer: &str, account: &str, secret: &str) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let label = format!("{issuer}:{account}");
    format!(
        "otpauth://totp/{}?secret={secret}&issuer={}&algorithm=SHA1&digits=6&period={STEP}",
        enc(&label).replace('+', "%20"),
        enc(issuer).replace('+', "%20"),
    )
}

/// The QR code of `text` as an SVG element to place in a page.
pub fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .build();
            // The XML declaration is for standalone files, not for HTML.
            match svg.find("<svg") {
                Some(i) => svg[i..].to_owned(),
                None => svg,
            }
        }
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_otpauth_address_names_issuer_and_account() {
        let url = otpauth_url("Acme Plumbing & Heating", "dana@example.test", "ABC");
        assert!(url.starts_with("otpauth://totp/Acme%20Plumbing%20%26%20Heating%3Adana%40example.test?secret=ABC&issuer=Acme%20Plumbing%20%26%20Heating"), "{url}");
        let svg = qr_svg(&url);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
}
