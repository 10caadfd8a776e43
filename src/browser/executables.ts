/**
 * Finds a Chromium-family browser (Chrome, Chromium, Brave, Edge) on Linux, macOS and Windows.
 * `browser.executablePath` wins when set. Pure apart from the injected `exists` / `which`.
 */
import { accessSync, constants } from "node:fs";
import { join } from "node:path";

/** Which browser a path is. */
export type BrowserKind = "chrome" | "chromium" | "brave" | "edge" | "custom";

/** A browser to launch. */
export interface BrowserExecutable {
  kind: BrowserKind;
  path: string;
}

/** What detection may look at; tests pass fakes. */
export interface DetectOptions {
  platform?: NodeJS.Platform;
  env?: Record<string, string | undefined>;
  exists?: (path: string) => boolean;
  which?: (name: string) => string | null;
}

/**
 * The candidates for a platform, most preferred first: Chrome, Chromium, Brave, Edge. Linux also lists
 * command names looked up on PATH.
 */
export function browserCandidates(platform: NodeJS.Platform, env: Record<string, string | undefined> = process.env): { kind: BrowserKind; path: string }[] {
  switch (platform) {
    case "darwin": {
      const apps = [
        ["chrome", "Google Chrome.app/Contents/MacOS/Google Chrome"],
        ["chrome", "Google Chrome Canary.app/Contents/MacOS/Google Chrome Canary"],
        ["chromium", "Chromium.app/Contents/MacOS/Chromium"],
        ["brave", "Brave Browser.app/Contents/MacOS/Brave Browser"],
        ["edge", "Microsoft Edge.app/Contents/MacOS/Microsoft Edge"],
      ] as const;
      const roots = ["/Applications", ...(env.HOME ? [join(env.HOME, "Applications")] : [])];
      return apps.flatMap(([kind, rel]) => roots.map((root) => ({ kind, path: join(root, rel) })));
    }
    case "win32": {
      const roots = [env.LOCALAPPDATA, env.PROGRAMFILES ?? "C:\\Program Files", env["PROGRAMFILES(X86)"] ?? "C:\\Program Files (x86)"].filter(Boolean) as string[];
      const rels = [
        ["chrome", "Google\\Chrome\\Application\\chrome.exe"],
        ["chromium", "Chromium\\Application\\chrome.exe"],
        ["brave", "BraveSoftware\\Brave-Browser\\Application\\brave.exe"],
        ["edge", "Microsoft\\Edge\\Application\\msedge.exe"],
      ] as const;
      // Windows paths are joined by hand: node:path here may be the POSIX flavour (tests, cross-builds).
      return rels.flatMap(([kind, rel]) => roots.map((root) => ({ kind, path: `${root.replace(/\\$/, "")}\\${rel}` })));
    }
    default:
      return [
        { kind: "chrome", path: "google-chrome" },
        { kind: "chrome", path: "google-chrome-stable" },
        { kind: "chrome", path: "/opt/google/chrome/chrome" },
        { kind: "chromium", path: "chromium" },
        { kind: "chromium", path: "chromium-browser" },
        { kind: "chromium", path: "/snap/bin/chromium" },
        { kind: "brave", path: "brave-browser" },
        { kind: "brave", path: "/opt/brave.com/brave/brave" },
        { kind: "edge", path: "microsoft-edge" },
        { kind: "edge", path: "microsoft-edge-stable" },
        { kind: "edge", path: "/opt/microsoft/msedge/msedge" },
      ];
  }
}

/**
 * Finds the browser to launch.
 * @returns the override when `executablePath` is set (even if missing: the launch error names it), else
 *   the first candidate that exists, else null when none is installed.
 */
export function detectBrowserExecutable(executablePath: string | undefined, opts: DetectOptions = {}): BrowserExecutable | null {
  if (executablePath) return { kind: kindOf(executablePath), path: executablePath };
  const platform = opts.platform ?? process.platform;
  const exists = opts.exists ?? isExecutable;
  const which = opts.which ?? ((name: string) => Bun.which(name));
  for (const c of browserCandidates(platform, opts.env ?? process.env)) {
    const isCommand = platform !== "win32" && platform !== "darwin" && !c.path.startsWith("/");
    const found = isCommand ? which(c.path) : exists(c.path) ? c.path : null;
    if (found) return { kind: c.kind, path: found };
  }
  return null;
}

/** The hint shown when no browser is found. */
export function missingBrowserHint(platform: NodeJS.Platform = process.platform): string {
  if (platform === "linux") return "install Chromium or Chrome (e.g. `apt-get install chromium`) or set browser.executablePath";
  return "install Google Chrome, Chromium, Brave or Edge, or set browser.executablePath";
}

// --- internal ---

function kindOf(path: string): BrowserKind {
  const p = path.toLowerCase();
  if (p.includes("brave")) return "brave";
  if (p.includes("edge")) return "edge";
  if (p.includes("chromium")) return "chromium";
  if (p.includes("chrome")) return "chrome";
  return "custom";
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
