// The only module that talks to Tauri: typed wrappers over the shell's commands
// (types generated from Rust in bindings.ts), events, and the file dialogs.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { getCurrentWindow } from "@tauri-apps/api/window";
import { open, save } from "@tauri-apps/plugin-dialog";
import type {
  AppError, BackupView, MappedColumn, MappingView, CardEditView, ChartSelection, Edited, ReportItemView, ScheduleView, ChartView, ConflictView, EntryPage, FieldEdit, KpiListItem, MergeView,
  OpenedReturn, Overview, PlanView, Progress, RoundBoard, RevisionChanges, RevisionView, RuleView, SavedField, Settings, SettingsView, TargetSet, Written, YearStarted,
} from "./bindings";

export type * from "./bindings";

/** A command's failure as the UI shows it: never a stack, always a message. */
export class CommandError extends Error {
  kind: AppError["kind"];
  constructor(e: AppError) {
    super(e.message);
    this.kind = e.kind;
  }
}

/** The message to show for any failure. */
export function errorText(e: unknown): string {
  return e instanceof CommandError ? e.message : e instanceof Error ? e.message : String(e);
}

function isAppError(e: unknown): e is AppError {
  return typeof e === "object" && e !== null && "kind" in e && "message" in e;
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    if (isAppError(e)) throw new CommandError(e);
    throw new CommandError({ kind: "system", message: `予期しないエラー: ${String(e)}` });
  }
}

export const api = {
  overview: (year?: number) => call<Overview>("overview", { year }),
  plans: () => call<PlanView[]>("plans"),
  /** Fields that belong together, saved as one revision (the core checks them and who may). */
  editFields: (edits: FieldEdit[], summary: string) => call<Edited>("edit_fields", { edits, summary }),
  reportItems: () => call<ReportItemView[]>("report_items"),
  reportPreview: (text: string) => call<string>("report_preview", { text }),
  exportReport: (path: string) => call<Written>("export_report", { path }),
  schedule: () => call<ScheduleView>("schedule"),
  cardView: (project: string, year: number | null) => call<CardEditView>("card_view", { project, year }),
  exportCard: (path: string, project: string, year: number | null) => call<Written>("export_card", { path, project, year }),
  switchPlan: (plan: number) => call<PlanView[]>("switch_plan", { plan }),
  deleteDemoPlan: (plan: number) => call<PlanView[]>("delete_demo_plan", { plan }),
  importPlan: (path: string, replaceEntered = false) => call<Overview>("import_plan", { path, replaceEntered }),
  /** The learned mapping of a workbook in a layout of its own; null for a 取組一覧. */
  layoutMapping: (path: string) => call<MappingView | null>("layout_mapping", { path }),
  importMapped: (path: string, columns: MappedColumn[]) => call<Overview>("import_mapped", { path, columns }),
  /** With no department: the 部・課 last chosen (remembered by the core). */
  entryPage: (department: string | null, division: string | null, year: number | null) =>
    call<EntryPage>("entry_page", { department, division, year }),
  saveField: (department: string, division: string | null, edit: FieldEdit) =>
    call<SavedField>("save_field", { department, division, edit }),
  saveReturn: (department: string, year: number, path: string) => call<Written>("save_return", { department, year, path }),
  openReturnFile: (path: string) => call<OpenedReturn>("open_return_file", { path }),
  mergeReturns: (paths: string[]) => call<MergeView>("merge_returns", { paths }),
  roundBoard: () => call<RoundBoard>("round_board"),
  roundOpen: (due: string, title: string) => call<RoundBoard>("round_open", { due, title }),
  roundRemind: () => call<string>("round_remind"),
  roundSendBack: (department: string, note: string, dir: string) => call<Written>("round_send_back", { department, note, dir }),
  roundConfirm: (department: string) => call<RoundBoard>("round_confirm", { department }),
  roundUnlock: (department: string, reason: string) => call<RoundBoard>("round_unlock", { department, reason }),
  conflicts: (all = false) => call<ConflictView[]>("conflicts", { all }),
  resolveConflict: (id: number, take: "plan" | "return" | "value", value?: string) =>
    call<ConflictView[]>("resolve_conflict", { id, take, value }),
  history: () => call<RevisionView[]>("history"),
  revisionChanges: (revision: number) => call<RevisionChanges>("revision_changes", { revision }),
  undo: (revision: number) => call<RevisionView[]>("undo", { revision }),
  kpis: () => call<KpiListItem[]>("kpis"),
  charts: (selection: ChartSelection, year: number | null) => call<ChartView[]>("charts", { selection, year }),
  printCharts: (selection: ChartSelection, year: number | null) => call<Written>("print_charts", { selection, year }),
  exportChartPng: (kpi: number, path: string) => call<Written>("export_chart_png", { kpi, path }),
  exportChartBook: (path: string, paper: string, perPage: number, by: string) =>
    call<Written>("export_chart_book", { path, paper, perPage, by }),
  /** With a layout's name (取組一覧, 総合戦略), in that layout; else in the plan's own. */
  exportSummary: (path: string, year: number | null, layout: string | null = null) => call<Written>("export_summary", { path, year, layout }),
  layoutNames: () => call<string[]>("layout_names"),
  exportTemplates: (dir: string, year: number | null) => call<Written>("export_templates", { dir, year }),
  reveal: (path: string) => call<void>("reveal", { path }),
  settings: () => call<SettingsView>("settings"),
  saveSettings: (settings: Settings) => call<SettingsView>("save_settings", { settings }),
  /** The folder to offer for an output: the last used for its kind, else the documents folder. */
  defaultFolder: (kind: "summary" | "templates" | "return" | "charts" | "print" | "send_back" | "report") => call<string>("default_folder", { kind }),
  backups: () => call<BackupView[]>("backups"),
  rules: () => call<RuleView[]>("rules"),
  useRule: (name: string | null, file: string | null = null) => call<RuleView>("use_rule", { name, file }),
  setTarget: (kpi: number, year: number, value: string, reason: string | null) =>
    call<TargetSet>("set_target", { kpi, year, value, reason }),
  startYear: (year: number) => call<YearStarted>("start_year", { year }),
  restoreBackup: (file: string) => call<BackupView[]>("restore_backup", { file }),
};

const XLSX = [{ name: "Excel ブック", extensions: ["xlsx"] }];

export const dialogs = {
  openWorkbooks: async (multiple: boolean): Promise<string[]> => {
    const r = await open({ multiple, filters: XLSX, title: multiple ? "返送ファイルを選択" : "取組一覧を選択" });
    return r === null ? [] : Array.isArray(r) ? r : [r];
  },
  openFile: async (title: string, extensions: string[]): Promise<string | null> =>
    (await open({ multiple: false, title, filters: [{ name: extensions.join(", "), extensions }] })) as string | null,
  openFolder: async (title: string): Promise<string | null> => (await open({ directory: true, title })) as string | null,
  saveAs: (title: string, defaultPath: string, extension: string, name: string) =>
    save({ title, defaultPath, filters: [{ name, extensions: [extension] }] }),
};

export function onProgress(f: (p: Progress) => void): Promise<UnlistenFn> {
  return listen<Progress>("progress", (e) => f(e.payload));
}

/** Files dropped on the window (paths). */
export function onFilesDropped(f: (paths: string[]) => void): Promise<UnlistenFn> {
  return getCurrentWebview().onDragDropEvent((e) => {
    if (e.payload.type === "drop") f(e.payload.paths);
  });
}

/** Runs `flush` before the window closes, so nothing typed is lost; when it says
 * `false` (a field is not saved), the window stays open. */
export function beforeClose(flush: () => Promise<boolean>): Promise<UnlistenFn> {
  return getCurrentWindow().onCloseRequested(async (e) => {
    if (!(await flush())) e.preventDefault();
  });
}

/** The window's title (and the document's): the plan and the screen. */
export function setTitle(title: string) {
  document.title = title;
  void getCurrentWindow().setTitle(title).catch(() => undefined);
}
