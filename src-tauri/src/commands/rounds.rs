//! 照会: the round's board, opening it, 差戻し, 確定 / 解除, the reminder.

use std::path::PathBuf;

use shinchoku_core::ops::{self, RoundBoard};
use shinchoku_core::views::{AppError, Written};
use tauri::State;

use crate::AppState;

#[tauri::command]
pub async fn round_board(state: State<'_, AppState>) -> Result<RoundBoard, AppError> {
    state.read(move |db| ops::round_board(&db)).await
}

#[tauri::command]
pub async fn round_open(state: State<'_, AppState>, due: String, title: Option<String>) -> Result<RoundBoard, AppError> {
    state
        .write(move |db| {
            ops::round_open(&db, None, None, &due, title.as_deref().filter(|t| !t.trim().is_empty()))?;
            ops::round_board(&db)
        })
        .await
}

#[tauri::command]
pub async fn round_remind(state: State<'_, AppState>) -> Result<String, AppError> {
    state.read(move |db| ops::round_remind(&db, None, None)).await
}

/// 差戻し into a folder the window gave.
#[tauri::command]
pub async fn round_send_back(state: State<'_, AppState>, department: String, note: String, dir: PathBuf) -> Result<Written, AppError> {
    state.write(move |db| ops::app_send_back(&db, &department, &note, &dir)).await
}

#[tauri::command]
pub async fn round_confirm(state: State<'_, AppState>, department: String) -> Result<RoundBoard, AppError> {
    state
        .write(move |db| {
            ops::round_confirm(&db, None, &department)?;
            ops::round_board(&db)
        })
        .await
}

#[tauri::command]
pub async fn round_unlock(state: State<'_, AppState>, department: String, reason: String) -> Result<RoundBoard, AppError> {
    state
        .write(move |db| {
            ops::round_unlock(&db, None, &department, &reason)?;
            ops::round_board(&db)
        })
        .await
}
