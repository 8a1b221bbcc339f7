//! Serialising laid-out pages with `pdf-writer`: the page tree, the two standard fonts, the
//! logo image and one compressed content stream per page. No dates or random ids are written,
//! so the same document always gives the same bytes.

use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::Document;
use crate::font::Face;
use crate::layout::{Op, Rgb};
use crate::logo::{DEFLATE_LEVEL, Logo};

const LOGO_NAME: &[u8] = b"Im1";

/// The PDF file for `pages`, drawn on the document's paper.
pub(crate) fn write(doc: &Document, pages: &[Vec<Op>], logo: Option<&Logo>) -> Vec<u8> {
    let mut next = 0;
    let mut alloc = || {
        next += 1;
        Ref::new(next)
    };
    let catalog = alloc();
    let tree = alloc();
    let info = alloc();
    let regular = alloc();
    let bold = alloc();
    let image = alloc();
    let mask = alloc();
    let page_refs: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_refs.iter().map(|(page, _)| *page))
        .count(pages.len() as i32);
    let mut meta = pdf.document_info(info);
    meta.title(TextStr(&doc.title));
    meta.producer(TextStr("Doorstep"));
    meta.finish();

    for (id, face) in [(regular, Face::Regular), (bold, Face::Bold)] {
        pdf.type1_font(id)
            .base_font(Name(face.base_font()))
            .encoding_predefined(Name(b"WinAnsiEncoding"))
            .first_char(32)
            .last_char(255)
            .widths(face.widths()[32..].iter().map(|&w| f32::from(w)));
    }

    let logo_used = logo.filter(|_| {
        pages
            .iter()
            .flatten()
            .any(|op| matches!(op, Op::Logo { .. }))
    });
    if let Some(logo) = logo_used {
        write_logo(&mut pdf, logo, image, mask);
    }

    let (width, height) = doc.paper.size();
    for (ops, (page_id, content_id)) in pages.iter().zip(&page_refs) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, width, height));
        page.parent(tree);
        page.contents(*content_id);
        let mut resources = page.resources();
        resources
            .fonts()
            .pair(Name(Face::Regular.resource()), regular)
            .pair(Name(Face::Bold.resource()), bold);
        if logo_used.is_some() {
            resources.x_objects().pair(Name(LOGO_NAME), image);
        }
        resources.finish();
        page.finish();
        let content = compress_to_vec_zlib(&content(ops), DEFLATE_LEVEL);
        pdf.stream(*content_id, &content)
            .filter(Filter::FlateDecode);
    }
    pdf.finish()
}

fn write_logo(pdf: &mut Pdf, logo: &Logo, image: Ref, mask: Ref) {
    let (w, h) = (logo.width as i32, logo.height as i32);
    let mut xobject = pdf.image_xobject(image, &logo.rgb);
    xobject.filter(Filter::FlateDecode);
    xobject.width(w).height(h).bits_per_component(8);
    xobject.color_space().device_rgb();
    if logo.alpha.is_some() {
        xobject.s_mask(mask);
    }
    xobject.finish();
    if let Some(alpha) = &logo.alpha {
        let mut smask = pdf.image_xobject(mask, alpha);
        smask.filter(Filter::FlateDecode);
        smask.width(w).height(h).bits_per_component(8);
        smask.color_space().device_gray();
    }
}

/// The content stream that draws `ops`.
fn content(ops: &[Op]) -> Vec<u8> {
    let mut content = Content::new();
    for op in ops {
        match op {
            Op::Text {
                x,
                y,
                face,
                size,
                color,
                text,
            } => {
                let Rgb(r, g, b) = *color;
                content.set_fill_rgb(r, g, b);
                content.begin_text();
                content.set_font(Name(face.resource()), *size);
                content.next_line(*x, *y);
                content.show(Str(text));
                content.end_text();
            }
            Op::Fill { x, y, w, h, color } => {
                let Rgb(r, g, b) = *color;
                content.set_fill_rgb(r, g, b);
                content.rect(*x, *y, *w, *h);
                content.fill_nonzero();
            }
            Op::Rule {
                x1,
                x2,
                y,
                width,
                color,
            } => {
                let Rgb(r, g, b) = *color;
                content.set_stroke_rgb(r, g, b);
                content.set_line_width(*width);
                content.move_to(*x1, *y);
                content.line_to(*x2, *y);
                content.stroke();
            }
            Op::Logo { x, y, w, h } => {
                content.save_state();
                content.transform([*w, 0.0, 0.0, *h, *x, *y]);
                content.x_object(Name(LOGO_NAME));
                content.restore_state();
            }
        }
    }
    content.finish().into_vec()
}
