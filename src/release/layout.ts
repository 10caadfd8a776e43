/**
 * Where releases live and what a release folder holds. build.ts, install.sh, install.ps1 and
 * `openclaw update` all follow this one layout:
 *
 * ```
 * <releases>/latest/          ← the install base (OPENCLAW_INSTALL_BASE); may be a copy of or redirect to a v-folder
 *   VERSION                   one line, e.g. `0.2.0`
 *   SHA256SUMS                `sha256sum` format: `<64 hex>  <file name>`, one line per file
 *   openclaw-linux-x64  openclaw-linux-arm64  openclaw-darwin-arm64  openclaw-darwin-x64  openclaw-windows-x64.exe
 *   (openclaw-linux-x64-musl  openclaw-linux-arm64-musl: optional, only when built with --musl)
 *     (uncompressed: what installers and `openclaw update` of releases before the archives fetch)
 *   <each of them without .exe>.tar.gz, .tar.zst, .tar.xz (when the build host has xz): a tar holding the one
 *     binary as `openclaw` (`openclaw.exe`); what install.sh and `openclaw update` fetch (src/release/archive.ts)
 *   openclaw-windows-x64.zip    openclaw.exe, for install.ps1 (Expand-Archive)
 *   <binary>.map  <binary>.maps/   source maps (not in SHA256SUMS; the binaries carry none)
 *   install.sh  install.ps1
 * <releases>/v0.2.0/          the same files for one version, never changed once published
 * ```
 *
 * A version's folder is the install base's sibling `v<version>`: base `…/releases/latest` → `…/releases/v0.2.0`.
 */

/** Default install base; override with `OPENCLAW_INSTALL_BASE` (or `openclaw update --base`). */
export const DEFAULT_RELEASE_BASE = "https://openclaw-bun.dev/releases/latest";

/** One published binary: its release file name and the Bun compile target that builds it. */
export interface ReleaseTarget {
  asset: string;
  bunTarget: string;
  os: "linux" | "darwin" | "windows";
  arch: "x64" | "arm64";
  libc?: "musl";
}

/** The five binaries `bun run build.ts --all` builds, in build order. */
export const RELEASE_TARGETS: readonly ReleaseTarget[] = [
  { asset: "openclaw-linux-x64", bunTarget: "bun-linux-x64", os: "linux", arch: "x64" },
  { asset: "openclaw-linux-arm64", bunTarget: "bun-linux-arm64", os: "linux", arch: "arm64" },
  { asset: "openclaw-darwin-arm64", bunTarget: "bun-darwin-arm64", os: "darwin", arch: "arm64" },
  { asset: "openclaw-darwin-x64", bunTarget: "bun-darwin-x64", os: "darwin", arch: "x64" },
  { asset: "openclaw-windows-x64.exe", bunTarget: "bun-windows-x64", os: "windows", arch: "x64" },
];

/** Optional musl (Alpine) builds, added by `build.ts --all --musl`; install.sh uses them when published. */
export const MUSL_TARGETS: readonly ReleaseTarget[] = [
  { asset: "openclaw-linux-x64-musl", bunTarget: "bun-linux-x64-musl", os: "linux", arch: "x64", libc: "musl" },
  { asset: "openclaw-linux-arm64-musl", bunTarget: "bun-linux-arm64-musl", os: "linux", arch: "arm64", libc: "musl" },
];

/**
 * The release file name for a platform as Node names it (`process.platform`, `process.arch`).
 * @returns undefined for a platform we publish nothing for.
 */
export function assetFor(platform: string, arch: string, libc?: "musl"): string | undefined {
  const os = platform === "win32" ? "windows" : platform;
  return [...RELEASE_TARGETS, ...MUSL_TARGETS].find((t) => t.os === os && t.arch === arch && t.libc === libc)?.asset;
}

/** The release file name a Bun `--target` string builds, or undefined when it is not one we publish. */
export function assetForBunTarget(bunTarget: string): string | undefined {
  return [...RELEASE_TARGETS, ...MUSL_TARGETS].find((t) => t.bunTarget === bunTarget)?.asset;
}

/**
 * The install base: `flag` > `OPENCLAW_INSTALL_BASE` > {@link DEFAULT_RELEASE_BASE}, without a trailing slash.
 * @throws Error when the result is not an http(s) URL.
 */
export function resolveReleaseBase(flag?: string, env: Record<string, string | undefined> = process.env): string {
  const base = (flag || env.OPENCLAW_INSTALL_BASE || DEFAULT_RELEASE_BASE).replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]/.test(base)) throw new Error(`Invalid release base "${base}" (expected an http(s) URL)`);
  return base;
}

/**
 * The folder of one version: the base's sibling `v<version>` (a leading `v` in `version` is accepted).
 * @example versionDir("https://x.dev/releases/latest", "0.2.0") // "https://x.dev/releases/v0.2.0"
 */
export function versionDir(base: string, version: string): string {
  const clean = version.replace(/^v/, "");
  return `${base.replace(/\/+$/, "").replace(/\/[^/]*$/, "")}/v${clean}`;
}

/** True when `text` looks like a version we publish (`1.2.3`, `1.2.3-beta.1`). */
export function isVersion(text: string): boolean {
  return /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/.test(text);
}

/**
 * Parses a `SHA256SUMS` file (GNU `sha256sum` output, text or `*binary` mode).
 * @returns file name → lower-case hex digest; lines that are not `<64 hex> <name>` are skipped.
 */
export function parseSha256Sums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line.trim());
    if (m) sums.set(m[2], m[1].toLowerCase());
  }
  return sums;
}

/** Renders `SHA256SUMS` text from name → digest, sorted by name, as `sha256sum -c` reads it. */
export function formatSha256Sums(sums: Map<string, string>): string {
  return [...sums].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, hex]) => `${hex}  ${name}\n`).join("");
}

/**
 * Compares two versions (`1.2.3`, `1.2.3-rc.1`; a leading `v` is ignored): numeric parts first, then a
 * release sorts after its pre-releases.
 * @returns negative, 0 or positive, like a sort comparator.
 */
export function compareVersions(a: string, b: string): number {
  const [coreA, preA] = splitVersion(a);
  const [coreB, preB] = splitVersion(b);
  for (let i = 0; i < 3; i++) {
    const d = (coreA[i] ?? 0) - (coreB[i] ?? 0);
    if (d !== 0) return d;
  }
  if (preA === preB) return 0;
  if (preA === "") return 1;
  if (preB === "") return -1;
  return preA.localeCompare(preB, "en", { numeric: true });
}

// --- internal ---

function splitVersion(v: string): [number[], string] {
  const [core, ...pre] = v.trim().replace(/^v/, "").split("-");
  return [core.split(".").map((n) => Number.parseInt(n, 10) || 0), pre.join("-")];
}
