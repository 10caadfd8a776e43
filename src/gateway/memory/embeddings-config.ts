/**
 * Which embeddings settings a workspace gets: those of the agent whose workspace it is
 * (`agents.list[].memorySearch` over `agents.defaults.memorySearch`), read from the running config at every
 * use so a reload applies at the next search. With no provider configured anywhere this answers "off" before
 * touching the disk, so the keyword-only path costs nothing more.
 */
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { agentIds, resolveWorkspace } from "../../agent/index.ts";
import type { OpenClawConfig } from "../../config/schema.ts";
import { type EmbeddingChoice, resolveEmbeddingChoice } from "../../memory/index.ts";

/**
 * The `embeddings` option of the memory service.
 * @param env where `OPENAI_API_KEY` is read (used only for the default OpenAI endpoint).
 */
export function memoryEmbeddingsFor(config: () => OpenClawConfig, env: Record<string, string | undefined> = process.env): (root: string) => EmbeddingChoice {
  return (root) => {
    const cfg = config();
    const defaults = cfg.agents?.defaults?.memorySearch;
    const list = cfg.agents?.list ?? [];
    if (defaults?.provider === undefined && !list.some((a) => a.memorySearch?.provider !== undefined)) return { kind: "off" };
    const { defaultId, ids } = agentIds(cfg);
    // Two agents sharing a workspace: the first listed wins (the index is one per workspace).
    const agentId = ids.find((id) => realOf(resolveWorkspace(cfg, id, id === defaultId)) === root);
    const agent = list.find((a) => a.id === agentId);
    const fallbackKey = cfg.models?.providers?.openai?.apiKey ?? env.OPENAI_API_KEY;
    return resolveEmbeddingChoice(defaults, agent?.memorySearch, fallbackKey || undefined);
  };
}

function realOf(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return resolve(dir);
  }
}
