/** File writes for service definitions: atomic, with the mode set before any secret lands on disk. */
import { chownSync, existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { writeFileAtomic } from "../util/atomic-write.ts";
import type { RenderedFile } from "./service.ts";

/**
 * Writes `file` atomically and durably with `file.mode`; creates the parent folder (0700 when the file is
 * secret, else 0755). The temp file gets the final mode before any byte lands, so a secret is never
 * readable by others, even briefly.
 * @throws fs errors (EACCES when a system folder needs root).
 */
export function writeRenderedFile(file: RenderedFile): void {
  writeFileAtomic(file.path, file.content, { mode: file.mode, dirMode: file.secret ? 0o700 : 0o755 });
}

/** The file's bytes, or undefined when it does not exist or cannot be read. */
export function readFileIfExists(path: string): Uint8Array | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** True when `file` is on disk with exactly this content and mode. */
export function isFileCurrent(file: RenderedFile): boolean {
  const have = readFileIfExists(file.path);
  if (!have) return false;
  const want = typeof file.content === "string" ? Buffer.from(file.content) : Buffer.from(file.content);
  if (!Buffer.from(have).equals(want)) return false;
  return process.platform === "win32" || (statSync(file.path).mode & 0o777) === file.mode;
}

/** Deletes files; missing ones are fine. */
export function removeFiles(paths: string[]): void {
  for (const p of paths) rmSync(p, { force: true });
}

/**
 * Gives `path` the owner of `ref` (no-op when either is missing or ownership already matches). Used when
 * root installs a system unit: files in the user's state dir must stay the user's, or the gateway running
 * as that user cannot write its logs and the user cannot read their own token file.
 */
export function chownLike(path: string, ref: string): void {
  if (process.platform === "win32" || !existsSync(path) || !existsSync(ref)) return;
  const want = statSync(ref);
  const have = statSync(path);
  if (have.uid !== want.uid || have.gid !== want.gid) chownSync(path, want.uid, want.gid);
}

/** The file's permission bits, or undefined when it does not exist. */
export function fileMode(path: string): number | undefined {
  return existsSync(path) ? statSync(path).mode & 0o777 : undefined;
}

/** The text of `file.content` with secret values replaced: what dry-run and `--json` may show. */
export function redactContent(file: RenderedFile, secrets: string[]): string {
  let text = typeof file.content === "string" ? file.content : decodeUtf16(file.content);
  for (const s of secrets) if (s) text = text.split(s).join("<redacted>");
  return text;
}

function decodeUtf16(bytes: Uint8Array): string {
  return new TextDecoder(bytes[0] === 0xff && bytes[1] === 0xfe ? "utf-16le" : "utf-8").decode(bytes);
}
