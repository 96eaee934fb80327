//! グラフ: KPI charts as SVG, and PNG / PDF files.

use std::path::PathBuf;

use shinchoku_core::chart::book::{GroupBy, Paper};
use shinchoku_core::ops;
use shinchoku_core::views::{self, AppError, ChartSelection, ChartView, KpiListItem, Written};
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;

use super::progress;
use crate::AppState;

#[tauri::command]
pub async fn kpis(state: State<'_, AppState>) -> Result<Vec<KpiListItem>, AppError> {
    state.read(|db| Ok(views::kpi_list(&ops::load(&db, None)?))).await
}

#[tauri::command]
pub async fn charts(state: State<'_, AppState>, selection: ChartSelection, year: Option<i32>) -> Result<Vec<ChartView>, AppError> {
    state.read(move |db| ops::chart_views(&db, &selection, year)).await
}

#[tauri::command]
pub async fn export_chart_png(state: State<'_, AppState>, kpi: u32, path: PathBuf) -> Result<Written, AppError> {
    state.read(move |db| ops::chart_png(&db, kpi, &path)).await
}

/// The chart book PDF: `paper` a4 | a3, 1/2/4 per page, grouped by `area` | `department`.
#[tauri::command]
pub async fn export_chart_book(
    app: AppHandle,
    state: State<'_, AppState>,
    path: PathBuf,
    paper: String,
    per_page: usize,
    by: String,
) -> Result<Written, AppError> {
    let paper = if paper == "a3" { Paper::A3 } else { Paper::A4 };
    let by = if by == "department" { GroupBy::Department } else { GroupBy::Area };
    progress(&app, "chart_book", 0, 1, "グラフ集を作成中");
    let r = state.read(move |db| ops::app_chart_book(&db, &path, paper, per_page, by)).await;
    progress(&app, "chart_book", 1, 1, "");
    r
}

/// 印刷: the core writes the PDF (heading, 和暦 date, page numbers); the system's viewer
/// opens it to print. When no viewer opens, the file is still there and the result says so.
#[tauri::command]
pub async fn print_charts(
    app: AppHandle,
    state: State<'_, AppState>,
    selection: ChartSelection,
    year: Option<i32>,
) -> Result<Written, AppError> {
    let mut w = state.read(move |db| ops::print_charts(&db, &selection, year)).await?;
    if let Some(file) = w.files.first() {
        if app.opener().open_path(file, None::<&str>).is_err() {
            w.warnings
                .push(format!("PDFを開くアプリが見つかりません。{file} を開いて印刷してください"));
        }
    }
    Ok(w)
}
