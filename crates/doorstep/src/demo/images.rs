//! Pictures drawn by code for the demo: company logos and job photos with thumbnails.
//! Pure pixel loops, so they are the same on every run and need no files in the repository.

use anyhow::Context;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::{Rgb, RgbImage};

/// The size of a job photo.
pub(crate) const PHOTO_SIZE: (u32, u32) = (640, 480);
/// The size of a photo's thumbnail.
pub(crate) const THUMB_SIZE: (u32, u32) = (160, 120);
const LOGO_SIZE: u32 = 128;

/// The mark drawn on a logo.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Mark {
    /// A house with a door: plumbing and heating.
    House,
    /// A lightning bolt: electricians.
    Bolt,
}

/// A square PNG logo: `mark` in `fg` on a `bg` background.
pub(crate) fn logo(bg: [u8; 3], fg: [u8; 3], mark: Mark) -> anyhow::Result<Vec<u8>> {
    let shape: &[(f32, f32)] = match mark {
        // Roof and walls in one outline, in a 0..1 square.
        Mark::House => &[
            (0.50, 0.16),
            (0.86, 0.48),
            (0.76, 0.48),
            (0.76, 0.84),
            (0.24, 0.84),
            (0.24, 0.48),
            (0.14, 0.48),
        ],
        Mark::Bolt => &[
            (0.58, 0.10),
            (0.26, 0.56),
            (0.48, 0.56),
            (0.40, 0.90),
            (0.76, 0.42),
            (0.54, 0.42),
            (0.64, 0.10),
        ],
    };
    let door: &[(f32, f32)] = match mark {
        Mark::House => &[(0.44, 0.62), (0.56, 0.62), (0.56, 0.84), (0.44, 0.84)],
        Mark::Bolt => &[],
    };
    let size = LOGO_SIZE as f32;
    let img = RgbImage::from_fn(LOGO_SIZE, LOGO_SIZE, |x, y| {
        let p = ((x as f32 + 0.5) / size, (y as f32 + 0.5) / size);
        if inside(shape, p) && !inside(door, p) {
            Rgb(fg)
        } else {
            Rgb(bg)
        }
    });
    png(&img)
}

/// A job photo (640×480 PNG) and its thumbnail (160×120 PNG), varied by `seed`.
pub(crate) struct Photo {
    /// The full picture.
    pub(crate) full: Vec<u8>,
    /// The thumbnail.
    pub(crate) thumb: Vec<u8>,
}

/// Draws a "photo": a wall-to-floor gradient, a pipe run with a valve and a drop to the
/// floor, in colours chosen from `seed`; a `before` photo shows the leak and its puddle.
pub(crate) fn photo(seed: u64, before: bool) -> anyhow::Result<Photo> {
    const SKIES: [[u8; 3]; 4] = [
        [196, 214, 232],
        [226, 220, 204],
        [208, 226, 214],
        [230, 210, 214],
    ];
    const PIPES: [[u8; 3]; 3] = [[184, 115, 51], [150, 150, 156], [236, 236, 236]];
    let (w, h) = PHOTO_SIZE;
    let scene = Scene {
        h,
        sky: SKIES[(seed % 4) as usize],
        pipe: PIPES[((seed / 4) % 3) as usize],
        pipe_y: 150 + (seed % 7) as u32 * 25,
        valve_x: 120 + (seed % 11) as u32 * 36,
        before,
    };
    // Every test seeds the demo, unoptimised: each row is painted in its wall colour at
    // once, and only the columns where the drop, the leak or the valve may be are drawn
    // pixel by pixel (a whole-picture pixel loop was most of the test suite's time).
    let mut pixels = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        let start = pixels.len();
        pixels.extend(scene.wall(y).repeat(w as usize));
        let row = &mut pixels[start..];
        let (lo, hi) = scene.columns(y);
        for x in lo..hi.min(w) {
            let at = (x * 3) as usize;
            let wall = [row[at], row[at + 1], row[at + 2]];
            row[at..at + 3].copy_from_slice(&scene.detail(x, y, wall));
        }
    }
    let img = RgbImage::from_raw(w, h, pixels).context("a photo's pixels do not fill it")?;
    let small = image::imageops::thumbnail(&img, THUMB_SIZE.0, THUMB_SIZE.1);
    Ok(Photo {
        full: png(&img)?,
        thumb: png(&small)?,
    })
}

/// What one photo shows: its colours and where its pipe and valve are.
struct Scene {
    h: u32,
    sky: [u8; 3],
    pipe: [u8; 3],
    pipe_y: u32,
    valve_x: u32,
    before: bool,
}

impl Scene {
    /// The colour of row `y` away from the drop, the leak and the valve.
    fn wall(&self, y: u32) -> [u8; 3] {
        let h = self.h;
        let mut c = mix(self.sky, [92, 88, 84], y as f32 / h as f32);
        // A wall panel with a darker skirting board.
        if y > h * 3 / 4 {
            c = mix(
                [120, 104, 90],
                [70, 60, 52],
                (y - h * 3 / 4) as f32 / (h / 4) as f32,
            );
        }
        // A horizontal pipe with a highlight along its top.
        if y >= self.pipe_y && y < self.pipe_y + 28 {
            let shade = 1.0 - ((y - self.pipe_y) as f32 / 28.0 - 0.3).abs();
            c = mix([30, 30, 30], self.pipe, shade.clamp(0.2, 1.0));
        }
        c
    }

    /// The columns of row `y` that `detail` may change (empty when none).
    fn columns(&self, y: u32) -> (u32, u32) {
        let (h, pipe_y, valve_x) = (self.h, self.pipe_y, self.valve_x);
        let (mut lo, mut hi) = (u32::MAX, 0);
        let drop_x = valve_x + 160;
        if y >= pipe_y && y < h * 3 / 4 {
            (lo, hi) = (drop_x, drop_x + 24);
        }
        let drips = y > pipe_y + 40 && y < h * 3 / 4;
        let puddle = y.abs_diff(h * 3 / 4 + 40) < 22;
        let valve = y + 16 > pipe_y && y < pipe_y + 44;
        let reach = if self.before && (drips || puddle) {
            110
        } else if valve {
            30
        } else {
            return (lo, hi);
        };
        (
            lo.min(valve_x.saturating_sub(reach)),
            hi.max(valve_x + reach + 1),
        )
    }

    /// The colour at (`x`, `y`) over the row's `wall` colour: the drop, the leak, the valve.
    fn detail(&self, x: u32, y: u32, wall: [u8; 3]) -> [u8; 3] {
        let (h, pipe_y, valve_x) = (self.h, self.pipe_y, self.valve_x);
        let mut c = wall;
        // A vertical drop from the pipe to the floor.
        let drop_x = valve_x + 160;
        if x >= drop_x && x < drop_x + 24 && y >= pipe_y && y < h * 3 / 4 {
            let shade = 1.0 - ((x - drop_x) as f32 / 24.0 - 0.3).abs();
            c = mix([30, 30, 30], self.pipe, shade.clamp(0.2, 1.0));
        }
        // Before the repair: drips under the valve and a puddle on the floor.
        if self.before {
            let (px, py) = (
                x as f32 - valve_x as f32,
                y as f32 - (h * 3 / 4 + 40) as f32,
            );
            if (px / 110.0).powi(2) + (py / 22.0).powi(2) < 1.0 {
                c = mix(c, [70, 120, 190], 0.7);
            }
            let under = y > pipe_y + 40 && y < h * 3 / 4;
            if under && (x as f32 - valve_x as f32).abs() < 5.0 && (y - pipe_y) % 48 < 16 {
                c = [80, 140, 210];
            }
        }
        // A round red valve handle on the pipe.
        let (dx, dy) = (x as f32 - valve_x as f32, y as f32 - (pipe_y as f32 + 14.0));
        if dx * dx + dy * dy < 30.0 * 30.0 {
            c = if dx * dx + dy * dy < 8.0 * 8.0 {
                [60, 60, 60]
            } else {
                [200, 40, 36]
            };
        }
        c
    }
}

/// Encodes `img`; flat runs of colour make the left-neighbour filter and fast
/// compression both cheap and small.
fn png(img: &RgbImage) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    let encoder = PngEncoder::new_with_quality(&mut out, CompressionType::Fast, PngFilter::Sub);
    img.write_with_encoder(encoder)
        .context("cannot encode a PNG")?;
    Ok(out)
}

fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> [u8; 3] {
    let t = t.clamp(0.0, 1.0);
    let ch = |i: usize| (f32::from(a[i]) * (1.0 - t) + f32::from(b[i]) * t).round() as u8;
    [ch(0), ch(1), ch(2)]
}

/// Whether `p` lies inside the polygon `poly` (even-odd rule); an empty polygon holds nothing.
fn inside(poly: &[(f32, f32)], p: (f32, f32)) -> bool {
    let mut odd = false;
    let mut j = poly.len().wrapping_sub(1);
    for (i, &(xi, yi)) in poly.iter().enumerate() {
        let (xj, yj) = poly[j];
        if (yi > p.1) != (yj > p.1) && p.0 < (xj - xi) * (p.1 - yi) / (yj - yi) + xi {
            odd = !odd;
        }
        j = i;
    }
    odd
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::ImageFormat;

    #[test]
    fn photos_and_thumbnails_are_pngs_of_the_stated_sizes() -> anyhow::Result<()> {
        let p = photo(3, true)?;
        let full = image::load_from_memory_with_format(&p.full, ImageFormat::Png)?;
        let thumb = image::load_from_memory_with_format(&p.thumb, ImageFormat::Png)?;
        assert_eq!((full.width(), full.height()), PHOTO_SIZE);
        assert_eq!((thumb.width(), thumb.height()), THUMB_SIZE);
        assert_eq!(
            photo(3, true)?.full,
            p.full,
            "the same seed draws the same photo"
        );
        assert_ne!(photo(3, false)?.full, p.full, "after the repair, no puddle");
        Ok(())
    }

    #[test]
    fn a_logo_shows_its_mark_on_the_background() -> anyhow::Result<()> {
        let bytes = logo([11, 92, 173], [255, 255, 255], Mark::House)?;
        let img = image::load_from_memory_with_format(&bytes, ImageFormat::Png)?.to_rgb8();
        assert_eq!(img.get_pixel(2, 2).0, [11, 92, 173]);
        assert_eq!(img.get_pixel(40, 90).0, [255, 255, 255], "a wall");
        assert_eq!(img.get_pixel(64, 100).0, [11, 92, 173], "the door");
        Ok(())
    }
}
