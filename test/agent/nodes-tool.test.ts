/**
 * The `nodes` tool against a simulated node on an in-process gateway: list/describe, notify, location_get,
 * invoke, screen_record (saved 0600 in a private temp folder) and camera_snap, whose photo reaches the model
 * as an image in a real run with the fake provider. Security: only allowlisted commands the node declares are
 * sent (camera is off until gateway.nodes.allowCommands names it), and the exec family and browser.proxy
 * never go out through this tool.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { bindTool } from "../../src/agent/tools/define.ts";
import { nodesTool } from "../../src/agent/tools/nodes.ts";
import { toToolNodes } from "../../src/gateway/nodes/agent-nodes.ts";
import { type AgentFixture, collectUntil, startAgentFixture } from "../helpers/agent-gateway.ts";
import { TEST_TOKEN } from "../helpers/gateway.ts";
import { SimulatedNode } from "../helpers/node.ts";

// A tiny JPEG header is enough: the tool passes the node's bytes through.
const JPEG_B64 = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]).toString("base64");
const MP4 = Buffer.from("....ftypisom fake mp4");
const COMMANDS = ["system.notify", "location.get", "device.info", "camera.snap", "screen.record", "system.run", "browser.proxy", "sms.send"];

let fx: AgentFixture;
let node: SimulatedNode;
const run = { config: {}, agentId: "main", sessionKey: "agent:main:main" };
const signal = new AbortController().signal;
const tool = () => bindTool(nodesTool, run, { nodes: toToolNodes(fx.gw.handle.ctx.nodes) });
const call = (args: Record<string, unknown>) => tool().run(args, { signal });
const fail = (args: Record<string, unknown>) => call(args).then(() => new Error("resolved"), (e: Error) => e);

beforeAll(async () => {
  fx = await startAgentFixture({ heartbeats: false, extra: { gateway: { mode: "local", auth: { token: TEST_TOKEN }, nodes: { allowCommands: ["camera.snap", "screen.record"] } }, tools: { profile: "full" } } });
  node = await SimulatedNode.connect(fx.gw.url, {
    token: TEST_TOKEN,
    displayName: "Pixel",
    platform: "android",
    commands: COMMANDS,
    handlers: {
      "system.notify": () => ({ shown: true }),
      "location.get": (p) => ({ lat: 52.52, lon: 13.405, accuracy: 12, asked: p }),
      "device.info": () => ({ model: "Pixel 9" }),
      "camera.snap": (p: any) => ({ format: "jpg", base64: JPEG_B64, width: 640, height: 480, facing: p.facing }),
      "screen.record": (p: any) => ({ format: "mp4", base64: MP4.toString("base64"), durationMs: p.durationMs, fps: p.fps, screenIndex: 0, hasAudio: false }),
      "system.run": () => ({ stdout: "should never run" }),
    },
  });
  expect(node.hello).toBeDefined();
});
afterAll(async () => {
  node?.close();
  await fx?.stop();
});

describe("nodes tool", () => {
  test("list and describe show allowed commands only (sms.send is not allowlisted)", async () => {
    const list = JSON.parse((await call({ action: "list" })).text);
    expect(list.nodes).toHaveLength(1);
    expect(list.nodes[0]).toMatchObject({ displayName: "Pixel", platform: "android" });
    expect(list.nodes[0].commands).not.toContain("sms.send");
    expect(list.nodes[0].commands).toContain("camera.snap");
    const d = JSON.parse((await call({ action: "describe", node: "pixel" })).text);
    expect(d).toMatchObject({ nodeId: expect.any(String), displayName: "Pixel", platform: "android" });
    expect(d.remoteIp).toBeUndefined();
  });

  test("notify, location_get and invoke go to the node with their params", async () => {
    const before = node.invokes.length;
    expect((await call({ action: "notify", title: "Hi", body: "Dinner at 7" })).text).toBe('{"ok":true}');
    const loc = JSON.parse((await call({ action: "location_get", desiredAccuracy: "precise" })).text);
    expect(loc).toEqual({ lat: 52.52, lon: 13.405, accuracy: 12, asked: { desiredAccuracy: "precise" } });
    const info = JSON.parse((await call({ action: "invoke", node: "Pixel", invokeCommand: "device.info", invokeParamsJson: '{"full":true}' })).text);
    expect(info).toMatchObject({ ok: true, command: "device.info", payload: { model: "Pixel 9" } });
    const sent = node.invokes.slice(before);
    expect(sent.map((i) => [i.command, JSON.parse(i.paramsJSON ?? "null")])).toEqual([
      ["system.notify", { title: "Hi", body: "Dinner at 7" }],
      ["location.get", { desiredAccuracy: "precise" }],
      ["device.info", { full: true }],
    ]);
    expect(sent[0]!.timeoutMs).toBe(30_000);
  });

  test("screen_record saves the node's mp4 in a private temp file", async () => {
    const out = (await call({ action: "screen_record", durationMs: 2000 })).text;
    const path = /^FILE:(.+)$/m.exec(out)?.[1] as string;
    expect(readFileSync(path)).toEqual(MP4);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    expect(out).toContain('"durationMs":2000');
    expect(out).not.toContain(MP4.toString("base64"));
    rmSync(dirname(path), { recursive: true, force: true });
  });

  test("refused without reaching the node: exec family, browser.proxy, undeclared or not allowlisted commands, bad params", async () => {
    const before = node.invokes.length;
    expect((await fail({ action: "invoke", invokeCommand: "system.run", invokeParamsJson: '{"command":["id"]}' })).message).toContain("system.run is not available through this tool: use the exec tool with host=node");
    expect((await fail({ action: "invoke", invokeCommand: "browser.proxy" })).message).toContain("use the browser tool");
    expect((await fail({ action: "invoke", invokeCommand: "sms.send" })).message).toContain("does not offer sms.send (it is not declared by the node, or not allowed by gateway.nodes.allowCommands");
    expect((await fail({ action: "invoke", invokeCommand: "device.info", invokeParamsJson: "[1]" })).message).toContain("invokeParamsJson must be a JSON object");
    expect((await fail({ action: "notify" })).message).toContain("notify needs title or body");
    expect((await fail({ action: "describe", node: "nope" })).message).toContain('no connected node matches "nope"');
    expect(node.invokes.length).toBe(before);
  });

  test("camera_snap in a run: both cameras, and the photos reach the model as images", async () => {
    fx.fake.push({ toolCalls: [{ id: "cam1", name: "nodes", args: { action: "camera_snap", node: "Pixel" } }] }, { text: "Nice view." });
    const before = fx.fake.requests.length;
    fx.sock.send({ type: "req", id: "cam-run", method: "agent", params: { message: "take a photo", idempotencyKey: "cam-run" } });
    await collectUntil(fx.sock, (f) => f.type === "res" && f.id === "cam-run" && f.payload?.status !== "accepted");
    const snaps = node.invokes.filter((i) => i.command === "camera.snap").map((i) => JSON.parse(i.paramsJSON as string).facing);
    expect(snaps).toEqual(["front", "back"]);
    const second = fx.fake.requests[before + 1]!.body.messages as any[];
    const imageParts = second.flatMap((m) => (Array.isArray(m.content) ? m.content : [])).filter((p: any) => p.type === "image_url");
    expect(imageParts.map((p: any) => p.image_url.url)).toEqual([`data:image/jpeg;base64,${JPEG_B64}`, `data:image/jpeg;base64,${JPEG_B64}`]);
  });
});

describe("nodes tool: camera is off by default", () => {
  let fx2: AgentFixture;
  let n2: SimulatedNode;
  beforeAll(async () => {
    fx2 = await startAgentFixture({ heartbeats: false });
    n2 = await SimulatedNode.connect(fx2.gw.url, { token: TEST_TOKEN, displayName: "Phone", commands: ["camera.snap", "system.notify"], handlers: { "camera.snap": () => ({ format: "jpg", base64: JPEG_B64 }) } });
  });
  afterAll(async () => {
    n2?.close();
    await fx2?.stop();
  });

  test("without gateway.nodes.allowCommands the photo is never taken", async () => {
    const t = bindTool(nodesTool, run, { nodes: toToolNodes(fx2.gw.handle.ctx.nodes) });
    const err = await t.run({ action: "camera_snap" }, { signal }).then(() => new Error("resolved"), (e: Error) => e);
    expect(err.message).toContain("no connected node supports camera.snap (connected: Phone");
    expect(err.message).toContain("allowed by gateway.nodes.allowCommands");
    expect(n2.invokes).toHaveLength(0);
  });
});
