/**
 * `openclaw agent --deliver` in process against a real gateway socket: the reply is printed and sent
 * through the fake Telegram Bot API; a reply that cannot be delivered is reported on stderr and the
 * command still succeeds.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineCommand } from "citty";
import { agentCommand } from "../../src/cli/commands/agent.ts";
import { runCli } from "../../src/cli/run.ts";
import { type AgentGateway, agentConfig, startAgentGateway, tempWorkspace } from "../helpers/agent-gateway.ts";
import { type FakeProvider, startFakeProvider } from "../helpers/fake-provider.ts";
import { FAKE_TOKEN, type FakeTelegram, startFakeTelegram } from "../helpers/fake-telegram.ts";
import { TEST_TOKEN } from "../helpers/gateway.ts";
import { waitFor } from "../helpers/wait.ts";

let fake: FakeProvider;
let telegram: FakeTelegram;
let gw: AgentGateway;
let workspace: string;
let home: string;
const savedConfigPath = process.env.OPENCLAW_CONFIG_PATH;

beforeAll(async () => {
  fake = startFakeProvider();
  telegram = startFakeTelegram();
  workspace = tempWorkspace();
  // The CLI reads a config file for defaults; point it at one that does not exist.
  home = mkdtempSync(join(tmpdir(), "openclaw-cli-agent-"));
  process.env.OPENCLAW_CONFIG_PATH = join(home, "openclaw.json");
  gw = await startAgentGateway(agentConfig(fake, workspace, { channels: { telegram: { botToken: FAKE_TOKEN, apiRoot: telegram.url, pollTimeoutSeconds: 1 } } }));
  gw.handle.ctx.heartbeat.setEnabled(false);
  await waitFor(() => gw.handle.ctx.channels.accountSnapshots("telegram")[0]?.running === true, "telegram running", 5000);
});
afterAll(async () => {
  if (savedConfigPath === undefined) delete process.env.OPENCLAW_CONFIG_PATH;
  else process.env.OPENCLAW_CONFIG_PATH = savedConfigPath;
  await gw.stop();
  telegram.stop();
  fake.stop();
  rmSync(workspace, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

/** Runs `openclaw agent …` and captures what it writes. */
async function agent(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const root = defineCommand({ meta: { name: "openclaw" }, subCommands: { agent: agentCommand } });
  let stdout = "";
  let stderr = "";
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    const code = await runCli(root, ["agent", "--url", gw.url, "--token", TEST_TOKEN, ...args], { out: (t) => (stdout += `${t}\n`), err: (t) => (stderr += `${t}\n`) }, "test");
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

test("--deliver --channel telegram --to: printed and sent", async () => {
  fake.push({ text: "Delivered by the CLI." });
  const r = await agent(["-m", "say it", "--deliver", "--channel", "telegram", "--to", "2024"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe("Delivered by the CLI.\n");
  expect(r.stderr).toBe("(delivered to telegram 2024)\n");
  const call = await telegram.waitForCall("sendMessage", (c) => String(c.params.chat_id) === "2024");
  expect(call.params.text).toBe("Delivered by the CLI.");
});

test("--deliver with nowhere to send: the reply is printed, the failure reported, exit 0", async () => {
  const before = telegram.callsOf("sendMessage").length;
  fake.push({ text: "No route." });
  const r = await agent(["-m", "hi", "--deliver", "--session-id", "fresh-session"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe("No route.\n");
  expect(r.stderr).toContain("(reply not delivered: no delivery target");
  expect(telegram.callsOf("sendMessage")).toHaveLength(before);
});

test("--deliver to a channel that is not configured fails before the run", async () => {
  const requests = fake.requests.length;
  const r = await agent(["-m", "hi", "--deliver", "--channel", "whatsapp", "--to", "+15551234567"]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("whatsapp is not configured");
  expect(fake.requests.length).toBe(requests);
});
