/**
 * Exec approvals: the queue of exec requests waiting for an operator, and the approvals file on the
 * gateway and on nodes (`exec.approvals.*`).
 */
import { APPROVALS_NEEDS } from "./_host.ts";
import { defineFeature, defineMethod } from "../feature.ts";
import { execApprovalList, execApprovalRequest, execApprovalResolve } from "./exec-approval.ts";
import { execApprovalsGet, execApprovalsNodeGet, execApprovalsNodeSet, execApprovalsSet } from "./exec-approvals.ts";

/** The approvals feature: its methods. */
export const approvalsFeature = defineFeature({
  name: "approvals",
  needs: APPROVALS_NEEDS,
  methods: [
    defineMethod("exec.approvals.get", execApprovalsGet),
    defineMethod("exec.approvals.set", execApprovalsSet),
    defineMethod("exec.approvals.node.get", execApprovalsNodeGet),
    defineMethod("exec.approvals.node.set", execApprovalsNodeSet),
    defineMethod("exec.approval.request", execApprovalRequest),
    defineMethod("exec.approval.resolve", execApprovalResolve),
    defineMethod("exec.approval.list", execApprovalList),
  ],
  // Waiting approvals fail now, so their error answers go out while the sockets are still open.
  stop: (host) => host.approvals.close(),
});
