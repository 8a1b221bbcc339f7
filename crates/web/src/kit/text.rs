//! Text in pages: identifiers, dates and phone numbers kept whole on one line.
//!
//! Browsers may break a line after any hyphen, so "J-1075" could read "J-" / "1075" and
//! "2026-12-06" split over two lines; no CSS property forbids it. `keep_whole` escapes a
//! text for HTML and wraps every short word with a hyphen before a digit in
//! `<span class="nowrap">`, so the text reads the same and copies the same, but such a
//! word is never split. Use it as `{{ crate::kit::text::keep_whole(x)|safe }}`.

/// Words longer than this may still wrap (a URL must, on a phone).
const LONGEST_KEPT: usize = 24;

/// `text` escaped for HTML, with each identifier, date or phone number in a nowrap span.
pub fn keep_whole(text: impl AsRef<str>) -> String {
    let text = text.as_ref();
    let mut out = String::with_capacity(text.len() + 16);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        let keep = word.chars().count() <= LONGEST_KEPT
            && word
                .as_bytes()
                .windows(2)
                .any(|w| w[0] == b'-' && w[1].is_ascii_digit());
        if keep {
            out.push_str("<span class=\"nowrap\">");
        }
        escape_into(word, out);
        if keep {
            out.push_str("</span>");
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::keep_whole;

    #[test]
    fn identifiers_dates_and_phone_numbers_are_kept_whole() {
        assert_eq!(
            keep_whole("Job J-1075 on 2026-12-06, call (555) 010-3344."),
            "Job <span class=\"nowrap\">J-1075</span> on <span class=\"nowrap\">2026-12-06,</span> \
             call (555) <span class=\"nowrap\">010-3344.</span>"
        );
    }

    #[test]
    fn compounds_long_words_and_whitespace_are_left_as_they_are() {
        assert_eq!(keep_whole("a tune-up\n\n  done"), "a tune-up\n\n  done");
        let url = "http://acme.localhost:8080/office/support/S-1002";
        assert_eq!(keep_whole(url), url);
    }

    #[test]
    fn markup_in_the_text_is_escaped() {
        assert_eq!(
            keep_whole("<b>R-1</b> & \"x\" 'y'"),
            "<span class=\"nowrap\">&lt;b&gt;R-1&lt;/b&gt;</span> &amp; &quot;x&quot; &#x27;y&#x27;"
        );
    }
}
