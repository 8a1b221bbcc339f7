//! Photos: decoded within limits, turned upright, encoded again without metadata.

use std::io::Cursor;

use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};

use crate::sniff::{Sniffed, sniff};
use crate::{MediaError, check_size};

/// The longest side of a thumbnail, in pixels.
pub const THUMB_EDGE: u32 = 320;
/// The type of every thumbnail: they are always encoded as JPEG.
pub const THUMB_CONTENT_TYPE: &str = "image/jpeg";
/// Pictures with more pixels than this (40 megapixels, more than phone cameras take) are
/// refused from their header, before decoding: a 1 MB file can claim 144 megapixels.
pub const MAX_PIXELS: u64 = 40_000_000;
/// The longest side decoded.
const MAX_EDGE: u32 = 16_384;
/// The most memory one decoded picture may take (a 40-megapixel 8-bit RGBA picture takes
/// 160 MB; a 16-bit one that large is refused).
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;
const JPEG_QUALITY: u8 = 85;

/// A photo ready to store: clean bytes and a thumbnail.
#[derive(Debug, Clone)]
pub struct Photo {
    /// The re-encoded picture.
    pub bytes: Vec<u8>,
    /// `image/jpeg` or `image/png`.
    pub content_type: &'static str,
    /// The matching file extension, without the dot.
    pub extension: &'static str,
    /// Width after turning upright.
    pub width: u32,
    /// Height after turning upright.
    pub height: u32,
    /// A small JPEG for lists.
    pub thumbnail: Vec<u8>,
}

/// Checks and re-encodes a photo: JPEG, PNG or WebP by content, at most 10 MB.
/// PNGs stay PNG (they may be screenshots or have transparency); the rest become JPEG.
pub fn process_photo(bytes: &[u8]) -> Result<Photo, MediaError> {
    check_size(bytes)?;
    let format = match sniff(bytes) {
        Sniffed::Jpeg => ImageFormat::Jpeg,
        Sniffed::Png => ImageFormat::Png,
        Sniffed::Webp => ImageFormat::WebP,
        Sniffed::Heic => return Err(MediaError::Heic),
        _ => return Err(MediaError::NotAPhoto),
    };
    let image = decode(bytes, format)?;
    let (bytes, content_type, extension) = if format == ImageFormat::Png {
        (encode(&image, ImageFormat::Png)?, "image/png", "png")
    } else {
        (encode_jpeg(&image)?, "image/jpeg", "jpg")
    };
    // Always JPEG: [`THUMB_CONTENT_TYPE`] is what thumbnails are served as.
    let thumbnail = encode_jpeg(&image.resize(THUMB_EDGE, THUMB_EDGE, FilterType::Triangle))?;
    Ok(Photo {
        bytes,
        content_type,
        extension,
        width: image.width(),
        height: image.height(),
        thumbnail,
    })
}

/// The largest logo file accepted, in bytes (2 MiB).
pub const MAX_LOGO_BYTES: usize = 2 * 1024 * 1024;
/// A logo with more pixels than this (4096 x 4096) is refused from its header.
pub const MAX_LOGO_PIXELS: u64 = 4096 * 4096;
/// The longest side of a stored logo, in pixels: larger ones are scaled down.
pub const LOGO_EDGE: u32 = 512;

/// Checks and re-encodes a company logo: JPEG, PNG or WebP by content, at most
/// [`MAX_LOGO_BYTES`] and [`MAX_LOGO_PIXELS`] (both judged before decoding), scaled to fit
/// [`LOGO_EDGE`] and always stored as PNG (transparency kept, metadata dropped).
pub fn process_logo(bytes: &[u8]) -> Result<Vec<u8>, MediaError> {
    if bytes.is_empty() {
        return Err(MediaError::Empty);
    }
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(MediaError::TooLarge {
            limit_mb: MAX_LOGO_BYTES / (1024 * 1024),
        });
    }
    let format = match sniff(bytes) {
        Sniffed::Jpeg => ImageFormat::Jpeg,
        Sniffed::Png => ImageFormat::Png,
        Sniffed::Webp => ImageFormat::WebP,
        Sniffed::Heic => return Err(MediaError::Heic),
        _ => return Err(MediaError::NotAPhoto),
    };
    let image = decode_within(bytes, format, MAX_LOGO_PIXELS)?;
    let image = if image.width() > LOGO_EDGE || image.height() > LOGO_EDGE {
        image.resize(LOGO_EDGE, LOGO_EDGE, FilterType::Lanczos3)
    } else {
        image
    };
    encode(&image, ImageFormat::Png)
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_EDGE);
    limits.max_image_height = Some(MAX_EDGE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

/// A decoder error: a limit reached means too many pixels; anything else, a damaged file.
fn refusal(err: ImageError) -> MediaError {
    match err {
        ImageError::Limits(_) => MediaError::TooManyPixels {
            limit_mp: MAX_PIXELS / 1_000_000,
        },
        _ => MediaError::Unreadable,
    }
}

/// Reads only the header of `bytes`; refuses pictures whose declared size exceeds the
/// limits, then decodes with their decoded size reserved against [`MAX_DECODE_BYTES`].
fn decode(bytes: &[u8], format: ImageFormat) -> Result<DynamicImage, MediaError> {
    decode_within(bytes, format, MAX_PIXELS)
}

/// [`decode`] with at most `max_pixels`.
fn decode_within(
    bytes: &[u8],
    format: ImageFormat,
    max_pixels: u64,
) -> Result<DynamicImage, MediaError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits());
    // `into_decoder` reads the header and checks the edges; unlike `ImageReader::decode`
    // it reserves nothing against `max_alloc`, so the pixel count and the decoded size
    // are checked here, before a single row is decoded.
    let mut decoder = reader.into_decoder().map_err(refusal)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(MediaError::TooManyPixels {
            limit_mp: max_pixels.div_ceil(1_000_000),
        });
    }
    let mut limits = limits();
    limits.reserve(decoder.total_bytes()).map_err(refusal)?;
    decoder.set_limits(limits).map_err(refusal)?;
    // Phones store pictures sideways with an EXIF turn; the turn is applied here because
    // the metadata carrying it is dropped.
    let orientation = decoder.orientation().map_err(|_| MediaError::Unreadable)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(|_| MediaError::Unreadable)?;
    image.apply_orientation(orientation);
    Ok(image)
}

fn encode_jpeg(image: &DynamicImage) -> Result<Vec<u8>, MediaError> {
    // JPEG has no alpha channel; flatten to RGB first.
    let rgb = DynamicImage::ImageRgb8(image.to_rgb8());
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(&rgb)
        .map_err(|_| MediaError::Unreadable)?;
    Ok(out.into_inner())
}

fn encode(image: &DynamicImage, format: ImageFormat) -> Result<Vec<u8>, MediaError> {
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, format)
        .map_err(|_| MediaError::Unreadable)?;
    Ok(out.into_inner())
}
