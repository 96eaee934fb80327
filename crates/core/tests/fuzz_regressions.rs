//! Every input the fuzzers (`fuzz/`) found to crash, replayed through the same
//! code as its target: each must give a result or a problem, never a panic.
//! The inputs live in `tests/data/fuzz-regressions/<target>/`.

// A test that unwraps says "this must hold"; a failure is the test failing.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use shinchoku_core::eval::Evaluation;
use shinchoku_core::fy::{AsOf, FiscalYear};
use shinchoku_core::store::{RevisionInfo, Store};
use shinchoku_core::value::{KpiValue, Parsed};
use shinchoku_core::{returns, seed, xlsx};

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/fuzz-regressions")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn workbook_inputs_give_a_plan_or_problems() {
    let files = inputs("import_workbook");
    assert!(!files.is_empty());
    for f in files {
        match xlsx::import_workbook(&f) {
            Ok(read) => {
                let mut store = Store::in_memory().unwrap();
                let info = RevisionInfo {
                    kind: "import".into(),
                    ..Default::default()
                };
                let _ = store.save_version(None, &read.plan, &info, |_, _| Ok(()));
            }
            Err(e) => assert!(!e.problems().is_empty(), "{}: an error without a problem", f.display()),
        }
    }
}

#[test]
fn return_inputs_give_fields_or_problems() {
    let plan = seed::fukushima_plan().unwrap();
    for f in inputs("read_return") {
        if let Err(problems) = returns::read_return(&f, &plan, 1, plan.report_year, None) {
            assert!(!problems.is_empty(), "{}", f.display());
        }
    }
}

#[test]
fn value_inputs_parse_or_are_refused() {
    for f in inputs("parse_values") {
        let bytes = std::fs::read(&f).unwrap();
        let Ok(text) = std::str::from_utf8(&bytes) else { continue };
        if let Some(v) = KpiValue::new(text) {
            if let Parsed::Number(q) | Parsed::Qualified(q, _) = v.parse() {
                let _ = (q.cell_value(), q.cell_format());
            }
            let _ = (v.number(), v.comparable(), v.canonical());
        }
        let _ = FiscalYear::parse(text).map(|y| (y.short(), y.long()));
        let _ = AsOf::parse(text).map(|d| (d.short(), d.iso()));
        let _ = Evaluation::parse(text);
    }
}
