/**
 * Renders A2UI surfaces into the DOM with the v0.8 standard catalog. Every component instance gets one element,
 * reused across renders under a key built from its place in the tree, so re-rendering after a data change keeps
 * focus and caret in the field being edited. Strings from messages only ever become text nodes, never HTML.
 * The components live in `_render-display.ts` (display, layout) and `_render-inputs.ts` (interactive).
 *
 * Each element carries `data-a2ui-id` and `data-a2ui-type` (plus `data-a2ui-key`, the item key, inside template
 * items) so native clients and tests can find it.
 */
import { type Pass, type Renderer, reuse, setText, syncChildren } from "./_render-dom.ts";
import { DISPLAY_RENDERERS } from "./_render-display.ts";
import { INPUT_RENDERERS } from "./_render-inputs.ts";
import { buildRenderTree, isSafeCssColor, type RenderNode } from "./processor.ts";
import type { Action, Surface, SurfaceStyles } from "./types.ts";

export { syncChildren } from "./_render-dom.ts";

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
    const pass: Pass = { view, hooks, prev: cache, next: new Map(), initialised: false, renderNodes: (nodes) => renderNodes(pass, nodes) };
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

// The standard catalog by component type; any other type renders as a placeholder.
const RENDERERS: Record<string, Renderer> = { ...DISPLAY_RENDERERS, ...INPUT_RENDERERS };
