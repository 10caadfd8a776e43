/**
 * A parent's own flags before the command word are moved behind it (`openclaw browser --browser-profile
 * work tabs`), so the subcommand that also declares them parses them.
 */
import { expect, test } from "bun:test";
import { defineCommand } from "citty";
import { runCli } from "../../src/cli/run.ts";

function harness() {
  const calls: string[] = [];
  const flags = { browserProfile: { type: "string" as const }, json: { type: "boolean" as const } };
  const tabs = defineCommand({ meta: { name: "tabs" }, args: flags, run: ({ args }) => void calls.push(`tabs profile=${args.browserProfile} json=${args.json}`) });
  const browser = defineCommand({ meta: { name: "browser" }, args: flags, subCommands: { tabs } });
  const root = defineCommand({ meta: { name: "openclaw" }, subCommands: { browser } });
  const err: string[] = [];
  const run = (argv: string[]) => runCli(root, argv, { out: () => {}, err: (t) => err.push(t) }, "0");
  return { run, calls, err };
}

test("flags before or after the command word reach the command", async () => {
  const h = harness();
  expect(await h.run(["browser", "--browser-profile", "work", "tabs"])).toBe(0);
  expect(await h.run(["browser", "--browser-profile=work", "--json", "tabs"])).toBe(0);
  expect(await h.run(["browser", "tabs", "--browser-profile", "work"])).toBe(0);
  expect(h.calls).toEqual(["tabs profile=work json=undefined", "tabs profile=work json=true", "tabs profile=work json=undefined"]);
});

test("flags the parent does not declare are still errors", async () => {
  const h = harness();
  // Nothing is hoisted: the parent (which has no run) prints its usage and exits 1.
  expect(await h.run(["browser", "--nope", "tabs"])).toBe(1);
  expect(h.calls).toEqual([]);
});
