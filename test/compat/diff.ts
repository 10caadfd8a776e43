#!/usr/bin/env bun
/**
 * Structural diff of our gateway against the upstream reference gateway (protocol v3), over raw WebSockets.
 *
 *   bun test/compat/diff.ts [--no-build] [--verbose] [--only <substring>[,<substring>…]]
 *   bun test/compat/diff.ts --ours ws://127.0.0.1:P1 --ref ws://127.0.0.1:P2 --token T   (reuse running gateways)
 *
 * Starts both gateways (ours from dist/openclaw, built when missing or older than src/; the reference via
 * /work/shared/tools/reference-gateway.sh) on free loopback ports with one shared token and the same dev-profile
 * config, plays the same frame sequences against each and compares what comes back: frame kinds, ok flags,
 * error codes and messages, close codes and reasons, key sets and value types of payloads, and the values that
 * are not volatile (uuids, timestamps, nonces, counters, uptime, hosts, versions, pids and paths are ignored).
 * Prints one line per sequence (SAME / DIFF + the differences), writes the same report to
 * test/compat/last-diff.md and exits 0: it is a report, not a gate. Not a CI test (needs the reference install).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { waitFor } from "../helpers/wait.ts";

const ROOT = resolve(import.meta.dir, "../..");
const BINARY = join(ROOT, "dist/openclaw");
const REF_TOOL = process.env.OPENCLAW_REF_TOOL ?? "/work/shared/tools/reference-gateway.sh";
const REPORT_FILE = join(import.meta.dir, "last-diff.md");

const { values: argv } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    ours: { type: "string" },
    ref: { type: "string" },
    token: { type: "string" },
    "no-build": { type: "boolean" },
    verbose: { type: "boolean" },
    only: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (argv.help) {
  console.log(readFileSync(import.meta.path, "utf8").split("\n").slice(2, 14).map((l) => l.replace(/^ \* ?/, "")).join("\n"));
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------------
// Gateways
// ---------------------------------------------------------------------------------------------------------

interface Gateway {
  name: "ours" | "ref";
  url: string;
  describe: string;
  stop(): Promise<void>;
}

function freePort(): number {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.isFile()) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function ensureBinary(): void {
  if (argv["no-build"]) {
    if (!existsSync(BINARY)) throw new Error(`no binary at ${BINARY}`);
    return;
  }
  const sources = Math.max(newestMtime(join(ROOT, "src")), newestMtime(join(ROOT, "protocol")), statSync(join(ROOT, "build.ts")).mtimeMs);
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= sources) return;
  console.log("building dist/openclaw ...");
  const p = Bun.spawnSync([process.execPath, "run", "build.ts"], { cwd: ROOT, stdout: "inherit", stderr: "inherit" });
  if (p.exitCode !== 0) {
    if (!existsSync(BINARY)) throw new Error("build failed");
    console.warn("WARNING: build failed; using the existing (stale) dist/openclaw");
  }
}

/** Starts the reference via its tool; returns the gateway and the HOME it made (read from /proc). */
async function startReference(token: string): Promise<{ gw: Gateway; home: string }> {
  const port = freePort();
  const p = Bun.spawn([REF_TOOL, "start", String(port), token], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  const pid = Number(out.trim().split("\n").pop());
  if (code !== 0 || !Number.isInteger(pid)) throw new Error(`reference gateway did not start (exit ${code}): ${out}${err}`);
  const env = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
  const home = env.find((e) => e.startsWith("HOME="))?.slice(5) ?? "";
  const version = Bun.spawnSync([REF_TOOL, "cli", "--version"], { stdout: "pipe", stderr: "pipe" }).stdout.toString().trim().split("\n").pop();
  return {
    home,
    gw: {
      name: "ref",
      url: `ws://127.0.0.1:${port}`,
      describe: `reference openclaw ${version} on port ${port} (pgid ${pid}, HOME ${home})`,
      async stop() {
        try {
          process.kill(-pid, "SIGTERM");
        } catch {}
        const gone = () => {
          try {
            process.kill(-pid, 0);
            return false;
          } catch {
            return true;
          }
        };
        await waitFor(gone, "the reference's process group to exit", { timeoutMs: 5000, intervalMs: 100 }).catch(() => {});
        try {
          process.kill(-pid, "SIGKILL");
        } catch {}
        if (home.startsWith("/tmp/openclaw-ref-home.")) rmSync(home, { recursive: true, force: true });
      },
    },
  };
}

/** Starts ours in a temp HOME whose dev-profile config mirrors the reference's (paths rewritten). */
async function startOurs(token: string, refHome: string | undefined): Promise<Gateway> {
  ensureBinary();
  const home = mkdtempSync(join(tmpdir(), "openclaw-compat-ours."));
  const refConfig = refHome ? join(refHome, ".openclaw-dev/openclaw.json") : "";
  if (refConfig && existsSync(refConfig)) {
    mkdirSync(join(home, ".openclaw-dev"), { recursive: true, mode: 0o700 });
    writeFileSync(join(home, ".openclaw-dev/openclaw.json"), readFileSync(refConfig, "utf8").replaceAll(refHome as string, home), { mode: 0o600 });
  }
  const port = freePort();
  const proc = Bun.spawn([BINARY, "--dev", "gateway", "--allow-unconfigured", "--port", String(port)], {
    cwd: home,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, TMPDIR: tmpdir(), OPENCLAW_GATEWAY_TOKEN: token, OPENCLAW_DISABLE_BONJOUR: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  let log = "";
  const decoder = new TextDecoder();
  const pump = async (s: ReadableStream<Uint8Array>) => {
    const reader = s.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      log += decoder.decode(value, { stream: true });
    }
  };
  void pump(proc.stdout);
  void pump(proc.stderr);
  const started = await waitFor(() => log.includes("listening on ws://") || proc.exitCode !== null, "our gateway's listening line", {
    timeoutMs: 15_000,
    intervalMs: 50,
  }).catch(() => false);
  if (!started || !log.includes("listening on ws://")) {
    proc.kill();
    throw new Error(`our gateway did not start:\n${log}`);
  }
  const version = Bun.spawnSync([BINARY, "--version"], { stdout: "pipe", env: { PATH: process.env.PATH ?? "", HOME: home } }).stdout.toString().trim();
  return {
    name: "ours",
    url: `ws://127.0.0.1:${port}`,
    describe: `ours dist/openclaw ${version} on port ${port} (pid ${proc.pid}, HOME ${home})`,
    async stop() {
      proc.kill("SIGTERM");
      await waitFor(() => proc.exitCode !== null, "our gateway to exit", 5000).catch(() => proc.kill("SIGKILL"));
      rmSync(home, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// A raw WebSocket that records everything
// ---------------------------------------------------------------------------------------------------------

interface Received {
  at: number;
  text: string;
  json: any;
}

class Conn {
  readonly frames: Received[] = [];
  closed: { code: number; reason: string } | undefined;
  private ws: WebSocket;
  private cursor = 0;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.onmessage = (ev) => {
      const text = String(ev.data);
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        json = { __nonJson: text.slice(0, 200) };
      }
      this.frames.push({ at: Date.now(), text, json });
    };
    ws.onclose = (ev) => {
      this.closed = { code: ev.code, reason: ev.reason };
    };
  }

  static async open(url: string): Promise<Conn> {
    const ws = new WebSocket(url);
    const conn = new Conn(ws);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`open ${url} timed out`)), 10_000);
      ws.onopen = () => {
        clearTimeout(timer);
        resolve();
      };
      ws.onerror = () => {
        clearTimeout(timer);
        reject(new Error(`cannot open ${url}`));
      };
    });
    return conn;
  }

  sendText(text: string): void {
    this.ws.send(text);
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Next frame (after earlier waits) matching `pred`, or undefined on timeout / close. */
  async waitFor(pred: (f: any) => boolean, timeoutMs = 15_000): Promise<any | undefined> {
    const find = () => {
      for (let i = this.cursor; i < this.frames.length; i++) {
        if (pred(this.frames[i].json)) {
          this.cursor = i + 1;
          return { frame: this.frames[i].json };
        }
      }
      return this.closed ? { frame: undefined } : undefined;
    };
    const found = await waitFor(find, "a matching frame", { timeoutMs, intervalMs: 5 }).catch(() => undefined);
    return found?.frame;
  }

  /** Sends a req and waits for its res. */
  async request(id: string, method: string, params?: unknown, timeoutMs = 20_000): Promise<any | undefined> {
    this.send({ type: "req", id, method, ...(params !== undefined && { params }) });
    return this.waitFor((f) => f?.type === "res" && f.id === id, timeoutMs);
  }

  async waitClose(timeoutMs: number): Promise<{ code: number; reason: string } | undefined> {
    await waitFor(() => this.closed, "the close", { timeoutMs, intervalMs: 5 }).catch(() => {});
    return this.closed;
  }

  /** Frames received since `start` (index), parsed. */
  since(start: number): any[] {
    return this.frames.slice(start).map((f) => f.json);
  }

  close(): void {
    try {
      this.ws.close();
    } catch {}
  }
}

// ---------------------------------------------------------------------------------------------------------
// Sequences: each returns labelled facts; the same labels on both sides are compared
// ---------------------------------------------------------------------------------------------------------

type Mode = "shape" | "exact" | "keys" | "set";
interface Fact {
  label: string;
  mode: Mode;
  value: unknown;
}
type Facts = Fact[];

interface Ctx {
  url: string;
  token: string;
}

const CLIENT = { id: "test", displayName: "compat-diff", version: "1.0.0", platform: process.platform, mode: "test" };

function connectParams(over: Record<string, unknown> = {}, token?: string): Record<string, unknown> {
  return { minProtocol: 3, maxProtocol: 3, client: { ...CLIENT }, ...(token !== undefined && { auth: { token } }), ...over };
}

/** Opens, waits for the challenge, connects; returns the conn and hello res (undefined when it failed). */
async function connected(ctx: Ctx, over: Record<string, unknown> = {}): Promise<{ conn: Conn; challenge: any; hello: any }> {
  const conn = await Conn.open(ctx.url);
  const challenge = await conn.waitFor((f) => f?.type === "event" && f.event === "connect.challenge", 5000);
  const hello = await conn.request("c1", "connect", connectParams(over, ctx.token));
  return { conn, challenge, hello };
}

/** Sends `first` as the first frame and records what comes back until the socket closes (or 5 s pass). */
async function handshakeFailure(ctx: Ctx, first: string): Promise<Facts> {
  const conn = await Conn.open(ctx.url);
  await conn.waitFor((f) => f?.event === "connect.challenge", 5000);
  const start = conn.frames.length;
  conn.sendText(first);
  const close = await conn.waitClose(5000);
  const frames = conn.since(start);
  conn.close();
  return [
    { label: "frames", mode: "exact", value: frames.map(frameKind) },
    ...frames.map((f, i): Fact => ({ label: `frame[${i}]`, mode: "shape", value: f })),
    { label: "close", mode: "exact", value: close ?? "still open after 5 s" },
  ];
}

function frameKind(f: any): string {
  if (f?.__nonJson !== undefined) return "non-JSON";
  if (f?.type === "res") return `res ok=${f.ok}${f.error ? ` ${f.error.code}` : ""}`;
  if (f?.type === "event") return `event ${f.event}`;
  return `other ${JSON.stringify(f).slice(0, 40)}`;
}

/** Connects, runs `calls` (method, params) in order and records each response, then checks the socket stayed open. */
async function afterConnect(ctx: Ctx, calls: [string, unknown][], opts: { keysOnly?: boolean; raw?: string[] } = {}): Promise<Facts> {
  const { conn, hello } = await connected(ctx);
  if (!hello?.ok) {
    conn.close();
    return [{ label: "connect", mode: "exact", value: frameKind(hello ?? {}) }];
  }
  const facts: Facts = [];
  for (const raw of opts.raw ?? []) conn.sendText(raw);
  for (const [i, [method, params]] of calls.entries()) {
    const res = await conn.request(`r${i + 1}`, method, params);
    facts.push({ label: `${method}.kind`, mode: "exact", value: res ? frameKind(res) : "no response (timeout/closed)" });
    if (!res) continue;
    if (opts.keysOnly && res.ok) facts.push({ label: `${method}.payload`, mode: "keys", value: res.payload });
    else facts.push({ label: method, mode: "shape", value: res });
  }
  await Bun.sleep(150);
  facts.push({ label: "socket", mode: "exact", value: conn.closed ? `closed ${conn.closed.code} ${conn.closed.reason}` : "open" });
  conn.close();
  return facts;
}

/** Sends raw frames after connect and records the replies (by id, or anything within 1.5 s). */
async function rawAfterConnect(ctx: Ctx, raw: string, expectReply: boolean): Promise<Facts> {
  const { conn, hello } = await connected(ctx);
  if (!hello?.ok) {
    conn.close();
    return [{ label: "connect", mode: "exact", value: frameKind(hello ?? {}) }];
  }
  // Let the post-connect broadcasts (health, presence) arrive first so they are not taken for replies.
  await Bun.sleep(1500);
  const start = conn.frames.length;
  conn.sendText(raw);
  const facts: Facts = [];
  if (expectReply) {
    const res = await conn.waitFor((f) => f?.type === "res", 5000);
    facts.push({ label: "reply", mode: "shape", value: res ?? "no reply" });
  }
  // Settle: frames on one socket are handled in order, so a reply to the raw frame comes before the probe's.
  const probe = await conn.request("probe", "health", {});
  if (!expectReply) {
    const replies = conn.since(start).filter((f) => f?.type === "res" && f.id !== "probe");
    facts.push({ label: "replies", mode: "exact", value: replies.map(frameKind) });
  }
  facts.push({ label: "health after", mode: "exact", value: probe ? frameKind(probe) : "no response" });
  facts.push({ label: "socket", mode: "exact", value: conn.closed ? `closed ${conn.closed.code} ${conn.closed.reason}` : "open" });
  conn.close();
  return facts;
}

interface Sequence {
  name: string;
  run(ctx: Ctx): Promise<Facts>;
}

const req = (method: string, params?: unknown, id = "h1") => JSON.stringify({ type: "req", id, method, ...(params !== undefined && { params }) });

const SEQUENCES: Sequence[] = [
  {
    name: "connect: success (challenge, hello-ok, post-connect events)",
    async run(ctx) {
      const { conn, challenge, hello } = await connected(ctx);
      await Bun.sleep(2000);
      const helloIndex = conn.frames.findIndex((f) => f.json?.type === "res" && f.json.id === "c1");
      // Ticks come every 30 s on both; whether one falls into the window is luck, so they are left out.
      const after = conn.since(helloIndex + 1).filter((f) => f?.type === "event" && f.event !== "tick");
      conn.close();
      const facts: Facts = [{ label: "challenge", mode: "shape", value: challenge }];
      if (!hello?.ok) return [...facts, { label: "hello", mode: "shape", value: hello ?? "no response" }];
      const { methods, events } = hello.payload?.features ?? {};
      const helloRest = structuredClone(hello);
      delete helloRest.payload.features.methods;
      delete helloRest.payload.features.events;
      facts.push({ label: "hello-ok", mode: "shape", value: helloRest });
      facts.push({ label: "features.methods", mode: "set", value: methods });
      facts.push({ label: "features.methods order", mode: "exact", value: methods });
      facts.push({ label: "features.events", mode: "set", value: events });
      facts.push({ label: "post-connect event names (2 s)", mode: "set", value: [...new Set(after.map((e) => e.event))] });
      const seen = new Set<string>();
      for (const e of after) {
        if (seen.has(e.event)) continue;
        seen.add(e.event);
        facts.push({ label: `first ${e.event} event`, mode: "shape", value: e });
      }
      return facts;
    },
  },
  {
    name: "handshake: no connect within 10 s",
    async run(ctx) {
      const conn = await Conn.open(ctx.url);
      const opened = Date.now();
      const close = await conn.waitClose(14_000);
      const frames = conn.frames.map((f) => f.json).filter((f) => f?.event !== "connect.challenge");
      conn.close();
      const secs = close ? Math.round((Date.now() - opened) / 1000) : undefined;
      return [
        { label: "frames besides the challenge", mode: "exact", value: frames.map(frameKind) },
        { label: "close", mode: "exact", value: close ?? "still open after 14 s" },
        { label: "closed after (s, rounded)", mode: "exact", value: secs },
      ];
    },
  },
  { name: "handshake: first frame not JSON", run: (ctx) => handshakeFailure(ctx, "this is not json") },
  { name: "handshake: first frame JSON but not a req", run: (ctx) => handshakeFailure(ctx, JSON.stringify({ type: "event", event: "hello" })) },
  { name: "handshake: first req not connect", run: (ctx) => handshakeFailure(ctx, req("health", {})) },
  {
    name: "handshake: bad client.id",
    run: (ctx) => handshakeFailure(ctx, req("connect", connectParams({ client: { ...CLIENT, id: "no-such-client" } }, ctx.token))),
  },
  {
    name: "handshake: unknown connect param",
    run: (ctx) => handshakeFailure(ctx, req("connect", connectParams({ bogus: true }, ctx.token))),
  },
  {
    name: "handshake: protocol mismatch (4..5)",
    run: (ctx) => handshakeFailure(ctx, req("connect", connectParams({ minProtocol: 4, maxProtocol: 5 }, ctx.token))),
  },
  {
    name: "handshake: protocol mismatch (1..2)",
    run: (ctx) => handshakeFailure(ctx, req("connect", connectParams({ minProtocol: 1, maxProtocol: 2 }, ctx.token))),
  },
  { name: "handshake: bad role", run: (ctx) => handshakeFailure(ctx, req("connect", connectParams({ role: "admin" }, ctx.token))) },
  { name: "handshake: wrong token", run: (ctx) => handshakeFailure(ctx, req("connect", connectParams({}, "wrong-token"))) },
  { name: "handshake: wrong token (client.id cli)", run: (ctx) => handshakeFailure(ctx, req("connect", connectParams({ client: { ...CLIENT, id: "cli", mode: "cli" } }, "wrong-token"))) },
  { name: "handshake: missing token (auth: {})", run: (ctx) => handshakeFailure(ctx, req("connect", connectParams({ auth: {} }))) },
  { name: "handshake: missing token (auth: {password})", run: (ctx) => handshakeFailure(ctx, req("connect", connectParams({ auth: { password: "pw" } }))) },
  { name: "handshake: no auth at all", run: (ctx) => handshakeFailure(ctx, req("connect", connectParams({}))) },
  {
    name: "after connect: invalid frame (req without method)",
    run: (ctx) => rawAfterConnect(ctx, JSON.stringify({ type: "req", id: "bad1" }), true),
  },
  {
    name: "after connect: invalid frame (no id)",
    run: (ctx) => rawAfterConnect(ctx, JSON.stringify({ type: "req", method: "health" }), true),
  },
  { name: "after connect: non-JSON text", run: (ctx) => rawAfterConnect(ctx, "not json at all", false) },
  { name: "after connect: unknown method", run: (ctx) => afterConnect(ctx, [["no.such.method", {}]]) },
  { name: "after connect: system-event without text", run: (ctx) => afterConnect(ctx, [["system-event", {}]]) },
  { name: "after connect: logs.tail limit 0", run: (ctx) => afterConnect(ctx, [["logs.tail", { limit: 0 }]]) },
  { name: "after connect: health with unknown param", run: (ctx) => afterConnect(ctx, [["health", { bogus: 1 }]]) },
  { name: "after connect: second connect", run: (ctx) => afterConnect(ctx, [["connect", connectParams({}, ctx.token)]]) },
  { name: "health", run: (ctx) => afterConnect(ctx, [["health", {}]]) },
  { name: "status", run: (ctx) => afterConnect(ctx, [["status", {}]]) },
  { name: "system-presence", run: (ctx) => afterConnect(ctx, [["system-presence", {}]]) },
  { name: "last-heartbeat", run: (ctx) => afterConnect(ctx, [["last-heartbeat", {}]]) },
  { name: "logs.tail", run: (ctx) => afterConnect(ctx, [["logs.tail", { limit: 5 }]]) },
  { name: "config.get", run: (ctx) => afterConnect(ctx, [["config.get", {}]]) },
  { name: "config.schema (keys only)", run: (ctx) => afterConnect(ctx, [["config.schema", {}]], { keysOnly: true }) },
  { name: "models.list", run: (ctx) => afterConnect(ctx, [["models.list", {}]]) },
  { name: "agents.list", run: (ctx) => afterConnect(ctx, [["agents.list", {}]]) },
  { name: "sessions.list", run: (ctx) => afterConnect(ctx, [["sessions.list", {}]]) },
  { name: "channels.status", run: (ctx) => afterConnect(ctx, [["channels.status", {}]]) },
  {
    name: "scopes: operator.read client (status ok, config.get / system-event denied)",
    async run(ctx) {
      const { conn, hello } = await connected(ctx, { scopes: ["operator.read"] });
      if (!hello?.ok) {
        conn.close();
        return [{ label: "connect", mode: "shape", value: hello ?? "no response" }];
      }
      const facts: Facts = [];
      for (const [i, m] of ["status", "config.get", "system-event"].entries()) {
        const res = await conn.request(`s${i}`, m, m === "system-event" ? { text: "x" } : {});
        facts.push({ label: `${m}.kind`, mode: "exact", value: res ? frameKind(res) : "no response" });
        if (res && !res.ok) facts.push({ label: `${m}.error`, mode: "exact", value: res.error });
      }
      conn.close();
      return facts;
    },
  },
  {
    name: "role node: operator method denied",
    async run(ctx) {
      const { conn, hello } = await connected(ctx, { role: "node", client: { ...CLIENT, id: "node-host", mode: "node" } });
      if (!hello?.ok) {
        conn.close();
        return [{ label: "connect", mode: "shape", value: hello ?? "no response" }];
      }
      const res = await conn.request("n1", "health", {});
      conn.close();
      return [{ label: "health", mode: "shape", value: res ?? "no response" }];
    },
  },
  {
    name: "system-event with text (then system-presence)",
    async run(ctx) {
      const { conn, hello } = await connected(ctx);
      if (!hello?.ok) {
        conn.close();
        return [{ label: "connect", mode: "shape", value: hello ?? "no response" }];
      }
      await Bun.sleep(1000);
      const start = conn.frames.length;
      const text = "Node: compat-box (10.9.9.9) · app 1.2.3 · last input 5s ago · mode ui · reason periodic";
      const res = await conn.request("e1", "system-event", { text, instanceId: "compat-instance" });
      await Bun.sleep(500);
      const events = conn.since(start).filter((f) => f?.type === "event" && f.event !== "tick");
      const presence = await conn.request("e2", "system-presence", {});
      const status = await conn.request("e3", "status", {});
      conn.close();
      const entry = Array.isArray(presence?.payload) ? presence.payload.find((e: any) => e?.instanceId === "compat-instance" || e?.host === "compat-box") : undefined;
      return [
        { label: "system-event", mode: "shape", value: res ?? "no response" },
        { label: "events after", mode: "set", value: [...new Set(events.map((e) => e.event))] },
        { label: "presence entry for the event", mode: "shape", value: entry ?? "none" },
        { label: "status.queuedSystemEvents", mode: "exact", value: status?.payload?.queuedSystemEvents ?? "no status payload" },
      ];
    },
  },
  {
    name: "params validation matrix (kind + error per call; runs last: it mutates presence)",
    async run(ctx) {
      const calls: [string, unknown][] = [
        ["system-event", { text: "x", extra: 1 }],
        ["system-event", { text: 5 }],
        ["system-event", { text: "" }],
        ["system-event", { text: "   " }],
        ["logs.tail", { limit: 6000 }],
        ["logs.tail", { cursor: -1 }],
        ["logs.tail", { maxBytes: 0 }],
        ["logs.tail", { extra: 1 }],
        ["status", { extra: 1 }],
        ["system-presence", { extra: 1 }],
        ["last-heartbeat", { extra: 1 }],
        ["models.list", { extra: 1 }],
        ["agents.list", { extra: 1 }],
        ["sessions.list", { limit: 0 }],
        ["sessions.list", { extra: 1 }],
        ["channels.status", { extra: 1 }],
        ["config.get", { extra: 1 }],
        ["config.schema", { extra: 1 }],
        ["health", null],
        ["health", []],
        ["status", "text"],
      ];
      const { conn, hello } = await connected(ctx, { client: { ...CLIENT, id: "cli", mode: "cli" } });
      if (!hello?.ok) {
        conn.close();
        return [{ label: "connect", mode: "shape", value: hello ?? "no response" }];
      }
      const facts: Facts = [];
      for (const [i, [method, params]] of calls.entries()) {
        const res = await conn.request(`m${i}`, method, params);
        const value = !res ? "no response" : res.ok ? "ok" : `${res.error?.code}: ${res.error?.message}`;
        facts.push({ label: `${method} ${JSON.stringify(params)}`, mode: "exact", value });
      }
      conn.close();
      return facts;
    },
  },
];

// ---------------------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------------------

/** Keys whose values differ between any two runs (or between the two implementations by nature). */
const VOLATILE_KEY =
  /^(ts|nonce|connId|id|host|hostname|ip|version|commit|pid|uptimeMs|durationMs|configPath|stateDir|path|paths|file|size|cursor|lines|hash|raw|generatedAt|text|updatedAt|age|seq|deviceId|instanceId|requestId|canvasHostUrl|workspace|workspaceDir|sessionId|lastActiveAgeMs|token|deviceToken|\w*At|\w*AtMs)$/;
const VOLATILE_PATH = [/\.stateVersion\.(presence|health)$/, /\.auth\.token$/, /config\.gateway\.auth\.token$/, /\.meta\.lastTouched\w*$/];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function isVolatile(path: string, key: string, v: unknown): boolean {
  if (VOLATILE_KEY.test(key) || VOLATILE_PATH.some((r) => r.test(path))) return true;
  if (typeof v === "string") return UUID.test(v) || ISO.test(v) || v.startsWith("/") || /^(ws|http)s?:\/\//.test(v);
  if (typeof v === "number") return v > 1e12;
  return false;
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/** Compact JSON for the report: strings over 100 chars cut to 40, the whole to 160. */
function short(v: unknown): string {
  const s = JSON.stringify(v, (_k, x) => (typeof x === "string" && x.length > 100 ? `${x.slice(0, 40)}...(${x.length} chars)` : x));
  return s === undefined ? "undefined" : s.length > 160 ? `${s.slice(0, 157)}...` : s;
}

/** One representative for the elements of an array: objects merged key by key (first value wins). */
function mergeElements(items: unknown[]): unknown {
  const objects = items.filter((x) => typeOf(x) === "object") as Record<string, unknown>[];
  if (objects.length !== items.length || objects.length === 0) return items[0];
  const out: Record<string, unknown> = {};
  for (const o of objects) for (const [k, v] of Object.entries(o)) if (!(k in out)) out[k] = v;
  return out;
}

/** What identifies an array element: its non-volatile primitive fields. */
function signature(x: unknown, path: string): string {
  if (typeOf(x) !== "object") return JSON.stringify(x);
  const entries = Object.entries(x as Record<string, unknown>)
    .filter(([k, v]) => !isVolatile(`${path}.${k}`, k, v) && typeOf(v) !== "object" && typeOf(v) !== "array")
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(entries);
}

/**
 * Pairs the elements of two arrays: first those with equal signatures (in order), then the leftovers by
 * position; what is left after that exists on one side only.
 */
function alignElements(o: unknown[], r: unknown[], path: string): { pairs: [unknown, unknown][]; onlyOurs: unknown[]; onlyRef: unknown[] } {
  const usedO = new Set<number>();
  const usedR = new Set<number>();
  const pairs: [unknown, unknown][] = [];
  const sigO = o.map((x) => signature(x, path));
  const sigR = r.map((x) => signature(x, path));
  for (let i = 0; i < r.length; i++) {
    const j = sigO.findIndex((s, k) => !usedO.has(k) && s === sigR[i]);
    if (j >= 0) {
      usedO.add(j);
      usedR.add(i);
      pairs.push([o[j], r[i]]);
    }
  }
  const leftO = o.filter((_, k) => !usedO.has(k));
  const leftR = r.filter((_, k) => !usedR.has(k));
  const n = Math.min(leftO.length, leftR.length);
  for (let k = 0; k < n; k++) pairs.push([leftO[k], leftR[k]]);
  return { pairs, onlyOurs: leftO.slice(n), onlyRef: leftR.slice(n) };
}

/** Structural diff: types and key sets everywhere, values where they are not volatile. */
function diffShape(ours: unknown, ref: unknown, path: string, out: string[], compareValues = true): void {
  const to = typeOf(ours);
  const tr = typeOf(ref);
  const key = path.split(".").pop()?.replace(/\[\]$/, "") ?? "";
  if (to !== tr) {
    out.push(`${path}: type ${to} ${short(ours)} (ours) vs ${tr} ${short(ref)} (ref)`);
    return;
  }
  if (to === "object") {
    const o = ours as Record<string, unknown>;
    const r = ref as Record<string, unknown>;
    const onlyOurs = Object.keys(o).filter((k) => !(k in r));
    const onlyRef = Object.keys(r).filter((k) => !(k in o));
    if (onlyRef.length) out.push(`${path}: keys only in ref: ${onlyRef.map((k) => `${k}=${short(r[k])}`).join(", ")}`);
    if (onlyOurs.length) out.push(`${path}: keys only in ours: ${onlyOurs.map((k) => `${k}=${short(o[k])}`).join(", ")}`);
    for (const k of Object.keys(o)) if (k in r) diffShape(o[k], r[k], path ? `${path}.${k}` : k, out, compareValues);
    return;
  }
  if (to === "array") {
    const o = ours as unknown[];
    const r = ref as unknown[];
    if (o.length === 0 && r.length === 0) return;
    const volatile = VOLATILE_KEY.test(key);
    const primitives = [...o, ...r].every((x) => ["string", "number", "boolean", "null"].includes(typeOf(x)));
    if (primitives) {
      const typesO = [...new Set(o.map(typeOf))].sort().join("|");
      const typesR = [...new Set(r.map(typeOf))].sort().join("|");
      if (o.length && r.length && typesO !== typesR) out.push(`${path}[]: element type ${typesO} (ours) vs ${typesR} (ref)`);
      if (compareValues && !volatile) {
        const onlyRef = r.filter((x) => !o.includes(x) && !isVolatile(path, key, x));
        const onlyOurs = o.filter((x) => !r.includes(x) && !isVolatile(path, key, x));
        if (onlyRef.length) out.push(`${path}: values only in ref: ${short(onlyRef)}`);
        if (onlyOurs.length) out.push(`${path}: values only in ours: ${short(onlyOurs)}`);
      } else if ((o.length === 0) !== (r.length === 0)) {
        out.push(`${path}: ${o.length} item(s) in ours vs ${r.length} in ref`);
      }
      return;
    }
    if (o.length === 0 || r.length === 0) {
      out.push(`${path}: ${o.length} item(s) in ours vs ${r.length} in ref${r.length ? `; ref[0]=${short(r[0])}` : `; ours[0]=${short(o[0])}`}`);
      return;
    }
    if (!compareValues || volatile) {
      diffShape(mergeElements(o), mergeElements(r), `${path}[]`, out, false);
      return;
    }
    if (o.length !== r.length) out.push(`${path}: length ${o.length} (ours) vs ${r.length} (ref)`);
    const { pairs, onlyOurs, onlyRef } = alignElements(o, r, path);
    for (const x of onlyRef) out.push(`${path}[]: element only in ref: ${short(x)}`);
    for (const x of onlyOurs) out.push(`${path}[]: element only in ours: ${short(x)}`);
    for (const [a, b] of pairs) diffShape(a, b, `${path}[]`, out, true);
    return;
  }
  if (compareValues && ours !== ref && !isVolatile(path, key, ours) && !isVolatile(path, key, ref)) {
    out.push(`${path}: ${short(ours)} (ours) vs ${short(ref)} (ref)`);
  }
}

function compareFact(label: string, mode: Mode, ours: unknown, ref: unknown): string[] {
  const out: string[] = [];
  if (ours === undefined || ref === undefined) {
    if (ours !== ref) out.push(`${label}: ${ours === undefined ? "missing in ours" : short(ours)} vs ${ref === undefined ? "missing in ref" : short(ref)}`);
    return out;
  }
  switch (mode) {
    case "exact":
      if (JSON.stringify(ours) !== JSON.stringify(ref)) {
        if (label === "features.methods order" && Array.isArray(ours) && Array.isArray(ref)) {
          const common = ref.filter((m) => ours.includes(m));
          const oursCommon = ours.filter((m) => ref.includes(m));
          if (JSON.stringify(common) !== JSON.stringify(oursCommon)) out.push(`${label}: the methods both advertise come in a different order`);
        } else out.push(`${label}: ${short(ours)} (ours) vs ${short(ref)} (ref)`);
      }
      break;
    case "set": {
      const o = (ours ?? []) as unknown[];
      const r = (ref ?? []) as unknown[];
      const onlyRef = r.filter((x) => !o.includes(x));
      const onlyOurs = o.filter((x) => !r.includes(x));
      if (onlyRef.length) out.push(`${label}: ${onlyRef.length} only in ref: ${onlyRef.join(", ")}`);
      if (onlyOurs.length) out.push(`${label}: ${onlyOurs.length} only in ours: ${onlyOurs.join(", ")}`);
      break;
    }
    case "keys": {
      const ko = typeOf(ours) === "object" ? Object.keys(ours as object) : [];
      const kr = typeOf(ref) === "object" ? Object.keys(ref as object) : [];
      if (typeOf(ours) !== typeOf(ref)) out.push(`${label}: type ${typeOf(ours)} (ours) vs ${typeOf(ref)} (ref)`);
      const onlyRef = kr.filter((k) => !ko.includes(k));
      const onlyOurs = ko.filter((k) => !kr.includes(k));
      if (onlyRef.length) out.push(`${label}: keys only in ref: ${onlyRef.join(", ")}`);
      if (onlyOurs.length) out.push(`${label}: keys only in ours: ${onlyOurs.join(", ")}`);
      for (const k of ko.filter((k) => kr.includes(k))) {
        const a = typeOf((ours as Record<string, unknown>)[k]);
        const b = typeOf((ref as Record<string, unknown>)[k]);
        if (a !== b) out.push(`${label}.${k}: type ${a} (ours) vs ${b} (ref)`);
      }
      break;
    }
    case "shape":
      diffShape(ours, ref, label, out);
      break;
  }
  return out;
}

function compareFacts(ours: Facts, ref: Facts): string[] {
  const labels = [...new Set([...ours.map((f) => f.label), ...ref.map((f) => f.label)])];
  const diffs: string[] = [];
  for (const label of labels) {
    const o = ours.find((f) => f.label === label);
    const r = ref.find((f) => f.label === label);
    diffs.push(...compareFact(label, (o ?? r)?.mode ?? "shape", o?.value, r?.value));
  }
  return [...new Set(diffs)];
}

// ---------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------

async function runSafe(seq: Sequence, ctx: Ctx): Promise<Facts> {
  try {
    return await seq.run(ctx);
  } catch (err) {
    return [{ label: "error", mode: "exact", value: `sequence threw: ${(err as Error).message}` }];
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const token = argv.token ?? `compat-${crypto.randomUUID().replaceAll("-", "")}`;
  const gateways: Gateway[] = [];
  let ours: Gateway;
  let ref: Gateway;
  const stopAll = async () => {
    await Promise.all(gateways.splice(0).map((g) => g.stop().catch(() => {})));
  };
  process.on("SIGINT", () => void stopAll().then(() => process.exit(130)));
  try {
    if (argv.ours && argv.ref) {
      if (!argv.token) throw new Error("--ours/--ref need --token");
      ours = { name: "ours", url: argv.ours, describe: `ours at ${argv.ours} (already running)`, stop: async () => {} };
      ref = { name: "ref", url: argv.ref, describe: `reference at ${argv.ref} (already running)`, stop: async () => {} };
    } else {
      const started = await startReference(token);
      ref = started.gw;
      gateways.push(ref);
      ours = await startOurs(token, started.home);
      gateways.push(ours);
    }
    const header = [
      `# Gateway compat diff: ours vs upstream reference`,
      ``,
      `- date: ${new Date().toISOString()}`,
      `- ${ours.describe}`,
      `- ${ref.describe}`,
      `- same token on both; same dev-profile config (the reference's generated ~/.openclaw-dev/openclaw.json, paths rewritten)`,
      `- values ignored: uuids, timestamps, nonces, seq/stateVersion counters, uptime, hosts, ips, versions, pids, paths, hashes`,
      ``,
    ];
    console.log(header.slice(2, 6).join("\n"));
    console.log("");

    const only = argv.only?.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
    const lines: string[] = [];
    const md: string[] = [];
    let same = 0;
    let diff = 0;
    for (const seq of SEQUENCES) {
      if (only && !only.some((o) => seq.name.toLowerCase().includes(o))) continue;
      const [o, r] = await Promise.all([runSafe(seq, { url: ours.url, token }), runSafe(seq, { url: ref.url, token })]);
      if (argv.verbose) {
        console.log(`--- ${seq.name}\n  ours: ${JSON.stringify(o)}\n  ref:  ${JSON.stringify(r)}`);
      }
      const diffs = compareFacts(o, r);
      if (diffs.length === 0) {
        same++;
        lines.push(`SAME  ${seq.name}`);
        md.push(`- **SAME** ${seq.name}`);
      } else {
        diff++;
        lines.push(`DIFF  ${seq.name}`, ...diffs.map((d) => `        - ${d}`));
        md.push(`- **DIFF** ${seq.name}`, ...diffs.map((d) => `  - \`${d.replaceAll("`", "'")}\``));
      }
      console.log(lines.slice(-1 - diffs.length).join("\n"));
    }
    const summary = `${same} SAME, ${diff} DIFF, ${same + diff} sequences in ${((Date.now() - started) / 1000).toFixed(1)} s`;
    console.log(`\n${summary}`);
    writeFileSync(REPORT_FILE, [...header, `## Result: ${summary}`, ``, ...md, ``].join("\n"));
    console.log(`report written to ${REPORT_FILE.replace(`${ROOT}/`, "")}`);
  } finally {
    await stopAll();
  }
}

await main();
process.exit(0);
