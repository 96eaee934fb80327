//! Backups of the database, taken with SQLite's online backup API before every
//! import and merge, into `backups/` beside the database. The newest
//! [`KEEP_BACKUPS`] are kept. A restore checks the backup first and backs up
//! the current state before replacing it.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use super::{latest_version, Result, Store, StoreError, APPLICATION_ID};

/// How many backups are kept.
pub const KEEP_BACKUPS: usize = 20;

const PREFIX: &str = "shinchoku-";
const SUFFIX: &str = ".db";

/// A backup file.
#[derive(Debug, Clone, Serialize)]
pub struct BackupInfo {
    pub path: PathBuf,
    pub file: String,
    /// When it was taken (UTC, from the file name).
    pub at: String,
    /// What it was taken before (`import`, `merge`, `restore`).
    pub reason: String,
    pub bytes: u64,
}

/// The backups folder of a database: `backups/` beside it.
pub fn backup_dir(db: &Path) -> PathBuf {
    match db.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.join("backups"),
        _ => PathBuf::from("backups"),
    }
}

/// The backups of a database, newest first.
pub fn list_backups(db: &Path) -> Result<Vec<BackupInfo>> {
    let dir = backup_dir(db);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(StoreError::Io { path: dir, source }),
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(stem) = file.strip_prefix(PREFIX).and_then(|f| f.strip_suffix(SUFFIX)) else {
            continue;
        };
        let (stamp, reason) = stem.split_once('-').unwrap_or((stem, ""));
        out.push(BackupInfo {
            path: e.path(),
            at: stamp_to_iso(stamp),
            reason: reason.to_string(),
            bytes: e.metadata().map(|m| m.len()).unwrap_or(0),
            file,
        });
    }
    out.sort_by(|a, b| b.file.cmp(&a.file));
    Ok(out)
}

/// `20261121T101530123Z` → `2026-11-21T10:15:30.123Z`.
fn stamp_to_iso(s: &str) -> String {
    let b = s.as_bytes();
    if b.len() != 19 || !s.is_ascii() {
        return s.to_string();
    }
    format!(
        "{}-{}-{}T{}:{}:{}.{}Z",
        &s[0..4],
        &s[4..6],
        &s[6..8],
        &s[9..11],
        &s[11..13],
        &s[13..15],
        &s[15..18]
    )
}

impl Store {
    /// Backs the database up into its backups folder (online backup API) and
    /// prunes the folder to the newest [`KEEP_BACKUPS`]. `reason` names the
    /// operation about to run.
    pub fn backup(&self, reason: &str) -> Result<PathBuf> {
        self.backup_ahead(reason)?.keep()
    }

    /// Starts a backup of the database as it is now on another thread (its own
    /// read connection, its integrity check), while the caller works on: the merge
    /// reads its returns meanwhile. [`PendingBackup::keep`] waits for it and keeps
    /// it; dropped, the copy is deleted (a merge that changes nothing keeps no
    /// backup). The caller must not write before it is kept.
    pub fn backup_ahead(&self, reason: &str) -> Result<PendingBackup> {
        let dir = backup_dir(&self.path);
        std::fs::create_dir_all(&dir).map_err(|source| StoreError::Io { path: dir.clone(), source })?;
        let stamp: String = self
            .conn
            .query_row("SELECT strftime('%Y%m%dT%H%M%f','now')", [], |r| r.get::<_, String>(0))?
            .replace('.', "");
        let mut path = dir.join(format!("{PREFIX}{stamp}Z-{reason}{SUFFIX}"));
        let mut n = 1;
        while path.exists() {
            n += 1;
            path = dir.join(format!("{PREFIX}{stamp}Z-{reason}{n}{SUFFIX}"));
        }
        let tmp = path.with_extension("db.tmp");
        let (db, to) = (self.path.clone(), tmp.clone());
        let copying = std::thread::spawn(move || -> Result<()> {
            let conn = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            // A copy of a damaged file would push a sound backup out.
            super::quick_check(&conn, &db)?;
            conn.backup(rusqlite::MAIN_DB, &to, None::<fn(rusqlite::backup::Progress)>)?;
            Ok(())
        });
        Ok(PendingBackup {
            copying: Some(copying),
            db: self.path.clone(),
            tmp,
            path,
        })
    }

    /// Replaces the database with a backup, after checking the backup is a sound
    /// Shinchoku database and backing up the current state. Returns the backup
    /// of the state replaced.
    pub fn restore(&mut self, file: &Path) -> Result<PathBuf> {
        check_backup(file)?;
        let saved = self.backup("restore")?;
        self.conn.restore(rusqlite::MAIN_DB, file, None::<fn(rusqlite::backup::Progress)>)?;
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        self.migrate()?;
        Ok(saved)
    }
}

/// Puts a backup in place of a database that cannot be opened (damaged, or not
/// an SQLite file at all). The unreadable file, with its journal files, is kept
/// beside it as `NAME.damaged-STAMP`; returns that path.
pub fn replace_unreadable(db: &Path, file: &Path) -> Result<PathBuf> {
    check_backup(file)?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| StoreError::Io { path, source }
    };
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let kept = PathBuf::from(format!("{}.damaged-{stamp}", db.display()));
    let tmp = PathBuf::from(format!("{}.restore-tmp", db.display()));
    std::fs::copy(file, &tmp).map_err(io(&tmp))?;
    std::fs::File::open(&tmp).and_then(|f| f.sync_all()).map_err(io(&tmp))?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", db.display()));
        if side.exists() {
            std::fs::rename(&side, format!("{}{suffix}", kept.display())).map_err(io(&side))?;
        }
    }
    std::fs::rename(db, &kept).map_err(io(db))?;
    std::fs::rename(&tmp, db).map_err(io(db))?;
    Ok(kept)
}

/// A backup being taken ([`Store::backup_ahead`]).
pub struct PendingBackup {
    copying: Option<std::thread::JoinHandle<Result<()>>>,
    db: PathBuf,
    tmp: PathBuf,
    path: PathBuf,
}

impl PendingBackup {
    /// Waits for the copy, keeps it under its name and prunes the folder to the
    /// newest [`KEEP_BACKUPS`].
    pub fn keep(mut self) -> Result<PathBuf> {
        self.wait()?;
        std::fs::rename(&self.tmp, &self.path).map_err(|source| StoreError::Io {
            path: self.path.clone(),
            source,
        })?;
        for old in list_backups(&self.db)?.into_iter().skip(KEEP_BACKUPS) {
            let _ = std::fs::remove_file(&old.path);
        }
        Ok(self.path.clone())
    }

    fn wait(&mut self) -> Result<()> {
        match self.copying.take().map(|t| t.join()) {
            None => Ok(()),
            Some(Ok(done)) => done,
            Some(Err(_)) => Err(StoreError::Io {
                path: self.tmp.clone(),
                source: std::io::Error::other("バックアップの処理が異常終了しました"),
            }),
        }
    }
}

impl Drop for PendingBackup {
    fn drop(&mut self) {
        let _ = self.wait();
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// A backup must be a Shinchoku database this version can read, and intact.
fn check_backup(file: &Path) -> Result<()> {
    let bad = |why: &str| StoreError::BadBackup {
        path: file.to_path_buf(),
        why: why.to_string(),
    };
    if !file.is_file() {
        return Err(bad("ファイルがありません"));
    }
    let conn = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    let app: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|_| bad("データベースのファイルではありません"))?;
    if app != APPLICATION_ID {
        return Err(bad("Shinchokuのデータベースではありません"));
    }
    let version: i32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > latest_version() {
        return Err(bad("新しい版のShinchokuで書かれています"));
    }
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|_| bad("破損しています"))?;
    if check != "ok" {
        return Err(bad(&format!("破損しています({check})")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;
    use crate::store::RevisionInfo;

    /// A database in a temporary folder holding the Fukushima plan: the folder, the
    /// database's path, the store, the plan, the revision it was saved with, its id.
    fn saved_demo() -> (tempfile::TempDir, PathBuf, Store, crate::Plan, RevisionInfo, i64) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("plan.db");
        let mut store = Store::open_or_create(&db).unwrap();
        let plan = seed::fukushima_plan().unwrap();
        let info = RevisionInfo {
            kind: "init".into(),
            summary: "t".into(),
            ..Default::default()
        };
        let id = store.save_plan(&plan, &info).unwrap().plan_id;
        (dir, db, store, plan, info, id)
    }

    #[test]
    fn backups_restore_and_keep_the_newest() {
        let (dir, db, mut store, mut plan, info, id) = saved_demo();
        let before = store.backup("merge").unwrap();
        assert!(before.file_name().unwrap().to_string_lossy().ends_with("-merge.db"));

        plan.title = plan.title.clone();
        plan.apply_changes(&[("project[1].name".into(), Some("変更後".into()))]).unwrap();
        store.save_version(Some(id), &plan, &info, |_, _| Ok(())).unwrap();
        assert_eq!(store.load_plan(id).unwrap().project("1").unwrap().name.as_deref(), Some("変更後"));

        let saved = store.restore(&before).unwrap();
        assert!(saved.exists());
        let back = store.load_plan(id).unwrap();
        assert_eq!(back.fields(), seed::fukushima_plan().unwrap().fields());

        for _ in 0..KEEP_BACKUPS + 3 {
            store.backup("import").unwrap();
        }
        let list = list_backups(&db).unwrap();
        assert_eq!(list.len(), KEEP_BACKUPS);
        assert!(list.windows(2).all(|w| w[0].file > w[1].file));
        assert!(list[0].at.starts_with("20"), "{}", list[0].at);

        let junk = dir.path().join("junk.db");
        std::fs::write(&junk, b"not a database, just text that is long enough").unwrap();
        assert!(matches!(store.restore(&junk), Err(StoreError::BadBackup { .. })));
        assert_eq!(store.load_plan(id).unwrap().fields(), back.fields());
    }

    #[test]
    fn a_backup_taken_ahead_is_the_state_it_started_from_and_is_kept_only_when_asked() {
        let (_dir, db, mut store, mut plan, info, id) = saved_demo();
        let files = |d: &Path| -> Vec<String> {
            std::fs::read_dir(d)
                .map(|r| r.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
                .unwrap_or_default()
        };
        // Dropped (the merge changed nothing): no backup, no copy left behind.
        drop(store.backup_ahead("merge").unwrap());
        assert!(files(&backup_dir(&db)).is_empty(), "{:?}", files(&backup_dir(&db)));
        // Kept: the state when it was started, whatever is written after it is kept.
        let pending = store.backup_ahead("merge").unwrap();
        let kept = pending.keep().unwrap();
        plan.apply_changes(&[("project[1].name".into(), Some("変更後".into()))]).unwrap();
        store.save_version(Some(id), &plan, &info, |_, _| Ok(())).unwrap();
        assert_eq!(
            files(&backup_dir(&db)),
            vec![kept.file_name().unwrap().to_string_lossy().into_owned()]
        );
        let copy = Store::open(&kept).unwrap();
        assert_eq!(copy.load_plan(id).unwrap().fields(), seed::fukushima_plan().unwrap().fields());
    }
}
