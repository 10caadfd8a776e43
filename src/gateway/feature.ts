/**
 * What a feature is to the host: a name, the protocol methods it registers (each tied by `defineMethod` to
 * its generated params type and its scope), the config prefixes it claims from the reload plan, and how it
 * applies a config change. The host builds one method table from every feature and runs their reload hooks.
 */
import { checkParams, type KnownMethod, METHOD_SCOPES, type MethodScope } from "../protocol/index.ts";
import type { MethodContext, MethodHandler } from "./context.ts";
import type { ConfigDiff, ReloadOutcome } from "./reload-plan.ts";
import type { Logger } from "../logging/logger.ts";

/** One registered method, erased to what the dispatcher needs. */
export interface MethodDefinition {
  readonly name: KnownMethod;
  /** The scope class of the §4 table (`METHOD_SCOPES`); names outside it are admin-only. */
  readonly scope: MethodScope;
  /**
   * Validates raw params against the method's generated schema. On success returns the call with the
   * typed params bound; on failure the upstream error message (`invalid <method> params: …`).
   */
  prepare(raw: unknown): { ok: true; run(ctx: MethodContext): unknown } | { ok: false; message: string };
}

/**
 * Ties a protocol method name to its handler. The handler receives the params already validated and typed as
 * the generated `ParamsOf<M>`, so it needs no casts.
 * @example defineMethod("chat.abort", chatAbort)
 */
export function defineMethod<M extends KnownMethod>(name: M, handler: MethodHandler<M>): MethodDefinition {
  return {
    name,
    scope: METHOD_SCOPES[name] ?? "admin",
    prepare(raw) {
      const checked = checkParams(name, raw);
      if (!checked.ok) return { ok: false, message: checked.message };
      const params = checked.params;
      return { ok: true, run: (ctx) => handler(ctx, params) };
    },
  };
}

/**
 * A feature's config hook: the reload plan's prefixes it owns and what it does when one of them changed.
 * `apply` runs after the new config is in place and says what it did.
 */
export interface FeatureConfig {
  /** Reload-plan prefixes this feature handles (each must be in the plan table; checked by a test). */
  readonly prefixes: readonly string[];
  /**
   * Applies the part of `diff` under `prefixes` (the new config is already the running one) and says what it
   * did. Called only when one of them changed. Without `apply` the feature reads its config on use.
   */
  apply?(diff: ConfigDiff, host: ReloadHost): ReloadOutcome;
}

/** What the host lends a feature's config hook: a logger and the long-lived services that re-read config. */
export interface ReloadHost {
  readonly logger: Logger;
  readonly channels: { applyConfig(): string[] };
  readonly heartbeat: { reschedule(): void };
  readonly cron: { applyConfig(): void };
}

/** A feature folder's declaration (its `index.ts` exports one). */
export interface Feature {
  readonly name: string;
  readonly methods: readonly MethodDefinition[];
  readonly config?: FeatureConfig;
}

/** Identity helper for type inference. */
export function defineFeature(feature: Feature): Feature {
  return feature;
}
