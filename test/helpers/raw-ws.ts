/**
 * A WebSocket client written by hand over a node:net socket (RFC 6455: upgrade by hand, masked client
 * frames, text/close/ping frames read off the wire), for what Bun's `WebSocket` cannot do: pick the source
 * address (e.g. 127.0.0.2, to play a second client host), send any Host / Origin / proxy header or none,
 * stop reading on purpose (a slow consumer), or read a server's close frame and EOF exactly as sent.
 *
 * The suite's one raw WebSocket client: used by the transport-limit and fuzz tests, the security suite
 * (test/security/_helpers.ts re-exports it) and by the benchmark and soak
 * (bench/scenarios/slow-consumer.ts, wrong-token.ts, bench/soak/soak.ts); it lives under test/ so the
 * asserted suite does not depend on bench/, which nothing in CI runs.
 */
import { randomBytes } from "node:crypto";
import net from "node:net";

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
  /** Give up on the upgrade after this long (default 10 000 ms). */
  timeoutMs?: number;
}

/** A server frame. Close frames (opcode 8) carry `code` and the reason in `text`. */
export interface RawWsFrame {
  opcode: number;
  text: string;
  code?: number;
}

/** An upgraded socket. Not for concurrent readers: frames go to `next()` callers in call order. */
export interface RawWs {
  /** Sends one masked text frame. */
  sendText(text: string): void;
  /** Writes bytes to the socket as they are (hand-made or malformed frames). */
  sendBytes(bytes: Uint8Array): void;
  /** Sends a request frame `{type:"req", id, method, params}`; ids default to r1, r2, … */
  request(method: string, params: unknown, id?: string): void;
  /** Next frame, or undefined when the socket ended (or `timeoutMs` passed). */
  next(timeoutMs?: number): Promise<RawWsFrame | undefined>;
  /** Next text frame parsed as JSON, skipping nothing; undefined on close/end/timeout. */
  nextJson(timeoutMs?: number): Promise<any>;
  /** Reads until a close frame or EOF; resolves the close frame (or undefined for a bare EOF). */
  closed(timeoutMs?: number): Promise<RawWsFrame | undefined>;
  /** Stops reading from the kernel (the server's writes pile up in the socket buffers, then in the server). */
  pause(): void;
  /** Reads again. */
  resume(): void;
  /**
   * From now on only counts what arrives and drops it, unparsed and unqueued: an idle client that keeps up
   * with broadcasts at almost no cost to the load generator. `next()` then only reports the end.
   */
  discardFrames(): void;
  /** Payload bytes of the frames received so far; once discarding, every byte received. */
  readonly bytesReceived: number;
  /** True once the server's FIN, a close or a socket error was seen. */
  readonly ended: boolean;
  destroy(): void;
}

/**
 * Opens TCP, sends the upgrade by hand and resolves once the server answered 101. Pings are answered.
 * @throws Error `upgrade refused: <status line>` for any other answer, `upgrade timed out`, or the socket error.
 */
export function openRawWs(opts: RawWsOptions): Promise<RawWs> {
  const host = opts.host ?? "127.0.0.1";
  return new Promise<RawWs>((resolve, reject) => {
    const socket = net.connect({ host, port: opts.port, localAddress: opts.localAddress });
    socket.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    let upgraded = false;
    let discarding = false;
    let ended = false;
    let bytesReceived = 0;
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
        const frame = readFrame(buf);
        if (!frame) return;
        buf = buf.subarray(frame.size);
        bytesReceived += frame.body.length;
        const { opcode, body } = frame;
        if (opcode === 8) deliver({ opcode, code: body.length >= 2 ? body.readUInt16BE(0) : undefined, text: body.subarray(2).toString("utf8") });
        else if (opcode === 9) writeFrame(socket, 10, body);
        else deliver({ opcode, text: body.toString("utf8") });
      }
    };
    socket.on("data", (chunk: Buffer) => {
      if (discarding) {
        bytesReceived += chunk.length;
        return;
      }
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
      sendBytes: (bytes) => void (socket.destroyed || socket.write(bytes)),
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
      pause: () => socket.pause(),
      resume: () => socket.resume(),
      discardFrames() {
        discarding = true;
        bytesReceived += buf.length;
        buf = Buffer.alloc(0);
        frames.length = 0;
      },
      get bytesReceived() {
        return bytesReceived;
      },
      get ended() {
        return ended;
      },
      destroy: () => socket.destroy(),
    };
  });
}

// --- internal ---

/** The first complete frame in `buf` (opcode, unmasked body, bytes it takes), or undefined when incomplete. */
function readFrame(buf: Buffer): { opcode: number; body: Buffer; size: number } | undefined {
  if (buf.length < 2) return undefined;
  let len = buf[1]! & 0x7f;
  let off = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    off = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(buf.readBigUInt64BE(2));
    off = 10;
  }
  if (buf.length < off + len) return undefined;
  return { opcode: buf[0]! & 0x0f, body: buf.subarray(off, off + len), size: off + len };
}

/** Writes one final, masked frame (clients must mask, RFC 6455 §5.3); a no-op once the socket is destroyed. */
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
