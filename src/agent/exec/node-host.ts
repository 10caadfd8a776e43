/**
 * The `node` exec host: runs a command on a paired node through `node.invoke` → `system.run`, with the params
 * the node host expects (`command` argv, `rawCommand`, `cwd`, `env`, `timeoutMs`, `agentId`, `sessionKey`,
 * `approved`, `approvalDecision`, `runId`). The node applies its own exec approvals.
 */
import { randomUUID } from "node:crypto";

/** The `invokeNode` port (same shape as the agent's `ToolNodes.invoke`). */
export type InvokeNode = (input: { nodeId: string; command: string; params?: unknown; timeoutMs: number; idempotencyKey: string }) => Promise<{ payload?: unknown }>;

/** Inputs of {@link buildSystemRunParams}. */
export interface SystemRunInput {
  command: string;
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  agentId?: string;
  sessionKey?: string;
  /** The node's platform (from its hello): Windows nodes run through cmd.exe. */
  platform?: string;
  approved?: boolean;
  approvalDecision?: "allow-once" | "allow-always";
  runId?: string;
}

/** The `params` of `node.invoke {command: "system.run"}`. Pure. */
export function buildSystemRunParams(input: SystemRunInput): Record<string, unknown> {
  const windows = (input.platform ?? "").trim().toLowerCase().startsWith("win");
  const argv = windows ? ["cmd.exe", "/d", "/s", "/c", input.command] : ["/bin/sh", "-lc", input.command];
  const params: Record<string, unknown> = { command: argv, rawCommand: input.command };
  if (input.cwd !== undefined) params.cwd = input.cwd;
  if (input.env && Object.keys(input.env).length > 0) params.env = input.env;
  if (input.timeoutMs !== undefined) params.timeoutMs = input.timeoutMs;
  if (input.agentId !== undefined) params.agentId = input.agentId;
  if (input.sessionKey !== undefined) params.sessionKey = input.sessionKey;
  if (input.approved !== undefined) params.approved = input.approved;
  if (input.approvalDecision !== undefined) params.approvalDecision = input.approvalDecision;
  if (input.runId !== undefined) params.runId = input.runId;
  return params;
}

/** What a node reported for `system.run`. */
export interface NodeRunResult {
  exitCode: number | null;
  timedOut: boolean;
  output: string;
  error?: string;
}

/**
 * Invokes `system.run` on `nodeId` and reads its payload (`{exitCode, timedOut, stdout, stderr, error}`).
 * The invoke waits 5 s longer than the command may run, and at least 10 s.
 * @throws Error from `invokeNode` (node gone, command not allowed, node refused by its approvals).
 */
export async function runOnNode(nodeId: string, input: SystemRunInput, invokeNode: InvokeNode): Promise<NodeRunResult> {
  const res = await invokeNode({
    nodeId,
    command: "system.run",
    params: buildSystemRunParams(input),
    timeoutMs: Math.max(10_000, (input.timeoutMs ?? 0) + 5_000),
    idempotencyKey: randomUUID(),
  });
  const p = (res.payload && typeof res.payload === "object" ? res.payload : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  const output = [text(p.stdout), text(p.stderr)].filter(Boolean).join(text(p.stdout).endsWith("\n") || !text(p.stdout) ? "" : "\n");
  return {
    exitCode: typeof p.exitCode === "number" ? p.exitCode : null,
    timedOut: p.timedOut === true,
    output,
    ...(typeof p.error === "string" && p.error && { error: p.error }),
  };
}
