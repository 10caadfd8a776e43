/**
 * Advisory class: "a method that changes config or runs something is reachable without auth or without
 * operator.admin", and "config names an executable the gateway runs". Every implemented method is classified
 * from the method table itself, so a new handler is covered the day it lands.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { APPROVAL_METHODS, METHOD_SCOPES, NODE_METHODS, PAIRING_METHODS, QUESTION_METHODS, READ_METHODS, WRITE_METHODS } from "../../protocol/methods.ts";
import { ConfigSchema } from "../../src/config/schema.ts";
import { METHOD_HANDLERS } from "../../src/gateway/methods/index.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { connectClient, openSocket } from "../helpers/ws.ts";

const SRC = join(import.meta.dir, "../../src");
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function gateway(config: Record<string, unknown> = {}): Promise<TestGateway> {
  const gw = await startTestGateway({ config: { gateway: { mode: "local", auth: { token: "admin-scope-token-0123456789abcdef" } }, browser: { enabled: false }, ...config } });
  cleanup.push(() => gw.stop());
  return gw;
}

const IMPLEMENTED = Object.keys(METHOD_HANDLERS);
// question.list (v4) needs operator.questions, which operator.write implies.
const NON_ADMIN = new Set([...NODE_METHODS, ...APPROVAL_METHODS, ...PAIRING_METHODS, ...READ_METHODS, ...WRITE_METHODS, ...QUESTION_METHODS]);
const ADMIN_ONLY = IMPLEMENTED.filter((m) => !NON_ADMIN.has(m));

/** Methods that change config, install or update code, or run programs: admin whether implemented or not. */
const DANGEROUS = [
  "config.set",
  "config.apply",
  "config.patch",
  "update.run",
  "skills.install",
  "skills.update",
  "exec.approvals.set",
  "exec.approvals.node.set",
  "wizard.start",
  "wizard.next",
  "agents.files.set",
  "cron.add",
  "cron.update",
  "cron.run",
  "set-heartbeats",
  "channels.logout",
  "web.login.start",
  "sessions.patch",
  "sessions.delete",
  "system-event",
];

describe("method table", () => {
  test("every implemented method outside the read/write/pairing/approvals/node sets is admin-only in the scope table", () => {
    expect(ADMIN_ONLY.length).toBeGreaterThan(0);
    for (const m of ADMIN_ONLY) expect({ m, scope: METHOD_SCOPES[m] ?? "admin" }).toEqual({ m, scope: "admin" });
  });

  test("methods that change config, install code or run programs are never in a non-admin set", () => {
    for (const m of DANGEROUS) {
      expect({ m, nonAdmin: NON_ADMIN.has(m) }).toEqual({ m, nonAdmin: false });
      expect({ m, scope: METHOD_SCOPES[m] ?? "admin" }).toEqual({ m, scope: "admin" });
    }
  });

  test("only config.set, config.apply, config.patch and skills.update write the config file, and they are admin-only", () => {
    // index.ts hands the writer's patch helper to skills.update (checked below).
    const WRITERS: Record<string, string> = { "config-set.ts": "config.set", "config-apply.ts": "config.apply", "config-patch.ts": "config.patch", "index.ts": "skills.update" };
    // Handlers live beside their feature's logic; the config-writes feature holds every config method.
    const dir = join(SRC, "gateway/config-writes");
    for (const file of readdirSync(dir).filter((f) => f !== "config-writes.ts")) {
      const text = readFileSync(join(dir, file), "utf8");
      const writesConfig = /config\/write|writeConfig(File|Text)|config-writes|commitConfig/.test(text);
      expect({ file, writesConfig }).toEqual({ file, writesConfig: file in WRITERS });
    }
    for (const method of Object.values(WRITERS)) {
      expect({ method, scope: METHOD_SCOPES[method] ?? "admin", implemented: method in METHOD_HANDLERS }).toEqual({ method, scope: "admin", implemented: true });
    }
    // Nothing else in the gateway reaches the writer module.
    const users = listTs(join(SRC, "gateway")).filter((f) => /config-writes\.ts"/.test(readFileSync(f, "utf8")));
    expect(users.map((f) => relative(SRC, f)).sort()).toEqual(["gateway/config-writes/config-apply.ts", "gateway/config-writes/config-patch.ts", "gateway/config-writes/config-set.ts", "gateway/config-writes/index.ts"]);
    // Outside the feature, only skills.update reaches its face (for patchConfigFile).
    const faceUsers = listTs(join(SRC, "gateway")).filter((f) => /config-writes\/index\.ts"/.test(readFileSync(f, "utf8")));
    expect(faceUsers.map((f) => relative(SRC, f)).sort()).toEqual(["gateway/features.ts", "gateway/skills/skills-update.ts"]);
  });
});

describe("over the wire", () => {
  test("every implemented admin-only method is refused to a client holding every other operator scope", async () => {
    const gw = await gateway();
    const { sock } = await connectClient(gw.url, gw.token, { scopes: ["operator.read", "operator.write", "operator.pairing", "operator.approvals"] });
    for (const m of ADMIN_ONLY) {
      const res = await sock.request(m, {});
      const expected = NODE_METHODS.includes(m) ? "unauthorized role: operator" : "missing scope: operator.admin";
      expect({ m, ok: res.ok, message: res.error?.message }).toEqual({ m, ok: false, message: expected });
    }
    // Not-yet-implemented dangerous methods are refused on scope before "unknown method" is even said.
    for (const m of DANGEROUS.filter((d) => !(d in METHOD_HANDLERS))) {
      const res = await sock.request(m, {});
      expect({ m, message: res.error?.message }).toEqual({ m, message: "missing scope: operator.admin" });
    }
    sock.close();
  });

  test("a node-role client reaches no operator method at all", async () => {
    const gw = await gateway();
    const { sock } = await connectClient(gw.url, gw.token, { role: "node", scopes: ["operator.admin"], client: { id: "node-host", version: "1", platform: "linux", mode: "node" } });
    for (const m of IMPLEMENTED.filter((x) => !NODE_METHODS.includes(x))) {
      const res = await sock.request(m, {});
      expect({ m, message: res.error?.message }).toEqual({ m, message: "unauthorized role: node" });
    }
    sock.close();
  });

  test("nothing runs before a successful connect: every method as the first frame closes the socket", async () => {
    const gw = await gateway();
    for (const m of [...IMPLEMENTED, ...DANGEROUS]) {
      const sock = await openSocket(gw.url);
      await sock.next(); // challenge
      const res = await sock.request(m, {}, "first");
      expect({ m, message: res.error?.message }).toEqual({ m, message: "invalid handshake: first request must be connect" });
      expect((await sock.closed).code).toBe(1008);
    }
  });

  test("a failed connect never leaves a usable socket", async () => {
    const gw = await gateway();
    const sock = await openSocket(gw.url);
    await sock.next();
    const res = await sock.request("connect", { minProtocol: 3, maxProtocol: 3, client: { id: "cli", version: "1", platform: "linux", mode: "cli" }, auth: { token: "wrong" } }, "connect");
    expect(res.ok).toBe(false);
    sock.send({ type: "req", id: "after", method: "config.get", params: {} });
    expect((await sock.closed).code).toBe(1008);
  });
});

describe("config never names something the gateway runs, except the reviewed admin-only keys", () => {
  /** Config keys that name a program, its arguments or code to load, with what the gateway does with them. */
  const REVIEWED: Record<string, string> = {
    "browser.executablePath": "spawned by the browser control service (src/browser/chrome.ts); config file only",
    "browser.extraArgs": "appended to the browser's argv; Chromium flags such as --renderer-cmd-prefix can run programs; config file only",
    "gateway.nodes.allowCommands": "node command allowlist: names commands a paired node may be asked to run, never run by the gateway",
    "gateway.nodes.denyCommands": "node command denylist",
    commands: "chat commands (commands.restart): not programs",
    "channels.telegram.commands": "bot menu commands: not programs",
    "channels.telegram.customCommands": "bot menu commands: not programs",
    "channels.telegram.accounts.*.commands": "bot menu commands: not programs",
    "channels.telegram.accounts.*.customCommands": "bot menu commands: not programs",
    "channels.telegram.customCommands[].command": "a bot menu entry's name (no leading /): not a program",
    "channels.telegram.accounts.*.customCommands[].command": "a bot menu entry's name: not a program",
    hooks: "webhook settings",
    "hooks.transformsDir": "folder of hook transform modules (loaded as code when implemented); config file only",
    "hooks.mappings[].transform": "hook transform module reference; config file only",
    "hooks.mappings[].transform.module": "hook transform module (loaded as code when implemented); config file only",
    plugins: "plugin settings (no plugin loader in this gateway)",
    "tools.exec": "where the agent's exec tool runs and which programs skip approval (host, node, safeBins, sandbox.*); those keys are config file only",
    "agents.list[].tools.exec": "the same per agent; config file only",
    "secrets.defaults.exec": "the provider alias exec SecretRefs default to: a name; exec refs never run here, and secrets is config file only",
  };

  function configPaths(): string[] {
    const out = new Set<string>();
    const walk = (s: any, path: string, depth: number) => {
      if (!s || typeof s !== "object" || depth > 24) return;
      if (s.properties) for (const [k, v] of Object.entries(s.properties)) {
        const p = path ? `${path}.${k}` : k;
        out.add(p);
        walk(v, p, depth + 1);
      }
      if (s.patternProperties) for (const v of Object.values(s.patternProperties)) walk(v, `${path}.*`, depth + 1);
      if (s.additionalProperties && typeof s.additionalProperties === "object") walk(s.additionalProperties, `${path}.*`, depth + 1);
      if (s.items) walk(s.items, `${path}[]`, depth + 1);
      for (const k of ["anyOf", "oneOf", "allOf"]) if (Array.isArray(s[k])) for (const x of s[k]) walk(x, path, depth + 1);
    };
    walk(ConfigSchema, "", 0);
    return [...out];
  }

  test("every config key that looks like a command, executable, script or module is in the reviewed list", () => {
    const looksExecutable = /(command|cmd|exec|executable|binary|program|shell|script|argv|args|module|transform|plugin|hook)s?$/i;
    const found = configPaths().filter((p) => looksExecutable.test(p.split(".").pop()!.replace(/\[\]$/, "")));
    const unreviewed = found.filter((p) => !(p in REVIEWED));
    // A new key here needs a decision: does the gateway spawn or load it? Then list it above and in SECURITY.md.
    expect(unreviewed).toEqual([]);
  });

  test("only the reviewed source files start processes", () => {
    const SPAWNERS: Record<string, string> = {
      "agent/exec/_spawn.ts": "the agent's exec tool: a shell command in the bubblewrap sandbox, or on the gateway host under the exec-approvals policy (allowlist + ask by default)",
      "util/sandbox.ts": "bwrap (probe of the sandbox's availability; also read by openclaw doctor)",
      "browser/chrome.ts": "browser.executablePath (config file only; config writes over RPC refuse it) or an auto-detected system browser, through Playwright's pipe launcher",
      "release/update.ts": "the installed openclaw binary (openclaw update)",
      "release/probe.ts": "the downloaded openclaw binary (--version probe before swapping)",
      "services/_runner.ts": "launchctl / systemctl / schtasks (CLI service commands, never the daemon)",
      "util/lock-file.ts": "ps (lock owner start time)",
      "util/port-listeners.ts": "lsof (gateway --force, status)",
    };
    // launchPersistentContext: Playwright's launcher spawns the browser (driven over a pipe).
    const spawn = /\blaunchPersistentContext\(|\bBun\.spawn(Sync)?\(|\bchild_process\b|\bexecFile(Sync)?\(|\bexecSync\(|\bfork\(|\bBun\.\$`|import\s*\{[^}]*\$[^}]*\}\s*from\s*["']bun["']/;
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(ts|js)$/.test(name) && !p.includes("/generated/") && spawn.test(readFileSync(p, "utf8"))) files.push(relative(SRC, p));
      }
    };
    walk(SRC);
    expect(files.sort()).toEqual(Object.keys(SPAWNERS).sort());
  });

  test("browser.executablePath is not settable over RPC: the body of browser.request cannot choose the program", async () => {
    const configured = "/nonexistent/openclaw-test/configured-chrome";
    const gw = await gateway({ browser: { enabled: true, executablePath: configured, headless: true, localLaunchTimeoutMs: 2000 } });
    const { sock } = await connectClient(gw.url, gw.token);
    if (!gw.handle.ctx.browserControl) {
      // Port + 2 was taken on this machine: nothing to drive; the static checks above still hold.
      console.warn("browser control not running; RPC check skipped");
      sock.close();
      return;
    }
    const status = await sock.request("browser.request", { method: "GET", path: "/" });
    expect(status.ok).toBe(true);
    expect(status.payload.executablePath).toBe(configured);
    const start = await sock.request("browser.request", { method: "POST", path: "/start", body: { executablePath: "/bin/sh", extraArgs: ["-c", "touch /tmp/pwned"] }, query: { executablePath: "/bin/sh" } });
    expect(start.ok).toBe(false);
    expect(start.error.message).toContain(configured);
    expect(start.error.message).not.toContain("/bin/sh");
    sock.close();
  });
});

function listTs(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listTs(p) : p.endsWith(".ts") ? [p] : [];
  });
}
