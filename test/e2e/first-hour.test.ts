/**
 * The first hour of a new user, through the compiled binary in temp HOMEs: the CLI finds and names its
 * gateway, expected errors are messages (never stacks; `--json` honoured), and commands do what they say
 * (stop/restart without a service, per-gateway logs, unconfigured channels, where a Telegram token came from).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { resolveLogFile } from "../../src/config/paths.ts";
import { BINARY, binaryEnv, ensureBinary, freePort, startBinaryGateway, tempHome } from "../helpers/binary.ts";
import { FAKE_TOKEN, type FakeTelegram, startFakeTelegram } from "../helpers/fake-telegram.ts";
import { type ReferenceInstall, referenceForSuite, runUpstreamCli } from "../helpers/upstream.ts";
import { waitFor } from "../helpers/wait.ts";

setDefaultTimeout(60_000);

const TOKEN = "first-hour-token-0123456789abcdef0123456789";
const REPO = resolve(import.meta.dir, "../..");
const STACK_LINE = /^\s+at /m;
const homes: string[] = [];
const procs: { kill(sig?: number | NodeJS.Signals): void }[] = [];
const logFiles: string[] = [];

beforeAll(async () => {
  await ensureBinary();
});
afterAll(() => {
  for (const p of procs) p.kill("SIGKILL");
  for (const h of homes) rmSync(h, { recursive: true, force: true });
  for (const f of logFiles) rmSync(f, { force: true });
});

function home(): string {
  const h = tempHome();
  homes.push(h);
  return h;
}

function writeConfig(h: string, config: Record<string, unknown>, dir = ".openclaw"): string {
  mkdirSync(join(h, dir), { recursive: true });
  const path = join(h, dir, "openclaw.json");
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

const local = (port: number, extra: Record<string, unknown> = {}) => ({ gateway: { mode: "local", port, auth: { token: TOKEN } }, ...extra });

/** Runs the binary without blocking this process (fakes and blockers live here). */
async function cli(h: string, args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn([BINARY, ...args], { env: binaryEnv(h, opts.env), cwd: opts.cwd ?? h, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

async function gateway(h: string, args: string[] = [], opts: { env?: Record<string, string>; cwd?: string } = {}) {
  const gw = await startBinaryGateway(["gateway", ...args], { home: h, env: opts.env, cwd: opts.cwd });
  procs.push(gw.proc);
  return gw;
}

/** An expected failure: exit 1, an "Error:" line and a next-step line, no stack. */
function expectMessage(r: { code: number; stderr: string }, ...parts: string[]): void {
  expect(r.code).toBe(1);
  expect(r.stderr).toStartWith("Error: ");
  expect(r.stderr).not.toMatch(STACK_LINE);
  expect(r.stderr.trim().split("\n").length).toBeLessThanOrEqual(3);
  for (const p of parts) expect(r.stderr).toContain(p);
}

function jsonError(r: { code: number; stdout: string }): { code: string; message: string } {
  expect(r.code).toBe(1);
  const out = JSON.parse(r.stdout);
  expect(out.ok).toBe(false);
  expect(out.error.code).toMatch(/^[A-Z_]+$/);
  return out.error;
}

describe("the CLI finds and names its gateway", () => {
  test("without --port/--url it dials the port in this profile's lock, then the config; --port picks one; errors name the URL", async () => {
    const h = home();
    const configPort = freePort();
    const runPort = freePort();
    writeConfig(h, local(configPort));
    // Started on another port than the config says (the README's "another port" case).
    const gw = await gateway(h, ["--port", String(runPort)]);
    const health = await cli(h, ["health"]);
    expect({ code: health.code, stderr: health.stderr }).toEqual({ code: 0, stderr: "" });
    const call = await cli(h, ["gateway", "call", "health"]);
    expect(JSON.parse(call.stdout).ok).toBe(true);
    expect((await cli(h, ["status", "--port", String(runPort)])).code).toBe(0);
    const status = JSON.parse((await cli(h, ["gateway", "status", "--json"])).stdout);
    expect(status.gateway).toMatchObject({ port: runPort, portSource: "lock", probeUrl: `ws://127.0.0.1:${runPort}` });
    expect(status.rpc.ok).toBe(true);

    const wrong = await cli(h, ["health", "--port", String(configPort)]);
    expectMessage(wrong, `ws://127.0.0.1:${configPort}`);
    expectMessage(await cli(h, ["health", "--port", "nope"]), "Invalid port from --port");
    expectMessage(await cli(h, ["health", "--port", String(runPort), "--url", `ws://127.0.0.1:${runPort}`]), "--url or --port");

    gw.proc.kill("SIGTERM");
    expect(await gw.proc.exited).toBe(0);
    // No gateway runs now: the config's port, named in the error.
    expectMessage(await cli(h, ["health"]), `ws://127.0.0.1:${configPort}`);
  });

  test("npm run start:dev -- --port N reaches the gateway; the banner's Try line works as printed (from the repo, and elsewhere)", async () => {
    const script = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).scripts["start:dev"] as string;
    // npm appends what follows `--` to the script: it must end with the gateway command for --port to land there.
    expect(script).toEndWith("./dist/openclaw --dev gateway");

    const h = home();
    const port = freePort();
    const first = await gateway(h, ["--dev", "--port", String(port)], { cwd: REPO });
    await waitFor(() => /^Try:.*\n/m.test(first.output()), "the Try line", 5000);
    const tryLine = /^Try:\s+(.+)$/m.exec(first.output())?.[1];
    expect(tryLine).toBe("./dist/openclaw --dev gateway call health");
    const [cmd, ...args] = (tryLine as string).split(" ");
    const r = Bun.spawnSync([resolve(REPO, cmd), ...args], { env: binaryEnv(h), cwd: REPO, stdout: "pipe", stderr: "pipe" });
    expect({ code: r.exitCode, stderr: r.stderr.toString() }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(r.stdout.toString()).ok).toBe(true);
    first.proc.kill("SIGTERM");
    await first.proc.exited;

    // Started from elsewhere (HOME): the Try line carries the binary's absolute path.
    const again = await gateway(h, ["--dev", "--port", String(port)]);
    await waitFor(() => /^Try:.*\n/m.test(again.output()), "the Try line", 5000);
    const line = /^Try:\s+(.+)$/m.exec(again.output())?.[1] as string;
    expect(line).toBe(`${BINARY} --dev gateway call health`);
    const [abs, ...rest] = line.split(" ");
    const r2 = Bun.spawnSync([abs, ...rest], { env: binaryEnv(h), cwd: h, stdout: "pipe", stderr: "pipe" });
    expect(r2.exitCode).toBe(0);
    again.proc.kill("SIGTERM");
    await again.proc.exited;
  });

  test("a port in use names the holder (PID, program) and --force", async () => {
    const h = home();
    writeConfig(h, local(freePort()));
    const blocker = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const r = await cli(h, ["gateway", "--port", String(blocker.port)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`Port ${blocker.port} is already in use by PID ${process.pid} (`);
      expect(r.stderr).toContain("--force");
      expect(r.stderr).not.toMatch(STACK_LINE);
    } finally {
      blocker.stop(true);
    }
  });

  test("--profile with no such profile says there is no config for it (text and --json)", async () => {
    const h = home();
    const r = await cli(h, ["--profile", "work", "status"]);
    expectMessage(r, 'No config for profile "work"', join(h, ".openclaw-work", "openclaw.json"), "openclaw --profile work setup");
    expect(r.stderr).not.toContain("device identity");
    expect(jsonError(await cli(h, ["--profile", "work", "status", "--json"])).code).toBe("NO_PROFILE");
    // Once it exists, the same command goes on to dial it.
    writeConfig(h, local(freePort()), ".openclaw-work");
    expectMessage(await cli(h, ["--profile", "work", "status"]), "cannot reach the gateway at ws://127.0.0.1:");
  });

  test("README's first screen: how to start, change the port, talk to it, where the logs are", () => {
    const readme = readFileSync(join(REPO, "README.md"), "utf8");
    const blocks = readme.split("```sh\n");
    expect(blocks[1].split("```")[0].trim().split("\n").map((l) => l.split("#")[0].trim())).toEqual(["npm install && npm run start:dev", "npm install && npm test"]);
    const first = readme.split("\n").slice(0, 40).join("\n");
    for (const s of ["npm run start:dev -- --port", "gateway call health", "/tmp/openclaw/openclaw-<profile>-<port>-", "logs --follow", "--force"]) expect(first).toContain(s);
  });
});

describe("expected errors are messages", () => {
  test("auth refused: one line with the URL, local advice (no gateway.remote.* hint) — remote mode keeps it; --json", async () => {
    const h = home();
    const port = freePort();
    writeConfig(h, local(port));
    const gw = await gateway(h);
    const refused = await cli(h, ["health", "--token", "wrong-token-0123456789abcdef"]);
    expectMessage(refused, "gateway token mismatch", `ws://127.0.0.1:${port}`, "--token");
    expect(refused.stderr).not.toContain("gateway.remote.token");
    const err = jsonError(await cli(h, ["health", "--token", "wrong-token-0123456789abcdef", "--json"]));
    expect(err.message).toContain("gateway token mismatch");

    const remote = home();
    writeConfig(remote, { gateway: { mode: "remote", remote: { url: `ws://127.0.0.1:${port}`, token: "wrong-token-0123456789abcdef" } } });
    const r = await cli(remote, ["health"]);
    expectMessage(r, "gateway token mismatch", "gateway.remote.token");
    gw.proc.kill("SIGTERM");
    await gw.proc.exited;
  });

  test("unreachable, invalid config, unset ${VAR} the CLI needs, bad flag: messages, never stacks; --json on each", async () => {
    const h = home();
    const port = freePort();
    expectMessage(await cli(h, ["health", "--port", String(port)]), `cannot reach the gateway at ws://127.0.0.1:${port}`);
    expect(jsonError(await cli(h, ["gateway", "call", "health", "--port", String(port), "--json"])).code).toBe("UNAVAILABLE");

    const path = writeConfig(h, { gateway: { port: "nope" } });
    const invalid = await cli(h, ["health"]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain(`Invalid config at ${path}`);
    expect(invalid.stderr).toContain("gateway.port");
    expect(invalid.stderr).not.toMatch(STACK_LINE);
    expect(jsonError(await cli(h, ["health", "--json"])).code).toBe("INVALID_CONFIG");

    writeConfig(h, { gateway: { mode: "local", auth: { token: "${FIRST_HOUR_UNSET_TOKEN}" } } });
    expectMessage(await cli(h, ["health"]), "gateway.auth.token", "${FIRST_HOUR_UNSET_TOKEN}", "not set");
    expectMessage(await cli(h, ["health", "--bogus"]), 'Unknown option "--bogus"');
    expect(jsonError(await cli(h, ["health", "--bogus", "--json"])).code).toBe("INVALID_ARGS");
  });

  test("setup --json prints JSON, and JSON again when it refuses", async () => {
    const h = home();
    const ok = await cli(h, ["setup", "--json"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, configPath: join(h, ".openclaw", "openclaw.json") });
    expect(jsonError(await cli(h, ["setup", "--json"])).message).toContain("A config already exists");
  });

  test("a ${VAR} the command does not use may stay unset; the gateway names it when it needs it", async () => {
    const h = home();
    const port = freePort();
    writeConfig(h, local(port, { models: { providers: { local: { baseUrl: "http://127.0.0.1:1/v1", apiKey: "${FIRST_HOUR_MODEL_KEY}", api: "openai-completions", models: [{ id: "m1" }] } } } }));
    const refused = await cli(h, ["gateway"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("FIRST_HOUR_MODEL_KEY");
    expect(refused.stderr).not.toMatch(STACK_LINE);
    const gw = await gateway(h, [], { env: { FIRST_HOUR_MODEL_KEY: "sk-first-hour" } });
    for (const args of [["channels", "status"], ["logs", "--limit", "5"], ["health"]]) {
      const r = await cli(h, args);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: "" });
    }
    gw.proc.kill("SIGTERM");
    await gw.proc.exited;
  });

  test("--help to a pipe has no colour codes; an unknown command suggests the nearest one", async () => {
    const h = home();
    for (const args of [["--help"], ["gateway", "--help"], ["status", "--help"], ["channels"]]) {
      const r = await cli(h, args);
      expect(r.stdout).toContain("USAGE");
      expect(r.stdout).not.toContain("\u001b[");
    }
    expectMessage(await cli(h, ["sttaus"]), 'Unknown command "openclaw sttaus"', "Did you mean `openclaw status`?");
    expectMessage(await cli(h, ["gateway", "stauts"]), "Did you mean `openclaw gateway status`?");
    const far = await cli(h, ["xyzzy"]);
    expect(far.stderr).not.toContain("Did you mean");
  });

  test("message send / agent --deliver to an unconfigured channel: NOT_LINKED 'telegram is not configured'", async () => {
    const h = home();
    writeConfig(h, local(freePort()));
    const gw = await gateway(h);
    const sent = await cli(h, ["message", "send", "--channel", "telegram", "--target", "123", "--message", "hi"]);
    expectMessage(sent, "telegram is not configured (NOT_LINKED)");
    expect(sent.stderr).not.toContain("unsupported channel");
    expect(jsonError(await cli(h, ["message", "send", "--channel", "telegram", "--target", "123", "--message", "hi", "--json"]))).toMatchObject({ code: "NOT_LINKED", message: "telegram is not configured (NOT_LINKED)" });
    const agent = await cli(h, ["agent", "-m", "hi", "--deliver", "--channel", "telegram", "--to", "123"]);
    expectMessage(agent, "telegram is not configured");
    expect(jsonError(await cli(h, ["agent", "-m", "hi", "--deliver", "--channel", "telegram", "--to", "123", "--json"])).code).toBe("NOT_LINKED");
    // A name we do not support at all stays INVALID_REQUEST.
    expectMessage(await cli(h, ["message", "send", "--channel", "signal", "--target", "1", "--message", "hi"]), "unsupported channel: signal (INVALID_REQUEST)");
    gw.proc.kill("SIGTERM");
    await gw.proc.exited;
  });
});

describe("commands do what they say", () => {
  test("gateway stop / restart without a service: name the foreground gateway (PID), exit 1, leave it running; 'already running' gives a stop that works", async () => {
    const h = home();
    const port = freePort();
    writeConfig(h, local(port));
    const gw = await gateway(h);
    const pid = gw.proc.pid;
    const stop = await cli(h, ["gateway", "stop"]);
    expect(stop.code).toBe(1);
    expect(stop.stderr).toContain(`A foreground gateway runs for it (PID ${pid}, port ${port})`);
    expect(stop.stderr).toContain(`kill ${pid}`);
    expect(stop.stdout).not.toContain("Gateway service disabled.");
    const restart = await cli(h, ["gateway", "restart", "--json"]);
    expect(restart.code).toBe(1);
    expect(JSON.parse(restart.stdout)).toMatchObject({ action: "restart", ok: false, result: "not-loaded", running: { pid, port, foreground: true } });
    expect((await cli(h, ["health"])).code).toBe(0);

    const second = await cli(h, ["gateway", "--port", String(freePort())]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`PID ${pid}`);
    expect(second.stderr).toContain(`kill ${pid}`);
    expect(second.stderr).not.toContain("gateway stop");

    gw.proc.kill("SIGTERM");
    await gw.proc.exited;
    const none = await cli(h, ["gateway", "stop"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("No gateway runs for it either");
  });

  test("'already running' under a service manager recommends gateway stop (the lock records who started it)", async () => {
    const h = home();
    writeConfig(h, local(freePort()));
    // The service definitions set OPENCLAW_SERVICE_MARKER; a gateway started that way is stopped through the service.
    const gw = await gateway(h, [], { env: { OPENCLAW_SERVICE_MARKER: "openclaw" } });
    const second = await cli(h, ["gateway", "--port", String(freePort())]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`PID ${gw.proc.pid}`);
    expect(second.stderr).toContain(`A service runs it: stop it with \`${BINARY} gateway stop\``);
    gw.proc.kill("SIGTERM");
    await gw.proc.exited;
  });

  test("each gateway writes its own log; openclaw logs shows only its lines, foreign lines without 'undefined'; CLI connects stay out of it", async () => {
    const [h1, h2] = [home(), home()];
    const [p1, p2] = [freePort(), freePort()];
    writeConfig(h1, local(p1));
    writeConfig(h2, local(p2));
    const g1 = await gateway(h1);
    const g2 = await gateway(h2);
    const f1 = resolveLogFile(undefined, undefined, `default-${p1}`);
    const f2 = resolveLogFile(undefined, undefined, `default-${p2}`);
    logFiles.push(f1, f2);
    expect(g1.output()).toContain(`log file: ${f1}`);
    await waitFor(() => existsSync(f1) && existsSync(f2), "both log files", 5000);

    const l1 = await cli(h1, ["logs", "--limit", "500"]);
    expect(l1.code).toBe(0);
    expect(l1.stdout).toContain(`listening on ws://127.0.0.1:${p1}`);
    expect(l1.stdout).not.toContain(`:${p2}`);
    const l2 = await cli(h2, ["logs", "--limit", "500"]);
    expect(l2.stdout).toContain(`listening on ws://127.0.0.1:${p2}`);
    expect(l2.stdout).not.toContain(`:${p1}`);

    // Another program's lines in the file (an upstream tslog line, plain text) render readably.
    const upstreamLine = JSON.parse(readFileSync(join(REPO, "test/fixtures/upstream/logs-tail.json"), "utf8")).lines[1];
    appendFileSync(f1, `${upstreamLine}\nplain text from elsewhere\n`);
    const mixed = await cli(h1, ["logs", "--limit", "500"]);
    expect(mixed.stdout).not.toContain("undefined");
    expect(mixed.stdout).toContain("[gateway/ws] ⇄ res ✗ node.pair.approve");
    expect(mixed.stdout).toContain("plain text from elsewhere");

    // logs.tail serves the upstream line shape; `logs --json` prints parsed records.
    const tail = JSON.parse((await cli(h1, ["gateway", "call", "logs.tail", "--params", '{"limit":50}'])).stdout);
    const listening = tail.lines.filter((l: string) => l.startsWith("{")).map((l: string) => JSON.parse(l)).find((r: Record<string, unknown>) => String(r[1]).startsWith("listening on"));
    expect(listening._meta).toMatchObject({ logLevelName: "INFO", name: '{"subsystem":"gateway"}' });
    const records = (await cli(h1, ["logs", "--json", "--limit", "5"])).stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(records.every((r) => r.type === "log" || r.type === "raw")).toBe(true);

    // Many CLI connects (as `logs --follow` polls do) add no info lines.
    for (let i = 0; i < 3; i++) await cli(h1, ["health"]);
    expect(readFileSync(f1, "utf8")).not.toContain('"client connected"');
    for (const g of [g1, g2]) g.proc.kill("SIGTERM");
    await Promise.all([g1.proc.exited, g2.proc.exited]);
  });
});

describe("TELEGRAM_BOT_TOKEN", () => {
  let telegram: FakeTelegram;
  beforeAll(() => {
    telegram = startFakeTelegram();
  });
  afterAll(() => telegram.stop());

  test("the env token alone configures the account; channels status says where each token came from, never the token", async () => {
    const h = home();
    // Only the API root (the fake server) is in config: the token comes from the environment.
    writeConfig(h, local(freePort(), { channels: { telegram: { apiRoot: telegram.url, pollTimeoutSeconds: 1 } } }));
    const gw = await gateway(h, [], { env: { TELEGRAM_BOT_TOKEN: FAKE_TOKEN } });
    await waitFor(() => /telegram/i.test(gw.output()) && telegram.calls.some((c) => c.method === "getMe"), "telegram getMe", 10_000);
    const status = await cli(h, ["channels", "status"]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/Telegram\s+default\s+\S+.*token: env \(TELEGRAM_BOT_TOKEN\)/);
    expect(status.stdout).not.toContain(FAKE_TOKEN);
    gw.proc.kill("SIGTERM");
    await gw.proc.exited;

    const h2 = home();
    writeConfig(h2, local(freePort(), { channels: { telegram: { botToken: FAKE_TOKEN, apiRoot: telegram.url, pollTimeoutSeconds: 1 } } }));
    const gw2 = await gateway(h2);
    const s2 = await cli(h2, ["channels", "status"]);
    expect(s2.stdout).toMatch(/Telegram\s+default\s+\S+.*token: config \(botToken\)/);
    expect(s2.stdout).not.toContain(FAKE_TOKEN);
    gw2.proc.kill("SIGTERM");
    await gw2.proc.exited;
  });
});

// The upstream 2026.2.3 CLI (the reference install, see test/helpers/upstream.ts) reading our logs.tail.
const reference = referenceForSuite("upstream CLI logs against ours");
describe("upstream CLI logs against ours", () => {
  reference.run("openclaw logs (upstream) shows level and subsystem of every line; its connects add no info lines", async () => {
    const ref = reference.ref as ReferenceInstall;
    const h = home();
    const port = freePort();
    writeConfig(h, local(port));
    // Another run's gateway may have used this port today: its lines are not this gateway's.
    const file = resolveLogFile(undefined, undefined, `default-${port}`);
    rmSync(file, { force: true });
    logFiles.push(file);
    const gw = await gateway(h);
    const upstream = (args: string[]) => runUpstreamCli(ref, { url: `ws://127.0.0.1:${port}`, token: TOKEN }, args);
    const plain = await upstream(["logs", "--plain", "--limit", "20"]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(new RegExp(`^\\S+ info gateway .*listening on ws://127\\.0\\.0\\.1:${port}`, "m"));
    const json = await upstream(["logs", "--json", "--limit", "20"]);
    const records = json.stdout.trim().split("\n").map((l) => JSON.parse(l)).filter((r) => r.type === "log");
    expect(records.length).toBeGreaterThan(3);
    for (const r of records) {
      expect(r.level).toMatch(/^(info|warn|error|debug)$/);
      expect(typeof r.subsystem).toBe("string");
    }
    expect(readFileSync(file, "utf8")).not.toContain('"client connected"');
    gw.proc.kill("SIGTERM");
    await gw.proc.exited;
  });
});
