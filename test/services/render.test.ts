/**
 * Golden renders for every platform, profile and scope (test/fixtures/services/; regenerate with
 * UPDATE_GOLDEN=1), read back by the tools that will consume them: python3 plistlib for plists,
 * systemd-analyze verify for units.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix, resolve, win32 } from "node:path";
import { buildServiceDefinition, createService, type ServiceContext, type ServiceDefinition, type SupervisorKind } from "../../src/services/index.ts";
import { parseUnit } from "../../src/services/systemd/index.ts";

const GOLDEN = resolve(import.meta.dir, "../fixtures/services");
const UPDATE = process.env.UPDATE_GOLDEN === "1";
const TOKEN = "0123456789abcdef0123456789abcdef0123456789abcdef";
const temp = mkdtempSync(join(tmpdir(), "openclaw-render-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const ctx: ServiceContext = { env: {}, run: async () => ({ code: 0, stdout: "", stderr: "" }), uid: 501, user: "alice", root: "/", isWsl: false, sleep: async () => {} };

interface Case {
  name: string;
  kind: SupervisorKind;
  scope: "user" | "system";
  profile?: string;
}

const CASES: Case[] = [
  { name: "launchd-default", kind: "launchd", scope: "user" },
  { name: "launchd-work", kind: "launchd", scope: "user", profile: "work" },
  { name: "launchd-system", kind: "launchd", scope: "system" },
  { name: "systemd-default", kind: "systemd", scope: "user" },
  { name: "systemd-work", kind: "systemd", scope: "user", profile: "work" },
  { name: "systemd-system", kind: "systemd", scope: "system" },
  { name: "windows-default", kind: "schtasks", scope: "user" },
  { name: "windows-work", kind: "schtasks", scope: "user", profile: "work" },
];

function homeFor(kind: SupervisorKind): string {
  return kind === "launchd" ? "/Users/alice" : kind === "systemd" ? "/home/alice" : "C:\\Users\\alice";
}

function defFor(c: Case, program?: string[]): ServiceDefinition {
  const home = homeFor(c.kind);
  const path = c.kind === "schtasks" ? win32 : posix;
  const stateDir = path.join(home, c.profile ? `.openclaw-${c.profile}` : ".openclaw");
  const env = c.profile ? { OPENCLAW_PROFILE: c.profile, OPENCLAW_STATE_DIR: stateDir, OPENCLAW_CONFIG_PATH: path.join(stateDir, "openclaw.json") } : {};
  const binary = c.kind === "schtasks" ? "C:\\Program Files\\OpenClaw\\openclaw.exe" : "/usr/local/lib/openclaw/openclaw";
  return buildServiceDefinition({ kind: c.kind, scope: c.scope, env, home, stateDir, port: c.profile ? 19789 : 18789, token: TOKEN, program: program ?? [binary], user: c.kind === "schtasks" ? "DESKTOP\\alice" : "alice", version: "1.2.3" });
}

function text(content: string | Uint8Array): string {
  if (typeof content === "string") return content;
  return new TextDecoder(content[0] === 0xff ? "utf-16le" : "utf-8").decode(content[0] === 0xff ? content.subarray(2) : content);
}

function suffix(path: string): string {
  return path.endsWith(".plist") ? "plist" : path.endsWith(".service") ? "service" : path.endsWith(".env") ? "env" : path.endsWith(".cmd") ? "cmd" : "task.xml";
}

describe("golden renders", () => {
  test.each(CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const svc = createService(c.kind, ctx);
    const files = svc.render(defFor(c));
    for (const f of files) {
      const golden = join(GOLDEN, `${c.name}.${suffix(f.path)}`);
      // Compared with LF endings so a checkout's line-ending conversion cannot break it (CRLF is asserted in windows.test.ts).
      const body = text(f.content).replace(/\r\n/g, "\n");
      if (UPDATE) {
        mkdirSync(GOLDEN, { recursive: true });
        writeFileSync(golden, body);
      }
      expect(body).toBe(readFileSync(golden, "utf8").replace(/\r\n/g, "\n"));
    }
    const paths = files.map((f) => `${f.path} ${f.mode.toString(8)}`);
    const expected: Record<string, string[]> = {
      "launchd-default": ["/Users/alice/Library/LaunchAgents/bot.molt.gateway.plist 600"],
      "launchd-work": ["/Users/alice/Library/LaunchAgents/bot.molt.work.plist 600"],
      "launchd-system": ["/Library/LaunchDaemons/bot.molt.gateway.plist 600"],
      "systemd-default": ["/home/alice/.config/systemd/user/openclaw-gateway.service 644", "/home/alice/.openclaw/gateway.env 600"],
      "systemd-work": ["/home/alice/.config/systemd/user/openclaw-gateway-work.service 644", "/home/alice/.openclaw-work/gateway.env 600"],
      "systemd-system": ["/etc/systemd/system/openclaw-gateway.service 644", "/home/alice/.openclaw/gateway.env 600"],
      "windows-default": ["C:\\Users\\alice\\.openclaw\\gateway.cmd 600", "C:\\Users\\alice\\.openclaw\\gateway.task.xml 644"],
      "windows-work": ["C:\\Users\\alice\\.openclaw-work\\gateway.cmd 600", "C:\\Users\\alice\\.openclaw-work\\gateway.task.xml 644"],
    };
    expect(paths).toEqual(expected[c.name]);
  });

  test("the Windows task name carries the profile", () => {
    expect(defFor(CASES[6]).name).toBe("OpenClaw Gateway");
    expect(defFor(CASES[7]).name).toBe("OpenClaw Gateway (work)");
  });
});

describe("plists read back by python3 plistlib", () => {
  test.skipIf(!Bun.which("python3")).each(CASES.filter((c) => c.kind === "launchd").map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const def = defFor(c);
    const [file] = createService("launchd", ctx).render(def);
    const path = join(temp, `${c.name}.plist`);
    writeFileSync(path, file.content);
    const p = Bun.spawnSync(["python3", "-c", "import json,plistlib,sys; print(json.dumps(plistlib.load(open(sys.argv[1],'rb'))))", path]);
    expect(p.stderr.toString()).toBe("");
    const plist = JSON.parse(p.stdout.toString());
    const stateDir = def.stateDir;
    expect(plist).toEqual({
      Label: def.name,
      Comment: def.description,
      RunAtLoad: true,
      KeepAlive: true,
      ThrottleInterval: 5,
      ProgramArguments: ["/usr/local/lib/openclaw/openclaw", "gateway", "--port", String(def.port)],
      WorkingDirectory: stateDir,
      StandardOutPath: `${stateDir}/logs/gateway.log`,
      StandardErrorPath: `${stateDir}/logs/gateway.err.log`,
      ...(c.scope === "system" ? { UserName: "alice" } : {}),
      EnvironmentVariables: def.environment,
    });
    expect(plist.EnvironmentVariables).toMatchObject({
      HOME: "/Users/alice",
      PATH: "/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin",
      OPENCLAW_GATEWAY_PORT: String(def.port),
      OPENCLAW_GATEWAY_TOKEN: TOKEN,
      OPENCLAW_SERVICE_MARKER: "openclaw",
      OPENCLAW_SERVICE_KIND: "gateway",
      OPENCLAW_SERVICE_VERSION: "1.2.3",
      ...(c.profile ? { OPENCLAW_PROFILE: c.profile } : {}),
    });
  });

  test("XML-special characters survive", () => {
    const def = defFor(CASES[0], ["/Apps/A & B <x>/openclaw"]);
    def.environment.WEIRD = `"quoted" & 'single' <tag>`;
    const [file] = createService("launchd", ctx).render(def);
    const path = join(temp, "special.plist");
    writeFileSync(path, file.content);
    const p = Bun.spawnSync(["python3", "-c", "import json,plistlib,sys; print(json.dumps(plistlib.load(open(sys.argv[1],'rb'))))", path]);
    const plist = JSON.parse(p.stdout.toString());
    expect(plist.ProgramArguments[0]).toBe("/Apps/A & B <x>/openclaw");
    expect(plist.EnvironmentVariables.WEIRD).toBe(`"quoted" & 'single' <tag>`);
  });
});

describe("units accepted by systemd-analyze verify", () => {
  const analyze = Bun.which("systemd-analyze");
  // verify checks that ExecStart's binary exists and is executable: give it a real one, in a folder with a space.
  const binDir = join(temp, "bin dir");
  mkdirSync(binDir, { recursive: true });
  const binary = join(binDir, "openclaw");
  writeFileSync(binary, "#!/bin/sh\nexit 0\n");
  chmodSync(binary, 0o755);

  test.skipIf(!analyze).each(CASES.filter((c) => c.kind === "systemd").map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const def = defFor(c, [binary]);
    def.environment.WEIRD = `50% "quoted" $HOME \\path`;
    const [unit] = createService("systemd", ctx).render(def);
    const dir = join(temp, c.name);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, def.name);
    writeFileSync(path, unit.content);
    const runtime = join(temp, "xdg-runtime");
    mkdirSync(runtime, { recursive: true, mode: 0o700 });
    const args = c.scope === "user" ? ["--user", "verify", path] : ["verify", path];
    const p = Bun.spawnSync([analyze as string, ...args], { env: { ...process.env, XDG_RUNTIME_DIR: runtime, SYSTEMD_LOG_LEVEL: "warning" } });
    const complaints = p.stderr.toString().split("\n").filter((l) => l.includes(def.name));
    expect(complaints).toEqual([]);
    expect(p.exitCode).toBe(0);
    // And our reader gets back exactly what was written.
    const back = parseUnit(unit.content as string, path);
    expect(back?.programArguments).toEqual([binary, "gateway", "--port", String(def.port)]);
    expect(back?.environment?.WEIRD).toBe(`50% "quoted" $HOME \\path`);
    expect(back?.environment?.OPENCLAW_GATEWAY_TOKEN).toBeUndefined();
  });
});
