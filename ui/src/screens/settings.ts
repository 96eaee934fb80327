// 設定: data folder, chart settings (year labels, font), backups.
import { api, dialogs, errorText, type BackupView, type SettingsView } from "../lib/api";
import { confirmButton, h, select } from "../lib/dom";
import { bytes, wareki } from "../lib/format";
import type { Ctx } from "../context";

export async function settingsScreen(ctx: Ctx): Promise<HTMLElement> {
  let v: SettingsView = await api.settings();
  const years = select([["short", "R5(短い表記)"], ["long", "令和5年度(長い表記)"]], v.settings.year_labels, { id: "s-years", "aria-label": "グラフの年度表記" });
  const font = h("input", { type: "text", class: "path", id: "s-font", value: v.settings.font ?? "", placeholder: "(自動: 見つかったフォントを使用)" });
  const fontInfo = h("p", { class: "hint" });
  const showFont = () => {
    fontInfo.textContent = v.font_found ? `使用中のフォント: ${v.font_found}` : `フォントがありません: ${v.font_problem ?? ""}`;
  };
  showFont();
  const save = async () => {
    try {
      v = await api.saveSettings({ year_labels: years.value, font: font.value.trim() || null });
      showFont();
      ctx.toast("設定を保存しました");
    } catch (e) {
      ctx.toast(errorText(e), "error");
    }
  };
  const backupsBody = h("tbody", {});
  const drawBackups = (bs: BackupView[]) => {
    backupsBody.replaceChildren(...bs.map((b) => h("tr", {},
      h("td", {}, wareki(b.at)), h("td", {}, b.reason_label), h("td", { class: "num" }, bytes(b.bytes)), h("td", { class: "file" }, b.file),
      h("td", {}, confirmButton("復元", "もう一度押すと復元します", async () => {
        try {
          drawBackups(await api.restoreBackup(b.path));
          await ctx.refresh();
          ctx.toast(`${b.file} を復元しました(復元前の状態もバックアップしました)`);
        } catch (e) {
          ctx.toast(errorText(e), "error");
        }
      })))));
    if (bs.length === 0) backupsBody.append(h("tr", {}, h("td", { colspan: 5, class: "empty" }, "バックアップはまだありません(取込・取りまとめの前に自動で作成されます)")));
  };
  drawBackups(await api.backups());

  // 評価ルール: the plan's rule; the counts, the forms' proposals and drop-downs, the
  // templates and the summary sheet follow it. Marks already entered stay as written.
  const rules = await api.rules();
  const current = rules.find((r) => r.current);
  const rule = select(rules.map((r): [string, string] => [r.name, `${r.name}(${r.marks.join(" ")})`]), current?.name ?? "maru", { id: "s-rule", "aria-label": "評価ルール" });
  const ruleInfo = h("p", { class: "hint", id: "s-rule-info" });
  const showRule = () => {
    const r = rules.find((x) => x.name === rule.value);
    ruleInfo.textContent = r ? r.description : "";
  };
  rule.addEventListener("change", showRule);
  showRule();
  const applyRule = async (name: string | null, file: string | null) => {
    try {
      const r = await api.useRule(name, file);
      await ctx.refresh();
      ctx.toast(`評価ルールを「${r.name}」にしました(${r.marks.join(" ")})`);
    } catch (e) {
      ctx.toast(errorText(e), "error");
    }
  };

  // 年度: start the next report year (nothing copied; last year's texts travel as 前年度).
  const o = ctx.overview;
  const next = o.years.find((y) => y.fy === o.year.fy + 1);

  return h("div", { class: "settings" },
    h("h1", {}, "設定"),
    h("section", { class: "card" }, h("h2", {}, "データ"),
      h("dl", {},
        h("dt", {}, "データフォルダ"), h("dd", { class: "path" }, v.data_folder),
        h("dt", {}, "データベース"), h("dd", { class: "path" }, v.database),
        h("dt", {}, "版"), h("dd", {}, `アプリ ${v.app_version}・スキーマ ${v.schema_version}`)),
      h("button", { type: "button", onclick: () => api.reveal(v.database).catch((e) => ctx.toast(errorText(e), "error")) }, "フォルダを開く")),
    h("section", { class: "card" }, h("h2", {}, "グラフ"),
      h("label", {}, "年度の表記 ", years),
      h("div", { class: "row" }, h("label", { for: "s-font" }, "フォント "), font,
        h("button", { type: "button", onclick: async () => {
          const p = await dialogs.openFile("フォントファイル", ["ttf", "otf", "ttc"]);
          if (p) font.value = p;
        } }, "参照…")),
      fontInfo,
      h("button", { type: "button", class: "primary", id: "s-save", onclick: save }, "保存")),
    h("section", { class: "card", id: "s-rules" }, h("h2", {}, "評価ルール"),
      h("div", { class: "row" }, h("label", { for: "s-rule" }, "ルール "), rule,
        h("button", { type: "button", class: "primary", id: "s-rule-use", onclick: () => applyRule(rule.value, null) }, "このルールにする"),
        h("button", { type: "button", onclick: async () => {
          const p = await dialogs.openFile("評価ルールのファイル(TOML)", ["toml"]);
          if (p) await applyRule(null, p);
        } }, "ファイルから…")),
      ruleInfo,
      h("p", { class: "hint" }, "入力済みの評価はそのまま残ります。計画一覧の件数、年度入力の提案と選択肢、記入用ファイル、取組一覧の評価欄が新しいルールに従います。")),
    h("section", { class: "card", id: "s-year" }, h("h2", {}, "報告年度"),
      h("p", {}, `いまの報告年度: ${o.year.long}`),
      next
        ? confirmButton(`${next.long}を始める`, `もう一度押すと${next.long}を始めます`, async () => {
            try {
              const y = await api.startYear(next.fy);
              await ctx.refresh(true);
              await ctx.go("settings");
              ctx.toast(`${y.to}を始めました(照会する事業 ${y.projects} 件)`);
            } catch (e) {
              ctx.toast(errorText(e), "error");
            }
          }, { id: "s-year-start" })
        : h("p", { class: "hint" }, "計画期間の最後の年度です"),
      h("p", { class: "hint" }, "値は写しません。前年度の取組状況と評価は、記入用ファイルと年度入力に「前年度」として表示されます。")),
    h("section", { class: "card" }, h("h2", {}, "バックアップ"),
      h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "日時"), h("th", {}, "作成時の操作"), h("th", {}, "サイズ"), h("th", {}, "ファイル"), h("th", {}))), backupsBody)),
  );
}
