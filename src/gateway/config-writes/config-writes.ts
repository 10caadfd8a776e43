/**
 * Writing the config file on a client's behalf (`config.set`, `config.apply`, `config.patch`): optimistic
 * concurrency through the file hash `config.get` returned, redacted secrets put back, the whole result
 * validated as the daemon would load it (so a written file always starts), then an atomic owner-only write
 * and either a live reload or an in-process restart.
 *
 * Every step before the write throws a GatewayError and leaves the file untouched. All of it is synchronous,
 * so two writes can never interleave between the hash check and the rename.
 */
import { readFileSync } from "node:fs";
import type { ConfigWritesHost } from "./_host.ts";
import JSON5 from "json5";
import { applyMergePatch } from "../../config/merge-patch.ts";
import { hashText, type LoadedConfig, parseConfigText, viewConfigEnv } from "../../config/load.ts";
import { findFileOnlyChanges } from "../../config/file-only.ts";
import { hasRedactedValues, redactConfigValue, restoreRedactedValues } from "../../config/redact.ts";
import type { OpenClawConfig } from "../../config/schema.ts";
import { writeConfigText } from "../../config/write.ts";
import { ConfigError, GatewayError, toErrorMessage } from "../../errors.ts";
import { preflightConfig } from "../config-preflight.ts";
import { applyConfigChange, type ReloadOutcome } from "../config-reload.ts";
import { type RestartSentinelPayload, writeRestartSentinel } from "../restart-sentinel.ts";

/** Delay before a requested restart when the caller gives none (upstream's), and the most it may be. */
export const DEFAULT_RESTART_DELAY_MS = 2000;
export const MAX_RESTART_DELAY_MS = 60_000;

/** The config file as it is on disk right now. */
export interface DiskConfig {
  path: string;
  exists: boolean;
  raw: string;
  hash: string;
  /** The file parsed as JSON5 (before `${ENV}` substitution); undefined when it does not parse. */
  parsed: unknown;
}

/** A validated config ready to be written. */
export interface PreparedConfig {
  /** The exact file text to write. */
  text: string;
  /** What the text parses to (as written: `${ENV}` references kept). */
  parsed: Record<string, unknown>;
  /** The config the gateway will run (substituted, validated). */
  config: OpenClawConfig;
}

/** How a restart was arranged (the `restart` field of the answers). */
export interface RestartInfo {
  /** False when nothing can restart this gateway in process (embedded, e.g. tests). */
  ok: boolean;
  pid: number;
  delayMs: number;
  reason: string;
  mode: "in-process" | "unavailable";
}

/** Reads the config file; a missing file is `exists: false` with empty text. @throws Error when unreadable. */
export function readDiskConfig(path: string): DiskConfig {
  let raw: string;
  try {
    raw = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    return { path, exists: false, raw: "", hash: hashText(""), parsed: {} };
  }
  let parsed: unknown;
  try {
    parsed = raw.trim() === "" ? {} : JSON5.parse(raw);
  } catch {
    parsed = undefined;
  }
  return { path, exists: true, raw, hash: hashText(raw), parsed };
}

/** True when the file on disk loads as a config (no file does: it means defaults). */
export function isDiskConfigValid(disk: DiskConfig): boolean {
  if (!disk.exists) return true;
  try {
    parseConfigText(disk.raw, disk.path);
    return true;
  } catch (err) {
    if (err instanceof ConfigError) return false;
    throw err;
  }
}

/**
 * Checks the client's `baseHash` against the file (upstream rules): no file → no check; a file → the hash
 * is required and must match.
 * @throws GatewayError INVALID_REQUEST when it is missing or stale.
 */
export function checkBaseHash(disk: DiskConfig, baseHash: unknown): void {
  if (!disk.exists) return;
  const given = typeof baseHash === "string" ? baseHash.trim() : "";
  if (!given) throw new GatewayError("INVALID_REQUEST", "config base hash required; re-run config.get and retry");
  if (given !== disk.hash) throw new GatewayError("INVALID_REQUEST", "config changed since last load; re-run config.get and retry");
}

/**
 * Parses JSON5 text from a client.
 * @throws GatewayError INVALID_REQUEST with the parser's message.
 */
export function parseClientJson5(raw: string): unknown {
  try {
    return JSON5.parse(raw);
  } catch (err) {
    throw new GatewayError("INVALID_REQUEST", String(err));
  }
}

/**
 * Turns what a client sent into the text to write: redacted placeholders get the stored secrets back, and
 * the result must load as a config (schema, `${ENV}` references resolvable). When nothing was restored and
 * the client's own text is given as `raw`, that text is written as is (comments, `${ENV}` references and
 * layout kept); otherwise the object is written as JSON.
 * @throws GatewayError INVALID_REQUEST "invalid config" with `details.issues` naming every bad path, or
 *   naming the redacted paths that have no stored value.
 */
export function prepareConfig(disk: DiskConfig, value: unknown, raw?: string): PreparedConfig {
  let next = value;
  let text = raw;
  if (hasRedactedValues(value)) {
    const restored = restoreRedactedValues(value, disk.parsed);
    if (restored.missing.length > 0) {
      const issues = restored.missing.map((path) => ({ path, message: "redacted placeholder with no stored value; send the real value" }));
      throw new GatewayError("INVALID_REQUEST", "invalid config", { details: { issues } });
    }
    next = restored.value;
    text = undefined;
  }
  if (next === null || typeof next !== "object" || Array.isArray(next)) {
    throw new GatewayError("INVALID_REQUEST", "invalid config", { details: { issues: [{ path: "", message: "must be an object at the top level" }] } });
  }
  text ??= `${JSON.stringify(next, null, 2)}\n`;
  try {
    return { text, parsed: next as Record<string, unknown>, config: parseConfigText(text, disk.path) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new GatewayError("INVALID_REQUEST", "invalid config", { details: { issues: err.issues } });
  }
}

/**
 * Refuses a write the protocol may not make or the gateway could not start with: a change to a file-only
 * key (programs, code, loader variables; see config/file-only.ts), or a config failing the start-up checks
 * (auth, bind address, hooks, canvas root, workspaces). Nothing is written then.
 * @throws GatewayError INVALID_REQUEST with `details.issues` naming each path.
 */
export function checkWritable(gw: ConfigWritesHost, disk: DiskConfig, prepared: PreparedConfig): void {
  const fileOnly = findFileOnlyChanges(disk.parsed, prepared.parsed);
  if (fileOnly.length > 0) {
    const issues = fileOnly.map((c) => ({ path: c.path, message: `only the config file can change this (${c.why}); edit ${disk.path} by hand` }));
    throw new GatewayError("INVALID_REQUEST", `config key ${fileOnly.map((c) => c.path).join(", ")} can only be changed in the config file, not over the protocol`, { details: { issues } });
  }
  // An embedded gateway (tests, no daemon) may run on a secret from its settings rather than the file.
  const env = viewConfigEnv(prepared.config);
  if (!gw.supervisor) env.OPENCLAW_GATEWAY_TOKEN ??= gw.settings.auth.token;
  const flags = gw.supervisor?.flags ?? (gw.supervisor ? {} : { allowUnconfigured: true });
  const issues = preflightConfig(prepared.config, { flags, env });
  if (issues.length > 0) {
    throw new GatewayError("INVALID_REQUEST", `config would not start: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, { details: { issues } });
  }
}

/**
 * Writes the prepared config (atomic, 0600) and tells the daemon's watcher it was handled here.
 * @returns the config as now on disk.
 * @throws GatewayError UNAVAILABLE when the file cannot be written (it is then unchanged).
 */
export function commitConfig(gw: ConfigWritesHost, disk: DiskConfig, prepared: PreparedConfig): LoadedConfig {
  checkWritable(gw, disk, prepared);
  try {
    writeConfigText(disk.path, prepared.text);
  } catch (err) {
    throw new GatewayError("UNAVAILABLE", `could not write config: ${toErrorMessage(err)}`, { cause: err });
  }
  const loaded: LoadedConfig = { path: disk.path, exists: true, raw: prepared.text, hash: hashText(prepared.text), config: prepared.config };
  gw.supervisor?.noteConfigWritten(loaded.hash);
  return loaded;
}

/**
 * Applies a written config the way a file edit would be: live when the reload plan allows, else by an
 * in-process restart soon after (the gateway's reload debounce, so the answer goes out first).
 */
export function reloadWritten(gw: ConfigWritesHost, loaded: LoadedConfig, method: string): { reload: ReloadOutcome; restart?: RestartInfo } {
  const { outcome, plan } = applyConfigChange(gw, loaded, gw.logger.child("reload"));
  if (outcome !== "restart") return { reload: outcome };
  const delayMs = gw.config.gateway?.reload?.debounceMs ?? 300;
  return { reload: outcome, restart: scheduleRestart(gw, `${method}: ${plan.restart.join(", ") || plan.changed.join(", ")}`, delayMs) };
}

/**
 * Restarts the gateway in process after `delayMs` (clamped to 0…60 000), leaving a restart note for the
 * next start. Without a supervisor (embedded) nothing restarts: the config is applied live as far as it
 * can be and `ok: false` says a restart is still due.
 */
export function restartForWrite(
  gw: ConfigWritesHost,
  loaded: LoadedConfig,
  opts: { method: "config.apply" | "config.patch"; delayMs?: number; sessionKey?: string; note?: string },
): { restart: RestartInfo; sentinel: { path: string | null; payload: RestartSentinelPayload } | null; reload?: ReloadOutcome } {
  const payload: RestartSentinelPayload = {
    kind: "config-apply",
    status: "ok",
    ts: Date.now(),
    ...(opts.sessionKey?.trim() && { sessionKey: opts.sessionKey.trim() }),
    message: opts.note?.trim() || null,
    doctorHint: "Run: openclaw doctor --non-interactive",
    stats: { mode: opts.method, root: loaded.path },
  };
  const delayMs = Math.min(Math.max(Math.floor(opts.delayMs ?? DEFAULT_RESTART_DELAY_MS), 0), MAX_RESTART_DELAY_MS);
  if (!gw.supervisor) {
    const { outcome } = applyConfigChange(gw, loaded, gw.logger.child("reload"));
    return { restart: { ok: false, pid: process.pid, delayMs, reason: opts.method, mode: "unavailable" }, sentinel: null, reload: outcome };
  }
  const path = writeRestartSentinel(gw.stateDir, payload);
  return { restart: scheduleRestart(gw, opts.method, delayMs), sentinel: { path, payload } };
}

/**
 * Applies a JSON merge patch to the config file as written, the way `config.patch` does (validated,
 * file-only keys refused, atomic write), then reloads as a file edit would (live, or a restart when the plan
 * needs one). For methods that change one part of the config (`skills.update`).
 * @returns the config as now written (`${ENV}` references kept, secrets not redacted) and the reload outcome.
 * @throws GatewayError INVALID_REQUEST when the file is invalid now or the result would be; nothing is written then.
 */
export function patchConfigFile(gw: ConfigWritesHost, patch: Record<string, unknown>, method: string): { parsed: Record<string, unknown>; reload: ReloadOutcome; restart?: RestartInfo } {
  const disk = readDiskConfig(gw.loaded.path);
  if (!isDiskConfigValid(disk)) throw new GatewayError("INVALID_REQUEST", `invalid config; fix ${disk.path} before ${method}`);
  const prepared = prepareConfig(disk, applyMergePatch(disk.exists ? disk.parsed : {}, patch));
  const loaded = commitConfig(gw, disk, prepared);
  return { parsed: prepared.parsed, ...reloadWritten(gw, loaded, method) };
}

/** The config as a client may see it back: secrets redacted. */
export function toClientConfig(parsed: unknown): unknown {
  return redactConfigValue(parsed);
}

// --- internal ---

function scheduleRestart(gw: ConfigWritesHost, reason: string, delayMs: number): RestartInfo {
  if (!gw.supervisor) {
    gw.logger.child("reload").warn(`config change needs a gateway restart (${reason}); restart the gateway to apply it`);
    return { ok: false, pid: process.pid, delayMs, reason, mode: "unavailable" };
  }
  gw.logger.child("reload").info(`restart scheduled in ${delayMs} ms (${reason})`);
  gw.supervisor.requestRestart(reason, delayMs);
  return { ok: true, pid: process.pid, delayMs, reason, mode: "in-process" };
}
