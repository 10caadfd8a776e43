/**
 * What a config change needs (config.md §4): per changed path, the first matching prefix in the table
 * decides whether it is read live ("none"), applied by restarting one subsystem ("hot"), or needs an
 * in-process restart of the gateway ("restart"). Unlisted paths need a restart.
 */
import type { OpenClawConfig } from "../config/schema.ts";

/** How a changed path is applied. */
export type ReloadKind = "none" | "hot" | "restart";

/** Prefix → kind (and for "hot", the subsystem to restart). First match wins, so longer prefixes go first. */
export const RELOAD_RULES: readonly { prefix: string; kind: ReloadKind; subsystem?: string }[] = [
  { prefix: "gateway.remote", kind: "none" },
  { prefix: "gateway.reload", kind: "none" },
  // Node command policy is read on every use (node-commands.ts).
  { prefix: "gateway.nodes", kind: "none" },
  // The /tools/invoke policy is read on every request (http/tools-invoke.ts).
  { prefix: "gateway.tools", kind: "none" },
  { prefix: "hooks.gmail", kind: "hot", subsystem: "gmail-watcher" },
  { prefix: "hooks", kind: "hot", subsystem: "hooks" },
  { prefix: "agents.defaults.heartbeat", kind: "hot", subsystem: "heartbeat" },
  { prefix: "agent.heartbeat", kind: "hot", subsystem: "heartbeat" },
  { prefix: "cron", kind: "hot", subsystem: "cron" },
  { prefix: "browser", kind: "hot", subsystem: "browser" },
  { prefix: "web", kind: "hot", subsystem: "channel:whatsapp" },
  { prefix: "channels.whatsapp", kind: "none" },
  { prefix: "channels.telegram", kind: "hot", subsystem: "channel:telegram" },
  { prefix: "channels", kind: "hot", subsystem: "channels" },
  ...["identity", "wizard", "logging", "models", "agents", "tools", "bindings", "audio", "agent", "routing", "messages", "session", "talk", "skills", "ui", "meta", "$schema"].map(
    (prefix) => ({ prefix, kind: "none" as const }),
  ),
  ...["plugins", "gateway", "discovery", "canvasHost"].map((prefix) => ({ prefix, kind: "restart" as const })),
];

/** The decision for one reload. */
export interface ReloadPlan {
  changed: string[];
  restart: string[];
  hot: { path: string; subsystem: string }[];
  live: string[];
}

/** Classifies the differences between two configs. */
export function planReload(before: OpenClawConfig, after: OpenClawConfig): ReloadPlan {
  const plan: ReloadPlan = { changed: diffPaths(before, after), restart: [], hot: [], live: [] };
  for (const path of plan.changed) {
    const rule = RELOAD_RULES.find((r) => path === r.prefix || path.startsWith(`${r.prefix}.`));
    if (!rule || rule.kind === "restart") plan.restart.push(path);
    else if (rule.kind === "hot") plan.hot.push({ path, subsystem: rule.subsystem as string });
    else plan.live.push(path);
  }
  return plan;
}

/**
 * Dotted paths whose values differ. Objects are compared key by key; arrays element-wise (a changed
 * array reports the array's path once).
 */
export function diffPaths(a: unknown, b: unknown, prefix = ""): string[] {
  if (Object.is(a, b)) return [];
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => diffPaths(v, b[i]).length === 0)) return [];
  return [prefix];
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}
