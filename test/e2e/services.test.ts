/**
 * `gateway install|uninstall|start|stop|restart|status` through the compiled binary, on this Linux host,
 * with the fake systemctl/loginctl of test/fixtures/fake-bin first on PATH (nothing touches the real
 * supervisor).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, ensureBinary, runBinary, tempHome } from "../helpers/binary.ts";
import { FAKE_BIN } from "../helpers/services.ts";

const TOKEN = "e2e-token-0123456789abcdef0123456789abcdef";
const homes: string[] = [];
beforeAll(async () => {
  await ensureBinary();
});
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

function sandbox(extra: Record<string, string> = {}) {
  const home = tempHome();
  homes.push(home);
  const state = join(home, ".fake-state");
  mkdirSync(state, { recursive: true });
  mkdirSync(join(home, ".openclaw"), { recursive: true, mode: 0o700 });
  writeFileSync(join(home, ".openclaw", "openclaw.json"), JSON.stringify({ gateway: { mode: "local", auth: { token: TOKEN } } }), { mode: 0o600 });
  const env = { PATH: `${FAKE_BIN}:/usr/bin:/bin`, USER: "alice", FAKE_STATE: state, FAKE_LOG: join(state, "calls.log"), ...extra };
  const run = (...args: string[]) => runBinary(args, { home, env });
  const json = (...args: string[]) => {
    const r = run(...args, "--json");
    try {
      return { code: r.code, out: JSON.parse(r.stdout), stderr: r.stderr };
    } catch {
      throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
    }
  };
  const calls = () => (existsSync(join(state, "calls.log")) ? readFileSync(join(state, "calls.log"), "utf8").trimEnd().split("\n").filter(Boolean) : []);
  return { home, run, json, calls, unit: join(home, ".config/systemd/user/openclaw-gateway.service") };
}

describe("gateway install on Linux (compiled binary)", () => {
  test("install --dry-run --json prints the unit it would write and touches nothing", () => {
    const s = sandbox();
    const { code, out } = s.json("gateway", "install", "--dry-run");
    expect(code).toBe(0);
    expect(out).toMatchObject({ action: "install", ok: true, result: "dry-run", dryRun: true, service: { label: "systemd", name: "openclaw-gateway.service", scope: "user", path: s.unit } });
    const [unit, envFile] = out.files;
    expect(unit.path).toBe(s.unit);
    expect(unit.mode).toBe(0o644);
    expect(unit.content).toContain(`ExecStart=${BINARY} gateway --port 18789\n`);
    expect(unit.content).toContain("Restart=always\nRestartSec=5\nKillMode=process\n");
    expect(unit.content).toContain("WantedBy=default.target\n");
    expect(envFile).toEqual({ path: join(s.home, ".openclaw/gateway.env"), mode: 0o600, content: expect.stringContaining("OPENCLAW_GATEWAY_TOKEN=<redacted>") });
    expect(out.commands).toEqual([
      ["systemctl", "--user", "daemon-reload"],
      ["systemctl", "--user", "enable", "openclaw-gateway.service"],
      ["systemctl", "--user", "restart", "openclaw-gateway.service"],
      ["loginctl", "show-user", "alice", "-p", "Linger"],
    ]);
    expect(JSON.stringify(out)).not.toContain(TOKEN);
    expect(existsSync(s.unit)).toBe(false);
    expect(existsSync(join(s.home, ".openclaw/gateway.env"))).toBe(false);
    expect(s.calls()).toEqual([]);

    const human = s.run("gateway", "install", "--dry-run");
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`--- ${s.unit} (mode 0644)`);
    expect(human.stdout).toContain("  systemctl --user enable openclaw-gateway.service");

    const profile = runBinary(["--profile", "work", "gateway", "install", "--dry-run", "--json"], { home: s.home, env: { PATH: `${FAKE_BIN}:/usr/bin:/bin` } });
    const p = JSON.parse(profile.stdout);
    expect(p.service.name).toBe("openclaw-gateway-work.service");
    expect(p.files[0].content).toContain("Environment=OPENCLAW_PROFILE=work\n");
    expect(p.files[0].content).toContain(`Environment=OPENCLAW_STATE_DIR=${join(s.home, ".openclaw-work")}\n`);
  });

  test("install → reinstall no-op → drift → --force → status → stop → start → restart → uninstall ×2", () => {
    const s = sandbox();
    const first = s.json("gateway", "install");
    expect(first.code).toBe(0);
    expect(first.out).toMatchObject({ action: "install", ok: true, result: "installed", service: { label: "systemd", loaded: true, loadedText: "enabled", notLoadedText: "disabled" } });
    expect(readFileSync(s.unit, "utf8")).toContain(`ExecStart=${BINARY} gateway --port 18789`);

    const again = s.run("gateway", "install");
    expect(again.code).toBe(0);
    expect(again.stdout).toBe("Gateway service already enabled.\nReinstall with: openclaw gateway install --force\n");

    const drift = s.json("gateway", "install", "--port", "19555");
    expect(drift.out.result).toBe("already-installed");
    expect(drift.out.drift).toContainEqual({ field: "port", installed: "18789", expected: "19555", level: "error" });
    expect(readFileSync(s.unit, "utf8")).toContain("--port 18789");

    const forced = s.json("gateway", "install", "--port", "19555", "--force");
    expect(forced.out.result).toBe("installed");
    expect(readFileSync(s.unit, "utf8")).toContain("--port 19555");

    const status = s.json("gateway", "status", "--no-probe");
    expect(status.code).toBe(0);
    const svc = status.out.service;
    expect(svc).toMatchObject({ label: "systemd", name: "openclaw-gateway.service", loaded: true, runtime: { status: "running", state: "active", subState: "running" } });
    expect(svc.runtime.pid).toBeGreaterThan(0);
    expect(svc.command.programArguments).toEqual([BINARY, "gateway", "--port", "19555"]);
    expect(svc.command.environment.OPENCLAW_GATEWAY_TOKEN).toBe("<redacted>");
    // The config still says 18789: the installed unit has drifted from it.
    expect(svc.configAudit.ok).toBe(false);
    expect(svc.configAudit.issues.map((i: { code: string }) => i.code)).toContain("gateway-port-drift");
    expect(JSON.stringify(status.out)).not.toContain(TOKEN);

    expect(s.json("gateway", "stop").out).toMatchObject({ action: "stop", ok: true, result: "stopped" });
    expect(s.json("gateway", "status", "--no-probe").out.service.runtime.status).toBe("stopped");
    expect(s.json("gateway", "stop").out.result).toBe("stopped");
    expect(s.json("gateway", "start").out.result).toBe("started");
    expect(s.json("gateway", "restart").out.result).toBe("restarted");
    expect(s.json("gateway", "status", "--no-probe").out.service.runtime.status).toBe("running");

    const human = s.run("gateway", "status", "--no-probe");
    expect(human.stdout).toMatch(/^Service: systemd openclaw-gateway.service \(enabled\) · running, pid \d+/m);

    expect(s.json("gateway", "uninstall").out).toMatchObject({ action: "uninstall", ok: true, result: "uninstalled", service: { loaded: false } });
    expect(existsSync(s.unit)).toBe(false);
    expect(s.json("gateway", "uninstall").out.result).toBe("not-installed");
    const start = s.json("gateway", "start");
    expect(start.out).toMatchObject({ result: "not-loaded", message: "Gateway service disabled.", hints: ["Start with: openclaw gateway install"] });
  });

  test("no systemd: install exits 1 with systemctl's own words (human and --json)", () => {
    const s = sandbox({ FAKE_SYSTEMD_DOWN: "1" });
    const human = s.run("gateway", "install");
    expect(human.code).toBe(1);
    expect(human.stderr).toContain("Error: systemctl --user unavailable: Failed to connect to bus: No medium found");
    const json = s.json("gateway", "install");
    expect(json.code).toBe(1);
    expect(json.out).toMatchObject({ action: "install", ok: false, error: "systemctl --user unavailable: Failed to connect to bus: No medium found" });
    expect(existsSync(s.unit)).toBe(false);
  });

  test("status --deep lists other profiles and foreign units", () => {
    const s = sandbox();
    runBinary(["--profile", "work", "gateway", "install"], { home: s.home, env: { PATH: `${FAKE_BIN}:/usr/bin:/bin`, USER: "alice", FAKE_STATE: join(s.home, ".fake-state") } });
    writeFileSync(join(s.home, ".config/systemd/user/clawdbot-gateway.service"), "[Service]\nExecStart=/usr/bin/clawdbot gateway\n");
    const status = s.json("gateway", "status", "--no-probe", "--deep");
    expect(status.out.extraServices.map((x: { label: string; ours: boolean }) => [x.label, x.ours])).toEqual([
      ["clawdbot-gateway.service", false],
      ["openclaw-gateway-work.service", true],
    ]);
    expect(s.json("gateway", "status", "--no-probe").out.extraServices).toEqual([]);
    const human = s.run("gateway", "status", "--no-probe", "--deep");
    expect(human.stdout).toContain("Warning: other gateway-like service: clawdbot-gateway.service");
  });

  test("--help lists the service commands", () => {
    const s = sandbox();
    const help = s.run("gateway", "--help");
    for (const cmd of ["install", "uninstall", "start", "stop", "restart"]) expect(help.stdout).toContain(cmd);
    expect(s.run("gateway", "install", "--help").stdout).toContain("--dry-run");
  });
});
