/**
 * A fake OpenAI-compatible embeddings API on loopback, port 0: `POST /v1/embeddings` with `{model, input}`
 * answers `{object: "list", data: [{object: "embedding", index, embedding}], model, usage}`. Vectors are a
 * deterministic bag of words: each word is mapped to its concept (the small synonym table below, else the word
 * itself) and hashed into one of {@link FAKE_EMBEDDING_DIMS} buckets, so texts that share concepts but no
 * word (e.g. "airplane seating preference" and "prefers window seats on flights") are close. Records every
 * request; `mode` switches it to failing (HTTP 500) or hanging (answers only when released or the client aborts).
 */

/** Length of every vector. */
export const FAKE_EMBEDDING_DIMS = 256;

// Words that mean the same to the fake model. Stop words are dropped so they do not dominate short texts.
const CONCEPTS: Record<string, string> = {
  airplane: "air", plane: "air", flight: "air", flights: "air", flying: "air", fly: "air",
  seat: "seat", seats: "seat", seating: "seat",
  prefer: "pref", prefers: "pref", preference: "pref", preferred: "pref", likes: "pref", like: "pref",
  doctor: "med", dentist: "med", physician: "med", appointment: "appt", visit: "appt",
  car: "car", vehicle: "car", automobile: "car",
};
const STOP = new Set(["the", "a", "an", "on", "in", "of", "to", "and", "is", "for", "at", "my", "user", "what", "which", "does"]);

/** One recorded request. */
export interface FakeEmbeddingsCall {
  model: string;
  inputs: string[];
  authorization: string | null;
  headers: Record<string, string>;
}

/** A running fake. */
export interface FakeEmbeddings {
  /** Base URL to configure (`http://127.0.0.1:PORT/v1`). */
  baseUrl: string;
  calls: FakeEmbeddingsCall[];
  /** ok: answer; fail: HTTP 500; hang: no answer until {@link release} or the client aborts. */
  mode: "ok" | "fail" | "hang";
  /** Answers every hanging request (with vectors). */
  release(): void;
  /** Every input text embedded so far. */
  inputs(): string[];
  stop(): void;
}

/** The fake's vector of a text (what a request returns for it). */
export function fakeEmbedding(text: string): number[] {
  const v = new Array<number>(FAKE_EMBEDDING_DIMS).fill(0);
  for (const m of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = m[0];
    if (STOP.has(word)) continue;
    v[Number(Bun.hash(CONCEPTS[word] ?? word) % BigInt(FAKE_EMBEDDING_DIMS))]! += 1;
  }
  return v;
}

/** Starts a fake; `expectKey` makes requests without `Authorization: Bearer <key>` fail with 401. */
export function startFakeEmbeddings(opts: { expectKey?: string } = {}): FakeEmbeddings {
  const calls: FakeEmbeddingsCall[] = [];
  let waiting: (() => void)[] = [];
  const fake: FakeEmbeddings = {
    baseUrl: "",
    calls,
    mode: "ok",
    release() {
      const w = waiting;
      waiting = [];
      for (const f of w) f();
    },
    inputs: () => calls.flatMap((c) => c.inputs),
    stop: () => server.stop(true),
  };
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      if (req.method !== "POST" || url.pathname !== "/v1/embeddings") return Response.json({ error: { message: "not found", type: "invalid_request_error" } }, { status: 404 });
      const body = (await req.json()) as { model?: unknown; input?: unknown };
      const inputs = typeof body.input === "string" ? [body.input] : Array.isArray(body.input) ? body.input.map(String) : [];
      calls.push({ model: String(body.model), inputs, authorization: req.headers.get("authorization"), headers: Object.fromEntries(req.headers as unknown as Iterable<[string, string]>) });
      if (opts.expectKey !== undefined && req.headers.get("authorization") !== `Bearer ${opts.expectKey}`) {
        return Response.json({ error: { message: "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key" } }, { status: 401 });
      }
      if (typeof body.model !== "string" || inputs.length === 0) return Response.json({ error: { message: "model and input are required", type: "invalid_request_error" } }, { status: 400 });
      if (fake.mode === "fail") return Response.json({ error: { message: "The server had an error", type: "server_error" } }, { status: 500 });
      if (fake.mode === "hang") {
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          req.signal.addEventListener("abort", () => resolve());
        });
        if (req.signal.aborted) return new Response(null, { status: 499 });
      }
      return Response.json({
        object: "list",
        data: inputs.map((t, index) => ({ object: "embedding", index, embedding: fakeEmbedding(t) })),
        model: body.model,
        usage: { prompt_tokens: inputs.join(" ").length, total_tokens: inputs.join(" ").length },
      });
    },
  });
  fake.baseUrl = `http://127.0.0.1:${server.port}/v1`;
  return fake;
}
