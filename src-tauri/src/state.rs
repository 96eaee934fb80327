//! The app's state: the database path, and one lock so writes from the window
//! run one at a time (each is one transaction in the core).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use shinchoku_core::ops;
use shinchoku_core::views::AppError;

use crate::error::{system, to_app};

pub struct AppState {
    pub db: PathBuf,
    write: Arc<Mutex<()>>,
}

impl AppState {
    /// Opens the database (`SHINCHOKU_DB`, else the user's data folder) and, on
    /// first start, loads the demo plan.
    pub fn start() -> Result<Self, AppError> {
        let db = ops::resolve_db_path(None).map_err(to_app)?;
        ops::ensure_demo(&db).map_err(to_app)?;
        Ok(AppState {
            db,
            write: Arc::new(Mutex::new(())),
        })
    }

    /// Runs a read off the UI thread.
    pub async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(PathBuf) -> ops::Result<T> + Send + 'static,
    {
        let db = self.db.clone();
        tauri::async_runtime::spawn_blocking(move || f(db).map_err(to_app))
            .await
            .map_err(|e| system(format!("処理を実行できませんでした: {e}")))?
    }

    /// Runs a write off the UI thread, one at a time.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(PathBuf) -> ops::Result<T> + Send + 'static,
    {
        let db = self.db.clone();
        let lock = self.write.clone();
        tauri::async_runtime::spawn_blocking(move || {
            let _held = lock.lock().unwrap_or_else(|e| e.into_inner());
            f(db).map_err(to_app)
        })
        .await
        .map_err(|e| system(format!("処理を実行できませんでした: {e}")))?
    }
}
