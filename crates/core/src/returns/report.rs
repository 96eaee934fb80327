//! The merge report workbook (取りまとめ結果): per file, what was applied, what
//! conflicts, what was rejected and why. The coordinator forwards it to the
//! departments, so it speaks Japanese and names the cells of their files.

use std::path::Path;

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::ops::MergeReport;
use crate::xlsx::export::{base_format, header_format};
use crate::xlsx::{save_atomically, WriteError};

pub const SHEET_OVERVIEW: &str = "概要";
pub const SHEET_APPLIED: &str = "反映";
pub const SHEET_CONFLICTS: &str = "競合";
pub const SHEET_PROBLEMS: &str = "却下・警告";

/// Writes the report under a temporary name and renames it into place.
pub fn write_merge_report(report: &MergeReport, path: &Path) -> Result<(), WriteError> {
    let mut wb = build_merge_report(report).map_err(|source| WriteError::Xlsx {
        path: path.to_path_buf(),
        source,
    })?;
    save_atomically(&mut wb, path)
}

fn file_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

struct Table<'a> {
    ws: &'a mut Worksheet,
    row: u32,
    cell: Format,
}

impl<'a> Table<'a> {
    fn new(ws: &'a mut Worksheet, title: &str, headers: &[(&str, f64)]) -> Result<Self, XlsxError> {
        let base = base_format();
        ws.write_string_with_format(0, 0, title, &base.clone().set_bold().set_font_size(12.0))?;
        let head = header_format();
        for (i, (h, w)) in headers.iter().enumerate() {
            ws.set_column_width(i as u16, *w)?;
            ws.write_string_with_format(2, i as u16, *h, &head)?;
        }
        ws.set_repeat_rows(0, 2)?;
        ws.set_freeze_panes(3, 0)?;
        ws.set_paper_size(9);
        ws.set_landscape();
        ws.set_print_fit_to_pages(1, 0);
        ws.set_footer("&C- &P / &N -");
        let cell = base.set_border(FormatBorder::Thin).set_text_wrap().set_align(FormatAlign::Top);
        Ok(Table { ws, row: 3, cell })
    }

    /// One row; text cells are always strings (never formulas).
    fn row(&mut self, cells: &[String]) -> Result<(), XlsxError> {
        for (i, v) in cells.iter().enumerate() {
            if v.is_empty() {
                self.ws.write_blank(self.row, i as u16, &self.cell)?;
            } else {
                self.ws.write_string_with_format(self.row, i as u16, v, &self.cell)?;
            }
        }
        self.row += 1;
        Ok(())
    }
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

pub fn build_merge_report(r: &MergeReport) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    let title = format!(
        "{} 取りまとめ結果 {}{}",
        r.year.long(),
        r.plan_title,
        if r.dry_run {
            "(試行: 計画は変更していません)"
        } else {
            ""
        }
    );

    let ws = wb.add_worksheet().set_name(SHEET_OVERVIEW)?;
    let mut t = Table::new(
        ws,
        &title,
        &[
            ("ファイル", 34.0),
            ("部", 14.0),
            ("結果", 10.0),
            ("反映", 7.0),
            ("競合", 7.0),
            ("変更なし", 9.0),
            ("反映済み", 9.0),
            ("担当外", 7.0),
            ("警告", 7.0),
            ("エラー", 7.0),
            ("署名", 14.0),
            ("再提出(置き換えたファイル)", 34.0),
        ],
    )?;
    for o in &r.files {
        t.row(&[
            file_name(&o.file),
            opt(&o.department),
            o.status.label().to_string(),
            o.applied.len().to_string(),
            (o.conflicts.len() + o.known_conflicts).to_string(),
            o.unchanged.to_string(),
            o.already.to_string(),
            o.not_owned.to_string(),
            o.warnings.len().to_string(),
            o.errors.len().to_string(),
            o.signature.map(|s| s.label().to_string()).unwrap_or_default(),
            o.supersedes.iter().map(|f| file_name(f)).collect::<Vec<_>>().join("、"),
        ])?;
    }
    let summary = format!(
        "反映 {} 項目 / 新しい競合 {} 件 / 却下 {} ファイル{}",
        r.applied,
        r.conflicts,
        r.rejected,
        r.revision_id.map(|id| format!(" / 履歴 #{id}")).unwrap_or_default()
    );
    t.ws.write_string(1, 0, summary)?;

    let ws = wb.add_worksheet().set_name(SHEET_APPLIED)?;
    let mut t = Table::new(
        ws,
        "反映した項目",
        &[
            ("ファイル", 28.0),
            ("部", 12.0),
            ("事業番号", 8.0),
            ("KPI番号", 8.0),
            ("項目", 12.0),
            ("セル", 10.0),
            ("変更前", 36.0),
            ("変更後", 36.0),
        ],
    )?;
    for o in &r.files {
        for a in &o.applied {
            t.row(&[
                file_name(&o.file),
                opt(&o.department),
                a.project.clone(),
                a.kpi.map(|k| k.to_string()).unwrap_or_default(),
                a.field.clone(),
                a.cell.clone(),
                opt(&a.before),
                opt(&a.after),
            ])?;
        }
    }

    let ws = wb.add_worksheet().set_name(SHEET_CONFLICTS)?;
    let mut t = Table::new(
        ws,
        "競合(反映していません。取りまとめ担当が判断します)",
        &[
            ("競合番号", 8.0),
            ("ファイル", 26.0),
            ("部", 12.0),
            ("事業番号", 8.0),
            ("KPI番号", 8.0),
            ("項目", 12.0),
            ("セル", 10.0),
            ("作成時の値", 28.0),
            ("計画の値", 28.0),
            ("返送の値", 28.0),
        ],
    )?;
    for o in &r.files {
        for (i, c) in o.conflicts.iter().enumerate() {
            t.row(&[
                o.conflict_ids.get(i).map(|id| format!("#{id}")).unwrap_or_default(),
                file_name(&o.file),
                opt(&c.department),
                opt(&c.project),
                c.kpi.map(|k| k.to_string()).unwrap_or_default(),
                c.field.clone(),
                opt(&c.cell),
                opt(&c.base),
                opt(&c.plan_value),
                opt(&c.return_value),
            ])?;
        }
    }

    let ws = wb.add_worksheet().set_name(SHEET_PROBLEMS)?;
    let mut t = Table::new(
        ws,
        "却下・警告(エラーのあるファイルは何も反映していません)",
        &[("ファイル", 30.0), ("種別", 8.0), ("場所", 16.0), ("内容", 90.0)],
    )?;
    for o in &r.files {
        for (kind, list) in [("エラー", &o.errors), ("警告", &o.warnings)] {
            for p in list.iter() {
                let place = match &p.cell {
                    Some(c) => format!("{}!{c}", p.sheet),
                    None => p.sheet.clone(),
                };
                t.row(&[file_name(&o.file), kind.to_string(), place, p.message.clone()])?;
            }
        }
    }
    Ok(wb)
}
