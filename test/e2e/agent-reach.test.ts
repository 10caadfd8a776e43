/**
 * The agent's reach through the compiled binary, with the fake tool-calling model and the fake Telegram
 * Bot API: "remind me in 2 s" → `cron add` → the reminder arrives in the same chat; `message` reaches
 * another chat the config allows and is refused for an unlisted one; `sessions_spawn` → the sub-agent's
 * result is announced back in the requesting chat.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureBinary, freePort, startBinaryGateway, tempHome } from "../helpers/binary.ts";
import { FAKE_BOT, FAKE_TOKEN, type FakeTelegram, startFakeTelegram } from "../helpers/fake-telegram.ts";
import { type FakeProvider, type FakeReply, type FakeRequest, startFakeProvider } from "../helpers/fake-provider.ts";
import { waitFor } from "../helpers/wait.ts";

const TOKEN = "agent-reach-e2e-token-0123456789abcdef0123";
const USER = { id: 31337, first_name: "Ada", username: "ada" };
const PARTNER_CHAT = "555001";
const STRANGER_CHAT = "999";
let provider: FakeProvider;
let telegram: FakeTelegram;
let home: string;
let gw: Awaited<ReturnType<typeof startBinaryGateway>> | undefined;

/** Text of an OpenAI chat message (string or content parts). */
function textOf(m: { content?: unknown } | undefined): string {
  if (!m) return "";
  if (typeof m.content === "string") return m.content;
  if (Array.isArray(m.content)) return m.content.map((p: { text?: string }) => p.text ?? "").join("");
  return "";
}

/**
 * The scripted model: the first call of a turn picks a tool from the user's words; the call after the
 * tool result reports the result. The runs the tools start (the cron job's turn, the sub-agent) get
 * plain answers.
 */
function route(req: FakeRequest): FakeReply | undefined {
  const msgs = req.body.messages as { role: string; content?: unknown }[];
  const last = msgs.at(-1);
  const user = textOf([...msgs].reverse().find((m) => m.role === "user"));
  if (last?.role === "tool") return { text: `Tool said: ${textOf(last)}` };
  if (/remind me in 2 s to stretch/.test(user)) {
    return { toolCalls: [{ name: "cron", args: { action: "add", job: { schedule: { kind: "at", at: new Date(Date.now() + 2000).toISOString() }, payload: { kind: "agentTurn", message: "Remind the user: stretch" } } } }] };
  }
  if (/^Remind the user: stretch/.test(user)) return { text: "Time to stretch!" };
  if (/tell my partner hello/.test(user)) return { toolCalls: [{ name: "message", args: { action: "send", target: PARTNER_CHAT, message: "Hello from Ada's assistant" } }] };
  if (/tell the stranger hi/.test(user)) return { toolCalls: [{ name: "message", args: { action: "send", target: STRANGER_CHAT, message: "hi stranger" } }] };
  if (/research it in the background/.test(user)) return { toolCalls: [{ name: "sessions_spawn", args: { task: "Find the answer to everything", label: "research" } }] };
  if (/^Find the answer to everything/.test(user)) return { text: "The answer is 42." };
  return undefined;
}

beforeAll(async () => {
  await ensureBinary();
  provider = startFakeProvider({ fallback: { text: "ok" } });
  provider.route = route;
  telegram = startFakeTelegram();
  home = tempHome();
  const workspace = join(home, "workspace");
  mkdirSync(workspace, { recursive: true });
  mkdirSync(join(home, ".openclaw"), { recursive: true });
  const config = {
    gateway: { mode: "local", port: freePort(), auth: { token: TOKEN } },
    models: { providers: { local: { baseUrl: provider.openaiBaseUrl, apiKey: "sk-e2e", api: "openai-completions", models: [{ id: "m1" }] } } },
    agents: { defaults: { model: "local/m1", workspace } },
    tools: { profile: "full", message: { allowTargets: [`telegram:${PARTNER_CHAT}`] } },
    messages: { queue: { debounceMs: 50 } },
    channels: { telegram: { botToken: FAKE_TOKEN, apiRoot: telegram.url, pollTimeoutSeconds: 1, dmPolicy: "open", allowFrom: ["*"] } },
  };
  writeFileSync(join(home, ".openclaw", "openclaw.json"), JSON.stringify(config, null, 2));
  gw = await startBinaryGateway(["gateway"], { home });
  await waitFor(() => new RegExp(`polling as @${FAKE_BOT.username}`).test(gw?.output() ?? ""), "telegram polling", 15_000);
});

afterAll(async () => {
  if (gw) {
    gw.proc.kill("SIGTERM");
    await gw.proc.exited;
  }
  provider.stop();
  telegram.stop();
  rmSync(home, { recursive: true, force: true });
});

const toUser = (c: { params: Record<string, any> }) => String(c.params.chat_id) === String(USER.id);

describe("agent reach (compiled binary, fake model, fake Telegram)", () => {
  test('"remind me in 2 s" → cron add (marked as the agent\'s) → the reminder arrives in the same chat', async () => {
    const since = telegram.calls.length;
    telegram.pushText(USER, "remind me in 2 s to stretch");
    const ack = await telegram.waitForCall("sendMessage", (c) => toUser(c) && /Tool said/.test(String(c.params.text)), { since, timeoutMs: 15_000 });
    // The tool answered with the stored job: one-shot, created by the agent, delivered to this chat.
    const added = provider.requests.map((r) => r.body.messages.at(-1)).find((m) => m?.role === "tool" && /"createdBy"/.test(textOf(m)));
    const job = JSON.parse(textOf(added));
    expect(job).toMatchObject({ createdBy: "agent:main", agentId: "main", sessionTarget: "isolated", schedule: { kind: "at" }, delivery: { mode: "announce", channel: "telegram", to: String(USER.id) } });
    expect(job.createdBySessionKey).toMatch(/^agent:main:/);
    expect(String(ack.params.text)).toContain("createdBy");
    const reminder = await telegram.waitForCall("sendMessage", (c) => toUser(c) && /Time to stretch!/.test(String(c.params.text)), { since, timeoutMs: 20_000 });
    expect(reminder.params.chat_id).toBe(String(USER.id));
  });

  test("message reaches another chat the config allows; an unlisted chat is refused and gets nothing", async () => {
    const since = telegram.calls.length;
    telegram.pushText(USER, "tell my partner hello");
    const sent = await telegram.waitForCall("sendMessage", (c) => String(c.params.chat_id) === PARTNER_CHAT, { since, timeoutMs: 15_000 });
    expect(String(sent.params.text)).toContain("Hello from Ada");
    await telegram.waitForCall("sendMessage", (c) => toUser(c) && /Tool said/.test(String(c.params.text)) && /"ok": ?true|ok/.test(String(c.params.text)), { since, timeoutMs: 15_000 });

    const since2 = telegram.calls.length;
    telegram.pushText(USER, "tell the stranger hi");
    const refusal = await telegram.waitForCall("sendMessage", (c) => toUser(c) && /Tool said/.test(String(c.params.text)), { since: since2, timeoutMs: 15_000 });
    expect(String(refusal.params.text)).toContain("not allowed");
    expect(String(refusal.params.text)).toContain("tools.message.allowTargets");
    expect(telegram.calls.slice(since).filter((c) => c.method === "sendMessage" && String(c.params.chat_id) === STRANGER_CHAT)).toEqual([]);
  });

  test("sessions_spawn: accepted at once, the sub-agent's result is announced back in the requesting chat", async () => {
    const since = telegram.calls.length;
    telegram.pushText(USER, "research it in the background please");
    const ack = await telegram.waitForCall("sendMessage", (c) => toUser(c) && /Tool said/.test(String(c.params.text)), { since, timeoutMs: 15_000 });
    expect(String(ack.params.text)).toContain("accepted");
    expect(String(ack.params.text)).toMatch(/agent:main:subagent:[0-9a-f-]{36}/);
    const announced = await telegram.waitForCall("sendMessage", (c) => toUser(c) && /The answer is 42/.test(String(c.params.text)), { since, timeoutMs: 20_000 });
    expect(String(announced.params.text)).toContain("Status: success");
    expect(String(announced.params.text)).toContain("research");
    // The sub-agent ran in its own session, told it cannot spawn further and that it is a sub-agent.
    const subReq = provider.requests.find((r) => textOf(r.body.messages.at(-1)) === "Find the answer to everything");
    expect(JSON.stringify(subReq?.body.messages[0])).toContain("sub-agent");
  });
});
