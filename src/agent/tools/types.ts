/**
 * The tool platform's shapes: a tool definition (`defineTool`), the ports a tool may need from the host,
 * the run context every call gets, and the bound tool the runtime offers to models. Tools are plain objects;
 * `llm/` adapts bound tools to the SDK. A tool returns text (or text + images), or throws: the message
 * becomes an error result the model sees.
 */
import type { Static, TSchema } from "@sinclair/typebox";
import type { OpenClawConfig } from "../../config/schema.ts";
import type { ExecApprovalsPort } from "../exec/approvals-port.ts";
import type { ProcessRegistry } from "../exec/process-actions.ts";
import type { ExecApprovalAnswer, ExecApprovalQuestion } from "../exec/run-command.ts";
import type { SandboxStatus } from "../../util/sandbox.ts";
import type { ImageContent, Store } from "../../store/index.ts";
import type { BrowserClient } from "../../browser/client.ts";

/** A JSON Schema object describing a tool's arguments (what the model is shown). */
export type ToolParameters = { type: "object"; properties: Record<string, unknown>; required?: string[]; additionalProperties?: boolean };

/** Tool groups usable in `tools.allow` / `tools.deny` as `group:<name>`. */
export const TOOL_GROUP_NAMES = ["runtime", "fs", "sessions", "memory", "web", "ui", "automation", "messaging", "nodes"] as const;
/** A tool's group. */
export type ToolGroup = (typeof TOOL_GROUP_NAMES)[number];

/** A connected node as tools see it. */
export interface ToolNode {
  nodeId: string;
  displayName?: string;
  /** The commands it declared that the gateway allows. */
  commands: string[];
  platform?: string;
  version?: string;
  deviceFamily?: string;
  modelIdentifier?: string;
  caps?: string[];
  permissions?: Record<string, boolean>;
  connectedAtMs?: number;
}

/**
 * What tools may do with the gateway's nodes (the gateway passes an adapter; the agent never imports it).
 * Both methods are safe to call concurrently.
 */
export interface ToolNodes {
  /** Nodes connected now; empty when none. */
  list(): ToolNode[];
  /**
   * Invokes a command on a connected node.
   * @returns the node's payload (undefined when it sent none).
   * @throws Error (the gateway's) when the node is gone, refuses, times out or the params are invalid.
   */
  invoke(input: { nodeId: string; command: string; params?: unknown; timeoutMs: number; idempotencyKey: string }): Promise<{ payload?: unknown }>;
}

/** The agent's workspace as the file tools see it. */
export interface ToolWorkspace {
  /** Absolute folder; the file tools resolve paths against it. */
  dir: string;
  /** Further folders paths may lead into (`tools.fs.allowOutside`). */
  allowOutside: string[];
  /** Folders only `read` may look into besides those (the eligible skills' folders); nothing writes there. */
  readOnly?: string[];
}

/**
 * What `exec` and `process` need from the host: the per-agent process managers (built by the host with its
 * `onFinished`, which queues the "Exec finished …" system event for the session) and, optionally, a sandbox
 * probe override. One instance lives as long as the gateway (background processes outlive runs).
 */
export interface ToolExec {
  /** One ProcessManager per agent; the host constructs it with `onFinished` and kills all at stop. */
  processes: ProcessRegistry;
  /** Sandbox probe (default: the cached bubblewrap probe); tests use it to simulate a machine without bwrap. */
  sandboxStatus?: () => SandboxStatus;
  /** Shell override (default `$SHELL` when POSIX-like, else /bin/sh). */
  shell?: string;
}

/**
 * Exec approvals as tools see them: the approvals file (policy + "allow always" entries) and a way to ask
 * a person. Without `request` every question counts as unanswered and `askFallback` decides.
 */
export interface ToolApprovals {
  file: ExecApprovalsPort;
  /**
   * Asks an operator (control UI, CLI, the chat's owner) and resolves with the answer; null when nobody
   * answered. Must not throw; a rejection counts as unanswered. The caller enforces the timeout.
   */
  request?: (q: ExecApprovalQuestion) => Promise<ExecApprovalAnswer>;
  /** How long to wait for an answer (default 120 s). */
  timeoutMs?: number;
}

/** One `memory_search` hit: workspace-relative path, 1-based inclusive line range of the snippet, score (higher is better). */
export interface ToolMemoryHit {
  path: string;
  startLine: number;
  endLine: number;
  snippet: string;
  score: number;
}

/**
 * The workspace memory index as `memory_search` / `memory_get` see it (the gateway passes an adapter of its
 * memory service; the agent never imports it). Both methods only read and are safe to call concurrently.
 */
export interface ToolMemory {
  /**
   * Searches the memory files of `workspace`, brought up to date first.
   * @throws Error with a readable message for a query without words, an empty or too long one.
   */
  search(input: { workspace: string; query: string; maxResults?: number }): Promise<{ results: ToolMemoryHit[] }>;
  /**
   * Reads `lines` lines of one memory file from line `from` (1-based).
   * @throws Error when `path` is not `MEMORY.md`, `memory.md` or `memory/**.md` inside the workspace (after
   *   resolving symlinks), is missing, or `from` is past its end.
   */
  get(input: { workspace: string; path: string; from?: number; lines?: number }): Promise<{ path: string; from: number; to: number; totalLines: number; text: string }>;
}

/**
 * The gateway's channels as `message` sees them: the same delivery path as the `send` method (chunking,
 * formatting, idempotency). Safe to call concurrently.
 */
export interface ToolChannels {
  /** Channel ids configured (loaded) here, e.g. `["telegram"]`; empty when none. */
  configured(): string[];
  /**
   * The canonical form of a recipient (`telegram:123` → `123`), so two spellings of one chat compare
   * equal. @returns the trimmed input when the channel cannot parse it (the send will say why).
   */
  canonicalTarget(channel: string, to: string): string;
  /**
   * Sends text and optional media (`mediaUrls`: public http(s) URLs, or absolute local paths when
   * `localMedia` is true) to `to` on `channel`.
   * @throws GatewayError INVALID_REQUEST (unknown channel or target), NOT_LINKED (channel not configured or
   *   account not linked), UNAVAILABLE (the service refused or could not be reached).
   */
  send(input: { channel: string; to: string; accountId?: string; text: string; mediaUrls?: string[]; localMedia?: boolean; idempotencyKey: string }): Promise<{ channel: string; to: string; messageId?: string }>;
}

/**
 * The cron scheduler as the `cron` tool sees it (the `cron.*` methods' service). Jobs are plain JSON here;
 * the host validates them against the `cron.add` / `cron.update` schemas. Safe to call concurrently.
 */
export interface ToolCron {
  status(): Record<string, unknown>;
  /** Jobs, soonest first (disabled ones with `includeDisabled`). */
  list(includeDisabled: boolean): ToolCronJob[];
  /** The job with `id`, or undefined. */
  get(id: string): ToolCronJob | undefined;
  /**
   * Adds a job (`cron.add` params) marked with its creator.
   * @throws GatewayError INVALID_REQUEST naming the field or rule the job breaks.
   */
  add(job: Record<string, unknown>, meta: { createdBy: string; sessionKey: string }): ToolCronJob;
  /** Applies a `cron.update` patch. @returns undefined for an unknown id. @throws GatewayError INVALID_REQUEST. */
  update(id: string, patch: Record<string, unknown>): ToolCronJob | undefined;
  /** @returns whether the job existed. */
  remove(id: string): boolean;
  /** Runs a job now. @returns undefined for an unknown id. */
  run(id: string): Record<string, unknown> | undefined;
  /** The newest `limit` run log entries, oldest first. */
  runs(id: string, limit: number): Record<string, unknown>[];
}

/** A cron job as the tool sees it (the `cron.list` shape). */
export type ToolCronJob = { id: string; agentId?: string; name: string; createdBy?: string } & Record<string, unknown>;

/** How a run started by a tool ended. */
export interface ToolRunEnd {
  status: "ok" | "error" | "timeout" | "aborted";
  /** The reply text (empty when the run produced none). */
  reply: string;
  error?: string;
  startedAt?: number;
  endedAt?: number;
  /** Token usage of the run, when the model reported it. */
  usage?: { input?: number; output?: number; total?: number };
  /** Why an aborted run was stopped: `rpc` (chat.abort), `shutdown`, `parent` (the run that spawned it was stopped). */
  stopReason?: string;
}

/** A sub-agent run in progress. */
export interface ToolSpawnedRun {
  runId: string;
  sessionKey: string;
  /** The session that spawned it. */
  parentSessionKey: string;
}

/**
 * Agent runs on other sessions, for `sessions_send` and `sessions_spawn`: start a turn and learn how it
 * ended. The host keeps one instance per gateway. Safe to call concurrently.
 */
export interface ToolAgentRuns {
  /**
   * Starts one turn on `sessionKey` (created when new). `parentSessionKey` marks a sub-agent run (counted
   * in {@link spawned} until it ends): it is stopped when the parent run (`parentRunId`) is stopped, or
   * when every run of the parent session is (chat.abort without a run id), and at gateway shutdown.
   * @returns its run id and a promise of its end (never rejects).
   * @throws Error when the runtime is shutting down.
   */
  start(req: { sessionKey: string; agentId: string; message: string; model?: string; timeoutMs: number; label?: string; extraSystemPrompt?: string; channel: string; parentSessionKey?: string; parentRunId?: string }): { runId: string; done: Promise<ToolRunEnd> };
  /** Sub-agent runs that have not ended yet. */
  spawned(): ToolSpawnedRun[];
}

/**
 * The browser control service as the `browser` tool sees it: the control API's typed calls, made with the
 * rights of an agent (never operator.admin), so the service's network rule applies: pages, redirects and
 * requests may reach only public addresses unless `browser.allowPrivate` is set in the config file. Every
 * call throws BrowserApiError (the service said no: code + message) or BrowserTransportError; a gateway
 * whose browser control is off makes every call throw a clear "not running" error. Safe to call concurrently.
 */
export type ToolBrowser = Pick<BrowserClient, "status" | "start" | "stop" | "tabs" | "openTab" | "focusTab" | "closeTab" | "navigate" | "snapshot" | "act" | "screenshot">;

/**
 * The run's image model (the `image` tool): `agents.defaults.imageModel` when set, else the run's own model
 * chain, called through the agent's model layer (loaded on first use). Safe to call concurrently.
 */
export interface ToolVision {
  /**
   * Asks the model about one image.
   * @returns the answer and the `provider/model` that gave it.
   * @throws Error when no model could be called (each ref's failure named) or the call was aborted.
   */
  describe(input: { image: ImageContent; prompt: string; signal: AbortSignal }): Promise<{ text: string; model: string }>;
}

/**
 * Ports a tool may need from the host. A tool whose `needs` are not all present is not offered. Ports
 * typed `unknown` are placeholders for hosts that land later (browser); their owners narrow the type
 * when they plug in.
 */
export interface ToolPorts {
  store?: Store;
  workspace?: ToolWorkspace;
  nodes?: ToolNodes;
  exec?: ToolExec;
  approvals?: ToolApprovals;
  memory?: ToolMemory;
  browser?: ToolBrowser;
  vision?: ToolVision;
  channels?: ToolChannels;
  cron?: ToolCron;
  agentRuns?: ToolAgentRuns;
}
/** A port's name. */
export type PortName = keyof ToolPorts;
/** The ports a gateway hands the runtime once (the run adds `store`, `workspace` and `nodes`). */
export type HostToolPorts = Omit<ToolPorts, "store" | "workspace" | "nodes">;

/** Where the message that started the run came from. */
export interface ToolOrigin {
  /** `telegram`, `whatsapp`, `webchat`, `cli`, … */
  channel: string;
  /** The chat (`to` form of the channel), when the run came from one. */
  chat?: string;
  /** The channel account the chat is on, when the run came from one. */
  accountId?: string;
  /** The sender's id on the channel, when known. */
  sender?: string;
  /** True when the sender is the owner (operator, or an owner entry of the channel). */
  senderIsOwner?: boolean;
  /** True when the sender passed the channel's allowlist. */
  senderAllowlisted?: boolean;
}

/** What every call of a run's tools gets besides its ports. */
export interface ToolRunContext {
  config: OpenClawConfig;
  agentId: string;
  sessionKey: string;
  /** The run's id; absent outside a run (`/tools/invoke`). */
  runId?: string;
  /** The agent's workspace folder, when known. */
  workspace?: string;
  origin?: ToolOrigin;
  /** Variables the eligible skills bring (`skills.entries.<key>.env`/`apiKey`); `exec` sets them under the call's own. */
  skillEnv?: Record<string, string>;
}

/** What one call's `execute` gets: the run context, the ports it declared, the call id and the abort signal. */
export type ToolCallContext<N extends PortName = never> = ToolRunContext & {
  /** The `needs` ports (always present) and the `uses` ports the host has (may be absent). */
  ports: { [K in N]-?: NonNullable<ToolPorts[K]> } & Partial<ToolPorts>;
  /** Aborted by `chat.abort`, a run timeout or the HTTP caller going away: stop, and kill what was started. */
  signal: AbortSignal;
  toolCallId?: string;
};

/** A tool's result: text, optionally with images for the model (a screenshot, an image file). */
export interface ToolResult {
  text: string;
  images?: ImageContent[];
}

/** Output caps of a tool. */
export interface ToolCaps {
  /** Text longer than this is cut, with a marker, before it is stored or sent (default {@link DEFAULT_TOOL_MAX_CHARS}). */
  maxChars?: number;
  /** Characters of the result an event carries (default {@link DEFAULT_TOOL_PREVIEW_CHARS}). */
  previewChars?: number;
}

/** Default of {@link ToolCaps.maxChars}. */
export const DEFAULT_TOOL_MAX_CHARS = 60_000;
/** Default of {@link ToolCaps.previewChars}. */
export const DEFAULT_TOOL_PREVIEW_CHARS = 400;

/** A tool definition: what `defineTool` takes. */
export interface ToolDefinition<P extends TSchema = TSchema, N extends PortName = PortName> {
  name: string;
  description: string;
  group?: ToolGroup;
  /** TypeBox schema of the arguments; checked with ajv before `execute`. */
  parameters: P;
  /** Ports the tool needs; without all of them it is not offered. */
  needs: readonly N[];
  /** Ports the tool uses when the host has them (e.g. `exec` asks through `approvals`, reaches `nodes`). */
  uses?: readonly PortName[];
  /** May it run over `POST /tools/invoke`? Default false; never true for a tool that writes, runs or sends. */
  http?: boolean;
  caps?: ToolCaps;
  /** Runs one call with validated arguments. May run concurrently with other calls. */
  execute(params: Static<P>, ctx: ToolCallContext<N>): Promise<string | ToolResult>;
}

/** Options of a bound tool's call. */
export interface ToolCallOptions {
  signal: AbortSignal;
  toolCallId?: string;
}

/** A capped result, as stored and sent to the model. */
export interface ToolOutput {
  text: string;
  images?: ImageContent[];
  /** True when the text was cut at `caps.maxChars`. */
  truncated: boolean;
  /** The first characters of the text, for events. */
  preview: string;
}

/** A tool bound to a run's context and ports: what the runtime offers to models and `/tools/invoke` calls. */
export interface AgentTool {
  name: string;
  description: string;
  group?: ToolGroup;
  /** The argument schema as plain JSON Schema (what the model is shown). */
  parameters: ToolParameters;
  http: boolean;
  /**
   * Validates the arguments, runs the tool and caps its output.
   * @throws Error with a model-readable message: invalid arguments (naming the field) or the tool's failure.
   */
  run(args: Record<string, unknown>, opts: ToolCallOptions): Promise<ToolOutput>;
  /** {@link run} reduced to its text (images noted by type and size). */
  execute(args: Record<string, unknown>, opts: ToolCallOptions): Promise<string>;
}

/** What `buildTools` takes: the run context plus the ports the host has. */
export interface ToolContext extends ToolRunContext {
  store: Store;
  /** The gateway's nodes; without it, tools that drive nodes (`canvas`) are left out. */
  nodes?: ToolNodes;
  /** Other ports (`workspace` is filled from `workspace` + `tools.fs.allowOutside` when absent). */
  ports?: ToolPorts;
  /** Folders `read` may open outside the workspace (the eligible skills' folders). */
  readDirs?: string[];
}
