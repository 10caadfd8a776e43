/**
 * A lean protocol-v3 client for load generation, on Bun's built-in WebSocket. It reads frames without a
 * full JSON.parse where it can (responses and events are recognised by their prefix), so a few hundred
 * clients receiving broadcasts cost the load generator little.
 */

/** Who a load client says it is in `connect`. */
export interface ClientIdentity {
  /** `client.id` (default "test"; "cli" is not tracked in presence). */
  id?: string;
  /** `client.mode` (default "test"). */
  mode?: string;
  /** `client.instanceId`: presence key when set (else the gateway uses the connection id). */
  instanceId?: string;
}

/** Options of {@link connectClient}. */
export interface ConnectOptions extends ClientIdentity {
  url: string;
  token: string;
  /** Give up after this long (default 15 000 ms). */
  timeoutMs?: number;
  /** Called for every event frame after hello-ok, with the event name and the receive time. */
  onEvent?: (event: string, at: number, text: string) => void;
}

/** A response, parsed lazily. */
export interface Reply {
  ok: boolean;
  text: string;
}

/** An authenticated client. */
export interface BenchClient {
  ws: WebSocket;
  /** Sends a req and resolves with its res (never rejects; a closed socket resolves ok:false). */
  request(method: string, params?: unknown): Promise<Reply>;
  /** Replaces the event callback. */
  setOnEvent(cb: ConnectOptions["onEvent"]): void;
  /** Resolves when the socket closed, with code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** Thrown when the gateway refuses `connect`; `message` is the gateway's error text. */
export class ConnectRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConnectRefused";
  }
}

const RES_PREFIX = '{"type":"res","id":"';
const EVENT_PREFIX = '{"type":"event","event":"';

/** Builds the `connect` request frame text. */
export function connectFrame(token: string, who: ClientIdentity = {}, id = "c"): string {
  const client: Record<string, string> = { id: who.id ?? "test", version: "1", platform: "linux", mode: who.mode ?? "test" };
  if (who.instanceId) client.instanceId = who.instanceId;
  return JSON.stringify({ type: "req", id, method: "connect", params: { minProtocol: 3, maxProtocol: 3, client, auth: { token } } });
}

/** Reads a frame's kind and key (res id or event name) without parsing the whole text. */
export function peekFrame(text: string): { kind: "res"; id: string; ok: boolean } | { kind: "event"; event: string } | { kind: "other" } {
  if (text.startsWith(RES_PREFIX)) {
    const end = text.indexOf('"', RES_PREFIX.length);
    const id = text.slice(RES_PREFIX.length, end);
    return { kind: "res", id, ok: text.startsWith(',"ok":true', end + 1) };
  }
  if (text.startsWith(EVENT_PREFIX)) {
    const end = text.indexOf('"', EVENT_PREFIX.length);
    return { kind: "event", event: text.slice(EVENT_PREFIX.length, end) };
  }
  // Key order differs from what we expect: fall back to parsing.
  try {
    const f = JSON.parse(text) as { type?: string; id?: string; ok?: boolean; event?: string };
    if (f.type === "res" && typeof f.id === "string") return { kind: "res", id: f.id, ok: f.ok === true };
    if (f.type === "event" && typeof f.event === "string") return { kind: "event", event: f.event };
  } catch {
    // not JSON
  }
  return { kind: "other" };
}

/**
 * Opens a socket, waits for `connect.challenge`, sends `connect` and resolves at hello-ok.
 * @throws ConnectRefused when the gateway answers with an error; Error on close or timeout.
 */
export function connectClient(opts: ConnectOptions): Promise<BenchClient> {
  return new Promise<BenchClient>((resolve, reject) => {
    const ws = new WebSocket(opts.url);
    const pending = new Map<string, (r: Reply) => void>();
    let onEvent = opts.onEvent;
    let authed = false;
    let nextId = 0;
    let resolveClosed!: (v: { code: number; reason: string }) => void;
    const closed = new Promise<{ code: number; reason: string }>((r) => (resolveClosed = r));
    const timer = setTimeout(() => {
      if (authed) return;
      ws.close();
      reject(new Error(`connect timed out after ${opts.timeoutMs ?? 15_000} ms`));
    }, opts.timeoutMs ?? 15_000);

    const client: BenchClient = {
      ws,
      request(method, params = {}) {
        const id = `r${++nextId}`;
        return new Promise<Reply>((res) => {
          if (ws.readyState !== WebSocket.OPEN) return res({ ok: false, text: "socket not open" });
          pending.set(id, res);
          ws.send(`{"type":"req","id":"${id}","method":"${method}","params":${JSON.stringify(params)}}`);
        });
      },
      setOnEvent(cb) {
        onEvent = cb;
      },
      closed,
      close: () => ws.close(),
    };

    ws.onmessage = (ev) => {
      const text = ev.data as string;
      const at = performance.now();
      const f = peekFrame(text);
      if (f.kind === "event") {
        if (!authed) {
          if (f.event === "connect.challenge") ws.send(connectFrame(opts.token, opts));
          return;
        }
        onEvent?.(f.event, at, text);
        return;
      }
      if (f.kind !== "res") return;
      if (!authed && f.id === "c") {
        clearTimeout(timer);
        if (!f.ok) {
          const msg = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? "refused";
          reject(new ConnectRefused(msg));
          return;
        }
        authed = true;
        resolve(client);
        return;
      }
      const done = pending.get(f.id);
      if (done) {
        pending.delete(f.id);
        done({ ok: f.ok, text });
      }
    };
    ws.onclose = (ev) => {
      clearTimeout(timer);
      for (const done of pending.values()) done({ ok: false, text: `closed ${ev.code}` });
      pending.clear();
      resolveClosed({ code: ev.code, reason: ev.reason });
      if (!authed) reject(new Error(`closed before hello-ok: ${ev.code} ${ev.reason}`));
    };
    ws.onerror = () => {
      // onclose follows and carries the outcome.
    };
  });
}

/**
 * Connects `count` clients with at most `concurrency` handshakes in flight.
 * @returns the clients, in order; throws on the first failure after closing what was opened.
 */
export async function connectMany(count: number, concurrency: number, make: (i: number) => ConnectOptions): Promise<BenchClient[]> {
  const out: BenchClient[] = new Array(count);
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined) {
      const i = next++;
      if (i >= count) return;
      try {
        out[i] = await connectClient(make(i));
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (failure !== undefined) {
    closeAll(out.filter(Boolean));
    throw failure;
  }
  return out;
}

/** Closes every client and waits (bounded) for the close events. */
export async function closeAll(clients: BenchClient[], waitMs = 5000): Promise<void> {
  for (const c of clients) c.close();
  await Promise.race([Promise.all(clients.map((c) => c.closed)), Bun.sleep(waitMs)]);
}
