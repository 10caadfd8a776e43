/**
 * Records upstream 2026.2.3 gateway responses into test/fixtures/upstream/ (the shapes our tests compare
 * with). Manual tool, not a test: needs the reference install (test/helpers/install-reference.sh).
 *
 *   bun test/compat/record-upstream.ts
 *
 * Starts the local fake model provider and the upstream gateway (fresh HOME, --dev profile, the fake as its
 * only provider), then through the upstream CLI: config.schema; one agent turn on the main session and
 * sessions.list; an isolated `cron add --at` job, waits for its run, then cron.list, cron.runs and
 * sessions.list again. Volatile values (ids, timestamps, paths, tokens, ports) are replaced by placeholders
 * so the files carry shapes, not secrets.
 */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { freePort } from "../helpers/binary.ts";
import { startFakeProvider } from "../helpers/fake-provider.ts";
import { locateReference, parseCliJson, runUpstreamCli, startUpstreamGateway } from "../helpers/upstream.ts";
import { waitFor } from "../helpers/wait.ts";

const OUT = resolve(import.meta.dir, "../fixtures/upstream");
const ref = locateReference();
if (!ref) throw new Error("reference install missing: run test/helpers/install-reference.sh");

const fake = startFakeProvider({ fallback: { text: "recorded reply", usage: { input: 3, output: 2 } } });
const token = `rec-${crypto.randomUUID()}`;
const gw = await startUpstreamGateway(ref, {
  port: freePort(),
  token,
  config: {
    models: { providers: { local: { baseUrl: fake.openaiBaseUrl, apiKey: "sk-recording", api: "openai-completions", models: [{ id: "m1", name: "m1" }] } } },
    agents: { defaults: { model: { primary: "local/m1" } } },
  },
});

async function call(method: string, params: Record<string, unknown> = {}, extra: string[] = []): Promise<any> {
  const r = await runUpstreamCli(ref!, gw, ["gateway", "call", method, "--params", JSON.stringify(params), "--json", ...extra], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`${method}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  return parseCliJson(r.stdout);
}

/** Replaces values that differ per run or could be secret with stable placeholders. */
function scrub(value: unknown): unknown {
  const text = JSON.stringify(value, (key, v) => {
    if (typeof v === "number" && /(At|AtMs|Ms|ts|time)$/i.test(key) && v > 1_000_000_000_000) return 1_767_225_600_000;
    if (typeof v === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v)) return "2026-01-01T00:00:00.000Z";
    return v;
  });
  return JSON.parse(
    text
      .replaceAll(gw.home, "/home/recording")
      .replaceAll(token, "<token>")
      .replaceAll(fake.openaiBaseUrl, "http://127.0.0.1:0/v1")
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "00000000-0000-4000-8000-000000000000"),
  );
}

function save(name: string, value: unknown): void {
  writeFileSync(join(OUT, name), `${JSON.stringify(scrub(value), null, 1)}\n`);
  console.log(`wrote ${name}`);
}

try {
  const schema = await call("config.schema");
  writeFileSync(join(OUT, "config.schema.json"), `${JSON.stringify(scrub(schema))}\n`);
  console.log("wrote config.schema.json");

  await call("agent", { message: "hello", sessionKey: "main", idempotencyKey: crypto.randomUUID() }, ["--expect-final", "--timeout", "60000"]);
  save("sessions.list.json", await call("sessions.list", {}));

  const add = await runUpstreamCli(ref, gw, ["cron", "add", "--name", "once", "--at", "1s", "--session", "isolated", "--message", "ping", "--no-deliver", "--json"]);
  if (add.code !== 0) throw new Error(`cron add: ${add.stdout}${add.stderr}`);
  const job = parseCliJson(add.stdout);
  save("cron.add-at.json", job);
  const id = job.id ?? job.job?.id;
  let runs: any;
  await waitFor(
    async () => {
      runs = await call("cron.runs", { id });
      return (runs.entries ?? []).some((e: any) => e.action === "finished" || e.status);
    },
    () => `the cron job to run: ${JSON.stringify(runs)}`,
    { timeoutMs: 90_000, intervalMs: 1000 },
  );
  save("cron.runs-after-at.json", runs);
  save("cron.list-after-at.json", await call("cron.list", { includeDisabled: true }));
  save("sessions.list-after-cron.json", await call("sessions.list", {}));
} finally {
  await gw.stop();
  fake.stop();
}
