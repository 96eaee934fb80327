// Generated from crates/core/src/views.rs by `UPDATE_BINDINGS=1 cargo test -p shinchoku-core bindings`. Do not edit.

export type YearView = { fy: number, short: string, long: string, };

export type EntryStatus = "missing" | "entered" | "confirmed";

export type OwnerView = { department: string | null, division: string | null, };

export type MarkCount = { mark: string, 
/**
 * `○ 達成`, `A 目標を大きく上回る`, `-`.
 */
label: string, 
/**
 * Where it stands on the scale: 0 = best; `null` for a mark entered under an earlier rule.
 */
rank: number | null, count: number, };

export type MarkOption = { mark: string, label: string, };

export type MarkCounts = { 
/**
 * The plan's scale in order, then any mark entered under an earlier rule.
 */
marks: Array<MarkCount>, 
/**
 * No evaluation entered.
 */
unevaluated: number, 
/**
 * 未入力: nothing entered at all.
 */
missing: number, 
/**
 * 確定
 */
confirmed: number, };

export type RuleView = { 
/**
 * `maru`, `ratio-abcd`, `progress-abcd`, `kitaichi`, or a custom rule's name.
 */
name: string, description: string, 
/**
 * The marks of its scale, best first, `-` last.
 */
marks: Array<string>, 
/**
 * The plan rates with this rule.
 */
current: boolean, 
/**
 * Read from a rule file (not one of the built-in rules).
 */
custom: boolean, };

export type TargetSet = { kpi: number, 
/**
 * The target's year, `令和7年度`.
 */
year: string, previous: string | null, value: string, 
/**
 * The first report year rated against the new value.
 */
from: string, revision_id: number, };

export type YearStarted = { from: string, to: string, 
/**
 * Projects asked for in the new year (終了 before it not counted).
 */
projects: number, 
/**
 * Projects whose last year was the one left (終了).
 */
ended: number, };

export type RowView = { 
/**
 * The entry's key (`project[8]`, `relisting[4@I-3]`).
 */
key: string, no: string, name: string, 
/**
 * For a re-listing: the number of the original project.
 */
relisted_of: string | null, owners: Array<OwnerView>, evaluation: string | null, status: EntryStatus, kpis: Array<number>, narrative: string | null, 
/**
 * 新規 / 終了 / 統合・分割 for the year (`新規(No.3から分割)`), where the project has one.
 */
note: string | null, };

export type ItemNode = { code: string | null, name: string | null, rows: Array<RowView>, };

export type AreaNode = { code: string, name: string | null, items: Array<ItemNode>, };

export type DepartmentView = { name: string, divisions: Array<string>, projects: number, };

export type Overview = { plan_id: number, organization: string, title: string, year: YearView, years: Array<YearView>, counts: MarkCounts, 
/**
 * The rating rule (`maru`, `ratio-abcd`, …) and how it rates, for the header and 設定.
 */
rule: string, rule_description: string, projects: number, relistings: number, kpis: number, departments: Array<DepartmentView>, areas: Array<AreaNode>, open_conflicts: number, 
/**
 * The plan is one of the demo plans (the header says デモ).
 */
demo: boolean, 
/**
 * Only demo plans are in the database: the app offers its first-run guide.
 */
only_demos: boolean, 
/**
 * Items (`area/item`) with 報告書 texts, and themes (`area/item`) with 工程表 rows:
 * 計画一覧 links them to their screens.
 */
report_items: Array<string>, schedule_themes: Array<string>, };

export type YearPaths = { evaluation: string, reason: string, narrative: string, budget: string, issues: string, confirmed: string, };

export type KpiRowView = { no: number, name: string, unit: string | null, baseline: string | null, baseline_year: string | null, target: string | null, last_actual: string | null, actual: string | null, 
/**
 * 達成率, `85.0%`.
 */
rate: string | null, proposed: string | null, lower_is_better: boolean, 
/**
 * The path of this year's actual: `kpi[3].actual[2023]`.
 */
path: string, 
/**
 * Other projects that report this KPI.
 */
shared_with: Array<string>, };

export type ProjectForm = { key: string, no: string, name: string, area: string, item: string | null, owners: Array<OwnerView>, summary: string | null, kpis: Array<KpiRowView>, evaluation: string | null, 
/**
 * The mark the KPIs propose.
 */
proposed: string | null, reason: string | null, narrative: string | null, budget: string | null, issues: string | null, 
/**
 * Last year's 取組状況 and 評価, shown beside this year's (read-only) to quote from.
 */
previous_narrative: string | null, previous_evaluation: string | null, status: EntryStatus, paths: YearPaths, };

export type EntryPage = { plan_id: number, department: string, division: string | null, year: YearView, years: Array<YearView>, departments: Array<DepartmentView>, shows_budget: boolean, shows_issues: boolean, 
/**
 * The plan's evaluation scale: the marks the form offers, best first.
 */
marks: Array<MarkOption>, projects: Array<ProjectForm>, };

export type FieldEdit = { path: string, text: string, };

export type SavedField = { path: string, value: string | null, revision_id: number, 
/**
 * Every project form of the department page the change touched.
 */
forms: Array<ProjectForm>, };

export type KpiListItem = { no: number, name: string, unit: string | null, areas: Array<string>, departments: Array<string>, projects: Array<string>, };

export type ChartView = { no: number, title: string, svg: string, };

export type ChartSelection = { "by": "kpi", "key": number } | { "by": "project", "key": string } | { "by": "area", "key": string } | { "by": "department", "key": string };

export type RevisionView = { id: number, at: string, kind: string, 
/**
 * 取込, 取りまとめ, 年度入力, …
 */
kind_label: string, summary: string, 
/**
 * The files it came from, by name.
 */
file: string | null, department: string | null, fields_changed: number, undoes: number | null, undone_by: number | null, 
/**
 * The plan's title (履歴 lists every plan's revisions, numbered once for all).
 */
plan: string | null, };

export type ChangeView = { path: string, 
/**
 * What the field is, for people: `事業 5 電子申請の拡充 / 取組状況(R5)`.
 */
what: string, before: string | null, after: string | null, };

export type PlanView = { id: number, title: string, organization: string, 
/**
 * The report year, `令和5年度`.
 */
year: string, current: boolean, 
/**
 * One of the demo plans (labelled デモ; it can be removed).
 */
demo: boolean, };

export type MappedColumn = { column: string, header: string, field: string | null, year: string | null, 
/**
 * Placed without the header saying so (check it).
 */
guessed: boolean, };

export type FieldChoice = { key: string, label: string, 
/**
 * Takes a year (目標値, 実績値, 基準値).
 */
per_year: boolean, };

export type MappingView = { file: string, sheet: string, header_row: number, columns: Array<MappedColumn>, fields: Array<FieldChoice>, 
/**
 * `learn`'s report, in Japanese.
 */
report: Array<string>, };

export type ReportItemView = { area: string, area_name: string | null, item: string, item_name: string | null, 
/**
 * 現状・課題.
 */
situation: string | null, 
/**
 * 取組状況 (sub-headings and ○ bullets by line).
 */
progress: string | null, situation_path: string, progress_path: string, };

export type CardEditView = { project: string, title: string, year: YearView, years: Array<YearView>, 
/**
 * The KGI first (no heading), then one group per CSF.
 */
groups: Array<CardGroupView>, 
/**
 * 課題とアクション as on the card (`課題: …` / `→ …`).
 */
actions: string, actions_path: string, 
/**
 * The project's KPIs in card order (`3,4,5`): adding, removing and reordering KPIs
 * and CSFs rewrites it.
 */
kpi_refs: string, kpi_refs_path: string, 
/**
 * The number a new KPI takes.
 */
next_kpi: number, 
/**
 * 取組内容 of the year and 取組予定 of the next.
 */
sections: Array<CardSectionView>, };

export type CardGroupView = { heading: string | null, kpis: Array<CardKpiView>, };

export type CardKpiView = { no: number, heading: string, is_kgi: boolean, name: string, name_path: string, 
/**
 * The CSF the KPI is under (`None` for the KGI).
 */
group: string | null, group_path: string, label_path: string, 
/**
 * 担当課, one per line.
 */
divisions: string, divisions_path: string, 
/**
 * ※ notes, one per line.
 */
footnotes: string, footnotes_path: string, cells: Array<CardCellView>, 
/**
 * 目標値の改定, oldest first: `令和7年度 80% → 90%(令和6年度の評価から、2026-11-27、国の目標変更)`.
 */
revisions: Array<string>, };

export type CardCellView = { year: YearView, target: string | null, target_path: string, actual: string | null, actual_path: string, };

export type CardSectionView = { year: YearView, heading: string, 
/**
 * `▶ 見出し` / `・本文` / a note line, per activity.
 */
activities: string, activities_path: string, budget: string | null, budget_path: string, 
/**
 * `内訳: 18,525`, per line.
 */
budget_lines: string, budget_lines_path: string, 
/**
 * The flag the card prints when the stated total is not the sum of its lines.
 */
mismatch: string | null, };

export type ScheduleRowView = { index: number, path: string, 
/**
 * The row as stored (JSON): what an edit changes and sends back.
 */
json: string, group: string | null, label: string, 
/**
 * ★県 or ●国.
 */
actor: string, start: number, end: number, milestone: boolean, note: string | null, 
/**
 * 完了, 遅延 or none.
 */
progress: string | null, };

export type ScheduleTheme = { area: string, item: string | null, name: string, rows: Array<ScheduleRowView>, };

export type ScheduleView = { years: Array<YearView>, themes: Array<ScheduleTheme>, 
/**
 * Rows in the plan's schedule (the index a new row takes).
 */
count: number, };

export type Edited = { 
/**
 * 0 when nothing changed (and nothing was written).
 */
revision_id: number, fields: { [key in string]: string | null }, };

export type RevisionChanges = { revision: number, total: number, changes: Array<ChangeView>, };

export type ConflictView = { id: number, at: string, file: string, department: string | null, project: string | null, project_name: string | null, kpi: number | null, kpi_name: string | null, field: string, 
/**
 * What the conflict is about, for its heading: `事業 5 電子申請の拡充 / KPI 3 電子申請件数 / 実績値(R5)`.
 */
title: string, cell: string | null, base: string | null, plan_value: string | null, 
/**
 * The plan's value now (it may have changed since the conflict was found).
 */
current: string | null, return_value: string | null, status: string, resolution: string | null, };

export type MergeFileView = { file: string, department: string | null, 
/**
 * `applied`, `unchanged`, `conflicts`, `rejected`
 */
status: string, applied: number, conflicts: number, unchanged: number, messages: Array<string>, };

export type MergeView = { revision_id: number | null, applied: number, conflicts: number, rejected: number, files: Array<MergeFileView>, };

export type Progress = { 
/**
 * `merge`, `export`, `templates`, `chart_book`
 */
task: string, done: number, total: number, label: string, };

export type BackupView = { path: string, file: string, at: string, reason: string, 
/**
 * What the backup was taken before, for people: 取込の前, 取りまとめの前, 復元の前.
 */
reason_label: string, bytes: number, };

export type Settings = { 
/**
 * `short` (R5) or `long` (令和5年度) year labels on charts.
 */
year_labels: string, 
/**
 * A font file to draw charts with instead of the one found.
 */
font: string | null, };

export type SettingsView = { settings: Settings, database: string, data_folder: string, 
/**
 * The font charts are drawn with.
 */
font_found: string | null, 
/**
 * Why no font was found.
 */
font_problem: string | null, schema_version: number, app_version: string, };

export type Written = { folder: string, files: Array<string>, warnings: Array<string>, };

export type OpenedReturn = { plan_id: number, department: string, year: number, projects: number, 
/**
 * Whether the coordinator signed the file (then the return saved from it verifies).
 */
signed: boolean, };

export type RoundHead = { id: number, year: number, 
/**
 * ISO date.
 */
due: string, title: string, 
/**
 * `open` or `closed`.
 */
state: string, };

export type RoundLine = { department: string, 
/**
 * `not_returned`, `returned`, `sent_back` or `confirmed`.
 */
state: string, 
/**
 * Not returned (nor confirmed) after the due date.
 */
overdue: boolean, files: number, 
/**
 * The department's fields of the year (実績値, 評価, 取組状況) filled and still empty.
 */
filled: number, empty: number, last_file: string | null, };

export type RoundStatus = { round: RoundHead, departments: Array<RoundLine>, };

export type RoundBoard = { status: RoundStatus | null, 
/**
 * Days from today to the due date (negative when past).
 */
days_left: number | null, returned: number, total: number, };

export type AppError = { kind: ErrorKind, message: string, };

export type ErrorKind = "invalid" | "bad_input" | "busy" | "needs_confirmation" | "system";
