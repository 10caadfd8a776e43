/**
 * Helpers shared by the methods that start agent runs (`agent`, `chat.send`): the message and its image
 * attachments, thinking levels, the channel a client speaks for, and the final response frame of a run.
 */
import { parseAttachments, type RunFinal } from "../../agent/index.ts";
import { GatewayError } from "../../errors.ts";
import type { Logger } from "../../logging/logger.ts";
import type { ImageContent } from "../../store/index.ts";
import type { ConnectedClient } from "../connections.ts";

/**
 * Checks a run's message and attachments: every attachment must be valid (see `parseAttachments`), and
 * the message may be empty only when at least one image remains. Dropped attachments are logged.
 * @returns the images to send with the message ([] when none).
 * @throws GatewayError INVALID_REQUEST for a bad attachment, too many of them, or nothing to send.
 */
export function checkMessage(message: string, attachments: unknown[] | undefined, log: Logger): ImageContent[] {
  const images = parseAttachments(attachments, (msg, fields) => log.warn(msg, fields));
  if (!message.trim() && images.length === 0) throw new GatewayError("INVALID_REQUEST", "message is required");
  return images;
}

/** Accepted `thinking` values (agent.md §3). */
export const THINKING_LEVELS = ["off", "minimal", "low", "medium", "high"] as const;

/**
 * Checks a thinking level. @returns it (undefined when not given).
 * @throws GatewayError INVALID_REQUEST for anything else.
 */
export function checkThinking(level: unknown): string | undefined {
  if (level === undefined || level === null || level === "") return undefined;
  const v = String(level).toLowerCase();
  if (!(THINKING_LEVELS as readonly string[]).includes(v)) {
    throw new GatewayError("INVALID_REQUEST", `invalid thinking level "${String(level)}" (use ${THINKING_LEVELS.join(", ")})`);
  }
  return v;
}

/**
 * The channel a run came in on: an explicit param, else `webchat` / `cli` / the client id. `"last"` names
 * a delivery route, not an origin, so it counts as not given.
 */
export function channelOf(client: ConnectedClient, explicit?: unknown): string {
  if (typeof explicit === "string" && explicit.trim() && explicit.trim().toLowerCase() !== "last") return explicit.trim().toLowerCase();
  if (client.mode === "webchat" || client.id.startsWith("webchat")) return "webchat";
  if (client.mode === "cli" || client.id === "cli") return "cli";
  return client.id;
}

/** The response frame carrying a run's final answer. */
export function toFinalFrame(final: RunFinal): { ok: boolean; payload: unknown; error?: RunFinal["error"] } {
  return { ok: final.ok, payload: final.payload, ...(final.error && { error: final.error }) };
}
