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

    /// The colour's relative luminance (WCAG 2): 0 for black, 1 for white.
    pub fn luminance(&self) -> f64 {
        let channel = |i: usize| {
            let v = u8::from_str_radix(&self.0[i..i + 2], 16).unwrap_or(0) as f64 / 255.0;
            if v <= 0.039_28 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    /// Black or white, whichever reads better on this colour (WCAG relative luminance).
    pub fn readable_text(&self) -> &'static str {
        let lum = self.luminance();
        // Contrast with white is (1.05)/(lum+0.05); with black (lum+0.05)/0.05.
        if 1.05 / (lum + 0.05) >= (lum + 0.05) / 0.05 {
            "#ffffff"
        } else {
            "#111111"
        }
    }
}

/// The least contrast text must have with what it is drawn on (WCAG 2 AA, normal text).
pub const MIN_CONTRAST: f64 = 4.5;

/// The contrast ratio of two colours (WCAG 2), from 1 (the same) to 21 (black on white).
pub fn contrast_ratio(a: &HexColour, b: &HexColour) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    let (light, dark) = if la >= lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

/// A ratio as people read it, never rounded up past the rule: 4.497 shows as "4.49:1".
pub fn ratio_text(ratio: f64) -> String {
    format!("{:.2}:1", (ratio * 100.0).floor() / 100.0)
}

/// A brand colour and the text colour drawn on it, both valid and readable together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrandPair {
    /// The brand colour (buttons, the portal's header).
    pub colour: HexColour,
    /// The text drawn on it.
    pub text: HexColour,
}

impl BrandPair {
    /// Checks `colour` (field `brand_primary`) and `text` (field `brand_text`): each must
    /// be a hex colour, and together they must reach [`MIN_CONTRAST`]; a pair below it is
    /// refused on `brand_text` with the ratio computed.
    pub fn parse(colour: &str, text: &str) -> Result<BrandPair, Vec<Invalid>> {
        let c = HexColour::parse(colour).map_err(|e| Invalid::new("brand_primary", e.message));
        let t = HexColour::parse(text).map_err(|e| Invalid::new("brand_text", e.message));
        match (c, t) {
            (Ok(colour), Ok(text)) => {
                let ratio = contrast_ratio(&colour, &text);
                if ratio < MIN_CONTRAST {
                    return Err(vec![Invalid::new(
                        "brand_text",
                        format!(
                            "This text colour on the brand colour has a contrast ratio of {}; it needs at least 4.5:1 to be readable (WCAG AA). Pick a darker or lighter one.",
                            ratio_text(ratio)
                        ),
                    )]);
                }
                Ok(BrandPair { colour, text })
            }
            (c, t) => Err([c.err(), t.err()].into_iter().flatten().collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{BrandPair, HexColour, contrast_ratio, ratio_text};

    fn hex(s: &str) -> HexColour {
        HexColour::parse(s).unwrap_or_else(|_| panic!("{s}"))
    }

    #[test]
    fn contrast_follows_wcag() {
        assert!((contrast_ratio(&hex("#000000"), &hex("#ffffff")) - 21.0).abs() < 1e-9);
        assert!((contrast_ratio(&hex("#777777"), &hex("#777777")) - 1.0).abs() < 1e-9);
        // Symmetric, and the well-known #767676 on white just passes.
        let grey = contrast_ratio(&hex("#767676"), &hex("#ffffff"));
        assert_eq!(grey, contrast_ratio(&hex("#ffffff"), &hex("#767676")));
        assert_eq!(ratio_text(grey), "4.54:1");
        assert_eq!(ratio_text(4.4999), "4.49:1");
    }

    #[test]
    fn a_brand_pair_must_be_readable() {
        let ok = BrandPair::parse("#0b5cad", "#ffffff").map(|p| p.text.as_str().to_owned());
        assert_eq!(ok, Ok("#ffffff".into()));
        let refused = BrandPair::parse("#f5a623", "#ffffff")
            .err()
            .unwrap_or_default();
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].field, "brand_text");
        assert!(
            refused[0].message.contains("2.02:1"),
            "{}",
            refused[0].message
        );
        assert!(refused[0].message.contains("4.5:1"));
        let both = BrandPair::parse("blue", "#12").err().unwrap_or_default();
        let fields: Vec<_> = both.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["brand_primary", "brand_text"]);
    }

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
