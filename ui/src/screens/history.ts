// 履歴: every write to the plan, newest first, with undo.
import { api, errorText, type RevisionView } from "../lib/api";
import { confirmButton, h } from "../lib/dom";
import { wareki } from "../lib/format";
import type { Ctx } from "../context";

export async function historyScreen(ctx: Ctx): Promise<HTMLElement> {
  const body = h("tbody", {});
  const draw = (revs: RevisionView[]) => {
    body.replaceChildren(...revs.map((r) =>
      h("tr", { "data-revision": r.id, class: r.undone_by ? "undone" : "" },
        h("td", { class: "num" }, `#${r.id}`),
        h("td", { class: "when" }, wareki(r.at)),
        h("td", {}, r.kind_label),
        h("td", {}, r.summary, r.undone_by ? h("span", { class: "tag" }, `#${r.undone_by} で取り消し済み`) : null),
        h("td", { class: "file" }, r.file ?? ""),
        h("td", {}, r.department ?? ""),
        h("td", { class: "num" }, r.fields_changed),
        h("td", {}, r.undone_by || r.kind === "init" ? null : confirmButton("取り消す", "もう一度押すと取り消します", async () => {
          try {
            draw(await api.undo(r.id));
            await ctx.refresh();
            ctx.toast(`履歴 #${r.id} を取り消しました`);
          } catch (e) {
            ctx.toast(errorText(e), "error");
          }
        }, { class: "undo" })),
      )));
  };
  draw(await api.history());
  return h("div", { class: "history" },
    h("h1", {}, "履歴"),
    h("table", { class: "revisions" },
      h("thead", {}, h("tr", {}, h("th", {}, "番号"), h("th", {}, "日時"), h("th", {}, "種類"), h("th", {}, "内容"), h("th", {}, "ファイル"), h("th", {}, "部"), h("th", {}, "項目数"), h("th", {}))),
      body),
  );
}
