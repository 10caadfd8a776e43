/**
 * What every A2UI component renderer shares: the render pass, BoundValue reads and two-way writes against the
 * surface's data model, and DOM helpers that reuse elements and touch the DOM only when something changed.
 * Private to the renderers (`render.ts`, `_render-display.ts`, `_render-inputs.ts`).
 */
import { getDataValue, type RenderNode, resolveBoundValue, setDataValue } from "./processor.ts";
import type { RenderHooks } from "./render.ts";
import type { BoundValue, DataValue, Surface } from "./types.ts";

/** One render of a surface: the view and hooks renderers report to, and the elements reused and produced. */
export interface Pass {
  view: { surface: Surface; rerender(): void };
  hooks: RenderHooks;
  prev: Map<string, HTMLElement>;
  next: Map<string, HTMLElement>;
  /** A literal initialised its path during this pass: parts rendered earlier may show the old value. */
  initialised: boolean;
  /** Renders child instances in this pass, skipping undefined ones (an empty Tabs or Modal slot). */
  renderNodes(nodes: (RenderNode | undefined)[]): HTMLElement[];
}

/** Component props, as they came in the surfaceUpdate (already validated). */
export type Props = Record<string, unknown>;
/** Renders one component instance, reusing `prev` (the previous element of the same key and type) if given. */
export type Renderer = (prev: HTMLElement | undefined, props: Props, node: RenderNode, pass: Pass) => HTMLElement;

// --- binding ---

/** Resolves a BoundValue prop in the node's data context, noting in `pass` when a literal initialised its path. */
export function bound(pass: Pass, node: RenderNode, value: unknown): DataValue | undefined {
  const bv = value as BoundValue | undefined;
  const { surface } = pass.view;
  const hasLiteral = bv !== undefined && (bv.literalString ?? bv.literalNumber ?? bv.literalBoolean ?? bv.literalArray) !== undefined;
  if (hasLiteral && bv.path !== undefined && getDataValue(surface, bv.path, node.context) === undefined) pass.initialised = true;
  return resolveBoundValue(surface, bv, node.context);
}

/** Two-way binding: writes the bound path (if any) of the latest surface state, then re-renders the surface. */
export function write(pass: Pass, node: RenderNode, value: unknown, next: DataValue): void {
  const path = (value as BoundValue | undefined)?.path;
  if (path === undefined) return;
  setDataValue(pass.view.surface, path, next, node.context);
  pass.view.rerender();
}

// --- DOM ---

/** `prev` when it has this tag, else a new element; either way with exactly this class. */
export function reuse<K extends keyof HTMLElementTagNameMap>(prev: HTMLElement | undefined, tag: K, className: string): HTMLElementTagNameMap[K] {
  const el = prev?.localName === tag ? (prev as HTMLElementTagNameMap[K]) : document.createElement(tag);
  if (el.className !== className) el.className = className;
  return el;
}

/** The direct child of `parent` with this tag and class, appended when missing (parts keep their creation order). */
export function part<K extends keyof HTMLElementTagNameMap>(parent: HTMLElement, tag: K, className: string): HTMLElementTagNameMap[K] {
  for (const child of Array.from(parent.children)) {
    if (child.localName === tag && child.classList.contains(className)) return child as HTMLElementTagNameMap[K];
  }
  const el = document.createElement(tag);
  el.className = className;
  return parent.appendChild(el);
}

/** Makes `kids` the element children of `parent`, touching the DOM only when they differ (moving a node blurs it). */
export function syncChildren(parent: Element, kids: Element[]): void {
  const current = parent.children;
  if (current.length === kids.length && kids.every((kid, i) => current[i] === kid)) return;
  parent.replaceChildren(...kids);
}

const modelValues = new WeakMap<Element, string>();

/** Sets an input's value only when the model changed since the last render, so local edits and caret survive. */
export function syncValue(input: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  if (modelValues.get(input) === value) return;
  modelValues.set(input, value);
  if (input.value !== value) input.value = value;
}

/** Sets the text of `el` unless it already has it. */
export function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** Sets or (for undefined) removes an attribute, unless it already has that value. */
export function setAttr(el: HTMLElement, name: string, value: string | undefined): void {
  if (value === undefined) el.removeAttribute(name);
  else if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

// --- values ---

/** A data value as display text: "" for unset or null, JSON for arrays and maps. */
export function toText(value: DataValue | undefined): string {
  if (value === undefined || value === null) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** A data value as a list of strings: an array's or map's values, one item for a scalar, none when unset or "". */
export function toStringList(value: DataValue | undefined): string[] {
  if (Array.isArray(value)) return value.map((v) => toText(v));
  if (value && typeof value === "object") return Object.values(value).map((v) => toText(v));
  return value === undefined || value === null || value === "" ? [] : [toText(value)];
}

/** `value` if it is one of the `allowed` strings, else `fallback` (unknown enum props render with the default). */
export function oneOf(value: unknown, allowed: string[], fallback: string): string {
  return typeof value === "string" && allowed.includes(value) ? value : fallback;
}

/** The entry of `table` for `key`, or "" (which unsets the CSS property) when there is none. */
export function lookup(table: Record<string, string>, key: unknown): string {
  return typeof key === "string" && Object.hasOwn(table, key) ? table[key] : "";
}
