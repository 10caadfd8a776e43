/**
 * Applying a new config to a running gateway (config.md §4), shared by the file watcher and the `config.*`
 * write methods: per `gateway.reload.mode` and the reload plan, either swap it in live (subsystems re-read
 * it), or report that an in-process restart is needed, or do nothing (`off`).
 */
import { chmodSync, writeFileSync } from "node:fs";
import { applyConfigEnv, type LoadedConfig } from "../config/load.ts";
import { toErrorMessage } from "../errors.ts";
import type { Logger } from "../logging/logger.ts";
import type { GatewayContext } from "./context.ts";
import { planReload, type ReloadPlan } from "./reload-plan.ts";

/**
 * What became of a new config: `none` nothing that matters changed (it is now the running one), `hot`
 * applied live, `restart` needs an in-process restart (not applied; the caller restarts), `off` reload is
 * disabled (`gateway.reload.mode=off`; applies at the next start).
 */
export type ReloadOutcome = "none" | "hot" | "restart" | "off";

/**
 * Applies `next` to the running gateway as far as the reload mode allows. On `hot` and `none` it is the
 * running config afterwards (`ctx.loaded`); on `restart` and `off` nothing changed.
 * Not for concurrent use with another apply of the same gateway (callers run on the one JS thread).
 */
export function applyConfigChange(ctx: GatewayContext, next: LoadedConfig, log: Logger): { outcome: ReloadOutcome; plan: ReloadPlan } {
  const mode = ctx.config.gateway?.reload?.mode ?? "hybrid";
  const plan = planReload(ctx.config, next.config);
  if (mode === "off") {
    log.info("config reload disabled (gateway.reload.mode=off)");
    return { outcome: "off", plan };
  }
  if (plan.changed.length === 0) {
    ctx.loaded = next;
    return { outcome: "none", plan };
  }
  if (mode === "restart" || (mode === "hybrid" && plan.restart.length > 0)) return { outcome: "restart", plan };
  if (plan.restart.length > 0) log.warn(`config reload requires gateway restart; hot mode ignoring (${plan.restart.join(", ")})`);
  ctx.loaded = next;
  applyConfigEnv(next.config);
  keepLastGood(next, log);
  const hot = [...new Set(plan.hot.map((h) => h.subsystem))];
  log.info(`config hot reload applied (${[...plan.live, ...plan.hot.map((h) => h.path)].join(", ")})${hot.length ? `; restarted: ${hot.join(", ")}` : ""}`);
  for (const apply of ctx.onConfigApplied) {
    try {
      apply();
    } catch (e) {
      log.error(`applying config change failed: ${toErrorMessage(e)}`);
    }
  }
  return { outcome: "hot", plan };
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
