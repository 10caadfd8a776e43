/**
 * The A2UI gate of `node.invoke`: `canvas.a2ui.push` and `canvas.a2ui.pushJSONL` with invalid A2UI are
 * refused with INVALID_REQUEST `invalid A2UI: …` before anything reaches the node, whoever calls (operator
 * RPC, POST /tools/invoke with the canvas tool); valid A2UI passes through unchanged.
 */
import { describe, expect, test } from "bun:test";
import type { TestGateway } from "../helpers/gateway.ts";
import { SimulatedNode } from "../helpers/node.ts";
import { useCleanup } from "../helpers/protocol.ts";
import { connectClient, type TestSocket } from "../helpers/ws.ts";

const env = useCleanup();

const SURFACE = { surfaceUpdate: { surfaceId: "main", components: [{ id: "root", component: { Column: { children: { explicitList: ["t"] } } } }, { id: "t", component: { Text: { text: { literalString: "Hi" } } } }] } };
const BEGIN = { beginRendering: { surfaceId: "main", root: "root" } };
const VALID_JSONL = `${JSON.stringify(SURFACE)}\n\n${JSON.stringify(BEGIN)}\n`;

async function setup(): Promise<{ gw: TestGateway; op: TestSocket; node: SimulatedNode }> {
  const gw = await env.gateway();
  const { sock: op } = await connectClient(gw.url, gw.token);
  env.defer(() => op.close());
  const node = await SimulatedNode.connect(gw.url, {
    token: gw.token,
    displayName: "Tablet",
    commands: ["canvas.a2ui.push", "canvas.a2ui.pushJSONL", "canvas.a2ui.reset"],
    handlers: { "canvas.a2ui.push": () => ({ rendered: true }), "canvas.a2ui.pushJSONL": () => ({ rendered: true }), "canvas.a2ui.reset": () => null },
  });
  env.defer(() => node.close());
  expect(node.hello).toBeDefined();
  return { gw, op, node };
}

function invoke(op: TestSocket, node: SimulatedNode, command: string, params: unknown) {
  return op.request("node.invoke", { nodeId: node.nodeId, command, params, idempotencyKey: crypto.randomUUID() });
}

describe("node.invoke with A2UI", () => {
  test("invalid pushJSONL: INVALID_REQUEST naming the line, the node sees nothing", async () => {
    const { op, node } = await setup();
    const res = await invoke(op, node, "canvas.a2ui.pushJSONL", { jsonl: `${JSON.stringify(SURFACE)}\n{"beginRendering":{"surfaceId":"main"}}\n{oops` });
    expect(res.ok).toBe(false);
    expect(res.error.code).toBe("INVALID_REQUEST");
    expect(res.error.message).toStartWith("invalid A2UI: ");
    expect(res.error.message).toContain("line 2: beginRendering.root is required");
    expect(res.error.message).toContain("; line 3: invalid JSON");
    const wrongType = await invoke(op, node, "canvas.a2ui.pushJSONL", { jsonl: 42 });
    expect(wrongType.error).toMatchObject({ code: "INVALID_REQUEST", message: "invalid A2UI: jsonl must be a string of A2UI JSONL" });
    expect(node.invokes).toEqual([]);
  });

  test("invalid push messages: every problem counted, at most 5 listed", async () => {
    const { op, node } = await setup();
    const messages = [BEGIN, { surfaceUpdate: { surfaceId: "", components: "x" } }, {}, { beginRendering: {}, deleteSurface: {} }, 7, { dataModelUpdate: { surfaceId: "main" } }, { deleteSurface: {} }];
    const res = await invoke(op, node, "canvas.a2ui.push", { messages });
    expect(res.error.code).toBe("INVALID_REQUEST");
    const listed = res.error.message.replace(/^invalid A2UI: /, "").replace(/ \(\+\d+ more\)$/, "").split("; ");
    expect(listed).toHaveLength(5);
    expect(listed[0]).toStartWith("message 1: surfaceUpdate.surfaceId");
    expect(res.error.message).toMatch(/ \(\+[1-9]\d* more\)$/);
    expect(res.error.message).not.toContain("message 0");
    const missing = await invoke(op, node, "canvas.a2ui.push", {});
    expect(missing.error).toMatchObject({ code: "INVALID_REQUEST", message: "invalid A2UI: expected messages array" });
    expect(node.invokes).toEqual([]);
  });

  test("valid A2UI and other commands pass through unchanged", async () => {
    const { op, node } = await setup();
    const jsonl = await invoke(op, node, "canvas.a2ui.pushJSONL", { jsonl: VALID_JSONL });
    expect(jsonl).toMatchObject({ ok: true, payload: { ok: true, command: "canvas.a2ui.pushJSONL", payload: { rendered: true } } });
    const push = await invoke(op, node, "canvas.a2ui.push", { messages: [SURFACE, BEGIN] });
    expect(push).toMatchObject({ ok: true, payload: { payload: { rendered: true } } });
    expect((await invoke(op, node, "canvas.a2ui.reset", {})).ok).toBe(true);
    expect(node.invokes.map((i) => [i.command, JSON.parse(i.paramsJSON as string)])).toEqual([
      ["canvas.a2ui.pushJSONL", { jsonl: VALID_JSONL }],
      ["canvas.a2ui.push", { messages: [SURFACE, BEGIN] }],
      ["canvas.a2ui.reset", {}],
    ]);
  });
});

describe("POST /tools/invoke canvas", () => {
  test("reaches the node through the same gate", async () => {
    const { gw, node } = await setup();
    const call = (args: Record<string, unknown>) =>
      fetch(`http://127.0.0.1:${gw.handle.port}/tools/invoke`, {
        method: "POST",
        headers: { authorization: `Bearer ${gw.token}`, "content-type": "application/json" },
        body: JSON.stringify({ tool: "canvas", args }),
      });
    const bad = await call({ action: "a2ui_push", jsonl: '{"deleteSurface":{}}' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toBe("invalid A2UI: line 1: deleteSurface.surfaceId is required");
    expect(node.invokes).toEqual([]);

    const ok = await call({ action: "a2ui_push", jsonl: VALID_JSONL });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, result: { content: [{ type: "text", text: 'ok\n{"rendered":true}' }] } });
    expect(node.invokes.map((i) => i.command)).toEqual(["canvas.a2ui.pushJSONL"]);
  });
});
