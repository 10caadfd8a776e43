/**
 * The "limit" peer of the benchmark: a bare Bun.serve WebSocket server that answers the same frames as a
 * gateway with as little work as possible, so the ceiling of this load generator on this box is visible
 * next to the real servers. Challenge on open; `connect` → hello-ok (token compared as a string);
 * `health` → a snapshot; `system-event` → `presence` to everyone (the fan-out scenario) and `{ok:true}`.
 * Payloads have the size of our gateway's (hello-ok ~1.6 KB, health ~0.5 KB, built once at start-up).
 * No validation, no state, no logging, and by default no other events.
 *
 *   bun bench/limit-server.ts --port P --token T [--broadcast none|publish|loop|batch]
 *
 * `--broadcast` other than `none` adds the gateways' per-call broadcast pattern (a `health` event to every
 * client after each connect and each `health` call, `presence` when a tracked client leaves) and picks how
 * such an event reaches every client: `publish` = Bun's native topic fan-out; `loop` = `ws.send` to each
 * socket in turn, as a per-socket policy check forces; `batch` = the loop, but frames queued per socket and
 * flushed once per event-loop turn inside `ws.cork`. bench/broadcast-experiment.ts uses these to measure
 * the cost of the fan-out strategy alone.
 */
import type { ServerWebSocket } from "bun";
import { parseArgs } from "node:util";

const { values } = parseArgs({ args: Bun.argv.slice(2), options: { port: { type: "string" }, token: { type: "string" }, broadcast: { type: "string", default: "none" } } });
const mode = values.broadcast as "none" | "publish" | "loop" | "batch";
if (!["none", "publish", "loop", "batch"].includes(mode)) throw new Error(`limit-server: unknown --broadcast ${mode}`);
/** True when the gateways' per-call broadcast pattern is on. */
const perCallEvents = mode !== "none";
const token = values.token ?? process.env.OPENCLAW_GATEWAY_TOKEN;
if (!token) throw new Error("limit-server: --token or OPENCLAW_GATEWAY_TOKEN required");

interface Data {
  authed: boolean;
  tracked: boolean;
  /** Frames waiting for the next flush (`batch` mode). */
  queue?: string[];
}

const members = new Set<ServerWebSocket<Data>>();
const dirty = new Set<ServerWebSocket<Data>>();
let flushScheduled = false;

function flush(): void {
  flushScheduled = false;
  for (const ws of dirty) {
    const q = ws.data.queue as string[];
    ws.data.queue = undefined;
    ws.cork(() => {
      for (const text of q) ws.send(text);
    });
  }
  dirty.clear();
}

let seq = 0;
// Same shape and size as a gateway's health snapshot with one agent and no channels.
const sessionsPath = `${process.env.HOME ?? "/tmp"}/.openclaw-dev/agents/dev/sessions/sessions.json`;
const sessions = { path: sessionsPath, count: 0, recent: [] };
const HEALTH = JSON.stringify({
  ok: true,
  ts: Date.now(),
  durationMs: 0,
  channels: {},
  channelOrder: [],
  channelLabels: {},
  heartbeatSeconds: 1800,
  defaultAgentId: "dev",
  agents: [{ agentId: "dev", isDefault: true, heartbeat: { enabled: true, every: "30m", everyMs: 1800000, target: "last", ackMaxChars: 300 }, sessions }],
  sessions,
});
const POLICY = '{"maxPayload":524288,"maxBufferedBytes":1572864,"tickIntervalMs":30000}';
// A method list of the usual length, so hello-ok weighs what a gateway's does.
const METHODS = JSON.stringify(
  "health logs.tail channels.status status usage.status usage.cost config.get config.set config.apply config.patch config.schema models.list agents.list sessions.list sessions.preview last-heartbeat system-presence system-event send agent agent.wait chat.history chat.send chat.abort node.list node.describe node.invoke node.pair.request node.pair.list node.pair.approve node.pair.reject node.pair.verify device.pair.list device.pair.approve device.pair.reject device.token.rotate device.token.revoke cron.list cron.status wake".split(" "),
);
const HELLO_TAIL = `"features":{"methods":${METHODS},"events":["connect.challenge","tick","presence","health","shutdown"]},"snapshot":{"presence":[{"host":"limit","mode":"gateway","reason":"self","ts":0}],"health":${HEALTH},"stateVersion":{"presence":1,"health":1},"uptimeMs":0},"policy":${POLICY}}`;
const REQ_PREFIX = '{"type":"req","id":"';

/** Pulls `id` and `method` out of a request frame without a full parse when the key order is the usual one. */
function readRequest(text: string): { id: string; method: string; params?: Record<string, unknown> } | undefined {
  if (text.startsWith(REQ_PREFIX)) {
    const idEnd = text.indexOf('"', REQ_PREFIX.length);
    const m = text.startsWith(',"method":"', idEnd + 1) ? idEnd + 12 : -1;
    if (m > 0) {
      const method = text.slice(m, text.indexOf('"', m));
      if (method !== "connect") return { id: text.slice(REQ_PREFIX.length, idEnd), method };
    }
  }
  try {
    const f = JSON.parse(text) as { type?: string; id?: string; method?: string; params?: Record<string, unknown> };
    if (f.type === "req" && typeof f.id === "string" && typeof f.method === "string") return { id: f.id, method: f.method, params: f.params };
  } catch {
    // not JSON
  }
  return undefined;
}

function broadcast(event: string, payload: string): void {
  seq += 1;
  const text = `{"type":"event","event":"${event}","payload":${payload},"seq":${seq}}`;
  if (mode === "publish" || mode === "none") {
    server.publish("all", text);
    return;
  }
  for (const ws of members) {
    if (mode === "loop") {
      ws.send(text);
      continue;
    }
    if (ws.data.queue) ws.data.queue.push(text);
    else {
      ws.data.queue = [text];
      dirty.add(ws);
    }
  }
  if (mode === "batch" && !flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

const server = Bun.serve<Data>({
  hostname: "127.0.0.1",
  port: Number(values.port ?? 0),
  fetch(req, srv) {
    if (srv.upgrade(req, { data: { authed: false, tracked: false } })) return undefined;
    return new Response("limit server", { status: 404 });
  },
  websocket: {
    perMessageDeflate: false,
    idleTimeout: 0,
    backpressureLimit: 3 * 1024 * 1024,
    closeOnBackpressureLimit: true,
    open(ws: ServerWebSocket<Data>) {
      ws.send(`{"type":"event","event":"connect.challenge","payload":{"nonce":"${crypto.randomUUID()}","ts":${Date.now()}}}`);
    },
    message(ws: ServerWebSocket<Data>, message: string | Buffer) {
      const req = readRequest(String(message));
      if (!req) return;
      if (!ws.data.authed) {
        const p = req.params as { client?: { id?: string }; auth?: { token?: string } } | undefined;
        if (req.method !== "connect" || p?.auth?.token !== token) {
          ws.send(`{"type":"res","id":"${req.id}","ok":false,"error":{"code":"INVALID_REQUEST","message":"unauthorized"}}`);
          ws.close(1008, "unauthorized");
          return;
        }
        ws.data.authed = true;
        ws.data.tracked = p.client?.id !== "cli";
        ws.send(`{"type":"res","id":"${req.id}","ok":true,"payload":{"type":"hello-ok","protocol":3,"server":{"version":"limit","connId":"${crypto.randomUUID()}"},${HELLO_TAIL}}`);
        if (mode === "publish" || mode === "none") ws.subscribe("all");
        else members.add(ws);
        if (perCallEvents) broadcast("health", HEALTH);
        return;
      }
      switch (req.method) {
        case "health":
          ws.send(`{"type":"res","id":"${req.id}","ok":true,"payload":${HEALTH}}`);
          if (perCallEvents) broadcast("health", HEALTH);
          return;
        case "system-event":
          broadcast("presence", `{"presence":[{"host":"limit","mode":"gateway","reason":"self","ts":${Date.now()}}]}`);
          ws.send(`{"type":"res","id":"${req.id}","ok":true,"payload":{"ok":true}}`);
          return;
        default:
          ws.send(`{"type":"res","id":"${req.id}","ok":false,"error":{"code":"INVALID_REQUEST","message":"unknown method: ${req.method}"}}`);
      }
    },
    close(ws: ServerWebSocket<Data>) {
      members.delete(ws);
      dirty.delete(ws);
      if (perCallEvents && ws.data.authed && ws.data.tracked) broadcast("presence", `{"presence":[{"host":"limit","mode":"gateway","reason":"self","ts":${Date.now()}}]}`);
    },
  },
});

console.log(`limit server listening on ws://127.0.0.1:${server.port} (PID ${process.pid})`);
const stop = () => {
  server.stop(true);
  process.exit(0);
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
