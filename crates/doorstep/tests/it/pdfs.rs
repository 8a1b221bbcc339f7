//! PDF downloads: an invoice, an estimate and the statement, read back with pdftotext;
//! another account's number is a 404 like its page.

use std::io::Write;
use std::process::Command;

use doorstep_testkit::{Backend, both_backends};

use crate::billing_data::seed_billing;
use crate::estimates::dana_on;
use crate::helpers::{TestApp, seed_people, sign_in};

/// The text of a PDF, as poppler's pdftotext reads it (which also proves it parses).
fn pdf_text(bytes: &[u8]) -> String {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(bytes).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout", file.path().to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils; .ci/run installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn download(client: &reqwest::Client, url: String) -> (u16, String, String, Vec<u8>) {
    let res = client.get(url).send().await.unwrap();
    let status = res.status().as_u16();
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let (kind, disposition) = (header("content-type"), header("content-disposition"));
    (
        status,
        kind,
        disposition,
        res.bytes().await.unwrap().to_vec(),
    )
}

both_backends! {
    async fn invoice_estimate_and_statement_pdfs_hold_their_lines_and_totals(backend: Backend) {
        let app = TestApp::spawn(backend).await;
        let people = seed_people(&app).await;
        seed_billing(&app, &people).await;
        let dana = dana_on(&app, people.household).await;

        let (status, kind, disposition, bytes) = download(&dana, app.url("acme", "/invoices/I-2/pdf")).await;
        assert_eq!((status, kind.as_str()), (200, "application/pdf"));
        assert_eq!(disposition, "attachment; filename=\"invoice-I-2.pdf\"");
        let text = pdf_text(&bytes);
        for want in ["Invoice I-2", "New valve", "$30.00", "Balance due", "$50.00", "Page 1 of 1"] {
            assert!(text.contains(want), "{want} in:\n{text}");
        }

        let (status, _, _, bytes) = download(&dana, app.url("acme", "/estimates/E-1/pdf")).await;
        assert_eq!(status, 200);
        let text = pdf_text(&bytes);
        assert!(text.contains("Estimate E-1") && text.contains("Total"), "{text}");

        let (status, _, _, bytes) = download(&dana, app.url("acme", "/statement/pdf")).await;
        assert_eq!(status, 200);
        let text = pdf_text(&bytes);
        for want in ["Account statement", "I-1", "I-2", "$160.00", "31–60 days"] {
            assert!(text.contains(want), "{want} in:\n{text}");
        }

        assert_eq!(download(&dana, app.url("acme", "/invoices/I-7/pdf")).await.0, 404, "Harbor's invoice");
        let sam = app.client(&["acme"]);
        sign_in(&app, &sam, "acme", "sam@example.test").await;
        assert_eq!(download(&sam, app.url("acme", "/statement/pdf")).await.0, 404, "site contacts see no money");
    }
}
