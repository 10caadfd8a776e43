/**
 * HTTP probes on the gateway port: /healthz, /readyz, /metrics (parsed with a Prometheus text parser).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
// @ts-expect-error no types shipped
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { connectClient, openSocket } from "../helpers/ws.ts";

let gw: TestGateway;
let base: string;
beforeAll(async () => {
  gw = await startTestGateway();
  base = `http://127.0.0.1:${gw.handle.port}`;
});
afterAll(async () => {
  await gw.stop();
});

type Family = { name: string; type: string; metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string }[] };

async function scrape(): Promise<Map<string, Family>> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
  const families = parsePrometheusTextFormat(await res.text()) as Family[];
  return new Map(families.map((f) => [f.name, f]));
}

test("/healthz and /readyz", async () => {
  expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true });
  const ready = await fetch(`${base}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ ready: true, checks: { listening: true, config: true, channels: true } });
});

test("probes are loopback-only: a proxied request is refused", async () => {
  const res = await fetch(`${base}/metrics`, { headers: { "x-forwarded-for": "198.51.100.7" } });
  expect(res.status).toBe(404);
});

test("/metrics parses and counts what happened", async () => {
  const before = await scrape();
  const framesBefore = Number(before.get("openclaw_frames_received_total")?.metrics[0].value);
  const { sock } = await connectClient(gw.url, gw.token);
  await sock.request("health");
  await sock.request("no.such.method");
  const bad = await openSocket(gw.url);
  await bad.next();
  bad.send({ type: "req", id: "c", method: "connect", params: { minProtocol: 3, maxProtocol: 3, client: { id: "test", version: "1", platform: "linux", mode: "test" }, auth: { token: "wrong" } } });
  await bad.closed;

  const after = await scrape();
  expect(after.get("openclaw_clients")?.metrics[0].value).toBe("1");
  expect(Number(after.get("openclaw_frames_received_total")?.metrics[0].value)).toBeGreaterThanOrEqual(framesBefore + 4);
  expect(after.get("openclaw_rpc_duration_seconds")?.type).toBe("HISTOGRAM");
  // This parser folds labelled histogram series into one bucket set; the +Inf bucket still counts requests.
  expect(Number(after.get("openclaw_rpc_duration_seconds")?.metrics[0].buckets?.["+Inf"])).toBeGreaterThanOrEqual(1);
  const text = await (await fetch(`${base}/metrics`)).text();
  expect(text).toMatch(/^openclaw_rpc_duration_seconds_count\{method="health"\} [1-9]\d*$/m);
  const errors = Object.fromEntries((after.get("openclaw_rpc_errors_total")?.metrics ?? []).map((m) => [m.labels?.code, Number(m.value)]));
  expect(errors.INVALID_REQUEST).toBeGreaterThanOrEqual(2);
  const failures = after.get("openclaw_handshake_failures_total")?.metrics ?? [];
  expect(failures.find((m) => m.labels?.code === "INVALID_REQUEST")?.value).toBe("1");
  expect(Number(after.get("process_resident_memory_bytes")?.metrics[0].value)).toBeGreaterThan(1_000_000);
  sock.close();
});
