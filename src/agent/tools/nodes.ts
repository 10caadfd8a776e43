/**
 * `nodes`: the gateway's connected nodes (phones, desktops) for the agent: list, describe, notify,
 * camera_snap (the photo comes back to the model as an image), screen_record (saved to a temp file),
 * location_get, and invoke of any allowed command. Every call goes through the gateway's `node.invoke` path,
 * so the command allowlist (`gateway.nodes.allowCommands` / `denyCommands`; camera and screen are off by
 * default) and the node's own checks apply. The exec family (`system.run`, …) is refused here: commands run
 * through `exec` with host=node, which asks for approval; `browser.proxy` is refused too (the `browser` tool
 * keeps the browser's network rule). Pairing actions are not offered: approving nodes is for people.
 */
import { randomUUID } from "node:crypto";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Type as T } from "@sinclair/typebox";
import { unreachable } from "../../errors.ts";
import { abortable, matchNode, pickNode } from "./canvas.ts";
import { defineTool } from "./define.ts";
import type { ImageContent } from "../../store/index.ts";
import type { ToolNode, ToolNodes } from "./types.ts";

/** The tool's actions (`status` is upstream's name for list). */
export const NODES_TOOL_ACTIONS = ["list", "status", "describe", "notify", "camera_snap", "screen_record", "location_get", "invoke"] as const;
type NodesAction = (typeof NODES_TOOL_ACTIONS)[number];

/** Default time a node has to answer. */
export const NODES_INVOKE_TIMEOUT_MS = 30_000;
/** Largest decoded photo returned to the model. */
export const NODES_MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** Longest screen recording asked for. */
export const NODES_MAX_RECORD_MS = 300_000;

/** Commands the tool never sends, and what to use instead. */
const REFUSED: Record<string, string> = {
  "system.run": "use the exec tool with host=node (it asks for approval)",
  "system.run.prepare": "use the exec tool with host=node (it asks for approval)",
  "system.which": "use the exec tool with host=node",
  "system.execApprovals.get": "exec approvals are changed by people, not the agent",
  "system.execApprovals.set": "exec approvals are changed by people, not the agent",
  "browser.proxy": "use the browser tool",
};

const DESCRIPTION = [
  "Discover and use the gateway's connected nodes (phones, desktops).",
  "Actions: list, describe (node), notify (node, title/body), camera_snap (node, facing front|back|both; returns the photo),",
  "screen_record (node, durationMs; saves an mp4), location_get (node), invoke (node, invokeCommand, invokeParamsJson).",
  "Only commands the node declares and the gateway allows can be used.",
].join(" ");

/** `nodes`, over the gateway's node registry. */
export const nodesTool = defineTool({
  name: "nodes",
  description: DESCRIPTION,
  group: "nodes",
  // Takes photos, records screens, notifies people: never over POST /tools/invoke.
  http: false,
  needs: ["nodes"],
  parameters: T.Object(
    {
      action: T.Unsafe<NodesAction>({ type: "string", enum: [...NODES_TOOL_ACTIONS], description: "What to do." }),
      node: T.Optional(T.String({ description: "Node id, id prefix or display name (may be left out when only one connected node fits)." })),
      title: T.Optional(T.String({ description: "notify: title." })),
      body: T.Optional(T.String({ description: "notify: text." })),
      sound: T.Optional(T.String({ description: "notify: sound name." })),
      priority: T.Optional(T.Unsafe<string>({ type: "string", enum: ["passive", "active", "timeSensitive"], description: "notify: priority." })),
      delivery: T.Optional(T.Unsafe<string>({ type: "string", enum: ["system", "overlay", "auto"], description: "notify: how it is shown." })),
      facing: T.Optional(T.Unsafe<string>({ type: "string", enum: ["front", "back", "both"], description: "camera_snap: which camera (default both)." })),
      maxWidth: T.Optional(T.Integer({ minimum: 1, description: "camera_snap: largest width in pixels." })),
      quality: T.Optional(T.Number({ minimum: 0, maximum: 1, description: "camera_snap: JPEG quality 0..1." })),
      delayMs: T.Optional(T.Integer({ minimum: 0, description: "camera_snap: wait before taking the photo." })),
      deviceId: T.Optional(T.String({ description: "camera_snap: a specific camera." })),
      durationMs: T.Optional(T.Integer({ minimum: 1, maximum: NODES_MAX_RECORD_MS, description: "screen_record: length (default 10000)." })),
      fps: T.Optional(T.Number({ exclusiveMinimum: 0, description: "screen_record: frames per second (default 10)." })),
      screenIndex: T.Optional(T.Integer({ minimum: 0, description: "screen_record: which screen (default 0)." })),
      includeAudio: T.Optional(T.Boolean({ description: "screen_record: record audio (default true)." })),
      maxAgeMs: T.Optional(T.Integer({ minimum: 0, description: "location_get: accept a cached fix this old." })),
      desiredAccuracy: T.Optional(T.Unsafe<string>({ type: "string", enum: ["coarse", "balanced", "precise"], description: "location_get: accuracy." })),
      locationTimeoutMs: T.Optional(T.Integer({ minimum: 1, description: "location_get: how long the node may look for a fix." })),
      invokeCommand: T.Optional(T.String({ description: "invoke: the command, e.g. device.info." })),
      invokeParamsJson: T.Optional(T.String({ description: "invoke: the command's params as a JSON object." })),
      invokeTimeoutMs: T.Optional(T.Integer({ minimum: 1, maximum: 600_000, description: `How long the node may take (default ${NODES_INVOKE_TIMEOUT_MS}).` })),
    },
    { additionalProperties: false },
  ),
  async execute(args, { ports, signal }) {
    const a = args as NodesArgs;
    try {
      return await runNodesAction(ports.nodes, a, signal);
    } catch (err) {
      throw new Error(`nodes ${a.action}${a.node ? ` (node ${a.node})` : ""}: ${(err as Error).message}`, { cause: err });
    }
  },
});

type NodesArgs = { action: NodesAction; node?: string; invokeTimeoutMs?: number } & Record<string, unknown>;
type NodesResult = string | { text: string; images: ImageContent[] };

// --- internal ---

async function runNodesAction(nodes: ToolNodes, a: NodesArgs, signal: AbortSignal): Promise<NodesResult> {
  const timeoutMs = a.invokeTimeoutMs ?? NODES_INVOKE_TIMEOUT_MS;
  const call = async (node: ToolNode, command: string, params: Record<string, unknown>, ms = timeoutMs) => {
    if (REFUSED[command]) throw new Error(`${command} is not available through this tool: ${REFUSED[command]}`);
    if (signal.aborted) throw new Error("aborted");
    const clean = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
    return (await abortable(nodes.invoke({ nodeId: node.nodeId, command, params: clean, timeoutMs: ms, idempotencyKey: randomUUID() }), signal)).payload;
  };
  const pick = (commands: readonly string[]) => {
    try {
      return pickNode(nodes.list(), a.node, commands);
    } catch (err) {
      const msg = (err as Error).message;
      // Camera and screen commands are off until the owner allows them: say where.
      throw new Error(/support/.test(msg) ? `${msg} (a command must be declared by the node and allowed by gateway.nodes.allowCommands)` : msg);
    }
  };
  switch (a.action) {
    case "list":
    case "status": {
      const list = nodes.list();
      if (list.length === 0) return "no node is connected";
      return JSON.stringify({ nodes: list.map((n) => ({ nodeId: n.nodeId, ...(n.displayName && { displayName: n.displayName }), ...(n.platform && { platform: n.platform }), commands: n.commands })) }, null, 2);
    }
    case "describe":
      return JSON.stringify(findNode(nodes.list(), a.node), null, 2);
    case "notify": {
      const title = str(a.title);
      const body = str(a.body);
      if (!title && !body) throw new Error("notify needs title or body");
      await call(pick(["system.notify"]), "system.notify", { title, body, sound: a.sound, priority: a.priority, delivery: a.delivery });
      return JSON.stringify({ ok: true });
    }
    case "camera_snap": {
      const node = pick(["camera.snap"]);
      const facing = (a.facing as string | undefined) ?? "both";
      const images: ImageContent[] = [];
      const details: unknown[] = [];
      for (const side of facing === "both" ? ["front", "back"] : [facing]) {
        const payload = await call(node, "camera.snap", { facing: side, maxWidth: a.maxWidth, quality: a.quality, format: "jpg", delayMs: a.delayMs, deviceId: a.deviceId });
        const photo = toPhoto(payload);
        images.push({ type: "image", data: photo.base64, mimeType: photo.mimeType });
        details.push({ facing: side, mimeType: photo.mimeType, bytes: photo.bytes, ...(photo.width && { width: photo.width }), ...(photo.height && { height: photo.height }) });
      }
      return { text: JSON.stringify({ node: node.nodeId, photos: details }), images };
    }
    case "screen_record": {
      const node = pick(["screen.record"]);
      const durationMs = typeof a.durationMs === "number" ? a.durationMs : 10_000;
      const payload = await call(node, "screen.record", { durationMs, screenIndex: a.screenIndex ?? 0, fps: a.fps ?? 10, format: "mp4", includeAudio: a.includeAudio ?? true }, Math.max(timeoutMs, durationMs + NODES_INVOKE_TIMEOUT_MS));
      const p = (payload ?? {}) as { base64?: unknown; format?: unknown };
      if (typeof p.base64 !== "string" || p.base64 === "") throw new Error("the node sent no recording (payload.base64 missing)");
      const format = typeof p.format === "string" && /^[a-z0-9]{1,8}$/i.test(p.format) ? p.format.toLowerCase() : "mp4";
      const path = saveTemp(Buffer.from(p.base64, "base64"), `screen.${format}`);
      const { base64: _b, ...meta } = payload as Record<string, unknown>;
      return `FILE:${path}\n${JSON.stringify({ node: node.nodeId, path, ...meta })}`;
    }
    case "location_get": {
      const node = pick(["location.get"]);
      const payload = await call(node, "location.get", { maxAgeMs: a.maxAgeMs, desiredAccuracy: a.desiredAccuracy, timeoutMs: a.locationTimeoutMs });
      return JSON.stringify(payload ?? {});
    }
    case "invoke": {
      const command = str(a.invokeCommand);
      if (!command) throw new Error("invoke needs invokeCommand (e.g. device.info)");
      if (REFUSED[command]) throw new Error(`${command} is not available through this tool: ${REFUSED[command]}`);
      let params: Record<string, unknown> = {};
      const raw = str(a.invokeParamsJson);
      if (raw) {
        try {
          params = JSON.parse(raw);
        } catch (err) {
          throw new Error(`invokeParamsJson must be valid JSON: ${(err as Error).message}`);
        }
        if (!params || typeof params !== "object" || Array.isArray(params)) throw new Error("invokeParamsJson must be a JSON object");
      }
      const node = findNode(nodes.list(), a.node);
      if (!node.commands.includes(command)) {
        throw new Error(`node ${node.displayName ?? node.nodeId} does not offer ${command} (it is not declared by the node, or not allowed by gateway.nodes.allowCommands; offered: ${node.commands.join(", ") || "none"})`);
      }
      const payload = await call(node, command, params);
      return JSON.stringify({ ok: true, node: node.nodeId, command, ...(payload !== undefined && { payload }) });
    }
    default:
      return unreachable(a.action);
  }
}

/** The node `query` names (or the only connected one), whatever its commands. */
function findNode(connected: ToolNode[], query: string | undefined): ToolNode {
  if (!query?.trim()) {
    if (connected.length === 1) return connected[0]!;
    if (connected.length === 0) throw new Error("no node is connected");
    throw new Error(`several nodes are connected (${connected.map((n) => n.displayName ?? n.nodeId).join(", ")}); pass node`);
  }
  return matchNode(connected, query);
}

function toPhoto(payload: unknown): { base64: string; mimeType: string; bytes: number; width?: number; height?: number } {
  const p = (payload ?? {}) as { base64?: unknown; format?: unknown; width?: unknown; height?: unknown };
  if (typeof p.base64 !== "string" || p.base64 === "") throw new Error("the node sent no photo (payload.base64 missing)");
  const format = String(p.format ?? "jpg").toLowerCase();
  const mimeType = format === "png" ? "image/png" : format === "jpg" || format === "jpeg" ? "image/jpeg" : undefined;
  if (!mimeType) throw new Error(`unsupported camera.snap format ${JSON.stringify(p.format)} (jpg or png)`);
  const bytes = Buffer.byteLength(p.base64, "base64");
  if (bytes > NODES_MAX_IMAGE_BYTES) throw new Error(`photo too large (${bytes} bytes, limit ${NODES_MAX_IMAGE_BYTES}); pass a smaller maxWidth`);
  return { base64: p.base64, mimeType, bytes, ...(typeof p.width === "number" && { width: p.width }), ...(typeof p.height === "number" && { height: p.height }) };
}

// Recordings go to a private temp folder (0700/0600): they may show anything that was on the screen.
function saveTemp(data: Buffer, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-node-"));
  chmodSync(dir, 0o700);
  const path = join(dir, name);
  writeFileSync(path, data, { mode: 0o600 });
  return path;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() ? v.trim() : undefined;
}
