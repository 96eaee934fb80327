//! Where the app saves by default and what it remembers between screens and runs:
//! the folder last used for each kind of output (else the user's documents folder,
//! created when missing), and the 部・課 last chosen in 年度入力.

use std::path::{Path, PathBuf};

use super::{Error, Result};
use crate::store::Store;

/// The kinds of output that remember their folder.
pub const OUTPUT_KINDS: &[&str] = &["summary", "templates", "return", "charts", "print", "send_back", "report"];

fn folder_key(kind: &str) -> String {
    format!("folder.{kind}")
}

/// The user's documents folder: the system's (`directories::UserDirs`), else
/// `Documents` in the home folder. `None` only when there is no home folder at all.
pub fn documents_folder() -> Option<PathBuf> {
    let dirs = directories::UserDirs::new()?;
    Some(
        dirs.document_dir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| dirs.home_dir().join("Documents")),
    )
}

/// The folder to offer for an output of `kind`: the one last used for it while it
/// still exists, else the documents folder, which is created when missing.
pub fn default_folder(db: &Path, kind: &str) -> Result<PathBuf> {
    if !OUTPUT_KINDS.contains(&kind) {
        return Err(Error::BadInput(format!("出力の種類「{kind}」はありません")));
    }
    let store = Store::open(db)?;
    if let Some(last) = store.setting(&folder_key(kind))?.map(PathBuf::from) {
        if last.is_dir() {
            return Ok(last);
        }
    }
    let docs =
        documents_folder().ok_or_else(|| Error::BadInput("ドキュメントのフォルダが見つかりません。保存先を選んでください".into()))?;
    std::fs::create_dir_all(&docs).map_err(|source| Error::Io {
        path: docs.clone(),
        source,
    })?;
    Ok(docs)
}

/// Remembers the folder an output of `kind` was written to (the file's folder, or
/// for a folder of files the folder that holds it).
pub(crate) fn remember_folder(db: &Path, kind: &str, folder: &Path) -> Result<()> {
    let mut store = Store::open(db)?;
    store.set_settings(&[(&folder_key(kind), Some(&folder.display().to_string()))])?;
    Ok(())
}

fn entry_key(plan_id: i64, what: &str) -> String {
    format!("entry.{plan_id}.{what}")
}

/// The 部 and 課 last chosen in 年度入力 for the plan.
pub(crate) fn remembered_entry(store: &Store, plan_id: i64) -> Result<(Option<String>, Option<String>)> {
    Ok((
        store.setting(&entry_key(plan_id, "department"))?,
        store.setting(&entry_key(plan_id, "division"))?,
    ))
}

/// Remembers the 部 and 課 chosen in 年度入力 (only when they changed: a page view
/// writes nothing otherwise).
pub(crate) fn remember_entry(store: &mut Store, plan_id: i64, department: &str, division: Option<&str>) -> Result<()> {
    if remembered_entry(store, plan_id)? == (Some(department.to_string()), division.map(str::to_string)) {
        return Ok(());
    }
    store.set_settings(&[
        (&entry_key(plan_id, "department"), Some(department)),
        (&entry_key(plan_id, "division"), division),
    ])?;
    Ok(())
}
