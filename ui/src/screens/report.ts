// 報告書: per 分野 and 項目, the 現状・課題 and 取組状況 texts of the progress report
// (sub-headings and ○ bullets by line), with KPI quotes inserted from a picker and a
// live preview of each text as the report will print it. Each text saves when it
// loses focus or typing stops (one revision); the core writes out the quotes and says
// which cannot be written, before the report is. 報告書を出力 writes the .docx.
import { api, dialogs, errorText, type KpiListItem, type ReportItemView } from "../lib/api";
import { clear, h } from "../lib/dom";
import type { Ctx } from "../context";
import { autosave, pendingSaves } from "../lib/pending";


const QUOTES: [string, string][] = [
  ["", "基準値→実績(877件→5,403件)"],
  [":実績", "実績"],
  [":基準値", "基準値"],
  [":実績時点", "実績の時点"],
  [":基準年度", "基準年度"],
];

export async function reportScreen(ctx: Ctx): Promise<HTMLElement> {
  const [items, kpis] = await Promise.all([api.reportItems(), api.kpis()]);
  if (items.length === 0) return h("p", { class: "empty" }, "この計画には項目がありません");
  const itemSel = h("select", { id: "r-item", "aria-label": "項目" },
    ...items.map((it, i) => h("option", { value: String(i) }, `${it.area} ${it.area_name ?? ""} / ${it.item} ${it.item_name ?? ""}${it.situation || it.progress ? "" : "(未記入)"}`))) as HTMLSelectElement;
  const start = ctx.params.item ? items.findIndex((it) => `${it.area}/${it.item}` === ctx.params.item) : -1;
  itemSel.value = String(Math.max(start, 0));
  const body = h("div", { id: "r-body" });
  const saving = pendingSaves(ctx, body, "文章");
  const flush = saving.flush;
  let lastText: HTMLTextAreaElement | null = null;

  // The quote picker: a KPI and what of it, inserted where the cursor is.
  const kpiSel = h("select", { id: "r-kpi", "aria-label": "引用する KPI" },
    ...kpis.map((k: KpiListItem) => h("option", { value: String(k.no) }, `KPI ${k.no} ${k.name}`))) as HTMLSelectElement;
  const whatSel = h("select", { id: "r-what", "aria-label": "引用する値" },
    ...QUOTES.map(([v, l]) => h("option", { value: v }, l))) as HTMLSelectElement;
  // Pressing the button leaves the cursor in the text (no save between typing and the quote).
  const insert = h("button", { type: "button", id: "r-insert", onmousedown: (e: Event) => e.preventDefault(), onclick: () => {
    const t = lastText;
    if (!t) return ctx.toast("引用を入れる文章をクリックしてから押してください", "warn");
    const quote = `{kpi:${kpiSel.value}${whatSel.value}}`;
    const [a, b] = [t.selectionStart ?? t.value.length, t.selectionEnd ?? t.value.length];
    t.value = t.value.slice(0, a) + quote + t.value.slice(b);
    t.focus();
    t.setSelectionRange(a + quote.length, a + quote.length);
    t.dispatchEvent(new Event("input"));
  } }, "引用を挿入");

  function textField(label: string, path: string, value: string | null, hint: string, progress: boolean) {
    const t = h("textarea", { rows: 8, value: value ?? "", "data-path": path, "aria-label": label }) as HTMLTextAreaElement;
    const { state, err } = autosave(saving, t, path, `報告書: ${label}`);
    const preview = h("div", { class: `report-preview${progress ? " progress" : ""}`, "aria-label": `${label}の印刷イメージ` });
    let previewTimer = 0;
    const showPreview = async () => {
      try {
        const text = await api.reportPreview(t.value);
        preview.classList.remove("bad");
        preview.replaceChildren(...lines(text, progress));
        if (!t.getAttribute("aria-invalid")) err.textContent = "";
      } catch (e) {
        // A quote that cannot be written is said where it is, before the report is written.
        preview.classList.add("bad");
        preview.replaceChildren(h("p", {}, errorText(e)));
      }
    };
    t.addEventListener("focus", () => { lastText = t; });
    t.addEventListener("input", () => {
      clearTimeout(previewTimer);
      previewTimer = window.setTimeout(() => void showPreview(), 250);
    });
    void showPreview();
    return h("div", { class: "field report-field" },
      h("label", {}, label), t,
      h("div", { class: "under" }, err, h("span", { class: "hint" }, hint), state),
      h("h4", {}, "印刷イメージ"), preview);
  }

  /** The text as the report prints it: lines; in 取組状況, （１）見出し and ○ bullets. */
  function lines(text: string, progress: boolean): HTMLElement[] {
    return text.split("\n").filter((l) => l.trim()).map((l) => {
      const s = l.trim();
      if (progress && /^[（(][０-９\d]+[）)]/.test(s)) return h("p", { class: "sub" }, s);
      if (progress && /^[○◯・]/.test(s)) return h("p", { class: "bullet" }, s.replace(/^[○◯・]\s*/, ""));
      return h("p", {}, s);
    });
  }

  function draw() {
    clear(body);
    const it: ReportItemView = items[Number(itemSel.value)];
    body.append(
      h("h2", {}, `${it.item} ${it.item_name ?? ""}`, h("span", { class: "meta" }, ` ${it.area} ${it.area_name ?? ""}`)),
      h("div", { class: "report-texts" },
        textField("現状・課題", it.situation_path, it.situation, "段落ごとに改行します", false),
        textField("取組状況", it.progress_path, it.progress, "（１）で見出し、○ で箇条書き。KPI の値は引用で入れると最新の実績になります", true),
      ),
    );
  }
  itemSel.addEventListener("change", async () => {
    if (!(await flush())) return;
    const fresh = await api.reportItems();
    items.splice(0, items.length, ...fresh);
    draw();
  });
  draw();

  const exportButton = h("button", { type: "button", id: "r-export", onclick: async () => {
    if (!(await flush())) return;
    const folder = await api.defaultFolder("report").catch(() => "");
    const path = await dialogs.saveAs("報告書を保存", `${folder ? `${folder}/` : ""}${ctx.overview.title}_取組状況.docx`, "docx", "Word 文書");
    if (!path) return;
    try {
      const w = await api.exportReport(path);
      ctx.toast(`報告書を出力しました: ${w.files[0]}`);
    } catch (e) {
      ctx.toast(errorText(e), "error");
    }
  } }, "報告書を出力…");

  return h("div", { class: "report-screen" },
    h("div", { class: "title-row" }, h("h1", {}, "報告書"), itemSel, exportButton),
    h("div", { class: "row quote-picker" }, h("span", {}, "KPI の引用: "), kpiSel, whatSel, insert),
    body,
  );
}
