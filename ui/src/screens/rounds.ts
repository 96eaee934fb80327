// 照会: the coordinator's board for the year's query to every 部 — who has returned,
// who is overdue, files received; open a round, drop returns onto the board (the
// merge runs and the board updates), 差戻し with a note, 確定 / 解除 with a reason,
// and the reminder text to copy into mail.
import { api, dialogs, errorText, onFilesDropped, type RoundBoard, type RoundLine } from "../lib/api";
import { clear, h } from "../lib/dom";
import { mergeOutcome } from "../lib/format";
import { pathList } from "../lib/pathlist";
import type { Ctx } from "../context";

const STATE: Record<string, string> = { not_returned: "未提出", returned: "提出済", sent_back: "差戻し", confirmed: "確定" };

export async function roundsScreen(ctx: Ctx): Promise<HTMLElement> {
  const boardEl = h("section", { id: "round-board" });
  const [sendBackFolder, templatesFolder] = await Promise.all([api.defaultFolder("send_back"), api.defaultFolder("templates")]);
  const remindEl = h("section", { id: "round-remind" });
  const files = pathList(() => dialogs.openWorkbooks(true), "返送ファイルのパス(1 行に 1 つ)を貼り付け");
  const drop = h("div", { class: "dropzone", id: "round-drop" }, "ここに返送ファイル(.xlsx)をドロップすると取りまとめます");
  const unlisten = await onFilesDropped(async (paths) => {
    files.add(paths.filter((p) => /\.xls[xm]$/i.test(p)));
    await mergeNow();
  });
  ctx.onLeave(async () => unlisten());

  async function mergeNow() {
    const ps = files.paths();
    if (ps.length === 0) return ctx.toast("返送ファイルを追加してください", "error");
    try {
      const r = await api.mergeReturns(ps);
      files.clear();
      await ctx.refresh();
      ctx.toast(...mergeOutcome(r));
      await draw();
    } catch (e) {
      ctx.toast(errorText(e), "error");
    }
  }

  const act = async (f: () => Promise<unknown>, done: string) => {
    try {
      await f();
      ctx.toast(done);
      await ctx.refresh();
      await draw();
    } catch (e) {
      ctx.toast(errorText(e), "error");
    }
  };

  function line(d: RoundLine): HTMLElement {
    const total = d.filled + d.empty;
    const pct = total === 0 ? 100 : Math.round((d.filled / total) * 100);
    const note = h("input", { type: "text", class: "note", placeholder: "差戻しの理由・依頼", "aria-label": `${d.department}への差戻しの理由` }) as HTMLInputElement;
    const dir = h("input", { type: "text", class: "dir", value: sendBackFolder, placeholder: "差戻しファイルの保存先フォルダ", "aria-label": `${d.department}の差戻しファイルの保存先` }) as HTMLInputElement;
    const reason = h("input", { type: "text", class: "reason", placeholder: "確定を解除する理由", "aria-label": `${d.department}の確定を解除する理由` }) as HTMLInputElement;
    const actions = d.state === "confirmed"
      ? [reason, h("button", { type: "button", class: "unlock", onclick: () => act(() => api.roundUnlock(d.department, reason.value), `${d.department}の確定を解除しました`) }, "確定を解除")]
      : [
          h("button", { type: "button", class: "confirm", disabled: d.state === "not_returned", onclick: () => act(() => api.roundConfirm(d.department), `${d.department}を確定しました`) }, "確定"),
          h("details", { class: "send-back" },
            h("summary", {}, "差戻し"),
            note, dir,
            h("button", { type: "button", onclick: async () => { const p = await dialogs.openFolder("差戻しファイルの保存先"); if (p) dir.value = p; } }, "フォルダを選ぶ…"),
            h("button", { type: "button", class: "send", onclick: () => act(() => api.roundSendBack(d.department, note.value, dir.value.trim()), `${d.department}へ差し戻すファイルを書き出しました`) }, "差戻しファイルを作成"),
          ),
        ];
    return h("tr", { "data-dept": d.department, class: `st-${d.state}${d.overdue ? " overdue" : ""}` },
      h("th", { scope: "row" }, d.department),
      h("td", {}, h("span", { class: `badge round-${d.state}` }, STATE[d.state] ?? d.state), d.overdue ? h("span", { class: "late" }, "期限超過") : null),
      h("td", { class: "fill" }, h("div", { class: "bar", title: `入力済 ${d.filled} / 未入力 ${d.empty}` }, h("div", { class: "done", style: `width:${pct}%` })), h("span", { class: "meta" }, `入力済 ${d.filled}・未入力 ${d.empty}`)),
      h("td", { class: "num" }, String(d.files)),
      h("td", {}, d.last_file ?? "—"),
      h("td", { class: "actions" }, h("div", { class: "acts" }, ...actions)),
    );
  }

  async function draw() {
    let b: RoundBoard;
    try {
      b = await api.roundBoard();
    } catch (e) {
      clear(boardEl);
      boardEl.append(h("p", { class: "error-box", role: "alert" }, errorText(e)));
      return;
    }
    clear(boardEl);
    clear(remindEl);
    if (!b.status) {
      const due = h("input", { type: "date", id: "round-due", "aria-label": "回答期限" }) as HTMLInputElement;
      const title = h("input", { type: "text", id: "round-title", placeholder: `${ctx.overview.year.long}実績照会`, "aria-label": "照会の名前" }) as HTMLInputElement;
      boardEl.append(
        h("p", {}, `${ctx.overview.year.long}の照会は開いていません。`),
        h("div", { class: "row" },
          h("label", {}, "回答期限 ", due), h("label", {}, "名前 ", title),
          h("button", { type: "button", id: "round-open", class: "primary", onclick: () => act(() => api.roundOpen(due.value, title.value), "照会を開始しました") }, "照会を開始"),
        ),
        h("p", { class: "help" }, "開始後に「出力」画面で書き出した記入用ファイルは、この照会への回答として扱われます。"),
      );
      return;
    }
    const s = b.status;
    const left = b.days_left === null ? "" : b.days_left >= 0 ? `期限まで ${b.days_left} 日` : `期限を ${-b.days_left} 日超過`;
    boardEl.append(
      h("div", { class: "title-row" },
        h("h2", { id: "round-title-shown" }, s.round.title),
        h("span", { class: "meta" }, `回答期限 ${s.round.due}・${left}・提出済 ${b.returned} / ${b.total}`),
      ),
      h("table", { class: "board" },
        h("thead", {}, h("tr", {}, h("th", {}, "部"), h("th", {}, "状態"), h("th", {}, "入力"), h("th", {}, "ファイル"), h("th", {}, "最新のファイル"), h("th", {}, ""))),
        h("tbody", {}, ...s.departments.map(line)),
      ),
    );
    const tdir = h("input", { type: "text", id: "round-templates-dir", value: `${templatesFolder}/記入用_${ctx.overview.year.short}`, placeholder: "記入用ファイルを書き出すフォルダ", "aria-label": "記入用ファイルを書き出すフォルダ" }) as HTMLInputElement;
    boardEl.append(
      h("div", { class: "row templates" },
        h("span", {}, "この照会の記入用ファイル(全部): "),
        tdir,
        h("button", { type: "button", onclick: async () => { const p = await dialogs.openFolder("記入用ファイルの保存先"); if (p) tdir.value = p; } }, "フォルダを選ぶ…"),
        h("button", { type: "button", id: "round-templates", onclick: () => act(() => api.exportTemplates(tdir.value.trim(), s.round.year), "記入用ファイルを書き出しました") }, "書き出す"),
      ),
    );
    const text = h("textarea", { id: "remind-text", rows: 8, readOnly: true, "aria-label": "督促文" }) as HTMLTextAreaElement;
    remindEl.append(
      h("button", { type: "button", id: "remind", onclick: async () => {
        try {
          text.value = await api.roundRemind();
          text.select();
          const copied = document.execCommand("copy");
          ctx.toast(copied ? "督促文をコピーしました" : "督促文を選択しました。Ctrl+C でコピーしてください");
        } catch (e) {
          ctx.toast(errorText(e), "error");
        }
      } }, "督促文をコピー"),
      text,
    );
  }

  await draw();
  return h("div", { class: "rounds" },
    h("h1", {}, "照会"),
    boardEl,
    h("section", { class: "round-merge" }, h("h2", {}, "返送ファイルの取りまとめ"), drop, files.el,
      h("button", { type: "button", id: "round-merge-run", class: "primary", onclick: mergeNow }, "取りまとめを実行")),
    remindEl,
  );
}
