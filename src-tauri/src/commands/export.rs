//! 出力: the summary workbook and the department templates; open the folder.

use std::path::PathBuf;

use shinchoku_core::fy::FiscalYear;
use shinchoku_core::ops;
use shinchoku_core::views::{AppError, Written};
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;

use super::progress;
use crate::error::system;
use crate::AppState;

#[tauri::command]
pub async fn export_summary(app: AppHandle, state: State<'_, AppState>, path: PathBuf, year: Option<i32>) -> Result<Written, AppError> {
    progress(&app, "export", 0, 1, "取組一覧を出力中");
    let r = state
        .read(move |db| {
            let file = ops::check_output(&db, &path, "xlsx")?;
            ops::export(&db, None, &file, year.map(FiscalYear))?;
            Ok(Written {
                folder: file.parent().map(|p| p.display().to_string()).unwrap_or_default(),
                files: vec![file.display().to_string()],
                warnings: Vec::new(),
            })
        })
        .await;
    progress(&app, "export", 1, 1, "");
    r
}

/// One entry workbook per department into a folder.
#[tauri::command]
pub async fn export_templates(app: AppHandle, state: State<'_, AppState>, dir: PathBuf, year: Option<i32>) -> Result<Written, AppError> {
    progress(&app, "templates", 0, 1, "記入用ファイルを作成中");
    let r = state
        .read(move |db| {
            let dir = ops::check_output_dir(&dir)?;
            let t = ops::templates(&db, None, &dir, year.map(FiscalYear), &[])?;
            let warnings = if t.without_department > 0 {
                vec![format!(
                    "部の記載がない事業 {} 件はどのファイルにも含まれません",
                    t.without_department
                )]
            } else {
                Vec::new()
            };
            Ok(Written {
                folder: dir.display().to_string(),
                files: t.files.iter().map(|f| f.path.display().to_string()).collect(),
                warnings,
            })
        })
        .await;
    progress(&app, "templates", 1, 1, "");
    r
}

/// Shows a written file in the system's file manager.
#[tauri::command]
pub async fn reveal(app: AppHandle, path: PathBuf) -> Result<(), AppError> {
    if !path.is_absolute() || !path.exists() {
        return Err(system(format!("{}: ありません", path.display())));
    }
    app.opener()
        .reveal_item_in_dir(&path)
        .map_err(|e| system(format!("フォルダを開けませんでした: {e}")))
}
