//! Sample documents and the poppler tools that read them back.

use std::io::Cursor;
use std::path::Path;
use std::process::Command;

use doorstep_pdf::{Align, Column, Document, Paper, Party, Table, Total};

pub fn column(title: &str, align: Align, weight: u8) -> Column {
    Column {
        title: title.into(),
        align,
        weight,
    }
}

pub fn total(label: &str, amount: &str, strong: bool) -> Total {
    Total {
        label: label.into(),
        amount: amount.into(),
        strong,
    }
}

pub fn invoice(rows: Vec<Vec<String>>) -> Document {
    Document {
        title: "Invoice INV-1042".into(),
        company: Party {
            name: "Acme Plumbing & Heating".into(),
            lines: vec![
                "12 Harbour Road, Bristol BS1 4QA".into(),
                "+44 117 496 0000".into(),
                "office@acme.example".into(),
            ],
        },
        logo_png: None,
        accent: Some((0xc2, 0x41, 0x0c)),
        customer: Party {
            name: "José Müller".into(),
            lines: vec!["Zoë's Café, 3 Rue de l'Église".into(), "Lyon 69002".into()],
        },
        facts: vec![
            ("Issued".into(), "12 Mar 2026".into()),
            ("Due".into(), "11 Apr 2026".into()),
            ("Status".into(), "Overdue".into()),
        ],
        table: Table {
            columns: vec![
                column("Description", Align::Left, 6),
                column("Qty", Align::Right, 1),
                column("Unit price", Align::Right, 2),
                column("Amount", Align::Right, 2),
            ],
            rows,
        },
        totals: vec![
            total("Subtotal", "€1,029.00", false),
            total("VAT 20%", "€205.80", false),
            total("Total", "€1,234.80", true),
            total("Paid", "€0.30", false),
            total("Balance due", "€1,234.50", true),
        ],
        notes: vec![
            (
                "Notes".into(),
                "Access through the side gate; the dog is friendly.".into(),
            ),
            (
                "Terms".into(),
                "Payment within 30 days by bank transfer to Acme Ltd.".into(),
            ),
        ],
        footer: "Acme Plumbing & Heating Ltd · Registered in England 01234567 · Thank you!".into(),
        paper: Paper::A4,
    }
}

pub fn row(cells: [&str; 4]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

pub fn few_lines() -> Vec<Vec<String>> {
    vec![
        row(["Replace kitchen mixer tap", "1", "€180.00", "€180.00"]),
        row(["Labour (hours)", "3", "€65.00", "€195.00"]),
        row([
            "Annual boiler service — Worcester Bosch 30i",
            "1",
            "€654.00",
            "€654.00",
        ]),
    ]
}

/// Runs a poppler tool on the PDF and returns its standard output.
pub fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let path = path.to_str().unwrap();
    let mut args = args.to_vec();
    args.push(path);
    if tool == "pdftotext" {
        args.push("-");
    }
    run(tool, &args, dir.path())
}

/// Fails loudly when the tool is missing or says anything on stderr (poppler reports a
/// damaged file there, sometimes with a zero exit status).
pub fn run(tool: &str, args: &[&str], dir: &Path) -> String {
    let output = Command::new(tool)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {tool} ({e}): install poppler-utils"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stderr.is_empty(),
        "{tool} {args:?} failed: {stderr}"
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn text(pdf: &[u8]) -> String {
    poppler("pdftotext", &["-layout"], pdf)
}

pub fn page_text(pdf: &[u8], page: usize) -> String {
    let n = page.to_string();
    poppler("pdftotext", &["-layout", "-f", &n, "-l", &n], pdf)
}

pub fn pages(pdf: &[u8]) -> usize {
    let info = poppler("pdfinfo", &[], pdf);
    let line = info.lines().find(|l| l.starts_with("Pages:")).unwrap();
    line.trim_start_matches("Pages:").trim().parse().unwrap()
}

pub fn png_logo() -> Vec<u8> {
    let img = image::RgbaImage::from_fn(120, 40, |x, _| image::Rgba([200, (x * 2) as u8, 30, 255]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

pub fn jpeg_logo() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(64, 64, image::Rgb([10, 80, 160]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

pub fn images(pdf: &[u8]) -> Vec<String> {
    let list = poppler("pdfimages", &["-list"], pdf);
    list.lines().skip(2).map(str::to_owned).collect()
}
