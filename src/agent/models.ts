/**
 * Model refs and providers (spec agent.md §3, config.md §6): which `provider/model` a run uses, its
 * fallbacks, and how to reach the provider (api, base URL, key). Pure config logic; the SDK calls live in
 * `llm/`.
 */
import type { OpenClawConfig } from "../config/schema.ts";
import { GatewayError } from "../errors.ts";

type Env = Record<string, string | undefined>;

/** The default primary model (upstream default). */
export const DEFAULT_MODEL_REF = "anthropic/claude-opus-4-5";

/** Wire APIs we can speak. */
export const SUPPORTED_APIS = ["openai-completions", "openai-responses", "anthropic-messages"] as const;
/** One of {@link SUPPORTED_APIS}. */
export type ProviderApi = (typeof SUPPORTED_APIS)[number];

/** Everything needed to call one model. */
export interface ModelSpec {
  /** `provider/model` */
  ref: string;
  provider: string;
  model: string;
  api: ProviderApi;
  baseUrl: string;
  apiKey: string;
  headers?: Record<string, string>;
  contextWindow?: number;
  maxTokens?: number;
  reasoning?: boolean;
}

interface BuiltinProvider {
  api: ProviderApi;
  baseUrl: string;
  envKeys: string[];
}

/** Providers usable without a `models.providers` entry (key from env). */
const BUILTIN_PROVIDERS: Record<string, BuiltinProvider> = {
  anthropic: { api: "anthropic-messages", baseUrl: "https://api.anthropic.com", envKeys: ["ANTHROPIC_API_KEY"] },
  openai: { api: "openai-responses", baseUrl: "https://api.openai.com/v1", envKeys: ["OPENAI_API_KEY"] },
  openrouter: { api: "openai-completions", baseUrl: "https://openrouter.ai/api/v1", envKeys: ["OPENROUTER_API_KEY"] },
};

/** Splits `provider/model` (the model part may itself contain `/`). @returns undefined when malformed. */
export function parseModelRef(ref: string): { provider: string; model: string } | undefined {
  const i = ref.indexOf("/");
  if (i <= 0 || i === ref.length - 1) return undefined;
  return { provider: ref.slice(0, i).trim(), model: ref.slice(i + 1).trim() };
}

/**
 * The refs a run tries, in order: the session override (if any), else the agent's model, else
 * `agents.defaults.model`; then that source's fallbacks (the defaults' when the agent names none). Deduped.
 */
export function modelChain(config: OpenClawConfig, agentId: string, override?: string): string[] {
  const agentModel = config.agents?.list?.find((a) => a.id === agentId)?.model;
  const defaults = config.agents?.defaults?.model;
  const primary = override ?? primaryOf(agentModel) ?? defaultModelRef(config);
  const fallbacks = fallbacksOf(agentModel) ?? fallbacksOf(defaults) ?? [];
  return [...new Set([primary, ...fallbacks])];
}

/** The primary model ref `provider/model` of `agents.defaults.model`, else {@link DEFAULT_MODEL_REF}. */
export function defaultModelRef(config: OpenClawConfig): string {
  return primaryOf(config.agents?.defaults?.model) ?? DEFAULT_MODEL_REF;
}

type ModelSetting = NonNullable<NonNullable<OpenClawConfig["agents"]>["defaults"]>["model"];

function primaryOf(m: ModelSetting): string | undefined {
  return typeof m === "string" ? m : m?.primary;
}

function fallbacksOf(m: ModelSetting): string[] | undefined {
  return typeof m === "object" ? m.fallbacks : undefined;
}

/**
 * Resolves a ref to a callable spec. Key precedence: `models.providers.<p>.apiKey` > env (`OPENAI_API_KEY`,
 * `ANTHROPIC_API_KEY`, `<PROVIDER>_API_KEY`).
 * @throws GatewayError UNAVAILABLE with `No API key found for provider "<p>"…`, for an unknown provider or
 *   an api we do not speak. Never anything else.
 */
export function resolveModel(config: OpenClawConfig, ref: string, env: Env = process.env): ModelSpec {
  const parsed = parseModelRef(ref);
  if (!parsed) throw new GatewayError("UNAVAILABLE", `Invalid model ref "${ref}" (expected provider/model)`);
  const { provider, model } = parsed;
  const configured = config.models?.providers?.[provider];
  // models.mode "replace": only configured providers exist; "merge" (default) layers them on the built-ins.
  const builtin = config.models?.mode === "replace" ? undefined : BUILTIN_PROVIDERS[provider];
  if (!configured && !builtin) {
    throw new GatewayError("UNAVAILABLE", `Unknown model provider "${provider}" for model "${ref}" (add it under models.providers.${provider})`);
  }
  const api = (configured?.api ?? builtin?.api ?? "openai-completions") as ProviderApi;
  if (!SUPPORTED_APIS.includes(api)) {
    throw new GatewayError("UNAVAILABLE", `Provider "${provider}" uses api "${api}", which this gateway does not support (use ${SUPPORTED_APIS.join(", ")})`);
  }
  const baseUrl = configured?.baseUrl ?? builtin?.baseUrl;
  if (!baseUrl) throw new GatewayError("UNAVAILABLE", `Provider "${provider}" has no baseUrl (set models.providers.${provider}.baseUrl)`);
  const envNames = [...(builtin?.envKeys ?? []), `${provider.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_API_KEY`];
  const apiKey = nonEmpty(configured?.apiKey) ?? envNames.map((n) => nonEmpty(env[n])).find(Boolean);
  if (!apiKey) {
    throw new GatewayError("UNAVAILABLE", `No API key found for provider "${provider}". Set ${[...new Set(envNames)][0]} or models.providers.${provider}.apiKey.`);
  }
  const modelConfig = configured?.models?.find((m) => m.id === model);
  return {
    ref,
    provider,
    model,
    api,
    baseUrl: baseUrl.replace(/\/+$/, ""),
    apiKey,
    ...(configured?.headers && { headers: configured.headers }),
    ...(modelConfig?.contextWindow !== undefined && { contextWindow: modelConfig.contextWindow }),
    ...(modelConfig?.maxTokens !== undefined && { maxTokens: modelConfig.maxTokens }),
    ...(modelConfig?.reasoning !== undefined && { reasoning: modelConfig.reasoning }),
  };
}

/** True when `provider` is configured under `models.providers` or built in (anthropic, openai, openrouter). */
export function isKnownProvider(config: OpenClawConfig, provider: string): boolean {
  if (config.models?.providers?.[provider]) return true;
  return config.models?.mode !== "replace" && provider in BUILTIN_PROVIDERS;
}

/** The context window configured for a ref, if any. */
export function contextWindowOf(config: OpenClawConfig, ref: string): number | undefined {
  const parsed = parseModelRef(ref);
  if (!parsed) return undefined;
  return config.models?.providers?.[parsed.provider]?.models?.find((m) => m.id === parsed.model)?.contextWindow;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s !== undefined && s.trim() !== "" ? s : undefined;
}
