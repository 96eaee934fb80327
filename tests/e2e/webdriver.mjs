// A small W3C WebDriver client over fetch, for tauri-driver (which starts the
// app through WebKitWebDriver). Enough for finding, clicking, typing, reading
// and screenshots.
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export class Driver {
  constructor(base = "http://127.0.0.1:4444") {
    this.base = base;
  }

  /** Starts tauri-driver with `env` (the app inherits it) and waits until it answers. */
  static async start(env) {
    const proc = spawn("tauri-driver", ["--port", "4444"], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    proc.stderr.on("data", (d) => (stderr += d));
    const d = new Driver();
    d.proc = proc;
    for (let i = 0; i < 100; i++) {
      try {
        const r = await fetch(`${d.base}/status`);
        if (r.ok) return d;
      } catch {}
      await sleep(100);
    }
    proc.kill("SIGTERM");
    throw new Error(`tauri-driver did not start: ${stderr}`);
  }

  async stop() {
    if (this.session) await this.quit();
    // SIGTERM, not SIGKILL: tauri-driver then stops its WebKitWebDriver too.
    this.proc.kill("SIGTERM");
    await new Promise((r) => (this.proc.exitCode !== null ? r() : this.proc.once("exit", r)));
    // An app that outlives its session holds tauri-driver's stderr open: let go of it, so
    // the test run does not wait on that process.
    this.proc.stderr?.destroy();
    this.proc.unref();
  }

  async req(method, path, body) {
    const r = await fetch(`${this.base}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const j = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j.value ?? j)}`);
    return j.value;
  }

  s(path) {
    return `/session/${this.session}${path}`;
  }

  /** Launches the app; returns when the session is up. */
  async launch(application) {
    const v = await this.req("POST", "/session", {
      capabilities: { alwaysMatch: { browserName: "wry", "tauri:options": { application } } },
    });
    this.session = v.sessionId;
  }

  async quit() {
    await this.req("DELETE", `/session/${this.session}`).catch(() => {});
    this.session = undefined;
  }

  async find(css, timeout = 10000) {
    const end = Date.now() + timeout;
    let last;
    while (Date.now() < end) {
      try {
        const v = await this.req("POST", this.s("/element"), { using: "css selector", value: css });
        return new Element(this, v[ELEMENT]);
      } catch (e) {
        last = e;
      }
      await sleep(100);
    }
    throw new Error(`no element ${css}: ${last}`);
  }

  async findAll(css) {
    const v = await this.req("POST", this.s("/elements"), { using: "css selector", value: css });
    return v.map((x) => new Element(this, x[ELEMENT]));
  }

  async exec(script, ...args) {
    return this.req("POST", this.s("/execute/sync"), { script, args });
  }

  /** Finds and clicks, again when the element was redrawn in between (a stale reference). */
  async click(css) {
    for (let i = 0; ; i++) {
      try {
        return await (await this.find(css)).click();
      } catch (e) {
        if (i >= 4 || !String(e).includes("stale element")) throw e;
        await sleep(200);
      }
    }
  }

  /** Waits until `script` returns something truthy; returns it. */
  async until(script, what, timeout = 10000, ...args) {
    const end = Date.now() + timeout;
    while (Date.now() < end) {
      let v;
      try {
        v = await this.exec(script, ...args);
      } catch (e) {
        // An element the screen replaced while it was returned: look again.
        if (!String(e).includes("stale element")) throw e;
      }
      if (v) return v;
      await sleep(100);
    }
    const seen = await this.exec(`const a = document.getElementById('alert');
      const t = document.getElementById('toast');
      return [a && !a.hidden ? '[alert] ' + a.innerText : '', t && t.textContent ? '[status] ' + t.textContent : '',
        (document.querySelector('main') || document.body).innerText.slice(0, 800)].filter(Boolean).join('\\n')`).catch(() => "");
    throw new Error(`timed out waiting for ${what}; the screen shows:\n${seen}`);
  }

  async screenshot() {
    return Buffer.from(await this.req("GET", this.s("/screenshot")), "base64");
  }
}

export class Element {
  constructor(d, id) {
    this.d = d;
    this.id = id;
  }
  p(path) {
    return this.d.s(`/element/${this.id}${path}`);
  }
  /** Clicks as a person would: the element scrolled to the middle of its scrolling area
   * first (WebKitWebDriver does not scroll a nested scroll container on its own). */
  async click() {
    await this.d.req("POST", this.d.s("/execute/sync"), {
      script: "arguments[0].scrollIntoView({ block: 'center', inline: 'nearest' })",
      args: [{ [ELEMENT]: this.id }],
    });
    return this.d.req("POST", this.p("/click"), {});
  }
  clear() {
    return this.d.req("POST", this.p("/clear"), {});
  }
  type(text) {
    return this.d.req("POST", this.p("/value"), { text });
  }
  text() {
    return this.d.req("GET", this.p("/text"));
  }
  prop(name) {
    return this.d.req("GET", this.p(`/property/${name}`));
  }
}

/** The WebDriver key for Tab. */
export const TAB = "\uE004";
