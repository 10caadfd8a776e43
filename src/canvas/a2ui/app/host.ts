/**
 * The A2UI host page's script (the bundle entry). Sets up the full-viewport canvas and `window.__openclaw`,
 * defines `<openclaw-a2ui-host>`, and exposes `globalThis.openclawA2UI`, which native apps drive by evaluating
 * JavaScript. Button actions go back through the native bridge (WebKit message handler, else the Android
 * interface); the app reports delivery with the `openclaw:a2ui-action-status` event.
 */
import { type A2uiState, type Action, applyA2uiMessages, createA2uiState, createUserAction, type Surface, type UserAction } from "./processor.ts";
import { createSurfaceView, type SurfaceView, syncChildren } from "./render.ts";

interface BridgeHandler {
  postMessage(message: unknown): void;
}

interface HostGlobals {
  __openclaw?: {
    canvas: HTMLCanvasElement;
    ctx: CanvasRenderingContext2D | null;
    setStatus(title?: string, subtitle?: string): void;
    setDebugStatusEnabled(enabled: boolean): void;
  };
  openclawA2UI?: {
    applyMessages(messages: unknown): { ok: true; surfaces: string[] };
    reset(): { ok: true };
    getSurfaces(): string[];
  };
  __openclawLastA2UIAction?: UserAction;
  webkit?: { messageHandlers?: { openclawCanvasA2UIAction?: BridgeHandler } };
  openclawCanvasA2UIAction?: BridgeHandler;
}

interface PendingAction {
  id: string;
  name: string;
  phase: "sending" | "sent";
}

const g = globalThis as typeof globalThis & HostGlobals;
const ERROR_TOAST_MS = 5000;
const UPDATED_TOAST_MS = 1600;
const TRUTHY = ["1", "true", "yes"];

let state: A2uiState = createA2uiState();
let pending: PendingAction | undefined;
let toast: { text: string; kind: "error" | "info" } | undefined;
let toastTimer: ReturnType<typeof setTimeout> | undefined;
const hosts = new Set<OpenclawA2uiHost>();

// --- page: platform, canvas, debug status ---

function setupPage(): void {
  const params = new URLSearchParams(location.search);
  const platform = params.get("platform") ?? (/android/i.test(navigator.userAgent) ? "android" : undefined);
  const clean = platform?.toLowerCase().replace(/[^a-z0-9_-]/g, "").slice(0, 32);
  if (clean) document.documentElement.dataset.platform = clean;

  const canvas = findCanvas();
  const ctx = canvas.getContext("2d");
  const resize = () => {
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(window.innerWidth * dpr);
    canvas.height = Math.round(window.innerHeight * dpr);
    canvas.style.width = `${window.innerWidth}px`;
    canvas.style.height = `${window.innerHeight}px`;
    ctx?.setTransform(dpr, 0, 0, dpr, 0, 0);
  };
  resize();
  window.addEventListener("resize", resize);

  const status = document.getElementById("openclaw-status");
  const debug = TRUTHY.includes((params.get("debugStatus") ?? "").toLowerCase()) || TRUTHY.includes((params.get("debug") ?? "").toLowerCase());
  if (status) status.hidden = !debug;
  g.__openclaw = {
    canvas,
    ctx,
    setStatus(title = "", subtitle = "") {
      setTextById("openclaw-status-title", title);
      setTextById("openclaw-status-subtitle", subtitle);
    },
    setDebugStatusEnabled(enabled) {
      if (status) status.hidden = !enabled;
    },
  };
}

function findCanvas(): HTMLCanvasElement {
  const found = document.getElementById("openclaw-canvas");
  if (found instanceof HTMLCanvasElement) return found;
  const canvas = document.createElement("canvas");
  canvas.id = "openclaw-canvas";
  document.body.prepend(canvas);
  return canvas;
}

function setTextById(id: string, text: string): void {
  const el = document.getElementById(id);
  if (el) el.textContent = String(text);
}

// --- the API native apps call ---

function applyMessages(messages: unknown): { ok: true; surfaces: string[] } {
  if (!Array.isArray(messages)) throw new Error("A2UI: expected messages array");
  state = applyA2uiMessages(state, messages);
  if (pending) {
    const { name } = pending;
    pending = undefined;
    showToast(`Updated: ${name}`, "info", UPDATED_TOAST_MS);
  }
  for (const host of hosts) host.renderSurfaces();
  return { ok: true, surfaces: getSurfaces() };
}

function reset(): { ok: true } {
  state = createA2uiState();
  pending = undefined;
  for (const host of hosts) host.renderSurfaces();
  renderStatus();
  return { ok: true };
}

function getSurfaces(): string[] {
  return [...state.surfaces.keys()];
}

// --- actions and the native bridge ---

function sendAction(surface: Surface, sourceComponentId: string, action: Action, context: string): void {
  const userAction = createUserAction({ surface, action, sourceComponentId, context, id: newActionId(), timestamp: new Date().toISOString() });
  g.__openclawLastA2UIAction = userAction;
  pending = { id: userAction.id, name: userAction.name, phase: "sending" };
  renderStatus();
  try {
    postToNative(userAction);
  } catch (err) {
    pending = undefined;
    showToast(`Failed: ${err instanceof Error ? err.message : String(err)}`, "error", ERROR_TOAST_MS);
  }
}

// iOS/macOS get the object through WKScriptMessageHandler; Android's @JavascriptInterface takes only strings.
function postToNative(userAction: UserAction): void {
  const webkit = g.webkit?.messageHandlers?.openclawCanvasA2UIAction;
  if (typeof webkit?.postMessage === "function") return webkit.postMessage({ userAction });
  const android = g.openclawCanvasA2UIAction;
  if (typeof android?.postMessage === "function") return android.postMessage(JSON.stringify({ userAction }));
  throw new Error("missing native bridge");
}

// crypto.randomUUID exists only in secure contexts; a LAN http:// page has none.
function newActionId(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return `a2ui_${Date.now()}_${Math.random().toString(36).slice(2, 10)}`;
}

function onActionStatus(event: Event): void {
  const detail = (event as CustomEvent<{ id?: unknown; ok?: unknown; error?: unknown } | undefined>).detail;
  if (!pending || !detail || detail.id !== pending.id) return;
  if (detail.ok) {
    pending = { ...pending, phase: "sent" };
    renderStatus();
    return;
  }
  pending = undefined;
  const reason = typeof detail.error === "string" && detail.error ? detail.error : "send failed";
  showToast(`Failed: ${reason}`, "error", ERROR_TOAST_MS);
}

function showToast(text: string, kind: "error" | "info", ms: number): void {
  toast = { text, kind };
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    toast = undefined;
    renderStatus();
  }, ms);
  renderStatus();
}

function renderStatus(): void {
  for (const host of hosts) host.renderStatus();
}

// --- <openclaw-a2ui-host> ---

/** Renders every surface into its light DOM, plus the empty state, the pending-action chip and the toast. */
class OpenclawA2uiHost extends HTMLElement {
  private views = new Map<string, SurfaceView>();
  private rendered = new Map<string, Surface>();
  private parts?: { surfaces: HTMLElement; empty: HTMLElement; chip: HTMLElement; chipText: HTMLElement; toast: HTMLElement };

  connectedCallback(): void {
    this.parts ??= this.build();
    hosts.add(this);
    this.renderSurfaces();
    this.renderStatus();
  }

  disconnectedCallback(): void {
    hosts.delete(this);
  }

  renderSurfaces(): void {
    if (!this.parts) return;
    const sections = [...state.surfaces.values()].map((surface) => {
      let view = this.views.get(surface.id);
      if (!view) {
        view = createSurfaceView(surface.id, { onAction: sendAction });
        this.views.set(surface.id, view);
      }
      // Batches copy only the surfaces they touch; an untouched one is the same object and needs no work.
      if (this.rendered.get(surface.id) !== surface) view.render(surface);
      this.rendered.set(surface.id, surface);
      return view.element;
    });
    for (const id of this.views.keys()) {
      if (state.surfaces.has(id)) continue;
      this.views.delete(id);
      this.rendered.delete(id);
    }
    syncChildren(this.parts.surfaces, sections);
    this.parts.empty.hidden = sections.some((section) => !section.hidden);
  }

  renderStatus(): void {
    if (!this.parts) return;
    const { chip, chipText, toast: toastEl } = this.parts;
    chip.hidden = !pending;
    chipText.textContent = pending ? `${pending.phase === "sending" ? "Sending" : "Working"}: ${pending.name}` : "";
    toastEl.hidden = !toast;
    toastEl.textContent = toast?.text ?? "";
    toastEl.className = `a2ui-toast a2ui-toast-${toast?.kind ?? "info"}`;
  }

  private build() {
    const surfaces = div("a2ui-surfaces");
    const empty = div("a2ui-empty", div("a2ui-empty-title", "Canvas (A2UI)"), div("a2ui-empty-subtitle", "Waiting for A2UI messages…"));
    const chipText = div("a2ui-chip-text");
    const chip = div("a2ui-chip", div("a2ui-spinner"), chipText);
    const toastEl = div("a2ui-toast");
    chip.setAttribute("role", "status");
    toastEl.setAttribute("role", "alert");
    this.append(surfaces, empty, chip, toastEl);
    return { surfaces, empty, chip, chipText, toast: toastEl };
  }
}

function div(className: string, ...content: (Node | string)[]): HTMLElement {
  const el = document.createElement("div");
  el.className = className;
  el.append(...content);
  return el;
}

// --- start ---

setupPage();
g.openclawA2UI = { applyMessages, reset, getSurfaces };
g.addEventListener("openclaw:a2ui-action-status", onActionStatus);
if (!customElements.get("openclaw-a2ui-host")) customElements.define("openclaw-a2ui-host", OpenclawA2uiHost);
