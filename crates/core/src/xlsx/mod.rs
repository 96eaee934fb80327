//! The prefecture's summary workbook (取組一覧) in its own layout: export with
//! rust_xlsxwriter, import through the package's own reader (`package`, `cells`). The layout is described in
//! `spec/torikumi-ichiran.md`; the constants here are shared by both directions.

pub mod base;
pub(crate) mod cells;
pub mod export;
pub mod import;
pub(crate) mod package;
pub use package::PageSetup;
pub mod schedule;

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use export::export_summary;
pub use import::{check_workbook, import_workbook, Problem};
pub use package::NumberFormats;

/// The summary sheet.
pub const SHEET_SUMMARY: &str = "取組一覧";
/// Per KPI: the years as columns, rows 目標 / 実績 / 達成率.
pub const SHEET_TREND: &str = "KPI推移";
/// Evaluation counts per area and department.
pub const SHEET_COUNTS: &str = "集計";
/// Native Excel line charts per KPI (targets, actuals, baseline), restylable in Excel.
pub const SHEET_CHARTS: &str = "グラフ";
/// Plan facts that the summary sheet does not carry (団体名, 計画期間, areas).
pub const SHEET_PLAN: &str = "計画情報";
/// Per project and year: evaluations and narratives of other years, budget, 課題・アクション.
pub const SHEET_YEARS: &str = "事業年度データ";
/// 目標値の改定: every revision of a KPI's target (year, before, after, from, date, reason).
pub const SHEET_REVISIONS: &str = "目標値の改定";
/// 事業の状態: projects started, ended, merged or split within the plan (新規・終了・統合・分割).
pub const SHEET_STATUS: &str = "事業の状態";
/// The plan's schedule (工程表): activities over the fiscal years, ★県 / ●国.
pub const SHEET_SCHEDULE: &str = "工程表";
/// 照会記録: the plan's 照会 rounds, who returned when, send-backs and confirmations.
pub const SHEET_ROUNDS: &str = "照会記録";

/// Columns of the summary sheet before the target years (A–M).
pub mod col {
    pub const NO: u16 = 0;
    pub const AREA_NO: u16 = 1;
    pub const AREA_NAME: u16 = 2;
    pub const ITEM_NO: u16 = 3;
    pub const ITEM_NAME: u16 = 4;
    pub const DEPT: u16 = 5;
    pub const DIV: u16 = 6;
    pub const NAME: u16 = 7;
    pub const SUMMARY: u16 = 8;
    pub const GOAL: u16 = 9;
    pub const KPI_NO: u16 = 10;
    pub const KPI_NAME: u16 = 11;
    pub const BASELINE: u16 = 12;
    pub const FIRST_TARGET: u16 = 13;
}

/// The word that marks a re-listing (事業番号) or a repeated KPI (KPI番号).
pub const RELISTED: &str = "再掲";

/// A cell address in A1 form, 0-based row and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CellRef {
    pub row: u32,
    pub col: u32,
}

impl fmt::Display for CellRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", column_name(self.col), self.row + 1)
    }
}

/// `0 → A`, `25 → Z`, `26 → AA`.
pub fn column_name(mut col: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path}: {}", crate::text::io_message(source))]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: ブックを書き出せませんでした({source})")]
    Xlsx { path: PathBuf, source: rust_xlsxwriter::XlsxError },
}

/// Writes a workbook next to `path` under a temporary name and renames it into
/// place, so a failed export never leaves a half-written file.
pub(crate) fn save_atomically(workbook: &mut rust_xlsxwriter::Workbook, path: &Path) -> Result<(), WriteError> {
    // Compression is a third of a large export's time; level 3 saves most of it for a
    // file about 6 % larger than the default level 6.
    workbook.set_zip_compression_level(3);
    write_via_temp(path, |tmp| {
        workbook.save_to_writer(tmp).map_err(|source| WriteError::Xlsx {
            path: path.to_path_buf(),
            source,
        })
    })
}

/// Writes a file through `write` into a temporary file beside `path`, flushes it
/// to disk and renames it into place: the file is either whole or not there, and
/// an existing file is only replaced by a complete one.
pub fn write_via_temp(path: &Path, write: impl FnOnce(&mut std::fs::File) -> Result<(), WriteError>) -> Result<(), WriteError> {
    let io = |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".shinchoku-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(io)?;
    write(tmp.as_file_mut())?;
    tmp.as_file_mut().flush().map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    readable(tmp.as_file()).map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// A temporary file is private (0600); the file it becomes is an ordinary
/// document: readable by others as the user's other files are (0644).
pub(crate) fn readable(f: &std::fs::File) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    #[cfg(not(unix))]
    let _ = f;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(19), "T");
        assert_eq!(column_name(26), "AA");
        assert_eq!(CellRef { row: 16, col: 18 }.to_string(), "S17");
    }
}
