/**
 * The exec approvals file of this host, `<stateDir>/exec-approvals.json` (upstream's file name and layout:
 * `{version: 1, socket?: {path?, token?}, defaults?: {security, ask, askFallback, autoAllowSkills},
 * agents?: {<agentId | "*">: {…defaults, allowlist?: [{id?, pattern, lastUsedAt?, …}]}}`). It decides which
 * commands an agent may run without asking. Both people and programs edit it, so writes are optimistic:
 * the caller names the hash of the text it read.
 */
import { createHash, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic-write.ts";

/** Name of the file inside the state dir. */
export const EXEC_APPROVALS_FILE_NAME = "exec-approvals.json";
/** How an agent's commands are gated: refuse all, allow the allowlist, or allow everything. */
export const EXEC_SECURITY_VALUES = ["deny", "allowlist", "full"] as const;
/** When an operator is asked: never, when the allowlist does not cover the command, or every time. */
export const EXEC_ASK_VALUES = ["off", "on-miss", "always"] as const;

/** One allowlisted command pattern (a case-insensitive glob over the resolved executable path). */
export interface ExecAllowlistEntry {
  id?: string;
  pattern: string;
  lastUsedAt?: number;
  lastUsedCommand?: string;
  lastResolvedPath?: string;
}

/** Policy fields shared by `defaults` and each agent. */
export interface ExecApprovalsPolicy {
  security?: (typeof EXEC_SECURITY_VALUES)[number];
  ask?: (typeof EXEC_ASK_VALUES)[number];
  askFallback?: (typeof EXEC_SECURITY_VALUES)[number];
  autoAllowSkills?: boolean;
}

/** One agent's entry; `"*"` applies to every agent. */
export interface ExecApprovalsAgent extends ExecApprovalsPolicy {
  allowlist?: ExecAllowlistEntry[];
}

/** The whole file. */
export interface ExecApprovalsFile {
  version: 1;
  socket?: { path?: string; token?: string };
  defaults?: ExecApprovalsPolicy;
  agents?: Record<string, ExecApprovalsAgent>;
}

/** What `exec.approvals.get` answers: the file (secrets removed), where it is and the hash of its text. */
export interface ExecApprovalsSnapshot {
  path: string;
  exists: boolean;
  /** sha256 (hex) of the file's text; of the empty string when there is no file. */
  hash: string;
  file: ExecApprovalsFile;
}

/** One problem in a file sent for saving: a dotted path (`agents.main.ask`) and what was expected. */
export interface ExecApprovalsIssue {
  path: string;
  message: string;
}

/** The file of a state dir. */
export function execApprovalsPath(stateDir: string): string {
  return join(stateDir, EXEC_APPROVALS_FILE_NAME);
}

/**
 * Reads the file as it is on disk. A missing file reads as an empty one (`exists: false`); text that does not
 * parse, or a version other than 1, reads as empty too but keeps its hash, so a save over it still works.
 * @returns the snapshot with the socket token removed, plus the full file (token included) for a save.
 * @throws Error when the file exists but cannot be read.
 */
export function readExecApprovals(stateDir: string): { snapshot: ExecApprovalsSnapshot; file: ExecApprovalsFile } {
  const path = execApprovalsPath(stateDir);
  let raw: string;
  try {
    raw = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
    const file = normalizeExecApprovals({ version: 1 });
    return { snapshot: { path, exists: false, hash: hashExecApprovalsText(""), file: redactExecApprovals(file) }, file };
  }
  const parsed = parseLoose(raw);
  const file = normalizeExecApprovals(isRecord(parsed) && parsed.version === 1 ? (parsed as unknown as ExecApprovalsFile) : { version: 1 });
  return { snapshot: { path, exists: true, hash: hashExecApprovalsText(raw), file: redactExecApprovals(file) }, file };
}

/**
 * Checks a file sent for saving against the layout above: known keys only, the enumerated policy values,
 * string patterns. A missing `version` counts as 1.
 * @returns every issue found; empty when the file is fine.
 */
export function checkExecApprovalsFile(input: unknown): ExecApprovalsIssue[] {
  const issues: ExecApprovalsIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  if (!isRecord(input)) return [{ path: "", message: "must be an object" }];
  checkKeys(input, "", ["version", "socket", "defaults", "agents"], add);
  if (input.version !== undefined && input.version !== 1) add("version", "must be 1");
  if (input.socket !== undefined) {
    if (!isRecord(input.socket)) add("socket", "must be an object");
    else {
      checkKeys(input.socket, "socket", ["path", "token"], add);
      for (const k of ["path", "token"]) if (input.socket[k] !== undefined && typeof input.socket[k] !== "string") add(`socket.${k}`, "must be a string");
    }
  }
  if (input.defaults !== undefined) checkPolicy(input.defaults, "defaults", false, add);
  if (input.agents !== undefined) {
    if (!isRecord(input.agents)) add("agents", "must be an object keyed by agent id");
    else for (const [id, agent] of Object.entries(input.agents)) {
      if (id.trim() === "") add("agents", "agent ids must not be empty");
      checkPolicy(agent, `agents.${id}`, true, add);
    }
  }
  return issues;
}

/**
 * Brings a file to its canonical form: version 1, blank socket fields dropped, the legacy `default` agent
 * merged into `main`, anything that is not an object where one belongs dropped. Pure.
 */
export function normalizeExecApprovals(file: Partial<ExecApprovalsFile>): ExecApprovalsFile {
  const socketPath = trimmed(file.socket?.path);
  const token = trimmed(file.socket?.token);
  const agents: Record<string, ExecApprovalsAgent> = {};
  if (isRecord(file.agents)) for (const [id, agent] of Object.entries(file.agents)) if (isRecord(agent)) agents[id] = agent;
  const legacy = agents.default;
  if (legacy) {
    // Older files kept the main agent under "default"; upstream folds it into "main" the same way.
    agents.main = agents.main ? mergeLegacyAgent(agents.main, legacy) : legacy;
    delete agents.default;
  }
  return dropUndefined({
    version: 1 as const,
    socket: socketPath || token ? dropUndefined({ path: socketPath, token }) : undefined,
    defaults: dropUndefined({ ...pickPolicy(isRecord(file.defaults) ? file.defaults : undefined) }),
    agents,
  });
}

/** The file without the socket token (the only secret in it). */
export function redactExecApprovals(file: ExecApprovalsFile): ExecApprovalsFile {
  const { socket, ...rest } = file;
  return socket?.path ? { ...rest, socket: { path: socket.path } } : rest;
}

/**
 * Saves `incoming` (already checked) over the file. A socket path or token that `incoming` leaves out is
 * kept from `current`, since snapshots never carry the token; allowlist entries without an id get one (ids are
 * assigned when saving, not when reading, so they stay stable between reads). Atomic, owner-only (0600).
 * @returns the snapshot of what is now on disk.
 * @throws Error from the file system; the old file is then unchanged.
 */
export function saveExecApprovals(stateDir: string, incoming: Partial<ExecApprovalsFile>, current: ExecApprovalsFile): ExecApprovalsSnapshot {
  const next = withEntryIds(
    normalizeExecApprovals({
      ...incoming,
      socket: { path: trimmed(incoming.socket?.path) ?? current.socket?.path, token: trimmed(incoming.socket?.token) ?? current.socket?.token },
    }),
  );
  writeFileAtomic(execApprovalsPath(stateDir), `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  return readExecApprovals(stateDir).snapshot;
}

/** sha256 (hex) of the file text: the `hash` / `baseHash` of the approvals methods. */
export function hashExecApprovalsText(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

// --- internal ---

const POLICY_KEYS = ["security", "ask", "askFallback", "autoAllowSkills"] as const;
const ENTRY_KEYS = ["id", "pattern", "lastUsedAt", "lastUsedCommand", "lastResolvedPath"];

function checkPolicy(value: unknown, path: string, isAgent: boolean, add: (path: string, message: string) => void): void {
  if (!isRecord(value)) return add(path, "must be an object");
  checkKeys(value, path, isAgent ? [...POLICY_KEYS, "allowlist"] : [...POLICY_KEYS], add);
  const oneOf = (key: string, allowed: readonly string[]) => {
    if (value[key] !== undefined && !allowed.includes(value[key] as string)) add(`${path}.${key}`, `must be one of ${allowed.join(", ")}`);
  };
  oneOf("security", EXEC_SECURITY_VALUES);
  oneOf("ask", EXEC_ASK_VALUES);
  oneOf("askFallback", EXEC_SECURITY_VALUES);
  if (value.autoAllowSkills !== undefined && typeof value.autoAllowSkills !== "boolean") add(`${path}.autoAllowSkills`, "must be a boolean");
  if (!isAgent || value.allowlist === undefined) return;
  if (!Array.isArray(value.allowlist)) return add(`${path}.allowlist`, "must be an array");
  value.allowlist.forEach((entry, i) => {
    const at = `${path}.allowlist[${i}]`;
    if (!isRecord(entry)) return add(at, "must be an object with a pattern");
    checkKeys(entry, at, ENTRY_KEYS, add);
    // An empty pattern is allowed: the control UI adds a blank row before the user types into it.
    if (typeof entry.pattern !== "string") add(`${at}.pattern`, "must be a string");
    if (entry.id !== undefined && (typeof entry.id !== "string" || entry.id === "")) add(`${at}.id`, "must be a non-empty string");
    if (entry.lastUsedAt !== undefined && !(Number.isInteger(entry.lastUsedAt) && (entry.lastUsedAt as number) >= 0)) add(`${at}.lastUsedAt`, "must be a non-negative integer (ms)");
    for (const k of ["lastUsedCommand", "lastResolvedPath"]) if (entry[k] !== undefined && typeof entry[k] !== "string") add(`${at}.${k}`, "must be a string");
  });
}

function checkKeys(value: Record<string, unknown>, path: string, known: readonly string[], add: (path: string, message: string) => void): void {
  for (const key of Object.keys(value)) if (!known.includes(key)) add(path ? `${path}.${key}` : key, "unknown key");
}

function withEntryIds(file: ExecApprovalsFile): ExecApprovalsFile {
  const agents = { ...file.agents };
  for (const [id, agent] of Object.entries(agents)) {
    if (Array.isArray(agent.allowlist)) agents[id] = { ...agent, allowlist: agent.allowlist.map((e) => (e.id ? e : { id: randomUUID(), ...e })) };
  }
  return { ...file, agents };
}

function mergeLegacyAgent(current: ExecApprovalsAgent, legacy: ExecApprovalsAgent): ExecApprovalsAgent {
  const seen = new Set<string>();
  const allowlist = [...(current.allowlist ?? []), ...(legacy.allowlist ?? [])].filter((e) => {
    const key = e.pattern?.trim().toLowerCase();
    if (!key || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return dropUndefined({
    security: current.security ?? legacy.security,
    ask: current.ask ?? legacy.ask,
    askFallback: current.askFallback ?? legacy.askFallback,
    autoAllowSkills: current.autoAllowSkills ?? legacy.autoAllowSkills,
    allowlist: allowlist.length > 0 ? allowlist : undefined,
  });
}

function pickPolicy(p: ExecApprovalsPolicy | undefined): ExecApprovalsPolicy {
  return { security: p?.security, ask: p?.ask, askFallback: p?.askFallback, autoAllowSkills: p?.autoAllowSkills };
}

function trimmed(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function parseLoose(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function dropUndefined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
