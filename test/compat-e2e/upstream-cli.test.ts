/**
 * The upstream 2026.2.3 CLI against our compiled binary (the way a user with the upstream CLI installed
 * reaches our gateway): a one-shot `cron add --at` job runs on agent:<agentId>:cron:<id> and is gone from
 * `cron list` afterwards, `sessions.list` has the context figures, and `config.schema` is form-renderable.
 */
import { afterAll, beforeAll, describe, expect } from "bun:test";
import { rmSync } from "node:fs";
import { unsupportedFormPaths } from "../helpers/form-schema.ts";
import { parseCliJson, referenceForSuite, runUpstreamCli } from "../helpers/upstream.ts";
import { connectClient } from "../helpers/ws.ts";
import type { TestSocket } from "../helpers/ws.ts";
import { startUpstreamUiEnv, type UpstreamUiEnv } from "./_setup.ts";

const { ref, run } = referenceForSuite("upstream CLI e2e");
let env: UpstreamUiEnv;
let events: TestSocket;

beforeAll(async () => {
  if (!ref) return;
  env = await startUpstreamUiEnv(ref);
  ({ sock: events } = await connectClient(env.url, env.token, { scopes: ["operator.admin"] }));
}, 60_000);
afterAll(async () => {
  events?.close();
  await env?.stop();
});

const cli = (args: string[]) => runUpstreamCli(ref!, env, args, { timeoutMs: 60_000 });

describe("upstream CLI against our gateway", () => {
  run("cron add --at: deleteAfterRun by default, runs on agent:main:cron:<id>, gone from cron list after", async () => {
    env.fake.push({ text: "pong", usage: { input: 6, output: 2 } });
    const add = await cli(["cron", "add", "--name", "once", "--at", "1s", "--session", "isolated", "--message", "ping", "--no-deliver", "--json"]);
    expect({ code: add.code, stderr: add.stderr }).toEqual({ code: 0, stderr: "" });
    const job = parseCliJson(add.stdout);
    expect(job).toMatchObject({ deleteAfterRun: true, schedule: { kind: "at" }, sessionTarget: "isolated" });
    await events.nextMatching((f) => f.event === "cron" && f.payload.jobId === job.id && f.payload.action === "removed", 30_000);

    const list = await cli(["cron", "list", "--all", "--json"]);
    expect(list.code).toBe(0);
    expect(parseCliJson(list.stdout).jobs).toEqual([]);
    const runs = await cli(["cron", "runs", "--id", job.id]);
    expect(runs.code).toBe(0);
    expect(parseCliJson(runs.stdout).entries).toEqual([expect.objectContaining({ jobId: job.id, action: "finished", status: "ok", summary: "pong" })]);

    const sessions = await cli(["gateway", "call", "sessions.list", "--json"]);
    expect(sessions.code).toBe(0);
    const row = parseCliJson(sessions.stdout).sessions.find((r: any) => r.key === `agent:main:cron:${job.id}`);
    expect(row).toMatchObject({ totalTokens: 8, contextTokens: 200_000, modelProvider: "local", model: "m1" });
  }, 90_000);

  run("gateway call config.schema: the form-renderable schema with hints", async () => {
    const r = await cli(["gateway", "call", "config.schema", "--json"]);
    expect(r.code).toBe(0);
    const res = parseCliJson(r.stdout);
    expect(unsupportedFormPaths(res.schema)).toEqual([]);
    expect(res.uiHints["gateway.auth.token"]).toMatchObject({ sensitive: true });
  }, 60_000);
});

describe("the harness", () => {
  run("a missing install skips, or fails when OPENCLAW_REQUIRE_REFERENCE is set", async () => {
    const { locateReference, referenceForSuite: forSuite } = await import("../helpers/upstream.ts");
    const empty = `${env.home}/no-reference`;
    const saved = { dir: process.env.OPENCLAW_REFERENCE_DIR, req: process.env.OPENCLAW_REQUIRE_REFERENCE };
    try {
      process.env.OPENCLAW_REFERENCE_DIR = empty;
      expect(locateReference()).toBeUndefined();
      delete process.env.OPENCLAW_REQUIRE_REFERENCE;
      expect(forSuite("probe").ref).toBeUndefined();
      process.env.OPENCLAW_REQUIRE_REFERENCE = "1";
      expect(() => forSuite("probe")).toThrow(/OPENCLAW_REQUIRE_REFERENCE/);
    } finally {
      for (const [k, v] of [["OPENCLAW_REFERENCE_DIR", saved.dir], ["OPENCLAW_REQUIRE_REFERENCE", saved.req]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
