//! The two faces we print with — the standard Helvetica and Helvetica-Bold that every PDF
//! reader carries, so no font file is embedded — their WinAnsi encoding, and their widths
//! from Adobe's AFM metrics (so wrapping measures what the reader will draw).

use std::collections::HashMap;
use std::sync::OnceLock;

/// A face of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    Regular,
    Bold,
}

impl Face {
    /// The PostScript name of the standard font.
    pub(crate) fn base_font(self) -> &'static [u8] {
        match self {
            Face::Regular => b"Helvetica",
            Face::Bold => b"Helvetica-Bold",
        }
    }

    /// The resource name the content streams use for it.
    pub(crate) fn resource(self) -> &'static [u8] {
        match self {
            Face::Regular => b"F1",
            Face::Bold => b"F2",
        }
    }

    /// Widths (thousandths of the size) of codes 0..=255; 0 for codes WinAnsi leaves undefined.
    pub(crate) fn widths(self) -> &'static [u16; 256] {
        static REGULAR: OnceLock<[u16; 256]> = OnceLock::new();
        static BOLD: OnceLock<[u16; 256]> = OnceLock::new();
        match self {
            Face::Regular => {
                REGULAR.get_or_init(|| widths_from_afm(pdf_core_14_font_afms::HELVETICA))
            }
            Face::Bold => {
                BOLD.get_or_init(|| widths_from_afm(pdf_core_14_font_afms::HELVETICA_BOLD))
            }
        }
    }

    /// Width in points of already encoded text at `size`.
    pub(crate) fn width(self, text: &[u8], size: f32) -> f32 {
        let widths = self.widths();
        let units: u32 = text
            .iter()
            .map(|&b| u32::from(widths[usize::from(b)]))
            .sum();
        units as f32 * size / 1000.0
    }
}

/// The code a character takes in WinAnsiEncoding; `None` when the encoding has no glyph for
/// it. Latin-1 maps to itself; 0x80..=0x9F hold the euro sign, typographic quotes and dashes.
pub(crate) fn win_ansi(c: char) -> Option<u8> {
    let code = u32::from(c);
    if (0x20..=0x7E).contains(&code) || (0xA0..=0xFF).contains(&code) {
        return u8::try_from(code).ok();
    }
    let byte = match c {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    };
    Some(byte)
}

/// Encodes one line of text: tabs become spaces, other control characters are dropped, and a
/// character the font cannot show becomes '?', so any input gives a valid, readable string.
pub(crate) fn encode(text: &str) -> Vec<u8> {
    text.chars()
        .filter_map(|c| match c {
            '\t' => Some(b' '),
            c if c.is_control() => None,
            c => Some(win_ansi(c).unwrap_or(b'?')),
        })
        .collect()
}

/// Glyph names of WinAnsiEncoding codes 0x20..=0xFF (ISO 32000-1, annex D.2); "" where the
/// encoding defines no character.
#[rustfmt::skip]
const WIN_ANSI_NAMES: [&str; 224] = [
    // 0x20
    "space", "exclam", "quotedbl", "numbersign", "dollar", "percent", "ampersand", "quotesingle",
    "parenleft", "parenright", "asterisk", "plus", "comma", "hyphen", "period", "slash",
    // 0x30
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "colon",
    "semicolon", "less", "equal", "greater", "question",
    // 0x40
    "at", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O",
    // 0x50
    "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "bracketleft", "backslash",
    "bracketright", "asciicircum", "underscore",
    // 0x60
    "grave", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
    // 0x70
    "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "braceleft", "bar", "braceright",
    "asciitilde", "",
    // 0x80
    "Euro", "", "quotesinglbase", "florin", "quotedblbase", "ellipsis", "dagger", "daggerdbl",
    "circumflex", "perthousand", "Scaron", "guilsinglleft", "OE", "", "Zcaron", "",
    // 0x90
    "", "quoteleft", "quoteright", "quotedblleft", "quotedblright", "bullet", "endash", "emdash",
    "tilde", "trademark", "scaron", "guilsinglright", "oe", "", "zcaron", "Ydieresis",
    // 0xA0
    "space", "exclamdown", "cent", "sterling", "currency", "yen", "brokenbar", "section",
    "dieresis", "copyright", "ordfeminine", "guillemotleft", "logicalnot", "hyphen", "registered",
    "macron",
    // 0xB0
    "degree", "plusminus", "twosuperior", "threesuperior", "acute", "mu", "paragraph",
    "periodcentered", "cedilla", "onesuperior", "ordmasculine", "guillemotright", "onequarter",
    "onehalf", "threequarters", "questiondown",
    // 0xC0
    "Agrave", "Aacute", "Acircumflex", "Atilde", "Adieresis", "Aring", "AE", "Ccedilla", "Egrave",
    "Eacute", "Ecircumflex", "Edieresis", "Igrave", "Iacute", "Icircumflex", "Idieresis",
    // 0xD0
    "Eth", "Ntilde", "Ograve", "Oacute", "Ocircumflex", "Otilde", "Odieresis", "multiply",
    "Oslash", "Ugrave", "Uacute", "Ucircumflex", "Udieresis", "Yacute", "Thorn", "germandbls",
    // 0xE0
    "agrave", "aacute", "acircumflex", "atilde", "adieresis", "aring", "ae", "ccedilla", "egrave",
    "eacute", "ecircumflex", "edieresis", "igrave", "iacute", "icircumflex", "idieresis",
    // 0xF0
    "eth", "ntilde", "ograve", "oacute", "ocircumflex", "otilde", "odieresis", "divide", "oslash",
    "ugrave", "uacute", "ucircumflex", "udieresis", "yacute", "thorn", "ydieresis",
];

/// The advance width of every glyph an AFM file lists, by glyph name.
fn glyph_widths(afm: &str) -> HashMap<&str, u16> {
    let mut widths = HashMap::new();
    for line in afm.lines().filter(|l| l.starts_with("C ")) {
        let mut width = None;
        let mut name = None;
        for field in line.split(';').map(str::trim) {
            if let Some(w) = field.strip_prefix("WX ") {
                width = w.trim().parse::<u16>().ok();
            } else if let Some(n) = field.strip_prefix("N ") {
                name = Some(n.trim());
            }
        }
        if let (Some(name), Some(width)) = (name, width) {
            widths.insert(name, width);
        }
    }
    widths
}

fn widths_from_afm(afm: &str) -> [u16; 256] {
    let by_name = glyph_widths(afm);
    let mut widths = [0u16; 256];
    for (offset, name) in WIN_ANSI_NAMES.iter().enumerate() {
        widths[0x20 + offset] = by_name.get(name).copied().unwrap_or(0);
    }
    widths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_defined_win_ansi_glyph_has_a_width_in_both_faces() {
        for face in [Face::Regular, Face::Bold] {
            let widths = face.widths();
            for (offset, name) in WIN_ANSI_NAMES.iter().enumerate() {
                let code = 0x20 + offset;
                assert_eq!(
                    widths[code] > 0,
                    !name.is_empty(),
                    "{face:?} code {code:#x} {name}"
                );
            }
        }
    }

    #[test]
    fn widths_are_the_afm_metrics() {
        // H 722, e 556, l 222, l 222, o 556 in Helvetica.
        assert_eq!(Face::Regular.width(b"Hello", 1000.0), 2278.0);
        // H 722, e 556, l 278, l 278, o 611 in Helvetica-Bold.
        assert_eq!(Face::Bold.width(b"Hello", 1000.0), 2445.0);
        assert_eq!(Face::Regular.width(&encode("€"), 1000.0), 556.0);
    }

    #[test]
    fn latin1_and_euro_encode_and_the_rest_becomes_a_question_mark() {
        assert_eq!(encode("José Müller"), b"Jos\xe9 M\xfcller");
        assert_eq!(encode("€1,234.50 – Zoë"), b"\x801,234.50 \x96 Zo\xeb");
        assert_eq!(encode("Łódź 東京"), b"?\xf3d? ??");
        assert_eq!(encode("a\tb\u{7}c\r"), b"a bc");
    }

    #[test]
    fn every_encoded_character_round_trips_through_the_name_table() {
        for c in (0u32..0x3000).filter_map(char::from_u32) {
            if let Some(code) = win_ansi(c) {
                assert!(
                    !WIN_ANSI_NAMES[usize::from(code) - 0x20].is_empty(),
                    "{c:?}"
                );
            }
        }
    }
}
