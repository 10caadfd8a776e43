/**
 * `openclaw nodes canvas …` run as a real CLI process (`bun src/main.ts`) against an in-process gateway
 * with a simulated node: --text builds valid A2UI, a bad --jsonl file fails locally naming its line (the
 * node gets nothing), stdin JSONL, navigate, and a2ui reset.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseA2uiJsonl } from "../../src/canvas/a2ui/app/processor.ts";
import { buildTextJsonl } from "../../src/cli/commands/nodes-canvas.ts";
import { cliRunner, runCli } from "../helpers/cli.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { SimulatedNode } from "../helpers/node.ts";

let gw: TestGateway;
let node: SimulatedNode;
let home: string;

beforeAll(async () => {
  gw = await startTestGateway();
  home = mkdtempSync(join(tmpdir(), "openclaw-cli-canvas-"));
  node = await SimulatedNode.connect(gw.url, {
    token: gw.token,
    displayName: "Wall display",
    commands: ["canvas.present", "canvas.navigate", "canvas.a2ui.pushJSONL", "canvas.a2ui.reset"],
    handlers: { "canvas.a2ui.pushJSONL": () => ({ surfaces: ["main"] }), "canvas.a2ui.reset": () => null, "canvas.navigate": () => null },
  });
  expect(node.hello).toBeDefined();
});
afterAll(async () => {
  node.close();
  await gw.stop();
  rmSync(home, { recursive: true, force: true });
});

/** Runs the CLI without blocking this process's event loop (the node and the gateway live here). */
const { cli } = cliRunner(() => ({ url: gw.url, token: gw.token, home }));

describe("nodes canvas", () => {
  test("--text builds a valid surface and the node receives it as pushJSONL", async () => {
    const before = node.invokes.length;
    const r = await cli(["nodes", "canvas", "a2ui", "push", "--node", "Wall display", "--text", "Hello from the CLI"]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(r.stdout)).toEqual({ surfaces: ["main"] });
    const sent = node.invokes.slice(before);
    expect(sent.map((i) => i.command)).toEqual(["canvas.a2ui.pushJSONL"]);
    const { jsonl } = JSON.parse(sent[0]!.paramsJSON as string);
    expect(jsonl).toBe(buildTextJsonl("Hello from the CLI"));
    const parsed = parseA2uiJsonl(jsonl);
    expect(parsed.errors).toEqual([]);
    expect(Object.keys(parsed.messages[0]!)).toEqual(["surfaceUpdate"]);
    expect(Object.keys(parsed.messages[1]!)).toEqual(["beginRendering"]);
    expect(jsonl).toContain('"literalString":"Hello from the CLI"');
  });

  test("a bad --jsonl file fails locally: exit 1, the line named, the node gets nothing", async () => {
    const file = join(home, "bad.jsonl");
    writeFileSync(file, `${buildTextJsonl("ok").split("\n")[0]}\n{"beginRendering":{"surfaceId":"main"}}\n`);
    const before = node.invokes.length;
    const r = await cli(["nodes", "canvas", "a2ui", "push", "--node", "Wall display", "--jsonl", file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Invalid A2UI in ${file}`);
    expect(r.stderr).toContain("line 2: beginRendering.root is required");
    expect(node.invokes.length).toBe(before);

    // Checked before connecting: an unreachable gateway makes no difference.
    const offline = await runCli({ url: "ws://127.0.0.1:9", token: "t", home }, ["nodes", "canvas", "a2ui", "push", "--node", "x", "--jsonl", file]);
    expect(offline.code).toBe(1);
    expect(offline.stderr).toContain("line 2: beginRendering.root is required");
  });

  test("--jsonl - reads stdin; --jsonl and --text together are refused", async () => {
    const jsonl = buildTextJsonl("from stdin");
    const before = node.invokes.length;
    const r = await cli(["nodes", "canvas", "a2ui", "push", "--node", node.nodeId.slice(0, 8), "--jsonl", "-", "--json"], jsonl);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, nodeId: node.nodeId, command: "canvas.a2ui.pushJSONL" });
    expect(JSON.parse(node.invokes.at(-1)!.paramsJSON as string)).toEqual({ jsonl });
    const both = await cli(["nodes", "canvas", "a2ui", "push", "--node", "Wall display", "--jsonl", "-", "--text", "x"], jsonl);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain("Give exactly one of --jsonl <file> or --text <text>.");
    expect(node.invokes.length).toBe(before + 1);
  });

  test("a2ui reset and navigate", async () => {
    const before = node.invokes.length;
    const reset = await cli(["nodes", "canvas", "a2ui", "reset", "--node", "Wall display"]);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toBe(`ok: canvas.a2ui.reset on ${node.nodeId}\n`);
    const nav = await cli(["nodes", "canvas", "navigate", "https://example.com/board", "--node", "Wall display"]);
    expect(nav.code).toBe(0);
    expect(node.invokes.slice(before).map((i) => [i.command, JSON.parse(i.paramsJSON as string)])).toEqual([
      ["canvas.a2ui.reset", {}],
      ["canvas.navigate", { url: "https://example.com/board" }],
    ]);
  });

  test("help lists the canvas commands", async () => {
    const r = await cli(["nodes", "canvas", "--help"]);
    expect(r.code).toBe(0);
    for (const word of ["present", "hide", "navigate", "a2ui"]) expect(r.stdout).toContain(word);
  });
});
