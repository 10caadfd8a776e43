/**
 * The reload plan against the features: every prefix of the plan table is claimed by exactly one feature (or
 * by the host), every claim is a prefix of the table, and what the plan calls "hot" has a feature hook that
 * applies it. A hot-applied change reaches exactly the features whose prefixes it touches.
 */
import { afterEach, describe, expect, test } from "bun:test";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { applyConfigChange, HOST_CONFIG_PREFIXES } from "../../src/gateway/config-reload.ts";
import { FEATURES } from "../../src/gateway/features.ts";
import { planReload, RELOAD_RULES, toConfigDiff } from "../../src/gateway/reload-plan.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";

const HOST = "(host)";

function claimsByPrefix(): Map<string, string[]> {
  const claims = new Map<string, string[]>();
  const add = (prefix: string, who: string) => claims.set(prefix, [...(claims.get(prefix) ?? []), who]);
  for (const prefix of HOST_CONFIG_PREFIXES) add(prefix, HOST);
  for (const f of FEATURES) for (const prefix of f.config?.prefixes ?? []) add(prefix, f.name);
  return claims;
}

describe("the plan table and the features", () => {
  test("every prefix of the plan is claimed exactly once", () => {
    const claims = claimsByPrefix();
    for (const rule of RELOAD_RULES) expect({ prefix: rule.prefix, claimedBy: claims.get(rule.prefix)?.length ?? 0 }).toEqual({ prefix: rule.prefix, claimedBy: 1 });
  });

  test("every claim is a prefix of the plan", () => {
    const planned = new Set(RELOAD_RULES.map((r) => r.prefix));
    for (const [prefix, who] of claimsByPrefix()) expect({ prefix, who, inPlan: planned.has(prefix) }).toEqual({ prefix, who, inPlan: true });
  });

  test("a hot prefix belongs to a feature with a config hook; a restart prefix to one without (or the host)", () => {
    const owner = (prefix: string) => FEATURES.find((f) => f.config?.prefixes.includes(prefix));
    for (const rule of RELOAD_RULES) {
      const f = owner(rule.prefix);
      if (rule.kind === "hot") expect({ prefix: rule.prefix, feature: f?.name, hook: typeof f?.config?.apply }).toEqual({ prefix: rule.prefix, feature: f?.name, hook: "function" });
      if (rule.kind === "restart") expect({ prefix: rule.prefix, hook: typeof f?.config?.apply }).toEqual({ prefix: rule.prefix, hook: "undefined" });
    }
  });

  test("the diff says which rule decided each path", () => {
    const before: OpenClawConfig = { cron: { enabled: true } };
    const after: OpenClawConfig = { cron: { enabled: false }, channels: { telegram: { botToken: "1:x" } }, models: {} };
    const diff = toConfigDiff(before, after, planReload(before, after));
    expect(diff.changes).toEqual([
      { path: "channels", prefix: "channels", kind: "hot" },
      { path: "cron.enabled", prefix: "cron", kind: "hot" },
      { path: "models", prefix: "models", kind: "none" },
    ]);
    expect(diff.touches("cron")).toBe(true);
    expect(diff.touches("agents.list", "browser")).toBe(false);
    // A whole block appearing changes everything below it.
    expect(toConfigDiff({}, { agents: {} }, planReload({}, { agents: {} })).touches("agents.list")).toBe(true);
  });
});

describe("on a running gateway", () => {
  let gw: TestGateway | undefined;
  afterEach(async () => {
    await gw?.handle.stop();
    gw = undefined;
  });

  test("a hot change reaches the features it touches, and each says what it did", async () => {
    gw = await startTestGateway({ config: { cron: { enabled: true } } });
    const ctx = gw.handle.ctx;
    const next: OpenClawConfig = { ...ctx.config, cron: { enabled: false }, agents: { defaults: { heartbeat: { every: "45m" } } }, browser: { enabled: false } };
    const result = applyConfigChange(ctx, { ...ctx.loaded, config: next }, ctx.logger);
    expect(result.outcome).toBe("hot");
    expect(result.features).toEqual([
      { feature: "heartbeat", outcome: "restarted" },
      { feature: "cron", outcome: "restarted" },
      { feature: "browser-bridge", outcome: "applied-live" },
    ]);
    expect((await ctx.cron.status()).enabled).toBe(false);

    // A change read on use touches no hook.
    const live = applyConfigChange(ctx, { ...ctx.loaded, config: { ...next, models: { mode: "merge" } } }, ctx.logger);
    expect(live).toMatchObject({ outcome: "hot", features: [] });
  });

  test("a change that needs a gateway restart reaches no feature", async () => {
    gw = await startTestGateway();
    const ctx = gw.handle.ctx;
    const result = applyConfigChange(ctx, { ...ctx.loaded, config: { ...ctx.config, canvasHost: { enabled: false } } }, ctx.logger);
    expect(result).toMatchObject({ outcome: "restart", features: [] });
  });
});
