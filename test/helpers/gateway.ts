/**
 * Starts an in-process gateway on 127.0.0.1 port 0 with a temp state dir, for tests.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GatewaySettings } from "../../src/config/gateway-settings.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { Logger } from "../../src/logging/logger.ts";
import { startGateway, type GatewayHandle, type GatewayOptions } from "../../src/gateway/server.ts";

/** A running test gateway. */
export interface TestGateway {
  handle: GatewayHandle;
  url: string;
  token: string;
  stateDir: string;
  logs: string[];
  stop(): Promise<void>;
}

export const TEST_TOKEN = "test-token-0123456789abcdef0123456789abcdef";

/** Starts a gateway with token auth; `opts` overrides settings and timers. */
export async function startTestGateway(
  opts: { config?: OpenClawConfig; settings?: Partial<GatewaySettings> } & Partial<Pick<GatewayOptions, "handshakeTimeoutMs" | "tickIntervalMs" | "healthIntervalMs" | "channelOptions">> = {},
): Promise<TestGateway> {
  const stateDir = mkdtempSync(join(tmpdir(), "openclaw-test-"));
  const logs: string[] = [];
  const logger = new Logger("gateway", { file: join(stateDir, "gateway.log"), write: (l) => logs.push(l) });
  const given: OpenClawConfig = opts.config ?? { gateway: { mode: "local", auth: { token: TEST_TOKEN } } };
  // Keep the canvas root (and anything else derived from the workspace) out of the real HOME.
  const config: OpenClawConfig = { ...given, canvasHost: { root: join(stateDir, "canvas"), ...given.canvasHost } };
  const settings: GatewaySettings = {
    port: 0,
    bind: "loopback",
    hosts: ["127.0.0.1"],
    auth: { mode: "token", token: TEST_TOKEN },
    ...opts.settings,
  };
  const handle = await startGateway({
    version: "test",
    stateDir,
    loaded: { path: join(stateDir, "openclaw.json"), exists: false, raw: "", hash: "", config },
    settings,
    logger,
    handshakeTimeoutMs: opts.handshakeTimeoutMs,
    tickIntervalMs: opts.tickIntervalMs,
    healthIntervalMs: opts.healthIntervalMs,
    channelOptions: opts.channelOptions,
  });
  return {
    handle,
    url: `ws://127.0.0.1:${handle.port}`,
    token: settings.auth.token ?? "",
    stateDir,
    logs,
    async stop() {
      await handle.stop();
      logger.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
