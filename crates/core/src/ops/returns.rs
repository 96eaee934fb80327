//! The department-return operations: templates, merge, conflicts and their
//! resolution, history and undo, backups and restore.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{sha256_file, year_list, Error, Result};
use crate::fy::FiscalYear;
use crate::model::Plan;
use crate::returns::report::write_merge_report;
use crate::returns::sign::Signature;
use crate::returns::{self, departments, load_return, return_file_name, value_for_path, FileOutcome, FileStatus, Merger, ReturnSpec};
use crate::store::{
    self, insert_conflicts, insert_received, mark_resolved, BackupInfo, Conflict, NewReceived, Revision, RevisionInfo, Store,
};
use crate::xlsx::import::Problem;

/// One department's entry workbook as written.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateFile {
    pub department: String,
    pub path: PathBuf,
    pub projects: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct TemplatesReport {
    pub plan_id: i64,
    pub year: FiscalYear,
    pub revision: i64,
    pub files: Vec<TemplateFile>,
    /// Projects no department owns: in no file.
    pub without_department: usize,
}

/// What every entry workbook of a plan is made from.
struct ReturnSource {
    plan: Plan,
    plan_id: i64,
    /// The plan's latest revision.
    revision: i64,
    created_at: String,
    /// The database's signing key (made on first use).
    key: Vec<u8>,
    /// The open 照会 round of the year the files are for.
    round_id: Option<i64>,
}

fn return_source(db: &Path, plan: Option<&str>, year: Option<FiscalYear>) -> Result<ReturnSource> {
    let mut store = Store::open(db)?;
    let plan_id = store.resolve_plan(plan)?;
    let p = store.load_plan(plan_id)?;
    let year = year.unwrap_or(p.report_year);
    Ok(ReturnSource {
        round_id: store.open_round(plan_id, year.0)?.map(|r| r.id),
        plan: p,
        plan_id,
        revision: store.revisions(Some(plan_id))?.first().map(|r| r.id).unwrap_or(0),
        created_at: store.now()?,
        key: store.signing_key()?,
    })
}

fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })
}

/// Writes one entry workbook per department (or per named department) into `dir`.
/// Existing files are not replaced unless `overwrite`: a folder of templates is
/// where the departments' filled returns come back to.
pub fn templates(
    db: &Path,
    plan: Option<&str>,
    dir: &Path,
    year: Option<FiscalYear>,
    only: &[String],
    overwrite: bool,
    layout: Option<&Path>,
) -> Result<TemplatesReport> {
    let src = return_source(db, plan, year)?;
    let (p, plan_id, revision, created_at) = (&src.plan, src.plan_id, src.revision, src.created_at.clone());
    let year = year.unwrap_or(p.report_year);
    if !p.all_years().contains(&year) {
        return Err(Error::BadInput(format!(
            "{}はこの計画の年度ではありません(この計画の年度: {})",
            year.long(),
            year_list(p)
        )));
    }
    let all = departments(p);
    for d in only {
        if !all.contains(d) {
            return Err(Error::BadInput(format!(
                "部「{d}」は計画にありません(計画の部: {})",
                all.join("、")
            )));
        }
    }
    let chosen: Vec<&String> = all.iter().filter(|d| only.is_empty() || only.contains(d)).collect();
    for d in &chosen {
        let path = dir.join(return_file_name(d, year));
        super::guard_output(db, &path, &[])?;
        if path.exists() && !overwrite {
            return Err(Error::BadInput(format!(
                "{}: 同じ名前のファイルがすでにあります(部が記入したファイルではありませんか)。置き換えず、何も書き出していません。\
                 別のフォルダに書き出すか、前のファイルを移してください(置き換えてよいときは --overwrite)",
                path.display()
            )));
        }
    }
    let labels = entry_labels(&Store::open(db)?, plan_id, layout)?;
    create_dir(dir)?;
    // The workbooks are written two at a time, one on each core, each the next department
    // not yet taken; reported in the departments' order, the first failure first.
    let write = |d: &str| {
        let spec = ReturnSpec {
            plan: p,
            filled: None,
            plan_id,
            revision,
            department: d,
            year,
            created_at: created_at.clone(),
            key: Some(&src.key),
            carried_meta: None,
            round_id: src.round_id,
            findings: None,
            labels: Some(&labels),
        };
        returns::write_return(&spec, &dir.join(return_file_name(d, year)))
    };
    type Written = std::sync::Mutex<Option<std::result::Result<usize, crate::xlsx::WriteError>>>;
    let done: Vec<Written> = chosen.iter().map(|_| std::sync::Mutex::new(None)).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failed = std::sync::atomic::AtomicBool::new(false);
    let work = || loop {
        use std::sync::atomic::Ordering::Relaxed;
        let i = next.fetch_add(1, Relaxed);
        if i >= chosen.len() || failed.load(Relaxed) {
            break;
        }
        let r = write(chosen[i]);
        failed.fetch_or(r.is_err(), Relaxed);
        if let Ok(mut slot) = done[i].lock() {
            *slot = Some(r);
        }
    };
    std::thread::scope(|s| {
        s.spawn(work);
        work();
    });
    let mut files = Vec::new();
    // A department not taken comes after one that failed, whose error is returned first.
    for (d, slot) in chosen.into_iter().zip(done) {
        if let Some(r) = slot.into_inner().unwrap_or_else(|e| e.into_inner()) {
            files.push(TemplateFile {
                department: d.clone(),
                path: dir.join(return_file_name(d, year)),
                projects: r?,
            });
        }
    }
    if let Some(round) = src.round_id {
        let written: Vec<String> = files.iter().map(|f| f.department.clone()).collect();
        Store::open(db)?.round_templates_written(round, &written)?;
    }
    let without_department = p.projects().filter(|pr| pr.owners.iter().all(|o| o.department.is_none())).count();
    Ok(TemplatesReport {
        plan_id,
        year,
        revision,
        files,
        without_department,
    })
}

#[derive(Debug, Clone, Default)]
pub struct MergeOptions {
    /// Report what would happen; write nothing.
    pub dry_run: bool,
    /// The year being merged (default: the plan's report year).
    pub year: Option<FiscalYear>,
    /// Also write the merge report workbook here.
    pub report: Option<PathBuf>,
}

/// Files done so far, for a progress bar.
#[derive(Debug, Clone, Serialize)]
pub struct MergeProgress {
    pub done: usize,
    pub total: usize,
    pub file: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MergeReport {
    pub plan_id: i64,
    pub plan_title: String,
    pub year: FiscalYear,
    pub dry_run: bool,
    /// The revision holding everything applied (none when nothing was written).
    pub revision_id: Option<i64>,
    pub backup: Option<PathBuf>,
    pub applied: usize,
    pub conflicts: usize,
    pub rejected: usize,
    pub files: Vec<FileOutcome>,
    pub report: Option<PathBuf>,
}

/// The words the entry sheet's headers are written in: those of `layout` (a built-in
/// layout's name or a layout file; 取組一覧: Shinchoku's own), else of the layout the plan
/// was imported with.
pub(crate) fn entry_labels(store: &Store, plan_id: i64, layout: Option<&Path>) -> Result<returns::Labels> {
    let layout = match layout {
        Some(l) if super::layouts::is_summary(l) => None,
        Some(l) => Some(super::layouts::layout_named(l)?.0),
        None => super::layouts::remembered_layout(store, plan_id)?,
    };
    Ok(layout.map(|l| returns::Labels::from_layout(&l)).unwrap_or_default())
}

/// Merges department returns into the plan: everything applied from one run is
/// one revision (with the conflicts found), after a backup of the database.
pub fn merge(
    db: &Path,
    plan: Option<&str>,
    files: &[PathBuf],
    opts: &MergeOptions,
    progress: &mut dyn FnMut(&MergeProgress),
) -> Result<MergeReport> {
    let mut store = Store::open(db)?;
    let plan_id = store.resolve_plan(plan)?;
    let received = store.received_files(plan_id)?;
    let key = store.existing_signing_key()?;
    let mut loader = load_ahead(files, received.keys().cloned().collect(), key.clone());
    let mut p = store.load_plan(plan_id)?;
    let year = opts.year.unwrap_or(p.report_year);
    if !p.all_years().contains(&year) {
        return Err(Error::BadInput(format!(
            "{}はこの計画の年度ではありません(この計画の年度: {})",
            year.long(),
            year_list(&p)
        )));
    }
    if let Some(report) = &opts.report {
        super::guard_output(db, report, files)?;
    }
    let known_conflicts = store.known_conflicts(plan_id)?;
    let round = store.open_round(plan_id, year.0)?;
    let confirmed: Vec<String> = match &round {
        Some(r) => store
            .round_departments(r.id)?
            .into_iter()
            .filter(|d| d.state == "confirmed")
            .map(|d| d.department)
            .collect(),
        None => Vec::new(),
    };
    let prior = store.prior_values(plan_id, year.0)?;
    // Taken while the returns are read, kept only if the merge writes.
    let backup = if opts.dry_run { None } else { Some(store.backup_ahead("merge")?) };
    let mut seen_now: HashMap<String, String> = HashMap::new();
    let mut outcomes = Vec::with_capacity(files.len());
    // What the merge changed, field by field (`None`: more than fields; compared whole).
    let recorded = {
        let mut merger = Merger::new(&mut p, known_conflicts, prior);
        for (i, f) in files.iter().enumerate() {
            let name = f.display().to_string();
            let loaded = match loader.next() {
                // Met first by the other thread, which read a later copy: read here.
                Loaded::Seen(sha) if !received.contains_key(&sha) && !seen_now.contains_key(&sha) => {
                    Loaded::Read(sha, Box::new(load_return(f, key.as_deref())))
                }
                loaded => loaded,
            };
            let outcome = match loaded {
                Loaded::Missing => FileOutcome::rejected(name.clone(), String::new(), vec![located("ファイルがありません")]),
                Loaded::Unreadable(e) => FileOutcome::rejected(name.clone(), String::new(), vec![located(&e)]),
                // (A copy is always of a file merged before or earlier in this batch.)
                Loaded::Seen(sha) => skipped_copy(&received, &seen_now, name.clone(), sha),
                Loaded::Read(sha, _) if received.contains_key(&sha) || seen_now.contains_key(&sha) => {
                    skipped_copy(&received, &seen_now, name.clone(), sha)
                }
                Loaded::Read(sha, read) => {
                    seen_now.insert(sha.clone(), name.clone());
                    match read
                        .and_then(|r| r.read(merger.plan, plan_id, year))
                        .and_then(|r| check_round(&store, round.as_ref(), &confirmed, r))
                    {
                        Ok(r) => merger.merge(name.clone(), sha, r),
                        Err(problems) => FileOutcome::rejected(name.clone(), sha, problems),
                    }
                }
            };
            outcomes.push(outcome);
            progress(&MergeProgress {
                done: i + 1,
                total: files.len(),
                file: name,
            });
        }
        merger.changes()
    };
    let applied: usize = outcomes.iter().map(|o| o.applied.len()).sum();
    let conflicts: usize = outcomes.iter().map(|o| o.conflicts.len()).sum();
    let rejected = outcomes.iter().filter(|o| o.status == FileStatus::Rejected).count();
    let mut report = MergeReport {
        plan_id,
        plan_title: p.title.clone(),
        year,
        dry_run: opts.dry_run,
        revision_id: None,
        backup: None,
        applied,
        conflicts,
        rejected,
        files: outcomes,
        report: None,
    };
    let merged: Vec<&FileOutcome> = report
        .files
        .iter()
        .filter(|o| !matches!(o.status, FileStatus::Rejected | FileStatus::Skipped))
        .collect();
    // Only a merge that changes something writes (and takes a backup): refused,
    // unchanged and already-merged files would only push useful backups out.
    // While a round is open, a return received is recorded even when it changes nothing.
    if !opts.dry_run && (applied > 0 || conflicts > 0 || (round.is_some() && !merged.is_empty())) {
        report.backup = backup.map(|b| b.keep()).transpose()?;
        let join = |f: &dyn Fn(&FileOutcome) -> Option<String>| {
            let v: Vec<String> = merged.iter().filter_map(|o| f(o)).collect();
            Some(v.join("; ")).filter(|s| !s.is_empty())
        };
        let mut depts: Vec<String> = merged.iter().filter_map(|o| o.department.clone()).collect();
        depts.dedup();
        let resubmitted: Vec<String> = merged
            .iter()
            .filter(|o| !o.supersedes.is_empty())
            .map(|o| format!("{} は {} を置き換え", o.file, o.supersedes.join("、")))
            .collect();
        let resubmitted = if resubmitted.is_empty() {
            String::new()
        } else {
            format!("、再提出: {}", resubmitted.join("; "))
        };
        let info = RevisionInfo {
            kind: "merge".into(),
            summary: format!(
                "取りまとめ: {} ファイル(反映 {applied} 項目、競合 {conflicts} 件{resubmitted})",
                merged.len()
            ),
            source_file: join(&|o| Some(o.file.clone())),
            source_sha256: join(&|o| Some(o.sha256.clone())),
            department: Some(depts.join("、")).filter(|s| !s.is_empty()),
            undoes: None,
        };
        let all: Vec<_> = merged.iter().flat_map(|o| o.conflicts.iter().cloned()).collect();
        let receipts: Vec<NewReceived> = merged
            .iter()
            .map(|o| NewReceived {
                year: year.0,
                department: o.department.clone(),
                file: o.file.clone(),
                sha256: o.sha256.clone(),
                signed: o.signature == Some(Signature::Verified),
                supersedes: o.supersedes_id,
                values: o.applied.iter().map(|c| (c.path.clone(), c.after.clone())).collect(),
                round_id: round.as_ref().map(|r| r.id),
            })
            .collect();
        let returned: Vec<String> = merged.iter().filter_map(|o| o.department.clone()).collect();
        let ids = RefCell::new(Vec::new());
        let also = |tx: &rusqlite::Transaction<'_>, rev: i64| {
            *ids.borrow_mut() = insert_conflicts(tx, plan_id, rev, &all)?;
            insert_received(tx, plan_id, rev, &receipts)?;
            if let Some(r) = &round {
                crate::store::mark_returned(tx, r.id, &returned)?;
            }
            Ok(())
        };
        // Every merge the tests run checks the changes recorded against the plans compared whole.
        #[cfg(debug_assertions)]
        if let Some(c) = &recorded {
            let stored = store.load_plan(plan_id)?;
            debug_assert_eq!(c, &crate::model::diff_plans(&stored, &p), "the merge's changes");
        }
        let saved = match recorded {
            Some(changes) => store.save_changes(plan_id, changes, &info, also)?,
            None => {
                let stored = store.load_plan(plan_id)?;
                store.save_version_over(Some((plan_id, &stored)), &p, &info, also)?
            }
        };
        report.revision_id = Some(saved.revision_id);
        let mut ids = ids.into_inner().into_iter();
        for o in &mut report.files {
            o.conflict_ids = ids.by_ref().take(o.conflicts.len()).collect();
        }
    }
    if let Some(path) = &opts.report {
        write_merge_report(&report, path)?;
        report.report = Some(path.clone());
    }
    Ok(report)
}

/// A return is for the round open now, from a department not yet confirmed in it.
fn check_round(
    store: &Store,
    open: Option<&crate::store::Round>,
    confirmed: &[String],
    r: returns::DeptReturn,
) -> std::result::Result<returns::DeptReturn, Vec<Problem>> {
    let refuse = |m: String| vec![located(&m)];
    let file_round = r
        .meta
        .as_ref()
        .filter(|_| r.signature == returns::Signature::Verified)
        .and_then(|m| m.round_id);
    if let Some(id) = file_round {
        if open.map(|o| o.id) != Some(id) {
            let what = match store.round(id) {
                Ok(Some(x)) if x.closed_at.is_some() => format!("締め切った照会「{}」", x.title),
                Ok(Some(x)) => format!("照会「{}」", x.title),
                _ => format!("照会 #{id}"),
            };
            let now = open
                .map(|o| format!("現在の照会は「{}」です", o.title))
                .unwrap_or_else(|| "現在開いている照会はありません".into());
            return Err(refuse(format!("この記入用ファイルは{what}のものです。{now}")));
        }
    }
    if let (Some(o), Some(d)) = (open, r.department.as_deref()) {
        if confirmed.iter().any(|c| c == d) {
            return Err(refuse(format!(
                "{d}は照会「{}」で確定済みのため、返送を受け付けません。受け付けるには先に照会の画面で確定を解除してください",
                o.title
            )));
        }
    }
    Ok(r)
}

/// A file merged before (by content): nothing is read from it again.
/// Hashes the files, reads their sheets and checks their signatures with `key` on
/// two other threads (every other file each), a file or two ahead of the merge,
/// which checks each against the plan and merges it in file order (a later return
/// sees what an earlier one changed). A
/// file merged before (`known`), or met earlier in this batch, is not read; should
/// the threads race on a copy, the merge reads the first itself. They stop when
/// the merge stops listening.
fn load_ahead(files: &[PathBuf], known: HashSet<String>, key: Option<Vec<u8>>) -> Loader {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(known));
    let lanes = (0..2)
        .map(|lane| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Loaded>(1);
            let files: Vec<PathBuf> = files.iter().skip(lane).step_by(2).cloned().collect();
            let seen = std::sync::Arc::clone(&seen);
            let key = key.clone();
            std::thread::spawn(move || {
                for f in &files {
                    let loaded = if !f.is_file() {
                        Loaded::Missing
                    } else {
                        match sha256_file(f) {
                            Err(e) => Loaded::Unreadable(e.to_string()),
                            Ok(sha) => {
                                let first = seen.lock().map(|mut s| s.insert(sha.clone())).unwrap_or(true);
                                if first {
                                    Loaded::Read(sha, Box::new(load_return(f, key.as_deref())))
                                } else {
                                    Loaded::Seen(sha)
                                }
                            }
                        }
                    };
                    if tx.send(loaded).is_err() {
                        break;
                    }
                }
            });
            rx
        })
        .collect();
    Loader { lanes, next: 0 }
}

/// The files as [`load_ahead`]'s threads hand them over, in file order.
struct Loader {
    lanes: Vec<std::sync::mpsc::Receiver<Loaded>>,
    next: usize,
}

impl Loader {
    fn next(&mut self) -> Loaded {
        let lane = self.next % self.lanes.len();
        self.next += 1;
        self.lanes[lane].recv().unwrap_or(Loaded::Missing)
    }
}

/// A return as the loader thread hands it over.
enum Loaded {
    Missing,
    Unreadable(String),
    /// Merged before, or earlier in this batch: not read.
    Seen(String),
    Read(String, Box<std::result::Result<crate::returns::LoadedReturn, Vec<Problem>>>),
}

/// A copy of a file merged before, or earlier in this batch: skipped, naming it.
fn skipped_copy(
    received: &HashMap<String, crate::store::ReceivedFile>,
    seen_now: &HashMap<String, String>,
    name: String,
    sha: String,
) -> FileOutcome {
    let before = received
        .get(&sha)
        .map(|r| format!("{}(履歴 #{})", r.file, r.revision_id))
        .or_else(|| seen_now.get(&sha).map(|n| format!("{n}(この取りまとめ)")))
        .unwrap_or_default();
    skipped(name, sha, &before)
}

fn skipped(file: String, sha256: String, before: &str) -> FileOutcome {
    let mut o = FileOutcome::rejected(file, sha256, Vec::new());
    o.status = FileStatus::Skipped;
    o.warnings.push(located(&format!(
        "同じ内容のファイルは取りまとめ済みです: {before}。読み飛ばしました"
    )));
    o
}

fn located(message: &str) -> Problem {
    Problem {
        sheet: String::new(),
        cell: None,
        message: message.to_string(),
    }
}

/// The open conflicts of the plan.
pub fn conflicts(db: &Path, plan: Option<&str>, all: bool) -> Result<Vec<Conflict>> {
    let store = Store::open(db)?;
    let id = store.resolve_plan(plan)?;
    Ok(store.conflicts(id, !all)?)
}

/// How a conflict is resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Take {
    /// Keep the plan's value.
    Plan,
    /// Take the return's value.
    Return,
    /// Set this value.
    Value(String),
}

impl Take {
    pub fn parse(s: &str) -> Take {
        match s {
            "plan" => Take::Plan,
            "return" => Take::Return,
            other => Take::Value(other.to_string()),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ResolveReport {
    pub conflict: i64,
    pub path: String,
    pub value: Option<String>,
    pub revision_id: i64,
    pub fields_changed: usize,
}

/// Resolves one conflict, as a revision.
pub fn resolve(db: &Path, id: i64, take: &Take) -> Result<ResolveReport> {
    let mut store = Store::open(db)?;
    let c = store.conflict(id)?;
    if c.status != "open" {
        return Err(Error::BadInput(format!(
            "競合 #{id} は解決済みです(履歴 #{})",
            c.resolved_revision.unwrap_or_default()
        )));
    }
    let (plan_id, c) = (c.plan_id, c.found);
    let mut p = store.load_part(plan_id, &[(c.path.clone(), Some(c.return_value.clone().unwrap_or_default()))])?;
    let stored = p.clone();
    let now = p.fields().get(&c.path).cloned();
    let (change, value, resolution, label) = match take {
        Take::Plan => (None, now, "plan", "計画の値".to_string()),
        Take::Return => (
            Some(c.return_value.clone()),
            c.return_value.clone(),
            "return",
            "返送の値".to_string(),
        ),
        Take::Value(t) => {
            let (raw, canon) = value_for_path(&c.path, t, &p).map_err(|m| Error::BadInput(format!("競合 #{id}: {m}")))?;
            (Some(raw), canon, "value", format!("「{t}」"))
        }
    };
    if let Some(v) = change {
        p.apply_changes(&[(c.path.clone(), v)])
            .map_err(|e| Error::BadInput(format!("競合 #{id}: {e}")))?;
    }
    let info = RevisionInfo {
        kind: "resolve".into(),
        summary: format!("競合 #{id}({} {})を{label}で解決", c.project.as_deref().unwrap_or(""), c.field),
        source_file: Some(c.file.clone()),
        source_sha256: Some(c.file_sha256.clone()),
        department: c.department.clone(),
        undoes: None,
    };
    let saved = store.save_part(plan_id, &stored, &p, &info, |tx, rev| mark_resolved(tx, id, resolution, rev))?;
    Ok(ResolveReport {
        conflict: id,
        path: c.path,
        value,
        revision_id: saved.revision_id,
        fields_changed: saved.fields_changed,
    })
}

/// The plan's revisions, newest first.
pub fn history(db: &Path, plan: Option<&str>) -> Result<Vec<Revision>> {
    let store = Store::open(db)?;
    let id = store.resolve_plan(plan)?;
    Ok(store.revisions(Some(id))?)
}

#[derive(Debug, Clone, Serialize)]
pub struct UndoReport {
    pub undone: i64,
    pub revision_id: i64,
    pub fields_changed: usize,
}

/// Reverts one revision (refused when a later revision changed the same fields).
pub fn undo(db: &Path, revision: i64) -> Result<UndoReport> {
    let mut store = Store::open(db)?;
    let o = store.undo(revision)?;
    Ok(UndoReport {
        undone: revision,
        revision_id: o.revision_id,
        fields_changed: o.fields_changed,
    })
}

/// The database's backups, newest first.
pub fn backups(db: &Path) -> Result<Vec<BackupInfo>> {
    Ok(store::list_backups(db)?)
}

#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    pub restored: PathBuf,
    /// The backup of the state that was replaced.
    pub saved: PathBuf,
}

/// Restores a backup (a path, or a file name in the backups folder), after
/// backing up the current state.
pub fn restore(db: &Path, file: &Path) -> Result<RestoreReport> {
    let candidate = if file.is_file() {
        file.to_path_buf()
    } else {
        store::backup_dir(db).join(file)
    };
    // A database that cannot be opened, or is found damaged when it is backed up
    // before the restore, is kept aside, not backed up.
    let saved = match Store::open(db).and_then(|mut store| store.restore(&candidate)) {
        Ok(saved) => saved,
        Err(e) if e.is_unreadable() => store::replace_unreadable(db, &candidate)?,
        Err(e) => return Err(e.into()),
    };
    Ok(RestoreReport {
        restored: candidate,
        saved,
    })
}

/// Filled returns for benchmarks and demonstrations: each department's file as
/// the app would save it after the department amended every narrative of the
/// year and entered an actual for its KPIs without one.
pub fn sample_returns(db: &Path, plan: Option<&str>, dir: &Path) -> Result<Vec<PathBuf>> {
    let src = return_source(db, plan, None)?;
    let (p, plan_id, revision, created_at) = (src.plan.clone(), src.plan_id, src.revision, src.created_at.clone());
    create_dir(dir)?;
    let year = p.report_year;
    let mut out = Vec::new();
    for d in departments(&p) {
        let mut filled = p.clone();
        let mut changes = Vec::new();
        for pr in returns::department_projects(&p, &d, year) {
            let old = pr.years.get(&year).and_then(|y| y.narrative.clone()).unwrap_or_default();
            changes.push((
                format!("project[{}].year[{}].narrative", pr.no, year.0),
                Some(format!("{old}({d}更新)")),
            ));
            for k in &pr.kpis {
                if p.kpi(k.no).is_some_and(|k| !k.actuals.contains_key(&year)) {
                    changes.push((format!("kpi[{}].actual[{}]", k.no, year.0), Some("1".to_string())));
                }
            }
        }
        changes.sort();
        changes.dedup();
        filled.apply_changes(&changes).map_err(|e| Error::BadInput(e.to_string()))?;
        let path = dir.join(return_file_name(&d, year));
        let spec = ReturnSpec {
            plan: &p,
            filled: Some(&filled),
            plan_id,
            revision,
            department: &d,
            year,
            created_at: created_at.clone(),
            key: Some(&src.key),
            carried_meta: None,
            round_id: src.round_id,
            findings: None,
            labels: None,
        };
        returns::write_return(&spec, &path)?;
        out.push(path);
    }
    Ok(out)
}
