/** HTTP fetches from the release location, and SHA-256 of files on disk. */
import { rmSync } from "node:fs";
import { CliError } from "../errors.ts";

/** Default limit for small files (VERSION, SHA256SUMS). */
const TEXT_TIMEOUT_MS = 30_000;
/** Default limit for one binary (~100 MB). */
const BINARY_TIMEOUT_MS = 600_000;

/**
 * GETs a small text file.
 * @returns the body, or undefined when the server answers 404.
 * @throws CliError when the server cannot be reached or answers another non-2xx status.
 */
export async function fetchText(url: string, timeoutMs = TEXT_TIMEOUT_MS): Promise<string | undefined> {
  const res = await get(url, timeoutMs);
  if (res.status === 404) {
    await res.body?.cancel();
    return undefined;
  }
  if (!res.ok) throw httpError(url, res);
  return await res.text();
}

/**
 * Streams `url` into `path` (created or replaced). On any failure the partial file is removed.
 * @throws CliError for an unreachable server, a non-2xx status (404 included) or a broken transfer.
 */
export async function downloadFile(url: string, path: string, timeoutMs = BINARY_TIMEOUT_MS): Promise<void> {
  const res = await get(url, timeoutMs);
  if (!res.ok) throw httpError(url, res);
  try {
    await Bun.write(path, res);
  } catch (err) {
    rmSync(path, { force: true });
    throw new CliError(`Download of ${url} broke off: ${(err as Error).message}`, { cause: err });
  }
}

/** Lower-case hex SHA-256 of a file, read as a stream. @throws the read error for a missing file. */
export async function sha256File(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  const reader = Bun.file(path).stream().getReader();
  for (let c = await reader.read(); !c.done; c = await reader.read()) hasher.update(c.value);
  return hasher.digest("hex");
}

// --- internal ---

async function get(url: string, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new CliError(`Could not reach ${url}: ${(err as Error).message}`, {
      cause: err,
      hint: "Check the network, or point OPENCLAW_INSTALL_BASE (or --base) at a reachable release folder.",
    });
  }
}

function httpError(url: string, res: Response): CliError {
  void res.body?.cancel();
  return new CliError(`Download failed: ${url} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`);
}
