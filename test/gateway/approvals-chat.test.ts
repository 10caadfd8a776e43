/**
 * Chat approval follow-ups through an in-process gateway, the fake Telegram Bot API and the fake provider
 * streaming a real `exec` tool call: a question a Telegram run asked in its chat and an operator answered from
 * the control UI gets one follow-up in that chat (short id and outcome; not the command, not the operator's
 * name), the command runs, and a late `/approve` there is told how it ended without a model turn. A WebChat
 * run's approval sends nothing to any chat.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type AgentFixture, connectOperator, startAgentFixture } from "../helpers/agent-gateway.ts";
import type { FakeTelegram } from "../helpers/fake-telegram.ts";
import { waitFor } from "../helpers/wait.ts";
import type { TestSocket } from "../helpers/ws.ts";

const OWNER = { id: 8101, first_name: "Olga" };
const COMMAND = "printf 'tg-followup-%s' 3";

let fx: AgentFixture & { telegram: FakeTelegram };
let ui: TestSocket;

beforeAll(async () => {
  fx = await startAgentFixture({
    telegram: true,
    heartbeats: false,
    extra: { tools: { profile: "coding" }, commands: { ownerAllowFrom: [`telegram:${OWNER.id}`] }, messages: { queue: { mode: "followup", debounceMs: 10 } } },
  });
  // The operator answering: the control UI, with a display name that must not reach the chat.
  ui = await connectOperator(fx.gw.url, { client: { id: "openclaw-control-ui", version: "1.0.0", platform: "web", mode: "ui", displayName: "Olga's laptop" } });
});

afterAll(async () => {
  ui?.close();
  await fx?.stop();
});

const ownerMessages = () => fx.telegram.callsOf("sendMessage").filter((c) => String(c.params.chat_id) === String(OWNER.id)).map((c) => String(c.params.text));

/** The tool result the model was sent for `callId`. */
function toolResult(callId: string): string | undefined {
  for (const r of fx.fake.requests) {
    const m = (r.body.messages as any[]).find((x) => x.role === "tool" && x.tool_call_id === callId);
    if (m) return typeof m.content === "string" ? m.content : JSON.stringify(m.content);
  }
  return undefined;
}

describe("a chat's approval answered elsewhere", () => {
  test("allowed from the control UI: the command runs, the chat gets one follow-up, a late /approve is told", async () => {
    fx.fake.push({ toolCalls: [{ id: "call_tg", name: "exec", args: { command: COMMAND, host: "gateway" } }] }, { text: "Done from Telegram." });
    fx.telegram.pushText(OWNER, "check the box please");
    const question = await waitFor(() => ownerMessages().find((t) => t.startsWith("Approval needed")), "the question in the owner's chat", 15_000);
    const id = /\(id ([0-9a-f-]{36})\)/.exec(question)?.[1] as string;
    const short = id.slice(0, 8);

    const res = await ui.request("exec.approval.resolve", { id, decision: "allow-once" });
    expect(res.ok).toBe(true);
    const followUp = await waitFor(() => ownerMessages().find((t) => t.startsWith(`Approval ${short} was`)), "the follow-up");
    expect(followUp).toBe(`Approval ${short} was allowed once from the control UI.`);
    await waitFor(() => ownerMessages().includes("Done from Telegram."), "the run's reply", 15_000);
    expect(toolResult("call_tg")).toMatch(/^Exit: exit code 0 \(gateway, \d+ ms\)\ntg-followup-3/);

    const requestsBefore = fx.fake.requests.length;
    fx.telegram.pushText(OWNER, `/approve ${short} allow`);
    await waitFor(() => ownerMessages().includes(`Approval ${short} is no longer waiting: it was allowed once from the control UI.`), "the late /approve answer");
    expect(fx.fake.requests.length).toBe(requestsBefore);
    // Exactly one follow-up; none of what the chat got after the question names the command or the operator.
    const after = ownerMessages().slice(ownerMessages().indexOf(question) + 1);
    expect(after.filter((t) => t.startsWith(`Approval ${short} was`))).toHaveLength(1);
    for (const t of after.filter((x) => x.startsWith("Approval "))) {
      expect(t).not.toContain("tg-followup");
      expect(t).not.toContain("Olga");
    }
    expect(fx.gw.logs.join("\n")).not.toContain("check the box please");
  });

  test("a WebChat run's approval sends nothing to any chat", async () => {
    const before = fx.telegram.callsOf("sendMessage").length;
    fx.fake.push({ toolCalls: [{ id: "call_web", name: "exec", args: { command: "printf web-%s 1", host: "gateway" } }] }, { text: "Done from WebChat." });
    const ack = await fx.sock.request("chat.send", { sessionKey: "main", message: "run it", idempotencyKey: crypto.randomUUID() });
    expect(ack.ok).toBe(true);
    const waiting = await waitFor(() => fx.gw.handle.ctx.approvals.list()[0], "the WebChat approval");
    expect((await ui.request("exec.approval.resolve", { id: waiting.id, decision: "deny" })).ok).toBe(true);
    await waitFor(() => toolResult("call_web"), "the deny reaching the model");
    await ui.request("agent.wait", { runId: ack.payload.runId, timeoutMs: 10_000 });
    expect(fx.telegram.callsOf("sendMessage").length).toBe(before);
  });
});
