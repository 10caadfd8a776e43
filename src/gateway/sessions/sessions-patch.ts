import { canonicalSessionKey, isKnownProvider, parseModelRef } from "../../agent/index.ts";
import type { SessionsHost } from "./_host.ts";
import { GatewayError } from "../../errors.ts";
import type { SessionEntry } from "../../store/index.ts";
import type { MethodHandler } from "../context.ts";
import { notifySessionChanged } from "./_subscriptions.ts";
import { stateDbPath } from "./sessions-view.ts";
import { checkThinking } from "../chat/runs.ts";
import { applySidebarPatch, checkSidebarPatch, withoutSidebarFields } from "./_sidebar.ts";

/** Fields stored as sent (null removes them). */
const PASSTHROUGH = ["verboseLevel", "reasoningLevel", "responseUsage", "elevatedLevel", "execHost", "execSecurity", "execAsk", "execNode", "spawnedBy", "sendPolicy", "groupActivation"] as const;

/**
 * `sessions.patch`: changes a session's label (unique across sessions), model (`provider/model`, used
 * before the configured model on the next run), thinkingLevel, and the other per-session settings. `null`
 * clears a field. A session that does not exist yet is created. v4's `expectedSessionId` refuses the patch
 * when the session was reset (or never existed). The v4 sidebar state is stored (`_sidebar.ts`): `pinned`,
 * `archived` (with `expectedSessionId`; not for main sessions) and `unread` (`unread:false` with
 * `expectedMarkedUnreadAt` only clears the mark it names); the other v4 settings we do not have are accepted
 * and leave the entry as it is.
 * @returns `{ok:true, path, key, entry}` (a stale read acknowledgement returns the entry unchanged; a v3
 *   answer's entry leaves the sidebar fields out).
 * @throws GatewayError INVALID_REQUEST for a bad model ref, unknown provider, bad thinking level, a label in
 *   use, or a sidebar change the rules refuse.
 */
export const sessionsPatch: MethodHandler<"sessions.patch", SessionsHost> = (ctx, params) => {
  const { store, config } = ctx.host;
  const key = canonicalSessionKey(config, String(params.key));
  const now = Date.now();
  const current = store.getSession(key);
  checkExpectedSession(key, current, params.expectedSessionId);
  const answer = (entry: SessionEntry) => ({ ok: true, path: stateDbPath(ctx.host.stateDir), key, entry: ctx.client.protocol >= 4 ? entry : withoutSidebarFields(entry) });
  if (checkSidebarPatch(config, key, current, params) === "stale" && current) return answer(current);
  const entry: SessionEntry = current ?? { sessionId: crypto.randomUUID(), createdAt: now, updatedAt: now };
  if ("label" in params) {
    const label = params.label === null ? undefined : String(params.label).trim();
    if (label && store.listSessions().some((r) => r.key !== key && r.entry.label === label)) throw new GatewayError("INVALID_REQUEST", `label already in use: ${label}`);
    setOrDelete(entry, "label", label || undefined);
  }
  if ("thinkingLevel" in params) setOrDelete(entry, "thinkingLevel", params.thinkingLevel === null ? undefined : checkThinking(params.thinkingLevel));
  if ("model" in params) {
    const ref = params.model === null || params.model === "" ? undefined : String(params.model).trim();
    if (ref !== undefined) {
      const parsed = parseModelRef(ref);
      if (!parsed) throw new GatewayError("INVALID_REQUEST", `invalid model "${ref}" (expected provider/model)`);
      if (!isKnownProvider(config, parsed.provider)) throw new GatewayError("INVALID_REQUEST", `unknown model provider "${parsed.provider}" (configure models.providers.${parsed.provider})`);
    }
    setOrDelete(entry, "modelOverride", ref);
  }
  for (const field of PASSTHROUGH) if (field in params) setOrDelete(entry, field, params[field] === null ? undefined : params[field]);
  applySidebarPatch(entry, params, now, params.unread === false ? store.readMessages(entry.sessionId, 1, { imageMessages: 0 })[0]?.timestamp : undefined);
  store.setSession(key, entry);
  notifySessionChanged(ctx.host, key, "patch");
  return answer(entry);
};

/**
 * v4 optimistic check shared by patch and reset: with `expected` set, the session must exist and still have
 * that sessionId. @throws GatewayError INVALID_REQUEST naming both ids otherwise.
 */
export function checkExpectedSession(key: string, entry: SessionEntry | undefined, expected: string | undefined): void {
  if (expected === undefined || entry?.sessionId === expected) return;
  throw new GatewayError("INVALID_REQUEST", `session ${key} changed: expected sessionId ${expected}, current ${entry?.sessionId ?? "none"}`);
}

function setOrDelete(entry: SessionEntry, field: string, value: unknown): void {
  if (value === undefined) delete entry[field];
  else entry[field] = value;
}
