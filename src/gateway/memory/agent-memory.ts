/**
 * The agent's `memory` tool port over the gateway's memory service: `memory_search` searches the run's
 * workspace (brought up to date first), `memory_get` reads one memory file of it (symlink-safe).
 */
import type { ToolMemory } from "../../agent/index.ts";
import { type MemoryService, readMemoryFile } from "../../memory/index.ts";

/** The port; stateless, one per gateway. */
export function toToolMemory(memory: MemoryService): ToolMemory {
  return {
    search: ({ workspace, query, maxResults }) => memory.search(workspace, query, maxResults),
    async get({ workspace, path, from, lines }) {
      return readMemoryFile(workspace, path, from, lines);
    },
  };
}
