//! Renders documents and reads them back with poppler's tools (pdftotext, pdfinfo, pdfimages,
//! pdftoppm), as a reader would. The tools are required: CI installs poppler-utils.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Cursor;

use doorstep_pdf::{Document, Paper, PdfError, render};
use support::{
    few_lines, images, invoice, jpeg_logo, page_text, pages, png_logo, poppler, row, run, text,
};

#[test]
fn a_one_page_invoice_shows_company_customer_lines_totals_and_notes() {
    let pdf = render(&invoice(few_lines())).unwrap();
    assert_eq!(pages(&pdf), 1);
    let text = text(&pdf);
    for expected in [
        "Invoice INV-1042",
        "Acme Plumbing & Heating",
        "12 Harbour Road, Bristol BS1 4QA",
        "office@acme.example",
        "BILL TO",
        "José Müller",
        "Zoë's Café, 3 Rue de l'Église",
        "Issued",
        "12 Mar 2026",
        "Overdue",
        "Description",
        "Unit price",
        "Replace kitchen mixer tap",
        "Labour (hours)",
        "Annual boiler service — Worcester Bosch 30i",
        "€654.00",
        "Subtotal",
        "VAT 20%",
        "€205.80",
        "Balance due",
        "€1,234.50",
        "Notes",
        "Access through the side gate; the dog is friendly.",
        "Terms",
        "Registered in England 01234567 · Thank you!",
        "Page 1 of 1",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    // Amounts are right-aligned: each line's amount ends where the column ends.
    let ends: Vec<usize> = text
        .lines()
        .filter(|l| l.contains("€180.00") || l.contains("€195.00") || l.contains("€654.00 "))
        .map(|l| l.trim_end().chars().count())
        .collect();
    assert_eq!(ends.len(), 3, "{text}");
    assert!(
        ends.iter().all(|&e| e == ends[0]),
        "amounts not aligned: {ends:?}\n{text}"
    );
    let info = poppler("pdfinfo", &[], &pdf);
    let title = info
        .lines()
        .find_map(|l| l.strip_prefix("Title:"))
        .map(str::trim);
    assert_eq!(title, Some("Invoice INV-1042"), "{info}");
}

#[test]
fn a_120_line_invoice_spans_pages_each_numbered_with_the_header_repeated() {
    let rows = (1..=120)
        .map(|i| {
            row([
                &format!("Line item {i:03} – copper pipe 15mm"),
                "2",
                "€4.50",
                "€9.00",
            ])
        })
        .collect();
    let pdf = render(&invoice(rows)).unwrap();
    let count = pages(&pdf);
    assert!(count >= 3, "120 lines on {count} pages");
    let mut seen = Vec::new();
    for page in 1..=count {
        let text = page_text(&pdf, page);
        assert!(
            text.contains(&format!("Page {page} of {count}")),
            "page {page}:\n{text}"
        );
        assert!(
            text.contains("Registered in England"),
            "footer on page {page}"
        );
        let table_here = text.contains("Line item");
        if table_here {
            let header = text
                .lines()
                .position(|l| l.contains("Description") && l.contains("Amount"));
            let first_item = text.lines().position(|l| l.contains("Line item"));
            assert!(
                header.is_some() && header < first_item,
                "no header on page {page}:\n{text}"
            );
        }
        if page > 1 {
            assert!(
                text.contains("Invoice INV-1042"),
                "continued title on page {page}"
            );
        }
        seen.extend(
            text.lines()
                .filter_map(|l| l.split("Line item ").nth(1))
                .map(|r| r[..3].to_owned()),
        );
    }
    let expected: Vec<String> = (1..=120).map(|i| format!("{i:03}")).collect();
    assert_eq!(seen, expected, "every line exactly once, in order");
    assert!(page_text(&pdf, count).contains("Balance due"));
}

#[test]
fn a_png_or_jpeg_logo_is_drawn_on_the_first_page() {
    for logo in [png_logo(), jpeg_logo()] {
        let mut doc = invoice(few_lines());
        doc.logo_png = Some(logo);
        let pdf = render(&doc).unwrap();
        let images = images(&pdf);
        assert_eq!(images.len(), 1, "{images:?}");
        assert!(
            images[0].trim_start().starts_with('1'),
            "on page 1: {images:?}"
        );
        assert!(text(&pdf).contains("Acme Plumbing & Heating"));
        poppler("pdftoppm", &["-r", "20", "-png", "-singlefile"], &pdf);
    }
}

#[test]
fn a_logo_with_transparency_carries_its_mask() {
    let img = image::RgbaImage::from_pixel(30, 30, image::Rgba([0, 0, 0, 100]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    let mut doc = invoice(few_lines());
    doc.logo_png = Some(out.into_inner());
    let images = images(&render(&doc).unwrap());
    assert_eq!(images.len(), 2, "{images:?}");
    assert!(images[1].contains("smask"), "{images:?}");
}

#[test]
fn a_logo_that_is_not_an_image_is_skipped() {
    let mut doc = invoice(few_lines());
    doc.logo_png = Some(b"<html>not a logo</html>".to_vec());
    let pdf = render(&doc).unwrap();
    assert!(images(&pdf).is_empty());
    assert!(text(&pdf).contains("Balance due"));
}

#[test]
fn a_very_long_description_wraps_in_its_column_keeping_every_word() {
    let words: Vec<String> = (1..=1500).map(|i| format!("word{i:04}")).collect();
    let mut rows = few_lines();
    rows.insert(1, row([&words.join(" "), "1", "€1.00", "€1.00"]));
    let pdf = render(&invoice(rows)).unwrap();
    assert!(
        pages(&pdf) >= 2,
        "a row taller than a page is split across pages"
    );
    let text = text(&pdf);
    let found: Vec<&str> = text
        .split_whitespace()
        .filter(|w| w.starts_with("word"))
        .collect();
    assert_eq!(found, words, "every word once, in order");
    // Wrapped within the description column: no line holds the whole row's words.
    let widest = text
        .lines()
        .map(|l| l.matches("word").count())
        .max()
        .unwrap();
    assert!(widest < 12, "{widest} words on one line");
}

#[test]
fn an_empty_document_and_an_empty_table_still_render() {
    let mut doc = invoice(Vec::new());
    doc.totals.clear();
    let pdf = render(&doc).unwrap();
    let text = text(&pdf);
    assert!(
        text.contains("Description") && text.contains("Page 1 of 1"),
        "{text}"
    );
    poppler("pdftoppm", &["-r", "20", "-png", "-singlefile"], &pdf);

    let pdf = render(&Document::default()).unwrap();
    assert_eq!(pages(&pdf), 1);
    assert!(self::text(&pdf).contains("Page 1 of 1"));
}

#[test]
fn characters_outside_the_font_print_as_question_marks() {
    let mut doc = invoice(vec![row([
        "Łódź 東京 🚰 \u{7} service",
        "1",
        "€1.00",
        "€1.00",
    ])]);
    doc.customer.name = "Dvořák".into();
    let pdf = render(&doc).unwrap();
    let text = text(&pdf);
    assert!(text.contains("?ód? ?? ? service"), "{text}");
    assert!(text.contains("Dvo?ák"), "{text}");
}

#[test]
fn letter_paper_is_a_parameter() {
    let mut doc = invoice(few_lines());
    doc.paper = Paper::Letter;
    let info = poppler("pdfinfo", &[], &render(&doc).unwrap());
    assert!(info.contains("612 x 792 pts (letter)"), "{info}");
    let info = poppler("pdfinfo", &[], &render(&invoice(few_lines())).unwrap());
    assert!(info.contains("595.28 x 841.89 pts (A4)"), "{info}");
}

#[test]
fn the_same_document_gives_the_same_bytes() {
    let mut doc = invoice(few_lines());
    doc.logo_png = Some(png_logo());
    assert_eq!(render(&doc).unwrap(), render(&doc).unwrap());
}

#[test]
fn every_page_renders_to_an_image() {
    let rows = (1..=60)
        .map(|i| row([&format!("Item {i}"), "1", "€1.00", "€1.00"]))
        .collect();
    let pdf = render(&invoice(rows)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let root = dir.path().join("page");
    run(
        "pdftoppm",
        &[
            "-r",
            "20",
            "-png",
            path.to_str().unwrap(),
            root.to_str().unwrap(),
        ],
        dir.path(),
    );
    let pngs = std::fs::read_dir(dir.path()).unwrap().filter(|e| {
        e.as_ref()
            .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "png"))
    });
    assert_eq!(pngs.count(), pages(&pdf));
}

#[test]
fn a_row_without_one_cell_per_column_is_refused() {
    let doc = invoice(vec![vec!["Only a description".into()]]);
    assert_eq!(
        render(&doc),
        Err(PdfError::RowWidth {
            row: 0,
            cells: 1,
            columns: 4
        })
    );
}
