//! The app's state: the database path, the instance lock, and one mutex so
//! writes from the window run one at a time (each is one transaction in the core).

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use shinchoku_core::ops;
use shinchoku_core::views::AppError;

use crate::error::{system, to_app};

pub struct AppState {
    pub db: PathBuf,
    write: Arc<Mutex<()>>,
    /// Held while the app runs: a second app on the same database refuses to start.
    _instance: File,
}

/// Takes the app's lock beside the database (`shinchoku.db.app-lock`). The
/// single-instance plugin focuses the first window on the desktop; this lock
/// holds even where that cannot work (no session bus, another user's launch).
fn lock_instance(db: &Path) -> Result<File, AppError> {
    let mut name = db.as_os_str().to_owned();
    name.push(".app-lock");
    let path = PathBuf::from(name);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| system(format!("{}: {e}", dir.display())))?;
    }
    let f = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| system(format!("{}: {e}", path.display())))?;
    f.try_lock().map_err(|_| {
        system(format!(
            "進捗 はすでに起動しています(データベース {})。開いているウィンドウを使ってください",
            db.display()
        ))
    })?;
    Ok(f)
}

impl AppState {
    /// Opens the database (`SHINCHOKU_DB`, else the user's data folder) and, on
    /// first start, loads the demo plan.
    pub fn start() -> Result<Self, AppError> {
        let db = ops::resolve_db_path(None).map_err(to_app)?;
        let instance = lock_instance(&db)?;
        ops::ensure_demo(&db).map_err(to_app)?;
        Ok(AppState {
            db,
            write: Arc::new(Mutex::new(())),
            _instance: instance,
        })
    }

    /// Runs a read off the UI thread.
    pub async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(PathBuf) -> ops::Result<T> + Send + 'static,
    {
        let db = self.db.clone();
        tauri::async_runtime::spawn_blocking(move || f(db.clone()).map_err(|e| to_app(e.at(&db))))
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
            f(db.clone()).map_err(|e| to_app(e.at(&db)))
        })
        .await
        .map_err(|e| system(format!("処理を実行できませんでした: {e}")))?
    }
}
