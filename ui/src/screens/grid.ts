// 一覧で入力: the department's KPIs and projects for the year as one grid, like the
// 記入 sheet (one row per KPI; the project's fields on its first row). Moved through
// with the arrows, Enter and Tab; a block copied from Excel is pasted across cells.
// Every cell saves as the forms do (the same bind: validation by the core, autosave).
import type { EntryPage, ProjectForm } from "../lib/api";
import { h } from "../lib/dom";
import { parseTsv } from "../lib/tsv";

type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

export interface GridHooks {
  bind(control: Control, path: string, state: HTMLElement, errorEl: HTMLElement): void;
  flush(): Promise<void>;
  toast(message: string, kind?: "ok" | "warn" | "error"): void;
}

/** The grid for a page; `rate` and `proposed` cells update as the forms' do. */
export function entryGrid(page: EntryPage, hooks: GridHooks): HTMLElement {
  const cols = ["実績値", "評価", "取組状況", ...(page.shows_budget ? ["予算(千円)"] : []), ...(page.shows_issues ? ["課題・アクション"] : [])];
  const y = page.year.short;
  let row = 0;
  const bodies = page.projects.map((f) => {
    const b = projectRows(f, row);
    row += Math.max(f.kpis.length, 1);
    return b;
  });
  const table = h("table", { class: "entry-grid", id: "entry-grid" },
    h("thead", {}, h("tr", {},
      h("th", {}, "事業"), h("th", {}, "事業名"), h("th", {}, "KPI"), h("th", {}, "指標"), h("th", {}, `目標値(${y})`),
      ...cols.map((c) => h("th", { class: "edit" }, c === "実績値" ? `実績値(${y})` : c)),
      h("th", {}, "達成率"), h("th", {}, "提案"))),
    ...bodies);
  table.addEventListener("keydown", (e) => move(e as KeyboardEvent));
  table.addEventListener("paste", (e) => void paste(e as ClipboardEvent));
  return h("div", { class: "grid-wrap" },
    h("p", { class: "help" }, "矢印キー・Enter・Tab で移動します。Excel でコピーした範囲は、左上のセルを選んで貼り付けると各セルに入ります。"),
    table);

  function projectRows(f: ProjectForm, top: number): HTMLElement {
    const body = h("tbody", { "data-key": f.key });
    const n = Math.max(f.kpis.length, 1);
    const span = { rowspan: n };
    const project = (i: number, text: string, label: string) => h("td", { ...span, class: i === 0 ? "no" : "name" }, text || label);
    const cell = (control: Control | null, col: number, r0: number, r1: number, attrs: Record<string, unknown> = {}) => {
      if (!control) return h("td", { class: "ro", ...attrs }, "—");
      control.dataset.row = String(r0);
      control.dataset.rowEnd = String(r1);
      control.dataset.col = String(col);
      const state = h("span", { class: "state" });
      const err = h("div", { class: "field-error", role: "alert" });
      return h("td", { class: "edit", ...attrs }, control, err, state);
    };
    const yearCells = (colFrom: number) => {
      const evaluation = h("select", { "aria-label": `事業 ${f.no} の評価` },
        h("option", { value: "" }, ""), ...page.marks.map((m) => h("option", { value: m.mark }, m.label)),
        ...(f.evaluation && !page.marks.some((m) => m.mark === f.evaluation) ? [h("option", { value: f.evaluation }, `${f.evaluation}(旧ルール)`)] : [])) as HTMLSelectElement;
      evaluation.value = f.evaluation ?? "";
      const narrative = h("textarea", { rows: 2, "aria-label": `事業 ${f.no} の取組状況`, value: f.narrative ?? "" });
      const controls: [Control, string][] = [[evaluation, f.paths.evaluation], [narrative, f.paths.narrative]];
      if (page.shows_budget) controls.push([h("input", { type: "text", inputmode: "numeric", "aria-label": `事業 ${f.no} の予算`, value: f.budget ?? "" }), f.paths.budget]);
      if (page.shows_issues) controls.push([h("textarea", { rows: 2, "aria-label": `事業 ${f.no} の課題・アクション`, value: f.issues ?? "" }), f.paths.issues]);
      return controls.map(([c, path], i) => {
        const td = cell(c, colFrom + i, top, top + n - 1, span);
        hooks.bind(c, path, td.querySelector(".state")!, td.querySelector(".field-error")!);
        return td;
      });
    };
    const kpis = f.kpis.length ? f.kpis : [null];
    kpis.forEach((k, i) => {
      const r = top + i;
      let actual: HTMLInputElement | null = null;
      if (k && k.path) {
        actual = h("input", { type: "text", class: "actual", inputmode: "decimal", value: k.actual ?? "", "aria-label": `事業 ${f.no} KPI ${k.no} の実績値` });
      }
      const actualTd = cell(actual, 0, r, r);
      if (actual && k) hooks.bind(actual, k.path, actualTd.querySelector(".state")!, actualTd.querySelector(".field-error")!);
      body.append(h("tr", k ? { "data-kpi": k.no } : {},
        i === 0 ? project(0, f.no, "") : null,
        i === 0 ? project(1, f.name, "") : null,
        h("td", { class: "kno" }, k ? `KPI ${k.no}` : "—"),
        h("td", { class: "kname" }, k?.name ?? "KPI なし"),
        h("td", { class: "num" }, k?.target ?? "—"),
        actualTd,
        ...(i === 0 ? yearCells(1) : []),
        h("td", { class: "num rate" }, k?.rate ?? "—"),
        h("td", { class: "mark proposed" }, k?.proposed ?? "—"),
      ));
    });
    return body;
  }

  /** The control at a logical row and column (a project's cell covers all its rows). */
  function at(r: number, c: number): Control | null {
    return [...table.querySelectorAll<HTMLElement>("[data-col]")].find((x) =>
      Number(x.dataset.col) === c && Number(x.dataset.row) <= r && r <= Number(x.dataset.rowEnd)) as Control ?? null;
  }

  function move(e: KeyboardEvent) {
    const el = e.target as Control;
    if (!el.dataset?.col || e.isComposing) return;
    const [r0, r1, c] = [Number(el.dataset.row), Number(el.dataset.rowEnd), Number(el.dataset.col)];
    const text = el instanceof HTMLSelectElement ? null : el;
    const atStart = text ? text.selectionStart === 0 && text.selectionEnd === 0 : true;
    const atEnd = text ? text.selectionStart === text.value.length : true;
    let target: Control | null = null;
    if ((e.key === "Enter" && !e.shiftKey && !(el instanceof HTMLTextAreaElement && e.altKey)) || (e.key === "ArrowDown" && !(el instanceof HTMLSelectElement))) target = at(r1 + 1, c);
    else if ((e.key === "Enter" && e.shiftKey) || (e.key === "ArrowUp" && !(el instanceof HTMLSelectElement))) target = at(r0 - 1, c);
    else if (e.key === "ArrowRight" && atEnd) target = at(r0, c + 1);
    else if (e.key === "ArrowLeft" && atStart) target = at(r0, c - 1);
    else return;
    e.preventDefault();
    if (target) {
      target.focus();
      if (!(target instanceof HTMLSelectElement)) target.select();
    }
  }

  /** A block from the clipboard, cell by cell from the focused cell, then saved. */
  async function paste(e: ClipboardEvent) {
    const el = e.target as Control;
    const raw = e.clipboardData?.getData("text/plain") ?? "";
    if (!el.dataset?.col || (!raw.includes("\t") && !raw.trim().includes("\n"))) return;
    e.preventDefault();
    const rows = parseTsv(raw);
    const [r0, c0] = [Number(el.dataset.row), Number(el.dataset.col)];
    let filled = 0;
    rows.forEach((cells, i) => cells.forEach((v, j) => {
      const target = at(r0 + i, c0 + j);
      // A project's cell takes the value on its first row (Excel copies a merged cell so).
      if (!target || Number(target.dataset.row) !== r0 + i) return;
      setValue(target, v.trim());
      filled++;
    }));
    await hooks.flush();
    const bad = table.querySelectorAll("[data-col][aria-invalid='true']").length;
    hooks.toast(bad ? `貼り付けた ${filled} セルのうち ${bad} セルは値が正しくないため保存していません(赤い枠のセル)` : `貼り付けた ${filled} セルを保存しました`, bad ? "warn" : "ok");
  }
}

/** Sets a control as if typed (a select takes a mark it does not list, for the core to refuse). */
function setValue(c: Control, v: string) {
  if (c instanceof HTMLSelectElement && v && ![...c.options].some((o) => o.value === v)) {
    c.append(h("option", { value: v }, v));
  }
  c.value = v;
  c.dispatchEvent(new Event("input"));
}
