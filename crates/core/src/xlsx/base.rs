//! The summary workbook's base: a hidden sheet saying which plan and revision
//! the workbook was written from, signed with the database's key (like the
//! department returns' metadata). Importing the workbook again is then a
//! three-way merge — the plan at that revision, the workbook, the plan now — so
//! values entered or merged after the export are not put back to what the
//! workbook shows. The fields at that revision come from the revisions' history.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::import::{Grid, Problem};
use crate::returns::sign::{self, Signature};

/// The hidden sheet.
pub const SHEET_BASE: &str = "shinchoku_base";
const FORMAT: &str = "shinchoku-summary-base";

/// What the workbook was written from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryBase {
    pub plan_id: i64,
    pub revision: i64,
    /// The revision's time: a revision id reused after a restore is not this one.
    pub revision_at: String,
    pub key_id: String,
    pub signature: String,
}

impl SummaryBase {
    /// The base of a workbook written now from `revision`, signed with `key`.
    pub fn new(plan_id: i64, revision: i64, revision_at: String, key: &[u8]) -> Self {
        let key_id = sign::key_id(key);
        let signature = sign::sign(key, &Self::signed(plan_id, revision, &revision_at, &key_id), &[]);
        SummaryBase {
            plan_id,
            revision,
            revision_at,
            key_id,
            signature,
        }
    }

    fn signed(plan_id: i64, revision: i64, at: &str, key_id: &str) -> Vec<String> {
        vec![FORMAT.into(), plan_id.to_string(), revision.to_string(), at.into(), key_id.into()]
    }

    /// Whether this database signed it, unchanged.
    pub fn verify(&self, key: Option<&[u8]>) -> Signature {
        let head = Self::signed(self.plan_id, self.revision, &self.revision_at, &self.key_id);
        sign::verify(key, &head, &[], Some(&self.signature), &self.key_id)
    }

    pub(crate) fn write(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        let rows = [
            (FORMAT, "1".to_string()),
            ("plan_id", self.plan_id.to_string()),
            ("revision", self.revision.to_string()),
            ("revision_at", self.revision_at.clone()),
            ("key_id", self.key_id.clone()),
            ("signature", self.signature.clone()),
        ];
        ws.set_name(SHEET_BASE)?;
        for (i, (k, v)) in rows.iter().enumerate() {
            ws.write_string(i as u32, 0, *k)?;
            ws.write_string(i as u32, 1, v)?;
        }
        ws.protect();
        ws.set_hidden(true);
        Ok(())
    }

    /// The base as read; `None` when the sheet does not hold one (a problem when it is damaged).
    pub(crate) fn read(g: &Grid) -> Result<Option<SummaryBase>, Problem> {
        let text = |r: u32, c: u32| g.get(r, c).text().unwrap_or_default();
        if text(0, 0) != FORMAT {
            return Ok(None);
        }
        let get = |k: &str| (1..g.rows()).find(|&r| text(r, 0) == k).map(|r| text(r, 1)).unwrap_or_default();
        let damaged = || Problem {
            sheet: SHEET_BASE.into(),
            cell: None,
            message: format!("{SHEET_BASE} シートが壊れています。このシートを削除すると、基準なしで取り込めます"),
        };
        Ok(Some(SummaryBase {
            plan_id: get("plan_id").parse().map_err(|_| damaged())?,
            revision: get("revision").parse().map_err(|_| damaged())?,
            revision_at: get("revision_at"),
            key_id: get("key_id"),
            signature: get("signature"),
        }))
    }
}
