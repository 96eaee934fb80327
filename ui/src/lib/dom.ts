// A small element builder: h("button", { class: "x", onclick: f }, "text").

type Child = Node | string | number | null | undefined | false | Child[];
type Handler = (e: Event) => void;
export type Attrs = Record<string, string | number | boolean | null | undefined | Handler>;

const PROPS = new Set(["value", "checked", "disabled", "selected", "readOnly", "rows", "tabIndex"]);

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") {
      el.addEventListener(k.slice(2), v as Handler);
    } else if (PROPS.has(k)) {
      (el as unknown as Record<string, unknown>)[k] = v;
    } else {
      el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function select(options: [string, string][], value: string, attrs: Attrs = {}): HTMLSelectElement {
  const s = h("select", attrs, ...options.map(([v, label]) => h("option", { value: v }, label)));
  s.value = value;
  return s;
}

/** A button that asks once more before doing something that cannot be taken back lightly. */
export function confirmButton(label: string, confirmLabel: string, action: () => Promise<void> | void, attrs: Attrs = {}): HTMLButtonElement {
  let armed = false;
  const b = h("button", { type: "button", ...attrs }, label);
  b.addEventListener("click", async () => {
    if (!armed) {
      armed = true;
      b.textContent = confirmLabel;
      b.classList.add("danger");
      setTimeout(() => {
        armed = false;
        b.textContent = label;
        b.classList.remove("danger");
      }, 4000);
      return;
    }
    b.disabled = true;
    try {
      await action();
    } finally {
      b.disabled = false;
    }
  });
  return b;
}
