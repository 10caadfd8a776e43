/**
 * `openclaw doctor [--fix] [--json]` through the compiled binary in a temp HOME and TMPDIR (lock dir),
 * with the fake systemctl/loginctl on PATH.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { lockPathFor } from "../../src/util/lock-file.ts";
import { ensureBinary, freePort, runBinary, tempHome } from "../helpers/binary.ts";
import { FAKE_BIN } from "../helpers/services.ts";

const TOKEN = "doctor-token-0123456789abcdef0123456789abcdef";
// A port nothing else on this machine uses, so the port check is quiet unless a test makes it busy.
const PORT = freePort();
const homes: string[] = [];
beforeAll(async () => {
  await ensureBinary();
});
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

interface Check {
  id: string;
  level: string;
  message: string;
  fix?: string;
  fixed?: boolean;
}

function sandbox(config: Record<string, unknown> = { gateway: { mode: "local", port: PORT, auth: { token: TOKEN } } }, extraEnv: Record<string, string> = {}) {
  const home = tempHome();
  homes.push(home);
  const tmp = join(home, "tmp");
  const state = join(home, ".fake-state");
  const stateDir = join(home, ".openclaw");
  for (const d of [tmp, state]) mkdirSync(d, { recursive: true });
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const configPath = join(stateDir, "openclaw.json");
  writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
  const env = { PATH: `${FAKE_BIN}:/usr/bin:/bin`, USER: "alice", TMPDIR: tmp, FAKE_STATE: state, ...extraEnv };
  const run = (...args: string[]) => runBinary(args, { home, env });
  const doctor = (...args: string[]) => {
    const r = run("doctor", "--json", ...args);
    const out = JSON.parse(r.stdout) as { ok: boolean; fixed: number; checks: Check[] };
    return { code: r.code, ...out, find: (id: string) => out.checks.filter((c) => c.id === id) };
  };
  const uid = typeof process.getuid === "function" ? process.getuid() : 0;
  return { home, tmp, stateDir, configPath, run, doctor, lockDir: join(tmp, `openclaw-${uid}`), state };
}

describe("openclaw doctor", () => {
  test("a clean setup: ok, exit 0, nothing to fix", () => {
    const s = sandbox();
    const d = s.doctor();
    expect(d.code).toBe(0);
    expect(d.ok).toBe(true);
    expect(d.find("config")[0]).toMatchObject({ level: "ok" });
    expect(d.find("service")[0]).toMatchObject({ level: "info" });
    expect(d.checks.filter((c) => c.level === "warn" || c.level === "error")).toEqual([]);
  });

  test("only this state dir's lock is judged: a stale one is reported and removed by --fix; other dirs' locks are left alone", () => {
    const s = sandbox();
    mkdirSync(s.lockDir, { recursive: true });
    const mine = lockPathFor(s.lockDir, s.stateDir);
    writeFileSync(mine, JSON.stringify({ pid: 2 ** 22 + 17, startTime: null, port: 1, stateDir: s.stateDir, createdAtMs: 0 }));
    // Another profile's (or another test run's) stale lock and an unreadable one: not this profile's business.
    const other = lockPathFor(s.lockDir, join(s.home, "gone"));
    writeFileSync(other, JSON.stringify({ pid: 2 ** 22 + 18, startTime: null, port: 1, stateDir: join(s.home, "gone"), createdAtMs: 0 }));
    const garbage = join(s.lockDir, "gateway-00000000000000aa.lock");
    writeFileSync(garbage, "{not json");
    const before = s.doctor();
    expect(before.code).toBe(0); // warnings only
    const stale = before.find("stale-lock");
    expect(stale.map((c) => c.level)).toEqual(["warn"]);
    expect(stale[0].message).toContain(s.stateDir);
    expect(stale[0].message).toContain("is gone");
    expect(JSON.stringify(before)).not.toContain(join(s.home, "gone"));
    const fixed = s.doctor("--fix");
    expect(fixed.find("stale-lock").every((c) => c.fixed)).toBe(true);
    expect(existsSync(mine)).toBe(false);
    expect(existsSync(other)).toBe(true);
    expect(existsSync(garbage)).toBe(true);
    expect(s.doctor().find("stale-lock")[0].level).toBe("ok");

    // A live lock of this state dir is the running gateway, not a problem.
    writeFileSync(mine, JSON.stringify({ pid: process.pid, startTime: null, port: 1, stateDir: s.stateDir, createdAtMs: 0 }));
    expect(s.doctor("--fix").find("stale-lock")[0]).toMatchObject({ level: "ok" });
    expect(existsSync(mine)).toBe(true);
  });

  test("an invalid config is an error (exit 1) that --fix leaves alone", () => {
    const s = sandbox({ gateway: { port: "nope" } });
    const d = s.doctor("--fix");
    expect(d.code).toBe(1);
    expect(d.ok).toBe(false);
    expect(d.find("config")[0]).toMatchObject({ level: "error" });
    expect(d.find("config")[0].message).toContain("gateway.port");
  });

  test("modes: a group-readable config and state dir are tightened by --fix", () => {
    const s = sandbox();
    chmodSync(s.configPath, 0o644);
    chmodSync(s.stateDir, 0o755);
    const d = s.doctor();
    expect(d.find("config-mode")[0]).toMatchObject({ level: "warn", fix: "chmod 0600" });
    expect(d.find("state-dir")[0]).toMatchObject({ level: "warn", fix: "chmod 0700" });
    s.doctor("--fix");
    expect(statSync(s.configPath).mode & 0o777).toBe(0o600);
    expect(statSync(s.stateDir).mode & 0o777).toBe(0o700);
  });

  test("state DB: integrity ok, or an error for a damaged file", () => {
    const s = sandbox();
    const db = new Database(join(s.stateDir, "state.db"));
    db.run("CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)");
    db.run("INSERT INTO kv VALUES ('a', 'b')");
    db.close();
    expect(s.doctor().find("state-db")[0]).toMatchObject({ level: "ok" });
    writeFileSync(join(s.stateDir, "state.db"), Buffer.alloc(8192, 0x41));
    const d = s.doctor();
    expect(d.code).toBe(1);
    expect(d.find("state-db")[0].level).toBe("error");
  });

  test("service drift (port changed in config), token drift, linger and env-file mode: reported, then fixed", () => {
    const s = sandbox();
    expect(s.run("gateway", "install").code).toBe(0);
    expect(s.doctor().checks.filter((c) => c.level === "warn" || c.level === "error")).toEqual([]);
    // The user moves the gateway and rotates the token in the config; lingering gets turned off again.
    writeFileSync(s.configPath, JSON.stringify({ gateway: { mode: "local", port: 19123, auth: { token: `${TOKEN}-new` } } }), { mode: 0o600 });
    rmSync(join(s.state, "linger/alice"));
    chmodSync(join(s.stateDir, "gateway.env"), 0o644);
    const before = s.doctor();
    expect(before.code).toBe(1);
    const ids = before.checks.filter((c) => c.level !== "ok" && c.level !== "info").map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(["gateway-port-drift", "gateway-token-drift", "gateway-secret-file-mode", "linger"]));
    expect(JSON.stringify(before)).not.toContain(TOKEN);
    expect(before.find("gateway-port-drift")[0]).toMatchObject({ level: "error", message: `Service port: ${PORT} → 19123` });

    const human = s.run("doctor");
    expect(human.stdout).toContain(`✗ gateway-port-drift: Service port: ${PORT} → 19123  (--fix: rewrite the systemd definition (openclaw gateway install --force))`);
    expect(human.stdout).toContain("issue(s) can be repaired: openclaw doctor --fix");

    const fixed = s.doctor("--fix");
    expect(fixed.code).toBe(0);
    expect(fixed.checks.filter((c) => c.fix).every((c) => c.fixed)).toBe(true);
    expect(readFileSync(join(s.home, ".config/systemd/user/openclaw-gateway.service"), "utf8")).toContain("--port 19123");
    expect(statSync(join(s.stateDir, "gateway.env")).mode & 0o777).toBe(0o600);
    const after = s.doctor();
    expect(after.checks.filter((c) => c.level === "warn" || c.level === "error")).toEqual([]);
    expect(after.find("linger")[0].level).toBe("ok");
  });

  test("a foreign listener on the gateway port is a port conflict", () => {
    const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const s = sandbox({ gateway: { mode: "local", port: server.port, auth: { token: TOKEN } } });
      const d = s.doctor();
      if (d.find("port")[0]?.level === "info") return; // no lsof on this host
      expect(d.find("port-conflict")[0]).toMatchObject({ level: "warn" });
      expect(d.find("port-conflict")[0].message).toContain(`pid ${process.pid}`);
    } finally {
      server.stop(true);
    }
  });

  test("exec sandbox: bubblewrap found and working is ok; without bwrap on PATH the reason is given, a warning when config pins the sandbox", () => {
    const plain = spawnSync("bwrap", ["--unshare-all", "--ro-bind", "/", "/", "true"], { encoding: "utf8" });
    if (!plain.error && plain.status === 0) {
      const ok = sandbox().doctor().find("sandbox")[0];
      expect(ok).toMatchObject({ level: "ok" });
      expect(ok?.message).toContain("bubblewrap works");
    }
    // A PATH with the fakes and a few tools, but no bwrap.
    const noBwrap = join(sandbox().home, "bin-without-bwrap");
    mkdirSync(noBwrap);
    for (const tool of ["sh", "ps", "lsof", "id"]) {
      const at = [`/usr/bin/${tool}`, `/bin/${tool}`].find((p) => existsSync(p));
      if (at) symlinkSync(at, join(noBwrap, tool));
    }
    const path = { PATH: `${FAKE_BIN}:${noBwrap}` };
    const info = sandbox(undefined, path).doctor();
    expect(info.find("sandbox")[0]).toMatchObject({ level: "info" });
    expect(info.find("sandbox")[0]?.message).toContain("No exec sandbox: bwrap not found on PATH (install the bubblewrap package)");
    expect(info.find("sandbox")[0]?.message).toContain("gateway host under exec approvals");
    const pinned = sandbox({ gateway: { mode: "local", port: PORT, auth: { token: TOKEN } }, tools: { exec: { host: "sandbox" } } }, path).doctor();
    expect(pinned.find("sandbox")[0]).toMatchObject({ level: "warn" });
    expect(pinned.find("sandbox")[0]?.message).toContain('tools.exec.host is "sandbox"');
  });

  test("a binary that no longer exists (symlinked install upgraded away) is an error fixed by rewriting", () => {
    const s = sandbox();
    expect(s.run("gateway", "install").code).toBe(0);
    const unitPath = join(s.home, ".config/systemd/user/openclaw-gateway.service");
    const unit = readFileSync(unitPath, "utf8").replace(/^ExecStart=\S+/m, "ExecStart=/opt/openclaw/0.0.1/openclaw");
    writeFileSync(unitPath, unit);
    const d = s.doctor();
    expect(d.find("gateway-binary-missing")[0]).toMatchObject({ level: "error" });
    const fixed = s.doctor("--fix");
    expect(fixed.code).toBe(0);
    expect(readFileSync(unitPath, "utf8")).not.toContain("/opt/openclaw/0.0.1/openclaw");
  });
});
