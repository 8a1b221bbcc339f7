//! The few JSON documents the demo stores (custom fields, form answers, audit details),
//! written by hand: flat string objects and lists need no serializer.

/// `{"k":"v",...}` with every key and value escaped.
pub(crate) fn object(pairs: &[(&str, &str)]) -> String {
    let body: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}:{}", string(k), string(v)))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// A completed form's answers: `[{"label":...,"value":...},...]`.
pub(crate) fn answers(pairs: &[(&str, &str)]) -> String {
    let body: Vec<String> = pairs
        .iter()
        .map(|(label, value)| object(&[("label", label), ("value", value)]))
        .collect();
    format!("[{}]", body.join(","))
}

/// A JSON string literal of `s`.
fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::{answers, object};

    #[test]
    fn strings_are_escaped() {
        assert_eq!(
            object(&[("gate_code", "#4410"), ("note", "say \"hi\"\n")]),
            r##"{"gate_code":"#4410","note":"say \"hi\"\n"}"##
        );
        assert_eq!(object(&[]), "{}");
        assert_eq!(
            answers(&[("Leaks?", "No")]),
            r#"[{"label":"Leaks?","value":"No"}]"#
        );
    }
}
