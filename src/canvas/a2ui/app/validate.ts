/**
 * A2UI v0.8 message validation, free of the DOM so the gateway and the CLI can check input before it reaches a
 * node: every error names the message index (or JSONL line) and the field.
 *
 * Validation is strict about structure (message kinds, ids, children, BoundValues, data entries) and lenient
 * about enum props (`usageHint`, `distribution`, …): an unknown value renders with the default, because one
 * bad hint should not throw away a whole batch. Limits that depend on the current state (surfaces, components
 * per surface after a merge) are checked when the batch is applied, in `processor.ts`.
 */
import { A2UI_LIMITS, A2UI_MESSAGE_KINDS, type A2uiMessage, isRecord, UNSAFE_SEGMENTS } from "./types.ts";

type Report = (field: string, problem: string) => void;
type PropKind = "bound" | "children" | "ref" | "string" | "number" | "boolean" | "action" | "tabItems" | "options";

const LITERAL_KEYS = ["literalString", "literalNumber", "literalBoolean", "literalArray"] as const;
const VALUE_KEYS = ["valueString", "valueNumber", "valueBoolean", "valueMap"] as const;
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

// --- internal ---

function isFiniteNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function isSafeKey(key: string): boolean {
  return !key.includes("/") && !UNSAFE_SEGMENTS.has(key);
}

function describe(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

function unreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}
