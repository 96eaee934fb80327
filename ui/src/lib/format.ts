// Labels and formats shared by the screens (和暦, marks, statuses, what a merge did).
import type { EntryStatus, MergeView } from "./bindings";

export const STATUS_LABEL: Record<EntryStatus, string> = { missing: "未入力", entered: "入力済", confirmed: "確定" };

export const MERGE_STATUS: Record<string, string> = {
  applied: "反映",
  unchanged: "変更なし",
  conflicts: "競合あり",
  skipped: "取りまとめ済み",
  rejected: "却下",
};

/** `2026-11-21T05:03:00Z` → `令和8年11月21日 14:03` (local time). */
export function wareki(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const y = d.getFullYear();
  const era = y >= 2019 ? `令和${y - 2018 === 1 ? "元" : y - 2018}年` : `平成${y - 1988}年`;
  const mm = String(d.getMinutes()).padStart(2, "0");
  return `${era}${d.getMonth() + 1}月${d.getDate()}日 ${d.getHours()}:${mm}`;
}

export function bytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}

/** Characters as a person counts them (not UTF-16 units). */
export function charCount(s: string): number {
  return [...s].length;
}

/** What happened, said as such: every file refused is an error, some refused a warning. */
export function mergeOutcome(r: MergeView): [string, "ok" | "warn" | "error"] {
  const total = r.files.length;
  if (r.rejected > 0 && r.rejected === total) {
    return [`取りまとめできませんでした: ${total} ファイルすべてを却下しました。理由は結果の表を確認してください`, "error"];
  }
  const counts = `反映 ${r.applied} 項目、競合 ${r.conflicts} 件`;
  if (r.rejected > 0) {
    return [`一部のファイルを却下しました(${r.rejected} / ${total} ファイル)。ほかは取りまとめました: ${counts}`, "warn"];
  }
  if (r.conflicts > 0) return [`取りまとめました: ${counts}。競合を確認してください`, "warn"];
  return [`取りまとめました: ${counts}`, "ok"];
}
