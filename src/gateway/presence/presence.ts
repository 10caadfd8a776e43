/**
 * Presence: who is connected to this gateway (protocol.md §5.2). One entry per key (device id, instance id
 * or connection id), newest first, entries older than 5 minutes dropped, at most 200 kept and at most
 * {@link MAX_PRESENCE_BYTES} of JSON in all (the oldest go first). Every string is clipped to the client
 * limits, so what any client sent cannot inflate the `presence` events and `hello-ok` everyone receives.
 * The gateway's own entry (reason "self") is always present and refreshed on every read.
 */
import { arch, hostname, networkInterfaces, platform, release } from "node:os";
import { CLIENT_LIMITS, type PresenceEntry } from "../../protocol/index.ts";

/** A row of the presence list (the protocol's type). */
export type { PresenceEntry };

const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 200;
/**
 * JSON bytes the rows other than the gateway's own may take together. A typical row is ~300–500 bytes, so
 * 200 ordinary rows fit; only oversized rows make older ones go early. Keeps `hello-ok` well under the
 * 512 KiB `policy.maxPayload` whatever clients sent.
 */
export const MAX_PRESENCE_BYTES = 256 * 1024;
const NODE_TEXT = /^Node: (.+?) \((.*?)\) · app (.+?) · last input (\d+)s ago · mode (.+?) · reason (.+)$/;

/** The presence table and its version counter. */
export class Presence {
  private readonly entries = new Map<string, PresenceEntry>();
  /** JSON size of each row, and their sum (for the byte budget). */
  private readonly sizes = new Map<string, number>();
  private totalBytes = 0;
  private readonly selfKey: string;
  private readonly self: PresenceEntry;
  private readonly now: () => number;
  /** Bumped on every change; starts at 1. */
  version = 1;
  /**
   * The other rows newest first, and the same as JSON without brackets (hello-ok and `presence` events splice
   * it in); built on first read after a change (every connect and presence event reads them), undefined when stale.
   */
  private rows: PresenceEntry[] | undefined;
  /** Each row of {@link rows} as JSON, in the same order (kept beside them so a connect does not re-sort or re-serialize). */
  private rowParts: string[] | undefined;
  private rowsJson: string | undefined;
  /** Each stored row's JSON, made once at upsert (rows are replaced, never changed, by an upsert). */
  private readonly rowJson = new WeakMap<PresenceEntry, string>();
  /** Smallest `ts` among the stored rows: no row can have expired before `oldestTs + TTL_MS`. */
  private oldestTs = Number.POSITIVE_INFINITY;

  constructor(opts: { version: string; now?: () => number }) {
    this.now = opts.now ?? Date.now;
    const host = hostname();
    const ip = primaryIPv4();
    this.selfKey = host.toLowerCase();
    this.self = {
      host,
      ip,
      version: opts.version,
      platform: describePlatform(),
      deviceFamily: platform() === "darwin" ? "Mac" : platform() === "win32" ? "Windows" : "Linux",
      modelIdentifier: arch(),
      mode: "gateway",
      reason: "self",
      text: `Gateway: ${host}${ip ? ` (${ip})` : ""} · app ${opts.version} · mode gateway · reason self`,
      ts: this.now(),
    };
  }

  /**
   * Inserts or merges an entry under `key` (lowercased); roles and scopes are unioned with the old row.
   * Bumps the version.
   */
  upsert(key: string, entry: Omit<PresenceEntry, "ts">): PresenceEntry {
    const k = key.toLowerCase();
    const old = this.entries.get(k);
    const merged: PresenceEntry = { ...old, ...clipEntry(entry), ts: this.now() };
    if (old?.roles || entry.roles) merged.roles = union(old?.roles, entry.roles);
    if (old?.scopes || entry.scopes) merged.scopes = union(old?.scopes, entry.scopes);
    const rows = this.rows;
    const parts = this.rowParts;
    this.remove(k);
    this.entries.set(k, merged);
    if (merged.ts < this.oldestTs) this.oldestTs = merged.ts;
    const json = JSON.stringify(merged);
    this.rowJson.set(merged, json);
    const size = Buffer.byteLength(json);
    this.sizes.set(k, size);
    this.totalBytes += size;
    let evicted = false;
    while (this.entries.size > MAX_ENTRIES || (this.totalBytes > MAX_PRESENCE_BYTES && this.entries.size > 1)) {
      this.remove(this.entries.keys().next().value as string);
      evicted = true;
    }
    if (!evicted && rows && parts && k !== this.selfKey) this.placeNewest(rows, parts, old, merged, json);
    this.version += 1;
    return merged;
  }

  /**
   * Applies a `system-event` text: "Node: host (ip) · app v · last input Ns ago · mode m · reason r" is
   * parsed into fields; any other text is stored as is.
   */
  applySystemEvent(params: Record<string, unknown> & { text: string }): PresenceEntry {
    const parsed = NODE_TEXT.exec(params.text);
    const fromText: Partial<PresenceEntry> = parsed
      ? { host: parsed[1], ip: parsed[2] || undefined, version: parsed[3], lastInputSeconds: Number(parsed[4]), mode: parsed[5], reason: parsed[6] }
      : {};
    const pick = <T>(k: string) => params[k] as T | undefined;
    const entry: Omit<PresenceEntry, "ts"> = {
      ...fromText,
      host: pick<string>("host") ?? fromText.host,
      ip: pick<string>("ip") ?? fromText.ip,
      version: pick<string>("version") ?? fromText.version,
      platform: pick<string>("platform"),
      deviceFamily: pick<string>("deviceFamily"),
      modelIdentifier: pick<string>("modelIdentifier"),
      mode: pick<string>("mode") ?? fromText.mode,
      lastInputSeconds: pick<number>("lastInputSeconds") ?? fromText.lastInputSeconds,
      reason: pick<string>("reason") ?? fromText.reason,
      roles: pick<string[]>("roles"),
      scopes: pick<string[]>("scopes"),
      tags: pick<string[]>("tags"),
      deviceId: pick<string>("deviceId"),
      instanceId: pick<string>("instanceId"),
      text: params.text,
    };
    const key = (entry.deviceId ?? entry.instanceId ?? entry.host ?? entry.ip ?? params.text).slice(0, CLIENT_LIMITS.shortChars);
    return this.upsert(key, entry);
  }

  /** The list, newest first, self included, expired rows removed. The rows are shared: do not mutate them. */
  list(): PresenceEntry[] {
    const rows = this.current();
    return [{ ...this.self }, ...rows];
  }

  /**
   * The list as JSON text, equal to `JSON.stringify(this.list())`: the rows are serialized once per change,
   * only the gateway's own row (its timestamp moves) on every call.
   */
  json(): string {
    const rows = this.current();
    if (this.rowsJson === undefined) {
      this.rowParts ??= rows.map((r) => this.rowJson.get(r) ?? JSON.stringify(r));
      // Concatenated rather than joined: the parts stay shared until the frame is written out, where the
      // runtime copies the text once anyway (a join copied it once more on every connect).
      let text = this.rowParts[0] ?? "";
      for (let i = 1; i < this.rowParts.length; i++) text += `,${this.rowParts[i]}`;
      this.rowsJson = text;
    }
    return this.rowsJson ? `[${JSON.stringify(this.self)},${this.rowsJson}]` : `[${JSON.stringify(this.self)}]`;
  }

  /** The gateway's own host name (the first row's `host`). */
  get selfHost(): string | undefined {
    return this.self.host;
  }

  /** Drops expired rows, stamps the gateway's own row, and returns the other rows newest first (shared). */
  private current(): PresenceEntry[] {
    const now = this.now();
    if (now - this.oldestTs > TTL_MS) {
      for (const [k, e] of this.entries) if (now - e.ts > TTL_MS) this.remove(k);
      this.oldestTs = Number.POSITIVE_INFINITY;
      for (const e of this.entries.values()) if (e.ts < this.oldestTs) this.oldestTs = e.ts;
    }
    this.self.ts = now;
    if (!this.rows) {
      const rows: PresenceEntry[] = [];
      for (const [k, e] of this.entries) if (k !== this.selfKey) rows.push(e);
      this.rows = rows.sort((a, b) => b.ts - a.ts);
      this.rowParts = undefined;
    }
    return this.rows;
  }

  /**
   * Keeps the sorted rows of before an upsert instead of rebuilding them: the new row goes where the sort
   * would put it (after the rows of its own timestamp, which were stored before it), the row it replaces
   * leaves. When the clock went back, the rows are rebuilt on the next read.
   */
  private placeNewest(rows: PresenceEntry[], parts: string[], old: PresenceEntry | undefined, row: PresenceEntry, json: string): void {
    if (rows.length > 0 && (rows[0] as PresenceEntry).ts > row.ts) return;
    if (old) {
      const i = rows.indexOf(old);
      if (i < 0) return;
      rows.splice(i, 1);
      parts.splice(i, 1);
    }
    let at = 0;
    while (at < rows.length && (rows[at] as PresenceEntry).ts === row.ts) at += 1;
    rows.splice(at, 0, row);
    parts.splice(at, 0, json);
    this.rows = rows;
    this.rowParts = parts;
  }

  /** JSON bytes of the stored rows (self excluded); stays at or under {@link MAX_PRESENCE_BYTES}. */
  get bytes(): number {
    return this.totalBytes;
  }

  private remove(key: string): void {
    this.rows = undefined;
    this.rowParts = undefined;
    this.rowsJson = undefined;
    this.totalBytes -= this.sizes.get(key) ?? 0;
    this.sizes.delete(key);
    this.entries.delete(key);
  }
}

/**
 * Clips a row's strings and lists to the client limits, leaving out undefined fields. Connect params and `system-event` beacons are
 * already refused beyond them; this also covers rows the gateway builds from other inputs.
 */
function clipEntry<T extends Partial<PresenceEntry>>(entry: T): T {
  const out: Record<string, unknown> = {};
  for (const key in entry) {
    const value: unknown = entry[key];
    if (value === undefined || !Object.hasOwn(entry, key)) continue;
    if (typeof value === "string") out[key] = value.slice(0, key === "text" ? CLIENT_LIMITS.textChars : CLIENT_LIMITS.shortChars);
    else if (Array.isArray(value)) out[key] = clipList(value);
    else out[key] = value;
  }
  return out as T;
}

function clipList(list: unknown[]): string[] {
  return list.slice(0, CLIENT_LIMITS.tagItems).map((v) => String(v).slice(0, CLIENT_LIMITS.shortChars));
}

/** "linux 6.1.0", "macos 14.5", "windows 10.0.22631". */
function describePlatform(): string {
  const p = platform();
  if (p === "darwin") return `macos ${release()}`;
  if (p === "win32") return `windows ${release()}`;
  return `${p} ${release()}`;
}

function primaryIPv4(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return undefined;
}

// Roles and scopes accumulate across beacons; the union stays within the list limit.
// A reconnect brings nothing new: the stored list (already a clipped union) is kept as is.
function union(a: string[] = [], b: string[] = []): string[] {
  if (a.length > 0 && b.every((v) => a.includes(v))) return a;
  return clipList([...new Set([...a, ...b])]);
}
