//! A form field's label, hint, kept value and error are written once, in the macros of
//! `templates/fields.html`, for the portal and the office alike. This check reads every
//! template and refuses an error paragraph written by hand anywhere else, so a new page
//! imports the macros instead of copying the markup.

use std::path::{Path, PathBuf};

/// The one file that may write a field's error paragraph.
const MACROS: &str = "fields.html";

/// What only the macros write.
const HAND_WRITTEN: &str = "class=\"field-error\"";

fn templates(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            templates(&path, out);
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
}

/// The lines of `source` that write a field's error by hand, with their numbers.
fn offending(source: &str) -> Vec<(usize, String)> {
    source
        .lines()
        .enumerate()
        .filter(|(_, line)| line.contains(HAND_WRITTEN))
        .map(|(n, line)| (n + 1, line.trim().to_owned()))
        .collect()
}

#[test]
fn only_the_field_macros_write_a_field_error() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut files = Vec::new();
    templates(&root, &mut files);
    assert!(
        files.len() > 50,
        "the templates were not found under {}",
        root.display()
    );
    let mut found = Vec::new();
    for file in files {
        if file == root.join(MACROS) {
            continue;
        }
        let source = std::fs::read_to_string(&file).unwrap();
        for (line, text) in offending(&source) {
            found.push(format!("{}:{line}: {text}", file.display()));
        }
    }
    assert!(
        found.is_empty(),
        "a template writes a field's error by hand; use the macros of templates/{MACROS} \
         ({{% import \"{MACROS}\" as f %}}: f::input, f::textarea, f::select_start, f::checkbox, \
         f::choices_start, f::error):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_sees_a_hand_written_error() {
    let page = "<input id=\"a\">\n{% if let Some(e) = err %}<p class=\"field-error\" id=\"a-error\">{{ e }}</p>{% endif %}";
    assert_eq!(offending(page).len(), 1);
    assert!(offending("{% call f::input(\"a\", \"A\", v, err) %}").is_empty());
}
