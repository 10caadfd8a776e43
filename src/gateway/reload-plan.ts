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
  // Which agents run heartbeats, and their own heartbeat blocks, live in agents.list.
  { prefix: "agents.list", kind: "hot", subsystem: "heartbeat" },
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

/**
 * What a feature did with the part of a config change it claims: read it live (nothing to do, or state
 * re-derived in place), restarted the part that depends on it, or cannot apply it without a gateway restart.
 */
export type ReloadOutcome = "applied-live" | "restarted" | "needs-gateway-restart";

/** A config change as features see it: both configs and the changed paths with the plan rule each matched. */
export interface ConfigDiff {
  readonly before: OpenClawConfig;
  readonly after: OpenClawConfig;
  /** Changed dotted paths and the rule prefix that decided each (undefined for a path no rule covers). */
  readonly changes: readonly { path: string; prefix: string | undefined; kind: ReloadKind }[];
  /**
   * True when a change falls to one of `prefixes`: a path that rule decided, or a changed parent of it (a
   * whole `agents` block added or removed also changes `agents.list`).
   */
  touches(...prefixes: string[]): boolean;
}

/** Builds the diff features receive from a plan (paths already computed by {@link planReload}). */
export function toConfigDiff(before: OpenClawConfig, after: OpenClawConfig, plan: ReloadPlan): ConfigDiff {
  const changes = plan.changed.map((path) => {
    const rule = findRule(path);
    return { path, prefix: rule?.prefix, kind: rule?.kind ?? ("restart" as const) };
  });
  return {
    before,
    after,
    changes,
    touches: (...prefixes) => changes.some((c) => (c.prefix !== undefined && prefixes.includes(c.prefix)) || prefixes.some((p) => p.startsWith(`${c.path}.`))),
  };
}

/** The rule deciding `path`: the first whose prefix equals it or is a dotted parent of it; undefined if none. */
export function findRule(path: string): (typeof RELOAD_RULES)[number] | undefined {
  return RELOAD_RULES.find((r) => path === r.prefix || path.startsWith(`${r.prefix}.`));
}

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
    const rule = findRule(path);
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
