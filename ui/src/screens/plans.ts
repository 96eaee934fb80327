// 計画を切り替える: every plan of the database (demo plans labelled デモ), opening one,
// and removing a demo plan that is no longer wanted.
import { api, errorText, type PlanView } from "../lib/api";
import { confirmButton, h } from "../lib/dom";

/** Shows the plans; resolves `true` when the open plan changed or was removed. */
export function plansDialog(toast: (m: string, kind?: "ok" | "warn" | "error") => void): Promise<boolean> {
  return new Promise((resolve) => {
    let changed = false;
    const body = h("tbody", {});
    const done = () => { dlg.close(); dlg.remove(); resolve(changed); };
    const draw = (plans: PlanView[]) => {
      body.replaceChildren(...plans.map((p) => h("tr", { "data-plan": p.id, class: p.current ? "current" : "" },
        h("td", {}, p.title, p.demo ? h("span", { class: "tag demo" }, "デモ") : null),
        h("td", {}, p.organization),
        h("td", {}, p.year),
        h("td", {}, p.current
          ? h("span", { class: "meta" }, "表示中")
          : h("button", { type: "button", class: "open-plan", onclick: async () => {
              try {
                await api.switchPlan(p.id);
                changed = true;
                done();
              } catch (e) {
                toast(errorText(e), "error");
              }
            } }, "開く")),
        h("td", {}, p.demo ? confirmButton("デモ計画を削除", "もう一度押すと削除します", async () => {
          try {
            draw(await api.deleteDemoPlan(p.id));
            changed = true;
            toast(`デモ計画「${p.title}」を削除しました(削除前の状態はバックアップにあります)`);
          } catch (e) {
            toast(errorText(e), "error");
          }
        }, { class: "delete-plan" }) : null),
      )));
    };
    const dlg = h("dialog", { class: "confirm plans", id: "plans-dialog", "aria-labelledby": "plans-title" },
      h("h2", { id: "plans-title" }, "計画を切り替える"),
      h("p", { class: "help" }, "デモ計画は操作を試すための見本です。県の取組一覧を取り込むと、その計画がここに加わります。"),
      h("table", { class: "plans" },
        h("thead", {}, h("tr", {}, h("th", {}, "計画"), h("th", {}, "団体"), h("th", {}, "報告年度"), h("th", {}), h("th", {}))),
        body),
      h("div", { class: "buttons" }, h("button", { type: "button", id: "plans-close", onclick: done }, "閉じる")),
    ) as HTMLDialogElement;
    dlg.addEventListener("cancel", (e) => { e.preventDefault(); done(); });
    document.body.append(dlg);
    api.plans().then(draw, (e) => toast(errorText(e), "error"));
    dlg.showModal();
    (dlg.querySelector("#plans-close") as HTMLButtonElement).focus();
  });
}
