// What every screen gets: the selected year, navigation, messages and progress.
import type { Overview } from "./lib/api";

export type Screen = "overview" | "entry" | "merge" | "rounds" | "charts" | "card" | "report" | "schedule" | "export" | "history" | "settings";

export interface Ctx {
  overview: Overview;
  year: number;
  /** Re-reads the plan (after an import, merge or undo) and redraws the header;
   * `toReportYear` shows the plan's report year (after a new year is started). */
  refresh(toReportYear?: boolean): Promise<void>;
  /** Shows a screen (after the current one agrees to be left); resolves when it is drawn. */
  go(screen: Screen, params?: Record<string, string>): Promise<void>;
  params: Record<string, string>;
  toast(message: string, kind?: "ok" | "warn" | "error"): void;
  /** Something to run before leaving the screen or closing the window; `false` stays. */
  onLeave(f: () => Promise<boolean | void>): void;
}
