//! 出力: the summary workbook and the department templates; open the folder.

use std::path::PathBuf;

use shinchoku_core::ops;
use shinchoku_core::views::{AppError, Written};
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;

use super::progress;
use crate::error::system;
use crate::AppState;

/// The summary workbook, in the plan's layout or one chosen by name (`取組一覧`, `総合戦略`).
#[tauri::command]
pub async fn export_summary(
    app: AppHandle,
    state: State<'_, AppState>,
    path: PathBuf,
    year: Option<i32>,
    layout: Option<String>,
) -> Result<Written, AppError> {
    progress(&app, "export", 0, 1, "取組一覧を出力中");
    let r = state.read(move |db| ops::app_export(&db, &path, year, layout.as_deref())).await;
    progress(&app, "export", 1, 1, "");
    r
}

/// The layouts the summary can be written in, by name.
#[tauri::command]
pub fn layout_names() -> Vec<String> {
    ops::layout_names()
}

/// One entry workbook per department into a folder.
#[tauri::command]
pub async fn export_templates(app: AppHandle, state: State<'_, AppState>, dir: PathBuf, year: Option<i32>) -> Result<Written, AppError> {
    progress(&app, "templates", 0, 1, "記入用ファイルを作成中");
    let r = state.read(move |db| ops::app_templates(&db, &dir, year)).await;
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
