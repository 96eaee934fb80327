//! 報告書 and 工程表: the plan's texts and schedule, edited field by field (the core
//! checks every value and who may change it) and written out.

use std::path::PathBuf;

use shinchoku_core::ops::{self, Edited, Editor};
use shinchoku_core::views::{AppError, CardEditView, FieldEdit, ReportItemView, ScheduleView, Written};
use tauri::{AppHandle, State};

use super::progress;
use crate::AppState;

/// Saves fields that belong together as one revision (`summary` names the change in 履歴).
#[tauri::command]
pub async fn edit_fields(state: State<'_, AppState>, edits: Vec<FieldEdit>, summary: String) -> Result<Edited, AppError> {
    state
        .write(move |db| {
            let editor = Editor::of_app(&db)?;
            ops::edit_fields(&db, &editor, &edits, &summary)
        })
        .await
}

#[tauri::command]
pub async fn report_items(state: State<'_, AppState>) -> Result<Vec<ReportItemView>, AppError> {
    state.read(|db| ops::report_item_views(&db)).await
}

/// A report text as it will print (its KPI quotes written out), or why a quote cannot be.
#[tauri::command]
pub async fn report_preview(state: State<'_, AppState>, text: String) -> Result<String, AppError> {
    state.read(move |db| ops::report_preview(&db, &text)).await
}

/// 報告書を出力 (.docx).
#[tauri::command]
pub async fn export_report(app: AppHandle, state: State<'_, AppState>, path: PathBuf) -> Result<Written, AppError> {
    progress(&app, "report", 0, 1, "報告書を作成中");
    let r = state.read(move |db| ops::app_report(&db, &path)).await;
    progress(&app, "report", 1, 1, "");
    r
}

#[tauri::command]
pub async fn schedule(state: State<'_, AppState>) -> Result<ScheduleView, AppError> {
    state.read(|db| ops::schedule_view(&db)).await
}

/// 事業カード: a project's card with the place of every value.
#[tauri::command]
pub async fn card_view(state: State<'_, AppState>, project: String, year: Option<i32>) -> Result<CardEditView, AppError> {
    state.read(move |db| ops::card_edit_view(&db, &project, year)).await
}

/// カードを出力: the project's card as PDF (with its charts) or xlsx.
#[tauri::command]
pub async fn export_card(
    app: AppHandle,
    state: State<'_, AppState>,
    path: PathBuf,
    project: String,
    year: Option<i32>,
) -> Result<Written, AppError> {
    progress(&app, "card", 0, 1, "事業カードを作成中");
    let r = state.read(move |db| ops::app_card(&db, &path, &project, year)).await;
    progress(&app, "card", 1, 1, "");
    r
}
