//! Control characters: no address, query or form field of ours needs them, and NUL is
//! refused by PostgreSQL (an error there, a stored byte on SQLite). The web layer refuses
//! them at the edge with these rules, so both engines answer the same.

/// C0 control characters and DEL, refused anywhere in a path, a query or a field name.
pub fn is_forbidden_in_line(c: char) -> bool {
    c.is_ascii_control()
}

/// In a form value, tab, CR and LF are allowed (textareas send them); every other C0
/// control character and DEL is refused.
pub fn is_forbidden_in_text(c: char) -> bool {
    c.is_ascii_control() && !matches!(c, '\t' | '\r' | '\n')
}

/// Whether a percent-encoded path holds a control character once decoded. Only `%XX`
/// escapes can carry one: a raw control byte never gets past the HTTP parser.
pub fn encoded_path_has_control(path: &str) -> bool {
    let bytes = path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_control() {
            return true;
        }
        if b == b'%' && i + 2 < bytes.len() {
            let decoded = hex_value(bytes[i + 1]).zip(hex_value(bytes[i + 2]));
            if let Some((hi, lo)) = decoded {
                if (hi << 4 | lo).is_ascii_control() {
                    return true;
                }
                i += 3;
                continue;
            }
        }
        i += 1;
    }
    false
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_escape_and_del_are_controls_in_a_path() {
        for path in ["/a%00b", "/%1b", "/%7F", "/a%0A", "/x%00"] {
            assert!(encoded_path_has_control(path), "{path}");
        }
        for path in [
            "/",
            "/jobs/J-1",
            "/a%20b",
            "/%C3%A9",
            "/100%",
            "/%0",
            "/%zz00",
            "/%2F",
        ] {
            assert!(!encoded_path_has_control(path), "{path}");
        }
    }

    #[test]
    fn text_values_keep_tab_and_line_breaks() {
        for c in ['\t', '\r', '\n', 'a', 'é', ' '] {
            assert!(!is_forbidden_in_text(c), "{c:?}");
        }
        for c in ['\0', '\u{1}', '\u{1b}', '\u{7f}'] {
            assert!(is_forbidden_in_text(c), "{c:?}");
            assert!(is_forbidden_in_line(c), "{c:?}");
        }
        assert!(is_forbidden_in_line('\t'));
        assert!(is_forbidden_in_line('\n'));
    }
}
