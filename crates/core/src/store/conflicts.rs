//! Conflicts found by merges: a field a department return changed that the
//! plan had also changed, differently, since the return was made. Kept open
//! until resolved; never applied silently.

use std::collections::HashSet;

use rusqlite::{params, OptionalExtension, Row, Transaction};
use serde::Serialize;

use super::{Result, Store, StoreError};

/// What makes a disagreement the same one again: `(path, base, return value)`.
pub type ConflictKey = (String, Option<String>, Option<String>);

/// A recorded conflict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    pub id: i64,
    pub plan_id: i64,
    /// The merge that found it.
    pub revision_id: i64,
    pub at: String,
    #[serde(flatten)]
    pub found: NewConflict,
    /// `open` or `resolved`.
    pub status: String,
    /// `plan`, `return`, `value`, or `undone`.
    pub resolution: Option<String>,
    pub resolved_revision: Option<i64>,
}

/// What a merge found: the field, where, and the three values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewConflict {
    /// The field's path (see `Plan::fields`).
    pub path: String,
    pub file: String,
    pub file_sha256: String,
    pub department: Option<String>,
    pub project: Option<String>,
    pub kpi: Option<u32>,
    /// The field as the entry sheet names it (実績値, 評価, 取組状況, …).
    pub field: String,
    /// Where the return holds it (`記入!M7`).
    pub cell: Option<String>,
    /// The value when the return was made (`None` when the return had no record of it).
    pub base: Option<String>,
    /// The plan's value when the conflict was found.
    pub plan_value: Option<String>,
    pub return_value: Option<String>,
}

const SELECT: &str = "SELECT c.id, c.plan_id, c.revision_id, r.at, c.path, c.file, c.file_sha256, c.department, c.project, c.kpi,
        c.field, c.cell, c.base, c.plan_value, c.return_value, c.status, c.resolution, c.resolved_revision
    FROM conflict c JOIN revision r ON r.id = c.revision_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Conflict> {
    Ok(Conflict {
        id: r.get(0)?,
        plan_id: r.get(1)?,
        revision_id: r.get(2)?,
        at: r.get(3)?,
        found: NewConflict {
            path: r.get(4)?,
            file: r.get(5)?,
            file_sha256: r.get(6)?,
            department: r.get(7)?,
            project: r.get(8)?,
            kpi: r.get(9)?,
            field: r.get(10)?,
            cell: r.get(11)?,
            base: r.get(12)?,
            plan_value: r.get(13)?,
            return_value: r.get(14)?,
        },
        status: r.get(15)?,
        resolution: r.get(16)?,
        resolved_revision: r.get(17)?,
    })
}

impl Store {
    /// The plan's conflicts (only the open ones when `open_only`), oldest first.
    pub fn conflicts(&self, plan_id: i64, open_only: bool) -> Result<Vec<Conflict>> {
        let sql = format!("{SELECT} WHERE c.plan_id = ?1 AND (?2 = 0 OR c.status = 'open') ORDER BY c.id");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params![plan_id, open_only], from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn conflict(&self, id: i64) -> Result<Conflict> {
        let sql = format!("{SELECT} WHERE c.id = ?1");
        self.conn
            .query_row(&sql, [id], from_row)
            .optional()?
            .ok_or(StoreError::ConflictNotFound(id))
    }

    /// What conflicts were already recorded for a plan, open or resolved, as
    /// `(path, base, return value)`: the same disagreement is not recorded twice,
    /// and one the coordinator decided is not raised again — neither by the file
    /// behind it nor by the file whose value stood against it (the plan's side of
    /// a decided conflict counts as decided too).
    pub fn known_conflicts(&self, plan_id: i64) -> Result<HashSet<ConflictKey>> {
        let mut stmt = self.conn.prepare(
            "SELECT path, base, return_value FROM conflict WHERE plan_id = ?1
             UNION SELECT path, base, plan_value FROM conflict WHERE plan_id = ?1 AND status = 'resolved'",
        )?;
        let rows = stmt.query_map([plan_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Records conflicts found by revision `revision_id`; returns their ids.
pub(crate) fn insert_conflicts(tx: &Transaction<'_>, plan_id: i64, revision_id: i64, conflicts: &[NewConflict]) -> Result<Vec<i64>> {
    let mut st = tx.prepare_cached(
        "INSERT INTO conflict (plan_id, revision_id, path, file, file_sha256, department, project, kpi, field, cell, base, plan_value, return_value)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    let mut ids = Vec::with_capacity(conflicts.len());
    for c in conflicts {
        st.execute(params![
            plan_id,
            revision_id,
            c.path,
            c.file,
            c.file_sha256,
            c.department,
            c.project,
            c.kpi,
            c.field,
            c.cell,
            c.base,
            c.plan_value,
            c.return_value
        ])?;
        ids.push(tx.last_insert_rowid());
    }
    Ok(ids)
}

/// Marks a conflict resolved by `revision_id`.
pub(crate) fn mark_resolved(tx: &Transaction<'_>, id: i64, resolution: &str, revision_id: i64) -> Result<()> {
    tx.execute(
        "UPDATE conflict SET status = 'resolved', resolution = ?2, resolved_revision = ?3 WHERE id = ?1",
        params![id, resolution, revision_id],
    )?;
    Ok(())
}

/// Undoing revision `undone` by `revision_id`: conflicts it found are closed,
/// conflicts it resolved are open again.
pub(crate) fn undo_conflicts(tx: &Transaction<'_>, undone: i64, revision_id: i64) -> Result<()> {
    tx.execute(
        "UPDATE conflict SET status = 'open', resolution = NULL, resolved_revision = NULL WHERE resolved_revision = ?1",
        [undone],
    )?;
    tx.execute(
        "UPDATE conflict SET status = 'resolved', resolution = 'undone', resolved_revision = ?2 WHERE revision_id = ?1 AND status = 'open'",
        params![undone, revision_id],
    )?;
    Ok(())
}
