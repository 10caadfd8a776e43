/**
 * `usage.status` and `usage.cost` (operator.read): provider quota windows and the local token/cost
 * summary of recent model calls.
 */
import type { UsageCostResult, UsageStatusResult } from "../../protocol/generated/types.ts";
import type { UsageHost } from "./_host.ts";
import type { MethodHandler } from "../context.ts";
import { summarizeUsageCost, USAGE_COST_DEFAULT_DAYS } from "./usage-cost.ts";
import { TtlCache } from "../../util/ttl-cache.ts";

/** How long a computed `usage.cost` summary is served again (UIs poll it). */
export const USAGE_COST_CACHE_TTL_MS = 30_000;
/** Distinct `days` values cached per gateway; the oldest goes first. */
const CACHE_MAX_ENTRIES = 16;

/**
 * `usage.status {}` → `{updatedAt, providers}`. Upstream fills `providers` with subscription quota windows
 * fetched with the user's OAuth logins (Claude, Copilot, Gemini CLI, Codex …); this gateway holds no such
 * logins and makes no network calls here, so the list is empty.
 */
export const usageStatus: MethodHandler<"usage.status", UsageHost> = (): UsageStatusResult => ({ updatedAt: Date.now(), providers: [] });

/**
 * `usage.cost {days?}` → `{updatedAt, days, daily, totals}` for the last `days` (default 30) local calendar
 * days, today included. A summary is computed at most once per {@link USAGE_COST_CACHE_TTL_MS} per `days`;
 * concurrent callers share one computation. Safe to call concurrently.
 */
export const usageCost: MethodHandler<"usage.cost", UsageHost> = (ctx, params) => {
  // The params schema admits only integers >= 1.
  return cachedSummary(ctx.host, typeof params.days === "number" ? params.days : USAGE_COST_DEFAULT_DAYS);
};

// --- internal ---

const caches = new WeakMap<UsageHost, TtlCache<number, Promise<UsageCostResult>>>();

function cachedSummary(gw: UsageHost, days: number): Promise<UsageCostResult> {
  let cache = caches.get(gw);
  if (!cache) caches.set(gw, (cache = new TtlCache({ ttlMs: USAGE_COST_CACHE_TTL_MS, maxEntries: CACHE_MAX_ENTRIES })));
  const hit = cache.get(days);
  if (hit) return hit;
  const summary = summarizeUsageCost(gw.store, gw.config, { days, now: Date.now() }).then(({ summary, truncated }) => {
    if (truncated) gw.logger.warn("usage.cost: scan limit reached; the oldest model calls of the window are not counted", { days });
    return summary;
  });
  // A failed computation is not kept: the next call tries again.
  return cache.set(days, summary);
}
