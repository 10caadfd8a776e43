/**
 * The SDK-free parts of the channels: access decisions, session keys and bindings, the per-session queue,
 * chunking, Markdown conversion, the pairing store and config resolution.
 */
import { describe, expect, test } from "bun:test";
import { decideAccess, matchesAllowList, normalizePeer } from "../../src/channels/_access.ts";
import { chunkText } from "../../src/channels/_chunk.ts";
import { listConfiguredAccountIds, resolveAccountConfig } from "../../src/channels/_config.ts";
import { resolveQueueSettings, SessionQueue } from "../../src/channels/_queue.ts";
import { buildSessionKey, resolveRoute } from "../../src/channels/_routing.ts";
import type { InboundMessage } from "../../src/channels/index.ts";
import { toTelegramHtml } from "../../src/channels/telegram/_format.ts";
import { toWhatsAppText } from "../../src/channels/whatsapp/_format.ts";
import { toJid } from "../../src/channels/whatsapp/_inbound.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { checkConfig } from "../../src/protocol/index.ts";
import { generatePairingCode, PAIRING_CODE_ALPHABET, PairingStore } from "../../src/store/channel-pairing.ts";
import { openStateDb } from "../../src/store/state-db.ts";
import { computeBackoff } from "../../src/util/backoff.ts";

function msg(over: Partial<InboundMessage> = {}): InboundMessage {
  return { channel: "telegram", accountId: "default", chatType: "direct", chatId: "42", senderId: "42", messageId: "1", text: "hi", timestamp: 0, ...over };
}

describe("access", () => {
  const never = () => false;
  test("dmPolicy: pairing (default), allowlist, open, disabled; approvals count as allowFrom", () => {
    expect(decideAccess(msg(), {}, never)).toEqual({ kind: "pair" });
    expect(decideAccess(msg(), { allowFrom: [42] }, never)).toEqual({ kind: "allow", requireMention: false });
    expect(decideAccess(msg(), {}, (p) => p === "42")).toEqual({ kind: "allow", requireMention: false });
    expect(decideAccess(msg(), { dmPolicy: "allowlist" }, never)).toEqual({ kind: "drop", reason: "sender not in allowFrom" });
    expect(decideAccess(msg(), { dmPolicy: "open", allowFrom: ["*"] }, never).kind).toBe("allow");
    expect(decideAccess(msg(), { dmPolicy: "disabled", allowFrom: [42] }, never)).toEqual({ kind: "drop", reason: "dmPolicy disabled" });
    expect(decideAccess(msg({ channel: "whatsapp", fromSelf: true }), { dmPolicy: "allowlist" }, never).kind).toBe("allow");
  });

  test("allowlist entries: ids, @usernames, E.164 spellings, wildcard", () => {
    expect(matchesAllowList(["@Ann"], { channel: "telegram", senderId: "1", senderUsername: "ann" })).toBe(true);
    expect(matchesAllowList(["tg:1"], { channel: "telegram", senderId: "1" })).toBe(true);
    expect(matchesAllowList(["+1 (555) 123-4567"], { channel: "whatsapp", senderId: "+15551234567" })).toBe(true);
    expect(matchesAllowList(["*"], { channel: "whatsapp", senderId: "+1" })).toBe(true);
    expect(matchesAllowList([], { channel: "whatsapp", senderId: "+1" })).toBe(false);
    expect(normalizePeer("whatsapp", "15551234567@s.whatsapp.net")).toBe("+15551234567");
  });

  test("groups: allowlist by id or '*', sender allowlists, requireMention default true, topics", () => {
    const g = msg({ chatType: "group", chatId: "-100", senderId: "7" });
    expect(decideAccess(g, {}, never)).toEqual({ kind: "drop", reason: "group not in allowlist" });
    expect(decideAccess(g, { groups: { "*": {} } }, never)).toEqual({ kind: "allow", requireMention: true });
    expect(decideAccess(g, { groups: { "-100": { requireMention: false } } }, never)).toEqual({ kind: "allow", requireMention: false });
    expect(decideAccess(g, { groups: { "-100": { enabled: false } } }, never).kind).toBe("drop");
    expect(decideAccess(g, { groupPolicy: "open" }, never).kind).toBe("allow");
    expect(decideAccess(g, { groupPolicy: "disabled", groups: { "*": {} } }, never).kind).toBe("drop");
    expect(decideAccess(g, { groups: { "*": {} }, groupAllowFrom: [8] }, never)).toEqual({ kind: "drop", reason: "sender not in groupAllowFrom" });
    expect(decideAccess(g, { groupAllowFrom: [7] }, never).kind).toBe("allow");
    const topic = { ...g, threadId: "5" };
    expect(decideAccess(topic, { groups: { "-100": { topics: { "5": { requireMention: false } } } } }, never)).toEqual({ kind: "allow", requireMention: false });
  });
});

describe("routing", () => {
  test("session keys per dmScope, groups and topics", () => {
    const cfg = (dmScope?: string): OpenClawConfig => ({ session: { dmScope: dmScope as never } });
    expect(buildSessionKey(cfg(), "main", msg())).toBe("agent:main:main");
    expect(buildSessionKey({ session: { mainKey: "home" } }, "main", msg())).toBe("agent:main:home");
    expect(buildSessionKey(cfg("per-peer"), "main", msg())).toBe("agent:main:dm:42");
    expect(buildSessionKey(cfg("per-channel-peer"), "main", msg({ channel: "whatsapp", senderId: "+1555" }))).toBe("agent:main:whatsapp:dm:+1555");
    expect(buildSessionKey(cfg("per-account-channel-peer"), "a", msg({ accountId: "work" }))).toBe("agent:a:telegram:work:dm:42");
    expect(buildSessionKey(cfg(), "main", msg({ chatType: "group", chatId: "-100" }))).toBe("agent:main:telegram:group:-100");
    expect(buildSessionKey(cfg(), "main", msg({ chatType: "group", chatId: "-100", threadId: "9" }))).toBe("agent:main:telegram:group:-100:topic:9");
    expect(buildSessionKey(cfg(), "main", msg({ channel: "whatsapp", chatType: "group", chatId: "123@g.us" }))).toBe("agent:main:whatsapp:group:123@g.us");
  });

  test("bindings pick the agent: peer beats account beats channel; default agent otherwise", () => {
    const config = {
      agents: { list: [{ id: "main", default: true }, { id: "work" }, { id: "family" }, { id: "ann" }] },
      bindings: [
        { agentId: "work", match: { channel: "telegram" } },
        { agentId: "family", match: { channel: "telegram", accountId: "home" } },
        { agentId: "ann", match: { channel: "telegram", peer: { kind: "dm", id: "42" } } },
      ],
    } as OpenClawConfig;
    expect(resolveRoute(config, msg())).toEqual({ agentId: "ann", sessionKey: "agent:ann:main" });
    expect(resolveRoute(config, msg({ senderId: "7", accountId: "home" })).agentId).toBe("family");
    expect(resolveRoute(config, msg({ senderId: "7" })).agentId).toBe("work");
    expect(resolveRoute(config, msg({ channel: "whatsapp", senderId: "+1" })).agentId).toBe("main");
  });
});

describe("queue", () => {
  test("collect: one turn at a time per session, waiting messages coalesced after the debounce; cap drops the oldest", async () => {
    const runs: string[][] = [];
    let release!: () => void;
    const q = new SessionQueue<string>(async (_k, items) => {
      runs.push(items);
      if (runs.length === 1) await new Promise<void>((r) => (release = r));
    });
    const s = { mode: "collect" as const, debounceMs: 20, cap: 2, drop: "old" as const };
    expect(q.enqueue("k", "a", s)).toBe("started");
    expect(q.enqueue("k", "b", s)).toBe("queued");
    expect(q.enqueue("k", "c", s)).toBe("queued");
    expect(q.enqueue("k", "d", s)).toBe("queued");
    expect(q.enqueue("other", "x", s)).toBe("started");
    release();
    await q.idle();
    expect(runs).toEqual([["a"], ["x"], ["c", "d"]]);
  });

  test("collect never merges an item marked alone (an interrupted turn run again) with the others", async () => {
    const runs: string[][] = [];
    let release!: () => void;
    const q = new SessionQueue<string>(
      async (_k, items) => {
        runs.push(items);
        if (runs.length === 1) await new Promise<void>((r) => (release = r));
      },
      { alone: (item) => item.startsWith("again") },
    );
    const s = { mode: "collect" as const, debounceMs: 5, cap: 20, drop: "old" as const };
    q.enqueue("k", "busy", s);
    for (const item of ["b", "again-1", "c", "d", "again-2"]) q.enqueue("k", item, s);
    release();
    await q.idle();
    expect(runs).toEqual([["busy"], ["b"], ["again-1"], ["c", "d"], ["again-2"]]);
  });

  test("followup runs waiting messages one by one; settings come from messages.queue with byChannel overrides", async () => {
    const runs: string[][] = [];
    let release!: () => void;
    const q = new SessionQueue<string>(async (_k, items) => {
      runs.push(items);
      if (runs.length === 1) await new Promise<void>((r) => (release = r));
    });
    const s = { mode: "followup" as const, debounceMs: 1, cap: 20, drop: "old" as const };
    q.enqueue("k", "a", s);
    q.enqueue("k", "b", s);
    q.enqueue("k", "c", s);
    release();
    await q.idle();
    expect(runs).toEqual([["a"], ["b"], ["c"]]);
    const config = { messages: { queue: { mode: "collect", debounceMs: 500, byChannel: { telegram: "followup", whatsapp: { cap: 3 } } } } } as OpenClawConfig;
    expect(resolveQueueSettings(config, "telegram")).toEqual({ mode: "followup", debounceMs: 500, cap: 20, drop: "old" });
    expect(resolveQueueSettings(config, "whatsapp")).toEqual({ mode: "collect", debounceMs: 500, cap: 3, drop: "old" });
    expect(resolveQueueSettings({}, "telegram")).toEqual({ mode: "collect", debounceMs: 1000, cap: 20, drop: "old" });
  });
});

describe("text", () => {
  test("chunking breaks at paragraphs, lines, words; fenced code is closed and reopened", () => {
    expect(chunkText("", 100)).toEqual([]);
    expect(chunkText("short", 100)).toEqual(["short"]);
    const paras = chunkText(`${"a".repeat(30)}\n\n${"b".repeat(30)}`, 40);
    expect(paras).toEqual(["a".repeat(30), "b".repeat(30)]);
    const words = chunkText("word ".repeat(50), 40);
    expect(words.every((c) => c.length <= 40)).toBe(true);
    expect(words.join(" ").split(/\s+/).filter(Boolean)).toHaveLength(50);
    const code = chunkText(`intro\n\`\`\`ts\n${Array.from({ length: 20 }, (_, i) => `const x${i} = ${i};`).join("\n")}\n\`\`\`\ndone`, 120);
    expect(code.length).toBeGreaterThan(2);
    for (const c of code) {
      expect(c.length).toBeLessThanOrEqual(120);
      expect((c.match(/```/g) ?? []).length % 2).toBe(0);
    }
    expect(chunkText("x".repeat(100), 40).join("")).toBe("x".repeat(100));
  });

  test("Markdown → Telegram HTML escapes everything that is not markup", () => {
    expect(toTelegramHtml("**bold** _it_ ~~gone~~ `a<b>`")).toBe("<b>bold</b> <i>it</i> <s>gone</s> <code>a&lt;b&gt;</code>");
    expect(toTelegramHtml("# Title\nx < y & z")).toBe("<b>Title</b>\nx &lt; y &amp; z");
    expect(toTelegramHtml("[site](https://example.com/?a=1&b=\"2\")")).toBe('<a href="https://example.com/?a=1&amp;b=&quot;2&quot;">site</a>');
    expect(toTelegramHtml("```js\nif (a < b) {}\n```")).toBe('<pre><code class="language-js">if (a &lt; b) {}</code></pre>');
    expect(toTelegramHtml("> quoted\n> twice\nafter")).toBe("<blockquote>quoted\ntwice</blockquote>\nafter");
    expect(toTelegramHtml("snake_case_name and 2*3*4")).toBe("snake_case_name and 2*3*4");
  });

  test("Markdown → WhatsApp markup; targets to JIDs", () => {
    expect(toWhatsAppText("**bold** ~~x~~ `**keep**`")).toBe("*bold* ~x~ `**keep**`");
    expect(toJid("+1 (555) 123-4567")).toBe("15551234567@s.whatsapp.net");
    expect(toJid("whatsapp:120363000000000001@g.us")).toBe("120363000000000001@g.us");
    expect(toJid("bob")).toBeUndefined();
  });
});

describe("pairing store", () => {
  test("codes: 8 chars from the alphabet; max 3 pending; 1 h expiry; approve/reject", () => {
    for (let i = 0; i < 50; i++) expect(generatePairingCode()).toMatch(new RegExp(`^[${PAIRING_CODE_ALPHABET}]{8}$`));
    expect(PAIRING_CODE_ALPHABET).not.toMatch(/[0O1I]/);
    let now = 1_000_000;
    const store = new PairingStore(openStateDb(":memory:"), { now: () => now });
    const a = store.request("telegram", "1", "default");
    expect(a).toMatchObject({ kind: "pending", created: true });
    expect(store.request("telegram", "1", "default")).toMatchObject({ kind: "pending", created: false });
    store.request("telegram", "2", "default");
    store.request("telegram", "3", "default");
    expect(store.request("telegram", "4", "default")).toEqual({ kind: "full" });
    expect(store.request("whatsapp", "+1", "default").kind).toBe("pending");
    now += 60 * 60 * 1000;
    expect(store.list("telegram")).toEqual([]);
    const fresh = store.request("telegram", "4", "default");
    if (fresh.kind !== "pending") throw new Error("expected pending");
    expect(store.approve("telegram", fresh.request.code.toLowerCase())?.peerId).toBe("4");
    expect(store.isApproved("telegram", "4")).toBe(true);
    expect(store.isApproved("whatsapp", "4")).toBe(false);
    expect(store.approve("telegram", fresh.request.code)).toBeUndefined();
    expect(store.reject("telegram", "NOPE2345")).toBeUndefined();
    expect(store.revoke("telegram", "4")).toBe(true);
  });
});

describe("config", () => {
  test("accounts: top level is the default account and the base of the others; tokens are not inherited", () => {
    const config = { channels: { telegram: { botToken: "1:a", dmPolicy: "open", allowFrom: ["*"], accounts: { work: { botToken: "2:b" }, home: { tokenFile: "/x" } } } } } as OpenClawConfig;
    expect(listConfiguredAccountIds(config, "telegram")).toEqual(["default", "work", "home"]);
    expect(resolveAccountConfig(config, "telegram", "work")).toMatchObject({ botToken: "2:b", dmPolicy: "open" });
    expect(resolveAccountConfig(config, "telegram", "home").botToken).toBeUndefined();
    expect(listConfiguredAccountIds({ channels: { whatsapp: {} } }, "whatsapp")).toEqual(["default"]);
    expect(listConfiguredAccountIds({}, "whatsapp")).toEqual([]);
  });

  test("the config schema checks channels.telegram / channels.whatsapp / web and leaves other channels open", () => {
    expect(checkConfig({ channels: { telegram: { botToken: "x", dmPolicy: "pairing", groups: { "*": { requireMention: true } } }, whatsapp: { allowFrom: ["+1555"] }, discord: { anything: 1 } }, web: { reconnect: { initialMs: 1 } } }).ok).toBe(true);
    const bad = checkConfig({ channels: { telegram: { dmPolicy: "sometimes", botTokn: "x" } }, web: { reconnect: { jitter: 2 } } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues.map((i) => i.path).sort()).toEqual(["channels.telegram.botTokn", "channels.telegram.dmPolicy", "web.reconnect.jitter"]);
  });

  test("backoff: exponential, capped, jittered within ±jitter", () => {
    const p = { initialMs: 2000, maxMs: 30000, factor: 1.8, jitter: 0.25, maxAttempts: 12 };
    expect([1, 2, 3, 10].map((n) => computeBackoff(p, n, () => 0.5))).toEqual([2000, 3600, 6480, 30000]);
    expect(computeBackoff(p, 1, () => 0)).toBe(1500);
    expect(computeBackoff(p, 1, () => 0.999999)).toBe(2500);
  });
});
