//! A company's brand colours, checked so they can go into a stylesheet safely.

use crate::Invalid;

/// A colour as `#rrggbb`; nothing else can reach the generated stylesheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HexColour(String);

impl HexColour {
    /// Parses `#1a2b3c` (or `#abc`, expanded); anything else is refused.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim().to_ascii_lowercase();
        let hex = value.strip_prefix('#').unwrap_or(&value);
        let expanded = match hex.len() {
            3 => hex.chars().flat_map(|c| [c, c]).collect::<String>(),
            6 => hex.to_owned(),
            _ => String::new(),
        };
        if expanded.len() == 6 && expanded.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(Self(format!("#{expanded}")))
        } else {
            Err(Invalid::new("colour", "Use a colour like #0b5cad."))
        }
    }

    /// The colour as `#rrggbb`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Black or white, whichever reads better on this colour (WCAG relative luminance).
    pub fn readable_text(&self) -> &'static str {
        let channel = |i: usize| {
            let v = u8::from_str_radix(&self.0[i..i + 2], 16).unwrap_or(0) as f64 / 255.0;
            if v <= 0.039_28 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        let lum = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
        // Contrast with white is (1.05)/(lum+0.05); with black (lum+0.05)/0.05.
        if 1.05 / (lum + 0.05) >= (lum + 0.05) / 0.05 {
            "#ffffff"
        } else {
            "#111111"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::HexColour;

    #[test]
    fn accepts_and_normalises_hex_colours() {
        assert_eq!(
            HexColour::parse("#0B5CAD").map(|c| c.as_str().to_owned()),
            Ok("#0b5cad".into())
        );
        assert_eq!(
            HexColour::parse("fa0").map(|c| c.as_str().to_owned()),
            Ok("#ffaa00".into())
        );
    }

    #[test]
    fn refuses_anything_that_could_escape_a_stylesheet() {
        for raw in ["red", "#12345", "#1234567", "#zzzzzz", "#000;}body{", ""] {
            assert!(HexColour::parse(raw).is_err(), "{raw:?} was accepted");
        }
    }

    #[test]
    fn picks_readable_text_colour() {
        let dark = HexColour::parse("#0b5cad").map(|c| c.readable_text());
        let light = HexColour::parse("#ffdd00").map(|c| c.readable_text());
        assert_eq!(dark, Ok("#ffffff"));
        assert_eq!(light, Ok("#111111"));
    }
}
