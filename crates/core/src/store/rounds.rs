//! 照会 rounds: a query to every department for one plan and year, with a due
//! date; per department its state (未提出 → 提出済 → 差戻し → 確定) and when its
//! template was written. The returns it received are `return_file` rows with its
//! id. Each change of state is a revision (kind `round`) so `history` tells it.

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;

use super::plans::record_revision;
use super::{Result, RevisionInfo, Store, StoreError};

/// A round as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Round {
    pub id: i64,
    pub plan_id: i64,
    pub year: i32,
    pub title: String,
    /// ISO date.
    pub due: String,
    pub opened_at: String,
    pub closed_at: Option<String>,
}

/// A department's state in a round, with its received files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundDepartment {
    pub department: String,
    /// `not_returned`, `returned`, `sent_back` or `confirmed`.
    pub state: String,
    pub templates_at: Option<String>,
    /// `(file, received_at)` in the order received.
    pub files: Vec<(String, String)>,
}

const SELECT: &str = "SELECT id, plan_id, fy, title, due, opened_at, closed_at FROM round";

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Round> {
    Ok(Round {
        id: r.get(0)?,
        plan_id: r.get(1)?,
        year: r.get(2)?,
        title: r.get(3)?,
        due: r.get(4)?,
        opened_at: r.get(5)?,
        closed_at: r.get(6)?,
    })
}

impl Store {
    /// The open round of a plan and year.
    pub fn open_round(&self, plan_id: i64, year: i32) -> Result<Option<Round>> {
        Ok(self
            .conn
            .query_row(
                &format!("{SELECT} WHERE plan_id = ?1 AND fy = ?2 AND closed_at IS NULL"),
                params![plan_id, year],
                from_row,
            )
            .optional()?)
    }

    /// A round by id.
    pub fn round(&self, id: i64) -> Result<Option<Round>> {
        Ok(self.conn.query_row(&format!("{SELECT} WHERE id = ?1"), [id], from_row).optional()?)
    }

    /// Every round of a plan, oldest first.
    pub fn rounds(&self, plan_id: i64) -> Result<Vec<Round>> {
        let mut st = self.conn.prepare(&format!("{SELECT} WHERE plan_id = ?1 ORDER BY id"))?;
        let rows = st.query_map([plan_id], from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The latest open round of a plan, any year.
    pub fn latest_open_round(&self, plan_id: i64) -> Result<Option<Round>> {
        Ok(self
            .conn
            .query_row(
                &format!("{SELECT} WHERE plan_id = ?1 AND closed_at IS NULL ORDER BY id DESC LIMIT 1"),
                [plan_id],
                from_row,
            )
            .optional()?)
    }

    /// Opens a round for these departments, as one revision.
    pub fn start_round(&mut self, plan_id: i64, year: i32, title: &str, due: &str, departments: &[String]) -> Result<Round> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO round (plan_id, fy, title, due, opened_at) VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%SZ','now'))",
            params![plan_id, year, title, due],
        )?;
        let id = tx.last_insert_rowid();
        for (i, d) in departments.iter().enumerate() {
            tx.execute(
                "INSERT INTO round_department (round_id, seq, department) VALUES (?1, ?2, ?3)",
                params![id, i as i64, d],
            )?;
        }
        event(
            &tx,
            plan_id,
            None,
            format!("照会「{title}」を開始(期限 {due}、{} 部)", departments.len()),
        )?;
        tx.commit()?;
        self.round(id)?.ok_or(StoreError::PlanNotFound(plan_id.to_string()))
    }

    /// Every department of a round with its state and received files, in the order the round lists them.
    pub fn round_departments(&self, round_id: i64) -> Result<Vec<RoundDepartment>> {
        let mut st = self
            .conn
            .prepare("SELECT department, state, templates_at FROM round_department WHERE round_id = ?1 ORDER BY seq")?;
        let mut out: Vec<RoundDepartment> = st
            .query_map([round_id], |r| {
                Ok(RoundDepartment {
                    department: r.get(0)?,
                    state: r.get(1)?,
                    templates_at: r.get(2)?,
                    files: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut st = self
            .conn
            .prepare("SELECT department, file, coalesce(received_at, '') FROM return_file WHERE round_id = ?1 ORDER BY id")?;
        let files = st.query_map([round_id], |r| Ok((r.get::<_, Option<String>>(0)?, r.get(1)?, r.get(2)?)))?;
        for f in files {
            let (d, file, at): (Option<String>, String, String) = f?;
            if let Some(x) = out.iter_mut().find(|x| Some(&x.department) == d.as_ref()) {
                x.files.push((file, at));
            }
        }
        Ok(out)
    }

    /// Sets a department's state in a round, as a revision saying why.
    pub fn set_round_state(&mut self, round: &Round, department: &str, state: &str, summary: String) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE round_department SET state = ?3 WHERE round_id = ?1 AND department = ?2",
            params![round.id, department, state],
        )?;
        event(&tx, round.plan_id, Some(department), summary)?;
        tx.commit()?;
        Ok(())
    }

    /// Closes a round, as a revision.
    pub fn close_round(&mut self, round: &Round, summary: String) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE round SET closed_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?1",
            [round.id],
        )?;
        event(&tx, round.plan_id, None, summary)?;
        tx.commit()?;
        Ok(())
    }

    /// Notes that departments' templates were written for a round.
    pub fn round_templates_written(&mut self, round_id: i64, departments: &[String]) -> Result<()> {
        let tx = self.conn.transaction()?;
        for d in departments {
            tx.execute(
                "UPDATE round_department SET templates_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE round_id = ?1 AND department = ?2",
                params![round_id, d],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Today's date where the database runs (local time), ISO.
    pub fn today(&self) -> Result<String> {
        Ok(self.conn.query_row("SELECT date('now', 'localtime')", [], |r| r.get(0))?)
    }
}

/// Marks departments as having returned in a round (within a merge's transaction).
pub(crate) fn mark_returned(tx: &Transaction<'_>, round_id: i64, departments: &[String]) -> Result<()> {
    for d in departments {
        tx.execute(
            "UPDATE round_department SET state = 'returned' WHERE round_id = ?1 AND department = ?2 AND state IN ('not_returned', 'sent_back')",
            params![round_id, d],
        )?;
    }
    Ok(())
}

fn event(tx: &Transaction<'_>, plan_id: i64, department: Option<&str>, summary: String) -> Result<i64> {
    let info = RevisionInfo {
        kind: "round".into(),
        summary,
        department: department.map(str::to_string),
        ..Default::default()
    };
    record_revision(tx, Some(plan_id), &info, &[])
}
