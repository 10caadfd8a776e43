/**
 * Small WebSocket helpers for tests: open a socket, read frames in order, send requests, wait for close.
 */

/** A test socket that queues every frame it receives. */
export interface TestSocket {
  ws: WebSocket;
  /** Next frame (parsed JSON), waiting up to `timeoutMs`. */
  next(timeoutMs?: number): Promise<any>;
  /** Next frame matching `pred`, skipping (and keeping out of the queue) others. */
  nextMatching(pred: (f: any) => boolean, timeoutMs?: number): Promise<any>;
  send(frame: unknown): void;
  /** Sends a req frame and resolves with its res frame. */
  request(method: string, params?: unknown, id?: string): Promise<any>;
  /** Resolves with the close event's code and reason. */
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

let counter = 0;

/** Opens a WebSocket to `url` and waits for it to be open. */
export async function openSocket(url: string, opts: { headers?: Record<string, string> } = {}): Promise<TestSocket> {
  const ws = new WebSocket(url, opts.headers ? ({ headers: opts.headers } as any) : undefined);
  const queue: any[] = [];
  const waiters: ((f: any) => void)[] = [];
  ws.onmessage = (ev) => {
    const f = JSON.parse(String(ev.data));
    const w = waiters.shift();
    if (w) w(f);
    else queue.push(f);
  };
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.onclose = (ev) => resolve({ code: ev.code, reason: ev.reason });
  });
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = (e) => reject(new Error(`socket error: ${String((e as any).message ?? e)}`));
  });
  const next = (timeoutMs = 5000) =>
    new Promise<any>((resolve, reject) => {
      const f = queue.shift();
      if (f !== undefined) return resolve(f);
      const timer = setTimeout(() => {
        const i = waiters.indexOf(w);
        if (i >= 0) waiters.splice(i, 1);
        reject(new Error(`no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      const w = (frame: any) => {
        clearTimeout(timer);
        resolve(frame);
      };
      waiters.push(w);
    });
  const nextMatching = async (pred: (f: any) => boolean, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    const i = queue.findIndex(pred);
    if (i >= 0) return queue.splice(i, 1)[0];
    const skipped: any[] = [];
    try {
      for (;;) {
        const f = await next(Math.max(1, deadline - Date.now()));
        if (pred(f)) return f;
        skipped.push(f);
      }
    } finally {
      queue.unshift(...skipped);
    }
  };
  return {
    ws,
    next,
    nextMatching,
    send: (frame) => ws.send(typeof frame === "string" ? frame : JSON.stringify(frame)),
    request: (method, params = {}, id = `t${++counter}`) => {
      ws.send(JSON.stringify({ type: "req", id, method, params }));
      return nextMatching((f) => f.type === "res" && f.id === id);
    },
    closed,
    close: () => ws.close(),
  };
}

/** connect params for a test client; override any field. */
export function connectParams(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    minProtocol: 3,
    maxProtocol: 3,
    client: { id: "test", version: "1.0.0", platform: "linux", mode: "test" },
    ...overrides,
  };
}

/** Opens a socket, reads the challenge, connects with `token`; returns the socket and hello-ok frame. */
export async function connectClient(url: string, token: string, overrides: Record<string, unknown> = {}): Promise<{ sock: TestSocket; hello: any; challenge: any }> {
  const sock = await openSocket(url);
  const challenge = await sock.next();
  const res = await sock.request("connect", connectParams({ auth: { token }, ...overrides }), "connect");
  if (!res.ok) throw new Error(`connect failed: ${JSON.stringify(res.error)}`);
  return { sock, hello: res.payload, challenge };
}
