// 年度入力: a department's projects for a year, one form each. Every field saves
// when it loses focus (and shortly after typing stops), one transaction each;
// a bad value shows its reason under the field and is not saved.
import { api, dialogs, errorText, type EntryPage, type KpiRowView, type ProjectForm, type SavedField } from "../lib/api";
import { clear, confirmButton, h, select } from "../lib/dom";
import { charCount, STATUS_LABEL } from "../lib/format";
import type { Ctx } from "../context";
import { entryGrid } from "./grid";

const DEBOUNCE_MS = 800;

/** フォームで入力 or 一覧で入力: kept while the app runs. */
let mode: "form" | "grid" = "form";

type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

export async function entryScreen(ctx: Ctx): Promise<HTMLElement> {
  const o = ctx.overview;
  if (o.departments.length === 0) return h("p", { class: "empty" }, "この計画には担当部のある事業がありません");
  // The 部・課: asked for (a link), else the ones last chosen (remembered by the core).
  let department: string | null = ctx.params.dept && o.departments.some((d) => d.name === ctx.params.dept) ? ctx.params.dept : null;
  let division: string | null = null;
  // The year is the header's: one year drives every screen.
  const year = ctx.year;

  const pending = new Map<string, { timer: number; save: () => Promise<void> }>();
  let chain: Promise<unknown> = Promise.resolve();
  const flush = async () => {
    const saves = [...pending.values()];
    pending.clear();
    for (const p of saves) {
      clearTimeout(p.timer);
      await p.save();
    }
    await chain;
  };
  /** Saves what is typed; when a field holds a value that could not be saved, says
   * which and offers to go back to them (`false`: stay). */
  const settle = async (): Promise<boolean> => {
    await flush();
    const bad = [...forms.querySelectorAll<HTMLElement>("[data-path][aria-invalid='true']")];
    if (bad.length === 0) return true;
    return unsavedDialog(bad);
  };
  ctx.onLeave(settle);

  /** The fields not saved, by name, with 戻って直す (stay, at the first) and 保存せずに移動. */
  function unsavedDialog(bad: HTMLElement[]): Promise<boolean> {
    return new Promise((resolve) => {
      const close = (leave: boolean) => {
        dialog.remove();
        if (!leave) bad[0].focus();
        resolve(leave);
      };
      const back = h("button", { type: "button", class: "primary", id: "unsaved-back", onclick: () => close(false) }, "戻って直す");
      const dialog = h("div", { class: "modal", role: "alertdialog", "aria-modal": "true", "aria-labelledby": "unsaved-title", id: "unsaved" },
        h("div", { class: "modal-box" },
          h("h2", { id: "unsaved-title" }, `保存されていない項目が ${bad.length} 件あります`),
          h("p", {}, "次の項目は値が正しくないため保存されていません。直すと保存されます。"),
          h("ul", {}, ...bad.map((el) => h("li", {}, fieldName(el), h("span", { class: "hint" }, ` ${el.closest("td, .field")?.querySelector(".field-error")?.textContent ?? ""}`)))),
          h("div", { class: "row" }, back,
            h("button", { type: "button", id: "unsaved-leave", onclick: () => close(true) }, "保存せずに移動")),
        ));
      dialog.addEventListener("keydown", (e) => { if (e.key === "Escape") close(false); });
      document.body.append(dialog);
      back.focus();
    });
  }

  /** A field's name for people: its project and label (or the KPI). */
  function fieldName(el: HTMLElement): string {
    const card = el.closest("article.project");
    const project = card?.querySelector(".code")?.textContent ?? "";
    const label = el.getAttribute("aria-label") ?? (el.id ? forms.querySelector(`label[for="${el.id}"]`)?.textContent : null) ?? "";
    return label.startsWith("KPI") ? `${project} ${label}` : `${project} ${label}`.trim();
  }

  const deptSel = select(o.departments.map((d) => [d.name, d.name]), department ?? "", { id: "e-dept", "aria-label": "部" });
  const divSel = select([["", "すべての課"]], "", { id: "e-div", "aria-label": "課" });
  const forms = h("div", { id: "entry-forms" });
  const saveReturn = h("button", { type: "button", id: "save-return", onclick: async () => {
    if (!(await settle())) return;
    const y = o.years.find((x) => x.fy === year) ?? o.year;
    const folder = await api.defaultFolder("return").catch(() => "");
    const path = await dialogs.saveAs("提出用ファイルを保存", `${folder ? `${folder}/` : ""}${y.long}_${department}.xlsx`, "xlsx", "Excel ブック");
    if (!path || department === null) return;
    try {
      const w = await api.saveReturn(department, year, path);
      ctx.toast(`保存しました: ${w.files[0]}`);
    } catch (e) {
      ctx.toast(errorText(e), "error");
    }
  } }, "提出用ファイルを保存…");

  // 記入用ファイルを開く: the coordinator's file becomes this window's plan (by dialog or a pasted path).
  const openPath = h("input", { type: "text", id: "open-return-path", placeholder: "記入用ファイルのパスを貼り付け", "aria-label": "記入用ファイルのパス" }) as HTMLInputElement;
  const openReturn = async (path: string) => {
    if (!path) return;
    await flush();
    try {
      const r = await api.openReturnFile(path);
      await ctx.refresh();
      const y = ctx.overview.years.find((x) => x.fy === r.year)?.long ?? String(r.year);
      await ctx.go("entry", { dept: r.department });
      ctx.toast(`記入用ファイルを開きました: ${r.department} ${y}(事業 ${r.projects} 件)${r.signed ? "" : "。取りまとめ担当の署名がないファイルです"}`);
    } catch (e) {
      ctx.toast(errorText(e), "error");
    }
  };
  const openBox = h("details", { class: "open-return" },
    h("summary", {}, "記入用ファイルを開く"),
    h("p", { class: "help" }, "取りまとめ担当から届いた記入用ファイルを開くと、その部の事業がここに表示されます。入力後「提出用ファイルを保存」で返送用のファイルを作ります。"),
    h("div", { class: "row" },
      h("button", { type: "button", id: "open-return", onclick: async () => openReturn((await dialogs.openFile("記入用ファイルを選択", ["xlsx"])) ?? "") }, "ファイルを選ぶ…"),
      openPath,
      h("button", { type: "button", id: "open-return-run", onclick: () => openReturn(openPath.value.trim()) }, "開く"),
    ),
  );

  const fillDivisions = () => {
    const d = o.departments.find((x) => x.name === department);
    clear(divSel);
    divSel.append(h("option", { value: "" }, "すべての課"), ...(d?.divisions ?? []).map((v) => h("option", { value: v }, v)));
    divSel.value = division ?? "";
  };

  async function load() {
    if (!(await settle())) return false;
    const t0 = performance.now();
    let page: EntryPage;
    try {
      page = await api.entryPage(department, division, year);
    } catch (e) {
      clear(forms);
      forms.append(h("p", { class: "error-box", role: "alert" }, errorText(e)));
      return true;
    }
    department = page.department;
    division = page.division;
    deptSel.value = department;
    fillDivisions();
    clear(forms);
    if (mode === "grid") forms.append(entryGrid(page, { bind, flush, toast: ctx.toast }));
    else forms.append(...page.projects.map((f) => projectCard(page, f)));
    if (page.projects.length === 0) forms.append(h("p", { class: "empty" }, "この課の事業はありません"));
    // How long the page took to draw, for the end-to-end tests (not shown to people).
    forms.dataset.renderMs = String(Math.round(performance.now() - t0));
    count.textContent = `事業 ${page.projects.length} 件`;
    return true;
    if (ctx.params.project) {
      document.getElementById(`form-${ctx.params.project}`)?.scrollIntoView({ block: "start" });
      delete ctx.params.project;
    }
  }

  // A change of 部・課 waits for unsaved fields; refused, the choice goes back.
  const choose = async (dept: string | null, div: string | null) => {
    const [oldDept, oldDiv] = [department, division];
    [department, division] = [dept, div];
    if (!(await load())) {
      [department, division] = [oldDept, oldDiv];
      deptSel.value = department ?? "";
      fillDivisions();
    }
  };
  deptSel.addEventListener("change", () => void choose(deptSel.value, null));
  divSel.addEventListener("change", () => void choose(department, divSel.value || null));

  /** Saves one field; the result updates every form it touched. */
  function saveNow(path: string, control: Control, state: HTMLElement, errorEl: HTMLElement) {
    const text = control.value;
    state.textContent = "保存中…";
    state.className = "state saving";
    const run = chain.then(async () => {
      try {
        const saved = await api.saveField(department ?? "", division, { path, text });
        control.removeAttribute("aria-invalid");
        errorEl.textContent = "";
        state.textContent = "保存済み";
        state.className = "state saved";
        apply(saved, control);
      } catch (e) {
        control.setAttribute("aria-invalid", "true");
        errorEl.textContent = errorText(e);
        state.textContent = "未保存";
        state.className = "state unsaved";
      }
    });
    chain = run;
    return run;
  }

  function bind(control: Control, path: string, state: HTMLElement, errorEl: HTMLElement, counter?: HTMLElement) {
    control.dataset.path = path;
    let last = control.value;
    // A choice moved through with the arrow keys saves when the person leaves it or
    // stops for a moment, not at every mark passed.
    const pause = control instanceof HTMLSelectElement ? 2500 : DEBOUNCE_MS;
    const schedule = () => {
      if (counter) counter.textContent = `${charCount(control.value)} 文字`;
      state.textContent = "入力中";
      state.className = "state editing";
      const old = pending.get(path);
      if (old) clearTimeout(old.timer);
      const save = async () => {
        pending.delete(path);
        if (control.value === last) {
          state.textContent = state.className.includes("unsaved") ? state.textContent : "";
          return;
        }
        last = control.value;
        await saveNow(path, control, state, errorEl);
      };
      pending.set(path, { timer: window.setTimeout(save, pause), save });
    };
    control.addEventListener("input", schedule);
    control.addEventListener("change", schedule);
    const now = async () => {
      const p = pending.get(path);
      if (p) {
        clearTimeout(p.timer);
        await p.save();
      }
    };
    control.addEventListener("blur", () => void now());
    control.addEventListener("keydown", (e) => {
      const ke = e as KeyboardEvent;
      const multi = control instanceof HTMLTextAreaElement;
      if (ke.key === "Enter" && (!multi || ke.ctrlKey) && !ke.isComposing) {
        e.preventDefault();
        void now();
        focusNext(control);
      }
    });
  }

  function focusNext(from: Element) {
    const all = [...forms.querySelectorAll<HTMLElement>("[data-path]")].filter((x) => !x.closest("[hidden]"));
    const i = all.indexOf(from as HTMLElement);
    all[i + 1]?.focus();
  }

  function field(label: string, control: Control, path: string, opts: { counter?: boolean; hint?: string } = {}) {
    const id = `f-${path.replace(/[^\w]/g, "_")}`;
    control.id = id;
    const state = h("span", { class: "state", "aria-live": "polite" });
    const err = h("div", { class: "field-error", role: "alert" });
    const counter = opts.counter ? h("span", { class: "counter" }, `${charCount(control.value)} 文字`) : undefined;
    control.setAttribute("aria-describedby", `${id}-err`);
    err.id = `${id}-err`;
    bind(control, path, state, err, counter);
    return h("div", { class: "field" }, h("label", { for: id }, label), control, h("div", { class: "under" }, err, opts.hint ? h("span", { class: "hint" }, opts.hint) : null, counter, state));
  }

  function kpiRow(k: KpiRowView) {
    const input = h("input", { type: "text", class: "actual", value: k.actual ?? "", inputmode: "decimal", "aria-label": `KPI ${k.no} ${k.name} の実績値` });
    const state = h("span", { class: "state" });
    const err = h("div", { class: "field-error", role: "alert" });
    bind(input, k.path, state, err);
    return h("tr", { "data-kpi": k.no },
      h("td", { class: "kno" }, `KPI ${k.no}`),
      h("td", { class: "kname" }, k.name, k.lower_is_better ? h("span", { class: "tag" }, "低いほど良い") : null,
        k.shared_with.length ? h("span", { class: "tag" }, `共有: 事業 ${k.shared_with.join("、")}`) : null),
      h("td", { class: "num" }, k.baseline ?? "—", k.baseline_year ? h("small", {}, ` (${k.baseline_year})`) : null),
      h("td", { class: "num" }, k.target ?? "—"),
      h("td", { class: "num" }, k.last_actual ?? "—"),
      h("td", { class: "input" }, h("div", { class: "with-unit" }, input, k.unit ? h("span", { class: "unit" }, k.unit) : null), err, state),
      h("td", { class: "num rate" }, k.rate ?? "—"),
      h("td", { class: "mark proposed" }, k.proposed ?? "—"),
    );
  }

  function projectCard(page: EntryPage, f: ProjectForm) {
    const y = page.year;
    const prev = o.years.find((x) => x.fy === y.fy - 1)?.short ?? "前年度";
    const marks = page.marks.map((m): [string, string] => [m.mark, m.label]);
    // A mark entered under an earlier rule stays selectable as it is.
    if (f.evaluation && !marks.some(([m]) => m === f.evaluation)) marks.push([f.evaluation, `${f.evaluation}(旧ルール)`]);
    const evalSel = select([["", "(未選択)"], ...marks], f.evaluation ?? "", { "aria-label": `事業 ${f.no} の評価` });
    const reason = h("input", { type: "text", value: f.reason ?? "", maxlength: 400 });
    const reasonField = field("提案と異なる理由", reason, f.paths.reason, { hint: "評価が提案と異なるときは、短く理由を書いてください" });
    const narrative = h("textarea", { rows: 4, value: f.narrative ?? "" }) as HTMLTextAreaElement;
    const quote = () => {
      narrative.value = f.previous_narrative ?? "";
      narrative.dispatchEvent(new Event("input"));
      narrative.focus();
    };
    // Over text already written, the button asks once more before replacing it.
    const quoteButton = () => narrative.value.trim()
      ? confirmButton("前年度の記載を引用", "もう一度押すと入力済みの文章を置き換えます", quote, { class: "quote-previous" })
      : h("button", { type: "button", class: "quote-previous", onclick: quote }, "前年度の記載を引用");
    // Last year's 取組状況 beside this year's: most of it is written again each year.
    const previous = f.previous_narrative
      ? h("details", { class: "previous", open: !f.narrative },
          h("summary", {}, `前年度(${prev})の取組状況${f.previous_evaluation ? `・評価 ${f.previous_evaluation}` : ""}`),
          h("p", { class: "previous-text" }, f.previous_narrative),
          quoteButton())
      : null;
    const confirmed = h("input", { type: "checkbox", checked: f.status === "confirmed" });
    confirmed.value = f.status === "confirmed" ? "true" : "false";
    const confirmState = h("span", { class: "state" });
    const confirmErr = h("div", { class: "field-error" });
    confirmed.addEventListener("change", () => {
      confirmed.value = confirmed.checked ? "true" : "false";
    });
    bind(confirmed, f.paths.confirmed, confirmState, confirmErr);
    const proposal = h("span", { class: "proposal" });
    const card = h("article", { class: "project", id: `form-${f.no}`, "data-key": f.key },
      h("header", {},
        h("h2", {}, h("span", { class: "code" }, `事業 ${f.no}`), " ", f.name),
        h("span", { class: "owners" }, f.owners.map((w) => [w.department, w.division].filter(Boolean).join(" ")).join(" / ")),
        h("span", { class: `status s-${f.status}` }, STATUS_LABEL[f.status]),
      ),
      f.kpis.length
        ? h("table", { class: "kpis" },
            h("thead", {}, h("tr", {}, h("th", {}, "KPI"), h("th", {}, "指標"), h("th", {}, "基準値"), h("th", {}, `目標値 (${y.short})`), h("th", {}, `前年度の実績 (${prev})`), h("th", {}, `実績値 (${y.short})`), h("th", {}, "達成率"), h("th", {}, "提案"))),
            h("tbody", {}, ...f.kpis.map(kpiRow)))
        : h("p", { class: "no-kpi" }, "この事業には KPI がありません"),
      h("div", { class: "grid" },
        h("div", {}, field("評価", evalSel, f.paths.evaluation), proposal, reasonField),
        h("div", { class: "narrative" }, field("取組状況", narrative, f.paths.narrative, { counter: true, hint: "Ctrl+Enter で次の項目へ" }), previous),
        page.shows_budget ? field("予算(千円)", h("input", { type: "text", inputmode: "numeric", value: f.budget ?? "" }), f.paths.budget) : null,
        page.shows_issues ? field("課題・アクション", h("textarea", { rows: 3, value: f.issues ?? "" }), f.paths.issues, { counter: true }) : null,
      ),
      // 確定 last: Tab reaches it after every value of the project.
      h("footer", {}, h("label", { class: "confirm" }, confirmed, " この事業の入力を確定", confirmState), confirmErr),
    );
    let latest = f;
    const update = (g: ProjectForm) => {
      latest = g;
      const mark = page.marks.find((m) => m.mark === g.proposed)?.label ?? g.proposed;
      proposal.textContent = g.proposed ? `KPI からの提案: ${mark}` : "KPI からの提案: なし(判定できる目標値・実績値がありません)";
      proposal.className = `proposal ${g.proposed && evalSel.value && evalSel.value !== g.proposed ? "differs" : ""}`;
      reasonField.hidden = !(g.proposed && evalSel.value && evalSel.value !== g.proposed) && !reason.value;
      const badge = card.querySelector(".status")!;
      badge.className = `status s-${g.status}`;
      badge.textContent = STATUS_LABEL[g.status];
    };
    (card as HTMLElement & { update?: (g: ProjectForm) => void }).update = update;
    evalSel.addEventListener("change", () => update(latest));
    update(f);
    return card;
  }

  function apply(saved: SavedField, source: Control) {
    for (const g of saved.forms) {
      const card = forms.querySelector<HTMLElement & { update?: (g: ProjectForm) => void }>(`[data-key="${CSS.escape(g.key)}"]`);
      if (!card) continue;
      for (const k of g.kpis) {
        const row = card.querySelector(`tr[data-kpi="${k.no}"]`);
        if (!row) continue;
        row.querySelector(".rate")!.textContent = k.rate ?? "—";
        row.querySelector(".proposed")!.textContent = k.proposed ?? "—";
        const input = row.querySelector<HTMLInputElement>("input.actual");
        if (input && input !== source && document.activeElement !== input) input.value = k.actual ?? "";
      }
      card.update?.(g);
    }
  }

  const count = h("span", { class: "meta", id: "e-count" });
  const modeButton = (m: typeof mode, label: string) => h("button", {
    type: "button", id: `e-mode-${m}`, class: mode === m ? "active" : "", "aria-pressed": mode === m ? "true" : "false",
    onclick: async () => {
      if (mode === m) return;
      const was = mode;
      mode = m;
      if (!(await load())) mode = was;
      for (const b of modes.querySelectorAll("button")) {
        const on = b.id === `e-mode-${mode}`;
        b.className = on ? "active" : "";
        b.setAttribute("aria-pressed", on ? "true" : "false");
      }
    },
  }, label);
  const modes = h("div", { class: "modes", role: "group", "aria-label": "入力の方法" }, modeButton("form", "フォームで入力"), modeButton("grid", "一覧で入力"));
  fillDivisions();
  await load();

  return h("div", { class: "entry" },
    h("div", { class: "title-row" },
      h("h1", {}, `年度入力(${o.years.find((x) => x.fy === year)?.long ?? o.year.long})`),
      h("label", {}, "部 ", deptSel), h("label", {}, "課 ", divSel),
      count, modes, saveReturn,
    ),
    h("p", { class: "help" }, "入力した値はフォーカスが外れたとき(入力を止めて少し経ったときも)に保存されます。Enter で次の項目へ移動します。"),
    openBox,
    forms,
  );
}
