/**
 * `openclaw cron …` run as a real CLI process (`bun src/main.ts`) against an in-process gateway: add (both
 * payload kinds), list (table, --all, --json), run by name (not due, --force), runs, edit, rm, and the
 * errors a user sees: a missing payload (caught locally), a bad cron expression (the gateway's message),
 * an unknown job. Flag parsing on its own: relative --at, --every units, edit patches.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildAddParams, buildPatch } from "../../src/cli/commands/cron.ts";
import { CliError } from "../../src/errors.ts";
import { cliRunner } from "../helpers/cli.ts";
import { startTestGateway, type TestGateway } from "../helpers/gateway.ts";
import { waitFor } from "../helpers/wait.ts";

let gw: TestGateway;
let home: string;

beforeAll(async () => {
  gw = await startTestGateway();
  home = mkdtempSync(join(tmpdir(), "openclaw-cli-cron-"));
});
afterAll(async () => {
  await gw.stop();
  rmSync(home, { recursive: true, force: true });
});

const { cli, ok } = cliRunner(() => ({ url: gw.url, token: gw.token, home }));

describe("openclaw cron", () => {
  test("add, list, run, runs, edit, rm", async () => {
    const plants = JSON.parse(await ok(["cron", "add", "--name", "Plants", "--every", "30m", "--system-event", "Water the plants", "--json"]));
    expect(plants).toMatchObject({ name: "Plants", schedule: { kind: "every", everyMs: 30 * 60_000 }, sessionTarget: "main", wakeMode: "next-heartbeat", payload: { kind: "systemEvent", text: "Water the plants" } });
    const added = await ok(["cron", "add", "--name", "Digest", "--cron", "0 9 * * 1-5", "--tz", "Europe/Berlin", "--message", "Summarize my inbox", "--deliver", "--to", "12345"]);
    expect(added).toMatch(/^Added job "Digest" \([0-9a-f-]{36}\), cron "0 9 \* \* 1-5" Europe\/Berlin; next run in \d+[smhd]\.\n$/);

    const table = await ok(["cron", "list"]);
    expect(table.split("\n")[0]).toMatch(/^ID\s+NAME\s+SCHEDULE\s+NEXT\s+LAST\s+TARGET$/);
    expect(table).toContain("every 30m");
    expect(table).toContain("isolated → last");
    const { jobs } = JSON.parse(await ok(["cron", "list", "--json"]));
    expect(jobs.map((j: any) => j.name).sort()).toEqual(["Digest", "Plants"]);
    const digest = jobs.find((j: any) => j.name === "Digest");
    expect(digest).toMatchObject({ sessionTarget: "isolated", payload: { kind: "agentTurn", message: "Summarize my inbox" }, delivery: { mode: "announce", to: "12345" } });

    expect(await ok(["cron", "run", "Plants"])).toBe(`Job ${plants.id} not run: not due yet (pass --force to run it anyway).\n`);
    expect(await ok(["cron", "run", "Plants", "--force"])).toBe(`Started job ${plants.id}; see \`openclaw cron runs ${plants.id}\` for the outcome.\n`);
    await waitFor(() => gw.handle.ctx.cron.runs(plants.id, 10).length === 1, "the run to finish", 5000);
    const runs = await ok(["cron", "runs", plants.id.slice(0, 8)]);
    expect(runs.split("\n")[0]).toMatch(/^FINISHED\s+STATUS\s+DURATION\s+DETAIL$/);
    expect(runs).toMatch(/ok\s+\d+ms\s+Water the plants\n$/);
    expect(JSON.parse(await ok(["cron", "runs", "Plants", "--json"])).entries).toHaveLength(1);

    expect(await ok(["cron", "edit", "Plants", "--disable"])).toBe(`Updated job "Plants" (${plants.id}); disabled.\n`);
    expect(await ok(["cron", "list"])).not.toContain("Plants");
    expect(await ok(["cron", "list", "--all"])).toMatch(/Plants.*no\n/);
    expect(await ok(["cron", "edit", "Plants", "--enable", "--every", "2h", "--name", "Plants (slow)"])).toMatch(/^Updated job "Plants \(slow\)" .*; next run in (1h|2h)\.\n$/);

    expect(await ok(["cron", "rm", plants.id])).toBe(`Removed job ${plants.id}.\n`);
    expect(await ok(["cron", "rm", digest.id, "--json"])).toBe(`${JSON.stringify({ id: digest.id, ok: true, removed: true }, null, 2)}\n`);
    expect(await ok(["cron", "list", "--all"])).toBe("No jobs.\n");
  });

  test("status", async () => {
    const out = await ok(["cron", "status"]);
    expect(out).toContain("Scheduler  enabled\n");
    expect(out).toContain("Jobs       0 (0 enabled)\n");
    expect(out).toMatch(/Store\s+.*state\.db\n/);
  });

  test("errors: missing payload (local), bad cron expression (gateway), unknown job", async () => {
    const missing = await cli(["cron", "add", "--name", "X", "--every", "30m"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("A payload is required: --system-event TEXT or --message TEXT.");
    const bad = await cli(["cron", "add", "--name", "X", "--cron", "0 9 * *", "--system-event", "hi"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('invalid cron expression "0 9 * *"');
    expect(bad.stderr).toContain("(INVALID_REQUEST)");
    const unknown = await cli(["cron", "rm", "nope"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Unknown job "nope".');
  });
});

describe("flag parsing", () => {
  const now = Date.UTC(2026, 0, 5, 7);
  const fails = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(CliError);
      return (err as Error).message;
    }
    throw new Error("expected a CliError");
  };

  test("add: relative --at, payload kinds pick the session, delivery flags", () => {
    expect(buildAddParams({ name: "n", at: "20m", "system-event": "hi", wake: "now" }, now)).toEqual({
      name: "n",
      schedule: { kind: "at", at: "2026-01-05T07:20:00.000Z" },
      sessionTarget: "main",
      wakeMode: "now",
      payload: { kind: "systemEvent", text: "hi" },
    });
    expect(buildAddParams({ name: "n", at: "2026-02-01T10:00:00+01:00", message: "go", model: "local/m2", "timeout-seconds": "90", deliver: true, "best-effort-deliver": true, "delete-after-run": true }, now)).toEqual({
      name: "n",
      deleteAfterRun: true,
      schedule: { kind: "at", at: "2026-02-01T10:00:00+01:00" },
      sessionTarget: "isolated",
      wakeMode: "next-heartbeat",
      payload: { kind: "agentTurn", message: "go", model: "local/m2", timeoutSeconds: 90 },
      delivery: { mode: "announce", bestEffort: true },
    });
    expect(fails(() => buildAddParams({ name: "n", every: "30m", cron: "* * * * *", "system-event": "x" }, now))).toBe("Pass one schedule, not --every and --cron.");
    // one-shot jobs are deleted after a successful run by default (the gateway's default); --keep-after-run keeps one
    expect(buildAddParams({ name: "n", at: "2026-02-01T10:00:00Z", "system-event": "x", "keep-after-run": true }, now).deleteAfterRun).toBe(false);
    expect(buildAddParams({ name: "n", at: "2026-02-01T10:00:00Z", "system-event": "x" }, now).deleteAfterRun).toBeUndefined();
    expect(fails(() => buildAddParams({ name: "n", at: "2026-02-01T10:00:00Z", "system-event": "x", "delete-after-run": true, "keep-after-run": true }, now))).toBe("Pass --delete-after-run or --keep-after-run, not both.");
    expect(fails(() => buildAddParams({ name: "n", every: "often", "system-event": "x" }, now))).toStartWith('Invalid --every "often"');
    expect(fails(() => buildAddParams({ name: "n", every: "1h", tz: "UTC", "system-event": "x" }, now))).toBe("--tz goes with --cron.");
    expect(fails(() => buildAddParams({ name: "n", every: "1h", message: "x", to: "1" }, now))).toBe("--channel, --to and --best-effort-deliver go with --deliver.");
    expect(fails(() => buildAddParams({ name: "n", every: "1h", "system-event": "x", message: "y" }, now))).toBe("Pass --system-event or --message, not both.");
  });

  test("edit: only what was given", () => {
    expect(buildPatch({ id: "x" }, now)).toEqual({});
    expect(buildPatch({ id: "x", disable: true, thinking: "high" }, now)).toEqual({ enabled: false, payload: { kind: "agentTurn", thinking: "high" } });
    expect(buildPatch({ id: "x", deliver: false }, now)).toEqual({ delivery: { mode: "none" } });
    expect(buildPatch({ id: "x", to: "42" }, now)).toEqual({ delivery: { to: "42" } });
    expect(buildPatch({ id: "x", deliver: true, channel: "telegram" }, now)).toEqual({ delivery: { mode: "announce", channel: "telegram" } });
    expect(fails(() => buildPatch({ id: "x", enable: true, disable: true }, now))).toBe("Pass --enable or --disable, not both.");
  });
});
