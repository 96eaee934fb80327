// What every screen gets: the selected year, navigation, messages and progress.
import type { Overview } from "./lib/api";

export type Screen = "overview" | "entry" | "merge" | "rounds" | "charts" | "export" | "history" | "settings";

export interface Ctx {
  overview: Overview;
  year: number;
  /** Re-reads the plan (after an import, merge or undo) and redraws the header. */
  refresh(): Promise<void>;
  go(screen: Screen, params?: Record<string, string>): void;
  params: Record<string, string>;
  toast(message: string, kind?: "ok" | "warn" | "error"): void;
  /** Something to run before leaving the screen or closing the window; `false` stays. */
  onLeave(f: () => Promise<boolean | void>): void;
}
