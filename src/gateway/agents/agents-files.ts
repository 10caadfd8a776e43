/**
 * `agents.files.list|get|set` (operator.admin): an agent's workspace bootstrap files, the ones the system
 * prompt is built from, plus its memory file. Only these names are served; nothing else in the workspace
 * (or outside it) can be read or written through here. Paths go through the shared symlink-safe resolver
 * (util/workspace-path.ts, the one the agent's file tools use): a name that is a symlink leading out of the
 * workspace is neither read, written nor described.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import type { AgentsHost } from "./_host.ts";
import { join } from "node:path";
import { resolveWorkspace } from "../../agent/index.ts";
import { GatewayError } from "../../errors.ts";
import type { AgentsFilesGetResult } from "../../protocol/generated/types.ts";
import { writeFileAtomic } from "../../util/atomic-write.ts";
import { readInWorkspace, resolveWorkspacePath, WorkspacePathError } from "../../util/workspace-path.ts";
import { listAgents } from "./agents-view.ts";
import type { MethodHandler } from "../context.ts";

/** Bootstrap files, in the order they are listed (upstream's). */
export const AGENT_BOOTSTRAP_FILES = ["AGENTS.md", "SOUL.md", "TOOLS.md", "IDENTITY.md", "USER.md", "HEARTBEAT.md", "BOOTSTRAP.md"] as const;
/** The memory file and the lowercase spelling that is used when only it exists. */
export const AGENT_MEMORY_FILES = ["MEMORY.md", "memory.md"] as const;
const ALLOWED = new Set<string>([...AGENT_BOOTSTRAP_FILES, ...AGENT_MEMORY_FILES]);

/** One file as listed: `missing` true means it does not exist (yet). */
type FileEntry = AgentsFilesGetResult["file"];

/** `agents.files.list {agentId}`: `{agentId, workspace, files}`; one memory entry (MEMORY.md, else memory.md). */
export const agentsFilesList: MethodHandler<"agents.files.list", AgentsHost> = (ctx, params) => {
  const { agentId, workspace } = resolveAgent(ctx.host, params.agentId);
  const files: FileEntry[] = AGENT_BOOTSTRAP_FILES.map((name) => describe(workspace, name));
  const memory = describe(workspace, "MEMORY.md");
  const alt = memory.missing ? describe(workspace, "memory.md") : undefined;
  files.push(alt && !alt.missing ? alt : memory);
  return { agentId, workspace, files };
};

/**
 * `agents.files.get {agentId, name}`: `{agentId, workspace, file}`, with `content` when the file exists.
 * @throws GatewayError INVALID_REQUEST for an unknown agent or name, or a symlink leaving the workspace.
 */
export const agentsFilesGet: MethodHandler<"agents.files.get", AgentsHost> = (ctx, params) => {
  const { agentId, workspace } = resolveAgent(ctx.host, params.agentId);
  const name = checkName(params.name);
  const file = describe(workspace, name);
  if (file.missing) {
    // Missing, or a symlink the listing does not describe: say which.
    if (existsSync(workspace)) insideTarget(workspace, name, "read");
    return { agentId, workspace, file };
  }
  const resolved = insideTarget(workspace, name, "read");
  file.content = readInWorkspace(workspace, resolved, Number.MAX_SAFE_INTEGER).data.toString("utf8");
  return { agentId, workspace, file };
};

/**
 * `agents.files.set {agentId, name, content}`: replaces the file atomically (creating the workspace when
 * needed; a new file is owner-only, an existing one keeps its mode). A symlink is written through only when
 * it points inside the workspace.
 * @returns `{ok:true, agentId, workspace, file}` with the new size, mtime and content.
 * @throws GatewayError INVALID_REQUEST for an unknown agent, a name outside the list, or a symlink leaving
 *   the workspace.
 */
export const agentsFilesSet: MethodHandler<"agents.files.set", AgentsHost> = (ctx, params) => {
  const { agentId, workspace } = resolveAgent(ctx.host, params.agentId);
  const name = checkName(params.name);
  const content = String(params.content);
  mkdirSync(workspace, { recursive: true, mode: 0o700 });
  const target = insideTarget(workspace, name, "write").path;
  writeFileAtomic(target, content, { mode: existingMode(target) ?? 0o600 });
  return { ok: true, agentId, workspace, file: { ...describe(workspace, name), content } };
};

// --- internal ---

function resolveAgent(gw: AgentsHost, raw: unknown): { agentId: string; workspace: string } {
  const wanted = String(raw ?? "").trim();
  const { agents } = listAgents(gw.config);
  // Upstream compares ids case-insensitively (it lowercases them); the configured spelling is answered.
  const agent = agents.find((a) => a.id === wanted) ?? agents.find((a) => a.id.toLowerCase() === wanted.toLowerCase());
  if (!agent) throw new GatewayError("INVALID_REQUEST", "unknown agent id");
  return { agentId: agent.id, workspace: resolveWorkspace(gw.config, agent.id, agent.isDefault) };
}

function checkName(raw: unknown): string {
  const name = String(raw ?? "").trim();
  if (!ALLOWED.has(name)) throw new GatewayError("INVALID_REQUEST", `unsupported file "${name}"`);
  return name;
}

/** A file as listed; one that does not resolve inside the workspace (a symlink out of it) is listed as missing. */
function describe(workspace: string, name: string): FileEntry {
  const path = join(workspace, name);
  try {
    const resolved = resolveWorkspacePath(workspace, name);
    const st = statSync(resolved.path);
    if (st.isFile()) return { name, path, missing: false, size: st.size, updatedAtMs: Math.floor(st.mtimeMs) };
  } catch {
    // missing or unreadable: listed as missing
  }
  return { name, path, missing: true };
}

/**
 * Where a read or write of `name` lands: the file itself, or a symlink's target when that stays in the workspace.
 * @throws GatewayError INVALID_REQUEST when it leads out of the workspace or is a symlink to nothing.
 */
function insideTarget(workspace: string, name: string, verb: "read" | "write") {
  try {
    return resolveWorkspacePath(workspace, name);
  } catch (err) {
    // An agent can plant symlinks in its own workspace; reading or writing through one must not reach the rest of the disk.
    if (!(err instanceof WorkspacePathError)) throw err;
    const why = /missing target/.test(err.message) ? "it is a symlink to a missing file" : "it is a symlink that leaves the workspace";
    throw new GatewayError("INVALID_REQUEST", `refusing to ${verb} "${name}": ${why}`);
  }
}

function existingMode(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return undefined;
  }
}
