/**
 * The agent's `canvas` tool: end to end (fake provider scripts the tool call, a simulated node receives the
 * canvas command through the gateway), invalid A2UI stopped before the node with the line named in the
 * model's tool result, node selection, command choice per action, and presence only with a nodes accessor.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { buildTools, type ToolNode, type ToolNodes } from "../../src/agent/index.ts";
import { pickNode } from "../../src/agent/tools/canvas.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { createMemoryStore } from "../../src/store/index.ts";
import { type AgentGateway, collectUntil, startAgentFixture } from "../helpers/agent-gateway.ts";
import type { FakeProvider } from "../helpers/fake-provider.ts";
import { TEST_TOKEN } from "../helpers/gateway.ts";
import { SimulatedNode } from "../helpers/node.ts";
import type { TestSocket } from "../helpers/ws.ts";

const VALID_JSONL = [
  '{"surfaceUpdate":{"surfaceId":"main","components":[{"id":"root","component":{"Column":{"children":{"explicitList":["t"]}}}},{"id":"t","component":{"Text":{"text":{"literalString":"Hello"}}}}]}}',
  '{"beginRendering":{"surfaceId":"main","root":"root"}}',
].join("\n");
const BAD_JSONL = `${VALID_JSONL.split("\n")[0]}\n{"beginRendering":{"surfaceId":"main"}}`;

describe("through the gateway", () => {
  let fake: FakeProvider;
  let gw: AgentGateway;
  let op: TestSocket;
  let node: SimulatedNode;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ fake, gw, sock: op, stop } = await startAgentFixture());
    node = await SimulatedNode.connect(gw.url, {
      token: TEST_TOKEN,
      displayName: "Pixel",
      commands: ["canvas.present", "canvas.hide", "canvas.a2ui.push", "canvas.a2ui.pushJSONL", "canvas.a2ui.reset"],
      handlers: { "canvas.a2ui.pushJSONL": () => undefined, "canvas.present": () => ({ visible: true }) },
    });
    expect(node.hello).toBeDefined();
  });
  afterAll(async () => {
    node.close();
    await stop();
  });

  /** Runs `agent` and returns the canvas tool's result event and the run's final. */
  async function runWithTool(runId: string, args: Record<string, unknown>) {
    fake.push({ toolCalls: [{ id: `call-${runId}`, name: "canvas", args }] }, { text: "Done." });
    op.send({ type: "req", id: runId, method: "agent", params: { message: "show something", idempotencyKey: runId } });
    const frames = await collectUntil(op, (f) => f.type === "res" && f.id === runId && f.payload?.status !== "accepted");
    const tool = frames.filter((f) => f.event === "agent" && f.payload.runId === runId && f.payload.stream === "tool").map((f) => f.payload.data);
    return { result: tool.find((t) => t.phase === "result"), final: frames.at(-1) };
  }

  test("a2ui_push with valid JSONL: the node receives canvas.a2ui.pushJSONL with exactly that JSONL", async () => {
    const before = node.invokes.length;
    const { result, final } = await runWithTool("canvas-ok", { action: "a2ui_push", jsonl: VALID_JSONL });
    expect(final.ok).toBe(true);
    expect(result).toMatchObject({ name: "canvas", isError: false, result: "ok" });
    const sent = node.invokes.slice(before);
    expect(sent.map((i) => i.command)).toEqual(["canvas.a2ui.pushJSONL"]);
    expect(JSON.parse(sent[0]!.paramsJSON as string)).toEqual({ jsonl: VALID_JSONL });
    expect(sent[0]!.timeoutMs).toBe(30_000);
    // The tool is offered to the model with the A2UI description.
    const offered = fake.requests.at(-2)?.body.tools.find((t: any) => t.function.name === "canvas");
    expect(offered.function.description).toContain("beginRendering, surfaceUpdate, dataModelUpdate or deleteSurface");
  });

  test("invalid JSONL never reaches the node; the model gets an error result naming the line", async () => {
    const before = node.invokes.length;
    const { result, final } = await runWithTool("canvas-bad", { action: "a2ui_push", jsonl: BAD_JSONL });
    expect(final.ok).toBe(true);
    expect(result.isError).toBe(true);
    expect(result.result).toContain("invalid A2UI: line 2: beginRendering.root is required");
    expect(node.invokes.length).toBe(before);
    const back = fake.requests.at(-1)?.body.messages.at(-1);
    expect(back).toMatchObject({ role: "tool", tool_call_id: "call-canvas-bad" });
    expect(JSON.stringify(back.content)).toContain("line 2");
  });

  test("present returns the node's payload; a node named by display name", async () => {
    const { result } = await runWithTool("canvas-present", { action: "present", node: "pixel", url: "https://example.com/" });
    expect(result).toMatchObject({ isError: false, result: 'ok\n{"visible":true}' });
    const last = node.invokes.at(-1)!;
    expect(last.command).toBe("canvas.present");
    expect(JSON.parse(last.paramsJSON as string)).toEqual({ url: "https://example.com/" });
  });
});

describe("the tool on its own", () => {
  const nodeA: ToolNode = { nodeId: "aaaa1111", displayName: "Phone", commands: ["canvas.present", "canvas.hide", "canvas.navigate", "canvas.a2ui.pushJSONL", "canvas.a2ui.push", "canvas.a2ui.reset"] };
  const nodeB: ToolNode = { nodeId: "bbbb2222", displayName: "Mac", commands: ["canvas.present", "canvas.a2ui.push"] };
  const nodeC: ToolNode = { nodeId: "cccc3333", displayName: "Sensor", commands: ["device.info"] };

  function fakeNodes(list: ToolNode[]) {
    const calls: { nodeId: string; command: string; params?: unknown; timeoutMs: number; idempotencyKey: string }[] = [];
    const nodes: ToolNodes = {
      list: () => list,
      async invoke(input) {
        calls.push(input);
        return {};
      },
    };
    return { nodes, calls };
  }
  function canvasTool(nodes?: ToolNodes, config: OpenClawConfig = {}) {
    return buildTools({ config, store: createMemoryStore(), agentId: "main", sessionKey: "agent:main:main", nodes }).find((t) => t.name === "canvas");
  }
  const signal = new AbortController().signal;

  test("present only with a nodes accessor, and subject to tools.allow / tools.deny", () => {
    const { nodes } = fakeNodes([nodeA]);
    expect(canvasTool()).toBeUndefined();
    expect(canvasTool(nodes)).toBeDefined();
    expect(canvasTool(nodes, { tools: { deny: ["canvas"] } })).toBeUndefined();
    expect(canvasTool(nodes, { tools: { allow: ["web_fetch"] } })).toBeUndefined();
    expect(canvasTool(nodes, { tools: { allow: ["canvas"] } })).toBeDefined();
  });

  test("node selection: the only capable node, by id / prefix / name, and clear errors", async () => {
    expect(pickNode([nodeA, nodeC], undefined, ["canvas.hide"])).toBe(nodeA);
    expect(pickNode([nodeA, nodeB], "bbbb", ["canvas.present"])).toBe(nodeB);
    expect(pickNode([nodeA, nodeB], "MAC", ["canvas.present"])).toBe(nodeB);
    expect(pickNode([nodeA, nodeB], "aaaa1111", ["canvas.present"])).toBe(nodeA);
    expect(() => pickNode([nodeA, nodeB], undefined, ["canvas.present"])).toThrow("several connected nodes support canvas.present: Phone (aaaa1111), Mac (bbbb2222); pass node");
    expect(() => pickNode([], undefined, ["canvas.present"])).toThrow("no node is connected");
    expect(() => pickNode([nodeC], undefined, ["canvas.present"])).toThrow("no connected node supports canvas.present (connected: Sensor (cccc3333))");
    expect(() => pickNode([nodeA, nodeB], "tablet", ["canvas.present"])).toThrow('no connected node matches "tablet" (connected: Phone (aaaa1111), Mac (bbbb2222))');
    expect(() => pickNode([nodeA, nodeB], "Mac", ["canvas.hide"])).toThrow("node Mac (bbbb2222) does not support canvas.hide");

    const { nodes, calls } = fakeNodes([nodeA, nodeB]);
    await expect(canvasTool(nodes)!.execute({ action: "present" }, { signal })).rejects.toThrow("several connected nodes");
    expect(calls).toEqual([]);
  });

  test("each action sends its command with a fresh idempotency key and a 30 s timeout", async () => {
    const { nodes, calls } = fakeNodes([nodeA]);
    const tool = canvasTool(nodes)!;
    expect(await tool.execute({ action: "present" }, { signal })).toBe("ok");
    await tool.execute({ action: "navigate", url: "https://example.com/a" }, { signal });
    await tool.execute({ action: "hide" }, { signal });
    await tool.execute({ action: "a2ui_reset" }, { signal });
    await tool.execute({ action: "a2ui_push", messages: [{ deleteSurface: { surfaceId: "main" } }] }, { signal });
    expect(calls.map((c) => [c.command, c.params])).toEqual([
      ["canvas.present", {}],
      ["canvas.navigate", { url: "https://example.com/a" }],
      ["canvas.hide", {}],
      ["canvas.a2ui.reset", {}],
      ["canvas.a2ui.pushJSONL", { jsonl: '{"deleteSurface":{"surfaceId":"main"}}' }],
    ]);
    expect(new Set(calls.map((c) => c.idempotencyKey)).size).toBe(calls.length);
    expect(calls.every((c) => c.timeoutMs === 30_000 && c.nodeId === "aaaa1111")).toBe(true);
    await expect(tool.execute({ action: "navigate" }, { signal })).rejects.toThrow("navigate needs url");
    await expect(tool.execute({ action: "a2ui_push" }, { signal })).rejects.toThrow("exactly one of jsonl");
    await expect(tool.execute({ action: "a2ui_push", jsonl: VALID_JSONL, messages: [] }, { signal })).rejects.toThrow("exactly one of jsonl");
    await expect(tool.execute({ action: "jump" }, { signal })).rejects.toThrow('unknown action "jump"');
    // Arguments are schema-checked before the tool runs: an unknown field is named.
    await expect(tool.execute({ action: "a2ui_push", jsonlPath: "/etc/passwd" }, { signal })).rejects.toThrow('invalid arguments for canvas: unknown field "jsonlPath"');
    expect(calls).toHaveLength(5);
  });

  test("a run already aborted sends nothing, and a failing invoke it leaves behind is not an unhandled rejection", async () => {
    const calls: string[] = [];
    const invokes: Promise<unknown>[] = [];
    const nodes: ToolNodes = {
      list: () => [nodeA],
      invoke: (input) => {
        calls.push(input.command);
        // A node that answers late, and with a failure.
        const p = Bun.sleep(5).then(() => Promise.reject(new Error("node invoke timed out")));
        invokes.push(p);
        return p;
      },
    };
    const aborted = new AbortController();
    aborted.abort("rpc");
    await expect(canvasTool(nodes)!.execute({ action: "present" }, { signal: aborted.signal })).rejects.toThrow("aborted");
    expect(calls).toEqual([]);
    // Aborted mid-call: the invoke's later failure is still caught (an unhandled one ends the Bun process).
    const midway = new AbortController();
    const running = canvasTool(nodes)!.execute({ action: "hide" }, { signal: midway.signal });
    midway.abort("rpc");
    await expect(running).rejects.toThrow("aborted");
    // Settle: the invoke has failed and a turn of the event loop has passed (an unhandled rejection shows then).
    await Promise.allSettled(invokes);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual(["canvas.hide"]);
  });

  test("a node without pushJSONL gets canvas.a2ui.push with the parsed messages", async () => {
    const { nodes, calls } = fakeNodes([nodeB]);
    await canvasTool(nodes)!.execute({ action: "a2ui_push", jsonl: VALID_JSONL }, { signal });
    expect(calls.map((c) => c.command)).toEqual(["canvas.a2ui.push"]);
    expect(calls[0]!.params).toEqual({ messages: VALID_JSONL.split("\n").map((l) => JSON.parse(l)) });
    await expect(canvasTool(nodes)!.execute({ action: "a2ui_push", jsonl: "{}\nnot json" }, { signal })).rejects.toThrow("invalid A2UI: line 2: not valid JSON");
    expect(calls).toHaveLength(1);
  });
});
