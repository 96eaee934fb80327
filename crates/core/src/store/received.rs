//! Returns received by merges: each file by its content hash (a file merged once
//! is not merged again), the department and year it answered, the earlier return
//! it superseded, and the values it applied — what a department's corrected
//! return may replace without a conflict. Also the key that signs the returns'
//! metadata: it never leaves this database.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension, Transaction};

use super::{Result, Store};

const SIGNING_KEY: &str = "return_signing_key";

/// A return merged earlier.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedFile {
    pub id: i64,
    pub file: String,
    pub department: Option<String>,
    pub revision_id: i64,
}

/// What a department's earlier return set in a field, and whether that is still
/// the field's latest change.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorValue {
    pub file_id: Option<i64>,
    pub file: String,
    pub department: String,
    /// The canonical value it applied.
    pub value: Option<String>,
    /// No revision changed the field after the one that applied it.
    pub latest: bool,
}

/// A return to record with the revision of its merge.
#[derive(Debug, Clone)]
pub struct NewReceived {
    pub year: i32,
    pub department: Option<String>,
    pub file: String,
    pub sha256: String,
    pub signed: bool,
    /// The file id of the earlier return it superseded.
    pub supersedes: Option<i64>,
    /// The fields it applied, canonical.
    pub values: Vec<(String, Option<String>)>,
    /// The 照会 round it answered (the one open when it was merged).
    pub round_id: Option<i64>,
}

impl Store {
    /// The key that signs the metadata of the returns this database writes,
    /// created on first use.
    pub fn signing_key(&mut self) -> Result<Vec<u8>> {
        if let Some(k) = self.existing_signing_key()? {
            return Ok(k);
        }
        let hex: String = self.conn.query_row("SELECT lower(hex(randomblob(32)))", [], |r| r.get(0))?;
        self.conn.execute(
            "INSERT INTO setting(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO NOTHING",
            params![SIGNING_KEY, hex],
        )?;
        Ok(self.existing_signing_key()?.unwrap_or_default())
    }

    /// The signing key, when this database has made one.
    pub fn existing_signing_key(&self) -> Result<Option<Vec<u8>>> {
        Ok(self.setting(SIGNING_KEY)?.and_then(|h| from_hex(&h)))
    }

    /// The returns merged into a plan, by content hash.
    pub fn received_files(&self, plan_id: i64) -> Result<HashMap<String, ReceivedFile>> {
        let mut st = self
            .conn
            .prepare("SELECT sha256, id, file, department, revision_id FROM return_file WHERE plan_id = ?1")?;
        let rows = st.query_map([plan_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                ReceivedFile {
                    id: r.get(1)?,
                    file: r.get(2)?,
                    department: r.get(3)?,
                    revision_id: r.get(4)?,
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Per field, what the latest return of the year that applied it set there.
    pub fn prior_values(&self, plan_id: i64, year: i32) -> Result<HashMap<String, PriorValue>> {
        let mut st = self.conn.prepare(
            "SELECT v.path, v.value, f.id, f.file, f.department, f.revision_id,
                    (SELECT max(c.revision_id) FROM change c JOIN revision r ON r.id = c.revision_id
                      WHERE c.path = v.path AND r.plan_id = f.plan_id)
             FROM return_value v JOIN return_file f ON f.id = v.return_file_id
             WHERE f.plan_id = ?1 AND f.fy = ?2 AND f.department IS NOT NULL
             ORDER BY f.id",
        )?;
        let mut rows = st.query(params![plan_id, year])?;
        let mut out = HashMap::new();
        while let Some(r) = rows.next()? {
            let rev: i64 = r.get(5)?;
            let last: Option<i64> = r.get(6)?;
            out.insert(
                r.get::<_, String>(0)?,
                PriorValue {
                    value: r.get(1)?,
                    file_id: Some(r.get(2)?),
                    file: r.get(3)?,
                    department: r.get(4)?,
                    latest: last == Some(rev),
                },
            );
        }
        Ok(out)
    }
}

impl Store {
    /// The metadata rows of the coordinator's file the department opened for this year.
    /// The 部 whose 記入用ファイル this plan was opened from (a department's database), if any.
    pub fn opened_department(&self, plan_id: i64) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT department FROM opened_return WHERE plan_id = ?1 ORDER BY fy DESC LIMIT 1",
                [plan_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn opened_return(&self, plan_id: i64, department: &str, year: i32) -> Result<Option<Vec<Vec<String>>>> {
        let meta: Option<String> = self
            .conn
            .query_row(
                "SELECT meta FROM opened_return WHERE plan_id = ?1 AND department = ?2 AND fy = ?3",
                params![plan_id, department, year],
                |r| r.get(0),
            )
            .optional()?;
        Ok(meta.and_then(|m| serde_json::from_str(&m).ok()))
    }
}

/// Keeps the metadata rows of an opened coordinator's file (replacing an earlier one).
pub(crate) fn insert_opened(
    tx: &Transaction<'_>,
    plan_id: i64,
    department: &str,
    year: i32,
    file: &str,
    meta: &[Vec<String>],
) -> Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO opened_return (plan_id, department, fy, file, meta) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![plan_id, department, year, file, serde_json::to_string(meta).unwrap_or_default()],
    )?;
    Ok(())
}

/// Records the returns a merge applied, with its revision; returns their ids.
pub(crate) fn insert_received(tx: &Transaction<'_>, plan_id: i64, revision_id: i64, files: &[NewReceived]) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(files.len());
    for f in files {
        let existing: Option<i64> = tx
            .query_row(
                "SELECT id FROM return_file WHERE plan_id = ?1 AND sha256 = ?2",
                params![plan_id, f.sha256],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = existing {
            ids.push(id);
            continue;
        }
        tx.execute(
            "INSERT INTO return_file (plan_id, fy, department, file, sha256, signed, revision_id, supersedes, round_id, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, strftime('%Y-%m-%dT%H:%M:%SZ','now'))",
            params![
                plan_id,
                f.year,
                f.department,
                f.file,
                f.sha256,
                f.signed,
                revision_id,
                f.supersedes,
                f.round_id
            ],
        )?;
        let id = tx.last_insert_rowid();
        let mut st = tx.prepare_cached("INSERT OR REPLACE INTO return_value (return_file_id, path, value) VALUES (?1, ?2, ?3)")?;
        for (path, value) in &f.values {
            st.execute(params![id, path, value])?;
        }
        ids.push(id);
    }
    Ok(ids)
}

fn from_hex(h: &str) -> Option<Vec<u8>> {
    (h.len().is_multiple_of(2) && !h.is_empty())
        .then(|| {
            (0..h.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(h.get(i..i + 2)?, 16).ok())
                .collect()
        })
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signing_key_is_made_once_and_kept() {
        let mut s = Store::in_memory().unwrap();
        assert_eq!(s.existing_signing_key().unwrap(), None);
        let k = s.signing_key().unwrap();
        assert_eq!(k.len(), 32);
        assert_eq!(s.signing_key().unwrap(), k);
        let mut other = Store::in_memory().unwrap();
        assert_ne!(other.signing_key().unwrap(), k);
    }
}
