/** The production {@link CommandRunner} and the small helpers every backend uses to read results. */
import type { CommandResult, CommandRunner } from "./service.ts";

type Env = Record<string, string | undefined>;

/**
 * A runner that looks `cmd` up on `env.PATH` and runs it without a shell, stdin closed.
 * @returns code 127 with `missing: true` when the command is not on PATH; never throws for a failing command.
 */
export function createCommandRunner(env: Env = process.env): CommandRunner {
  return async (cmd, args) => {
    const path = Bun.which(cmd, { PATH: env.PATH ?? "" });
    if (!path) return { code: 127, stdout: "", stderr: `${cmd}: command not found`, missing: true };
    const proc = Bun.spawn([path, ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe", env: env as Record<string, string> });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    return { code, stdout, stderr };
  };
}

/** The tool's own words for a failure: stderr, else stdout, trimmed to one paragraph. */
export function detailOf(res: CommandResult): string {
  return (res.stderr.trim() || res.stdout.trim() || `exit code ${res.code}`).replace(/\s*\n\s*/g, " ");
}

/** Records commands in order while delegating to `run`; the install outcome lists them. */
export function recordingRunner(run: CommandRunner, into: string[][]): CommandRunner {
  return (cmd, args) => {
    into.push([cmd, ...args]);
    return run(cmd, args);
  };
}
