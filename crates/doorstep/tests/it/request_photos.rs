//! The photos step of "Request service": up to the company's limit (at most 4), each
//! checked by content and re-encoded without its metadata, all or none per upload, a
//! clear message next to the field for anything refused, removable, moved to the request
//! at submit, and served only to the draft's owner and to those who may see the request.

use std::io::Cursor;

use doorstep_testkit::{Backend, both_backends};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};

use crate::helpers::{PASSWORD, html, multipart_body, text_of};
use crate::requests::{Fixture, browser, fill_to_photos, get, location, setup};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
const GPS: &[u8] = b"GPS 51.5074N 0.1278W";

/// A small picture encoded as `format`.
fn picture(format: ImageFormat, shade: u8) -> Vec<u8> {
    let image = DynamicImage::ImageRgb8(RgbImage::from_fn(48, 32, |x, y| {
        Rgb([(x * 5) as u8, (y * 7) as u8, shade])
    }));
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A JPEG carrying an Exif segment with `marker` where a camera puts its GPS block.
fn jpeg_with_exif(marker: &[u8]) -> Vec<u8> {
    let plain = picture(ImageFormat::Jpeg, 90);
    let mut tiff = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend_from_slice(&0u16.to_le_bytes()); // no entries
    tiff.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    tiff.extend_from_slice(marker);
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec(); // SOI
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&plain[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Posts the photos form of draft `base` with `action` (`add` or `continue`) and `files`;
/// status, location, body.
pub(crate) async fn post_photos(
    f: &Fixture,
    client: &reqwest::Client,
    base: &str,
    action: &str,
    files: &[(&str, &[u8])],
) -> (u16, String, String) {
    let page = format!("{base}/photos");
    let token = crate::helpers::csrf_of(client, &f.app.url("acme", &page)).await;
    let (content_type, body) = multipart_body(
        &[("csrf_token", &token), ("action", action)],
        "photos",
        files,
    );
    let res = client
        .post(f.app.url("acme", &page))
        .header("origin", f.app.origin("acme"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let to = location(&res);
    (status, to, res.text().await.unwrap())
}

/// The thumbnails' URLs on `page`.
fn thumbs(page: &str) -> Vec<String> {
    let sel = scraper::Selector::parse("img[src$='/thumb']").unwrap();
    html(page)
        .select(&sel)
        .filter_map(|e| e.value().attr("src").map(str::to_owned))
        .collect()
}

async fn photo_count(f: &Fixture, base: &str, client: &reqwest::Client) -> usize {
    thumbs(&get(f, client, &format!("{base}/photos")).await.1).len()
}

async fn get_bytes(f: &Fixture, client: &reqwest::Client, path: &str) -> reqwest::Response {
    client.get(f.app.url("acme", path)).send().await.unwrap()
}

both_backends! {
    async fn four_photos_are_taken_and_a_fifth_is_refused_next_to_the_field_with_nothing_saved(backend: Backend) {
        let f = setup(backend).await;
        let dana = browser(&f, "dana@example.test", Some(f.people.household)).await;
        let base = fill_to_photos(&f, &dana, f.home, "Boiler leaks").await;
        let (status, page) = get(&f, &dana, &format!("{base}/photos")).await;
        assert_eq!(status, 200);
        let doc = html(&page);
        assert!(text_of(&doc, "[data-testid=no-photos]").is_some(), "an empty state");
        let input = doc.select(&scraper::Selector::parse("input#photos[type=file][multiple]").unwrap()).next().expect("a labelled file input");
        assert_eq!(input.value().attr("accept"), Some("image/jpeg,image/png,image/webp,image/heic"));

        let (a, b, c, d) = (picture(ImageFormat::Png, 1), picture(ImageFormat::Jpeg, 2), picture(ImageFormat::Png, 3), picture(ImageFormat::Jpeg, 4));
        let (status, to, _) = post_photos(&f, &dana, &base, "add", &[("one.png", &a), ("two.jpg", &b)]).await;
        assert_eq!((status, to.as_str()), (303, format!("{base}/photos").as_str()));
        // Three at once would pass the limit: refused whole.
        let (status, _, body) = post_photos(&f, &dana, &base, "add", &[("three.png", &c), ("four.jpg", &d), ("five.jpg", &d)]).await;
        assert_eq!(status, 422);
        assert!(text_of(&html(&body), "#photos-error").unwrap().contains("You can attach up to 4 photos"));
        assert_eq!(photo_count(&f, &base, &dana).await, 2, "none of the three was added");
        post_photos(&f, &dana, &base, "add", &[("three.png", &c), ("four.jpg", &d)]).await;
        let page = get(&f, &dana, &format!("{base}/photos")).await.1;
        assert_eq!(thumbs(&page).len(), 4);
        assert!(page.contains("alt=\"Photo 1: one.png\"") && page.contains("alt=\"Photo 4: four.jpg\""));
        assert_eq!(html(&page).select(&scraper::Selector::parse("form[action$='/remove'] input[name=csrf_token]").unwrap()).count(), 4);

        let (status, _, body) = post_photos(&f, &dana, &base, "continue", &[("five.jpg", &b)]).await;
        assert_eq!(status, 422, "a fifth is refused, and the form does not move on");
        let message = text_of(&html(&body), "#photos-error").unwrap();
        assert!(message.contains("You can attach up to 4 photos") && message.contains("remove one"), "{message}");
        assert_eq!(photo_count(&f, &base, &dana).await, 4);

        // The company may lower the limit; the message says its number.
        let mut settings = f.app.store.company_by_slug("acme").await.unwrap().unwrap().settings;
        settings.photo_limit_per_request = 2;
        let mut tx = f.app.store.begin().await.unwrap();
        tx.set_company_settings(f.people.acme, &settings).await.unwrap();
        tx.commit().await.unwrap();
        let other = fill_to_photos(&f, &dana, f.home, "Tap drips").await;
        let (status, _, body) = post_photos(&f, &dana, &other, "add", &[("a.png", &a), ("b.png", &c), ("c.jpg", &d)]).await;
        assert_eq!(status, 422);
        assert!(text_of(&html(&body), "#photos-error").unwrap().contains("You can attach up to 2 photos"));
        assert_eq!(photo_count(&f, &other, &dana).await, 0);
    }

    async fn a_30_mb_file_a_pdf_named_jpg_and_heic_are_refused_plainly_and_nothing_is_saved(backend: Backend) {
        let f = setup(backend).await;
        let dana = browser(&f, "dana@example.test", Some(f.people.household)).await;
        let base = fill_to_photos(&f, &dana, f.home, "Boiler leaks").await;
        let good = picture(ImageFormat::Jpeg, 7);

        let mut huge = picture(ImageFormat::Jpeg, 9);
        huge.resize(30 * 1024 * 1024, 0);
        let (status, _, body) = post_photos(&f, &dana, &base, "add", &[("good.jpg", &good), ("huge.jpg", &huge)]).await;
        assert_eq!(status, 422, "the page again, not a bare 413 or a reset connection");
        assert_eq!(text_of(&html(&body), "#photos-error").unwrap(), "huge.jpg: The file is larger than 10 MB.");

        let (status, _, body) = post_photos(&f, &dana, &base, "add", &[("good.jpg", &good), ("photo.jpg", PDF)]).await;
        assert_eq!(status, 422);
        assert_eq!(text_of(&html(&body), "#photos-error").unwrap(), "photo.jpg: The file is not a JPEG, PNG or WebP photo.");

        let mut heic = vec![0, 0, 0, 24];
        heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
        heic.extend_from_slice(&[0; 64]);
        let (status, _, body) = post_photos(&f, &dana, &base, "continue", &[("IMG_0001.HEIC", &heic)]).await;
        assert_eq!(status, 422);
        assert!(text_of(&html(&body), "#photos-error").unwrap().contains("HEIC photos can't be accepted"));

        let (status, _, body) = post_photos(&f, &dana, &base, "add", &[]).await;
        assert_eq!(status, 422);
        assert!(text_of(&html(&body), "#photos-error").unwrap().contains("Choose one or more photos"));
        assert_eq!(photo_count(&f, &base, &dana).await, 0, "the good photo beside each bad one was not kept");
        // Continuing without photos is fine: they are optional.
        let (status, to, _) = post_photos(&f, &dana, &base, "continue", &[]).await;
        assert_eq!((status, to), (303, format!("{base}/summary")));
    }

    async fn a_stored_photo_has_no_exif_and_is_served_privately_with_its_own_type(backend: Backend) {
        let f = setup(backend).await;
        let dana = browser(&f, "dana@example.test", Some(f.people.household)).await;
        let base = fill_to_photos(&f, &dana, f.home, "Boiler leaks").await;
        let original = jpeg_with_exif(GPS);
        assert!(contains(&original, GPS) && contains(&original, b"Exif"));
        post_photos(&f, &dana, &base, "add", &[("boiler.jpg", &original)]).await;
        let page = get(&f, &dana, &format!("{base}/photos")).await.1;
        let thumb = thumbs(&page).remove(0);
        let full = thumb.trim_end_matches("/thumb").to_owned();

        let res = get_bytes(&f, &dana, &full).await;
        assert_eq!(res.status().as_u16(), 200);
        let headers = res.headers().clone();
        assert_eq!(headers["content-type"], "image/jpeg");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(headers["content-disposition"].to_str().unwrap().starts_with("inline; filename=\"boiler.jpg\""));
        assert!(headers["cache-control"].to_str().unwrap().starts_with("private"));
        let bytes = res.bytes().await.unwrap();
        assert!(bytes.starts_with(&[0xFF, 0xD8]), "a JPEG");
        assert!(!contains(&bytes, GPS) && !contains(&bytes, b"Exif"), "metadata removed");

        let res = get_bytes(&f, &dana, &thumb).await;
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["content-type"], "image/jpeg", "thumbnails are JPEG whatever the photo");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        let bytes = res.bytes().await.unwrap();
        assert!(bytes.starts_with(&[0xFF, 0xD8]) && !contains(&bytes, GPS));
    }

    async fn removed_photos_go_and_submitted_ones_move_to_the_request_seen_only_by_its_account(backend: Backend) {
        let f = setup(backend).await;
        let dana = browser(&f, "dana@example.test", Some(f.people.household)).await;
        let sam = browser(&f, "sam@example.test", None).await;
        let base = fill_to_photos(&f, &dana, f.home, "Boiler leaks").await;
        let (a, b) = (picture(ImageFormat::Png, 11), picture(ImageFormat::Jpeg, 12));
        post_photos(&f, &dana, &base, "add", &[("keep.png", &a), ("drop.jpg", &b)]).await;
        let page = get(&f, &dana, &format!("{base}/photos")).await.1;
        let draft_thumbs = thumbs(&page);
        assert_eq!(draft_thumbs.len(), 2);
        // Another customer (another login and account) and a made-up id get 404.
        for path in [&draft_thumbs[0], &draft_thumbs[0].trim_end_matches("/thumb").to_owned()] {
            assert_eq!(get_bytes(&f, &sam, path).await.status().as_u16(), 404, "{path}");
        }
        assert_eq!(get_bytes(&f, &dana, &format!("{base}/photos/999999/thumb")).await.status().as_u16(), 404);
        assert_eq!(get_bytes(&f, &dana, &format!("{base}/photos/x/thumb")).await.status().as_u16(), 404);
        // Dana's own other account cannot reach this account's draft either.
        let dana_harbor = browser(&f, "dana@example.test", Some(f.people.harbor)).await;
        assert_eq!(get_bytes(&f, &dana_harbor, &draft_thumbs[0]).await.status().as_u16(), 404);

        // Remove the second: a CSRF'd POST; Sam cannot remove Dana's.
        let remove = draft_thumbs[1].replace("/thumb", "/remove");
        let res = f.app.submit(&sam, "acme", "/requests", &remove, &[]).await;
        assert_eq!(res.status().as_u16(), 404);
        let res = dana.post(f.app.url("acme", &remove)).header("origin", f.app.origin("acme")).form(&[("csrf_token", "forged")]).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 403, "no valid token, nothing removed");
        let res = f.app.submit(&dana, "acme", &format!("{base}/photos"), &remove, &[]).await;
        assert_eq!(location(&res), format!("{base}/photos"));
        let page = get(&f, &dana, &format!("{base}/photos")).await.1;
        assert_eq!(thumbs(&page), vec![draft_thumbs[0].clone()]);
        assert!(!page.contains("drop.jpg"));

        // The summary shows the photo with "Make changes" to the photos step.
        let (status, to, _) = post_photos(&f, &dana, &base, "continue", &[]).await;
        assert_eq!((status, to.as_str()), (303, format!("{base}/summary").as_str()));
        let summary = get(&f, &dana, &format!("{base}/summary")).await.1;
        assert_eq!(thumbs(&summary), vec![draft_thumbs[0].clone()]);
        assert!(summary.contains(&format!("href=\"{base}/photos\"")));

        let (status, to, _) = crate::requests::post(&f, &dana, &format!("{base}/summary"), &format!("{base}/submit"), &[]).await;
        assert_eq!(status, 303);
        let detail_path = to.trim_end_matches("?submitted=1").to_owned();
        let number = detail_path.trim_start_matches("/requests/").to_owned();
        let detail = get(&f, &dana, &to).await.1;
        let request_thumbs = thumbs(&detail);
        assert_eq!(request_thumbs.len(), 1, "the photo moved to the request");
        assert!(request_thumbs[0].starts_with(&format!("{detail_path}/photos/")));
        assert!(detail.contains("alt=\"keep.png\""));
        let res = get_bytes(&f, &dana, &request_thumbs[0]).await;
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["content-type"], "image/jpeg");
        let full = request_thumbs[0].trim_end_matches("/thumb").to_owned();
        let res = get_bytes(&f, &dana, &full).await;
        assert_eq!((res.status().as_u16(), res.headers()["content-type"].to_str().unwrap()), (200, "image/png"));
        // The draft's photo URLs are gone with the draft's photos.
        assert_eq!(get_bytes(&f, &dana, &draft_thumbs[0]).await.status().as_u16(), 404);
        // Another customer, and Dana acting for her other account: 404.
        assert_eq!(get_bytes(&f, &sam, &request_thumbs[0]).await.status().as_u16(), 404);
        assert_eq!(get_bytes(&f, &sam, &full).await.status().as_u16(), 404);
        assert_eq!(get_bytes(&f, &dana_harbor, &request_thumbs[0]).await.status().as_u16(), 404);

        // The office sees the photo on the request.
        let office = f.app.client(&["acme"]);
        f.app.submit(&office, "acme", "/office", "/office/sign-in", &[("email", "office@acme.test"), ("password", PASSWORD)]).await;
        let page = get(&f, &office, &format!("/office/requests/{number}")).await.1;
        let office_thumbs = thumbs(&page);
        assert_eq!(office_thumbs.len(), 1, "{page}");
        let res = get_bytes(&f, &office, &office_thumbs[0]).await;
        assert_eq!((res.status().as_u16(), res.headers()["content-type"].to_str().unwrap()), (200, "image/jpeg"));
    }
}
