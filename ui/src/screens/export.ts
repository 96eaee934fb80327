// 出力: the summary workbook (取組一覧) and the department entry workbooks.
import { api, dialogs, errorText, type Written } from "../lib/api";
import { h } from "../lib/dom";
import type { Ctx } from "../context";

export async function exportScreen(ctx: Ctx): Promise<HTMLElement> {
  const y = ctx.overview.year;
  // The folders last used for each kind, else the documents folder (the core makes it).
  const [summaryFolder, templatesFolder, layouts] = await Promise.all([api.defaultFolder("summary"), api.defaultFolder("templates"), api.layoutNames()]);
  // The plan's own layout (the one it was imported with, else 取組一覧), or one chosen by name.
  const layout = h("select", { id: "x-layout", "aria-label": "様式" },
    h("option", { value: "" }, "計画の様式(取り込んだときの様式)"),
    ...layouts.map((n) => h("option", { value: n }, n))) as HTMLSelectElement;
  // The file name suggested for a layout; replaced when another is chosen, unless the name was changed by hand.
  const suggested = (name: string) => (name === "" || name === "取組一覧" ? `${y.long}関連事業 取組一覧.xlsx` : `${y.long} ${name}.xlsx`);
  const summaryPath = h("input", { type: "text", id: "x-summary", class: "path", value: `${summaryFolder}/${suggested("")}`, "aria-label": "集計ブックの保存先" }) as HTMLInputElement;
  const title = h("h2", { id: "x-summary-title" }, `${y.long}の集計ブック(計画の様式)`);
  let chosen = "";
  layout.addEventListener("change", () => {
    const at = summaryPath.value.lastIndexOf("/");
    if (summaryPath.value.slice(at + 1) === suggested(chosen)) {
      summaryPath.value = `${summaryPath.value.slice(0, at + 1)}${suggested(layout.value)}`;
    }
    chosen = layout.value;
    title.textContent = `${y.long}の集計ブック(${chosen || "計画の様式"})`;
  });
  const templatesDir = h("input", { type: "text", id: "x-templates", class: "path", value: `${templatesFolder}/記入用_${y.short}`, "aria-label": "記入用ファイルの保存先フォルダ" });
  const done = h("section", { id: "x-done" });

  const show = (w: Written) => {
    done.replaceChildren(
      h("h2", {}, "出力しました"),
      h("ul", { class: "paths" }, ...w.files.map((f) => h("li", {}, f))),
      ...w.warnings.map((m) => h("p", { class: "hint" }, m)),
      h("button", { type: "button", onclick: () => api.reveal(w.files[0] ?? w.folder).catch((e) => ctx.toast(errorText(e), "error")) }, "フォルダを開く"),
    );
  };
  const run = (f: () => Promise<Written>) => async (e: Event) => {
    const b = e.target as HTMLButtonElement;
    b.disabled = true;
    try {
      show(await f());
      ctx.toast("出力しました");
    } catch (err) {
      ctx.toast(errorText(err), "error");
    } finally {
      b.disabled = false;
    }
  };

  return h("div", { class: "export" },
    h("h1", {}, "出力"),
    h("section", { class: "card" },
      title,
      h("p", {}, "計画を取り込んだときの様式(取組一覧なら集計・グラフのシートを含むブック)で保存します。別の様式(総合戦略のKPI進捗表など)も選べます。"),
      h("div", { class: "row" }, h("label", {}, "様式 ", layout)),
      h("div", { class: "row" }, summaryPath,
        h("button", { type: "button", onclick: async () => {
          const p = await dialogs.saveAs("集計ブックの保存先", summaryPath.value, "xlsx", "Excel ブック");
          if (p) summaryPath.value = p;
        } }, "参照…"),
        h("button", { type: "button", id: "x-summary-run", class: "primary", onclick: run(() => api.exportSummary(summaryPath.value, y.fy, layout.value || null)) }, "出力")),
    ),
    h("section", { class: "card" },
      h("h2", {}, "記入用ファイル(部ごと)"),
      h("p", {}, "各部に送る記入用ブックを、部ごとに 1 ファイルずつフォルダへ保存します。列と見出しは計画の様式に合わせます(施策、所管課、達成状況など)。"),
      h("div", { class: "row" }, templatesDir,
        h("button", { type: "button", onclick: async () => {
          const p = await dialogs.openFolder("保存先フォルダ");
          if (p) templatesDir.value = p;
        } }, "参照…"),
        h("button", { type: "button", id: "x-templates-run", class: "primary", onclick: run(() => api.exportTemplates(templatesDir.value, y.fy)) }, "出力")),
    ),
    done,
  );
}
