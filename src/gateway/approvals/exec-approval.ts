/**
 * `exec.approval.request` and `exec.approval.resolve` (operator.approvals): a command waiting for an
 * operator's yes or no.
 */
import type { ExecApprovalRequest } from "./approvals.ts";
import type { ApprovalsHost } from "./_host.ts";
import { GatewayError } from "../../errors.ts";
import type { MethodHandler } from "../context.ts";

/**
 * `exec.approval.request`: broadcasts `exec.approval.requested` and answers only once an operator decided
 * or the request expired (timeoutMs, default 120 000): `{id, decision, createdAtMs, expiresAtMs}` with
 * `decision` null on expiry. Other requests on the same socket are served meanwhile.
 * @throws GatewayError INVALID_REQUEST "approval id already pending"; UNAVAILABLE when this connection has
 *   too many requests waiting or the gateway stops first.
 */
export const execApprovalRequest: MethodHandler<"exec.approval.request", ApprovalsHost> = async (ctx, params) => {
  const p = params;
  const request: ExecApprovalRequest = {
    command: p.command,
    cwd: p.cwd ?? null,
    host: p.host ?? null,
    security: p.security ?? null,
    ask: p.ask ?? null,
    agentId: p.agentId ?? null,
    resolvedPath: p.resolvedPath ?? null,
    sessionKey: p.sessionKey ?? null,
  };
  // Who answered stays in the gateway: the answer keeps upstream's four fields.
  const { answeredBy: _who, ...outcome } = await ctx.host.approvals.request({ id: p.id, request, timeoutMs: p.timeoutMs, connId: ctx.connId });
  return outcome;
};

/**
 * `exec.approval.list {}`: the waiting requests, oldest first, as upstream v4 lists them:
 * `[{id, request, createdAtMs, expiresAtMs, approvalKind: "exec"}]`.
 */
export const execApprovalList: MethodHandler<"exec.approval.list", ApprovalsHost> = (ctx) => ctx.host.approvals.list().map((a) => ({ ...a, approvalKind: "exec" as const }));

/**
 * `exec.approval.resolve {id, decision}`: settles a waiting request and broadcasts
 * `exec.approval.resolved {id, decision, resolvedBy, ts}` (resolvedBy: the resolver's display name, else its
 * client id). `{ok: true}`. Adding an allow-always pattern to an allowlist is the requester's job, as upstream.
 * @throws GatewayError INVALID_REQUEST "unknown approval id" when nothing with that id is waiting.
 */
export const execApprovalResolve: MethodHandler<"exec.approval.resolve", ApprovalsHost> = (ctx, params) => {
  const { id, decision } = params;
  const resolvedBy = ctx.client.displayName ?? ctx.client.id;
  if (!ctx.host.approvals.resolve(id.trim(), decision, resolvedBy, ctx.client.id)) throw new GatewayError("INVALID_REQUEST", "unknown approval id");
  return { ok: true };
};
