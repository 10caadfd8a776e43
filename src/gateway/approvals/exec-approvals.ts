/**
 * `exec.approvals.get` / `.set` (the gateway host's exec approvals file) and `exec.approvals.node.get` /
 * `.node.set` (a connected node's, through `system.execApprovals.get` / `.set`). All admin-only.
 */
import { randomUUID } from "node:crypto";
import type { ApprovalsHost } from "./_host.ts";
import { GatewayError, toErrorMessage } from "../../errors.ts";
import { checkExecApprovalsFile, type ExecApprovalsFile, type ExecApprovalsSnapshot, readExecApprovals, saveExecApprovals } from "../../store/exec-approvals.ts";
import type { MethodHandler } from "../context.ts";

/**
 * `exec.approvals.get`: `{path, exists, hash, file}` of `<stateDir>/exec-approvals.json`; with no file,
 * `exists: false` and an empty file (`{version: 1, defaults: {}, agents: {}}`). The socket token is never
 * returned. Reading creates nothing.
 * @throws GatewayError UNAVAILABLE when the file exists but cannot be read.
 */
export const execApprovalsGet: MethodHandler<"exec.approvals.get", ApprovalsHost> = (ctx) => read(ctx.host.stateDir).snapshot;

/**
 * `exec.approvals.set {file, baseHash?}`: replaces the file after checking it. `baseHash` (the `hash` of the
 * last get) is required once the file exists, so two editors never overwrite each other unseen.
 * @returns the snapshot of what was saved, like `exec.approvals.get`.
 * @throws GatewayError INVALID_REQUEST for a missing or stale baseHash, or a bad file (`details.issues` names
 *   every bad path); UNAVAILABLE when the file cannot be read or written. The file is then untouched.
 */
export const execApprovalsSet: MethodHandler<"exec.approvals.set", ApprovalsHost> = (ctx, params) => {
  const p = params;
  const current = read(ctx.host.stateDir);
  checkBaseHash(current.snapshot, p.baseHash);
  const issues = checkExecApprovalsFile(p.file);
  if (issues.length > 0) {
    const list = issues.map((i) => `${i.path || "<root>"}: ${i.message}`).join("; ");
    throw new GatewayError("INVALID_REQUEST", `invalid exec approvals file: ${list}`, { details: { issues } });
  }
  try {
    // checkExecApprovalsFile just accepted every field: the wire shape is now the store's file shape.
    return saveExecApprovals(ctx.host.stateDir, p.file as Partial<ExecApprovalsFile>, current.file);
  } catch (err) {
    throw new GatewayError("UNAVAILABLE", `could not save exec approvals: ${toErrorMessage(err)}`, { cause: err });
  }
};

/**
 * `exec.approvals.node.get {nodeId}`: the node's own snapshot, as its `system.execApprovals.get` answers.
 * @throws GatewayError UNAVAILABLE (node not connected, timed out, or answered with an error);
 *   INVALID_REQUEST when the node does not offer the command.
 */
export const execApprovalsNodeGet: MethodHandler<"exec.approvals.node.get", ApprovalsHost> = async (ctx, params) => {
  const { nodeId } = params;
  const res = await ctx.host.nodes.invoke({ nodeId: nodeId.trim(), command: "system.execApprovals.get", params: {}, idempotencyKey: randomUUID() });
  return res.payload ?? null;
};

/**
 * `exec.approvals.node.set {nodeId, file, baseHash?}`: hands the file to the node's
 * `system.execApprovals.set`; the node checks the hash and the file itself.
 * @returns the node's answer (its new snapshot).
 * @throws GatewayError as {@link execApprovalsNodeGet}; a node refusing the file comes back as UNAVAILABLE
 *   with its message.
 */
export const execApprovalsNodeSet: MethodHandler<"exec.approvals.node.set", ApprovalsHost> = async (ctx, params) => {
  const { nodeId, file, baseHash } = params;
  const res = await ctx.host.nodes.invoke({ nodeId: nodeId.trim(), command: "system.execApprovals.set", params: { file, baseHash }, idempotencyKey: randomUUID() });
  return res.payload ?? null;
};

// --- internal ---

function read(stateDir: string): ReturnType<typeof readExecApprovals> {
  try {
    return readExecApprovals(stateDir);
  } catch (err) {
    throw new GatewayError("UNAVAILABLE", `could not read exec approvals: ${toErrorMessage(err)}`, { cause: err });
  }
}

/** The optimistic-write rule (upstream's messages): no hash needed before the file exists. */
function checkBaseHash(current: ExecApprovalsSnapshot, baseHash: string | undefined): void {
  if (!current.exists) return;
  const given = baseHash?.trim();
  if (!given) throw new GatewayError("INVALID_REQUEST", "exec approvals base hash required; re-run exec.approvals.get and retry");
  if (given !== current.hash) throw new GatewayError("INVALID_REQUEST", "exec approvals changed since last load; re-run exec.approvals.get and retry");
}
