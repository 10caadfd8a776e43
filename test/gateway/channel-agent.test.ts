/**
 * The channel → agent glue: a channel turn becomes a run whose origin names the chat, the account and the
 * sender with its standing (owner, allowlisted), which the run's tools receive.
 */
import { expect, test } from "bun:test";
import type { AgentRuntime, RunRequest } from "../../src/agent/index.ts";
import type { AgentTurnRequest } from "../../src/channels/index.ts";
import { toRunAgentTurn, toTargetString } from "../../src/gateway/channels/channel-agent.ts";

function fakeRuntime(seen: RunRequest[]): AgentRuntime {
  return {
    shuttingDown: false,
    defaultTimeoutMs: () => 60_000,
    submit(req: RunRequest) {
      seen.push(req);
      return { status: "done", runId: req.runId, final: { ok: true, payload: { runId: req.runId, status: "ok", summary: "completed", result: { payloads: [{ text: "hi" }] } } } };
    },
  } as unknown as AgentRuntime;
}

const TURN: AgentTurnRequest = {
  agentId: "main",
  sessionKey: "agent:main:telegram:group:-100",
  text: "run it",
  inboundKey: "inbound:1",
  channel: { channel: "telegram", accountId: "work", chatId: "-100", chatType: "group", senderId: "42", senderIsOwner: true, senderAllowlisted: true, threadId: "7", messageId: "5" },
};

test("the run carries the sender's id and standing and the chat it answers", async () => {
  const seen: RunRequest[] = [];
  expect(await toRunAgentTurn(() => fakeRuntime(seen))(TURN)).toEqual({ text: "hi", mediaUrls: [] });
  expect(seen[0]).toMatchObject({
    channel: "telegram",
    sender: { sender: "42", senderIsOwner: true, senderAllowlisted: true },
    deliveryContext: { channel: "telegram", to: "-100:topic:7", accountId: "work" },
  });
  await toRunAgentTurn(() => fakeRuntime(seen))({ ...TURN, channel: { ...TURN.channel, senderId: "43", senderIsOwner: false, senderAllowlisted: false } });
  expect(seen[1]?.sender).toEqual({ sender: "43", senderIsOwner: false, senderAllowlisted: false });
  expect(toTargetString({ channel: { ...TURN.channel, threadId: undefined } })).toBe("-100");
});
