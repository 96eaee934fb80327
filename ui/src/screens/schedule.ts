// 工程表: per theme, the rows × 年度 grid as printed (a span as filled cells, a
// milestone as ★/● in its year), each row editable: 主体, 種別 (期間 / 時点), the
// label, its start and end 年度 (or a milestone's year; the ends of a span can also be
// dragged with the mouse), 備考 and 完了 / 遅延; rows added, removed and reordered.
// Every change is one revision; the core checks the row and the plan it makes.
import { api, errorText, type ScheduleRowView, type ScheduleTheme, type ScheduleView } from "../lib/api";
import { clear, confirmButton, h, select } from "../lib/dom";
import type { Ctx } from "../context";

type Row = Record<string, unknown>;

export async function scheduleScreen(ctx: Ctx): Promise<HTMLElement> {
  let view: ScheduleView = await api.schedule();
  if (view.count === 0) return h("p", { class: "empty" }, "この計画には工程表がありません");
  const themeSel = h("select", { id: "s-theme", "aria-label": "テーマ" }) as HTMLSelectElement;
  const body = h("div", { id: "s-body" });
  const fillThemes = () => {
    const was = themeSel.value;
    themeSel.replaceChildren(...view.themes.map((t, i) => h("option", { value: String(i) }, `${t.area} / ${t.name}`)));
    themeSel.value = was && Number(was) < view.themes.length ? was : String(Math.max(0, view.themes.findIndex((t) => `${t.area}/${t.item ?? ""}` === ctx.params.theme)));
  };

  /** Saves rows (path → row, or null to remove) as one revision, then redraws. */
  async function save(changes: [string, Row | null][], summary: string) {
    try {
      await api.editFields(changes.map(([path, row]) => ({ path, text: row ? JSON.stringify(row) : "" })), `工程表: ${summary}`);
      view = await api.schedule();
      fillThemes();
      draw();
      ctx.toast(`保存しました(${summary})`);
    } catch (e) {
      ctx.toast(errorText(e), "error");
      draw();
    }
  }

  const yearOptions = (): [string, string][] => view.years.map((y) => [String(y.fy), y.short]);

  function rowLine(theme: ScheduleTheme, r: ScheduleRowView, i: number): HTMLElement {
    const json = JSON.parse(r.json) as Row;
    const change = (patch: Row, what: string) => void save([[r.path, { ...json, ...patch }]], `「${r.label}」の${what}`);
    const startSel = select(yearOptions(), String(r.start), { class: "s-start", "aria-label": r.milestone ? `${r.label}の年度` : `${r.label}の開始年度` });
    const endSel = select(yearOptions(), String(r.end), { class: "s-end", "aria-label": `${r.label}の終了年度` });
    startSel.addEventListener("change", () => {
      const start = Number(startSel.value);
      change(r.milestone ? { start, end: start } : { start }, r.milestone ? "年度" : "開始年度");
    });
    endSel.addEventListener("change", () => change({ end: Number(endSel.value) }, "終了年度"));
    const kind = select([["span", "期間"], ["milestone", "時点"]], r.milestone ? "milestone" : "span", { "aria-label": `${r.label}の種別` });
    kind.addEventListener("change", () => change(kind.value === "milestone" ? { milestone: true, end: r.start } : { milestone: false }, "種別"));
    const actor = select([["prefecture", "★県"], ["nation", "●国"]], String(json.actor ?? "prefecture"), { "aria-label": `${r.label}の主体` });
    actor.addEventListener("change", () => change({ actor: actor.value }, "主体"));
    const progress = select([["", "—"], ["done", "完了"], ["delayed", "遅延"]], String(json.progress ?? ""), { class: "s-progress", "aria-label": `${r.label}の進捗` });
    progress.addEventListener("change", () => change({ progress: progress.value || undefined }, "進捗"));
    const label = h("input", { type: "text", value: r.label, class: "s-label", "aria-label": "取組" }) as HTMLInputElement;
    label.addEventListener("change", () => change({ label: label.value.trim() }, "名前"));
    const note = h("input", { type: "text", value: r.note ?? "", class: "s-note", "aria-label": `${r.label}の備考` }) as HTMLInputElement;
    note.addEventListener("change", () => change({ note: note.value.trim() || undefined }, "備考"));
    const move = (d: -1 | 1) => {
      const other = theme.rows[i + d];
      if (other) void save([[r.path, JSON.parse(other.json)], [other.path, json]], `「${r.label}」の並び順`);
    };
    // The years as printed: a span's cells filled, a milestone's mark in its year; an end
    // of a span can be dragged to another year.
    const cells = view.years.map((y) => {
      const inSpan = y.fy >= r.start && y.fy <= r.end;
      const td = h("td", { class: `year${inSpan ? (r.milestone ? " mark" : " span") : ""}${r.progress === "完了" && inSpan ? " done" : ""}${r.progress === "遅延" && inSpan ? " late" : ""}`, "data-fy": y.fy },
        inSpan && r.milestone ? r.actor.slice(0, 1) : inSpan && y.fy === r.start ? r.label : "");
      if (!r.milestone && (y.fy === r.start || y.fy === r.end) && inSpan) {
        td.classList.add("end");
        td.title = "ドラッグして開始・終了年度を変えられます";
        td.addEventListener("mousedown", (e) => {
          e.preventDefault();
          const which = y.fy === r.start && y.fy !== r.end ? "start" : y.fy === r.end && y.fy !== r.start ? "end" : "end";
          const up = (ev: MouseEvent) => {
            document.removeEventListener("mouseup", up);
            const over = (ev.target as HTMLElement).closest<HTMLElement>("td.year");
            const fy = Number(over?.dataset.fy);
            if (!fy || fy === y.fy) return;
            change(which === "start" ? { start: fy } : { end: fy }, which === "start" ? "開始年度" : "終了年度");
          };
          document.addEventListener("mouseup", up);
        });
      }
      return td;
    });
    return h("tr", { "data-index": r.index },
      h("td", { class: "group" }, r.group ?? ""),
      h("td", {}, actor),
      h("td", {}, kind),
      h("td", {}, label),
      ...cells,
      h("td", { class: "when" }, startSel, r.milestone ? null : h("span", {}, " ~ "), r.milestone ? null : endSel),
      h("td", {}, note),
      h("td", {}, progress),
      h("td", { class: "actions" },
        h("button", { type: "button", class: "link", "aria-label": "上へ", disabled: i === 0, onclick: () => move(-1) }, "↑"),
        h("button", { type: "button", class: "link", "aria-label": "下へ", disabled: i === theme.rows.length - 1, onclick: () => move(1) }, "↓"),
        confirmButton("削除", "もう一度押すと削除", () => void save([[r.path, null]], `「${r.label}」の削除`), { class: "link s-delete" })),
    );
  }

  function addRow(theme: ScheduleTheme): HTMLElement {
    const label = h("input", { type: "text", id: "s-new-label", placeholder: "取組の名前", "aria-label": "新しい取組の名前" }) as HTMLInputElement;
    const actor = select([["prefecture", "★県"], ["nation", "●国"]], "prefecture", { "aria-label": "新しい取組の主体" });
    const kind = select([["span", "期間"], ["milestone", "時点"]], "span", { "aria-label": "新しい取組の種別" });
    const first = String(view.years[0].fy);
    const startSel = select(yearOptions(), first, { "aria-label": "新しい取組の開始年度" });
    const endSel = select(yearOptions(), first, { "aria-label": "新しい取組の終了年度" });
    const group = h("input", { type: "text", placeholder: "項目(任意)", value: theme.rows.at(-1)?.group ?? "", "aria-label": "新しい取組の項目" }) as HTMLInputElement;
    const note = h("input", { type: "text", placeholder: "備考(任意)", "aria-label": "新しい取組の備考" }) as HTMLInputElement;
    return h("div", { class: "row s-add" },
      h("strong", {}, "行を追加: "), group, actor, kind, label, startSel, h("span", {}, "~"), endSel, note,
      h("button", { type: "button", id: "s-add", class: "primary", onclick: () => {
        const milestone = kind.value === "milestone";
        const start = Number(startSel.value);
        const row: Row = {
          area: theme.area, item: theme.item ?? undefined, group: group.value.trim() || undefined,
          label: label.value.trim(), actor: actor.value, start, end: milestone ? start : Number(endSel.value),
          milestone, note: note.value.trim() || undefined,
        };
        void save([[`schedule[${view.count}]`, row]], `「${label.value.trim()}」を追加`);
      } }, "追加"));
  }

  function draw() {
    clear(body);
    const theme = view.themes[Number(themeSel.value)];
    if (!theme) return;
    body.append(
      h("div", { class: "grid-wrap" },
        h("table", { class: "schedule", id: "schedule-table" },
          h("thead", {}, h("tr", {},
            h("th", {}, "項目"), h("th", {}, "主体"), h("th", {}, "種別"), h("th", {}, "取組"),
            ...view.years.map((y) => h("th", { class: "year" }, y.long)),
            h("th", {}, "年度"), h("th", {}, "備考"), h("th", {}, "進捗"), h("th", {}))),
          h("tbody", {}, ...theme.rows.map((r, i) => rowLine(theme, r, i))))),
      addRow(theme),
    );
  }
  fillThemes();
  themeSel.addEventListener("change", draw);
  draw();

  return h("div", { class: "schedule-screen" },
    h("div", { class: "title-row" }, h("h1", {}, "工程表"), themeSel,
      h("span", { class: "meta" }, "★県の取組 ●国の取組。期間の両端のセルはドラッグで動かせます")),
    body,
  );
}
