/**
 * Who sent a channel message, as the agent run's origin carries it: owner (the linked account,
 * `commands.ownerAllowFrom`, a concrete `allowFrom` entry) and allowlisted (a concrete entry of the chat's
 * allowlist, or pairing). A `*` entry opens a chat but names nobody.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { senderStanding } from "../../src/channels/_access.ts";
import type { ChannelOptions, InboundMessage } from "../../src/channels/index.ts";
import { createTelegramChannel } from "../../src/channels/telegram/index.ts";
import type { TelegramAccountConfig } from "../../src/config/channels-schema.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { checkConfig } from "../../src/protocol/index.ts";
import { startTestChannels } from "../helpers/channels.ts";
import { FAKE_TOKEN, startFakeTelegram } from "../helpers/fake-telegram.ts";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

function msg(over: Partial<InboundMessage> = {}): InboundMessage {
  return { channel: "telegram", accountId: "default", chatType: "direct", chatId: "42", senderId: "42", messageId: "1", text: "hi", timestamp: 0, ...over };
}
const never = () => false;

describe("senderStanding", () => {
  test("a concrete allowFrom entry makes an owner; a wildcard names nobody", () => {
    expect(senderStanding(msg(), { allowFrom: [42] }, undefined, never)).toEqual({ owner: true, allowlisted: true });
    expect(senderStanding(msg(), { allowFrom: ["*"] }, undefined, never)).toEqual({ owner: false, allowlisted: false });
    expect(senderStanding(msg(), { allowFrom: ["@ann"] }, undefined, never)).toEqual({ owner: false, allowlisted: false });
    expect(senderStanding(msg({ senderUsername: "Ann" }), { allowFrom: ["@ann"] }, undefined, never)).toEqual({ owner: true, allowlisted: true });
  });

  test("commands.ownerAllowFrom: entries of this channel (or bare ids) count, other channels' do not", () => {
    expect(senderStanding(msg(), {}, ["telegram:42"], never).owner).toBe(true);
    expect(senderStanding(msg(), {}, ["tg:42"], never).owner).toBe(true);
    expect(senderStanding(msg(), {}, ["42"], never).owner).toBe(true);
    expect(senderStanding(msg(), {}, ["whatsapp:42"], never).owner).toBe(false);
    expect(senderStanding(msg(), {}, ["*"], never).owner).toBe(false);
    const wa = msg({ channel: "whatsapp", senderId: "+15551234567", chatId: "15551234567@s.whatsapp.net" });
    expect(senderStanding(wa, {}, ["whatsapp:+1 555 123 4567"], never).owner).toBe(true);
    expect(senderStanding(wa, {}, ["telegram:+15551234567"], never).owner).toBe(false);
  });

  test("pairing approval allowlists without making an owner; the linked account itself is an owner", () => {
    expect(senderStanding(msg(), {}, undefined, (p) => p === "42")).toEqual({ owner: false, allowlisted: true });
    expect(senderStanding(msg({ channel: "whatsapp", senderId: "+1", fromSelf: true }), {}, undefined, never)).toEqual({ owner: true, allowlisted: true });
  });

  test("groups: the group's sender list (topic, group, groupAllowFrom) decides allowlisted", () => {
    const g = msg({ chatType: "group", chatId: "-100", senderId: "7" });
    expect(senderStanding(g, { groups: { "-100": { allowFrom: ["7"] } } }, undefined, never)).toEqual({ owner: false, allowlisted: true });
    expect(senderStanding(g, { groups: { "-100": {} }, groupAllowFrom: ["7"] }, undefined, never).allowlisted).toBe(true);
    expect(senderStanding(g, { groups: { "*": { allowFrom: ["*"] } } }, undefined, never).allowlisted).toBe(false);
    expect(senderStanding({ ...g, threadId: "5" }, { groups: { "-100": { allowFrom: ["7"], topics: { "5": { allowFrom: ["8"] } } } } }, undefined, never).allowlisted).toBe(false);
  });

  test("the config schema accepts commands.ownerAllowFrom and refuses a non-list", () => {
    expect(checkConfig({ commands: { ownerAllowFrom: ["telegram:42", 43] } }).ok).toBe(true);
    expect(checkConfig({ commands: { ownerAllowFrom: "telegram:42" } }).ok).toBe(false);
  });
});

describe("the router passes the sender's standing to the agent turn", () => {
  test("owner, allowlisted stranger in an open chat", async () => {
    const fake = startFakeTelegram();
    cleanup.push(() => fake.stop());
    const config: OpenClawConfig = {
      commands: { ownerAllowFrom: ["telegram:9001"] },
      messages: { queue: { mode: "followup", debounceMs: 10 } },
      channels: { telegram: { botToken: FAKE_TOKEN, apiRoot: fake.url, pollTimeoutSeconds: 1, dmPolicy: "open", allowFrom: ["*", "9002"] } },
    };
    const t = startTestChannels(config, { factories: { telegram: (o) => createTelegramChannel(o as ChannelOptions<TelegramAccountConfig>) } });
    cleanup.push(() => t.stop());
    fake.pushText({ id: 9001, first_name: "Owner" }, "one");
    fake.pushText({ id: 9002, first_name: "Friend" }, "two");
    fake.pushText({ id: 9003, first_name: "Stranger" }, "three");
    const turns = await t.agent.waitForTurns(3);
    const by = (id: string) => turns.find((r) => r.channel.senderId === id)?.channel;
    expect(by("9001")).toMatchObject({ senderIsOwner: true, senderAllowlisted: true });
    expect(by("9002")).toMatchObject({ senderIsOwner: true, senderAllowlisted: true });
    expect(by("9003")).toMatchObject({ senderIsOwner: false, senderAllowlisted: false });
  });
});
