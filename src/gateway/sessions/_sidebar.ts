/**
 * Sidebar state of a session as the v4 clients keep it (Control UI pin, archive, mark as unread / read):
 * stored on the session entry as timestamps (`pinnedAt`, `archivedAt` + `archiveReason`, `markedUnreadAt`,
 * `lastReadAt`), shown in v4 session rows as the booleans `pinned`, `archived`, `unread` beside them and left
 * out of v3 answers. The rules and error wording follow the upstream 2026.9.6
 * (test/fixtures/upstream-v4/history-and-sidebar.json).
 */
import { agentIds, agentOf, mainSessionKey } from "../../agent/index.ts";
import type { OpenClawConfig } from "../../config/schema.ts";
import { GatewayError } from "../../errors.ts";
import type { ParamsOf } from "../../protocol/index.ts";
import type { SessionEntry, Store } from "../../store/index.ts";

type PatchParams = ParamsOf<"sessions.patch">;

/** The entry fields that hold the sidebar state (v4 only: v3 answers leave them out). */
export const SIDEBAR_FIELDS = ["pinnedAt", "archivedAt", "archiveReason", "markedUnreadAt", "lastReadAt"] as const;

/** Keys that may come with `expectedMarkedUnreadAt` (a conditional "mark as read"); anything else is a second change. */
const ACK_KEYS = new Set(["key", "agentId", "unread", "expectedMarkedUnreadAt", "expectedSessionId", "expectedLifecycleRevision"]);

/**
 * Checks the sidebar part of a patch before anything is written.
 * @returns "stale" when it is a conditional read acknowledgement (`unread:false` with
 *   `expectedMarkedUnreadAt`) for an unread mark other than the current one: the caller answers with the
 *   entry unchanged. "apply" otherwise.
 * @throws GatewayError INVALID_REQUEST for `expectedMarkedUnreadAt` beside another change or on a session that
 *   does not exist, archiving a main session, archiving or restoring without `expectedSessionId`, pinning an
 *   archived session or a child session.
 */
export function checkSidebarPatch(config: OpenClawConfig, key: string, current: SessionEntry | undefined, params: PatchParams): "apply" | "stale" {
  if (params.expectedMarkedUnreadAt !== undefined) {
    const onlyAck = params.unread === false && Object.entries(params).every(([k, v]) => v === undefined || ACK_KEYS.has(k));
    if (!onlyAck) throw new GatewayError("INVALID_REQUEST", "expectedMarkedUnreadAt requires unread=false as the only mutation.");
    if (!current) throw new GatewayError("INVALID_REQUEST", `session not found: ${key}`);
    if ((current.markedUnreadAt ?? null) !== params.expectedMarkedUnreadAt) return "stale";
  }
  if (params.archived !== undefined) {
    if (params.archived && isMainSession(config, key)) throw new GatewayError("INVALID_REQUEST", "Cannot archive an agent's main session.");
    if (params.expectedSessionId === undefined) throw new GatewayError("INVALID_REQUEST", `expectedSessionId required for session lifecycle patch: ${key}`);
  }
  if (params.pinned === true) {
    const archivedAfter = params.archived !== undefined ? params.archived : current?.archivedAt !== undefined;
    if (archivedAfter) throw new GatewayError("INVALID_REQUEST", "cannot pin an archived session; restore it first");
    const spawnedBy = params.spawnedBy !== undefined ? params.spawnedBy : current?.spawnedBy;
    if (typeof spawnedBy === "string" && spawnedBy.trim()) throw new GatewayError("INVALID_REQUEST", "cannot pin a child session; pin its parent session instead");
  }
  return "apply";
}

/**
 * Applies the sidebar fields of a checked patch to `entry` (in place), stamping changes with `now`. Marking
 * read covers every message there is: `lastReadAt` is never older than `newestAt` (the newest message's
 * time, which a channel's clock may have put ahead of ours).
 */
export function applySidebarPatch(entry: SessionEntry, params: PatchParams, now: number, newestAt = 0): void {
  if (params.archived === true) {
    if (entry.archivedAt === undefined) {
      entry.archivedAt = now;
      entry.archiveReason = "manual";
    }
    // An archived session leaves the pinned section.
    delete entry.pinnedAt;
  } else if (params.archived === false) {
    delete entry.archivedAt;
    delete entry.archiveReason;
  }
  // A child session (spawnedBy set by this or an earlier patch) is never pinned.
  if (typeof entry.spawnedBy === "string" && entry.spawnedBy.trim()) delete entry.pinnedAt;
  if (params.pinned === true) entry.pinnedAt ??= now;
  else if (params.pinned === false) delete entry.pinnedAt;
  if (params.unread === true) {
    // Strictly increasing, so a read acknowledgement for an older mark never clears a newer one.
    entry.markedUnreadAt = Math.max(now, (typeof entry.markedUnreadAt === "number" ? entry.markedUnreadAt : 0) + 1);
  } else if (params.unread === false) {
    entry.lastReadAt = Math.max(now, newestAt);
    delete entry.markedUnreadAt;
  }
}

/** True when the entry is archived. */
export function isArchived(entry: SessionEntry): boolean {
  return entry.archivedAt !== undefined;
}

/**
 * The derived sidebar state of a v4 row: `pinned`, `archived`, `unread` (marked unread, or a transcript
 * message newer than the last read, or than the session's creation when it was never read), and
 * `lastInteractionAt` (the newest message's time) from which the Control UI derives `unread` the same way.
 */
export function sidebarFlags(store: Store, entry: SessionEntry): { pinned: boolean; archived: boolean; unread: boolean; lastInteractionAt?: number } {
  const pinned = entry.pinnedAt !== undefined;
  const archived = isArchived(entry);
  const newest = store.readMessages(entry.sessionId, 1, { imageMessages: 0 })[0];
  const lastInteractionAt = newest?.timestamp;
  const baseline = typeof entry.lastReadAt === "number" ? entry.lastReadAt : entry.createdAt;
  const unread = entry.markedUnreadAt !== undefined || (baseline !== undefined && lastInteractionAt !== undefined && lastInteractionAt > baseline);
  return { pinned, archived, unread, ...(lastInteractionAt !== undefined && { lastInteractionAt }) };
}

/** `entry` without its sidebar fields (a copy; the entry itself when it has none): what v3 answers show. */
export function withoutSidebarFields(entry: SessionEntry): SessionEntry {
  if (!SIDEBAR_FIELDS.some((f) => f in entry)) return entry;
  const copy = { ...entry };
  for (const f of SIDEBAR_FIELDS) delete copy[f];
  return copy;
}

/** True for an agent's main session and the shared `global` / `unknown` keys (never archived). */
function isMainSession(config: OpenClawConfig, key: string): boolean {
  if (key === "global" || key === "unknown") return true;
  const agent = agentOf(key) ?? agentIds(config).defaultId;
  return key === mainSessionKey(config, agent);
}
