//! Any text through the parsers of typed values: KPI values, fiscal years,
//! as-of dates and evaluations. Every result is fine; a panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shinchoku_core::eval::Evaluation;
use shinchoku_core::fy::{AsOf, FiscalYear};
use shinchoku_core::value::{KpiValue, Parsed};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(v) = KpiValue::new(text) {
        if let Parsed::Number(q) | Parsed::Qualified(q, _) = v.parse() {
            let _ = (q.cell_value(), q.cell_format());
        }
        let _ = (v.number(), v.comparable(), v.canonical());
    }
    if let Ok(y) = FiscalYear::parse(text) {
        let _ = (y.short(), y.long(), y.reiwa());
    }
    if let Ok(d) = AsOf::parse(text) {
        let _ = (d.short(), d.iso(), d.fiscal_year());
    }
    let _ = Evaluation::parse(text);
    for n in [0.0, -1.5, 1e16, f64::MAX] {
        let _ = KpiValue::from_cell_number(n, text);
    }
});
