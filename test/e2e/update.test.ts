/**
 * `openclaw update` end to end: the compiled binary, installed in a temp folder, updates itself from a
 * local release folder. New "releases" are small shell scripts (see test/helpers/release.ts), so the
 * swap, the service restart and the rollback can be driven without building another binary.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { copyFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assetFor } from "../../src/release/layout.ts";
import { ensureBinary, freePort, runBinary, startBinaryGateway, tempHome } from "../helpers/binary.ts";
import { BROKEN_BINARY, fakeReleaseBinary, fakeServiceTools, releaseFolder, type ReleaseServer, startReleaseServer } from "../helpers/release.ts";

setDefaultTimeout(60_000);

const ASSET = assetFor(process.platform, process.arch) as string;
const NEW = "9.0.0";
let binary: string;
let version: string;
let tools: ReturnType<typeof fakeServiceTools>;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  binary = await ensureBinary();
  version = Bun.spawnSync([binary, "--version"]).stdout.toString().trim();
  tools = fakeServiceTools();
  cleanups.push(() => rmSync(tools.dir, { recursive: true, force: true }));
});
afterAll(() => {
  for (const c of cleanups.reverse()) c();
});

/** A temp HOME with the real binary installed as <home>/bin/openclaw (a copy, so it can be replaced). */
function installed(): { home: string; bin: string; target: string } {
  const home = tempHome();
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const bin = join(home, "bin");
  mkdirSync(bin);
  copyFileSync(binary, join(bin, "openclaw"));
  return { home, bin, target: join(bin, "openclaw") };
}

async function serve(files: Record<string, string | Blob | number>): Promise<ReleaseServer> {
  const s = startReleaseServer(files);
  cleanups.push(() => s.stop());
  return s;
}

/** A release folder `latest` (and `v<ver>`) whose binary for this host is `content`. */
async function release(ver: string, content: string | Blob, sums: Record<string, string> = {}) {
  return serve({ ...(await releaseFolder("latest", ver, { [ASSET]: content }, sums)), ...(await releaseFolder(`v${ver}`, ver, { [ASSET]: content }, sums)) });
}

/** Runs `<target> update …` without blocking this process (the release server lives here). */
async function update(target: string, home: string, base: string, args: string[], env: Record<string, string> = {}) {
  const p = Bun.spawn([target, "update", ...args], {
    env: { PATH: `${tools.dir}:/usr/bin:/bin`, HOME: home, TMPDIR: tmpdir(), OPENCLAW_INSTALL_BASE: base, OPENCLAW_GATEWAY_PORT: String(freePort()), ...env },
    cwd: home,
    stdout: "pipe",
    stderr: "pipe",
    timeout: 50_000,
  });
  const [code, stdout, stderr] = await Promise.all([p.exited, new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code, stdout, stderr };
}

function versionOf(file: string): string {
  return Bun.spawnSync([file, "--version"]).stdout.toString().trim();
}

describe("openclaw update", () => {
  test("--version shows the embedded version and commit", () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+\S* \(([0-9a-f]{4,40}|unknown)\)$/);
  });

  test("--check reports an available update, or that this build is current (text and JSON)", async () => {
    const { home, target } = installed();
    const newer = await release(NEW, fakeReleaseBinary(NEW));
    const r = await update(target, home, newer.base, ["--check"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Update available: ${version.split(" ")[0]} → ${NEW}. Run \`openclaw update\`.`);
    const j = await update(target, home, newer.base, ["--check", "--json"]);
    expect(JSON.parse(j.stdout)).toEqual({ current: version.split(" ")[0], latest: NEW, updateAvailable: true, base: newer.base });

    const same = await release(version.split(" ")[0], fakeReleaseBinary("x"));
    const s = await update(target, home, same.base, ["--check"]);
    expect(s.stdout).toContain(`openclaw ${version} is up to date`);
    const u = await update(target, home, same.base, []);
    expect(u.code).toBe(0);
    expect(u.stdout).toContain("Already on");
    expect(same.requests.some((p) => p.endsWith(ASSET))).toBe(false);
  });

  test("updates to the latest: verified, swapped, previous kept, service restart asked of the new binary", async () => {
    const { home, bin, target } = installed();
    const s = await release(NEW, fakeReleaseBinary(NEW));
    const r = await update(target, home, s.base, []);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Installed ${NEW} at ${target} (previous kept as ${target}.prev)`);
    expect(r.stdout).toContain("No gateway service is installed; nothing to restart.");
    expect(r.stdout).toContain(`Updated ${version.split(" ")[0]} → ${NEW} (fake)`);
    expect(versionOf(target)).toBe(`${NEW} (fake)`);
    expect(versionOf(`${target}.prev`)).toBe(version);
    expect(readdirSync(bin).sort()).toEqual(["openclaw", "openclaw.prev"]);
  });

  test("--to installs a given version from its v-folder; an unknown one is a clear error", async () => {
    const { home, target } = installed();
    const s = await release("0.0.9", fakeReleaseBinary("0.0.9"));
    const r = await update(target, home, s.base, ["--to", "0.0.9", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ action: "updated", to: "0.0.9", previous: `${target}.prev`, service: "not-loaded" });
    expect(s.requests).toContain(`/releases/v0.0.9/${ASSET}`);

    const { home: h2, target: t2 } = installed();
    const missing = await update(t2, h2, s.base, ["--to", "7.7.7"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`No release v7.7.7 at ${s.base.replace(/latest$/, "v7.7.7")}`);
    expect(versionOf(t2)).toBe(version);
  });

  test("a new binary that cannot start is never left in place", async () => {
    const { home, bin, target } = installed();
    const before = statSync(target);
    const s = await release(NEW, BROKEN_BINARY);
    const r = await update(target, home, s.base, []);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`The downloaded ${NEW} binary does not start (exit code 1: cannot execute: bad CPU type). Nothing was changed.`);
    expect(statSync(target).ino).toBe(before.ino);
    expect(versionOf(target)).toBe(version);
    expect(readdirSync(bin)).toEqual(["openclaw"]);
  });

  test("a binary whose --version is not the announced version is refused before the swap (text and --json)", async () => {
    const { home, bin, target } = installed();
    const before = statSync(target);
    // The folder announces 9.0.0 but holds a copy of the running build (the first-hour report: "Updated 0.1.0 → 0.1.0").
    const s = await release(NEW, Bun.file(binary));
    const r = await update(target, home, s.base, []);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`The downloaded binary reports version ${version.split(" ")[0]}, but the release announces ${NEW}. Nothing was changed.`);
    expect(r.stdout).not.toContain("Updated");
    expect(statSync(target).ino).toBe(before.ino);
    expect(readdirSync(bin)).toEqual(["openclaw"]);
    const json = await update(target, home, s.base, ["--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: "VERSION_MISMATCH", message: expect.stringContaining(`announces ${NEW}`) } });
    // A release that says what it is installs as before.
    const good = await release(NEW, fakeReleaseBinary(NEW));
    const ok = await update(target, home, good.base, []);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`Updated ${version.split(" ")[0]} → ${NEW} (fake)`);
  });

  test("checksum mismatch and 404 change nothing and leave no temp file", async () => {
    const { home, bin, target } = installed();
    const bad = await release(NEW, fakeReleaseBinary(NEW), { [ASSET]: "0".repeat(64) });
    const r = await update(target, home, bad.base, []);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Checksum mismatch for ${ASSET}: expected ${"0".repeat(64)}`);
    expect(readdirSync(bin)).toEqual(["openclaw"]);

    const files = await releaseFolder("latest", NEW, { [ASSET]: fakeReleaseBinary(NEW) });
    files[`latest/${ASSET}`] = 404;
    const gone = await serve(files);
    const g = await update(target, home, gone.base, []);
    expect(g.code).toBe(1);
    expect(g.stderr).toContain(`Download failed: ${gone.base}/${ASSET} answered HTTP 404`);
    expect(readdirSync(bin)).toEqual(["openclaw"]);
    expect(versionOf(target)).toBe(version);

    const down = await update(target, home, "http://127.0.0.1:1/releases/latest", ["--check"]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("Could not reach http://127.0.0.1:1/releases/latest/VERSION");
  });

  test("a symlinked install updates the real file and keeps the link", async () => {
    const { home, bin, target } = installed();
    const link = join(home, "openclaw-link");
    symlinkSync(target, link);
    const s = await release(NEW, fakeReleaseBinary(NEW));
    const r = await update(link, home, s.base, []);
    expect(r.code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    expect(versionOf(link)).toBe(`${NEW} (fake)`);
    expect(readdirSync(bin).sort()).toEqual(["openclaw", "openclaw.prev"]);
  });

  describe("with a gateway running", () => {
    async function running() {
      const inst = installed();
      const port = freePort();
      const env = { OPENCLAW_GATEWAY_PORT: String(port) };
      expect(runBinary(["setup"], { home: inst.home }).code).toBe(0);
      const gw = await startBinaryGateway(["gateway"], { home: inst.home, env });
      cleanups.push(() => gw.proc.kill("SIGKILL"));
      return { ...inst, port, env, gw };
    }

    test("restart → /readyz back → done", async () => {
      const { home, target, env } = await running();
      const s = await release(NEW, fakeReleaseBinary(NEW));
      const r = await update(target, home, s.base, ["--timeout", "5000"], { ...env, FAKE_RESTART: "restarted" });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("Restarted the gateway service.");
      expect(r.stdout).toContain(`Waiting up to 5s for the gateway on port ${env.OPENCLAW_GATEWAY_PORT} (/readyz)`);
      expect(versionOf(target)).toBe(`${NEW} (fake)`);
    });

    test("restart → gateway never comes back → automatic rollback", async () => {
      const { home, bin, target, env, gw } = await running();
      const original = readFileSync(target);
      const s = await release(NEW, fakeReleaseBinary(NEW));
      const r = await update(target, home, s.base, ["--timeout", "1500"], { ...env, FAKE_RESTART: "kill", FAKE_GATEWAY_PID: String(gw.proc.pid) });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`Update to ${NEW} failed: the restarted gateway did not become ready on port ${env.OPENCLAW_GATEWAY_PORT} within 1500 ms. Rolled back to ${version.split(" ")[0]}.`);
      expect(r.stdout).toContain(`Rolled back to ${version.split(" ")[0]} at ${target}`);
      expect(readFileSync(target).equals(original)).toBe(true);
      expect(versionOf(target)).toBe(version);
      expect(readdirSync(bin).sort()).toEqual(["openclaw", "openclaw.prev"]);
    });

    test("no service: the running gateway is left alone, with a hint to restart it", async () => {
      const { home, target, env, port } = await running();
      const s = await release(NEW, fakeReleaseBinary(NEW));
      const r = await update(target, home, s.base, [], env);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`A gateway is running on port ${port} with the old binary; restart it to run ${NEW}.`);
    });
  });
});
