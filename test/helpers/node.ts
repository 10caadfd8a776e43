/**
 * A simulated node for tests: a real WebSocket client that speaks protocol v3 as role `node`, signs its
 * device block with Ed25519, and answers `node.invoke.request` events from a table of command handlers.
 */
import { type DeviceIdentity, signDeviceAuth } from "../../src/client/device-identity.ts";
import { newIdentity } from "./protocol.ts";

/** Returned by a command handler to never answer (timeouts, disconnect mid-call). */
export const HOLD = Symbol("hold");

/** Handles one invoked command: the return value is the ok payload; a throw answers ok:false. */
export type CommandHandler = (params: unknown, request: InvokeRequest) => unknown | typeof HOLD | Promise<unknown>;

/** The payload of a `node.invoke.request` event. */
export interface InvokeRequest {
  id: string;
  nodeId: string;
  command: string;
  paramsJSON?: string;
  timeoutMs?: number;
  idempotencyKey?: string;
}

/** Options of {@link connectNode}. */
export interface NodeConnectOptions {
  /** Device identity to sign with; default a fresh one; `null` sends no device block. */
  identity?: DeviceIdentity | null;
  /** `auth.token`: the gateway's shared token or the node's own token. */
  token?: string;
  /** Sent as `X-Forwarded-For`, so the gateway treats the node as remote. */
  remoteIp?: string;
  displayName?: string;
  platform?: string;
  instanceId?: string;
  caps?: string[];
  commands?: string[];
  permissions?: Record<string, boolean>;
  pathEnv?: string;
  handlers?: Record<string, CommandHandler>;
}

/** A node's socket after `connect` (accepted or not). */
export class SimulatedNode {
  /** hello-ok payload, when accepted. */
  hello?: any;
  /** The connect error, when refused. */
  error?: { code: string; message: string; details?: any };
  readonly identity: DeviceIdentity | null;
  /** Every `node.invoke.request` received, oldest first. */
  readonly invokes: InvokeRequest[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #ws: WebSocket;
  readonly #handlers: Record<string, CommandHandler>;
  #instanceId?: string;
  readonly #pending = new Map<string, (frame: any) => void>();
  readonly #events: any[] = [];
  readonly #eventWaiters: { pred: (f: any) => boolean; resolve: (f: any) => void }[] = [];
  #next = 0;

  private constructor(ws: WebSocket, identity: DeviceIdentity | null, handlers: Record<string, CommandHandler>) {
    this.#ws = ws;
    this.identity = identity;
    this.#handlers = handlers;
    this.closed = new Promise((resolve) => {
      ws.addEventListener("close", (ev) => resolve({ code: ev.code, reason: ev.reason }));
    });
    ws.addEventListener("message", (ev) => this.#onFrame(JSON.parse(String(ev.data))));
  }

  /** The node id the gateway uses: the device id; for an unsigned node its instanceId. */
  get nodeId(): string {
    return this.identity?.deviceId ?? this.#instanceId ?? "";
  }

  /** The token the gateway issued in hello-ok (`auth.deviceToken`). */
  get deviceToken(): string | undefined {
    return this.hello?.auth?.deviceToken;
  }

  /**
   * Opens a socket, signs and sends `connect`. Never throws for a refused connect: check `hello`/`error`.
   */
  static async connect(url: string, opts: NodeConnectOptions = {}): Promise<SimulatedNode> {
    const headers = opts.remoteIp ? { "x-forwarded-for": opts.remoteIp } : undefined;
    const ws = new WebSocket(url, headers ? ({ headers } as any) : undefined);
    const identity = opts.identity === undefined ? newIdentity() : opts.identity;
    const node = new SimulatedNode(ws, identity, opts.handlers ?? {});
    node.#instanceId = opts.instanceId;
    const challenge = node.nextEvent("connect.challenge");
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("open", () => resolve());
      ws.addEventListener("error", () => reject(new Error("node socket error")));
    });
    const nonce = (await challenge).payload.nonce as string;
    const client = { id: "node-host", version: "1.0.0", platform: opts.platform ?? "linux", mode: "node", ...(opts.displayName && { displayName: opts.displayName }), ...(opts.instanceId && { instanceId: opts.instanceId }) };
    const device = identity ? signDeviceAuth(identity, { clientId: client.id, clientMode: "node", role: "node", scopes: [], token: opts.token, nonce }) : undefined;
    const res = await node.request("connect", {
      minProtocol: 3,
      maxProtocol: 3,
      client,
      role: "node",
      ...(opts.caps && { caps: opts.caps }),
      ...(opts.commands && { commands: opts.commands }),
      ...(opts.permissions && { permissions: opts.permissions }),
      ...(opts.pathEnv && { pathEnv: opts.pathEnv }),
      ...(opts.token !== undefined && { auth: { token: opts.token } }),
      ...(device && { device }),
    });
    if (res.ok) node.hello = res.payload;
    else node.error = res.error;
    return node;
  }

  /** Sends a request and resolves with its response frame. */
  request(method: string, params: unknown = {}, timeoutMs = 5000): Promise<any> {
    const id = `n${++this.#next}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`no answer to ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, (frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
      this.#ws.send(JSON.stringify({ type: "req", id, method, params }));
    });
  }

  /** The next event named `event` (already received or arriving within `timeoutMs`). */
  nextEvent(event: string, timeoutMs = 5000): Promise<any> {
    const pred = (f: any) => f.event === event;
    const i = this.#events.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.#events.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const waiter = { pred, resolve: (f: any) => (clearTimeout(timer), resolve(f)) };
      const timer = setTimeout(() => {
        this.#eventWaiters.splice(this.#eventWaiters.indexOf(waiter), 1);
        reject(new Error(`no ${event} event within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#eventWaiters.push(waiter);
    });
  }

  /** Answers an invoke by hand. */
  answer(id: string, result: { ok: boolean; payload?: unknown; payloadJSON?: string; error?: { code?: string; message?: string } }): Promise<any> {
    return this.request("node.invoke.result", { id, nodeId: this.nodeId, ...result });
  }

  close(): void {
    this.#ws.close();
  }

  // --- internal ---

  #onFrame(frame: any): void {
    if (frame.type === "res") {
      this.#pending.get(frame.id)?.(frame);
      this.#pending.delete(frame.id);
      return;
    }
    if (frame.type !== "event") return;
    if (frame.event === "node.invoke.request") {
      this.invokes.push(frame.payload);
      void this.#run(frame.payload);
    }
    const w = this.#eventWaiters.findIndex((x) => x.pred(frame));
    if (w >= 0) this.#eventWaiters.splice(w, 1)[0]!.resolve(frame);
    else this.#events.push(frame);
  }

  async #run(req: InvokeRequest): Promise<void> {
    const handler = this.#handlers[req.command];
    if (!handler) return;
    const params = req.paramsJSON === undefined ? undefined : JSON.parse(req.paramsJSON);
    let result: Parameters<SimulatedNode["answer"]>[1];
    try {
      const out = await handler(params, req);
      if (out === HOLD) return;
      result = { ok: true, payload: out };
    } catch (err) {
      result = { ok: false, error: { code: "COMMAND_FAILED", message: (err as Error).message } };
    }
    if (this.#ws.readyState === WebSocket.OPEN) await this.answer(req.id, result).catch(() => {});
  }
}
