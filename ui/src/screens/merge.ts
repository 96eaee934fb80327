// 取りまとめ: merge department return files, with progress, the result per file
// and the conflicts side by side (配布時 / いまの計画 / 返送) to decide.
import { api, dialogs, errorText, onFilesDropped, type ConflictView, type MergeView } from "../lib/api";
import { clear, h } from "../lib/dom";
import { MERGE_STATUS, mergeOutcome, wareki } from "../lib/format";
import { pathList } from "../lib/pathlist";
import type { Ctx } from "../context";

export async function mergeScreen(ctx: Ctx): Promise<HTMLElement> {
  const files = pathList(() => dialogs.openWorkbooks(true), "返送ファイルのパス(1 行に 1 つ)を貼り付け");
  const drop = h("div", { class: "dropzone", id: "dropzone" }, "ここに返送ファイル(.xlsx)をドロップ");
  const unlisten = await onFilesDropped((paths) => {
    files.add(paths.filter((p) => /\.xls[xm]$/i.test(p)));
    drop.classList.add("dropped");
  });
  ctx.onLeave(async () => unlisten());
  const result = h("section", { id: "merge-result" });
  const conflictsEl = h("section", { id: "conflicts" });
  const run = h("button", { type: "button", id: "merge-run", class: "primary" }, "取りまとめを実行");

  run.addEventListener("click", async () => {
    const ps = files.paths();
    if (ps.length === 0) {
      ctx.toast("返送ファイルを追加してください", "error");
      return;
    }
    run.disabled = true;
    run.textContent = "取りまとめ中…";
    try {
      const r = await api.mergeReturns(ps);
      showResult(r);
      files.clear();
      await ctx.refresh();
      await drawConflicts();
      // The outcome is said in the result (an error or warning there, where the work is).
      const [message, kind] = mergeOutcome(r);
      if (kind === "ok") ctx.toast(message);
    } catch (e) {
      ctx.toast(errorText(e), "error");
    } finally {
      run.disabled = false;
      run.textContent = "取りまとめを実行";
    }
  });

  function showResult(r: MergeView) {
    clear(result);
    const [message, kind] = mergeOutcome(r);
    result.append(
      h("h2", {}, "結果", r.revision_id ? h("span", { class: "meta" }, ` 履歴 #${r.revision_id}`) : null),
      h("p", { class: `outcome ${kind}`, id: "merge-outcome", "data-kind": kind, role: kind === "error" ? "alert" : "status" }, message),
      h("table", { class: "result" },
        h("thead", {}, h("tr", {}, h("th", {}, "ファイル"), h("th", {}, "部"), h("th", {}, "状態"), h("th", {}, "反映"), h("th", {}, "競合"), h("th", {}, "変更なし"), h("th", {}, "メッセージ"))),
        h("tbody", {}, ...r.files.map((f) =>
          h("tr", { class: `st-${f.status}` },
            h("td", {}, f.file), h("td", {}, f.department ?? "—"),
            h("td", {}, h("span", { class: `status m-${f.status}` }, MERGE_STATUS[f.status] ?? f.status)),
            h("td", { class: "num" }, f.applied), h("td", { class: "num" }, f.conflicts), h("td", { class: "num" }, f.unchanged),
            h("td", { class: "messages" }, ...f.messages.map((m) => h("div", {}, m))),
          ))),
      ),
    );
  }

  const cell = (v: string | null) => h("span", { class: v === null ? "value empty" : "value" }, v ?? "(空欄)");

  function conflictRow(c: ConflictView) {
    const typed = h("input", { type: "text", "aria-label": "採用する値", placeholder: "値を入力" });
    const decide = async (take: "plan" | "return" | "value") => {
      try {
        await api.resolveConflict(c.id, take, take === "value" ? typed.value : undefined);
        await ctx.refresh();
        await drawConflicts();
        ctx.toast(`競合 #${c.id} を解決しました`);
      } catch (e) {
        ctx.toast(errorText(e), "error");
      }
    };
    return h("article", { class: "conflict", "data-conflict": c.id },
      h("header", {},
        h("strong", {}, `#${c.id} ${c.title}`),
        h("span", { class: "meta" }, ` ${c.file}${c.cell ? ` (${c.cell})` : ""}・${c.department ?? ""}・${wareki(c.at)}`)),
      h("div", { class: "sides" },
        h("div", { class: "side base" }, h("h4", { title: "記入用ファイルを作成して配布したときの計画の値" }, "配布時の値"), cell(c.base)),
        h("div", { class: "side plan" }, h("h4", {}, "いまの計画の値"), cell(c.current), h("button", { type: "button", class: "take-plan", onclick: () => decide("plan") }, "計画の値を採用")),
        h("div", { class: "side return" }, h("h4", {}, `${c.department ?? "部"}からの返送の値`), cell(c.return_value), h("button", { type: "button", class: "take-return", onclick: () => decide("return") }, "返送の値を採用")),
        h("div", { class: "side typed" }, h("h4", {}, "別の値"), typed, h("button", { type: "button", onclick: () => decide("value") }, "この値にする")),
      ),
    );
  }

  async function drawConflicts() {
    const cs = await api.conflicts(false);
    clear(conflictsEl);
    conflictsEl.append(h("h2", {}, `未解決の競合 (${cs.length} 件)`));
    if (cs.length === 0) conflictsEl.append(h("p", { class: "empty" }, "未解決の競合はありません"));
    conflictsEl.append(...cs.map(conflictRow));
  }
  await drawConflicts();

  return h("div", { class: "merge" },
    h("div", { class: "title-row" }, h("h1", {}, "取りまとめ"),
      h("button", { type: "button", class: "link", onclick: () => ctx.go("history") }, "取りまとめの取り消しは「履歴」から")),
    drop, files.el, h("div", { class: "actions" }, run),
    result, conflictsEl,
  );
}
