/**
 * Renders A2UI surfaces into the DOM with the v0.8 standard catalog. Every component instance gets one element,
 * reused across renders under a key built from its place in the tree, so re-rendering after a data change keeps
 * focus and caret in the field being edited. Strings from messages only ever become text nodes, never HTML.
 *
 * Each element carries `data-a2ui-id` and `data-a2ui-type` (plus `data-a2ui-key`, the item key, inside template
 * items) so native clients and tests can find it.
 */
import {
  A2UI_LIMITS,
  type Action,
  type BoundValue,
  buildRenderTree,
  type DataValue,
  getDataValue,
  isSafeCssColor,
  type RenderNode,
  resolveBoundValue,
  type Surface,
  type SurfaceStyles,
  setDataValue,
  toSafeMediaUrl,
} from "./processor.ts";

/** What a surface view reports back to the host. */
export interface RenderHooks {
  /** A Button with an action was clicked; `context` is the Button's data context ("/" outside templates). */
  onAction(surface: Surface, sourceComponentId: string, action: Action, context: string): void;
}

/** The DOM of one surface. */
export interface SurfaceView {
  readonly element: HTMLElement;
  /** Renders `surface` (this view's surface, latest state), reusing the elements of the previous render. */
  render(surface: Surface): void;
}

interface Pass {
  view: { surface: Surface; rerender(): void };
  hooks: RenderHooks;
  prev: Map<string, HTMLElement>;
  next: Map<string, HTMLElement>;
  /** A literal initialised its path during this pass: parts rendered earlier may show the old value. */
  initialised: boolean;
}

type Props = Record<string, unknown>;
type Renderer = (prev: HTMLElement | undefined, props: Props, node: RenderNode, pass: Pass) => HTMLElement;

/** Creates the view of surface `surfaceId`: a `<section data-surface-id>`, hidden until beginRendering. */
export function createSurfaceView(surfaceId: string, hooks: RenderHooks): SurfaceView {
  const element = document.createElement("section");
  element.className = "a2ui-surface";
  element.dataset.surfaceId = surfaceId;
  let cache = new Map<string, HTMLElement>();
  const view = {
    surface: undefined as unknown as Surface,
    rerender: () => render(view.surface),
  };
  const render = (surface: Surface, settle = true): void => {
    view.surface = surface;
    const pass: Pass = { view, hooks, prev: cache, next: new Map(), initialised: false };
    const tree = buildRenderTree(surface);
    applyStyles(element, surface.styles);
    element.hidden = tree === undefined;
    syncChildren(element, tree ? [renderNode(pass, tree)] : []);
    cache = pass.next;
    if (pass.initialised && settle) render(surface, false);
  };
  return { element, render };
}

function applyStyles(element: HTMLElement, styles: SurfaceStyles): void {
  const color = styles.primaryColor && isSafeCssColor(styles.primaryColor) ? styles.primaryColor : "";
  element.style.setProperty("--a2ui-accent", color);
  element.style.fontFamily = styles.font && /^[\w\s,'"-]{1,200}$/.test(styles.font) ? styles.font : "";
}

// --- tree ---

function renderNode(pass: Pass, node: RenderNode): HTMLElement {
  const prev = pass.prev.get(node.key);
  // Renderers keep per-element state (texts, values), so an element is only reused for the same type.
  const same = (type: string) => (prev?.dataset.a2uiType === type ? prev : undefined);
  let el: HTMLElement;
  if (node.refused !== undefined) {
    el = mark(reuse(same("Placeholder"), "div", "a2ui-placeholder"), node, "Placeholder");
    setText(el, node.refused);
  } else if (node.type === undefined) {
    // Components may arrive in a later surfaceUpdate than their parent: keep the slot, show nothing yet.
    el = mark(reuse(same("Missing"), "span", "a2ui-missing"), node, "Missing");
    el.hidden = true;
  } else {
    const renderer = Object.hasOwn(RENDERERS, node.type) ? RENDERERS[node.type] : renderUnsupported;
    el = mark(renderer(same(node.type), node.props, node, pass), node, node.type);
    const weight = pass.view.surface.components.get(node.id)?.weight;
    el.style.flexGrow = weight === undefined ? "" : String(weight);
  }
  pass.next.set(node.key, el);
  return el;
}

function renderNodes(pass: Pass, nodes: (RenderNode | undefined)[]): HTMLElement[] {
  return nodes.filter((n): n is RenderNode => n !== undefined).map((n) => renderNode(pass, n));
}

function mark(el: HTMLElement, node: RenderNode, type: string): HTMLElement {
  el.dataset.a2uiId = node.id;
  el.dataset.a2uiType = type;
  if (node.itemKey === undefined) delete el.dataset.a2uiKey;
  else el.dataset.a2uiKey = node.itemKey;
  el.hidden = false;
  return el;
}

const renderUnsupported: Renderer = (prev, _props, node) => {
  const el = reuse(prev, "div", "a2ui-placeholder");
  setText(el, `Unsupported component: ${node.type}`);
  return el;
};

// --- display components ---

const HEADINGS = new Set(["h1", "h2", "h3", "h4", "h5"]);
const renderedText = new WeakMap<Element, string>();

const renderText: Renderer = (prev, props, node, pass) => {
  const hint = oneOf(props.usageHint, ["h1", "h2", "h3", "h4", "h5", "caption", "body"], "body");
  const el = reuse(prev, HEADINGS.has(hint) ? (hint as "h1") : "div", `a2ui-text a2ui-text-${hint}`);
  const text = toText(bound(pass, node, props.text));
  if (renderedText.get(el) !== text) {
    renderedText.set(el, text);
    el.replaceChildren(...toRichText(text));
  }
  return el;
};

// A deliberately tiny markdown subset: **bold**, *italic*, `code` and line breaks, built as DOM nodes.
const INLINE = /\*\*(.+?)\*\*|\*([^*\s](?:[^*]*?[^*\s])?)\*|`([^`]+)`/g;

function toRichText(text: string): Node[] {
  const nodes: Node[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (i > 0) nodes.push(document.createElement("br"));
    let last = 0;
    for (const m of line.matchAll(INLINE)) {
      if (m.index > last) nodes.push(document.createTextNode(line.slice(last, m.index)));
      const el = document.createElement(m[1] !== undefined ? "strong" : m[2] !== undefined ? "em" : "code");
      el.textContent = m[1] ?? m[2] ?? m[3];
      nodes.push(el);
      last = m.index + m[0].length;
    }
    if (last < line.length) nodes.push(document.createTextNode(line.slice(last)));
  });
  return nodes;
}

const IMAGE_HINTS = ["icon", "avatar", "smallFeature", "mediumFeature", "largeFeature", "header"];
const FITS = ["contain", "cover", "fill", "none", "scale-down"];

const renderImage: Renderer = (prev, props, node, pass) => {
  const img = reuse(prev, "img", `a2ui-image a2ui-image-${oneOf(props.usageHint, IMAGE_HINTS, "mediumFeature")}`);
  setAttr(img, "src", toSafeMediaUrl(toText(bound(pass, node, props.url)), "image"));
  img.alt = "";
  img.decoding = "async";
  img.style.objectFit = oneOf(props.fit, FITS, "");
  return img;
};

const renderVideo: Renderer = (prev, props, node, pass) => {
  const video = reuse(prev, "video", "a2ui-video");
  video.controls = true;
  video.playsInline = true;
  video.preload = "metadata";
  setAttr(video, "src", toSafeMediaUrl(toText(bound(pass, node, props.url)), "media"));
  return video;
};

const renderAudio: Renderer = (prev, props, node, pass) => {
  const el = reuse(prev, "figure", "a2ui-audio");
  const caption = part(el, "figcaption", "a2ui-audio-description");
  const audio = part(el, "audio", "a2ui-audio-player");
  const description = toText(bound(pass, node, props.description));
  setText(caption, description);
  caption.hidden = description === "";
  audio.controls = true;
  audio.preload = "metadata";
  setAttr(audio, "src", toSafeMediaUrl(toText(bound(pass, node, props.url)), "media"));
  return el;
};

// Material icon names of the v0.8 catalog → a glyph that needs no icon font (fonts would need a CSP exception).
const ICONS: Record<string, string> = {
  accountCircle: "👤", add: "+", arrowBack: "←", arrowForward: "→", attachFile: "📎", calendarToday: "📅",
  call: "📞", camera: "📷", check: "✓", close: "✕", delete: "🗑", download: "⤓", edit: "✎", event: "📅",
  error: "⛔", favorite: "♥", favoriteOff: "♡", folder: "📁", help: "?", home: "⌂", info: "ℹ",
  locationOn: "📍", lock: "🔒", lockOpen: "🔓", mail: "✉", menu: "☰", moreHoriz: "⋯", moreVert: "⋮",
  notifications: "🔔", notificationsOff: "🔕", payment: "💳", person: "👤", phone: "☎", photo: "🖼",
  print: "🖨", refresh: "↻", search: "🔍", send: "➤", settings: "⚙", share: "⇪", shoppingCart: "🛒",
  star: "★", starHalf: "⯪", starOff: "☆", upload: "⤒", visibility: "👁", visibilityOff: "🙈", warning: "⚠",
};

const renderIcon: Renderer = (prev, props, node, pass) => {
  const name = toText(bound(pass, node, props.name));
  const key = name.replace(/[_-](\w)/g, (_, c: string) => c.toUpperCase());
  const known = Object.hasOwn(ICONS, key);
  const el = reuse(prev, "span", known ? "a2ui-icon" : "a2ui-icon a2ui-icon-text");
  el.setAttribute("role", "img");
  el.setAttribute("aria-label", name);
  el.title = name;
  setText(el, known ? ICONS[key] : name);
  return el;
};

const renderDivider: Renderer = (prev, props) => {
  const axis = oneOf(props.axis, ["horizontal", "vertical"], "horizontal");
  const el = reuse(prev, "div", `a2ui-divider a2ui-divider-${axis}`);
  el.setAttribute("role", "separator");
  el.setAttribute("aria-orientation", axis);
  return el;
};

// --- layout components ---

const JUSTIFY: Record<string, string> = {
  start: "flex-start", center: "center", end: "flex-end",
  spaceBetween: "space-between", spaceAround: "space-around", spaceEvenly: "space-evenly",
};
const ALIGN: Record<string, string> = { start: "flex-start", center: "center", end: "flex-end", stretch: "stretch" };

function flexRenderer(className: (props: Props) => string): Renderer {
  return (prev, props, node, pass) => {
    const el = reuse(prev, "div", className(props));
    el.style.justifyContent = lookup(JUSTIFY, props.distribution);
    el.style.alignItems = lookup(ALIGN, props.alignment);
    syncChildren(el, renderNodes(pass, node.children));
    return el;
  };
}

const renderCard: Renderer = (prev, props, node, pass) => {
  const el = reuse(prev, "div", "a2ui-card");
  syncChildren(el, renderNodes(pass, node.children));
  return el;
};

const selectedTab = new WeakMap<HTMLElement, number>();

const renderTabs: Renderer = (prev, props, node, pass) => {
  const el = reuse(prev, "div", "a2ui-tabs");
  const bar = part(el, "div", "a2ui-tab-bar");
  const panel = part(el, "div", "a2ui-tab-panel");
  bar.setAttribute("role", "tablist");
  panel.setAttribute("role", "tabpanel");
  const items = (props.tabItems as { title: BoundValue; child: string }[]).slice(0, A2UI_LIMITS.templateItems);
  const selected = Math.max(0, Math.min(selectedTab.get(el) ?? 0, items.length - 1));
  const tabs = items.map((item, i) => {
    const tab = reuse(bar.children[i] as HTMLElement | undefined, "button", i === selected ? "a2ui-tab a2ui-tab-active" : "a2ui-tab");
    tab.type = "button";
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-selected", String(i === selected));
    setText(tab, toText(bound(pass, node, item.title)));
    tab.onclick = () => {
      selectedTab.set(el, i);
      pass.view.rerender();
    };
    return tab;
  });
  syncChildren(bar, tabs);
  syncChildren(panel, renderNodes(pass, [node.children[selected]]));
  return el;
};

const renderModal: Renderer = (prev, props, node, pass) => {
  const el = reuse(prev, "div", "a2ui-modal");
  const entry = part(el, "div", "a2ui-modal-entry");
  const dialog = part(el, "dialog", "a2ui-modal-dialog");
  const close = part(dialog, "button", "a2ui-modal-close");
  const content = part(dialog, "div", "a2ui-modal-content");
  close.type = "button";
  close.setAttribute("aria-label", "Close");
  setText(close, "✕");
  syncChildren(entry, renderNodes(pass, [node.children[0]]));
  syncChildren(content, renderNodes(pass, [node.children[1]]));
  entry.onclick = () => {
    if (!dialog.open) dialog.showModal();
  };
  close.onclick = () => dialog.close();
  // A click on the dialog element itself (not its content) is a click on the backdrop.
  dialog.onclick = (e) => {
    if (e.target === dialog) dialog.close();
  };
  return el;
};

// --- interactive components ---

const renderButton: Renderer = (prev, props, node, pass) => {
  const button = reuse(prev, "button", props.primary === true ? "a2ui-button a2ui-button-primary" : "a2ui-button");
  button.type = "button";
  syncChildren(button, renderNodes(pass, node.children));
  const action = props.action as Action | undefined;
  button.onclick = action ? () => pass.hooks.onAction(pass.view.surface, node.id, action, node.context) : null;
  return button;
};

const renderCheckBox: Renderer = (prev, props, node, pass) => {
  const el = reuse(prev, "label", "a2ui-checkbox");
  const input = part(el, "input", "a2ui-checkbox-input");
  const label = part(el, "span", "a2ui-label");
  input.type = "checkbox";
  setText(label, toText(bound(pass, node, props.label)));
  const checked = bound(pass, node, props.value) === true;
  if (input.checked !== checked) input.checked = checked;
  input.onchange = () => write(pass, node, props.value, input.checked);
  return el;
};

const INPUT_TYPES: Record<string, string> = { shortText: "text", number: "number", date: "date", obscured: "password" };
const patterns = new Map<string, RegExp | undefined>();

const renderTextField: Renderer = (prev, props, node, pass) => {
  const el = reuse(prev, "label", "a2ui-textfield");
  setText(part(el, "span", "a2ui-label"), toText(bound(pass, node, props.label)));
  const kind = oneOf(props.textFieldType, ["shortText", "longText", "number", "date", "obscured"], "shortText");
  const tag = kind === "longText" ? "textarea" : "input";
  let control = el.querySelector<HTMLInputElement | HTMLTextAreaElement>(":scope > .a2ui-input");
  if (control?.localName !== tag) {
    control?.remove();
    control = el.appendChild(document.createElement(tag));
    control.className = "a2ui-input";
  }
  if (control instanceof HTMLInputElement && control.type !== INPUT_TYPES[kind]) control.type = INPUT_TYPES[kind];
  syncValue(control, toText(bound(pass, node, props.text)));
  const field = control;
  const pattern = toPattern(props.validationRegexp);
  const validate = () => {
    const invalid = pattern !== undefined && field.value !== "" && !pattern.test(field.value);
    el.classList.toggle("a2ui-invalid", invalid);
    field.setAttribute("aria-invalid", String(invalid));
  };
  validate();
  field.oninput = () => {
    validate();
    write(pass, node, props.text, field.value);
  };
  return el;
};

function toPattern(source: unknown): RegExp | undefined {
  if (typeof source !== "string" || source.length > 1000) return undefined;
  if (!patterns.has(source)) {
    try {
      patterns.set(source, new RegExp(`^(?:${source})$`, "u"));
    } catch {
      patterns.set(source, undefined);
    }
  }
  return patterns.get(source);
}

const renderDateTime: Renderer = (prev, props, node, pass) => {
  const date = props.enableDate !== false;
  const time = props.enableTime === true;
  const type = date && time ? "datetime-local" : time ? "time" : "date";
  const input = reuse(prev, "input", "a2ui-input a2ui-datetime");
  if (input.type !== type) input.type = type;
  syncValue(input, toInputDate(toText(bound(pass, node, props.value)), type));
  input.oninput = () => write(pass, node, props.value, input.value);
  return input;
};

// The model holds ISO-ish strings; each input type accepts only its own slice of one.
function toInputDate(value: string, type: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})?(?:[T ]?(\d{2}:\d{2}))?/.exec(value);
  const day = m?.[1];
  const clock = m?.[2];
  if (type === "date") return day ?? "";
  if (type === "time") return clock ?? "";
  return day ? `${day}T${clock ?? "00:00"}` : "";
}

const renderMultipleChoice: Renderer = (prev, props, node, pass) => {
  const el = reuse(prev, "fieldset", "a2ui-choice");
  const max = typeof props.maxAllowedSelections === "number" && props.maxAllowedSelections > 0 ? props.maxAllowedSelections : Infinity;
  const selected = toStringList(bound(pass, node, props.selections));
  const options = (props.options as { label: BoundValue; value: string }[]).slice(0, A2UI_LIMITS.templateItems);
  const labels = options.map((option, i) => {
    const label = reuse(el.children[i] as HTMLElement | undefined, "label", "a2ui-choice-option");
    const input = part(label, "input", "a2ui-choice-input");
    input.type = max === 1 ? "radio" : "checkbox";
    setText(part(label, "span", "a2ui-label"), toText(bound(pass, node, option.label)));
    const checked = selected.includes(option.value);
    if (input.checked !== checked) input.checked = checked;
    input.onchange = () => {
      const rest = selected.filter((v) => v !== option.value);
      const next = max === 1 ? [option.value] : input.checked ? [...rest, option.value] : rest;
      if (next.length > max) input.checked = false;
      else write(pass, node, props.selections, next);
    };
    return label;
  });
  syncChildren(el, labels);
  return el;
};

const renderSlider: Renderer = (prev, props, node, pass) => {
  const el = reuse(prev, "label", "a2ui-slider");
  const input = part(el, "input", "a2ui-slider-input");
  const output = part(el, "output", "a2ui-slider-value");
  const min = typeof props.minValue === "number" ? props.minValue : 0;
  const max = typeof props.maxValue === "number" ? props.maxValue : 100;
  input.type = "range";
  input.min = String(min);
  input.max = String(max);
  input.step = Number.isInteger(min) && Number.isInteger(max) ? "1" : "any";
  const value = Number(bound(pass, node, props.value) ?? min);
  syncValue(input, String(Number.isFinite(value) ? value : min));
  setText(output, input.value);
  input.oninput = () => {
    setText(output, input.value);
    write(pass, node, props.value, Number(input.value));
  };
  return el;
};

const RENDERERS: Record<string, Renderer> = {
  Text: renderText,
  Image: renderImage,
  Icon: renderIcon,
  Video: renderVideo,
  AudioPlayer: renderAudio,
  Row: flexRenderer(() => "a2ui-row"),
  Column: flexRenderer(() => "a2ui-column"),
  List: flexRenderer((p) => `a2ui-list a2ui-list-${oneOf(p.direction, ["vertical", "horizontal"], "vertical")}`),
  Card: renderCard,
  Tabs: renderTabs,
  Divider: renderDivider,
  Modal: renderModal,
  Button: renderButton,
  CheckBox: renderCheckBox,
  TextField: renderTextField,
  DateTimeInput: renderDateTime,
  MultipleChoice: renderMultipleChoice,
  Slider: renderSlider,
};

// --- DOM helpers ---

function bound(pass: Pass, node: RenderNode, value: unknown): DataValue | undefined {
  const bv = value as BoundValue | undefined;
  const { surface } = pass.view;
  const hasLiteral = bv !== undefined && (bv.literalString ?? bv.literalNumber ?? bv.literalBoolean ?? bv.literalArray) !== undefined;
  if (hasLiteral && bv.path !== undefined && getDataValue(surface, bv.path, node.context) === undefined) pass.initialised = true;
  return resolveBoundValue(surface, bv, node.context);
}

// Two-way binding: write the bound path (if any) of the latest surface state, then re-render the surface.
function write(pass: Pass, node: RenderNode, value: unknown, next: DataValue): void {
  const path = (value as BoundValue | undefined)?.path;
  if (path === undefined) return;
  setDataValue(pass.view.surface, path, next, node.context);
  pass.view.rerender();
}

function reuse<K extends keyof HTMLElementTagNameMap>(prev: HTMLElement | undefined, tag: K, className: string): HTMLElementTagNameMap[K] {
  const el = prev?.localName === tag ? (prev as HTMLElementTagNameMap[K]) : document.createElement(tag);
  if (el.className !== className) el.className = className;
  return el;
}

// The direct child of `parent` with this tag and class, appended when missing (parts keep their creation order).
function part<K extends keyof HTMLElementTagNameMap>(parent: HTMLElement, tag: K, className: string): HTMLElementTagNameMap[K] {
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

// Sets an input's value only when the model changed since the last render, so local edits and caret survive.
function syncValue(input: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  if (modelValues.get(input) === value) return;
  modelValues.set(input, value);
  if (input.value !== value) input.value = value;
}

function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

function setAttr(el: HTMLElement, name: string, value: string | undefined): void {
  if (value === undefined) el.removeAttribute(name);
  else if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

function toText(value: DataValue | undefined): string {
  if (value === undefined || value === null) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function toStringList(value: DataValue | undefined): string[] {
  if (Array.isArray(value)) return value.map((v) => toText(v));
  if (value && typeof value === "object") return Object.values(value).map((v) => toText(v));
  return value === undefined || value === null || value === "" ? [] : [toText(value)];
}

function oneOf(value: unknown, allowed: string[], fallback: string): string {
  return typeof value === "string" && allowed.includes(value) ? value : fallback;
}

function lookup(table: Record<string, string>, key: unknown): string {
  return typeof key === "string" && Object.hasOwn(table, key) ? table[key] : "";
}
