/**
 * The exec approvals file as the exec engine needs it: read the policy, and add an allowlist entry when an
 * operator answers "allow always". Goes through the store's exec-approvals API; never writes the file itself.
 */
import { type ExecApprovalsFile, readExecApprovals, saveExecApprovals } from "../../store/exec-approvals.ts";

/** Narrow port over the approvals file (tests may pass an in-memory one). */
export interface ExecApprovalsPort {
  /** The file as it is now (an empty one when missing). */
  read(): ExecApprovalsFile;
  /**
   * Adds `pattern` to `agentId`'s allowlist unless an entry with the same pattern (case-insensitive) exists.
   * @throws Error from the file system; the file is then unchanged.
   */
  addAllowlistEntry(agentId: string, entry: { pattern: string; lastUsedCommand?: string; lastResolvedPath?: string }): void;
}

/** The port over `<stateDir>/exec-approvals.json`. Each call re-reads the file, so edits apply at once. */
export function createFileApprovalsPort(stateDir: string): ExecApprovalsPort {
  return {
    read: () => readExecApprovals(stateDir).file,
    addAllowlistEntry(agentId, entry) {
      const { file } = readExecApprovals(stateDir);
      const agent = file.agents?.[agentId] ?? {};
      const allowlist = agent.allowlist ?? [];
      if (allowlist.some((e) => e.pattern?.trim().toLowerCase() === entry.pattern.toLowerCase())) return;
      const next: ExecApprovalsFile = {
        ...file,
        agents: { ...file.agents, [agentId]: { ...agent, allowlist: [...allowlist, { ...entry, lastUsedAt: Date.now() }] } },
      };
      saveExecApprovals(stateDir, next, file);
    },
  };
}
