/**
 * Scenario 1: spawn → first successful hello-ok, each run on a fresh HOME and port; the server is stopped
 * after each run. Also keeps VmRSS at that moment and how long SIGTERM → exit took.
 */
import { waitMachineQuiet } from "../lib/quiet.ts";
import { startServer, type ServerKind, type ServerSources } from "../lib/servers.ts";
import { median, round } from "../lib/stats.ts";

/** One round: `runs` starts of each kind, interleaved (kinds with fewer runs start on the first rounds). */
export interface StartRound {
  samplesMs: Partial<Record<ServerKind, number[]>>;
  rssAtHelloKb: Partial<Record<ServerKind, number[]>>;
  /** SIGTERM → exit of each run, ms. */
  stopMs: Partial<Record<ServerKind, number[]>>;
  medianMs: Partial<Record<ServerKind, number>>;
  errors: string[];
}

/**
 * Runs one round.
 * @param runs how many starts per kind (0 skips a kind)
 */
export async function runStartRound(src: ServerSources, runs: Partial<Record<ServerKind, number>>, log: (line: string) => void, quiet = { windowMs: 500, timeoutMs: 20_000 }): Promise<StartRound> {
  const round_: StartRound = { samplesMs: {}, rssAtHelloKb: {}, stopMs: {}, medianMs: {}, errors: [] };
  const kinds = (Object.keys(runs) as ServerKind[]).filter((k) => (runs[k] ?? 0) > 0);
  const most = Math.max(0, ...kinds.map((k) => runs[k] ?? 0));
  for (let i = 0; i < most; i++) {
    // Rotate the order so no kind always goes first after a stop.
    const order = kinds.map((_, j) => kinds[(i + j) % kinds.length]);
    for (const kind of order) {
      if (i >= (runs[kind] ?? 0)) continue;
      try {
        await waitMachineQuiet(15, quiet.timeoutMs, quiet.windowMs);
        const s = await startServer(kind, src);
        (round_.samplesMs[kind] ??= []).push(s.startMs);
        (round_.rssAtHelloKb[kind] ??= []).push(s.rssAtHelloKb);
        const stopMs = await s.stop();
        (round_.stopMs[kind] ??= []).push(stopMs);
        log(`  start ${kind} #${i + 1}: ${round(s.startMs)} ms (stop ${round(stopMs)} ms)`);
      } catch (err) {
        round_.errors.push(`${kind} #${i + 1}: ${(err as Error).message}`);
        log(`  start ${kind} #${i + 1}: FAILED ${(err as Error).message}`);
      }
      await Bun.sleep(100);
    }
  }
  for (const k of kinds) if (round_.samplesMs[k]?.length) round_.medianMs[k] = median(round_.samplesMs[k] as number[]);
  return round_;
}
