// 計画一覧: the plan tree 分野 → 項目 → 事業 with filters and the year's counts.
import { api, dialogs, errorText, type MappedColumn, type MappingView, type RowView } from "../lib/api";
import { clear, h, select } from "../lib/dom";
import { STATUS_LABEL } from "../lib/format";
import type { Ctx } from "../context";

export async function overviewScreen(ctx: Ctx): Promise<HTMLElement> {
  const o = ctx.overview;
  const c = o.counts;
  const count = (mark: string, label: string, n: number, cls = "") =>
    h("div", { class: `count ${cls}`, "data-mark": mark }, h("span", { class: "n" }, n), h("span", { class: "l" }, label));
  // The plan's scale in order: its best mark green, its lowest red, `-` plain; a mark
  // entered under an earlier rule comes after them.
  const rated = c.marks.filter((m) => m.rank !== null && m.mark !== "-").length;
  const tone = (rank: number | null, mark: string) =>
    rank === null || mark === "-" ? "" : rank === 0 ? "m-ok" : rank === rated - 1 ? "m-ng" : "m-part";
  const counts = h("section", { class: "counts", id: "counts", "aria-label": `${o.year.long}の評価(${o.rule})`, title: `評価ルール ${o.rule}: ${o.rule_description}` },
    ...c.marks.map((m) => count(m.mark, m.rank === null ? `${m.label}(旧ルール)` : m.label, m.count, tone(m.rank, m.mark))),
    count("未評価", "評価なし", c.unevaluated),
    count("未入力", "未入力", c.missing, c.missing > 0 ? "m-missing" : ""),
    count("確定", "確定", c.confirmed),
  );

  const dept = select([["", "すべての部"], ...o.departments.map((d): [string, string] => [d.name, `${d.name}(${d.projects})`])], ctx.params.dept ?? "", { id: "f-dept", "aria-label": "部" });
  const div = select([["", "すべての課"]], "", { id: "f-div", "aria-label": "課" });
  const evaluation = select([["", "すべての評価"], ...c.marks.map((m): [string, string] => [m.mark, m.mark]), ["none", "評価なし"]], "", { id: "f-eval", "aria-label": "評価" });
  const status = select([["", "すべての状態"], ["missing", "未入力"], ["entered", "入力済"], ["confirmed", "確定"]], "", { id: "f-status", "aria-label": "入力状態" });
  const search = h("input", { type: "search", id: "f-search", placeholder: "事業名・番号・取組状況で検索", "aria-label": "検索" });
  const shown = h("span", { class: "shown" });
  const tree = h("div", { class: "tree", id: "tree" });

  const fillDivisions = () => {
    const d = o.departments.find((x) => x.name === dept.value);
    clear(div);
    div.append(h("option", { value: "" }, "すべての課"), ...(d?.divisions ?? []).map((v) => h("option", { value: v }, v)));
  };

  const matches = (r: RowView): boolean => {
    if (dept.value && !r.owners.some((w) => w.department === dept.value)) return false;
    if (div.value && !r.owners.some((w) => w.department === dept.value && w.division === div.value)) return false;
    if (evaluation.value && (evaluation.value === "none" ? r.evaluation !== null : r.evaluation !== evaluation.value)) return false;
    if (status.value && r.status !== status.value) return false;
    const q = search.value.trim();
    if (q && ![r.no, r.name, r.narrative ?? "", ...r.owners.map((w) => `${w.department ?? ""}${w.division ?? ""}`)].some((t) => t.includes(q))) return false;
    return true;
  };

  // A large plan (tens of thousands of projects) is drawn a page at a time: the rows
  // on screen first, the next page when the list is scrolled near its end.
  const PAGE = 250;
  const end = h("div", { class: "tree-end", "aria-hidden": "true" });
  let drawMore: (budget: number) => boolean = () => false;
  /** Draws pages while the end of the list is on screen (or nearly). */
  const fill = () => {
    if (end.isConnected && end.getBoundingClientRect().top < window.innerHeight + 1200 && drawMore(PAGE)) requestAnimationFrame(fill);
  };
  const observer = new IntersectionObserver((seen) => {
    if (seen.some((e) => e.isIntersecting)) fill();
  }, { rootMargin: "1200px 0px" });
  observer.observe(end);

  const draw = () => {
    clear(tree);
    const groups: { a: (typeof o.areas)[number]; it: (typeof o.areas)[number]["items"][number]; rows: RowView[] }[] = [];
    let n = 0;
    for (const a of o.areas) {
      for (const it of a.items) {
        const rows = it.rows.filter(matches);
        if (rows.length > 0) groups.push({ a, it, rows });
        n += rows.length;
      }
    }
    shown.textContent = `${n} 件を表示`;
    if (n === 0) {
      drawMore = () => false;
      tree.append(h("p", { class: "empty" }, "条件に合う事業はありません"));
      return;
    }
    let [gi, ri] = [0, 0];
    let sec: HTMLElement | null = null;
    let body: HTMLElement | null = null;
    drawMore = (budget: number) => {
      while (gi < groups.length && budget > 0) {
        const { a, it, rows } = groups[gi];
        if (ri === 0) {
          if (!sec || sec.dataset.area !== a.code) {
            sec = h("section", { class: "area", "data-area": a.code }, h("h2", {}, h("span", { class: "code" }, a.code), " ", a.name ?? ""));
            tree.append(sec);
          }
          const key = `${a.code}/${it.code ?? ""}`;
          if (it.code || it.name) sec.append(h("h3", {}, it.code ? h("span", { class: "code" }, it.code) : null, " ", it.name ?? "",
            o.report_items.includes(key) ? h("button", { type: "button", class: "link", onclick: () => ctx.go("report", { item: key }) }, "報告書") : null,
            o.schedule_themes.includes(key) ? h("button", { type: "button", class: "link", onclick: () => ctx.go("schedule", { theme: key }) }, "工程表") : null));
          body = h("tbody", {});
          sec.append(
            h("table", { class: "rows" },
              h("thead", {}, h("tr", {}, h("th", { class: "no" }, "No."), h("th", {}, "事業名"), h("th", {}, "担当"), h("th", {}, "KPI"), h("th", { class: "mark" }, "評価"), h("th", {}, "状態"), h("th", {}))),
              body,
            ),
          );
        }
        const take = rows.slice(ri, ri + budget);
        body?.append(...take.map((r) => row(r)));
        budget -= take.length;
        ri += take.length;
        if (ri >= rows.length) [gi, ri] = [gi + 1, 0];
      }
      return gi < groups.length;
    };
    drawMore(PAGE);
    // The end of the list may already be on screen: fill the screen.
    requestAnimationFrame(fill);
  };

  /** A project's row, drawn first when it is further down than drawn so far. */
  const rowOf = (no: string): HTMLElement | null => {
    let t = document.getElementById(`row-${no}`);
    while (!t && drawMore(PAGE)) t = document.getElementById(`row-${no}`);
    return t;
  };

  const row = (r: RowView) => {
    const owner = r.owners.map((w) => [w.department, w.division].filter(Boolean).join(" ")).join(" / ");
    const firstDept = r.owners.find((w) => w.department)?.department;
    return h("tr", { id: r.relisted_of ? null : `row-${r.no}`, "data-key": r.key, class: r.relisted_of ? "relisted" : "" },
      h("td", { class: "no" }, r.no),
      h("td", {},
        r.relisted_of
          ? h("a", { href: `#row-${r.relisted_of}`, class: "relist", title: `事業 ${r.relisted_of} の再掲`, onclick: (e) => {
              e.preventDefault();
              const t = rowOf(r.relisted_of!);
              t?.scrollIntoView({ block: "center" });
              t?.classList.add("flash");
              setTimeout(() => t?.classList.remove("flash"), 1500);
            } }, "再掲")
          : null,
        r.name,
        r.note ? h("span", { class: `note ${r.note.startsWith("新規") ? "n-new" : "n-end"}` }, r.note) : null),
      h("td", { class: "owner" }, owner || "—"),
      h("td", { class: "kpis" }, r.kpis.length ? r.kpis.map((k) => `KPI ${k}`).join("、") : "—"),
      h("td", { class: `mark m-${r.evaluation ?? "none"}` }, r.evaluation ?? ""),
      h("td", {}, h("span", { class: `status s-${r.status}` }, STATUS_LABEL[r.status])),
      h("td", { class: "links" }, firstDept && !r.relisted_of ? h("button", { type: "button", class: "link", onclick: () => ctx.go("entry", { dept: firstDept, project: r.no }) }, "入力") : null,
        r.relisted_of ? null : h("button", { type: "button", class: "link", onclick: () => ctx.go("card", { project: r.no }) }, "カード")),
    );
  };

  dept.addEventListener("change", () => { fillDivisions(); draw(); });
  for (const el of [div, evaluation, status]) el.addEventListener("change", draw);
  search.addEventListener("input", draw);
  fillDivisions();
  draw();

  const importPlan = async () => {
    const [path] = await dialogs.openWorkbooks(false);
    if (path) await importPath(path);
  };
  const importPath = async (path: string) => {
    // A workbook in a layout of its own: its columns are shown to be checked first.
    let mapping: MappingView | null;
    try {
      mapping = await api.layoutMapping(path);
    } catch (e) {
      ctx.toast(errorText(e), "error");
      return;
    }
    if (mapping) {
      if (await mappingDialog(mapping)) {
        await ctx.refresh();
        await ctx.go("overview");
        ctx.toast("取り込みました(列の割り当ては計画に記録し、出力もこの様式で行います)");
      } else {
        ctx.toast("取り込みを中止しました(何も変更していません)");
      }
      return;
    }
    const run = async (replaceEntered: boolean) => {
      try {
        await api.importPlan(path, replaceEntered);
        await ctx.refresh();
        await ctx.go("overview");
        ctx.toast("取組一覧を取り込みました");
      } catch (e) {
        if ((e as { kind?: string }).kind === "needs_confirmation") {
          if (await confirmReplace(errorText(e))) await run(true);
          else ctx.toast("取り込みを中止しました(何も変更していません)");
        } else {
          ctx.toast(errorText(e), "error");
        }
      }
    };
    await run(false);
  };

  return h("div", { class: "overview" },
    h("div", { class: "title-row" },
      h("h1", {}, `計画一覧 — ${o.year.long}`),
      h("span", { class: "meta" }, `事業 ${o.projects} 件・再掲 ${o.relistings} 件・KPI ${o.kpis} 件`),
      h("button", { type: "button", id: "import-plan", onclick: importPlan }, "新しい計画を取り込む…"),
      h("details", { class: "import-path" },
        h("summary", {}, "パスを指定して取り込む"),
        h("input", { type: "text", id: "import-path-input", size: 48, placeholder: "C:\\…\\取組一覧.xlsx", "aria-label": "取り込むブックのパス" }),
        h("button", { type: "button", id: "import-path-run", onclick: () => {
          const v = (document.getElementById("import-path-input") as HTMLInputElement).value.trim();
          if (v) void importPath(v);
        } }, "取り込む")),
    ),
    o.only_demos ? h("section", { class: "card guide", id: "first-run" },
      h("h2", {}, "はじめに"),
      h("p", {}, "いま表示しているのはデモ計画(見本)です。次のどちらかから始めてください。"),
      h("ol", {},
        h("li", {}, h("strong", {}, "県の計画で始める: "), "取組一覧の Excel ブックを取り込みます。 ",
          h("button", { type: "button", class: "primary", id: "guide-import", onclick: importPlan }, "取組一覧を取り込む…")),
        h("li", {}, h("strong", {}, "デモで試す: "), "年度入力で実績値や取組状況を入力し、取りまとめや出力を試せます(デモ計画は後で削除できます)。 ",
          h("button", { type: "button", id: "guide-try", onclick: () => ctx.go("entry") }, "年度入力を試す")),
      )) : null,
    counts,
    h("div", { class: "filters" }, dept, div, evaluation, status, search, shown),
    tree,
    end,
  );
}

/**
 * A workbook in a layout of its own: the learned mapping as a table, one drop-down per column
 * (and a year for a per-year field) to correct before anything is imported. Resolves true once
 * imported; a refusal is shown in the dialog, which stays open.
 */
function mappingDialog(m: MappingView): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => { dlg.close(); dlg.remove(); resolve(ok); };
    const perYear = new Set(m.fields.filter((f) => f.per_year).map((f) => f.key));
    const error = h("p", { class: "error", id: "mapping-error", role: "alert" });
    const rows = m.columns.map((c) => {
      const select = h("select", { class: "mapping-field", "data-column": c.column, "aria-label": `列 ${c.column} の割り当て` },
        h("option", { value: "" }, "(取り込まない)"),
        ...m.fields.map((f) => h("option", { value: f.key }, f.label))) as HTMLSelectElement;
      select.value = c.field ?? "";
      const year = h("input", { type: "text", class: "mapping-year", size: 8, value: c.year ?? "", placeholder: "R5", "aria-label": `列 ${c.column} の年度` }) as HTMLInputElement;
      // A year only for a per-year field; the others show none.
      const sync = () => { year.disabled = !perYear.has(select.value); year.placeholder = year.disabled ? "" : "R5"; };
      select.addEventListener("change", sync);
      sync();
      return { c, select, year, row: h("tr", { "data-column": c.column, class: c.guessed ? "guessed" : "" },
        h("td", {}, c.column),
        h("td", {}, c.header),
        h("td", {}, select),
        h("td", {}, year),
        h("td", { class: "note" }, c.guessed ? "推測(確認してください)" : c.field ? "" : "見出しから割り当てられませんでした")) };
    });
    const submit = h("button", { type: "button", id: "mapping-ok", class: "primary" }, "この割り当てで取り込む") as HTMLButtonElement;
    submit.addEventListener("click", async () => {
      const columns: MappedColumn[] = rows.map(({ c, select, year }) => ({
        ...c,
        field: select.value || null,
        year: perYear.has(select.value) && year.value.trim() ? year.value.trim() : null,
      }));
      submit.disabled = true;
      error.textContent = "";
      try {
        await api.importMapped(m.file, columns);
        done(true);
      } catch (e) {
        error.textContent = errorText(e);
      } finally {
        submit.disabled = false;
      }
    });
    const dlg = h("dialog", { class: "confirm mapping", id: "mapping-dialog" },
      h("h2", {}, "列の割り当てを確認してください"),
      h("p", {}, `このブックは取組一覧の様式ではありません。シート「${m.sheet}」の ${m.header_row} 行目を見出しとして、各列を次のように読みます。違うところは選び直してください。`),
      h("table", { class: "mapping-table" },
        h("thead", {}, h("tr", {}, h("th", {}, "列"), h("th", {}, "見出し"), h("th", {}, "割り当て"), h("th", {}, "年度"), h("th", {}, ""))),
        h("tbody", {}, ...rows.map((r) => r.row))),
      error,
      h("div", { class: "buttons" },
        h("button", { type: "button", id: "mapping-cancel", onclick: () => done(false) }, "取り込まない"),
        submit,
      ),
    ) as HTMLDialogElement;
    dlg.addEventListener("cancel", () => done(false));
    document.body.append(dlg);
    dlg.showModal();
    rows[0]?.select.focus();
  });
}

/** Lists the values an import would put back and asks before it does. */
function confirmReplace(message: string): Promise<boolean> {
  const [head, ...lines] = message.split("\n");
  return new Promise((resolve) => {
    const done = (ok: boolean) => { dlg.close(); dlg.remove(); resolve(ok); };
    const dlg = h("dialog", { class: "confirm", id: "confirm-replace" },
      h("h2", {}, "入力済みの値を上書きしますか"),
      h("p", {}, head),
      h("ul", { class: "replaced" }, ...lines.map((l) => h("li", {}, l))),
      h("div", { class: "buttons" },
        h("button", { type: "button", id: "confirm-cancel", onclick: () => done(false) }, "取り込まない"),
        h("button", { type: "button", id: "confirm-ok", class: "danger", onclick: () => done(true) }, "上書きして取り込む"),
      ),
    ) as HTMLDialogElement;
    dlg.addEventListener("cancel", () => done(false));
    document.body.append(dlg);
    dlg.showModal();
    (dlg.querySelector("#confirm-cancel") as HTMLButtonElement).focus();
  });
}
