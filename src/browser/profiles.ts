/**
 * Where a profile lives on disk and which CDP port it owns. Each managed profile gets its own user-data
 * dir under `<stateDir>/browser/<name>/user-data` (never the user's personal browser profile) and a CDP
 * port from the range, written to `<stateDir>/browser/profiles.json` so the port survives restarts.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic-write.ts";
import type { ResolvedBrowserConfig, ResolvedProfile } from "./config.ts";
import { BrowserApiError } from "./errors.ts";

/** The persisted allocation table. */
interface PortsFile {
  version: 1;
  profiles: Record<string, { cdpPort: number; allocatedAt: string }>;
}

/** `<stateDir>/browser`: everything the browser service writes. */
export function resolveBrowserStateDir(stateDir: string): string {
  return join(stateDir, "browser");
}

/** The user-data dir of a managed profile. */
export function resolveUserDataDir(stateDir: string, profile: string): string {
  return join(resolveBrowserStateDir(stateDir), profile, "user-data");
}

/** True when nothing listens on 127.0.0.1:`port` right now. */
export function isPortFree(port: number): boolean {
  try {
    const s = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
    s.stop(true);
    return true;
  } catch {
    return false;
  }
}

/**
 * Allocates and remembers CDP ports per profile. One instance per service; calls are synchronous, so two
 * profiles asking at once in one process never get the same port.
 */
export class ProfilePorts {
  readonly file: string;
  private table: PortsFile;
  private readonly probe: (port: number) => boolean;

  constructor(opts: { stateDir: string; isPortFree?: (port: number) => boolean; onWarn?: (msg: string) => void }) {
    this.file = join(resolveBrowserStateDir(opts.stateDir), "profiles.json");
    this.probe = opts.isPortFree ?? isPortFree;
    this.table = readTable(this.file, opts.onWarn);
  }

  /** The persisted port of `name`, or undefined when none was allocated yet. */
  persisted(name: string): number | undefined {
    return this.table.profiles[name]?.cdpPort;
  }

  /**
   * The CDP port of a profile: the one fixed in config, else the persisted one (while it is inside the
   * current range and no other profile claims it), else the first free port of the range, persisted.
   * @throws BrowserApiError 503 when the range is exhausted.
   */
  portFor(profile: ResolvedProfile, resolved: ResolvedBrowserConfig): number {
    if (profile.cdpPort) return profile.cdpPort;
    const { start, end } = resolved.cdpRange;
    const claimed = new Set<number>();
    for (const p of Object.values(resolved.profiles)) if (p.name !== profile.name && p.cdpPort) claimed.add(p.cdpPort);
    for (const [name, entry] of Object.entries(this.table.profiles)) if (name !== profile.name) claimed.add(entry.cdpPort);
    const kept = this.persisted(profile.name);
    if (kept !== undefined && kept >= start && kept <= end && !claimed.has(kept)) return kept;
    for (let port = start; port <= end && port <= 65535; port++) {
      if (claimed.has(port) || !this.probe(port)) continue;
      this.table.profiles[profile.name] = { cdpPort: port, allocatedAt: new Date().toISOString() };
      this.save();
      return port;
    }
    throw new BrowserApiError(503, "BROWSER_UNAVAILABLE", `no free CDP port left in ${start}-${end} for profile "${profile.name}"`);
  }

  // --- internal ---

  private save(): void {
    writeFileAtomic(this.file, `${JSON.stringify(this.table, null, 2)}\n`, { mode: 0o600, dirMode: 0o700 });
  }
}

function readTable(file: string, onWarn?: (msg: string) => void): PortsFile {
  if (!existsSync(file)) return { version: 1, profiles: {} };
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<PortsFile>;
    const profiles: PortsFile["profiles"] = {};
    for (const [name, entry] of Object.entries(parsed.profiles ?? {})) {
      const port = entry?.cdpPort;
      if (Number.isInteger(port) && port > 0 && port <= 65535) profiles[name] = { cdpPort: port, allocatedAt: String(entry.allocatedAt ?? "") };
    }
    return { version: 1, profiles };
  } catch (err) {
    // A broken file only costs the remembered ports; new ones are allocated and the file rewritten.
    onWarn?.(`ignoring unreadable ${file}: ${(err as Error).message}`);
    return { version: 1, profiles: {} };
  }
}
