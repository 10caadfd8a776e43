/**
 * What every entry script of bench/ (run.ts, profile.ts, the experiments) does around its measurement:
 * re-run itself pinned to the load-generator core, leaving the server core to the servers, and write its
 * report into bench/results/.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { findTaskset } from "./proc.ts";

/** Core the servers are pinned to. */
export const SERVER_CPU = 0;
/** Core the load generator (the entry script and everything it does) is pinned to. */
export const LOADGEN_CPU = 1;
/** Where entry scripts write their reports. */
export const RESULTS_DIR = join(import.meta.dir, "..", "results");

/** Set in the pinned child so it does not re-run itself again. */
const PINNED_ENV = "OPENCLAW_BENCH_PINNED";

/**
 * Re-runs `scriptPath` (pass `import.meta.path`) with the same arguments under `taskset -c LOADGEN_CPU` and
 * exits with the child's code; in the pinned child, or where taskset or a second core is missing, returns.
 * @returns true when this process runs pinned (then pin servers to {@link SERVER_CPU}).
 */
export async function pinToLoadgenCpu(scriptPath: string): Promise<boolean> {
  const taskset = findTaskset();
  if (taskset && process.env[PINNED_ENV] !== "1" && cpus().length >= 2) {
    const child = Bun.spawn([taskset, "-c", String(LOADGEN_CPU), process.execPath, scriptPath, ...Bun.argv.slice(2)], {
      env: { ...process.env, [PINNED_ENV]: "1" },
      stdio: ["inherit", "inherit", "inherit"],
    });
    process.exit(await child.exited);
  }
  return process.env[PINNED_ENV] === "1";
}

/** Writes `text` to bench/results/`name` (creating the folder); @returns the path written. */
export function writeResult(name: string, text: string): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, name);
  writeFileSync(path, text);
  return path;
}
