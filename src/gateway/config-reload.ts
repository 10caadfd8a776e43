/**
 * Applying a new config to a running gateway (config.md §4), shared by the file watcher and the `config.*`
 * write methods: per `gateway.reload.mode` and the reload plan, either swap it in live (subsystems re-read
 * it), or report that an in-process restart is needed, or do nothing (`off`).
 */
import { chmodSync, writeFileSync } from "node:fs";
import { applyConfigEnv, type LoadedConfig } from "../config/load.ts";
import { toErrorMessage } from "../errors.ts";
import type { Logger } from "../logging/logger.ts";
import type { ReloadHost } from "./feature.ts";
import { FEATURES } from "./features.ts";
import type { HostView } from "./host.ts";
import { type ConfigDiff, planReload, type ReloadOutcome as FeatureOutcome, type ReloadPlan, toConfigDiff } from "./reload-plan.ts";

/**
 * Reload-plan prefixes the host itself owns (lifecycle, transport, files read at start or by the CLI); every
 * other prefix of the plan is claimed by exactly one feature (checked by test/gateway/reload-claims.test.ts).
 */
export const HOST_CONFIG_PREFIXES: readonly string[] = ["gateway", "gateway.reload", "gateway.remote", "plugins", "discovery", "logging", "wizard", "ui", "meta", "$schema"];

/** What one feature did with a hot-applied change. */
export interface FeatureReload {
  feature: string;
  outcome: FeatureOutcome;
}

/**
 * What became of a new config: `none` nothing that matters changed (it is now the running one), `hot`
 * applied live, `restart` needs an in-process restart (not applied; the caller restarts), `off` reload is
 * disabled (`gateway.reload.mode=off`; applies at the next start).
 */
export type ReloadOutcome = "none" | "hot" | "restart" | "off";

/** What applying a config needs from the host (a config-writes feature declares the same). */
export type ConfigApplyHost = HostView<"config" | "loaded" | "logger" | "channels" | "heartbeat" | "cron">;

/**
 * Applies `next` to the running gateway as far as the reload mode allows. On `hot` and `none` it is the
 * running config afterwards (`ctx.loaded`); on `restart` and `off` nothing changed.
 * Not for concurrent use with another apply of the same gateway (callers run on the one JS thread).
 */
export function applyConfigChange(
  ctx: ConfigApplyHost,
  next: LoadedConfig,
  log: Logger,
): { outcome: ReloadOutcome; plan: ReloadPlan; features: FeatureReload[] } {
  const mode = ctx.config.gateway?.reload?.mode ?? "hybrid";
  const plan = planReload(ctx.config, next.config);
  if (mode === "off") {
    log.info("config reload disabled (gateway.reload.mode=off)");
    return { outcome: "off", plan, features: [] };
  }
  if (plan.changed.length === 0) {
    ctx.loaded = next;
    return { outcome: "none", plan, features: [] };
  }
  if (mode === "restart" || (mode === "hybrid" && plan.restart.length > 0)) return { outcome: "restart", plan, features: [] };
  if (plan.restart.length > 0) log.warn(`config reload requires gateway restart; hot mode ignoring (${plan.restart.join(", ")})`);
  const diff = toConfigDiff(ctx.config, next.config, plan);
  ctx.loaded = next;
  applyConfigEnv(next.config);
  keepLastGood(next, log);
  const hot = [...new Set(plan.hot.map((h) => h.subsystem))];
  log.info(`config hot reload applied (${[...plan.live, ...plan.hot.map((h) => h.path)].join(", ")})${hot.length ? `; restarted: ${hot.join(", ")}` : ""}`);
  const host: ReloadHost = { logger: ctx.logger.child("gateway"), channels: ctx.channels, heartbeat: ctx.heartbeat, cron: ctx.cron };
  const features = applyToFeatures(diff, host, log);
  if (features.length > 0) log.debug(`config change handled: ${features.map((f) => `${f.feature} ${f.outcome}`).join(", ")}`);
  return { outcome: "hot", plan, features };
}

/**
 * Hands `diff` to every feature whose claimed prefixes it touches. A hook that throws is logged and reported
 * as needing a gateway restart (its part of the new config is not in effect); the others still run.
 */
export function applyToFeatures(diff: ConfigDiff, host: ReloadHost, log: Logger): FeatureReload[] {
  const done: FeatureReload[] = [];
  for (const feature of FEATURES) {
    const claim = feature.config;
    if (!claim?.apply || !diff.touches(...claim.prefixes)) continue;
    try {
      done.push({ feature: feature.name, outcome: claim.apply(diff, host) });
    } catch (e) {
      log.error(`applying config change failed (${feature.name}): ${toErrorMessage(e)}`);
      done.push({ feature: feature.name, outcome: "needs-gateway-restart" });
    }
  }
  return done;
}

/**
 * Keeps a copy of the config that is running next to the file (`<config>.last-good`, mode 0600), so a
 * broken edit can be undone by hand. A failure is logged, never thrown.
 */
export function keepLastGood(loaded: LoadedConfig, log: Logger): void {
  if (!loaded.exists) return;
  try {
    const copy = `${loaded.path}.last-good`;
    writeFileSync(copy, loaded.raw, { mode: 0o600 });
    chmodSync(copy, 0o600);
  } catch (e) {
    log.warn(`could not keep a copy of the last good config: ${toErrorMessage(e)}`);
  }
}
