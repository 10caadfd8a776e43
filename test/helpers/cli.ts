/**
 * Runs the CLI as a real child process (`bun src/main.ts`) against a gateway the test started, for CLI
 * tests. The child never blocks this process's event loop, where the gateway and simulated nodes live.
 */
import { expect } from "bun:test";
import { resolve } from "node:path";
import { binaryEnv } from "./binary.ts";

const MAIN = resolve(import.meta.dir, "../../src/main.ts");

/** Where a CLI run goes: the gateway's `--url` and `--token`, and a HOME (also the cwd) of its own. */
export interface CliTarget {
  url: string;
  token: string;
  home: string;
  /** Added to the child's minimal env (PATH, HOME, TMPDIR). */
  env?: Record<string, string>;
}

/** How a CLI run ended. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `openclaw <args> --url … --token …`; `stdin` is piped in when given, else stdin is closed. */
export async function runCli(target: CliTarget, args: string[], stdin?: string): Promise<CliResult> {
  const p = Bun.spawn([process.execPath, MAIN, ...args, "--url", target.url, "--token", target.token], {
    env: binaryEnv(target.home, target.env),
    cwd: target.home,
    stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

/**
 * `cli` runs the CLI against `target()` (read per run: tests set it up in beforeAll); `ok` also expects
 * exit 0 with nothing on stderr and returns stdout.
 * @example const { cli, ok } = cliRunner(() => ({ url: gw.url, token: gw.token, home }));
 */
export function cliRunner(target: () => CliTarget): { cli(args: string[], stdin?: string): Promise<CliResult>; ok(args: string[]): Promise<string> } {
  const cli = (args: string[], stdin?: string) => runCli(target(), args, stdin);
  return {
    cli,
    async ok(args) {
      const r = await cli(args);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: "" });
      return r.stdout;
    },
  };
}
