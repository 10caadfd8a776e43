/**
 * A one-shot isolated job end to end, compared with what the upstream gateway answered for the same steps
 * (recorded in test/fixtures/upstream/cron.*.json and sessions.list-after-cron.json): the job is added with
 * deleteAfterRun true, is gone from cron.list after its run, its run log entry stays, and its session is
 * agent:<agentId>:cron:<jobId>.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { resolve } from "node:path";
import { startAgentFixture } from "../../helpers/agent-gateway.ts";
import type { FakeProvider } from "../../helpers/fake-provider.ts";
import type { TestSocket } from "../../helpers/ws.ts";

const FIXTURES = resolve(import.meta.dir, "../../fixtures/upstream");
let fake: FakeProvider;
let sock: TestSocket;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ fake, sock, stop } = await startAgentFixture({ heartbeats: false }));
});
afterAll(() => stop());

const fixture = (name: string) => Bun.file(resolve(FIXTURES, name)).json();

/** Same keys, same JSON types, recursively for plain objects; `skip` lists paths not compared. */
function expectSameShape(ours: any, theirs: any, path = "$", skip: string[] = []): void {
  if (skip.includes(path)) return;
  expect({ path, type: typeof ours, array: Array.isArray(ours) }).toEqual({ path, type: typeof theirs, array: Array.isArray(theirs) });
  if (theirs && typeof theirs === "object" && !Array.isArray(theirs)) {
    for (const key of Object.keys(theirs)) expectSameShape(ours?.[key], theirs[key], `${path}.${key}`, skip);
  }
}

test("an at job: added with deleteAfterRun, deleted after its run, run log kept, session agent:main:cron:<id>", async () => {
  fake.push({ text: "pong" });
  // What `openclaw cron add --at 1s --session isolated --message ping --no-deliver` sends (no deleteAfterRun).
  const add = await sock.request("cron.add", {
    name: "once",
    schedule: { kind: "at", at: new Date(Date.now() + 1000).toISOString() },
    sessionTarget: "isolated",
    wakeMode: "next-heartbeat",
    payload: { kind: "agentTurn", message: "ping" },
    delivery: { mode: "none", channel: "last" },
  });
  expect(add.ok).toBe(true);
  const job = add.payload;
  const upAdd = await fixture("cron.add-at.json");
  expect(job.deleteAfterRun).toBe(upAdd.deleteAfterRun);
  expectSameShape(job, upAdd);

  const finished = await sock.nextMatching((f) => f.event === "cron" && f.payload.jobId === job.id && f.payload.action === "finished", 20_000);
  expect(finished.payload.status).toBe("ok");
  await sock.nextMatching((f) => f.event === "cron" && f.payload.jobId === job.id && f.payload.action === "removed", 5000);

  const list = (await sock.request("cron.list", { includeDisabled: true })).payload;
  expect(list).toEqual(await fixture("cron.list-after-at.json"));

  const runs = (await sock.request("cron.runs", { id: job.id })).payload;
  const upRuns = await fixture("cron.runs-after-at.json");
  expect(runs.entries).toHaveLength(upRuns.entries.length);
  // The upstream's entry repeats the one-shot time as nextRunAtMs although nothing runs again; ours omits it.
  expectSameShape(runs.entries[0], upRuns.entries[0], "$", ["$.nextRunAtMs"]);
  expect(runs.entries[0].nextRunAtMs).toBeUndefined();
  expect(runs.entries[0]).toMatchObject({ jobId: job.id, action: "finished", status: "ok", summary: "pong" });

  const sessions = (await sock.request("sessions.list", {})).payload.sessions;
  const upSessions = (await fixture("sessions.list-after-cron.json")).sessions;
  const upCron = upSessions.find((s: any) => s.key.includes(":cron:"));
  expect(upCron.key).toMatch(/^agent:main:cron:/);
  const ours = sessions.find((s: any) => s.key === `agent:main:cron:${job.id}`);
  expect(ours).toBeDefined();
  for (const key of ["kind", "updatedAt", "sessionId", "inputTokens", "outputTokens", "totalTokens", "modelProvider", "model", "contextTokens"]) {
    expect({ key, type: typeof ours[key] }).toEqual({ key, type: typeof upCron[key] });
  }
});
