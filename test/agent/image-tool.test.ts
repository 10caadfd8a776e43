/**
 * The `image` tool in real runs through the gateway with the fake provider: the model asks for it, the
 * image (a workspace file, or a URL when private addresses are allowed) reaches the provider in a separate
 * request as an image part next to the prompt, and the answer comes back as the tool result. A loopback URL
 * is refused without `tools.web.fetch.allowPrivate`; a path leaving the workspace and a non-image are refused;
 * `agents.defaults.imageModel` picks the model.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { imageModelChain } from "../../src/agent/vision.ts";
import { type AgentFixture, collectUntil, startAgentFixture } from "../helpers/agent-gateway.ts";

// A 1×1 PNG.
const PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

let fx: AgentFixture;
let page: ReturnType<typeof Bun.serve>;
let n = 0;

beforeAll(async () => {
  fx = await startAgentFixture({ heartbeats: false });
  mkdirSync(join(fx.workspace, "pics"), { recursive: true });
  writeFileSync(join(fx.workspace, "pics", "dot.png"), Buffer.from(PNG_B64, "base64"));
  writeFileSync(join(fx.workspace, "notes.txt"), "not an image");
  page = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(Buffer.from(PNG_B64, "base64"), { headers: { "content-type": "image/png" } }) });
});
afterAll(async () => {
  page?.stop(true);
  await fx?.stop();
});

/** One run in which the model calls `image` with `args`; `answer` is what the vision call returns. */
async function runImage(args: Record<string, unknown>, answer?: string) {
  const runId = `img-${++n}`;
  const before = fx.fake.requests.length;
  fx.fake.push({ toolCalls: [{ id: `call-${runId}`, name: "image", args }] }, ...(answer ? [{ text: answer }] : []), { text: "Done." });
  fx.sock.send({ type: "req", id: runId, method: "agent", params: { message: "look", idempotencyKey: runId } });
  const frames = await collectUntil(fx.sock, (f) => f.type === "res" && f.id === runId && f.payload?.status !== "accepted");
  const result = frames.filter((f) => f.event === "agent" && f.payload.runId === runId && f.payload.stream === "tool").map((f) => f.payload.data).find((t) => t.phase === "result");
  return { result, requests: fx.fake.requests.slice(before), final: frames.at(-1) };
}

describe("image tool", () => {
  test("a workspace image reaches the model as an image part with the prompt; the answer is the tool result", async () => {
    const { result, requests, final } = await runImage({ path: "pics/dot.png", prompt: "What colour is the dot?" }, "A single red dot.");
    expect(final.ok).toBe(true);
    expect(requests).toHaveLength(3);
    const vision = requests[1]!.body;
    expect(vision.model).toBe("m1");
    expect(vision.tools).toBeUndefined();
    expect(vision.messages).toEqual([{ role: "user", content: [{ type: "text", text: "What colour is the dot?" }, { type: "image_url", image_url: { url: `data:image/png;base64,${PNG_B64}` } }] }]);
    expect(result).toMatchObject({ name: "image", isError: false });
    expect(result.result).toStartWith("A single red dot.\n\n[pics/dot.png: image/png, 70 bytes; answered by local/m1]");
    // The run's next step gets the answer as the tool result.
    expect(JSON.stringify(requests[2]!.body.messages)).toContain("A single red dot.");
  });

  test("upstream's `image` parameter takes a path; the default prompt is used", async () => {
    const { result, requests } = await runImage({ image: "pics/dot.png" }, "A dot.");
    expect(requests[1]!.body.messages[0].content[0]).toEqual({ type: "text", text: "Describe the image." });
    expect(result.isError).toBe(false);
  });

  test("refused before any model call: loopback URL, a path out of the workspace, a non-image, no source", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ url: `http://127.0.0.1:${page.port}/dot.png` }, "tools.web.fetch.allowPrivate"],
      [{ image: `http://localhost:${page.port}/dot.png` }, "tools.web.fetch.allowPrivate"],
      [{ path: "../outside.png" }, "outside"],
      [{ path: "notes.txt" }, "notes.txt: not a PNG, JPEG, GIF or WebP image"],
      [{ prompt: "hi" }, "image needs exactly one of image (a path or URL), path or url"],
    ];
    for (const [args, msg] of cases) {
      const { result, requests } = await runImage(args);
      expect({ args, isError: result.isError, msg: result.result.includes(msg) ? msg : result.result }).toEqual({ args, isError: true, msg });
      expect(requests).toHaveLength(2);
    }
  });

  test("agents.defaults.imageModel picks the vision model (its fallbacks after it); otherwise the run's chain", () => {
    expect(imageModelChain({ agents: { defaults: { model: "local/m1", imageModel: { primary: "local/m2", fallbacks: ["claude/c1"] } } } } as never, "main")).toEqual(["local/m2", "claude/c1"]);
    expect(imageModelChain({ agents: { defaults: { model: { primary: "local/m1", fallbacks: ["local/m2"] } } } }, "main")).toEqual(["local/m1", "local/m2"]);
  });
});

describe("image tool with private URLs allowed and an image model", () => {
  let fx2: AgentFixture;
  beforeAll(async () => {
    fx2 = await startAgentFixture({ heartbeats: false, extra: (ws) => ({ tools: { web: { fetch: { allowPrivate: true } } }, agents: { defaults: { workspace: ws, model: "local/m1", imageModel: "local/m2" } } }) });
  });
  afterAll(async () => {
    await fx2?.stop();
  });

  test("a loopback URL is fetched and sent to the image model", async () => {
    fx2.fake.push({ toolCalls: [{ id: "c1", name: "image", args: { url: `http://127.0.0.1:${page.port}/dot.png` } }] }, { text: "Tiny dot." }, { text: "Done." });
    fx2.sock.send({ type: "req", id: "u1", method: "agent", params: { message: "look", idempotencyKey: "u1" } });
    await collectUntil(fx2.sock, (f) => f.type === "res" && f.id === "u1" && f.payload?.status !== "accepted");
    const vision = fx2.fake.requests[1]!.body;
    expect(vision.model).toBe("m2");
    expect(vision.messages[0].content[1]).toEqual({ type: "image_url", image_url: { url: `data:image/png;base64,${PNG_B64}` } });
    expect(JSON.stringify(fx2.fake.requests[2]!.body.messages)).toContain("Tiny dot.");
  });
});
