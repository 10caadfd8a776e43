/** systemd: exact systemctl/loginctl sequences against the fakes, secrets placement, linger, failures. */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createService } from "../../src/services/index.ts";
import { createServiceSandbox, type ServiceSandbox } from "../helpers/services.ts";

let box: ServiceSandbox;
afterEach(() => box?.cleanup());

function setup(opts: Parameters<typeof createServiceSandbox>[0] = {}) {
  box = createServiceSandbox(opts);
  return { svc: createService("systemd", box.ctx), def: box.def() };
}

const U = "openclaw-gateway.service";

describe("systemd user unit", () => {
  test("install: status check, daemon-reload, enable, restart, then linger check + enable", async () => {
    const { svc, def } = setup();
    const out = await svc.install(def);
    expect(box.calls()).toEqual([
      ["systemctl", "--user", "status", "--no-pager"],
      ["systemctl", "--user", "show", U, "--no-pager", expect.stringMatching(/^--property=/)],
      ["systemctl", "--user", "daemon-reload"],
      ["systemctl", "--user", "enable", U],
      ["systemctl", "--user", "restart", U],
      ["loginctl", "show-user", "alice", "-p", "Linger"],
      ["loginctl", "enable-linger", "alice"],
      ["systemctl", "--user", "show", U, "--no-pager", expect.stringMatching(/^--property=/)],
    ]);
    const unitPath = join(box.home, ".config/systemd/user", U);
    expect(out.messages[0]).toBe(`Installed systemd service: ${unitPath}`);
    expect(out.messages).toContain("Enabled lingering for alice: the gateway starts at boot and keeps running after logout.");
    // The token is in the 0600 EnvironmentFile, not in the unit.
    const unit = readFileSync(unitPath, "utf8");
    expect(unit).not.toContain("tok-secret");
    expect(unit).toContain(`EnvironmentFile=${join(def.stateDir, "gateway.env")}`);
    expect(statSync(join(def.stateDir, "gateway.env")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(def.stateDir, "gateway.env"), "utf8")).toContain("OPENCLAW_GATEWAY_TOKEN=tok-secret-0123456789\n");
    // Linger already on: not asked again.
    box.resetCalls();
    await svc.install(def, { force: true });
    expect(box.calls().filter((c) => c[0] === "loginctl")).toEqual([["loginctl", "show-user", "alice", "-p", "Linger"]]);
  });

  test("reinstall no-op; token change is drift (described, never printed); --force rewrites", async () => {
    const { svc, def } = setup();
    await svc.install(def);
    box.resetCalls();
    expect((await svc.install(def)).result).toBe("already-installed");
    expect(box.calls().map((c) => c[2])).toEqual(["status", "show"]);
    const rotated = { ...def, environment: { ...def.environment, OPENCLAW_GATEWAY_TOKEN: "tok-new" } };
    const out = await svc.install(rotated);
    expect(out.result).toBe("already-installed");
    expect(out.drift).toEqual([{ field: "token", installed: "set", expected: "a different token", level: "error" }]);
    expect(out.warnings[0]).toContain("--force");
    expect(JSON.stringify(out)).not.toContain("tok-new");
    await svc.install(rotated, { force: true });
    expect(readFileSync(join(def.stateDir, "gateway.env"), "utf8")).toContain("tok-new");
    expect(svc.readInstalled(rotated)?.environment?.OPENCLAW_GATEWAY_TOKEN).toBe("tok-new");
  });

  test("stop / start / restart / uninstall sequences", async () => {
    const { svc, def } = setup();
    await svc.install(def);
    box.resetCalls();
    await svc.stop(def);
    await svc.start(def);
    await svc.restart(def);
    expect(box.calls()).toEqual([
      ["systemctl", "--user", "stop", U],
      ["systemctl", "--user", "start", U],
      ["systemctl", "--user", "restart", U],
    ]);
    box.resetCalls();
    expect((await svc.uninstall(def)).result).toBe("uninstalled");
    expect(box.calls().map((c) => c.slice(1, 4).join(" "))).toEqual([
      `--user show ${U}`,
      `--user disable --now`,
      `--user show ${U}`,
      "--user daemon-reload",
    ]);
    expect(existsSync(join(box.home, ".config/systemd/user", U))).toBe(false);
    expect(existsSync(join(def.stateDir, "gateway.env"))).toBe(false);
  });

  test("uninstall removes the env file the installed unit names, even from another state dir (sudo)", async () => {
    const { svc, def } = setup();
    await svc.install(def);
    const envFile = join(def.stateDir, "gateway.env");
    const underSudo = { ...def, stateDir: join(box.dir, "root-home/.openclaw"), workingDirectory: join(box.dir, "root-home/.openclaw") };
    expect((await svc.uninstall(underSudo)).result).toBe("uninstalled");
    expect(existsSync(envFile)).toBe(false);
  });

  test("linger refused without root: tries sudo -n, then says exactly what to run", async () => {
    const { svc, def } = setup({ extraEnv: { FAKE_LINGER_DENY: "1", FAKE_SUDO_DENY: "1" } });
    const out = await svc.install(def);
    expect(box.calls().slice(-3, -1)).toEqual([
      ["loginctl", "enable-linger", "alice"],
      ["sudo", "-n", "loginctl", "enable-linger", "alice"],
    ]);
    expect(out.warnings).toEqual(["Lingering is off for alice (sudo: a password is required): the gateway stops at logout and starts only at login. Run: sudo loginctl enable-linger alice"]);
  });

  test("linger via sudo -n when the user may not enable it directly", async () => {
    const { svc, def } = setup({ extraEnv: { FAKE_LINGER_DENY: "1", FAKE_LOGINCTL_NO_SESSION: "1" } });
    const out = await svc.install(def);
    expect(out.warnings).toEqual([]);
    expect(box.calls()).toContainEqual(["sudo", "-n", "loginctl", "enable-linger", "alice"]);
    expect(existsSync(join(box.state, "linger/alice"))).toBe(true);
  });

  test("no systemd (container, WSL without systemd): install fails before writing, with the tool's text", async () => {
    const { svc, def } = setup({ isWsl: true, extraEnv: { FAKE_SYSTEMD_DOWN: "1" } });
    const err = await svc.install(def).catch((e) => e);
    expect(err.message).toBe("systemctl --user unavailable: Failed to connect to bus: No medium found");
    expect(err.hint).toContain("systemd=true in /etc/wsl.conf");
    expect(existsSync(svc.definitionPath(def))).toBe(false);
  });

  test("WSL2 with systemd: installs as Linux and notes how to keep the distro alive", async () => {
    const { svc, def } = setup({ isWsl: true });
    const out = await svc.install(def);
    expect(out.warnings.some((w) => w.startsWith("WSL2:") && w.includes("Keep it alive"))).toBe(true);
  });

  test("--system: /etc/systemd/system unit with User= and multi-user.target, no --user, no linger; needs root", async () => {
    const { svc } = setup({ uid: 0 });
    const def = box.def({ scope: "system", profile: "work" });
    mkdirSync(def.stateDir, { recursive: true });
    await svc.install(def);
    const unit = readFileSync(join(box.root, "etc/systemd/system/openclaw-gateway-work.service"), "utf8");
    expect(unit).toContain("User=alice\n");
    expect(unit).toContain("WantedBy=multi-user.target\n");
    expect(box.calls().every((c) => c[0] === "systemctl" && c[1] !== "--user")).toBe(true);
    const nonRoot = createServiceSandbox({ uid: 1000 });
    try {
      const err = await createService("systemd", nonRoot.ctx).install(nonRoot.def({ scope: "system" })).catch((e) => e);
      expect(err.hint).toBe("Run: sudo openclaw gateway install --system");
    } finally {
      nonRoot.cleanup();
    }
  });

  test("--deep scan: other profiles are ours, foreign/legacy units are flagged", async () => {
    const { svc, def } = setup({ uid: 0 });
    await svc.install(box.def({ profile: "work" }));
    mkdirSync(box.def({ scope: "system" }).stateDir, { recursive: true });
    await svc.install(box.def({ scope: "system" }));
    mkdirSync(join(box.root, "lib/systemd/system"), { recursive: true });
    writeFileSync(join(box.root, "lib/systemd/system/clawdbot-gateway.service"), "[Service]\nExecStart=/usr/bin/clawdbot gateway\n");
    const found = await svc.scan(def);
    expect(found.map((x) => [x.label, x.scope, x.ours, x.legacy])).toEqual([
      ["openclaw-gateway-work.service", "user", true, false],
      ["openclaw-gateway.service", "system", true, false],
      ["clawdbot-gateway.service", "system", false, true],
    ]);
  });

  test("runtime: loaded/running/pid from systemctl show", async () => {
    const { svc, def } = setup();
    expect(await svc.runtime(def)).toEqual({ loaded: false, installed: false, command: null, runtime: { status: "stopped", state: "inactive", subState: "dead", missingUnit: true } });
    await svc.install(def);
    const state = await svc.runtime(def);
    expect(state.loaded).toBe(true);
    expect(state.runtime).toMatchObject({ status: "running", state: "active", subState: "running" });
    expect(state.runtime.pid).toBeGreaterThan(0);
    expect(state.command?.programArguments).toEqual(["/opt/openclaw/bin/openclaw", "gateway", "--port", "18789"]);
  });
});
