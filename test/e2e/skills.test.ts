/**
 * Skills through the compiled binary: a workspace skill requiring a binary that is not on the gateway's PATH
 * is listed ineligible with the reason (skills.status, `openclaw skills check`) and left out of the system
 * prompt the model receives; once an executable of that name appears in a PATH folder of the gateway
 * process it becomes eligible without a restart and is listed in the next run's prompt. The model can open
 * a bundled skill's SKILL.md (outside the workspace) with `read`.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureBinary, freePort, runBinaryAsync, startBinaryGateway, tempHome } from "../helpers/binary.ts";
import { type FakeProvider, startFakeProvider } from "../helpers/fake-provider.ts";
import { waitFor } from "../helpers/wait.ts";
import { connectClient } from "../helpers/ws.ts";

const TOKEN = "skills-e2e-token-0123456789abcdef0123456789";
const BIN = "skilltool-e2e";
let fake: FakeProvider;
let home: string;
const procs: { kill(sig?: number | NodeJS.Signals): void }[] = [];

beforeAll(async () => {
  await ensureBinary();
  fake = startFakeProvider();
});
afterAll(() => {
  for (const p of procs) p.kill("SIGKILL");
  if (home) rmSync(home, { recursive: true, force: true });
  fake.stop();
});

const cli = (args: string[]) => runBinaryAsync(args, { home });

/** The system prompt of the last model request. */
function lastSystemPrompt(): string {
  return String(fake.requests.at(-1)?.body.messages[0].content ?? "");
}

test("a skill needing a missing binary is ineligible with the reason, then eligible once the binary is on PATH", async () => {
  home = tempHome();
  const port = freePort();
  const binDir = join(home, "bin");
  mkdirSync(binDir);
  const workspace = join(home, "workspace");
  const skillDir = join(workspace, "skills", "tool-user");
  mkdirSync(skillDir, { recursive: true });
  writeFileSync(join(skillDir, "SKILL.md"), `---\nname: tool-user\ndescription: Drives the e2e tool for reports.\nmetadata: {"openclaw": {"requires": {"bins": ["${BIN}"]}}}\n---\nRun \`${BIN} --report\`.\n`);
  mkdirSync(join(home, ".openclaw"), { recursive: true });
  writeFileSync(
    join(home, ".openclaw", "openclaw.json"),
    JSON.stringify({
      gateway: { mode: "local", port, auth: { token: TOKEN } },
      models: { providers: { local: { baseUrl: fake.openaiBaseUrl, apiKey: "sk-e2e", api: "openai-completions", models: [{ id: "m1" }] } } },
      agents: { defaults: { model: "local/m1", workspace } },
    }),
  );
  // The gateway's PATH starts with binDir, empty for now.
  const gw = await startBinaryGateway(["gateway"], { home, env: { PATH: `${binDir}:${process.env.PATH ?? "/usr/bin:/bin"}` } });
  procs.push(gw.proc);
  const { sock } = await connectClient(`ws://127.0.0.1:${port}`, TOKEN, { scopes: ["operator.read"] });
  const status = async () => (await sock.request("skills.status", {})).payload.skills.find((s: { name: string }) => s.name === "tool-user");

  expect(await status()).toMatchObject({ source: "openclaw-workspace", eligible: false, missing: { bins: [BIN] } });
  const check = await cli(["skills", "check"]);
  expect(check).toMatchObject({ code: 0, stderr: "" });
  expect(check.stdout).toContain(`Not ready: tool-user: missing bins: ${BIN}`);

  fake.push({ text: "no skill needed" });
  expect((await cli(["agent", "--message", "hello"])).code).toBe(0);
  let prompt = lastSystemPrompt();
  expect(prompt).toContain("## Skills");
  expect(prompt).toMatch(/- weather: .*\(.*bundled-skills\/weather\/SKILL\.md\)/);
  expect(prompt).not.toContain("tool-user");

  writeFileSync(join(binDir, BIN), "#!/bin/sh\necho report\n");
  chmodSync(join(binDir, BIN), 0o755);
  await waitFor(async () => (await status())?.eligible === true, "tool-user eligible on skills.status", 10_000);
  expect((await status()).missing.bins).toEqual([]);
  expect((await cli(["skills", "check"])).stdout).toMatch(/Ready: .*tool-user/);

  // The next run lists it; the model reads the bundled weather skill (outside the workspace) with `read`.
  const weatherPath = /- weather: .*\((\/[^)]+\/SKILL\.md)\)/.exec(prompt)?.[1] as string;
  fake.push({ toolCalls: [{ name: "read", args: { path: weatherPath } }] }, { text: "read it" });
  const run = await cli(["agent", "--message", "weather in Paris?"]);
  expect(run).toMatchObject({ code: 0, stdout: "read it\n" });
  const withSkill = fake.requests.at(-2)?.body.messages[0].content as string;
  expect(withSkill).toContain(`- tool-user: Drives the e2e tool for reports. (${join(skillDir, "SKILL.md")})`);
  prompt = JSON.stringify(fake.requests.at(-1)?.body.messages);
  expect(prompt).toContain("geocoding-api.open-meteo.com");
  sock.close();
  gw.proc.kill("SIGTERM");
  expect(await gw.proc.exited).toBe(0);
});
