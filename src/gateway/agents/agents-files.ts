/**
 * `agents.files.list|get|set` (operator.admin): an agent's workspace bootstrap files, the ones the system
 * prompt is built from, plus its memory file. Only these names are served; nothing else in the workspace
 * (or outside it) can be read or written through here.
 */
import { lstatSync, mkdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import type { AgentsHost } from "./_host.ts";
import { join, sep } from "node:path";
import { resolveWorkspace } from "../../agent/index.ts";
import { GatewayError } from "../../errors.ts";
import type { AgentsFilesGetResult } from "../../protocol/generated/types.ts";
import { writeFileAtomic } from "../../util/atomic-write.ts";
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
  if (!file.missing) file.content = readFileSync(insideTarget(workspace, file.path, name, "read"), "utf8");
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
  const path = join(workspace, name);
  const target = insideTarget(workspace, path, name, "write");
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

function describe(workspace: string, name: string): FileEntry {
  const path = join(workspace, name);
  try {
    const st = statSync(path);
    if (st.isFile()) return { name, path, missing: false, size: st.size, updatedAtMs: Math.floor(st.mtimeMs) };
  } catch {
    // missing or unreadable: listed as missing
  }
  return { name, path, missing: true };
}

/** Where a read or write of `path` lands: the path itself, or a symlink's target when that stays in the workspace. */
function insideTarget(workspace: string, path: string, name: string, verb: "read" | "write"): string {
  let link = false;
  try {
    link = lstatSync(path).isSymbolicLink();
  } catch {
    return path;
  }
  if (!link) return path;
  let target: string;
  try {
    target = realpathSync(path);
  } catch {
    target = "";
  }
  const root = realpathSync(workspace);
  // An agent can plant symlinks in its own workspace; reading or writing through one must not reach the rest of the disk.
  if (!target.startsWith(root + sep)) throw new GatewayError("INVALID_REQUEST", `refusing to ${verb} "${name}": it is a symlink that leaves the workspace`);
  return target;
}

function existingMode(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return undefined;
  }
}
