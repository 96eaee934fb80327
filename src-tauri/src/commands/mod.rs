//! The window's commands, by screen. Each checks nothing itself: the core
//! validates values and paths, and its errors cross as `{kind, message}`.

pub mod charts;
pub mod entry;
pub mod export;
pub mod merge;
pub mod plan;
pub mod plan_edit;
pub mod rounds;
pub mod settings;
pub mod years;

use shinchoku_core::views::Progress;
use tauri::{AppHandle, Emitter};

/// Tells the window how far long work has got.
pub fn progress(app: &AppHandle, task: &str, done: usize, total: usize, label: &str) {
    let _ = app.emit(
        "progress",
        Progress {
            task: task.into(),
            done: done as u32,
            total: total as u32,
            label: label.into(),
        },
    );
}
