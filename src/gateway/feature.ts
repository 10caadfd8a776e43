/**
 * What a feature is to the host: a name, the protocol methods it registers (each tied by `defineMethod` to
 * its generated params type and its scope), the config prefixes it claims from the reload plan, and how it
 * applies a config change. The host builds one method table from every feature and runs their reload hooks.
 */
import type { Server } from "bun";
import { checkParams, type KnownMethod, METHOD_SCOPES, type MethodScope } from "../protocol/index.ts";
import type { ConnectionData } from "./connections.ts";
import type { MethodContext, MethodHandler } from "./context.ts";
import { type HostKey, type HostServices, type HostView, lendHost } from "./host.ts";
import type { ConfigDiff, ReloadOutcome } from "./reload-plan.ts";
import type { Logger } from "../logging/logger.ts";

/** One method as `defineMethod` returns it: still typed by the host view `H` its handler needs. */
export interface TypedMethod<H> {
  readonly name: KnownMethod;
  readonly scope: MethodScope;
  readonly prepare: (raw: unknown) => { ok: true; run: (ctx: MethodContext<H>) => unknown } | { ok: false; message: string };
}

/** What a request brings to a handler besides the host view (the frame dispatcher builds it). */
export type RequestContext = Omit<MethodContext, "host">;

/** One registered method, erased to what the dispatcher needs; its feature lends the host view. */
export interface MethodDefinition {
  readonly name: KnownMethod;
  /** The scope class of the §4 table (`METHOD_SCOPES`); names outside it are admin-only. */
  readonly scope: MethodScope;
  /**
   * Validates raw params against the method's generated schema. On success returns the call with the
   * typed params bound, run against the feature's view of `gw`; on failure the upstream error message
   * (`invalid <method> params: …`).
   */
  prepare(raw: unknown): { ok: true; run(req: RequestContext, gw: HostServices): unknown } | { ok: false; message: string };
}

/**
 * Ties a protocol method name to its handler. The handler receives the params already validated and typed as
 * the generated `ParamsOf<M>`, so it needs no casts, and the host view `H` it declared.
 * @example defineMethod("chat.abort", chatAbort)
 */
export function defineMethod<M extends KnownMethod, H>(name: M, handler: MethodHandler<M, H>): TypedMethod<H> {
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

/** One plain HTTP request on the gateway port as a feature's route sees it. */
export interface HttpRequestContext<H> {
  host: H;
  req: Request;
  url: URL;
  /** The peer address (`"unknown"` when Bun cannot tell). */
  remoteAddress: string;
  server: Server<ConnectionData>;
}

/**
 * A feature's HTTP route: answers a request it owns, or returns undefined to let the next route try. A throw
 * is the host's to answer (one `onError`: logged with its stack, 500).
 */
export type HttpRoute<H> = (call: HttpRequestContext<H>) => Response | undefined | Promise<Response | undefined>;

/** A route bound to its feature: the host passes the request and itself, the feature lends its view. */
export type MountedRoute = (call: Omit<HttpRequestContext<unknown>, "host">, gw: HostServices) => Response | undefined | Promise<Response | undefined>;

/** A feature folder's declaration, erased (its `index.ts` exports one, made by `defineFeature`). */
export interface Feature {
  readonly name: string;
  /** The host services its handlers get (nothing else is on their `ctx.host`). */
  readonly needs: readonly HostKey[];
  readonly methods: readonly MethodDefinition[];
  /** Its HTTP routes, tried in feature order after the WebSocket upgrade and before probes and the control UI. */
  readonly routes: readonly MountedRoute[];
  readonly config?: FeatureConfig;
  /** Started by the host once it listens, in feature order. */
  start?(gw: HostServices): void | Promise<void>;
  /** Begun by the host on shutdown in reverse feature order; see {@link FeatureSpec.stop}. */
  stop?(gw: HostServices): void | Promise<void>;
  readonly stopAfterRuns: boolean;
}

/** What a feature's `index.ts` writes: `needs` lists the host services; every method must fit in them. */
export interface FeatureSpec<K extends HostKey> {
  readonly name: string;
  readonly needs?: readonly K[];
  /** Each method's host type must be satisfied by the view of `needs` (checked by the compiler). */
  readonly methods: readonly TypedMethod<HostView<NoInfer<K>>>[];
  readonly routes?: readonly HttpRoute<HostView<NoInfer<K>>>[];
  readonly config?: FeatureConfig;
  /** Starts the feature's long-lived work once the host listens (features start in registry order). */
  readonly start?: (host: HostView<NoInfer<K>>) => void | Promise<void>;
  /**
   * Stops taking new work and resolves once the feature's work is done. On shutdown the host begins every
   * feature's stop in reverse registry order, awaits them, then ends the agent runs still going.
   */
  readonly stop?: (host: HostView<NoInfer<K>>) => void | Promise<void>;
  /**
   * The feature's stop waits for agent runs it started, which end only when the host aborts the remaining
   * runs: the host awaits it after that, bounded by a grace period, instead of before.
   */
  readonly stopAfterRuns?: boolean;
}

/**
 * Declares a feature: its methods and HTTP routes run against a view of the host holding only the services
 * in `needs` (one view per gateway, built on first use).
 */
export function defineFeature<const K extends HostKey = never>(spec: FeatureSpec<K>): Feature {
  const needs: readonly K[] = spec.needs ?? [];
  const views = new WeakMap<HostServices, HostView<K>>();
  const viewOf = (gw: HostServices): HostView<K> => {
    let view = views.get(gw);
    if (!view) views.set(gw, (view = lendHost(gw, needs)));
    return view;
  };
  const methods = spec.methods.map((m): MethodDefinition => ({
    name: m.name,
    scope: m.scope,
    prepare(raw) {
      const call = m.prepare(raw);
      if (!call.ok) return call;
      return { ok: true, run: (req, gw) => call.run({ ...req, host: viewOf(gw) }) };
    },
  }));
  const routes = (spec.routes ?? []).map((route): MountedRoute => (call, gw) => route({ ...call, host: viewOf(gw) }));
  const { start, stop } = spec;
  return {
    name: spec.name,
    needs,
    methods,
    routes,
    ...(spec.config ? { config: spec.config } : {}),
    ...(start ? { start: (gw: HostServices) => start(viewOf(gw)) } : {}),
    ...(stop ? { stop: (gw: HostServices) => stop(viewOf(gw)) } : {}),
    stopAfterRuns: spec.stopAfterRuns === true,
  };
}
