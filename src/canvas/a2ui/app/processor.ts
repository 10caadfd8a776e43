/**
 * A2UI v0.8 message processing, free of the DOM so the gateway and the CLI can check input before it reaches a
 * node: message types, validation (every error names the message index or line and the field), surface state
 * (components, root, styles, data model), data-model paths with template data contexts, BoundValue and
 * action-context resolution, template expansion.
 *
 * Validation is strict about structure (message kinds, ids, children, BoundValues, data entries) and lenient
 * about enum props (`usageHint`, `distribution`, …): an unknown value renders with the default, because one
 * bad hint should not throw away a whole batch. State is copy-on-write: {@link applyA2uiMessages} validates
 * the batch, applies it to copies and returns a new state, so a failing batch leaves the old state intact.
 */

// --- types ---

/** A value in a surface's data model. */
export type DataValue = string | number | boolean | null | DataValue[] | DataObject;
/** A map in a surface's data model. */
export interface DataObject {
  [key: string]: DataValue;
}

/** A value that is a literal, a data-model path, or both (the literal then initialises the path). */
export interface BoundValue {
  path?: string;
  literalString?: string;
  literalNumber?: number;
  literalBoolean?: boolean;
  literalArray?: DataValue[];
}

/** A container's children: fixed ids, or one component repeated per item of a data-model array or map. */
export type Children = { explicitList: string[] } | { template: { componentId: string; dataBinding: string } };

/** One component of a surface: `component` has exactly one key, the type, whose value holds the props. */
export interface ComponentEntry {
  id: string;
  weight?: number;
  component: Record<string, Record<string, unknown>>;
}

/** Surface-wide styles from beginRendering. */
export interface SurfaceStyles {
  font?: string;
  primaryColor?: string;
}

/** One entry of a dataModelUpdate: a key and exactly one value. */
export interface DataEntry {
  key: string;
  valueString?: string;
  valueNumber?: number;
  valueBoolean?: boolean;
  valueMap?: DataEntry[];
}

/** A Button's action. */
export interface Action {
  name: string;
  context?: { key: string; value: BoundValue }[];
}

/** A server→client A2UI message: exactly one of the four kinds. */
export type A2uiMessage =
  | { beginRendering: { surfaceId: string; root: string; catalogId?: string; styles?: SurfaceStyles } }
  | { surfaceUpdate: { surfaceId: string; components: ComponentEntry[] } }
  | { dataModelUpdate: { surfaceId: string; path?: string; contents: DataEntry[] } }
  | { deleteSurface: { surfaceId: string } };

/** One surface: `root` is unset until beginRendering, and nothing renders before it. */
export interface Surface {
  id: string;
  root?: string;
  catalogId?: string;
  styles: SurfaceStyles;
  components: Map<string, ComponentEntry>;
  data: DataObject;
}

/** Every surface, in creation order. */
export interface A2uiState {
  surfaces: Map<string, Surface>;
}

/** What a clicked Button sends to the agent through the native bridge. */
export interface UserAction {
  id: string;
  name: string;
  surfaceId: string;
  sourceComponentId: string;
  timestamp: string;
  context?: Record<string, DataValue>;
}

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

/** Limits against hostile input. */
export const A2UI_LIMITS = {
  componentsPerSurface: 1000,
  surfaces: 100,
  templateItems: 1000,
  renderDepth: 64,
  dataDepth: 32,
  // Template items times nesting could still multiply into millions of instances; stop well before that.
  renderedInstances: 10_000,
} as const;

/** The four message kinds. */
export const A2UI_MESSAGE_KINDS = ["beginRendering", "surfaceUpdate", "dataModelUpdate", "deleteSurface"] as const;

// --- validation ---

type Report = (field: string, problem: string) => void;
type PropKind = "bound" | "children" | "ref" | "string" | "number" | "boolean" | "action" | "tabItems" | "options";

const LITERAL_KEYS = ["literalString", "literalNumber", "literalBoolean", "literalArray"] as const;
const VALUE_KEYS = ["valueString", "valueNumber", "valueBoolean", "valueMap"] as const;
const UNSAFE_SEGMENTS = new Set(["__proto__", "prototype", "constructor"]);
const CONTAINER: Record<string, PropKind> = { children: "children", distribution: "string", alignment: "string" };

// Props of the standard catalog; a trailing "!" marks a required prop. Unknown props are ignored.
const CATALOG: Record<string, Record<string, `${PropKind}${"" | "!"}`>> = {
  Text: { text: "bound!", usageHint: "string" },
  Image: { url: "bound!", fit: "string", usageHint: "string" },
  Icon: { name: "bound!" },
  Video: { url: "bound!" },
  AudioPlayer: { url: "bound!", description: "bound" },
  Row: { ...CONTAINER, children: "children!" },
  Column: { ...CONTAINER, children: "children!" },
  List: { children: "children!", direction: "string", alignment: "string" },
  Card: { child: "ref!" },
  Tabs: { tabItems: "tabItems!" },
  Divider: { axis: "string" },
  Modal: { entryPointChild: "ref!", contentChild: "ref!" },
  Button: { child: "ref!", primary: "boolean", action: "action" },
  CheckBox: { label: "bound", value: "bound!" },
  TextField: { label: "bound", text: "bound", textFieldType: "string", validationRegexp: "string" },
  DateTimeInput: { value: "bound!", enableDate: "boolean", enableTime: "boolean" },
  MultipleChoice: { selections: "bound!", options: "options!", maxAllowedSelections: "number" },
  Slider: { value: "bound!", minValue: "number", maxValue: "number" },
};

/**
 * Checks a batch of A2UI messages without applying it.
 * @returns every problem found, each naming the message index and the field
 *   (`A2UI message 2: surfaceUpdate.components[0].component must have exactly one component type, got 0`);
 *   an empty array when the batch is valid.
 */
export function validateA2uiMessages(messages: unknown): string[] {
  if (!Array.isArray(messages)) return ["A2UI: expected messages array"];
  const errors: string[] = [];
  messages.forEach((message, i) => validateMessage(message, reporter(errors, `A2UI message ${i}`)));
  return errors;
}

/**
 * Parses A2UI JSONL: one JSON message per non-blank line.
 * @returns the lines that parsed into valid messages, and one error per problem naming its 1-based line
 *   (`A2UI line 3: invalid JSON (…)`); callers should refuse the input when `errors` is not empty.
 */
export function parseA2uiJsonl(text: string): { messages: A2uiMessage[]; errors: string[] } {
  const messages: A2uiMessage[] = [];
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch (err) {
      errors.push(`A2UI line ${i + 1}: invalid JSON (${(err as Error).message})`);
      return;
    }
    const before = errors.length;
    validateMessage(message, reporter(errors, `A2UI line ${i + 1}`));
    if (errors.length === before) messages.push(message as A2uiMessage);
  });
  return { messages, errors };
}

function reporter(errors: string[], prefix: string): Report {
  return (field, problem) => errors.push(`${prefix}: ${field ? `${field} ` : ""}${problem}`);
}

function validateMessage(message: unknown, report: Report): void {
  if (!isRecord(message)) return report("", `must be an object, got ${describe(message)}`);
  const kinds = A2UI_MESSAGE_KINDS.filter((k) => k in message);
  if (kinds.length !== 1) {
    const got = kinds.length ? `${kinds.length} (${kinds.join(", ")})` : `0 (keys: ${Object.keys(message).join(", ") || "none"})`;
    return report("", `must have exactly one of ${A2UI_MESSAGE_KINDS.join(", ")}, got ${got}`);
  }
  const kind = kinds[0];
  const body = message[kind];
  if (!isRecord(body)) return report(kind, `must be an object, got ${describe(body)}`);
  checkId(body.surfaceId, `${kind}.surfaceId`, report);
  if (kind === "beginRendering") validateBeginRendering(body, report);
  else if (kind === "surfaceUpdate") validateSurfaceUpdate(body, report);
  else if (kind === "dataModelUpdate") validateDataModelUpdate(body, report);
}

function validateBeginRendering(body: Record<string, unknown>, report: Report): void {
  checkId(body.root, "beginRendering.root", report);
  checkType(body.catalogId, "string", "beginRendering.catalogId", report);
  if (body.styles === undefined) return;
  if (!isRecord(body.styles)) return report("beginRendering.styles", `must be an object, got ${describe(body.styles)}`);
  checkType(body.styles.font, "string", "beginRendering.styles.font", report);
  checkType(body.styles.primaryColor, "string", "beginRendering.styles.primaryColor", report);
}

function validateSurfaceUpdate(body: Record<string, unknown>, report: Report): void {
  const { components } = body;
  if (!Array.isArray(components)) {
    return report("surfaceUpdate.components", components === undefined ? "is required" : `must be an array, got ${describe(components)}`);
  }
  if (components.length > A2UI_LIMITS.componentsPerSurface) {
    return report("surfaceUpdate.components", `has ${components.length} entries (limit ${A2UI_LIMITS.componentsPerSurface})`);
  }
  components.forEach((entry, i) => validateComponent(entry, `surfaceUpdate.components[${i}]`, report));
}

function validateComponent(entry: unknown, field: string, report: Report): void {
  if (!isRecord(entry)) return report(field, `must be an object, got ${describe(entry)}`);
  checkId(entry.id, `${field}.id`, report);
  if (entry.weight !== undefined && !isFiniteNumber(entry.weight)) report(`${field}.weight`, `must be a finite number, got ${describe(entry.weight)}`);
  const { component } = entry;
  if (!isRecord(component)) return report(`${field}.component`, component === undefined ? "is required" : `must be an object, got ${describe(component)}`);
  const types = Object.keys(component);
  if (types.length !== 1) return report(`${field}.component`, `must have exactly one component type, got ${types.length}`);
  const props = component[types[0]];
  const at = `${field}.component.${types[0]}`;
  if (!isRecord(props)) return report(at, `must be an object, got ${describe(props)}`);
  for (const [name, spec] of Object.entries(CATALOG[types[0]] ?? {})) {
    const required = spec.endsWith("!");
    if (props[name] === undefined) {
      if (required) report(`${at}.${name}`, "is required");
      continue;
    }
    validateProp(props[name], spec.replace("!", "") as PropKind, `${at}.${name}`, report);
  }
}

function validateProp(value: unknown, kind: PropKind, field: string, report: Report): void {
  switch (kind) {
    case "bound":
      return validateBoundValue(value, field, report);
    case "children":
      return validateChildren(value, field, report);
    case "ref":
      return void checkId(value, field, report);
    case "string":
    case "number":
    case "boolean":
      return checkType(value, kind, field, report);
    case "action":
      return validateAction(value, field, report);
    case "tabItems":
      return validateList(value, field, report, (item, at) => {
        validateBoundValue(item.title, `${at}.title`, report);
        checkId(item.child, `${at}.child`, report);
      });
    case "options":
      return validateList(value, field, report, (item, at) => {
        validateBoundValue(item.label, `${at}.label`, report);
        if (typeof item.value !== "string") report(`${at}.value`, `must be a string, got ${describe(item.value)}`);
      });
    default:
      return unreachable(kind);
  }
}

function validateBoundValue(value: unknown, field: string, report: Report): void {
  if (!isRecord(value)) return report(field, `must be a BoundValue object ({path} or {literalString}…), got ${describe(value)}`);
  const literals = LITERAL_KEYS.filter((k) => value[k] !== undefined);
  if (value.path === undefined && literals.length === 0) return report(field, `must have a path or one of ${LITERAL_KEYS.join(", ")}`);
  if (literals.length > 1) report(field, `must have at most one literal, got ${literals.join(", ")}`);
  if (value.path !== undefined) checkPath(value.path, `${field}.path`, report);
  checkType(value.literalString, "string", `${field}.literalString`, report);
  if (value.literalNumber !== undefined && !isFiniteNumber(value.literalNumber)) report(`${field}.literalNumber`, `must be a finite number, got ${describe(value.literalNumber)}`);
  checkType(value.literalBoolean, "boolean", `${field}.literalBoolean`, report);
  const arr = value.literalArray;
  if (arr === undefined) return;
  if (!Array.isArray(arr)) return report(`${field}.literalArray`, `must be an array, got ${describe(arr)}`);
  arr.forEach((item, i) => {
    if (!["string", "number", "boolean"].includes(typeof item)) report(`${field}.literalArray[${i}]`, `must be a string, number or boolean, got ${describe(item)}`);
  });
}

function validateChildren(value: unknown, field: string, report: Report): void {
  if (!isRecord(value)) return report(field, `must be an object with explicitList or template, got ${describe(value)}`);
  const kinds = ["explicitList", "template"].filter((k) => value[k] !== undefined);
  if (kinds.length !== 1) return report(field, `must have exactly one of explicitList, template, got ${kinds.length}`);
  if (kinds[0] === "explicitList") {
    const list = value.explicitList;
    if (!Array.isArray(list)) return report(`${field}.explicitList`, `must be an array of component ids, got ${describe(list)}`);
    return list.forEach((id, i) => checkId(id, `${field}.explicitList[${i}]`, report));
  }
  const template = value.template;
  if (!isRecord(template)) return report(`${field}.template`, `must be an object, got ${describe(template)}`);
  checkId(template.componentId, `${field}.template.componentId`, report);
  if (checkId(template.dataBinding, `${field}.template.dataBinding`, report)) checkPath(template.dataBinding, `${field}.template.dataBinding`, report);
}

function validateAction(value: unknown, field: string, report: Report): void {
  if (!isRecord(value)) return report(field, `must be an object, got ${describe(value)}`);
  checkId(value.name, `${field}.name`, report);
  if (value.context === undefined) return;
  validateList(value.context, `${field}.context`, report, (item, at) => {
    checkId(item.key, `${at}.key`, report);
    validateBoundValue(item.value, `${at}.value`, report);
  });
}

function validateDataModelUpdate(body: Record<string, unknown>, report: Report): void {
  if (body.path !== undefined) checkPath(body.path, "dataModelUpdate.path", report);
  if (body.contents === undefined) return report("dataModelUpdate.contents", "is required");
  validateEntries(body.contents, "dataModelUpdate.contents", 1, report);
}

function validateEntries(value: unknown, field: string, depth: number, report: Report): void {
  if (depth > A2UI_LIMITS.dataDepth) return report(field, `is nested deeper than ${A2UI_LIMITS.dataDepth} levels`);
  validateList(value, field, report, (entry, at) => {
    if (checkId(entry.key, `${at}.key`, report) && !isSafeKey(entry.key as string)) {
      report(`${at}.key`, `must not contain "/" or be one of ${[...UNSAFE_SEGMENTS].join(", ")}`);
    }
    const kinds = VALUE_KEYS.filter((k) => entry[k] !== undefined);
    if (kinds.length !== 1) return report(at, `must have exactly one of ${VALUE_KEYS.join(", ")}, got ${kinds.length}`);
    const v = entry[kinds[0]];
    if (kinds[0] === "valueMap") return validateEntries(v, `${at}.valueMap`, depth + 1, report);
    if (kinds[0] === "valueNumber" && !isFiniteNumber(v)) return report(`${at}.valueNumber`, `must be a finite number, got ${describe(v)}`);
    checkType(v, kinds[0] === "valueString" ? "string" : kinds[0] === "valueBoolean" ? "boolean" : "number", `${at}.${kinds[0]}`, report);
  });
}

function validateList(value: unknown, field: string, report: Report, each: (item: Record<string, unknown>, at: string) => void): void {
  if (!Array.isArray(value)) return report(field, `must be an array, got ${describe(value)}`);
  value.forEach((item, i) => (isRecord(item) ? each(item, `${field}[${i}]`) : report(`${field}[${i}]`, `must be an object, got ${describe(item)}`)));
}

function checkId(value: unknown, field: string, report: Report): boolean {
  if (typeof value === "string" && value.length > 0) return true;
  report(field, value === undefined ? "is required" : `must be a non-empty string, got ${value === "" ? '""' : describe(value)}`);
  return false;
}

function checkType(value: unknown, type: "string" | "number" | "boolean", field: string, report: Report): void {
  if (value !== undefined && typeof value !== type) report(field, `must be a ${type}, got ${describe(value)}`);
}

function checkPath(value: unknown, field: string, report: Report): void {
  if (typeof value !== "string") return report(field, `must be a string, got ${describe(value)}`);
  const bad = value.split("/").find((s) => UNSAFE_SEGMENTS.has(s));
  if (bad) report(field, `must not contain the segment ${bad}`);
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isContainer(value: DataValue | undefined): value is DataObject | DataValue[] {
  return typeof value === "object" && value !== null;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function isSafeKey(key: string): boolean {
  return !key.includes("/") && !UNSAFE_SEGMENTS.has(key);
}

function describe(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

function cloneData<T extends DataValue>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => cloneData(v)) as T;
  if (!isRecord(value)) return value;
  const copy: DataObject = {};
  for (const [k, v] of Object.entries(value)) if (k !== "__proto__") copy[k] = cloneData(v as DataValue);
  return copy as T;
}

function unreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}
