import { afterEach, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { isLocalTimeUtc, isUtcZoneFile } from "../../src/util/local-time.ts";
import { resolveLogFile } from "../../src/config/paths.ts";

const savedTz = process.env.TZ;
afterEach(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

/** A version-2 TZif file with `timecnt` transitions and one type at `offset` seconds (RFC 8536 layout). */
function tzif(offset: number, timecnt = 0): Uint8Array {
  const header = new Uint8Array(44);
  header.set([..."TZif"].map((c) => c.charCodeAt(0)), 0);
  header[4] = "2".charCodeAt(0);
  const view = new DataView(header.buffer);
  view.setUint32(32, timecnt);
  view.setUint32(36, 1);
  view.setUint32(40, 4);
  const body = new Uint8Array(timecnt * 5 + 6 + 4);
  new DataView(body.buffer).setInt32(timecnt * 5, offset);
  return new Uint8Array([...header, ...body]);
}

test("a TZif file is UTC only with no transitions and a single type at offset 0", () => {
  expect(isUtcZoneFile(tzif(0))).toBe(true);
  expect(isUtcZoneFile(tzif(3600))).toBe(false);
  expect(isUtcZoneFile(tzif(0, 3))).toBe(false);
  expect(isUtcZoneFile(new TextEncoder().encode("not a zone file at all, just some text of some length"))).toBe(false);
  expect(isUtcZoneFile(undefined)).toBe(false);
  // The system's own files, where this host has them.
  if (existsSync("/usr/share/zoneinfo/Etc/UTC")) expect(isUtcZoneFile(readFileSync("/usr/share/zoneinfo/Etc/UTC"))).toBe(true);
  if (existsSync("/usr/share/zoneinfo/Europe/Berlin")) expect(isUtcZoneFile(readFileSync("/usr/share/zoneinfo/Europe/Berlin"))).toBe(false);
});

test("TZ decides when set: UTC spellings are UTC, real zones and the empty string are not", () => {
  for (const tz of ["UTC", "Etc/UTC", ":UTC", "GMT", "UTC0", "Zulu"]) expect(isLocalTimeUtc({ TZ: tz })).toBe(true);
  for (const tz of ["Europe/Berlin", "America/New_York", "CET-1CEST", ""]) expect(isLocalTimeUtc({ TZ: tz })).toBe(false);
});

test("the log file is named after the local date, whichever way it is computed", () => {
  // 23:30 UTC is already the next day in Berlin and still the same day in New York.
  const at = new Date("2026-12-07T23:30:00Z");
  process.env.TZ = "UTC";
  expect(resolveLogFile("/logs", at, "dev-1")).toBe("/logs/openclaw-dev-1-2026-12-07.log");
  process.env.TZ = "Europe/Berlin";
  expect(resolveLogFile("/logs", at, "dev-1")).toBe("/logs/openclaw-dev-1-2026-12-08.log");
  process.env.TZ = "America/New_York";
  expect(resolveLogFile("/logs", at)).toBe("/logs/openclaw-2026-12-07.log");
});
