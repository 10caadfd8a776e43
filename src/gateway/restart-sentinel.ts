/**
 * The note a restart leaves for the gateway that comes up after it: `config.apply` / `config.patch` write
 * `<stateDir>/restart-sentinel.json` before restarting; the next start reads and deletes it and queues its
 * text as a system event, so the agent learns on its next turn that the config changed (and why, `note`).
 * System events here are one queue for the main session; a `sessionKey` is carried in the text only.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { toErrorMessage } from "../errors.ts";
import type { Logger } from "../logging/logger.ts";
import { writeFileAtomic } from "../util/atomic-write.ts";
import type { HostView } from "./host.ts";
import { enqueueSystemEvent } from "./heartbeat/system-events.ts";

/** The sentinel file name inside the state dir. */
export const RESTART_SENTINEL_FILE = "restart-sentinel.json";

/** What a restart leaves behind (upstream's shape). */
export interface RestartSentinelPayload {
  kind: "config-apply";
  status: "ok";
  ts: number;
  sessionKey?: string;
  /** The `note` the caller gave, or null. */
  message: string | null;
  doctorHint: string;
  stats: { mode: string; root: string };
}

/**
 * Writes the sentinel (owner-only, atomically).
 * @returns its path, or null when it could not be written (the restart still happens; only the note is lost).
 */
export function writeRestartSentinel(stateDir: string, payload: RestartSentinelPayload): string | null {
  const path = join(stateDir, RESTART_SENTINEL_FILE);
  try {
    writeFileAtomic(path, `${JSON.stringify({ version: 1, payload }, null, 2)}\n`);
    return path;
  } catch {
    return null;
  }
}

/**
 * Reads and deletes the sentinel. A file that is not a version-1 sentinel is deleted too.
 * @returns the payload, or null when there is none.
 */
export function consumeRestartSentinel(stateDir: string): RestartSentinelPayload | null {
  const path = join(stateDir, RESTART_SENTINEL_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return null;
  }
  rmSync(path, { force: true });
  try {
    const parsed = JSON.parse(text) as { version?: unknown; payload?: unknown };
    return parsed?.version === 1 && parsed.payload && typeof parsed.payload === "object" ? (parsed.payload as RestartSentinelPayload) : null;
  } catch {
    return null;
  }
}

/** The system event text for a sentinel: `GatewayRestart:` and the payload as JSON. */
export function formatRestartSentinel(payload: RestartSentinelPayload): string {
  return `GatewayRestart:\n${JSON.stringify(payload, null, 2)}`;
}

/** Consumes the sentinel, if any, into the gateway's system event queue. Never throws. */
export function deliverRestartSentinel(gw: HostView<"stateDir" | "systemEvents">, log: Logger): void {
  try {
    const payload = consumeRestartSentinel(gw.stateDir);
    if (!payload) return;
    enqueueSystemEvent(gw.systemEvents, formatRestartSentinel(payload));
    log.info(`restart note queued (${payload.stats?.mode ?? payload.kind})`);
  } catch (e) {
    log.warn(`could not read the restart note: ${toErrorMessage(e)}`);
  }
}
