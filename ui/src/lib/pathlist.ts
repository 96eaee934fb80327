// A list of file paths to work on: added by dialog, by drag and drop onto the
// window, or pasted (one per line) — the last is how a path copied from the
// file manager gets in, and how the end-to-end tests drive the screen.
import { h } from "./dom";

export interface PathList {
  el: HTMLElement;
  paths(): string[];
  add(paths: string[]): void;
  clear(): void;
}

export function pathList(browse: () => Promise<string[]>, placeholder: string): PathList {
  const items: string[] = [];
  const list = h("ul", { class: "paths", id: "paths" });
  const paste = h("textarea", { id: "path-input", rows: 2, placeholder, "aria-label": "ファイルのパス" });
  const draw = () => {
    list.replaceChildren(
      ...items.map((p, i) =>
        h("li", {}, h("span", { class: "path" }, p), h("button", { type: "button", class: "link", "aria-label": `${p} を外す`, onclick: () => { items.splice(i, 1); draw(); } }, "外す")),
      ),
    );
  };
  const add = (ps: string[]) => {
    for (const p of ps.map((x) => x.trim()).filter(Boolean)) if (!items.includes(p)) items.push(p);
    draw();
  };
  const el = h("div", { class: "pathlist" },
    list,
    h("div", { class: "row" },
      paste,
      h("button", { type: "button", id: "path-add", onclick: () => { add(paste.value.split(/\r?\n/)); paste.value = ""; } }, "パスを追加"),
      h("button", { type: "button", onclick: async () => add(await browse()) }, "ファイルを選択…"),
    ),
  );
  return { el, paths: () => [...items], add, clear: () => { items.length = 0; draw(); } };
}
