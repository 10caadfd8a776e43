/**
 * An in-process gateway wired to a fake LLM provider, for agent/chat/sessions tests: config with two
 * providers (`local` = OpenAI chat-completions, `claude` = Anthropic Messages), a temp workspace, and
 * helpers to connect as an operator or as WebChat (which needs a same-origin Origin header).
 * `startAgentFixture` sets all of it up at once (optionally with the fake Telegram Bot API as a channel).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { startGateway, type GatewayHandle, type GatewayOptions } from "../../src/gateway/server.ts";
import { Logger } from "../../src/logging/logger.ts";
import { type FakeProvider, startFakeProvider } from "./fake-provider.ts";
import { FAKE_TOKEN, type FakeTelegram, startFakeTelegram } from "./fake-telegram.ts";
import { TEST_TOKEN } from "./gateway.ts";
import { connectParams, openSocket, type TestSocket } from "./ws.ts";
import { waitFor } from "./wait.ts";

/** Config pointing the default agent at the fake provider (`local/m1` unless `primary` says otherwise). */
export function agentConfig(fake: FakeProvider, workspace: string, extra: Partial<OpenClawConfig> = {}, primary = "local/m1"): OpenClawConfig {
  return {
    gateway: { mode: "local", auth: { token: TEST_TOKEN } },
    models: {
      providers: {
        local: { baseUrl: fake.openaiBaseUrl, apiKey: "sk-local", api: "openai-completions", models: [{ id: "m1", contextWindow: 32000 }, { id: "m2" }] },
        claude: { baseUrl: fake.anthropicBaseUrl, apiKey: "sk-ant", api: "anthropic-messages", models: [{ id: "c1" }] },
      },
    },
    agents: { defaults: { workspace, model: primary } },
    ...extra,
  };
}

/** A gateway on a state dir that survives `restart()`. */
export interface AgentGateway {
  url: string;
  stateDir: string;
  handle: GatewayHandle;
  logs: string[];
  /** Stops and starts again on the same state dir (new port). */
  restart(): Promise<void>;
  /** Stops and removes the state dir. */
  stop(): Promise<void>;
}

/** Starts a gateway with `config` on a fresh state dir; `opts` passes test hooks such as a heartbeat clock. */
export async function startAgentGateway(config: OpenClawConfig, opts: Pick<GatewayOptions, "heartbeatClock" | "cronClock"> = {}): Promise<AgentGateway> {
  const stateDir = mkdtempSync(join(tmpdir(), "openclaw-agent-gw-"));
  const logs: string[] = [];
  const start = () =>
    startGateway({
      version: "test",
      stateDir,
      loaded: { path: join(stateDir, "openclaw.json"), exists: false, raw: "", hash: "", config },
      settings: { port: 0, bind: "loopback", hosts: ["127.0.0.1"], auth: { mode: "token", token: TEST_TOKEN } },
      logger: new Logger("gateway", { write: (l) => logs.push(l) }),
      ...opts,
    });
  const gw: AgentGateway = {
    url: "",
    stateDir,
    handle: await start(),
    logs,
    async restart() {
      await gw.handle.stop();
      gw.handle = await start();
      gw.url = `ws://127.0.0.1:${gw.handle.port}`;
    },
    async stop() {
      await gw.handle.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  gw.url = `ws://127.0.0.1:${gw.handle.port}`;
  return gw;
}

/** Connects an operator test client (admin unless `scopes` says otherwise). */
export async function connectOperator(url: string, opts: { client?: Record<string, unknown>; scopes?: string[]; token?: string } = {}): Promise<TestSocket> {
  const client = opts.client ?? { id: "test", version: "1.0.0", platform: "linux", mode: "test" };
  const port = new URL(url).port;
  const sock = await openSocket(url, { headers: { origin: `http://127.0.0.1:${port}` } });
  await sock.next(); // connect.challenge
  const res = await sock.request("connect", connectParams({ client, auth: { token: opts.token ?? TEST_TOKEN }, ...(opts.scopes && { scopes: opts.scopes }) }), "connect");
  if (!res.ok) throw new Error(`connect failed: ${JSON.stringify(res.error)}`);
  return sock;
}

/** Connects as the WebChat UI does: client.id "webchat", mode "webchat", same-origin Origin header. */
export function connectWebchat(url: string, token?: string): Promise<TestSocket> {
  return connectOperator(url, { client: { id: "webchat", version: "1.0.0", platform: "web", mode: "webchat" }, token });
}

/** Collects frames until `pred` matches one; returns all collected (the match last). */
export async function collectUntil(sock: TestSocket, pred: (f: any) => boolean, timeoutMs = 10_000): Promise<any[]> {
  const out: any[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const f = await sock.next(Math.max(1, deadline - Date.now()));
    out.push(f);
    if (pred(f)) return out;
  }
}

/** A temp workspace dir. */
export function tempWorkspace(): string {
  return mkdtempSync(join(tmpdir(), "openclaw-ws-"));
}

/** What `startAgentFixture` sets up besides the fake provider, the workspace, the gateway and an operator socket. */
export interface AgentFixtureOptions extends Pick<GatewayOptions, "heartbeatClock" | "cronClock"> {
  /**
   * Starts the fake Telegram Bot API as the `telegram` channel (open DMs from anyone, 1 s polls) and waits
   * until the channel runs.
   */
  telegram?: boolean;
  /** Config keys set over `agentConfig`'s (and the telegram channel's); a function receives the workspace. */
  extra?: Partial<OpenClawConfig> | ((workspace: string) => Partial<OpenClawConfig>);
  /** false turns heartbeats off once the gateway runs, as `set-heartbeats` does. Default true. */
  heartbeats?: boolean;
}

/** A running agent gateway with everything around it. */
export interface AgentFixture {
  fake: FakeProvider;
  /** The fake Telegram Bot API; only with `telegram: true`. */
  telegram?: FakeTelegram;
  workspace: string;
  /** The config the gateway started with. */
  config: OpenClawConfig;
  gw: AgentGateway;
  /** An admin operator socket. */
  sock: TestSocket;
  /** Closes the socket, stops the gateway and the fakes, removes the workspace. Safe to destructure. */
  stop(): Promise<void>;
}

/**
 * Starts a fake provider, a temp workspace and a gateway on them, and connects an operator socket. When
 * a step fails, what already started is stopped before the error is rethrown.
 * @example ({ fake, gw, sock, stop } = await startAgentFixture({ telegram: true, heartbeats: false }));
 */
export async function startAgentFixture(opts: AgentFixtureOptions & { telegram: true }): Promise<AgentFixture & { telegram: FakeTelegram }>;
export async function startAgentFixture(opts?: AgentFixtureOptions): Promise<AgentFixture>;
export async function startAgentFixture(opts: AgentFixtureOptions = {}): Promise<AgentFixture> {
  const { telegram: withTelegram, extra, heartbeats = true, ...gatewayOpts } = opts;
  const fake = startFakeProvider();
  const telegram = withTelegram ? startFakeTelegram() : undefined;
  const workspace = tempWorkspace();
  const config = agentConfig(fake, workspace, {
    ...(telegram && { channels: { telegram: { botToken: FAKE_TOKEN, apiRoot: telegram.url, pollTimeoutSeconds: 1, dmPolicy: "open", allowFrom: ["*"] } } }),
    ...(typeof extra === "function" ? extra(workspace) : extra),
  });
  let gw: AgentGateway | undefined;
  let sock: TestSocket | undefined;
  const stop = async () => {
    sock?.close();
    await gw?.stop();
    telegram?.stop();
    fake.stop();
    rmSync(workspace, { recursive: true, force: true });
  };
  try {
    gw = await startAgentGateway(config, gatewayOpts);
    const running = gw;
    // Wakes and schedules would start heartbeat turns that take scripted replies.
    if (!heartbeats) running.handle.ctx.heartbeat.setEnabled(false);
    if (telegram) await waitFor(() => running.handle.ctx.channels.accountSnapshots("telegram")[0]?.running === true, "telegram running", 5000);
    sock = await connectOperator(running.url);
    return { fake, telegram, workspace, config, gw: running, sock, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
