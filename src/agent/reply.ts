/** Reading the reply out of a run's final answer. */
import type { RunFinal } from "./types.ts";

/**
 * The reply text of a run: its payload texts, blank ones left out, joined by a blank line.
 * @returns "" for a failed run or one that produced no text.
 */
export function replyTextOf(final: RunFinal): string {
  if (!final.ok) return "";
  const result = final.payload.result;
  return (result?.payloads ?? [])
    .map((p) => p.text ?? "")
    .filter((t) => t.trim())
    .join("\n\n");
}
