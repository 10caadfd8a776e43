/**
 * `canvas`: drives the canvas (a WebView) of a connected node: present, hide, navigate, and A2UI v0.8
 * pushes and resets. Every call goes through the gateway's `node.invoke` path (command allowlist, A2UI
 * check) with a fresh idempotency key and a 30 s timeout. It never reads local files.
 */
import { randomUUID } from "node:crypto";
import { Type as T } from "@sinclair/typebox";
import { unreachable } from "../../errors.ts";
import { defineTool } from "./define.ts";
import type { ToolNode } from "./types.ts";

/** How long one canvas command may take on the node. */
export const CANVAS_INVOKE_TIMEOUT_MS = 30_000;

/** The tool's actions. */
export const CANVAS_ACTIONS = ["present", "hide", "navigate", "a2ui_push", "a2ui_reset"] as const;
type CanvasAction = (typeof CANVAS_ACTIONS)[number];

/** Node commands each action may use, preferred first. */
const COMMANDS: Record<CanvasAction, readonly string[]> = {
  present: ["canvas.present"],
  hide: ["canvas.hide"],
  navigate: ["canvas.navigate"],
  a2ui_push: ["canvas.a2ui.pushJSONL", "canvas.a2ui.push"],
  a2ui_reset: ["canvas.a2ui.reset"],
};

const DESCRIPTION = [
  "Control the canvas (a web view) on a connected node such as a phone or desktop app.",
  "Actions: present (show the canvas, optionally at url), hide, navigate (load url), a2ui_push (render UI), a2ui_reset (clear the rendered UI).",
  "a2ui_push takes A2UI v0.8: JSONL text in `jsonl`, one JSON object per line, each with exactly one of beginRendering, surfaceUpdate, dataModelUpdate or deleteSurface (or the same objects as an array in `messages`).",
  'Send surfaceUpdate with the components first, then beginRendering naming the root component, e.g. {"surfaceUpdate":{"surfaceId":"main","components":[{"id":"root","component":{"Column":{"children":{"explicitList":["t"]}}}},{"id":"t","component":{"Text":{"text":{"literalString":"Hello"}}}}]}} then {"beginRendering":{"surfaceId":"main","root":"root"}}.',
  "`node` picks the node (id, id prefix or name); it may be left out when only one connected node has a canvas.",
].join(" ");

/** `canvas`, over the gateway's nodes. */
export const canvasTool = defineTool({
  name: "canvas",
  description: DESCRIPTION,
  group: "ui",
  // Reachable over HTTP: it only sends the canvas commands of the node allowlist (see tools-invoke.ts).
  http: true,
  needs: ["nodes"],
  parameters: T.Object(
    {
      action: T.Unsafe<CanvasAction>({ type: "string", enum: [...CANVAS_ACTIONS], description: "What to do." }),
      node: T.Optional(T.String({ description: "Node id, id prefix or display name (default: the only connected node with a canvas)." })),
      url: T.Optional(T.String({ description: "present: page to show (optional); navigate: page to load (required)." })),
      jsonl: T.Optional(T.String({ description: "a2ui_push: A2UI v0.8 JSONL, one message object per line." })),
      messages: T.Optional(T.Unsafe<unknown[]>({ type: "array", items: { type: "object" }, description: "a2ui_push: A2UI v0.8 message objects (instead of jsonl)." })),
    },
    { additionalProperties: false },
  ),
  async execute(input, { signal, ports }) {
    const args = input as Record<string, unknown>;
    const action = args.action as CanvasAction;
    if (!(CANVAS_ACTIONS as readonly string[]).includes(action)) throw new Error(`unknown action "${String(args.action)}" (use ${CANVAS_ACTIONS.join(", ")})`);
    const node = pickNode(ports.nodes.list(), typeof args.node === "string" ? args.node : undefined, COMMANDS[action]);
    const { command, params } = toInvoke(action, args, node);
    if (signal.aborted) throw new Error("aborted");
    const invoked = ports.nodes.invoke({ nodeId: node.nodeId, command, params, timeoutMs: CANVAS_INVOKE_TIMEOUT_MS, idempotencyKey: randomUUID() });
    const { payload } = await abortable(invoked, signal);
    return payload === undefined || payload === null ? "ok" : `ok\n${JSON.stringify(payload)}`;
  },
});

/**
 * The node a call goes to: the one `query` names (exact id, display name ignoring case, unique id prefix),
 * else the only connected node that declares one of `commands`.
 * @throws Error naming the candidates when none or several match, or when the named node lacks the command.
 */
export function pickNode(connected: ToolNode[], query: string | undefined, commands: readonly string[]): ToolNode {
  const wanted = commands.join(" or ");
  const capable = connected.filter((n) => commands.some((c) => n.commands.includes(c)));
  const q = query?.trim();
  if (!q) {
    if (capable.length === 1) return capable[0]!;
    if (capable.length > 1) throw new Error(`several connected nodes support ${wanted}: ${capable.map(label).join(", ")}; pass node`);
    if (connected.length === 0) throw new Error("no node is connected");
    throw new Error(`no connected node supports ${wanted} (connected: ${connected.map(label).join(", ")})`);
  }
  const node = matchNode(connected, q);
  if (!capable.includes(node)) throw new Error(`node ${label(node)} does not support ${wanted}`);
  return node;
}

/**
 * The connected node `query` names: exact id, else display name ignoring case, else unique id prefix.
 * @throws Error naming the candidates when none or several match.
 */
export function matchNode(connected: ToolNode[], query: string): ToolNode {
  const q = query.trim();
  const lower = q.toLowerCase();
  const tiers = [connected.filter((n) => n.nodeId === q), connected.filter((n) => n.displayName?.toLowerCase() === lower), connected.filter((n) => n.nodeId.startsWith(q))];
  const hit = tiers.find((t) => t.length > 0);
  if (!hit) throw new Error(`no connected node matches "${q}"${connected.length > 0 ? ` (connected: ${connected.map(label).join(", ")})` : ""}`);
  if (hit.length > 1) throw new Error(`"${q}" matches several nodes: ${hit.map(label).join(", ")}; use the node id`);
  return hit[0]!;
}

// --- internal ---

function toInvoke(action: CanvasAction, args: Record<string, unknown>, node: ToolNode): { command: string; params: unknown } {
  const url = typeof args.url === "string" && args.url.trim() ? args.url.trim() : undefined;
  switch (action) {
    case "present":
      return { command: "canvas.present", params: url ? { url } : {} };
    case "hide":
      return { command: "canvas.hide", params: {} };
    case "navigate":
      if (!url) throw new Error("navigate needs url");
      return { command: "canvas.navigate", params: { url } };
    case "a2ui_reset":
      return { command: "canvas.a2ui.reset", params: {} };
    case "a2ui_push":
      return toPush(args, node);
    default:
      return unreachable(action);
  }
}

/** pushJSONL when the node has it, else push; converts between JSONL text and message objects as needed. */
function toPush(args: Record<string, unknown>, node: ToolNode): { command: string; params: unknown } {
  const hasJsonl = typeof args.jsonl === "string" && args.jsonl.trim() !== "";
  const hasMessages = args.messages !== undefined;
  if (hasJsonl === hasMessages) throw new Error("a2ui_push needs exactly one of jsonl (A2UI JSONL text) or messages (array)");
  if (hasMessages && !Array.isArray(args.messages)) throw new Error("messages must be an array of A2UI message objects");
  if (node.commands.includes("canvas.a2ui.pushJSONL")) {
    const jsonl = hasJsonl ? (args.jsonl as string) : (args.messages as unknown[]).map((m) => JSON.stringify(m)).join("\n");
    return { command: "canvas.a2ui.pushJSONL", params: { jsonl } };
  }
  return { command: "canvas.a2ui.push", params: { messages: hasJsonl ? splitJsonl(args.jsonl as string) : args.messages } };
}

/** JSONL to objects, for nodes without pushJSONL; the gateway checks the A2UI itself. */
function splitJsonl(text: string): unknown[] {
  return text.split(/\r?\n/).flatMap((line, i) => {
    if (!line.trim()) return [];
    try {
      return [JSON.parse(line)];
    } catch {
      throw new Error(`invalid A2UI: line ${i + 1}: not valid JSON`);
    }
  });
}

/**
 * `promise`, or a rejection with "aborted" as soon as `signal` aborts. `promise` always gets a handler: a
 * rejection nobody awaits ends the Bun process.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error("aborted"));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function label(n: ToolNode): string {
  return n.displayName ? `${n.displayName} (${n.nodeId})` : n.nodeId;
}
