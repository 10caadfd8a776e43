/**
 * Validation entry points over the precompiled validators: frames, params, results, event payloads and the
 * config file. Nothing is compiled at runtime; every check is a plain function call, safe to call concurrently.
 */
import type { ErrorObject } from "ajv";
import { type ConfigIssue, formatValidationErrors, toConfigIssues } from "./format-errors.ts";
import type {
  ConnectParams,
  ConnectParamsV4,
  EventPayloadMap,
  MethodParamsMap,
  MethodResultMap,
  RequestFrame,
  RequestFrameV4,
} from "./generated/types.ts";
import {
  EVENT_VALIDATORS,
  PARAMS_VALIDATORS,
  RESULT_VALIDATORS,
  type Validator,
  validateConfig,
  validateConnectParams,
  validateConnectParamsV4,
  validateRequestFrame,
  validateRequestFrameV4,
} from "./generated/validators.js";

/** A method with a params schema (advertised or not). */
export type KnownMethod = keyof MethodParamsMap;
/** Params type of method `M`; `connect` included. */
export type ParamsOf<M extends string> = M extends "connect"
  ? ConnectParams
  : M extends KnownMethod
    ? MethodParamsMap[M]
    : unknown;
/** Result type of method `M` where documented, else `unknown`. */
export type ResultOf<M extends string> = M extends keyof MethodResultMap ? MethodResultMap[M] : unknown;
/** Payload type of event `E` where known, else `unknown`. */
export type PayloadOf<E extends string> = E extends keyof EventPayloadMap ? EventPayloadMap[E] : unknown;

/** A failed check: the wire message plus ajv's raw errors (empty when no schema was involved). */
export type CheckFailure = { ok: false; message: string; errors: ErrorObject[] };

/** Outcome of {@link checkRequestFrame}. */
export type RequestFrameCheck = { ok: true; frame: RequestFrame } | CheckFailure;
/** Outcome of {@link checkParams}. */
export type ParamsCheck<M extends string> = { ok: true; params: ParamsOf<M> } | CheckFailure;
/**
 * Outcome of {@link checkConfig}. The valid config is typed loosely: its static type (`OpenClawConfig`) lives
 * in src/config, which depends on this folder, never the other way round.
 */
export type ConfigCheck = { ok: true; config: Record<string, unknown> } | { ok: false; issues: ConfigIssue[] };

/**
 * Checks that `value` (already JSON-parsed) is a request frame. On failure `message` is the formatted
 * errors only (e.g. `at /id: must NOT have fewer than 1 characters`); the INVALID_REQUEST reply text is
 * `invalid request frame: ${message}`, and before connect the socket closes with just "invalid request frame".
 */
export function checkRequestFrame(value: unknown): RequestFrameCheck {
  if (validateRequestFrame(value)) return { ok: true, frame: value };
  return fail(formatValidationErrors(validateRequestFrame.errors), validateRequestFrame.errors);
}

/**
 * Checks a request frame on a v4 connection: the v3 frame plus optional `traceparent` and `expectedProfileId`.
 * Failure messages are formatted as {@link checkRequestFrame}'s.
 */
export function checkRequestFrameV4(value: unknown): { ok: true; frame: RequestFrameV4 } | CheckFailure {
  if (validateRequestFrameV4(value)) return { ok: true, frame: value };
  return fail(formatValidationErrors(validateRequestFrameV4.errors), validateRequestFrameV4.errors);
}

/**
 * Validates `connect` params against the v4 schema, a superset of v3's, before the version is negotiated.
 * The failure message is `invalid connect params: <errors>`, as for every method.
 */
export function checkConnectParams(params: unknown): { ok: true; params: ConnectParamsV4 } | CheckFailure {
  if (validateConnectParamsV4(params)) return { ok: true, params };
  return fail(`invalid connect params: ${formatValidationErrors(validateConnectParamsV4.errors)}`, validateConnectParamsV4.errors);
}

/**
 * True for every method the protocol defines params for: the advertised `METHODS` plus `UNADVERTISED_METHODS`.
 * `connect` is not a method here: it is only valid as the handshake.
 */
export function isKnownMethod(name: string): name is KnownMethod {
  return Object.hasOwn(PARAMS_VALIDATORS, name);
}

/**
 * Validates `params` of `method`. Missing params count as `{}` (as upstream does for every method but
 * `connect`, whose params are validated as sent). Failure messages are exactly upstream's:
 * `invalid <method> params: <errors>`; an unknown method gives `unknown method: <method>`.
 * @example checkParams("send", { to: "x" })
 * // { ok: false, errors, message: "invalid send params: must have required property 'message';
 * //   must have required property 'idempotencyKey'" }
 */
export function checkParams<M extends string>(method: M, params: unknown): ParamsCheck<M> {
  const validate = toParamsValidator(method);
  if (!validate) return fail(`unknown method: ${method}`, []);
  const value = params === undefined && method !== "connect" ? {} : params;
  if (validate(value)) return { ok: true, params: value as ParamsOf<M> };
  return fail(`invalid ${method} params: ${formatValidationErrors(validate.errors)}`, validate.errors);
}

/**
 * Validates the ok payload of `method` against its documented result schema. Methods without one pass.
 * Meant for tests and debug builds; handlers' results are trusted in production.
 */
export function checkResult<M extends string>(method: M, result: unknown): { ok: true } | CheckFailure {
  const validate = (RESULT_VALIDATORS as Record<string, Validator<unknown>>)[method];
  if (!validate || validate(result)) return { ok: true };
  return fail(`invalid ${method} result: ${formatValidationErrors(validate.errors)}`, validate.errors);
}

/** Validates the payload of event `event`. Unknown events pass (channel plugins add their own). */
export function checkEventPayload<E extends string>(event: E, payload: unknown): { ok: true } | CheckFailure {
  const validate = (EVENT_VALIDATORS as Record<string, Validator<unknown>>)[event];
  if (!validate || validate(payload)) return { ok: true };
  return fail(`invalid ${event} event payload: ${formatValidationErrors(validate.errors)}`, validate.errors);
}

/**
 * Validates a parsed config file (after `${ENV}` substitution). Issues name the key path and what is wrong,
 * e.g. `{ path: "gateway.port", message: "must be <= 65535" }` or `{ path: "gateway.foo", message: 'unknown key "foo"' }`.
 * Root-level problems use the path "(root)".
 */
export function checkConfig(value: unknown): ConfigCheck {
  if (validateConfig(value)) return { ok: true, config: value };
  return { ok: false, issues: toConfigIssues(validateConfig.errors) };
}

// --- internal ---

function toParamsValidator(method: string): Validator<unknown> | undefined {
  if (method === "connect") return validateConnectParams;
  return isKnownMethod(method) ? PARAMS_VALIDATORS[method] : undefined;
}

function fail(message: string, errors: readonly ErrorObject[] | null | undefined): CheckFailure {
  return { ok: false, message, errors: [...(errors ?? [])] };
}
