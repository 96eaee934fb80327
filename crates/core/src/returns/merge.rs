//! The three-way merge of department returns into a plan, per field:
//! base (the value when the file was made), the return, and the plan now.
//!
//! - unchanged in the return → nothing;
//! - changed only in the return → applied;
//! - the same change on both sides → nothing;
//! - changed on both sides, differently → a conflict, not applied.
//!
//! Without a base (the metadata sheet is gone) a value that differs from a
//! non-empty plan value is a conflict. Returns are merged one after the other
//! into the same plan, so two returns that change one field of a co-owned
//! project differently conflict. Pure: the caller reads files and stores.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use super::read::DeptReturn;
use super::Column;
use crate::model::Plan;
use crate::store::{ConflictKey, NewConflict};
use crate::xlsx::import::Problem;

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    /// Some values were applied.
    Applied,
    /// Nothing to apply and no new conflict.
    Unchanged,
    /// Nothing applied; conflicts recorded.
    Conflicts,
    /// The file was not merged (see its errors).
    Rejected,
}

impl FileStatus {
    pub fn label(self) -> &'static str {
        match self {
            FileStatus::Applied => "反映",
            FileStatus::Unchanged => "変更なし",
            FileStatus::Conflicts => "競合のみ",
            FileStatus::Rejected => "却下",
        }
    }
}

/// A field a return changed in the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub path: String,
    pub project: String,
    pub kpi: Option<u32>,
    pub field: String,
    pub cell: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The result of merging one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileOutcome {
    pub file: String,
    pub sha256: String,
    pub department: Option<String>,
    pub status: FileStatus,
    pub applied: Vec<FieldChange>,
    /// New conflicts (their ids once stored).
    pub conflicts: Vec<NewConflict>,
    pub conflict_ids: Vec<i64>,
    /// Fields the return left as they were.
    pub unchanged: usize,
    /// Fields the plan already had as the return has them.
    pub already: usize,
    /// Conflicts recorded before (open or decided), not raised again.
    pub known_conflicts: usize,
    pub warnings: Vec<Problem>,
    pub errors: Vec<Problem>,
}

impl FileOutcome {
    /// A file that could not be merged.
    pub fn rejected(file: String, sha256: String, errors: Vec<Problem>) -> Self {
        FileOutcome {
            file,
            sha256,
            department: None,
            status: FileStatus::Rejected,
            applied: Vec::new(),
            conflicts: Vec::new(),
            conflict_ids: Vec::new(),
            unchanged: 0,
            already: 0,
            known_conflicts: 0,
            warnings: Vec::new(),
            errors,
        }
    }
}

/// A merge in progress: the plan and its fields as they are after the files so far.
pub struct Merger<'a> {
    pub plan: &'a mut Plan,
    now: BTreeMap<String, String>,
    known: HashSet<ConflictKey>,
}

impl<'a> Merger<'a> {
    /// Starts merging into `plan`; `known` are the conflicts already recorded.
    pub fn new(plan: &'a mut Plan, known: HashSet<ConflictKey>) -> Self {
        let now = plan.fields();
        Merger { plan, now, known }
    }

    /// Merges one return into the plan.
    pub fn merge(&mut self, file: String, sha256: String, ret: DeptReturn) -> FileOutcome {
        let mut out = FileOutcome::rejected(file, sha256, Vec::new());
        out.department = ret.department.clone();
        out.warnings = ret.warnings;
        let mut changes: Vec<(String, Option<String>)> = Vec::new();
        let mut canon_after: Vec<(String, Option<String>)> = Vec::new();
        for f in &ret.fields {
            let now = self.now.get(&f.path).cloned();
            let theirs = f.value.canon.clone();
            let apply = if f.has_base {
                if theirs == f.base {
                    out.unchanged += 1;
                    continue;
                }
                if now == theirs {
                    out.already += 1;
                    continue;
                }
                now == f.base
            } else {
                if now == theirs {
                    out.unchanged += 1;
                    continue;
                }
                now.is_none()
            };
            if apply {
                changes.push((f.path.clone(), f.value.raw.clone()));
                canon_after.push((f.path.clone(), theirs.clone()));
                if f.column == Column::Actual && now.is_none() && theirs.is_some() {
                    if let Some(as_of) = self.plan.as_of.filter(|a| a.fiscal_year() == ret.year) {
                        let p = format!("{}.as_of", f.path);
                        changes.push((p.clone(), Some(as_of.iso())));
                        canon_after.push((p, Some(as_of.iso())));
                    }
                }
                out.applied.push(FieldChange {
                    path: f.path.clone(),
                    project: f.project.clone(),
                    kpi: f.kpi,
                    field: f.label().to_string(),
                    cell: f.cell.clone(),
                    before: now,
                    after: theirs,
                });
                continue;
            }
            let key = (f.path.clone(), f.base.clone(), theirs.clone());
            if !self.known.insert(key) {
                out.known_conflicts += 1;
                continue;
            }
            out.conflicts.push(NewConflict {
                path: f.path.clone(),
                file: out.file.clone(),
                file_sha256: out.sha256.clone(),
                department: ret.department.clone(),
                project: Some(f.project.clone()),
                kpi: f.kpi,
                field: f.label().to_string(),
                cell: Some(f.cell.clone()),
                base: f.base.clone(),
                plan_value: now,
                return_value: theirs,
            });
        }
        if let Err(e) = self.plan.apply_changes(&changes) {
            return FileOutcome::rejected(
                out.file,
                out.sha256,
                vec![Problem {
                    sheet: String::new(),
                    cell: None,
                    message: format!("値を反映できません: {e}"),
                }],
            );
        }
        for (path, canon) in canon_after {
            match canon {
                Some(v) => self.now.insert(path, v),
                None => self.now.remove(&path),
            };
        }
        out.status = if !out.applied.is_empty() {
            FileStatus::Applied
        } else if !out.conflicts.is_empty() {
            FileStatus::Conflicts
        } else {
            FileStatus::Unchanged
        };
        out
    }
}

/// The canonical form of a value typed for a field (`resolve --take VALUE`).
pub fn value_for_path(path: &str, text: &str, plan: &Plan) -> Result<(Option<String>, Option<String>), String> {
    let col = Column::of_path(path).ok_or_else(|| format!("{path} は記入用ファイルの項目ではありません"))?;
    let kpi = path
        .strip_prefix("kpi[")
        .and_then(|p| p.split(']').next())
        .and_then(|n| n.parse::<u32>().ok())
        .and_then(|n| plan.kpi(n));
    let e = super::parse_entered(col, Some(text), kpi)?;
    Ok((e.raw, e.canon))
}
