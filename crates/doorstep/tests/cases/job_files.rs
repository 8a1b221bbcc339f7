//! `doorstep_app::jobs` files and checklists: the office adds photos and documents (checked
//! by content before anything is written), each visible to the customer or not, shows,
//! hides and removes them; the portal reads only visible ones, for those who may see the
//! job. Checklists are added, ticked, noted and completed.

use std::io::Cursor;

use doorstep_app::jobs::{self, ChecklistAnswers, NewChecklist, NewJob, NewJobForm};
use doorstep_app::{AppError, StaffActor};
use doorstep_core::ids::{AttachmentId, JobId};
use doorstep_media::MediaError;
use doorstep_testkit::{Backend, both_backends};
use doorstep_web::FileStore;
use doorstep_web::uploads::{FilePart, StoredFile, UploadError, store_file};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};

use crate::world::World;

const TABLES: &[&str] = &["attachments", "job_forms"];
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
const GPS: &[u8] = b"GPS 51.5074N 0.1278W";

/// A small picture encoded as `format`.
fn picture(format: ImageFormat) -> Vec<u8> {
    let image = DynamicImage::ImageRgb8(RgbImage::from_fn(48, 32, |x, y| {
        Rgb([(x * 5) as u8, (y * 7) as u8, 90])
    }));
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A JPEG carrying an Exif segment with `marker` where a camera puts its GPS block.
fn jpeg_with_exif(marker: &[u8]) -> Vec<u8> {
    let plain = picture(ImageFormat::Jpeg);
    let mut payload = b"Exif\0\0II*\0\x08\0\0\0\0\0\0\0\0\0".to_vec();
    payload.extend_from_slice(marker);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&plain[2..]);
    out
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

/// A 1x1 PNG whose header claims 12000 x 12000 pixels: refused from the header alone.
fn pixel_bomb() -> Vec<u8> {
    let mut png = picture(ImageFormat::Png);
    png[16..20].copy_from_slice(&12_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&12_000u32.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn part(name: &str, bytes: &[u8]) -> FilePart {
    FilePart {
        field: "files".into(),
        filename: name.into(),
        content: Ok(bytes.to_vec()),
    }
}

/// Stores `bytes` as the upload adapter does; the checked, stored file.
async fn stored(files: &FileStore, name: &str, bytes: &[u8]) -> StoredFile {
    store_file(files, &part(name, bytes)).await.unwrap()
}

/// Every file under the store's directory.
fn files_on_disk(files: &FileStore) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries
                .flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        count(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
    }
    count(files.root())
}

/// A new job of Harbor at Sam's Bayview site, made by `staff`: its number and id.
async fn bayview_job(w: &World, staff: &StaffActor) -> (String, JobId) {
    let sam = w.sam().await;
    let customer = sam.customer().0.to_string();
    let site = sam.scope().sites[0].0.to_string();
    let f = NewJobForm {
        customer: &customer,
        site: &site,
        summary: "Pump check",
        ..NewJobForm::default()
    };
    let number = jobs::create(&w.app, staff, NewJob::parse(&f).unwrap())
        .await
        .unwrap()
        .number;
    let id = JobId(
        w.store
            .office_job(w.acme.id, &number)
            .await
            .unwrap()
            .unwrap()
            .id,
    );
    (number, id)
}

both_backends! {
    /// Office staff add a photo for the customer and a document kept in the office: both
    /// listed for the office with who added them; the customer (Sam, at the job's site)
    /// sees and may open only the photo; EXIF is gone from the stored photo.
    async fn office_adds_files_and_the_customer_sees_only_visible_ones(backend: Backend) {
        let w = World::demo(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::new(dir.path().to_path_buf());
        let oscar = w.oscar().await;
        let (number, job) = bayview_job(&w, &oscar).await;
        let photo = stored(&files, "boiler.jpg", &jpeg_with_exif(GPS)).await;
        assert_eq!(photo.kind, "photo");
        let bytes = files.read(&photo.storage_key).await.unwrap();
        assert!(!bytes.windows(GPS.len()).any(|w| w == GPS), "EXIF was stripped");
        let added = jobs::add_files(&w.app, &oscar, &number, &[photo], true).await.unwrap();
        assert_eq!(added.count, 1);
        assert_eq!(w.last_audit(&w.acme).await, ("job.files_added".into(), "dispatch@acme.test".into()));
        let doc = stored(&files, "quote.pdf", PDF).await;
        assert_eq!(doc.kind, "document");
        jobs::add_files(&w.app, &oscar, &number, &[doc], false).await.unwrap();

        let office = w.store.office_job_files(w.acme.id, job).await.unwrap();
        assert_eq!(office.len(), 2);
        let (p, d) = (&office[0], &office[1]);
        assert_eq!((p.kind.as_str(), p.customer_visible), ("photo", true));
        assert_eq!((d.kind.as_str(), d.customer_visible), ("document", false));
        assert!(p.added_by.is_some() && p.thumb_key.is_some());

        let seen = w.store.job_files(w.acme.id, job).await.unwrap();
        assert_eq!(seen.iter().map(|f| f.id).collect::<Vec<_>>(), [p.id]);
        let sam = w.sam().await;
        assert!(w.store.job_file_for_contact(w.acme.id, sam.scope(), AttachmentId(p.id)).await.unwrap().is_some());
        assert!(w.store.job_file_for_contact(w.acme.id, sam.scope(), AttachmentId(d.id)).await.unwrap().is_none(), "hidden file");
        // Dana acts for another account: neither file is hers.
        let dana = w.dana().await;
        assert_ne!(dana.customer(), sam.customer());
        assert!(w.store.job_file_for_contact(w.acme.id, dana.scope(), AttachmentId(p.id)).await.unwrap().is_none());
        // Bolt's contacts and staff never reach Acme's files.
        let bolt = w.company("bolt").await;
        assert!(w.store.job_file_for_contact(bolt.id, sam.scope(), AttachmentId(p.id)).await.unwrap().is_none());
    }

    /// Bad content, a picture claiming too many pixels and a file over the size limit are
    /// refused by the upload check before any decoding or writing; no files, too many
    /// files, another company and a site contact's job numbers write nothing.
    async fn bad_uploads_are_refused_and_nothing_is_written(backend: Backend) {
        let w = World::demo(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::new(dir.path().to_path_buf());
        let oscar = w.oscar().await;
        let (number, _) = bayview_job(&w, &oscar).await;
        let before = w.snapshot(TABLES).await;

        let html = store_file(&files, &part("photo.png", b"<html><script>alert(1)</script></html>")).await;
        assert!(matches!(html, Err(UploadError::Rejected(MediaError::NotAccepted))), "{html:?}");
        let bomb = store_file(&files, &part("bomb.png", &pixel_bomb())).await;
        assert!(matches!(bomb, Err(UploadError::Rejected(MediaError::TooManyPixels { .. }))), "{bomb:?}");
        // Over the cap: the size is checked before anything looks at the content.
        let big = vec![0xFFu8; doorstep_media::MAX_UPLOAD_BYTES + 1];
        assert!(matches!(doorstep_media::check_upload(&big, "big.jpg"), Err(MediaError::TooLarge { .. })));
        let too_large = FilePart {
            field: "files".into(), filename: "big.jpg".into(),
            content: Err(MediaError::TooLarge { limit_mb: 10 }),
        };
        assert!(matches!(store_file(&files, &too_large).await, Err(UploadError::Rejected(MediaError::TooLarge { .. }))));
        assert_eq!(files_on_disk(&files), 0, "a refused upload stores no bytes");

        let err = jobs::add_files(&w.app, &oscar, &number, &[], true).await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("files"));
        let one = stored(&files, "a.png", &picture(ImageFormat::Png)).await;
        let five = vec![one.clone(); 5];
        let err = jobs::add_files(&w.app, &oscar, &number, &five, true).await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("files"));
        let bolt = w.staff("bolt", "office@bolt.test").await;
        let err = jobs::add_files(&w.app, &bolt, &number, std::slice::from_ref(&one), true).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound) || bolt_has(&w, &number).await, "{err:?}");
        let err = jobs::add_files(&w.app, &oscar, "J-999999", &[one], true).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        assert!(jobs::parse_visibility(Some("maybe")).is_err() && jobs::parse_visibility(None).is_err());
        assert_eq!(w.snapshot(TABLES).await, before);
    }

    /// The office hides and shows a file and removes one; another company's staff and a
    /// file of another job get 404 and change nothing; a removed file is gone for everyone.
    async fn visibility_moves_and_removal(backend: Backend) {
        let w = World::demo(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let files = FileStore::new(dir.path().to_path_buf());
        let olivia = w.olivia().await;
        let (number, job) = bayview_job(&w, &olivia).await;
        let (other, _) = bayview_job(&w, &olivia).await;
        let doc = stored(&files, "notes.txt", b"Checked the pump.").await;
        jobs::add_files(&w.app, &olivia, &number, &[doc], false).await.unwrap();
        let id = w.store.office_job_files(w.acme.id, job).await.unwrap()[0].id;
        let sam = w.sam().await;
        let sees = async |id: i64| w.store.job_file_for_contact(w.acme.id, sam.scope(), AttachmentId(id)).await.unwrap().is_some();
        assert!(!sees(id).await);
        jobs::set_file_visibility(&w.app, &olivia, &number, id, true).await.unwrap();
        assert_eq!(w.last_audit(&w.acme).await.0, "job.file_shown");
        assert!(sees(id).await);
        jobs::set_file_visibility(&w.app, &olivia, &number, id, false).await.unwrap();
        assert_eq!(w.last_audit(&w.acme).await.0, "job.file_hidden");
        assert!(!sees(id).await);
        jobs::set_file_visibility(&w.app, &olivia, &number, id, true).await.unwrap();

        let before = w.snapshot(TABLES).await;
        let err = jobs::set_file_visibility(&w.app, &olivia, &other, id, false).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "another job's file: {err:?}");
        let bolt = w.staff("bolt", "office@bolt.test").await;
        let err = jobs::set_file_visibility(&w.app, &bolt, &number, id, false).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        let err = jobs::remove_file(&w.app, &bolt, &number, id).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        assert_eq!(w.snapshot(TABLES).await, before);
        assert!(sees(id).await);

        jobs::remove_file(&w.app, &olivia, &number, id).await.unwrap();
        assert_eq!(w.last_audit(&w.acme).await, ("job.file_removed".into(), "office@acme.test".into()));
        assert!(!sees(id).await, "a removed file is gone from the portal");
        assert!(w.store.office_job_files(w.acme.id, job).await.unwrap().is_empty());
        assert_eq!(w.rows("attachments").await, before[2].1, "the row stays for the history");
        let err = jobs::remove_file(&w.app, &olivia, &number, id).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        let err = jobs::set_file_visibility(&w.app, &olivia, &number, id, true).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
    }

    /// A checklist typed on the job: ticked and noted while open, completed with who and
    /// when, then read-only; the customer sees it only once completed.
    async fn checklists_are_ticked_and_completed(backend: Backend) {
        let w = World::demo(backend).await;
        let oscar = w.oscar().await;
        let (number, job) = bayview_job(&w, &oscar).await;
        let errors = NewChecklist::parse(" ", "\n \n").unwrap_err();
        assert!(errors.get("title").is_some() && errors.get("items").is_some());
        let c = NewChecklist::parse("Pump safety", "Power off\nValve closed\nArea clean").unwrap();
        let form = jobs::add_checklist(&w.app, &oscar, &number, c).await.unwrap();
        assert_eq!(w.last_audit(&w.acme).await.0, "job.form_added");
        assert!(w.store.job_forms(w.acme.id, job).await.unwrap().is_empty(), "open checklists stay in the office");

        let a = ChecklistAnswers::parse(&["0", "2"], "Valve stiff", false).unwrap();
        let saved = jobs::save_checklist(&w.app, &oscar, &number, form, a).await.unwrap();
        assert!(!saved.completed);
        assert_eq!(w.last_audit(&w.acme).await.0, "job.form_saved");
        let f = w.store.office_job_form(w.acme.id, job, form).await.unwrap().unwrap();
        assert_eq!(f.items.iter().map(|(_, t)| *t).collect::<Vec<_>>(), [true, false, true]);
        assert_eq!(f.note, "Valve stiff");

        let before = w.snapshot(TABLES).await;
        let bad = ChecklistAnswers::parse(&["7"], "", false).unwrap();
        let err = jobs::save_checklist(&w.app, &oscar, &number, form, bad).await.unwrap_err();
        assert_eq!(err.invalid().map(|e| e.field), Some("items"));
        assert!(ChecklistAnswers::parse(&[], &"n".repeat(2001), false).unwrap_err().get("note").is_some());
        let bolt = w.staff("bolt", "office@bolt.test").await;
        let any = ChecklistAnswers::parse(&[], "", true).unwrap();
        let err = jobs::save_checklist(&w.app, &bolt, &number, form, any.clone()).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        let err = jobs::save_checklist(&w.app, &oscar, &number, form + 1000, any.clone()).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        assert_eq!(w.snapshot(TABLES).await, before);

        let done = ChecklistAnswers::parse(&["0", "1", "2"], "All good", true).unwrap();
        assert!(jobs::save_checklist(&w.app, &oscar, &number, form, done).await.unwrap().completed);
        assert_eq!(w.last_audit(&w.acme).await, ("job.form_completed".into(), "dispatch@acme.test".into()));
        let f = w.store.office_job_form(w.acme.id, job, form).await.unwrap().unwrap();
        assert!(f.completed_at.is_some() && f.completed_by.is_some());
        let seen = w.store.job_forms(w.acme.id, job).await.unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].answers[1], ("Valve closed".to_owned(), "Yes".to_owned()));
        assert_eq!(seen[0].note, "All good");

        let before = w.snapshot(TABLES).await;
        let err = jobs::save_checklist(&w.app, &oscar, &number, form, any).await.unwrap_err();
        assert_eq!(err.conflict_reason(), Some("completed"));
        assert_eq!(w.snapshot(TABLES).await, before);
    }
}

/// Whether Bolt happens to have a job numbered `number` (then refusing is its own job's business).
async fn bolt_has(w: &World, number: &str) -> bool {
    let bolt = w.company("bolt").await;
    w.store.office_job(bolt.id, number).await.unwrap().is_some()
}
