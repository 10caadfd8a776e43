/**
 * A test gateway for the HTTP APIs (`/v1/*`, `/tools/invoke`, hooks): the fake LLM provider behind the
 * default agent, a temp workspace, and small fetch helpers.
 */
import { rmSync } from "node:fs";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { agentConfig, tempWorkspace } from "./agent-gateway.ts";
import { type FakeProvider, startFakeProvider } from "./fake-provider.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "./gateway.ts";

/** A running gateway + fake provider. */
export interface ApiGateway {
  gw: TestGateway;
  fake: FakeProvider;
  /** `http://127.0.0.1:<port>` */
  base: string;
  token: string;
  stop(): Promise<void>;
}

/** Starts the fake provider and a gateway whose config is `agentConfig(...)` merged with `extra` (shallow). */
export async function startApiGateway(extra: (fake: FakeProvider) => Partial<OpenClawConfig> = () => ({})): Promise<ApiGateway> {
  const fake = startFakeProvider();
  const workspace = tempWorkspace();
  const config = agentConfig(fake, workspace, extra(fake));
  const gw = await startTestGateway({ config });
  return {
    gw,
    fake,
    base: `http://127.0.0.1:${gw.handle.port}`,
    token: TEST_TOKEN,
    async stop() {
      await gw.stop();
      fake.stop();
      rmSync(workspace, { recursive: true, force: true });
    },
  };
}

/** `gateway.http.endpoints` with both OpenAI-compatible endpoints on, plus `rest` of `gateway`. */
export function endpointsOn(rest: Record<string, unknown> = {}): Partial<OpenClawConfig> {
  return {
    gateway: { mode: "local", auth: { token: TEST_TOKEN }, http: { endpoints: { chatCompletions: { enabled: true }, responses: { enabled: true } } }, ...rest },
  } as Partial<OpenClawConfig>;
}

/** POSTs JSON (or a raw string body) with the bearer token unless `token: null`. */
export function postJson(url: string, body: unknown, opts: { token?: string | null; headers?: Record<string, string>; method?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json", ...opts.headers };
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? TEST_TOKEN}`;
  return fetch(url, { method: opts.method ?? "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
}
