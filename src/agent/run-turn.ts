/**
 * Executes one run once it holds its lane: opens (or resets) the session, commits the user message, builds
 * the system prompt, calls the model chain with fallbacks, persists every finished step as it lands, and
 * ends with exactly one of: ok, error, aborted, timeout — each with its events and final payload.
 */
import type { OpenClawConfig } from "../config/schema.ts";
import { toErrorMessage } from "../errors.ts";
import type { Logger } from "../logging/logger.ts";
import { buildSkillsReport, skillEnvOf, type SkillStatus } from "../skills/index.ts";
import type { SessionEntry, Store, TranscriptMessage, Usage } from "../store/index.ts";
import { IMAGE_REPLAY_MESSAGES, limitReplayImages, toUserContent } from "./attachments.ts";
import type { RunEvents } from "./events.ts";
import type * as Llm from "./llm/index.ts";
import { contextWindowOf, modelChain, type ModelSpec, resolveModel } from "./models.ts";
import { findInboundMessage, finishedAnswer, resumeHistory } from "./resume.ts";
import { agentIds } from "./session-keys.ts";
import { isSessionStale, parseResetCommand, resetPolicyOf } from "./session-reset.ts";
import { buildTools, type HostToolPorts, type ToolNodes } from "./tools/index.ts";
import type { DeliveryContext, RunFinal, RunRequest } from "./types.ts";
import { createVisionPort } from "./vision.ts";
import { buildSystemPrompt, loadBootstrapFiles, resolveWorkspace } from "./workspace.ts";

/** Messages of history sent to the model at most. */
export const HISTORY_LIMIT = 400;
const TOOL_RESULT_EVENT_MAX = 4000;

/** What a run needs from the runtime. */
export interface TurnDeps {
  store: Store;
  config: OpenClawConfig;
  env: Record<string, string | undefined>;
  logger: Logger;
  loadModelLayer: () => Promise<typeof Llm>;
  /** The gateway's nodes, passed on to the tools. */
  nodes?: ToolNodes;
  /** The host's ports (exec, approvals, channels, cron, agent runs); a tool whose port is missing is left out. */
  ports?: HostToolPorts;
  /** The gateway's state dir (managed and bundled skills live there); without it no skills are offered. */
  stateDir?: string;
}

/**
 * The ports a run's tools get: the host's, plus the run's vision port (the `image` tool's model, resolved on
 * use). `tools.effective` asks the same question, so both build them here.
 */
export function runToolPorts(deps: Pick<TurnDeps, "config" | "env" | "loadModelLayer" | "ports">, agentId: string, modelOverride?: string): HostToolPorts {
  const vision = createVisionPort({ config: deps.config, agentId, modelOverride, env: deps.env, loadModelLayer: deps.loadModelLayer });
  return { ...deps.ports, vision };
}

/**
 * Why a run stopped early (the abort reason of its signal): `rpc` (chat.abort), `stop` (a `/stop` message),
 * `timeout`, `shutdown`, `parent` (the run that spawned it was stopped).
 */
export type StopReason = "rpc" | "stop" | "timeout" | "shutdown" | "parent";

/**
 * Runs `req` to its end. Never throws; the outcome is in the returned final.
 * @param signal aborted with a {@link StopReason} to stop the run.
 */
export async function executeRun(deps: TurnDeps, req: RunRequest, signal: AbortSignal, events: RunEvents): Promise<RunFinal> {
  const { store, config } = deps;
  const startedAt = Date.now();
  const log = deps.logger;
  events.start(startedAt);

  const { reset, rest } = parseResetCommand(req.message);
  const entry = openSession(store, config, req, reset, startedAt);
  const images = req.images ?? [];
  const user: TranscriptMessage = { role: "user", content: toUserContent(reset ? rest : req.message, images), timestamp: startedAt, ...(req.inboundKey && { inboundKey: req.inboundKey }) };
  const persistUser = !reset || rest !== "" || images.length > 0;
  // The same channel turn again after a stop: its message is in the transcript already and is not added twice.
  const recent = req.inboundKey && persistUser ? store.readMessages(entry.sessionId, HISTORY_LIMIT, { imageMessages: 0 }) : [];
  const resumed = req.inboundKey !== undefined && findInboundMessage(recent, req.inboundKey) >= 0;
  store.transaction(() => {
    store.setSession(req.sessionKey, entry);
    if (persistUser && !resumed) store.appendMessages(entry.sessionId, [user]);
    const run = store.getRun(req.runId);
    // From here the images are in the transcript; the run record needs them no more.
    if (run) store.putRun({ ...run, status: "running", startedAt, images: undefined });
  });

  if (!persistUser) {
    // A bare `/new` or `/reset`: the session starts over and nothing is sent to a model.
    const text = "New session started.";
    events.assistant(text);
    const endedAt = Date.now();
    events.end(startedAt, endedAt, { role: "assistant", content: [{ type: "text", text }], timestamp: endedAt, stopReason: "stop" });
    return okFinal(req, entry, startedAt, endedAt, text, undefined, undefined, false);
  }

  const finished = resumed ? finishedAnswer(recent, req.inboundKey as string) : undefined;
  if (finished !== undefined) {
    // The stop came after the answer was stored but before it was sent: that answer is the reply, no new model call.
    if (finished) events.assistant(finished);
    const endedAt = Date.now();
    store.setSession(req.sessionKey, { ...entry, updatedAt: endedAt, abortedLastRun: false });
    events.end(startedAt, endedAt, { role: "assistant", content: [{ type: "text", text: finished }], timestamp: endedAt, stopReason: "stop" });
    log.info("run resumed with the answer its interrupted attempt finished", { runId: req.runId });
    return okFinal(req, entry, startedAt, endedAt, finished, undefined, undefined, false);
  }

  const { defaultId } = agentIds(config);
  const agentConf = config.agents?.list?.find((a) => a.id === req.agentId);
  const workspace = resolveWorkspace(config, req.agentId, req.agentId === defaultId, deps.env);
  const origin = { channel: req.channel, ...(req.deliveryContext?.to && { chat: req.deliveryContext.to }), ...(req.deliveryContext?.accountId && { accountId: req.deliveryContext.accountId }), ...req.sender };
  // The image tool's model: loaded and resolved only when the tool is called.
  const skills = eligibleSkills(config, workspace, deps);
  const tools = buildTools({ config, store, agentId: req.agentId, sessionKey: req.sessionKey, runId: req.runId, workspace, origin, nodes: deps.nodes, ports: runToolPorts(deps, req.agentId, req.model ?? entry.modelOverride), readDirs: skills.map((s) => s.baseDir), skillEnv: skillEnvOf(config, skills, deps.env) });
  const system = buildSystemPrompt({
    agentId: req.agentId,
    agentName: agentConf?.identity?.name ?? agentConf?.name,
    workspace,
    files: loadBootstrapFiles(workspace),
    sessionKey: req.sessionKey,
    channel: req.channel,
    toolNames: tools.map((t) => t.name),
    skills: skills.filter((s) => !s.disableModelInvocation).map((s) => ({ name: s.name, description: s.description, path: s.path })),
    now: new Date(startedAt),
    extra: req.extraSystemPrompt,
  });
  const stored = limitReplayImages(store.readMessages(entry.sessionId, HISTORY_LIMIT, { imageMessages: IMAGE_REPLAY_MESSAGES }));
  const history = resumed ? resumeHistory(stored, req.inboundKey as string) : stored;

  let lastSpec: ModelSpec | undefined;
  let usage: Usage | undefined;
  /** The usage of the last model call that finished: what the session's context holds now. */
  let lastCall: Usage | undefined;
  let stepOfLastText = -1;
  let outcome: Awaited<ReturnType<typeof Llm.runModelTurn>> | undefined;
  let setupError: string | undefined;
  const llm = await deps.loadModelLayer();
  for (const ref of modelChain(config, req.agentId, req.model ?? entry.modelOverride)) {
    let spec: ModelSpec;
    try {
      spec = resolveModel(config, ref, deps.env);
    } catch (err) {
      setupError ??= toErrorMessage(err);
      log.warn(`model ${ref} unavailable: ${toErrorMessage(err)}`, { runId: req.runId });
      continue;
    }
    lastSpec = spec;
    outcome = await llm.runModelTurn({
      spec,
      system,
      history,
      tools,
      thinking: req.thinking ?? entry.thinkingLevel,
      signal,
      onEvent(ev) {
        switch (ev.type) {
          case "text":
            // Text of a later step (after tool calls) starts a new paragraph of the run's reply.
            events.assistant(stepOfLastText >= 0 && ev.step !== stepOfLastText && events.accumulated ? `\n\n${ev.delta}` : ev.delta);
            stepOfLastText = ev.step;
            break;
          case "tool-start":
            events.tool({ phase: "start", name: ev.name, toolCallId: ev.toolCallId, args: ev.args });
            break;
          case "tool-result":
            events.tool({ phase: "result", name: ev.name, toolCallId: ev.toolCallId, isError: ev.isError, result: ev.result.length > TOOL_RESULT_EVENT_MAX ? `${ev.result.slice(0, TOOL_RESULT_EVENT_MAX)}…` : ev.result, ...(ev.preview !== undefined && { preview: ev.preview }) });
            break;
          case "step":
            store.appendMessages(entry.sessionId, ev.messages);
            if (ev.usage.totalTokens > 0 || ev.usage.input + ev.usage.output > 0) lastCall = ev.usage;
            break;
        }
      },
    });
    usage = outcome.usage;
    if (outcome.status === "error" && !outcome.produced && !signal.aborted) {
      log.warn(`model ${ref} failed: ${outcome.error?.message}`, { runId: req.runId });
      continue;
    }
    break;
  }

  const endedAt = Date.now();
  const text = events.accumulated;
  const stop = signal.aborted ? ((signal.reason as StopReason | undefined) ?? "rpc") : undefined;
  if (stop) {
    const timedOut = stop === "timeout";
    const errorMessage = timedOut ? `agent run timed out after ${Math.round(req.timeoutMs / 1000)}s` : undefined;
    const partial = outcome?.partial ? { ...outcome.partial, stopReason: "aborted" as const, ...(errorMessage && { errorMessage }) } : undefined;
    store.transaction(() => {
      if (partial) store.appendMessages(entry.sessionId, [partial]);
      store.setSession(req.sessionKey, { ...entry, ...tokenFields(usage, lastCall, lastSpec, config), updatedAt: endedAt, abortedLastRun: true });
    });
    const message = text ? { role: "assistant", content: [{ type: "text", text }], timestamp: endedAt, stopReason: "aborted" } : undefined;
    events.aborted(startedAt, endedAt, stop, { message, errorMessage });
    log.info(`run ${timedOut ? "timed out" : "aborted"}`, { runId: req.runId, reason: stop, durationMs: endedAt - startedAt });
    if (timedOut) return errorFinal(req, startedAt, endedAt, "AGENT_TIMEOUT", errorMessage as string);
    return okFinal(req, entry, startedAt, endedAt, text, lastSpec, usage, true);
  }

  if (!outcome || outcome.status === "error") {
    const message = outcome?.error?.message ?? setupError ?? "no model configured";
    const failed: TranscriptMessage = {
      ...(outcome?.partial ?? { role: "assistant", content: [], timestamp: endedAt }),
      ...(lastSpec && { api: lastSpec.api, provider: lastSpec.provider, model: lastSpec.model }),
      stopReason: "error",
      errorMessage: message,
    } as TranscriptMessage;
    store.transaction(() => {
      store.appendMessages(entry.sessionId, [failed]);
      store.setSession(req.sessionKey, { ...entry, updatedAt: endedAt });
    });
    events.error(startedAt, endedAt, message);
    log.warn("run failed", { runId: req.runId, error: message, durationMs: endedAt - startedAt });
    return errorFinal(req, startedAt, endedAt, "UNAVAILABLE", message, outcome?.error);
  }

  store.setSession(req.sessionKey, { ...entry, ...tokenFields(usage, lastCall, lastSpec, config), updatedAt: endedAt, systemSent: true, abortedLastRun: false });
  events.end(startedAt, endedAt, { role: "assistant", content: [{ type: "text", text }], timestamp: endedAt, stopReason: "stop", ...(usage && { usage }) });
  log.info("run completed", { runId: req.runId, model: lastSpec?.ref, durationMs: endedAt - startedAt });
  return okFinal(req, entry, startedAt, endedAt, text, lastSpec, usage, false);
}

// --- internal ---

/** The agent's eligible skills, looked up for every run (a skill installed or a binary added counts next run). */
function eligibleSkills(config: OpenClawConfig, workspace: string, deps: TurnDeps): SkillStatus[] {
  if (!deps.stateDir) return [];
  const report = buildSkillsReport({ config, env: deps.env, stateDir: deps.stateDir, workspace });
  for (const p of report.problems) deps.logger.debug(`skill skipped: ${p.path}: ${p.message}`);
  return report.skills.filter((s) => s.eligible);
}

function openSession(store: Store, config: OpenClawConfig, req: RunRequest, reset: boolean, now: number): SessionEntry {
  const current = store.getSession(req.sessionKey);
  const channel = req.internal ? {} : { lastChannel: req.channel };
  if (current && !reset && !isSessionStale(current, now, resetPolicyOf(config))) {
    return { ...current, updatedAt: now, ...channel, ...routeFields(req.deliveryContext), ...(req.label && { label: req.label }) };
  }
  // A fresh session keeps the user's choices (label, model, thinking) and where its replies go, but not counters.
  return {
    sessionId: (!current && req.requestedSessionId) || crypto.randomUUID(),
    createdAt: now,
    updatedAt: now,
    ...(current?.lastChannel !== undefined && { lastChannel: current.lastChannel }),
    ...(current?.lastTo !== undefined && { lastTo: current.lastTo }),
    ...(current?.lastAccountId !== undefined && { lastAccountId: current.lastAccountId }),
    ...(current?.deliveryContext && { deliveryContext: current.deliveryContext }),
    ...channel,
    ...routeFields(req.deliveryContext),
    ...(current?.label && { label: current.label }),
    ...(req.label && { label: req.label }),
    ...(current?.thinkingLevel && { thinkingLevel: current.thinkingLevel }),
    ...(current?.modelOverride && { modelOverride: current.modelOverride }),
  };
}

/** The session fields that record where replies go. */
function routeFields(route: DeliveryContext | undefined): Partial<SessionEntry> {
  if (!route?.channel || !route.to) return {};
  const deliveryContext = { channel: route.channel, to: route.to, ...(route.accountId && { accountId: route.accountId }) };
  return { lastChannel: route.channel, lastTo: route.to, ...(route.accountId && { lastAccountId: route.accountId }), deliveryContext };
}

/**
 * The session's token fields after a run: `inputTokens`/`outputTokens` over the whole run (every model call
 * of it), `totalTokens` the context the last model call held (its prompt, cache reads and writes included,
 * plus its completion), `contextTokens` the model's context window when known.
 */
function tokenFields(usage: Usage | undefined, lastCall: Usage | undefined, spec: ModelSpec | undefined, config: OpenClawConfig): Partial<SessionEntry> {
  if (!spec) return {};
  const input = usage ? usage.input + usage.cacheRead + usage.cacheWrite : undefined;
  const contextTokens = spec.contextWindow ?? contextWindowOf(config, spec.ref);
  const held = lastCall ? lastCall.input + lastCall.cacheRead + lastCall.cacheWrite + lastCall.output : undefined;
  return {
    modelProvider: spec.provider,
    model: spec.model,
    ...(usage && { inputTokens: input, outputTokens: usage.output, totalTokens: held ?? (input ?? 0) + usage.output }),
    ...(contextTokens !== undefined && { contextTokens }),
  };
}

function okFinal(req: RunRequest, entry: SessionEntry, startedAt: number, endedAt: number, text: string, spec: ModelSpec | undefined, usage: Usage | undefined, aborted: boolean): RunFinal {
  return {
    ok: true,
    startedAt,
    endedAt,
    payload: {
      runId: req.runId,
      status: "ok",
      summary: aborted ? "aborted" : "completed",
      result: {
        payloads: text ? [{ text }] : [],
        meta: {
          durationMs: endedAt - startedAt,
          agentMeta: {
            sessionId: entry.sessionId,
            ...(spec && { provider: spec.provider, model: spec.model }),
            ...(usage && { usage: { input: usage.input, output: usage.output, cacheRead: usage.cacheRead, cacheWrite: usage.cacheWrite, total: usage.totalTokens } }),
          },
          aborted,
        },
      },
    },
  };
}

function errorFinal(req: RunRequest, startedAt: number, endedAt: number, code: "UNAVAILABLE" | "AGENT_TIMEOUT", message: string, info?: { retryable: boolean; retryAfterMs?: number }): RunFinal {
  return {
    ok: false,
    startedAt,
    endedAt,
    payload: { runId: req.runId, status: "error", summary: message },
    error: { code, message, ...(info?.retryable && { retryable: true }), ...(info?.retryAfterMs !== undefined && { retryAfterMs: info.retryAfterMs }) },
  };
}
