/** `openclaw memory status`'s line for an agent's embeddings provider (printed only when one is configured). */
import { expect, test } from "bun:test";
import { describeEmbeddings } from "../../src/cli/commands/memory.ts";

test("ready, failing and unsupported providers read as one line each, without secrets", () => {
  expect(describeEmbeddings("main", { provider: "openai", model: "m", endpoint: "http://127.0.0.1:9/v1", state: "ready", hybrid: true, embedded: 4, total: 4, fallback: false })).toBe(
    "embeddings main: openai m at http://127.0.0.1:9/v1: 4/4 chunks embedded, ready, hybrid search",
  );
  expect(
    describeEmbeddings("main", { provider: "openai", model: "m", endpoint: "http://127.0.0.1:9/v1", state: "error", hybrid: true, embedded: 1, total: 4, fallback: true, lastError: "embeddings endpoint http://127.0.0.1:9/v1 answered HTTP 500" }),
  ).toBe("embeddings main: openai m at http://127.0.0.1:9/v1: 1/4 chunks embedded, error, hybrid search (last search fell back to keywords); last error: embeddings endpoint http://127.0.0.1:9/v1 answered HTTP 500");
  expect(describeEmbeddings("ops", { provider: "gemini", state: "unsupported", hybrid: false, fallback: false, lastError: "not served" })).toBe("embeddings ops: gemini, unsupported; last error: not served");
});
