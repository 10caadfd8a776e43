/**
 * `/approve` over WhatsApp through an in-process gateway, the fake Baileys socket and the fake
 * OpenAI-compatible provider streaming a real `exec` tool call: a run started from the owner's DM asks in that
 * DM; a stranger's `/approve` in a group and the owner's in the wrong chat settle nothing and start no model
 * turn; the owner's answer in the DM runs the command and the run's reply comes back to the DM.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChannelOptions } from "../../../src/channels/index.ts";
import { createWhatsAppChannel, openAuthState } from "../../../src/channels/whatsapp/index.ts";
import type { WhatsAppAccountConfig } from "../../../src/config/channels-schema.ts";
import { type GatewayHandle, startGateway } from "../../../src/gateway/server.ts";
import { Logger } from "../../../src/logging/logger.ts";
import { agentConfig, tempWorkspace } from "../../helpers/agent-gateway.ts";
import { createFakeSocketFactory, type FakeWaSocket, SELF_JID, waText } from "../../helpers/fake-baileys.ts";
import { type FakeProvider, startFakeProvider } from "../../helpers/fake-provider.ts";
import { TEST_TOKEN } from "../../helpers/gateway.ts";
import { waitFor } from "../../helpers/wait.ts";

const OWNER = "+15550002222";
const OWNER_JID = "15550002222@s.whatsapp.net";
const STRANGER_JID = "15557654321@s.whatsapp.net";
const GROUP = "120363000000000042@g.us";
const COMMAND = "printf 'from-whatsapp-%s' 5";

let provider: FakeProvider;
let stateDir: string;
let workspace: string;
let handle: GatewayHandle;
let sock: FakeWaSocket;
const logs: string[] = [];

beforeAll(async () => {
  provider = startFakeProvider({ fallback: { text: "HEARTBEAT_OK" } });
  workspace = tempWorkspace();
  stateDir = mkdtempSync(join(tmpdir(), "openclaw-wa-approve-"));
  // A linked WhatsApp account, and a gateway host that asks for anything off its (empty) allowlist.
  const auth = openAuthState(join(stateDir, "credentials", "whatsapp", "default"));
  Object.assign(auth.state.creds, { me: { id: SELF_JID, name: "Tester" }, registered: true });
  await auth.saveCreds();
  writeFileSync(join(stateDir, "exec-approvals.json"), JSON.stringify({ version: 1, defaults: { security: "allowlist", ask: "on-miss", askFallback: "deny" } }));
  const config = agentConfig(provider, workspace, {
    tools: { profile: "coding" },
    messages: { queue: { mode: "followup", debounceMs: 10 } },
    commands: { ownerAllowFrom: [`whatsapp:${OWNER}`] },
    // Anyone in the group may talk to the agent; only the owner may answer approvals.
    channels: { whatsapp: { dmPolicy: "allowlist", allowFrom: [OWNER], groupPolicy: "open", groups: { [GROUP]: { requireMention: false } } } },
  });
  const sockets = createFakeSocketFactory();
  handle = await startGateway({
    version: "test",
    stateDir,
    loaded: { path: join(stateDir, "openclaw.json"), exists: false, raw: "", hash: "", config },
    settings: { port: 0, bind: "loopback", hosts: ["127.0.0.1"], auth: { mode: "token", token: TEST_TOKEN } },
    logger: new Logger("gateway", { noFile: true, write: (l) => logs.push(l) }),
    channelOptions: { env: {}, factories: { whatsapp: (o) => createWhatsAppChannel({ ...(o as ChannelOptions<WhatsAppAccountConfig>), socketFactory: sockets.factory }) } },
  });
  // Heartbeat turns would take the scripted replies.
  handle.ctx.heartbeat.setEnabled(false);
  sock = await sockets.waitForSockets(1);
  sock.open();
  await waitFor(() => handle.ctx.channels.accountSnapshots("whatsapp")[0]?.connected === true, "whatsapp connected");
});

afterAll(async () => {
  await handle?.stop();
  provider?.stop();
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(workspace, { recursive: true, force: true });
});

const sentTo = (jid: string) => sock.sent.filter((s) => s.jid === jid).map((s) => String(s.content.text ?? ""));

/** A text message in the group from `participant`, as Baileys delivers it. */
function groupText(participant: string, text: string): Record<string, any> {
  return { key: { remoteJid: GROUP, fromMe: false, id: `G${crypto.randomUUID().slice(0, 8)}`, participant }, message: { conversation: text }, pushName: "Someone", messageTimestamp: Math.floor(Date.now() / 1000) };
}

/** The tool result the model was sent for `callId`. */
function toolResult(callId: string): string | undefined {
  for (const r of provider.requests) {
    const m = (r.body.messages as any[]).find((x) => x.role === "tool" && x.tool_call_id === callId);
    if (m) return typeof m.content === "string" ? m.content : JSON.stringify(m.content);
  }
  return undefined;
}

describe("/approve over WhatsApp", () => {
  test("the owner's DM gets the question; a stranger in a group changes nothing; the owner's answer runs the command", async () => {
    provider.push({ toolCalls: [{ id: "call_wa", name: "exec", args: { command: COMMAND, host: "gateway" } }] }, { text: "Done from WhatsApp." });
    sock.inbound(waText(OWNER, "check the box please"));
    const question = await waitFor(() => sentTo(OWNER_JID).find((t) => t.includes("/approve ")), "the question in the owner's DM", 15_000);
    expect(question).toContain("from-whatsapp");
    const short = /\/approve ([0-9a-f]{8}) allow/.exec(question)?.[1] as string;
    const [waiting] = handle.ctx.approvals.list();
    expect(waiting?.id.startsWith(short)).toBe(true);
    expect(waiting?.request).toMatchObject({ command: COMMAND, host: "gateway", agentId: "main" });

    const requestsBefore = provider.requests.length;
    const sentBefore = sock.sent.length;
    // A stranger in a group open to everyone: dropped before the gateway sees it.
    sock.inbound(groupText(STRANGER_JID, `/approve ${short} allow`));
    await waitFor(() => logs.some((l) => l.includes("/approve from a sender not allowed to command the agent")), "the stranger's /approve dropped");
    // The owner in the group: allowed to command, but the question went to the DM.
    sock.inbound(groupText(OWNER_JID, `/approve ${short} allow`));
    await waitFor(() => sentTo(GROUP).some((t) => t.startsWith(`No waiting approval ${short} for this chat`)), "the wrong-chat answer");
    expect(handle.ctx.approvals.list().map((a) => a.id)).toEqual([waiting?.id]);
    expect(provider.requests.length).toBe(requestsBefore);
    expect(sock.sent.length).toBe(sentBefore + 1);
    // The drop line names no body: not the id the stranger typed.
    expect(logs.join("\n")).not.toContain(`${short} allow`);
    expect(toolResult("call_wa")).toBeUndefined();

    sock.inbound(waText(OWNER, `/approve ${short} allow`));
    await waitFor(() => sentTo(OWNER_JID).includes(`Allowed once: ${COMMAND}`), "the owner's confirmation");
    await waitFor(() => sentTo(OWNER_JID).includes("Done from WhatsApp."), "the run's reply in the DM", 15_000);
    expect(toolResult("call_wa")).toMatch(/^Exit: exit code 0 \(gateway, \d+ ms\)\nfrom-whatsapp-5/);
    // The /approve was no model turn: the only new request is the run's continuation after the tool.
    expect(provider.requests.length).toBe(requestsBefore + 1);
    expect(handle.ctx.approvals.size).toBe(0);
    // Answered in the DM: no follow-up there, and nothing more in the group.
    expect(sentTo(OWNER_JID).filter((t) => /^Approval [0-9a-f]{8} was/.test(t))).toEqual([]);
    expect(sentTo(GROUP)).toHaveLength(1);
  });
});
