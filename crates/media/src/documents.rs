//! Documents: kept byte for byte, but only of a few kinds, judged by content and name
//! together, so a page of HTML, an SVG or a script is never stored as "plain text".

use crate::MediaError;
use crate::sniff::Sniffed;

/// Extensions of plain-text files we keep.
const TEXT_EXTENSIONS: &[&str] = &["txt", "csv", "log"];

/// Office documents: extension, what the content must be, and the type served.
const OFFICE: &[(&str, Office, &str)] = &[
    (
        "docx",
        Office::Ooxml("word/"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "xlsx",
        Office::Ooxml("xl/"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "pptx",
        Office::Ooxml("ppt/"),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    (
        "odt",
        Office::Odf("application/vnd.oasis.opendocument.text"),
        "application/vnd.oasis.opendocument.text",
    ),
    (
        "ods",
        Office::Odf("application/vnd.oasis.opendocument.spreadsheet"),
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
    (
        "odp",
        Office::Odf("application/vnd.oasis.opendocument.presentation"),
        "application/vnd.oasis.opendocument.presentation",
    ),
    ("doc", Office::Compound, "application/msword"),
    ("xls", Office::Compound, "application/vnd.ms-excel"),
    ("ppt", Office::Compound, "application/vnd.ms-powerpoint"),
];

/// What an office document's bytes must hold.
#[derive(Debug, Clone, Copy)]
enum Office {
    /// A ZIP with `[Content_Types].xml` and parts under this folder.
    Ooxml(&'static str),
    /// A ZIP whose first entry is `mimetype`, stored, holding this type.
    Odf(&'static str),
    /// A Compound File.
    Compound,
}

/// The type to store a document under, when both its content (`sniffed`) and the
/// extension of `filename` say it is one we accept; otherwise [`MediaError::NotAccepted`].
pub fn document_type(
    bytes: &[u8],
    sniffed: Sniffed,
    filename: &str,
) -> Result<&'static str, MediaError> {
    let extension = extension(filename);
    let accepted = match sniffed {
        Sniffed::Pdf if extension == "pdf" => Some("application/pdf"),
        Sniffed::Text if TEXT_EXTENSIONS.contains(&extension.as_str()) && !is_markup(bytes) => {
            Some("text/plain; charset=utf-8")
        }
        Sniffed::Zip | Sniffed::Ole => OFFICE
            .iter()
            .find(|(ext, office, _)| *ext == extension && holds(bytes, sniffed, *office))
            .map(|(_, _, content_type)| *content_type),
        _ => None,
    };
    accepted.ok_or(MediaError::NotAccepted)
}

/// The lower-case extension of `filename`, or "".
fn extension(filename: &str) -> String {
    match filename.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

fn holds(bytes: &[u8], sniffed: Sniffed, office: Office) -> bool {
    match (sniffed, office) {
        (Sniffed::Zip, Office::Ooxml(folder)) => {
            contains(bytes, b"[Content_Types].xml") && contains(bytes, folder.as_bytes())
        }
        // The ODF package puts an uncompressed `mimetype` entry first: its name starts at
        // byte 30 of the first local header and its content follows the name.
        (Sniffed::Zip, Office::Odf(mimetype)) => {
            bytes.get(30..38) == Some(b"mimetype".as_slice())
                && bytes
                    .get(38..38 + mimetype.len())
                    .is_some_and(|content| content == mimetype.as_bytes())
        }
        (Sniffed::Ole, Office::Compound) => true,
        _ => false,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Text that is markup a browser would run or render: HTML, SVG, XML.
fn is_markup(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    [
        "<script",
        "<html",
        "<svg",
        "<iframe",
        "<!doctype",
        "<?xml",
        "<body",
    ]
    .iter()
    .any(|tag| text.contains(tag))
}
