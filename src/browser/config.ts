/**
 * Turns the `browser` config block into what the control service runs with: the CDP port range, the
 * profile table (with the default `openclaw` profile always present) and launch options. Pure.
 */
import { BROWSER_PROFILE_NAME_PATTERN, type BrowserConfig } from "../config/browser-schema.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import { badRequest, BrowserApiError } from "./errors.ts";

/** Name of the profile that always exists. */
export const DEFAULT_PROFILE_NAME = "openclaw";
/** Color of profiles that set none (upstream's lobster orange). */
export const DEFAULT_PROFILE_COLOR = "#FF4500";
/** How many CDP ports the range holds (config.md §2: control + 9 … control + 108). */
export const CDP_RANGE_SIZE = 100;

const NAME_RE = new RegExp(BROWSER_PROFILE_NAME_PATTERN);

/** One profile as the service sees it. */
export interface ResolvedProfile {
  name: string;
  color: string;
  /** Port fixed in config; undefined means "allocate from the range and persist". */
  cdpPort?: number;
  /** Remote DevTools endpoint; when set the service never launches a browser for this profile. */
  cdpUrl?: string;
  driver: "openclaw" | "extension";
}

/** The resolved `browser` block. */
export interface ResolvedBrowserConfig {
  enabled: boolean;
  controlPort: number;
  cdpRange: { start: number; end: number };
  defaultProfile: string;
  profiles: Record<string, ResolvedProfile>;
  executablePath?: string;
  headless: boolean;
  noSandbox: boolean;
  attachOnly: boolean;
  /** `browser.allowPrivate` (file-only): every caller's pages may reach private addresses. */
  allowPrivate: boolean;
  extraArgs: string[];
  launchTimeoutMs: number;
  remoteTimeoutMs: number;
  actionTimeoutMs: number;
}

/** Where the process is running, for headless / sandbox defaults. */
export interface HostFacts {
  platform: NodeJS.Platform;
  uid: number | undefined;
  hasDisplay: boolean;
}

/** Facts about this process's host. */
export function currentHost(env: Record<string, string | undefined> = process.env): HostFacts {
  return {
    platform: process.platform,
    uid: typeof process.getuid === "function" ? process.getuid() : undefined,
    hasDisplay: Boolean(env.DISPLAY || env.WAYLAND_DISPLAY),
  };
}

/**
 * Resolves the block.
 * @param controlPort the control service's port; the CDP range is control + 9 … + 108 unless
 *   `browser.cdpPortRangeStart` moves it.
 */
export function resolveBrowserConfig(config: OpenClawConfig, controlPort: number, host: HostFacts = currentHost()): ResolvedBrowserConfig {
  const b: BrowserConfig = config.browser ?? {};
  const start = b.cdpPortRangeStart ?? controlPort + 9;
  const color = normalizeColor(b.color) ?? DEFAULT_PROFILE_COLOR;
  const profiles: Record<string, ResolvedProfile> = {};
  for (const [name, p] of Object.entries(b.profiles ?? {})) {
    profiles[name] = {
      name,
      color: normalizeColor(p.color) ?? color,
      cdpPort: p.cdpPort,
      cdpUrl: p.cdpUrl?.trim() || undefined,
      driver: p.driver === "extension" ? "extension" : "openclaw",
    };
  }
  profiles[DEFAULT_PROFILE_NAME] ??= { name: DEFAULT_PROFILE_NAME, color, cdpUrl: b.cdpUrl?.trim() || undefined, driver: "openclaw" };
  const defaultProfile = b.defaultProfile && profiles[b.defaultProfile] ? b.defaultProfile : DEFAULT_PROFILE_NAME;
  // Linux without a display cannot show a window; root cannot use Chrome's sandbox.
  const autoHeadless = host.platform === "linux" && !host.hasDisplay;
  const autoNoSandbox = host.platform === "linux" && host.uid === 0;
  return {
    enabled: b.enabled !== false,
    controlPort,
    cdpRange: { start, end: start + CDP_RANGE_SIZE - 1 },
    defaultProfile,
    profiles,
    executablePath: b.executablePath?.trim() || undefined,
    headless: b.headless ?? autoHeadless,
    noSandbox: b.noSandbox ?? autoNoSandbox,
    attachOnly: b.attachOnly === true,
    allowPrivate: b.allowPrivate === true,
    extraArgs: b.extraArgs ?? [],
    launchTimeoutMs: b.localLaunchTimeoutMs ?? 15_000,
    remoteTimeoutMs: b.remoteCdpTimeoutMs ?? 1500,
    actionTimeoutMs: b.actionTimeoutMs ?? 8000,
  };
}

/**
 * Picks the profile a request names (`?profile=`), or the default one.
 * @throws BrowserApiError 400 for a malformed name (e.g. `../x`), 404 PROFILE_NOT_FOUND for an unknown one.
 */
export function pickProfile(resolved: ResolvedBrowserConfig, name: string | null | undefined): ResolvedProfile {
  const wanted = name?.trim() || resolved.defaultProfile;
  if (!NAME_RE.test(wanted)) throw badRequest(`invalid profile name "${wanted.slice(0, 80)}" (use a-z, 0-9, "-", "_")`);
  const profile = resolved.profiles[wanted];
  if (!profile) {
    throw new BrowserApiError(404, "PROFILE_NOT_FOUND", `unknown browser profile "${wanted}" (known: ${Object.keys(resolved.profiles).sort().join(", ")}); add it under browser.profiles`);
  }
  return profile;
}

/**
 * Checks a remote `cdpUrl` and returns it without a trailing slash.
 * @throws BrowserApiError 400 when it is not an http(s) URL.
 */
export function normalizeCdpUrl(raw: string, label: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest(`${label} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw badRequest(`${label} must be http(s)://host:port (got ${url.protocol})`);
  return url.toString().replace(/\/$/, "");
}

// --- internal ---

function normalizeColor(raw: string | undefined): string | undefined {
  const v = raw?.trim();
  if (!v) return undefined;
  const hex = v.startsWith("#") ? v : `#${v}`;
  return /^#[0-9a-fA-F]{6}$/.test(hex) ? hex.toUpperCase() : undefined;
}
