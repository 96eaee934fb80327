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
    /// Damage met while reading or writing; `path` is filled in by [`StoreError::at`].
    #[error("{}データベースが破損しています(読み出しの途中で見つかりました)。変更していません。最新のバックアップから復元してください(アプリでは 設定 → バックアップ → 復元、コマンドでは `shinchoku backups` と `shinchoku restore`)。破損したファイルは横に残します", path_prefix(.path))]
    Corrupt { path: PathBuf, source: rusqlite::Error },
    #[error("{}", crate::text::sqlite_message(.0))]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    /// Damage SQLite meets while reading or writing is said as damage, with the way back.
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
                path: PathBuf::new(),
                source: e,
            },
            _ => StoreError::Sqlite(e),
        }
    }
}

impl StoreError {
    /// The database file cannot be used as it is: kept aside by a restore.
    pub fn is_unreadable(&self) -> bool {
        matches!(
            self,
            StoreError::Damaged { .. } | StoreError::Corrupt { .. } | StoreError::NotADatabase { .. }
        )
    }

    /// The error with the database it happened in, where SQLite's own error does not say.
    pub fn at(self, db: &Path) -> Self {
        match self {
            StoreError::Corrupt { path, source } if path.as_os_str().is_empty() => StoreError::Corrupt {
                path: db.to_path_buf(),
                source,
            },
            other => other,
        }
    }
}

/// `path: ` before a message, or nothing when the path is not known.
fn path_prefix(path: &Path) -> String {
    if path.as_os_str().is_empty() {
        String::new()
    } else {
        format!("{}: ", path.display())
    }
}

/// How many days a database goes between scheduled integrity checks.
pub const CHECK_EVERY_DAYS: u32 = 7;
const CHECKED: &str = "integrity.checked";

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
        // A write-ahead log left behind: the last process ended without closing the
        // database (a crash, a power cut), or another is using it right now.
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let log_left = std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0);
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
        store.conn.set_prepared_statement_cache_capacity(64);
        store.conn.busy_timeout(std::time::Duration::from_secs(5))?;
        store.conn.pragma_update(None, "journal_mode", "WAL")?;
        store.conn.pragma_update(None, "synchronous", "NORMAL")?;
        store.migrate()?;
        if exists {
            store.check_when_due(log_left)?;
        } else {
            // A new database is sound: its first check is due in a week.
            store
                .conn
                .execute("INSERT OR IGNORE INTO setting(key, value) VALUES (?1, date('now'))", [CHECKED])?;
        }
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
        Ok(())
    }

    /// The integrity check where it pays, not at every start (it reads the whole
    /// file: 70 ms at 20,000 projects): after an unclean shutdown (a write-ahead log
    /// left behind), and when the last check is [`CHECK_EVERY_DAYS`] days old or was
    /// never made; once per database and process (the app opens the database for
    /// every command). Backups check every time ([`Store::check_integrity`]).
    /// Damage met between checks is reported by SQLite as it reads ([`StoreError::Corrupt`]).
    fn check_when_due(&mut self, log_left: bool) -> Result<()> {
        static SOUND: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
        let key = self.path.canonicalize().unwrap_or_else(|_| self.path.clone());
        if SOUND.lock().is_ok_and(|sound| sound.contains(&key)) {
            return Ok(());
        }
        let checked = self.setting(CHECKED)?;
        let due: bool = self.conn.query_row(
            "SELECT ?1 IS NULL OR ?1 <= date('now', ?2)",
            rusqlite::params![checked, format!("-{CHECK_EVERY_DAYS} days")],
            |r| r.get(0),
        )?;
        if log_left || due {
            self.check_integrity()?;
            let today: String = self.conn.query_row("SELECT date('now')", [], |r| r.get(0))?;
            if checked.as_deref() != Some(today.as_str()) {
                self.set_settings(&[(CHECKED, Some(&today))])?;
            }
        }
        if let Ok(mut sound) = SOUND.lock() {
            sound.push(key);
        }
        Ok(())
    }

    /// SQLite's own check of every page and index (`PRAGMA quick_check`: all of
    /// `integrity_check` but the index contents, in linear time).
    pub fn check_integrity(&self) -> Result<()> {
        quick_check(&self.conn, &self.path)
    }

    fn migrate(&mut self) -> Result<()> {
        let version: i32 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version >= latest_version() {
            return Ok(());
        }
        // Tables rebuilt by a migration are dropped and renamed: with foreign keys on,
        // dropping one would delete the rows that refer to it. They are turned off
        // outside the transaction (SQLite ignores the pragma inside one), checked
        // before the commit, and turned on again whatever happened.
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        let result = (|| -> Result<()> {
            let tx = self.conn.transaction()?;
            for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
                tx.execute_batch(sql)?;
                tx.pragma_update(None, "user_version", (i + 1) as i32)?;
            }
            tx.pragma_update(None, "application_id", APPLICATION_ID)?;
            let dangling: i64 = tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))?;
            if dangling > 0 {
                return Err(StoreError::Damaged {
                    path: self.path.clone(),
                    detail: format!("データベースの更新で参照の不整合が {dangling} 件見つかったため、更新を取りやめました"),
                });
            }
            tx.commit()?;
            Ok(())
        })();
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        result
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

/// SQLite's own check of every page and index of the database open on `conn` (see
/// [`Store::check_integrity`]).
pub(crate) fn quick_check(conn: &Connection, path: &Path) -> Result<()> {
    let damaged = |detail: String| StoreError::Damaged {
        path: path.to_path_buf(),
        detail,
    };
    let mut stmt = conn
        .prepare("PRAGMA quick_check(5)")
        .map_err(|e| damaged(crate::text::sqlite_message(&e)))?;
    let found: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(|e| damaged(crate::text::sqlite_message(&e)))?;
    if found.len() == 1 && found[0] == "ok" {
        Ok(())
    } else {
        Err(damaged(format!("整合性の検査で異常が {} 件見つかりました", found.len())))
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

    /// Migration 6 rebuilds `kpi`, `project_year` and `relisting_year`: a version 5
    /// database holding the demo plans comes out with every row (nothing cascaded
    /// away by the rebuild), foreign keys on and consistent.
    #[test]
    fn the_rebuilding_migration_keeps_every_plan_whole() {
        let dir = tempfile::tempdir().unwrap();
        let now = dir.path().join("now.db");
        let old = dir.path().join("v5.db");
        let mut store = Store::open_or_create(&now).unwrap();
        let plans = crate::seed::demo_plans().unwrap();
        let info = crate::store::RevisionInfo {
            kind: "init".into(),
            summary: "demo".into(),
            ..Default::default()
        };
        for p in &plans {
            store.save_plan(p, &info).unwrap();
        }
        drop(store);
        {
            // The same rows in a database of schema 5: every table of that schema, its columns only.
            let c = Connection::open(&old).unwrap();
            for m in &MIGRATIONS[..5] {
                c.execute_batch(m).unwrap();
            }
            c.pragma_update(None, "user_version", 5).unwrap();
            c.pragma_update(None, "application_id", APPLICATION_ID).unwrap();
            c.execute("ATTACH DATABASE ?1 AS now", [now.to_str().unwrap()]).unwrap();
            let tables: Vec<String> = c
                .prepare("SELECT name FROM main.sqlite_master WHERE type = 'table'")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            for t in tables {
                let cols: Vec<String> = c
                    .prepare(&format!("SELECT name FROM main.pragma_table_info('{t}')"))
                    .unwrap()
                    .query_map([], |r| r.get(0))
                    .unwrap()
                    .collect::<rusqlite::Result<_>>()
                    .unwrap();
                let cols = cols.join(", ");
                c.execute_batch(&format!("INSERT INTO main.{t} ({cols}) SELECT {cols} FROM now.{t}"))
                    .unwrap();
            }
            let kpis: i64 = c.query_row("SELECT count(*) FROM main.kpi_value", [], |r| r.get(0)).unwrap();
            assert!(kpis > 100, "the copy holds the KPI values ({kpis})");
        }
        let store = Store::open(&old).unwrap();
        assert_eq!(store.schema_version().unwrap(), latest_version());
        let fk: i64 = store.conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert_eq!(fk, 1);
        let dangling: i64 = store
            .conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(dangling, 0);
        let listed = store.plans().unwrap();
        assert_eq!(listed.len(), plans.len());
        for (p, l) in plans.iter().zip(&listed) {
            assert_eq!(store.load_plan(l.id).unwrap().fields(), p.fields(), "{}", p.title);
        }
        // The new CHECKs hold: a 維持 KPI and an A–D mark can be stored.
        store
            .conn
            .execute("UPDATE kpi SET direction = 'keep', tolerance = '5' WHERE no = 1", [])
            .unwrap();
        store.conn.execute("UPDATE project_year SET evaluation = 'A'", []).unwrap();
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

    /// A database holding the demo plan, last checked on `checked`, whose project
    /// table's root page is then overwritten (after folding the log into the file).
    fn damaged(dir: &Path, checked: &str) -> PathBuf {
        let db = dir.join("plan.db");
        {
            let mut store = Store::open_or_create(&db).unwrap();
            let info = RevisionInfo {
                kind: "init".into(),
                summary: "demo".into(),
                ..Default::default()
            };
            store.save_plan(&crate::seed::fukushima_plan().unwrap(), &info).unwrap();
            store.set_settings(&[(CHECKED, Some(checked))]).unwrap();
        }
        let c = Connection::open(&db).unwrap();
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
        let page: i64 = c.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
        let root: i64 = c
            .query_row("SELECT rootpage FROM sqlite_master WHERE name = 'project'", [], |r| r.get(0))
            .unwrap();
        drop(c);
        let mut bytes = std::fs::read(&db).unwrap();
        let at = ((root - 1) * page) as usize;
        bytes[at..at + 8].copy_from_slice(&[0xFF; 8]);
        std::fs::write(&db, bytes).unwrap();
        db
    }

    fn today() -> String {
        Connection::open_in_memory()
            .unwrap()
            .query_row("SELECT date('now')", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn the_integrity_check_runs_when_it_is_due_not_at_every_start() {
        // Checked today: opening does not read the whole file; the damage is met when
        // the projects are read, and said as damage with the way back.
        let dir = tempfile::tempdir().unwrap();
        let db = damaged(dir.path(), &today());
        let store = Store::open(&db).unwrap();
        let plan_id = store.current_plan_id().unwrap().unwrap();
        let e = store.load_plan(plan_id).unwrap_err();
        assert!(matches!(e, StoreError::Corrupt { .. }), "{e:?}");
        let m = e.at(&db).to_string();
        assert!(m.starts_with(&format!("{}: ", db.display())), "{m}");
        assert!(m.contains("データベースが破損しています") && m.contains("shinchoku restore"), "{m}");
        assert!(crate::text::is_japanese_message(&m), "{m}");
        // A backup is not taken of a damaged file.
        assert!(matches!(store.backup("merge").unwrap_err(), StoreError::Damaged { .. }));
        assert!(list_backups(&db).unwrap().is_empty());

        // Last checked over a week ago: checked on opening, refused.
        let dir = tempfile::tempdir().unwrap();
        let db = damaged(dir.path(), "2000-01-01");
        let e = Store::open(&db).err().unwrap();
        assert!(matches!(e, StoreError::Damaged { .. }), "{e:?}");
        assert!(e.to_string().contains("整合性の検査で異常"), "{e}");

        // A sound database last checked long ago is checked, and the day recorded.
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("sound.db");
        Store::open_or_create(&db)
            .unwrap()
            .set_settings(&[(CHECKED, Some("2000-01-01"))])
            .unwrap();
        assert_eq!(Store::open(&db).unwrap().setting(CHECKED).unwrap(), Some(today()));
    }

    #[test]
    fn a_log_left_by_a_process_that_did_not_close_makes_the_next_open_check() {
        let dir = tempfile::tempdir().unwrap();
        let db = damaged(dir.path(), &today());
        // A process that wrote and ended without closing: its log stays beside the file.
        let c = Connection::open(&db).unwrap();
        c.pragma_update(None, "journal_mode", "WAL").unwrap();
        c.execute("INSERT INTO setting(key, value) VALUES ('left', 'behind')", []).unwrap();
        std::mem::forget(c);
        let mut wal = db.as_os_str().to_owned();
        wal.push("-wal");
        assert!(std::fs::metadata(&wal).unwrap().len() > 0);
        let e = Store::open(&db).err().unwrap();
        assert!(matches!(e, StoreError::Damaged { .. }), "{e:?}");
    }
}
