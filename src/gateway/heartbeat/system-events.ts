/**
 * The queue of system events for the main session (`system-event`, `wake`, hooks): short texts the next
 * heartbeat turn hands to the agent, oldest first.
 */

/** Events kept at most; the oldest is dropped beyond. */
export const MAX_QUEUED_SYSTEM_EVENTS = 100;

/**
 * Queues `text` (trimmed). Blank text and an immediate repeat of the newest event are not queued.
 * @returns true when queued.
 */
export function enqueueSystemEvent(queue: string[], text: string): boolean {
  const t = text.trim();
  if (!t || queue[queue.length - 1] === t) return false;
  queue.push(t);
  while (queue.length > MAX_QUEUED_SYSTEM_EVENTS) queue.shift();
  return true;
}
