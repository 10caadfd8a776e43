/**
 * Helpers shared by the security regression suite: a WebSocket client written by hand over node:net (so a
 * test can pick the source address, e.g. 127.0.0.2, and send any Host / Origin / proxy header), plain HTTP
 * requests with arbitrary headers, and a way to run many async jobs with bounded concurrency.
 */
import { randomBytes } from "node:crypto";
import net from "node:net";
import { type DeviceIdentity, signDeviceAuth } from "../../src/client/device-identity.ts";

/** Options of {@link openRawWs}. */
export interface RawWsOptions {
  port: number;
  /** Address to connect to (default 127.0.0.1). */
  host?: string;
  /** Source address to bind (any 127.x.y.z reaches a 127.0.0.1 listener on Linux). */
  localAddress?: string;
  /** Request path (default "/"). */
  path?: string;
  /** Extra or replacing request headers; `host: null` leaves the Host header out. */
  headers?: Record<string, string | null>;
  timeoutMs?: number;
}

/** A server frame. Close frames carry `code` and the reason in `text`. */
export interface RawWsFrame {
  opcode: number;
  text: string;
  code?: number;
}

/** An upgraded socket. */
export interface RawWs {
  sendText(text: string): void;
  /** Sends a request frame. */
  request(method: string, params: unknown, id?: string): void;
  /** Next frame, or undefined when the socket ended (or `timeoutMs` passed). */
  next(timeoutMs?: number): Promise<RawWsFrame | undefined>;
  /** Next text frame parsed as JSON, skipping nothing; undefined on close/end/timeout. */
  nextJson(timeoutMs?: number): Promise<any>;
  /** Reads until a close frame or EOF; resolves the close frame (or undefined for a bare EOF). */
  closed(timeoutMs?: number): Promise<RawWsFrame | undefined>;
  readonly ended: boolean;
  destroy(): void;
}

/**
 * Opens TCP, sends the upgrade by hand and resolves once the server answered 101.
 * @throws Error `upgrade refused: <status line>` for any other answer, or on timeout / socket error.
 */
export function openRawWs(opts: RawWsOptions): Promise<RawWs> {
  const host = opts.host ?? "127.0.0.1";
  return new Promise<RawWs>((resolve, reject) => {
    const socket = net.connect({ host, port: opts.port, localAddress: opts.localAddress });
    socket.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    let upgraded = false;
    let ended = false;
    const frames: RawWsFrame[] = [];
    const waiters: ((f: RawWsFrame | undefined) => void)[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("upgrade timed out"));
    }, opts.timeoutMs ?? 10_000);

    const deliver = (f: RawWsFrame | undefined) => {
      const w = waiters.shift();
      if (w) w(f);
      else if (f) frames.push(f);
    };
    const parse = () => {
      for (;;) {
        if (buf.length < 2) return;
        const opcode = buf[0]! & 0x0f;
        let len = buf[1]! & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          off = 10;
        }
        if (buf.length < off + len) return;
        const body = buf.subarray(off, off + len);
        buf = buf.subarray(off + len);
        if (opcode === 8) deliver({ opcode, code: body.length >= 2 ? body.readUInt16BE(0) : undefined, text: body.subarray(2).toString("utf8") });
        else if (opcode === 9) writeFrame(socket, 10, body);
        else deliver({ opcode, text: body.toString("utf8") });
      }
    };
    socket.on("data", (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      if (!upgraded) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = buf.subarray(0, end).toString("latin1");
        buf = buf.subarray(end + 4);
        clearTimeout(timer);
        if (!/^HTTP\/1\.1 101/.test(head)) {
          socket.destroy();
          reject(new Error(`upgrade refused: ${head.split("\r\n")[0]}`));
          return;
        }
        upgraded = true;
        resolve(raw);
      }
      parse();
    });
    const onEnd = () => {
      ended = true;
      while (waiters.length > 0) deliver(undefined);
    };
    socket.on("end", onEnd);
    socket.on("close", onEnd);
    socket.on("error", (err) => {
      if (!upgraded) {
        clearTimeout(timer);
        reject(err);
      }
      onEnd();
    });
    socket.on("connect", () => {
      const headers: Record<string, string | null> = {
        host: `${host.includes(":") ? `[${host}]` : host}:${opts.port}`,
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-key": randomBytes(16).toString("base64"),
        "sec-websocket-version": "13",
        ...opts.headers,
      };
      const lines = Object.entries(headers)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => `${k}: ${v}`);
      socket.write(`GET ${opts.path ?? "/"} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`);
    });

    let counter = 0;
    const next = (timeoutMs = 10_000): Promise<RawWsFrame | undefined> => {
      const f = frames.shift();
      if (f) return Promise.resolve(f);
      if (ended) return Promise.resolve(undefined);
      return new Promise((res) => {
        const t = setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) waiters.splice(i, 1);
          res(undefined);
        }, timeoutMs);
        const w = (fr: RawWsFrame | undefined) => {
          clearTimeout(t);
          res(fr);
        };
        waiters.push(w);
      });
    };
    const raw: RawWs = {
      sendText: (text) => writeFrame(socket, 1, Buffer.from(text)),
      request: (method, params, id = `r${++counter}`) => writeFrame(socket, 1, Buffer.from(JSON.stringify({ type: "req", id, method, params }))),
      next,
      async nextJson(timeoutMs) {
        const f = await next(timeoutMs);
        return f && f.opcode === 1 ? JSON.parse(f.text) : undefined;
      },
      async closed(timeoutMs = 10_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const f = await next(Math.max(1, deadline - Date.now()));
          if (!f || f.opcode === 8) return f;
        }
      },
      get ended() {
        return ended;
      },
      destroy: () => socket.destroy(),
    };
  });
}

/** Reads frames until the response to request `id` (events in between are skipped); undefined on close. */
export async function responseTo(ws: RawWs, id: string, timeoutMs = 10_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const f = await ws.nextJson(Math.max(1, deadline - Date.now()));
    if (!f) return undefined;
    if (f.type === "res" && f.id === id) return f;
  }
}

/** Connect params for a raw handshake; override any field. */
export function rawConnectParams(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { minProtocol: 3, maxProtocol: 3, client: { id: "test", version: "1.0.0", platform: "linux", mode: "test" }, ...overrides };
}

/**
 * Opens a raw socket, reads the challenge and sends `connect`.
 * @returns the socket and the connect response frame (undefined when the server closed without one).
 */
export async function rawConnect(opts: RawWsOptions, params: Record<string, unknown>): Promise<{ ws: RawWs; res: any; challenge: any }> {
  const ws = await openRawWs(opts);
  const challenge = await ws.nextJson(5000);
  ws.request("connect", params, "connect");
  const res = await ws.nextJson(5000);
  return { ws, res, challenge };
}

/** Options of {@link rawDeviceConnect}. */
export interface RawDeviceConnectOptions {
  client?: { id: string; version: string; platform: string; mode: string };
  role?: string;
  scopes?: string[];
  /** Sent as auth.token and covered by the signature. */
  token?: string;
}

/** Like {@link rawConnect}, with a device block signed over the challenge nonce. */
export async function rawDeviceConnect(opts: RawWsOptions, identity: DeviceIdentity, o: RawDeviceConnectOptions = {}): Promise<{ ws: RawWs; res: any }> {
  const ws = await openRawWs(opts);
  const challenge = await ws.nextJson(5000);
  const client = o.client ?? { id: "test", version: "1.0.0", platform: "linux", mode: "test" };
  const role = o.role ?? "operator";
  const scopes = o.scopes ?? [];
  const device = signDeviceAuth(identity, { clientId: client.id, clientMode: client.mode, role, scopes, token: o.token, nonce: challenge.payload.nonce });
  const params = rawConnectParams({ client, role, ...(o.scopes && { scopes }), ...(o.token !== undefined && { auth: { token: o.token } }), device });
  ws.request("connect", params, "connect");
  return { ws, res: await ws.nextJson(5000) };
}

/** A plain HTTP/1.1 request over node:net with exactly the headers given (Bun's fetch rewrites Host). */
export function rawHttp(opts: { port: number; host?: string; localAddress?: string; method?: string; path: string; headers?: Record<string, string> }): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const host = opts.host ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port: opts.port, localAddress: opts.localAddress });
    let data = Buffer.alloc(0);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const text = data.toString("utf8");
      const end = text.indexOf("\r\n\r\n");
      const head = (end < 0 ? text : text.slice(0, end)).split("\r\n");
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(head[0] ?? "")?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const i = line.indexOf(":");
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      let body = end < 0 ? "" : text.slice(end + 4);
      if (headers["transfer-encoding"] === "chunked") body = dechunk(body);
      socket.destroy();
      resolve({ status, headers, body });
    };
    socket.on("data", (c: Buffer) => {
      data = Buffer.concat([data, c]);
      // A response with a length is complete without waiting for the server to close (it may keep-alive).
      const end = data.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(data.subarray(0, end).toString("latin1"))?.[1];
      if (length !== undefined && data.length >= end + 4 + Number(length)) finish();
    });
    socket.on("error", (err) => (done ? undefined : reject(err)));
    socket.on("close", finish);
    socket.on("connect", () => {
      const headers = { host: `${host}:${opts.port}`, connection: "close", ...opts.headers };
      const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
      socket.write(`${opts.method ?? "GET"} ${opts.path} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`);
    });
  });
}

/** Runs `count` jobs with at most `concurrency` in flight; returns their results in order. */
export async function runBounded<T>(count: number, concurrency: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(count);
  let nextIndex = 0;
  const worker = async () => {
    for (;;) {
      const i = nextIndex++;
      if (i >= count) return;
      out[i] = await job(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return out;
}

// --- internal ---

function writeFrame(socket: net.Socket, opcode: number, payload: Buffer): void {
  if (socket.destroyed) return;
  const len = payload.length;
  const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (len < 126) head[1] = 0x80 | len;
  else if (len < 65536) {
    head[1] = 0x80 | 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  const mask = randomBytes(4);
  const body = Buffer.allocUnsafe(len);
  for (let i = 0; i < len; i++) body[i] = payload[i]! ^ mask[i & 3]!;
  socket.write(Buffer.concat([head, mask, body]));
}

function dechunk(body: string): string {
  let out = "";
  let rest = body;
  for (;;) {
    const i = rest.indexOf("\r\n");
    if (i < 0) return out;
    const size = Number.parseInt(rest.slice(0, i), 16);
    if (!size) return out;
    out += rest.slice(i + 2, i + 2 + size);
    rest = rest.slice(i + 2 + size + 2);
  }
}
