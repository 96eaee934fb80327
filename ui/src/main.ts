// The app shell: header with the plan and year, the screen menu, the status bar
// (messages, progress) and the screens.
import { api, beforeClose, errorText, onProgress, setTitle, type Overview, type RoundBoard } from "./lib/api";
import { append, clear, h, select } from "./lib/dom";
import type { Ctx, Screen } from "./context";
import { overviewScreen } from "./screens/overview";
import { entryScreen } from "./screens/entry";
import { mergeScreen } from "./screens/merge";
import { roundsScreen } from "./screens/rounds";
import { chartsScreen } from "./screens/charts";
import { exportScreen } from "./screens/export";
import { historyScreen } from "./screens/history";
import { settingsScreen } from "./screens/settings";
import { plansDialog } from "./screens/plans";
import { reportScreen } from "./screens/report";
import { cardScreen } from "./screens/card";
import { scheduleScreen } from "./screens/schedule";

const SCREENS: [Screen, string, (ctx: Ctx) => Promise<HTMLElement>][] = [
  ["overview", "計画一覧", overviewScreen],
  ["entry", "年度入力", entryScreen],
  ["merge", "取りまとめ", mergeScreen],
  ["rounds", "照会", roundsScreen],
  ["charts", "グラフ", chartsScreen],
  ["card", "事業カード", cardScreen],
  ["report", "報告書", reportScreen],
  ["schedule", "工程表", scheduleScreen],
  ["export", "出力", exportScreen],
  ["history", "履歴", historyScreen],
  ["settings", "設定", settingsScreen],
];

const root = document.getElementById("app")!;
let overview: Overview;
let round: RoundBoard | null = null;
let year = 0;
let current: Screen = "overview";
let params: Record<string, string> = {};
/** What a screen runs before it is left; `false` keeps the person on the screen. */
let leaving: (() => Promise<boolean | void>)[] = [];

const header = h("header", { class: "top" });
const nav = h("nav", { class: "menu", "aria-label": "画面" });
const main = h("main", { id: "screen", tabIndex: -1 });
const toastEl = h("div", { id: "toast", role: "status" });
/** Problems are shown where the work is: above the screen, until closed or the screen changes. */
const alertEl = h("div", { id: "alert", hidden: true });
const progressBar = h("progress", { id: "progress", max: 1, value: 0, hidden: true });
const progressLabel = h("span", { id: "progress-label" });
const footer = h("footer", { class: "statusbar" }, progressBar, progressLabel, toastEl);
let toastTimer = 0;

/** A message: done in the status bar (cleared after a while); a warning or an error
 * also above the screen, with a button to close it. */
function toast(message: string, kind: "ok" | "warn" | "error" = "ok") {
  clearTimeout(toastTimer);
  if (kind === "ok") {
    toastEl.textContent = message;
    toastEl.className = kind;
    toastTimer = window.setTimeout(() => { toastEl.textContent = ""; toastEl.className = ""; }, 8000);
    return;
  }
  toastEl.textContent = "";
  toastEl.className = "";
  alertEl.replaceChildren(
    h("p", {}, message),
    h("button", { type: "button", class: "link", "aria-label": "閉じる", onclick: () => { alertEl.hidden = true; } }, "閉じる"),
  );
  alertEl.className = `alert ${kind}`;
  alertEl.setAttribute("role", kind === "error" ? "alert" : "status");
  alertEl.hidden = false;
}

/** Runs what the screen asks before it is left; `false` when it must not be left yet. */
async function flush(): Promise<boolean> {
  for (const f of leaving) {
    if ((await f()) === false) return false;
  }
  leaving = [];
  return true;
}

function drawHeader() {
  clear(header);
  const years = select(
    overview.years.map((y) => [String(y.fy), y.long]),
    String(year),
    { id: "year", "aria-label": "年度", onchange: async (e) => {
      year = Number((e.target as HTMLSelectElement).value);
      await refresh();
      await show(current, params);
    } },
  );
  append(header, [
    h("div", { class: "brand" }, h("span", { class: "logo" }, "進捗"), h("span", {}, "Shinchoku")),
    h("div", { class: "plan" },
      h("strong", { id: "plan-title" }, overview.title),
      h("span", {}, overview.demo ? h("span", { class: "tag demo", id: "demo-tag" }, "デモ") : null, overview.organization ?? "")),
    h("button", { type: "button", class: "switch-plan", id: "switch-plan", onclick: async () => {
      if (!(await flush())) return;
      if (await plansDialog(toast)) {
        year = 0;
        params = {};
        await refresh();
        await show("overview");
      }
    } }, "計画を切り替える…"),
    h("label", { class: "year" }, "年度 ", years),
    round?.status
      ? h("button", { class: "badge round", id: "round-badge", onclick: () => go("rounds") },
          `照会中 提出済 ${round.returned} / ${round.total}${round.days_left === null ? "" : round.days_left >= 0 ? `・期限まで ${round.days_left} 日` : `・期限超過 ${-round.days_left} 日`}`)
      : null,
    overview.open_conflicts > 0
      ? h("button", { class: "badge warn", onclick: () => go("merge") }, `未解決の競合 ${overview.open_conflicts} 件`)
      : null,
  ]);
  clear(nav);
  SCREENS.forEach(([id, label], i) => {
    nav.append(
      h("button", {
        type: "button",
        class: id === current ? "active" : "",
        "data-screen": id,
        "aria-current": id === current ? "page" : null,
        title: i < 10 ? `${label} (Alt+${(i + 1) % 10})` : label,
        onclick: () => go(id),
      }, label),
    );
  });
}

async function refresh(toReportYear = false) {
  if (toReportYear) year = 0;
  overview = await api.overview(year || undefined);
  year = overview.year.fy;
  round = await api.roundBoard().catch(() => null);
  drawHeader();
}

async function show(screen: Screen, p: Record<string, string> = {}) {
  if (!(await flush())) return;
  current = screen;
  params = p;
  // A new screen starts without the last screen's messages.
  alertEl.hidden = true;
  clearTimeout(toastTimer);
  toastEl.textContent = "";
  toastEl.className = "";
  drawHeader();
  const [, label, render] = SCREENS.find(([id]) => id === screen)!;
  setTitle(`${overview.title} — ${label} — 進捗 Shinchoku`);
  const ctx: Ctx = {
    overview, year, params: p, refresh, toast,
    go,
    onLeave: (f) => leaving.push(f),
  };
  try {
    const el = await render(ctx);
    el.dataset.screen = screen;
    clear(main);
    main.append(el);
  } catch (e) {
    clear(main);
    main.append(h("div", { class: "error-box", role: "alert" }, h("h2", {}, `${label}を表示できません`), h("p", {}, errorText(e))));
  }
}

function go(screen: Screen, p: Record<string, string> = {}): Promise<void> {
  return show(screen, p);
}

window.addEventListener("unhandledrejection", (e) => {
  toast(errorText(e.reason), "error");
  e.preventDefault();
});

document.addEventListener("keydown", (e) => {
  // Alt+1…9, and Alt+0 for the tenth.
  const n = e.key === "0" ? 10 : Number(e.key);
  if (e.altKey && n >= 1 && n <= SCREENS.length) {
    e.preventDefault();
    void go(SCREENS[n - 1][0]);
  }
});

async function start() {
  const t0 = performance.now();
  await onProgress((p) => {
    progressBar.hidden = p.done >= p.total;
    progressBar.max = Math.max(p.total, 1);
    progressBar.value = p.done;
    progressLabel.textContent = p.done >= p.total ? "" : `${p.label} ${p.done}/${p.total}`;
  });
  await beforeClose(flush);
  try {
    await refresh();
  } catch (e) {
    clear(root);
    root.append(h("div", { class: "error-box", role: "alert" }, h("h1", {}, "計画を開けません"), h("p", {}, errorText(e))));
    return;
  }
  clear(root);
  root.append(header, h("div", { class: "body" }, nav, h("div", { class: "work" }, alertEl, main)), footer);
  await show("overview");
  document.body.dataset.readyMs = String(Math.round(performance.now() - t0));
  document.body.dataset.ready = "true";
}

void start();
