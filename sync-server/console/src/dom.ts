// Building the page: elements from a tag, attributes and children; table parts; downloads.

type Attrs = Record<string, string | number | boolean | undefined>;
export type Child = Node | string | null | undefined;

/** The first element matching `sel`. */
export const $ = <T extends HTMLElement = HTMLElement>(sel: string, root: ParentNode = document): T =>
  root.querySelector(sel) as T;

/** An HTML element. `false` and `undefined` attributes are left out; `true` is a bare attribute. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    // Handlers are attached with addEventListener, never as attributes (the CSP forbids inline code).
    if (v === undefined || v === false || k.startsWith("on")) continue;
    el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    el.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return el;
}

const SVG = "http://www.w3.org/2000/svg";

/** An SVG element. */
export function s(
  tag: string,
  attrs: Record<string, string | number> = {},
  ...children: Child[]
): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) {
    if (c === null || c === undefined) continue;
    el.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return el;
}

/** A plain cell. */
export const td = (...children: Child[]) => h("td", {}, ...children);

/** A right-aligned number cell; `extra` adds classes. */
export const num = (value: number | string, extra?: string) =>
  h("td", { class: extra ? `num ${extra}` : "num" }, String(value));

/**
 * A table with a header row of `labels` (a `null` label leaves its column out) and a body that rows are
 * appended to: `table.tBodies[0]`.
 */
export function table(id: string, labels: (string | null)[], rows: HTMLElement[] = []): HTMLTableElement {
  const head = h("tr", {}, ...labels.map((l) => (l === null ? null : h("th", {}, l))));
  return h("table", { id }, h("thead", {}, head), h("tbody", {}, ...rows));
}

/** Appends a row to a table made by [`table`]. */
export function addRow(t: HTMLTableElement, row: HTMLElement) {
  t.tBodies[0].append(row);
}

/** Saves `blob` as a file named `name` (the browser's download). */
export function download(name: string, blob: Blob) {
  const a = h("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
}

/** `key=value, key=value` for a cell, a preload or an assignment's fields. */
export const pairs = (o: Record<string, string | number>) =>
  Object.entries(o)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
