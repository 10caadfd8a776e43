/**
 * The skills methods over the protocol: `skills.status` (every skill with what is missing), `skills.update`
 * (writes `skills.entries.<key>` like config.patch; secrets redacted in its answer and in config.get),
 * `skills.bins` (nodes only). Replaces the earlier "not served yet" check: the methods are served now. A
 * SecretRef apiKey satisfies the primaryEnv only while it resolves, and its value is in no answer.
 */
import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TEST_TOKEN } from "../helpers/gateway.ts";
import { useCleanup } from "../helpers/protocol.ts";
import { connectClient } from "../helpers/ws.ts";

const env = useCleanup();

function workspaceWithSkill(): string {
  const ws = mkdtempSync(join(tmpdir(), "skills-ws-"));
  env.defer(() => rmSync(ws, { recursive: true, force: true }));
  const dir = join(ws, "skills", "needs-tool");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "SKILL.md"), '---\nname: needs-tool\ndescription: Uses a tool nobody has\nmetadata: {"openclaw": {"requires": {"bins": ["no-such-tool-skills-test"], "env": ["NEEDS_TOOL_KEY"]}, "primaryEnv": "NEEDS_TOOL_KEY"}}\n---\nRun it.\n');
  return ws;
}

async function start(extra: Record<string, unknown> = {}) {
  const ws = workspaceWithSkill();
  const config = { gateway: { mode: "local" as const, auth: { token: TEST_TOKEN } }, agents: { defaults: { workspace: ws } }, ...extra };
  const gw = await env.gateway({ config });
  // The file the writes start from holds what the gateway runs, so a skills change is the only difference.
  writeFileSync(join(gw.stateDir, "openclaw.json"), JSON.stringify({ ...config, canvasHost: { root: join(gw.stateDir, "canvas") } }));
  const { sock, hello } = await connectClient(gw.url, gw.token, { scopes: ["operator.admin"] });
  env.defer(() => sock.close());
  return { gw, sock, hello, ws };
}

test("skills.status lists bundled and workspace skills with the missing requirements", async () => {
  const { gw, sock, hello, ws } = await start();
  expect(hello.features.methods).toContain("skills.status");
  expect(hello.features.methods).toContain("skills.update");
  const res = await sock.request("skills.status", {});
  expect(res.ok).toBe(true);
  const report = res.payload;
  expect(report.workspaceDir).toBe(ws);
  expect(report.managedSkillsDir).toBe(join(gw.stateDir, "skills"));
  const byName = Object.fromEntries(report.skills.map((s: { name: string }) => [s.name, s]));
  expect(byName.weather).toMatchObject({ source: "openclaw-bundled", bundled: true, eligible: true });
  expect(byName["needs-tool"]).toMatchObject({
    source: "openclaw-workspace",
    eligible: false,
    disabled: false,
    missing: { bins: ["no-such-tool-skills-test"], env: ["NEEDS_TOOL_KEY"], config: [], os: [] },
  });
  expect(byName["needs-tool"].path).toMatch(/skills\/needs-tool\/SKILL\.md$/);
  const unknown = await sock.request("skills.status", { agentId: "nobody" });
  expect(unknown.ok).toBe(false);
  expect(unknown.error.code).toBe("INVALID_REQUEST");
});

test("skills.update writes the entry; apiKey satisfies the primaryEnv; secrets are redacted in answers", async () => {
  const { gw, sock } = await start();
  const res = await sock.request("skills.update", { skillKey: "needs-tool", apiKey: "sk-secret-123", env: { OTHER_VAR: "hidden-value" } });
  expect(res.ok).toBe(true);
  expect(res.payload).toEqual({ ok: true, skillKey: "needs-tool", config: { apiKey: "__OPENCLAW_REDACTED__", env: { OTHER_VAR: "__OPENCLAW_REDACTED__" } } });
  const file = JSON.parse(readFileSync(join(gw.stateDir, "openclaw.json"), "utf8"));
  expect(file.agents.defaults.workspace).toBeString();
  expect(file.skills.entries["needs-tool"]).toEqual({ apiKey: "sk-secret-123", env: { OTHER_VAR: "hidden-value" } });
  const got = await sock.request("config.get", {});
  expect(JSON.stringify(got.payload)).not.toContain("sk-secret-123");
  expect(JSON.stringify(got.payload)).not.toContain("hidden-value");

  const status = (await sock.request("skills.status", {})).payload.skills.find((s: { name: string }) => s.name === "needs-tool");
  expect(status.missing.env).toEqual([]);
  expect(status.missing.bins).toEqual(["no-such-tool-skills-test"]);

  // Disable, then clear the key: other fields stay, an empty apiKey removes it.
  expect((await sock.request("skills.update", { skillKey: "needs-tool", enabled: false, apiKey: "" })).payload.config).toEqual({ enabled: false, env: { OTHER_VAR: "__OPENCLAW_REDACTED__" } });
  const after = (await sock.request("skills.status", {})).payload.skills.find((s: { name: string }) => s.name === "needs-tool");
  expect(after).toMatchObject({ disabled: true, eligible: false, missing: { env: ["NEEDS_TOOL_KEY"] } });

  const bad = await sock.request("skills.update", { skillKey: "needs-tool", env: { "BAD NAME": "x" } });
  expect(bad.ok).toBe(false);
  expect(bad.error.message).toContain("BAD NAME");
});

test("skills.update needs operator.admin; skills.bins is for nodes", async () => {
  const { gw } = await start();
  const { sock } = await connectClient(gw.url, gw.token, { scopes: ["operator.read", "operator.write"] });
  env.defer(() => sock.close());
  expect((await sock.request("skills.status", {})).ok).toBe(true);
  const upd = await sock.request("skills.update", { skillKey: "weather", enabled: false });
  expect(upd.ok).toBe(false);
  expect(upd.error.message).toContain("operator.admin");
  expect((await sock.request("skills.bins", {})).ok).toBe(false);
});

test("a SecretRef apiKey counts for the primaryEnv while it resolves; skills.status and config.get never show the value", async () => {
  const name = "SKILLS_STATUS_REF_SECRET";
  env.defer(() => delete process.env[name]);
  const { sock } = await start({ skills: { entries: { "needs-tool": { apiKey: { source: "env", id: name } } } } });
  const status = async () => (await sock.request("skills.status", {})).payload;
  const needsTool = (report: { skills: { name: string }[] }) => report.skills.find((s) => s.name === "needs-tool") as unknown as { missing: { env: string[] } };
  expect(needsTool(await status()).missing.env).toEqual(["NEEDS_TOOL_KEY"]);
  process.env[name] = "ref-resolved-secret-9";
  const report = await status();
  expect(needsTool(report).missing.env).toEqual([]);
  expect(JSON.stringify(report)).not.toContain("ref-resolved-secret-9");
  const got = await sock.request("config.get", {});
  expect(got.ok).toBe(true);
  expect(JSON.stringify(got.payload)).not.toContain("ref-resolved-secret-9");
  expect(got.payload.config.skills.entries["needs-tool"].apiKey).toEqual({ source: "env", id: name });
});
