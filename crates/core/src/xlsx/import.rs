//! Reads a workbook in the 取組一覧 layout into a [`Plan`].
//!
//! It is a real-world file: the header is found by its labels, merged cells are
//! spread over the cells they cover, repeated header rows and empty rows are
//! skipped, numbers may be text or full-width. Every problem is reported with its
//! `sheet!cell` and what was expected; a file with problems gives no plan.
//! The extra sheets Shinchoku writes (`KPI推移`, `計画情報`, `事業年度データ`) are
//! read when present, so an exported workbook gives back the whole plan.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::Path;

use super::cells::Raw;

use super::export::{derived_divisions, PLAN_KEYS, ROW_ACTUAL, ROW_AS_OF, ROW_TARGET, TREND_HEAD, TREND_TAIL, YEARS_HEAD};
use super::package::{Workbook, MAX_CELLS, MAX_ROWS};
use super::{CellRef, SHEET_PLAN, SHEET_SCHEDULE, SHEET_SUMMARY, SHEET_TREND, SHEET_YEARS};
use crate::eval::{Direction, Evaluation, EvaluationRule, Scale};
use crate::fy::{AsOf, FiscalYear};
use crate::model::{
    default_report_title, Actual, Area, Entry, Item, Kpi, KpiRef, ListingTexts, Owner, Plan, Project, ProjectYear, Relisting,
};
use crate::text::{clean_cell, label_key, normalize_width};
use crate::value::KpiValue;

/// One problem, located by sheet and cell where there is one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub sheet: String,
    pub cell: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cell {
            Some(c) => write!(f, "{}!{}: {}", self.sheet, c, self.message),
            None if self.sheet.is_empty() => f.write_str(&self.message),
            None => write!(f, "{}: {}", self.sheet, self.message),
        }
    }
}

/// Why a workbook gave no plan.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {message}")]
    Unreadable { path: String, message: String },
    #[error("{}", .0.first().map(ToString::to_string).unwrap_or_default())]
    Invalid(Vec<Problem>),
    /// The problems of one file, as [`import_workbook`] gives them.
    #[error("{file}: {}", .problems.first().map(ToString::to_string).unwrap_or_default())]
    InFile { file: String, problems: Vec<Problem> },
}

impl ImportError {
    /// Every problem, the unreadable file as one.
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            ImportError::Unreadable { path, message } => vec![Problem {
                sheet: String::new(),
                cell: None,
                message: format!("{path}: {message}"),
            }],
            ImportError::Invalid(p) | ImportError::InFile { problems: p, .. } => p.clone(),
        }
    }

    /// The file whose cells the problems name.
    pub fn file(&self) -> Option<&str> {
        match self {
            ImportError::InFile { file, .. } => Some(file),
            _ => None,
        }
    }
}

/// What the workbook carried besides the summary sheet; what it did not carry
/// is kept from the stored plan when a plan is updated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Coverage {
    pub trend: bool,
    pub plan_info: bool,
    pub years: bool,
    pub schedule: bool,
}

/// A plan read from a workbook, with the notes that did not stop it.
#[derive(Debug, Clone)]
pub struct WorkbookPlan {
    pub plan: Plan,
    pub warnings: Vec<Problem>,
    pub coverage: Coverage,
    pub sheet: String,
    /// What the workbook was exported from, when it says (see [`super::base`]).
    pub base: Option<super::base::SummaryBase>,
}

/// Reads and validates a workbook; the plan, or every problem found.
pub fn import_workbook(path: &Path) -> Result<WorkbookPlan, ImportError> {
    read_workbook(path).map_err(|e| match e {
        ImportError::Invalid(problems) => ImportError::InFile {
            file: path.display().to_string(),
            problems,
        },
        other => other,
    })
}

fn read_workbook(path: &Path) -> Result<WorkbookPlan, ImportError> {
    let unreadable = |message: String| ImportError::Unreadable {
        path: path.display().to_string(),
        message,
    };
    let mut wb = Workbook::open(path).map_err(unreadable)?;
    let names = wb.sheet_names().to_vec();
    if names.is_empty() {
        return Err(unreadable("ブックにシートがありません".into()));
    }
    // The summary sheet: 取組一覧 by name, else the first sheet whose header is found.
    let mut order: Vec<&String> = names.iter().filter(|n| n.as_str() == SHEET_SUMMARY).collect();
    order.extend(names.iter().filter(|n| n.as_str() != SHEET_SUMMARY));
    if names.iter().any(|n| n == SHEET_SUMMARY) {
        // The other sheets read with it are scanned meanwhile on the second core.
        let extra = [
            super::base::SHEET_BASE,
            SHEET_PLAN,
            SHEET_TREND,
            SHEET_YEARS,
            super::SHEET_REVISIONS,
            super::SHEET_STATUS,
            SHEET_SCHEDULE,
        ];
        wb.scan_ahead(&extra);
    }
    let mut first_error: Option<Problem> = None;
    let mut all_empty = true;
    for name in order {
        let grid = match load_grid(&mut wb, name) {
            Ok(g) => {
                all_empty &= g.width() == 0 || (0..g.rows()).all(|r| (0..g.width()).all(|c| g.get(r, c).is_empty()));
                g
            }
            // The summary sheet's own problem is the problem: not another sheet's.
            Err(p) if name == SHEET_SUMMARY => return Err(ImportError::Invalid(vec![p])),
            Err(p) => {
                first_error.get_or_insert(p);
                continue;
            }
        };
        match find_header(&grid) {
            Some(h) => {
                let mut reader = SummaryReader::new(&grid, h, path);
                // The marks of the plan's rule, read first from 計画情報 when the workbook has it.
                if names.iter().any(|n| n == SHEET_PLAN) {
                    if let Ok(pg) = load_grid(&mut wb, SHEET_PLAN) {
                        if let Some(rule) = plan_sheet_rule(&pg) {
                            reader.scale = rule.scale();
                        }
                    }
                }
                let mut result = reader.read()?;
                // The summary's cells are read: freed before the other sheets are.
                drop(reader);
                drop(grid);
                result.sheet = name.clone();
                if wb.has_macros {
                    result.warnings.push(Problem {
                        sheet: String::new(),
                        cell: None,
                        message: "マクロ付きのブック(.xlsm)です。マクロは実行せず、セルの値だけを読みます".into(),
                    });
                }
                read_extra_sheets(&mut wb, &names, &mut result)?;
                return Ok(result);
            }
            None => {
                if name == SHEET_SUMMARY {
                    first_error.get_or_insert(Problem {
                        sheet: name.clone(),
                        cell: Some("A1".into()),
                        message: "取組一覧の見出しが見つかりません(事業番号・事業名又は取組名・評価 などが並んだ行が必要です)".into(),
                    });
                }
            }
        }
    }
    if all_empty && first_error.as_ref().is_none_or(|p| p.cell.as_deref() == Some("A1")) {
        return Err(unreadable("ブックが空です(どのシートにも値がありません)".into()));
    }
    Err(ImportError::Invalid(vec![first_error.unwrap_or_else(|| Problem {
        sheet: names[0].clone(),
        cell: Some("A1".into()),
        message: "取組一覧の見出しがあるシートがありません(事業番号・事業名又は取組名・評価 などが並んだ行が必要です)".into(),
    })]))
}

/// Every problem of a workbook, without importing it.
pub fn check_workbook(path: &Path) -> Result<WorkbookPlan, Vec<Problem>> {
    import_workbook(path).map_err(|e| e.problems())
}

/// A cell as read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Empty,
    Text(String),
    /// A number and its format code (shared by the cells of one style).
    Number(f64, std::sync::Arc<str>),
    /// A date or time (ISO): LibreOffice stores `1/2` typed into a text cell as one.
    Date(String),
    Other(String),
}

impl Cell {
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => clean_cell(t).is_none(),
            _ => false,
        }
    }

    /// The cell as text (numbers in their shortest form).
    pub(crate) fn text(&self) -> Option<String> {
        match self {
            Cell::Empty => None,
            Cell::Text(t) => clean_cell(t),
            Cell::Number(n, fmt) => KpiValue::from_cell_number(*n, fmt).map(|v| v.text().to_string()),
            Cell::Date(d) => Some(format!("日付({d})")),
            Cell::Other(s) => clean_cell(s),
        }
    }

    pub(crate) fn key(&self) -> String {
        self.text().map(|t| label_key(&t)).unwrap_or_default()
    }

    /// Whether `self.key() == key`, made cheaply for the many cells that are not.
    pub(crate) fn key_is(&self, key: &str) -> bool {
        match self {
            Cell::Empty => key.is_empty(),
            Cell::Text(t) | Cell::Other(t) => crate::text::has_label_key(t, key),
            // A number reads as digits, a sign or a point first.
            Cell::Number(..) if !key.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.') => false,
            _ => self.key() == key,
        }
    }
}

/// One sheet's cells, merged ranges spread over the cells they cover.
pub(crate) struct Grid {
    pub(crate) name: String,
    cells: Vec<Vec<Cell>>,
    /// Cell → the top-left of the merged range covering it.
    pub(crate) merged_from: HashMap<(u32, u32), (u32, u32)>,
    /// What makes the sheet unreadable cell by cell: control characters, formulas without a result.
    pub(crate) problems: Vec<Problem>,
    /// Column widths as stored: `(first, last column, width)`.
    pub(crate) widths: Vec<(u32, u32, f64)>,
    /// The merged ranges as stored: `((first row, first column), (last row, last column))`.
    pub(crate) merges: Vec<((u32, u32), (u32, u32))>,
    /// Heights of the first rows, as set: `(row, points)`.
    pub(crate) heights: Vec<(u32, f64)>,
    pub(crate) page: crate::xlsx::package::PageSetup,
    /// The alignment, border, fill and font of the styled cells of the first rows.
    pub(crate) looks: HashMap<(u32, u32), crate::xlsx::package::Look>,
    /// The workbook's fonts, as the looks number them.
    pub(crate) fonts: Vec<crate::xlsx::package::Font>,
    /// The widest row's length.
    width: u32,
}

impl Grid {
    /// A column's width as the sheet stores it, where it sets one.
    pub(crate) fn width_of(&self, c: u32) -> Option<f64> {
        self.widths.iter().find(|(a, b, _)| (*a..=*b).contains(&c)).map(|w| w.2)
    }
}

impl Grid {
    pub(crate) fn rows(&self) -> u32 {
        self.cells.len() as u32
    }

    pub(crate) fn get(&self, r: u32, c: u32) -> &Cell {
        self.cells
            .get(r as usize)
            .and_then(|row| row.get(c as usize))
            .unwrap_or(&Cell::Empty)
    }

    pub(crate) fn width(&self) -> u32 {
        self.width
    }

    /// The text of a cell of a column that may not be there.
    pub(crate) fn get_text(&self, r: u32, c: Option<u32>) -> Option<String> {
        c.and_then(|c| self.get(r, c).text())
    }

    pub(crate) fn problem(&self, r: u32, c: u32, message: impl Into<String>) -> Problem {
        Problem {
            sheet: self.name.clone(),
            cell: Some(CellRef { row: r, col: c }.to_string()),
            message: message.into(),
        }
    }
}

/// Every cell of a sheet as the readers see it: text as written, numbers in their
/// cell's format (`43.1%`, `7,000`), merged cells spread; for tools and tests that
/// copy what a sheet shows.
pub fn sheet_texts(path: &std::path::Path, sheet: &str) -> Result<Vec<Vec<Option<String>>>, String> {
    let mut wb = Workbook::open(path)?;
    let g = load_grid(&mut wb, sheet).map_err(|p| p.to_string())?;
    Ok((0..g.rows())
        .map(|r| (0..g.width()).map(|c| g.get(r, c).text()).collect())
        .collect())
}

/// Per row, per column: the number format of a number cell (`None` for any other cell).
pub type NumberFormats = Vec<Vec<Option<String>>>;

/// A sheet's column widths as stored (`(column, width)` rounded to 1/100), for tests.
pub fn sheet_widths(path: &std::path::Path, sheet: &str) -> Result<Vec<(u32, f64)>, String> {
    let mut wb = Workbook::open(path)?;
    let g = load_grid(&mut wb, sheet).map_err(|p| p.to_string())?;
    Ok((0..g.width())
        .filter_map(|c| g.width_of(c).map(|w| (c, (w * 100.0).round() / 100.0)))
        .collect())
}

/// `(row, col)` → (`left` / `center` / `right`, bordered).
pub type Looks = std::collections::BTreeMap<(u32, u32), (Option<&'static str>, bool)>;

/// The alignment and border of the styled cells of a sheet's first rows, for tests that
/// compare how a sheet looks.
pub fn sheet_looks(path: &std::path::Path, sheet: &str) -> Result<Looks, String> {
    let mut wb = Workbook::open(path)?;
    let g = load_grid(&mut wb, sheet).map_err(|p| p.to_string())?;
    Ok(g.looks
        .iter()
        .filter(|(_, l)| l.align.is_some() || l.border)
        .map(|(k, l)| (*k, (l.align, l.border)))
        .collect())
}

/// The font (name and size), fill and vertical alignment of a cell of a sheet's first rows,
/// for tests that compare how a sheet looks.
pub fn cell_style(path: &std::path::Path, sheet: &str, row: u32, col: u32) -> Result<CellStyle, String> {
    let mut wb = Workbook::open(path)?;
    let g = load_grid(&mut wb, sheet).map_err(|p| p.to_string())?;
    let l = g.looks.get(&(row, col)).copied().unwrap_or_default();
    let font = l
        .font
        .and_then(|f| g.fonts.get(usize::from(f)))
        .or(g.fonts.first())
        .cloned()
        .unwrap_or_default();
    Ok((font.name, font.size, l.fill, l.vertical, font.bold))
}

/// A cell's font name and size, fill (RGB), vertical alignment and whether it is bold.
pub type CellStyle = (Option<String>, Option<f64>, Option<u32>, Option<&'static str>, bool);

/// How a sheet prints, for tools and tests that compare what a sheet shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetPrint {
    pub page: crate::xlsx::PageSetup,
    /// The rows repeated on each page, first and last (0-based).
    pub repeat_rows: Option<(u32, u32)>,
    /// The heights the first rows set: `(row, points)`, 0-based.
    pub heights: Vec<(u32, f64)>,
}

/// How `sheet` prints.
pub fn sheet_print(path: &std::path::Path, sheet: &str) -> Result<SheetPrint, String> {
    let mut wb = Workbook::open(path)?;
    let g = load_grid(&mut wb, sheet).map_err(|p| p.to_string())?;
    Ok(SheetPrint {
        page: g.page.clone(),
        repeat_rows: wb.print_titles(sheet),
        heights: g.heights.clone(),
    })
}

/// A sheet's merged ranges (`B3:C3`, sorted) and the number format of every number
/// cell, for tools and tests that compare what a sheet shows.
pub fn sheet_layout(path: &std::path::Path, sheet: &str) -> Result<(Vec<String>, NumberFormats), String> {
    let mut wb = Workbook::open(path)?;
    let g = load_grid(&mut wb, sheet).map_err(|p| p.to_string())?;
    let mut merges: Vec<String> = g
        .merges
        .iter()
        .map(|&((r0, c0), (r1, c1))| format!("{}:{}", CellRef { row: r0, col: c0 }, CellRef { row: r1, col: c1 }))
        .collect();
    merges.sort();
    let formats = (0..g.rows())
        .map(|r| {
            (0..g.width())
                .map(|c| match g.get(r, c) {
                    Cell::Number(_, f) => Some(f.to_string()),
                    _ => None,
                })
                .collect()
        })
        .collect();
    Ok((merges, formats))
}

pub(crate) fn load_grid(wb: &mut Workbook, name: &str) -> Result<Grid, Problem> {
    let scan = wb.scan(name)?;
    let looks: HashMap<(u32, u32), crate::xlsx::package::Look> = scan
        .styles
        .iter()
        .filter_map(|&(r, c, s)| wb.xf_looks.get(s).map(|l| ((r, c), *l)))
        .filter(|(_, l)| *l != crate::xlsx::package::Look::default())
        .collect();
    let fonts = wb.fonts.clone();
    let formats = scan.formats;
    let widths = scan.widths;
    let mut problems = Vec::new();
    let mut cells: Vec<Vec<Cell>> = Vec::new();
    let (mut max_row, mut max_col) = (0u64, 0u64);
    // The values the scan read, as the sheet wrote them; the shared strings looked up now.
    for (ar, ac, raw) in scan.values {
        let out = match raw {
            Raw::Shared(i) => match wb.strings.get(i as usize) {
                Some(s) => text_cell(name, ar, ac, s, &mut problems),
                None => {
                    return Err(Problem {
                        sheet: name.into(),
                        cell: Some(CellRef { row: ar, col: ac }.to_string()),
                        message: format!(
                            "セルが共有文字列の {} 番目を指していますが、ブックには {} 個しかありません。ファイルが壊れています",
                            u64::from(i) + 1,
                            wb.strings.len()
                        ),
                    })
                }
            },
            Raw::Text(s) => text_cell(name, ar, ac, &s, &mut problems),
            Raw::Number(f) => Cell::Number(f, formats.shared(ar, ac)),
            Raw::Serial(f) => Cell::Date(excel_date(f)),
            Raw::Bool(b) => Cell::Other(if b { "TRUE" } else { "FALSE" }.to_string()),
            Raw::Iso(s) => Cell::Date(s),
            Raw::Error(e) => Cell::Other(format!("エラー値 {e}")),
        };
        (max_row, max_col) = (max_row.max(ar as u64), max_col.max(ac as u64));
        if (max_row + 1) * (max_col + 1) > MAX_CELLS || ar >= MAX_ROWS {
            return Err(Problem {
                sheet: name.into(),
                cell: None,
                message: format!(
                    "シートが {} 行 {} 列あります。{MAX_ROWS} 行または {MAX_CELLS} セルを超えるものは計画として読みません",
                    max_row + 1,
                    max_col + 1
                ),
            });
        }
        put(&mut cells, ar, ac, out);
    }
    #[cfg(debug_assertions)]
    same_as_calamine(wb, name, &cells, &formats);
    for (r, c, f) in scan.uncached {
        problems.push(Problem {
            sheet: name.into(),
            cell: Some(CellRef { row: r, col: c }.to_string()),
            message: format!(
                "数式 ={f} の計算結果が保存されていません(計算しないプログラムで書かれたファイルです)。\
                 Excelで開いて保存し直すか、値を入力してください"
            ),
        });
    }
    let mut merged_from = HashMap::new();
    for &((sr, sc), (er, ec)) in &scan.merges {
        if (er - sr) as usize * (ec - sc + 1) as usize > 1_000_000 {
            continue;
        }
        let v = cells
            .get(sr as usize)
            .and_then(|r| r.get(sc as usize))
            .cloned()
            .unwrap_or(Cell::Empty);
        for r in sr..=er {
            for c in sc..=ec {
                if (r, c) == (sr, sc) {
                    continue;
                }
                if let Some(row) = cells.get_mut(r as usize) {
                    if row.len() <= c as usize {
                        row.resize(c as usize + 1, Cell::Empty);
                    }
                    row[c as usize] = v.clone();
                    merged_from.insert((r, c), (sr, sc));
                }
            }
        }
    }
    Ok(Grid {
        name: name.to_string(),
        width: cells.iter().map(Vec::len).max().unwrap_or(0) as u32,
        cells,
        merged_from,
        problems,
        widths,
        merges: scan.merges,
        heights: scan.heights,
        page: scan.page,
        looks,
        fonts,
    })
}

/// Sets a cell of rows grown as cells arrive.
fn put(cells: &mut Vec<Vec<Cell>>, r: u32, c: u32, cell: Cell) {
    if cells.len() <= r as usize {
        cells.resize_with(r as usize + 1, Vec::new);
    }
    let row = &mut cells[r as usize];
    if row.len() <= c as usize {
        row.resize(c as usize + 1, Cell::Empty);
    }
    row[c as usize] = cell;
}

/// Debug builds: the cells read in the scan are those calamine reads (value, type,
/// number format), wherever calamine reads the sheet.
#[cfg(debug_assertions)]
fn same_as_calamine(wb: &mut Workbook, name: &str, cells: &[Vec<Cell>], formats: &crate::xlsx::package::NumberFormats) {
    use calamine::DataRef;
    let Ok(mut xlsx) = calamine::open_workbook::<calamine::Xlsx<_>, _>(&wb.path) else {
        return;
    };
    let Ok(mut reader) = xlsx.worksheet_cells_reader(name) else {
        return;
    };
    let mut theirs: Vec<Vec<Cell>> = Vec::new();
    let mut ignored = Vec::new();
    loop {
        let cell = match reader.next_cell() {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(_) => return,
        };
        let (ar, ac) = cell.get_position();
        let out = match cell.get_value() {
            DataRef::Empty => continue,
            DataRef::String(s) => text_cell(name, ar, ac, s, &mut ignored),
            DataRef::SharedString(s) => text_cell(name, ar, ac, s, &mut ignored),
            DataRef::Float(f) => Cell::Number(*f, formats.shared(ar, ac)),
            DataRef::Int(i) => Cell::Number(*i as f64, formats.shared(ar, ac)),
            DataRef::Bool(b) => Cell::Other(if *b { "TRUE" } else { "FALSE" }.to_string()),
            DataRef::DateTime(dt) => Cell::Date(excel_date(dt.as_f64())),
            DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Date(s.clone()),
            DataRef::Error(e) => Cell::Other(format!("エラー値 {e}")),
        };
        put(&mut theirs, ar, ac, out);
    }
    let trim = |rows: &[Vec<Cell>]| -> Vec<Vec<Cell>> {
        let mut rows: Vec<Vec<Cell>> = rows
            .iter()
            .map(|r| {
                let mut r = r.clone();
                while r.last().is_some_and(|c| matches!(c, Cell::Empty)) {
                    r.pop();
                }
                r
            })
            .collect();
        while rows.last().is_some_and(Vec::is_empty) {
            rows.pop();
        }
        rows
    };
    let (ours, theirs) = (trim(cells), trim(&theirs));
    for r in 0..ours.len().max(theirs.len()) {
        let a = ours.get(r).map(Vec::as_slice).unwrap_or(&[]);
        let b = theirs.get(r).map(Vec::as_slice).unwrap_or(&[]);
        assert_eq!(a, b, "{name} row {}: the scan's cells differ from calamine's", r + 1);
    }
}

/// A text cell; a control character in it is a problem of the cell.
fn text_cell(sheet: &str, row: u32, col: u32, s: &str, problems: &mut Vec<Problem>) -> Cell {
    if let Some(bad) = s.chars().find(|&ch| is_control(ch)) {
        problems.push(Problem {
            sheet: sheet.into(),
            cell: Some(CellRef { row, col }.to_string()),
            message: format!(
                "ブックに保存できない制御文字(U+{:04X})が含まれています。その文字を消して保存し直してください",
                bad as u32
            ),
        });
    }
    Cell::Text(s.to_string())
}

/// A character a workbook cannot hold (XML 1.0 allows tab, line feed and carriage return only).
fn is_control(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{7f}' || c == '\u{FFFE}' || c == '\u{FFFF}'
}

/// An Excel date serial as `2023-04-01` (the 1900 date system).
fn excel_date(serial: f64) -> String {
    if !(1.0..3_000_000.0).contains(&serial) {
        return format!("{serial}");
    }
    // Days since 1970-01-01; serial 25569 is 1970-01-01 (Excel counts a 29 Feb 1900 that never was).
    let days = serial.floor() as i64 - 25569;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The row holding `事業番号`.
fn find_header(g: &Grid) -> Option<u32> {
    (0..g.rows().min(60)).find(|&r| (0..g.width().min(60)).any(|c| g.get(r, c).key() == "事業番号"))
}

/// What a column of the summary sheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    No,
    AreaNo,
    AreaName,
    ItemNo,
    ItemName,
    Dept,
    Div,
    Name,
    Summary,
    Goal,
    KpiNo,
    KpiName,
    Baseline,
    Target(FiscalYear),
    Actual,
    Eval,
    Narrative,
}

struct SummaryReader<'a> {
    g: &'a Grid,
    header: u32,
    data_start: u32,
    cols: Vec<(u32, Col)>,
    path: &'a Path,
    problems: Vec<Problem>,
    warnings: Vec<Problem>,
    seen_kpis: Vec<SeenKpi>,
    /// The plan's evaluation scale (its rule in 計画情報, else ○ △ × -).
    scale: Scale,
    /// Per column, the keys of the rows above, at and below the header (a header
    /// repeated in the data is skipped).
    header_keys: Vec<[String; 3]>,
}

/// The rows of one entry as read.
struct RawEntry {
    row: u32,
    relisting_of: Option<String>,
    no: Option<String>,
    area: String,
    item: Option<String>,
    owners: Vec<Owner>,
    name: Option<String>,
    summary: Option<String>,
    goal: Option<String>,
    evaluation: Option<Evaluation>,
    narrative: Option<String>,
    kpis: Vec<KpiRef>,
}

impl RawEntry {
    fn texts(&self) -> ListingTexts {
        ListingTexts {
            summary: self.summary.clone(),
            goal: self.goal.clone(),
            evaluation: self.evaluation.clone(),
            narrative: self.narrative.clone(),
        }
    }
}

/// Splits `name\n※再掲:No46` into the name and 46.
pub(crate) fn split_relisting_mark(text: &str) -> (Option<String>, Option<String>) {
    let mut name_lines = Vec::new();
    let mut of = None;
    for line in text.split('\n') {
        let n = normalize_width(line);
        let t = n.trim();
        if let Some(rest) = t.strip_prefix("※再掲").or_else(|| t.strip_prefix("※再揭")) {
            let digits: String = rest
                .trim_start_matches([':', '：', ' '])
                .trim_start_matches("No")
                .trim_start_matches("NO")
                .trim_start_matches("no")
                .trim_start_matches(['.', ' '])
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            of = Some(digits);
        } else {
            name_lines.push(line);
        }
    }
    let name = clean_cell(&name_lines.join("\n"));
    (name, of)
}

/// `Ⅰ-1`, `I 1`, `Ｉ－１` → `I-1`.
fn normalize_area_code(s: &str) -> String {
    let s = normalize_width(s);
    let s: String = s
        .chars()
        .map(|c| match c {
            'Ⅰ' => "I".to_string(),
            'Ⅱ' => "II".to_string(),
            'Ⅲ' => "III".to_string(),
            'Ⅳ' => "IV".to_string(),
            'Ⅴ' => "V".to_string(),
            'Ⅵ' => "VI".to_string(),
            'Ⅶ' => "VII".to_string(),
            other => other.to_string(),
        })
        .collect();
    let t = s.trim();
    let roman: String = t.chars().take_while(|c| matches!(c, 'I' | 'V' | 'X')).collect();
    let rest = t[roman.len()..].trim_start_matches([' ', '-', '.', '・']).trim();
    if !roman.is_empty() && !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()) {
        format!("{roman}-{rest}")
    } else {
        t.to_string()
    }
}

fn is_relisting_word(s: &str) -> bool {
    let k = label_key(s);
    k == "再掲" || k == "再揭"
}

impl<'a> SummaryReader<'a> {
    fn new(g: &'a Grid, header: u32, path: &'a Path) -> Self {
        SummaryReader {
            g,
            header,
            data_start: header + 1,
            cols: Vec::new(),
            path,
            problems: Vec::new(),
            warnings: Vec::new(),
            seen_kpis: Vec::new(),
            scale: Scale::maru(),
            header_keys: Vec::new(),
        }
    }

    fn col(&self, want: Col) -> Option<u32> {
        self.cols.iter().find(|(_, c)| *c == want).map(|(i, _)| *i)
    }

    fn classify(&mut self) {
        let g = self.g;
        let h = self.header;
        let width = g.width();
        let mut group = String::new();
        let has_sub = (0..width).any(|c| {
            let s = g.get(h + 1, c).key();
            matches!(s.as_str(), "No" | "名称" | "部" | "課") || FiscalYear::parse(&s).is_ok()
        });
        if has_sub {
            self.data_start = h + 2;
        }
        let key_at = |r: Option<u32>, c: u32| r.map(|r| g.get(r, c).key()).unwrap_or_default();
        self.header_keys = (0..width)
            .map(|c| [key_at(h.checked_sub(1), c), key_at(Some(h), c), key_at(Some(h + 1), c)])
            .collect();
        for c in 0..width {
            let l = g.get(h, c).key();
            let s = if has_sub { g.get(h + 1, c).key() } else { String::new() };
            let t = if h > 0 { g.get(h - 1, c).key() } else { String::new() };
            if !l.is_empty() {
                group = l.clone();
            }
            let grp = if l.is_empty() { group.as_str() } else { l.as_str() };
            let kind = match () {
                _ if l == "事業番号" => Some(Col::No),
                _ if grp == "分野" && s == "No" => Some(Col::AreaNo),
                _ if grp == "分野" && s == "名称" => Some(Col::AreaName),
                _ if grp == "項目" && s == "No" => Some(Col::ItemNo),
                _ if grp == "項目" && s == "名称" => Some(Col::ItemName),
                _ if (grp == "担当" && s == "部") || l == "部" || l == "担当部" => Some(Col::Dept),
                _ if (grp == "担当" && s == "課") || l == "課" || l == "担当課" => Some(Col::Div),
                _ if l.contains("事業名") => Some(Col::Name),
                _ if l.contains("事業概要") || l == "取組内容" => Some(Col::Summary),
                _ if l.contains("指標(KPI)又は目標") || l.contains("又は目標") || l == "目標" => Some(Col::Goal),
                _ if l == "KPI番号" || (l == "KPI" && s == "番号") => Some(Col::KpiNo),
                _ if l == "指標名" => Some(Col::KpiName),
                _ if l == "基準値" => Some(Col::Baseline),
                _ if grp == "目標値" && FiscalYear::parse(&s).is_ok() => FiscalYear::parse(&s).ok().map(Col::Target),
                _ if l.starts_with("実績値") || (l.is_empty() && t.starts_with("実績値")) => Some(Col::Actual),
                _ if l == "評価" || t == "評価" || (l.contains("時点") && t.contains("評価")) => Some(Col::Eval),
                _ if l.contains("取組状況") || t.contains("取組状況") => Some(Col::Narrative),
                _ => None,
            };
            if let Some(k) = kind {
                if self.cols.iter().all(|(_, c)| *c != k) {
                    self.cols.push((c, k));
                }
            }
        }
    }

    fn text(&self, r: u32, c: Option<u32>) -> Option<String> {
        c.and_then(|c| self.g.get(r, c).text())
    }

    fn value(&mut self, r: u32, c: Option<u32>) -> Option<KpiValue> {
        let c = c?;
        match self.g.get(r, c) {
            Cell::Empty => None,
            Cell::Number(n, fmt) => {
                if n.abs() > 1e15 {
                    self.problems
                        .push(self.g.problem(r, c, format!("数値 {n:e} はKPIの値としては大きすぎます")));
                    return None;
                }
                KpiValue::from_cell_number(*n, fmt)
            }
            Cell::Text(t) => clean_cell(t).and_then(KpiValue::new),
            Cell::Date(d) => {
                self.problems.push(
                    self.g
                        .problem(r, c, format!("数値か文字を入力してください(日付 {d} になっています)")),
                );
                None
            }
            Cell::Other(o) => {
                self.problems
                    .push(self.g.problem(r, c, format!("数値か文字を入力してください({o} になっています)")));
                None
            }
        }
    }

    fn is_repeated_header(&self, r: u32) -> bool {
        let g = self.g;
        if let Some(no) = self.col(Col::No) {
            if g.get(r, no).key_is("事業番号") {
                return true;
            }
        }
        let same = |i: usize| {
            self.header_keys
                .iter()
                .enumerate()
                .filter(|(c, h)| !h[i].is_empty() && g.get(r, *c as u32).key_is(&h[i]))
                .count()
        };
        same(1) >= 3 || (self.data_start > self.header + 1 && same(2) >= 3) || (self.header > 0 && same(0) >= 2)
    }

    fn read(&mut self) -> Result<WorkbookPlan, ImportError> {
        self.classify();
        let g = self.g;
        let h = self.header;
        for (want, label) in [
            (Col::No, "事業番号"),
            (Col::AreaNo, "分野 No"),
            (Col::Name, "事業名又は取組名"),
            (Col::Eval, "評価"),
        ] {
            if self.col(want).is_none() {
                self.problems.push(g.problem(h, 0, format!("見出しに「{label}」の列がありません")));
            }
        }
        if !self.problems.is_empty() {
            return Err(ImportError::Invalid(std::mem::take(&mut self.problems)));
        }
        // A date in a text column is what LibreOffice makes of `1/2` typed there: refused, not turned into words.
        for (c, col) in self.cols.clone() {
            if matches!(col, Col::Baseline | Col::Target(_) | Col::Actual) {
                continue;
            }
            for r in self.data_start..g.rows() {
                if let Cell::Date(d) = g.get(r, c) {
                    let label = g.get(h, c).text().unwrap_or_default().replace('\n', "");
                    self.problems.push(g.problem(
                        r,
                        c,
                        format!("{label}が日付({d})として保存されています。文字列で入力してください(先頭に ' を付けるか、セルの書式を文字列にしてから入力)"),
                    ));
                }
            }
        }
        let c_no = self.col(Col::No).unwrap_or(0);
        // Header facts: title, report title, years, as-of.
        let title = (0..h).rev().find_map(|r| g.get(r, c_no).text()).or_else(|| {
            let stem = self.path.file_stem().map(|s| s.to_string_lossy().into_owned());
            self.warnings.push(g.problem(
                h.saturating_sub(1),
                c_no,
                "見出しの上に計画の表題がないため、ファイル名を表題にします",
            ));
            stem
        });
        let title = title.unwrap_or_default();
        let report_title = self.col(Col::Name).and_then(|c| (0..h).rev().find_map(|r| g.get(r, c).text()));
        let as_of = self.col(Col::Eval).and_then(|c| {
            (h.saturating_sub(1)..self.data_start)
                .find_map(|r| g.get(r, c).text().filter(|t| t.contains("時点")).and_then(|t| AsOf::parse(&t).ok()))
        });
        let narrative_year = self.col(Col::Narrative).and_then(|c| {
            (h.saturating_sub(1)..self.data_start).find_map(|r| {
                let t = g.get(r, c).key();
                t.split("取組状況")
                    .next()
                    .filter(|p| !p.is_empty())
                    .and_then(|p| FiscalYear::parse(p).ok())
            })
        });
        let title_year = report_title
            .as_deref()
            .and_then(|t| t.find("年度").and_then(|i| FiscalYear::parse(&t[..i + "年度".len()]).ok()));
        let Some(report_year) = narrative_year.or(title_year).or(as_of.map(AsOf::fiscal_year)) else {
            let c = self.col(Col::Narrative).unwrap_or(c_no);
            return Err(ImportError::Invalid(vec![g.problem(
                h,
                c,
                "報告の年度が見つかりません(「令和5年度 取組状況」のような見出しが必要です)",
            )]));
        };
        let fiscal_years: Vec<FiscalYear> = self
            .cols
            .iter()
            .filter_map(|(_, k)| if let Col::Target(y) = k { Some(*y) } else { None })
            .collect();

        let entries = self.read_rows();
        let (plan_entries, kpis, areas) = self.assemble(entries, &fiscal_years, report_year, as_of);
        if !self.problems.is_empty() || !g.problems.is_empty() {
            let mut all = g.problems.clone();
            all.append(&mut self.problems);
            all.sort_by_key(|p| p.cell.as_deref().and_then(super::package::parse_a1));
            return Err(ImportError::Invalid(all));
        }
        let report_title = report_title.filter(|t| *t != default_report_title(report_year));
        let plan = Plan {
            organization: String::new(),
            title,
            report_title,
            period: None,
            fiscal_years,
            report_year,
            as_of,
            rule: EvaluationRule::default(),
            areas,
            kpis,
            entries: plan_entries,
            schedule: Vec::new(),
        };
        Ok(WorkbookPlan {
            plan,
            warnings: std::mem::take(&mut self.warnings),
            coverage: Coverage::default(),
            sheet: g.name.clone(),
            base: None,
        })
    }

    fn read_rows(&mut self) -> Vec<RawEntry> {
        let g = self.g;
        let c_no = self.col(Col::No);
        let mut out: Vec<RawEntry> = Vec::new();
        let mut entry_origin: Option<u32> = None;
        let data_cols: Vec<u32> = self.cols.iter().map(|(c, _)| *c).collect();
        for r in self.data_start..g.rows() {
            if data_cols.iter().all(|&c| g.get(r, c).is_empty()) || self.is_repeated_header(r) {
                continue;
            }
            let no_cell = c_no.map(|c| g.get(r, c)).unwrap_or(&Cell::Empty);
            let kpi_here = self.col(Col::KpiNo).is_some_and(|c| !g.get(r, c).is_empty())
                || self.col(Col::KpiName).is_some_and(|c| !g.get(r, c).is_empty());
            let merged_origin = c_no.and_then(|c| g.merged_from.get(&(r, c))).map(|(or, _)| *or);
            let continuation = match (merged_origin, entry_origin) {
                (Some(o), Some(e)) if o == e => true,
                _ => no_cell.is_empty() && kpi_here && !out.is_empty(),
            };
            if continuation {
                if let Some(k) = self.read_kpi_ref(r) {
                    if let Some(last) = out.last_mut() {
                        last.kpis.push(k);
                    }
                }
                continue;
            }
            let Some(no_text) = no_cell.text() else {
                self.problems
                    .push(g.problem(r, c_no.unwrap_or(0), "事業番号を入力してください(数字か「再掲」)"));
                continue;
            };
            entry_origin = Some(r);
            let entry = self.read_entry(r, &no_text, out.last());
            if let Some(e) = entry {
                out.push(e);
            }
        }
        out
    }

    fn read_entry(&mut self, r: u32, no_text: &str, prev: Option<&RawEntry>) -> Option<RawEntry> {
        let g = self.g;
        let c_no = self.col(Col::No).unwrap_or(0);
        let relisting = is_relisting_word(no_text);
        let no = if relisting {
            None
        } else {
            let n = normalize_width(no_text)
                .trim()
                .trim_start_matches("No.")
                .trim_start_matches("No")
                .trim()
                .to_string();
            if n.is_empty() || !n.chars().all(|c| c.is_ascii_digit()) {
                self.problems
                    .push(g.problem(r, c_no, format!("事業番号「{no_text}」は数字でも「再掲」でもありません")));
                return None;
            }
            Some(n.trim_start_matches('0').to_string())
                .filter(|s| !s.is_empty())
                .or(Some("0".into()))
        };
        let area = match self.text(r, self.col(Col::AreaNo)) {
            Some(a) => normalize_area_code(&a),
            None => match prev {
                Some(p) => p.area.clone(),
                None => {
                    self.problems
                        .push(g.problem(r, self.col(Col::AreaNo).unwrap_or(0), "分野の番号を入力してください(例: I-1)"));
                    return None;
                }
            },
        };
        let item = self.text(r, self.col(Col::ItemNo)).map(|s| normalize_width(&s).trim().to_string());
        let depts: Vec<String> = self
            .text(r, self.col(Col::Dept))
            .map(|s| s.split('\n').map(|l| l.trim().to_string()).collect())
            .unwrap_or_default();
        let divs: Vec<String> = self
            .text(r, self.col(Col::Div))
            .map(|s| s.split('\n').map(|l| l.trim().to_string()).collect())
            .unwrap_or_default();
        let owners = (0..depts.len().max(divs.len()))
            .map(|i| Owner {
                department: depts.get(i).cloned().filter(|s| !s.is_empty()),
                division: divs.get(i).cloned().filter(|s| !s.is_empty()),
            })
            .collect();
        let name_raw = self.text(r, self.col(Col::Name));
        let (name, of) = match &name_raw {
            Some(n) => split_relisting_mark(n),
            None => (None, None),
        };
        let relisting_of = if relisting {
            match of.filter(|o| !o.is_empty()) {
                Some(o) => Some(o),
                None => {
                    self.problems.push(g.problem(
                        r,
                        self.col(Col::Name).unwrap_or(c_no),
                        "再掲の行には元の事業を別の行に「※再掲:No.N」の形で書いてください",
                    ));
                    return None;
                }
            }
        } else {
            None
        };
        let evaluation = match (self.col(Col::Eval), self.text(r, self.col(Col::Eval))) {
            (Some(c), Some(t)) => match self.scale.parse(&t) {
                Ok(e) => Some(e),
                Err(e) => {
                    self.problems.push(g.problem(r, c, e.to_string()));
                    None
                }
            },
            _ => None,
        };
        let mut entry = RawEntry {
            row: r,
            relisting_of,
            no,
            area,
            item,
            owners,
            name,
            summary: self.text(r, self.col(Col::Summary)),
            goal: self.text(r, self.col(Col::Goal)),
            evaluation,
            narrative: self.text(r, self.col(Col::Narrative)),
            kpis: Vec::new(),
        };
        if let Some(k) = self.read_kpi_ref(r) {
            entry.kpis.push(k);
        }
        Some(entry)
    }

    /// The KPI on row `r`, defining it on first sight.
    fn read_kpi_ref(&mut self, r: u32) -> Option<KpiRef> {
        let g = self.g;
        let c_no = self.col(Col::KpiNo)?;
        let no_text = self.text(r, Some(c_no));
        let name_raw = self.text(r, self.col(Col::KpiName));
        if no_text.is_none() && name_raw.is_none() {
            return None;
        }
        let (name, of) = match &name_raw {
            Some(n) => split_relisting_mark(n),
            None => (None, None),
        };
        let relisted = no_text.as_deref().is_some_and(is_relisting_word);
        let no_str = if relisted {
            of.clone().unwrap_or_default()
        } else {
            normalize_width(no_text.as_deref().unwrap_or("")).trim().to_string()
        };
        let Ok(no) = no_str.parse::<u32>() else {
            let msg = if relisted {
                "再掲のKPIは指標名に元の番号を「※再掲:No.N」の形で書いてください".to_string()
            } else {
                format!("KPI番号「{}」は数字でも「再掲」でもありません", no_text.unwrap_or_default())
            };
            self.problems.push(g.problem(r, c_no, msg));
            return None;
        };
        let Some(name) = name else {
            self.problems.push(g.problem(
                r,
                self.col(Col::KpiName).unwrap_or(c_no),
                format!("KPI {no} の指標名を入力してください"),
            ));
            return None;
        };
        let baseline = self.value(r, self.col(Col::Baseline));
        let targets: Vec<(FiscalYear, Option<KpiValue>)> = self
            .cols
            .clone()
            .into_iter()
            .filter_map(|(c, k)| if let Col::Target(y) = k { Some((y, c)) } else { None })
            .map(|(y, c)| {
                // A revised target is written with its original under it: `90%` / `(当初 80%)`.
                let v = self.value(r, Some(c));
                let v = v.and_then(|v| KpiValue::new(crate::model::strip_original_note(v.text())));
                (y, v)
            })
            .collect();
        let actual = self.value(r, self.col(Col::Actual));
        self.seen_kpis.push(SeenKpi {
            row: r,
            no,
            name,
            baseline,
            targets,
            actual,
        });
        Some(KpiRef { no, relisted })
    }
}

/// A KPI row as read, before the KPIs are merged.
struct SeenKpi {
    row: u32,
    no: u32,
    name: String,
    baseline: Option<KpiValue>,
    targets: Vec<(FiscalYear, Option<KpiValue>)>,
    actual: Option<KpiValue>,
}

impl SummaryReader<'_> {
    fn assemble(
        &mut self,
        raw: Vec<RawEntry>,
        years: &[FiscalYear],
        report_year: FiscalYear,
        as_of: Option<AsOf>,
    ) -> (Vec<Entry>, Vec<Kpi>, Vec<Area>) {
        let g = self.g;
        let c_kname = self.col(Col::KpiName).unwrap_or(0);
        // KPIs: the first row defines; later rows fill gaps and must agree on the name.
        let mut kpis: Vec<Kpi> = Vec::new();
        let mut defined_at: HashMap<u32, u32> = HashMap::new();
        let mut index: HashMap<u32, usize> = HashMap::new();
        for s in std::mem::take(&mut self.seen_kpis) {
            match defined_at.get(&s.no) {
                None => {
                    defined_at.insert(s.no, s.row);
                    index.insert(s.no, kpis.len());
                    let targets: BTreeMap<FiscalYear, KpiValue> = s.targets.into_iter().filter_map(|(y, v)| Some((y, v?))).collect();
                    kpis.push(Kpi {
                        tolerance: None,
                        revisions: Vec::new(),
                        no: s.no,
                        label: None,
                        group: None,
                        unit: None,
                        direction: Direction::Up,
                        cumulative: s.name.contains("累計"),
                        name: s.name,
                        baseline: s.baseline,
                        baseline_year: None,
                        targets,
                        actuals: s.actual.map(|v| (report_year, Actual { value: v, as_of })).into_iter().collect(),
                        divisions: Vec::new(),
                        footnotes: Vec::new(),
                    });
                }
                Some(first_row) => {
                    let first = CellRef {
                        row: *first_row,
                        col: c_kname,
                    };
                    let Some(k) = index.get(&s.no).map(|i| &mut kpis[*i]) else {
                        continue;
                    };
                    if label_key(&k.name) != label_key(&s.name) {
                        self.problems.push(g.problem(
                            s.row,
                            c_kname,
                            format!(
                                "KPI番号 {} に二つの指標名があります({first} では「{}」、ここでは「{}」)",
                                s.no, k.name, s.name
                            ),
                        ));
                        continue;
                    }
                    if k.baseline.is_none() {
                        k.baseline = s.baseline;
                    }
                    for (y, v) in s.targets {
                        if let Some(v) = v {
                            k.targets.entry(y).or_insert(v);
                        }
                    }
                    if let Some(a) = s.actual {
                        k.actuals.entry(report_year).or_insert(Actual { value: a, as_of });
                    }
                }
            }
        }
        for k in &mut kpis {
            k.unit = infer_unit(k);
            k.direction = infer_direction(k, years);
        }
        kpis.sort_by_key(|k| k.no);

        // Areas and items in order of appearance.
        let mut areas: Vec<Area> = Vec::new();
        let c_aname = self.col(Col::AreaName);
        let c_iname = self.col(Col::ItemName);
        for e in &raw {
            let area_name = self.text(e.row, c_aname);
            let a = match areas.iter_mut().position(|a| a.code == e.area) {
                Some(i) => &mut areas[i],
                None => {
                    areas.push(Area {
                        code: e.area.clone(),
                        name: area_name.clone(),
                        items: Vec::new(),
                    });
                    areas.last_mut().expect("just pushed")
                }
            };
            if a.name.is_none() {
                a.name = area_name;
            }
            if let Some(code) = &e.item {
                let item_name = self.text(e.row, c_iname);
                match a.items.iter_mut().find(|i| &i.code == code) {
                    Some(it) => {
                        if it.name.is_none() {
                            it.name = item_name;
                        }
                    }
                    None => a.items.push(Item {
                        code: code.clone(),
                        name: item_name,
                        ..Default::default()
                    }),
                }
            }
        }

        // Projects first (re-listings may come before their original).
        let mut numbers: HashMap<String, u32> = HashMap::new();
        for e in &raw {
            if let Some(no) = &e.no {
                if let Some(prev) = numbers.insert(no.clone(), e.row) {
                    let c = self.col(Col::No).unwrap_or(0);
                    self.problems.push(g.problem(
                        e.row,
                        c,
                        format!("事業番号 {no} が二度使われています({} にもあります)", CellRef { row: prev, col: c }),
                    ));
                }
            }
        }
        // Re-listings first, against their originals' texts; then each project takes its row's texts.
        let originals: HashMap<&str, &RawEntry> = raw.iter().filter_map(|e| e.no.as_deref().map(|n| (n, e))).collect();
        let mut relistings: HashMap<usize, Entry> = HashMap::new();
        for (i, e) in raw.iter().enumerate() {
            let (None, Some(of)) = (&e.no, &e.relisting_of) else {
                continue;
            };
            let Some(o) = originals.get(of.as_str()) else {
                let c = self.col(Col::Name).unwrap_or(0);
                self.problems
                    .push(g.problem(e.row, c, format!("再掲の元の No.{of} が計画にありません")));
                continue;
            };
            let listing = Relisting::from_row(
                of.clone(),
                e.area.clone(),
                e.item.clone(),
                e.kpis.clone(),
                report_year,
                &e.texts(),
                &o.texts(),
            );
            relistings.insert(i, Entry::Relisting(listing));
        }
        drop(originals);
        let mut entries = Vec::with_capacity(raw.len());
        for (i, e) in raw.into_iter().enumerate() {
            let Some(no) = e.no else {
                entries.extend(relistings.remove(&i));
                continue;
            };
            let year = ProjectYear {
                evaluation: e.evaluation,
                narrative: e.narrative,
                budget: None,
                issues: None,
                ..Default::default()
            };
            entries.push(Entry::Project(Project {
                start: None,
                end: None,
                origin: Vec::new(),
                no,
                area: e.area,
                item: e.item,
                owners: e.owners,
                name: e.name,
                summary: e.summary,
                goal: e.goal,
                kpis: e.kpis,
                years: [(report_year, year)].into_iter().filter(|(_, y)| !y.is_empty()).collect(),
            }));
        }
        (entries, kpis, areas)
    }
}

/// `%` when the values are percentages, a unit word when they carry one.
fn infer_unit(k: &Kpi) -> Option<String> {
    let vals = k.values();
    for v in vals {
        if let crate::value::Parsed::Number(q) | crate::value::Parsed::Qualified(q, _) = v.parse() {
            if q.percent {
                return Some("%".into());
            }
            if q.unit.is_some() {
                return q.unit;
            }
        }
    }
    None
}

/// Lower is better when the targets fall over the years.
fn infer_direction(k: &Kpi, years: &[FiscalYear]) -> Direction {
    let nums: Vec<f64> = years.iter().filter_map(|y| k.targets.get(y)).filter_map(KpiValue::number).collect();
    let falling = nums.len() >= 2 && nums.windows(2).all(|w| w[1] <= w[0]) && nums.last() < nums.first();
    if falling {
        Direction::Down
    } else {
        Direction::Up
    }
}

// --- The extra sheets Shinchoku writes ------------------------------------------

fn read_extra_sheets(wb: &mut Workbook, names: &[String], result: &mut WorkbookPlan) -> Result<(), ImportError> {
    let mut problems = Vec::new();
    if names.iter().any(|n| n == super::base::SHEET_BASE) {
        let g = load_grid(wb, super::base::SHEET_BASE).map_err(|p| ImportError::Invalid(vec![p]))?;
        result.base = super::base::SummaryBase::read(&g).map_err(|p| ImportError::Invalid(vec![p]))?;
    }
    if names.iter().any(|n| n == SHEET_PLAN) {
        let g = load_grid(wb, SHEET_PLAN).map_err(|p| ImportError::Invalid(vec![p]))?;
        problems.extend(g.problems.iter().cloned());
        read_plan_sheet(&g, &mut result.plan, &mut problems);
        result.coverage.plan_info = true;
    }
    if names.iter().any(|n| n == SHEET_TREND) {
        let g = load_grid(wb, SHEET_TREND).map_err(|p| ImportError::Invalid(vec![p]))?;
        problems.extend(g.problems.iter().cloned());
        read_trend_sheet(&g, &mut result.plan, &mut problems);
        result.coverage.trend = true;
    }
    if names.iter().any(|n| n == SHEET_YEARS) {
        let g = load_grid(wb, SHEET_YEARS).map_err(|p| ImportError::Invalid(vec![p]))?;
        problems.extend(g.problems.iter().cloned());
        read_years_sheet(&g, &mut result.plan, &mut problems);
        result.coverage.years = true;
    }
    if names.iter().any(|n| n == super::SHEET_REVISIONS) {
        let g = load_grid(wb, super::SHEET_REVISIONS).map_err(|p| ImportError::Invalid(vec![p]))?;
        problems.extend(g.problems.iter().cloned());
        read_revisions_sheet(&g, &mut result.plan, &mut problems);
    }
    if names.iter().any(|n| n == super::SHEET_STATUS) {
        let g = load_grid(wb, super::SHEET_STATUS).map_err(|p| ImportError::Invalid(vec![p]))?;
        problems.extend(g.problems.iter().cloned());
        read_status_sheet(&g, &mut result.plan, &mut problems);
    }
    if names.iter().any(|n| n == SHEET_SCHEDULE) {
        let g = load_grid(wb, SHEET_SCHEDULE).map_err(|p| ImportError::Invalid(vec![p]))?;
        problems.extend(g.problems.iter().cloned());
        super::schedule::read_schedule_sheet(&g, &mut result.plan, &mut problems);
        result.coverage.schedule = true;
    }
    let invalid = result.plan.validate();
    problems.extend(invalid.into_iter().map(|p| Problem {
        sheet: result.sheet.clone(),
        cell: None,
        message: p.message,
    }));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ImportError::Invalid(problems))
    }
}

/// The rule written in 計画情報, when it can be read (its problems are reported when the sheet is read).
fn plan_sheet_rule(g: &Grid) -> Option<EvaluationRule> {
    let key = label_key(PLAN_KEYS[7]);
    (1..g.rows())
        .find(|&r| g.get(r, 0).key() == key)
        .and_then(|r| g.get(r, 1).text())
        .and_then(|v| serde_json::from_str(&v).ok())
}

fn read_plan_sheet(g: &Grid, plan: &mut Plan, problems: &mut Vec<Problem>) {
    let mut r = 1;
    while r < g.rows() {
        let key = g.get(r, 0).key();
        if key.is_empty() {
            r += 1;
            break;
        }
        let v = g.get(r, 1).text();
        match (PLAN_KEYS.iter().position(|k| label_key(k) == key), v) {
            (Some(0), Some(v)) => plan.organization = v,
            (Some(3), Some(v)) => match v.split_once('-').map(|(a, b)| (FiscalYear::parse(a), FiscalYear::parse(b))) {
                Some((Ok(a), Ok(b))) => plan.period = Some((a, b)),
                _ => problems.push(g.problem(
                    r,
                    1,
                    format!("計画期間「{v}」は「R3-R7」のように始めと終わりの年度で入力してください"),
                )),
            },
            (Some(7), Some(v)) => match serde_json::from_str::<EvaluationRule>(&v) {
                Ok(rule) => plan.rule = rule,
                Err(e) => problems.push(g.problem(r, 1, format!("評価ルールとして読めません({e})"))),
            },
            _ => {}
        }
        r += 1;
    }
    // The areas table: every area and item, in order, with their names.
    if g.get(r, 0).key() != "分野No" {
        return;
    }
    let mut areas: Vec<Area> = Vec::new();
    for row in r + 1..g.rows() {
        let Some(code) = g.get(row, 0).text().map(|c| normalize_area_code(&c)) else {
            continue;
        };
        let name = g.get(row, 1).text();
        if !areas.iter().any(|a| a.code == code) {
            areas.push(Area {
                code: code.clone(),
                name,
                items: Vec::new(),
            });
        }
        if let Some(item) = g.get(row, 2).text() {
            let a = areas.iter_mut().find(|a| a.code == code).expect("inserted above");
            if !a.items.iter().any(|i| i.code == item) {
                a.items.push(Item {
                    code: item,
                    name: g.get(row, 3).text(),
                    situation: g.get(row, 4).text(),
                    progress: g.get(row, 5).text(),
                });
            }
        }
    }
    // Areas and items the summary sheet uses are kept; the table gives order and the rest.
    for a in &plan.areas {
        match areas.iter_mut().find(|x| x.code == a.code) {
            Some(x) => {
                for it in &a.items {
                    if !x.items.iter().any(|i| i.code == it.code) {
                        x.items.push(it.clone());
                    }
                }
            }
            None => areas.push(a.clone()),
        }
    }
    plan.areas = areas;
}

fn read_trend_sheet(g: &Grid, plan: &mut Plan, problems: &mut Vec<Problem>) {
    let Some(h) = (0..g.rows().min(20)).find(|&r| g.get(r, 0).key() == "KPI番号") else {
        problems.push(Problem {
            sheet: g.name.clone(),
            cell: Some("A3".into()),
            message: "見出しの行(KPI番号 …)が見つかりません".into(),
        });
        return;
    };
    let width = g.width();
    let head = |c: u32| g.get(h, c).key();
    let mut year_cols: Vec<(u32, FiscalYear)> = Vec::new();
    let mut tail: HashMap<String, u32> = HashMap::new();
    for c in TREND_HEAD.len() as u32..width {
        let k = head(c);
        if let Ok(y) = FiscalYear::parse(&k) {
            year_cols.push((c, y));
        } else if TREND_TAIL.iter().any(|t| label_key(t) == k) {
            tail.insert(k, c);
        }
    }
    let tcol = |name: &str| tail.get(&label_key(name)).copied();
    let derived = derived_divisions(plan);
    let mut r = h + 1;
    while r < g.rows() {
        let no_text = g.get(r, 0).text();
        let Some(no) = no_text.as_deref().and_then(|t| normalize_width(t).trim().parse::<u32>().ok()) else {
            if no_text.is_some() {
                problems.push(g.problem(r, 0, format!("KPI番号「{}」が数字ではありません", no_text.unwrap_or_default())));
            }
            r += 1;
            continue;
        };
        // The KPI's rows: while column A stays this KPI (merged) or is empty.
        let mut rows = vec![r];
        let mut n = r + 1;
        while n < g.rows() && (g.merged_from.get(&(n, 0)).is_some_and(|o| o.0 == r) || (g.get(n, 0).is_empty() && !g.get(n, 4).is_empty()))
        {
            rows.push(n);
            n += 1;
        }
        let Some(name) = g.get(r, 1).text() else {
            problems.push(g.problem(r, 1, format!("KPI {no} の指標名を入力してください")));
            r = n;
            continue;
        };
        let idx = match plan.kpis.binary_search_by_key(&no, |k| k.no).ok() {
            Some(i) => {
                if label_key(&plan.kpis[i].name) != label_key(&name) {
                    problems.push(g.problem(
                        r,
                        1,
                        format!(
                            "KPI番号 {no} に二つの指標名があります({SHEET_SUMMARY} では「{}」、ここでは「{name}」)",
                            plan.kpis[i].name
                        ),
                    ));
                    r = n;
                    continue;
                }
                i
            }
            None => {
                plan.kpis.push(Kpi {
                    tolerance: None,
                    revisions: Vec::new(),
                    no,
                    label: None,
                    group: None,
                    name: name.clone(),
                    unit: None,
                    direction: Direction::Up,
                    cumulative: false,
                    baseline: None,
                    baseline_year: None,
                    targets: BTreeMap::new(),
                    actuals: BTreeMap::new(),
                    divisions: Vec::new(),
                    footnotes: Vec::new(),
                });
                plan.kpis.sort_by_key(|k| k.no);
                plan.kpis.iter().position(|k| k.no == no).unwrap_or(0)
            }
        };
        let cell_value = |row: u32, c: u32| match g.get(row, c) {
            Cell::Number(v, f) => KpiValue::from_cell_number(*v, f),
            Cell::Text(t) => clean_cell(t).and_then(KpiValue::new),
            _ => None,
        };
        let report_year = plan.report_year;
        let plan_as_of = plan.as_of;
        let k = &mut plan.kpis[idx];
        k.unit = g.get(r, 2).text();
        if k.baseline.is_none() {
            k.baseline = cell_value(r, 3);
        }
        let tail_text = |name: &str| tcol(name).and_then(|c| g.get(r, c).text());
        k.label = tail_text("記号");
        k.group = tail_text("CSF・区分");
        match tail_text("方向").map(|t| (t.clone(), crate::eval::parse_direction_cell(&t))) {
            None => {
                k.direction = Direction::Up;
                k.tolerance = None;
            }
            Some((_, Ok((d, tolerance)))) => {
                k.direction = d;
                k.tolerance = tolerance;
            }
            Some((_, Err(message))) => {
                if let Some(c) = tcol("方向") {
                    problems.push(g.problem(r, c, message));
                }
            }
        }
        k.cumulative = tail_text("累計").is_some();
        k.baseline_year = tail_text("基準年度").and_then(|t| FiscalYear::parse(&t).ok());
        k.footnotes = tail_text("注記")
            .map(|t| t.split('\n').map(str::to_string).collect())
            .unwrap_or_default();
        let divisions: Vec<String> = tail_text("担当課")
            .map(|t| t.split('\n').map(str::to_string).collect())
            .unwrap_or_default();
        k.divisions = if derived.get(&no) == Some(&divisions) {
            Vec::new()
        } else {
            divisions
        };
        let as_of_row = rows.iter().copied().find(|&rr| g.get(rr, 4).key() == ROW_AS_OF);
        for &row in &rows {
            let label = g.get(row, 4).key();
            for &(c, y) in &year_cols {
                if label == ROW_TARGET {
                    if let Some(v) = cell_value(row, c) {
                        k.targets.entry(y).or_insert(v);
                    }
                } else if label == ROW_ACTUAL {
                    if let Some(v) = cell_value(row, c) {
                        let as_of = match as_of_row {
                            Some(ar) => g.get(ar, c).text().and_then(|t| AsOf::parse(&t).ok()),
                            None => (y == report_year).then_some(plan_as_of).flatten(),
                        };
                        match k.actuals.get_mut(&y) {
                            Some(a) => {
                                if as_of_row.is_some() {
                                    a.as_of = as_of;
                                }
                            }
                            None => {
                                k.actuals.insert(y, Actual { value: v, as_of });
                            }
                        }
                    }
                }
            }
        }
        r = n;
    }
}

/// The header row of a sheet Shinchoku writes with a title above its table.
fn table_start(g: &Grid, head: &[&str]) -> Option<u32> {
    (0..g.rows().min(6)).find(|&r| (0..head.len()).all(|c| g.get(r, c as u32).key() == label_key(head[c])))
}

/// A year cell of the sheets below; the problem names the cell.
fn year_cell(g: &Grid, r: u32, c: u32, what: &str, problems: &mut Vec<Problem>) -> Option<Option<FiscalYear>> {
    match g.get(r, c).text() {
        None => Some(None),
        Some(t) => match FiscalYear::parse(&t) {
            Ok(y) => Some(Some(y)),
            Err(_) => {
                problems.push(g.problem(r, c, format!("{what}「{t}」を年度として読めません(例: R6、令和6年度)")));
                None
            }
        },
    }
}

/// 目標値の改定: the revisions of every KPI, which replace what the plan had. Each
/// year's latest revision is its target unless the target cell says otherwise.
fn read_revisions_sheet(g: &Grid, plan: &mut Plan, problems: &mut Vec<Problem>) {
    use super::export::REVISIONS_HEAD;
    let Some(h) = table_start(g, &REVISIONS_HEAD) else {
        problems.push(g.problem(2, 0, format!("見出し({})が見つかりません", REVISIONS_HEAD.join("・"))));
        return;
    };
    let report_year = plan.report_year;
    let mut read: BTreeMap<u32, Vec<crate::model::TargetRevision>> = BTreeMap::new();
    for r in h + 1..g.rows() {
        let Some(no) = g.get(r, 0).text() else { continue };
        let Ok(no) = normalize_width(&no).trim().parse::<u32>() else {
            problems.push(g.problem(r, 0, format!("KPI番号「{no}」は数字で入力してください")));
            continue;
        };
        if plan.kpi(no).is_none() {
            problems.push(g.problem(r, 0, format!("KPI番号 {no} の指標は{SHEET_SUMMARY}にありません")));
            continue;
        }
        let (Some(Some(year)), Some(from)) = (year_cell(g, r, 2, "目標年度", problems), year_cell(g, r, 5, "適用年度", problems))
        else {
            if g.get(r, 2).is_empty() {
                problems.push(g.problem(r, 2, "目標年度を入力してください(例: R7)"));
            }
            continue;
        };
        let value = |c: u32| match g.get(r, c) {
            Cell::Number(v, f) => KpiValue::from_cell_number(*v, f),
            Cell::Text(t) => clean_cell(t).and_then(KpiValue::new),
            _ => None,
        };
        let Some(after) = value(4) else {
            problems.push(g.problem(r, 4, "改定後の目標値を入力してください"));
            continue;
        };
        let date = g.get(r, 6).text().unwrap_or_default();
        read.entry(no).or_default().push(crate::model::TargetRevision {
            year,
            previous: value(3),
            value: after,
            from: from.unwrap_or(report_year),
            date,
            reason: g.get(r, 7).text(),
        });
    }
    for k in &mut plan.kpis {
        let revisions = read.remove(&k.no).unwrap_or_default();
        for y in revisions.iter().map(|r| r.year).collect::<BTreeSet<_>>() {
            let latest = revisions.iter().rev().find(|r| r.year == y).map(|r| r.value.clone());
            let before = revisions.iter().rev().find(|r| r.year == y && r.from <= report_year);
            // The cell showed the target in force for the report year: where it still
            // does, the latest revision stands; where it was changed, the cell wins.
            let shown_in_force = match (k.targets.get(&y), before) {
                (Some(cell), Some(b)) => cell.canonical() == b.value.canonical(),
                (Some(cell), None) => revisions
                    .iter()
                    .find(|r| r.year == y)
                    .and_then(|r| r.previous.as_ref())
                    .is_some_and(|p| p.canonical() == cell.canonical()),
                (None, _) => true,
            };
            if shown_in_force {
                if let Some(v) = latest {
                    k.targets.insert(y, v);
                }
            }
        }
        k.revisions = revisions;
    }
}

/// 事業の状態: each project's start, end and origin.
fn read_status_sheet(g: &Grid, plan: &mut Plan, problems: &mut Vec<Problem>) {
    use super::export::STATUS_HEAD;
    let Some(h) = table_start(g, &STATUS_HEAD[..5]) else {
        problems.push(g.problem(2, 0, format!("見出し({})が見つかりません", STATUS_HEAD[..5].join("・"))));
        return;
    };
    let numbers: BTreeSet<String> = plan.projects().map(|p| p.no.clone()).collect();
    for r in h + 1..g.rows() {
        let Some(no) = g.get(r, 0).text().map(|t| normalize_width(&t).trim().to_string()) else {
            continue;
        };
        let (Some(start), Some(end)) = (year_cell(g, r, 2, "開始年度", problems), year_cell(g, r, 3, "終了年度", problems)) else {
            continue;
        };
        let origin: Vec<String> = g
            .get(r, 4)
            .text()
            .map(|t| {
                normalize_width(&t)
                    .split([',', '、', '・', ' '])
                    .map(|n| n.trim().trim_start_matches("No.").trim_start_matches("No").to_string())
                    .filter(|n| !n.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if let Some(bad) = origin.iter().find(|o| !numbers.contains(*o) || **o == no) {
            problems.push(g.problem(r, 4, format!("統合・分割元の No.{bad} は{SHEET_SUMMARY}の別の事業ではありません")));
            continue;
        }
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                problems.push(g.problem(r, 3, format!("終了年度({})が開始年度({})より前です", e.long(), s.long())));
                continue;
            }
        }
        let Some(Entry::Project(p)) = plan.entries.iter_mut().find(|e| matches!(e, Entry::Project(p) if p.no == no)) else {
            problems.push(g.problem(r, 0, format!("事業番号 {no} は{SHEET_SUMMARY}にありません")));
            continue;
        };
        p.start = start;
        p.end = end;
        p.origin = origin;
    }
}

fn read_years_sheet(g: &Grid, plan: &mut Plan, problems: &mut Vec<Problem>) {
    if g.get(0, 0).key() != label_key(YEARS_HEAD[0]) {
        return;
    }
    let report_year = plan.report_year;
    let scale = plan.rule.scale();
    let by_no: HashMap<String, usize> = plan
        .entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e {
            Entry::Project(p) => Some((p.no.clone(), i)),
            Entry::Relisting(_) => None,
        })
        .collect();
    for r in 1..g.rows() {
        let Some(no) = g.get(r, 0).text().map(|t| normalize_width(&t).trim().to_string()) else {
            continue;
        };
        let Some(year) = g.get(r, 1).text() else {
            problems.push(g.problem(r, 1, "年度を入力してください(例: R5)"));
            continue;
        };
        let Ok(fy) = FiscalYear::parse(&year) else {
            problems.push(g.problem(r, 1, format!("年度「{year}」を年度として読めません(例: R5)")));
            continue;
        };
        let evaluation = match g.get(r, 2).text() {
            // Earlier years may carry the marks of an earlier rule.
            Some(t) => match scale.parse_or_known(&t) {
                Ok(e) => Some(e),
                Err(e) => {
                    problems.push(g.problem(r, 2, e.to_string()));
                    continue;
                }
            },
            None => None,
        };
        let budget = match g.get(r, 4) {
            Cell::Empty => None,
            Cell::Number(n, _) if n.fract() == 0.0 && n.abs() < 1e15 => Some(*n as i64),
            other => match other
                .text()
                .map(|t| normalize_width(&t).replace([',', ' '], "").trim_end_matches("千円").parse::<i64>())
            {
                Some(Ok(b)) => Some(b),
                _ => {
                    problems.push(g.problem(r, 4, "予算は千円単位の整数で入力してください"));
                    continue;
                }
            },
        };
        let Some(Entry::Project(p)) = by_no.get(&no).map(|i| &mut plan.entries[*i]) else {
            problems.push(g.problem(r, 0, format!("事業番号 {no} は{SHEET_SUMMARY}にありません")));
            continue;
        };
        let y = p.years.entry(fy).or_default();
        if fy != report_year {
            y.evaluation = evaluation;
            y.narrative = g.get(r, 3).text();
        }
        y.budget = budget;
        y.issues = g.get(r, 5).text();
        // The card lists (columns the workbooks of earlier versions do not have).
        let list = |c: u32| g.get(r, c).text().unwrap_or_default();
        match crate::card::text::parse_activities(&list(6)) {
            Ok(v) => y.activities = v,
            Err(e) => problems.push(g.problem(r, 6, e)),
        }
        match crate::card::text::parse_actions(&list(7)) {
            Ok(v) => y.actions = v,
            Err(e) => problems.push(g.problem(r, 7, e)),
        }
        match crate::card::text::parse_budget_lines(&list(8)) {
            Ok(v) => y.budget_lines = v,
            Err(e) => problems.push(g.problem(r, 8, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relisting_marks() {
        assert_eq!(split_relisting_mark("事業A\n※再掲:No46"), (Some("事業A".into()), Some("46".into())));
        assert_eq!(
            split_relisting_mark("事業A\n※再掲：No.４６"),
            (Some("事業A".into()), Some("46".into()))
        );
        assert_eq!(split_relisting_mark("事業A"), (Some("事業A".into()), None));
    }

    #[test]
    fn area_codes() {
        assert_eq!(normalize_area_code("I-1"), "I-1");
        assert_eq!(normalize_area_code("I 1"), "I-1");
        assert_eq!(normalize_area_code("Ⅰ-1"), "I-1");
        assert_eq!(normalize_area_code("Ⅱ－２"), "II-2");
        assert_eq!(normalize_area_code("基本目標"), "基本目標");
    }
}
