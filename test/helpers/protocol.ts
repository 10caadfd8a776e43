/**
 * Helpers for the protocol conformance tests (test/gateway/*.test.ts): per-test cleanup, handshakes with
 * arbitrary connect params and headers, signed device blocks, frame-shape checks, and a raw TCP WebSocket
 * client that can stop reading (slow consumer).
 */
import { afterEach, expect } from "bun:test";
import { generateKeyPairSync } from "node:crypto";
import net from "node:net";
import { type DeviceIdentity, signDeviceAuth, type SignedDeviceBlock } from "../../src/client/device-identity.ts";
import { validateEventFrame, validateResponseFrame } from "../../src/protocol/generated/validators.js";
import { deriveDeviceId, parseDevicePublicKey } from "../../src/protocol-shared/device-payload.ts";
import { startTestGateway, type TestGateway } from "./gateway.ts";
import { connectParams, openSocket, type TestSocket } from "./ws.ts";

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Registers an afterEach that undoes, newest first, everything the test registered: raw sockets go before
 * the gateway they talk to. Call once at module scope.
 */
export function useCleanup(): { defer(fn: () => unknown): void; gateway(opts?: Parameters<typeof startTestGateway>[0]): Promise<TestGateway> } {
  const stack: (() => unknown)[] = [];
  afterEach(async () => {
    while (stack.length > 0) await stack.pop()!();
  });
  return {
    defer: (fn) => void stack.push(fn),
    async gateway(opts) {
      const gw = await startTestGateway(opts);
      stack.push(() => gw.stop());
      return gw;
    },
  };
}

/** A `client` block of ConnectParams. */
export function clientInfo(id: string, mode: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, version: "1.0.0", platform: "linux", mode, ...extra };
}

/** Typical clients: [client.id, client.mode]. */
export const CLI = clientInfo("cli", "cli");
export const CONTROL_UI = clientInfo("openclaw-control-ui", "ui");
export const WEBCHAT = clientInfo("webchat-ui", "webchat");

/** The outcome of one connect attempt. */
export interface Handshake {
  sock: TestSocket;
  challenge: any;
  res: any;
}

/**
 * Opens a socket, reads the challenge, sends `connect` with the params `build` returns (it gets the
 * challenge, for signing), and returns the connect response.
 */
export async function handshake(
  url: string,
  build: (challenge: any) => Record<string, unknown>,
  opts: { headers?: Record<string, string> } = {},
): Promise<Handshake> {
  const sock = await openSocket(url, opts);
  const challenge = await sock.next();
  const res = await sock.request("connect", build(challenge), "connect");
  return { sock, challenge, res };
}

/** Asserts a rejected handshake: the error frame (exact code/message/details) and the close code and reason. */
export async function expectRejected(
  h: Handshake,
  want: { code: string; message: string; details?: unknown; closeCode?: number; closeReason?: string },
): Promise<void> {
  expect(h.res.ok).toBe(false);
  expect(validateResponseFrame(h.res)).toBe(true);
  expect(h.res.error.code).toBe(want.code);
  expect(h.res.error.message).toBe(want.message);
  if (want.details !== undefined) expect(h.res.error.details).toEqual(want.details);
  const closed = await h.sock.closed;
  expect(closed).toEqual({ code: want.closeCode ?? 1008, reason: want.closeReason ?? want.message });
  expect(Buffer.byteLength(closed.reason)).toBeLessThanOrEqual(120);
}

/** Asserts that no further frame is queued or arrives within `ms` (a bounded wait, not a timing check). */
export async function expectNoFrame(sock: TestSocket, ms = 30): Promise<void> {
  const frame = await sock.next(ms).catch(() => undefined);
  expect(frame).toBeUndefined();
}

/** Takes every frame already queued (waiting at most `ms` for each next one) and returns them. */
export async function drain(sock: TestSocket, ms = 1): Promise<any[]> {
  const frames: any[] = [];
  for (;;) {
    const f = await sock.next(ms).catch(() => undefined);
    if (f === undefined) return frames;
    frames.push(f);
  }
}

/** Asserts the frame is a well-formed event frame of `event` and returns it. */
export function expectEvent(frame: any, event: string): any {
  expect(frame?.event).toBe(event);
  expect(validateEventFrame(frame)).toBe(true);
  return frame;
}

/** Polls `pred` every 5 ms until true; fails after `timeoutMs`. */
export async function waitFor(pred: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

// --- devices ---

/** A fresh in-memory Ed25519 device identity (same shape as the client's identity file). */
export function newIdentity(): DeviceIdentity {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  return {
    version: 1,
    deviceId: deriveDeviceId(parseDevicePublicKey(publicKeyPem)!),
    publicKeyPem,
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    createdAtMs: Date.now(),
  };
}

/** Options of {@link deviceConnect}. */
export interface DeviceConnectOptions {
  client?: Record<string, unknown>;
  role?: string;
  scopes?: string[];
  /** Sent as auth.token and covered by the signature. */
  token?: string;
  password?: string;
  /** Nonce to sign; default the challenge's; `null` signs payload v1 without nonce. */
  nonce?: string | null;
  signedAt?: number;
  /** Fields replaced in the device block after signing. */
  tamper?: Partial<SignedDeviceBlock>;
  /** Signs with this identity's key instead (the block keeps the connecting identity's id and key). */
  signer?: DeviceIdentity;
  /** Scopes covered by the signature, when they should differ from the ones sent. */
  signScopes?: string[];
  headers?: Record<string, string>;
}

/** Connects with a signed device block. */
export function deviceConnect(url: string, identity: DeviceIdentity, opts: DeviceConnectOptions = {}): Promise<Handshake> {
  const client = opts.client ?? clientInfo("test", "test");
  const role = opts.role ?? "operator";
  return handshake(
    url,
    (challenge) => {
      const signedAtMs = opts.signedAt ?? Date.now();
      const sign = (who: DeviceIdentity, scopes: string[]) =>
        signDeviceAuth(who, {
          clientId: client.id as string,
          clientMode: client.mode as string,
          role,
          scopes,
          token: opts.token,
          nonce: opts.nonce === null ? undefined : (opts.nonce ?? challenge.payload.nonce),
          signedAtMs,
        });
      const device = sign(identity, opts.signScopes ?? opts.scopes ?? []);
      if (opts.signer) device.signature = sign(opts.signer, opts.scopes ?? []).signature;
      const auth = { ...(opts.token !== undefined && { token: opts.token }), ...(opts.password !== undefined && { password: opts.password }) };
      return connectParams({
        client,
        ...(opts.role !== undefined && { role }),
        ...(opts.scopes !== undefined && { scopes: opts.scopes }),
        ...(Object.keys(auth).length > 0 && { auth }),
        device: { ...device, ...opts.tamper },
      });
    },
    { headers: opts.headers },
  );
}

// --- raw TCP WebSocket client ---

/** One decoded server frame. */
export interface RawFrame {
  opcode: number;
  data: Buffer;
}

/**
 * A WebSocket client written against a bare TCP socket, so a test can stop reading (`pause`) and let the
 * server's send buffer fill, which a `WebSocket` object never allows.
 */
export class RawWsClient {
  private buf = Buffer.alloc(0);
  private headerEnd = -1;
  readonly ended: Promise<void>;

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      if (this.headerEnd < 0) {
        const i = this.buf.indexOf("\r\n\r\n");
        if (i >= 0) this.headerEnd = i + 4;
      }
    });
    this.ended = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.on("error", () => {});
  }

  /** Opens TCP to 127.0.0.1:`port` and completes the HTTP upgrade. */
  static async open(port: number): Promise<RawWsClient> {
    const socket = net.connect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("error", reject);
    });
    const client = new RawWsClient(socket);
    socket.write(
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    await waitFor(() => client.headerEnd >= 0, 5000, "upgrade response");
    expect(client.buf.subarray(0, 12).toString()).toBe("HTTP/1.1 101");
    return client;
  }

  /** Sends one masked text frame. */
  sendText(text: string): void {
    const payload = Buffer.from(text);
    const len = payload.length;
    const header = len < 126 ? Buffer.from([0x81, 0x80 | len]) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
    if (len >= 126) {
      header[0] = 0x81;
      if (len < 65536) {
        header[1] = 0x80 | 126;
        header.writeUInt16BE(len, 2);
      } else {
        header[1] = 0x80 | 127;
        header.writeBigUInt64BE(BigInt(len), 2);
      }
    }
    const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
    const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
    this.socket.write(Buffer.concat([header, mask, masked]));
  }

  /** Every complete frame received so far. */
  frames(): RawFrame[] {
    const out: RawFrame[] = [];
    let off = this.headerEnd < 0 ? this.buf.length : this.headerEnd;
    while (off + 2 <= this.buf.length) {
      let len = this.buf[off + 1]! & 0x7f;
      let head = 2;
      if (len === 126) [len, head] = [this.buf.readUInt16BE(off + 2), 4];
      else if (len === 127) [len, head] = [Number(this.buf.readBigUInt64BE(off + 2)), 10];
      if (off + head + len > this.buf.length) break;
      out.push({ opcode: this.buf[off]! & 0x0f, data: this.buf.subarray(off + head, off + head + len) });
      off += head + len;
    }
    return out;
  }

  /** Parsed JSON of every complete text frame so far. */
  messages(): any[] {
    return this.frames()
      .filter((f) => f.opcode === 1)
      .map((f) => JSON.parse(f.data.toString("utf8")));
  }

  /** Stops reading from the socket: the kernel buffers fill, then the server's. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
