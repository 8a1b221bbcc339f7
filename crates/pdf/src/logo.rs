//! Turning the company's logo into image samples a PDF can carry.

use std::io::Cursor;

use image::{DynamicImage, ImageReader, Limits};
use miniz_oxide::deflate::compress_to_vec_zlib;

/// The longest side we keep: the logo is printed at most ~150 pt wide, so this is well over
/// 300 dpi, and a huge upload does not make a huge PDF.
const MAX_SIDE: u32 = 800;

/// Deflate level for image samples and page contents (fixed, so output is deterministic).
pub(crate) const DEFLATE_LEVEL: u8 = 6;

/// A decoded logo: zlib-compressed 8-bit RGB samples and, when it has transparency, a
/// compressed 8-bit alpha mask of the same size.
pub(crate) struct Logo {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) rgb: Vec<u8>,
    pub(crate) alpha: Option<Vec<u8>>,
}

/// Decodes PNG or JPEG bytes; `None` for anything else, a broken file, or one whose declared
/// size is absurd (a decompression bomb), since a bad logo must not stop the document.
pub(crate) fn decode(bytes: &[u8]) -> Option<Logo> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(10_000);
    limits.max_image_height = Some(10_000);
    limits.max_alloc = Some(128 * 1024 * 1024);
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    reader.limits(limits);
    let mut image = reader.decode().ok()?;
    if image.width() == 0 || image.height() == 0 {
        return None;
    }
    if image.width() > MAX_SIDE || image.height() > MAX_SIDE {
        image = image.thumbnail(MAX_SIDE, MAX_SIDE);
    }
    Some(encode(&image))
}

fn encode(image: &DynamicImage) -> Logo {
    // An alpha channel that is opaque everywhere (common in exported PNGs) needs no mask.
    let alpha = image
        .color()
        .has_alpha()
        .then(|| {
            image
                .to_rgba8()
                .pixels()
                .map(|p| p.0[3])
                .collect::<Vec<u8>>()
        })
        .filter(|samples| samples.iter().any(|&a| a != u8::MAX))
        .map(|samples| compress_to_vec_zlib(&samples, DEFLATE_LEVEL));
    Logo {
        width: image.width(),
        height: image.height(),
        rgb: compress_to_vec_zlib(image.to_rgb8().as_raw(), DEFLATE_LEVEL),
        alpha,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use image::{ImageFormat, Rgba, RgbaImage};

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = RgbaImage::from_pixel(width, height, Rgba([200, 30, 30, 128]));
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgba8(img)
            .write_to(&mut out, ImageFormat::Png)
            .ok();
        out.into_inner()
    }

    #[test]
    fn a_png_with_transparency_keeps_its_alpha() {
        let logo = decode(&png(40, 20)).expect("decodes");
        assert_eq!((logo.width, logo.height), (40, 20));
        assert!(logo.alpha.is_some());
    }

    #[test]
    fn a_large_logo_is_scaled_down_keeping_its_shape() {
        let logo = decode(&png(2000, 500)).expect("decodes");
        assert_eq!((logo.width, logo.height), (800, 200));
    }

    #[test]
    fn bytes_that_are_not_an_image_are_skipped() {
        assert!(decode(b"not an image at all").is_none());
        assert!(decode(&[]).is_none());
        let mut truncated = png(40, 20);
        truncated.truncate(30);
        assert!(decode(&truncated).is_none());
    }
}
