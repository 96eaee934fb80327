// 履歴: every write to every plan, newest first, with the fields each changed
// (expandable) and undo.
import { api, errorText, type RevisionView } from "../lib/api";
import { confirmButton, h } from "../lib/dom";
import { wareki } from "../lib/format";
import type { Ctx } from "../context";

export async function historyScreen(ctx: Ctx): Promise<HTMLElement> {
  const body = h("tbody", {});
  const several = new Set((await api.history()).map((r) => r.plan)).size > 1;
  /** The fields a revision changed, in a row under it (opened and closed by its button). */
  const details = async (r: RevisionView, row: HTMLElement, button: HTMLButtonElement) => {
    const open = row.nextElementSibling as HTMLElement | null;
    if (open?.classList.contains("changes")) {
      open.remove();
      button.setAttribute("aria-expanded", "false");
      return;
    }
    try {
      const c = await api.revisionChanges(r.id);
      const list = h("table", { class: "change-list" },
        h("thead", {}, h("tr", {}, h("th", {}, "項目"), h("th", {}, "変更前"), h("th", {}, "変更後"))),
        h("tbody", {}, ...c.changes.map((x) => h("tr", { title: x.path },
          h("td", {}, x.what), h("td", { class: "value" }, x.before ?? "(空欄)"), h("td", { class: "value" }, x.after ?? "(空欄)")))));
      const more = c.total > c.changes.length ? h("p", { class: "hint" }, `ほか ${c.total - c.changes.length} 項目(先頭の ${c.changes.length} 項目を表示)`) : null;
      row.after(h("tr", { class: "changes" }, h("td", { colspan: 9 }, list, more)));
      button.setAttribute("aria-expanded", "true");
    } catch (e) {
      ctx.toast(errorText(e), "error");
    }
  };
  const draw = (revs: RevisionView[]) => {
    body.replaceChildren(...revs.map((r) => {
      const toggle = h("button", { type: "button", class: "link show-changes", "aria-expanded": "false" }, `${r.fields_changed} 項目`) as HTMLButtonElement;
      const row = h("tr", { "data-revision": r.id, class: r.undone_by ? "undone" : "" },
        h("td", { class: "num" }, `#${r.id}`),
        h("td", { class: "when" }, wareki(r.at)),
        h("td", {}, r.kind_label),
        several ? h("td", {}, r.plan ?? "") : null,
        h("td", {}, r.summary, r.undone_by ? h("span", { class: "tag" }, `#${r.undone_by} で取り消し済み`) : null),
        h("td", { class: "file" }, r.file ?? ""),
        h("td", {}, r.department ?? ""),
        h("td", { class: "num" }, r.fields_changed > 0 ? toggle : "0"),
        h("td", {}, r.undone_by || r.kind === "init" ? null : confirmButton("取り消す", "もう一度押すと取り消します", async () => {
          try {
            draw(await api.undo(r.id));
            await ctx.refresh();
            ctx.toast(`履歴 #${r.id} を取り消しました`);
          } catch (e) {
            ctx.toast(errorText(e), "error");
          }
        }, { class: "undo" })),
      );
      toggle.addEventListener("click", () => void details(r, row, toggle));
      return row;
    }));
  };
  draw(await api.history());
  return h("div", { class: "history" },
    h("h1", {}, "履歴"),
    h("table", { class: "revisions" },
      h("thead", {}, h("tr", {}, h("th", {}, "番号"), h("th", {}, "日時"), h("th", {}, "種類"), several ? h("th", {}, "計画") : null, h("th", {}, "内容"), h("th", {}, "ファイル"), h("th", {}, "部"), h("th", {}, "変更した項目"), h("th", {}))),
      body),
  );
}
