/**
 * `openclaw tools list` run as a real CLI process against an in-process gateway with two agents (the
 * default one without a profile, a `coding` one that denies `edit`): the table, --agent, --session, --json,
 * and the error a user sees for an unknown agent.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliRunner } from "../helpers/cli.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../helpers/gateway.ts";

let gw: TestGateway;
let home: string;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "openclaw-cli-tools-"));
  gw = await startTestGateway({
    config: {
      gateway: { mode: "local", auth: { token: TEST_TOKEN } },
      browser: { enabled: false },
      agents: {
        list: [
          { id: "main", default: true, workspace: join(home, "main") },
          { id: "coder", workspace: join(home, "coder"), tools: { profile: "coding", deny: ["edit"] } },
        ],
      },
    },
  });
});
afterAll(async () => {
  await gw.stop();
  rmSync(home, { recursive: true, force: true });
});

const { cli, ok } = cliRunner(() => ({ url: gw.url, token: gw.token, home }));

/** The table's rows as {tool: [group, on, http, why]}. */
function rows(out: string): Record<string, string[]> {
  const lines = out.trimEnd().split("\n");
  const header = lines.findIndex((l) => /^TOOL\s+GROUP\s+ON\s+HTTP\s+WHY$/.test(l));
  expect(header).toBe(1);
  return Object.fromEntries(lines.slice(header + 1).map((l) => {
    const [tool, group, on, http, ...why] = l.split(/\s{2,}/);
    return [tool!, [group!, on!, http!, why.join("  ")]];
  }));
}

describe("openclaw tools list", () => {
  test("default agent: a header, then every tool with group, on/off, http and why", async () => {
    const out = await ok(["tools", "list"]);
    expect(out.split("\n")[0]).toBe("Agent main · session agent:main:main · no tools.profile (default tool set) (9 of 20 tools on)");
    const r = rows(out);
    expect(Object.keys(r)).toEqual(["sessions_list", "sessions_history", "web_search", "web_fetch", "canvas", "browser", "image", "nodes", "read", "write", "edit", "apply_patch", "exec", "process", "message", "cron", "sessions_send", "sessions_spawn", "session_status", "agents_list"]);
    expect(r.read).toEqual(["fs", "on", "no", "allowed by default tool set (no tools.profile)"]);
    expect(r.web_fetch).toEqual(["web", "on", "yes", "allowed by default tool set (no tools.profile)"]);
    expect(r.exec!.slice(0, 3)).toEqual(["runtime", "off", "no"]);
    expect(r.exec![3]).toStartWith("not in the default tool set (no tools.profile)");
  });

  test("--agent: that agent's profile and deny entry decide", async () => {
    const out = await ok(["tools", "list", "--agent", "coder"]);
    expect(out.split("\n")[0]).toBe("Agent coder · session agent:coder:main · profile coding (11 of 20 tools on)");
    const r = rows(out);
    expect(r.exec).toEqual(["runtime", "on", "no", 'allowed by profile "coding" (agents.list[1].tools.profile)']);
    expect(r.edit).toEqual(["fs", "off", "no", 'denied by agents.list[1].tools.deny ("edit")']);
    expect(r.canvas).toEqual(["ui", "off", "yes", 'not in profile "coding" (agents.list[1].tools.profile)']);
  });

  test("--session and --json: the method's answer as is", async () => {
    const res = JSON.parse(await ok(["tools", "list", "--session", "agent:coder:telegram:dm:7", "--json"]));
    expect(res.agentId).toBe("coder");
    expect(res.sessionKey).toBe("agent:coder:telegram:dm:7");
    expect(res.profile).toBe("coding");
    expect(res.tools.find((t: any) => t.name === "process")).toEqual({ name: "process", group: "runtime", included: true, reason: 'allowed by profile "coding" (agents.list[1].tools.profile)', http: false, needs: ["exec"] });
  });

  test("an unknown agent: exit 1, the gateway's message naming the field", async () => {
    const r = await cli(["tools", "list", "--agent", "ghost"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain('agentId: unknown agent "ghost" (configured: main, coder)');
    expect(r.stderr).toContain("INVALID_REQUEST");
  });
});
