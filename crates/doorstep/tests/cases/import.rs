//! `doorstep_app::customers::import`: the customers CSV import. The dry run checks every
//! row by the customer form's rules and writes nothing; the import runs in the background,
//! all or nothing, creating new customers and updating those whose external reference
//! matches (so a second run creates none), with one audit record. Bad files (wrong
//! delimiter, Latin-1 bytes, too large) and bad rows are refused and named. Another
//! company's references are never looked at. Portal actors cannot reach these use cases:
//! each takes a `&StaffActor` (the HTTP tests show the pages refuse them).

use std::path::{Path, PathBuf};
use std::time::Duration;

use doorstep_app::AppError;
use doorstep_app::StaffActor;
use doorstep_app::customers::accounts::{self, Customer, CustomerFields};
use doorstep_app::customers::import;
use doorstep_core::customer_import::MAX_FILE_BYTES;
use doorstep_core::ids::CompanyId;
use doorstep_store::imports::ImportRow;
use doorstep_testkit::{Backend, both_backends};

use crate::world::World;

const HEADER: &str =
    "name,type,email,phone,billing_city,external_ref,tax_exempt,payment_terms_days\n";

/// `n` good rows with references `REF-1`..; row `bad` (a spreadsheet row number, so
/// data rows start at 2) gets a broken email.
fn file(n: usize, bad: Option<usize>) -> String {
    let mut out = HEADER.to_owned();
    for i in 1..=n {
        let email = if bad == Some(i + 1) {
            "not-an-email".to_owned()
        } else {
            format!("Person{i}@Example.test")
        };
        out.push_str(&format!(
            "Imported {i},commercial,{email},555 010 {i:04},Springfield,REF-{i},yes,15\n"
        ));
    }
    out
}

/// Writes `text` to a new file in `dir`.
fn write(dir: &Path, text: &[u8]) -> PathBuf {
    let path = dir.join(format!("{:x}.csv", rand_suffix()));
    std::fs::write(&path, text).unwrap();
    path
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// Starts an import of `text` and waits for it to end.
async fn import_file(w: &World, staff: &StaffActor, text: &[u8]) -> (ImportRow, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), text);
    let id = import::start(&w.app, staff, "customers.csv", path.clone(), None)
        .await
        .unwrap();
    for _ in 0..600 {
        let row = w
            .store
            .import_row(staff.company().id, id)
            .await
            .unwrap()
            .unwrap();
        if (row.status == "done" || row.status == "failed") && !path.exists() {
            return (row, path);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("import {id} did not end");
}

async fn customers_of(w: &World, company: CompanyId) -> i64 {
    doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM customers WHERE company_id = $1")
        .bind(company.0).fetch_one(p).await)
    .unwrap()
}

/// (name, email, tax_exempt, payment terms) of the company's customer with `reference`.
async fn by_ref(
    w: &World,
    company: CompanyId,
    reference: &str,
) -> (String, String, bool, Option<i64>) {
    doorstep_store::on_pool!(w.store, p => sqlx::query_as(
        "SELECT name, email, tax_exempt, payment_terms_days FROM customers \
         WHERE company_id = $1 AND external_ref = $2")
        .bind(company.0).bind(reference).fetch_one(p).await)
    .unwrap()
}

both_backends! {
    /// A good file: the dry run counts N to create and writes nothing; the import creates
    /// N customers with the form's rules applied (email lower-cased), numbered from the
    /// company's counter, with one audit record; the file is removed afterwards.
    async fn a_good_file_creates_every_customer(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let before = customers_of(&w, w.acme.id).await;
        let snap = w.snapshot(&["customers", "imports"]).await;
        let checked = import::check(&w.app, &olivia, file(1200, None).into_bytes(), None).await.unwrap();
        assert_eq!((checked.rows, checked.creates, checked.updates, checked.error_count), (1200, 1200, 0, 0));
        assert_eq!(w.snapshot(&["customers", "imports"]).await, snap, "a dry run writes nothing");

        let (row, path) = import_file(&w, &olivia, file(1200, None).as_bytes()).await;
        assert_eq!((row.status.as_str(), row.total, row.done, row.created, row.updated), ("done", 1200, 1200, 1200, 0));
        assert!(row.finished_at.is_some());
        assert!(!path.exists(), "the job removes the file");
        assert_eq!(customers_of(&w, w.acme.id).await, before + 1200);
        assert_eq!(by_ref(&w, w.acme.id, "REF-7").await, ("Imported 7".into(), "person7@example.test".into(), true, Some(15)));
        assert_eq!(w.last_audit(&w.acme).await, ("customers.imported".into(), "office@acme.test".into()));
        assert_eq!(w.rows("audit_events").await, snap[0].1 + 1, "one audit record for the whole import");
        let numbers: Vec<String> = doorstep_store::on_pool!(w.store, p => sqlx::query_scalar(
            "SELECT number FROM customers WHERE company_id = $1 AND external_ref IS NOT NULL AND external_ref LIKE 'REF-%'")
            .bind(w.acme.id.0).fetch_all(p).await).unwrap();
        let unique: std::collections::HashSet<_> = numbers.iter().collect();
        assert_eq!(unique.len(), 1200, "each gets its own number");

        // A customer made by hand afterwards takes the next number.
        let made = accounts::create(&w.app, &olivia, Customer::parse(&CustomerFields {
            name: "By hand".into(), kind: "residential".into(), ..CustomerFields::default()
        }).unwrap()).await.unwrap();
        assert!(!numbers.contains(&made.number));
    }

    /// Importing the same references again updates those customers and creates none.
    async fn a_second_import_updates_and_creates_none(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        import_file(&w, &olivia, file(20, None).as_bytes()).await;
        let count = customers_of(&w, w.acme.id).await;
        let changed = file(20, None).replace("Imported 3,", "Renamed 3,").replace(",yes,15", ",no,");
        let checked = import::check(&w.app, &olivia, changed.clone().into_bytes(), None).await.unwrap();
        assert_eq!((checked.creates, checked.updates), (0, 20));
        let (row, _) = import_file(&w, &olivia, changed.as_bytes()).await;
        assert_eq!((row.status.as_str(), row.created, row.updated), ("done", 0, 20));
        assert_eq!(customers_of(&w, w.acme.id).await, count);
        assert_eq!(by_ref(&w, w.acme.id, "REF-3").await, ("Renamed 3".into(), "person3@example.test".into(), false, None));
    }

    /// One bad row: the dry run names it; the import writes no customer and records the
    /// row; nothing else is written.
    async fn one_bad_row_imports_nothing_and_is_named(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let text = file(50, Some(17));
        let checked = import::check(&w.app, &olivia, text.clone().into_bytes(), None).await.unwrap();
        assert_eq!(checked.error_count, 1);
        let line = checked.errors[0].line();
        assert!(line.starts_with("Row 17: email — "), "{line}");
        let snap = w.snapshot(&["customers"]).await;
        let (row, _) = import_file(&w, &olivia, text.as_bytes()).await;
        assert_eq!((row.status.as_str(), row.created, row.done), ("failed", 0, 0));
        let (count, errors) = import::errors_of(&row);
        assert_eq!(count, 1);
        assert_eq!((errors[0].row, errors[0].column.as_str()), (17, "email"));
        assert_eq!(w.snapshot(&["customers"]).await, snap, "no customer, no audit record");

        // A repeated reference and a wrong tax_exempt are named by row too.
        let text = format!("{HEADER}A,,,,,X-1,,\nB,,,,,X-1,,\nC,,,,,,maybe,\nD,shop,,,,,,400\n");
        let checked = import::check(&w.app, &olivia, text.into_bytes(), None).await.unwrap();
        let lines: Vec<String> = checked.errors.iter().map(|e| e.line()).collect();
        assert!(lines[0].starts_with("Row 3: external_ref — Row 2 has the same"), "{lines:?}");
        assert!(lines[1].starts_with("Row 4: tax_exempt — Enter yes or no"), "{lines:?}");
        assert!(lines.iter().any(|l| l.starts_with("Row 5: type — ")), "{lines:?}");
        assert!(lines.iter().any(|l| l.starts_with("Row 5: payment_terms_days — ")), "{lines:?}");
    }

    /// A wrong delimiter, Latin-1 bytes and a file over the limit are refused as a whole,
    /// with the reason, by the dry run and by the import; nothing is written.
    async fn wrong_files_are_refused_with_the_reason(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let snap = w.snapshot(&["customers"]).await;
        let semicolons = b"name;email\nAda;ada@example.test\n".to_vec();
        let latin1 = b"name,billing_city\nAda,Z\xfcrich\n".to_vec();
        let big = {
            let mut t = HEADER.as_bytes().to_vec();
            t.resize(MAX_FILE_BYTES + 1, b'a');
            t
        };
        for (bytes, says) in [(semicolons, "semicolons"), (latin1, "not UTF-8"), (big, "larger than 20 MB")] {
            let err = import::check(&w.app, &olivia, bytes.clone(), None).await.unwrap_err();
            match err {
                AppError::Invalid(e) => assert!(e.field == "file" && e.message.contains(says), "{e:?}"),
                other => panic!("{other:?}"),
            }
            let (row, _) = import_file(&w, &olivia, &bytes).await;
            assert_eq!(row.status, "failed");
            assert!(import::errors_of(&row).1[0].line().contains(says));
        }
        assert_eq!(w.snapshot(&["customers"]).await, snap);
    }

    /// A reference another company's customer has means nothing here: the import creates
    /// its own customer and never touches the other company's.
    async fn another_companys_references_are_never_touched(backend: Backend) {
        let w = World::demo(backend).await;
        let bolt = w.staff("bolt", "office@bolt.test").await;
        let bolt_id = bolt.company().id;
        accounts::create(&w.app, &bolt, Customer::parse(&CustomerFields {
            name: "Bolt's own".into(), kind: "residential".into(), external_ref: "REF-1".into(),
            ..CustomerFields::default()
        }).unwrap()).await.unwrap();
        let olivia = w.olivia().await;
        let checked = import::check(&w.app, &olivia, file(2, None).into_bytes(), None).await.unwrap();
        assert_eq!((checked.creates, checked.updates), (2, 0));
        let (row, _) = import_file(&w, &olivia, file(2, None).as_bytes()).await;
        assert_eq!((row.status.as_str(), row.created), ("done", 2));
        assert_eq!(by_ref(&w, bolt_id, "REF-1").await.0, "Bolt's own");
        assert_eq!(by_ref(&w, w.acme.id, "REF-1").await.0, "Imported 1");
        assert!(w.store.import_row(bolt_id, row.id).await.unwrap().is_none(), "another company's import is not found");
    }

    /// The row records how the job went as it goes: a finished import's heartbeat is set;
    /// a queued import whose heartbeat is older than the lease (its node stopped) is
    /// started again from its file, recorded as stopped, with an audit record; a live one,
    /// a finished one and another company's are refused, nothing written.
    async fn a_stopped_import_is_started_again(backend: Backend) {
        let w = World::demo(backend).await;
        let olivia = w.olivia().await;
        let (done, _) = import_file(&w, &olivia, file(3, None).as_bytes()).await;
        assert!(done.updated_at.is_some_and(|t| t >= done.created_at), "the heartbeat is recorded");

        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), file(4, None).as_bytes());
        let key = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let insert = |age: time::Duration| {
            let (store, key) = (w.store.clone(), key.clone());
            let (company, staff) = (w.acme.id.0, olivia.id().0);
            async move {
                let beat = doorstep_store::db_time(doorstep_store::now() - age);
                doorstep_store::on_pool!(store, p => sqlx::query_scalar::<_, i64>(
                    "INSERT INTO imports (company_id, staff_user_id, kind, file_name, status, created_at, updated_at, file_key) \
                     VALUES ($1, $2, 'customers', 'left.csv', 'queued', $3, $3, $4) RETURNING id")
                    .bind(company).bind(staff).bind(beat).bind(&key).fetch_one(p).await).unwrap()
            }
        };
        let live = insert(time::Duration::seconds(5)).await;
        let stale = insert(time::Duration::minutes(3)).await;
        let snap = w.snapshot(&["customers", "imports", "audit_events"]).await;
        for id in [live, done.id] {
            let err = import::restart(&w.app, &olivia, id, path.clone()).await.unwrap_err();
            assert!(matches!(err, AppError::Conflict { .. }), "{err:?}");
        }
        let bolt = w.staff("bolt", "office@bolt.test").await;
        let err = import::restart(&w.app, &bolt, stale, path.clone()).await.unwrap_err();
        assert!(matches!(err, AppError::NotFound), "{err:?}");
        assert_eq!(w.snapshot(&["customers", "imports", "audit_events"]).await, snap, "nothing written");

        let new = import::restart(&w.app, &olivia, stale, path.clone()).await.unwrap();
        assert_eq!(w.last_audit(&w.acme).await, ("customers.import_restarted".into(), "office@acme.test".into()));
        let old = w.store.import_row(w.acme.id, stale).await.unwrap().unwrap();
        assert_eq!(old.status, "failed");
        assert!(import::errors_of(&old).1[0].message.contains("went away"));
        for _ in 0..600 {
            let row = w.store.import_row(w.acme.id, new).await.unwrap().unwrap();
            if row.status == "done" && !path.exists() {
                assert_eq!((row.file_name.as_str(), row.created, row.updated), ("left.csv", 1, 3));
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the restarted import did not end");
    }
}

/// Kept files a day old are removed; newer ones and other files stay.
#[tokio::test]
async fn old_kept_files_are_cleaned() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("aaaa.csv");
    let fresh = dir.path().join("bbbb.csv");
    let other = dir.path().join("notes.txt");
    for p in [&old, &fresh, &other] {
        std::fs::write(p, "name\n").unwrap();
    }
    let day_ago = std::time::SystemTime::now() - Duration::from_secs(25 * 3600);
    for p in [&old, &other] {
        std::fs::File::options()
            .write(true)
            .open(p)
            .unwrap()
            .set_modified(day_ago)
            .unwrap();
    }
    let removed =
        import::clean_kept_files(dir.path().to_path_buf(), Duration::from_secs(24 * 3600)).await;
    assert_eq!(removed, 1);
    assert!(!old.exists() && fresh.exists() && other.exists());
    assert_eq!(
        import::clean_kept_files(dir.path().join("missing"), Duration::ZERO).await,
        0
    );
}
