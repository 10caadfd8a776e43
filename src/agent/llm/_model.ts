/**
 * Builds an AI SDK language model for a resolved {@link ModelSpec}. The only place provider SDKs are
 * constructed: `openai-completions` → @ai-sdk/openai-compatible (POST `<baseUrl>/chat/completions`),
 * `openai-responses` → @ai-sdk/openai (`<baseUrl>/responses`), `anthropic-messages` → @ai-sdk/anthropic
 * (POST `<baseUrl>/v1/messages`, `x-api-key`).
 */
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { LanguageModel } from "ai";
import { unreachable } from "../../errors.ts";
import type { ModelSpec } from "../models.ts";

/** A language model for `spec`. Creating one does no I/O. */
export function createLanguageModel(spec: ModelSpec): LanguageModel {
  switch (spec.api) {
    case "openai-completions":
      return createOpenAICompatible({ name: spec.provider, baseURL: spec.baseUrl, apiKey: spec.apiKey, headers: spec.headers, includeUsage: true }).chatModel(spec.model);
    case "openai-responses":
      return createOpenAI({ baseURL: spec.baseUrl, apiKey: spec.apiKey, headers: spec.headers, name: spec.provider }).responses(spec.model);
    case "anthropic-messages": {
      // Upstream configs give the host root (the client appends /v1/messages); the SDK wants …/v1.
      const baseURL = /\/v1$/.test(spec.baseUrl) ? spec.baseUrl : `${spec.baseUrl}/v1`;
      return createAnthropic({ baseURL, apiKey: spec.apiKey, headers: spec.headers, name: spec.provider }).messages(spec.model);
    }
    default:
      return unreachable(spec.api);
  }
}
