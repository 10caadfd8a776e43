/**
 * Helpers for the protocol conformance tests (test/gateway/*.test.ts): per-test cleanup, handshakes with
 * arbitrary connect params and headers, signed device blocks, frame-shape checks. The hand-written WebSocket
 * client (slow consumers, raw frames) is raw-ws.ts; polling for a condition is wait.ts.
 */
import { afterEach, expect } from "bun:test";
import { generateKeyPairSync } from "node:crypto";
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
