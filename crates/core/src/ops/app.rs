//! What the desktop app does beyond the CLI's commands: the views it shows, the
//! yearly entry saved field by field, the department's filled return, charts as
//! SVG, settings, and the checks on paths the window hands over.

use std::path::{Path, PathBuf};

use rusqlite::{params, OptionalExtension, Transaction};

use crate::chart::book::{BookOptions, GroupBy, Paper};
use crate::chart::{derived_divisions, find_font, render_png, render_svg, KpiChart};
use crate::fy::{FiscalYear, YearStyle};
use crate::model::Plan;
use crate::returns::{merge::value_for_path, write_return, ReturnSpec};
use crate::store::{RevisionInfo, Store, StoreError};
use crate::views::{
    self, entry_years, owned_by, project_form, BackupView, ChartSelection, ChartView, ConflictView, EntryPage, FieldEdit, MergeFileView,
    MergeView, Overview, RevisionView, SavedField, Settings, SettingsView, Written,
};

use super::{Error, MergeReport, Result};

/// Consecutive edits of one field by one department within this many minutes
/// are kept as one revision.
pub const COALESCE_MINUTES: i64 = 10;
/// The longest 評価の理由 accepted.
pub const MAX_REASON_CHARS: usize = 400;

const SETTING_YEAR_LABELS: &str = "chart.year_labels";
const SETTING_FONT: &str = "chart.font";

fn year_of(plan: &Plan, year: Option<i32>) -> Result<FiscalYear> {
    let y = year.map(FiscalYear).unwrap_or(plan.report_year);
    if !plan.all_years().contains(&y) {
        return Err(Error::BadInput(format!("{} はこの計画の年度ではありません", y.long())));
    }
    Ok(y)
}

/// The current plan, loaded.
fn current(store: &Store) -> Result<(i64, Plan)> {
    let id = store.resolve_plan(None)?;
    Ok((id, store.load_plan(id)?))
}

/// 計画一覧 for a year (the report year by default).
pub fn app_overview(db: &Path, year: Option<i32>) -> Result<Overview> {
    let store = Store::open(db)?;
    let (id, plan) = current(&store)?;
    let y = year_of(&plan, year)?;
    let open = store.conflicts(id, true)?.len();
    let mut only_demos = true;
    for p in store.plans()? {
        only_demos &= store.is_demo(p.id)?;
    }
    Ok(Overview {
        demo: store.is_demo(id)?,
        only_demos,
        ..views::overview(&plan, id, y, open)
    })
}

/// 年度入力 for a department (and division) and year. With no department, the 部・課
/// last chosen for the plan (else the first 部); the choice is remembered.
pub fn app_entry_page(db: &Path, department: Option<&str>, division: Option<&str>, year: Option<i32>) -> Result<EntryPage> {
    let mut store = Store::open(db)?;
    let (id, plan) = current(&store)?;
    let y = year_of(&plan, year)?;
    let (department, division) = match department {
        Some(d) => (d.to_string(), division.map(str::to_string)),
        None => {
            let (d, v) = super::places::remembered_entry(&store, id)?;
            match d.filter(|d| plan.projects().any(|p| owned_by(p, d, v.as_deref()))) {
                Some(d) => (d, v),
                None => match crate::returns::departments(&plan).into_iter().next() {
                    Some(first) => (first, None),
                    None => return Err(Error::BadInput("この計画には担当部のある事業がありません".into())),
                },
            }
        }
    };
    let division = division.as_deref();
    if !plan.projects().any(|p| owned_by(p, &department, division)) {
        return Err(Error::BadInput(format!(
            "{department}{} の事業はこの計画にありません",
            division.map(|d| format!(" {d}")).unwrap_or_default()
        )));
    }
    super::places::remember_entry(&mut store, id, &department, division)?;
    Ok(views::entry_page(&plan, id, &department, division, y))
}

/// A form field: a KPI's actual or a project's yearly field.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    Actual { kpi: u32, year: FiscalYear },
    Year { project: String, year: FiscalYear, field: String },
}

fn parse_target(path: &str) -> Option<Target> {
    let inner = |s: &str, open: &str| -> Option<(String, String)> {
        let rest = s.strip_prefix(open)?;
        let close = rest.find(']')?;
        Some((rest[..close].to_string(), rest[close + 1..].to_string()))
    };
    if let Some((kpi, rest)) = inner(path, "kpi[") {
        let (year, rest) = inner(&rest, ".actual[")?;
        return rest.is_empty().then_some(Target::Actual {
            kpi: kpi.parse().ok()?,
            year: FiscalYear(year.parse().ok()?),
        });
    }
    let (project, rest) = inner(path, "project[")?;
    let (year, rest) = inner(&rest, ".year[")?;
    let field = rest.strip_prefix('.')?.to_string();
    matches!(
        field.as_str(),
        "evaluation" | "narrative" | "budget" | "issues" | "reason" | "confirmed"
    )
    .then_some(Target::Year {
        project,
        year: FiscalYear(year.parse().ok()?),
        field,
    })
}

/// Saves one field of 年度入力 as one transaction (a revision of kind `entry`;
/// repeated edits of the same field within [`COALESCE_MINUTES`] are one revision).
/// The value is checked as the entry sheet checks it; a bad value changes nothing.
pub fn save_field(db: &Path, department: &str, division: Option<&str>, edit: &FieldEdit) -> Result<SavedField> {
    let mut store = Store::open(db)?;
    let invalid = |m: String| Error::Field {
        path: edit.path.clone(),
        message: m,
    };
    let target = parse_target(&edit.path).ok_or_else(|| invalid("この項目は年度入力では変更できません".into()))?;
    // Only the project or KPI the field belongs to (with what shares its KPIs) is read.
    let plan_id = store.resolve_plan(None)?;
    let mut plan = match &target {
        Target::Actual { kpi, .. } => store.load_slice(plan_id, &[], &[*kpi])?,
        Target::Year { project, .. } => store.load_slice(plan_id, &[project.as_str()], &[])?,
    };
    let (year, label, mine) = match &target {
        Target::Actual { kpi, year } => {
            if plan.kpi(*kpi).is_none() {
                return Err(invalid(format!("KPI {kpi} はこの計画にありません")));
            }
            let mine = plan
                .projects()
                .any(|p| owned_by(p, department, None) && p.kpis.iter().any(|r| r.no == *kpi));
            (*year, format!("KPI {kpi} 実績値"), mine)
        }
        Target::Year { project, year, field } => {
            let p = plan
                .project(project)
                .ok_or_else(|| invalid(format!("事業 {project} はこの計画にありません")))?;
            (
                *year,
                format!("事業 {project} {}", crate::fields::label(field)),
                owned_by(p, department, None),
            )
        }
    };
    if !mine {
        return Err(invalid(format!("{department} の事業ではありません")));
    }
    if !entry_years(&plan).contains(&year) {
        return Err(invalid(format!("{} はこの計画の年度ではありません", year.long())));
    }
    let text = edit.text.trim();
    let (raw, canon) = match &target {
        Target::Year { field, .. } if field == "reason" => {
            if text.chars().count() > MAX_REASON_CHARS {
                return Err(invalid(format!("評価の理由は {MAX_REASON_CHARS} 文字以内で入力してください")));
            }
            let v = Some(text.to_string()).filter(|t| !t.is_empty());
            (v.clone(), v)
        }
        Target::Year { field, .. } if field == "confirmed" => {
            let v = match text {
                "true" => Some("true".to_string()),
                "" | "false" => None,
                _ => return Err(invalid("確定は true / false です".into())),
            };
            (v.clone(), v)
        }
        _ => value_for_path(&edit.path, text, &plan).map_err(invalid)?,
    };
    let before = plan.fields();
    let mut changes = vec![(edit.path.clone(), raw.clone())];
    if let Target::Actual { .. } = target {
        let as_of = plan.as_of.filter(|a| a.fiscal_year() == year).map(|a| a.iso());
        if raw.is_some() && !before.contains_key(&format!("{}.as_of", edit.path)) {
            changes.push((format!("{}.as_of", edit.path), as_of));
        }
    }
    // What was typed is what is stored: `14,442` over `14442` is saved as typed.
    let unchanged = before.get(&edit.path) == raw.as_ref() && changes.len() == 1;
    let revision_id = if unchanged {
        store.last_revision_id(plan_id)?
    } else {
        let stored = plan.clone();
        plan.apply_changes(&changes).map_err(|e| invalid(e.to_string()))?;
        let info = RevisionInfo {
            kind: "entry".into(),
            summary: format!("年度入力: {label}"),
            department: Some(department.to_string()),
            ..Default::default()
        };
        store
            .save_part(plan_id, &stored, &plan, &info, |tx, rev| coalesce(tx, plan_id, rev))?
            .revision_id
    };
    let touched = |p: &crate::model::Project| match &target {
        Target::Actual { kpi, .. } => p.kpis.iter().any(|r| r.no == *kpi),
        Target::Year { project, .. } => &p.no == project,
    };
    let forms = plan
        .projects()
        .filter(|p| owned_by(p, department, division) && touched(p))
        .map(|p| project_form(&plan, p, year))
        .collect();
    Ok(SavedField {
        path: edit.path.clone(),
        value: canon,
        revision_id,
        forms,
    })
}

/// Folds revision `rev` into the one before it when both are edits of the same kind
/// (年度入力 `entry`, or the plan's `edit`) of the same fields by the same 部 (or the
/// coordinator), close in time, and the earlier one is not undone.
pub(crate) fn coalesce(tx: &Transaction<'_>, plan_id: i64, rev: i64) -> Result<(), StoreError> {
    let prev: Option<(i64, String, Option<String>, bool)> = tx
        .query_row(
            "SELECT r.id, r.kind, r.department,
                    (julianday((SELECT at FROM revision WHERE id = ?2)) - julianday(r.at)) * 1440 <= ?3
             FROM revision r WHERE r.plan_id = ?1 AND r.id < ?2 ORDER BY r.id DESC LIMIT 1",
            params![plan_id, rev, COALESCE_MINUTES],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((prev, kind, prev_dept, recent)) = prev else {
        return Ok(());
    };
    let (dept, this_kind): (Option<String>, String) = tx.query_row("SELECT department, kind FROM revision WHERE id = ?1", [rev], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    let undone: bool = tx.query_row("SELECT EXISTS(SELECT 1 FROM revision WHERE undoes = ?1)", [prev], |r| r.get(0))?;
    if kind != this_kind || !matches!(kind.as_str(), "entry" | "edit") || prev_dept != dept || !recent || undone {
        return Ok(());
    }
    let paths = |id: i64| -> Result<Vec<(String, Option<String>)>, StoreError> {
        let mut st = tx.prepare("SELECT path, old FROM change WHERE revision_id = ?1 ORDER BY path")?;
        let rows = st.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let (old, new) = (paths(prev)?, paths(rev)?);
    if old.iter().map(|p| &p.0).ne(new.iter().map(|p| &p.0)) {
        return Ok(());
    }
    for (path, first_old) in old {
        tx.execute(
            "UPDATE change SET old = ?3 WHERE revision_id = ?1 AND path = ?2",
            params![rev, path, first_old],
        )?;
    }
    tx.execute("DELETE FROM change WHERE revision_id = ?1", [prev])?;
    tx.execute("DELETE FROM revision WHERE id = ?1", [prev])?;
    Ok(())
}

/// The plan as the department received it: the current plan with its latest
/// run of yearly-entry revisions taken back, and the revision it stood at.
fn plan_at_receipt(store: &Store, plan_id: i64, plan: &Plan) -> Result<(Plan, i64)> {
    let mut base = plan.clone();
    let mut at = 0;
    for r in store.revisions(Some(plan_id))? {
        if r.kind != "entry" {
            at = r.id;
            break;
        }
        let back: Vec<(String, Option<String>)> = store.changes(r.id)?.into_iter().map(|(path, old, _)| (path, old)).collect();
        base.apply_changes(&back)
            .map_err(|e| Error::BadInput(format!("履歴 #{}: {e}", r.id)))?;
    }
    Ok((base, at))
}

/// 記入用ファイルを開く: the department's slice of the plan that a coordinator's
/// file carries becomes this database's plan (a new version of the plan with the
/// same title), with what was already typed in the file; the file's metadata is
/// kept, so that 提出用ファイルを保存 writes it back unchanged.
pub fn open_return_file(db: &Path, file: &Path) -> Result<views::OpenedReturn> {
    if !has_ext(file, &["xlsx", "xlsm"]) || !file.is_file() {
        return Err(Error::BadInput(format!(
            "{}: 記入用ファイル(.xlsx)を選んでください",
            file.display()
        )));
    }
    let carried = crate::returns::read_carried(file).map_err(|problems| {
        Error::BadInput(format!(
            "{}: {}",
            file.display(),
            problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(" / ")
        ))
    })?;
    let sha256 = super::sha256_file(file)?;
    let mut store = Store::open_or_create(db)?;
    let existing = store.find_same_plan(&carried.plan)?;
    let name = views::file_name(&file.display().to_string());
    let info = RevisionInfo {
        kind: "open_return".into(),
        summary: format!("記入用ファイル {name} を開きました({} {})", carried.department, carried.year.long()),
        source_file: Some(file.display().to_string()),
        source_sha256: Some(sha256),
        department: Some(carried.department.clone()),
        undoes: None,
    };
    let saved = store.save_version(existing, &carried.plan, &info, |tx, rev| {
        let plan_id: i64 = tx.query_row("SELECT plan_id FROM revision WHERE id = ?1", [rev], |r| r.get(0))?;
        crate::store::insert_opened(
            tx,
            plan_id,
            &carried.department,
            carried.year.0,
            &file.display().to_string(),
            &carried.meta_rows,
        )
    })?;
    Ok(views::OpenedReturn {
        plan_id: saved.plan_id,
        department: carried.department,
        year: carried.year.0,
        projects: carried.plan.projects().count() as u32,
        signed: carried.signed,
    })
}

/// 提出用ファイルを保存: the department's return workbook, as `templates` makes
/// it, with the values entered in the app in its yellow cells.
pub fn save_return(db: &Path, department: &str, year: Option<i32>, file: &Path) -> Result<Written> {
    let file = check_output(db, file, "xlsx")?;
    let store = Store::open(db)?;
    let (plan_id, plan) = current(&store)?;
    let year = year_of(&plan, year)?;
    if !plan.projects().any(|p| owned_by(p, department, None)) {
        return Err(Error::BadInput(format!("{department} の事業はこの計画にありません")));
    }
    let (base, revision) = plan_at_receipt(&store, plan_id, &plan)?;
    let carried = store.opened_return(plan_id, department, year.0)?;
    let spec = ReturnSpec {
        plan: &base,
        filled: Some(&plan),
        plan_id,
        revision,
        department,
        year,
        created_at: store.now()?,
        // A department's database holds no key: the return carries the metadata of the
        // coordinator's file it was opened from, unchanged (signed), else none of its own.
        key: None,
        carried_meta: carried.as_deref(),
        round_id: None,
        findings: None,
        labels: None,
    };
    let rows = write_return(&spec, &file)?;
    remember_folder_of(db, "return", &file)?;
    Ok(written(&file, vec![file.clone()], vec![format!("{rows} 行")]))
}

/// Remembers the folder holding `path` (a file, or a folder of files) for outputs of `kind`.
fn remember_folder_of(db: &Path, kind: &str, path: &Path) -> Result<()> {
    match path.parent() {
        Some(folder) => super::places::remember_folder(db, kind, folder),
        None => Ok(()),
    }
}

fn written(folder_of: &Path, files: Vec<PathBuf>, warnings: Vec<String>) -> Written {
    let folder = if folder_of.is_dir() {
        folder_of.to_path_buf()
    } else {
        folder_of.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    Written {
        folder: folder.display().to_string(),
        files: files.iter().map(|f| f.display().to_string()).collect(),
        warnings,
    }
}

/// 出力: the 取組一覧 workbook at a path the window gave.
pub fn app_export(db: &Path, file: &Path, year: Option<i32>, layout: Option<&str>) -> Result<Written> {
    let file = check_output(db, file, "xlsx")?;
    match layout.filter(|l| !l.is_empty()) {
        // A layout chosen by name: 取組一覧 (the summary workbook) or a built-in.
        Some(l) if super::is_summary(Path::new(l)) => super::export_summary(db, None, &file, year.map(FiscalYear))?,
        Some(l) => super::export_with_layout(db, None, Path::new(l), &file)?,
        // The plan's own: the layout it was imported with, else the summary workbook.
        None => super::export(db, None, &file, year.map(FiscalYear))?,
    }
    remember_folder_of(db, "summary", &file)?;
    Ok(written(&file, vec![file.clone()], Vec::new()))
}

/// 差戻し from 照会 into a folder the window gave.
pub fn app_send_back(db: &Path, department: &str, note: &str, dir: &Path) -> Result<Written> {
    let dir = check_output_dir(dir)?;
    let s = super::round_send_back(db, None, department, note, &dir, 10.0)?;
    super::places::remember_folder(db, "send_back", &dir)?;
    let notes = s
        .findings
        .iter()
        .map(|f| format!("事業番号 {} {}: {}", f.project, f.field, f.message))
        .collect();
    Ok(written(&s.file, vec![s.file.clone()], notes))
}

/// 報告書を出力: the progress report (.docx) at a path the window gave.
pub fn app_report(db: &Path, file: &Path) -> Result<Written> {
    let file = check_output(db, file, "docx")?;
    let n = super::report(db, None, &file, None)?;
    remember_folder_of(db, "report", &file)?;
    Ok(written(&file, vec![file.clone()], vec![format!("項目 {n} 件")]))
}

/// カードを出力: one project's card (.pdf with its charts, or .xlsx) at a path the window gave.
pub fn app_card(db: &Path, file: &Path, project: &str, year: Option<i32>) -> Result<Written> {
    let ext = if has_ext(file, &["pdf"]) { "pdf" } else { "xlsx" };
    let file = check_output(db, file, ext)?;
    let font = settings(db)?.font;
    super::card(
        db,
        None,
        &file,
        &[project.to_string()],
        year.map(FiscalYear),
        font.as_deref().map(Path::new),
    )?;
    remember_folder_of(db, "report", &file)?;
    Ok(written(&file, vec![file.clone()], Vec::new()))
}

/// 出力: one entry workbook per department into a folder the window gave.
pub fn app_templates(db: &Path, dir: &Path, year: Option<i32>) -> Result<Written> {
    let dir = check_output_dir(dir)?;
    let t = super::templates(db, None, &dir, year.map(FiscalYear), &[], false, None)?;
    remember_folder_of(db, "templates", &dir)?;
    let mut warnings = Vec::new();
    if t.without_department > 0 {
        warnings.push(format!(
            "部の記載がない事業 {} 件はどのファイルにも含まれません",
            t.without_department
        ));
    }
    Ok(written(&dir, t.files.into_iter().map(|f| f.path).collect(), warnings))
}

/// The chart settings: year label style and font override.
pub fn settings(db: &Path) -> Result<Settings> {
    let store = Store::open(db)?;
    Ok(Settings {
        year_labels: store.setting(SETTING_YEAR_LABELS)?.unwrap_or_else(|| "short".into()),
        font: store.setting(SETTING_FONT)?.filter(|f| !f.is_empty()),
    })
}

/// 設定 with the database, the data folder and the font found.
pub fn settings_view(db: &Path) -> Result<SettingsView> {
    let s = settings(db)?;
    let store = Store::open(db)?;
    let font = find_font(s.font.as_deref().map(Path::new));
    Ok(SettingsView {
        database: db.display().to_string(),
        data_folder: db.parent().map(|p| p.display().to_string()).unwrap_or_default(),
        font_found: font.as_ref().ok().map(|f| format!("{} ({})", f.family, f.path.display())),
        font_problem: font.err().map(|e| e.to_string()),
        schema_version: store.schema_version()?,
        app_version: env!("CARGO_PKG_VERSION").to_string(),
        settings: s,
    })
}

/// Saves the chart settings (one transaction); a font that cannot be used is refused.
pub fn save_settings(db: &Path, s: &Settings) -> Result<SettingsView> {
    if !matches!(s.year_labels.as_str(), "short" | "long") {
        return Err(Error::BadInput(format!(
            "年度の表示は short(R5)か long(令和5年度)です(「{}」は選べません)",
            s.year_labels
        )));
    }
    let font = s.font.as_deref().map(str::trim).filter(|f| !f.is_empty());
    if let Some(f) = font {
        find_font(Some(Path::new(f))).map_err(|e| Error::BadInput(e.to_string()))?;
    }
    let mut store = Store::open(db)?;
    store.set_settings(&[(SETTING_YEAR_LABELS, Some(s.year_labels.as_str())), (SETTING_FONT, font)])?;
    drop(store);
    settings_view(db)
}

fn year_style(s: &Settings) -> YearStyle {
    if s.year_labels == "long" {
        YearStyle::Long
    } else {
        YearStyle::Short
    }
}

/// The charts of a selection as SVG (the report year's view).
/// The charts of a selection for a year (the header's; the report year by default).
pub fn chart_views(db: &Path, sel: &ChartSelection, year: Option<i32>) -> Result<Vec<ChartView>> {
    let s = settings(db)?;
    let store = Store::open(db)?;
    let (_, plan) = current(&store)?;
    let year = year_of(&plan, year)?;
    let style = year_style(&s);
    let font = find_font(s.font.as_deref().map(Path::new)).map_err(|e| Error::BadInput(e.to_string()))?;
    let derived = derived_divisions(&plan);
    let nos = views::selected_kpis(&plan, sel);
    if nos.is_empty() {
        return Err(Error::BadInput("選んだ範囲に KPI がありません".into()));
    }
    nos.iter()
        .filter_map(|n| plan.kpi(*n))
        .map(|k| {
            let chart = KpiChart::with_divisions(&plan, k, year, style, &derived);
            let svg = render_svg(&chart, &font, style).map_err(|e| Error::BadInput(e.to_string()))?;
            Ok(ChartView {
                no: k.no,
                title: chart.title,
                svg,
            })
        })
        .collect()
}

/// What a selection of charts is called on paper: `KPI 3 …`, `事業 5 … の指標`, `分野 I-1 … の指標`, `総務部の指標`.
fn selection_heading(plan: &Plan, sel: &ChartSelection) -> String {
    match sel {
        ChartSelection::Kpi(n) => plan
            .kpi(*n)
            .map(|k| format!("KPI {} {}", k.no, k.name))
            .unwrap_or_else(|| format!("KPI {n}")),
        ChartSelection::Project(no) => match plan.project(no).and_then(|p| p.name.clone()) {
            Some(name) => format!("事業 {no} {name} の指標"),
            None => format!("事業 {no} の指標"),
        },
        ChartSelection::Area(code) => {
            let name = plan.area(code).and_then(|a| a.name.clone()).unwrap_or_default();
            format!("分野 {code} {name} の指標")
        }
        ChartSelection::Department(d) => format!("{d}の指標"),
    }
}

/// 印刷: the charts of a selection as a PDF (heading, the date in 和暦, page numbers)
/// in a print folder under the system's temporary folder, for the system's viewer to
/// open and print. The same on every platform: the webview is not asked to print.
pub fn print_charts(db: &Path, sel: &ChartSelection, year: Option<i32>) -> Result<Written> {
    let s = settings(db)?;
    let store = Store::open(db)?;
    let (_, plan) = current(&store)?;
    let year = year_of(&plan, year)?;
    let now = store.now()?;
    drop(store);
    let nos = views::selected_kpis(&plan, sel);
    if nos.is_empty() {
        return Err(Error::BadInput("選んだ範囲に KPI がありません".into()));
    }
    let kpis: Vec<&crate::model::Kpi> = nos.iter().filter_map(|n| plan.kpi(*n)).collect();
    let font = find_font(s.font.as_deref().map(Path::new)).map_err(|e| Error::BadInput(e.to_string()))?;
    let heading = selection_heading(&plan, sel);
    let printed = crate::fy::AsOf::parse(now.get(..10).unwrap_or_default())
        .map(|a| a.long())
        .unwrap_or_default();
    let pdf = crate::chart::book::chart_print(&plan, &font, &kpis, &heading, &printed, year, year_style(&s))
        .map_err(|e| Error::BadInput(e.to_string()))?;
    let dir = std::env::temp_dir().join("shinchoku-print");
    std::fs::create_dir_all(&dir).map_err(|source| Error::Io { path: dir.clone(), source })?;
    let stamp: String = now.chars().filter(char::is_ascii_digit).take(14).collect();
    let name: String = heading
        .chars()
        .map(|c| if c.is_alphanumeric() || c == '-' { c } else { '_' })
        .take(40)
        .collect();
    let file = dir.join(format!("印刷_{name}_{stamp}.pdf"));
    super::write_atomically(&file, &pdf)?;
    Ok(written(
        &file,
        vec![file.clone()],
        vec![format!("{} ページ", kpis.len().div_ceil(2))],
    ))
}

/// One KPI's chart as a 300 dpi PNG.
pub fn chart_png(db: &Path, kpi: u32, file: &Path) -> Result<Written> {
    let file = check_output(db, file, "png")?;
    let s = settings(db)?;
    let store = Store::open(db)?;
    let (_, plan) = current(&store)?;
    let k = plan
        .kpi(kpi)
        .ok_or_else(|| Error::BadInput(format!("KPI {kpi} はこの計画にありません")))?;
    let style = year_style(&s);
    let font = find_font(s.font.as_deref().map(Path::new)).map_err(|e| Error::BadInput(e.to_string()))?;
    let chart = KpiChart::with_divisions(&plan, k, plan.report_year, style, &derived_divisions(&plan));
    let png = render_png(&chart, &font, style, 300).map_err(|e| Error::BadInput(e.to_string()))?;
    super::write_atomically(&file, &png)?;
    remember_folder_of(db, "charts", &file)?;
    Ok(written(&file, vec![file.clone()], Vec::new()))
}

/// The chart book PDF of the report year with the app's settings.
pub fn app_chart_book(db: &Path, file: &Path, paper: Paper, per_page: usize, by: GroupBy) -> Result<Written> {
    let file = check_output(db, file, "pdf")?;
    let s = settings(db)?;
    let year = super::load(db, None)?.report_year;
    let opts = BookOptions {
        paper,
        per_page,
        by,
        year,
        year_style: year_style(&s),
        created: String::new(),
    };
    let n = super::chart_book(db, None, &file, &opts, s.font.as_deref().map(Path::new))?;
    remember_folder_of(db, "charts", &file)?;
    Ok(written(&file, vec![file.clone()], vec![format!("KPI {n} 件")]))
}

/// The plan's conflicts, open ones (or all) with the plan's value now.
pub fn conflict_views(db: &Path, all: bool) -> Result<Vec<ConflictView>> {
    let store = Store::open(db)?;
    let (id, plan) = current(&store)?;
    let fields = plan.fields();
    Ok(store
        .conflicts(id, !all)?
        .iter()
        .map(|c| ConflictView::of(c, &plan, &fields))
        .collect())
}

/// 履歴: every plan's revisions, newest first, each with its plan's title (revision
/// numbers are one sequence for the whole database, so none is missing from the list).
pub fn revision_views(db: &Path) -> Result<Vec<RevisionView>> {
    let store = Store::open(db)?;
    let titles: std::collections::HashMap<i64, String> = store.plans()?.into_iter().map(|p| (p.id, p.title)).collect();
    Ok(store
        .revisions(None)?
        .iter()
        .map(|r| RevisionView {
            plan: r.plan_id.and_then(|id| titles.get(&id).cloned()),
            ..RevisionView::from(r)
        })
        .collect())
}

/// The fields one revision changed, described for people (the first `limit`).
pub fn revision_changes(db: &Path, revision: i64, limit: usize) -> Result<views::RevisionChanges> {
    let store = Store::open(db)?;
    let rev = store.revision(revision)?;
    let plan = rev.plan_id.map(|id| store.load_plan(id)).transpose().ok().flatten();
    let changes = store.changes(revision)?;
    Ok(views::RevisionChanges {
        revision,
        total: changes.len() as u32,
        changes: changes
            .into_iter()
            .take(limit)
            .map(|(path, before, after)| views::ChangeView {
                what: views::describe_path(plan.as_ref(), &path),
                path,
                before,
                after,
            })
            .collect(),
    })
}

/// The database's backups for 設定.
pub fn backup_views(db: &Path) -> Result<Vec<BackupView>> {
    Ok(super::backups(db)?.iter().map(BackupView::from).collect())
}

/// 取りまとめ's result per file.
pub fn merge_view(r: &MergeReport) -> MergeView {
    use crate::returns::merge::FileStatus;
    MergeView {
        revision_id: r.revision_id,
        applied: r.applied as u32,
        conflicts: r.conflicts as u32,
        rejected: r.rejected as u32,
        files: r
            .files
            .iter()
            .map(|f| MergeFileView {
                file: views::file_name(&f.file),
                department: f.department.clone(),
                status: match f.status {
                    FileStatus::Applied => "applied",
                    FileStatus::Unchanged => "unchanged",
                    FileStatus::Conflicts => "conflicts",
                    FileStatus::Rejected => "rejected",
                    FileStatus::Skipped => "skipped",
                }
                .into(),
                applied: f.applied.len() as u32,
                conflicts: f.conflicts.len() as u32,
                unchanged: f.unchanged as u32,
                messages: f.errors.iter().chain(&f.warnings).map(|p| p.to_string()).collect(),
            })
            .collect(),
    }
}

fn has_ext(path: &Path, exts: &[&str]) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .is_some_and(|e| exts.contains(&e.as_str()))
}

/// A path the window gives for writing: absolute, with the expected extension,
/// in an existing folder, and never the database, its journal or a backup.
pub fn check_output(db: &Path, path: &Path, ext: &str) -> Result<PathBuf> {
    let bad = |m: &str| Error::BadInput(format!("{}: {m}", path.display()));
    if !path.is_absolute() {
        return Err(bad("保存先は絶対パスで指定してください"));
    }
    if !has_ext(path, &[ext]) {
        return Err(bad(&format!("拡張子は .{ext} にしてください")));
    }
    let parent = path
        .parent()
        .filter(|p| p.is_dir())
        .ok_or_else(|| bad("保存先のフォルダがありません"))?;
    let data = db.parent().map(Path::to_path_buf).unwrap_or_default();
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    if canon(parent) == canon(&data) && path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("shinchoku")) {
        return Err(bad("データベースのファイルには保存できません"));
    }
    if canon(parent).starts_with(canon(&crate::store::backup_dir(db))) {
        return Err(bad("バックアップのフォルダには保存できません"));
    }
    super::guard_output(db, path, &[])?;
    Ok(path.to_path_buf())
}

/// A folder the window gives for writing several files: an existing folder, or a new
/// one in an existing folder (created here).
pub fn check_output_dir(path: &Path) -> Result<PathBuf> {
    let missing = || Error::BadInput(format!("{}: 保存先のフォルダがありません", path.display()));
    if !path.is_absolute() {
        return Err(Error::BadInput(format!("{}: 保存先は絶対パスで指定してください", path.display())));
    }
    if !path.exists() {
        if !path.parent().is_some_and(Path::is_dir) {
            return Err(missing());
        }
        std::fs::create_dir(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
    }
    if !path.is_dir() {
        return Err(missing());
    }
    Ok(path.to_path_buf())
}

/// Paths the window gives for reading: absolute files with one of `exts`.
pub fn check_inputs(paths: &[PathBuf], exts: &[&str]) -> Result<Vec<PathBuf>> {
    paths
        .iter()
        .map(|p| {
            if !p.is_absolute() || !p.is_file() {
                return Err(Error::BadInput(format!("{}: ファイルがありません", p.display())));
            }
            if !has_ext(p, exts) {
                return Err(Error::BadInput(format!(
                    "{}: {} のファイルを選んでください",
                    p.display(),
                    exts.iter().map(|e| format!(".{e}")).collect::<Vec<_>>().join(" / ")
                )));
            }
            Ok(p.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_paths_are_recognised_and_others_refused() {
        assert_eq!(
            parse_target("kpi[3].actual[2023]"),
            Some(Target::Actual {
                kpi: 3,
                year: FiscalYear(2023)
            })
        );
        assert!(matches!(parse_target("project[1-2].year[2023].narrative"), Some(Target::Year { ref project, .. }) if project == "1-2"));
        for bad in [
            "kpi[3].target[2023]",
            "project[1].name",
            "project[1].year[2023].evaluation.x",
            "plan.title",
            "kpi[x].actual[2023]",
        ] {
            assert_eq!(parse_target(bad), None, "{bad}");
        }
    }
}
