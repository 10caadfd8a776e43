/**
 * `openclaw memory search|status|reindex`: the agents' memory index (MEMORY.md and memory/**.md of each
 * workspace, FTS5/BM25 in the gateway's state DB, with the optional embeddings provider's state in `status`). Through the running gateway, like every other command:
 * the gateway owns the state DB and keeps the index current; `reindex` needs an admin connection.
 */
import { defineCommand } from "citty";
import type { MemoryReindexResult, MemorySearchResult, MemoryStatusResult } from "../../protocol/generated/types.ts";
import { CliError } from "../../errors.ts";
import { callGateway, formatAge, printTable } from "./_call.ts";
import { printJson, RPC_ARGS } from "./_rpc.ts";

const AGENT_ARG = { agent: { type: "string", description: "Agent id (search: default agent; status/reindex: every agent)" } } as const;

const search = defineCommand({
  meta: { name: "search", description: "Search the memory files of an agent (best matches first)" },
  args: {
    query: { type: "positional", description: "Words to look for (\"a phrase\", prefix*)", required: true },
    max: { type: "string", description: "Most results (1-50, default 6)" },
    ...AGENT_ARG,
    ...RPC_ARGS,
  },
  async run({ args }) {
    const res = await callGateway<MemorySearchResult>(args, "memory.search", {
      query: args.query,
      ...(args.agent && { agentId: args.agent }),
      ...(args.max !== undefined && { maxResults: parseMax(args.max) }),
    });
    if (args.json) return printJson(res);
    if (res.results.length === 0) return void process.stdout.write(`No memory matches "${args.query}" (agent ${res.agentId}).\n`);
    const out = res.results.map((r) => `${r.path}:${r.startLine}${r.endLine !== r.startLine ? `-${r.endLine}` : ""}  (score ${r.score.toFixed(2)})\n${indent(r.snippet)}`);
    process.stdout.write(`${out.join("\n\n")}\n`);
  },
});

const status = defineCommand({
  meta: { name: "status", description: "Indexed files and chunks per agent, and whether the workspace is watched" },
  args: { ...AGENT_ARG, ...RPC_ARGS },
  async run({ args }) {
    const res = await callGateway<MemoryStatusResult>(args, "memory.status", args.agent ? { agentId: args.agent } : {});
    if (args.json) return printJson(res);
    printTable(
      ["AGENT", "FILES", "CHUNKS", "INDEXED", "WATCHING", "WORKSPACE"],
      res.agents.map((a) => [a.agentId, String(a.files), String(a.chunks), formatAge(a.lastIndexedAt), a.exists ? (a.watching ? "yes" : "no") : "missing", a.workspace]),
      "No agents.",
    );
    for (const a of res.agents) for (const s of a.skipped) process.stdout.write(`skipped ${a.agentId}: ${s.path} (${s.reason})\n`);
    for (const a of res.agents) if (a.embeddings && a.embeddings.state !== "off") process.stdout.write(`${describeEmbeddings(a.agentId, a.embeddings)}\n`);
  },
});

const reindex = defineCommand({
  meta: { name: "reindex", description: "Bring the memory index up to date now (--full: read every file again)" },
  args: { ...AGENT_ARG, full: { type: "boolean", description: "Forget the index and read every file again" }, ...RPC_ARGS },
  async run({ args }) {
    const res = await callGateway<MemoryReindexResult>(args, "memory.reindex", { ...(args.agent && { agentId: args.agent }), ...(args.full && { full: true }) });
    if (args.json) return printJson(res);
    for (const a of res.agents) {
      process.stdout.write(`${a.agentId}: ${a.files} files, ${a.chunks} chunks (added ${a.added}, updated ${a.updated}, removed ${a.removed}) in ${a.ms} ms\n`);
      for (const s of a.skipped) process.stdout.write(`  skipped ${s.path} (${s.reason})\n`);
    }
  },
});

/** `openclaw memory …` */
export const memoryCommand = defineCommand({
  meta: { name: "memory", description: "Search and inspect the agents' memory (MEMORY.md, memory/*.md)" },
  subCommands: { search, status, reindex },
});

/**
 * Parses `--max` (1-50).
 * @throws CliError naming the flag and what it expects.
 */
export function parseMax(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 50) throw new CliError(`Invalid --max "${text}" (expected an integer from 1 to 50)`);
  return n;
}

/** One status line of an agent's embeddings provider (only printed when one is configured). */
export function describeEmbeddings(agentId: string, e: NonNullable<MemoryStatusResult["agents"][number]["embeddings"]>): string {
  const what = [e.provider, e.model, e.endpoint && `at ${e.endpoint}`].filter(Boolean).join(" ");
  const counts = e.total !== undefined ? `: ${e.embedded ?? 0}/${e.total} chunks embedded` : "";
  const mode = e.state === "unsupported" ? "" : e.hybrid ? ", hybrid search" : ", keyword search";
  const fallback = e.fallback ? " (last search fell back to keywords)" : "";
  return `embeddings ${agentId}: ${what}${counts}, ${e.state}${mode}${fallback}${e.lastError ? `; last error: ${e.lastError}` : ""}`;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}
