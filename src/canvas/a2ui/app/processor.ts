/**
 * A2UI v0.8 message processing, free of the DOM so the gateway and the CLI can use it: surface state
 * (components, root, styles, data model), data-model paths with template data contexts, BoundValue and
 * action-context resolution, template expansion and the render tree. It is also the face of the A2UI core:
 * it re-exports the types and limits (`types.ts`) and validation (`validate.ts`).
 *
 * State is copy-on-write: {@link applyA2uiMessages} validates the batch, applies it to copies and returns a new
 * state, so a failing batch leaves the old state intact.
 */
import {
  A2UI_LIMITS,
  type A2uiMessage,
  type A2uiState,
  type Action,
  type BoundValue,
  type Children,
  type ComponentEntry,
  type DataEntry,
  type DataObject,
  type DataValue,
  isRecord,
  type Surface,
  UNSAFE_SEGMENTS,
  type UserAction,
} from "./types.ts";
import { validateA2uiMessages } from "./validate.ts";

export type {
  A2uiMessage,
  A2uiState,
  Action,
  BoundValue,
  Children,
  ComponentEntry,
  DataEntry,
  DataObject,
  DataValue,
  Surface,
  SurfaceStyles,
  UserAction,
} from "./types.ts";
export { A2UI_LIMITS, A2UI_MESSAGE_KINDS } from "./types.ts";
export { parseA2uiJsonl, validateA2uiMessages } from "./validate.ts";

// --- render-tree types ---

/** One rendered child: a component id, its data context, and the item key when it comes from a template. */
export interface ChildInstance {
  id: string;
  context: string;
  key?: string;
}

/** One component instance in a surface's render tree (see {@link buildRenderTree}). */
export interface RenderNode {
  id: string;
  /** Unique in the tree: the ids (and item keys) from the root down; renderers key element reuse on it. */
  key: string;
  /** The data context: "/" or the path of the template item this instance is in. */
  context: string;
  /** The key of the nearest template item this instance is in; undefined outside templates. */
  itemKey?: string;
  /** The component type; undefined when the id is unknown (its surfaceUpdate may come later) or refused. */
  type?: string;
  props: Record<string, unknown>;
  /** Set when the instance is not rendered: a cycle, too deep, or over the instance budget. */
  refused?: string;
  /** In prop order: a container's (expanded) children, a Card's or Button's child, a Modal's entry point
   * then content, one per Tabs item. */
  children: RenderNode[];
}

// --- state ---

/** An empty state: no surfaces. */
export function createA2uiState(): A2uiState {
  return { surfaces: new Map() };
}

/**
 * Validates the whole batch, then applies it to copies of the surfaces it touches.
 * @returns the new state; `state` itself is never modified.
 * @throws Error `A2UI: expected messages array` for a non-array; otherwise an Error listing the problems
 *   (index and field first), including limits that depend on the current state (components, surfaces).
 */
export function applyA2uiMessages(state: A2uiState, messages: unknown): A2uiState {
  const errors = validateA2uiMessages(messages);
  if (errors.length) throw new Error(summarize(errors));
  const next: A2uiState = { surfaces: new Map(state.surfaces) };
  const copied = new Set<string>();
  (messages as A2uiMessage[]).forEach((message, i) => applyMessage(next, copied, message, i));
  return next;
}

function summarize(errors: string[]): string {
  const shown = errors.slice(0, 10).join("\n");
  return errors.length > 10 ? `${shown}\n…and ${errors.length - 10} more` : shown;
}

function applyMessage(state: A2uiState, copied: Set<string>, message: A2uiMessage, index: number): void {
  if ("deleteSurface" in message) {
    state.surfaces.delete(message.deleteSurface.surfaceId);
    return;
  }
  if ("beginRendering" in message) {
    const { surfaceId, root, catalogId, styles } = message.beginRendering;
    const surface = writableSurface(state, copied, surfaceId, `A2UI message ${index}: beginRendering`);
    Object.assign(surface, { root, catalogId, styles: { ...styles } });
  } else if ("surfaceUpdate" in message) {
    const { surfaceId, components } = message.surfaceUpdate;
    const surface = writableSurface(state, copied, surfaceId, `A2UI message ${index}: surfaceUpdate`);
    for (const entry of components) surface.components.set(entry.id, cloneData(entry as unknown as DataValue) as unknown as ComponentEntry);
    const limit = A2UI_LIMITS.componentsPerSurface;
    if (surface.components.size > limit) throw new Error(`A2UI message ${index}: surfaceUpdate would give surface "${surfaceId}" ${surface.components.size} components (limit ${limit})`);
  } else {
    const { surfaceId, path, contents } = message.dataModelUpdate;
    const surface = writableSurface(state, copied, surfaceId, `A2UI message ${index}: dataModelUpdate`);
    const base = resolvePath(path ?? "/");
    for (const entry of contents) setDataValue(surface, joinPath(base, entry.key), toDataValue(entry));
  }
}

// A surface of `state` safe to modify: copied once per batch, created (within the limit) when missing.
function writableSurface(state: A2uiState, copied: Set<string>, id: string, at: string): Surface {
  const existing = state.surfaces.get(id);
  if (existing && copied.has(id)) return existing;
  if (!existing && state.surfaces.size >= A2UI_LIMITS.surfaces) throw new Error(`${at} would create surface "${id}" beyond the limit of ${A2UI_LIMITS.surfaces} surfaces`);
  const surface: Surface = existing
    ? { ...existing, styles: { ...existing.styles }, components: new Map(existing.components), data: cloneData(existing.data) as DataObject }
    : { id, styles: {}, components: new Map(), data: {} };
  state.surfaces.set(id, surface);
  copied.add(id);
  return surface;
}

function toDataValue(entry: DataEntry): DataValue {
  if (entry.valueMap === undefined) return entry.valueString ?? entry.valueNumber ?? entry.valueBoolean ?? null;
  const map: DataObject = {};
  for (const child of entry.valueMap) map[child.key] = toDataValue(child);
  return map;
}

// The type name and props of a component entry; undefined unless it has exactly one type (always, once valid).
function componentTypeOf(entry: ComponentEntry): { type: string; props: Record<string, unknown> } | undefined {
  const types = Object.keys(entry.component);
  return types.length === 1 ? { type: types[0], props: entry.component[types[0]] } : undefined;
}

// --- data model ---

/**
 * Turns `path` into an absolute, normalised path: one starting with "/" is absolute, anything else is relative
 * to `context` (a template item's path); "." is the context itself, ".." its parent.
 * @example resolvePath("name", "/items/0") // "/items/0/name"
 */
export function resolvePath(path: string, context = "/"): string {
  const segments: string[] = [];
  const full = path.startsWith("/") ? path : `${context}/${path}`;
  for (const segment of full.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  return `/${segments.join("/")}`;
}

function joinPath(base: string, key: string): string {
  return base.endsWith("/") ? `${base}${key}` : `${base}/${key}`;
}

/**
 * Reads the data model of `surface` at `path` (relative paths resolve against `context`).
 * @returns undefined when nothing is there.
 */
export function getDataValue(surface: Surface, path: string, context = "/"): DataValue | undefined {
  let current: DataValue | undefined = surface.data;
  for (const segment of segmentsOf(resolvePath(path, context))) current = childOf(current, segment);
  return current;
}

/**
 * Writes `value` into the data model of `surface` at `path`, creating maps on the way. Writing "/" replaces the
 * whole model (maps only). Paths through unsafe segments (`__proto__`, …) are ignored.
 */
export function setDataValue(surface: Surface, path: string, value: DataValue, context = "/"): void {
  const segments = segmentsOf(resolvePath(path, context));
  if (segments.some((s) => UNSAFE_SEGMENTS.has(s))) return;
  if (segments.length === 0) {
    if (isRecord(value)) surface.data = value as DataObject;
    return;
  }
  let container: DataValue = surface.data;
  for (const segment of segments.slice(0, -1)) {
    let child = childOf(container, segment);
    if (!isContainer(child)) {
      child = {};
      if (!assign(container, segment, child)) return;
    }
    container = child;
  }
  assign(container, segments[segments.length - 1], value);
}

function segmentsOf(absolute: string): string[] {
  return absolute.split("/").filter(Boolean);
}

function childOf(value: DataValue | undefined, segment: string): DataValue | undefined {
  if (Array.isArray(value)) return /^\d+$/.test(segment) ? value[Number(segment)] : undefined;
  if (isRecord(value) && Object.hasOwn(value, segment)) return (value as DataObject)[segment];
  return undefined;
}

function assign(container: DataValue, segment: string, value: DataValue): boolean {
  if (Array.isArray(container)) {
    if (!/^\d+$/.test(segment) || Number(segment) > container.length) return false;
    container[Number(segment)] = value;
    return true;
  }
  (container as DataObject)[segment] = value;
  return true;
}

// --- binding ---

/**
 * Resolves a BoundValue in a data context: a path reads the data model, a literal is itself. With both, the
 * literal initialises the data model at the path when that path is unset (so a two-way input starts there).
 * @returns undefined when `value` is undefined or its path is unset without a literal.
 */
export function resolveBoundValue(surface: Surface, value: BoundValue | undefined, context = "/"): DataValue | undefined {
  if (!value) return undefined;
  const literal = literalOf(value);
  if (value.path === undefined) return literal;
  const current = getDataValue(surface, value.path, context);
  if (current !== undefined || literal === undefined) return current;
  setDataValue(surface, value.path, cloneData(literal), context);
  return literal;
}

function literalOf(value: BoundValue): DataValue | undefined {
  return value.literalString ?? value.literalNumber ?? value.literalBoolean ?? value.literalArray;
}

/**
 * The children to render for a `children` prop: an explicit list as is, or a template's component once per
 * item of the array or map at `dataBinding` (at most {@link A2UI_LIMITS}.templateItems), each with the item's
 * path as its data context and its index or key as `key`.
 * @returns an empty array when `children` is undefined or the binding holds no array or map.
 */
export function expandChildren(surface: Surface, children: Children | undefined, context = "/"): ChildInstance[] {
  if (!children) return [];
  const limit = A2UI_LIMITS.templateItems;
  if ("explicitList" in children) return children.explicitList.slice(0, limit).map((id) => ({ id, context }));
  const { componentId, dataBinding } = children.template;
  const base = resolvePath(dataBinding, context);
  const items = getDataValue(surface, base);
  const keys: string[] = [];
  if (Array.isArray(items)) for (let i = 0; i < items.length && i < limit; i++) keys.push(String(i));
  else if (isRecord(items)) keys.push(...Object.keys(items).slice(0, limit));
  return keys.map((key) => ({ id: componentId, key, context: joinPath(base, key) }));
}

/**
 * Resolves a Button action's context entries against the data model (paths relative to `context`).
 * @returns undefined when the action has no context entries; unset paths become null.
 */
export function resolveActionContext(surface: Surface, action: Action, context = "/"): Record<string, DataValue> | undefined {
  if (!action.context?.length) return undefined;
  const resolved: Record<string, DataValue> = {};
  for (const { key, value } of action.context) resolved[key] = cloneData(resolveBoundValue(surface, value, context) ?? null);
  return resolved;
}

/** Options of {@link createUserAction}. */
export interface UserActionOptions {
  surface: Surface;
  action: Action;
  sourceComponentId: string;
  /** The clicked component's data context (a template item's path), "/" outside templates. */
  context?: string;
  id: string;
  timestamp: string;
}

/** Builds the userAction for a clicked Button; `context` is omitted when the action has none. */
export function createUserAction(opts: UserActionOptions): UserAction {
  const { surface, action } = opts;
  const userAction: UserAction = { id: opts.id, name: action.name, surfaceId: surface.id, sourceComponentId: opts.sourceComponentId, timestamp: opts.timestamp };
  const context = resolveActionContext(surface, action, opts.context);
  if (context) userAction.context = context;
  return userAction;
}

// --- render tree ---

/**
 * Expands a surface into the tree of component instances to render, from its root: templates expanded over
 * the data model, each instance with its data context. Safe on hostile input: an instance that references
 * itself or an ancestor, sits deeper than {@link A2UI_LIMITS}.renderDepth, or exceeds the instance budget is
 * kept as a leaf with `refused` set, so the walk always ends.
 * @returns undefined before beginRendering (no root).
 */
export function buildRenderTree(surface: Surface): RenderNode | undefined {
  if (surface.root === undefined) return undefined;
  const walk = { surface, keys: new Set<string>(), count: 0 };
  return buildNode(walk, { id: surface.root, context: "/" }, undefined, []);
}

interface Walk {
  surface: Surface;
  keys: Set<string>;
  count: number;
}

function buildNode(walk: Walk, child: ChildInstance, parent: RenderNode | undefined, ancestors: string[]): RenderNode {
  const base = `${parent?.key ?? ""}/${child.id}${child.key === undefined ? "" : `#${child.key}`}`;
  let key = base;
  for (let n = 1; walk.keys.has(key); n++) key = `${base}~${n}`;
  walk.keys.add(key);
  const node: RenderNode = { id: child.id, key, context: child.context, itemKey: child.key ?? parent?.itemKey, props: {}, children: [] };
  if (++walk.count > A2UI_LIMITS.renderedInstances) node.refused = `Too many components (limit ${A2UI_LIMITS.renderedInstances})`;
  else if (ancestors.length > A2UI_LIMITS.renderDepth) node.refused = `Nested too deeply: ${child.id}`;
  else if (ancestors.includes(child.id)) node.refused = `Recursive reference: ${child.id}`;
  const entry = walk.surface.components.get(child.id);
  const found = entry && !node.refused ? componentTypeOf(entry) : undefined;
  if (!found) return node;
  node.type = found.type;
  node.props = found.props;
  const path = [...ancestors, child.id];
  for (const c of childrenOf(walk.surface, found.type, found.props, child.context)) {
    node.children.push(buildNode(walk, c, node, path));
    // One refused node marks where the budget ran out; nothing after it is walked.
    if (walk.count > A2UI_LIMITS.renderedInstances) break;
  }
  return node;
}

function childrenOf(surface: Surface, type: string, props: Record<string, unknown>, context: string): ChildInstance[] {
  const refs = (...ids: unknown[]) => ids.filter((id): id is string => typeof id === "string").map((id) => ({ id, context }));
  switch (type) {
    case "Row":
    case "Column":
    case "List":
      return expandChildren(surface, props.children as Children | undefined, context);
    case "Card":
    case "Button":
      return refs(props.child);
    case "Modal":
      return refs(props.entryPointChild, props.contentChild);
    case "Tabs":
      return refs(...(props.tabItems as { child: unknown }[]).slice(0, A2UI_LIMITS.templateItems).map((item) => item.child));
    default:
      return [];
  }
}

// --- sanitising ---

/** True for a hex color (`#abc` … `#aabbccdd`) or a plain named color; anything else is not used. */
export function isSafeCssColor(value: string): boolean {
  return /^#[0-9a-fA-F]{3,8}$/.test(value) || /^[a-zA-Z]{3,30}$/.test(value);
}

/**
 * A media URL if it is safe to load: http(s), blob, relative, and for images also `data:image/…`.
 * @returns undefined for anything else (`javascript:`, `file:`, …).
 */
export function toSafeMediaUrl(url: string, kind: "image" | "media"): string | undefined {
  const trimmed = url.trim();
  // Browsers ignore whitespace and control characters inside the scheme ("java\tscript:"), so strip them to look.
  const probe = trimmed.replace(/[\u0000-\u0020]/g, "").toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(probe)?.[1];
  if (scheme === undefined) return trimmed || undefined;
  if (scheme === "http" || scheme === "https" || scheme === "blob") return trimmed;
  if (scheme === "data" && kind === "image" && probe.startsWith("data:image/")) return trimmed;
  return undefined;
}

// --- internal ---

function isContainer(value: DataValue | undefined): value is DataObject | DataValue[] {
  return typeof value === "object" && value !== null;
}

function cloneData<T extends DataValue>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => cloneData(v)) as T;
  if (!isRecord(value)) return value;
  const copy: DataObject = {};
  for (const [k, v] of Object.entries(value)) if (k !== "__proto__") copy[k] = cloneData(v as DataValue);
  return copy as T;
}
