//! The office's and the portal's pages never import each other: what both need lives in
//! `crate::kit`. The check reads the sources, so a path written inline in an expression, a
//! grouped `use`, a re-export or a `#[path]` counts as much as a plain `use` line.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, sorted.
pub(crate) fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The first segment of the path that ends just before byte `end` of `line` (`crate` for
/// `crate::pages::`), walking back over `ident::` pairs.
fn root_before(line: &str, mut end: usize) -> Option<&str> {
    let mut root = None;
    while line[..end].ends_with("::") {
        let before = &line[..end - 2];
        let start = before
            .char_indices()
            .rev()
            .find(|&(_, c)| !is_ident(c))
            .map_or(0, |(i, c)| i + c.len_utf8());
        if start == before.len() {
            break;
        }
        root = Some(&before[start..]);
        end = start;
    }
    root
}

/// Whether a path rooted at `root` may reach this crate's pages (`doorstep_store::portal`
/// is another crate's module and does not count).
fn ours(root: Option<&str>) -> bool {
    !root.is_some_and(|r| r.starts_with("doorstep_") || r == "std")
}

/// The lines of `source` that name the `other` audience's pages module.
fn offending(source: &str, other: &str) -> Vec<String> {
    let mut found = Vec::new();
    // The first segment of the `use` statement the line is in, if any.
    let mut in_use: Option<String> = None;
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or_default();
        let trimmed = code.trim_start();
        let after_vis = trimmed
            .strip_prefix("pub(crate) ")
            .or_else(|| trimmed.strip_prefix("pub(super) "))
            .or_else(|| trimmed.strip_prefix("pub "))
            .unwrap_or(trimmed);
        if let Some(rest) = after_vis.strip_prefix("use ") {
            let root: String = rest
                .trim_start_matches("::")
                .chars()
                .take_while(|&c| is_ident(c))
                .collect();
            in_use = Some(root);
        }
        let mut bad =
            line.contains(&format!("../{other}")) || line.contains(&format!("\"{other}/"));
        for (at, _) in code.match_indices(other) {
            let end = at + other.len();
            let whole = !code[..at].ends_with(is_ident) && !code[end..].starts_with(is_ident);
            if !whole {
                continue;
            }
            let pathy = code[..at].ends_with("::") || code[end..].starts_with("::");
            let root = root_before(code, at);
            let use_ours = in_use.as_deref().is_some_and(|r| ours(Some(r)));
            if (pathy && ours(root) && (root.is_some() || in_use.is_none() || use_ours))
                || (in_use.is_some() && use_ours)
            {
                bad = true;
            }
        }
        if bad {
            found.push(line.trim().to_owned());
        }
        if code.contains(';') {
            in_use = None;
        }
    }
    found
}

#[test]
fn the_check_catches_every_way_of_naming_the_other_audience() {
    for bad in [
        "use crate::pages::portal::billing::today;",
        "    let x = crate::pages::portal::jobs::schedule_type_label(None);",
        "use super::super::portal::files::send;",
        "pub use crate::pages::portal::support::thread;",
        "use crate::pages::{portal, security};",
        "use crate::pages::{\n    portal::billing,\n};",
        "#[path = \"../portal/files.rs\"]",
    ] {
        assert!(!offending(bad, "portal").is_empty(), "{bad}");
    }
    for fine in [
        "state.config.portal_url(&company.slug),",
        "show_in_portal: form.show_in_portal.is_some(),",
        "//! other portal settings: use crate::pages::portal is refused",
        "use doorstep_store::portal::Thing;",
        "let office = contact.portal.company.name.clone();",
        "use crate::kit::threads::thread;",
    ] {
        assert!(offending(fine, "portal").is_empty(), "{fine}");
    }
}

#[test]
fn office_and_portal_pages_never_import_each_other() {
    let pages = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/pages");
    let mut found = Vec::new();
    for (audience, other) in [("office", "portal"), ("portal", "office")] {
        let files = rust_files(&pages.join(audience));
        assert!(!files.is_empty(), "no sources under pages/{audience}");
        for file in files {
            let source = std::fs::read_to_string(&file).unwrap();
            for line in offending(&source, other) {
                found.push(format!("{}: {line}", file.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "pages/office and pages/portal must not import each other; move what both need \
         to crate::kit:\n{}",
        found.join("\n")
    );
}
