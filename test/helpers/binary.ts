/**
 * Runs the compiled `dist/openclaw` in a temp HOME, for end-to-end tests. Builds it once if missing.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { waitFor } from "./wait.ts";

export const BINARY = resolve(import.meta.dir, "../../dist/openclaw");

/** Builds dist/openclaw when it is not there (npm test builds it first). */
export async function ensureBinary(): Promise<string> {
  if (!existsSync(BINARY)) {
    const p = Bun.spawnSync(["bun", "run", "build.ts"], { cwd: resolve(import.meta.dir, "../.."), stdout: "inherit", stderr: "inherit" });
    if (p.exitCode !== 0) throw new Error("build failed");
  }
  return BINARY;
}

/** A fresh HOME folder with no openclaw state. */
export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), "openclaw-home-"));
}

/** Env for the binary: only what it needs, HOME pointing at `home`. */
export function binaryEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, TMPDIR: tmpdir(), ...extra };
}

/** Runs the binary to completion. */
export function runBinary(args: string[], opts: { home: string; env?: Record<string, string>; cwd?: string }): { code: number; stdout: string; stderr: string } {
  const p = Bun.spawnSync([BINARY, ...args], { env: binaryEnv(opts.home, opts.env), cwd: opts.cwd ?? opts.home, stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

/** Runs the binary to completion without blocking this process (for tests whose fakes live in it). */
export async function runBinaryAsync(args: string[], opts: { home: string; env?: Record<string, string>; cwd?: string }): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = Bun.spawn([BINARY, ...args], { env: binaryEnv(opts.home, opts.env), cwd: opts.cwd ?? opts.home, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

/** A port that was free a moment ago on 127.0.0.1 and ::1. */
export function freePort(): number {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

/** Starts the gateway in the background and waits for its "listening on" line. */
export async function startBinaryGateway(args: string[], opts: { home: string; env?: Record<string, string>; timeoutMs?: number; cwd?: string }) {
  const proc = Bun.spawn([BINARY, ...args], { env: binaryEnv(opts.home, opts.env), cwd: opts.cwd ?? opts.home, stdout: "pipe", stderr: "pipe" });
  let out = "";
  let exited = false;
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  // One reader loop for the life of the process: no chunk is ever dropped.
  const drained = (async () => {
    for (;;) {
      const c = await reader.read();
      if (c.done) {
        exited = true;
        return;
      }
      out += decoder.decode(c.value);
    }
  })();
  void Promise.all([drained, proc.exited]).then(() => removeDefaultLogFile(out));
  await waitFor(() => /listening on ws:\/\//.test(out) || exited, "the gateway's listening line", opts.timeoutMs ?? 10_000).catch(() => {
    proc.kill();
    throw new Error(`gateway did not start: ${out}`);
  });
  if (!/listening on ws:\/\//.test(out)) throw new Error(`gateway exited: ${out}${await new Response(proc.stderr).text()}`);
  return { proc, output: () => out, drained };
}

// Each gateway writes its own default log file (/tmp/openclaw/openclaw-<profile>-<port>-DATE.log); it is removed
// once that gateway has exited, so test runs leave none behind (logging.file ones are the test's own business).
function removeDefaultLogFile(output: string): void {
  const file = /log file: (\S+\/openclaw-[\w-]+-\d+-\d{4}-\d{2}-\d{2}\.log)$/m.exec(output)?.[1];
  if (file) rmSync(file, { force: true });
}
