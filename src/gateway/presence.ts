/**
 * Presence: who is connected to this gateway (protocol.md §5.2). One entry per key (device id, instance id
 * or connection id), newest first, entries older than 5 minutes dropped, at most 200 kept. The gateway's
 * own entry (reason "self") is always present and refreshed on every read.
 */
import { arch, hostname, networkInterfaces, platform, release } from "node:os";
import type { PresenceEntry } from "../protocol/index.ts";

/** A row of the presence list (the protocol's type). */
export type { PresenceEntry };

const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 200;
const NODE_TEXT = /^Node: (.+?) \((.*?)\) · app (.+?) · last input (\d+)s ago · mode (.+?) · reason (.+)$/;

/** The presence table and its version counter. */
export class Presence {
  private readonly entries = new Map<string, PresenceEntry>();
  private readonly selfKey: string;
  private readonly self: PresenceEntry;
  private readonly now: () => number;
  /** Bumped on every change; starts at 1. */
  version = 1;

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
    const merged: PresenceEntry = { ...old, ...dropUndefined(entry), ts: this.now() };
    if (old?.roles || entry.roles) merged.roles = union(old?.roles, entry.roles);
    if (old?.scopes || entry.scopes) merged.scopes = union(old?.scopes, entry.scopes);
    this.entries.delete(k);
    this.entries.set(k, merged);
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
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
    const key = entry.deviceId ?? entry.instanceId ?? entry.host ?? entry.ip ?? params.text.slice(0, 64);
    return this.upsert(key, entry);
  }

  /** The list, newest first, self included, expired rows removed. */
  list(): PresenceEntry[] {
    const now = this.now();
    for (const [k, e] of this.entries) if (now - e.ts > TTL_MS) this.entries.delete(k);
    this.self.ts = now;
    const rows = [...this.entries.entries()].filter(([k]) => k !== this.selfKey).map(([, e]) => e);
    rows.sort((a, b) => b.ts - a.ts);
    return [{ ...this.self }, ...rows];
  }
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

function union(a: string[] = [], b: string[] = []): string[] {
  return [...new Set([...a, ...b])];
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
