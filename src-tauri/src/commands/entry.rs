//! 年度入力: the department's forms, saved field by field, and its return file.

use std::path::PathBuf;

use shinchoku_core::ops;
use shinchoku_core::views::{AppError, EntryPage, FieldEdit, OpenedReturn, SavedField, Written};
use tauri::State;

use crate::AppState;

#[tauri::command]
pub async fn entry_page(
    state: State<'_, AppState>,
    department: Option<String>,
    division: Option<String>,
    year: Option<i32>,
) -> Result<EntryPage, AppError> {
    // A write: the 部・課 chosen are remembered.
    state
        .write(move |db| ops::app_entry_page(&db, department.as_deref(), division.as_deref(), year))
        .await
}

#[tauri::command]
pub async fn save_field(
    state: State<'_, AppState>,
    department: String,
    division: Option<String>,
    edit: FieldEdit,
) -> Result<SavedField, AppError> {
    state
        .write(move |db| ops::save_field(&db, &department, division.as_deref(), &edit))
        .await
}

/// 提出用ファイルを保存.
#[tauri::command]
pub async fn save_return(state: State<'_, AppState>, department: String, year: Option<i32>, path: PathBuf) -> Result<Written, AppError> {
    state.read(move |db| ops::save_return(&db, &department, year, &path)).await
}

/// 記入用ファイルを開く: the coordinator's file becomes the department's plan.
#[tauri::command]
pub async fn open_return_file(state: State<'_, AppState>, path: PathBuf) -> Result<OpenedReturn, AppError> {
    state.write(move |db| ops::open_return_file(&db, &path)).await
}
