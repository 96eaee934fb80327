// Saves waiting in a screen's fields, and what leaving the screen asks of them: every
// waiting save run, and no field left holding a value that could not be saved.
import type { Ctx } from "../context";
import { api, errorText } from "./api";
import { h } from "./dom";

export interface Pending {
  /** The saves not yet run (a field adds its own while the person types). */
  saves: Set<() => Promise<void>>;
  /** Runs them; `false` (and the first bad field focused) when one could not be saved. */
  flush(): Promise<boolean>;
}

/** The saves of the fields inside `body`, run before the screen is left. */
export function pendingSaves(ctx: Ctx, body: HTMLElement, what: string): Pending {
  const saves = new Set<() => Promise<void>>();
  const flush = async () => {
    for (const p of [...saves]) await p();
    const bad = body.querySelector<HTMLElement>("[aria-invalid='true']");
    if (!bad) return true;
    ctx.toast(`保存されていない${what}があります(赤い枠)。理由を見て直してから移動してください`, "warn");
    bad.focus();
    return false;
  };
  ctx.onLeave(flush);
  return { saves, flush };
}

const PAUSE_MS = 800;

/** Binds a field to a plan path: saved (one revision, checked by the core) when it loses
 * focus or typing pauses; its state and the core's message shown in `state` and `err`. */
export function autosave(
  pending: Pending,
  control: HTMLInputElement | HTMLTextAreaElement,
  path: string,
  summary: string,
  onSaved: () => Promise<void> = async () => {},
): { state: HTMLElement; err: HTMLElement } {
  const err = h("div", { class: "field-error", role: "alert" });
  const state = h("span", { class: "state" });
  control.dataset.path = path;
  let last = control.value;
  let timer = 0;
  const save = async () => {
    pending.saves.delete(save);
    clearTimeout(timer);
    if (control.value === last) return;
    const text = control.value;
    state.textContent = "保存中…";
    try {
      const r = await api.editFields([{ path, text }], summary);
      last = text;
      control.removeAttribute("aria-invalid");
      err.textContent = "";
      state.textContent = r.revision_id ? "保存済み" : "";
      state.className = "state saved";
      await onSaved();
    } catch (e) {
      control.setAttribute("aria-invalid", "true");
      err.textContent = errorText(e);
      state.textContent = "未保存";
      state.className = "state unsaved";
    }
  };
  control.addEventListener("input", () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => void save(), PAUSE_MS);
    pending.saves.add(save);
    state.textContent = "入力中";
    state.className = "state editing";
  });
  control.addEventListener("blur", () => void save());
  return { state, err };
}
