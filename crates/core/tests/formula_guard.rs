//! User text never becomes a formula in any workbook Shinchoku writes: every
//! text field of a plan is set to text that starts with `=`, `+`, `-` or `@`,
//! and the summary workbook (all its sheets), every department's template and
//! the merge report are read back: no cell anywhere holds a formula, and the
//! text comes back as it was typed.

// A test that unwraps says "this must hold"; a failure is the test failing.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Reader, Xlsx};
use shinchoku_core::ops::{self, MergeOptions};
use shinchoku_core::store::{RevisionInfo, Store};
use shinchoku_core::{seed, xlsx};

const HOSTILE: [&str; 4] = [
    "=HYPERLINK(\"http://example.invalid\",\"開く\")",
    "+81-3-0000-0000",
    "-1+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
];

fn formulas_in(path: &Path) -> Vec<String> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let mut found = Vec::new();
    for name in wb.sheet_names() {
        let f = wb.worksheet_formula(&name).unwrap();
        for (r, c, text) in f.used_cells() {
            found.push(format!(
                "{}!{}: ={text}",
                name,
                xlsx::CellRef {
                    row: r as u32,
                    col: c as u32
                }
            ));
        }
    }
    found
}

fn all_xlsx(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect()
}

#[test]
fn no_user_text_becomes_a_formula_in_any_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("plan.db");
    // Every text field the plan has (owners aside: they name the files), hostile.
    let mut plan = seed::fukushima_plan().unwrap();
    let mut set = 0;
    for (i, (path, value)) in plan.fields().into_iter().enumerate() {
        if path.contains(".owner") || path.ends_with(".evaluation") || value.parse::<f64>().is_ok() {
            continue;
        }
        let mut next = plan.clone();
        let text = HOSTILE[i % HOSTILE.len()].to_string();
        if next.apply_changes(&[(path.clone(), Some(text))]).is_ok() && next.validate().is_empty() {
            plan = next;
            set += 1;
        }
    }
    assert!(set > 200, "only {set} fields took hostile text");
    let mut store = Store::open_or_create(&db).unwrap();
    let info = RevisionInfo {
        kind: "import".into(),
        ..Default::default()
    };
    store.save_version(None, &plan, &info, |_, _| Ok(())).unwrap();
    drop(store);

    let summary = d.join("summary.xlsx");
    ops::export(&db, None, &summary, None).unwrap();
    let templates = d.join("templates");
    ops::templates(&db, None, &templates, None, &[], false, None).unwrap();
    let returns = d.join("returns");
    ops::sample_returns(&db, None, &returns).unwrap();
    let report = d.join("report.xlsx");
    let opts = MergeOptions {
        dry_run: false,
        year: None,
        report: Some(report.clone()),
    };
    ops::merge(&db, None, &all_xlsx(&returns), &opts, &mut |_| {}).unwrap();

    let mut written = vec![summary.clone(), report];
    written.extend(all_xlsx(&templates));
    written.extend(all_xlsx(&returns));
    assert!(written.len() > 10);
    for f in &written {
        assert_eq!(formulas_in(f), Vec::<String>::new(), "{}", f.display());
    }
    // And the text is there as typed, as text.
    let mut wb: Xlsx<_> = open_workbook(&summary).unwrap();
    let range = wb.worksheet_range(xlsx::SHEET_SUMMARY).unwrap();
    for h in HOSTILE {
        let cells = range
            .used_cells()
            .filter(|(_, _, v)| matches!(v, Data::String(s) if s == h))
            .count();
        assert!(cells > 0, "{h} is not in the summary sheet as text");
    }
}
