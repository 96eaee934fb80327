//! The other seed reports as files: the progress report (.docx) and the project
//! cards (.xlsx / .pdf).

use std::path::Path;

use super::{check_year, expect_extension, guard_output, load, write_atomically, Error, Result};
use crate::fy::FiscalYear;

/// Writes the progress report (現戦略の取組状況) of a plan as a Word document;
/// returns how many items it reports on.
pub fn report(db: &Path, plan: Option<&str>, file: &Path, year: Option<FiscalYear>) -> Result<usize> {
    expect_extension(file, &["docx"])?;
    let p = load(db, plan)?;
    check_year(&p, year)?;
    guard_output(db, file, &[])?;
    let year = year.unwrap_or(p.report_year);
    let items = crate::report::report_items(&p, year).map_err(|e| Error::BadInput(e.to_string()))?;
    let bytes = crate::report::docx(&p, &items).map_err(|e| Error::BadInput(e.to_string()))?;
    write_atomically(file, &bytes)?;
    Ok(items.len())
}

/// Writes the project cards of a plan (`.xlsx`, or `.pdf` with the KPI charts
/// beside their tables); returns how many cards.
pub fn card(
    db: &Path,
    plan: Option<&str>,
    file: &Path,
    projects: &[String],
    year: Option<FiscalYear>,
    font: Option<&Path>,
) -> Result<usize> {
    let ext = expect_extension(file, &["xlsx", "pdf"])?;
    let p = load(db, plan)?;
    check_year(&p, year)?;
    guard_output(db, file, &[])?;
    let year = year.unwrap_or(p.report_year);
    let cards = crate::card::cards(&p, projects, year).map_err(Error::BadInput)?;
    if ext == "pdf" {
        let font = crate::chart::find_font(font).map_err(|e| Error::BadInput(e.to_string()))?;
        let bytes = crate::card::pdf::cards_pdf(&p, &cards, &font).map_err(|e| Error::BadInput(e.to_string()))?;
        write_atomically(file, &bytes)?;
    } else {
        let mut wb = crate::card::xlsx::cards_workbook(&cards).map_err(|e| Error::BadInput(e.to_string()))?;
        crate::xlsx::save_atomically(&mut wb, file)?;
    }
    Ok(cards.len())
}
