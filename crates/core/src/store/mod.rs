//! The local SQLite copy of the plans (rusqlite, bundled SQLite).
//!
//! Opening checks the file before touching it: a database that is not
//! Shinchoku's, or of a newer schema, is refused and left byte-for-byte as it
//! was. Every write is one transaction and records a [`Revision`] with the field
//! changes it made, so history and undo can be built on it.

mod backup;
mod conflicts;
mod history;
mod patch;
mod plans;
mod received;
mod rounds;
mod schema;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde::Serialize;

pub use backup::{backup_dir, list_backups, replace_unreadable, BackupInfo, KEEP_BACKUPS};
pub(crate) use conflicts::{insert_conflicts, mark_resolved};
pub use conflicts::{Conflict, ConflictKey, NewConflict};
pub use plans::{PlanInfo, SaveOutcome};
pub(crate) use received::{insert_opened, insert_received};
pub use received::{NewReceived, PriorValue, ReceivedFile};
pub(crate) use rounds::mark_returned;
pub use rounds::{Round, RoundDepartment};
pub use schema::{latest_version, APPLICATION_ID, MIGRATIONS};

/// The environment variable that overrides the default database path.
pub const DB_ENV: &str = "SHINCHOKU_DB";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: このファイルはShinchokuのデータベースではありません(SQLiteのデータベースでもありません)。別のファイルを指定するか、バックアップから復元してください")]
    NotADatabase { path: PathBuf },
    #[error("{path}: ほかのアプリのデータベースで、Shinchokuのものではありません。変更していません。別のファイルを指定してください")]
    NotShinchoku { path: PathBuf },
    #[error("{path}: 新しい版のShinchokuで書かれたデータベースです(形式 {found}。この版は {supported} まで)。変更していません。Shinchokuを更新してから開いてください")]
    NewerSchema { path: PathBuf, found: i32, supported: i32 },
    #[error("{path}: データベースが破損しています({detail})。変更していません。最新のバックアップから復元してください(アプリでは 設定 → バックアップ → 復元、コマンドでは `shinchoku backups` と `shinchoku restore`)。破損したファイルは横に残します")]
    Damaged { path: PathBuf, detail: String },
    #[error(
        "{path}: データベースがまだありません。先に作成してください(コマンドでは `shinchoku init`、デモ計画付きは `shinchoku init --demo`)"
    )]
    Missing { path: PathBuf },
    #[error("利用者のデータフォルダが見つかりません。環境変数 {DB_ENV} か `--db` でデータベースの場所を指定してください")]
    NoDataDir,
    #[error("{path}: {}", crate::text::io_message(source))]
    Io { path: PathBuf, source: std::io::Error },
    #[error("計画がまだありません。取組一覧のブックを取り込むか、デモ計画を読み込んでください")]
    NoPlan,
    #[error("「{0}」に当たる計画はありません(計画の一覧で確認してください)")]
    PlanNotFound(String),
    #[error("「{0}」に当たる計画が複数あります。計画の番号で指定してください")]
    PlanAmbiguous(String),
    #[error("計画を保存できません: {0}")]
    InvalidPlan(String),
    #[error("{path}: このファイルからは復元できません({why})。バックアップの一覧から選んでください")]
    BadBackup { path: PathBuf, why: String },
    #[error("履歴 #{0} はありません(履歴の一覧で確認してください)")]
    RevisionNotFound(i64),
    #[error("{0}")]
    CannotUndo(String),
    #[error("競合 #{0} はありません(競合の一覧で確認してください)")]
    ConflictNotFound(i64),
    #[error("{}", crate::text::sqlite_message(.0))]
    Sqlite(#[from] rusqlite::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// One recorded field change: `(path, old, new)`.
pub type FieldChangeRow = (String, Option<String>, Option<String>);

/// What a write records about itself.
#[derive(Debug, Clone, Default)]
pub struct RevisionInfo {
    /// `init`, `import`, …
    pub kind: String,
    pub summary: String,
    pub source_file: Option<String>,
    pub source_sha256: Option<String>,
    pub department: Option<String>,
    /// The revision this one undoes.
    pub undoes: Option<i64>,
}

/// One recorded write.
#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    pub id: i64,
    pub plan_id: Option<i64>,
    pub at: String,
    pub kind: String,
    pub summary: String,
    pub source_file: Option<String>,
    pub source_sha256: Option<String>,
    pub department: Option<String>,
    pub fields_changed: i64,
    pub undoes: Option<i64>,
    /// The later revision that undid this one.
    pub undone_by: Option<i64>,
}

/// An open Shinchoku database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// The default database: `shinchoku.db` in the user's data folder
/// (e.g. `~/.local/share/shinchoku/` on Linux, `%APPDATA%\Shinchoku\data\` on Windows).
pub fn default_db_path() -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("jp", "Shinchoku", "Shinchoku").ok_or(StoreError::NoDataDir)?;
    Ok(dirs.data_dir().join("shinchoku.db"))
}

impl Store {
    /// Opens an existing database; refuses a missing file.
    pub fn open(path: &Path) -> Result<Self> {
        if !path.exists() {
            return Err(StoreError::Missing { path: path.to_path_buf() });
        }
        Self::open_or_create(path)
    }

    /// Opens the database, creating it (and its folder) when absent, and brings
    /// its schema up to date.
    pub fn open_or_create(path: &Path) -> Result<Self> {
        let exists = path.exists() && std::fs::metadata(path).map(|m| m.len() > 0).unwrap_or(false);
        if !exists {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                    path: dir.to_path_buf(),
                    source,
                })?;
            }
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        if exists {
            store.check_identity()?;
        }
        store.conn.pragma_update(None, "foreign_keys", "ON")?;
        store.conn.busy_timeout(std::time::Duration::from_secs(5))?;
        store.conn.pragma_update(None, "journal_mode", "WAL")?;
        store.conn.pragma_update(None, "synchronous", "NORMAL")?;
        store.migrate()?;
        Ok(store)
    }

    /// An in-memory database (tests, fuzzing, dry runs).
    pub fn in_memory() -> Result<Self> {
        let conn = Connection::open_in_memory()?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut store = Store {
            conn,
            path: PathBuf::from(":memory:"),
        };
        store.migrate()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Reads the header fields without writing anything.
    fn check_identity(&self) -> Result<()> {
        let not_db = |e: rusqlite::Error| match e {
            rusqlite::Error::SqliteFailure(f, _) if matches!(f.code, rusqlite::ErrorCode::NotADatabase) => {
                StoreError::NotADatabase { path: self.path.clone() }
            }
            other => StoreError::Sqlite(other),
        };
        let app_id: i32 = self.conn.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(not_db)?;
        let version: i32 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(not_db)?;
        if app_id != APPLICATION_ID {
            let tables: i64 = self
                .conn
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
                .map_err(not_db)?;
            if app_id != 0 || tables > 0 {
                return Err(StoreError::NotShinchoku { path: self.path.clone() });
            }
        }
        if version > latest_version() {
            return Err(StoreError::NewerSchema {
                path: self.path.clone(),
                found: version,
                supported: latest_version(),
            });
        }
        self.check_integrity()
    }

    /// SQLite's own check of every page and index (`PRAGMA quick_check`: all of
    /// `integrity_check` but the index contents, in linear time), once per
    /// database and process: the app opens the database for every command.
    fn check_integrity(&self) -> Result<()> {
        static SOUND: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
        let key = self.path.canonicalize().unwrap_or_else(|_| self.path.clone());
        if SOUND.lock().is_ok_and(|sound| sound.contains(&key)) {
            return Ok(());
        }
        let damaged = |detail: String| StoreError::Damaged {
            path: self.path.clone(),
            detail,
        };
        let mut stmt = self
            .conn
            .prepare("PRAGMA quick_check(5)")
            .map_err(|e| damaged(crate::text::sqlite_message(&e)))?;
        let found: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| damaged(crate::text::sqlite_message(&e)))?;
        if found.len() == 1 && found[0] == "ok" {
            if let Ok(mut sound) = SOUND.lock() {
                sound.push(key);
            }
            Ok(())
        } else {
            Err(damaged(format!("整合性の検査で異常が {} 件見つかりました", found.len())))
        }
    }

    fn migrate(&mut self) -> Result<()> {
        let version: i32 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version >= latest_version() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i32)?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
        Ok(())
    }

    /// The current time (UTC, ISO 8601) as the database records it.
    pub fn now(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("SELECT strftime('%Y-%m-%dT%H:%M:%SZ','now')", [], |r| r.get(0))?)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i32> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Sets (or, with `None`, removes) settings, in one transaction.
    pub fn set_settings(&mut self, values: &[(&str, Option<&str>)]) -> Result<()> {
        let tx = self.conn.transaction()?;
        for (key, value) in values {
            match value {
                Some(v) => tx.execute(
                    "INSERT INTO setting(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    [key, v],
                )?,
                None => tx.execute("DELETE FROM setting WHERE key = ?1", [key])?,
            };
        }
        tx.commit()?;
        Ok(())
    }

    /// Revisions of one plan (or of all), newest first.
    pub fn revisions(&self, plan_id: Option<i64>) -> Result<Vec<Revision>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, plan_id, at, kind, summary, source_file, source_sha256, department, fields_changed, undoes,
                    (SELECT max(u.id) FROM revision u WHERE u.undoes = revision.id)
             FROM revision WHERE ?1 IS NULL OR plan_id = ?1 ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([plan_id], |r| {
            Ok(Revision {
                undoes: r.get(9)?,
                undone_by: r.get(10)?,
                id: r.get(0)?,
                plan_id: r.get(1)?,
                at: r.get(2)?,
                kind: r.get(3)?,
                summary: r.get(4)?,
                source_file: r.get(5)?,
                source_sha256: r.get(6)?,
                department: r.get(7)?,
                fields_changed: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The recorded field changes of one revision: `(path, old, new)`.
    pub fn changes(&self, revision_id: i64) -> Result<Vec<FieldChangeRow>> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, old, new FROM change WHERE revision_id = ?1 ORDER BY seq")?;
        let rows = stmt.query_map([revision_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_from_scratch() {
        let store = Store::in_memory().unwrap();
        assert_eq!(store.schema_version().unwrap(), latest_version());
        let fk: i64 = store.conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert_eq!(fk, 1);
    }

    /// A database of the first schema (issue 2's) opens, gains the conflict table and
    /// keeps its plan and history.
    #[test]
    fn an_older_database_is_migrated_with_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch(MIGRATIONS[0]).unwrap();
            c.pragma_update(None, "user_version", 1).unwrap();
            c.pragma_update(None, "application_id", APPLICATION_ID).unwrap();
            c.execute_batch(
                "INSERT INTO plan (id, title, report_year, created_at, updated_at) VALUES (1, 't', 2023, 'x', 'x');
                 INSERT INTO revision (plan_id, at, kind, summary, fields_changed) VALUES (1, 'x', 'import', 's', 3);",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), latest_version());
        let revs = store.revisions(Some(1)).unwrap();
        assert_eq!((revs.len(), revs[0].undoes, revs[0].undone_by), (1, None, None));
        assert!(store.conflicts(1, false).unwrap().is_empty());
    }

    #[test]
    fn refuses_newer_schema_without_touching_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        drop(Store::open_or_create(&path).unwrap());
        {
            let c = Connection::open(&path).unwrap();
            c.pragma_update(None, "user_version", latest_version() + 1).unwrap();
            c.pragma_update(None, "journal_mode", "DELETE").unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&path).err().unwrap();
        assert!(matches!(err, StoreError::NewerSchema { .. }), "{err}");
        assert!(err.to_string().contains("新しい版のShinchoku"));
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn refuses_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.db");
        std::fs::write(&text, "this is not sqlite at all, just some text long enough to be a header").unwrap();
        let before = std::fs::read(&text).unwrap();
        assert!(matches!(Store::open(&text).err().unwrap(), StoreError::NotADatabase { .. }));
        assert_eq!(std::fs::read(&text).unwrap(), before);

        let other = dir.path().join("other.db");
        {
            let c = Connection::open(&other).unwrap();
            c.execute_batch("CREATE TABLE t(x)").unwrap();
        }
        let before = std::fs::read(&other).unwrap();
        assert!(matches!(Store::open(&other).err().unwrap(), StoreError::NotShinchoku { .. }));
        assert_eq!(std::fs::read(&other).unwrap(), before);
    }
}
