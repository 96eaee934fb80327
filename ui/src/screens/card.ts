// 事業カード: a project's card as it prints (Tokushima seed 002): the KGI, each CSF
// with its KPIs — per KPI the 目標/実績 per 年度 (worded targets such as 運用 as
// written), 担当課 and ※ notes, its chart beside the table — then 課題とアクション and
// per year 取組内容 with 予算 and its lines (the mismatch the card flags shown as the
// core computes it). Every field saves when it loses focus or typing stops, one
// revision each, checked by the core; カードを出力 writes the PDF or the workbook.
import { api, dialogs, errorText, type CardEditView, type CardKpiView } from "../lib/api";
import { clear, confirmButton, h } from "../lib/dom";
import type { Ctx } from "../context";
import { autosave, pendingSaves } from "../lib/pending";


export async function cardScreen(ctx: Ctx): Promise<HTMLElement> {
  const kpis = await api.kpis();
  const projects = [...new Map(ctx.overview.areas.flatMap((a) => a.items.flatMap((it) => it.rows))
    .filter((r) => !r.relisted_of).map((r) => [r.no, r.name])).entries()];
  if (projects.length === 0) return h("p", { class: "empty" }, "この計画には事業がありません");
  const projectSel = h("select", { id: "k-project", "aria-label": "事業" },
    ...projects.map(([no, name]) => h("option", { value: no }, `${no} ${name}`))) as HTMLSelectElement;
  if (ctx.params.project && projects.some(([no]) => no === ctx.params.project)) projectSel.value = ctx.params.project;
  const body = h("div", { id: "k-body" });
  const saving = pendingSaves(ctx, body, "項目");
  const flush = saving.flush;
  let view: CardEditView;

  /** A field bound to a path: saved when it loses focus or typing pauses; the card is
   * read again after a save (the mismatch, the chart and the cells the core rewrote). */
  function bound(control: HTMLInputElement | HTMLTextAreaElement, path: string, label: string): HTMLElement {
    control.setAttribute("aria-label", label);
    const { err, state } = autosave(saving, control, path, `事業カード: 事業 ${view.project} ${label}`, refreshParts);
    return h("span", { class: "bound" }, control, err, state);
  }

  const input = (value: string | null) => h("input", { type: "text", value: value ?? "" }) as HTMLInputElement;
  const area = (value: string, rows = 3) => h("textarea", { rows, value }) as HTMLTextAreaElement;

  async function chartOf(no: number): Promise<HTMLElement> {
    const fig = h("figure", { class: "chart card-chart", "data-kpi": no });
    try {
      const [c] = await api.charts({ by: "kpi", key: no }, view.year.fy);
      // The SVG is the core's own output (plotters escapes the plan's text).
      fig.innerHTML = c?.svg ?? "";
    } catch {
      fig.append(h("p", { class: "hint" }, "グラフにできる数値がありません"));
    }
    return fig;
  }

  /** The project's KPI numbers in card order, as `project[X].kpis` holds them. */
  const refs = (): string[] => view.kpi_refs.split(",").filter(Boolean);
  /** Saves a change of the card's structure (KPIs, CSFs) as one revision, then redraws. */
  async function restructure(edits: { path: string; text: string }[], what: string) {
    if (!(await flush())) return;
    try {
      await api.editFields(edits, `事業カード: 事業 ${view.project} ${what}`);
      ctx.toast(`保存しました(${what})`);
      await draw();
    } catch (e) {
      ctx.toast(errorText(e), "error");
    }
  }
  /** The KPI numbers with `no` moved `by` places within its group. */
  function moved(no: number, by: -1 | 1): string[] | null {
    const group = view.groups.find((g) => g.kpis.some((k) => k.no === no))!;
    const i = group.kpis.findIndex((k) => k.no === no);
    const other = group.kpis[i + by];
    if (!other) return null;
    const list = refs();
    const [a, b] = [list.findIndex((r) => r.replace("(再掲)", "") === String(no)), list.findIndex((r) => r.replace("(再掲)", "") === String(other.no))];
    [list[a], list[b]] = [list[b], list[a]];
    return list;
  }
  /** Edits that add a KPI named `name` under the CSF `group` (the KGI when null). */
  function addKpi(name: string, group: string | null): { path: string; text: string }[] {
    const no = view.next_kpi;
    const used = view.groups.flatMap((g) => g.kpis).map((k) => Number(/KPI-(\d+)/.exec(k.heading)?.[1] ?? 0));
    const label = group === null ? "KGI" : `KPI-${Math.max(0, ...used) + 1}`;
    return [
      { path: `kpi[${no}].name`, text: name },
      { path: `kpi[${no}].label`, text: label },
      { path: `kpi[${no}].group`, text: group ?? "" },
      { path: view.kpi_refs_path, text: [...refs(), String(no)].join(",") },
    ];
  }

  /** 目標値の改定: the revisions kept so far, and a form for a new one (the original stays). */
  function revisionForm(k: CardKpiView): HTMLElement {
    const year = h("select", { "aria-label": `KPI ${k.no} の改定する年度` },
      ...k.cells.map((c) => h("option", { value: String(c.year.fy) }, c.year.long))) as HTMLSelectElement;
    year.value = String(k.cells[k.cells.length - 1]?.year.fy ?? "");
    const value = h("input", { type: "text", size: 10, "aria-label": `KPI ${k.no} の新しい目標値` }) as HTMLInputElement;
    const reason = h("input", { type: "text", size: 28, maxlength: 200, "aria-label": `KPI ${k.no} の改定理由` }) as HTMLInputElement;
    const revise = async () => {
      if (!(await flush())) return;
      try {
        const t = await api.setTarget(k.no, Number(year.value), value.value.trim(), reason.value.trim() || null);
        ctx.toast(`KPI ${t.kpi} の${t.year}の目標値を ${t.previous ?? "(なし)"} → ${t.value} に改定しました(当初の値は残ります)`);
        await draw();
      } catch (e) {
        ctx.toast(errorText(e), "error");
      }
    };
    return h("details", { class: "revisions", open: k.revisions.length > 0 ? "" : null },
      h("summary", {}, k.revisions.length ? `目標値の改定(${k.revisions.length} 件)` : "目標値を改定…"),
      k.revisions.length ? h("ul", {}, ...k.revisions.map((r) => h("li", {}, r))) : null,
      h("div", { class: "row" },
        h("label", {}, "年度 ", year), h("label", {}, "新しい目標値 ", value), h("label", {}, "理由 ", reason),
        h("button", { type: "button", class: "k-revise", onclick: revise }, "改定する")),
      h("p", { class: "hint" }, "改定より前に評価した年度は当初の目標値で評価したままです。取組一覧には「(当初 …)」、グラフには当初目標の線が出ます。"));
  }

  function kpiTable(k: CardKpiView): HTMLElement {
    const name = kpis.find((x) => x.no === k.no)?.name ?? k.name;
    const elsewhere = (kpis.find((x) => x.no === k.no)?.projects ?? []).some((p) => p !== view.project);
    const order = (by: -1 | 1) => {
      const list = moved(k.no, by);
      if (list) void restructure([{ path: view.kpi_refs_path, text: list.join(",") }], `KPI ${k.no} の並び順`);
    };
    return h("section", { class: `card-kpi${k.is_kgi ? " kgi" : ""}`, "data-kpi": k.no },
      h("div", { class: "row" }, h("h4", {}, k.heading),
        h("button", { type: "button", class: "link", "aria-label": "上へ", onclick: () => order(-1) }, "↑"),
        h("button", { type: "button", class: "link", "aria-label": "下へ", onclick: () => order(1) }, "↓"),
        confirmButton("カードから外す", "もう一度押すと外します", () => void restructure([
          { path: view.kpi_refs_path, text: refs().filter((r) => r.replace("(再掲)", "") !== String(k.no)).join(",") },
          // A KPI no other project lists goes with it.
          ...(elsewhere ? [] : [{ path: k.name_path, text: "" }]),
        ], `KPI ${k.no} を外す`), { class: "link k-remove" })),
      h("label", { class: "k-name" }, "指標名 ", bound(input(k.name), k.name_path, `KPI ${k.no} の指標名`)),
      h("div", { class: "card-kpi-body" },
        h("div", {},
          h("table", { class: "card-values" },
            h("thead", {}, h("tr", {}, h("th", {}, ""), ...k.cells.map((c) => h("th", {}, c.year.short)))),
            h("tbody", {},
              h("tr", {}, h("th", {}, "目標"), ...k.cells.map((c) => h("td", {}, bound(input(c.target), c.target_path, `KPI ${k.no} ${name} の目標値(${c.year.short})`)))),
              h("tr", {}, h("th", {}, "実績"), ...k.cells.map((c) => h("td", {}, bound(input(c.actual), c.actual_path, `KPI ${k.no} ${name} の実績値(${c.year.short})`)))))),
          h("div", { class: "row" },
            h("label", {}, "担当課 ", bound(area(k.divisions, 1), k.divisions_path, `KPI ${k.no} の担当課`)),
            h("label", {}, "※ 注記 ", bound(area(k.footnotes, 1), k.footnotes_path, `KPI ${k.no} の注記`))),
          revisionForm(k),
        ),
        h("div", { class: "chart-slot", "data-kpi": k.no }),
      ));
  }

  /** What a save can change elsewhere on the card: the mismatch flags and the charts. */
  async function refreshParts() {
    view = await api.cardView(view.project, ctx.year);
    view.sections.forEach((s, i) => {
      const el = body.querySelector<HTMLElement>(`[data-section="${i}"] .mismatch`);
      if (el) { el.textContent = s.mismatch ?? ""; el.hidden = !s.mismatch; }
    });
    for (const slot of body.querySelectorAll<HTMLElement>(".chart-slot")) slot.replaceChildren(await chartOf(Number(slot.dataset.kpi)));
  }

  /** A CSF's name (renames every KPI under it) and its place among the CSFs. */
  function groupHeading(nos: number[], group: string, gi: number): HTMLElement {
    const name = input(group);
    name.setAttribute("aria-label", "CSF の名前");
    name.addEventListener("change", () => void restructure(nos.map((n) => ({ path: `kpi[${n}].group`, text: name.value.trim() })), "CSF の名前"));
    const order = (by: -1 | 1) => {
      const groups = view.groups.filter((g) => g.heading);
      const i = gi - (view.groups.length - groups.length);
      const other = groups[i + by];
      if (!other) return;
      const list = refs();
      const of = (n: number) => list.find((r) => r.replace("(再掲)", "") === String(n))!;
      const kgi = view.groups.filter((g) => !g.heading).flatMap((g) => g.kpis.map((k) => of(k.no)));
      const order = groups.map((g) => g.kpis.map((k) => of(k.no)));
      [order[i], order[i + by]] = [order[i + by], order[i]];
      const placed = new Set([...kgi, ...order.flat()]);
      void restructure([{ path: view.kpi_refs_path, text: [...kgi, ...order.flat(), ...list.filter((r) => !placed.has(r))].join(",") }], "CSF の並び順");
    };
    return h("div", { class: "row csf-heading" }, h("h3", {}, "CSF"), name,
      h("button", { type: "button", class: "link", "aria-label": "CSF を上へ", onclick: () => order(-1) }, "↑"),
      h("button", { type: "button", class: "link", "aria-label": "CSF を下へ", onclick: () => order(1) }, "↓"));
  }

  function addKpiRow(group: string | null): HTMLElement {
    const name = input("");
    name.placeholder = "新しい KPI の指標名";
    name.setAttribute("aria-label", group === null ? "KGI に加える指標名" : `${group} に加える KPI の指標名`);
    return h("div", { class: "row k-add" }, name,
      h("button", { type: "button", class: "k-add-kpi", onclick: () => {
        if (name.value.trim()) void restructure(addKpi(name.value.trim(), group), `KPI を追加(${group ?? "KGI"})`);
        else ctx.toast("指標名を入力してください", "warn");
      } }, group === null ? "KGI を追加" : "KPI を追加"));
  }

  function addCsfRow(): HTMLElement {
    const csf = input("");
    csf.placeholder = "CSF-3 新しい重要成功要因";
    csf.setAttribute("aria-label", "新しい CSF");
    const kpi = input("");
    kpi.placeholder = "その最初の KPI の指標名";
    kpi.setAttribute("aria-label", "新しい CSF の最初の KPI");
    return h("div", { class: "row k-add-csf" }, h("strong", {}, "CSF を追加: "), csf, kpi,
      h("button", { type: "button", id: "k-add-csf", onclick: () => {
        if (csf.value.trim() && kpi.value.trim()) void restructure(addKpi(kpi.value.trim(), csf.value.trim()), `CSF を追加(${csf.value.trim()})`);
        else ctx.toast("CSF の名前と最初の KPI の指標名を入力してください", "warn");
      } }, "追加"));
  }

  /** Which drawing is the latest: an earlier one still waiting on the core gives way. */
  let drawing = 0;
  async function draw() {
    const me = ++drawing;
    let next: CardEditView;
    try {
      next = await api.cardView(projectSel.value, ctx.year);
    } catch (e) {
      if (me !== drawing) return;
      clear(body);
      body.append(h("p", { class: "error-box", role: "alert" }, errorText(e)));
      return;
    }
    if (me !== drawing) return;
    view = next;
    clear(body);
    body.append(
      h("h2", {}, view.title),
      ...view.groups.map((g, gi) => h("div", { class: "card-group", "data-group": g.kpis[0]?.group ?? "" },
        g.heading ? groupHeading(g.kpis.map((k) => k.no), g.kpis[0]?.group ?? "", gi) : null,
        ...g.kpis.map(kpiTable),
        addKpiRow(g.heading ? g.kpis[0]?.group ?? "" : null))),
      addCsfRow(),
      h("section", { class: "card-actions" },
        h("h3", {}, "課題とアクション"),
        bound(area(view.actions, 4), view.actions_path, "課題とアクション"),
        h("p", { class: "hint" }, "「課題: …」の行の後に「→ アクション」の行を書きます")),
      ...view.sections.map((s, i) => h("section", { class: "card-section", "data-section": i },
        h("h3", {}, s.heading),
        bound(area(s.activities, 5), s.activities_path, `${s.year.short} の取組内容`),
        h("p", { class: "hint" }, "「▶ 見出し」「・本文」(注記は本文の次の行)"),
        h("div", { class: "row" },
          h("label", {}, "予算(千円) ", bound(input(s.budget), s.budget_path, `${s.year.short} の予算`)),
          h("label", { class: "lines" }, "内訳 ", bound(area(s.budget_lines, 3), s.budget_lines_path, `${s.year.short} の予算の内訳`))),
        h("p", { class: "mismatch", hidden: !s.mismatch }, s.mismatch ?? ""),
      )),
    );
    for (const slot of body.querySelectorAll<HTMLElement>(".chart-slot")) {
      const chart = await chartOf(Number(slot.dataset.kpi));
      if (me !== drawing) return;
      slot.replaceChildren(chart);
    }
  }
  projectSel.addEventListener("change", async () => {
    if (!(await flush())) return;
    await draw();
  });
  await draw();

  const exportCard = h("button", { type: "button", id: "k-export", onclick: async () => {
    if (!(await flush())) return;
    const folder = await api.defaultFolder("report").catch(() => "");
    const path = await dialogs.saveAs("事業カードを保存", `${folder ? `${folder}/` : ""}事業カード_${view.project}.pdf`, "pdf", "PDF");
    if (!path) return;
    try {
      const w = await api.exportCard(path, view.project, ctx.year);
      ctx.toast(`事業カードを出力しました: ${w.files[0]}`);
    } catch (e) {
      ctx.toast(errorText(e), "error");
    }
  } }, "カードを出力…");

  return h("div", { class: "card-screen" },
    h("div", { class: "title-row" }, h("h1", {}, `事業カード(${ctx.overview.years.find((y) => y.fy === ctx.year)?.long ?? ""})`), projectSel, exportCard),
    body,
  );
}
