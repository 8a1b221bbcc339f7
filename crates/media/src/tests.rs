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
        check_upload(&pdf).unwrap(),
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
    assert_eq!(check_upload(&[]).unwrap_err(), MediaError::Empty);
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
    assert_eq!(check_upload(&heic).unwrap_err(), MediaError::Heic);
}

#[test]
fn a_truncated_image_is_unreadable() {
    let jpeg = encoded(&picture(64, 64), ImageFormat::Jpeg);
    assert_eq!(
        process_photo(&jpeg[..40]).unwrap_err(),
        MediaError::Unreadable
    );
}

#[test]
fn enormous_claimed_dimensions_are_refused() {
    // A PNG header claiming 100,000 x 100,000 pixels in a few bytes.
    let mut png = encoded(&picture(1, 1), ImageFormat::Png);
    png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    assert_eq!(process_photo(&png).unwrap_err(), MediaError::Unreadable);
}

#[test]
fn text_is_a_document_and_binary_is_refused() {
    assert!(matches!(
        check_upload("Meter reading: 4521\r\n".as_bytes()).unwrap(),
        Upload::Document {
            content_type: "text/plain; charset=utf-8"
        }
    ));
    assert_eq!(
        check_upload(b"MZ\x90\x00\x03\x00").unwrap_err(),
        MediaError::NotAccepted
    );
    assert_eq!(
        check_upload(b"PK\x03\x04zip").unwrap_err(),
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
