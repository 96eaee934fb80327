//! 取りまとめ and 履歴: merging returns with progress, conflicts, undo.

use std::path::PathBuf;

use shinchoku_core::ops::{self, MergeOptions, Take};
use shinchoku_core::views::{AppError, ConflictView, MergeView, RevisionChanges, RevisionView};
use tauri::{AppHandle, State};

use super::progress;
use crate::AppState;

#[tauri::command]
pub async fn merge_returns(app: AppHandle, state: State<'_, AppState>, paths: Vec<PathBuf>) -> Result<MergeView, AppError> {
    progress(&app, "merge", 0, paths.len(), "");
    state
        .write(move |db| {
            let files = ops::check_inputs(&paths, &["xlsx", "xlsm"])?;
            let report = ops::merge(&db, None, &files, &MergeOptions::default(), &mut |p| {
                progress(&app, "merge", p.done, p.total, &shinchoku_core::views::file_name(&p.file));
            })?;
            Ok(ops::merge_view(&report))
        })
        .await
}

#[tauri::command]
pub async fn conflicts(state: State<'_, AppState>, all: bool) -> Result<Vec<ConflictView>, AppError> {
    state.read(move |db| ops::conflict_views(&db, all)).await
}

/// Decides a conflict: `plan`, `return`, or a typed `value`.
#[tauri::command]
pub async fn resolve_conflict(
    state: State<'_, AppState>,
    id: i64,
    take: String,
    value: Option<String>,
) -> Result<Vec<ConflictView>, AppError> {
    state
        .write(move |db| {
            let take = match (take.as_str(), value) {
                ("plan", _) => Take::Plan,
                ("return", _) => Take::Return,
                ("value", Some(v)) => Take::Value(v),
                _ => return Err(ops::Error::BadInput(format!("解決の方法が不明です: {take}"))),
            };
            ops::resolve(&db, id, &take)?;
            ops::conflict_views(&db, false)
        })
        .await
}

#[tauri::command]
pub async fn history(state: State<'_, AppState>) -> Result<Vec<RevisionView>, AppError> {
    state.read(|db| ops::revision_views(&db)).await
}

/// The fields one revision changed (the first 200), for 履歴's details.
#[tauri::command]
pub async fn revision_changes(state: State<'_, AppState>, revision: i64) -> Result<RevisionChanges, AppError> {
    state.read(move |db| ops::revision_changes(&db, revision, 200)).await
}

#[tauri::command]
pub async fn undo(state: State<'_, AppState>, revision: i64) -> Result<Vec<RevisionView>, AppError> {
    state
        .write(move |db| {
            ops::undo(&db, revision)?;
            ops::revision_views(&db)
        })
        .await
}
