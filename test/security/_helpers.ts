/**
 * Helpers shared by the security regression suite: the hand-written WebSocket client of
 * test/helpers/raw-ws.ts (so a test can pick the source address, e.g. 127.0.0.2, and send any Host / Origin /
 * proxy header) with gateway handshakes on top, plain HTTP requests with arbitrary headers, and a way to run
 * many async jobs with bounded concurrency.
 */
import net from "node:net";
import { type DeviceIdentity, signDeviceAuth } from "../../src/client/device-identity.ts";
import { openRawWs, type RawWs, type RawWsOptions } from "../helpers/raw-ws.ts";

export { openRawWs, type RawWs, type RawWsFrame, type RawWsOptions } from "../helpers/raw-ws.ts";

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

/** A plain HTTP/1.1 request over node:net with exactly the headers given (Bun's fetch rewrites Host); `body` is sent as is. */
export function rawHttp(opts: { port: number; host?: string; localAddress?: string; method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, string>; body: string }> {
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
      socket.write(`${opts.method ?? "GET"} ${opts.path} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n${opts.body ?? ""}`);
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
