/**
 * `openclaw memory search|status|reindex` run as a real CLI process against an in-process gateway whose
 * agent workspace holds memory files: text and --json output, --agent, --max checked locally, a query
 * without words refused by the gateway with its message, and the advice when no gateway answers.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseMax } from "../../src/cli/commands/memory.ts";
import { CliError } from "../../src/errors.ts";
import { cliRunner, runCli } from "../helpers/cli.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../helpers/gateway.ts";

let gw: TestGateway;
let home: string;
let ws: string;

beforeAll(async () => {
  home = realpathSync(mkdtempSync(join(tmpdir(), "openclaw-cli-memory-")));
  ws = join(home, "workspace");
  mkdirSync(join(ws, "memory"), { recursive: true });
  writeFileSync(join(ws, "MEMORY.md"), "# Travel\nPrefers window seats.\n");
  writeFileSync(join(ws, "memory", "2026-12-01.md"), "Lunch with Sam on Friday.\n");
  gw = await startTestGateway({
    config: { gateway: { mode: "local", auth: { token: TEST_TOKEN } }, browser: { enabled: false }, agents: { list: [{ id: "main", default: true, workspace: ws }, { id: "empty", workspace: join(home, "none") }] } },
  });
});
afterAll(async () => {
  await gw.stop();
  rmSync(home, { recursive: true, force: true });
});

const { cli, ok } = cliRunner(() => ({ url: gw.url, token: gw.token, home }));

describe("openclaw memory", () => {
  test("search prints path:lines, score and the snippet; --json the method's answer", async () => {
    const text = await ok(["memory", "search", "window seats"]);
    expect(text).toMatch(/^MEMORY\.md:1-2 {2}\(score \d+\.\d\d\)\n {4}# Travel\n {4}Prefers window seats\.\n$/);
    const json = JSON.parse(await ok(["memory", "search", "sam", "--json", "--max", "1"]));
    expect(json).toMatchObject({ agentId: "main", results: [{ path: "memory/2026-12-01.md", startLine: 1, endLine: 1, snippet: "Lunch with Sam on Friday." }] });
    expect(await ok(["memory", "search", "sam", "--agent", "empty"])).toBe('No memory matches "sam" (agent empty).\n');
  });

  test("status and reindex list every agent", async () => {
    const status = await ok(["memory", "status"]);
    expect(status.split("\n")[0]).toMatch(/^AGENT\s+FILES\s+CHUNKS\s+INDEXED\s+WATCHING\s+WORKSPACE$/);
    expect(status).toMatch(new RegExp(`main\\s+2\\s+2\\s+\\d+[smhd] ago\\s+yes\\s+${ws}`));
    expect(status).toMatch(/empty\s+0\s+0\s+-\s+missing/);
    const re = await ok(["memory", "reindex", "--agent", "main", "--full"]);
    expect(re).toMatch(/^main: 2 files, 2 chunks \(added 2, updated 0, removed 0\) in \d+ ms\n$/);
    expect(JSON.parse(await ok(["memory", "status", "--agent", "main", "--json"])).agents).toHaveLength(1);
  });

  test("errors: a query without words, an unknown agent, a bad --max, no gateway", async () => {
    const quote = await cli(["memory", "search", '"']);
    expect(quote.code).toBe(1);
    expect(quote.stderr).toContain("no words to search for");
    expect(quote.stderr).toContain("INVALID_REQUEST");
    const ghost = await cli(["memory", "status", "--agent", "ghost"]);
    expect(ghost.code).toBe(1);
    expect(ghost.stderr).toContain('unknown agent id "ghost"');
    const max = await cli(["memory", "search", "x", "--max", "0"]);
    expect(max.code).toBe(1);
    expect(max.stderr).toContain('Invalid --max "0" (expected an integer from 1 to 50)');
    expect(() => parseMax("51")).toThrow(CliError);
    const down = await runCli({ url: "ws://127.0.0.1:9", token: gw.token, home }, ["memory", "reindex"]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/gateway/i);
  });
});
