//! The plan across years: its rating rule (設定), a KPI's target revisions, the next fiscal year.

use std::path::PathBuf;

use shinchoku_core::fy::FiscalYear;
use shinchoku_core::ops::{self, RuleChoice, RuleView, TargetSet, YearStarted};
use shinchoku_core::views::AppError;
use tauri::State;

use crate::AppState;

#[tauri::command]
pub async fn rules(state: State<'_, AppState>) -> Result<Vec<RuleView>, AppError> {
    state.read(|db| ops::rules(&db, None)).await
}

/// A built-in rule by name, or a rule file the window picked.
#[tauri::command]
pub async fn use_rule(state: State<'_, AppState>, name: Option<String>, file: Option<PathBuf>) -> Result<RuleView, AppError> {
    state
        .write(move |db| match (&file, &name) {
            (Some(f), _) => ops::rule_use(&db, None, &RuleChoice::File(f)),
            (None, Some(n)) => ops::rule_use(&db, None, &RuleChoice::Builtin(n)),
            (None, None) => Err(ops::Error::BadInput("評価ルールを選んでください".into())),
        })
        .await
}

#[tauri::command]
pub async fn set_target(
    state: State<'_, AppState>,
    kpi: u32,
    year: i32,
    value: String,
    reason: Option<String>,
) -> Result<TargetSet, AppError> {
    state
        .write(move |db| ops::target_set(&db, None, kpi, FiscalYear(year), &value, reason.as_deref(), None))
        .await
}

#[tauri::command]
pub async fn start_year(state: State<'_, AppState>, year: i32) -> Result<YearStarted, AppError> {
    state.write(move |db| ops::year_start(&db, None, FiscalYear(year))).await
}
