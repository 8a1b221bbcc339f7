//! Breaking text into lines that fit a width, measured with the font's real metrics.

use crate::font::{Face, encode};

/// Splits `text` into encoded lines no wider than `width` points at `size`. Line breaks in the
/// text start new lines (an empty paragraph stays as an empty line); lines break between words,
/// and a word wider than the whole width is cut between characters, so no word is ever lost.
pub(crate) fn wrap(text: &str, face: Face, size: f32, width: f32) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let encoded = encode(paragraph);
        let before = lines.len();
        wrap_paragraph(&encoded, face, size, width, &mut lines);
        if lines.len() == before {
            lines.push(Vec::new());
        }
    }
    lines
}

fn wrap_paragraph(text: &[u8], face: Face, size: f32, width: f32, lines: &mut Vec<Vec<u8>>) {
    let space = face.width(b" ", size);
    let mut line: Vec<u8> = Vec::new();
    let mut line_width = 0.0;
    for word in text.split(|&b| b == b' ').filter(|w| !w.is_empty()) {
        let word_width = face.width(word, size);
        if !line.is_empty() && line_width + space + word_width <= width {
            line.push(b' ');
            line.extend_from_slice(word);
            line_width += space + word_width;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if word_width <= width {
            line.extend_from_slice(word);
            line_width = word_width;
            continue;
        }
        // A word longer than the line (a URL, a reference number): cut it where it must be.
        line_width = 0.0;
        for &byte in word {
            let w = face.width(&[byte], size);
            if !line.is_empty() && line_width + w > width {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            line.push(byte);
            line_width += w;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(lines: &[Vec<u8>]) -> Vec<String> {
        lines
            .iter()
            .flat_map(|l| {
                String::from_utf8_lossy(l)
                    .split(' ')
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .filter(|w| !w.is_empty())
            .collect()
    }

    #[test]
    fn lines_fit_the_width_and_keep_every_word_in_order() {
        let text = "Replace the kitchen mixer tap, flush the supply lines and check the \
                    isolation valves under the sink for slow leaks before leaving";
        let lines = wrap(text, Face::Regular, 9.0, 120.0);
        assert!(lines.len() > 3, "{lines:?}");
        for line in &lines {
            assert!(Face::Regular.width(line, 9.0) <= 120.0, "{line:?}");
        }
        let expected: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
        assert_eq!(words(&lines), expected);
    }

    #[test]
    fn a_word_wider_than_the_line_is_cut_without_losing_characters() {
        let long = "https://example.com/a/very/long/path/that/cannot/possibly/fit/on/one/line";
        let lines = wrap(long, Face::Bold, 10.0, 60.0);
        assert!(lines.len() > 2);
        assert_eq!(lines.concat(), long.as_bytes());
        for line in &lines {
            assert!(Face::Bold.width(line, 10.0) <= 60.0);
        }
    }

    #[test]
    fn line_breaks_start_new_lines_and_empty_paragraphs_remain() {
        let lines = wrap("First\n\nThird", Face::Regular, 9.0, 500.0);
        assert_eq!(
            lines,
            vec![b"First".to_vec(), Vec::new(), b"Third".to_vec()]
        );
        assert_eq!(wrap("", Face::Regular, 9.0, 500.0), vec![Vec::<u8>::new()]);
    }

    #[test]
    fn a_zero_width_still_terminates_with_one_character_per_line() {
        let lines = wrap("abc", Face::Regular, 9.0, 0.0);
        assert_eq!(lines, vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
    }
}
