/**
 * Self-update: fetch a release's binary (compressed, `.tar.zst` or `.tar.gz`, when the release lists one; the
 * uncompressed file otherwise), verify the archive and the unpacked binary against SHA256SUMS, swap it in atomically, restart the
 * gateway service through the new binary, and roll back when the new binary or the restarted gateway fails
 * its readiness probe.
 */
import { accessSync, chmodSync, constants, rmSync } from "node:fs";
import { dirname } from "node:path";
import { CliError } from "../errors.ts";
import { type ArchiveFormat, archiveName, extractTarFile, memberName, UPDATE_FORMATS } from "./archive.ts";
import { downloadFile, fetchText, sha256File } from "./download.ts";
import { compareVersions, isVersion, parseSha256Sums, versionDir } from "./layout.ts";
import { type GatewayState, probeGateway, probeVersion, waitForGateway } from "./probe.ts";
import { previousPath, rollBack, stagingPath, swapInto } from "./swap.ts";

/** Result of `openclaw update --check`. */
export interface UpdateCheck {
  current: string;
  latest: string;
  updateAvailable: boolean;
  base: string;
}

/** What `openclaw update` needs to know; everything is explicit so tests can point it anywhere. */
export interface UpdateOptions {
  /** Install base (the `latest` folder). */
  base: string;
  /** Version to install; undefined = the base's VERSION. */
  to?: string;
  /** Install even when the version is the running one. */
  force?: boolean;
  /** Real path of the binary to replace. */
  target: string;
  /** Release file name for this platform. */
  asset: string;
  /** Running version. */
  current: string;
  /** Gateway port to probe before and after the restart. */
  port: number;
  /** How long the restarted gateway gets to come back. */
  readyTimeoutMs: number;
  log: (line: string) => void;
  /** Archive kinds to try, best first (default {@link UPDATE_FORMATS}); empty = the uncompressed binary. */
  formats?: readonly ArchiveFormat[];
}

/** How the service restart went: done, no service installed, the binary has no `gateway restart`, or an error. */
export interface RestartOutcome {
  kind: "restarted" | "not-loaded" | "unsupported" | "failed";
  message: string;
}

/** Result of a finished `openclaw update`. Failures throw instead (after rolling back). */
export type UpdateResult =
  | { action: "up-to-date"; version: string }
  | { action: "updated"; from: string; to: string; versionLine: string; path: string; previous?: string; service: RestartOutcome["kind"]; gateway: GatewayState };

/**
 * Reads the base's VERSION and compares it with `current`.
 * @throws CliError when the base cannot be reached or has no VERSION file.
 */
export async function checkForUpdate(base: string, current: string): Promise<UpdateCheck> {
  const latest = await fetchLatestVersion(base);
  return { current, latest, updateAvailable: compareVersions(latest, current) > 0, base };
}

/**
 * Runs the whole update (see the module comment). Not safe to run twice at once on the same target.
 * @throws CliError for a download or checksum failure (nothing changed), or a failed readiness probe
 *   (rolled back; the message says so).
 */
export async function runUpdate(opts: UpdateOptions): Promise<UpdateResult> {
  const { target, log } = opts;
  if (opts.to !== undefined && !isVersion(opts.to)) throw new CliError(`Invalid version "${opts.to}"`, { hint: "Example: openclaw update --to 0.2.0" });
  const dir = opts.to ? versionDir(opts.base, opts.to) : opts.base;
  const version = opts.to ? opts.to.replace(/^v/, "") : await fetchLatestVersion(opts.base);
  if (version === opts.current && !opts.force) return { action: "up-to-date", version };

  const sumsText = await fetchText(`${dir}/SHA256SUMS`);
  if (sumsText === undefined) {
    throw new CliError(`No release ${opts.to ? `v${version} ` : ""}at ${dir} (SHA256SUMS answered HTTP 404)`, { hint: opts.to ? "Check the version number." : undefined });
  }
  const sums = parseSha256Sums(sumsText);
  const expected = sums.get(opts.asset);
  const archive = pickArchive(sums, opts.asset, opts.formats ?? UPDATE_FORMATS);
  if (!expected && !archive) throw new CliError(`Release ${version} has no ${opts.asset} (not listed in ${dir}/SHA256SUMS)`);

  try {
    accessSync(dirname(target), constants.W_OK);
  } catch (err) {
    throw notWritable(target, err);
  }
  const staged = stagingPath(target);
  const packed = archive ? `${staged}.${archive.format}` : undefined;
  try {
    if (archive && packed) {
      log(`Downloading ${archive.name} ${version} from ${dir}`);
      await downloadFile(`${dir}/${archive.name}`, packed);
      await verifySha256(packed, archive.name, archive.sha256);
      try {
        await extractTarFile(packed, archive.format, memberName(opts.asset), staged);
      } catch (err) {
        throw new CliError(`Could not unpack ${archive.name}: ${(err as Error).message}. Nothing was changed.`, { cause: err });
      }
      rmSync(packed, { force: true });
      if (expected) await verifySha256(staged, `${opts.asset} unpacked from ${archive.name}`, expected);
    } else {
      log(`Downloading ${opts.asset} ${version} from ${dir}`);
      await downloadFile(`${dir}/${opts.asset}`, staged);
      await verifySha256(staged, opts.asset, expected as string);
    }
    if (process.platform !== "win32") chmodSync(staged, 0o755);
    const stagedProbe = await probeVersion(staged);
    if (!stagedProbe.ok) throw new CliError(`The downloaded ${version} binary does not start (${stagedProbe.text}). Nothing was changed.`);
    // A release folder whose binary is not the version it announces (a stale upload, a mislabelled file)
    // would otherwise be installed and reported as an update that changed nothing.
    const reported = reportedVersion(stagedProbe.text);
    if (reported !== version) {
      throw new CliError(`The downloaded binary reports version ${reported ?? `"${stagedProbe.text.slice(0, 60)}"`}, but the release announces ${version}. Nothing was changed.`, {
        hint: `The release folder ${dir} is inconsistent; report it, or install a given version with --to.`,
        code: "VERSION_MISMATCH",
      });
    }

    const before = await probeGateway(opts.port);
    let previous: string | undefined;
    try {
      previous = swapInto(staged, target);
    } catch (err) {
      throw notWritable(target, err);
    }
    log(`Installed ${version} at ${target}${previous ? ` (previous kept as ${previous})` : ""}`);

    let service: RestartOutcome | undefined;
    const fail = async (reason: string): Promise<never> => {
      if (!previous) throw new CliError(`${reason}; there is no previous binary to roll back to.`);
      rollBack(target);
      log(`Rolled back to ${opts.current} at ${target}`);
      let restartNote = "";
      // The service may have been stopped by a restart that then failed: bring it back on the old binary.
      if (service?.kind === "restarted" || service?.kind === "failed") {
        const again = await restartService(target);
        restartNote = again.kind === "restarted" ? " The gateway service was restarted on the old version." : ` Service restart on the old version: ${again.message}`;
      }
      throw new CliError(`Update to ${version} failed: ${reason}. Rolled back to ${opts.current}.${restartNote}`);
    };

    const installed = await probeVersion(target);
    if (!installed.ok) return await fail(`the new binary does not start (${installed.text})`);
    if (reportedVersion(installed.text) !== version) return await fail(`the installed binary reports "${installed.text.slice(0, 60)}", not ${version}`);

    service = await restartService(target);
    log(service.message);
    if (service.kind === "failed") return await fail(`restarting the gateway service failed (${service.message})`);
    let after: GatewayState = before;
    if (service.kind === "restarted" && before !== "down") {
      log(`Waiting up to ${Math.round(opts.readyTimeoutMs / 1000)}s for the gateway on port ${opts.port} (/${before === "ready" ? "readyz" : "healthz"})`);
      if (!(await waitForGateway(opts.port, before, opts.readyTimeoutMs))) {
        return await fail(`the restarted gateway did not become ${before} on port ${opts.port} within ${opts.readyTimeoutMs} ms`);
      }
      after = await probeGateway(opts.port);
    } else if (service.kind !== "restarted" && before !== "down") {
      log(`A gateway is running on port ${opts.port} with the old binary; restart it to run ${version}.`);
    }
    return { action: "updated", from: opts.current, to: version, versionLine: installed.text, path: target, previous, service: service.kind, gateway: after };
  } finally {
    rmSync(staged, { force: true });
    if (packed) rmSync(packed, { force: true });
  }
}

/**
 * Restarts the installed gateway service by running `<binary> gateway restart --json` (the new binary
 * knows its own service layout). A binary without that command yet answers "Unknown command" → unsupported.
 * @returns the outcome; never throws.
 */
export async function restartService(binary: string, timeoutMs = 60_000): Promise<RestartOutcome> {
  let proc: ReturnType<typeof Bun.spawn>;
  try {
    proc = Bun.spawn([binary, "gateway", "restart", "--json"], { stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: timeoutMs });
  } catch (err) {
    return { kind: "failed", message: (err as Error).message };
  }
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout as ReadableStream).text(), new Response(proc.stderr as ReadableStream).text()]);
  if (code !== 0 && /Unknown (command|option)/.test(err)) {
    return { kind: "unsupported", message: "This build has no `openclaw gateway restart`; skipped the service restart." };
  }
  // `gateway restart --json` prints {action, ok, result: "restarted" | "not-loaded"} or {ok: false, error}.
  let answer: { ok?: boolean; result?: string; error?: string } = {};
  try {
    answer = JSON.parse(out);
  } catch {
    // not JSON: judge by the exit code
  }
  if (answer.result === "not-loaded") return { kind: "not-loaded", message: "No gateway service is installed; nothing to restart." };
  if (code === 0 && answer.ok !== false && (answer.result === undefined || answer.result === "restarted")) return { kind: "restarted", message: "Restarted the gateway service." };
  const detail = answer.error ?? ((err.trim() || out.trim()).split("\n")[0] ?? "");
  return { kind: "failed", message: `gateway restart exited ${code}${detail ? `: ${detail.slice(0, 200)}` : ""}` };
}

/**
 * The version a `--version` line names: its first token that is a version (`0.2.0 (abc123)` → `0.2.0`,
 * `openclaw v0.2.0` → `0.2.0`). @returns undefined when there is none.
 */
export function reportedVersion(line: string): string | undefined {
  for (const token of line.trim().split(/\s+/)) {
    const v = token.replace(/^v/, "");
    if (isVersion(v)) return v;
  }
  return undefined;
}

// --- internal ---

async function fetchLatestVersion(base: string): Promise<string> {
  const text = await fetchText(`${base}/VERSION`);
  if (text === undefined) throw new CliError(`No VERSION file at ${base}/VERSION (HTTP 404)`, { hint: "Is OPENCLAW_INSTALL_BASE (or --base) a release folder?" });
  const version = text.trim().replace(/^v/, "");
  if (!isVersion(version)) throw new CliError(`${base}/VERSION does not hold a version (got "${text.trim().slice(0, 40)}")`);
  return version;
}

/** The best archive of `asset` that SHA256SUMS lists, among `formats` (tar ones only). */
function pickArchive(sums: Map<string, string>, asset: string, formats: readonly ArchiveFormat[]): { format: "tar.gz" | "tar.zst"; name: string; sha256: string } | undefined {
  for (const format of formats) {
    if (format !== "tar.gz" && format !== "tar.zst") continue;
    const name = archiveName(asset, format);
    const sha256 = sums.get(name);
    if (sha256) return { format, name, sha256 };
  }
  return undefined;
}

async function verifySha256(path: string, what: string, expected: string): Promise<void> {
  const actual = await sha256File(path);
  if (actual !== expected) {
    throw new CliError(`Checksum mismatch for ${what}: expected ${expected}, got ${actual}. Nothing was changed.`, { hint: "The download was corrupted or the release folder is inconsistent; try again later." });
  }
}

function notWritable(target: string, err: unknown): CliError {
  return new CliError(`Cannot replace ${target}: ${(err as Error).message}`, {
    cause: err,
    hint: `Run the update as the user that owns ${target}, or reinstall with install.sh --prefix to a folder you own. Previous binary: ${previousPath(target)}`,
  });
}
