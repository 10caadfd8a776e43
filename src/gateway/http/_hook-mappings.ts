/**
 * Hook mappings (http.md §6): `hooks.mappings[]` plus preset mappings (`gmail`) turn a POST to
 * `<hooks.path>/<sub-path>` into a wake or agent action. Templates read the request with `{{expr}}`:
 * `{{path}}`, `{{now}}`, `{{headers.x}}`, `{{query.x}}`, `{{payload.a.b}}` or just `{{a.b[0].c}}` (payload).
 * An optional transform module (under `hooks.transformsDir`) may rewrite or drop (null) the action.
 */
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { HookMappingConfig, HooksConfig } from "../../config/hooks-schema.ts";

/** How a wake or a hook's follow-up reaches the main session. */
export type WakeMode = "now" | "next-heartbeat";

/** What a hook request asks for. */
export type HookAction =
  | { kind: "wake"; text: string; mode: WakeMode }
  | {
      kind: "agent";
      message: string;
      name?: string;
      wakeMode: WakeMode;
      agentId?: string;
      sessionKey?: string;
      deliver?: boolean;
      allowUnsafeExternalContent?: boolean;
      channel?: string;
      to?: string;
      model?: string;
      thinking?: string;
      timeoutSeconds?: number;
    };

/** What a template and a transform see of the request. Credentials are removed from `headers`. */
export interface HookMappingContext {
  payload: Record<string, unknown>;
  headers: Record<string, string>;
  url: URL;
  /** The sub-path below `hooks.path` (`gmail`). */
  path: string;
}

/** The outcome of applying the mappings: an action, a transform's "skip", or a mapping error. */
export type HookMappingResult = { ok: true; action: HookAction } | { ok: true; action: null } | { ok: false; error: string };

/** Mappings added by `hooks.presets`. */
export const HOOK_PRESET_MAPPINGS: Record<string, HookMappingConfig[]> = {
  gmail: [
    {
      id: "gmail",
      match: { path: "gmail" },
      action: "agent",
      wakeMode: "now",
      name: "Gmail",
      sessionKey: "hook:gmail:{{messages[0].id}}",
      messageTemplate: "New email from {{messages[0].from}}\nSubject: {{messages[0].subject}}\n{{messages[0].snippet}}\n{{messages[0].body}}",
    },
  ],
};

/** Config mappings first, then preset mappings, in order. */
export function listHookMappings(hooks: HooksConfig): HookMappingConfig[] {
  const gmailUnsafe = (hooks.gmail as { allowUnsafeExternalContent?: unknown } | undefined)?.allowUnsafeExternalContent;
  const presets = (hooks.presets ?? []).flatMap((p) =>
    (HOOK_PRESET_MAPPINGS[p] ?? []).map((m) => (p === "gmail" && typeof gmailUnsafe === "boolean" ? { ...m, allowUnsafeExternalContent: gmailUnsafe } : m)),
  );
  return [...(hooks.mappings ?? []), ...presets];
}

/**
 * Applies the first mapping that matches (`match.path` equals the sub-path, `match.source` equals
 * `payload.source` when set).
 * @returns the result, or undefined when no mapping matches.
 * @throws when a transform module cannot be loaded or throws (the caller answers 500).
 */
export async function applyHookMappings(mappings: HookMappingConfig[], ctx: HookMappingContext, transformsDir: string): Promise<HookMappingResult | undefined> {
  for (const m of mappings) {
    const path = trimSlashes(m.match?.path);
    if (path && path !== trimSlashes(ctx.path)) continue;
    const source = m.match?.source?.trim();
    if (source && ctx.payload.source !== source) continue;
    const base = actionOf(m, ctx);
    if (!m.transform) return validate(base);
    const transform = await loadTransform(transformsDir, m.transform.module, m.transform.export);
    const override = await transform(ctx);
    if (override === null) return { ok: true, action: null };
    return validate(merge(base, isRecord(override) ? override : {}));
  }
  return undefined;
}

/** Renders `{{expr}}` placeholders; missing values render as "", objects as JSON. */
export function renderTemplate(template: string, ctx: HookMappingContext): string {
  return template.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
    const value = resolveExpr(expr, ctx);
    if (value === undefined || value === null) return "";
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return JSON.stringify(value);
  });
}

/** Reads `a.b[0].c` from `input`; own properties only (no `__proto__`, `constructor` walks). */
export function getByPath(input: unknown, path: string): unknown {
  const parts: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) parts.push(m[1] !== undefined ? m[1] : Number(m[2]));
  if (parts.length === 0) return undefined;
  let current = input;
  for (const part of parts) {
    if (current === null || typeof current !== "object") return undefined;
    if (typeof part === "number") {
      if (!Array.isArray(current)) return undefined;
      current = current[part];
    } else {
      if (!Object.hasOwn(current, part)) return undefined;
      current = (current as Record<string, unknown>)[part];
    }
  }
  return current;
}

/** Where transforms load from: `hooks.transformsDir` (relative to the config file) or the config folder. */
export function transformsDirOf(hooks: HooksConfig, configPath: string): string {
  const configDir = dirname(configPath);
  return hooks.transformsDir ? resolve(configDir, hooks.transformsDir) : configDir;
}

// --- internal ---

type TransformFn = (ctx: HookMappingContext) => unknown;
const transformCache = new Map<string, TransformFn>();

function actionOf(m: HookMappingConfig, ctx: HookMappingContext): HookAction {
  const optional = (v: string | undefined) => (v ? renderTemplate(v, ctx).trim() || undefined : undefined);
  if (m.action === "wake") return { kind: "wake", text: renderTemplate(m.textTemplate ?? "", ctx), mode: m.wakeMode ?? "now" };
  return {
    kind: "agent",
    message: renderTemplate(m.messageTemplate ?? "", ctx),
    name: optional(m.name),
    wakeMode: m.wakeMode ?? "now",
    agentId: m.agentId,
    sessionKey: optional(m.sessionKey),
    deliver: m.deliver,
    allowUnsafeExternalContent: m.allowUnsafeExternalContent,
    channel: m.channel,
    to: optional(m.to),
    model: optional(m.model),
    thinking: optional(m.thinking),
    timeoutSeconds: m.timeoutSeconds,
  };
}

function merge(base: HookAction, o: Record<string, unknown>): HookAction {
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const mode = (v: unknown, d: WakeMode): WakeMode => (v === "next-heartbeat" || v === "now" ? v : d);
  const kind = o.kind === "wake" || o.kind === "agent" ? o.kind : base.kind;
  if (kind === "wake") {
    const b = base.kind === "wake" ? base : undefined;
    return { kind: "wake", text: str(o.text) ?? b?.text ?? "", mode: mode(o.mode, b?.mode ?? "now") };
  }
  const b = base.kind === "agent" ? base : undefined;
  return {
    kind: "agent",
    message: str(o.message) ?? b?.message ?? "",
    wakeMode: mode(o.wakeMode, b?.wakeMode ?? "now"),
    name: str(o.name) ?? b?.name,
    agentId: b?.agentId,
    sessionKey: str(o.sessionKey) ?? b?.sessionKey,
    deliver: typeof o.deliver === "boolean" ? o.deliver : b?.deliver,
    allowUnsafeExternalContent: typeof o.allowUnsafeExternalContent === "boolean" ? o.allowUnsafeExternalContent : b?.allowUnsafeExternalContent,
    channel: str(o.channel) ?? b?.channel,
    to: str(o.to) ?? b?.to,
    model: str(o.model) ?? b?.model,
    thinking: str(o.thinking) ?? b?.thinking,
    timeoutSeconds: typeof o.timeoutSeconds === "number" ? o.timeoutSeconds : b?.timeoutSeconds,
  };
}

function validate(action: HookAction): HookMappingResult {
  if (action.kind === "wake") return action.text.trim() ? { ok: true, action } : { ok: false, error: "hook mapping requires text" };
  return action.message.trim() ? { ok: true, action } : { ok: false, error: "hook mapping requires message" };
}

function resolveExpr(expr: string, ctx: HookMappingContext): unknown {
  if (expr === "path") return ctx.path;
  if (expr === "now") return new Date().toISOString();
  if (expr.startsWith("headers.")) return getByPath(ctx.headers, expr.slice(8).toLowerCase());
  if (expr.startsWith("query.")) return getByPath(Object.fromEntries(ctx.url.searchParams), expr.slice(6));
  if (expr.startsWith("payload.")) return getByPath(ctx.payload, expr.slice(8));
  return getByPath(ctx.payload, expr);
}

async function loadTransform(dir: string, module: string, exportName: string | undefined): Promise<TransformFn> {
  const target = resolve(dir, module);
  const rel = relative(dir, target);
  // The schema already refuses such paths; checked again because this is where code gets loaded.
  if (isAbsolute(module) || rel.startsWith("..") || isAbsolute(rel)) throw new Error(`hook transform ${module} is outside ${dir}`);
  const key = `${target}#${exportName ?? ""}`;
  const cached = transformCache.get(key);
  if (cached) return cached;
  const mod = (await import(pathToFileURL(join(dir, rel)).href)) as Record<string, unknown>;
  const fn = exportName ? mod[exportName] : (mod.default ?? mod.transform);
  if (typeof fn !== "function") throw new Error(`hook transform ${module} must export a function${exportName ? ` named ${exportName}` : ""}`);
  transformCache.set(key, fn as TransformFn);
  return fn as TransformFn;
}

function trimSlashes(p: string | undefined): string {
  return (p ?? "").trim().replace(/^\/+|\/+$/g, "");
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
