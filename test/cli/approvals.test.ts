/**
 * `openclaw approvals …` run as a real CLI process (`bun src/main.ts`) against an in-process gateway: get
 * (summary and --json) on a fresh host, set from a file (twice: the second write sends the hash it read),
 * allowlist add/remove, a node target, and the errors a user sees; pending/allow/deny answering requests a
 * WebSocket client raised. The allowlist edits and the id picking on their own.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addAllowlistPattern, parseApprovalsText, pickApproval, removeAllowlistPattern } from "../../src/cli/commands/approvals.ts";
import { CliError } from "../../src/errors.ts";
import type { ExecApprovalsFile } from "../../src/store/exec-approvals.ts";
import { cliRunner } from "../helpers/cli.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { SimulatedNode } from "../helpers/node.ts";
import { waitFor } from "../helpers/wait.ts";
import { connectClient } from "../helpers/ws.ts";

let gw: TestGateway;
let home: string;

beforeAll(async () => {
  gw = await startTestGateway();
  home = mkdtempSync(join(tmpdir(), "openclaw-cli-approvals-"));
});
afterAll(async () => {
  await gw.stop();
  rmSync(home, { recursive: true, force: true });
});

const { cli, ok } = cliRunner(() => ({ url: gw.url, token: gw.token, home }));

describe("openclaw approvals", () => {
  test("get, set, set again, allowlist add and remove on the gateway host", async () => {
    const path = join(gw.stateDir, "exec-approvals.json");
    const fresh = JSON.parse(await ok(["approvals", "get", "--json"]));
    expect(fresh).toMatchObject({ path, exists: false, file: { version: 1, agents: {} } });
    const summary = await ok(["approvals", "get"]);
    expect(summary).toContain("Target     gateway\n");
    expect(summary).toContain("Exists     no\n");
    expect(summary).toEndWith("No allowlist entries.\n");

    // JSON5 is fine; version is filled in.
    const upload = join(home, "approvals.json5");
    writeFileSync(upload, "{ defaults: { security: 'allowlist', ask: 'on-miss' }, agents: { main: { allowlist: [{ pattern: '/usr/bin/uptime' }] } } }");
    const first = JSON.parse(await ok(["approvals", "set", "--file", upload, "--json"]));
    expect(first).toMatchObject({ exists: true, file: { version: 1, defaults: { security: "allowlist", ask: "on-miss" } } });
    expect(JSON.parse(readFileSync(path, "utf8")).agents.main.allowlist[0].pattern).toBe("/usr/bin/uptime");
    // The file exists now, so this write needs (and sends) the hash it just read.
    writeFileSync(upload, JSON.stringify({ defaults: { security: "deny" } }));
    const second = await ok(["approvals", "set", "--file", upload]);
    expect(second).toContain("Defaults   security=deny\n");
    expect(second).toContain("Exists     yes\n");

    const added = await ok(["approvals", "allowlist", "add", "/usr/bin/rg", "--agent", "main"]);
    expect(added).toMatch(/\nAGENT\s+PATTERN\s+LAST USED\nmain\s+\/usr\/bin\/rg\s+\d+s ago\n$/);
    expect(await ok(["approvals", "allowlist", "add", "/usr/bin/rg", "--agent", "main"])).toBe("Already allowlisted.\n");
    await ok(["approvals", "allowlist", "add", "/bin/uname"]);
    const both = JSON.parse(await ok(["approvals", "get", "--json"]));
    expect(Object.keys(both.file.agents).sort()).toEqual(["*", "main"]);
    expect(both.file.agents["*"].allowlist.map((e: any) => e.pattern)).toEqual(["/bin/uname"]);

    const removed = await ok(["approvals", "allowlist", "remove", "/usr/bin/rg", "--agent", "main"]);
    expect(removed).toContain("Allowlist  1\n");
    expect(await ok(["approvals", "allowlist", "remove", "/usr/bin/rg", "--agent", "main"])).toBe("Pattern not found.\n");
    // The agent entry had nothing else: it is gone.
    expect(Object.keys(JSON.parse(readFileSync(path, "utf8")).agents)).toEqual(["*"]);
  });

  test("--node targets a connected node through the gateway", async () => {
    let stored = { path: "/n/exec-approvals.json", exists: true, hash: "n1", file: { version: 1, agents: {} } as Record<string, unknown> };
    const sets: any[] = [];
    const n = await SimulatedNode.connect(gw.url, {
      token: gw.token,
      displayName: "build-box",
      commands: ["system.execApprovals.get", "system.execApprovals.set"],
      handlers: {
        "system.execApprovals.get": () => stored,
        "system.execApprovals.set": (params: any) => {
          sets.push(params);
          stored = { ...stored, hash: "n2", file: params.file };
          return stored;
        },
      },
    });
    try {
      expect(JSON.parse(await ok(["approvals", "get", "--node", "build-box", "--json"]))).toEqual(stored);
      const out = await ok(["approvals", "allowlist", "add", "/usr/bin/make", "--node", "build-box"]);
      expect(out).toContain(`Target     node:${n.nodeId}\n`);
      expect(sets).toHaveLength(1);
      expect(sets[0].baseHash).toBe("n1");
      expect(sets[0].file.agents["*"].allowlist[0].pattern).toBe("/usr/bin/make");
    } finally {
      n.close();
    }
  });

  test("errors: no file given, an unparsable file, a file the gateway refuses, an unknown node", async () => {
    expect((await cli(["approvals", "set"])).stderr).toContain("Provide --file <path> or --stdin.");
    const bad = join(home, "bad.json");
    writeFileSync(bad, "{ nope");
    const unparsable = await cli(["approvals", "set", "--file", bad]);
    expect(unparsable.code).toBe(1);
    expect(unparsable.stderr).toContain(`Could not parse ${bad}`);
    writeFileSync(bad, JSON.stringify({ defaults: { ask: "sometimes" } }));
    const invalid = await cli(["approvals", "set", "--file", bad]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain("invalid exec approvals file: defaults.ask: must be one of off, on-miss, always (INVALID_REQUEST)");
    const unknown = await cli(["approvals", "get", "--node", "nope-node"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Unknown node "nope-node".');
  });
});

describe("openclaw approvals pending | allow | deny", () => {
  test("lists what waits; allow (by an 8-char prefix), allow --always and deny answer the requester; unknown ids are named", async () => {
    const { sock } = await connectClient(gw.url, gw.token, { scopes: ["operator.approvals"] });
    try {
      const ask = (id: string, command: string) => sock.send({ type: "req", id: `req-${id}`, method: "exec.approval.request", params: { id, command, cwd: "/srv/work", agentId: "main", host: "gateway", timeoutMs: 60_000 } });
      const answerOf = (id: string) => sock.nextMatching((f) => f.type === "res" && f.id === `req-${id}`);
      expect(await ok(["approvals", "pending"])).toBe("No pending approvals.\n");
      ask("0a1b2c3d-1111-4111-8111-000000000001", "uptime");
      ask("9f8e7d6c-2222-4222-8222-000000000002", "df -h");
      ask("5a5a5a5a-3333-4333-8333-000000000003", "rm -rf build");
      await waitFor(async () => JSON.parse(await ok(["approvals", "pending", "--json"])).length === 3, "three pending approvals");

      const listed = JSON.parse(await ok(["approvals", "pending", "--json"]));
      expect(listed.map((a: any) => a.request.command)).toEqual(["uptime", "df -h", "rm -rf build"]);
      expect(listed[0]).toMatchObject({ id: "0a1b2c3d-1111-4111-8111-000000000001", request: { command: "uptime", cwd: "/srv/work", agentId: "main" }, approvalKind: "exec" });
      expect(listed[0].expiresAtMs - listed[0].createdAtMs).toBe(60_000);
      const table = await ok(["approvals", "pending"]);
      expect(table).toMatch(/^ID\s+AGENT\s+ASKED\s+EXPIRES IN\s+CWD\s+COMMAND\n0a1b2c3d\s+main\s+\d+s ago\s+\d+s\s+\/srv\/work\s+uptime\n/);
      expect(table).toContain("openclaw approvals allow <id> [--always]");

      expect(await ok(["approvals", "allow", "0a1b2c3d"])).toBe("Allowed once: uptime (0a1b2c3d-1111-4111-8111-000000000001)\n");
      expect((await answerOf("0a1b2c3d-1111-4111-8111-000000000001")).payload.decision).toBe("allow-once");
      await ok(["approvals", "allow", "9f8e7d6c-2222-4222-8222-000000000002", "--always"]);
      expect((await answerOf("9f8e7d6c-2222-4222-8222-000000000002")).payload.decision).toBe("allow-always");
      expect(await ok(["approvals", "deny", "5a5a5a5a"])).toBe("Denied: rm -rf build (5a5a5a5a-3333-4333-8333-000000000003)\n");
      expect((await answerOf("5a5a5a5a-3333-4333-8333-000000000003")).payload.decision).toBe("deny");

      const gone = await cli(["approvals", "allow", "0a1b2c3d"]);
      expect(gone.code).toBe(1);
      expect(gone.stderr).toContain('No waiting approval with id "0a1b2c3d" (it may have been answered or expired; nothing is waiting).');
      expect(await ok(["approvals", "pending"])).toBe("No pending approvals.\n");
    } finally {
      sock.close();
    }
  });

  test("pickApproval: exact ids, unique prefixes of 6+ characters; short, ambiguous and unknown ones are refused by name", () => {
    const a = (id: string) => ({ id, request: { command: id }, createdAtMs: 0, expiresAtMs: 1 });
    const list = [a("abcdef01-x"), a("abcdef02-y"), a("123")];
    expect(pickApproval(list, "123").id).toBe("123");
    expect(pickApproval(list, "ABCDEF01").id).toBe("abcdef01-x");
    expect(() => pickApproval(list, "abcdef")).toThrow('Approval id "abcdef" is ambiguous (2 waiting approvals start with it); use more characters.');
    expect(() => pickApproval(list, "abcde")).toThrow('No waiting approval with id "abcde" (it may have been answered or expired; see `openclaw approvals pending`).');
    expect(() => pickApproval(list, " ")).toThrow(CliError);
  });
});

describe("allowlist edits", () => {
  test("add creates the agent, skips a pattern already there; remove drops an agent left empty", () => {
    const file: ExecApprovalsFile = { version: 1, agents: { main: { security: "allowlist" } } };
    expect(addAllowlistPattern(file, "main", "/bin/ls")).toBe(true);
    expect(addAllowlistPattern(file, "main", "/bin/ls")).toBe(false);
    expect(addAllowlistPattern(file, "ops", "/bin/df")).toBe(true);
    expect(file.agents!.main!.allowlist!.map((e) => e.pattern)).toEqual(["/bin/ls"]);
    expect(removeAllowlistPattern(file, "ops", "/bin/df")).toBe(true);
    expect(file.agents!.ops).toBeUndefined();
    expect(removeAllowlistPattern(file, "main", "/bin/ls")).toBe(true);
    // main keeps its policy.
    expect(file.agents!.main).toEqual({ security: "allowlist" });
    expect(removeAllowlistPattern(file, "main", "/bin/ls")).toBe(false);
  });

  test("parseApprovalsText: JSON5 in, version 1 out; anything but an object is refused", () => {
    expect(parseApprovalsText("{agents: {}, version: 3}", "f")).toEqual({ agents: {}, version: 1 });
    expect(() => parseApprovalsText("[1]", "f")).toThrow(CliError);
    expect(() => parseApprovalsText("{", "f")).toThrow(/Could not parse f/);
  });
});
