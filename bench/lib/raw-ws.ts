/**
 * A hand-rolled WebSocket client over a node:net socket, for the two scenarios Bun's WebSocket cannot do:
 * choosing the local source address (`localAddress`, e.g. 127.0.0.2) and stopping reading on purpose
 * (a slow consumer). Text frames only; client frames are masked as RFC 6455 requires.
 */
import { randomBytes } from "node:crypto";
import net from "node:net";

/** Options of {@link openRawSocket}. */
export interface RawSocketOptions {
  host: string;
  port: number;
  /** Source address to bind (any 127.x.y.z works on Linux loopback). */
  localAddress?: string;
  /** Give up on the upgrade after this long (default 10 000 ms). */
  timeoutMs?: number;
}

/** A server frame as read off the wire. */
export interface RawFrame {
  opcode: number;
  /** Text for text/close frames (close: the reason, after the 2-byte code). */
  text: string;
  /** Close code for opcode 8. */
  code?: number;
}

/** An upgraded socket. */
export interface RawSocket {
  socket: net.Socket;
  /** Sends one masked text frame. */
  sendText(text: string): void;
  /** Next frame, waiting up to `timeoutMs`; undefined when the socket ended first. */
  nextFrame(timeoutMs?: number): Promise<RawFrame | undefined>;
  /** Stops reading from the kernel (the server's writes pile up). */
  pause(): void;
  /** Reads again. */
  resume(): void;
  /** Payload bytes received so far (frame bodies). */
  readonly bytesReceived: number;
  /** True once the server's TCP FIN or an error was seen. */
  readonly ended: boolean;
  destroy(): void;
}

/**
 * Connects, sends the HTTP upgrade by hand and resolves once the server answered 101.
 * @throws Error on refusal, non-101 answer or timeout.
 */
export function openRawSocket(opts: RawSocketOptions): Promise<RawSocket> {
  return new Promise<RawSocket>((resolve, reject) => {
    const socket = net.connect({ host: opts.host, port: opts.port, localAddress: opts.localAddress });
    socket.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    let upgraded = false;
    let ended = false;
    let bytesReceived = 0;
    const frames: RawFrame[] = [];
    const waiters: ((f: RawFrame | undefined) => void)[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("upgrade timed out"));
    }, opts.timeoutMs ?? 10_000);

    const deliver = (f: RawFrame | undefined) => {
      const w = waiters.shift();
      if (w) w(f);
      else if (f) frames.push(f);
    };

    const parseFrames = () => {
      for (;;) {
        if (buf.length < 2) return;
        const opcode = buf[0] & 0x0f;
        let len = buf[1] & 0x7f;
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
        bytesReceived += len;
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
        if (!/^HTTP\/1\.1 101/.test(head)) {
          clearTimeout(timer);
          socket.destroy();
          reject(new Error(`upgrade refused: ${head.split("\r\n")[0]}`));
          return;
        }
        upgraded = true;
        clearTimeout(timer);
        resolve(raw);
      }
      parseFrames();
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
      const key = randomBytes(16).toString("base64");
      socket.write(
        `GET / HTTP/1.1\r\nHost: ${opts.host}:${opts.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });

    const raw: RawSocket = {
      socket,
      sendText: (text) => writeFrame(socket, 1, Buffer.from(text)),
      nextFrame(timeoutMs = 10_000) {
        const f = frames.shift();
        if (f) return Promise.resolve(f);
        if (ended) return Promise.resolve(undefined);
        return new Promise((res) => {
          const t = setTimeout(() => {
            const i = waiters.indexOf(w);
            if (i >= 0) waiters.splice(i, 1);
            res(undefined);
          }, timeoutMs);
          const w = (fr: RawFrame | undefined) => {
            clearTimeout(t);
            res(fr);
          };
          waiters.push(w);
        });
      },
      pause: () => socket.pause(),
      resume: () => socket.resume(),
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

/** Writes one final, masked frame. */
function writeFrame(socket: net.Socket, opcode: number, payload: Buffer): void {
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
  for (let i = 0; i < len; i++) body[i] = payload[i] ^ mask[i & 3];
  socket.write(Buffer.concat([head, mask, body]));
}
