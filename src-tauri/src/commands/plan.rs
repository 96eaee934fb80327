//! 計画一覧 and 新しい計画を取り込む.

use std::path::{Path, PathBuf};

use shinchoku_core::ops::{self, MappedColumn, MappingView};
use shinchoku_core::views::{AppError, Overview, PlanView};
use tauri::{AppHandle, State};

use super::progress;
use crate::AppState;

#[tauri::command]
pub async fn overview(state: State<'_, AppState>, year: Option<i32>) -> Result<Overview, AppError> {
    state.read(move |db| ops::app_overview(&db, year)).await
}

/// Imports a 取組一覧 workbook (a new plan, or a new version of the same plan).
#[tauri::command]
pub async fn import_plan(
    app: AppHandle,
    state: State<'_, AppState>,
    path: PathBuf,
    replace_entered: Option<bool>,
) -> Result<Overview, AppError> {
    importing(app, state, path, move |db, file| {
        ops::import(db, file, None, replace_entered.unwrap_or(false)).map(|_| ())
    })
    .await
}

/// The mapping table of a workbook in a layout of its own (none for a 取組一覧, imported as it is).
#[tauri::command]
pub async fn layout_mapping(state: State<'_, AppState>, path: PathBuf) -> Result<Option<MappingView>, AppError> {
    state
        .read(move |_db| {
            let file = ops::check_inputs(&[path], &["xlsx"])?.remove(0);
            ops::layout_mapping(&file)
        })
        .await
}

/// Imports a workbook in a layout of its own, its columns placed as the mapping table says.
#[tauri::command]
pub async fn import_mapped(
    app: AppHandle,
    state: State<'_, AppState>,
    path: PathBuf,
    columns: Vec<MappedColumn>,
) -> Result<Overview, AppError> {
    importing(app, state, path, move |db, file| {
        ops::import_with_mapping(db, file, &columns, None).map(|_| ())
    })
    .await
}

/// An import of the workbook at `path` (checked first), with its progress, then the overview.
async fn importing(
    app: AppHandle,
    state: State<'_, AppState>,
    path: PathBuf,
    import: impl FnOnce(&Path, &Path) -> ops::Result<()> + Send + 'static,
) -> Result<Overview, AppError> {
    progress(&app, "import", 0, 1, "取り込み中");
    let r = state
        .write(move |db| {
            let file = ops::check_inputs(&[path], &["xlsx"])?.remove(0);
            import(&db, &file)?;
            ops::app_overview(&db, None)
        })
        .await;
    progress(&app, "import", 1, 1, "");
    r
}

/// The database's plans (the current one marked, demo plans labelled).
#[tauri::command]
pub async fn plans(state: State<'_, AppState>) -> Result<Vec<PlanView>, AppError> {
    state.read(|db| ops::plan_views(&db)).await
}

/// 計画を切り替える.
#[tauri::command]
pub async fn switch_plan(state: State<'_, AppState>, plan: i64) -> Result<Vec<PlanView>, AppError> {
    state.write(move |db| ops::switch_plan(&db, plan)).await
}

/// デモ計画を削除 (a plan the user imported is refused by the core).
#[tauri::command]
pub async fn delete_demo_plan(state: State<'_, AppState>, plan: i64) -> Result<Vec<PlanView>, AppError> {
    state.write(move |db| ops::delete_demo_plan(&db, plan)).await
}
