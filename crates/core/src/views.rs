//! What the desktop app shows: plain, serialisable views of a plan built by the
//! core, so the UI only lays them out. Every type here is exported to TypeScript
//! (see [`typescript_bindings`]); the committed `ui/src/lib/bindings.ts` is
//! checked against it by a test.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::eval::{achievement_rate, ScaleMark};
use crate::fy::FiscalYear;
use crate::model::{Entry, Kpi, Owner, Plan, Project};
use crate::returns::{departments, Column};
use crate::store::{BackupInfo, Conflict, Revision};

/// A fiscal year with its labels: `R5`, `令和5年度`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct YearView {
    pub fy: i32,
    pub short: String,
    pub long: String,
}

impl From<FiscalYear> for YearView {
    fn from(y: FiscalYear) -> Self {
        YearView {
            fy: y.0,
            short: y.short(),
            long: y.long(),
        }
    }
}

/// Where a project's entry for a year stands: 未入力 / 入力済 / 確定.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    Missing,
    Entered,
    Confirmed,
}

/// 部 and 課 of one owner.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OwnerView {
    pub department: Option<String>,
    pub division: Option<String>,
}

/// One mark of the plan's scale and how many projects have it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MarkCount {
    pub mark: String,
    /// `○ 達成`, `A 目標を大きく上回る`, `-`.
    pub label: String,
    /// Where it stands on the scale: 0 = best; `null` for a mark entered under an earlier rule.
    pub rank: Option<u32>,
    pub count: u32,
}

/// Evaluation marks counted over the plan's projects running in a year.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct MarkCounts {
    /// The plan's scale in order, then any mark entered under an earlier rule.
    pub marks: Vec<MarkCount>,
    /// No evaluation entered.
    pub unevaluated: u32,
    /// 未入力: nothing entered at all.
    pub missing: u32,
    /// 確定
    pub confirmed: u32,
}

/// One row of the plan tree: a project or a re-listing (再掲).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RowView {
    /// The entry's key (`project[8]`, `relisting[4@I-3]`).
    pub key: String,
    pub no: String,
    pub name: String,
    /// For a re-listing: the number of the original project.
    pub relisted_of: Option<String>,
    pub owners: Vec<OwnerView>,
    pub evaluation: Option<String>,
    pub status: EntryStatus,
    pub kpis: Vec<u32>,
    pub narrative: Option<String>,
    /// 新規 / 終了 / 統合・分割 for the year (`新規(No.3から分割)`), where the project has one.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ItemNode {
    pub code: Option<String>,
    pub name: Option<String>,
    pub rows: Vec<RowView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AreaNode {
    pub code: String,
    pub name: Option<String>,
    pub items: Vec<ItemNode>,
}

/// A department (部) with its divisions (課) as the plan names them.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DepartmentView {
    pub name: String,
    pub divisions: Vec<String>,
    pub projects: u32,
}

/// 計画一覧: the plan tree for one year with its counts.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Overview {
    pub plan_id: i64,
    pub organization: String,
    pub title: String,
    pub year: YearView,
    pub years: Vec<YearView>,
    pub counts: MarkCounts,
    /// The rating rule (`maru`, `ratio-abcd`, …) and how it rates, for the header and 設定.
    pub rule: String,
    pub rule_description: String,
    pub projects: u32,
    pub relistings: u32,
    pub kpis: u32,
    pub departments: Vec<DepartmentView>,
    pub areas: Vec<AreaNode>,
    pub open_conflicts: u32,
    /// The plan is one of the demo plans (the header says デモ).
    pub demo: bool,
    /// Only demo plans are in the database: the app offers its first-run guide.
    pub only_demos: bool,
    /// Items (`area/item`) with 報告書 texts, and themes (`area/item`) with 工程表 rows:
    /// 計画一覧 links them to their screens.
    pub report_items: Vec<String>,
    pub schedule_themes: Vec<String>,
}

/// Paths of a project's fields for one year (see `Plan::fields`).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct YearPaths {
    pub evaluation: String,
    pub reason: String,
    pub narrative: String,
    pub budget: String,
    pub issues: String,
    pub confirmed: String,
}

impl YearPaths {
    fn of(project: &str, year: FiscalYear) -> Self {
        let k = |f: &str| format!("project[{project}].year[{}].{f}", year.0);
        YearPaths {
            evaluation: k("evaluation"),
            reason: k("reason"),
            narrative: k("narrative"),
            budget: k("budget"),
            issues: k("issues"),
            confirmed: k("confirmed"),
        }
    }
}

/// One KPI of a project form.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct KpiRowView {
    pub no: u32,
    pub name: String,
    pub unit: Option<String>,
    pub baseline: Option<String>,
    pub baseline_year: Option<String>,
    pub target: Option<String>,
    pub last_actual: Option<String>,
    pub actual: Option<String>,
    /// 達成率, `85.0%`.
    pub rate: Option<String>,
    pub proposed: Option<String>,
    pub lower_is_better: bool,
    /// The path of this year's actual: `kpi[3].actual[2023]`.
    pub path: String,
    /// Other projects that report this KPI.
    pub shared_with: Vec<String>,
}

/// 年度入力: one project's form for one year.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ProjectForm {
    pub key: String,
    pub no: String,
    pub name: String,
    pub area: String,
    pub item: Option<String>,
    pub owners: Vec<OwnerView>,
    pub summary: Option<String>,
    pub kpis: Vec<KpiRowView>,
    pub evaluation: Option<String>,
    /// The mark the KPIs propose.
    pub proposed: Option<String>,
    pub reason: Option<String>,
    pub narrative: Option<String>,
    pub budget: Option<String>,
    pub issues: Option<String>,
    /// Last year's 取組状況 and 評価, shown beside this year's (read-only) to quote from.
    pub previous_narrative: Option<String>,
    pub previous_evaluation: Option<String>,
    pub status: EntryStatus,
    pub paths: YearPaths,
}

/// 年度入力 for a department (and division) and year.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct EntryPage {
    pub plan_id: i64,
    pub department: String,
    pub division: Option<String>,
    pub year: YearView,
    pub years: Vec<YearView>,
    pub departments: Vec<DepartmentView>,
    pub shows_budget: bool,
    pub shows_issues: bool,
    /// The plan's evaluation scale: the marks the form offers, best first.
    pub marks: Vec<MarkOption>,
    pub projects: Vec<ProjectForm>,
}

/// One mark the evaluation drop-down offers: `○` shown as `○ 達成`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MarkOption {
    pub mark: String,
    pub label: String,
}

/// The marks of a plan's scale as the forms offer them.
pub fn mark_options(plan: &Plan) -> Vec<MarkOption> {
    plan.rule
        .scale()
        .marks
        .iter()
        .map(|m| MarkOption {
            mark: m.mark.clone(),
            label: mark_heading(m),
        })
        .collect()
}

/// A field to save from a form: its path and the text as typed.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
pub struct FieldEdit {
    pub path: String,
    pub text: String,
}

/// What a saved field gives back: the value as stored and the forms it changed.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SavedField {
    pub path: String,
    pub value: Option<String>,
    pub revision_id: i64,
    /// Every project form of the department page the change touched.
    pub forms: Vec<ProjectForm>,
}

/// A KPI to pick for a chart.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct KpiListItem {
    pub no: u32,
    pub name: String,
    pub unit: Option<String>,
    pub areas: Vec<String>,
    pub departments: Vec<String>,
    pub projects: Vec<String>,
}

/// One KPI chart, as SVG.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ChartView {
    pub no: u32,
    pub title: String,
    pub svg: String,
}

/// Which charts: one KPI, a project's, an area's or a department's.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[serde(tag = "by", content = "key", rename_all = "snake_case")]
pub enum ChartSelection {
    Kpi(u32),
    Project(String),
    Area(String),
    Department(String),
}

/// One revision for 履歴.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RevisionView {
    pub id: i64,
    pub at: String,
    pub kind: String,
    /// 取込, 取りまとめ, 年度入力, …
    pub kind_label: String,
    pub summary: String,
    /// The files it came from, by name.
    pub file: Option<String>,
    pub department: Option<String>,
    pub fields_changed: i64,
    pub undoes: Option<i64>,
    pub undone_by: Option<i64>,
    /// The plan's title (履歴 lists every plan's revisions, numbered once for all).
    pub plan: Option<String>,
}

/// 事業カード: a project's card with the place of every value (see `ops::card_edit_view`).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CardEditView {
    pub project: String,
    pub title: String,
    pub year: YearView,
    pub years: Vec<YearView>,
    /// The KGI first (no heading), then one group per CSF.
    pub groups: Vec<CardGroupView>,
    /// 課題とアクション as on the card (`課題: …` / `→ …`).
    pub actions: String,
    pub actions_path: String,
    /// The project's KPIs in card order (`3,4,5`): adding, removing and reordering KPIs
    /// and CSFs rewrites it.
    pub kpi_refs: String,
    pub kpi_refs_path: String,
    /// The number a new KPI takes.
    pub next_kpi: u32,
    /// 取組内容 of the year and 取組予定 of the next.
    pub sections: Vec<CardSectionView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CardGroupView {
    pub heading: Option<String>,
    pub kpis: Vec<CardKpiView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CardKpiView {
    pub no: u32,
    pub heading: String,
    pub is_kgi: bool,
    pub name: String,
    pub name_path: String,
    /// The CSF the KPI is under (`None` for the KGI).
    pub group: Option<String>,
    pub group_path: String,
    pub label_path: String,
    /// 担当課, one per line.
    pub divisions: String,
    pub divisions_path: String,
    /// ※ notes, one per line.
    pub footnotes: String,
    pub footnotes_path: String,
    pub cells: Vec<CardCellView>,
    /// 目標値の改定, oldest first: `令和7年度 80% → 90%(令和6年度の評価から、2026-11-27、国の目標変更)`.
    pub revisions: Vec<String>,
}

/// A target revision as the app lists it.
pub fn revision_line(r: &crate::model::TargetRevision) -> String {
    format!(
        "{} {} → {}({}の評価から、{}{})",
        r.year.long(),
        r.previous.as_ref().map_or("(なし)", crate::value::KpiValue::text),
        r.value.text(),
        r.from.long(),
        r.date,
        r.reason.as_deref().map(|t| format!("、{t}")).unwrap_or_default()
    )
}

/// A year's 目標 and 実績 of a card's KPI (worded values such as 運用 as written).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CardCellView {
    pub year: YearView,
    pub target: Option<String>,
    pub target_path: String,
    pub actual: Option<String>,
    pub actual_path: String,
}

/// 取組内容 / 取組予定 of a year with its 予算 and lines (千円), as on the card.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CardSectionView {
    pub year: YearView,
    pub heading: String,
    /// `▶ 見出し` / `・本文` / a note line, per activity.
    pub activities: String,
    pub activities_path: String,
    pub budget: Option<String>,
    pub budget_path: String,
    /// `内訳: 18,525`, per line.
    pub budget_lines: String,
    pub budget_lines_path: String,
    /// The flag the card prints when the stated total is not the sum of its lines.
    pub mismatch: Option<String>,
}

/// 報告書: one item's two texts and where they are saved.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ReportItemView {
    pub area: String,
    pub area_name: Option<String>,
    pub item: String,
    pub item_name: Option<String>,
    /// 現状・課題.
    pub situation: Option<String>,
    /// 取組状況 (sub-headings and ○ bullets by line).
    pub progress: Option<String>,
    pub situation_path: String,
    pub progress_path: String,
}

/// 工程表: one row as the screen shows it, with its place in the plan's schedule
/// (`schedule[index]`, saved as the row's JSON).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ScheduleRowView {
    pub index: u32,
    pub path: String,
    /// The row as stored (JSON): what an edit changes and sends back.
    pub json: String,
    pub group: Option<String>,
    pub label: String,
    /// ★県 or ●国.
    pub actor: String,
    pub start: i32,
    pub end: i32,
    pub milestone: bool,
    pub note: Option<String>,
    /// 完了, 遅延 or none.
    pub progress: Option<String>,
}

impl ScheduleRowView {
    pub fn of(index: usize, r: &crate::model::ScheduleRow) -> Self {
        ScheduleRowView {
            index: index as u32,
            path: format!("schedule[{index}]"),
            json: serde_json::to_string(r).unwrap_or_default(),
            group: r.group.clone(),
            label: r.label.clone(),
            actor: match r.actor {
                crate::model::Actor::Prefecture => "★県".into(),
                crate::model::Actor::Nation => "●国".into(),
            },
            start: r.start.0,
            end: r.end.0,
            milestone: r.milestone,
            note: r.note.clone(),
            progress: r.progress.map(|p| p.label().to_string()),
        }
    }
}

/// A theme of the 工程表 (an area and usually one of its items) with its rows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ScheduleTheme {
    pub area: String,
    pub item: Option<String>,
    pub name: String,
    pub rows: Vec<ScheduleRowView>,
}

/// 工程表: the themes and the plan's years (the columns).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ScheduleView {
    pub years: Vec<YearView>,
    pub themes: Vec<ScheduleTheme>,
    /// Rows in the plan's schedule (the index a new row takes).
    pub count: u32,
}

/// A plan of the database, for 計画を切り替える.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PlanView {
    pub id: i64,
    pub title: String,
    pub organization: String,
    /// The report year, `令和5年度`.
    pub year: String,
    pub current: bool,
    /// One of the demo plans (labelled デモ; it can be removed).
    pub demo: bool,
}

/// One field a revision changed, for 履歴's details.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ChangeView {
    pub path: String,
    /// What the field is, for people: `事業 5 電子申請の拡充 / 取組状況(R5)`.
    pub what: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The fields a revision changed (the first `limit`), and how many there are in all.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct RevisionChanges {
    pub revision: i64,
    pub total: u32,
    pub changes: Vec<ChangeView>,
}

/// What a field path is, for people: the project and KPI it belongs to, by number and
/// name, and the field's label with its year.
pub fn describe_path(plan: Option<&Plan>, path: &str) -> String {
    let inside = |open: &str| -> Option<&str> {
        let rest = path.strip_prefix(open)?;
        Some(&rest[..rest.find(']')?])
    };
    let whose = if let Some(no) = inside("project[") {
        let name = plan.and_then(|p| p.project(no)).and_then(|p| p.name.clone()).unwrap_or_default();
        Some(format!("事業 {no} {name}").trim().to_string())
    } else if let Some(n) = inside("kpi[") {
        let name = n
            .parse()
            .ok()
            .and_then(|n| plan.and_then(|p| p.kpi(n)))
            .map(|k| k.name.clone())
            .unwrap_or_default();
        Some(format!("KPI {n} {name}").trim().to_string())
    } else {
        None
    };
    let label = match path_year(path) {
        Some(y) => format!("{}({})", crate::fields::label(path), y.short()),
        None => crate::fields::label(path),
    };
    match whose {
        Some(w) => format!("{w} / {label}"),
        None => label,
    }
}

impl From<&Revision> for RevisionView {
    fn from(r: &Revision) -> Self {
        RevisionView {
            id: r.id,
            at: r.at.clone(),
            kind: r.kind.clone(),
            kind_label: kind_label(&r.kind).to_string(),
            summary: r.summary.clone(),
            file: r
                .source_file
                .as_deref()
                .map(|f| f.split("; ").map(file_name).collect::<Vec<_>>().join("、")),
            department: r.department.clone(),
            fields_changed: r.fields_changed,
            undoes: r.undoes,
            undone_by: r.undone_by,
            plan: None,
        }
    }
}

/// What a backup was taken before, in Japanese (the reason in its file name is a code).
pub fn backup_reason_label(reason: &str) -> String {
    let code = reason.trim_end_matches(|c: char| c.is_ascii_digit());
    match code {
        "" => "手動".to_string(),
        other => format!("{}の前", kind_label(other)),
    }
}

/// The Japanese name of a revision kind.
pub fn kind_label(kind: &str) -> &str {
    match kind {
        "init" => "初期読込",
        "import" => "取込",
        "merge" => "取りまとめ",
        "resolve" => "競合の解決",
        "undo" => "取り消し",
        "restore" => "復元",
        "entry" => "年度入力",
        "round" => "照会",
        "open_return" => "記入用ファイルを開く",
        "delete_plan" => "計画の削除",
        "edit" => "編集",
        other => other,
    }
}

/// One conflict: base, plan and return side by side.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ConflictView {
    pub id: i64,
    pub at: String,
    pub file: String,
    pub department: Option<String>,
    pub project: Option<String>,
    pub project_name: Option<String>,
    pub kpi: Option<u32>,
    pub kpi_name: Option<String>,
    pub field: String,
    /// What the conflict is about, for its heading: `事業 5 電子申請の拡充 / KPI 3 電子申請件数 / 実績値(R5)`.
    pub title: String,
    pub cell: Option<String>,
    pub base: Option<String>,
    pub plan_value: Option<String>,
    /// The plan's value now (it may have changed since the conflict was found).
    pub current: Option<String>,
    pub return_value: Option<String>,
    pub status: String,
    pub resolution: Option<String>,
}

impl ConflictView {
    /// `fields`: the plan's fields now (`Plan::fields`), for the current value.
    pub fn of(c: &Conflict, plan: &Plan, fields: &BTreeMap<String, String>) -> Self {
        let f = &c.found;
        let project_name = f.project.as_deref().and_then(|no| plan.project(no)).and_then(|p| p.name.clone());
        let kpi_name = f.kpi.and_then(|n| plan.kpi(n)).map(|k| k.name.clone());
        // A KPI's value is titled by the project it was returned under, then the KPI.
        let title = match (&f.project, f.path.starts_with("kpi[")) {
            (Some(no), true) => format!(
                "{} / {}",
                format!("事業 {no} {}", project_name.as_deref().unwrap_or("")).trim(),
                describe_path(Some(plan), &f.path)
            ),
            _ => describe_path(Some(plan), &f.path),
        };
        ConflictView {
            id: c.id,
            at: c.at.clone(),
            file: file_name(&f.file),
            department: f.department.clone(),
            project: f.project.clone(),
            project_name,
            kpi: f.kpi,
            kpi_name,
            field: f.field.clone(),
            title,
            cell: f.cell.clone(),
            base: f.base.clone(),
            plan_value: f.plan_value.clone(),
            current: fields.get(&f.path).cloned(),
            return_value: f.return_value.clone(),
            status: c.status.clone(),
            resolution: c.resolution.clone(),
        }
    }
}

/// The year a field path names (`…actual[2023]`, `…year[2023].narrative`).
fn path_year(path: &str) -> Option<FiscalYear> {
    ["actual[", "target[", "year["].iter().find_map(|open| {
        let rest = &path[path.find(open)? + open.len()..];
        rest[..rest.find(']')?].parse().ok().map(FiscalYear)
    })
}

/// The last part of a path as written by a merge.
pub fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

/// One file's result in 取りまとめ.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MergeFileView {
    pub file: String,
    pub department: Option<String>,
    /// `applied`, `unchanged`, `conflicts`, `rejected`
    pub status: String,
    pub applied: u32,
    pub conflicts: u32,
    pub unchanged: u32,
    pub messages: Vec<String>,
}

/// The result of 取りまとめ.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MergeView {
    pub revision_id: Option<i64>,
    pub applied: u32,
    pub conflicts: u32,
    pub rejected: u32,
    pub files: Vec<MergeFileView>,
}

/// Progress of long work, sent to the window as it goes.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Progress {
    /// `merge`, `export`, `templates`, `chart_book`
    pub task: String,
    pub done: u32,
    pub total: u32,
    pub label: String,
}

/// A backup of the database.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct BackupView {
    pub path: String,
    pub file: String,
    pub at: String,
    pub reason: String,
    /// What the backup was taken before, for people: 取込の前, 取りまとめの前, 復元の前.
    pub reason_label: String,
    pub bytes: i64,
}

impl From<&BackupInfo> for BackupView {
    fn from(b: &BackupInfo) -> Self {
        BackupView {
            path: b.path.display().to_string(),
            file: b.file.clone(),
            at: b.at.clone(),
            reason: b.reason.clone(),
            reason_label: backup_reason_label(&b.reason),
            bytes: b.bytes as i64,
        }
    }
}

/// 設定.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Settings {
    /// `short` (R5) or `long` (令和5年度) year labels on charts.
    pub year_labels: String,
    /// A font file to draw charts with instead of the one found.
    pub font: Option<String>,
}

/// 設定 with what the app found.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SettingsView {
    pub settings: Settings,
    pub database: String,
    pub data_folder: String,
    /// The font charts are drawn with.
    pub font_found: Option<String>,
    /// Why no font was found.
    pub font_problem: Option<String>,
    pub schema_version: i32,
    pub app_version: String,
}

/// Files written by an export.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Written {
    pub folder: String,
    pub files: Vec<String>,
    pub warnings: Vec<String>,
}

/// What the UI receives when a command fails: it switches on `kind` and shows
/// `message` (Japanese, naming the sheet and cell where there is one).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A value typed in a form does not fit its field.
    Invalid,
    /// A file or argument the user gave is at fault.
    BadInput,
    /// Another window or process holds the database.
    Busy,
    /// The action would replace values entered or merged since: asked again only when confirmed.
    NeedsConfirmation,
    /// The machine: disk, database, missing font.
    System,
}

/// The years a plan takes entries for.
pub fn entry_years(plan: &Plan) -> Vec<FiscalYear> {
    let mut ys: BTreeSet<FiscalYear> = plan.fiscal_years.iter().copied().collect();
    ys.insert(plan.report_year);
    ys.into_iter().collect()
}

/// A mark with its word, as a count's heading: `○ 達成`, `A 目標を大きく上回る`, `-`.
pub fn mark_heading(m: &ScaleMark) -> String {
    match &m.label {
        // `-` on every scale: no KPI, or nothing to judge by.
        _ if m.mark == "-" => "- 評価対象外".into(),
        Some(l) if l != &m.mark => format!("{} {l}", m.mark),
        _ => m.mark.clone(),
    }
}

fn owners(p: &Project) -> Vec<OwnerView> {
    p.owners
        .iter()
        .map(|Owner { department, division }| OwnerView {
            department: department.clone(),
            division: division.clone(),
        })
        .collect()
}

/// 未入力 / 入力済 / 確定 of a project for a year.
pub fn entry_status(plan: &Plan, p: &Project, year: FiscalYear) -> EntryStatus {
    let y = p.years.get(&year);
    if y.is_some_and(|y| y.confirmed) {
        return EntryStatus::Confirmed;
    }
    let entered = y.is_some_and(|y| y.evaluation.is_some() || y.narrative.is_some())
        || p.kpis.iter().filter_map(|r| plan.kpi(r.no)).any(|k| k.actuals.contains_key(&year));
    if entered {
        EntryStatus::Entered
    } else {
        EntryStatus::Missing
    }
}

/// The departments of a plan with their divisions and project counts.
pub fn department_views(plan: &Plan) -> Vec<DepartmentView> {
    departments(plan)
        .into_iter()
        .map(|d| {
            let mut divisions: Vec<String> = Vec::new();
            let mut projects = 0;
            for p in plan.projects() {
                let mine: Vec<&Owner> = p.owners.iter().filter(|o| o.department.as_deref() == Some(d.as_str())).collect();
                if mine.is_empty() {
                    continue;
                }
                projects += 1;
                for o in mine {
                    if let Some(v) = &o.division {
                        if !divisions.contains(v) {
                            divisions.push(v.clone());
                        }
                    }
                }
            }
            DepartmentView {
                name: d,
                divisions,
                projects,
            }
        })
        .collect()
}

/// 計画一覧 for a year.
pub fn overview(plan: &Plan, plan_id: i64, year: FiscalYear, open_conflicts: usize) -> Overview {
    let scale = plan.rule.scale();
    let mut counts = MarkCounts {
        marks: scale
            .marks
            .iter()
            .enumerate()
            .map(|(i, m)| MarkCount {
                mark: m.mark.clone(),
                label: mark_heading(m),
                rank: Some(i as u32),
                count: 0,
            })
            .collect(),
        ..MarkCounts::default()
    };
    let keys = plan.entry_keys();
    let mut areas: Vec<AreaNode> = plan
        .areas
        .iter()
        .map(|a| AreaNode {
            code: a.code.clone(),
            name: a.name.clone(),
            items: Vec::new(),
        })
        .collect();
    for (key, view) in keys.into_iter().zip(plan.views()) {
        let p = view.project;
        let status = entry_status(plan, p, year);
        let evaluation = view.evaluation(year);
        if !view.entry.is_relisting() && p.runs_in(year) {
            match &evaluation {
                Some(e) => match counts.marks.iter_mut().find(|m| m.mark == e.mark()) {
                    Some(m) => m.count += 1,
                    None => counts.marks.push(MarkCount {
                        mark: e.mark().to_string(),
                        label: e.mark().to_string(),
                        rank: None,
                        count: 1,
                    }),
                },
                None => counts.unevaluated += 1,
            }
            match status {
                EntryStatus::Missing => counts.missing += 1,
                EntryStatus::Confirmed => counts.confirmed += 1,
                EntryStatus::Entered => {}
            }
        }
        let row = RowView {
            key,
            no: p.no.clone(),
            name: p.name.clone().unwrap_or_default(),
            relisted_of: view.entry.is_relisting().then(|| p.no.clone()),
            owners: owners(p),
            evaluation: evaluation.map(|e| e.mark().to_string()),
            status,
            kpis: view.entry.kpis().iter().map(|r| r.no).collect(),
            narrative: view.narrative(year).map(str::to_string),
            note: plan.status_note(p, year),
        };
        let area_code = view.entry.area().to_string();
        let ai = match areas.iter().position(|a| a.code == area_code) {
            Some(i) => i,
            None => {
                areas.push(AreaNode {
                    code: area_code.clone(),
                    name: None,
                    items: Vec::new(),
                });
                areas.len() - 1
            }
        };
        let item = view.entry.item().map(str::to_string);
        let area = &mut areas[ai];
        match area.items.iter_mut().find(|i| i.code == item) {
            Some(node) => node.rows.push(row),
            None => area.items.push(ItemNode {
                name: plan.item_name(&area_code, item.as_deref()).map(str::to_string),
                code: item,
                rows: vec![row],
            }),
        }
    }
    Overview {
        plan_id,
        organization: plan.organization.clone(),
        title: plan.title.clone(),
        year: year.into(),
        years: entry_years(plan).into_iter().map(YearView::from).collect(),
        counts,
        rule: plan.rule.name(),
        rule_description: plan.rule.description(),
        projects: plan.projects().filter(|p| p.runs_in(year)).count() as u32,
        relistings: plan.relistings().count() as u32,
        kpis: plan.kpis.len() as u32,
        departments: department_views(plan),
        areas,
        open_conflicts: open_conflicts as u32,
        demo: false,
        only_demos: false,
        report_items: plan
            .areas
            .iter()
            .flat_map(|a| {
                a.items
                    .iter()
                    .filter(|it| it.situation.is_some() || it.progress.is_some())
                    .map(move |it| format!("{}/{}", a.code, it.code))
            })
            .collect(),
        schedule_themes: {
            let mut t: Vec<String> = plan
                .schedule
                .iter()
                .map(|r| format!("{}/{}", r.area, r.item.clone().unwrap_or_default()))
                .collect();
            t.dedup();
            t
        },
    }
}

fn kpi_row(plan: &Plan, k: &Kpi, project: &str, year: FiscalYear) -> KpiRowView {
    let in_force = k.target_for(year, year);
    let target = in_force.as_ref();
    let actual = k.actuals.get(&year).map(|a| &a.value);
    let rate = match (target, actual) {
        (Some(t), Some(a)) => achievement_rate(k.baseline.as_ref(), t, a, k.direction).map(|r| crate::eval::rate_label(r, k.direction)),
        _ => None,
    };
    KpiRowView {
        no: k.no,
        name: k.name.clone(),
        unit: k.unit.clone(),
        baseline: k.baseline.as_ref().map(|v| v.text().to_string()),
        baseline_year: k.baseline_year.map(FiscalYear::short),
        target: target.map(|v| match k.original_target(year).filter(|_| k.revised_for(year, year)) {
            Some(o) => format!("{} {}", v.text(), crate::model::original_note(o.text())),
            None => v.text().to_string(),
        }),
        last_actual: k.actuals.get(&FiscalYear(year.0 - 1)).map(|a| a.value.text().to_string()),
        actual: actual.map(|v| v.text().to_string()),
        rate,
        proposed: plan.rule.propose_kpi(k, year).map(|e| e.mark().to_string()),
        lower_is_better: k.direction == crate::eval::Direction::Down,
        path: format!("kpi[{}].actual[{}]", k.no, year.0),
        shared_with: plan
            .projects()
            .filter(|p| p.no != project && p.kpis.iter().any(|r| r.no == k.no))
            .map(|p| p.no.clone())
            .collect(),
    }
}

/// One project's form for a year.
pub fn project_form(plan: &Plan, p: &Project, year: FiscalYear) -> ProjectForm {
    let kpis: Vec<&Kpi> = p.kpis.iter().filter_map(|r| plan.kpi(r.no)).collect();
    let y = p.years.get(&year).cloned().unwrap_or_default();
    ProjectForm {
        key: format!("project[{}]", p.no),
        no: p.no.clone(),
        name: p.name.clone().unwrap_or_default(),
        area: p.area.clone(),
        item: p.item.clone(),
        owners: owners(p),
        summary: p.summary.clone(),
        kpis: kpis.iter().map(|k| kpi_row(plan, k, &p.no, year)).collect(),
        evaluation: y.evaluation.map(|e| e.mark().to_string()),
        proposed: plan.rule.propose_project(kpis.iter().copied(), year).map(|e| e.mark().to_string()),
        reason: y.reason.clone(),
        narrative: y.narrative.clone(),
        budget: y.budget.map(|b| b.to_string()),
        issues: y.issues.clone(),
        previous_narrative: p.years.get(&FiscalYear(year.0 - 1)).and_then(|y| y.narrative.clone()),
        previous_evaluation: p
            .years
            .get(&FiscalYear(year.0 - 1))
            .and_then(|y| y.evaluation.as_ref())
            .map(|e| e.mark().to_string()),
        status: entry_status(plan, p, year),
        paths: YearPaths::of(&p.no, year),
    }
}

/// Whether a project is the department's (and the division's, when one is given).
pub fn owned_by(p: &Project, department: &str, division: Option<&str>) -> bool {
    p.owners
        .iter()
        .any(|o| o.department.as_deref() == Some(department) && division.is_none_or(|d| o.division.as_deref() == Some(d)))
}

/// 年度入力 for a department (and division) and year.
pub fn entry_page(plan: &Plan, plan_id: i64, department: &str, division: Option<&str>, year: FiscalYear) -> EntryPage {
    let columns = Column::for_plan(plan);
    EntryPage {
        plan_id,
        department: department.to_string(),
        division: division.map(str::to_string),
        year: year.into(),
        years: entry_years(plan).into_iter().map(YearView::from).collect(),
        departments: department_views(plan),
        shows_budget: columns.contains(&Column::Budget),
        shows_issues: columns.contains(&Column::Issues),
        marks: mark_options(plan),
        projects: plan
            .projects()
            .filter(|p| p.runs_in(year) && owned_by(p, department, division))
            .map(|p| project_form(plan, p, year))
            .collect(),
    }
}

/// The KPIs with where they are reported, for picking a chart.
pub fn kpi_list(plan: &Plan) -> Vec<KpiListItem> {
    plan.kpis
        .iter()
        .map(|k| {
            let mut areas = Vec::new();
            let mut depts = Vec::new();
            let mut projects = Vec::new();
            for e in &plan.entries {
                if !e.kpis().iter().any(|r| r.no == k.no) {
                    continue;
                }
                if !areas.contains(&e.area().to_string()) {
                    areas.push(e.area().to_string());
                }
                if let Entry::Project(p) = e {
                    projects.push(p.no.clone());
                    for d in p.owners.iter().filter_map(|o| o.department.clone()) {
                        if !depts.contains(&d) {
                            depts.push(d);
                        }
                    }
                }
            }
            KpiListItem {
                no: k.no,
                name: k.name.clone(),
                unit: k.unit.clone(),
                areas,
                departments: depts,
                projects,
            }
        })
        .collect()
}

/// The KPI numbers a chart selection covers, in plan order.
pub fn selected_kpis(plan: &Plan, sel: &ChartSelection) -> Vec<u32> {
    let list = kpi_list(plan);
    list.into_iter()
        .filter(|k| match sel {
            ChartSelection::Kpi(n) => k.no == *n,
            ChartSelection::Project(no) => k.projects.contains(no),
            ChartSelection::Area(a) => k.areas.contains(a),
            ChartSelection::Department(d) => k.departments.contains(d),
        })
        .map(|k| k.no)
        .collect()
}

/// The TypeScript declarations of every view, as committed in `ui/src/lib/bindings.ts`.
/// What opening a coordinator's 記入用ファイル did (記入用ファイルを開く).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct OpenedReturn {
    pub plan_id: i64,
    pub department: String,
    pub year: i32,
    pub projects: u32,
    /// Whether the coordinator signed the file (then the return saved from it verifies).
    pub signed: bool,
}

pub fn typescript_bindings() -> String {
    let cfg = ts_rs::Config::new().with_large_int("number");
    let decls = [
        YearView::decl(&cfg),
        EntryStatus::decl(&cfg),
        OwnerView::decl(&cfg),
        MarkCount::decl(&cfg),
        MarkOption::decl(&cfg),
        MarkCounts::decl(&cfg),
        crate::ops::RuleView::decl(&cfg),
        crate::ops::TargetSet::decl(&cfg),
        crate::ops::YearStarted::decl(&cfg),
        RowView::decl(&cfg),
        ItemNode::decl(&cfg),
        AreaNode::decl(&cfg),
        DepartmentView::decl(&cfg),
        Overview::decl(&cfg),
        YearPaths::decl(&cfg),
        KpiRowView::decl(&cfg),
        ProjectForm::decl(&cfg),
        EntryPage::decl(&cfg),
        FieldEdit::decl(&cfg),
        SavedField::decl(&cfg),
        KpiListItem::decl(&cfg),
        ChartView::decl(&cfg),
        ChartSelection::decl(&cfg),
        RevisionView::decl(&cfg),
        ChangeView::decl(&cfg),
        PlanView::decl(&cfg),
        crate::ops::MappedColumn::decl(&cfg),
        crate::ops::FieldChoice::decl(&cfg),
        crate::ops::MappingView::decl(&cfg),
        ReportItemView::decl(&cfg),
        CardEditView::decl(&cfg),
        CardGroupView::decl(&cfg),
        CardKpiView::decl(&cfg),
        CardCellView::decl(&cfg),
        CardSectionView::decl(&cfg),
        ScheduleRowView::decl(&cfg),
        ScheduleTheme::decl(&cfg),
        ScheduleView::decl(&cfg),
        crate::ops::Edited::decl(&cfg),
        RevisionChanges::decl(&cfg),
        ConflictView::decl(&cfg),
        MergeFileView::decl(&cfg),
        MergeView::decl(&cfg),
        Progress::decl(&cfg),
        BackupView::decl(&cfg),
        Settings::decl(&cfg),
        SettingsView::decl(&cfg),
        Written::decl(&cfg),
        OpenedReturn::decl(&cfg),
        crate::ops::RoundHead::decl(&cfg),
        crate::ops::RoundLine::decl(&cfg),
        crate::ops::RoundStatus::decl(&cfg),
        crate::ops::RoundBoard::decl(&cfg),
        AppError::decl(&cfg),
        ErrorKind::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from crates/core/src/views.rs by `UPDATE_BINDINGS=1 cargo test -p shinchoku-core bindings`. Do not edit.\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(d.trim());
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed;

    #[test]
    fn overview_counts_the_fukushima_marks() {
        let plan = seed::fukushima_plan().unwrap();
        let o = overview(&plan, 1, plan.report_year, 0);
        let c = &o.counts;
        let s = crate::summary::summarize(&plan, plan.report_year).evaluations;
        let ours: Vec<(String, u32)> = c.marks.iter().map(|m| (m.mark.clone(), m.count)).collect();
        let theirs: Vec<(String, u32)> = s.marks.iter().map(|(e, n)| (e.mark().to_string(), *n as u32)).collect();
        assert_eq!(ours, theirs);
        assert_eq!(ours.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>(), ["○", "△", "×", "-"]);
        assert!(ours[0].1 > 0 && ours[1].1 > 0, "{ours:?}");
        assert_eq!(c.unevaluated, s.missing as u32);
        let rows: usize = o.areas.iter().flat_map(|a| &a.items).map(|i| i.rows.len()).sum();
        assert_eq!(rows, plan.entries.len());
        let relisted: Vec<&RowView> = o
            .areas
            .iter()
            .flat_map(|a| &a.items)
            .flat_map(|i| &i.rows)
            .filter(|r| r.relisted_of.is_some())
            .collect();
        assert_eq!(relisted.len(), plan.relistings().count());
        assert!(relisted.iter().all(|r| plan.project(r.relisted_of.as_deref().unwrap()).is_some()));
    }

    #[test]
    fn entry_page_lists_the_department_projects_with_rates() {
        let plan = seed::fukushima_plan().unwrap();
        let dept = departments(&plan).into_iter().next().unwrap();
        let page = entry_page(&plan, 1, &dept, None, plan.report_year);
        assert_eq!(
            page.projects.len(),
            crate::returns::department_projects(&plan, &dept, plan.report_year).len()
        );
        let with_rate = page.projects.iter().flat_map(|f| &f.kpis).filter(|k| k.rate.is_some()).count();
        assert!(with_rate > 0, "no 達成率 in {dept}");
        for f in &page.projects {
            assert!(f.paths.narrative.starts_with(&format!("project[{}].year[", f.no)));
        }
    }

    /// The committed TypeScript bindings are what the views generate; refresh with
    /// `UPDATE_BINDINGS=1 cargo test -p shinchoku-core bindings`.
    #[test]
    fn bindings_are_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/bindings.ts");
        let now = typescript_bindings();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &now).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == now,
            "ui/src/lib/bindings.ts is stale: run UPDATE_BINDINGS=1 cargo test -p shinchoku-core bindings"
        );
    }
}
