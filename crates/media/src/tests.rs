#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

use super::*;

fn picture(width: u32, height: u32) -> DynamicImage {
    DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x * 7) as u8, (y * 5) as u8, 90])
    }))
}

fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// An APP1 Exif segment saying "turn 90° clockwise" and carrying a marker string where a
/// camera would put its GPS block.
fn exif_segment(marker: &[u8]) -> Vec<u8> {
    let mut tiff = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend_from_slice(&1u16.to_le_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_le_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_le_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&6u16.to_le_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    tiff.extend_from_slice(marker);
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&tiff);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    segment.extend_from_slice(&payload);
    segment
}

fn jpeg_with_exif(width: u32, height: u32, marker: &[u8]) -> Vec<u8> {
    let plain = encoded(&picture(width, height), ImageFormat::Jpeg);
    let mut out = plain[..2].to_vec(); // SOI
    out.extend_from_slice(&exif_segment(marker));
    out.extend_from_slice(&plain[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_jpeg_loses_its_exif_and_is_turned_upright() {
    let original = jpeg_with_exif(40, 20, b"GPS 51.5N 0.12W");
    assert!(contains(&original, b"GPS 51.5N"));
    let photo = process_photo(&original).unwrap();
    assert_eq!(photo.content_type, "image/jpeg");
    assert_eq!((photo.width, photo.height), (20, 40));
    assert!(!contains(&photo.bytes, b"GPS 51.5N"));
    assert!(!contains(&photo.bytes, b"Exif"));
    assert_eq!(sniff(&photo.thumbnail), Sniffed::Jpeg);
}

#[test]
fn a_png_stays_png_without_its_text_chunks() {
    let mut png = encoded(
        &DynamicImage::ImageRgba8(RgbaImage::from_pixel(30, 10, Rgba([1, 2, 3, 128]))),
        ImageFormat::Png,
    );
    // A tEXt chunk before IEND; the CRC is not checked by the decoder's default settings
    // for ancillary chunks, so any value serves to carry the marker.
    let iend = png.len() - 12;
    let mut chunk = 13u32.to_be_bytes().to_vec();
    chunk.extend_from_slice(b"tEXtLocation\0home");
    chunk.extend_from_slice(&[0, 0, 0, 0]);
    png.splice(iend..iend, chunk);
    let photo = process_photo(&png).unwrap();
    assert_eq!(photo.content_type, "image/png");
    assert_eq!((photo.width, photo.height), (30, 10));
    assert!(!contains(&photo.bytes, b"Location"));
}

#[test]
fn a_webp_becomes_a_jpeg() {
    let webp = encoded(&picture(16, 16), ImageFormat::WebP);
    assert_eq!(sniff(&webp), Sniffed::Webp);
    let photo = process_photo(&webp).unwrap();
    assert_eq!(photo.content_type, "image/jpeg");
    assert_eq!(photo.extension, "jpg");
}

#[test]
fn a_thumbnail_fits_the_edge() {
    let photo = process_photo(&encoded(&picture(1000, 500), ImageFormat::Png)).unwrap();
    let thumb = image::load_from_memory(&photo.thumbnail).unwrap();
    assert_eq!(
        (thumb.width(), thumb.height()),
        (THUMB_EDGE, THUMB_EDGE / 2)
    );
}

#[test]
fn a_pdf_named_like_a_photo_is_not_a_photo() {
    let pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n".to_vec();
    assert_eq!(process_photo(&pdf).unwrap_err(), MediaError::NotAPhoto);
    assert!(matches!(
        check_upload(&pdf, "Warranty.PDF").unwrap(),
        Upload::Document {
            content_type: "application/pdf"
        }
    ));
}

#[test]
fn too_large_and_empty_files_are_refused_before_decoding() {
    let big = vec![0xFF; MAX_UPLOAD_BYTES + 1];
    assert_eq!(
        process_photo(&big).unwrap_err(),
        MediaError::TooLarge { limit_mb: 10 }
    );
    assert_eq!(check_upload(&[], "a.txt").unwrap_err(), MediaError::Empty);
    assert_eq!(
        MediaError::TooLarge { limit_mb: 10 }.to_string(),
        "The file is larger than 10 MB."
    );
}

#[test]
fn heic_is_recognised_and_refused_plainly() {
    let mut heic = vec![0, 0, 0, 24];
    heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    assert_eq!(sniff(&heic), Sniffed::Heic);
    assert_eq!(process_photo(&heic).unwrap_err(), MediaError::Heic);
    assert_eq!(check_upload(&heic, "a.heic").unwrap_err(), MediaError::Heic);
}

#[test]
fn a_truncated_image_is_unreadable() {
    let jpeg = encoded(&picture(64, 64), ImageFormat::Jpeg);
    assert_eq!(
        process_photo(&jpeg[..40]).unwrap_err(),
        MediaError::Unreadable
    );
}

/// A 1x1 PNG whose header is made to claim `width` x `height` RGB pixels of `depth` bits
/// per channel (RGBA with `alpha`).
fn claiming(width: u32, height: u32, depth: u8) -> Vec<u8> {
    claiming_alpha(width, height, depth, false)
}

fn claiming_alpha(width: u32, height: u32, depth: u8, alpha: bool) -> Vec<u8> {
    let mut png = encoded(&picture(1, 1), ImageFormat::Png);
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    png[24] = depth;
    png[25] = if alpha { 6 } else { 2 };
    // The header's CRC, so the decoder reads on to the pixels if nothing stops it.
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn crc32(data: &[u8]) -> u32 {
    !data.iter().fold(!0u32, |crc, &byte| {
        (0..8).fold(crc ^ u32::from(byte), |c, _| {
            if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            }
        })
    })
}

#[test]
fn enormous_claimed_dimensions_are_refused_as_too_many_pixels() {
    // Used to read "could not be read": the limit now has its own message.
    let too_many = MediaError::TooManyPixels { limit_mp: 40 };
    assert_eq!(
        process_photo(&claiming(100_000, 100_000, 8)).unwrap_err(),
        too_many
    );
    assert!(too_many.to_string().contains("at most 40 megapixels"));
}

#[test]
fn a_bomb_is_refused_from_its_header_before_any_pixel_is_decoded() {
    // 12000 x 12000 16-bit RGB would decode to 864 MB. Its pixel data here is a single
    // 1x1 row, so a decoder that started would fail as unreadable instead: the answer
    // "too many pixels" shows the header alone decided.
    let bomb = claiming(12_000, 12_000, 16);
    assert_eq!(
        process_photo(&bomb).unwrap_err(),
        MediaError::TooManyPixels { limit_mp: 40 }
    );
    assert_eq!(
        check_upload(&bomb, "bomb.png").unwrap_err(),
        MediaError::TooManyPixels { limit_mp: 40 }
    );
    // Just over 40 megapixels is refused; a damaged picture under the limit is decoded,
    // and so fails as unreadable.
    assert!(matches!(
        process_photo(&claiming(6_400, 6_400, 8)).unwrap_err(),
        MediaError::TooManyPixels { .. }
    ));
    assert_eq!(
        process_photo(&claiming(4_000, 3_000, 8)).unwrap_err(),
        MediaError::Unreadable
    );
    // 16-bit RGBA at 7000 x 5000 (35 MP) would take 280 MB once decoded: refused by size.
    assert!(matches!(
        process_photo(&claiming_alpha(7_000, 5_000, 16, true)).unwrap_err(),
        MediaError::TooManyPixels { .. }
    ));
    assert_eq!(
        process_photo(&claiming_alpha(4_000, 3_000, 16, true)).unwrap_err(),
        MediaError::Unreadable
    );
}

#[test]
fn text_is_a_document_and_binary_is_refused() {
    assert!(matches!(
        check_upload("Meter reading: 4521\r\n".as_bytes(), "reading.txt").unwrap(),
        Upload::Document {
            content_type: "text/plain; charset=utf-8"
        }
    ));
    assert_eq!(
        check_upload(b"MZ\x90\x00\x03\x00", "setup.exe").unwrap_err(),
        MediaError::NotAccepted
    );
    assert_eq!(
        check_upload(b"PK\x03\x04zip", "a.zip").unwrap_err(),
        MediaError::NotAccepted
    );
}

#[test]
fn every_thumbnail_is_of_the_type_it_is_served_as() {
    assert_eq!(THUMB_CONTENT_TYPE, "image/jpeg");
    for format in [ImageFormat::Png, ImageFormat::Jpeg] {
        let photo = process_photo(&encoded(&picture(30, 20), format)).unwrap();
        assert_eq!(sniff(&photo.thumbnail), Sniffed::Jpeg, "{format:?}");
    }
}

fn document(bytes: &[u8], name: &str) -> Result<&'static str, MediaError> {
    check_upload(bytes, name).map(|upload| match upload {
        Upload::Document { content_type } => content_type,
        Upload::Photo(_) => "photo",
    })
}

#[test]
fn markup_and_scripts_are_refused_whatever_their_name() {
    let refused: &[(&[u8], &str)] = &[
        (
            b"<!DOCTYPE html><html><script>alert(1)</script></html>",
            "page.html",
        ),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
            "logo.svg",
        ),
        (b"fetch('/sign-out', {method: 'POST'})", "app.js"),
        (b"<html><script>alert(1)</script></html>", "notes.txt"),
        (b"  <SVG onload=alert(1)>", "notes.txt"),
        (b"Meter reading 4521", "no-extension"),
        (b"%PDF-1.4\n%%EOF", "invoice.html"),
        (
            b"PK\x03\x04[Content_Types].xml word/document.xml",
            "letter.zip",
        ),
        (b"PK\x03\x04just a zip", "letter.docx"),
    ];
    for (bytes, name) in refused {
        assert_eq!(
            document(bytes, name),
            Err(MediaError::NotAccepted),
            "{name}"
        );
    }
    assert!(
        MediaError::NotAccepted
            .to_string()
            .contains("can't be attached")
    );
}

#[test]
fn pdf_text_and_office_documents_are_kept_with_their_type() {
    assert_eq!(document(b"%PDF-1.4\n%%EOF", "a.pdf"), Ok("application/pdf"));
    assert_eq!(
        document(b"date,reading\n2026-01-01,4521\n", "readings.CSV"),
        Ok("text/plain; charset=utf-8")
    );
    assert_eq!(
        document(b"Use <5 bar of pressure\n", "notes.txt"),
        Ok("text/plain; charset=utf-8")
    );
    let mut docx = b"PK\x03\x04".to_vec();
    docx.extend_from_slice(&[0; 26]);
    docx.extend_from_slice(b"[Content_Types].xml ... word/document.xml");
    assert_eq!(
        document(&docx, "letter.docx"),
        Ok("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    );
    assert_eq!(document(&docx, "letter.xlsx"), Err(MediaError::NotAccepted));
    let mut odt = b"PK\x03\x04".to_vec();
    odt.extend_from_slice(&[0; 26]);
    odt.extend_from_slice(b"mimetypeapplication/vnd.oasis.opendocument.text");
    assert_eq!(
        document(&odt, "letter.odt"),
        Ok("application/vnd.oasis.opendocument.text")
    );
    let ole = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
    assert_eq!(document(&ole, "old.xls"), Ok("application/vnd.ms-excel"));
    assert_eq!(document(&ole, "old.exe"), Err(MediaError::NotAccepted));
}

#[test]
fn a_logo_is_scaled_to_fit_and_stored_as_png() {
    let webp = encoded(&picture(1200, 600), ImageFormat::WebP);
    let logo = process_logo(&webp).unwrap();
    assert!(logo.starts_with(b"\x89PNG"));
    let back = image::load_from_memory(&logo).unwrap();
    assert_eq!((back.width(), back.height()), (LOGO_EDGE, LOGO_EDGE / 2));
    let small = encoded(&picture(64, 32), ImageFormat::Jpeg);
    let back = image::load_from_memory(&process_logo(&small).unwrap()).unwrap();
    assert_eq!((back.width(), back.height()), (64, 32));
}

#[test]
fn a_logo_is_refused_by_size_pixels_or_content_before_decoding() {
    let big = vec![0u8; MAX_LOGO_BYTES + 1];
    assert_eq!(
        process_logo(&big).unwrap_err(),
        MediaError::TooLarge { limit_mb: 2 }
    );
    assert_eq!(
        process_logo(&claiming(5000, 5000, 8)).unwrap_err(),
        MediaError::TooManyPixels { limit_mp: 17 }
    );
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"></svg>";
    assert_eq!(process_logo(svg).unwrap_err(), MediaError::NotAPhoto);
    assert_eq!(process_logo(b"").unwrap_err(), MediaError::Empty);
}
