//! Email wording: the default subject and text of every kind, and rendering of a
//! template (the default or the company's own) into a subject, a text body and an HTML
//! alternative.
//!
//! Placeholders are written `{{name}}`. Values are inserted as given into the text body,
//! HTML-escaped into the HTML body, and flattened to one line in the subject, so neither a
//! name nor a company's own template can inject markup or a header.

mod defaults;

use std::fmt;

/// One kind of email Doorstep sends; each has a default template a company may replace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EmailKind {
    /// A contact is invited to the portal.
    Invitation,
    /// A forgotten-password link.
    PasswordReset,
    /// A passwordless sign-in link.
    SignInLink,
    /// Confirmation of a (changed) email address.
    VerifyEmail,
    /// First password of a new staff member.
    StaffSetup,
    /// The office's copy of a new portal request.
    RequestReceivedCompany,
    /// The customer's confirmation of a portal request.
    RequestReceivedCustomer,
    /// A request was declined, with the reason.
    RequestDeclined,
    /// An estimate was sent to the customer.
    EstimateSent,
    /// An invoice is available in the portal.
    InvoiceAvailable,
    /// A payment was received.
    PaymentReceipt,
    /// A visit is coming up.
    VisitReminder,
    /// The office answered a support request.
    SupportReply,
    /// The office's notice that a customer approved an estimate.
    EstimateApproved,
    /// The office's notice that a customer declined an estimate.
    EstimateDeclined,
    /// The office's notice that a customer asked for changes to an estimate.
    EstimateChangesRequested,
    /// The office's notice that a customer opened or wrote on a support request.
    SupportCustomerWrote,
    /// The office's notice that a customer moved (or asked to move) a visit.
    VisitRescheduled,
    /// The office's notice that a customer cancelled a visit.
    VisitCancelled,
    /// The customer's notice that the office proposes another time for a request.
    TimeProposed,
    /// The office's notice that a customer accepted or declined a proposed time.
    ProposalAnswered,
    /// A locked contact gave the right password: whom to call to have access restored.
    AccessLocked,
    /// The customer's notice that the office accepted a request (it became a job or an
    /// estimate).
    RequestAccepted,
    /// The customer's notice that the crew is on the way.
    JobOnTheWay,
    /// The customer's notice that a job is completed.
    JobCompleted,
    /// The customer's notice that the office refunded (part of) a payment.
    PaymentRefunded,
    /// The customer's notice that an autopay charge was declined.
    AutopayFailed,
    /// The customer's confirmation that they moved (or asked to move) a visit themselves.
    VisitRescheduledCustomer,
    /// The customer's confirmation that they cancelled a visit themselves.
    VisitCancelledCustomer,
}

impl EmailKind {
    /// Every kind, in the order the office lists them.
    pub const ALL: [EmailKind; 29] = [
        EmailKind::Invitation,
        EmailKind::PasswordReset,
        EmailKind::SignInLink,
        EmailKind::VerifyEmail,
        EmailKind::StaffSetup,
        EmailKind::RequestReceivedCompany,
        EmailKind::RequestReceivedCustomer,
        EmailKind::RequestDeclined,
        EmailKind::EstimateSent,
        EmailKind::InvoiceAvailable,
        EmailKind::PaymentReceipt,
        EmailKind::VisitReminder,
        EmailKind::SupportReply,
        EmailKind::EstimateApproved,
        EmailKind::EstimateDeclined,
        EmailKind::EstimateChangesRequested,
        EmailKind::SupportCustomerWrote,
        EmailKind::VisitRescheduled,
        EmailKind::VisitCancelled,
        EmailKind::TimeProposed,
        EmailKind::ProposalAnswered,
        EmailKind::AccessLocked,
        EmailKind::RequestAccepted,
        EmailKind::JobOnTheWay,
        EmailKind::JobCompleted,
        EmailKind::PaymentRefunded,
        EmailKind::AutopayFailed,
        EmailKind::VisitRescheduledCustomer,
        EmailKind::VisitCancelledCustomer,
    ];

    /// The name stored in the outbox and in `email_templates.kind`.
    pub fn as_str(self) -> &'static str {
        self.template().kind
    }

    /// The kind named `s`, if there is one.
    pub fn parse(s: &str) -> Option<EmailKind> {
        EmailKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A short English label for the office's template list.
    pub fn label(self) -> &'static str {
        self.template().label
    }

    /// The subject used until the company writes its own.
    pub fn default_subject(self) -> &'static str {
        self.template().subject
    }

    /// The text body used until the company writes its own.
    pub fn default_body(self) -> &'static str {
        self.template().body
    }

    /// The placeholders the sender fills for this kind, for the editor's help text.
    pub fn placeholders(self) -> &'static [&'static str] {
        self.template().placeholders
    }

    fn template(self) -> &'static defaults::Template {
        defaults::template(self)
    }
}

impl fmt::Display for EmailKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rendered email, ready for [`doorstep_store::outbox::NewEmail`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// One line, with no control characters.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML alternative: the text with values escaped, paragraphs and links marked up.
    pub html: String,
}

/// Renders `kind` from the company's own `(subject, body)` when it has one, else from the
/// default, filling `{{name}}` placeholders from `values`; unknown ones stay visible.
pub fn render(
    kind: EmailKind,
    company_override: Option<(&str, &str)>,
    values: &[(&str, &str)],
) -> Rendered {
    let (subject_template, body_template) = match company_override {
        Some((s, b)) if !s.trim().is_empty() && !b.trim().is_empty() => (s, b),
        _ => (kind.default_subject(), kind.default_body()),
    };

    let mut subject = String::new();
    substitute(subject_template, values, |piece| {
        subject.push_str(piece.text())
    });
    let subject = single_line(&subject);

    let body_template = normalize_newlines(body_template);
    // Names are one line by nature; other values (a reason, a reply) keep their lines.
    let values: Vec<(&str, String)> = values
        .iter()
        .map(|(k, v)| {
            let v = if is_name(k) {
                single_line(v)
            } else {
                normalize_newlines(v)
            };
            (*k, v)
        })
        .collect();
    let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let mut text = String::new();
    let mut inner_html = String::new();
    substitute(&body_template, &values, |piece| {
        text.push_str(piece.text());
        match piece {
            Piece::Literal(s) => push_escaped_words(&mut inner_html, s, true),
            Piece::Value { key, value } => push_escaped_words(&mut inner_html, value, is_link(key)),
        }
    });

    let mut html = String::from(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>",
    );
    push_escaped(&mut html, &subject);
    html.push_str(
        "</title></head>\n<body style=\"font-family: -apple-system, 'Segoe UI', Roboto, \
         sans-serif; font-size: 16px; line-height: 1.5; color: #1f2933;\">\n",
    );
    push_paragraphs(&mut html, &inner_html);
    html.push_str("</body></html>\n");

    Rendered {
        subject,
        text,
        html,
    }
}

/// The company's brand drawn at the top of an email: its name on its brand colour, in its
/// text colour. Colours that are not `#rrggbb` fall back to the defaults, so nothing stored
/// can inject a style.
pub fn with_brand_header(html: &str, name: &str, colour: &str, text: &str) -> String {
    use doorstep_core::theme::HexColour;
    let colour = HexColour::parse(colour).or_else(|_| HexColour::parse("#0b5cad"));
    let Ok(colour) = colour else {
        return html.to_owned();
    };
    let text = HexColour::parse(text)
        .map(|t| t.as_str().to_owned())
        .unwrap_or_else(|_| colour.readable_text().to_owned());
    let mut header = format!(
        "<div style=\"background: {}; color: {}; padding: 12px 16px; font-size: 18px; \
         font-weight: 600;\" data-brand-header>",
        colour.as_str(),
        text
    );
    push_escaped(&mut header, &single_line(name));
    header.push_str("</div>\n");
    match html
        .find("<body")
        .and_then(|at| html[at..].find('>').map(|end| at + end + 1))
    {
        Some(end) => {
            let end = if html[end..].starts_with('\n') {
                end + 1
            } else {
                end
            };
            format!("{}{}{}", &html[..end], header, &html[end..])
        }
        None => html.to_owned(),
    }
}

/// Flattens `s` to one line: every control character (CR and LF among them) and Unicode
/// line or paragraph separator becomes a space, runs of spaces collapse, ends are trimmed.
pub fn single_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = true;
    for c in s.chars() {
        let c = if c.is_control() || c.is_whitespace() {
            ' '
        } else {
            c
        };
        if c == ' ' {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

enum Piece<'a> {
    Literal(&'a str),
    Value { key: &'a str, value: &'a str },
}

impl Piece<'_> {
    fn text(&self) -> &str {
        match self {
            Piece::Literal(s) => s,
            Piece::Value { value, .. } => value,
        }
    }
}

/// Walks `template`, handing literal text and placeholder values to `emit` in order.
/// Longest subject a company may save, in characters.
pub const MAX_SUBJECT: usize = 200;
/// Longest body a company may save, in characters.
pub const MAX_BODY: usize = 10_000;

/// What is wrong with a company's wording of `kind`, as (field, message) pairs: empty or
/// too long, a placeholder `kind` does not fill (a typo would be mailed as written), or
/// the link missing from an email whose point is its link.
pub fn check_template(kind: EmailKind, subject: &str, body: &str) -> Vec<(&'static str, String)> {
    let mut problems = Vec::new();
    if subject.trim().is_empty() {
        problems.push(("subject", "Enter a subject.".to_owned()));
    } else if subject.chars().count() > MAX_SUBJECT {
        problems.push((
            "subject",
            format!("Keep the subject under {MAX_SUBJECT} characters."),
        ));
    }
    if body.trim().is_empty() {
        problems.push(("body", "Enter the text of the email.".to_owned()));
    } else if body.chars().count() > MAX_BODY {
        problems.push((
            "body",
            format!("Keep the text under {MAX_BODY} characters."),
        ));
    }
    for (field, text) in [("subject", subject), ("body", body)] {
        let unknown: Vec<String> = placeholders_in(text)
            .into_iter()
            .filter(|p| !kind.placeholders().contains(&p.as_str()))
            .map(|p| format!("{{{{{p}}}}}"))
            .collect();
        if !unknown.is_empty() {
            problems.push((
                field,
                format!(
                    "This email has no {}; use only the placeholders listed.",
                    unknown.join(", ")
                ),
            ));
        }
    }
    if kind.placeholders().contains(&"link") && !placeholders_in(body).iter().any(|p| p == "link") {
        problems.push((
            "body",
            "Keep {{link}} in the text: without it the recipient cannot act on this email."
                .to_owned(),
        ));
    }
    problems
}

/// The placeholder names written in `text`, in order.
fn placeholders_in(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else {
            break;
        };
        names.push(rest[start + 2..start + 2 + len].trim().to_owned());
        rest = &rest[start + 2 + len + 2..];
    }
    names
}

fn substitute<'a>(
    template: &'a str,
    values: &[(&'a str, &'a str)],
    mut emit: impl FnMut(Piece<'a>),
) {
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else {
            break;
        };
        let key = rest[start + 2..start + 2 + len].trim();
        let end = start + 2 + len + 2;
        match values.iter().find(|(k, _)| *k == key) {
            Some((key, value)) => {
                let mut before = &rest[..start];
                // An empty value before punctuation takes its space with it, so a
                // nameless greeting reads "Hello," rather than "Hello ,".
                if value.trim().is_empty()
                    && rest[end..].starts_with([',', '.', '!', '?', ';', ':'])
                {
                    before = before.trim_end_matches([' ', '\t']);
                }
                emit(Piece::Literal(before));
                emit(Piece::Value { key, value });
            }
            // Unknown placeholders stay as written, so a typo shows in the preview.
            None => emit(Piece::Literal(&rest[..end])),
        }
        rest = &rest[end..];
    }
    emit(Piece::Literal(rest));
}

fn normalize_newlines(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

fn is_name(key: &str) -> bool {
    key == "name" || key.ends_with("_name")
}

/// Placeholders whose value is a URL the recipient should click.
fn is_link(key: &str) -> bool {
    key == "link" || key.ends_with("_link") || key.ends_with("_url")
}

fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// Escapes `s` into `out`, turning whole words that are http(s) URLs into links when
/// `linkify` is set. Newlines pass through for [`push_paragraphs`].
fn push_escaped_words(out: &mut String, s: &str, linkify: bool) {
    let mut word_start = None;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            if let Some(start) = word_start.take() {
                push_word(out, &s[start..i], linkify);
            }
            out.push(c);
        } else if word_start.is_none() {
            word_start = Some(i);
        }
    }
    if let Some(start) = word_start {
        push_word(out, &s[start..], linkify);
    }
}

fn push_word(out: &mut String, word: &str, linkify: bool) {
    let is_url = word.starts_with("https://") || word.starts_with("http://");
    if !(linkify && is_url) {
        push_escaped(out, word);
        return;
    }
    // Sentence punctuation after a URL is not part of it.
    let url = word.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '"']);
    if url.ends_with("//") {
        push_escaped(out, word);
        return;
    }
    out.push_str("<a href=\"");
    push_escaped(out, url);
    out.push_str("\">");
    push_escaped(out, url);
    out.push_str("</a>");
    push_escaped(out, &word[url.len()..]);
}

/// Wraps blank-line-separated blocks of already escaped `inner` in `<p>`, with `<br>`
/// between the lines of a block.
fn push_paragraphs(out: &mut String, inner: &str) {
    let mut open = false;
    for line in inner.split('\n') {
        let line = line.trim_end();
        if line.trim().is_empty() {
            if open {
                out.push_str("</p>\n");
                open = false;
            }
            continue;
        }
        if open {
            out.push_str("<br>\n");
        } else {
            out.push_str("<p>");
            open = true;
        }
        out.push_str(line);
    }
    if open {
        out.push_str("</p>\n");
    }
}

#[cfg(test)]
mod tests;
