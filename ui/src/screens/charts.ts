// グラフ: a KPI's chart (the core's SVG), or the charts of a project, area or
// department as a grid; print (A4 landscape) and PNG / PDF files.
import { api, dialogs, errorText, type ChartSelection, type ChartView } from "../lib/api";
import { clear, h, select } from "../lib/dom";
import type { Ctx } from "../context";

export async function chartsScreen(ctx: Ctx): Promise<HTMLElement> {
  const o = ctx.overview;
  const kpis = await api.kpis();
  const by = select([["kpi", "KPI"], ["project", "事業"], ["area", "分野"], ["department", "部"]], ctx.params.by ?? "kpi", { id: "c-by", "aria-label": "表示の単位" });
  const key = h("select", { id: "c-key", "aria-label": "対象" });
  const grid = h("div", { class: "charts", id: "chart-grid" });
  const projects = [...new Set(kpis.flatMap((k) => k.projects))];

  const fillKeys = () => {
    const opts: [string, string][] =
      by.value === "kpi" ? kpis.map((k) => [String(k.no), `KPI ${k.no} ${k.name}`])
      : by.value === "project" ? projects.map((p) => [p, `事業 ${p}`])
      : by.value === "area" ? o.areas.map((a) => [a.code, `${a.code} ${a.name ?? ""}`])
      : o.departments.map((d) => [d.name, d.name]);
    key.replaceChildren(...opts.map(([v, l]) => h("option", { value: v }, l)));
    if (ctx.params.key) key.value = ctx.params.key;
  };

  const selection = (): ChartSelection =>
    by.value === "kpi" ? { by: "kpi", key: Number(key.value) }
    : by.value === "project" ? { by: "project", key: key.value }
    : by.value === "area" ? { by: "area", key: key.value }
    : { by: "department", key: key.value };

  const card = (c: ChartView) => {
    const figure = h("figure", { class: "chart", "data-kpi": c.no });
    // The SVG is the core's own output (plotters escapes the plan's text).
    figure.innerHTML = c.svg;
    figure.append(h("figcaption", {}, c.title, " ",
      h("button", { type: "button", class: "link noprint", onclick: async () => {
        const folder = await api.defaultFolder("charts").catch(() => "");
        const path = await dialogs.saveAs("グラフを PNG で保存", `${folder ? `${folder}/` : ""}KPI${c.no}.png`, "png", "PNG 画像");
        if (!path) return;
        try {
          await api.exportChartPng(c.no, path);
          ctx.toast(`保存しました: ${path}`);
        } catch (e) {
          ctx.toast(errorText(e), "error");
        }
      } }, "PNG で保存…")));
    return figure;
  };

  async function draw() {
    clear(grid);
    grid.append(h("p", { class: "loading" }, "描画中…"));
    try {
      const cs = await api.charts(selection(), ctx.year);
      clear(grid);
      grid.classList.toggle("single", cs.length === 1);
      grid.append(...cs.map(card));
    } catch (e) {
      clear(grid);
      grid.append(h("p", { class: "error-box", role: "alert" }, errorText(e)));
    }
  }

  // 印刷: the core writes the PDF and the system's viewer prints it (the same everywhere).
  const print = async (e: Event) => {
    const b = e.target as HTMLButtonElement;
    b.disabled = true;
    try {
      const w = await api.printCharts(selection(), ctx.year);
      grid.dataset.printed = w.files[0] ?? "";
      if (w.warnings.some((m) => m.includes("開くアプリ"))) ctx.toast(w.warnings.find((m) => m.includes("開くアプリ"))!, "warn");
      else ctx.toast(`印刷用のPDFを開きました: ${w.files[0]}`);
    } catch (err) {
      ctx.toast(errorText(err), "error");
    } finally {
      b.disabled = false;
    }
  };

  const book = async () => {
    const folder = await api.defaultFolder("charts").catch(() => "");
    const path = await dialogs.saveAs("グラフ集を PDF で保存", `${folder ? `${folder}/` : ""}KPIグラフ集.pdf`, "pdf", "PDF");
    if (!path) return;
    try {
      const w = await api.exportChartBook(path, "a4", 2, by.value === "department" ? "department" : "area");
      ctx.toast(`保存しました: ${w.files[0]}`);
    } catch (e) {
      ctx.toast(errorText(e), "error");
    }
  };

  by.addEventListener("change", () => { delete ctx.params.key; fillKeys(); void draw(); });
  key.addEventListener("change", () => void draw());
  fillKeys();
  await draw();

  return h("div", { class: "charts-screen" },
    h("div", { class: "title-row noprint" }, h("h1", {}, `グラフ(${o.years.find((y) => y.fy === ctx.year)?.long ?? o.year.long})`), by, key,
      h("button", { type: "button", id: "print", title: "表示中のグラフをPDFにして開きます(見出し・日付・ページ番号付き)", onclick: print }, "印刷…"),
      h("button", { type: "button", onclick: book }, "グラフ集 PDF…")),
    grid,
  );
}
