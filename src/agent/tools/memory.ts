/**
 * `memory_search` and `memory_get`: recall from the workspace's memory files (`MEMORY.md`, `memory.md`,
 * `memory/**.md`) through the host's memory index. Both only read. Like `read` they expose workspace file
 * contents, so they are not offered over `POST /tools/invoke` (`http: false`, and that endpoint has no
 * workspace or memory port anyway).
 */
import { Type as T } from "@sinclair/typebox";
import { defineTool } from "./define.ts";

/** Most hits one `memory_search` call returns. */
export const MEMORY_SEARCH_MAX_RESULTS = 50;
/** Most lines one `memory_get` call returns. */
export const MEMORY_GET_MAX_LINES = 2000;

/** `memory_search`: BM25 keyword search over the memory files (hybrid with embeddings when configured), best first. */
export const memorySearchTool = defineTool({
  name: "memory_search",
  description:
    "Search your memory files (MEMORY.md and memory/*.md in the workspace) before answering about past conversations, decisions, preferences, people, dates or todos. Returns the best matching snippets with path, line range and score; use memory_get to read more lines.",
  group: "memory",
  http: false,
  needs: ["memory"],
  parameters: T.Object(
    {
      query: T.String({ minLength: 1, description: "Words to look for (a phrase in double quotes; word* for a prefix)." }),
      maxResults: T.Optional(T.Integer({ minimum: 1, maximum: MEMORY_SEARCH_MAX_RESULTS, description: "Most results (default 6)." })),
    },
    { additionalProperties: false },
  ),
  async execute({ query, maxResults }, ctx) {
    const workspace = requireWorkspace(ctx.workspace);
    const { results } = await ctx.ports.memory.search({ workspace, query, ...(maxResults !== undefined && { maxResults }) });
    return JSON.stringify({ query, count: results.length, results }, null, 2);
  },
});

/** `memory_get`: lines of one memory file. */
export const memoryGetTool = defineTool({
  name: "memory_get",
  description: "Read lines of a memory file (MEMORY.md or memory/**.md, path relative to the workspace), e.g. around a memory_search hit: from = first line (1-based), lines = how many.",
  group: "memory",
  http: false,
  needs: ["memory"],
  parameters: T.Object(
    {
      path: T.String({ minLength: 1, description: "MEMORY.md or memory/<name>.md, relative to the workspace." }),
      from: T.Optional(T.Integer({ minimum: 1, description: "First line (1-based, default 1)." })),
      lines: T.Optional(T.Integer({ minimum: 1, maximum: MEMORY_GET_MAX_LINES, description: `Number of lines (default: to the end, at most ${MEMORY_GET_MAX_LINES}).` })),
    },
    { additionalProperties: false },
  ),
  async execute({ path, from, lines }, ctx) {
    const workspace = requireWorkspace(ctx.workspace);
    const got = await ctx.ports.memory.get({ workspace, path, ...(from !== undefined && { from }), lines: lines ?? MEMORY_GET_MAX_LINES });
    return JSON.stringify(got, null, 2);
  },
});

function requireWorkspace(dir: string | undefined): string {
  if (!dir) throw new Error("this run has no workspace, so there are no memory files");
  return dir;
}
