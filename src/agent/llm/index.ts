/**
 * One model turn through the AI SDK: streams the answer, runs tool calls between model steps, and reports
 * everything as plain events. This folder is the only importer of `ai` and `@ai-sdk/*`; the runtime loads
 * it lazily on the first run so gateway start-up does not pay for the SDKs.
 */
import { jsonSchema, stepCountIs, streamText, type Tool, tool } from "ai";
import type { ContentBlock, TranscriptMessage, Usage } from "../../store/index.ts";
import type { ModelSpec } from "../models.ts";
import type { AgentTool, ToolOutput } from "../tools/index.ts";
import { addUsage, describeModelError, imagesNote, type ModelErrorInfo, toModelMessages, toolImagesMessage, toolOutputParts, toStopReason, toUsage, zeroUsage } from "./_convert.ts";
import { createLanguageModel } from "./_model.ts";

// The SDK prints warnings (unknown model ids, unsupported settings) to the console; the gateway has a logger.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

/** Model steps per turn (each tool round trip is one step). */
export const MAX_STEPS = 10;
const DEFAULT_MAX_OUTPUT_TOKENS = 8192;

/** Something that happened during a turn. */
export type TurnEvent =
  | { type: "text"; delta: string; step: number }
  | { type: "tool-start"; toolCallId: string; name: string; args: unknown }
  /** `result` is the (capped) text stored and sent to the model; `preview` its first characters for events. */
  | { type: "tool-result"; toolCallId: string; name: string; result: string; isError: boolean; preview?: string }
  /** A finished step: the assistant message and its tool results, ready to persist. */
  | { type: "step"; messages: TranscriptMessage[]; usage: Usage };

/** Inputs of {@link runModelTurn}. */
export interface TurnOptions {
  spec: ModelSpec;
  system: string;
  /** The conversation so far, ending with the new user message. */
  history: TranscriptMessage[];
  tools: AgentTool[];
  /** off | minimal | low | medium | high */
  thinking?: string;
  signal: AbortSignal;
  onEvent(ev: TurnEvent): void;
}

/** How a turn ended. Steps already reported through `step` events are not repeated here. */
export interface TurnOutcome {
  status: "ok" | "error" | "aborted";
  /** The unfinished step's assistant message (text so far), when the turn ended mid-step. */
  partial?: TranscriptMessage & { role: "assistant" };
  usage: Usage;
  /** True once any text or tool call came back (no fallback to another model after that). */
  produced: boolean;
  error?: ModelErrorInfo;
}

/** Runs one turn. Never throws: failures come back as `status: "error"` with a description. */
export async function runModelTurn(opts: TurnOptions): Promise<TurnOutcome> {
  const { spec, onEvent } = opts;
  const meta = { api: spec.api, provider: spec.provider, model: spec.model };
  let usage = zeroUsage();
  let produced = false;
  let step = 0;
  let blocks: ContentBlock[] = [];
  let text = "";
  let results: TranscriptMessage[] = [];
  let failure: unknown;
  const flushText = () => {
    if (text) blocks.push({ type: "text", text });
    text = "";
  };

  // Chat-completions tool messages carry text only: images of tool results go in a user message after them.
  const imagesInline = spec.api !== "openai-completions";
  const heldImages: { data: string; mimeType: string }[] = [];
  try {
    const result = streamText({
      model: createLanguageModel(spec),
      system: opts.system,
      messages: toModelMessages(opts.history, { toolImagesInline: imagesInline }),
      tools: toSdkTools(opts.tools, imagesInline, heldImages),
      prepareStep: ({ messages }) => (heldImages.length > 0 ? { messages: [...messages, toolImagesMessage(heldImages.splice(0))] } : undefined),
      stopWhen: stepCountIs(MAX_STEPS),
      maxRetries: 1,
      maxOutputTokens: spec.maxTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
      abortSignal: opts.signal,
      ...(opts.thinking && opts.thinking !== "off" && { reasoning: opts.thinking as "minimal" | "low" | "medium" | "high" }),
      onError: () => {}, // errors arrive as stream parts below
    });
    for await (const part of result.fullStream) {
      switch (part.type) {
        case "text-delta":
          if (!part.text) break;
          produced = true;
          text += part.text;
          onEvent({ type: "text", delta: part.text, step });
          break;
        case "tool-call":
          produced = true;
          flushText();
          blocks.push({ type: "toolCall", id: part.toolCallId, name: part.toolName, arguments: part.input });
          onEvent({ type: "tool-start", toolCallId: part.toolCallId, name: part.toolName, args: part.input });
          break;
        case "tool-result":
        case "tool-error": {
          const isError = part.type === "tool-error";
          const output = isError ? undefined : toToolOutput(part.output);
          const out = isError ? errorText(part.error) : (output?.text ?? "");
          const images = output?.images ?? [];
          results.push({ role: "toolResult", toolCallId: part.toolCallId, toolName: part.toolName, content: [{ type: "text", text: out }, ...images], isError, timestamp: Date.now() });
          onEvent({ type: "tool-result", toolCallId: part.toolCallId, name: part.toolName, result: out, isError, ...(output && { preview: output.preview }) });
          break;
        }
        case "finish-step": {
          flushText();
          const stepUsage = toUsage(part.usage);
          usage = addUsage(usage, stepUsage);
          if (failure === undefined && part.finishReason !== "error") {
            const assistant: TranscriptMessage = { role: "assistant", content: blocks, ...meta, usage: stepUsage, stopReason: toStopReason(part.finishReason), timestamp: Date.now() };
            onEvent({ type: "step", messages: [assistant, ...results], usage: stepUsage });
            blocks = [];
            results = [];
          }
          step += 1;
          break;
        }
        case "error":
          failure ??= part.error;
          break;
        default:
          break;
      }
    }
  } catch (err) {
    failure ??= err;
  }
  flushText();
  const partial = blocks.some((b) => b.type === "text") ? { role: "assistant" as const, content: blocks.filter((b) => b.type === "text"), ...meta, usage: zeroUsage(), stopReason: "aborted" as const, timestamp: Date.now() } : undefined;
  if (opts.signal.aborted) return { status: "aborted", partial, usage, produced };
  if (failure !== undefined) return { status: "error", partial, usage, produced, error: describeModelError(failure, spec.provider) };
  return { status: "ok", usage, produced };
}

/** Inputs of {@link describeImage}. */
export interface DescribeImageOptions {
  spec: ModelSpec;
  image: { data: string; mimeType: string };
  prompt: string;
  signal: AbortSignal;
}

/**
 * One model call, no tools: the prompt and the image in a single user message (the `image` tool).
 * @returns the model's text (possibly empty).
 * @throws Error with the provider's failure described (status, message), or "aborted".
 */
export async function describeImage(opts: DescribeImageOptions): Promise<{ text: string; usage: Usage }> {
  // Streamed like a turn (not generateText): every provider path we speak is exercised the same way.
  let failure: unknown;
  let text = "";
  let usage = zeroUsage();
  try {
    const result = streamText({
      model: createLanguageModel(opts.spec),
      messages: [{ role: "user", content: [{ type: "text", text: opts.prompt }, { type: "file", data: opts.image.data, mediaType: opts.image.mimeType }] }],
      maxRetries: 1,
      maxOutputTokens: opts.spec.maxTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
      abortSignal: opts.signal,
      onError: () => {}, // errors arrive as stream parts below
    });
    for await (const part of result.fullStream) {
      if (part.type === "text-delta") text += part.text;
      else if (part.type === "finish-step") usage = addUsage(usage, toUsage(part.usage));
      else if (part.type === "error") failure ??= part.error;
    }
  } catch (err) {
    failure ??= err;
  }
  if (opts.signal.aborted) throw new Error("aborted");
  if (failure !== undefined) throw new Error(describeModelError(failure, opts.spec.provider).message, { cause: failure });
  return { text, usage };
}

// --- internal ---

function toSdkTools(tools: AgentTool[], imagesInline: boolean, held: { data: string; mimeType: string }[]): Record<string, Tool> | undefined {
  if (tools.length === 0) return undefined;
  const out: Record<string, Tool> = {};
  for (const t of tools) {
    out[t.name] = tool({
      description: t.description,
      inputSchema: jsonSchema<Record<string, unknown>>(t.parameters),
      execute: (input: Record<string, unknown>, o: { abortSignal?: AbortSignal; toolCallId?: string }) => t.run(input, { signal: o.abortSignal ?? new AbortController().signal, toolCallId: o.toolCallId }),
      // Text, plus the images of a result (a screenshot, an image file) as file parts the model can see.
      toModelOutput: ({ output }: { output: unknown }) => {
        const out = toToolOutput(output);
        if (imagesInline || !out.images?.length) return toolOutputParts(out);
        held.push(...out.images);
        return toolOutputParts({ text: out.text + imagesNote(out.images.length) });
      },
    });
  }
  return out;
}

function toToolOutput(output: unknown): ToolOutput {
  if (output && typeof output === "object" && typeof (output as ToolOutput).text === "string") return output as ToolOutput;
  const text = typeof output === "string" ? output : JSON.stringify(output);
  return { text, truncated: false, preview: text.slice(0, 400) };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
