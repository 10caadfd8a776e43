import { describe, expect, test } from "bun:test";
import { defineCommand } from "citty";
import { runCli, splitGlobals } from "../../src/cli/run.ts";

function harness() {
  const calls: string[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const leaf = defineCommand({ meta: { name: "status" }, args: { json: { type: "boolean" }, limit: { type: "string" } }, run: ({ args }) => void calls.push(`status json=${args.json} limit=${args.limit}`) });
  const gateway = defineCommand({
    meta: { name: "gateway" },
    args: { port: { type: "string" } },
    subCommands: { status: leaf },
    run: ({ args }) => void calls.push(`gateway port=${args.port}`),
  });
  const root = defineCommand({ meta: { name: "openclaw" }, subCommands: { gateway } });
  const run = (argv: string[]) => runCli(root, argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, "9.9.9");
  return { run, calls, out, err };
}

describe("runCli", () => {
  test("a parent with its own run does not also run for a subcommand, and vice versa", async () => {
    const h = harness();
    expect(await h.run(["gateway", "--port", "5"])).toBe(0);
    expect(await h.run(["gateway", "status", "--json"])).toBe(0);
    expect(h.calls).toEqual(["gateway port=5", "status json=true limit=undefined"]);
  });

  test("unknown flags are errors with a hint", async () => {
    const h = harness();
    expect(await h.run(["gateway", "status", "--jsn"])).toBe(1);
    expect(h.err[0]).toBe('Error: Unknown option "--jsn" for "openclaw gateway status".');
    expect(h.err[1]).toContain("--help");
    expect(h.calls).toEqual([]);
  });

  test("unknown commands and stray arguments are errors", async () => {
    const h = harness();
    expect(await h.run(["gateway", "stats"])).toBe(1);
    expect(h.err[0]).toContain('Unknown command "openclaw gateway stats"');
    expect(await h.run(["nope"])).toBe(1);
    expect(await h.run(["gateway", "status", "extra"])).toBe(1);
    expect(h.calls).toEqual([]);
  });

  test("string flags need a value; --flag=value works; --no-x negates", async () => {
    const h = harness();
    expect(await h.run(["gateway", "status", "--limit"])).toBe(1);
    expect(await h.run(["gateway", "status", "--limit=3", "--no-json"])).toBe(0);
    expect(h.calls).toEqual(["status json=false limit=3"]);
  });

  test("--version, --help, and global flags before the command", async () => {
    const h = harness();
    expect(await h.run(["--version"])).toBe(0);
    expect(h.out[0]).toBe("9.9.9");
    expect(await h.run(["gateway", "status", "--help"])).toBe(0);
    expect(h.out[1]).toContain("USAGE");
    expect(await h.run(["--dev", "--profile", "x", "gateway"])).toBe(1);
    expect(h.err.at(-1)).toBe("Error: Cannot combine --dev with --profile");
    expect(await h.run(["--bogus", "gateway"])).toBe(1);
  });

  test("splitGlobals", () => {
    expect(splitGlobals(["--profile", "work", "gateway", "--dev"])).toEqual({
      globals: { dev: false, profile: "work", noColor: false, version: false, help: false },
      rest: ["gateway", "--dev"],
    });
    expect(splitGlobals(["--profile=a", "status"]).globals.profile).toBe("a");
    expect(() => splitGlobals(["--profile"])).toThrow("--profile needs a name");
  });
});
