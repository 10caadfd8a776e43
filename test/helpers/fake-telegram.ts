/**
 * A fake Telegram Bot API server on loopback (grammY's `apiRoot` / our `channels.telegram.apiRoot`).
 * Speaks the real wire format: `POST /bot<token>/<method>` with JSON or multipart bodies, answers
 * `{ok:true, result}` or `{ok:false, error_code, description, parameters?}`. getUpdates long-polls,
 * confirms updates below `offset`, and (like Telegram) ends an older concurrent getUpdates with 409.
 */

export const FAKE_BOT = { id: 777000111, is_bot: true, first_name: "Claw", username: "claw_test_bot", can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };
export const FAKE_TOKEN = `${FAKE_BOT.id}:AAFakeTokenForTests_abcdefghijklmno`;

/** One API call as the fake saw it. */
export interface TelegramCall {
  method: string;
  params: Record<string, any>;
  /** Uploaded file of sendPhoto / sendDocument. */
  file?: { name: string; size: number; type: string };
  at: number;
}

/** A scripted failure for the next call(s) of a method. */
export interface ScriptedError {
  status: number;
  description: string;
  retryAfter?: number;
  /** How many calls fail (default 1). */
  times?: number;
}

/** A Telegram user for building updates. */
export interface FakeUser {
  id: number;
  first_name: string;
  username?: string;
}

type Waiter = { offset: number; resolve: (r: Response) => void; timer: ReturnType<typeof setTimeout> };

/** A running fake. */
export interface FakeTelegram {
  url: string;
  token: string;
  calls: TelegramCall[];
  /** Answer sendMessage with parse_mode HTML with a 400 entity error. */
  rejectHtml: boolean;
  /** Files served by getFile / the file endpoint: file_id → bytes. */
  files: Map<string, Uint8Array>;
  /** Queues an update (update_id assigned) and wakes a waiting getUpdates. @returns the update. */
  pushUpdate(update: Record<string, any>): Record<string, any>;
  /** Queues a text message from `from` in a private chat (or `chat` when given). */
  pushText(from: FakeUser, text: string, opts?: { chat?: Record<string, any>; entities?: any[]; extra?: Record<string, any> }): Record<string, any>;
  failNext(method: string, err: ScriptedError): void;
  /** Resolves with the first call (now or later) of `method` matching `pred`, after index `since`. */
  waitForCall(method: string, pred?: (c: TelegramCall) => boolean, opts?: { timeoutMs?: number; since?: number }): Promise<TelegramCall>;
  callsOf(method: string): TelegramCall[];
  /** Updates not yet confirmed by an offset. */
  pendingUpdates(): number;
  stop(): void;
}

/** Starts the fake on 127.0.0.1, port 0. */
export function startFakeTelegram(opts: { token?: string } = {}): FakeTelegram {
  const token = opts.token ?? FAKE_TOKEN;
  const calls: TelegramCall[] = [];
  const updates: Record<string, any>[] = [];
  const errors = new Map<string, ScriptedError & { left: number }>();
  const callWaiters = new Set<() => void>();
  let pollWaiter: Waiter | undefined;
  let nextUpdateId = 500_000;
  let nextMessageId = 1000;
  const files = new Map<string, Uint8Array>();

  const ok = (result: unknown) => Response.json({ ok: true, result });
  const fail = (status: number, description: string, retryAfter?: number) =>
    Response.json({ ok: false, error_code: status, description, ...(retryAfter !== undefined && { parameters: { retry_after: retryAfter } }) }, { status });

  const answerPoll = (offset: number): Response | undefined => {
    // Telegram forgets every update below the offset it was given (they are "confirmed").
    while (updates.length > 0 && updates[0].update_id < offset) updates.shift();
    return updates.length > 0 ? ok(updates.slice(0, 100)) : undefined;
  };

  const botMessage = (params: Record<string, any>, extra: Record<string, any>) => ({
    message_id: nextMessageId++,
    from: { id: FAKE_BOT.id, is_bot: true, first_name: FAKE_BOT.first_name, username: FAKE_BOT.username },
    chat: chatOf(params.chat_id),
    date: Math.floor(Date.now() / 1000),
    ...(params.message_thread_id !== undefined && { message_thread_id: Number(params.message_thread_id), is_topic_message: true }),
    ...extra,
  });

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
      if (fileMatch) {
        if (fileMatch[1] !== token) return new Response("Unauthorized", { status: 401 });
        const data = files.get(fileMatch[2].replace(/^files\//, ""));
        return data ? new Response(data as unknown as BodyInit) : new Response("Not Found", { status: 404 });
      }
      const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
      if (!m) return fail(404, "Not Found");
      if (m[1] !== token) return fail(401, "Unauthorized");
      const method = m[2];
      const { params, file } = await readParams(req);
      const call: TelegramCall = { method, params, file, at: Date.now() };
      calls.push(call);
      for (const w of [...callWaiters]) w();

      const scripted = errors.get(method);
      if (scripted && scripted.left > 0) {
        scripted.left -= 1;
        return fail(scripted.status, scripted.description, scripted.retryAfter);
      }

      switch (method) {
        case "getMe":
          return ok(FAKE_BOT);
        case "deleteWebhook":
        case "setWebhook":
        case "sendChatAction":
          return ok(true);
        case "getUpdates": {
          const offset = Number(params.offset ?? 0);
          const timeout = Number(params.timeout ?? 0);
          if (pollWaiter) {
            // A second concurrent long poll: Telegram ends the older one with 409.
            const old = pollWaiter;
            pollWaiter = undefined;
            clearTimeout(old.timer);
            old.resolve(fail(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"));
          }
          const now = answerPoll(offset);
          if (now || timeout <= 0) return now ?? ok([]);
          return new Promise<Response>((resolve) => {
            const waiter: Waiter = {
              offset,
              resolve,
              timer: setTimeout(() => {
                if (pollWaiter === waiter) pollWaiter = undefined;
                resolve(ok([]));
              }, timeout * 1000),
            };
            pollWaiter = waiter;
            req.signal.addEventListener("abort", () => {
              if (pollWaiter === waiter) pollWaiter = undefined;
              clearTimeout(waiter.timer);
            });
          });
        }
        case "sendMessage":
          if (rejectHtmlRef.value && params.parse_mode === "HTML") return fail(400, "Bad Request: can't parse entities: Unsupported start tag \"b\" at byte offset 0");
          return ok(botMessage(params, { text: stripTags(String(params.text ?? "")) }));
        case "sendPhoto":
          return ok(botMessage(params, { photo: [{ file_id: `photo-${nextMessageId}`, file_unique_id: "u", width: 1, height: 1, file_size: file?.size ?? 0 }], ...(params.caption && { caption: stripTags(params.caption) }) }));
        case "sendDocument":
          return ok(botMessage(params, { document: { file_id: `doc-${nextMessageId}`, file_unique_id: "u", file_name: file?.name, file_size: file?.size ?? 0 }, ...(params.caption && { caption: stripTags(params.caption) }) }));
        case "getFile": {
          const data = files.get(String(params.file_id));
          if (!data) return fail(400, "Bad Request: invalid file_id");
          return ok({ file_id: params.file_id, file_unique_id: "u", file_size: data.byteLength, file_path: `files/${params.file_id}` });
        }
        default:
          return fail(404, "Not Found: method not found");
      }
    },
  });

  const rejectHtmlRef = { value: false };
  const fake: FakeTelegram = {
    url: `http://127.0.0.1:${server.port}`,
    token,
    calls,
    files,
    get rejectHtml() {
      return rejectHtmlRef.value;
    },
    set rejectHtml(v: boolean) {
      rejectHtmlRef.value = v;
    },
    pushUpdate(update) {
      const full = { update_id: nextUpdateId++, ...update };
      updates.push(full);
      if (pollWaiter) {
        const w = pollWaiter;
        const res = answerPoll(w.offset);
        if (res) {
          pollWaiter = undefined;
          clearTimeout(w.timer);
          w.resolve(res);
        }
      }
      return full;
    },
    pushText(from, text, o = {}) {
      const chat = o.chat ?? { id: from.id, type: "private", first_name: from.first_name, ...(from.username && { username: from.username }) };
      return fake.pushUpdate({
        message: { message_id: nextMessageId++, from: { ...from, is_bot: false }, chat, date: Math.floor(Date.now() / 1000), text, ...(o.entities && { entities: o.entities }), ...o.extra },
      });
    },
    failNext(method, err) {
      errors.set(method, { ...err, left: err.times ?? 1 });
    },
    waitForCall(method, pred = () => true, o = {}) {
      const since = o.since ?? 0;
      const find = () => calls.slice(since).find((c) => c.method === method && pred(c));
      const hit = find();
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const check = () => {
          const c = find();
          if (!c) return;
          clearTimeout(timer);
          callWaiters.delete(check);
          resolve(c);
        };
        const timer = setTimeout(() => {
          callWaiters.delete(check);
          reject(new Error(`no ${method} call within ${o.timeoutMs ?? 5000} ms; calls: ${calls.map((c) => c.method).join(", ")}`));
        }, o.timeoutMs ?? 5000);
        callWaiters.add(check);
      });
    },
    callsOf: (method) => calls.filter((c) => c.method === method),
    pendingUpdates: () => updates.length,
    stop() {
      if (pollWaiter) {
        clearTimeout(pollWaiter.timer);
        pollWaiter.resolve(ok([]));
        pollWaiter = undefined;
      }
      server.stop(true);
    },
  };
  return fake;
}

async function readParams(req: Request): Promise<{ params: Record<string, any>; file?: TelegramCall["file"] }> {
  const type = req.headers.get("content-type") ?? "";
  if (type.includes("multipart/form-data")) {
    const form = await req.formData();
    const params: Record<string, any> = {};
    let file: TelegramCall["file"];
    for (const [k, v] of form.entries()) {
      if (typeof v === "string") params[k] = tryJson(v);
      else {
        const f = v as unknown as File;
        file = { name: f.name, size: f.size, type: f.type };
        params[k] = `<file:${f.name}>`;
      }
    }
    return { params, file };
  }
  const text = await req.text();
  return { params: text ? JSON.parse(text) : {} };
}

function tryJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

function chatOf(chatId: unknown): Record<string, any> {
  const id = Number(chatId);
  return id < 0 ? { id, type: "supergroup", title: "Test Group" } : { id, type: "private", first_name: "User" };
}

function stripTags(html: string): string {
  return html.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}
