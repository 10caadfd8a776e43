/**
 * `openclaw approvals get|set|allowlist add|remove` (alias `exec-approvals`): the exec approvals file of the
 * gateway host, or of a connected node with `--node`, read and replaced through the running gateway. Every
 * write sends the hash of what was read, so a concurrent edit is refused instead of overwritten.
 * `openclaw approvals pending|allow|deny`: the commands waiting for an operator, and the answer to one.
 */
import { defineCommand } from "citty";
import JSON5 from "json5";
import { CliError } from "../../errors.ts";
import type { ExecApprovalsAgent, ExecApprovalsFile, ExecApprovalsSnapshot } from "../../store/exec-approvals.ts";
import { type Call, formatAge, printTable, withCalls } from "./_call.ts";
import { printJson, RPC_ARGS } from "./_rpc.ts";
import { resolveNode } from "./nodes.ts";

const TARGET_ARGS = {
  node: { type: "string", description: "Target node id, name or IP (default: the gateway host)" },
  gateway: { type: "boolean", description: "Target the gateway host (the default; kept for upstream compatibility)" },
} as const;

const AGENT_ARG = { agent: { type: "string", description: 'Agent id (default "*": every agent)' } } as const;
const PATTERN_ARG = { pattern: { type: "positional", description: "Glob pattern of an executable path, e.g. ~/bin/rg or /usr/bin/*", required: true } } as const;

const get = defineCommand({
  meta: { name: "get", description: "Show the exec approvals: defaults, agents and allowlists" },
  args: { ...TARGET_ARGS, ...RPC_ARGS },
  async run({ args }) {
    const { snapshot, label } = await withCalls(args, async (call) => {
      const target = await resolveTarget(call, args);
      return { snapshot: await load(call, target), label: target.label };
    });
    if (args.json) return printJson(snapshot);
    printSnapshot(snapshot, label);
  },
});

const set = defineCommand({
  meta: { name: "set", description: "Replace the exec approvals with a JSON (or JSON5) file" },
  args: {
    file: { type: "string", description: "File to upload" },
    stdin: { type: "boolean", description: "Read the file from stdin" },
    ...TARGET_ARGS,
    ...RPC_ARGS,
  },
  async run({ args }) {
    if (!args.file === !args.stdin) throw new CliError(args.file ? "Use either --file or --stdin, not both." : "Provide --file <path> or --stdin.");
    const file = parseApprovalsText(args.stdin ? await Bun.stdin.text() : await readText(args.file as string), args.file ?? "stdin");
    const { snapshot, label } = await withCalls(args, async (call) => {
      const target = await resolveTarget(call, args);
      const current = await load(call, target);
      return { snapshot: await save(call, target, file, current.hash), label: target.label };
    });
    if (args.json) return printJson(snapshot);
    printSnapshot(snapshot, label);
  },
});

const allowlistAdd = defineCommand({
  meta: { name: "add", description: "Add a pattern to an agent's allowlist" },
  args: { ...PATTERN_ARG, ...AGENT_ARG, ...TARGET_ARGS, ...RPC_ARGS },
  async run({ args }) {
    await editAllowlist(args, (file, agent, pattern) => addAllowlistPattern(file, agent, pattern), "Already allowlisted.");
  },
});

const allowlistRemove = defineCommand({
  meta: { name: "remove", description: "Remove a pattern from an agent's allowlist" },
  args: { ...PATTERN_ARG, ...AGENT_ARG, ...TARGET_ARGS, ...RPC_ARGS },
  async run({ args }) {
    await editAllowlist(args, (file, agent, pattern) => removeAllowlistPattern(file, agent, pattern), "Pattern not found.");
  },
});

const allowlist = defineCommand({
  meta: { name: "allowlist", description: "Edit an agent's allowlist of executables" },
  subCommands: { add: allowlistAdd, remove: allowlistRemove },
});

const ID_ARG = { id: { type: "positional", description: "Approval id, or its first 8 characters as `pending` shows them", required: true } } as const;

const pending = defineCommand({
  meta: { name: "pending", description: "List the commands waiting for an operator's approval" },
  args: { ...RPC_ARGS },
  async run({ args }) {
    const list = await withCalls(args, (call) => call<PendingApproval[]>("exec.approval.list", {}));
    if (args.json) return printJson(list);
    printPending(list);
  },
});

const allow = defineCommand({
  meta: { name: "allow", description: "Let a waiting command run (once, or --always: add it to the agent's allowlist)" },
  args: { ...ID_ARG, always: { type: "boolean", description: "Allow always: the executable joins the agent's allowlist" }, ...RPC_ARGS },
  async run({ args }) {
    await answer(args, args.always ? "allow-always" : "allow-once");
  },
});

const deny = defineCommand({
  meta: { name: "deny", description: "Refuse a waiting command" },
  args: { ...ID_ARG, ...RPC_ARGS },
  async run({ args }) {
    await answer(args, "deny");
  },
});

/** The `approvals` command tree. */
export const approvalsCommand = defineCommand({
  meta: { name: "approvals", description: "Exec approvals: the approvals file (get, set, allowlist) and waiting commands (pending, allow, deny)" },
  subCommands: { get, set, allowlist, pending, allow, deny },
});

/** One entry of `exec.approval.list`. */
export interface PendingApproval {
  id: string;
  request: { command: string; cwd?: string | null; agentId?: string | null; resolvedPath?: string | null; sessionKey?: string | null; host?: string | null };
  createdAtMs: number;
  expiresAtMs: number;
}

/** Shortest id prefix accepted (the gateway's MIN_APPROVAL_ID_PREFIX); `pending` shows 8 characters. */
const MIN_PREFIX = 6;

/**
 * The waiting approval `input` names: its full id, or a prefix of at least 6 characters only one id starts with.
 * @throws CliError naming the id when none or several match.
 */
export function pickApproval(list: readonly PendingApproval[], input: string): PendingApproval {
  const want = input.trim().toLowerCase();
  if (!want) throw new CliError("Approval id required.");
  const exact = list.find((a) => a.id.toLowerCase() === want);
  if (exact) return exact;
  const hits = want.length >= MIN_PREFIX ? list.filter((a) => a.id.toLowerCase().startsWith(want)) : [];
  if (hits.length === 1) return hits[0] as PendingApproval;
  if (hits.length > 1) throw new CliError(`Approval id "${input}" is ambiguous (${hits.length} waiting approvals start with it); use more characters.`);
  const hint = list.length === 0 ? "nothing is waiting" : "see `openclaw approvals pending`";
  throw new CliError(`No waiting approval with id "${input}" (it may have been answered or expired; ${hint}).`);
}

/**
 * Adds `pattern` to `agent`'s allowlist (creating the agent entry), unless an entry with that pattern is
 * there already. Mutates `file`.
 * @returns false when nothing changed.
 */
export function addAllowlistPattern(file: ExecApprovalsFile, agent: string, pattern: string): boolean {
  const entry = (file.agents ??= {})[agent] ?? {};
  const list = Array.isArray(entry.allowlist) ? entry.allowlist : [];
  if (list.some((e) => e.pattern?.trim() === pattern)) return false;
  file.agents[agent] = { ...entry, allowlist: [...list, { pattern, lastUsedAt: Date.now() }] };
  return true;
}

/**
 * Removes `pattern` from `agent`'s allowlist; an agent left with no allowlist and no policy is dropped.
 * Mutates `file`.
 * @returns false when the pattern was not there.
 */
export function removeAllowlistPattern(file: ExecApprovalsFile, agent: string, pattern: string): boolean {
  const entry = file.agents?.[agent];
  const list = Array.isArray(entry?.allowlist) ? entry.allowlist : [];
  const kept = list.filter((e) => e.pattern?.trim() !== pattern);
  if (!file.agents || !entry || kept.length === list.length) return false;
  const { allowlist: _, ...rest } = entry;
  const next: ExecApprovalsAgent = kept.length > 0 ? { ...rest, allowlist: kept } : rest;
  if (Object.values(next).every((v) => v === undefined)) delete file.agents[agent];
  else file.agents[agent] = next;
  return true;
}

/**
 * Parses an approvals file given on the command line (JSON or JSON5); `version` is set to 1.
 * @throws CliError when the text does not parse or is not an object.
 */
export function parseApprovalsText(text: string, source: string): ExecApprovalsFile {
  let parsed: unknown;
  try {
    parsed = JSON5.parse(text);
  } catch (err) {
    throw new CliError(`Could not parse ${source}: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new CliError(`${source} must hold a JSON object.`);
  return { ...(parsed as ExecApprovalsFile), version: 1 };
}

// --- internal ---

interface Target {
  nodeId?: string;
  label: string;
}

async function resolveTarget(call: Call, args: { node?: string; gateway?: boolean }): Promise<Target> {
  if (args.gateway || !args.node?.trim()) return { label: "gateway" };
  const nodeId = (await resolveNode(call, args.node)).nodeId;
  return { nodeId, label: `node:${nodeId}` };
}

function load(call: Call, target: Target): Promise<ExecApprovalsSnapshot> {
  return target.nodeId ? call("exec.approvals.node.get", { nodeId: target.nodeId }) : call("exec.approvals.get", {});
}

function save(call: Call, target: Target, file: ExecApprovalsFile, baseHash: string): Promise<ExecApprovalsSnapshot> {
  return target.nodeId ? call("exec.approvals.node.set", { nodeId: target.nodeId, file, baseHash }) : call("exec.approvals.set", { file, baseHash });
}

async function editAllowlist(
  args: { pattern: string; agent?: string; node?: string; gateway?: boolean; json?: boolean; url?: string; token?: string; password?: string; timeout?: string },
  edit: (file: ExecApprovalsFile, agent: string, pattern: string) => boolean,
  unchanged: string,
): Promise<void> {
  const pattern = args.pattern.trim();
  if (!pattern) throw new CliError("Pattern required.");
  const agent = args.agent?.trim() || "*";
  const result = await withCalls(args, async (call) => {
    const target = await resolveTarget(call, args);
    const current = await load(call, target);
    const file: ExecApprovalsFile = { ...structuredClone(current.file ?? {}), version: 1 };
    if (!edit(file, agent, pattern)) return undefined;
    return { snapshot: await save(call, target, file, current.hash), label: target.label };
  });
  if (!result) return void process.stdout.write(`${unchanged}\n`);
  if (args.json) return printJson(result.snapshot);
  printSnapshot(result.snapshot, result.label);
}

async function answer(args: { id: string; json?: boolean; url?: string; port?: string; token?: string; password?: string; timeout?: string }, decision: "allow-once" | "allow-always" | "deny"): Promise<void> {
  const approval = await withCalls(args, async (call) => {
    const picked = pickApproval(await call<PendingApproval[]>("exec.approval.list", {}), args.id);
    await call("exec.approval.resolve", { id: picked.id, decision });
    return picked;
  });
  if (args.json) return printJson({ ok: true, id: approval.id, decision });
  const verb = decision === "deny" ? "Denied" : decision === "allow-always" ? "Allowed always" : "Allowed once";
  process.stdout.write(`${verb}: ${approval.request.command} (${approval.id})\n`);
}

function printPending(list: readonly PendingApproval[]): void {
  const now = Date.now();
  const rows = list.map((a) => [a.id.slice(0, 8), a.request.agentId ?? "-", formatAge(a.createdAtMs, now), `${Math.max(0, Math.round((a.expiresAtMs - now) / 1000))}s`, a.request.cwd ?? "-", oneLine(a.request.command)]);
  printTable(["ID", "AGENT", "ASKED", "EXPIRES IN", "CWD", "COMMAND"], rows, "No pending approvals.");
  if (list.length > 0) process.stdout.write("Answer with: openclaw approvals allow <id> [--always] | openclaw approvals deny <id>\n");
}

/** A command on one table line: control characters shown as spaces, long ones cut. */
function oneLine(command: string): string {
  const flat = command.replace(/[\u0000-\u001f\u007f]+/g, " ");
  return flat.length > 120 ? `${flat.slice(0, 119)}…` : flat;
}

async function readText(path: string): Promise<string> {
  const file = Bun.file(path);
  if (!(await file.exists())) throw new CliError(`No such file: ${path}`);
  return file.text();
}

function printSnapshot(s: ExecApprovalsSnapshot, label: string): void {
  const file = s.file ?? {};
  const d = file.defaults ?? {};
  const defaults = [
    d.security && `security=${d.security}`,
    d.ask && `ask=${d.ask}`,
    d.askFallback && `askFallback=${d.askFallback}`,
    typeof d.autoAllowSkills === "boolean" && `autoAllowSkills=${d.autoAllowSkills ? "on" : "off"}`,
  ].filter(Boolean);
  const agents = Object.entries(file.agents ?? {});
  const rows = agents.flatMap(([id, a]) => (Array.isArray(a.allowlist) ? a.allowlist : []).filter((e) => e.pattern?.trim()).map((e) => [id, e.pattern, typeof e.lastUsedAt === "number" ? formatAge(e.lastUsedAt) : "-"]));
  const fields: [string, string][] = [
    ["Target", label],
    ["Path", s.path],
    ["Exists", s.exists ? "yes" : "no"],
    ["Hash", s.hash],
    ["Version", String(file.version ?? 1)],
    ["Socket", file.socket?.path ?? "default"],
    ["Defaults", defaults.join(", ") || "none"],
    ["Agents", String(agents.length)],
    ["Allowlist", String(rows.length)],
  ];
  process.stdout.write(`${fields.map(([k, v]) => `${k.padEnd(11)}${v}`).join("\n")}\n\n`);
  printTable(["AGENT", "PATTERN", "LAST USED"], rows, "No allowlist entries.");
}
