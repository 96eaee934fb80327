//! 設定: chart settings, the data folder, backups.

use std::path::PathBuf;

use shinchoku_core::ops;
use shinchoku_core::views::{AppError, BackupView, Settings, SettingsView};
use tauri::State;

use crate::AppState;

#[tauri::command]
pub async fn settings(state: State<'_, AppState>) -> Result<SettingsView, AppError> {
    state.read(|db| ops::settings_view(&db)).await
}

#[tauri::command]
pub async fn save_settings(state: State<'_, AppState>, settings: Settings) -> Result<SettingsView, AppError> {
    state.write(move |db| ops::save_settings(&db, &settings)).await
}

#[tauri::command]
pub async fn backups(state: State<'_, AppState>) -> Result<Vec<BackupView>, AppError> {
    state.read(|db| ops::backup_views(&db)).await
}

/// Restores a backup (the current state is backed up first).
#[tauri::command]
pub async fn restore_backup(state: State<'_, AppState>, file: PathBuf) -> Result<Vec<BackupView>, AppError> {
    state
        .write(move |db| {
            ops::restore(&db, &file)?;
            ops::backup_views(&db)
        })
        .await
}

/// The folder to offer for an output of `kind`: the last used, else the documents folder.
#[tauri::command]
pub async fn default_folder(state: State<'_, AppState>, kind: String) -> Result<String, AppError> {
    state
        .read(move |db| Ok(ops::default_folder(&db, &kind)?.display().to_string()))
        .await
}
