/**
 * Whether the local time zone is UTC, found without asking the JavaScript engine: JavaScriptCore loads the
 * time zone through ICU on the first local-date call (~4 ms of a gateway's start, where the only local date
 * it needs is the log file's name). Yes when `TZ` names UTC, or when `TZ` is unset and `/etc/localtime` is
 * a TZif file with no transitions and one zone type at offset 0 (the `Etc/UTC` file). Anything else, an
 * unreadable file included, answers no, and callers use the engine's local time as before.
 */
import { readFileSync } from "node:fs";

const UTC_NAMES = /^:?(?:(?:Etc\/)?(?:UTC|UCT|GMT|Universal|Zulu)|UTC0|GMT0)$/;

/** `/etc/localtime` read once: a zone file changed under a running process is not followed (nor by the engine). */
let systemZoneIsUtc: boolean | undefined;

/** @param env the environment whose `TZ` counts (default the process's). */
export function isLocalTimeUtc(env: Record<string, string | undefined> = process.env): boolean {
  const tz = env.TZ;
  if (tz !== undefined) return UTC_NAMES.test(tz);
  if (process.platform === "win32") return false;
  systemZoneIsUtc ??= isUtcZoneFile(readZoneFile("/etc/localtime"));
  return systemZoneIsUtc;
}

/**
 * Whether TZif bytes describe plain UTC: magic "TZif", no transitions, one local time type, offset 0 (RFC
 * 8536 §3: the version-1 header's counts at bytes 20–43, then the data block; with no transitions the first
 * ttinfo, a big-endian int32 offset, starts at byte 44).
 */
export function isUtcZoneFile(bytes: Uint8Array | undefined): boolean {
  if (!bytes || bytes.length < 50) return false;
  if (String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3]) !== "TZif") return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const timecnt = view.getUint32(32);
  const typecnt = view.getUint32(36);
  return timecnt === 0 && typecnt === 1 && view.getInt32(44) === 0;
}

function readZoneFile(path: string): Uint8Array | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}
