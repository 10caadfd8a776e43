/**
 * Agent memory: the `memory.*` methods over the gateway's memory service (the FTS5 index of each agent
 * workspace's memory files), the agent's `memory` tool port, and watching the configured workspaces.
 */
import { defineFeature, defineMethod } from "../feature.ts";
import { MEMORY_NEEDS } from "./_host.ts";
import { memoryAgents, memoryReindex, memorySearch, memoryStatus } from "./memory-methods.ts";

export { toToolMemory } from "./agent-memory.ts";
export { memoryEmbeddingsFor } from "./embeddings-config.ts";

/** The memory feature: its methods; it starts watching (and indexing) every agent's workspace. */
export const memoryFeature = defineFeature({
  name: "memory",
  needs: MEMORY_NEEDS,
  methods: [defineMethod("memory.search", memorySearch), defineMethod("memory.status", memoryStatus), defineMethod("memory.reindex", memoryReindex)],
  // Agents added by a reload are watched from their first search or status (workspaces are resolved on use).
  start: (host) => host.memory.watch(memoryAgents(host.config).map((a) => a.workspace)),
  stop: (host) => host.memory.close(),
});
