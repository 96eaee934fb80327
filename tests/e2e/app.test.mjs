// End-to-end tests of the real app: the built binary driven through
// tauri-driver + WebKitWebDriver (run under Xvfb by scripts/e2e.sh), on a fresh
// data folder, checked against the database and files through the CLI.
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Driver, TAB } from "./webdriver.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const APP = join(ROOT, "target/debug/shinchoku-app");
const CLI = join(ROOT, "target/debug/shinchoku");
const SHOTS = process.env.E2E_SCREENSHOTS || join(ROOT, "target/e2e-screenshots");
const TMP = mkdtempSync(join(tmpdir(), "shinchoku-e2e-"));
const DB = join(TMP, "data", "shinchoku.db");
const RETURNS = join(TMP, "returns");
const DEPT = "総務部";
const NARRATIVE = "E2Eで入力した取組状況。窓口手続のオンライン化を進めた。";

mkdirSync(SHOTS, { recursive: true });
let d;
/** What the entry test picked: the KPI row and its project. */
const picked = {};

const cli = (db, ...args) => execFileSync(CLI, ["--db", db, ...args], { encoding: "utf8" });
const showJson = (db = DB) => JSON.parse(cli(db, "show", "--json"));

async function launch() {
  const t0 = performance.now();
  await d.launch(APP);
  await d.until("return document.body.dataset.ready === 'true'", "the plan overview", 15000);
  return Math.round(performance.now() - t0);
}

/** Waits until the previous app process has exited: a second instance would only
 * focus the first (single-instance plugin) and never open a window of its own.
 * WebKitWebDriver sometimes leaves the app running after its session ends; after
 * 10 s that orphan is ended (SIGTERM). */
async function appGone() {
  for (let i = 0; i < 150; i++) {
    if (spawnSync("pgrep", ["-f", APP]).status !== 0) return;
    if (i === 100) {
      console.log("the previous app outlived its WebDriver session; ending it");
      spawnSync("pkill", ["-TERM", "-f", APP]);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the previous app is still running");
}

async function shot(name) {
  writeFileSync(join(SHOTS, `${name}.png`), await d.screenshot());
}

async function goto(screen) {
  await (await d.find(`nav [data-screen="${screen}"]`)).click();
  await d.find(`main [data-screen="${screen}"]`);
}

/** Picks an option of a select as a person would, and tells the page it changed. */
async function choose(selectId, value) {
  await d.find(`#${selectId} option[value="${value}"]`);
  await d.exec(`const s = document.getElementById(arguments[0]); s.focus(); s.value = arguments[1]; s.dispatchEvent(new Event('change', { bubbles: true }))`, selectId, value);
}

async function text(css) {
  await d.find(css);
  return d.exec("return document.querySelector(arguments[0]).textContent", css);
}

/** Switches the entry page's department and returns its render time (ms). */
async function switchDepartment(name) {
  await d.exec("document.getElementById('entry-forms').dataset.renderMs = ''");
  await choose("e-dept", name);
  return Number(await d.until("return document.getElementById('entry-forms').dataset.renderMs", `forms of ${name}`, 15000));
}

async function value(css) {
  return d.exec("const e = document.querySelector(arguments[0]); return e ? e.value : null", css);
}

/** Selects what a field holds and types over it, then Tab (as a person would;
 * WebDriver's clear would blur the field and save it empty first). */
async function replaceText(css, text) {
  const el = await d.find(css);
  await d.exec("const e = document.querySelector(arguments[0]); e.focus(); e.select()", css);
  await el.type(text + TAB);
}

before(async () => {
  d = await Driver.start({ SHINCHOKU_DB: DB });
});

after(async () => {
  await d?.stop();
});

test("first start on an empty data folder shows the demo plan with its counts", async () => {
  const ms = await launch();
  console.log(`launch → plan overview shown: ${ms} ms`);
  const counts = await d.exec(`return Object.fromEntries([...document.querySelectorAll('#counts [data-mark]')].map(e => [e.dataset.mark, Number(e.querySelector('.n').textContent)]))`);
  const s = showJson();
  for (const mark of ["○", "△", "×", "-"]) assert.equal(counts[mark], s.evaluations[mark], `count of ${mark}`);
  assert.equal(await text("#plan-title"), s.title);
  const rows = await d.findAll("#tree tbody tr");
  assert.equal(rows.length, s.projects + s.relistings);
  assert.ok((await d.findAll("#tree a.relist")).length > 0, "re-listings are marked 再掲");
  await shot("overview");
  // Department returns made from the plan as it is now (used by the merge test).
  cli(DB, "dev", "sample-returns", RETURNS);
});

test("a second launch does not open a second window on the same database", async () => {
  const r = spawnSync(APP, [], { env: { ...process.env, SHINCHOKU_DB: DB }, timeout: 20000, encoding: "utf8" });
  assert.equal(r.error, undefined, "the second instance exits instead of running on");
  // Focused the first window (single-instance plugin), or refused by the database lock.
  assert.ok(r.status === 0 || r.stderr.includes("すでに起動しています"), `${r.status} ${r.stderr}`);
  assert.equal(await text("#plan-title"), showJson().title, "the first window still works");
});

test("an entered actual and narrative update 達成率 and the proposal, survive a restart and are exported", async () => {
  await goto("entry");
  const fukushimaSwitch = [await switchDepartment("企画調整部"), await switchDepartment(DEPT)];
  console.log(`年度入力, department switch (Fukushima): ${fukushimaSwitch.join(" ms, ")} ms`);
  Object.assign(picked, await d.exec(`
    const rows = [...document.querySelectorAll('#entry-forms tr[data-kpi]')];
    const numeric = (t) => /^[\\d.,]+%?$/.test(t.trim());
    const row = rows.find(r => numeric(r.children[3].textContent) && r.querySelector('input.actual').value !== '' && r.querySelector('.proposed').textContent === '△')
      || rows.find(r => numeric(r.children[3].textContent) && r.querySelector('input.actual').value !== '');
    const card = row.closest('article');
    return { kpi: Number(row.dataset.kpi), project: card.id.replace('form-', ''), target: row.children[3].textContent.trim(),
             path: row.querySelector('input.actual').dataset.path, before: row.querySelector('input.actual').value,
             rate: row.querySelector('.rate').textContent };`));
  const row = `#form-${picked.project} tr[data-kpi="${picked.kpi}"]`;
  await replaceText(`${row} input.actual`, picked.target);
  await d.until(`return document.querySelector(arguments[0] + ' .state.saved')`, "保存済み", 10000, row);
  const after = await d.exec(`const r = document.querySelector(arguments[0]); return { rate: r.querySelector('.rate').textContent, proposed: r.querySelector('.proposed').textContent }`, row);
  assert.equal(after.proposed, "○", "the actual meets the target: ○ proposed");
  assert.notEqual(after.rate, picked.rate, "達成率 follows the actual");
  assert.equal(after.rate, "100.0%");

  picked.narrativePath = `project[${picked.project}].year[2023].narrative`;
  const nar = `[data-path="${picked.narrativePath}"]`;
  picked.original = await value(nar);
  await replaceText(nar, NARRATIVE);
  await d.until(`return document.querySelector(arguments[0]).closest('.field').querySelector('.state.saved')`, "narrative saved", 10000, nar);
  assert.match(await d.exec(`return document.querySelector(arguments[0]).closest('.field').querySelector('.counter').textContent`, nar), new RegExp(`^${[...NARRATIVE].length} 文字$`));
  await d.exec(`document.querySelector(arguments[0]).scrollIntoView({block: 'start'})`, `#form-${picked.project}`);
  await shot("entry");

  // Quit and start again: the values are there.
  await d.quit();
  await launch();
  await goto("entry");
  await switchDepartment(DEPT);
  assert.equal(await value(`${row} input.actual`), picked.target);
  assert.equal(await value(nar), NARRATIVE);

  // Export from the 出力 screen; read the workbook back.
  await goto("export");
  const out = join(TMP, "取組一覧.xlsx");
  await replaceText("#x-summary", out);
  await (await d.find("#x-summary-run")).click();
  await d.until(`return document.querySelector('#x-done li')`, "export done", 20000);
  await shot("export");
  const strings = execFileSync("unzip", ["-p", out, "xl/sharedStrings.xml"], { encoding: "utf8" });
  assert.ok(strings.includes(NARRATIVE), "the narrative is in the exported workbook");
  const back = join(TMP, "readback.db");
  cli(back, "import", out);
  const k = showJson(back).kpi_rates.find((x) => x.no === picked.kpi);
  assert.equal(k.actual, picked.target, "the actual is in the exported workbook");
});

test("an invalid value shows the reason inline and is not saved", async () => {
  await goto("entry");
  await switchDepartment(DEPT);
  const row = `#form-${picked.project} tr[data-kpi="${picked.kpi}"]`;
  await replaceText(`${row} input.actual`, "たくさん");
  const msg = await d.until(`return document.querySelector(arguments[0] + ' .field-error').textContent`, "the inline error", 10000, row);
  assert.match(msg, /数値または「-」を入力してください/);
  assert.equal(await d.exec(`return document.querySelector(arguments[0] + ' input.actual').getAttribute('aria-invalid')`, row), "true");
  await shot("entry-invalid");
  assert.equal(showJson().kpi_rates.find((x) => x.no === picked.kpi).actual, picked.target, "the database keeps the saved value");
  await replaceText(`${row} input.actual`, picked.target);
  await d.until(`return document.querySelector(arguments[0] + ' .state.saved')`, "saved again", 10000, row);
});

test("a conflicting return shows base, plan and return; taking the return applies it; undo brings the plan's value back", async () => {
  await goto("merge");
  await replaceText("#path-input", join(RETURNS, `令和5年度_${DEPT}.xlsx`));
  await (await d.find("#path-add")).click();
  await (await d.find("#merge-run")).click();
  const counts = await d.until(`const r = document.querySelector('#merge-result tbody tr'); return r && [...r.children].map(c => c.textContent)`, "the merge result", 20000);
  assert.equal(counts[1], DEPT);
  assert.ok(Number(counts[4]) >= 1, `conflicts counted: ${counts}`);
  const conflict = await d.until(`
    return [...document.querySelectorAll('article.conflict')].map(a => ({ id: a.dataset.conflict, head: a.querySelector('header').textContent,
      base: a.querySelector('.side.base .value').textContent, plan: a.querySelector('.side.plan .value').textContent,
      ret: a.querySelector('.side.return .value').textContent })).find(c => c.head.includes('事業 ' + arguments[0] + ' ') && c.head.includes('取組状況'))`,
    "the narrative conflict", 10000, picked.project);
  assert.equal(conflict.base, picked.original || "(空欄)");
  assert.equal(conflict.plan, NARRATIVE);
  assert.equal(conflict.ret, `${picked.original}(${DEPT}更新)`);
  await shot("merge-conflicts");
  await (await d.find(`article.conflict[data-conflict="${conflict.id}"] .take-return`)).click();
  await d.until(`return !document.querySelector('article.conflict[data-conflict="${conflict.id}"]')`, "the conflict resolved", 10000);

  await goto("entry");
  await switchDepartment(DEPT);
  const nar = `[data-path="${picked.narrativePath}"]`;
  assert.equal(await value(nar), conflict.ret, "the plan has the return's value");

  await goto("history");
  assert.match(await text("table.revisions tbody tr:first-child"), /競合の解決/);
  const undo = await d.find("table.revisions tbody tr:first-child button.undo");
  await undo.click();
  await undo.click();
  await d.until(`return document.querySelector('table.revisions tbody tr.undone')`, "the undone revision", 10000);
  await shot("history");
  await goto("entry");
  await switchDepartment(DEPT);
  assert.equal(await value(nar), NARRATIVE, "undo brings the plan's value back");
});

test("a chart shows the KPI's SVG with its title", async () => {
  await goto("charts");
  await choose("c-key", "2");
  const name = showJson().kpi_rates.find((k) => k.no === 2).name;
  const svgText = await d.until(`const s = document.querySelector('#chart-grid figure.chart[data-kpi="2"] svg'); return s && s.textContent`, "the chart SVG", 15000);
  assert.ok(svgText.includes(`KPI 2 ${name}`), svgText.slice(0, 200));
  await shot("charts");
  await choose("c-by", "department");
  await d.until(`return document.querySelectorAll('#chart-grid figure.chart').length > 1`, "the department's chart grid", 15000);
  await goto("settings");
  await shot("settings");
});

test("year entry renders quickly for a 2,000-project plan", async () => {
  await d.stop();
  const big = join(TMP, "big", "shinchoku.db");
  const xlsx = join(TMP, "synthetic-2000.xlsx");
  execFileSync(CLI, ["dev", "synth", "2000", xlsx]);
  cli(big, "import", xlsx);
  await appGone();
  d = await Driver.start({ SHINCHOKU_DB: big });
  const ms = await launch();
  console.log(`launch → plan overview shown (2,000 projects): ${ms} ms`);
  await goto("entry");
  const depts = await d.exec(`return [...document.querySelectorAll('#e-dept option')].map(o => o.value).slice(1, 4)`);
  const times = [];
  for (const name of depts) times.push(await switchDepartment(name));
  console.log(`年度入力, department switch (2,000 projects): ${times.join(" ms, ")} ms`);
  assert.ok((await d.findAll("#entry-forms article.project")).length > 0);
  // One field saved (a revision over the whole 2,000-project plan), timed from Tab to 保存済み.
  const nar = "#entry-forms article.project textarea[data-path$='.narrative']";
  const t0 = performance.now();
  await replaceText(nar, "大きな計画での保存");
  await d.until(`return document.querySelector(arguments[0]).closest('.field').querySelector('.state.saved')`, "saved", 20000, nar);
  console.log(`年度入力, one field saved (2,000 projects): ${Math.round(performance.now() - t0)} ms`);
});

test("a department opens the coordinator's 記入用ファイル, enters values and saves its return; the coordinator's merge verifies it", async () => {
  await d.stop();
  // The coordinator's database and its signed entry workbooks.
  const coord = join(TMP, "coordinator", "shinchoku.db");
  cli(coord, "init", "--demo");
  const dist = join(TMP, "配布");
  cli(coord, "templates", dist);
  // The department's app, on a data folder of its own.
  const dept = join(TMP, "department", "shinchoku.db");
  await appGone();
  d = await Driver.start({ SHINCHOKU_DB: dept });
  await launch();
  await goto("entry");
  await d.exec("document.querySelector('details.open-return').open = true");
  await replaceText("#open-return-path", join(dist, `令和5年度_${DEPT}.xlsx`));
  await (await d.find("#open-return-run")).click();
  await d.until(`return document.getElementById('toast').textContent.includes('記入用ファイルを開きました')`, "the file opened", 15000);
  await d.until(`return document.getElementById('e-dept') && document.getElementById('e-dept').value === arguments[0] && document.querySelector('#entry-forms article.project')`, "the department's forms", 15000, DEPT);
  const slice = JSON.parse(cli(dept, "fields", "--json", "project["));
  const owners = Object.entries(slice).filter(([k]) => k.endsWith(".owners")).map(([, v]) => v);
  assert.ok(owners.length > 0 && owners.every((v) => v.includes(DEPT)), "the plan is the department's slice");
  const nar = "#entry-forms article.project textarea[data-path$='.narrative']";
  const path = await d.exec("return document.querySelector(arguments[0]).dataset.path", nar);
  const typed = "記入用ファイルから開いて入力した取組状況";
  await replaceText(nar, typed);
  await d.until(`return document.querySelector(arguments[0]).closest('.field').querySelector('.state.saved')`, "saved", 10000, nar);
  await shot("entry-opened-file");
  await d.stop();
  d = undefined;
  // 提出用ファイルを保存 (the window's save dialog cannot be driven: the same core call).
  const ret = join(TMP, "提出", `令和5年度_${DEPT}.xlsx`);
  mkdirSync(dirname(ret), { recursive: true });
  cli(dept, "dev", "save-return", ret, "--dept", DEPT);
  const r = JSON.parse(cli(coord, "merge", "--json", ret));
  assert.equal(r.files[0].signature, "verified", "the app-saved return verifies like an Excel-filled one");
  assert.deepEqual(r.files[0].applied.map((a) => [a.path, a.after]), [[path, typed]], "exactly the entered value is applied");
});

test("照会: open a round, two returns dropped on the board show 提出済, the reminder names the others", async () => {
  const db = join(TMP, "round", "shinchoku.db");
  await appGone();
  d = await Driver.start({ SHINCHOKU_DB: db });
  await launch();
  await goto("rounds");
  await d.exec("const e = document.getElementById('round-due'); e.value = '2099-05-31'; e.dispatchEvent(new Event('input'))");
  await (await d.find("#round-open")).click();
  await d.until(`return document.querySelectorAll('#round-board tr[data-dept]').length`, "the board", 10000);
  const depts = await d.exec(`return [...document.querySelectorAll('#round-board tr[data-dept]')].map(r => r.dataset.dept)`);
  assert.equal(depts.length, 6);
  // The round's entry workbooks, written from the board.
  const tdir = join(TMP, "round-templates");
  mkdirSync(tdir, { recursive: true });
  await d.exec("document.getElementById('round-templates-dir').value = arguments[0]", tdir);
  await (await d.find("#round-templates")).click();
  await d.until(`return document.getElementById('toast').textContent.includes('記入用ファイルを書き出しました')`, "templates written", 15000);
  assert.equal(readdirSync(tdir).filter((f) => f.endsWith(".xlsx")).length, 6);
  // The departments' returns, made for this round (signed with it) and filled.
  const dir = join(TMP, "round-returns");
  cli(db, "dev", "sample-returns", dir);
  const two = depts.slice(0, 2).map((x) => join(dir, `令和5年度_${x}.xlsx`));
  // Paths are pasted (set by script: WebKitWebDriver may drop shifted characters such as _).
  await d.exec("document.getElementById('path-input').value = arguments[0]", two.join("\n"));
  await (await d.find("#path-add")).click();
  await (await d.find("#round-merge-run")).click();
  await d.until(`return [...document.querySelectorAll('#round-board tr[data-dept] .badge')].filter(b => b.textContent === '提出済').length === 2`, "two 提出済", 20000);
  const states = await d.exec(`return Object.fromEntries([...document.querySelectorAll('#round-board tr[data-dept]')].map(r => [r.dataset.dept, r.querySelector('.badge').textContent]))`);
  for (const x of depts) assert.equal(states[x], two.some((p) => p.includes(x)) ? "提出済" : "未提出", x);
  assert.match(await text("#round-badge"), /提出済 2 \/ 6/);
  await (await d.find("#remind")).click();
  const remind = await d.until(`return document.getElementById('remind-text').value`, "the reminder", 10000);
  for (const x of depts) assert.equal(remind.includes(`■ ${x}`), !two.some((p) => p.includes(x)), `${x} in the reminder`);
  await shot("rounds");
  const status = JSON.parse(cli(db, "round", "status", "--json"));
  assert.deepEqual(status.departments.filter((x) => x.state === "returned").map((x) => x.department), depts.slice(0, 2));
  await d.stop();
  d = undefined;
});
