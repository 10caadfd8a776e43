/**
 * `openclaw status --usage` as a real CLI process against an in-process gateway whose store holds model
 * calls of today and two days ago (one unpriced): the cost table, the provider line, and `--json`. The
 * formatters on their own: dollar and token amounts, an empty window.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatCostTable, formatTokens, formatUsd } from "../../src/cli/commands/_usage.ts";
import type { TranscriptMessage } from "../../src/store/index.ts";
import { type AgentGateway, agentConfig, startAgentGateway, tempWorkspace } from "../helpers/agent-gateway.ts";
import { cliRunner } from "../helpers/cli.ts";
import { type FakeProvider, startFakeProvider } from "../helpers/fake-provider.ts";
import { TEST_TOKEN } from "../helpers/gateway.ts";

const DAY = 86_400_000;
let fake: FakeProvider;
let gw: AgentGateway;
let home: string;
let workspace: string;
let now: number;

function assistant(ts: number, model: string, input: number, output: number): TranscriptMessage {
  return {
    role: "assistant",
    content: [{ type: "text", text: "answer" }],
    timestamp: ts,
    provider: "local",
    model,
    usage: { input, output, cacheRead: 0, cacheWrite: 0, totalTokens: input + output },
    stopReason: "stop",
  };
}

beforeAll(async () => {
  fake = startFakeProvider();
  workspace = tempWorkspace();
  home = mkdtempSync(join(tmpdir(), "openclaw-cli-usage-"));
  const config = agentConfig(fake, workspace);
  config.models!.providers!.local!.models = [{ id: "m1", cost: { input: 2, output: 10 } }, { id: "m2" }] as never;
  gw = await startAgentGateway(config);
  now = Date.now();
  gw.handle.ctx.store.setSession("agent:main:main", { sessionId: "s1", updatedAt: now });
  gw.handle.ctx.store.appendMessages("s1", [
    assistant(now - 2 * DAY, "m1", 1_000_000, 50_000), // $2 + $0.50
    assistant(now - 1000, "m1", 1200, 300), // $0.0024 + $0.003
    assistant(now - 500, "m2", 40, 2),
  ]);
});
afterAll(async () => {
  await gw.stop();
  fake.stop();
  rmSync(home, { recursive: true, force: true });
  rmSync(workspace, { recursive: true, force: true });
});

const { ok } = cliRunner(() => ({ url: gw.url, token: TEST_TOKEN, home, env: process.env.TZ ? { TZ: process.env.TZ } : undefined }));

const localDate = (ts: number) => new Date(ts).toLocaleDateString("en-CA");

describe("openclaw status --usage", () => {
  test("prints the provider line and a cost table of the last 30 days", async () => {
    const out = await ok(["status", "--usage"]);
    const lines = out.trimEnd().split("\n");
    const at = lines.indexOf("Provider usage: none available (no provider logins with usage reporting)");
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1)).toEqual([
      "Usage cost (last 30 days): $2.51 · 1.1M tokens",
      "1 model call has no price (set models.providers.<id>.models[].cost, USD per 1M tokens)",
      "DATE        INPUT  OUTPUT  CACHE READ  CACHE WRITE  TOKENS     COST  UNPRICED",
      `${localDate(now - 2 * DAY)}     1M     50k           0            0    1.1M    $2.50         0`,
      `${localDate(now)}   1.2k     302           0            0    1.5k  $0.0054         1`,
      "total          1M   50.3k           0            0    1.1M    $2.51         1",
    ]);
    // Without --usage nothing of it.
    expect(await ok(["status"])).not.toContain("Usage cost");
  });

  test("--json adds usage and cost beside the status fields", async () => {
    const json = JSON.parse(await ok(["status", "--usage", "--json"]));
    expect(json.sessions.count).toBe(1);
    expect(json.usage).toEqual({ updatedAt: expect.any(Number), providers: [] });
    expect(json.cost).toMatchObject({ days: 30, totals: { input: 1_001_240, output: 50_302, totalTokens: 1_051_542, missingCostEntries: 1 } });
    expect(json.cost.totals.totalCost).toBeCloseTo(2.5054, 10);
    expect(json.cost.daily.map((d: any) => d.date)).toEqual([localDate(now - 2 * DAY), localDate(now)]);
    expect(JSON.parse(await ok(["status", "--json"])).cost).toBeUndefined();
  });
});

describe("formatters", () => {
  test("amounts", () => {
    expect([0, 0.004, 0.05, 1.239, 12].map(formatUsd)).toEqual(["$0.00", "$0.0040", "$0.05", "$1.24", "$12.00"]);
    expect([0, 999, 1000, 12_345, 1_000_000, 4_560_000].map(formatTokens)).toEqual(["0", "999", "1k", "12.3k", "1M", "4.6M"]);
  });

  test("a window without calls", () => {
    const zero = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, totalTokens: 0, totalCost: 0, missingCostEntries: 0 };
    expect(formatCostTable({ updatedAt: 1, days: 1, daily: [], totals: zero })).toEqual(["Usage cost (last 1 day): $0.00 · 0 tokens", "No model calls."]);
  });
});
