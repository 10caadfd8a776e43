/** launchd: exact launchctl sequences against the fake, legacy label cleanup, failure texts. */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createService, legacyLaunchdLabels } from "../../src/services/index.ts";
import { parsePrint } from "../../src/services/launchd/index.ts";
import { createServiceSandbox, type ServiceSandbox } from "../helpers/services.ts";

let box: ServiceSandbox;
afterEach(() => box?.cleanup());

function setup(opts: Parameters<typeof createServiceSandbox>[0] = {}) {
  box = createServiceSandbox(opts);
  const svc = createService("launchd", box.ctx);
  return { svc, def: box.def({ kind: "launchd" }) };
}

const T = "gui/501/bot.molt.gateway";

describe("launchd", () => {
  test("install: enable + bootstrap in gui/<uid>; plist 0600 under ~/Library/LaunchAgents; logs dir made", async () => {
    const { svc, def } = setup();
    const out = await svc.install(def);
    const plist = join(box.home, "Library/LaunchAgents/bot.molt.gateway.plist");
    expect(box.calls()).toEqual([
      ["launchctl", "print", T],
      ["launchctl", "print", "gui/501/com.openclaw.gateway"],
      ["launchctl", "print", "gui/501/ai.openclaw.gateway"],
      ["launchctl", "enable", T],
      ["launchctl", "bootstrap", "gui/501", plist],
      ["launchctl", "print", T],
    ]);
    expect(out.messages).toEqual([`Installed LaunchAgent: ${plist}`, `Logs: ${join(def.stateDir, "logs", "gateway.log")}`]);
    expect(existsSync(join(def.stateDir, "logs"))).toBe(true);
  });

  test("reinstall is a no-op; --force boots the old job out before bootstrapping the new file", async () => {
    const { svc, def } = setup();
    await svc.install(def);
    box.resetCalls();
    expect((await svc.install(def)).result).toBe("already-installed");
    expect(box.calls()).toEqual([["launchctl", "print", T]]);
    box.resetCalls();
    await svc.install(def, { force: true });
    expect(box.calls().map((c) => c[1])).toEqual(["print", "print", "print", "bootout", "enable", "bootstrap", "print"]);
  });

  test("stop boots out (KeepAlive would undo a kill); start re-bootstraps; restart kickstarts -k", async () => {
    const { svc, def } = setup();
    await svc.install(def);
    box.resetCalls();
    await svc.stop(def);
    expect(box.calls()).toEqual([
      ["launchctl", "print", T],
      ["launchctl", "bootout", T],
    ]);
    expect((await svc.runtime(def)).loaded).toBe(false);
    box.resetCalls();
    expect((await svc.start(def)).result).toBe("started");
    expect(box.calls().map((c) => c.slice(1).join(" "))).toEqual([`print ${T}`, `enable ${T}`, `bootstrap gui/501 ${svc.definitionPath(def)}`]);
    box.resetCalls();
    await svc.restart(def);
    expect(box.calls().map((c) => c.slice(1).join(" "))).toEqual([`print ${T}`, `kickstart -k ${T}`]);
  });

  test("legacy com.openclaw.* and ai.openclaw.* jobs of the same profile are booted out and removed", async () => {
    const { svc, def } = setup();
    const agents = join(box.home, "Library/LaunchAgents");
    mkdirSync(agents, { recursive: true });
    expect(legacyLaunchdLabels(undefined)).toEqual(["com.openclaw.gateway", "ai.openclaw.gateway"]);
    for (const label of ["com.openclaw.gateway", "ai.openclaw.gateway", "ai.openclaw.node"]) {
      const path = join(agents, `${label}.plist`);
      const kind = label.endsWith("node") ? "node" : "gateway";
      writeFileSync(path, `<?xml version="1.0"?><plist version="1.0"><dict><key>Label</key><string>${label}</string><key>ProgramArguments</key><array><string>/usr/bin/node</string></array><key>EnvironmentVariables</key><dict><key>OPENCLAW_SERVICE_KIND</key><string>${kind}</string></dict></dict></plist>`);
    }
    // ai.openclaw.gateway is loaded, com.openclaw.gateway only on disk.
    await box.ctx.run("launchctl", ["bootstrap", "gui/501", join(agents, "ai.openclaw.gateway.plist")]);
    const extra = await svc.scan(def);
    expect(extra.map((x) => [x.label, x.legacy, x.ours])).toEqual([
      ["ai.openclaw.gateway", true, false],
      ["com.openclaw.gateway", true, false],
    ]);
    box.resetCalls();
    const out = await svc.install(def);
    expect(out.messages).toContain("Removed legacy LaunchAgent com.openclaw.gateway");
    expect(out.messages).toContain("Removed legacy LaunchAgent ai.openclaw.gateway");
    expect(box.calls()).toContainEqual(["launchctl", "bootout", "gui/501/ai.openclaw.gateway"]);
    expect(box.calls()).not.toContainEqual(["launchctl", "bootout", "gui/501/com.openclaw.gateway"]);
    expect(existsSync(join(agents, "com.openclaw.gateway.plist"))).toBe(false);
    expect(existsSync(join(agents, "ai.openclaw.gateway.plist"))).toBe(false);
    expect(existsSync(join(agents, "ai.openclaw.node.plist"))).toBe(true); // not a gateway: left alone
    expect(await svc.scan(def)).toEqual([]);
  });

  test("no GUI session (SSH): the bootstrap error explains and points at --system", async () => {
    const { svc, def } = setup({ extraEnv: { FAKE_LAUNCHD_NO_GUI: "1" } });
    const err = await svc.install(def).catch((e) => e);
    expect(err.name).toBe("ServiceError");
    expect(err.message).toContain("launchctl bootstrap failed: Bootstrap failed: 125: Domain does not support specified action");
    expect(err.hint).toContain("sudo openclaw gateway install --system");
  });

  test("--system: a LaunchDaemon in the system domain with UserName; needs root", async () => {
    const { svc } = setup({ uid: 0 });
    const def = box.def({ kind: "launchd", scope: "system" });
    expect((await svc.install(def).catch((e) => e)).message).toBe(`State dir ${def.stateDir} does not exist.`);
    mkdirSync(def.stateDir, { recursive: true });
    await svc.install(def);
    const plist = join(box.root, "Library/LaunchDaemons/bot.molt.gateway.plist");
    expect(readFileSync(plist, "utf8")).toContain("<key>UserName</key>\n  <string>alice</string>");
    expect(box.calls()).toContainEqual(["launchctl", "bootstrap", "system", plist]);
    expect(box.calls().some((c) => c.includes("gui/0/com.openclaw.gateway"))).toBe(false);

    // A LaunchAgent installed under sudo would land in root's GUI domain.
    expect((await svc.install(box.def({ kind: "launchd" })).catch((e) => e)).hint).toContain("Run without sudo");

    const user = createServiceSandbox({ uid: 501 });
    try {
      const err = await createService("launchd", user.ctx).install(user.def({ kind: "launchd", scope: "system" })).catch((e) => e);
      expect(err.message).toBe("Installing a LaunchDaemon needs root.");
    } finally {
      user.cleanup();
    }
  });

  test("uninstall fails loudly when the job is still loaded afterwards", async () => {
    const { svc, def } = setup();
    await svc.install(def);
    // A launchctl whose bootout claims success but leaves the job loaded.
    const stubborn = { ...box.ctx, run: async (cmd: string, args: string[]) => (args[0] === "bootout" ? { code: 0, stdout: "", stderr: "" } : box.ctx.run(cmd, args)) };
    const err = await createService("launchd", stubborn).uninstall(def).catch((e) => e);
    expect(err.message).toBe("Gateway service still loaded after uninstall.");
    expect(existsSync(svc.definitionPath(def))).toBe(true);
  });

  test("parsePrint reads state, pid and last exit code", () => {
    const text = `${T} = {\n\tactive count = 1\n\tstate = running\n\tpid = 812\n\tlast exit code = 78: EX_CONFIG\n\tenvironment = {\n\t\tpid = 1\n\t}\n}\n`;
    expect(parsePrint(text)).toEqual({ status: "running", state: "running", pid: 812, lastExitStatus: 78, lastExitReason: "EX_CONFIG" });
    expect(parsePrint(`${T} = {\n\tstate = not running\n\tlast exit code = (never exited)\n}\n`)).toEqual({ status: "stopped", state: "not running" });
  });
});
