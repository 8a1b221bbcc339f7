//! What a file is, from its first bytes.

/// The kinds of content we tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// JPEG (`FF D8 FF`).
    Jpeg,
    /// PNG (its eight-byte signature).
    Png,
    /// WebP (`RIFF....WEBP`).
    Webp,
    /// HEIC/HEIF (an ISO box `ftyp` with a HEIF brand).
    Heic,
    /// PDF (`%PDF-`).
    Pdf,
    /// UTF-8 text without control bytes other than tab, CR and LF.
    Text,
    /// A ZIP archive (`PK\x03\x04`): OOXML and OpenDocument files are ZIPs.
    Zip,
    /// A Compound File (`D0 CF 11 E0 A1 B1 1A E1`): Word, Excel and PowerPoint before 2007.
    Ole,
    /// Anything else.
    Other,
}

const HEIF_BRANDS: &[&[u8; 4]] = &[
    b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1",
];

/// Decides what `bytes` hold by their signature.
pub fn sniff(bytes: &[u8]) -> Sniffed {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Sniffed::Jpeg
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Sniffed::Png
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Sniffed::Webp
    } else if is_heif(bytes) {
        Sniffed::Heic
    } else if bytes.starts_with(b"%PDF-") {
        Sniffed::Pdf
    } else if bytes.starts_with(b"PK\x03\x04") {
        Sniffed::Zip
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Sniffed::Ole
    } else if is_text(bytes) {
        Sniffed::Text
    } else {
        Sniffed::Other
    }
}

fn is_heif(bytes: &[u8]) -> bool {
    bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && HEIF_BRANDS.iter().any(|brand| &bytes[8..12] == *brand)
}

fn is_text(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|text| {
        text.chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\r' | '\n'))
    })
}
