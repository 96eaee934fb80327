// Saves waiting in a screen's fields, and what leaving the screen asks of them: every
// waiting save run, and no field left holding a value that could not be saved.
import type { Ctx } from "../context";

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
