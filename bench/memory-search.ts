/**
 * The memory index benchmark row: 10 000 generated memory files, the first full index and `memory_search`
 * latency p50/p99 over 600 queries (watched workspace as in the gateway, and strict: the stat check of every
 * file before every search), against the goals (index < 10 s, p99 < 50 ms). Pinned to one core like the
 * other bench scripts.
 * Writes bench/results/memory-search.{md,json}.
 *
 *   bun bench/memory-search.ts [--files 10000] [--queries 600] [--rounds 3]
 */
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { pinToLoadgenCpu, writeResult } from "./lib/script.ts";
import { round } from "./lib/stats.ts";
import { type MemorySearchRun, runMemorySearch } from "./scenarios/memory-search.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { files: { type: "string", default: "10000" }, queries: { type: "string", default: "600" }, rounds: { type: "string", default: "3" } },
});
const pinned = await pinToLoadgenCpu(import.meta.path);
const files = Number(values.files);
const queries = Number(values.queries);
const rounds = Number(values.rounds);
const load = loadavg().map((l) => l.toFixed(1)).join(" ");

const runs: MemorySearchRun[] = [];
for (let r = 0; r < rounds; r++) {
  const run = await runMemorySearch({ files, queries, seed: 42 + r });
  runs.push(run);
  console.log(
    `round ${r + 1}: index ${round(run.indexMs)} ms, search p50 ${round(run.searchMs.p50)} / p99 ${round(run.searchMs.p99)} ms, strict p99 ${round(run.strictMs.p99)} ms, query-only p99 ${round(run.queryOnlyMs.p99)} ms, planted ${run.plantedTop1}/${run.plantedChecked}`,
  );
}
const loadAfter = loadavg().map((l) => l.toFixed(1)).join(" ");

const ok = (v: number, goal: number) => (v < goal ? "✅" : "❌");
const rows = runs.map(
  (r, i) =>
    `| ${i + 1} | ${r.files} / ${r.chunks} / ${(r.bytes / 1e6).toFixed(1)} MB | ${round(r.indexMs)} ms ${ok(r.indexMs, 10_000)} | ${round(r.searchMs.p50)} / ${round(r.searchMs.p99)} / ${round(r.searchMs.max)} ms ${ok(r.searchMs.p99, 50)} | ${round(r.strictMs.p50)} / ${round(r.strictMs.p99)} ms ${ok(r.strictMs.p99, 50)} | ${round(r.queryOnlyMs.p50)} / ${round(r.queryOnlyMs.p99)} ms | ${round(r.noopSyncMs)} ms | ${round(r.incrementalMs)} ms | ${r.plantedTop1}/${r.plantedChecked} |`,
);
const md = `# Memory index: ${files} files, ${queries} searches per round

${new Date().toISOString()}; ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${pinned ? "pinned to core 1" : "not pinned"}; load average before ${load}, after ${loadAfter} (the machine is shared).
Generated daily notes under \`memory/YYYY/\` (1–3 sections of 3–10 bullets, Zipf vocabulary of 5 000 words, one planted unique fact per 100 files), indexed from scratch by the gateway's \`MemoryService\` on a state DB file (WAL, synchronous=FULL).
"search" is what \`memory_search\` costs in the gateway: the workspace is watched, so the stat check of every memory file runs in the background every 2 s (\`recheckMs\`) and in the search only after a watcher event or when the background check is overdue (older than 4 s), then the FTS5 query, BM25 ranking and snippets. "strict" (\`recheckMs: 0\`) runs the stat check before every search. "query only" is the FTS5 query and snippets alone.
Goals: first index < 10 s, search p99 < 50 ms. "planted top-1": searches for a planted fact whose file came back first.

| round | files / chunks / text | first index | search p50 / p99 / max | strict p50 / p99 | query only p50 / p99 | no-op sync | 1% changed, resync | planted top-1 |
|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}

Run: \`bun bench/memory-search.ts\` (\`--files\`, \`--queries\`, \`--rounds\`).
`;
console.log(writeResult("memory-search.md", md));
writeResult("memory-search.json", `${JSON.stringify({ at: new Date().toISOString(), files, queries, pinned, loadBefore: load, loadAfter, runs }, null, 2)}\n`);
