//! Any bytes as a department's return, read against the demo plan.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shinchoku_core::{returns, seed};

fuzz_target!(|data: &[u8]| {
    let plan = seed::fukushima_plan().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("return.xlsx");
    std::fs::write(&path, data).unwrap();
    let _ = returns::read_return(&path, &plan, 1, plan.report_year, None);
});
