//! The three-way merge of department returns into a plan, per field:
//! base (the value when the file was made), the return, and the plan now.
//!
//! - a field the sending department does not own → never applied: a warning
//!   naming the cell, the field and its owner;
//! - unchanged in the return → nothing;
//! - changed only in the return → applied;
//! - the same change on both sides → nothing;
//! - changed on both sides, differently → a conflict, not applied — unless the
//!   plan's side is what the same department's earlier return set there and
//!   nothing changed the field since: a corrected return (再提出) supersedes it.
//!
//! Bases are trusted only from metadata this database signed (see
//! [`super::sign`]). A file without verified metadata is read by project and
//! KPI number, and every value it holds that differs from the plan is a
//! conflict. Returns are merged one after the other into the same plan, so two
//! returns that change one field of a co-owned project differently conflict.
//! Pure: the caller reads files and stores.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::read::DeptReturn;
use super::sign::Signature;
use super::{canonical_of, Column};
use crate::model::Plan;
use crate::store::{ConflictKey, NewConflict, PriorValue};
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
    /// The same file (by content) was merged before: skipped.
    Skipped,
}

impl FileStatus {
    pub fn label(self) -> &'static str {
        match self {
            FileStatus::Applied => "反映",
            FileStatus::Unchanged => "変更なし",
            FileStatus::Conflicts => "競合のみ",
            FileStatus::Rejected => "却下",
            FileStatus::Skipped => "取りまとめ済み",
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
    /// The same department's earlier return whose value this replaces (再提出).
    pub supersedes: Option<String>,
}

/// The result of merging one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileOutcome {
    pub file: String,
    pub sha256: String,
    pub department: Option<String>,
    /// Whether the file's metadata is this database's own (only then are its bases trusted).
    pub signature: Option<Signature>,
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
    /// Values in fields the department does not own: never applied (each is a warning).
    pub not_owned: usize,
    /// The same department's earlier returns this one replaced values of (再提出).
    pub supersedes: Vec<String>,
    /// The earliest of them, as recorded.
    pub supersedes_id: Option<i64>,
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
            signature: None,
            status: FileStatus::Rejected,
            applied: Vec::new(),
            conflicts: Vec::new(),
            conflict_ids: Vec::new(),
            unchanged: 0,
            already: 0,
            known_conflicts: 0,
            not_owned: 0,
            supersedes: Vec::new(),
            supersedes_id: None,
            warnings: Vec::new(),
            errors,
        }
    }
}

/// A merge in progress: the plan and its fields as they are after the files so far.
pub struct Merger<'a> {
    pub plan: &'a mut Plan,
    /// Project number → position, to read a field of the plan now without flattening it.
    entry_at: HashMap<String, usize>,
    /// The fields of the KPIs and projects read for the return being merged.
    read: std::cell::RefCell<HashMap<String, BTreeMap<String, String>>>,
    /// The fields of each KPI and project changed so far, as they were before.
    before: BTreeMap<String, BTreeMap<String, String>>,
    /// A change was made to more than fields of existing KPIs and projects.
    beyond_fields: bool,
    known: HashSet<ConflictKey>,
    /// What departments' returns set per field (earlier runs, then this one).
    prior: HashMap<String, PriorValue>,
}

/// The canonical form of a stored field, as returns are compared with it.
fn canonical_field(path: &str, raw: &str) -> Option<String> {
    match Column::of_path(path) {
        Some(col) => canonical_of(col, Some(raw)),
        None => Some(raw.to_string()),
    }
}

/// Which fields a department may change: the projects it owns or co-owns, and
/// the KPIs of those projects.
struct Ownership {
    projects: HashSet<String>,
    kpis: HashSet<u32>,
}

impl Ownership {
    fn of(plan: &Plan, department: Option<&str>) -> Self {
        let mut o = Ownership {
            projects: HashSet::new(),
            kpis: HashSet::new(),
        };
        let Some(d) = department else { return o };
        for p in plan.projects() {
            if p.owners.iter().any(|w| w.department.as_deref() == Some(d)) {
                o.projects.insert(p.no.clone());
                o.kpis.extend(p.kpis.iter().filter(|k| !k.relisted).map(|k| k.no));
            }
        }
        o
    }

    fn owns(&self, path: &str) -> bool {
        let inner = |prefix: &str| path.strip_prefix(prefix).and_then(|p| p.split(']').next());
        if let Some(no) = inner("project[") {
            return self.projects.contains(no);
        }
        inner("kpi[")
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|n| self.kpis.contains(&n))
    }
}

/// The departments owning a field's project (or the projects listing its KPI).
fn owners_of(plan: &Plan, path: &str) -> String {
    let inner = |prefix: &str| path.strip_prefix(prefix).and_then(|p| p.split(']').next());
    let mut depts: Vec<String> = Vec::new();
    let mut add = |p: &crate::model::Project| {
        for d in p.owners.iter().filter_map(|o| o.department.clone()) {
            if !depts.contains(&d) {
                depts.push(d);
            }
        }
    };
    if let Some(no) = inner("project[") {
        if let Some(p) = plan.project(no) {
            add(p);
        }
    } else if let Some(k) = inner("kpi[").and_then(|n| n.parse::<u32>().ok()) {
        for p in plan.projects().filter(|p| p.kpis.iter().any(|x| x.no == k && !x.relisted)) {
            add(p);
        }
    }
    if depts.is_empty() {
        "担当部のない事業".into()
    } else {
        depts.join("・")
    }
}

impl<'a> Merger<'a> {
    /// Starts merging into `plan`; `known` are the conflicts already recorded,
    /// `prior` what earlier returns of the year set per field.
    pub fn new(plan: &'a mut Plan, known: HashSet<ConflictKey>, prior: HashMap<String, PriorValue>) -> Self {
        let entry_at = plan.project_positions();
        Merger {
            plan,
            entry_at,
            read: Default::default(),
            before: BTreeMap::new(),
            beyond_fields: false,
            known,
            prior,
        }
    }

    /// The fields this merge changed, `(path, old, new)` in path order as
    /// [`crate::model::diff_plans`] gives them, without comparing the whole plan;
    /// `None` when a change went beyond fields of existing KPIs and projects (the
    /// plans are then compared whole).
    pub fn changes(&self) -> Option<Vec<crate::store::FieldChangeRow>> {
        if self.beyond_fields {
            return None;
        }
        let mut out = Vec::new();
        for (owner, before) in &self.before {
            let after = self.plan.fields_of(owner, &self.entry_at);
            out.extend(crate::model::diff_fields(before, &after));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Some(out)
    }

    /// The canonical value of a field in the plan now (after the files so far).
    fn now(&self, path: &str) -> Option<String> {
        let owner = path.split_once(']').map_or(path, |(o, _)| o);
        let mut read = self.read.borrow_mut();
        if !read.contains_key(owner) {
            read.insert(owner.to_string(), self.plan.fields_of(path, &self.entry_at));
        }
        let raw = read.get(owner).and_then(|f| f.get(path))?;
        canonical_field(path, raw)
    }

    /// Merges one return into the plan.
    pub fn merge(&mut self, file: String, sha256: String, ret: DeptReturn) -> FileOutcome {
        let mut out = FileOutcome::rejected(file, sha256, Vec::new());
        out.department = ret.department.clone();
        out.signature = Some(ret.signature);
        out.warnings = ret.warnings;
        let verified = ret.signature == Signature::Verified;
        let dept = ret.department.clone().unwrap_or_default();
        let owned = Ownership::of(self.plan, ret.department.as_deref());
        let mut changes: Vec<(String, Option<String>)> = Vec::new();
        for f in &ret.fields {
            let theirs = f.value.canon.clone();
            // The plan's value is read only where it decides: most fields of a return are as sent.
            if verified && f.has_base && theirs == f.base && owned.owns(&f.path) {
                out.unchanged += 1;
                continue;
            }
            let now = self.now(&f.path);
            if !owned.owns(&f.path) {
                let shown_differs = if verified {
                    theirs != f.base
                } else {
                    theirs.is_some() && theirs != now
                };
                if shown_differs {
                    out.not_owned += 1;
                    let (sheet, cell) = f.cell.split_once('!').unwrap_or(("", &f.cell));
                    out.warnings.push(Problem {
                        sheet: sheet.to_string(),
                        cell: Some(cell.to_string()),
                        message: format!(
                            "{}(事業番号 {}{})は{}の項目です。{}の返送からは取り込みません",
                            f.label(),
                            f.project,
                            f.kpi.map(|k| format!("・KPI {k}")).unwrap_or_default(),
                            owners_of(self.plan, &f.path),
                            if dept.is_empty() {
                                "担当部の分からない"
                            } else {
                                dept.as_str()
                            },
                        ),
                    });
                }
                continue;
            }
            let mut supersedes = None;
            let apply = if verified && f.has_base {
                if theirs == f.base {
                    out.unchanged += 1;
                    continue;
                }
                if now == theirs {
                    out.already += 1;
                    continue;
                }
                if now == f.base {
                    true
                } else if let Some(p) = self
                    .prior
                    .get(&f.path)
                    .filter(|p| p.latest && !dept.is_empty() && p.department == dept && p.value == now)
                {
                    // A corrected return of the same department: it replaces what its earlier one set.
                    supersedes = Some(p.clone());
                    true
                } else {
                    false
                }
            } else {
                // Nothing known of the file's origin: a value is never applied unseen.
                if theirs.is_none() || now == theirs {
                    out.unchanged += 1;
                    continue;
                }
                false
            };
            if apply {
                changes.push((f.path.clone(), f.value.raw.clone()));
                if f.column == Column::Actual && now.is_none() && theirs.is_some() {
                    if let Some(as_of) = self.plan.as_of.filter(|a| a.fiscal_year() == ret.year) {
                        let p = format!("{}.as_of", f.path);
                        changes.push((p, Some(as_of.iso())));
                    }
                }
                if let Some(p) = &supersedes {
                    if !out.supersedes.contains(&p.file) {
                        out.supersedes.push(p.file.clone());
                    }
                    if let Some(id) = p.file_id {
                        out.supersedes_id = Some(out.supersedes_id.map_or(id, |x: i64| x.min(id)));
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
                    supersedes: supersedes.map(|p| p.file),
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
        // The plan changes: what was read of it is kept as it was before (the first
        // time it changes), and read again for the next return.
        let mut read = std::mem::take(self.read.get_mut());
        for (path, _) in &changes {
            let owner = path.split_once(']').map_or(path.as_str(), |(o, _)| o);
            if !self.before.contains_key(owner) {
                let fields = read.remove(owner).unwrap_or_else(|| self.plan.fields_of(owner, &self.entry_at));
                self.before.insert(owner.to_string(), fields);
            }
        }
        drop(read);
        let applied = match self.plan.apply_in_place(&changes) {
            Some(done) => done,
            None => {
                self.beyond_fields = true;
                self.plan.apply_changes(&changes)
            }
        };
        if let Err(e) = applied {
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
        for c in &out.applied {
            self.prior.insert(
                c.path.clone(),
                PriorValue {
                    file_id: None,
                    file: out.file.clone(),
                    department: dept.clone(),
                    value: c.after.clone(),
                    latest: true,
                },
            );
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
    let e = super::parse_entered(col, Some(text), kpi, &plan.rule.scale())?;
    Ok((e.raw, e.canon))
}
