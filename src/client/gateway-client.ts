/**
 * The typed client every CLI command uses to reach a running gateway over protocol v3: waits for the
 * challenge, sends `connect`, then correlates requests and responses by id (two-phase answers included).
 */
import { type HelloOk, PROTOCOL_VERSION } from "../protocol/index.ts";
import { type DeviceIdentity, signDeviceAuth } from "./device-identity.ts";

/** How to reach and authenticate to a gateway. */
export interface ClientOptions {
  url: string;
  token?: string;
  password?: string;
  clientId?: string;
  clientMode?: string;
  clientVersion?: string;
  displayName?: string;
  role?: "operator" | "node";
  scopes?: string[];
  /**
   * Sign the connect with this device identity (over the challenge nonce). With `token`, that device token
   * is sent as `auth.token` instead of the shared secret: the gateway checks it as a paired device, not as a
   * guess at its secret.
   */
  device?: { identity: DeviceIdentity; token?: string };
  /** Connect + handshake timeout in ms (default 10 000). */
  timeoutMs?: number;
  /** Called for every event frame after the handshake. */
  onEvent?: (event: { event: string; payload?: unknown; seq?: number }) => void;
  /** Called when the socket closes after the handshake. */
  onClose?: (code: number, reason: string) => void;
}

/** An error frame from the gateway (the gateway answered, and said no). */
export class GatewayRequestError extends Error {
  readonly code: string;
  readonly details?: unknown;
  readonly retryAfterMs?: number;
  /** The URL dialled, set when the gateway refused the connect itself. */
  url?: string;
  /** Set by callers that dialled a `gateway.remote.url` (changes the CLI's advice). */
  remote?: boolean;
  constructor(error: { code: string; message: string; details?: unknown; retryAfterMs?: number }) {
    super(error.message);
    this.name = "GatewayRequestError";
    this.code = error.code;
    this.details = error.details;
    this.retryAfterMs = error.retryAfterMs;
  }
}

/** The gateway could not be reached or the socket failed (no answer to read). */
export class GatewayTransportError extends Error {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super(message, opts);
    this.name = "GatewayTransportError";
  }
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; expectFinal: boolean; timer: ReturnType<typeof setTimeout> };

/** A connected client. Create with {@link connectGateway}. */
export class GatewayClient {
  /** The gateway's `hello-ok` (the generated protocol type; the gateway validates what it sends). */
  readonly hello: HelloOk;
  private readonly ws: WebSocket;
  private readonly pending: Map<string, Pending>;
  private nextId = 1;

  /** @internal use {@link connectGateway} */
  constructor(ws: WebSocket, hello: HelloOk, pending: Map<string, Pending>) {
    this.ws = ws;
    this.hello = hello;
    this.pending = pending;
  }

  /**
   * Sends one request and waits for its answer.
   * @param opts.expectFinal skip an interim `{status:"accepted"}` answer and wait for the final one.
   * @throws GatewayRequestError when the gateway answers ok:false; GatewayTransportError on timeout or close.
   */
  request<T = unknown>(method: string, params: unknown = {}, opts: { timeoutMs?: number; expectFinal?: boolean } = {}): Promise<T> {
    const id = String(this.nextId++);
    const timeoutMs = opts.timeoutMs ?? 10_000;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new GatewayTransportError(`gateway did not answer ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, expectFinal: opts.expectFinal === true, timer });
      this.ws.send(JSON.stringify({ type: "req", id, method, params }));
    });
  }

  /** Closes the socket (normal closure). */
  close(): void {
    try {
      this.ws.close(1000, "");
    } catch {
      // already closed
    }
  }
}

/**
 * Opens a socket and completes the handshake.
 * @throws GatewayRequestError when the gateway rejects the connect (wrong token, …);
 *   GatewayTransportError when it cannot be reached, with a hint to start it.
 */
export function connectGateway(opts: ClientOptions): Promise<GatewayClient> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const pending = new Map<string, Pending>();
  return new Promise<GatewayClient>((resolve, reject) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(opts.url);
    } catch (err) {
      reject(new GatewayTransportError(`invalid gateway URL ${opts.url}: ${(err as Error).message}`, { cause: err }));
      return;
    }
    let client: GatewayClient | undefined;
    let settled = false;
    let connectSent = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(challengeWait);
      try {
        ws.close();
      } catch {
        // ignore
      }
      reject(err);
    };
    const timer = setTimeout(() => fail(new GatewayTransportError(`gateway handshake timed out after ${timeoutMs} ms (${opts.url})`)), timeoutMs);
    // Send connect on the challenge, or after 750 ms without one (older gateways send none).
    let challengeWait: ReturnType<typeof setTimeout> | undefined;
    const sendConnect = (nonce?: string) => {
      if (connectSent) return;
      connectSent = true;
      clearTimeout(challengeWait);
      const role = opts.role ?? "operator";
      const scopes = opts.scopes ?? ["operator.admin"];
      const deviceToken = opts.device?.token;
      const token = deviceToken ?? opts.token;
      const password = deviceToken ? undefined : opts.password;
      const clientId = opts.clientId ?? "cli";
      const clientMode = opts.clientMode ?? "cli";
      const device = opts.device && signDeviceAuth(opts.device.identity, { clientId, clientMode, role, scopes, token, nonce });
      const params = {
        minProtocol: PROTOCOL_VERSION,
        maxProtocol: PROTOCOL_VERSION,
        client: {
          id: clientId,
          version: opts.clientVersion ?? "dev",
          platform: process.platform,
          mode: clientMode,
          ...(opts.displayName && { displayName: opts.displayName }),
        },
        role,
        scopes,
        ...((token || password) && { auth: { ...(token && { token }), ...(password && { password }) } }),
        ...(device && { device }),
      };
      ws.send(JSON.stringify({ type: "req", id: "connect", method: "connect", params }));
    };
    ws.onopen = () => {
      challengeWait = setTimeout(() => sendConnect(), 750);
    };
    ws.onerror = () => {
      fail(new GatewayTransportError(`cannot reach the gateway at ${opts.url}: is it running? Start it with \`openclaw gateway\`.`));
    };
    ws.onclose = (ev) => {
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.reject(new GatewayTransportError(`gateway closed the connection (${ev.code}${ev.reason ? ` ${ev.reason}` : ""})`));
      }
      pending.clear();
      if (!settled) fail(new GatewayTransportError(`gateway at ${opts.url} closed the connection during the handshake (${ev.code}${ev.reason ? ` ${ev.reason}` : ""})`));
      else opts.onClose?.(ev.code, ev.reason);
    };
    ws.onmessage = (ev) => {
      let frame: { type?: string; id?: string; ok?: boolean; payload?: unknown; error?: { code: string; message: string; retryAfterMs?: number }; event?: string; seq?: number };
      try {
        frame = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if (frame.type === "event") {
        if (frame.event === "connect.challenge" && !client) return sendConnect((frame.payload as { nonce?: string } | undefined)?.nonce);
        if (client) opts.onEvent?.({ event: frame.event as string, payload: frame.payload, seq: frame.seq });
        return;
      }
      if (frame.type !== "res" || frame.id === undefined) return;
      if (!client && frame.id === "connect") {
        if (!frame.ok) {
          const refused = new GatewayRequestError(frame.error ?? { code: "UNAVAILABLE", message: "connect failed" });
          refused.url = opts.url;
          return fail(refused);
        }
        settled = true;
        clearTimeout(timer);
        client = new GatewayClient(ws, frame.payload as HelloOk, pending);
        resolve(client);
        return;
      }
      const p = pending.get(frame.id);
      if (!p) return;
      const status = (frame.payload as { status?: string } | undefined)?.status;
      if (frame.ok && p.expectFinal && status === "accepted") return;
      pending.delete(frame.id);
      clearTimeout(p.timer);
      if (frame.ok) p.resolve(frame.payload);
      else p.reject(new GatewayRequestError(frame.error ?? { code: "UNAVAILABLE", message: "request failed" }));
    };
  });
}
