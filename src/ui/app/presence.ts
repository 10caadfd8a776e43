/**
 * The presence card: one row per connected client instance. The gateway keeps a departed client's row for
 * a few minutes with reason "disconnect"; those rows are left out here (and a reconnect under the same
 * instance id replaces its row), so the list shows who is connected now instead of piling up history.
 */

const INSTANCE_KEY = "openclaw.ui.instanceId";

/**
 * This tab's instance id, sent as `client.instanceId` so a reload reconnects under the same presence key.
 * Kept in sessionStorage: it survives reloads, and two tabs are two instances.
 */
export function uiInstanceId(): string {
  let id = sessionStorage.getItem(INSTANCE_KEY);
  if (!id) {
    id = `ui-${crypto.randomUUID()}`;
    sessionStorage.setItem(INSTANCE_KEY, id);
  }
  return id;
}

/** A presence row ready to show. */
export interface PresenceRow {
  key: string;
  label: string;
  self: boolean;
}

/**
 * The rows to show for a presence list (newest first, as the gateway sends it): departed clients dropped,
 * one row per instance (device id, instance id, else host+mode), the gateway's own entry first. This tab
 * is always shown as connected: a reload's late disconnect can land after the new connect.
 */
export function presenceRows(list: any[], selfInstanceId: string): PresenceRow[] {
  const rows: PresenceRow[] = [];
  const seen = new Set<string>();
  for (const e of Array.isArray(list) ? list : []) {
    if (!e || typeof e !== "object") continue;
    const key = String(e.deviceId ?? e.instanceId ?? `${e.host ?? e.ip ?? "?"}|${e.mode ?? ""}`).toLowerCase();
    const self = e.instanceId === selfInstanceId;
    if (seen.has(key) || (e.reason === "disconnect" && !self)) continue;
    seen.add(key);
    const name = e.mode === "gateway" ? `${e.host ?? "gateway"} (gateway)` : String(e.host ?? e.instanceId ?? "?");
    const parts = [name, e.mode !== "gateway" ? e.mode : undefined, e.platform, /^\d/.test(String(e.version ?? "")) ? `v${e.version}` : undefined].filter((p) => typeof p === "string" && p);
    const row = { key, label: `${parts.join(" · ")}${self ? " (this tab)" : ""}`, self };
    if (e.mode === "gateway") rows.unshift(row);
    else rows.push(row);
  }
  return rows;
}

/** Replaces the list's items with the rows (text only). */
export function renderPresence(ul: HTMLElement, list: any[], selfInstanceId: string): void {
  ul.replaceChildren(
    ...presenceRows(list, selfInstanceId).map((r) => {
      const li = document.createElement("li");
      li.textContent = r.label;
      li.dataset.key = r.key;
      if (r.self) li.className = "self";
      return li;
    }),
  );
}
