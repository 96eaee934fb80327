//! The operations a user performs, as the CLI and the desktop shell call them:
//! each opens what it needs, validates everything before writing, and writes in
//! one transaction.

mod app;
mod edit;
mod layouts;
mod places;
mod plans;
mod reports;
mod returns;
mod rounds;
mod years;

pub use app::*;
pub use edit::{card_edit_view, edit_fields, report_item_views, report_preview, schedule_view, Edited, Editor};
pub use layouts::{
    export_with_layout, import_with_layout, import_with_mapping, is_summary, is_summary_workbook, layout_learn, layout_mapping,
    layout_named, layout_names, layout_text, read_layout, FieldChoice, LayoutImport, MappedColumn, MappingView,
};
pub use places::{default_folder, documents_folder, OUTPUT_KINDS};
pub use plans::{delete_demo_plan, plan_views, switch_plan};
pub use reports::*;
pub use returns::*;
pub use rounds::*;
pub use years::*;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::fy::FiscalYear;
use crate::model::{Entry, Plan};
use crate::seed::{self, SeedError};
use crate::store::{RevisionInfo, Store, StoreError};
use crate::summary::{summarize, Summary};
use crate::xlsx::import::{Coverage, ImportError, Problem};
use crate::xlsx::{self, WriteError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Seed(#[from] SeedError),
    #[error("{path}: {}", crate::text::io_message(source))]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    BadInput(String),
    /// A value typed into a form field that does not fit it.
    #[error("{message}")]
    Field { path: String, message: String },
    /// An import of a workbook without a base would put back values entered or
    /// merged since the last import.
    #[error("{}", entered_message(.0))]
    WouldReplaceEntered(Vec<EnteredField>),
}

/// The fields an import would put back, one line each, for a confirmation in the app.
pub fn entered_for_people(fields: &[EnteredField]) -> String {
    let lines: Vec<String> = fields
        .iter()
        .take(50)
        .map(|f| {
            format!(
                "{}({}): {} → {}",
                crate::fields::label(&f.path),
                f.path,
                f.entered.as_deref().unwrap_or("(空欄)"),
                f.workbook.as_deref().unwrap_or("(空欄)")
            )
        })
        .collect();
    format!(
        "このブックには出力時の基準がありません。取り込むと、前回の取り込み後に入力・取りまとめた次の {} 項目がブックの値に戻ります。\n{}",
        fields.len(),
        lines.join("\n")
    )
}

fn entered_message(fields: &[EnteredField]) -> String {
    let shown: Vec<String> = fields
        .iter()
        .take(20)
        .map(|f| {
            format!(
                "  {}: {} → {}(履歴 #{} {})",
                f.path,
                f.entered.as_deref().unwrap_or("(空欄)"),
                f.workbook.as_deref().unwrap_or("(空欄)"),
                f.revision,
                f.kind
            )
        })
        .collect();
    let more = if fields.len() > 20 {
        format!("\n  ほか {} 項目", fields.len() - 20)
    } else {
        String::new()
    };
    format!(
        "このブックには出力時の基準がないため、取り込むと前回の取り込み後に入力・取りまとめた値が {} 項目 ブックの値に戻ります。何も取り込んでいません:\n{}{more}\n上書きしてよい場合は --replace-entered を付けて取り込んでください",
        fields.len(),
        shown.join("\n")
    )
}

impl Error {
    /// Whether the user's input (a file, an argument) is at fault, rather than
    /// the machine: the CLI exits 2 for these.
    pub fn is_bad_input(&self) -> bool {
        !matches!(
            self,
            Error::Store(StoreError::Sqlite(_)) | Error::Store(StoreError::Io { .. }) | Error::Seed(_) | Error::Io { .. }
        )
    }

    /// The error with the database it happened in (see [`StoreError::at`]).
    pub fn at(self, db: &Path) -> Self {
        match self {
            Error::Store(e) => Error::Store(e.at(db)),
            other => other,
        }
    }

    /// Whether another process holds the database (try again later).
    pub fn is_busy(&self) -> bool {
        matches!(self, Error::Store(StoreError::Sqlite(e))
            if matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)))
    }

    /// The file an import error's problems are in.
    pub fn file(&self) -> Option<&str> {
        match self {
            Error::Import(e) => e.file(),
            _ => None,
        }
    }

    /// The problems behind an import error, located by sheet and cell.
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            Error::Import(e) => e.problems(),
            other => vec![Problem {
                sheet: String::new(),
                cell: None,
                message: other.to_string(),
            }],
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Refuses an output path that would overwrite what Shinchoku reads: the
/// database (with its journal and lock files), its backups, any SQLite file,
/// or one of `inputs`. Outputs are written to a temporary file and renamed, so
/// this is the one way an export could destroy data.
pub(crate) fn guard_output(db: &Path, out: &Path, inputs: &[PathBuf]) -> Result<()> {
    // The path as it will resolve: its folder made canonical (the file may not exist yet).
    let resolved = |p: &Path| -> PathBuf {
        let dir = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        match p.file_name() {
            Some(n) => dir.join(n),
            None => dir,
        }
    };
    let refuse = |why: &str| {
        Err(Error::BadInput(format!(
            "{}: {why}。何も書き込んでいません。別のファイル名を選んでください",
            out.display()
        )))
    };
    let target = resolved(out);
    let database = resolved(db);
    for suffix in ["", "-wal", "-shm", "-journal", ".app-lock"] {
        if target.as_os_str() == format!("{}{suffix}", database.display()).as_str() {
            return refuse("データベース(またはその関連ファイル)で、上書きされてしまいます");
        }
    }
    let backups = crate::store::backup_dir(db);
    if target.starts_with(backups.canonicalize().unwrap_or(backups)) {
        return refuse("バックアップのフォルダの中です");
    }
    if inputs.iter().any(|i| resolved(i) == target) {
        return refuse("読み込むファイルの一つで、上書きされてしまいます");
    }
    let mut head = [0u8; 16];
    if std::fs::File::open(out).and_then(|mut f| f.read_exact(&mut head)).is_ok() && &head == b"SQLite format 3\0" {
        return refuse("データベースのファイルで、上書きされてしまいます");
    }
    Ok(())
}

/// The database path: `--db`, else `SHINCHOKU_DB`, else the user's data folder.
pub fn resolve_db_path(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os(crate::store::DB_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    Ok(crate::store::default_db_path()?)
}

#[derive(Debug, Clone, Serialize)]
pub struct InitReport {
    pub db: PathBuf,
    pub plans: Vec<SavedPlan>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SavedPlan {
    pub plan_id: i64,
    pub revision_id: i64,
    pub title: String,
    pub created: bool,
    pub fields_changed: usize,
    pub projects: usize,
    pub relistings: usize,
    pub kpis: usize,
}

fn saved(plan: &Plan, o: crate::store::SaveOutcome) -> SavedPlan {
    SavedPlan {
        plan_id: o.plan_id,
        revision_id: o.revision_id,
        title: plan.title.clone(),
        created: o.created,
        fields_changed: o.fields_changed,
        projects: plan.projects().count(),
        relistings: plan.relistings().count(),
        kpis: plan.kpis.len(),
    }
}

/// Creates the database (if absent); with `demo`, loads the two demo plans and
/// makes the Fukushima plan current.
pub fn init(db: &Path, demo: bool) -> Result<InitReport> {
    let plans = if demo { seed::demo_plans()? } else { Vec::new() };
    let mut store = Store::open_or_create(db)?;
    let mut out = Vec::new();
    for p in &plans {
        let o = store.save_plan(
            p,
            &RevisionInfo {
                kind: "init".into(),
                summary: "デモ計画を読み込み".into(),
                ..Default::default()
            },
        )?;
        out.push(saved(p, o));
    }
    if let Some(first) = out.first() {
        store.set_current_plan(first.plan_id)?;
    }
    Ok(InitReport {
        db: db.to_path_buf(),
        plans: out,
    })
}

/// Loads the demo plans into a database that has no plan yet (the app's first start).
pub fn ensure_demo(db: &Path) -> Result<bool> {
    let store = Store::open_or_create(db)?;
    if !store.plans()?.is_empty() {
        return Ok(false);
    }
    drop(store);
    init(db, true)?;
    Ok(true)
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub sha256: String,
    pub sheet: String,
    pub coverage: Coverage,
    pub warnings: Vec<Problem>,
    /// Fields changed both in the workbook and in the plan since its export: recorded as conflicts.
    pub conflicts: usize,
    #[serde(flatten)]
    pub saved: SavedPlan,
}

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Imports a summary workbook: a new plan, or a new version of the plan with the
/// same title. A workbook this database exported carries its base (the revision
/// it was written from): only what was changed in the workbook is applied, and a
/// field changed both there and in the plan since is a conflict, kept and listed.
/// A workbook without a base that would put back values entered or merged since
/// the last import is refused with those fields, unless `replace_entered`.
/// Nothing is written when nothing changes.
pub fn import(db: &Path, file: &Path, organization: Option<&str>, replace_entered: bool) -> Result<ImportReport> {
    if !file.is_file() {
        return Err(Error::BadInput(format!("{}: ファイルがありません", file.display())));
    }
    let read = xlsx::import_workbook(file)?;
    let sha256 = sha256_file(file)?;
    let mut plan = read.plan;
    if let Some(org) = organization {
        plan.organization = org.to_string();
    }
    let mut store = Store::open_or_create(db)?;
    let mut warnings = read.warnings;
    let mut conflicts: Vec<crate::store::NewConflict> = Vec::new();
    let existing = store.find_same_plan(&plan)?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let stored = existing.map(|id| store.load_plan(id)).transpose()?;
    if let (Some(id), Some(old)) = (existing, &stored) {
        inherit_missing(&mut plan, old, read.coverage);
        plan.keep_value_texts(old);
        let base = match &read.base {
            Some(b) => usable_base(&store, b, id, &mut warnings)?,
            None => None,
        };
        let unchanged = match base {
            Some(rev) => {
                let now = old.fields();
                let base = store.fields_at(id, rev, &now)?;
                let (changes, found) = three_way(&base, &plan.fields(), &now, file, &sha256);
                conflicts = found;
                let mut merged = old.clone();
                merged
                    .apply_changes(&changes)
                    .map_err(|e| Error::BadInput(format!("{name}: {e}")))?;
                plan = merged;
                if !conflicts.is_empty() {
                    warnings.push(Problem {
                        sheet: read.sheet.clone(),
                        cell: None,
                        message: format!(
                            "出力後に計画でも変更された項目が {} 件あり、競合として記録しました(競合の一覧で確認してください)",
                            conflicts.len()
                        ),
                    });
                }
                crate::model::diff_plans(old, &plan).is_empty()
            }
            None => {
                let changes = crate::model::diff_plans(old, &plan);
                // The fields the workbook would change (a number written another way is no change).
                let differ: std::collections::BTreeMap<String, (Option<String>, Option<String>)> = changes
                    .iter()
                    .filter(|(p, a, b)| !crate::fields::same_value(p, a.as_deref(), b.as_deref()))
                    .map(|(p, a, b)| (p.clone(), (a.clone(), b.clone())))
                    .collect();
                let paths: Vec<String> = differ.keys().cloned().collect();
                let entered = store.entered_since_import(id, &paths)?;
                if !entered.is_empty() && !replace_entered {
                    return Err(Error::WouldReplaceEntered(
                        entered
                            .into_iter()
                            .map(|(path, revision, kind)| {
                                let (now, new) = differ.get(&path).cloned().unwrap_or_default();
                                EnteredField {
                                    entered: now,
                                    workbook: new,
                                    path,
                                    revision,
                                    kind,
                                }
                            })
                            .collect(),
                    ));
                }
                changes.is_empty()
            }
        };
        if unchanged && conflicts.is_empty() {
            // Nothing changes: nothing is recorded, no backup is taken.
            let revision_id = store.last_revision_id(id)?;
            return Ok(ImportReport {
                file: file.display().to_string(),
                sha256,
                sheet: read.sheet,
                coverage: read.coverage,
                warnings,
                conflicts: 0,
                saved: saved(
                    &plan,
                    crate::store::SaveOutcome {
                        plan_id: id,
                        revision_id,
                        created: false,
                        fields_changed: 0,
                    },
                ),
            });
        }
    }
    if !store.plans()?.is_empty() {
        store.backup("import")?;
    }
    let info = RevisionInfo {
        kind: "import".into(),
        summary: format!("{name} を取り込み"),
        source_file: Some(file.display().to_string()),
        source_sha256: Some(sha256.clone()),
        department: None,
        undoes: None,
    };
    let o = store.save_version_over(existing.zip(stored.as_ref()), &plan, &info, |tx, rev| {
        if let Some(id) = existing {
            crate::store::insert_conflicts(tx, id, rev, &conflicts)?;
        }
        // Imported from the summary workbook: the plan is written in it again, not in a
        // layout it may have been imported with before.
        let plan_id: i64 = tx.query_row("SELECT plan_id FROM revision WHERE id = ?1", [rev], |r| r.get(0))?;
        tx.execute("DELETE FROM setting WHERE key = ?1", [layouts::layout_key(plan_id)])?;
        Ok(())
    })?;
    Ok(ImportReport {
        file: file.display().to_string(),
        sha256,
        sheet: read.sheet,
        coverage: read.coverage,
        warnings,
        conflicts: conflicts.len(),
        saved: saved(&plan, o),
    })
}

/// A value entered or merged after the last import that a workbook without a
/// base would put back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnteredField {
    pub path: String,
    /// The value in the plan now (entered).
    pub entered: Option<String>,
    /// What the workbook holds.
    pub workbook: Option<String>,
    /// The revision that entered it, and its kind (`entry`, `merge`, `resolve`, `undo`).
    pub revision: i64,
    pub kind: String,
}

/// The revision a workbook's base names, when it can be trusted for this plan.
fn usable_base(store: &Store, b: &xlsx::base::SummaryBase, plan_id: i64, warnings: &mut Vec<Problem>) -> Result<Option<i64>> {
    let key = store.existing_signing_key()?;
    let mut note = |m: &str| {
        warnings.push(Problem {
            sheet: xlsx::base::SHEET_BASE.into(),
            cell: None,
            message: m.to_string(),
        })
    };
    if b.verify(key.as_deref()) != crate::returns::Signature::Verified {
        note("出力時の基準を確認できません(別のデータベースで出力されたか、書き換えられています)。基準なしで取り込みます");
        return Ok(None);
    }
    let rev = store.revisions(Some(plan_id))?.into_iter().find(|r| r.id == b.revision);
    match rev {
        Some(r) if b.plan_id == plan_id && r.at == b.revision_at => Ok(Some(r.id)),
        _ => {
            note("出力時の計画の版(履歴)が見つかりません(復元などで失われています)。基準なしで取り込みます");
            Ok(None)
        }
    }
}

/// Per field: base (when exported), the workbook, the plan now. Returns the
/// changes to make to the plan now and the conflicts.
fn three_way(
    base: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
    now: &BTreeMap<String, String>,
    file: &Path,
    sha256: &str,
) -> (Vec<(String, Option<String>)>, Vec<crate::store::NewConflict>) {
    let same = |p: &str, a: Option<&String>, b: Option<&String>| crate::fields::same_value(p, a.map(String::as_str), b.map(String::as_str));
    let paths: std::collections::BTreeSet<&String> = base.keys().chain(new.keys()).chain(now.keys()).collect();
    let (mut changes, mut conflicts) = (Vec::new(), Vec::new());
    for p in paths {
        let (b, w, n) = (base.get(p), new.get(p), now.get(p));
        if same(p, w, b) || same(p, w, n) {
            continue;
        }
        if same(p, n, b) {
            changes.push((p.clone(), w.cloned()));
            continue;
        }
        conflicts.push(crate::store::NewConflict {
            path: p.clone(),
            file: file.display().to_string(),
            file_sha256: sha256.to_string(),
            department: None,
            project: p.strip_prefix("project[").and_then(|r| r.split(']').next()).map(str::to_string),
            kpi: p
                .strip_prefix("kpi[")
                .and_then(|r| r.split(']').next())
                .and_then(|k| k.parse().ok()),
            field: crate::fields::label(p),
            cell: None,
            base: b.cloned(),
            plan_value: n.cloned(),
            return_value: w.cloned(),
        });
    }
    (changes, conflicts)
}

/// Keeps from the stored plan what a workbook without Shinchoku's extra sheets
/// does not carry: KPI units, direction, card codes, other years' values,
/// budgets, the plan period and rule.
pub fn inherit_missing(plan: &mut Plan, old: &Plan, coverage: Coverage) {
    if plan.organization.is_empty() {
        plan.organization = old.organization.clone();
    }
    if !coverage.plan_info {
        plan.period = plan.period.or(old.period);
        plan.rule = old.rule.clone();
        // Area order and items the summary sheet does not show.
        for a in &mut plan.areas {
            if let Some(o) = old.area(&a.code) {
                for it in &o.items {
                    if !a.items.iter().any(|i| i.code == it.code) {
                        a.items.push(it.clone());
                    }
                }
                let pos = |code: &str| o.items.iter().position(|i| i.code == code).unwrap_or(usize::MAX);
                a.items.sort_by_key(|i| pos(&i.code));
            }
        }
        for o in &old.areas {
            if plan.area(&o.code).is_none() {
                plan.areas.push(o.clone());
            }
        }
        let pos = |code: &str| old.areas.iter().position(|a| a.code == code).unwrap_or(usize::MAX);
        plan.areas.sort_by_key(|a| pos(&a.code));
    }
    if !coverage.trend {
        let shown: Vec<FiscalYear> = plan.fiscal_years.clone();
        let report = plan.report_year;
        for k in &mut plan.kpis {
            let Some(o) = old.kpi(k.no) else { continue };
            k.unit = o.unit.clone().or(k.unit.take());
            k.direction = o.direction;
            k.cumulative = o.cumulative;
            k.label = o.label.clone();
            k.group = o.group.clone();
            k.divisions = o.divisions.clone();
            k.footnotes = o.footnotes.clone();
            k.baseline_year = o.baseline_year;
            for (y, v) in &o.targets {
                if !shown.contains(y) {
                    k.targets.insert(*y, v.clone());
                }
            }
            for (y, a) in &o.actuals {
                if *y != report {
                    k.actuals.insert(*y, a.clone());
                }
            }
        }
        for o in &old.kpis {
            if plan.kpi(o.no).is_none() {
                plan.kpis.push(o.clone());
            }
        }
        plan.kpis.sort_by_key(|k| k.no);
    }
    if !coverage.years {
        // 事業年度データ carries every year but the report year's evaluation and narrative.
        let report = plan.report_year;
        inherit_project_years(plan, old, |y, mine, d| {
            if y != report {
                *mine = d.clone();
            } else {
                mine.budget = d.budget;
                mine.issues = d.issues.clone();
                mine.activities = d.activities.clone();
                mine.actions = d.actions.clone();
                mine.budget_lines = d.budget_lines.clone();
            }
        });
    }
    if !coverage.schedule {
        plan.schedule = old.schedule.clone();
    }
    // The report texts live in 計画情報.
    if !coverage.plan_info {
        for a in &mut plan.areas {
            let Some(oa) = old.area(&a.code) else { continue };
            for it in &mut a.items {
                if let Some(o) = oa.items.iter().find(|i| i.code == it.code) {
                    it.situation = o.situation.clone();
                    it.progress = o.progress.clone();
                }
            }
        }
    }
}

/// Copies from the old plan's project years what the workbook did not carry.
fn inherit_project_years(
    plan: &mut Plan,
    old: &Plan,
    copy: impl Fn(FiscalYear, &mut crate::model::ProjectYear, &crate::model::ProjectYear),
) {
    let old_projects: std::collections::HashMap<&str, &crate::model::Project> = old.projects().map(|p| (p.no.as_str(), p)).collect();
    for e in &mut plan.entries {
        let Entry::Project(p) = e else { continue };
        let Some(o) = old_projects.get(p.no.as_str()) else { continue };
        for (y, d) in &o.years {
            copy(*y, p.years.entry(*y).or_default(), d);
        }
        p.years.retain(|_, d| !d.is_empty());
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub file: String,
    pub ok: bool,
    pub problems: Vec<Problem>,
    pub warnings: Vec<Problem>,
    pub projects: usize,
    pub relistings: usize,
    pub kpis: usize,
}

/// Validates a workbook without touching any database.
pub fn check(file: &Path) -> CheckReport {
    let name = file.display().to_string();
    if !file.is_file() {
        return CheckReport {
            file: name.clone(),
            ok: false,
            problems: vec![Problem {
                sheet: String::new(),
                cell: None,
                message: format!("{name}: ファイルがありません"),
            }],
            warnings: Vec::new(),
            projects: 0,
            relistings: 0,
            kpis: 0,
        };
    }
    match xlsx::check_workbook(file) {
        Ok(r) => CheckReport {
            file: name,
            ok: true,
            problems: Vec::new(),
            projects: r.plan.projects().count(),
            relistings: r.plan.relistings().count(),
            kpis: r.plan.kpis.len(),
            warnings: r.warnings,
        },
        Err(problems) => CheckReport {
            file: name,
            ok: false,
            problems,
            warnings: Vec::new(),
            projects: 0,
            relistings: 0,
            kpis: 0,
        },
    }
}

/// Loads the selected (or current) plan.
pub fn load(db: &Path, plan: Option<&str>) -> Result<Plan> {
    let store = Store::open(db)?;
    let id = store.resolve_plan(plan)?;
    Ok(store.load_plan(id)?)
}

/// Writes the summary workbook of a plan.
pub fn export(db: &Path, plan: Option<&str>, file: &Path, year: Option<FiscalYear>) -> Result<()> {
    export_in(db, plan, file, year, true)
}

/// Writes the summary workbook (取組一覧, KPI推移, 集計) of a plan, whatever layout it was
/// imported with (`export --layout 取組一覧`).
pub fn export_summary(db: &Path, plan: Option<&str>, file: &Path, year: Option<FiscalYear>) -> Result<()> {
    export_in(db, plan, file, year, false)
}

fn export_in(db: &Path, plan: Option<&str>, file: &Path, year: Option<FiscalYear>, own_layout: bool) -> Result<()> {
    let mut store = Store::open(db)?;
    let plan_id = store.resolve_plan(plan)?;
    let p = store.load_plan(plan_id)?;
    check_year(&p, year)?;
    guard_output(db, file, &[])?;
    // A plan imported from a prefecture's own sheet goes back in that sheet's layout.
    if own_layout {
        if let Some(l) = layouts::remembered_layout(&store, plan_id)? {
            crate::layout::write::write(&p, &l, file)?;
            return Ok(());
        }
    }
    write_summary(&mut store, plan_id, &p, file, year)
}

fn write_summary(store: &mut Store, plan_id: i64, p: &Plan, file: &Path, year: Option<FiscalYear>) -> Result<()> {
    let base = match store.revisions(Some(plan_id))?.first() {
        Some(r) => Some(xlsx::base::SummaryBase::new(plan_id, r.id, r.at.clone(), &store.signing_key()?)),
        None => None,
    };
    let mut rounds = Vec::new();
    for round in store.rounds(plan_id)? {
        rounds.push(xlsx::export::RoundRecord {
            departments: store.round_departments(round.id)?,
            round,
        });
    }
    xlsx::export::export_summary_with_base(p, year, file, base.as_ref(), &rounds)?;
    Ok(())
}

/// A year asked for that the plan does not have is refused with the years it has.
fn check_year(p: &Plan, year: Option<FiscalYear>) -> Result<()> {
    match year {
        Some(y) if !p.all_years().contains(&y) => Err(Error::BadInput(format!(
            "{}はこの計画の年度ではありません(この計画の年度: {})",
            y.long(),
            year_list(p)
        ))),
        _ => Ok(()),
    }
}

/// A file named with the extension an output needs, or a clear refusal.
fn expect_extension(file: &Path, exts: &[&str]) -> Result<String> {
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if exts.contains(&ext.as_str()) {
        Ok(ext)
    } else {
        Err(Error::BadInput(format!(
            "{}: ファイル名の拡張子は {} にしてください",
            file.display(),
            exts.iter().map(|e| format!(".{e}")).collect::<Vec<_>>().join(" か ")
        )))
    }
}

fn year_list(p: &Plan) -> String {
    p.all_years().iter().map(|y| y.short()).collect::<Vec<_>>().join(", ")
}

/// The plan summary for a year (the report year by default).
/// Every stored field of the plan, by path, with its text exactly as stored
/// (only the paths starting with `prefix`, when given).
pub fn fields(db: &Path, plan: Option<&str>, prefix: Option<&str>) -> Result<BTreeMap<String, String>> {
    let p = load(db, plan)?;
    let mut f = p.fields();
    if let Some(pre) = prefix {
        f.retain(|k, _| k.starts_with(pre));
    }
    Ok(f)
}

pub fn show(db: &Path, plan: Option<&str>, year: Option<FiscalYear>) -> Result<Summary> {
    let p = load(db, plan)?;
    let y = year.unwrap_or(p.report_year);
    Ok(summarize(&p, y))
}

/// The summary with the marks another rule would propose; the plan is not changed.
pub fn show_with_rule(db: &Path, plan: Option<&str>, year: Option<FiscalYear>, rule: &RuleChoice<'_>) -> Result<Summary> {
    let rule = rule_of(rule)?;
    let p = load(db, plan)?;
    let y = year.unwrap_or(p.report_year);
    Ok(crate::summary::summarize_with(&p, y, &rule))
}

/// Which charts to draw and how.
#[derive(Debug, Clone)]
pub struct ChartOptions {
    pub svg: bool,
    pub kpis: Vec<u32>,
    pub year: Option<FiscalYear>,
    pub dpi: u32,
    pub font: Option<PathBuf>,
    pub year_style: crate::fy::YearStyle,
}

/// Writes one chart file per KPI into `dir`; returns the files.
pub fn charts(db: &Path, plan: Option<&str>, dir: &Path, opts: &ChartOptions) -> Result<Vec<PathBuf>> {
    use crate::chart::{chart_file_name, derived_divisions, find_font, render_png, render_svg, KpiChart};
    let p = load(db, plan)?;
    let derived = derived_divisions(&p);
    let year = opts.year.unwrap_or(p.report_year);
    for n in &opts.kpis {
        if p.kpi(*n).is_none() {
            return Err(Error::BadInput(format!("KPI {n} はこの計画にありません(KPI 1~{})", p.kpis.len())));
        }
    }
    let font = find_font(opts.font.as_deref()).map_err(|e| Error::BadInput(e.to_string()))?;
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut out = Vec::new();
    for k in p.kpis.iter().filter(|k| opts.kpis.is_empty() || opts.kpis.contains(&k.no)) {
        let chart = KpiChart::with_divisions(&p, k, year, opts.year_style, &derived);
        let (bytes, ext) = if opts.svg {
            (
                render_svg(&chart, &font, opts.year_style)
                    .map_err(|e| Error::BadInput(e.to_string()))?
                    .into_bytes(),
                "svg",
            )
        } else {
            (
                render_png(&chart, &font, opts.year_style, opts.dpi).map_err(|e| Error::BadInput(e.to_string()))?,
                "png",
            )
        };
        let path = dir.join(chart_file_name(k, ext));
        write_atomically(&path, &bytes)?;
        out.push(path);
    }
    Ok(out)
}

/// Writes a file under a temporary name beside it and renames it into place.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    xlsx::write_via_temp(path, |f| {
        f.write_all(bytes).map_err(|source| xlsx::WriteError::Io {
            path: path.to_path_buf(),
            source,
        })
    })?;
    Ok(())
}

/// Writes the chart book PDF (cover, charts grouped with headings, page numbers).
pub fn chart_book(
    db: &Path,
    plan: Option<&str>,
    file: &Path,
    opts: &crate::chart::book::BookOptions,
    font: Option<&Path>,
) -> Result<usize> {
    let store = Store::open(db)?;
    let p = store.load_plan(store.resolve_plan(plan)?)?;
    let mut opts = opts.clone();
    let today: String = store.now()?.chars().take(10).collect();
    opts.created = crate::fy::AsOf::parse(&today).map(|a| a.long()).unwrap_or(today);
    drop(store);
    guard_output(db, file, &[])?;
    let font = crate::chart::find_font(font).map_err(|e| Error::BadInput(e.to_string()))?;
    let pdf = crate::chart::book::chart_book(&p, &font, &opts).map_err(|e| Error::BadInput(e.to_string()))?;
    write_atomically(file, &pdf)?;
    Ok(p.kpis.len())
}
