/**
 * Shapes of the browser control HTTP API, shared by the server (src/browser/server.ts) and the client
 * (src/browser/client.ts). Type-only: importing this file loads nothing.
 */

/** Stable error codes of the control API (`{error, code}` bodies); messages may change, codes may not. */
export type BrowserErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "NOT_FOUND"
  | "METHOD_NOT_ALLOWED"
  | "PROFILE_NOT_FOUND"
  | "TAB_NOT_FOUND"
  | "REF_NOT_FOUND"
  | "BROWSER_NOT_RUNNING"
  | "BROWSER_UNAVAILABLE"
  | "DISABLED"
  | "TIMEOUT"
  | "NAVIGATION_FAILED"
  | "PRIVATE_ADDRESS"
  | "ACTION_FAILED"
  | "INTERNAL";

/** The body of every error response. */
export interface BrowserErrorBody {
  error: string;
  code: BrowserErrorCode;
}

/** How the last browser process of a profile ended, when it ended on its own. */
export interface BrowserExit {
  at: number;
  code: number | null;
  signal: string | null;
}

/** `GET /`: one profile's state. */
export interface BrowserStatus {
  enabled: boolean;
  profile: string;
  running: boolean;
  /** True when the browser was found already listening (not launched by this gateway) or is remote. */
  attached: boolean;
  pid: number | null;
  /** The DevTools port/URL of an outside browser (remote `cdpUrl`, or `attachOnly` on this port). */
  cdpPort: number;
  cdpUrl: string;
  /** How the running browser is driven: `pipe` (launched by this gateway, no DevTools port) or `cdp`. */
  transport: "pipe" | "cdp";
  remote: boolean;
  color: string;
  userDataDir: string | null;
  executablePath: string | null;
  browser: string | null;
  headless: boolean;
  /** Set when the browser died without being asked to; cleared by the next successful start. */
  crashed: boolean;
  lastExit: BrowserExit | null;
  /** How many times this profile's browser was launched since the service started. */
  launches: number;
  profiles: string[];
}

/** One page target. */
export interface BrowserTab {
  targetId: string;
  title: string;
  url: string;
  type: string;
}

/** `GET /tabs`. */
export interface BrowserTabs {
  running: boolean;
  tabs: BrowserTab[];
}

/** One element ref of a snapshot. */
export interface SnapshotRef {
  role: string;
  name?: string;
}

/** `GET /snapshot`. */
export interface BrowserSnapshot {
  ok: true;
  format: "ai";
  targetId: string;
  url: string;
  title: string;
  /** Accessibility tree as YAML-ish text; interactive nodes carry `[ref=eN]`. */
  snapshot: string;
  refs: Record<string, SnapshotRef>;
  truncated: boolean;
}

/** `POST /act` bodies. */
export type BrowserAction =
  | { kind: "click"; ref: string; targetId?: string; doubleClick?: boolean; button?: "left" | "right" | "middle"; timeoutMs?: number }
  | { kind: "type"; ref: string; text: string; targetId?: string; submit?: boolean; slowly?: boolean; timeoutMs?: number }
  | { kind: "press"; key: string; ref?: string; targetId?: string; timeoutMs?: number }
  | { kind: "hover"; ref: string; targetId?: string; timeoutMs?: number }
  | { kind: "select"; ref: string; values: string[]; targetId?: string; timeoutMs?: number }
  | { kind: "wait"; timeMs?: number; text?: string; textGone?: string; ref?: string; targetId?: string; timeoutMs?: number };

/** `POST /act`, `/navigate`, `/tabs/focus` answers. */
export interface BrowserActResult {
  ok: true;
  targetId: string;
  url?: string;
  title?: string;
}
