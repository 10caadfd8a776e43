/**
 * `openclaw nodes list|describe|invoke|pending|approve|reject|canvas`: paired and connected nodes, their
 * pairing requests, direct command invocation and canvas control, all through the running gateway.
 */
import { defineCommand } from "citty";
import JSON5 from "json5";
import { CliError } from "../../errors.ts";
import type { NodeInfo } from "../../protocol/generated/types.ts";
import { type Call, callGateway, formatAge, printTable, shortId, withCalls } from "./_call.ts";
import { parseTimeout, printJson, RPC_ARGS } from "./_rpc.ts";

interface PendingNode {
  requestId: string;
  nodeId: string;
  displayName?: string;
  platform?: string;
  remoteIp?: string;
  commands?: string[];
  isRepair?: boolean;
  ts: number;
}

const NODE_ARG = { node: { type: "string", description: "Node id, id prefix, display name or IP", required: true } } as const;

const list = defineCommand({
  meta: { name: "list", description: "List pending pairing requests and paired or connected nodes" },
  args: { connected: { type: "boolean", description: "Only nodes connected now" }, ...RPC_ARGS },
  async run({ args }) {
    const [{ nodes }, { pending }] = await withCalls(args, (call) =>
      Promise.all([call<{ nodes: NodeInfo[] }>("node.list", {}), call<{ pending: PendingNode[] }>("node.pair.list", {})]),
    );
    const shown = args.connected ? nodes.filter((n) => n.connected) : nodes;
    if (args.json) return printJson({ pending, nodes: shown });
    if (pending.length > 0) {
      process.stdout.write(`Pending (${pending.length}):\n`);
      printPending(pending);
      process.stdout.write("\n");
    }
    printTable(
      ["ID", "NAME", "PLATFORM", "STATUS", "LAST CONNECT", "COMMANDS"],
      shown.map((n) => [shortId(n.nodeId), n.displayName ?? "-", n.platform ?? "-", status(n), n.connected ? "now" : formatAge(n.lastConnectedAtMs), n.commands.join(",") || "-"]),
      args.connected ? "No connected nodes." : "No nodes.",
    );
  },
});

const describe = defineCommand({
  meta: { name: "describe", description: "Show one node: capabilities, commands, connection" },
  args: { ...NODE_ARG, ...RPC_ARGS },
  async run({ args }) {
    const node = await withCalls(args, async (call) => call<NodeInfo>("node.describe", { nodeId: await resolveNodeId(call, args.node) }));
    if (args.json) return printJson(node);
    const out = (k: string, v: unknown) => process.stdout.write(`${k.padEnd(13)}${v === undefined || v === "" ? "-" : String(v)}\n`);
    out("Node", node.nodeId);
    out("Name", node.displayName);
    out("Platform", [node.platform, node.version && `v${node.version}`].filter(Boolean).join(" "));
    out("Status", status(node));
    out("Connected", node.connected ? formatAge(node.connectedAtMs) : `no (last ${formatAge(node.lastConnectedAtMs)})`);
    out("IP", node.remoteIp);
    out("Caps", node.caps.join(", "));
    out("Commands", node.commands.join(", "));
  },
});

const invoke = defineCommand({
  meta: { name: "invoke", description: "Invoke a command on a connected node and print its result" },
  args: {
    ...NODE_ARG,
    command: { type: "string", description: "Command, e.g. device.info", required: true },
    params: { type: "string", description: "Params as JSON (default {})", default: "{}" },
    "invoke-timeout": { type: "string", description: "How long the node may take, in ms", default: "15000" },
    "idempotency-key": { type: "string", description: "Idempotency key (default: random)" },
    ...RPC_ARGS,
  },
  async run({ args }) {
    let params: unknown;
    try {
      params = JSON5.parse(args.params);
    } catch (err) {
      throw new CliError(`Invalid --params: not JSON (${(err as Error).message.replace(/^JSON5: /, "")})`);
    }
    const invokeTimeoutMs = parseTimeout(args["invoke-timeout"], 15_000);
    const result = await withCalls(args, async (call) =>
      call<{ payload?: unknown; payloadJSON?: string }>(
        "node.invoke",
        { nodeId: await resolveNodeId(call, args.node), command: args.command, params, timeoutMs: invokeTimeoutMs, idempotencyKey: args["idempotency-key"] ?? crypto.randomUUID() },
        // The gateway answers after the node does (or its timeout); leave room for the round trip.
        invokeTimeoutMs + parseTimeout(args.timeout),
      ),
    );
    printJson(args.json ? result : (result.payload ?? null));
  },
});

const pending = defineCommand({
  meta: { name: "pending", description: "List pending node pairing requests" },
  args: { ...RPC_ARGS },
  async run({ args }) {
    const { pending } = await callGateway<{ pending: PendingNode[] }>(args, "node.pair.list", {});
    if (args.json) return printJson(pending);
    printPending(pending);
  },
});

const approve = defineCommand({
  meta: { name: "approve", description: "Approve a node pairing request (issues the node's token)" },
  args: { requestId: { type: "positional", description: "Request id (see `openclaw nodes pending`)", required: true }, ...RPC_ARGS },
  async run({ args }) {
    const res = await callGateway<{ requestId: string; node: NodeInfo & { token: string } }>(args, "node.pair.approve", { requestId: args.requestId });
    if (args.json) return printJson(res);
    process.stdout.write(`Approved node ${res.node.displayName ?? res.node.nodeId} (${res.node.nodeId}).\nIt receives its token on its next connect; \`--json\` prints it here.\n`);
  },
});

const reject = defineCommand({
  meta: { name: "reject", description: "Reject a node pairing request" },
  args: { requestId: { type: "positional", description: "Request id", required: true }, ...RPC_ARGS },
  async run({ args }) {
    const res = await callGateway<{ requestId: string; nodeId: string }>(args, "node.pair.reject", { requestId: args.requestId });
    if (args.json) return printJson(res);
    process.stdout.write(`Rejected pairing request ${res.requestId} (node ${res.nodeId}).\n`);
  },
});

/** `openclaw nodes …`. */
export const nodesCommand = defineCommand({
  meta: { name: "nodes", description: "Manage paired nodes and invoke their commands" },
  subCommands: {
    list,
    describe,
    invoke,
    pending,
    approve,
    reject,
    // Loaded on use: it brings the A2UI checker, which no other command needs.
    canvas: () => import("./nodes-canvas.ts").then((m) => m.nodesCanvasCommand),
  },
});

// --- internal ---

function status(n: Pick<NodeInfo, "paired" | "connected">): string {
  return `${n.paired ? "paired" : "unpaired"}${n.connected ? ", connected" : ""}`;
}

function printPending(pending: PendingNode[]): void {
  printTable(
    ["REQUEST", "NODE", "NAME", "PLATFORM", "IP", "COMMANDS", "AGE"],
    pending.map((p) => [p.requestId, shortId(p.nodeId), p.displayName ?? "-", p.platform ?? "-", p.remoteIp ?? "-", (p.commands ?? []).join(",") || "-", `${formatAge(p.ts)}${p.isRepair ? " (repair)" : ""}`]),
    "No pending requests.",
  );
}

/**
 * Finds the node meant by `query`: exact id, display name (case-insensitive), IP, or a unique id prefix.
 * @throws CliError when nothing or more than one node matches.
 */
async function resolveNodeId(call: Call, query: string): Promise<string> {
  return (await resolveNode(call, query)).nodeId;
}

/**
 * Like {@link resolveNodeId}, returning the node as `node.list` describes it (commands included).
 * @throws CliError when nothing or more than one node matches.
 */
export async function resolveNode(call: Call, query: string): Promise<NodeInfo> {
  const { nodes } = await call<{ nodes: NodeInfo[] }>("node.list", {});
  const q = query.trim();
  const lower = q.toLowerCase();
  const tiers = [
    nodes.filter((n) => n.nodeId === q),
    nodes.filter((n) => n.displayName?.toLowerCase() === lower),
    nodes.filter((n) => n.remoteIp === q),
    nodes.filter((n) => q.length >= 4 && n.nodeId.startsWith(q)),
  ];
  const hit = tiers.find((t) => t.length > 0);
  if (!hit) throw new CliError(`Unknown node "${q}".`, { hint: "Run `openclaw nodes list` to see the nodes." });
  if (hit.length > 1) throw new CliError(`"${q}" matches ${hit.length} nodes: ${hit.map((n) => n.nodeId).join(", ")}. Use the node id.`);
  return hit[0]!;
}
