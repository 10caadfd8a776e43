/**
 * Helpers for channel tests: a ChannelManager on a temp state dir with a scripted agent, and small waits.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentTurnRequest, AgentTurnResult } from "../../src/channels/index.ts";
import { ChannelManager, type ChannelManagerOptions } from "../../src/channels/manager.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { Logger } from "../../src/logging/logger.ts";
import { waitFor } from "./wait.ts";

/** A scripted agent: records every turn, answers with `reply(req)` (default "echo: <text>"). */
export interface FakeAgent {
  turns: AgentTurnRequest[];
  reply: (req: AgentTurnRequest) => AgentTurnResult | Promise<AgentTurnResult>;
  run(req: AgentTurnRequest): Promise<AgentTurnResult>;
  /** Resolves when at least `n` turns were requested. */
  waitForTurns(n: number, timeoutMs?: number): Promise<AgentTurnRequest[]>;
}

export function createFakeAgent(): FakeAgent {
  const agent: FakeAgent = {
    turns: [],
    reply: (req) => ({ text: `echo: ${req.text}` }),
    async run(req) {
      agent.turns.push(req);
      return agent.reply(req);
    },
    async waitForTurns(n, timeoutMs = 5000) {
      await waitFor(() => agent.turns.length >= n, () => `${n} agent turns (got ${agent.turns.length}: ${JSON.stringify(agent.turns.map((t) => t.text))})`, timeoutMs);
      return agent.turns;
    },
  };
  return agent;
}

/** A manager plus what the test needs to inspect and clean up. */
export interface TestChannels {
  manager: ChannelManager;
  agent: FakeAgent;
  stateDir: string;
  logs: string[];
  config: OpenClawConfig;
  setConfig(next: OpenClawConfig): void;
  stop(opts?: { keepState?: boolean }): Promise<void>;
}

/** Starts a manager over `config` in a temp (or given) state dir. */
export function startTestChannels(config: OpenClawConfig, opts: Partial<ChannelManagerOptions> & { stateDir?: string; agent?: FakeAgent } = {}): TestChannels {
  const { stateDir: givenDir, agent: givenAgent, ...rest } = opts;
  const stateDir = givenDir ?? mkdtempSync(join(tmpdir(), "openclaw-channels-"));
  const logs: string[] = [];
  const agent = givenAgent ?? createFakeAgent();
  const state = { config };
  const manager = new ChannelManager({
    stateDir,
    getConfig: () => state.config,
    logger: new Logger("test", { noFile: true, write: (l) => logs.push(l) }),
    runAgentTurn: (req) => agent.run(req),
    env: {},
    ...rest,
  });
  manager.start();
  return {
    manager,
    agent,
    stateDir,
    logs,
    get config() {
      return state.config;
    },
    setConfig(next) {
      state.config = next;
    },
    async stop(o = {}) {
      await manager.stop();
      if (!o.keepState) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
