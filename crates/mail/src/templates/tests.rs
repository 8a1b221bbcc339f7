use super::*;

const VALUES: &[(&str, &str)] = &[
    ("company_name", "Acme Plumbing & Heating"),
    ("contact_name", "Dana Smith"),
    ("link", "https://acme.example/invite/abc?x=1&y=2"),
    ("expires", "in 7 days"),
];

#[test]
fn every_kind_round_trips_through_its_name_and_has_a_default() {
    for kind in EmailKind::ALL {
        assert_eq!(EmailKind::parse(kind.as_str()), Some(kind));
        assert!(!kind.default_subject().is_empty());
        assert!(
            kind.default_body().contains("{{"),
            "{kind} has no placeholder"
        );
        for placeholder in kind.placeholders() {
            let used = kind
                .default_body()
                .contains(&format!("{{{{{placeholder}}}}}"))
                || kind
                    .default_subject()
                    .contains(&format!("{{{{{placeholder}}}}}"));
            assert!(
                used || *placeholder == "company_name",
                "{kind}: {placeholder} unused"
            );
        }
    }
    assert_eq!(EmailKind::parse("nonsense"), None);
}

#[test]
fn placeholders_are_filled_in_subject_text_and_html() {
    let r = render(EmailKind::Invitation, None, VALUES);
    assert_eq!(
        r.subject,
        "You're invited to the Acme Plumbing & Heating customer portal"
    );
    assert!(
        r.text
            .starts_with("Hello Dana Smith,\n\nAcme Plumbing & Heating has invited you")
    );
    assert!(r.text.contains("https://acme.example/invite/abc?x=1&y=2\n"));
    assert!(r.text.contains("expires in 7 days."));
    assert!(!r.text.contains("{{"));
    assert!(r.html.contains("<p>Hello Dana Smith,</p>"));
    assert!(
        r.html
            .contains("Acme Plumbing &amp; Heating has invited you")
    );
    assert!(r.html.contains(
        "<a href=\"https://acme.example/invite/abc?x=1&amp;y=2\">https://acme.example/invite/abc?x=1&amp;y=2</a>"
    ));
}

#[test]
fn unknown_placeholders_are_left_visible() {
    let r = render(
        EmailKind::Invitation,
        Some((
            "Hi {{ contact_name }} {{nickname}}",
            "Dear {{nickname}}, {{unclosed",
        )),
        VALUES,
    );
    assert_eq!(r.subject, "Hi Dana Smith {{nickname}}");
    assert_eq!(r.text, "Dear {{nickname}}, {{unclosed");
}

#[test]
fn a_company_override_replaces_the_default_but_a_blank_one_does_not() {
    let own = render(
        EmailKind::PasswordReset,
        Some(("Reset at {{company_name}}", "Click {{link}}")),
        VALUES,
    );
    assert_eq!(own.subject, "Reset at Acme Plumbing & Heating");
    assert_eq!(own.text, "Click https://acme.example/invite/abc?x=1&y=2");
    let blank = render(EmailKind::PasswordReset, Some(("  ", "")), VALUES);
    assert_eq!(
        blank.subject,
        "Reset your Acme Plumbing & Heating portal password"
    );
}

#[test]
fn crlf_in_a_value_cannot_make_a_header_line_in_the_subject() {
    let values = [
        ("contact_name", "Eve\r\nBcc: evil@x.test"),
        (
            "support_subject",
            "Help\r\n\r\nX-Injected: 1\u{2028}\u{85}more",
        ),
    ];
    let r = render(
        EmailKind::SupportReply,
        Some((
            "Hi {{contact_name}} {{support_subject}}",
            "{{contact_name}}",
        )),
        &values,
    );
    assert!(!r.subject.contains(['\r', '\n', '\u{2028}', '\u{85}']));
    assert_eq!(r.subject, "Hi Eve Bcc: evil@x.test Help X-Injected: 1 more");
    // A name stays on one line in the body too; other values keep their (normalised) lines,
    // which is harmless there: the body comes after the headers.
    assert_eq!(r.text, "Eve Bcc: evil@x.test");
    let r = render(
        EmailKind::SupportReply,
        Some(("s", "{{reply}}")),
        &[("reply", "a\r\nb")],
    );
    assert_eq!(r.text, "a\nb");
}

#[test]
fn a_script_in_a_name_is_escaped_in_the_html_body() {
    let values = [
        ("contact_name", "<script>alert('x')</script>"),
        ("company_name", "\"><img src=x onerror=alert(1)>"),
        ("link", "javascript:alert(1)"),
    ];
    let r = render(EmailKind::Invitation, None, &values);
    assert!(!r.html.contains("<script>"));
    assert!(!r.html.contains("<img"));
    assert!(
        r.html
            .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
    );
    assert!(
        r.html
            .contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;")
    );
    // Only http(s) URLs become links.
    assert!(!r.html.contains("href=\"javascript"));
    // The text body carries values as they are: it is not HTML.
    assert!(r.text.contains("<script>alert('x')</script>"));
}

#[test]
fn urls_in_ordinary_values_are_not_turned_into_links() {
    let values = [
        ("contact_name", "https://evil.example"),
        ("link", "https://ok.example/a."),
    ];
    let r = render(
        EmailKind::SignInLink,
        Some(("s", "{{contact_name}} {{link}}")),
        &values,
    );
    assert!(!r.html.contains("href=\"https://evil.example"));
    assert!(
        r.html
            .contains("<a href=\"https://ok.example/a\">https://ok.example/a</a>.")
    );
}

#[test]
fn paragraphs_and_line_breaks_become_markup() {
    let r = render(
        EmailKind::SignInLink,
        Some(("s", "one\r\ntwo\n\n\nthree {{reply}}")),
        &[("reply", "four\n\nfive")],
    );
    assert!(
        r.html
            .contains("<p>one<br>\ntwo</p>\n<p>three four</p>\n<p>five</p>\n")
    );
    assert_eq!(r.text, "one\ntwo\n\n\nthree four\n\nfive");
}

#[test]
fn single_line_collapses_controls_and_trims() {
    assert_eq!(single_line("  a\t\r\n b\u{0}c  "), "a b c");
    assert_eq!(single_line(""), "");
}

#[test]
fn a_company_wording_is_checked_for_typos_and_its_link() {
    use crate::templates::check_template;
    let kind = EmailKind::Invitation;
    assert!(check_template(kind, kind.default_subject(), kind.default_body()).is_empty());
    let typo = check_template(kind, "Hi {{contact_nme}}", "Open {{link}}");
    assert_eq!(typo.len(), 1);
    assert_eq!(typo[0].0, "subject");
    assert!(typo[0].1.contains("{{contact_nme}}"), "{typo:?}");
    let no_link = check_template(kind, "Welcome", "Come and see us.");
    assert_eq!(
        no_link,
        vec![(
            "body",
            "Keep {{link}} in the text: without it the recipient cannot act on this email."
                .to_owned()
        )]
    );
    let empty = check_template(kind, " ", "");
    assert_eq!(
        empty.iter().map(|p| p.0).collect::<Vec<_>>(),
        ["subject", "body", "body"]
    );
}

#[test]
fn a_missing_name_greets_hello_comma_not_hello_space_comma() {
    for kind in [
        EmailKind::PasswordReset,
        EmailKind::SignInLink,
        EmailKind::Invitation,
    ] {
        let values = [
            ("company_name", "Acme"),
            ("contact_name", " "),
            ("link", "https://acme.example/x"),
            ("expires", "in 1 hour"),
        ];
        let r = render(kind, None, &values);
        assert!(r.text.starts_with("Hello,\n"), "{kind}: {}", r.text);
        assert!(!r.html.contains("Hello ,"), "{kind}");
    }
    let own = render(
        EmailKind::PasswordReset,
        Some((
            "Reset",
            "Hi {{contact_name}}! Open {{link}} {{contact_name}}\nBye",
        )),
        &[("contact_name", ""), ("link", "https://a.example/x")],
    );
    assert_eq!(own.text, "Hi! Open https://a.example/x \nBye");
}

#[test]
fn the_brand_header_is_drawn_in_the_company_colours_and_escaped() {
    let rendered = render(EmailKind::SupportReply, None, &[("company_name", "Acme")]);
    let html = with_brand_header(&rendered.html, "A & B <Sons>", "#5B2A86", "#ffd23f");
    assert!(
        html.contains("background: #5b2a86; color: #ffd23f;"),
        "{html}"
    );
    assert!(html.contains("A &amp; B &lt;Sons&gt;</div>"), "{html}");
    let body = html.find("<body").unwrap_or(usize::MAX);
    assert!(html.find("data-brand-header").is_some_and(|at| at > body));
    // Nothing stored can inject a style: a bad colour falls back, a bad text colour is chosen.
    let html = with_brand_header(&rendered.html, "Acme", "red;}", "x");
    assert!(
        html.contains("background: #0b5cad; color: #ffffff;"),
        "{html}"
    );
}
