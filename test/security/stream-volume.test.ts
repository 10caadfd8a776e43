/**
 * Class: event volume that grows with the square of a reply. Every `agent` assistant event carries the whole
 * text so far, so one event per model token sent ~100 MiB to every operator for a 32 000-character reply and
 * got readers closed as slow consumers. Assistant events are coalesced (and `chat` deltas throttled): the
 * number of events stays far below the number of model deltas, and the text is complete and in order.
 * No timing is asserted: only counts relative to the deltas streamed, and content.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type AgentFixture, collectUntil, connectOperator, startAgentFixture } from "../helpers/agent-gateway.ts";
import type { TestSocket } from "../helpers/ws.ts";

let fx: AgentFixture;
let reader: TestSocket;

beforeAll(async () => {
  fx = await startAgentFixture();
  reader = await connectOperator(fx.gw.url, { scopes: ["operator.read"] });
});
afterAll(async () => {
  reader.close();
  await fx.stop();
});

const DELTAS = 2000;
const chunks = Array.from({ length: DELTAS }, (_, i) => `w${String(i).padStart(5, "0")} `);
const fullText = chunks.join("");

describe("a long reply streamed in token-sized deltas", () => {
  test("agent and chat events are bounded relative to the deltas; the text is complete", async () => {
    fx.fake.push({ text: chunks });
    const res = await fx.sock.request("chat.send", { sessionKey: "main", message: "long story", idempotencyKey: "long-run" });
    expect(res.ok).toBe(true);
    const frames = await collectUntil(reader, (f) => f.event === "chat" && f.payload.runId === "long-run" && f.payload.state !== "delta", 60_000);
    const ofRun = frames.filter((f) => (f.event === "agent" || f.event === "chat") && f.payload.runId === "long-run");
    const assistant = ofRun.filter((f) => f.event === "agent" && f.payload.stream === "assistant").map((f) => f.payload);
    const chatDeltas = ofRun.filter((f) => f.event === "chat" && f.payload.state === "delta");
    const bytes = ofRun.reduce((n, f) => n + Buffer.byteLength(JSON.stringify(f)), 0);

    // Complete and in order: the deltas add up to the text, each event's text extends the previous one.
    expect(assistant.map((a) => a.data.delta).join("")).toBe(fullText);
    let previous = "";
    for (const a of assistant) {
      expect(a.data.text).toBe(previous + a.data.delta);
      previous = a.data.text;
    }
    expect(assistant.at(-1).data.text).toBe(fullText);
    // The last assistant text goes out before the lifecycle end, and the chat final holds the whole reply.
    const lastAssistant = ofRun.indexOf(ofRun.findLast((f) => f.event === "agent" && f.payload.stream === "assistant"));
    const end = ofRun.findIndex((f) => f.event === "agent" && f.payload.stream === "lifecycle" && f.payload.data.phase === "end");
    expect(lastAssistant).toBeLessThan(end);
    expect(ofRun.at(-1).payload).toMatchObject({ state: "final", message: { content: [{ type: "text", text: fullText }] } });
    const seqs = ofRun.filter((f) => f.event === "agent").map((f) => f.payload.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));

    // Bounded: far fewer events than deltas, so the bytes stay far below one full copy per delta.
    expect(assistant.length).toBeLessThanOrEqual(DELTAS / 10);
    expect(chatDeltas.length).toBeLessThanOrEqual(DELTAS / 10);
    const perDeltaCopies = DELTAS * (fullText.length / 2);
    expect(bytes).toBeLessThan(perDeltaCopies / 5);
  });
});
