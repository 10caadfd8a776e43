/**
 * A channel turn run again after a stop (SIGTERM, restart, `kill -9`) finds its user message already in the
 * transcript: the interrupted attempt committed it, or the runtime's recovery kept it. It is recognised by
 * its inbound key (never by its text), is not added twice, and the run picks up after it.
 */
import type { TranscriptMessage } from "../store/index.ts";

/** Index of the last user message that carries `key`, or -1 when none of `messages` does. */
export function findInboundMessage(messages: TranscriptMessage[], key: string): number {
  return messages.findLastIndex((m) => m.role === "user" && m.inboundKey === key);
}

/**
 * The model's view of a resumed turn. When only the interrupted attempt follows the message, the history
 * stays as stored: its finished tool steps are kept (no tool runs twice) and its cut-off text is left out
 * by the model conversion (stopReason `aborted`). When another user message came in between (a session
 * shared with WebChat), the message is moved last so the model answers it and not the other one; the
 * transcript itself is not changed. @returns `history` as is when the key is not in it.
 */
export function resumeHistory(history: TranscriptMessage[], key: string): TranscriptMessage[] {
  const at = findInboundMessage(history, key);
  if (at < 0 || !history.slice(at + 1).some((m) => m.role === "user")) return history;
  return [...history.slice(0, at), ...history.slice(at + 1), history[at]];
}

/**
 * The answer the interrupted attempt had already finished (the stop came after the model's last step was
 * stored, before the reply went out), as the reply text of the run: each step's text, steps apart by a
 * blank line. @returns undefined when the attempt did not finish (or another user message followed it).
 */
export function finishedAnswer(messages: TranscriptMessage[], key: string): string | undefined {
  const at = findInboundMessage(messages, key);
  if (at < 0) return undefined;
  const after = messages.slice(at + 1);
  const last = after.at(-1);
  if (last?.role !== "assistant" || (last.stopReason !== "stop" && last.stopReason !== "length")) return undefined;
  if (after.some((m) => m.role === "user")) return undefined;
  return after
    .flatMap((m) => (m.role === "assistant" && m.stopReason !== "aborted" && m.stopReason !== "error" ? [m.content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("")] : []))
    .filter((t) => t !== "")
    .join("\n\n");
}
