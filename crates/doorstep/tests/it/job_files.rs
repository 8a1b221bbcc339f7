//! The office job page's photos, documents and checklists over HTTP on both engines:
//! uploads need the form's token, bad content is refused next to the field with nothing
//! written, a hidden file's URL is 404 for the customer, files of another job or company
//! are 404, removing asks first, and the portal shows completed checklists.

use std::io::Cursor;

use doorstep_core::ids::JobId;
use doorstep_testkit::{Backend, both_backends};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};

use crate::helpers::{
    PASSWORD, TestApp, csrf_of, html, multipart_body, office, seed_people, sign_in, text_of,
};
use crate::jobs::seed_jobs;

pub(crate) const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

pub(crate) fn png() -> Vec<u8> {
    let image = DynamicImage::ImageRgb8(RgbImage::from_fn(40, 30, |x, y| {
        Rgb([(x * 6) as u8, (y * 8) as u8, 120])
    }));
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Posts the upload form of job `number` with `visible` and `files`, the token given.
async fn upload(
    app: &TestApp,
    client: &reqwest::Client,
    token: &str,
    number: &str,
    visible: &str,
    files: &[(&str, &[u8])],
) -> (u16, String) {
    let (content_type, body) = multipart_body(
        &[("csrf_token", token), ("visible", visible)],
        "files",
        files,
    );
    let res = client
        .post(app.url("acme", &format!("/office/jobs/{number}/files")))
        .header("origin", app.origin("acme"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = res.text().await.unwrap();
    (status, if status == 303 { location } else { body })
}

async fn get(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let res = client.get(app.url("acme", path)).send().await.unwrap();
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|t| t.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = if kind.starts_with("text/html") {
        res.text().await.unwrap()
    } else {
        kind
    };
    (status, body)
}

async fn portal(app: &TestApp, email: &str, account: Option<i64>) -> reqwest::Client {
    let client = app.client(&["acme"]);
    sign_in(app, &client, "acme", email).await;
    if let Some(c) = account {
        app.submit(
            &client,
            "acme",
            "/accounts",
            "/accounts",
            &[("customer", &c.to_string())],
        )
        .await;
    }
    client
}

async fn rows(app: &TestApp) -> i64 {
    doorstep_store::on_pool!(app.store, p => sqlx::query_scalar("SELECT COUNT(*) FROM attachments").fetch_one(p).await).unwrap()
}

both_backends! {
    /// The office adds a visible photo and a hidden document to B-1 (Sam's Bayview site):
    /// both listed in the office; the contacts see and open only the photo, the document's
    /// URL is 404 until it is shown; another job's or company's file is 404; removing asks
    /// first and then the photo is gone for everyone.
    async fn office_files_reach_the_portal_only_when_visible(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        let seeded = seed_jobs(&app, &people).await;
        let staff = office(&app).await;
        let token = csrf_of(&staff, &app.url("acme", "/office/jobs/B-1")).await;
        let before = rows(&app).await;

        // No token: refused as forged, nothing written.
        let (status, _) = upload(&app, &staff, "forged", "B-1", "yes", &[("a.png", &png())]).await;
        assert_eq!(status, 403);
        // Bad content named as a photo: refused next to the field, nothing written.
        let (status, body) = upload(&app, &staff, &token, "B-1", "yes", &[("photo.png", b"<html>hi</html>")]).await;
        assert_eq!(status, 422);
        assert!(text_of(&html(&body), "#job-files-error").unwrap().contains("photo.png"), "{body}");
        // No choice of who sees them: asked next to the choice.
        let (status, body) = upload(&app, &staff, &token, "B-1", "", &[("a.png", &png())]).await;
        assert_eq!(status, 422);
        assert!(text_of(&html(&body), "#visible-error").is_some());
        assert_eq!(rows(&app).await, before);

        let (status, to) = upload(&app, &staff, &token, "B-1", "yes", &[("pump.png", &png())]).await;
        assert_eq!((status, to.as_str()), (303, "/office/jobs/B-1?done=files"));
        let (status, _) = upload(&app, &staff, &token, "B-1", "no", &[("internal.pdf", PDF)]).await;
        assert_eq!(status, 303);
        let b1 = app.store.office_job(people.acme, "B-1").await.unwrap().unwrap();
        let files = app.store.office_job_files(people.acme, JobId(b1.id)).await.unwrap();
        let photo = files.iter().find(|f| f.filename == "pump.png").unwrap().id;
        let doc = files.iter().find(|f| f.filename == "internal.pdf").unwrap().id;
        let (status, page) = get(&app, &staff, "/office/jobs/B-1").await;
        assert_eq!(status, 200);
        assert!(page.contains("pump.png") && page.contains("internal.pdf") && page.contains("Hidden"));
        assert_eq!(get(&app, &staff, &format!("/office/jobs/B-1/files/{photo}")).await, (200, "image/png".to_owned()));
        assert_eq!(get(&app, &staff, &format!("/office/jobs/B-1/files/{photo}/thumb")).await, (200, "image/jpeg".to_owned()));
        assert_eq!(get(&app, &staff, &format!("/office/jobs/B-1/files/{doc}")).await.0, 200);
        // Another job's file, a made-up one, another job number: 404.
        assert_eq!(get(&app, &staff, &format!("/office/jobs/P-1/files/{photo}")).await.0, 404);
        assert_eq!(get(&app, &staff, &format!("/office/jobs/B-1/files/{}", seeded.pier_photo)).await.0, 404);
        assert_eq!(get(&app, &staff, "/office/jobs/B-1/files/x").await.0, 404);

        // Sam (site contact at Bayview) and Dana acting for Harbor see only the photo.
        let sam = portal(&app, "sam@example.test", None).await;
        let dana = portal(&app, "dana@example.test", Some(people.harbor.0)).await;
        for contact in [&sam, &dana] {
            let (status, page) = get(&app, contact, "/jobs/B-1").await;
            assert_eq!(status, 200);
            assert!(page.contains(&format!("href=\"/files/{photo}\"")), "the visible photo is listed");
            assert!(!page.contains("internal.pdf") && !page.contains(&format!("/files/{doc}\"")), "the hidden document is not");
            assert_eq!(get(&app, contact, &format!("/files/{photo}")).await.0, 200);
            assert_eq!(get(&app, contact, &format!("/files/{doc}")).await.0, 404, "a hidden file's URL");
            // Office URLs are not the portal's.
            assert_ne!(get(&app, contact, &format!("/office/jobs/B-1/files/{photo}")).await.0, 200);
        }
        // Dana acting for her household sees neither.
        let household = portal(&app, "dana@example.test", Some(people.household.0)).await;
        assert_eq!(get(&app, &household, &format!("/files/{photo}")).await.0, 404);

        // Bolt's office (its own B-1) cannot reach Acme's files.
        let bolt = app.client(&["bolt"]);
        {
            let mut tx = app.store.begin().await.unwrap();
            let bolt_co = app.store.company_by_slug("bolt").await.unwrap().unwrap();
            let hash = doorstep_web::auth::password::hash_password(PASSWORD, doorstep_web::PasswordCost::TestOnly).unwrap();
            tx.create_staff(bolt_co.id, "office@bolt.test", "Bo", doorstep_core::status::StaffRole::Admin, Some(&hash)).await.unwrap();
            tx.commit().await.unwrap();
        }
        app.submit(&bolt, "bolt", "/office", "/office/sign-in", &[("email", "office@bolt.test"), ("password", PASSWORD)]).await;
        let res = bolt.get(app.url("bolt", &format!("/office/jobs/B-1/files/{photo}"))).send().await.unwrap();
        assert_eq!(res.status(), 404);
        let bolt_token = csrf_of(&bolt, &app.url("bolt", "/office/jobs/B-1")).await;
        let res = bolt.post(app.url("bolt", &format!("/office/jobs/B-1/files/{photo}/remove")))
            .header("origin", app.origin("bolt")).form(&[("csrf_token", bolt_token.as_str())]).send().await.unwrap();
        assert_eq!(res.status(), 404);

        // Show the document; hide it again is a form with the token (none: refused).
        let res = staff.post(app.url("acme", &format!("/office/jobs/B-1/files/{doc}/visibility")))
            .header("origin", app.origin("acme")).form(&[("visible", "yes")]).send().await.unwrap();
        assert_eq!(res.status(), 403);
        assert_eq!(get(&app, &sam, &format!("/files/{doc}")).await.0, 404);
        let res = app.submit(&staff, "acme", "/office/jobs/B-1", &format!("/office/jobs/B-1/files/{doc}/visibility"), &[("visible", "yes")]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(get(&app, &sam, &format!("/files/{doc}")).await.0, 200);

        // Removing asks first; then the photo is gone for the office and the customer.
        let (status, page) = get(&app, &staff, &format!("/office/jobs/B-1/files/{photo}/remove")).await;
        assert_eq!(status, 200);
        assert!(page.contains("data-testid=\"confirm-remove\""));
        let res = app.submit(&staff, "acme", &format!("/office/jobs/B-1/files/{photo}/remove"), &format!("/office/jobs/B-1/files/{photo}/remove"), &[]).await;
        assert_eq!(res.status(), 303);
        assert_eq!(get(&app, &staff, &format!("/office/jobs/B-1/files/{photo}")).await.0, 404);
        assert_eq!(get(&app, &sam, &format!("/files/{photo}")).await.0, 404);
        assert!(!get(&app, &sam, "/jobs/B-1").await.1.contains("pump.png"));
    }

    /// A checklist typed on the job: a missing title is asked for next to the field; the
    /// completed checklist shows on the customer's job page, read-only.
    async fn checklists_show_in_the_portal_once_completed(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_jobs(&app, &people).await;
        let staff = office(&app).await;
        let res = app.submit(&staff, "acme", "/office/jobs/B-1", "/office/jobs/B-1/forms", &[("title", ""), ("items", "Power off")]).await;
        assert_eq!(res.status(), 422);
        let doc = html(&res.text().await.unwrap());
        assert!(text_of(&doc, "#checklist-title-error").is_some());
        let res = app.submit(&staff, "acme", "/office/jobs/B-1", "/office/jobs/B-1/forms", &[("title", "Pump safety"), ("items", "Power off\nValve closed")]).await;
        assert_eq!(res.status(), 303);
        let sam = portal(&app, "sam@example.test", None).await;
        assert!(!get(&app, &sam, "/jobs/B-1").await.1.contains("Pump safety"), "open checklists stay in the office");
        let b1 = app.store.office_job(people.acme, "B-1").await.unwrap().unwrap();
        let form = app.store.office_job_forms(people.acme, JobId(b1.id)).await.unwrap()[0].id;
        let action = format!("/office/jobs/B-1/forms/{form}");
        let res = app.submit(&staff, "acme", "/office/jobs/B-1", &action, &[("item", "0"), ("item", "1"), ("note", "All fine"), ("complete", "yes")]).await;
        assert_eq!(res.status(), 303);
        let (_, page) = get(&app, &sam, "/jobs/B-1").await;
        assert!(page.contains("Pump safety") && page.contains("Valve closed") && page.contains("All fine"), "{page}");
        // Completed: it no longer changes.
        let res = app.submit(&staff, "acme", "/office/jobs/B-1", &action, &[("note", "Changed")]).await;
        assert_eq!(res.status(), 409);
        let res = app.submit(&staff, "acme", "/office/jobs/B-1", "/office/jobs/B-1/forms/999999", &[("note", "x")]).await;
        assert_eq!(res.status(), 404);
    }
}
