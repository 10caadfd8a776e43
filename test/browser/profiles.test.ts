import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveBrowserConfig } from "../../src/browser/config.ts";
import { ProfilePorts, resolveUserDataDir } from "../../src/browser/profiles.ts";

const HOST = { platform: "linux" as const, uid: 1000, hasDisplay: false };
let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), "openclaw-ports-"));
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

const allFree = () => true;

describe("ProfilePorts", () => {
  test("allocates from the range start, distinct per profile, and persists", () => {
    const r = resolveBrowserConfig({ browser: { profiles: { work: {} } } }, 18791, HOST);
    const ports = new ProfilePorts({ stateDir, isPortFree: allFree });
    expect(ports.portFor(r.profiles.openclaw, r)).toBe(18800);
    expect(ports.portFor(r.profiles.work, r)).toBe(18801);
    expect(ports.portFor(r.profiles.openclaw, r)).toBe(18800);
    const file = JSON.parse(readFileSync(join(stateDir, "browser", "profiles.json"), "utf8"));
    expect(file.profiles.openclaw.cdpPort).toBe(18800);
    expect(file.profiles.work.cdpPort).toBe(18801);
  });

  test("a new instance (service restart) keeps the ports, even in another order", () => {
    const r = resolveBrowserConfig({ browser: { profiles: { work: {} } } }, 18791, HOST);
    const a = new ProfilePorts({ stateDir, isPortFree: allFree });
    const work = a.portFor(r.profiles.work, r);
    const main = a.portFor(r.profiles.openclaw, r);
    const b = new ProfilePorts({ stateDir, isPortFree: allFree });
    expect(b.portFor(r.profiles.openclaw, r)).toBe(main);
    expect(b.portFor(r.profiles.work, r)).toBe(work);
  });

  test("skips busy ports and ports fixed in config; config cdpPort wins", () => {
    const r = resolveBrowserConfig({ browser: { profiles: { fixed: { cdpPort: 18800 }, work: {} } } }, 18791, HOST);
    const ports = new ProfilePorts({ stateDir, isPortFree: (p) => p !== 18801 });
    expect(ports.portFor(r.profiles.fixed, r)).toBe(18800);
    expect(ports.portFor(r.profiles.openclaw, r)).toBe(18802);
    expect(ports.portFor(r.profiles.work, r)).toBe(18803);
  });

  test("a persisted port outside the current range (gateway port moved) is re-allocated", () => {
    const r1 = resolveBrowserConfig({}, 18791, HOST);
    const r2 = resolveBrowserConfig({}, 19003, HOST);
    const ports = new ProfilePorts({ stateDir, isPortFree: allFree });
    expect(ports.portFor(r1.profiles.openclaw, r1)).toBe(18800);
    expect(ports.portFor(r2.profiles.openclaw, r2)).toBe(19012);
  });

  test("a full range is a 503; a corrupt file is ignored with a warning", () => {
    const r = resolveBrowserConfig({}, 18791, HOST);
    expect(() => new ProfilePorts({ stateDir, isPortFree: () => false }).portFor(r.profiles.openclaw, r)).toThrow(/no free CDP port left in 18800-18899/);
    mkdirSync(join(stateDir, "browser"), { recursive: true });
    writeFileSync(join(stateDir, "browser", "profiles.json"), "{not json");
    const warnings: string[] = [];
    const ports = new ProfilePorts({ stateDir, isPortFree: allFree, onWarn: (m) => warnings.push(m) });
    expect(ports.portFor(r.profiles.openclaw, r)).toBe(18800);
    expect(warnings[0]).toContain("ignoring unreadable");
  });

  test("user-data dirs live under the state dir, one per profile", () => {
    expect(resolveUserDataDir("/s", "work")).toBe("/s/browser/work/user-data");
  });
});
